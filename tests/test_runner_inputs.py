"""Input checks before and during a run (issue 15): unwritable output folder, damaged frames."""
from __future__ import annotations

from integration.cli import main as siamrpn
from integration.data.sequences import load_dataset
from integration.data.synthetic import write_dataset


def test_unwritable_output_folder_is_refused_before_tracking(tmp_path, capsys):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=5, size=(64, 48), seed=1)
    (tmp_path / "blocker").write_text("a file where the output folder should go")
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker",
                  "tests.protocol_helpers:TemplateTracker", "--quiet", "--out", str(tmp_path / "blocker" / "out")])
    err = capsys.readouterr()
    assert rc == 2 and "blocker/out: output folder is not writable" in err.err
    assert "Traceback" not in err.err + err.out and "sequences x" not in err.out  # nothing was started


def test_truncated_frame_fails_the_sequence_naming_the_file_unless_accepted(tmp_path, capsys):
    names = write_dataset(tmp_path / "data", layout="otb", n_sequences=2, n_frames=6, size=(64, 48), seed=2)
    frame = load_dataset(tmp_path / "data")[names[1]].frames[2]
    frame.write_bytes(frame.read_bytes()[:-200])
    args = ["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker", "tests.protocol_helpers:TemplateTracker",
            "--quiet", "--out", str(tmp_path / "out")]
    assert siamrpn(args) == 1
    out = capsys.readouterr().out
    assert f"FAILED TemplateTracker/otb/{names[1]}" in out and "FrameReadError" in out
    assert f"{frame}: frame 3 of sequence '{names[1]}' is damaged (truncated JPEG" in out
    assert "1 done" in out
    assert siamrpn(args + ["--accept-damaged-frames"]) == 0
    assert "1 done, 1 already done" in capsys.readouterr().out
