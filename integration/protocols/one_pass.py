"""One-pass evaluation (OPE): initialise on frame 0 with the ground truth, then track every frame, no resets.

Conventions: OTB / G10 / PYS — the first row of the result is the initial box itself (OTB MATLAB replaces
it by the ground truth, G10 writes ``boxes[0] = anno[0]``), boxes are ``x, y, w, h`` as the tracker
reports them. GOT-10k (G10 ``experiments/got10k.py``) repeats the pass 3 times unless the tracker is
declared deterministic (then once).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from integration.protocols import FrameFn, Tracker, as_region
from integration.protocols.clocks import Clock, MeasuredClock
from integration.protocols.vot_baseline import tracker_instance


@dataclass(frozen=True)
class OnePassRun:
    """Boxes ``(N, 4)`` (row 0 = initial box) and per-frame seconds (row 0 = ``init``)."""

    boxes: np.ndarray
    times: np.ndarray


def init_box(region: np.ndarray) -> np.ndarray:
    """Initial ``x, y, w, h``: the region itself, or the axis-aligned bounding box of a polygon."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if r.size == 4:
        return r.copy()
    xs, ys = r[0::2], r[1::2]
    return np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])


def run_one_pass(tracker: Tracker, get_frame: FrameFn, n_frames: int, first_region: np.ndarray,
                 clock: Clock | None = None) -> OnePassRun:
    """Track frames ``1 .. n_frames-1`` after initialising on frame 0 with ``first_region``."""
    clock = clock or MeasuredClock()
    if n_frames < 1:
        raise ValueError("a sequence needs at least one frame")
    region0 = np.asarray(first_region, dtype=np.float64)
    boxes = np.zeros((n_frames, 4))
    times = np.zeros(n_frames)
    _, times[0] = clock.call(0, lambda: tracker.init(get_frame(0), region0))
    boxes[0] = init_box(region0)
    for f in range(1, n_frames):
        out, times[f] = clock.call(f, lambda f=f: tracker.update(get_frame(f)))
        region = as_region(out)
        boxes[f] = region if region.size == 4 else init_box(region)
    return OnePassRun(boxes, times)


def run_got10k(make_tracker, get_frame: FrameFn, n_frames: int, first_region: np.ndarray,
               repetitions: int = 3, deterministic: bool = False, clock: Clock | None = None) -> list[OnePassRun]:
    """GOT-10k: ``repetitions`` one-pass runs (1 when the tracker is declared deterministic)."""
    runs = 1 if deterministic else repetitions
    return [run_one_pass(tracker_instance(make_tracker), get_frame, n_frames, first_region, clock)
            for _ in range(runs)]
