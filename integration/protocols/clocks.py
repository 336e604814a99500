"""Clocks that time one tracker call (image load + ``init``/``update``) for the protocols.

* :class:`MeasuredClock`: wall time with ``time.perf_counter``; on CUDA, ``torch.cuda.synchronize`` before
  the timer stops (kernels run asynchronously, the time would otherwise be under-reported). Matches TraX,
  whose client times from sending the frame path to receiving the region (image decode included).
* :class:`SimulatedClock`: the call still runs, but its duration is a constant or a replayed per-frame
  latency trace, so the real-time schedule is a pure function of the inputs (bit-reproducible).

``parse_clock("measured" | "simulated:40" | "simulated:<trace file>")`` builds one from a CLI string.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar

import numpy as np

from analysis.core.boxtext import BOX_SEPARATORS

T = TypeVar("T")


class Clock(Protocol):
    """Runs ``fn`` for frame ``frame_index`` and returns ``(result, seconds)``."""

    def call(self, frame_index: int, fn: Callable[[], T]) -> tuple[T, float]: ...


@dataclass(frozen=True)
class MeasuredClock:
    """Wall-clock duration of ``fn`` (``device`` = torch device string; CUDA is synchronised)."""

    device: str = "cpu"

    def call(self, frame_index: int, fn: Callable[[], T]) -> tuple[T, float]:
        sync = _cuda_sync(self.device)
        start = time.perf_counter()
        result = fn()
        if sync is not None:
            sync()
        return result, time.perf_counter() - start


def _cuda_sync(device: str) -> Callable[[], None] | None:
    if not str(device).startswith("cuda"):
        return None
    import torch  # lazy: keeps torch off the start-up of commands that do not track

    dev = torch.device(device)
    return lambda: torch.cuda.synchronize(dev)


@dataclass(frozen=True)
class SimulatedClock:
    """Deterministic latency: ``latency_s`` constant, or ``trace[frame_index]`` (seconds) when a trace is given."""

    latency_s: float = 0.0
    trace: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.latency_s < 0 or any(t < 0 or not np.isfinite(t) for t in self.trace):
            raise ValueError("simulated latencies must be finite and >= 0")

    def call(self, frame_index: int, fn: Callable[[], T]) -> tuple[T, float]:
        result = fn()
        if self.trace:
            if frame_index >= len(self.trace):
                raise ValueError(f"latency trace has {len(self.trace)} frames, frame {frame_index} requested")
            return result, float(self.trace[frame_index])
        return result, float(self.latency_s)


def read_latency_trace(path: str | Path) -> tuple[float, ...]:
    """Per-frame latencies in seconds from a times file (first column of ``<seq>_time.txt`` or one value per line)."""
    path = Path(path)
    values = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        first = BOX_SEPARATORS.split(line)[0]
        try:
            values.append(float(first))
        except ValueError:
            raise ValueError(f"{path}:{number}: cannot parse latency {first!r}") from None
    if not values:
        raise ValueError(f"{path}: no latencies")
    return tuple(values)


def parse_clock(spec: str, device: str = "cpu") -> Any:
    """``measured`` | ``simulated:<ms>`` (constant) | ``simulated:<file>`` (per-frame trace in seconds)."""
    if spec == "measured":
        return MeasuredClock(device=device)
    if spec.startswith("simulated:"):
        arg = spec.split(":", 1)[1]
        try:
            return SimulatedClock(latency_s=float(arg) / 1000.0)
        except ValueError:
            if Path(arg).is_file():
                return SimulatedClock(trace=read_latency_trace(arg))
            raise ValueError(f"clock {spec!r}: expected simulated:<milliseconds> or simulated:<trace file>") from None
    raise ValueError(f"unknown clock {spec!r} (expected 'measured' or 'simulated:<ms>' / 'simulated:<file>')")
