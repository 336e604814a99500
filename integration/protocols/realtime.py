"""VOT real-time experiment (``docs/conventions.md``, real-time): frames arrive at a fixed rate; a slow tracker misses frames.

Two algorithms:

``leg`` (MATLAB vot-toolkit ``experiment_realtime.m``, ``realtime_type='real'``, ``critical=true``;
with one correction to the spec's pseudo-code read from the toolkit source and confirmed by SiamFC's official
VOT2017 real-time output: the new answer is checked at the current frame *even when a held frame already
failed*, so the current frame can still receive the answer, and a failure there replaces the earlier one)
    A simulated frame clock: every response advances the clock by ``max(I, latency)`` (``I`` for the first
    ``grace`` responses after an initialisation, the init response included); the frame "now" is
    ``round(floor(time * fps) / 1000) + offset``. Frames that passed while the tracker worked get the last
    reported region (zero-order hold), the new answer is credited to the frame current when it arrived,
    and the tracker next sees the frame after that. Any frame (held or new) with overlap 0 is a failure;
    the tracker is re-initialised ``skip`` frames after *the current frame* (critical reset).
    A constant latency of ``c * I`` processes about ``1 / c`` of the frames.
``pyt`` (Python vot-toolkit ``RealtimeTrackerRuntime``)
    Debt-based and lenient: a response slower than ``I`` leaves a debt ``t - I``; the next frame is skipped
    (cached region reported) only while the debt exceeds ``I``. Every latency up to ``2 I`` processes all
    frames; answers are credited to the frame they were computed on. Grace forgives the first ``grace``
    *slow* responses after each initialisation.

Profiles (:data:`PROFILES`): ``paper`` (default; 25 fps = the SiamRPN paper's 40 ms rule, LEG algorithm,
grace 3 and skip 5 as in the VOT2017 stack), ``vot2017`` (official LEG stack: 20 fps, grace 3, skip 5),
``got10k`` (got10k toolkit ``run_realtime``: 25 fps; its grace of 2 frames after init equals LEG grace 3,
so the schedule is that of ``paper``; G10's edge-case bugs are not reproduced), ``pyt`` (PYT algorithm with the
sequence's frame rate, 30 fps when unknown, as vot-toolkit's loaders default; grace 3, skip 5).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.core.regions import SPECIAL_FAILURE, SPECIAL_INIT, SPECIAL_UNKNOWN, Region
from analysis.stacks import BENCHMARKS
from integration.protocols import FrameFn, OverlapFn, Tracker, as_region, init_region_for, vot_overlap_fn
from integration.protocols.clocks import Clock, MeasuredClock

#: per-frame schedule codes
SKIPPED, INIT, FAILURE, NEW, HELD, LATE = 0, 1, 2, 3, 4, 5
SCHEDULE_NAMES = {SKIPPED: "skipped", INIT: "init", FAILURE: "failure", NEW: "new", HELD: "held", LATE: "late"}


@dataclass(frozen=True)
class RealtimeProfile:
    """Constants of one real-time rule. ``fps=None`` means the sequence's own frame rate (PYT)."""

    name: str
    fps: float | None
    grace: int = 3
    skip_initialize: int = 5
    algorithm: str = "leg"  #: ``leg`` (§3.2) or ``pyt`` (§3.3)
    critical: bool = True  #: LEG: reset relative to the current frame (else to the failed frame)
    convention: str = "leg2017"  #: overlap convention of the failure test

    def __post_init__(self) -> None:
        if self.algorithm not in ("leg", "pyt"):
            raise ValueError(f"unknown real-time algorithm {self.algorithm!r} (expected 'leg' or 'pyt')")
        if self.fps is not None and self.fps <= 0:
            raise ValueError("fps must be > 0")

    def frame_rate(self, sequence_fps: float | None) -> float:
        return float(self.fps if self.fps is not None else (sequence_fps or 30.0))


PROFILES: dict[str, RealtimeProfile] = {
    "paper": RealtimeProfile("paper", fps=25.0),
    "vot2017": RealtimeProfile("vot2017", fps=BENCHMARKS["vot2017"].realtime_fps),
    "got10k": RealtimeProfile("got10k", fps=25.0),
    "pyt": RealtimeProfile("pyt", fps=None, algorithm="pyt", convention="pyt"),  # vot-toolkit's overlap too
}
DEFAULT_PROFILE = "paper"


