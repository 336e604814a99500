"""Region values shared by trajectories, annotations and overlaps.

A *region* in memory is either an ``int`` special code (VOT trajectory markers), a 1-D float64
numpy array: 4 values ``x, y, w, h`` (rectangle, 0-based top-left corner as written in VOT/OTB files)
or ``2n`` values ``x1, y1, ..., xn, yn`` (polygon, n >= 3), or a :class:`~analysis.core.masks.Mask`
(VOT2020+ ground truth and tracker output; scored by :mod:`analysis.metrics.mask_overlap`).

For vectorised maths, a trajectory is also described by a per-frame ``FrameKind`` array.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Union

import numpy as np

from analysis.core.masks import Mask

Region = Union[int, np.ndarray, Mask]

#: VOT special codes as written in result files (LEG/PYT/PST): ``1`` init, ``2`` failure, ``0`` skipped.
SPECIAL_UNKNOWN = 0
SPECIAL_INIT = 1
SPECIAL_FAILURE = 2


class FrameKind(IntEnum):
    """What a trajectory holds at a frame (array form of the VOT codes, plus ``TRACKED``)."""

    UNKNOWN = 0  #: skipped frame (after a failure, before re-initialisation), file code ``0``
    INIT = 1  #: (re)initialisation frame, file code ``1``
    FAILURE = 2  #: failure frame, file code ``2``
    TRACKED = 3  #: the tracker reported a region for this frame


def is_special(region: Region) -> bool:
    """True for an ``int`` special code (init, failure, skipped)."""
    return isinstance(region, (int, np.integer))


def area_preserving_center(region) -> tuple[float, float, float, float]:
    """pysot/DaSiamRPN ``get_axis_aligned_bbox``: ``(cx, cy, w, h)`` of a polygon (or a rectangle).

    Polygon: ``s = sqrt(A_poly / A_bbox)``, ``w = s (x2-x1) + 1``, ``h = s (y2-y1) + 1``, centre = mean of the
    vertices (PYS). ``A_poly = |p1-p2| |p2-p3|`` for the 4-point VOT rectangles, the shoelace area for other
    polygons. Rectangle ``x, y, w, h``: ``cx = x + (w-1)/2``, ``cy = y + (h-1)/2``.
    """
    r = np.asarray(region, dtype=np.float64).ravel()
    if r.size == 4:
        x, y, w, h = r
        return float(x + (w - 1) / 2), float(y + (h - 1) / 2), float(w), float(h)
    if r.size < 6 or r.size % 2:
        raise ValueError(f"region must have 4 values (x,y,w,h) or 2n >= 6 polygon values, got {r.size}")
    xs, ys = r[0::2], r[1::2]
    x1, x2, y1, y2 = xs.min(), xs.max(), ys.min(), ys.max()
    if r.size == 8:
        a_poly = np.linalg.norm(r[0:2] - r[2:4]) * np.linalg.norm(r[2:4] - r[4:6])
    else:
        a_poly = 0.5 * abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1)))
    a_box = (x2 - x1) * (y2 - y1)
    s = np.sqrt(a_poly / a_box) if a_box > 0 else 1.0
    return float(xs.mean()), float(ys.mean()), float(s * (x2 - x1) + 1), float(s * (y2 - y1) + 1)


def area_preserving_rect(region) -> np.ndarray:
    """Init rectangle ``[cx-(w-1)/2, cy-(h-1)/2, w, h]`` from :func:`area_preserving_center` (``docs/tracker.md``, init);
    rectangles pass through unchanged (an exact float64 copy, not a round trip through the centre).

    The one "VOT area-preserving box" of the project: the SiamRPN init (``tracker.siamrpn``), the OpenCV
    baselines (``integration.registry``), the TraX server's ``--init box`` and the OTB scoring of VOT
    polygons all call it. For the axis-aligned bounding box use :func:`polygon_bbox`."""
    r = np.asarray(region, dtype=np.float64).ravel()
    if r.size == 4:
        return r.copy()
    cx, cy, w, h = area_preserving_center(r)
    return np.array([cx - (w - 1) / 2, cy - (h - 1) / 2, w, h])


def polygon_bbox(region) -> np.ndarray:
    """TraX ``region_convert`` polygon -> rectangle: ``[left, top, right-left, bottom-top]``.

    The one axis-aligned bounding box of the project (TraX init echo, one-pass init box, got10k/OTB
    layouts, training ground truth). A 1-D region gives ``(4,)``; an ``(N, 4)`` or ``(N, 2n)`` array gives
    ``(N, 4)`` (one row per region). Rectangles (4 values) pass through as a float64 copy."""
    r = np.asarray(region, dtype=np.float64)
    rows = r.reshape(-1, r.shape[-1]) if r.ndim == 2 else r.reshape(1, -1)
    n = rows.shape[1]
    if n == 4:
        out = rows.copy()
    elif n < 6 or n % 2:
        raise ValueError(f"polygon needs an even number >= 6 of values, got {n}")
    else:
        xs, ys = rows[:, 0::2], rows[:, 1::2]
        x0, y0 = xs.min(axis=1), ys.min(axis=1)
        out = np.stack([x0, y0, xs.max(axis=1) - x0, ys.max(axis=1) - y0], axis=1)
    return out if r.ndim == 2 else out[0]


def iou_xywh(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Continuous IoU of ``(N, 4)`` ``x,y,w,h`` boxes (OTB/G10/PST: intersection uses ``x+w``, no +-1).

    Boxes with non-positive width/height or NaN give IoU 0 (G10 would propagate NaN; NaN => failure either
    way in success plots).
    """
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a.shape[-1] != 4 or b.shape[-1] != 4:
        raise ValueError(f"iou_xywh expects (N, 4) boxes, got {a.shape} and {b.shape}")
    x1 = np.maximum(a[:, 0], b[:, 0])
    y1 = np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / union
    ok = (a[:, 2] > 0) & (a[:, 3] > 0) & (b[:, 2] > 0) & (b[:, 3] > 0) & np.isfinite(iou)
    return np.where(ok, np.clip(iou, 0.0, 1.0), 0.0)


def empty_regions(regions) -> np.ndarray:
    """Per row of ``(N, 4)`` rectangles or ``(N, 2n)`` polygons: the region is empty (the target is not
    visible), by vot-toolkit 0.7.4's ``is_empty``: a rectangle without positive width and height
    (``Rectangle.is_empty``), a polygon whose x or y extent is zero (``Polygon.is_empty``: ``top == bottom or
    left == right``), so ``0,0,0,0,0,0,0,0`` is empty. NaN rows are not flagged (their own rules apply)."""
    r = np.atleast_2d(np.asarray(regions, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        if r.shape[1] == 4:
            return ~((r[:, 2] > 0) & (r[:, 3] > 0)) & ~np.isnan(r).any(axis=1)
        xs, ys = r[:, 0::2], r[:, 1::2]
        flat = (xs.max(axis=1) == xs.min(axis=1)) | (ys.max(axis=1) == ys.min(axis=1))
    return flat & ~np.isnan(r).any(axis=1)


def frame_ranges(frames, limit: int = 8) -> str:
    """1-based frame numbers of 0-based ``frames`` as ranges: ``10-12, 40`` (at most ``limit`` ranges shown)."""
    idx = sorted(int(f) for f in frames)
    spans: list[list[int]] = []
    for f in idx:
        if spans and f == spans[-1][1] + 1:
            spans[-1][1] = f
        else:
            spans.append([f, f])
    text = [f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in spans[:limit]]
    return ", ".join(text) + (f", ... ({len(idx)} frames)" if len(spans) > limit else "")
