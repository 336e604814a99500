"""Region overlap of vot-toolkit 0.7.4 (``vot/region/raster.py::calculate_overlap``) for every region type:
rectangles, polygons, masks and special codes, as the VOT2020-2022 multi-start analysis computes it.

The rules (``docs/conventions.md``, VOT2020-2022; each checked against the toolkit in
``tests/test_multistart_regions.py``):

* every region has inclusive integer bounds ``(left, top, right, bottom)``: a rectangle
  ``round(x) .. round(x)+round(w)-1`` (coordinates rounded half-to-even in float32, as the toolkit does), a
  polygon the rounded extremes of its points, a mask those of its set pixels (:meth:`Mask.bounds`, the
  offset's point when empty), a special code (initialisation, failure, no region) and a NaN row ``(0, 0, 0, 0)``;
* the union of both bounds is the raster window; when it is degenerate (``left >= right`` or ``top >= bottom``)
  the overlap is **1** ("two empty regions are identical"): so a special code against an empty ground truth
  scores 1, and so do two 1-pixel-wide regions in the same column;
* with ``bounds=(W, H)`` the window is cut to ``[0, W-1] x [0, H-1]``; a window degenerate after the cut
  scores **0** (a box outside the image against an empty ground truth);
* otherwise both regions are rasterised in the window (rectangles and polygons with the toolkit's
  scan-line rules, the project's port in :mod:`analysis.metrics.overlap`, masks copied pixel by pixel) and the
  overlap is intersection / union of the set pixels, 0 when neither sets one (an empty mask with an offset
  against an empty ground truth).

The supervised VOT analyses keep :func:`analysis.metrics.overlap.vot_overlaps` (rectangles and polygons, NaN
for special codes); this module is what the multi-start analysis uses.
"""
from __future__ import annotations

from typing import Sequence

import numba
import numpy as np

from analysis.core.masks import Mask
from analysis.core.regions import Region
from analysis.metrics.overlap import _T_POLY, _T_RECT, _pyt_row_spans

__all__ = ["region_bounds", "rasterize", "toolkit_overlap", "toolkit_overlaps", "toolkit_is_empty"]

_EMPTY, _RECT, _POLY, _MASK = 0, 1, 2, 3


def _meta(region) -> tuple[int, object]:
    """``(type, data)``: rounded float64 coordinates for rectangles/polygons, the mask itself, None for empty."""
    if region is None or isinstance(region, (int, np.integer)):
        return _EMPTY, None
    if isinstance(region, Mask):
        return _MASK, region
    v = np.asarray(region, dtype=np.float64).ravel()
    if v.size != 4 and (v.size < 6 or v.size % 2):
        raise ValueError(f"region with {v.size} values: expected 4 (x,y,w,h), an even count >= 6 (polygon) or a mask")
    if np.isnan(v).any():  # vot-toolkit's parse_region turns a NaN region into a special code
        return _EMPTY, None
    return (_RECT if v.size == 4 else _POLY), np.round(v.astype(np.float32)).astype(np.float64)


def _bounds(t: int, data) -> tuple[int, int, int, int]:
    if t == _RECT:
        x, y, w, h = (np.float32(v) for v in data)
        return (int(np.round(x)), int(np.round(y)), int(np.round(np.float32(x + w - np.float32(1)))),
                int(np.round(np.float32(y + h - np.float32(1)))))
    if t == _POLY:
        xs, ys = data[0::2], data[1::2]
        return (int(np.round(xs.min())), int(np.round(ys.min())), int(np.round(xs.max())), int(np.round(ys.max())))
    if t == _MASK:
        return data.bounds()
    return (0, 0, 0, 0)


def region_bounds(region: Region) -> tuple[int, int, int, int]:
    """Inclusive ``(left, top, right, bottom)`` of a region by the toolkit's rules (module docstring)."""
    return _bounds(*_meta(region))