@dataclass(frozen=True)
class RealtimeRun:
    """Trajectory, per-frame latency (seconds; 0 on frames the tracker did not see), which frames the tracker
    processed, and the per-frame schedule code (:data:`SCHEDULE_NAMES`)."""

    trajectory: list[Region]
    times: np.ndarray
    processed: np.ndarray  #: bool (N,): the tracker was given this frame
    schedule: np.ndarray  #: int8 (N,)
    profile: RealtimeProfile
    fps: float

    @property
    def processed_fraction(self) -> float:
        return float(self.processed.mean()) if len(self.processed) else 0.0

    def summary(self) -> dict[str, Any]:
        """JSON-ready log: processed / held / skipped frames (0-based), resets, latency percentiles (ms)."""
        lat = self.times[self.processed] * 1000.0
        pct = (lambda q: float(np.percentile(lat, q))) if lat.size else (lambda q: float("nan"))
        sched = self.schedule
        return {
            "profile": self.profile.name,
            "algorithm": self.profile.algorithm,
            "fps": self.fps,
            "grace": self.profile.grace,
            "skip_initialize": self.profile.skip_initialize,
            "frames": int(len(sched)),
            "processed_fraction": self.processed_fraction,
            "processed": np.flatnonzero(self.processed).tolist(),
            "held": np.flatnonzero((sched == HELD) | (sched == LATE)).tolist(),
            "skipped": np.flatnonzero(sched == SKIPPED).tolist(),
            "failures": np.flatnonzero(sched == FAILURE).tolist(),
            "inits": np.flatnonzero(sched == INIT).tolist(),
            "latency_ms": {"p50": pct(50), "p95": pct(95), "max": float(lat.max()) if lat.size else float("nan"),
                           "mean": float(lat.mean()) if lat.size else float("nan")},
        }


def _matlab_round(x: float) -> int:
    """MATLAB ``round`` for non-negative values: half away from zero."""
    return int(math.floor(x + 0.5))


def _empty_outputs(n: int) -> tuple[list[Region], np.ndarray, np.ndarray, np.ndarray]:
    """A run's outputs before its first frame: trajectory (unknown regions), times, processed flags, schedule."""
    return [SPECIAL_UNKNOWN] * n, np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int8)


def _initialise(tracker: Tracker, get_frame: FrameFn, groundtruth: np.ndarray, frame: int,
                clock: Clock) -> tuple[np.ndarray, float]:
    """Initialise ``tracker`` on ``frame`` (0-based) from its ground truth, on ``clock``: (that region, the time)."""
    init_region = np.asarray(groundtruth[frame], dtype=np.float64)
    given = init_region_for(tracker, init_region)
    _, t = clock.call(frame, lambda: tracker.init(get_frame(frame), given))
    return init_region, t


def run_realtime_leg(
    tracker: Tracker,
    get_frame: FrameFn,
    groundtruth: np.ndarray,
    bounds: tuple[int, int] | None,
    overlap: OverlapFn,
    fps: float,
    grace: int = 3,
    skip_initialize: int = 5,
    clock: Clock | None = None,
    critical: bool = True,
    failure_overlap: float = 0.0,
) -> tuple[list[Region], np.ndarray, np.ndarray, np.ndarray]:
    """LEG real-time loop, 1-based frame arithmetic as in the MATLAB code.

    Returns ``(trajectory, times, processed, schedule)``.
    """
    clock = clock or MeasuredClock()
    n = len(groundtruth)
    interval = 1000.0 / fps
    traj, times, processed, schedule = _empty_outputs(n)
    k0 = 1
    while k0 <= n:
        init_region, t = _initialise(tracker, get_frame, groundtruth, k0 - 1, clock)
        times[k0 - 1], processed[k0 - 1] = t, True
        elapsed, offset, grace_left, initialized = 0.0, k0 - 1, grace, False
        prev, answer, held = k0, init_region, init_region
        next_k0 = n + 1
        while True:
            if grace_left > 0:
                elapsed += interval
                grace_left -= 1
            else:
                elapsed += max(interval, 1000.0 * t)
            current = _matlab_round(math.floor(elapsed * fps) / 1000.0) + offset
            failed = 0
            if not initialized:
                traj[prev - 1], schedule[prev - 1] = SPECIAL_INIT, INIT
                initialized = True
            else:
                for i in range(prev, min(n, current - 1) + 1):
                    if overlap(held, groundtruth[i - 1], bounds) <= failure_overlap:
                        failed = i
                        break
                    traj[i - 1], schedule[i - 1] = held, (LATE if i == prev else HELD)
                # as in the toolkit, the new answer is checked even after a failure on a held frame: it may
                # still be written at ``current``, or a failure there replaces the held frame's failure
                if current <= n:
                    if overlap(answer, groundtruth[current - 1], bounds) <= failure_overlap:
                        failed = current
                    else:
                        traj[current - 1], schedule[current - 1] = answer, NEW
            if failed:
                traj[failed - 1], schedule[failed - 1] = SPECIAL_FAILURE, FAILURE
                next_k0 = (current if critical else failed) + skip_initialize
                break
            held = answer
            if current + 1 > n:
                break
            prev = current + 1
            out, t = clock.call(prev - 1, lambda p=prev: tracker.update(get_frame(p - 1)))
            answer = as_region(out, tracker)
            times[prev - 1], processed[prev - 1] = t, True
        k0 = next_k0
    return traj, times, processed, schedule


