"""Benchmark protocols as pure logic over a tracker, a frame accessor and ground truth.

Nothing here touches the file system: each protocol takes ``get_frame(i) -> image``, the ground-truth
regions, the image bounds and an injected ``overlap(a, b, bounds) -> float`` (default: the VOT rasterised
overlap of :mod:`analysis.metrics.overlap`, convention ``leg2017``), and returns trajectories plus per-frame times.
Writing results is :mod:`integration.run`'s job.

A *tracker* is any object with ``init(image, region)`` and ``update(image) -> (box, score)`` (a bare box is
accepted too).
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

import numpy as np

from analysis.core.masks import Mask
from analysis.core.regions import Region
from analysis.metrics.overlap import vot_overlap

OverlapFn = Callable[[Region, Region, "tuple[int, int] | None"], float]
FrameFn = Callable[[int], np.ndarray]


class Tracker(Protocol):
    """What the protocols need from a tracker."""

    def init(self, image: np.ndarray, region: np.ndarray) -> Any: ...

    def update(self, image: np.ndarray) -> Any: ...


def vot_overlap_fn(convention: str = "leg2017", legacy: bool = False) -> OverlapFn:
    """The VOT rasterised overlap (``analysis.metrics.overlap.vot_overlap``) with a fixed convention."""

    def overlap(a: Region, b: Region, bounds: tuple[int, int] | None) -> float:
        return float(vot_overlap(a, b, bounds=bounds, convention=convention, legacy=legacy))

    overlap.__name__ = f"vot_overlap_{convention}{'_legacy' if legacy else ''}"
    return overlap


def as_region(output: Any) -> np.ndarray | Mask:
    """A tracker's ``update`` output (``(region, score)`` or a region) -> float64 region array, or the
    :class:`~analysis.core.masks.Mask` a mask-output tracker returns (kept as it is)."""
    if isinstance(output, tuple) and len(output) == 2 and np.ndim(output[1]) == 0 and not isinstance(output[1], Mask):
        output = output[0]
    if isinstance(output, Mask):
        return output
    region = np.asarray(output, dtype=np.float64).ravel()
    if region.size not in (4,) and (region.size < 6 or region.size % 2):
        raise ValueError(f"tracker returned a region with {region.size} values (expected 4 or an even number >= 6)")
    return region
