"""VOT baseline protocol with resets: exact 1/2/0 patterns, repetitions and the determinism stop."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.regions import is_special
from integration.protocols.clocks import SimulatedClock
from integration.protocols.vot_baseline import BaselineSettings, run_baseline, run_supervised
from tests.protocol_helpers import ScriptedTracker, rect_iou, static_gt


def codes(traj):
    return [int(r) if is_special(r) else "T" for r in traj]


def test_reset_pattern_matches_hand_computed():
    gt = static_gt(30)
    tracker = ScriptedTracker(gt, fail_at={5, 12, 27})
    run = run_supervised(tracker, lambda i: i, gt, (200, 200), rect_iou, clock=SimulatedClock(0.01))
    T = "T"
    expected = ([1, T, T, T, T, 2, 0, 0, 0, 0]      # fail at 5 -> re-init at 10
                + [1, T, 2, 0, 0, 0, 0]             # fail at 12 -> re-init at 17
                + [1] + [T] * 9 + [2, 0, 0])        # fail at 27, 27+5 >= 30: no re-init
    assert codes(run.trajectory) == expected
    assert tracker.inits == [0, 10, 17]
    assert np.array_equal(run.trajectory[1], gt[1])
    # times: every frame the tracker saw costs 10 ms, skipped frames 0
    seen = [i for i, c in enumerate(expected) if c != 0]
    assert np.allclose(run.times[seen], 0.01) and np.all(run.times[[6, 7, 8, 9, 28, 29]] == 0)


def test_init_response_is_never_a_failure_and_reset_lands_exactly_five_later():
    gt = static_gt(16)
    # frame 10 is the re-initialisation frame: its "failure" is never asked for
    tracker = ScriptedTracker(gt, fail_at={5, 10, 15})
    run = run_supervised(tracker, lambda i: i, gt, None, rect_iou)
    assert codes(run.trajectory) == [1, "T", "T", "T", "T", 2, 0, 0, 0, 0, 1, "T", "T", "T", "T", 2]
    assert 10 not in tracker.updates


def test_failure_uses_real_vot_overlap_with_image_bounds():
    """A box entirely outside the image overlaps 0 under leg2017 bounds -> failure (rasterised overlap)."""
    gt = static_gt(8)
    class Outside(ScriptedTracker):
        def update(self, image):
            super().update(image)
            return (np.array([250.0, 40.0, 20.0, 30.0]) if int(image) == 3 else self.gt[int(image)]), 1.0
    runs = run_baseline(Outside(gt), lambda i: i, gt, (240, 200), BaselineSettings(deterministic=True))
    assert codes(runs[0].trajectory) == [1, "T", "T", 2, 0, 0, 0, 0]


def test_repetitions_deterministic_tracker_stops_after_three():
    gt = static_gt(20)
    made = []
    def factory():
        made.append(ScriptedTracker(gt, fail_at={7}))
        return made[-1]
    runs = run_baseline(factory, lambda i: i, gt, None, BaselineSettings(), overlap=rect_iou)
    assert len(runs) == 3 and len(made) == 3


def test_repetitions_tiny_jitter_counts_as_identical_but_real_noise_runs_fifteen():
    gt = static_gt(20)
    seeds = iter(range(100))
    tiny = run_baseline(lambda: ScriptedTracker(gt, jitter=1e-4, seed=next(seeds)), lambda i: i, gt, None,
                        BaselineSettings(), overlap=rect_iou)
    noisy = run_baseline(lambda: ScriptedTracker(gt, jitter=0.5, seed=next(seeds)), lambda i: i, gt, None,
                         BaselineSettings(), overlap=rect_iou)
    assert len(tiny) == 3
    assert len(noisy) == 15


def test_different_failure_pattern_is_not_identical():
    gt = static_gt(20)
    patterns = iter([{7}, {7}, {8}] + [{7}] * 12)
    runs = run_baseline(lambda: ScriptedTracker(gt, fail_at=next(patterns)), lambda i: i, gt, None,
                        BaselineSettings(), overlap=rect_iou)
    assert len(runs) == 15


def test_declared_deterministic_runs_once_and_settings_validate():
    gt = static_gt(10)
    runs = run_baseline(lambda: ScriptedTracker(gt), lambda i: i, gt, None,
                        BaselineSettings(deterministic=True), overlap=rect_iou)
    assert len(runs) == 1
    with pytest.raises(ValueError):
        BaselineSettings(repetitions=0)


class _FrameReplay:
    """Answers the box a reference run wrote for frame ``i`` (far away where it wrote a failure)."""

    def __init__(self, traj):
        self.traj = traj

    def init(self, image, region):
        pass

    def update(self, image):
        r = self.traj[int(image)]
        return (np.array([-1000.0, -1000.0, 1.0, 1.0]) if is_special(r) else r), 1.0


def test_reproduces_the_matlab_toolkit_baseline_runs_of_siamfc_vot2017():
    """SiamFC's official VOT2017 baseline output (MATLAB toolkit, 3 identical runs kept): replaying its boxes
    through our reset protocol with the real ground truth and the leg2017 overlap (bounds W-1, H-1) rewrites
    every trajectory exactly, and the 15-repetition loop stops after 3 runs as the toolkit did."""
    from analysis.io.pysot import load_pysot_json
    from analysis.io.trajectories import read_trajectory
    from integration.protocols import vot_overlap_fn
    from tests.conftest import shared_path

    root = shared_path("results", "VOT2017", "SiamFC", "baseline")
    gts = load_pysot_json(shared_path("annotations", "VOT2018.json"))
    overlap = vot_overlap_fn("leg2017")
    failures = checked = 0
    for seq_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        name = seq_dir.name
        leg = read_trajectory(seq_dir / f"{name}_001.txt")
        gt = gts[name]
        runs = run_baseline(lambda: _FrameReplay(leg), lambda i: i, gt.groundtruth, gt.size, BaselineSettings(),
                            overlap=overlap, clock=SimulatedClock(0.0))
        assert len(runs) == 3, name
        ours = runs[0].trajectory
        assert codes(ours) == codes(leg), name
        assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(ours, leg) if not is_special(a)), name
        failures += codes(leg).count(2)
        checked += 1
    assert checked == 60 and failures > 50


# ------------------------------------------------------------------ failure-test overlap rule (issue 12)
class _Beside(ScriptedTracker):
    """Ground truth except on frame 3: the box moved right by 19.6 px, so it touches the target by a pixel."""

    def update(self, image):
        box, score = super().update(image)
        return (np.array([29.6, 10.0, 20.0, 20.0]) if int(image) == 3 else box), score


def test_failure_rule_is_the_emulated_toolkits_and_selectable():
    """Hand-computed: gt [10,10,20,20], answer [29.6,10,20,20], 640x480, same 21 rows in both rules.
    leg2017 (TraX raster, rect x .. x+w): columns 10..30 and round(29.6)=30..50 -> 1 shared of 41 -> 1/41, no
    failure. pyt (vot-toolkit: round, x .. x+w-1): columns 10..29 and 30..49 -> disjoint -> 0, failure."""
    from analysis.metrics.overlap import vot_overlap
    from integration.run.execute import baseline_settings
    from integration.run.units import ExperimentSpec

    gt = static_gt(10, box=(10.0, 10.0, 20.0, 20.0))
    ans = [29.6, 10.0, 20.0, 20.0]
    assert vot_overlap(ans, gt[0], bounds=(640, 480), convention="leg2017") == pytest.approx(1 / 41)
    assert vot_overlap(ans, gt[0], bounds=(640, 480), convention="pyt") == 0.0

    def failures(settings):
        run = run_baseline(_Beside(gt), lambda i: i, gt, (640, 480), settings)[0]
        return [i for i, r in enumerate(run.trajectory) if is_special(r) and int(r) == 2]

    assert failures(BaselineSettings(deterministic=True)) == []  # protocol default: LEG
    assert failures(BaselineSettings(deterministic=True, convention="pyt")) == [3]
    # the runner resolves the rule from the layout it writes; an explicit convention wins
    assert baseline_settings(ExperimentSpec(layout="leg")).convention == "leg2017"
    assert baseline_settings(ExperimentSpec(layout="pyt")).convention == "pyt"
    explicit = ExperimentSpec(layout="pyt", baseline=BaselineSettings(convention="leg2017"))
    assert baseline_settings(explicit).convention == "leg2017"
    with pytest.raises(ValueError, match="'bogus'.*leg2017"):
        BaselineSettings(convention="bogus")
