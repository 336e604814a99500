"""Step-wise protocol state machines: the protocol decides *what* the tracker does next, a driver does it.

A protocol state (:class:`integration.protocols.vot_baseline.SupervisedRun`,
:class:`integration.protocols.one_pass.OnePassState`) answers :meth:`next_step` with a :class:`Step`
(``init`` on frame ``f`` with a region, or ``update`` on frame ``f``) or ``None`` when the run is over, and is
told the tracker's answer with :meth:`record`. :func:`drive` runs one state with one tracker (the
per-sequence path); :mod:`integration.run.batched` advances many states in lock-step with one batched
forward per step. Both therefore share every protocol decision (failure test, 5-frame skip, 1/2/0 codes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from integration.protocols import FrameFn, Tracker, as_prediction, init_region_for
from integration.protocols.clocks import Clock, MeasuredClock

INIT, UPDATE = "init", "update"


@dataclass(frozen=True)
class Step:
    """What the tracker must do next: ``kind`` ``init`` (with ``region``) or ``update``, on frame ``frame``."""

    kind: str
    frame: int
    region: np.ndarray | None = None


class SteppedProtocol(Protocol):
    def next_step(self) -> Step | None: ...

    def record(self, output: Any, seconds: float) -> None: ...


def perform(step: Step, tracker: Tracker, get_frame: FrameFn, clock: Clock) -> tuple[Any, float]:
    """Run one step on a single tracker, timed by ``clock`` (image load included, as TraX); an ``update``
    answer comes back as a :class:`tracker.contract.Prediction` (any contract convention, read untimed); ``init``
    gets :func:`tracker.contract.init_region_for` (a polygon's box unless the tracker accepts polygons)."""
    if step.kind == INIT:
        region = init_region_for(tracker, step.region)
        return clock.call(step.frame, lambda: tracker.init(get_frame(step.frame), region))
    output, seconds = clock.call(step.frame, lambda: tracker.update(get_frame(step.frame)))
    return as_prediction(output, tracker), seconds


def drive(state: SteppedProtocol, tracker: Tracker, get_frame: FrameFn, clock: Clock | None = None) -> None:
    """Run ``state`` to its end with ``tracker`` (the per-sequence path)."""
    clock = clock or MeasuredClock()
    while (step := state.next_step()) is not None:
        state.record(*perform(step, tracker, get_frame, clock))
