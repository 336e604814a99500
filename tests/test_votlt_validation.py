"""``siamrpn analyze votlt`` validates its inputs (issue 23, case 5): the target must be visible in frame 1 of
the ground truth, and a ``nan`` confidence is refused with file and line unless ``--accept-nan-confidence``."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from integration.cli import main as siamrpn
from integration.data.synthetic import generate, write_vot_sequence


def _dataset(root: Path, first_absent: bool = False) -> tuple[Path, Path, np.ndarray]:
    s = generate(11, 12, (96, 72))
    boxes = s.boxes.copy()
    boxes[5:7] = np.nan
    if first_absent:
        boxes[0] = np.nan
    write_vot_sequence(root / "data" / "lt0", s.frames, boxes, polygon=False, layout="color")
    (root / "data" / "list.txt").write_text("lt0\n")
    res = root / "res" / "T" / "lt0"
    res.mkdir(parents=True)
    lines = ["1"] + [",".join(f"{v:g}" for v in b) for b in s.boxes[1:] + 1.0]
    (res / "lt0_001.txt").write_text("\n".join(lines) + "\n")
    conf = np.linspace(0.2, 0.9, 12)
    (res / "lt0_001_confidence.value").write_text("\n" + "".join(f"{c:.3f}\n" for c in conf[1:]))
    return root / "data", root / "res" / "T", conf


def test_target_absent_in_frame_1_is_refused_with_file_and_line(tmp_path, capsys):
    data, res, _ = _dataset(tmp_path, first_absent=True)
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(res)]) == 2
    err = capsys.readouterr().err
    assert f"{data / 'lt0' / 'groundtruth.txt'}:1: sequence lt0: the target is absent in frame 1 (NaN)" in err
    assert "Traceback" not in err


def test_nan_confidence_is_refused_with_file_and_line_unless_accepted(tmp_path, capsys):
    data, res, conf = _dataset(tmp_path)
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(res), "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)["fscore"]
    path = res / "lt0" / "lt0_001_confidence.value"
    lines = path.read_text().split("\n")
    lines[4] = lines[8] = "nan"
    path.write_text("\n".join(lines))
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(res)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5: confidence is NaN (2 NaN confidence(s) (first on line 5))" in err
    assert "--accept-nan-confidence" in err
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(res), "--json",
                    "--accept-nan-confidence"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert any("2 NaN confidence(s)" in w for w in rep["warnings"]) and rep["fscore"] != clean
    lines[0] = "nan"  # the initialisation frame's confidence is not scored: no error
    lines[4] = lines[8] = "0.5"
    path.write_text("\n".join(lines))
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(res)]) == 0
