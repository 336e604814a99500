"""VOT supervised ("baseline") experiment with resets (``docs/conventions.md``, VOT supervised).

Convention: LEG (MATLAB vot-toolkit ``experiment_supervised.m``), identical to PYT's ``SupervisedExperiment``
loop: a frame fails when the overlap with the ground truth is ``<= 0`` (rasterised, bounds = image size);
the trajectory gets ``2`` there, ``0`` on the next 4 frames, and the tracker is re-initialised on frame
``f_fail + 5`` (``1``); the response to an initialisation is not checked.

Failure-test overlap rule: the two toolkits rasterise differently (``docs/conventions.md``, failure test), so a box that touches the
target by less than a pixel can fail in one and not in the other. ``BaselineSettings.convention`` names the
rule (an :data:`analysis.metrics.overlap.CONVENTIONS` name); ``None`` (default) means the rule of the toolkit being
emulated, :data:`FAILURE_CONVENTIONS` by result layout: ``leg`` -> ``leg2017`` (MATLAB toolkit, TraX raster,
the rule of the official VOT2016-2018 runs), ``pyt`` -> ``pyt`` (vot-toolkit's ``calculate_overlap`` with
bounds = image size). Called directly, without a layout, the protocol uses ``leg2017``.

Repetitions: 15, with LEG's ``is_deterministic`` stop: after 3 runs with identical length, identical
special-frame pattern and overlap > 0.999 on every tracked frame, the remaining runs are skipped (3 kept).
A tracker declared deterministic runs once (LEG ``metadata.deterministic``).

The run and the repetition rule are step-wise state machines (:class:`SupervisedRun`,
:class:`BaselineRepetitions`) so the batched executor (:mod:`integration.run.batched`) shares them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from analysis.core.regions import SPECIAL_FAILURE, SPECIAL_INIT, SPECIAL_UNKNOWN, Region, is_special
from analysis.metrics.overlap import CONVENTIONS
from integration.protocols import FrameFn, OverlapFn, Tracker, as_region, vot_overlap_fn
from integration.protocols.clocks import Clock, MeasuredClock
from integration.protocols.steps import INIT, UPDATE, Step, drive

#: Failure-test overlap convention of each emulated toolkit, by result layout (``leg`` MATLAB, ``pyt`` vot-toolkit).
FAILURE_CONVENTIONS: dict[str, str] = {"leg": "leg2017", "pyt": "pyt"}


def failure_convention(convention: str | None, layout: str = "leg") -> str:
    """The overlap convention of the failure test: ``convention`` when given, else the emulated toolkit's."""
    if convention is not None:
        return convention
    if layout not in FAILURE_CONVENTIONS:
        raise ValueError(f"unknown result layout {layout!r} (expected one of {sorted(FAILURE_CONVENTIONS)})")
    return FAILURE_CONVENTIONS[layout]


@dataclass(frozen=True)
class BaselineSettings:
    """Constants of the VOT2015-2018 baseline experiment (LEG/PYT stacks)."""

    repetitions: int = 15
    skip_initialize: int = 5
    failure_overlap: float = 0.0
    deterministic: bool = False  #: declared deterministic -> 1 run
    stop_after_identical: int = 3  #: LEG ``is_deterministic`` check after this many runs (0 = never stop)
    identical_overlap: float = 0.999  #: LEG threshold for "same region"
    #: overlap convention of the failure test; ``None`` = the emulated toolkit's (:func:`failure_convention`)
    convention: str | None = None

    def __post_init__(self) -> None:
        if self.repetitions < 1 or self.skip_initialize < 1:
            raise ValueError("repetitions and skip_initialize must be >= 1")
        if self.convention is not None:

            if self.convention not in CONVENTIONS:
                raise ValueError(f"unknown failure-test overlap convention {self.convention!r}; "
                                 f"expected one of {sorted(CONVENTIONS)}")


@dataclass(frozen=True)
class Run:
    """One run: trajectory (``1``/``2``/``0`` codes or region arrays) and per-frame seconds (0 where not run)."""

    trajectory: list[Region]
    times: np.ndarray


