"""VOT inputs at the edge of the conventions (issue 23): empty ground truth (case 3), sequences shorter than the
burn-in (case 6), a lone ``0`` code inside a trajectory, negative box sizes in results."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.core.regions import FrameKind, empty_regions
from analysis.io.annotation import SequenceAnnotation
from analysis.metrics.bootstrap import vot_statistics
from analysis.metrics.overlap import vot_overlap
from analysis.metrics.vot.analysis import SequenceRuns, VOTSettings, analyze_runs, analyze_vot
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


def _runs(name: str, n: int, overlap: float) -> SequenceRuns:
    kinds = np.full((1, n), FrameKind.TRACKED, np.int8)
    kinds[0, 0] = FrameKind.INIT
    overlaps = np.full((1, n), overlap)
    overlaps[0, 0] = np.nan
    return SequenceRuns(name, kinds, overlaps, overlaps)


@pytest.mark.parametrize("variant", ["leg", "pyt"])
def test_sequence_shorter_than_the_burn_in_is_left_out_of_accuracy_and_warned(variant):
    report = analyze_runs([_runs("long", 30, 0.8), _runs("short", 5, 0.5)], VOTSettings(variant=variant))
    # LEG/PST pooled accuracy leaves the short one out; PYT counts it as 0 like vot-toolkit: (30 x 0.8) / 35
    assert report.accuracy == pytest.approx(0.8 if variant == "leg" else 30 * 0.8 / 35)
    (note,) = [w for w in report.warnings if "burn-in" in w]
    assert "no longer than the burn-in (10 frames" in note and "'short' (5 frames)" in note
    assert "reaches EAO lengths 1..5 at most" in note
    lo, hi = report.convention["interval"]["lengths_averaged"][0], report.convention["interval"]["lengths_averaged"][-1]
    assert f"the EAO averages lengths {lo}..{hi}" in note
    assert report.per_sequence.loc["short", "accuracy_pyt"] == 0.0
    assert "the PYT accuracy counts each as 0, weighted by its length, as vot-toolkit 0.7.4 does" in note
    if variant == "leg":
        stats = vot_statistics(report)
        assert stats["accuracy"][0](np.array([[0, 1]]))[0] == pytest.approx(0.8)  # the bootstrap agrees


def test_one_frame_sequence_has_undefined_accuracy_and_says_what_the_eao_means():
    report = analyze_runs([_runs("one", 1, 0.5)], VOTSettings(variant="leg"))
    assert np.isnan(report.accuracy)  # was 0.0
    (note,) = [w for w in report.warnings if "burn-in" in w]
    assert "accuracy is undefined (NaN), not 0" in note and "'one' (1 frame)" in note
    assert "the EAO averages lengths 1..1 (the curve is 1 at length 1 by definition" in note
    far = analyze_runs([_runs("long", 60, 0.8), _runs("short", 5, 0.5)], VOTSettings(variant="leg",
                                                                                     interval=(20, 40)))
    assert any("lengths 20..40, none of which such a run reaches unless it fails" in w for w in far.warnings)


def _annotation(n: int) -> dict[str, SequenceAnnotation]:
    gt = np.tile([20.0, 20.0, 30.0, 30.0], (n, 1))
    return {"s": SequenceAnnotation(name="s", groundtruth=gt, width=96, height=72, source="ann.json")}


def test_lone_zero_code_warning_names_the_eao_lengths_it_affects():
    box = np.array([20.0, 20.0, 30.0, 30.0])
    # initialised at frame 1, failure at 8, re-initialised at 13, a lone 0 at frame 16 (4th frame of that fragment)
    traj = [1] + [box] * 6 + [2, 0, 0, 0, 0, 1, box, box, 0] + [box] * 4
    rep = analyze_vot(_annotation(len(traj)), {"s": [traj]}, VOTSettings(interval=(2, 10)), results_source="R")
    (note,) = [w for w in rep.warnings if "code 0" in w]
    assert "frame 16: code 0 (unknown) inside the trajectory" in note
    assert "lowers the fragment starting at frame 13 for EAO lengths >= 4 (lengths below 4 are unaffected)" in note


def test_negative_box_sizes_in_results_are_warned(tmp_path, capsys):
    box = np.array([20.0, 20.0, 30.0, 30.0])
    traj = [1, box, np.array([50.0, 50.0, -30.0, -30.0]), box, np.array([20.0, 20.0, 30.0, -1.0]), box]
    rep = analyze_vot(_annotation(6), {"s": [traj]}, VOTSettings(interval=(2, 4)), results_source=str(tmp_path))
    (note,) = [w for w in rep.warnings if "negative width or height" in w]
    assert "s_001.txt|.bin: negative width or height on frame(s) 3, 5" in note and "--variant" in note
    # one-pass results (OTB layout)
    write_dataset(tmp_path / "otb", layout="otb", n_sequences=1, n_frames=5, size=(64, 48), seed=3)
    name = next(p.name for p in (tmp_path / "otb").iterdir() if p.is_dir())
    gt = np.loadtxt(tmp_path / "otb" / name / "groundtruth_rect.txt", delimiter=",")
    gt[3, 2] = -gt[3, 2]
    (tmp_path / "res").mkdir()
    np.savetxt(tmp_path / "res" / f"{name}.txt", gt, delimiter=",", fmt="%g")
    assert siamrpn(["analyze", "otb", "--annotations", str(tmp_path / "otb"), "--results", str(tmp_path / "res"),
                    "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any(f"{name}.txt: negative width or height on line(s) 4 (1 box(es)" in w for w in warnings)
