"""Benchmark protocols as pure logic over a tracker, a frame accessor and ground truth.

Nothing here touches the file system: each protocol takes ``get_frame(i) -> image``, the ground-truth
regions, the image bounds and an injected ``overlap(a, b, bounds) -> float`` (default: the VOT rasterised
overlap of :mod:`analysis.metrics.overlap`, convention ``leg2017``), and returns trajectories plus per-frame times.
Writing results is :mod:`integration.run`'s job.

A *tracker* follows :mod:`tracker.contract`: ``init(image, region)`` and ``update(image)`` returning a
``Prediction(box, score)`` or one of the toolkits' conventions (``(box, score)``, OpenCV's ``(ok, box)``, a bare
box, pysot's ``{'bbox', 'best_score'}``), all read by :func:`tracker.contract.as_prediction`. OpenCV's
``(False, box)`` ("lost") is that box with score 0: scored like any other box (a tracker's own flag never resets
it), stored by the one-pass protocols, confidence 0 in the long-term experiment. ``init`` gets a polygon's
area-preserving box unless the tracker declares ``accepts_polygons = True``
(:func:`tracker.contract.init_region_for`).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from analysis.core.masks import Mask
from analysis.core.regions import Region
from analysis.metrics.overlap import vot_overlap
from tracker.contract import Prediction, Tracker, as_prediction, init_region_for

__all__ = ["Tracker", "Prediction", "OverlapFn", "FrameFn", "vot_overlap_fn", "as_region", "as_prediction",
           "init_region_for"]

OverlapFn = Callable[[Region, Region, "tuple[int, int] | None"], float]
FrameFn = Callable[[int], np.ndarray]


def vot_overlap_fn(convention: str = "leg2017", legacy: bool = False) -> OverlapFn:
    """The VOT rasterised overlap (``analysis.metrics.overlap.vot_overlap``) with a fixed convention."""

    def overlap(a: Region, b: Region, bounds: tuple[int, int] | None) -> float:
        return float(vot_overlap(a, b, bounds=bounds, convention=convention, legacy=legacy))

    overlap.__name__ = f"vot_overlap_{convention}{'_legacy' if legacy else ''}"
    return overlap


def as_region(output: Any, source: Any = None) -> np.ndarray | Mask:
    """A tracker's ``update`` output (any :mod:`tracker.contract` convention) -> float64 region array, or the
    :class:`~analysis.core.masks.Mask` a mask-output tracker returns (kept as it is). ``source`` (the tracker)
    names it in the :class:`tracker.contract.ContractError` raised for an answer that fits no convention."""
    return as_prediction(output, source).box
