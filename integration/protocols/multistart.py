"""VOT2020-2022 short-term protocols of vot-toolkit 0.7.4 (``docs/conventions.md``, VOT2020-2022):

``multistart`` (``vot/experiment/multistart.py::MultiStartExperiment``)
    ``anchor.value`` marks anchors: a value > 0 a forward anchor, < 0 a backward one (:func:`find_anchors`; a
    sequence without anchors is an error). For every anchor ``i`` — forward anchors first, then backward ones,
    each in frame order — the tracker is initialised on the ground truth of frame ``i`` and tracks frames
    ``i+1 .. N-1`` (forward) or ``i-1 .. 0`` (backward) **without any reset**: whether and where it failed is
    decided by the analysis (:mod:`analysis.metrics.vot.multistart`). Run ``k`` of an anchor holds frame
    ``frames[k]`` (:func:`run_frames`), entry 0 is the initialisation code ``1``.
``multistart`` real-time (``realtime: {grace: 3}`` in the stacks)
    the same runs under vot-toolkit's ``RealtimeTrackerRuntime`` (:mod:`integration.protocols.realtime`'s
    ``pyt`` rule): frames arrive at the sequence's frame rate; an answer slower than the frame interval leaves
    a debt, and while the debt exceeds the interval the next frame gets the last answer (time 0) instead of
    being given to the tracker; the first ``grace`` slow answers after each initialisation are forgiven.
``unsupervised`` (``UnsupervisedExperiment``, one repetition)
    one pass from frame 0, no resets (the multi-start run of a forward anchor at frame 0, stored as run 1).

The tracker is initialised with the region a TraX client hands it: a tracker that declares
``accepts_masks = True`` gets the ground-truth mask itself, any other the mask's inclusive bounding box (libtrax
``region_convert``; :func:`analysis.core.masks.mask_box`). Its answers may be boxes, polygons or masks; a
mask is stored cut to its set pixels, as vot-toolkit's TraX client stores every mask a tracker sends
(``Mask(..., optimize=True)``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.core.masks import Mask, init_region, mask_box
from analysis.core.regions import SPECIAL_INIT, Region, polygon_bbox
from analysis.io.result_layout import anchor_stem
from integration.protocols import FrameFn, Tracker, as_region
from integration.protocols.clocks import Clock, MeasuredClock
from integration.protocols.steps import INIT, UPDATE, Step, drive

__all__ = ["find_anchors", "run_frames", "run_name", "tracker_region", "MultiStartRun", "MultiStartState",
           "run_multistart", "run_unsupervised", "Realtime"]


def find_anchors(values: dict[str, np.ndarray] | np.ndarray | None, n_frames: int | None = None,
                 anchor: str = "anchor", where: str = "sequence") -> tuple[list[int], list[int]]:
    """``(forward, backward)`` anchor frames (0-based) of vot-toolkit's ``find_anchors``; a sequence without any
    is an error naming ``where`` (vot-toolkit raises ``RuntimeError: Sequence does not contain any anchors``)."""
    if isinstance(values, dict):
        v = values.get(anchor)
    else:
        v = values
    if v is None:
        raise ValueError(f"{where}: no {anchor}.value file: the multi-start experiment needs anchor frames "
                         f"({anchor}.value, one number per frame: > 0 forward, < 0 backward)")
    v = np.asarray(v, dtype=np.float64).ravel()
    if n_frames is not None:
        v = v[:n_frames]
    forward, backward = np.flatnonzero(v > 0).tolist(), np.flatnonzero(v < 0).tolist()
    if not forward and not backward:
        raise ValueError(f"{where}: {anchor}.value marks no anchor (every value is 0): the multi-start experiment "
                         "has nothing to run (vot-toolkit: 'Sequence does not contain any anchors')")
    return forward, backward


def run_frames(anchor: int, reverse: bool, n_frames: int) -> np.ndarray:
    """Frames of the run of ``anchor``: ``anchor .. N-1`` forward, ``anchor .. 0`` backward (``FrameMapSequence``)."""
    if not 0 <= anchor < n_frames:
        raise ValueError(f"anchor {anchor} outside a sequence of {n_frames} frames")
    return np.arange(anchor, -1, -1) if reverse else np.arange(anchor, n_frames)


def run_name(sequence: str, anchor: int) -> str:
    """vot-toolkit's result name of an anchor's run: ``<seq>_<anchor:08d>`` (:mod:`analysis.io.result_layout`)."""
    return anchor_stem(sequence, anchor)


def tracker_region(tracker: Any, region: Region) -> Region:
    """What the tracker is initialised with (module docstring, :func:`analysis.core.masks.init_region`)."""
    return init_region(region, bool(getattr(tracker, "accepts_masks", False)))


@dataclass(frozen=True)
class Realtime:
    """vot-toolkit's ``RealtimeTrackerRuntime`` settings: frame ``interval`` (seconds) and ``grace``."""

    interval: float
    grace: int = 3