class SupervisedRun:
    """Step-wise state of one supervised run : asks for ``init``/``update`` steps
    (:mod:`integration.protocols.steps`), applies the failure test and the skip, and builds the 1/2/0
    trajectory. Shared by :func:`run_supervised` and the batched executor."""

    def __init__(self, groundtruth: np.ndarray, bounds: tuple[int, int] | None, overlap: OverlapFn,
                 skip_initialize: int = 5, failure_overlap: float = 0.0) -> None:
        self.groundtruth = groundtruth
        self.bounds = bounds
        self.overlap = overlap
        self.skip_initialize = skip_initialize
        self.failure_overlap = failure_overlap
        n = len(groundtruth)
        self.trajectory: list[Region] = [SPECIAL_UNKNOWN] * n
        self.times = np.zeros(n, dtype=np.float64)
        self._frame = 0
        self._needs_init = True

    def next_step(self) -> Step | None:
        f = self._frame
        if f >= len(self.groundtruth):
            return None
        if self._needs_init:
            return Step(INIT, f, np.asarray(self.groundtruth[f], dtype=np.float64))
        return Step(UPDATE, f)

    def record(self, output, seconds: float) -> None:
        """The tracker's answer to the step just asked for (``None`` for ``init``) and its duration."""
        f = self._frame
        self.times[f] = seconds
        if self._needs_init:  # the response to an initialisation is not checked
            self.trajectory[f] = SPECIAL_INIT
            self._needs_init = False
            self._frame = f + 1
            return
        region = as_region(output)
        if self.overlap(region, self.groundtruth[f], self.bounds) <= self.failure_overlap:
            self.trajectory[f] = SPECIAL_FAILURE
            self._frame = f + self.skip_initialize
            self._needs_init = True
        else:
            self.trajectory[f] = region
            self._frame = f + 1

    def result(self) -> Run:
        return Run(self.trajectory, self.times)


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
    """One supervised run with resets over ``len(groundtruth)`` frames."""
    state = SupervisedRun(groundtruth, bounds, overlap, skip_initialize, failure_overlap)
    drive(state, tracker, get_frame, clock or MeasuredClock())
    return state.result()


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
    schedule = BaselineRepetitions(groundtruth, bounds, settings, overlap)
    while (state := schedule.next_run()) is not None:
        drive(state, tracker_instance(make_tracker), get_frame, clock or MeasuredClock())
        schedule.add(state.result())
        if progress is not None:
            progress(len(schedule.runs))
    return schedule.runs


class BaselineRepetitions:
    """The repetition rule of the baseline experiment as a schedule: :meth:`next_run` gives the next
    :class:`SupervisedRun` or ``None`` (1 run if declared deterministic; LEG's stop after
    ``stop_after_identical`` identical runs; else ``repetitions``); :meth:`add` records a finished run."""

    def __init__(self, groundtruth: np.ndarray, bounds: tuple[int, int] | None,
                 settings: BaselineSettings = BaselineSettings(), overlap: OverlapFn | None = None) -> None:
        self.groundtruth = groundtruth
        self.bounds = bounds
        self.settings = settings
        self.overlap = overlap or vot_overlap_fn(failure_convention(settings.convention))
        self.runs: list[Run] = []

    @property
    def total(self) -> int:
        """The most runs this experiment can make."""
        return 1 if self.settings.deterministic else self.settings.repetitions

    def next_run(self) -> SupervisedRun | None:
        s, r = self.settings, len(self.runs)
        if r >= self.total:
            return None
        if s.stop_after_identical and r == s.stop_after_identical and runs_identical(
                self.runs, self.overlap, s.identical_overlap):
            return None
        return SupervisedRun(self.groundtruth, self.bounds, self.overlap, s.skip_initialize, s.failure_overlap)

    def add(self, run: Run) -> None:
        self.runs.append(run)


def tracker_instance(make_tracker: Callable[[], Tracker] | Tracker) -> Tracker:
    """``make_tracker`` itself when it is a tracker object, else ``make_tracker()`` (class or factory)."""
    if not isinstance(make_tracker, type) and hasattr(make_tracker, "init") and hasattr(make_tracker, "update"):
        return make_tracker
    return make_tracker()


def trajectory_codes(traj: list[Region]) -> np.ndarray:
    """Per-frame ``FrameKind`` codes (0 unknown, 1 init, 2 failure, 3 tracked) of a trajectory."""
    return np.array([int(r) if is_special(r) else 3 for r in traj], dtype=np.int8)
