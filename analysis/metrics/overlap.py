"""Region overlap as the VOT toolkits compute it (rasterised, in pixels); the continuous box IoU of one-pass
benchmarks is :func:`analysis.core.regions.iou_xywh`.

Conventions (see ``docs/conventions.md``, VOT section):

``leg2017`` (default; LEG = MATLAB vot-toolkit with TraX ``region.c`` before commit bb7e7ca, 2019-04)
    Produced every official VOT2015-2018 number. A rectangle becomes the polygon with corners
    ``x .. x+w`` / ``y .. y+h``; polygon bounds are floored/ceiled, coordinates rounded (C ``round``,
    half away from zero) and scan-line filled with inclusive spans, so an integer ``w`` covers ``w+1``
    pixels. ``bounds=(W, H)`` clips to ``[0, W-1] x [0, H-1]`` (the toolkit passes ``[W-1, H-1]``;
    VOT2016+ ``bounded_overlap``).
``leg2019``
    The same TraX code after bb7e7ca ("fixes #202", the 2019 version copied into pysot-toolkit's
    ``region.c``): rectangle corners ``x .. x+w-1``.
``trax4``
    libtrax of vot-trax 4.0.2 (``trax_region_overlap``, what a TraX-based toolkit computes today): as
    ``leg2019`` but the rounded rasteriser also adds a node for a horizontal edge lying on the row, skips
    equal node pairs only before the last pair, keeps the raster origin in an ``int`` and takes a
    rectangle's bounds as ``x .. x+w-1`` literally (so ``w < 1`` gives 0). Tested to agree exactly with
    the installed libtrax in both rasterisation modes.

TraX quirks kept in all three TraX conventions: regions whose (floored/ceiled) bounding boxes share no
area give 0 even when their rasters share a pixel row or column (e.g. ``leg2017`` ``[0,0,1,1]`` vs
``[1,0,1,1]``); two degenerate polygons (``leg2019`` 1x1 rectangles) give 0/0 = NaN.
``pst``
    pysot-toolkit ``vot_overlap``: same rasteriser as ``leg2017`` (rectangle corners ``x .. x+w`` built
    in Python), but ``bounds=(W, H)`` clips to ``[0, W] x [0, H]``. pysot-toolkit passes ``(W, H)`` in
    its accuracy/robustness benchmark and ``(W-1, H-1)`` in its EAO benchmark; the latter equals
    ``leg2017`` with ``(W, H)``.
``pyt``
    Python vot-toolkit 0.7.4 ``vot.region.raster.calculate_overlap``: coordinates rounded half-to-even
    (``np.round``), a rectangle covers pixels ``round(x) .. round(x)+round(w)-1``; raster area is the union
    of both regions' bounds clipped to ``[0, W-1] x [0, H-1]``; both regions empty => 1, union outside the
    image => 0. Reproduced quirks included (a union narrower than 2 pixels counts as "both empty").

``legacy=True`` (TraX ``REGION_LEGACY_RASTERIZATION``, set by the VOT2015 stack together with
``bounded_overlap=false``, so pass ``bounds=None`` for VOT2015): what it changes, read from TraX
``region.c`` (the copy in pysot-toolkit ``toolkit/utils/src/region.c`` carries both branches):

* polygon bounds are *not* floored/ceiled and the raster origin is the (fractional) minimum corner;
* coordinates are *not* rounded: each scan line ``y = 0, 1, ...`` intersects the edges with the half-open
  test ``y_i < Y <= y_j`` in float32 arithmetic and truncates the crossings toward zero;
* spans are half-open ``[x_start, x_end)`` (the rounded rasteriser fills ``[x_start, x_end]``), and a span
  running past the raster width is clipped to ``width-1`` exclusive (one column lost);
* a rectangle always becomes ``x .. x+w`` (also after bb7e7ca).
Net effect: an integer ``w x h`` rectangle covers exactly ``w x h`` pixels instead of ``(w+1) x (h+1)``.

Special codes (``int`` regions) and NaN rows give NaN in every convention (the toolkits' own analyses treat
those frames separately; PYT would return 0). Coordinates are handled as float32, like the toolkits.
Masks are refused here (:mod:`analysis.metrics.mask_overlap` scores them, with vot-toolkit's rules).

``vot_overlaps`` packs both region lists into arrays and computes all pairs in one numba pass; the
rasteriser works on per-row spans (counting pixels without allocating masks), which is exact.
"""
from __future__ import annotations

