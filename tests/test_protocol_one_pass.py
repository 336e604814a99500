"""One-pass protocol (OTB / GOT-10k): first row is the initial box, no resets, repetitions."""
from __future__ import annotations

import numpy as np

from analysis.core.regions import polygon_bbox
from integration.protocols.clocks import SimulatedClock
from integration.protocols.one_pass import run_got10k, run_one_pass
from tests.protocol_helpers import ScriptedTracker, static_gt


def test_one_pass_keeps_tracking_through_failures():
    gt = static_gt(10)
    tracker = ScriptedTracker(gt, fail_at={3, 4})
    run = run_one_pass(tracker, lambda i: i, 10, gt[0], SimulatedClock(0.02))
    assert tracker.inits == [0] and tracker.updates == list(range(1, 10))  # no re-initialisation
    assert np.array_equal(run.boxes[0], gt[0]) and run.boxes[3, 0] == -1000  # lost frames kept as answered
    assert np.allclose(run.times, 0.02)


def test_polygon_initial_region_gives_its_bounding_box():
    assert polygon_bbox(np.array([10, 20, 50, 20, 50, 60, 10, 60.0])).tolist() == [10, 20, 40, 40]


def test_got10k_three_repetitions_or_one_when_declared_deterministic():
    gt = static_gt(5)
    made = []

    def factory():
        made.append(ScriptedTracker(gt))
        return made[-1]

    assert len(run_got10k(factory, lambda i: i, 5, gt[0])) == 3 and len(made) == 3
    assert len(run_got10k(factory, lambda i: i, 5, gt[0], deterministic=True)) == 1
