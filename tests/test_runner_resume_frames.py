"""Resume keyed on frame contents (issue 23, case 1): a replaced frame file makes its sequence stale.

Truth: a completion record stores, per frame file, its size, modification time and a digest of its bytes; a
rerun redoes a sequence whose frame bytes changed (naming the frame) and keeps one whose files were only
touched (same bytes), reading no frame whose size and modification time match the record.
"""
from __future__ import annotations

import json
import os

import cv2
import numpy as np

from integration.data.sequences import load_dataset
from integration.data.synthetic import write_dataset
from integration.run import units
from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec

OTB = ExperimentSpec("otb")
SPEC = TrackerSpec("tests.protocol_helpers:TemplateTracker", label="template")


def statuses(summary):
    return {o.key.split("/")[-1]: o.status for o in summary.outcomes}


def _data(tmp_path):
    names = write_dataset(tmp_path / "data", layout="otb", n_sequences=2, n_frames=6, size=(64, 48), seed=5)
    return names, load_dataset(tmp_path / "data")


def test_replaced_frame_is_redone_naming_the_frame(tmp_path, capsys):
    names, data = _data(tmp_path)
    assert set(statuses(run_experiment([SPEC], OTB, data, tmp_path / "out", workers=0, progress=False)).values()) == {"done"}
    frame = data[names[1]].frames[3]
    st = os.stat(frame)
    cv2.imwrite(str(frame), np.full((48, 64, 3), 200, np.uint8))  # re-extracted: other bytes, same name
    capsys.readouterr()
    again = run_experiment([SPEC], OTB, load_dataset(tmp_path / "data"), tmp_path / "out", workers=0, progress=False)
    assert statuses(again) == {names[0]: "skipped", names[1]: "done"}
    err = capsys.readouterr().err
    assert f"contents of frame 4 ({frame}) changed" in err
    assert os.stat(frame).st_size != st.st_size or os.stat(frame).st_mtime_ns != st.st_mtime_ns


def test_touched_frames_are_kept_and_unchanged_frames_not_read(tmp_path, monkeypatch):
    names, data = _data(tmp_path)
    run_experiment([SPEC], OTB, data, tmp_path / "out", workers=0, progress=False)
    rec = json.loads((tmp_path / "out" / "_runner" / "template" / "otb" / f"{names[0]}.done.json").read_text())
    assert rec["key_v"] == 3 and len(rec["frames"]["files"]) == 6
    frame = data[names[0]].frames[2]
    os.utime(frame, ns=(os.stat(frame).st_atime_ns, os.stat(frame).st_mtime_ns + 10**9))  # touched: same bytes
    units._FRAME_CACHE.clear()
    read = []
    real = units.file_sha256
    monkeypatch.setattr(units, "file_sha256", lambda p: read.append(str(p)) or real(p))
    again = run_experiment([SPEC], OTB, load_dataset(tmp_path / "data"), tmp_path / "out", workers=0,
                           progress=False)
    assert statuses(again) == {names[0]: "skipped", names[1]: "skipped"}
    frames_read = [p for p in read if p.endswith(".jpg")]
    assert frames_read == [str(frame)]  # only the touched frame was hashed again


def test_record_of_the_previous_format_is_kept_until_a_frame_changes(tmp_path, capsys):
    names, data = _data(tmp_path)
    run_experiment([SPEC], OTB, data, tmp_path / "out", workers=0, progress=False)
    for name in names:  # as the previous version wrote them: key_v 2, no frame contents
        path = tmp_path / "out" / "_runner" / "template" / "otb" / f"{name}.done.json"
        rec = json.loads(path.read_text())
        rec["key_v"] = 2
        del rec["frames"]
        path.write_text(json.dumps(rec))
    again = run_experiment([SPEC], OTB, load_dataset(tmp_path / "data"), tmp_path / "out", workers=0,
                           progress=False)
    assert statuses(again) == {names[0]: "skipped", names[1]: "skipped"}
    frame = data[names[0]].frames[1]
    path = tmp_path / "out" / "_runner" / "template" / "otb" / f"{names[0]}.done.json"
    assert "frames" not in json.loads(path.read_text())  # a skipped unit keeps its record
    later = os.stat(path).st_mtime_ns + 10**9
    os.utime(frame, ns=(later, later))
    capsys.readouterr()
    third = run_experiment([SPEC], OTB, load_dataset(tmp_path / "data"), tmp_path / "out", workers=0,
                           progress=False)
    assert statuses(third)[names[0]] == "done"
    assert f"frame 2 ({frame}) was modified after the results were recorded" in capsys.readouterr().err
