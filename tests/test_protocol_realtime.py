"""VOT real-time schedules on the simulated clock: LEG (§3.2) and PYT (§3.3) rules."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.regions import is_special
from integration.protocols.clocks import MeasuredClock, SimulatedClock, parse_clock
from integration.protocols.realtime import (
    FAILURE,
    HELD,
    INIT,
    LATE,
    NEW,
    PROFILES,
    SKIPPED,
    get_profile,
    run_realtime,
    run_realtime_leg,
    run_realtime_pyt,
)
from tests.protocol_helpers import ScriptedTracker, rect_iou, static_gt

I_MS = 40.0  # paper profile: 25 fps


@pytest.mark.parametrize("cost,expected", [(1.2, 0.834), (1.6, 0.626), (2.0, 0.502)])
def test_leg_constant_cost_processes_about_one_over_cost(cost, expected):
    gt = static_gt(1000)
    run = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "paper",
                       SimulatedClock(cost * I_MS / 1000), overlap=rect_iou)
    # spec §3.2 simulated values (MATLAB rule); 1/cost up to the grace frames at the start
    assert run.processed_fraction == pytest.approx(expected, abs=0.004)
    assert run.processed_fraction == pytest.approx(1 / cost, abs=0.01)
    assert all(not is_special(r) for r in run.trajectory[1:])  # static target: holds never fail


def test_leg_fast_tracker_processes_everything():
    gt = static_gt(50)
    run = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "vot2017", SimulatedClock(0.049), overlap=rect_iou)
    assert run.processed.all() and (run.schedule[1:] == NEW).all() and run.fps == 20.0


def test_leg_schedule_hand_computed_with_failure_on_a_held_frame():
    """Latency 1.5 I at 25 fps; the target jumps at (1-based) frame 8, which gets the held box -> failure;
    critical reset at current + 5 = 13 (hand-computed from the MATLAB formula). The init response uses one
    grace unit, so after each (re)init exactly two frames are free."""
    gt = static_gt(16)
    gt[7:] = (150.0, 150.0, 20.0, 30.0)
    tracker = ScriptedTracker(gt)
    traj, times, processed, sched = run_realtime_leg(tracker, lambda i: i, gt, None, rect_iou, fps=25.0, grace=3,
                                                     skip_initialize=5, clock=SimulatedClock(0.060))
    assert sched.tolist() == [INIT, NEW, NEW, LATE, NEW, NEW, LATE, FAILURE, SKIPPED, SKIPPED, SKIPPED, SKIPPED,
                              INIT, NEW, NEW, LATE]
    assert [int(r) for r in traj if is_special(r)] == [1, 2, 0, 0, 0, 0, 1]
    assert tracker.inits == [0, 12]
    assert tracker.updates == [1, 2, 3, 5, 6, 13, 14, 15]  # frames 4 (0-based) skipped, 7 never sent
    assert processed.tolist() == [True, True, True, True, False, True, True, False, False, False, False, False,
                                  True, True, True, True]
    # the late frame (0-based 3) carries the answer computed on frame 2: the zero-order hold
    assert np.array_equal(traj[3], gt[2]) and np.allclose(times[processed], 0.060)


def test_pyt_processes_all_frames_up_to_twice_the_period():
    gt = static_gt(200)
    for cost in (1.2, 1.6, 1.99, 2.0):
        run = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "pyt", SimulatedClock(cost / 30),
                           overlap=rect_iou, sequence_fps=30.0)
        assert run.processed.all(), cost
    run = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "pyt", SimulatedClock(2.2 / 30),
                       overlap=rect_iou, sequence_fps=30.0)
    assert run.processed_fraction == pytest.approx(0.5, abs=0.02)
    assert (run.schedule == HELD).sum() > 90


def test_pyt_matches_vot_toolkit_runtime_on_a_latency_trace():
    """Our PYT rule against the real vot-toolkit RealtimeTrackerRuntime driven by the same latencies."""
    vt = pytest.importorskip("vot.tracker")

    rng = np.random.default_rng(0)
    n, interval = 300, 1 / 20
    trace = rng.uniform(0.2, 3.5, size=n) * interval

    class FakeRuntime(vt.TrackerRuntime):
        def __init__(self):
            super().__init__(None)
            self.calls = []

        def stop(self): pass
        def restart(self): pass

        def initialize(self, frame, new=None, properties=None):
            self.calls.append(frame)
            return "init", float(trace[frame])

        def update(self, frame, properties=None):
            self.calls.append(frame)
            return f"s{frame}", float(trace[frame])

    inner = FakeRuntime()
    runtime = vt.RealtimeTrackerRuntime(inner, grace=3, interval=interval)
    runtime.initialize(0, None)
    reported = [runtime.update(f)[0] for f in range(1, n)]

    gt = static_gt(n)
    tracker = ScriptedTracker(gt)
    _, _, processed, sched = run_realtime_pyt(tracker, lambda i: i, gt, None, lambda a, b, c: 1.0, fps=20.0,
                                              grace=3, clock=SimulatedClock(trace=tuple(trace)))
    assert np.flatnonzero(processed).tolist() == inner.calls
    # a held frame reports the status of the last slow answer, exactly like the toolkit
    held = np.flatnonzero(sched == HELD)
    assert held.size > 10
    assert all(reported[f - 1] is not None and reported[f - 1] != f"s{f}" for f in held)


def test_simulated_clock_is_reproducible_and_trace_bounds_checked(tmp_path):
    gt = static_gt(60)
    trace = tuple(np.linspace(0.02, 0.09, 60))
    a = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "paper", SimulatedClock(trace=trace), overlap=rect_iou)
    b = run_realtime(ScriptedTracker(gt), lambda i: i, gt, None, "paper", SimulatedClock(trace=trace), overlap=rect_iou)
    assert np.array_equal(a.schedule, b.schedule) and np.array_equal(a.times, b.times)
    s = a.summary()
    assert s["latency_ms"]["max"] == pytest.approx(1000 * max(np.array(trace)[a.processed])) and s["processed"][0] == 0
    assert s["latency_ms"]["p50"] <= s["latency_ms"]["p95"] <= s["latency_ms"]["max"]
    assert len(s["processed"]) + len(s["held"]) - sum(1 for f in s["held"] if f in s["processed"]) <= 60
    with pytest.raises(ValueError):
        SimulatedClock(trace=(0.1,)).call(3, lambda: None)
    f = tmp_path / "bag_time.txt"
    f.write_text("0.02,0.03\n0.04,0.05\n")
    assert parse_clock(f"simulated:{f}").trace == (0.02, 0.04)
    assert parse_clock("simulated:40").latency_s == pytest.approx(0.04)
    assert isinstance(parse_clock("measured"), MeasuredClock)
    with pytest.raises(ValueError):
        parse_clock("wall")


def test_profiles():
    assert PROFILES["paper"].fps == 25 and PROFILES["vot2017"].fps == 20 and PROFILES["got10k"].fps == 25
    assert PROFILES["vot2017"].grace == 3 and PROFILES["vot2017"].skip_initialize == 5
    assert PROFILES["pyt"].frame_rate(None) == 30.0 and PROFILES["pyt"].algorithm == "pyt"
    assert PROFILES["pyt"].convention == "pyt" and PROFILES["vot2017"].convention == "leg2017"  # toolkit rules
    with pytest.raises(ValueError):
        get_profile("fast")


def test_measured_clock_times_the_call():
    import time
    _, t = MeasuredClock().call(0, lambda: time.sleep(0.02))
    assert 0.015 < t < 1.0


def test_measured_clock_synchronises_cuda_before_stopping(monkeypatch):
    """On a CUDA device the timer stops only after torch.cuda.synchronize (kernels are asynchronous)."""
    torch = pytest.importorskip("torch")
    calls = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: calls.append(("sync", str(device))))
    result, _ = MeasuredClock(device="cuda:0").call(0, lambda: calls.append("work") or 7)
    assert result == 7 and calls == ["work", ("sync", "cuda:0")]
    calls.clear()
    MeasuredClock(device="cpu").call(0, lambda: calls.append("work"))
    assert calls == ["work"]


class _ReplayTracker:
    """Answers ``[p, 0, 1, 1]`` for processed frame ``p`` (0-based), so a trajectory says whose answer it holds."""

    def init(self, image, region):
        pass

    def update(self, image):
        return np.array([float(image), 0.0, 1.0, 1.0]), 1.0


class _BoxReplay:
    """Answers, for processed frame ``p``, the box the toolkit wrote where that answer landed (far away when
    it landed on a failure)."""

    def __init__(self, answers):
        self.answers = answers

    def init(self, image, region):
        pass

    def update(self, image):
        return self.answers.get(int(image), np.array([-1000.0, -1000.0, 1.0, 1.0])), 1.0


def test_leg_reproduces_the_matlab_toolkit_run_of_siamfc_vot2017():
    """Replay SiamFC's official VOT2017 real-time run (MATLAB toolkit output: per-frame latencies, NaN for
    frames the tracker never saw) through our LEG rule at 20 fps, grace 3, skip 5. Independent truth: the
    toolkit's own files. Pass 1 injects the toolkit's failures to learn where each answer landed; pass 2
    replays SiamFC's boxes against the real VOT2017 ground truth with the leg2017 overlap (bounds W-1, H-1)
    and must rewrite the toolkit's trajectory: same frames processed, same 1/2/0 codes, same boxes."""
    from analysis.io.pysot import load_pysot_json
    from analysis.io.trajectories import read_times, read_trajectory
    from integration.protocols import vot_overlap_fn
    from tests.conftest import shared_path

    root = shared_path("results", "VOT2017", "SiamFC", "realtime")
    gts = load_pysot_json(shared_path("annotations", "VOT2018.json"))
    real_overlap = vot_overlap_fn("leg2017")
    checked = held_total = 0
    for seq_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        name = seq_dir.name
        leg = read_trajectory(seq_dir / f"{name}_001.txt")
        times = read_times(seq_dir / f"{name}_time.txt")[:, 0]
        n = len(leg)
        clock = SimulatedClock(trace=tuple(np.nan_to_num(times, nan=0.0)))
        fails = {i for i, r in enumerate(leg) if is_special(r) and int(r) == 2}
        index = np.arange(n, dtype=np.float64)[:, None]  # pass 1: "ground truth" = frame index
        traj1, _, processed, sched = run_realtime_leg(
            _ReplayTracker(), lambda i: i, index, None, lambda a, b, c: 0.0 if int(b[0]) in fails else 1.0,
            fps=20.0, grace=3, skip_initialize=5, clock=clock)
        assert processed.tolist() == (~np.isnan(times)).tolist(), name  # frames the toolkit timed
        landed = {int(traj1[c][0]): leg[c] for c in np.flatnonzero(sched == NEW) if not is_special(leg[c])}
        gt = gts[name]
        traj, _, processed2, _ = run_realtime_leg(
            _BoxReplay(landed), lambda i: i, gt.groundtruth, gt.size, real_overlap, fps=20.0, grace=3,
            skip_initialize=5, clock=clock)
        assert processed2.tolist() == processed.tolist(), name
        codes = [int(r) if is_special(r) else -1 for r in traj]
        assert codes == [int(r) if is_special(r) else -1 for r in leg], name
        for i, (ours, theirs) in enumerate(zip(traj, leg)):
            if not is_special(ours):
                assert np.allclose(ours, theirs, atol=1e-4), (name, i)
        held_total += int(((sched == HELD) | (sched == LATE)).sum())
        checked += 1
    assert checked == 60 and held_total > 20  # the run exercises the zero-order hold (48 frames)
