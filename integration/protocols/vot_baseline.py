"""VOT supervised ("baseline") experiment with resets (spec §1.2-§1.4).

Convention: LEG (MATLAB vot-toolkit ``experiment_supervised.m``), identical to PYT's ``SupervisedExperiment``
loop: a frame fails when the overlap with the ground truth is ``<= 0`` (rasterised, bounds = image size,
``leg2017``); the trajectory gets ``2`` there, ``0`` on the next 4 frames, and the tracker is
re-initialised on frame ``f_fail + 5`` (``1``); the response to an initialisation is not checked.

Repetitions: 15, with LEG's ``is_deterministic`` stop: after 3 runs with identical length, identical
special-frame pattern and overlap > 0.999 on every tracked frame, the remaining runs are skipped (3 kept).
A tracker declared deterministic runs once (LEG ``metadata.deterministic``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from analysis.regions import SPECIAL_FAILURE, SPECIAL_INIT, SPECIAL_UNKNOWN, Region, is_special
from integration.protocols import FrameFn, OverlapFn, Tracker, as_region, vot_overlap_fn
from integration.protocols.clocks import Clock, MeasuredClock


@dataclass(frozen=True)
class BaselineSettings:
    """Constants of the VOT2015-2018 baseline experiment (LEG/PYT stacks)."""

    repetitions: int = 15
    skip_initialize: int = 5
    failure_overlap: float = 0.0
    deterministic: bool = False  #: declared deterministic -> 1 run
    stop_after_identical: int = 3  #: LEG ``is_deterministic`` check after this many runs (0 = never stop)
    identical_overlap: float = 0.999  #: LEG threshold for "same region"
    convention: str = "leg2017"  #: overlap convention for the failure test

    def __post_init__(self) -> None:
        if self.repetitions < 1 or self.skip_initialize < 1:
            raise ValueError("repetitions and skip_initialize must be >= 1")


@dataclass(frozen=True)
class Run:
    """One run: trajectory (``1``/``2``/``0`` codes or region arrays) and per-frame seconds (0 where not run)."""

    trajectory: list[Region]
    times: np.ndarray


def run_supervised(
    tracker: Tracker,
    get_frame: FrameFn,
    groundtruth: np.ndarray,
    bounds: tuple[int, int] | None,
    overlap: OverlapFn,
    skip_initialize: int = 5,
    failure_overlap: float = 0.0,
    clock: Clock | None = None,
) -> Run:
    """One supervised run with resets over ``len(groundtruth)`` frames (spec §1.2)."""
    clock = clock or MeasuredClock()
    n = len(groundtruth)
    traj: list[Region] = [SPECIAL_UNKNOWN] * n
    times = np.zeros(n, dtype=np.float64)
    f = 0
    while f < n:
        _, times[f] = clock.call(f, lambda f=f: tracker.init(get_frame(f), np.asarray(groundtruth[f], dtype=np.float64)))
        traj[f] = SPECIAL_INIT
        f += 1
        while f < n:
            out, times[f] = clock.call(f, lambda f=f: tracker.update(get_frame(f)))
            region = as_region(out)
            if overlap(region, groundtruth[f], bounds) <= failure_overlap:
                traj[f] = SPECIAL_FAILURE
                f += skip_initialize
                break
            traj[f] = region
            f += 1
    return Run(traj, times)


def runs_identical(runs: list[Run], overlap: OverlapFn, threshold: float = 0.999) -> bool:
    """LEG ``is_deterministic``: same length, same special frames, overlap > ``threshold`` on tracked frames."""
    if len(runs) < 2:
        return False
    first = runs[0].trajectory
    for other in runs[1:]:
        traj = other.trajectory
        if len(traj) != len(first):
            return False
        for a, b in zip(first, traj):
            if is_special(a) or is_special(b):
                if not (is_special(a) and is_special(b) and int(a) == int(b)):
                    return False
            elif overlap(a, b, None) <= threshold:
                return False
    return True


def run_baseline(
    make_tracker: Callable[[], Tracker] | Tracker,
    get_frame: FrameFn,
    groundtruth: np.ndarray,
    bounds: tuple[int, int] | None,
    settings: BaselineSettings = BaselineSettings(),
    overlap: OverlapFn | None = None,
    clock: Clock | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Run]:
    """All repetitions of the baseline experiment on one sequence (1 if declared deterministic, 3 if the
    first three are identical, else ``settings.repetitions``).

    ``make_tracker`` is a tracker (re-initialised at the start of every run, as TraX does) or a factory
    called once per run.
    """
    overlap = overlap or vot_overlap_fn(settings.convention)
    total = 1 if settings.deterministic else settings.repetitions
    runs: list[Run] = []
    for r in range(total):
        if (settings.stop_after_identical and r == settings.stop_after_identical
                and runs_identical(runs, overlap, settings.identical_overlap)):
            break
        tracker = tracker_instance(make_tracker)
        runs.append(run_supervised(tracker, get_frame, groundtruth, bounds, overlap,
                                   settings.skip_initialize, settings.failure_overlap, clock))
        if progress is not None:
            progress(r + 1)
    return runs


def tracker_instance(make_tracker: Callable[[], Tracker] | Tracker) -> Tracker:
    """``make_tracker`` itself when it is a tracker object, else ``make_tracker()`` (class or factory)."""
    if not isinstance(make_tracker, type) and hasattr(make_tracker, "init") and hasattr(make_tracker, "update"):
        return make_tracker
    return make_tracker()


def trajectory_codes(traj: list[Region]) -> np.ndarray:
    """Per-frame ``FrameKind`` codes (0 unknown, 1 init, 2 failure, 3 tracked) of a trajectory."""
    return np.array([int(r) if is_special(r) else 3 for r in traj], dtype=np.int8)