from typing import Sequence

import numba
import numpy as np

from analysis.core.masks import Mask
from analysis.core.regions import Region

__all__ = [
    "CONVENTIONS",
    "vot_overlap",
    "vot_overlaps",
    "vot_overlaps_runs",
    "pack_regions",
    "clip_boxes",
]

#: Accepted ``convention`` names and their numeric codes in the numba kernel.
CONVENTIONS: dict[str, int] = {"leg2017": 0, "leg2019": 1, "pyt": 2, "pst": 3, "trax4": 4}

_T_EMPTY, _T_RECT, _T_POLY = 0, 1, 2


# ----------------------------------------------------------------------------------------------------
# Packing regions into arrays
# ----------------------------------------------------------------------------------------------------


def pack_regions(regions: Sequence[Region] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pack regions into ``(types int8 (N,), coords float32 (N, K), counts int32 (N,))``.

    ``types``: 0 special/NaN, 1 rectangle ``x,y,w,h``, 2 polygon; ``counts`` = number of values.
    Accepts a list of :data:`Region` or an ``(N, 4|2n)`` array (rows with any NaN => type 0).
    """
    if isinstance(regions, np.ndarray):
        arr = np.asarray(regions, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] < 4 or (arr.shape[1] != 4 and (arr.shape[1] % 2 or arr.shape[1] < 6)):
            raise ValueError(f"region array must be (N, 4) or (N, 2n>=6), got shape {arr.shape}")
        n, k = arr.shape
        valid = ~np.isnan(arr).any(axis=1)
        types = np.where(valid, _T_RECT if k == 4 else _T_POLY, _T_EMPTY).astype(np.int8)
        coords = np.where(valid[:, None], arr, 0.0).astype(np.float32)
        counts = np.where(valid, k, 0).astype(np.int32)
        return types, coords, counts
    n = len(regions)
    idx = [i for i, r in enumerate(regions) if not isinstance(r, (int, np.integer))]
    masks = [i for i in idx if isinstance(regions[i], Mask)]
    if masks:
        raise ValueError(f"region {masks[0]}: a mask; the supervised VOT overlaps take rectangles and polygons "
                         "(masks are scored by the multi-start analysis, analysis.metrics.mask_overlap)")
    vals = [np.asarray(regions[i], dtype=np.float64).ravel() for i in idx]
    lengths = np.array([v.size for v in vals], dtype=np.int32)
    bad = (lengths != 4) & ((lengths < 6) | (lengths % 2 == 1))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"region {idx[j]}: expected 4 values (rectangle) or an even count >= 6 (polygon), "
                         f"got {lengths[j]}")
    k = int(max(4, lengths.max(initial=0)))
    types = np.zeros(n, dtype=np.int8)
    coords = np.zeros((n, k), dtype=np.float32)
    counts = np.zeros(n, dtype=np.int32)
    if not idx:
        return types, coords, counts
    rows = np.asarray(idx, dtype=np.intp)
    if (lengths == k).all():
        block = np.stack(vals)
    else:
        block = np.zeros((len(vals), k))
        for j, v in enumerate(vals):
            block[j, : v.size] = v
    valid = ~np.isnan(block).any(axis=1)
    rows, block, lens = rows[valid], block[valid], lengths[valid]
    coords[rows] = block
    counts[rows] = lens
    types[rows] = np.where(lens == 4, _T_RECT, _T_POLY)
    return types, coords, counts


# ----------------------------------------------------------------------------------------------------
# numba kernels
# ----------------------------------------------------------------------------------------------------

_JIT = dict(cache=True, nogil=True, error_model="numpy")
_JIT_INLINE = dict(_JIT, inline="always")


@numba.njit(**_JIT_INLINE)
def _c_round(v):
    """C ``round``: half away from zero."""
    if v >= 0.0:
        return np.floor(v + 0.5)
    return -np.floor(-v + 0.5)


@numba.njit(**_JIT_INLINE)
def _merge_spans(starts, ends, n, out_s, out_e):
    """Merge half-open spans sorted by start into disjoint ones; returns the count written."""
    m = 0
    for i in range(n):
        s = starts[i]
        e = ends[i]
        if e <= s:
            continue
        if m > 0 and s <= out_e[m - 1]:
            if e > out_e[m - 1]:
                out_e[m - 1] = e
        else:
            out_s[m] = s
            out_e[m] = e
            m += 1
    return m


@numba.njit(**_JIT_INLINE)
def _span_stats(as_, ae, na, bs, be, nb):
    """(|A|, |B|, |A and B|) for two disjoint sorted span lists of one row."""
    la = 0
    for i in range(na):
        la += ae[i] - as_[i]
    lb = 0
    for i in range(nb):
        lb += be[i] - bs[i]
    inter = 0
    i = 0
    j = 0
    while i < na and j < nb:
        lo = max(as_[i], bs[j])
        hi = min(ae[i], be[j])
        if hi > lo:
            inter += hi - lo
        if ae[i] < be[j]:
            i += 1
        else:
            j += 1
    return la, lb, inter


@numba.njit(**_JIT_INLINE)
def _row_stats(sa, ea, ka, sb, eb, kb, msa, mea, msb, meb):
    """(|A|, |B|, |A and B|) of one row from raw spans (fast path for one span each)."""
    if ka <= 1 and kb <= 1:
        la = ea[0] - sa[0] if ka == 1 and ea[0] > sa[0] else 0
        lb = eb[0] - sb[0] if kb == 1 and eb[0] > sb[0] else 0
        li = 0
        if la > 0 and lb > 0:
            li = min(ea[0], eb[0]) - max(sa[0], sb[0])
            if li < 0:
                li = 0
        return la, lb, li
    ka = _merge_spans(sa, ea, ka, msa, mea)
    kb = _merge_spans(sb, eb, kb, msb, meb)
    return _span_stats(msa, mea, ka, msb, meb, kb)


@numba.njit(**_JIT_INLINE)
def _span_buffers(scratch):
    """The span buffers of ``scratch`` (rows 2-9; rows 0-1 hold the polygon nodes): starts and ends of A's and
    B's raw spans, then of their merged spans."""
    return scratch[2], scratch[3], scratch[4], scratch[5], scratch[6], scratch[7], scratch[8], scratch[9]


@numba.njit(**_JIT_INLINE)
def _trax_row_spans(px, py, y, width, legacy, modern, nodes_buf, s_buf, e_buf):
    """Spans of TraX ``rasterize_polygon`` on row ``y`` (half-open), sorted by start; returns count.

    ``px``/``py`` are float32 polygon coordinates already offset to the raster origin (and rounded in
    the non-legacy mode). ``modern`` selects the TraX 4 rules of the rounded rasteriser: a horizontal edge
    on the row adds a node at ``x_i``, and equal node pairs are skipped only when not the last pair.
    """
    count = px.shape[0]
    nodes = 0
    j = count - 1
    if legacy:
        fy = np.float32(y)
        for i in range(count):
            yi = py[i]
            yj = py[j]
            if (yi < fy and yj >= fy) or (yj < fy and yi >= fy):
                t = np.float32(np.float32(fy - yi) / np.float32(yj - yi))
                nodes_buf[nodes] = int(np.float32(px[i] + np.float32(t * np.float32(px[j] - px[i]))))
                nodes += 1
            j = i
    else:
        for i in range(count):
            yi = int(py[i])
            yj = int(py[j])
            if ((yi <= y and yj > y) or (yj <= y and yi > y) or (yi < y and yj >= y)
                    or (yj < y and yi >= y) or (yi == yj and yi == y)):
                r = np.float64(py[j] - py[i])
                k = np.float64(px[j] - px[i])
                if r != 0.0:
                    nodes_buf[nodes] = int(np.float64(px[i]) + np.float64(np.float32(np.float32(y) - py[i])) / r * k)
                    nodes += 1
                elif modern:
                    nodes_buf[nodes] = int(px[i])
                    nodes += 1
            j = i
    # bubble sort as in region.c (result is just the sorted order)
    i = 0
    while i < nodes - 1:
        if nodes_buf[i] > nodes_buf[i + 1]:
            tmp = nodes_buf[i]
            nodes_buf[i] = nodes_buf[i + 1]
            nodes_buf[i + 1] = tmp
            if i:
                i -= 1
        else:
            i += 1
    ns = 0
    if legacy:
        i = 0
        while i + 1 < nodes:
            if nodes_buf[i] >= width:
                break
            if nodes_buf[i + 1] > 0:
                if nodes_buf[i] < 0:
                    nodes_buf[i] = 0
                if nodes_buf[i + 1] > width:
                    nodes_buf[i + 1] = width - 1
                s_buf[ns] = nodes_buf[i]
                e_buf[ns] = nodes_buf[i + 1]
                ns += 1
            i += 2
    else:
        i = 0
        while i < nodes - 1:
            if modern:
                if nodes_buf[i] >= width:
                    break
                if nodes_buf[i] == nodes_buf[i + 1] and i < nodes - 2:
                    i += 1
                    continue
            else:
                if nodes_buf[i] == nodes_buf[i + 1]:
                    i += 1
                    continue
                if nodes_buf[i] >= width:
                    break
            if nodes_buf[i + 1] >= 0:
                if nodes_buf[i] < 0:
                    nodes_buf[i] = 0
                if nodes_buf[i + 1] >= width:
                    nodes_buf[i + 1] = width - 1
                s_buf[ns] = nodes_buf[i]
                e_buf[ns] = nodes_buf[i + 1] + 1
                ns += 1
            i += 2
    return ns


@numba.njit(**_JIT)
def _as_trax_polygon(coords, n, typ, minus_one, legacy):
    """Region -> float32 polygon arrays (TraX ``region_convert``)."""
    if typ == _T_RECT:
        x = coords[0]
        y = coords[1]
        if minus_one and not legacy:
            r = np.float32(np.float32(x + coords[2]) - np.float32(1.0))
            b = np.float32(np.float32(y + coords[3]) - np.float32(1.0))
        else:
            r = np.float32(x + coords[2])
            b = np.float32(y + coords[3])
        px = np.empty(4, np.float32)
        py = np.empty(4, np.float32)
        px[0] = x
        px[1] = r
        px[2] = r
        px[3] = x
        py[0] = y
        py[1] = y
        py[2] = b
        py[3] = b
        return px, py
    m = n // 2
    px = np.empty(m, np.float32)
    py = np.empty(m, np.float32)
    for i in range(m):
        px[i] = coords[2 * i]
        py[i] = coords[2 * i + 1]
    return px, py


@numba.njit(**_JIT)
def _trax_overlap(ca, na, ta, cb, nb, tb, minus_one, legacy, modern, bl, bt, br, bb, scratch):
    """TraX overlap (both modes) for one pair; bounds are left/top/right/bottom.

    ``modern=False``: ``compute_polygon_overlap`` of TraX 2016-2019 (pysot-toolkit's copy); ``modern=True``:
    ``region_compute_overlap`` of TraX 4 (libtrax in vot-trax 4.0.2).
    """
    pxa, pya = _as_trax_polygon(ca, na, ta, minus_one, legacy)
    pxb, pyb = _as_trax_polygon(cb, nb, tb, minus_one, legacy)
    l1 = np.min(pxa)
    r1 = np.max(pxa)
    t1 = np.min(pya)
    b1 = np.max(pya)
    l2 = np.min(pxb)
    r2 = np.max(pxb)
    t2 = np.min(pyb)
    b2 = np.max(pyb)
    if modern:  # TraX 4 region_compute_bounds takes a rectangle's corners as they are (w < 1 => right < left)
        if ta == _T_RECT:
            l1, t1, r1, b1 = pxa[0], pya[0], pxa[1], pya[2]
        if tb == _T_RECT:
            l2, t2, r2, b2 = pxb[0], pyb[0], pxb[1], pyb[2]
    if not legacy:
        l1 = np.floor(l1)
        t1 = np.floor(t1)
        r1 = np.ceil(r1)
        b1 = np.ceil(b1)
        l2 = np.floor(l2)
        t2 = np.floor(t2)
        r2 = np.ceil(r2)
        b2 = np.ceil(b2)
    l1 = max(l1, bl)
    t1 = max(t1, bt)
    r1 = min(r1, br)
    b1 = min(b1, bb)
    l2 = max(l2, bl)
    t2 = max(t2, bt)
    r2 = min(r2, br)
    b2 = min(b2, bb)
    x0 = np.float32(min(l1, l2))
    y0 = np.float32(min(t1, t2))
    if modern:  # TraX 4 region_compute_overlap keeps the raster origin in an int
        if not (x0 > -2.0e9 and x0 < 2.0e9 and y0 > -2.0e9 and y0 < 2.0e9):
            return 0.0
        x0 = np.float32(int(x0))
        y0 = np.float32(int(y0))
    fw = np.float32(np.float32(max(r1, r2)) - x0)
    fh = np.float32(np.float32(max(b1, b2)) - y0)
    if not (fw > -2.0e9 and fw < 2.0e9 and fh > -2.0e9 and fh < 2.0e9):
        return 0.0
    width = int(fw) + 1
    height = int(fh) + 1
    a1 = np.float64(r1 - l1) * np.float64(b1 - t1)
    a2 = np.float64(r2 - l2) * np.float64(b2 - t2)
    if a1 / a2 < 1e-10 or a2 / a1 < 1e-10 or width < 1 or height < 1:
        return 0.0
    # bounds_overlap(b1, b2) == 0 => 0 (MAX(0, x) keeps NaN, as the C macro does)
    iw = np.float32(min(r1, r2) - max(l1, l2))
    ih = np.float32(min(b1, b2) - max(t1, t2))
    inter_b = np.float32(iw * ih)
    den = np.float32(np.float32(np.float32(r1 - l1) * np.float32(b1 - t1))
                     + np.float32(np.float32(r2 - l2) * np.float32(b2 - t2)) - inter_b)
    ov = inter_b / den
    if 0.0 > ov:
        ov = 0.0
    if ov == 0.0:
        return 0.0
    # offset (float32, as offset_polygon) and round (non-legacy)
    for i in range(pxa.shape[0]):
        pxa[i] = np.float32(pxa[i] - x0)
        pya[i] = np.float32(pya[i] - y0)
        if not legacy:
            pxa[i] = _c_round(pxa[i])
            pya[i] = _c_round(pya[i])
    for i in range(pxb.shape[0]):
        pxb[i] = np.float32(pxb[i] - x0)
        pyb[i] = np.float32(pyb[i] - y0)
        if not legacy:
            pxb[i] = _c_round(pxb[i])
            pyb[i] = _c_round(pyb[i])
    nodes_a = scratch[0]
    nodes_b = scratch[1]
    sa, ea, sb, eb, msa, mea, msb, meb = _span_buffers(scratch)
    # only rows where either polygon can have pixels
    ya0 = int(np.floor(np.min(pya))) - 1
    ya1 = int(np.ceil(np.max(pya))) + 1
    yb0 = int(np.floor(np.min(pyb))) - 1
    yb1 = int(np.ceil(np.max(pyb))) + 1
    ylo = max(0, min(ya0, yb0))
    yhi = min(height - 1, max(ya1, yb1))
    tot_a = 0
    tot_b = 0
    tot_i = 0
    for y in range(ylo, yhi + 1):
        ka = _trax_row_spans(pxa, pya, y, width, legacy, modern, nodes_a, sa, ea) if ya0 <= y <= ya1 else 0
        kb = _trax_row_spans(pxb, pyb, y, width, legacy, modern, nodes_b, sb, eb) if yb0 <= y <= yb1 else 0
        if ka <= 1 and kb <= 1:  # the common case, written out: calling _row_stats costs ~30 ns a row
            la = ea[0] - sa[0] if ka == 1 and ea[0] > sa[0] else 0
            lb = eb[0] - sb[0] if kb == 1 and eb[0] > sb[0] else 0
            tot_a += la
            tot_b += lb
            if la > 0 and lb > 0:
                li = min(ea[0], eb[0]) - max(sa[0], sb[0])
                if li > 0:
                    tot_i += li
        else:
            la, lb, li = _row_stats(sa, ea, ka, sb, eb, kb, msa, mea, msb, meb)
            tot_a += la
            tot_b += lb
            tot_i += li
    union = tot_a + tot_b - tot_i
    return np.float64(np.float32(tot_i) / np.float32(union))


@numba.njit(**_JIT)
def _py_slice(start, stop, length):
    """Python/numpy slice ``[start:stop]`` on an axis of ``length`` -> (begin, end) with begin <= end."""
    if start < 0:
        start += length
        if start < 0:
            start = 0
    elif start > length:
        start = length
    if stop < 0:
        stop += length
        if stop < 0:
            stop = 0
    elif stop > length:
        stop = length
    if stop < start:
        stop = start
    return start, stop


@numba.njit(**_JIT)
def _pyt_bounds(c, n, t):
    """``_region_bounds`` of vot.region.raster on rounded float32 data (int left/top/right/bottom)."""
    if t == _T_RECT:
        return (int(np.round(c[0])), int(np.round(c[1])), int(np.round(c[0] + c[2] - 1.0)),
                int(np.round(c[1] + c[3] - 1.0)))
    left = np.inf
    top = np.inf
    right = -np.inf
    bottom = -np.inf
    for i in range(n // 2):
        left = min(left, c[2 * i])
        right = max(right, c[2 * i])
        top = min(top, c[2 * i + 1])
        bottom = max(bottom, c[2 * i + 1])
    return int(np.round(left)), int(np.round(top)), int(np.round(right)), int(np.round(bottom))


@numba.njit(**_JIT_INLINE)
def _pyt_row_spans(c, n, t, y, b0, b1, b2, b3, width, height, nodes_buf, s_buf, e_buf):
    """Half-open spans of ``rasterize_rectangle`` / ``rasterize_polygon`` (vot 0.7.4) on mask row ``y``."""
    if t == _T_RECT:
        if c[0] > b2 or c[0] + c[2] - 1.0 < b0 or c[1] > b3 or c[1] + c[3] - 1.0 < b1:
            return 0
        left = int(max(0.0, c[0] - b0))
        top = int(max(0.0, c[1] - b1))
        right = int(min(np.float64(b2), c[0] + c[2] - 1.0 - b0))
        bottom = int(min(np.float64(b3), c[1] + c[3] - 1.0 - b1))
        r0, r1 = _py_slice(top, bottom + 1, height)
        if y < r0 or y >= r1:
            return 0
        c0, c1 = _py_slice(left, right + 1, width)
        if c1 <= c0:
            return 0
        s_buf[0] = c0
        e_buf[0] = c1
        return 1
    count = n // 2
    nodes = 0
    j = count - 1
    fy = np.float64(y)
    for i in range(count):
        xi = c[2 * i] - b0
        yi = c[2 * i + 1] - b1
        xj = c[2 * j] - b0
        yj = c[2 * j + 1] - b1
        if (((yi <= fy) and (yj > fy)) or ((yj <= fy) and (yi > fy)) or ((yi < fy) and (yj >= fy))
                or ((yj < fy) and (yi >= fy)) or ((yi == yj) and (yi == fy))):
            r = yj - yi
            k = xj - xi
            if r != 0:
                nodes_buf[nodes] = int(xi + (fy - yi) / r * k)
            else:
                nodes_buf[nodes] = int(xi)
            nodes += 1
        j = i
    i = 0
    while i < nodes - 1:
        if nodes_buf[i] > nodes_buf[i + 1]:
            tmp = nodes_buf[i]
            nodes_buf[i] = nodes_buf[i + 1]
            nodes_buf[i + 1] = tmp
            if i:
                i -= 1
        else:
            i += 1
    ns = 0
    i = 0
    while i < nodes - 1:
        if nodes_buf[i] >= width:
            break
        if nodes_buf[i] == nodes_buf[i + 1] and i < nodes - 2:
            i += 1
            continue
        if nodes_buf[i + 1] >= 0:
            if nodes_buf[i] < 0:
                nodes_buf[i] = 0
            if nodes_buf[i + 1] >= width:
                nodes_buf[i + 1] = width - 1
            s_buf[ns] = nodes_buf[i]
            e_buf[ns] = nodes_buf[i + 1] + 1
            ns += 1
        i += 2
    return ns


@numba.njit(**_JIT)
def _pyt_overlap(ca, na, ta, cb, nb, tb, has_bounds, bw, bh, scratch):
    """vot 0.7.4 ``_calculate_overlap`` for a rectangle/polygon pair (data rounded half-to-even)."""
    ra = np.empty(na, np.float64)
    rb = np.empty(nb, np.float64)
    for i in range(na):
        ra[i] = np.round(np.float64(ca[i]))
    for i in range(nb):
        rb[i] = np.round(np.float64(cb[i]))
    a0, a1, a2, a3 = _pyt_bounds(ra, na, ta)
    c0, c1, c2, c3 = _pyt_bounds(rb, nb, tb)
    u0 = min(a0, c0)
    u1 = min(a1, c1)
    u2 = max(a2, c2)
    u3 = max(a3, c3)
    if u0 >= u2 or u1 >= u3:
        return 1.0
    if has_bounds:
        q0 = max(0, u0)
        q1 = max(0, u1)
        q2 = min(bw - 1, u2)
        q3 = min(bh - 1, u3)
    else:
        q0, q1, q2, q3 = u0, u1, u2, u3
    if q0 >= q2 or q1 >= q3:
        return 0.0
    width = q2 - q0 + 1
    height = q3 - q1 + 1
    nodes = scratch[0]
    sa, ea, sb, eb, msa, mea, msb, meb = _span_buffers(scratch)
    tot_a = 0
    tot_b = 0
    tot_i = 0
    for y in range(height):
        ka = _pyt_row_spans(ra, na, ta, y, q0, q1, q2, q3, width, height, nodes, sa, ea)
        kb = _pyt_row_spans(rb, nb, tb, y, q0, q1, q2, q3, width, height, nodes, sb, eb)
        if ka <= 1 and kb <= 1:  # the common case, written out: calling _row_stats costs ~30 ns a row
            la = ea[0] - sa[0] if ka == 1 and ea[0] > sa[0] else 0
            lb = eb[0] - sb[0] if kb == 1 and eb[0] > sb[0] else 0
            tot_a += la
            tot_b += lb
            if la > 0 and lb > 0:
                li = min(ea[0], eb[0]) - max(sa[0], sb[0])
                if li > 0:
                    tot_i += li
        else:
            la, lb, li = _row_stats(sa, ea, ka, sb, eb, kb, msa, mea, msb, meb)
            tot_a += la
            tot_b += lb
            tot_i += li
    union = tot_a + tot_b - tot_i
    if union > 0:
        return tot_i / union
    return 0.0


@numba.njit(**_JIT)
def _overlaps_kernel(ta, ca, na, tb, cb, nb, conv, legacy, has_bounds, bw, bh):
    n = ta.shape[0]
    out = np.empty(n, np.float64)
    scratch = np.empty((10, max(ca.shape[1], cb.shape[1]) + 2), np.int64)
    if conv == 3:  # pst: RegionBounds(0, H, 0, W)
        bl, bt, br, bb = 0.0, 0.0, bw, bh
    else:  # leg: [0, W-1] x [0, H-1]
        bl, bt, br, bb = 0.0, 0.0, bw - 1.0, bh - 1.0
    if not has_bounds:
        bl, bt, br, bb = -np.inf, -np.inf, np.inf, np.inf
    for i in range(n):
        if ta[i] == _T_EMPTY or tb[i] == _T_EMPTY:
            out[i] = np.nan
        elif conv == 2:
            out[i] = _pyt_overlap(ca[i, :na[i]], na[i], ta[i], cb[i, :nb[i]], nb[i], tb[i], has_bounds,
                                  int(bw), int(bh), scratch)
        else:
            out[i] = _trax_overlap(ca[i], na[i], ta[i], cb[i], nb[i], tb[i], conv == 1 or conv == 4, legacy,
                                   conv == 4,
                                   bl, bt, br, bb, scratch)
    return out


# ----------------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------------


def _check(convention: str, legacy: bool, bounds) -> tuple[int, bool, float, float]:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown overlap convention {convention!r}; expected one of {sorted(CONVENTIONS)}")
    conv = CONVENTIONS[convention]
    if legacy and conv == CONVENTIONS["pyt"]:
        raise ValueError("legacy rasterisation exists only in the TraX conventions (leg2017, leg2019, pst)")
    if bounds is None:
        return conv, False, 0.0, 0.0
    w, h = bounds
    if not (w > 0 and h > 0):
        raise ValueError(f"bounds must be (width, height) > 0, got {bounds!r}")
    return conv, True, float(w), float(h)


def vot_overlaps(
    regions_a: Sequence[Region] | np.ndarray,
    regions_b: Sequence[Region] | np.ndarray,
    bounds: tuple[float, float] | None = None,
    convention: str = "leg2017",
    legacy: bool = False,
) -> np.ndarray:
    """Per-frame VOT overlap of two equally long region lists/arrays, ``(N,) float64``.

    NaN where either side is a special code or a NaN row. ``bounds=(W, H)`` is the image size (see the
    module docstring for how each convention clips). One numba pass over packed arrays.
    """
    conv, has_b, bw, bh = _check(convention, legacy, bounds)
    ta, ca, na = pack_regions(regions_a)
    tb, cb, nb = pack_regions(regions_b)
    if ta.shape[0] != tb.shape[0]:
        raise ValueError(f"region lists differ in length: {ta.shape[0]} != {tb.shape[0]}")
    return _overlaps_kernel(ta, ca, na, tb, cb, nb, conv, bool(legacy), has_b, bw, bh)


def vot_overlaps_runs(
    runs: Sequence[Sequence[Region]],
    groundtruth: Sequence[Region] | np.ndarray,
    bounds: tuple[float, float] | None = None,
    convention: str = "leg2017",
    legacy: bool = False,
) -> np.ndarray:
    """Overlaps of several runs against one ground truth, ``(R, N)``; frames where a run repeats run 1
    exactly (deterministic trackers repeat runs verbatim) are not rasterised again."""
    conv, has_b, bw, bh = _check(convention, legacy, bounds)
    tg, cg, ng = pack_regions(groundtruth)
    n = tg.shape[0]
    if not runs:
        return np.zeros((0, n))
    packed = [pack_regions(r) for r in runs]
    for i, (t, _, _) in enumerate(packed):
        if t.shape[0] != n:
            raise ValueError(f"run {i + 1}: {t.shape[0]} frames, ground truth has {n}")
    out = np.empty((len(runs), n))
    t0, c0, n0 = packed[0]
    out[0] = _overlaps_kernel(t0, c0, n0, tg, cg, ng, conv, bool(legacy), has_b, bw, bh)
    for r in range(1, len(runs)):
        t, c, m = packed[r]
        out[r] = out[0]
        if c.shape[1] == c0.shape[1]:
            diff = (t != t0) | (m != n0) | (c != c0).any(axis=1)
        else:
            diff = np.ones(n, dtype=bool)
        if diff.any():
            out[r, diff] = _overlaps_kernel(t[diff], c[diff], m[diff], tg[diff], cg[diff], ng[diff], conv,
                                            bool(legacy), has_b, bw, bh)
    return out


def vot_overlap(
    a: Region,
    b: Region,
    bounds: tuple[float, float] | None = None,
    convention: str = "leg2017",
    legacy: bool = False,
) -> float:
    """VOT overlap of two regions (rectangle ``x,y,w,h`` or polygon); NaN for special codes."""
    conv, has_b, bw, bh = _check(convention, legacy, bounds)
    if isinstance(a, (int, np.integer)) or isinstance(b, (int, np.integer)):
        return float("nan")
    va = np.asarray(a, dtype=np.float64).ravel()
    vb = np.asarray(b, dtype=np.float64).ravel()
    for name, v in (("a", va), ("b", vb)):
        if v.size != 4 and (v.size < 6 or v.size % 2):
            raise ValueError(f"region {name}: expected 4 values (rectangle) or an even count >= 6 (polygon), "
                             f"got {v.size}")
    if np.isnan(va).any() or np.isnan(vb).any():
        return float("nan")
    k = max(va.size, vb.size)
    ca = np.zeros((1, k), np.float32)
    cb = np.zeros((1, k), np.float32)
    ca[0, : va.size] = va
    cb[0, : vb.size] = vb
    ta = np.array([_T_RECT if va.size == 4 else _T_POLY], np.int8)
    tb = np.array([_T_RECT if vb.size == 4 else _T_POLY], np.int8)
    na = np.array([va.size], np.int32)
    nb = np.array([vb.size], np.int32)
    return float(_overlaps_kernel(ta, ca, na, tb, cb, nb, conv, bool(legacy), has_b, bw, bh)[0])


def clip_boxes(boxes: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Clip ``(N, 4)`` ``x,y,w,h`` boxes to the image ``[0, W] x [0, H]`` (G10 ``rect_iou(bound=...)``)."""
    boxes = np.atleast_2d(np.asarray(boxes, dtype=np.float64))
    w, h = bounds
    x1 = np.clip(boxes[:, 0], 0, w)
    y1 = np.clip(boxes[:, 1], 0, h)
    x2 = np.clip(boxes[:, 0] + boxes[:, 2], 0, w)
    y2 = np.clip(boxes[:, 1] + boxes[:, 3], 0, h)
    return np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)
