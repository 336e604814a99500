"""The VOT2020+ multi-start runner: anchors forward/backward initialised on the ground truth and never reset,
vot-toolkit's real-time runtime, the unsupervised pass, and results in the toolkit's layout (resumable)."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.masks import Mask, encode_mask
from analysis.io.trajectories import read_trajectory
from integration.data.multistart import write_multistart_dataset
from integration.data.sequences import load_dataset
from integration.protocols.clocks import SimulatedClock
from integration.protocols.multistart import (
    MultiStartState,
    Realtime,
    find_anchors,
    run_frames,
    run_multistart,
)
from integration.protocols.steps import drive
from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec
from tests.multistart_helpers import Oracle


class Echo:
    """Answers the index of the frame it was shown as a box ``[f, 0, 1, 1]`` (frames carry their index)."""

    def __init__(self, accepts_masks: bool = False) -> None:
        self.accepts_masks = accepts_masks
        self.inits: list = []

    def init(self, image, region):
        self.inits.append(region)

    def update(self, image):
        return np.array([float(image[0, 0, 0]), 0.0, 1.0, 1.0]), 0.5


def frames(n):
    return lambda i: np.full((4, 4, 3), i, np.uint8)


def test_anchors_and_run_frames():
    assert find_anchors({"anchor": np.array([1, 0, 0, -1, 2, 0])}) == ([0, 4], [3])
    with pytest.raises(ValueError, match="seq: anchor.value marks no anchor"):
        find_anchors({"anchor": np.zeros(5)}, where="seq")
    with pytest.raises(ValueError, match="no anchor.value file"):
        find_anchors({}, where="seq")
    np.testing.assert_array_equal(run_frames(2, False, 5), [2, 3, 4])
    np.testing.assert_array_equal(run_frames(2, True, 5), [2, 1, 0])
    np.testing.assert_array_equal(run_frames(4, False, 5), [4])  # anchor on the last frame: a run of length 1
    np.testing.assert_array_equal(run_frames(0, True, 5), [0])


def test_runs_forward_then_backward_never_reset():
    gt = [np.array([10.0 * i, 0, 5, 5]) for i in range(6)]
    tracker = Echo()
    runs = run_multistart(tracker, frames(6), 6, [1, 5], [3], gt)
    assert [(r.anchor, r.reverse) for r in runs] == [(1, False), (5, False), (3, True)]
    assert [len(r.trajectory) for r in runs] == [5, 1, 4]
    assert runs[2].trajectory[0] == 1 and [t[0] for t in runs[2].trajectory[1:]] == [2, 1, 0]
    assert [t[0] for t in runs[0].trajectory[1:]] == [2, 3, 4, 5]
    np.testing.assert_array_equal(tracker.inits[2], gt[3])  # initialised on the anchor's ground truth


def test_mask_ground_truth_gives_a_box_unless_the_tracker_takes_masks():
    disk = np.zeros((20, 20), np.uint8)
    disk[5:10, 3:6] = 1
    gt = [encode_mask(disk)] * 3
    box, masks = Echo(), Echo(accepts_masks=True)
    run_multistart(box, frames(3), 3, [0], [], gt)
    run_multistart(masks, frames(3), 3, [0], [], gt)
    np.testing.assert_array_equal(box.inits[0], [3, 5, 3, 5])  # inclusive box
    assert isinstance(masks.inits[0], Mask)


def test_realtime_debt_and_grace():
    """Latency 2.5 frame intervals: init and frames 1-2 use the 3 grace answers; from frame 3 on every slow
    answer leaves a debt of 1.5 intervals, so the next frame gets the cached answer (time 0)."""
    interval = 1 / 30
    state = MultiStartState(9, [0], [], [np.array([0.0, 0, 1, 1])] * 9, Realtime(interval, grace=3))
    drive(state, Echo(), frames(9), SimulatedClock(latency_s=2.5 * interval))
    (run,) = state.result()
    assert np.flatnonzero(run.processed).tolist() == [0, 1, 2, 3, 5, 7]
    assert [r[0] for r in run.trajectory[1:]] == [1, 2, 3, 3, 5, 5, 7, 7]
    assert run.times[4] == 0 and run.times[5] == pytest.approx(2.5 * interval)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ms") / "data"
    write_multistart_dataset(root, lengths=(30, 24))
    return root


def test_runner_writes_the_toolkit_layout_and_resumes(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("MS_ORACLE_DATA", str(dataset))
    seqs = load_dataset(dataset)
    spec = TrackerSpec("tests.multistart_helpers:mask_oracle", label="oracle")
    summary = run_experiment([spec], ExperimentSpec("multistart", layout="pyt"), seqs, tmp_path, workers=0,
                             progress=False)
    assert summary.ok, summary.text()
    for name, seq in seqs.items():
        fwd, bwd = find_anchors(seq.values)
        folder = tmp_path / "oracle" / "baseline" / name
        files = sorted(p.name for p in folder.glob("*.bin"))
        assert files == sorted(f"{name}_{a:08d}.bin" for a in fwd + bwd)
        for a in fwd + bwd:
            traj = read_trajectory(folder / f"{name}_{a:08d}.bin")
            assert traj[0] == 1 and len(traj) == (len(seq) - a if a in fwd else a + 1)
            assert all(isinstance(r, Mask) for r in traj[1:])
            assert len((folder / f"{name}_{a:08d}_time.value").read_text().split()) == len(traj)
    again = run_experiment([spec], ExperimentSpec("multistart", layout="pyt"), seqs, tmp_path, workers=0,
                           progress=False)
    assert {o.status for o in again.outcomes} == {"skipped"}


def test_unsupervised_and_realtime_kinds(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("MS_ORACLE_DATA", str(dataset))
    seqs = load_dataset(dataset)
    spec = TrackerSpec("tests.multistart_helpers:box_oracle", label="oracle")
    assert run_experiment([spec], ExperimentSpec("unsupervised", layout="leg"), seqs, tmp_path, workers=0,
                          progress=False).ok
    traj = read_trajectory(tmp_path / "oracle" / "unsupervised" / "ms01" / "ms01_001.txt")
    assert len(traj) == 24 and traj[0] == 1 and not isinstance(traj[1], int)
    exp = ExperimentSpec("multistart-realtime", profile="pyt", clock="simulated:10", layout="pyt")
    assert run_experiment([spec], exp, seqs, tmp_path, workers=0, progress=False).ok
    assert list((tmp_path / "oracle" / "realtime" / "ms00").glob("ms00_00000000.bin"))
    with pytest.raises(ValueError, match="not a pyt profile"):
        ExperimentSpec("multistart-realtime", profile="vot2017")
    assert isinstance(Oracle("box", str(dataset)), Oracle)