@dataclass
class MultiStartRun:
    """One anchor's run: the frames it covers (in run order), its trajectory (entry 0 = code 1) and seconds."""

    anchor: int
    reverse: bool
    frames: np.ndarray
    trajectory: list = field(default_factory=list)
    times: np.ndarray | None = None
    processed: np.ndarray | None = None  #: real-time: the frame was given to the tracker


class MultiStartState:
    """Step-wise multi-start experiment over all anchors of one sequence (:mod:`integration.protocols.steps`).

    ``init_regions[f]`` is what the tracker gets when an anchor sits on frame ``f`` (:func:`tracker_region`);
    ``realtime`` switches on vot-toolkit's real-time runtime."""

    def __init__(self, n_frames: int, forward: list[int], backward: list[int], init_regions: list,
                 realtime: Realtime | None = None) -> None:
        self.n = n_frames
        self.init_regions = init_regions
        self.realtime = realtime
        self.runs: list[MultiStartRun] = []
        self._todo = [(a, False) for a in forward] + [(a, True) for a in backward]
        self._run: MultiStartRun | None = None
        self._k = 0
        self._debt = 0.0
        self._countdown = 0
        self._cached: Region | None = None

    def _start(self) -> Step | None:
        if not self._todo:
            return None
        anchor, reverse = self._todo.pop(0)
        frames = run_frames(anchor, reverse, self.n)
        self._run = MultiStartRun(anchor, reverse, frames, [SPECIAL_INIT] * len(frames), np.zeros(len(frames)),
                                  np.zeros(len(frames), dtype=bool))
        self._k = 0
        return Step(INIT, int(frames[0]), self.init_regions[int(frames[0])])

    def next_step(self) -> Step | None:
        while True:
            if self._run is None:
                return self._start()
            run, k = self._run, self._k
            if self.realtime is not None:  # frames that pass while the tracker still works get the last answer
                while k < len(run.frames) and self._debt > self.realtime.interval:
                    self._debt -= self.realtime.interval
                    run.trajectory[k], run.times[k] = self._cached, 0.0
                    k += 1
                self._k = k
            if k < len(run.frames):
                return Step(UPDATE, int(run.frames[k]))
            self.runs.append(run)
            self._run = None

    def record(self, output: Any, seconds: float) -> None:
        run, k = self._run, self._k
        run.times[k], run.processed[k] = seconds, True
        if k == 0:
            run.trajectory[0] = SPECIAL_INIT
            init = self.init_regions[int(run.frames[0])]
            answer: Region = mask_box(init) if isinstance(init, Mask) else polygon_bbox(np.asarray(init, float))
            self._countdown = self.realtime.grace if self.realtime is not None else 0
            self._debt, self._cached = 0.0, None
        else:
            answer = as_region(output)
            if isinstance(answer, Mask):  # what the TraX layer does with every mask a tracker sends
                answer = answer.optimized()
            run.trajectory[k] = answer
            self._debt, self._cached = 0.0, None
        if self.realtime is not None and seconds > self.realtime.interval:
            if self._countdown > 0:
                self._countdown -= 1
            else:
                self._debt, self._cached = seconds - self.realtime.interval, answer
        self._k = k + 1

    def result(self) -> list[MultiStartRun]:
        return self.runs


def run_multistart(tracker: Tracker, get_frame: FrameFn, n_frames: int, forward: list[int], backward: list[int],
                   groundtruth: list, clock: Clock | None = None, realtime: Realtime | None = None
                   ) -> list[MultiStartRun]:
    """All anchor runs of one sequence (module docstring); ``groundtruth`` = the exact regions per frame."""
    init_regions = [tracker_region(tracker, r) for r in groundtruth]
    state = MultiStartState(n_frames, forward, backward, init_regions, realtime)
    drive(state, tracker, get_frame, clock or MeasuredClock())
    return state.result()


def run_unsupervised(tracker: Tracker, get_frame: FrameFn, n_frames: int, groundtruth: list,
                     clock: Clock | None = None) -> MultiStartRun:
    """One pass from frame 0 without resets (vot-toolkit ``UnsupervisedExperiment``, one repetition)."""
    (run,) = run_multistart(tracker, get_frame, n_frames, [0], [], groundtruth, clock)
    return run
