"""``siamrpn --version`` and "did you mean" for unknown subcommands and options."""
from __future__ import annotations

import importlib.metadata

import pytest

from integration.cli import main


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"siamrpn {importlib.metadata.version('siamrpn-bench')}"


def test_unknown_subcommand_suggests_the_close_one(capsys):
    assert main(["analyse"]) == 2
    assert "did you mean 'analyze'?" in capsys.readouterr().err
    assert main(["zzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_unknown_option_suggests_the_close_one(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "x", "--out", "y", "--trails", "3"])
    assert exc.value.code == 2
    assert "did you mean '--trials'?" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- issue 22 item 7
def test_unknown_option_of_a_nested_subcommand_suggests_the_close_one(capsys):
    # argparse alone lists the top parser's options only, or reports the missing required option first
    for argv, hint in ((["analyze", "otb", "--annotations", "a", "--results", "r", "--bootsrap", "5"], "'--bootstrap'"),
                       (["analyze", "vot", "--annotatons", "a"], "'--annotations'"),
                       (["run", "vot", "--dataset", "d", "--tracker", "t", "--out", "o", "--max-frmes", "3"],
                        "'--max-frames'"),
                       (["report", "--resluts", "r"], "'--results'")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert f"unrecognized arguments: {argv[-2]}" in err and f"did you mean {hint}" in err, err
    with pytest.raises(SystemExit):
        main(["report", "--zzzzzz", "x"])
    assert "'siamrpn report --help' lists the options" in capsys.readouterr().err
    # a unique prefix is still argparse's abbreviation, "--opt=value" is read as the option
    with pytest.raises(SystemExit):
        main(["analyze", "otb", "--annotations=a", "--bootstrp=3", "--results", "r"])
    assert "did you mean '--bootstrap'" in capsys.readouterr().err


def _frames(tmp_path, n=8):
    import cv2
    import numpy as np

    from integration.data.synthetic import generate

    seq = generate(4, n_frames=n, size=(96, 72))
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, frame in enumerate(seq.frames):
        cv2.imwrite(str(folder / f"{i + 1:08d}.png"), frame)
    x, y, w, h = np.asarray(seq.boxes[0], float)
    return folder, f"{x:.2f},{y:.2f},{w:.2f},{h:.2f}"


def test_track_with_another_tracker(tmp_path, capsys):
    import numpy as np

    folder, init = _frames(tmp_path)
    for name in ("kcf", "tests.protocol_helpers:TemplateTracker"):
        out = tmp_path / f"{name.replace(':', '_')}.txt"
        assert main(["track", "--frames", str(folder), "--init", init, "--tracker", name, "--output", str(out)]) == 0
        boxes = np.loadtxt(out, delimiter=",")
        assert boxes.shape == (8, 4) and np.allclose(boxes[0], [float(v) for v in init.split(",")], atol=1e-3)
    capsys.readouterr()
    assert main(["track", "--frames", str(folder), "--init", init, "--tracker", "kcf", "--preset", "paper"]) == 2
    assert "--preset: SiamRPN options; --tracker kcf takes --weights and --device only" in capsys.readouterr().err
    assert main(["track", "--frames", str(folder), "--init", init, "--tracker", "nope"]) == 2
    assert "--tracker nope: unknown tracker 'nope'" in capsys.readouterr().err


def test_run_max_frames_cuts_every_sequence(tmp_path, capsys):
    from integration.data.synthetic import write_dataset

    write_dataset(tmp_path / "otb", layout="otb", n_sequences=2, n_frames=15, size=(96, 72), seed=5)
    args = ["run", "otb", "--dataset", str(tmp_path / "otb"), "--tracker", "tests.protocol_helpers:TemplateTracker",
            "--quiet", "--out", str(tmp_path / "r")]
    assert main(args + ["--max-frames", "6"]) == 0
    assert "every sequence cut to its first 6 frames" in capsys.readouterr().err
    files = sorted((tmp_path / "r" / "TemplateTracker").rglob("*.txt"))
    results = [f for f in files if "time" not in f.name]
    assert len(results) == 2 and all(len(f.read_text().splitlines()) == 6 for f in results), files
    assert main(args + ["--max-frames", "1"]) == 2
    assert "--max-frames must be at least 2" in capsys.readouterr().err