def run_realtime_pyt(
    tracker: Tracker,
    get_frame: FrameFn,
    groundtruth: np.ndarray,
    bounds: tuple[int, int] | None,
    overlap: OverlapFn,
    fps: float,
    grace: int = 3,
    skip_initialize: int = 5,
    clock: Clock | None = None,
    failure_overlap: float = 0.0,
) -> tuple[list[Region], np.ndarray, np.ndarray, np.ndarray]:
    """PYT real-time runtime inside the supervised loop (vot-toolkit ``RealtimeTrackerRuntime``)."""
    clock = clock or MeasuredClock()
    n = len(groundtruth)
    interval = 1.0 / fps
    traj, times, processed, schedule = _empty_outputs(n)
    f = 0
    while f < n:
        init_region, t = _initialise(tracker, get_frame, groundtruth, f, clock)
        countdown, debt, cached = grace, 0.0, None
        if t > interval:
            if countdown > 0:
                countdown -= 1
            else:
                debt, cached = t - interval, init_region
        times[f], processed[f] = t, True
        traj[f], schedule[f] = SPECIAL_INIT, INIT
        f += 1
        while f < n:
            if debt > interval:
                debt -= interval
                region, kind = cached, HELD
            else:
                debt, cached = 0.0, None
                out, t = clock.call(f, lambda k=f: tracker.update(get_frame(k)))
                region, kind = as_region(out, tracker), NEW
                times[f], processed[f] = t, True
                if t > interval:
                    if countdown > 0:
                        countdown -= 1
                    else:
                        debt, cached = t - interval, region
            if overlap(region, groundtruth[f], bounds) <= failure_overlap:
                traj[f], schedule[f] = SPECIAL_FAILURE, FAILURE
                f += skip_initialize
                break
            traj[f], schedule[f] = region, kind
            f += 1
    return traj, times, processed, schedule


def run_realtime(
    tracker: Tracker,
    get_frame: FrameFn,
    groundtruth: np.ndarray,
    bounds: tuple[int, int] | None,
    profile: RealtimeProfile | str = DEFAULT_PROFILE,
    clock: Clock | None = None,
    overlap: OverlapFn | None = None,
    sequence_fps: float | None = None,
) -> RealtimeRun:
    """One real-time run (the VOT stacks run it once) under ``profile``."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    overlap = overlap or vot_overlap_fn(prof.convention)
    fps = prof.frame_rate(sequence_fps)
    if prof.algorithm == "leg":
        out = run_realtime_leg(tracker, get_frame, groundtruth, bounds, overlap, fps, prof.grace,
                               prof.skip_initialize, clock, prof.critical)
    else:
        out = run_realtime_pyt(tracker, get_frame, groundtruth, bounds, overlap, fps, prof.grace,
                               prof.skip_initialize, clock)
    return RealtimeRun(*out, profile=prof, fps=fps)


def get_profile(name: str) -> RealtimeProfile:
    """Profile by name, with a clear error listing the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown real-time profile {name!r} (expected one of {sorted(PROFILES)})") from None
