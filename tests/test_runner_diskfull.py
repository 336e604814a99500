"""A full disk during ``siamrpn run`` (issue 23, case 10): one line naming the output folder and its free space,
the run stops, finished sequences keep their records, and the same command resumes once there is space."""
from __future__ import annotations

import errno
import os

import numpy as np

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset


class DiskFullTracker:
    """Follows the initial box; on frames 80 pixels wide it hits a full disk (as a tracker writing a cache would)."""

    def __init__(self, weights=None):
        self.box = None

    def init(self, image, region):
        self.box = np.asarray(region, float)[:4]

    def update(self, image):
        if image.shape[1] == 80:
            raise OSError(errno.ENOSPC, "No space left on device", "/var/cache/tracker.bin")
        return self.box.copy(), 1.0


def test_disk_full_while_writing_results_stops_with_one_line_and_resumes(tmp_path, monkeypatch, capsys):
    names = write_dataset(tmp_path / "data", layout="otb", n_sequences=3, n_frames=4, size=(64, 48), seed=3)
    out = tmp_path / "out"
    args = ["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker", "tests.protocol_helpers:TemplateTracker",
            "--workers", "0", "--quiet", "--out", str(out)]
    real_fsync = os.fsync

    def full(fd):  # the disk fills up while the second sequence's results are written
        if f"{names[1]}" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    assert siamrpn(args) == 1
    captured = capsys.readouterr()
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in captured.err + captured.out
    assert lines[0].startswith("siamrpn run otb: error: disk full: no space left on device")
    assert f"free on the file system of {out})" in lines[0] and "1 of 3 sequence runs finished" in lines[0]
    assert "rerun the same command to resume" in lines[0]
    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed
    assert siamrpn(args) == 0
    assert "2 done, 1 already done (resumed), 0 failed" in capsys.readouterr().out


def test_disk_full_in_a_supervised_worker_stops_the_run(tmp_path, capsys):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=4, size=(64, 48), seed=1, prefix="a")
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=4, size=(80, 60), seed=2, prefix="b")
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=4, size=(64, 48), seed=3, prefix="c")
    out = tmp_path / "out"
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker",
                  "tests.test_runner_diskfull:DiskFullTracker", "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 1 and "Traceback" not in captured.err
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "disk full: no space left on device writing /var/cache/tracker.bin" in lines[0]
    assert "1 of 3 sequence runs finished" in lines[0]  # the third was not started after the full disk


def test_report_into_an_unwritable_folder_is_one_line(tmp_path, capsys):
    names = write_dataset(tmp_path / "data", layout="otb", n_sequences=2, n_frames=5, size=(64, 48), seed=1)
    res = tmp_path / "res" / "T"
    res.mkdir(parents=True)
    for name in names:
        (res / f"{name}.txt").write_text((tmp_path / "data" / name / "groundtruth_rect.txt").read_text())
    (tmp_path / "blocker").write_text("a file where the report folder should be")  # as root, chmod would not do
    rc = siamrpn(["report", "--results", str(res), "--benchmark", "otb2015", "--annotations", str(tmp_path / "data"),
                  "--compare", "--out", str(tmp_path / "blocker" / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert f"siamrpn report: error: --out {tmp_path / 'blocker' / 'out'}: output folder is not writable" in err
