"""VOT inputs at the edge of the conventions (issue 23): empty ground truth (case 3), sequences shorter than the
burn-in (case 6), a lone ``0`` code inside a trajectory, negative box sizes in results."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.core.regions import empty_regions
from analysis.metrics.overlap import vot_overlap
from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset

TRACKER = "tests.protocol_helpers:TemplateTracker"


@pytest.fixture(scope="module")
def vot_empty(tmp_path_factory):
    """One 24-frame VOT sequence whose ground truth is ``0,0,0,0,0,0,0,0`` on frames 10-12 (1-based)."""
    root = tmp_path_factory.mktemp("vot_empty")
    (name,) = write_dataset(root, layout="vot", n_sequences=1, n_frames=24, size=(96, 72), seed=7)
    gt = root / name / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    for i in (9, 10, 11):
        lines[i] = "0,0,0,0,0,0,0,0"
    gt.write_text("\n".join(lines) + "\n")
    return root, name


def test_empty_ground_truth_is_a_failure_as_in_vot_toolkit_and_warned(vot_empty, tmp_path, capsys):
    root, name = vot_empty
    rc = siamrpn(["run", "vot", "--dataset", str(root), "--tracker", TRACKER, "--deterministic", "--workers", "0",
                  "--layout", "pyt", "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    err = capsys.readouterr().err
    assert "empty ground truth (zero-area region, target not visible) on frame(s) 10-12" in err
    assert "vot-toolkit 0.7.4's supervised experiment and the MATLAB toolkit" in err
    # the toolkit's own failure test on the same regions: a reported box against the empty polygon overlaps 0
    from vot.region import calculate_overlap  # the reference toolkit, installed in the venv
    from vot.region.io import parse_region

    from analysis.io.trajectories import read_trajectory
    traj = read_trajectory(tmp_path / "TemplateTracker" / "baseline" / name / f"{name}_001.bin")
    assert traj[9] == 2 and traj[14] == 1  # failure on frame 10, re-initialised 5 frames later
    box = traj[8]
    empty = parse_region("0,0,0,0,0,0,0,0")
    assert empty.is_empty() and calculate_overlap(parse_region(",".join(map(str, box))), empty, (96, 72)) == 0.0
    assert vot_overlap(box, np.zeros(8), (96, 72), "pyt") == 0.0
    capsys.readouterr()
    assert siamrpn(["analyze", "vot", "--annotations", str(root), "--results", str(tmp_path / "TemplateTracker"),
                    "--variant", "pyt", "--interval", "2", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    notes = [w for w in report["warnings"] if "empty ground truth" in w]
    assert len(notes) == 1 and "on frame(s) 10-12" in notes[0] and "1 failure(s) per run fall on these frames" in notes[0]


def test_empty_regions_follow_vot_toolkit_is_empty():
    from vot.region.io import parse_region

    rows = ["0,0,0,0,0,0,0,0", "1,1,5,1,5,1,1,1", "1,1,5,1,5,4,1,4", "3,4,0,5", "3,4,2,5"]
    ours = empty_regions(np.array([[float(v) for v in r.split(",")] for r in rows[:3]]))
    ours_rect = empty_regions(np.array([[float(v) for v in r.split(",")] for r in rows[3:]]))
    assert list(ours) + list(ours_rect) == [parse_region(r).is_empty() for r in rows]


def _short(tmp_path: Path, lengths: tuple[int, ...]) -> Path:
    root = tmp_path / "data"
    for k, n in enumerate(lengths):
        write_dataset(root / f"s{k}", layout="vot", n_sequences=1, n_frames=n, size=(96, 72), seed=20 + k,
                      prefix=f"len{n}_")
    return root