@numba.njit(cache=True, nogil=True)
def _raster_shape(c, n, t, q0, q1, q2, q3):
    width = q2 - q0 + 1
    height = q3 - q1 + 1
    out = np.zeros((height, width), np.uint8)
    nodes = np.empty(n // 2 + 2, np.int64)
    s = np.empty(n // 2 + 2, np.int64)
    e = np.empty(n // 2 + 2, np.int64)
    for y in range(height):
        k = _pyt_row_spans(c, n, t, y, q0, q1, q2, q3, width, height, nodes, s, e)
        for i in range(k):
            for x in range(s[i], e[i]):
                out[y, x] = 1
    return out


def _raster(t: int, data, window: tuple[int, int, int, int]) -> np.ndarray:
    q0, q1, q2, q3 = window
    if t in (_RECT, _POLY):
        return _raster_shape(data, data.size, _T_RECT if t == _RECT else _T_POLY, q0, q1, q2, q3)
    out = np.zeros((q3 - q1 + 1, q2 - q0 + 1), np.uint8)
    if t == _MASK:
        x0, y0 = data.offset
        xa, ya = max(x0, q0), max(y0, q1)
        xb, yb = min(q2 + 1, x0 + data.width), min(q3 + 1, y0 + data.height)
        if xb > xa and yb > ya:
            out[ya - q1:yb - q1, xa - q0:xb - q0] = data.pixels[ya - y0:yb - y0, xa - x0:xb - x0]
    return out


def rasterize(region: Region, window: tuple[int, int, int, int]) -> np.ndarray:
    """The region's pixels inside the inclusive ``window`` ``(left, top, right, bottom)`` as a uint8 array."""
    return _raster(*_meta(region), window)


def toolkit_overlap(a: Region, b: Region, bounds: tuple[int, int] | None = None) -> float:
    """vot-toolkit 0.7.4 ``calculate_overlap(a, b, bounds)`` (module docstring); ``bounds = (W, H)``."""
    ta, da = _meta(a)
    tb, db = _meta(b)
    ba, bb = _bounds(ta, da), _bounds(tb, db)
    union = (min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3]))
    if union[0] >= union[2] or union[1] >= union[3]:
        return 1.0
    if bounds is not None:
        window = (max(0, union[0]), max(0, union[1]), min(int(bounds[0]) - 1, union[2]),
                  min(int(bounds[1]) - 1, union[3]))
    else:
        window = union
    if window[0] >= window[2] or window[1] >= window[3]:
        return 0.0
    ra, rb = _raster(ta, da, window), _raster(tb, db, window)
    union_px = int(np.count_nonzero(ra | rb))
    if union_px == 0:
        return 0.0
    return float(np.count_nonzero(ra & rb)) / float(union_px)


def toolkit_overlaps(regions: Sequence[Region], groundtruth: Sequence[Region],
                     bounds: tuple[int, int] | None = None) -> np.ndarray:
    """Per-frame :func:`toolkit_overlap` of two equally long region lists, ``(N,) float64``."""
    if len(regions) != len(groundtruth):
        raise ValueError(f"region lists differ in length: {len(regions)} != {len(groundtruth)}")
    return np.array([toolkit_overlap(a, b, bounds) for a, b in zip(regions, groundtruth)], dtype=np.float64)


def toolkit_is_empty(region: Region) -> bool:
    """vot-toolkit's ``is_empty`` of a ground-truth region: a rectangle without positive width and height, a
    polygon without x or y extent, a mask by :meth:`Mask.is_empty` (its quirk included), a special code or NaN
    row always (``Special.is_empty``; a NaN region is read as ``Special(0)``)."""
    t, data = _meta(region)
    if t == _MASK:
        return data.is_empty()
    if t == _RECT:
        v = np.asarray(region, dtype=np.float64).ravel().astype(np.float32)
        return not (v[2] > 0 and v[3] > 0)
    if t == _POLY:
        v = np.asarray(region, dtype=np.float64).ravel().astype(np.float32)
        xs, ys = v[0::2], v[1::2]
        return bool(xs.min() == xs.max() or ys.min() == ys.max())
    return True
