"""One-pass evaluation (OPE): initialise on frame 0 with the ground truth, then track every frame, no resets.

Conventions: OTB / G10 / PYS — the first row of the result is the initial box itself (OTB MATLAB replaces
it by the ground truth, G10 writes ``boxes[0] = anno[0]``), boxes are ``x, y, w, h`` as the tracker
reports them. GOT-10k (G10 ``experiments/got10k.py``) repeats the pass 3 times unless the tracker is
declared deterministic (then once).

VOT long-term (VOT-LT2018/2019 stacks, vot-toolkit ``UnsupervisedExperiment``): the same single pass, no
resets, plus the tracker's confidence per frame (the score of ``update``'s answer, :mod:`tracker.contract`:
OpenCV's ``(ok, box)`` gives 1 or 0 (lost), a bare box NaN; NaN on the initialisation frame, which vot-toolkit
writes as region code 1 with no confidence).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.core.regions import polygon_bbox
from integration.protocols import FrameFn, Tracker, as_prediction
from integration.protocols.clocks import Clock, MeasuredClock
from integration.protocols.steps import INIT, UPDATE, Step, drive
from integration.protocols.vot_baseline import tracker_instance


@dataclass(frozen=True)
class OnePassRun:
    """Boxes ``(N, 4)`` (row 0 = initial box), per-frame seconds (row 0 = ``init``) and confidences (row 0 and
    frames whose tracker returned a bare box: NaN)."""

    boxes: np.ndarray
    times: np.ndarray
    confidence: np.ndarray | None = None


class OnePassState:
    """Step-wise one-pass run (:mod:`integration.protocols.steps`): ``init`` on frame 0, then ``update`` on
    every frame; shared by :func:`run_one_pass` and the batched executor."""

    def __init__(self, n_frames: int, first_region: np.ndarray) -> None:
        if n_frames < 1:
            raise ValueError("a sequence needs at least one frame")
        self.region0 = np.asarray(first_region, dtype=np.float64)
        self.boxes = np.zeros((n_frames, 4))
        self.times = np.zeros(n_frames)
        self.confidence = np.full(n_frames, np.nan)
        self._frame = 0

    def next_step(self) -> Step | None:
        f = self._frame
        if f >= len(self.times):
            return None
        return Step(INIT, 0, self.region0) if f == 0 else Step(UPDATE, f)

    def record(self, output, seconds: float) -> None:
        f = self._frame
        self.times[f] = seconds
        if f == 0:
            self.boxes[0] = polygon_bbox(self.region0)  # the region itself, or a polygon's bounding box
        else:
            answer = as_prediction(output)  # a bare box has no score: confidence NaN
            region = answer.box
            self.boxes[f] = region if region.size == 4 else polygon_bbox(region)
            self.confidence[f] = answer.score
        self._frame = f + 1

    def result(self) -> OnePassRun:
        return OnePassRun(self.boxes, self.times, self.confidence)


def run_one_pass(tracker: Tracker, get_frame: FrameFn, n_frames: int, first_region: np.ndarray,
                 clock: Clock | None = None) -> OnePassRun:
    """Track frames ``1 .. n_frames-1`` after initialising on frame 0 with ``first_region``."""
    state = OnePassState(n_frames, first_region)
    drive(state, tracker, get_frame, clock or MeasuredClock())
    return state.result()


def run_longterm(tracker: Tracker, get_frame: FrameFn, n_frames: int, first_region: np.ndarray,
                 clock: Clock | None = None) -> OnePassRun:
    """VOT long-term: one pass without resets, the confidence of every frame recorded (module docstring)."""
    return run_one_pass(tracker, get_frame, n_frames, first_region, clock)


def got10k_runs(repetitions: int = 3, deterministic: bool = False) -> int:
    """Number of GOT-10k passes (G10: ``repetitions``, 1 when the tracker is declared deterministic)."""
    return 1 if deterministic else repetitions


def run_got10k(make_tracker, get_frame: FrameFn, n_frames: int, first_region: np.ndarray,
               repetitions: int = 3, deterministic: bool = False, clock: Clock | None = None) -> list[OnePassRun]:
    """GOT-10k: ``repetitions`` one-pass runs (1 when the tracker is declared deterministic)."""
    runs = got10k_runs(repetitions, deterministic)
    return [run_one_pass(tracker_instance(make_tracker), get_frame, n_frames, first_region, clock)
            for _ in range(runs)]
