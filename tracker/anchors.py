"""Anchors and cosine window of SiamRPN (pure numpy; ``docs/tracker.md``, pysot ``pysot/utils/anchor.py``)."""
from __future__ import annotations

import numpy as np

__all__ = ["anchor_shapes", "generate_anchors", "cosine_window", "center_mask"]


def anchor_shapes(stride: int = 8, ratios=(0.33, 0.5, 1.0, 2.0, 3.0), scales=(8,)) -> np.ndarray:
    """(k, 2) anchor widths/heights: ``ws = int(sqrt(stride²/r))``, ``hs = int(ws·r)``, times each scale.

    The int truncations are part of the released models: 104x32, 88x40, 64x64, 40x80, 32x96.
    """
    size = stride * stride
    out = []
    for r in ratios:
        ws = int(np.sqrt(size / r))
        hs = int(ws * r)
        for s in scales:
            out.append((ws * s, hs * s))
    return np.asarray(out, dtype=np.float32)


def generate_anchors(score_size: int, stride: int = 8, ratios=(0.33, 0.5, 1.0, 2.0, 3.0),
                     scales=(8,)) -> np.ndarray:
    """Anchor table ``(k·S·S, 4)`` of ``cx, cy, w, h`` in crop pixels relative to the crop centre.

    Row ``j = a·S·S + y·S + x`` (anchor-major, then row, then column); centres start at
    ``-(S // 2)·stride`` (integer division: pysot; not DaSiamRPN's Python-3 half-cell shift).
    """
    shapes = anchor_shapes(stride, ratios, scales)
    k = len(shapes)
    ori = -(score_size // 2) * stride
    grid = ori + stride * np.arange(score_size, dtype=np.float32)
    xx, yy = np.meshgrid(grid, grid)  # yy varies along rows (y), xx along columns (x)
    anchors = np.empty((k, score_size * score_size, 4), dtype=np.float32)
    anchors[:, :, 0] = xx.ravel()[None]
    anchors[:, :, 1] = yy.ravel()[None]
    anchors[:, :, 2] = shapes[:, 0:1]
    anchors[:, :, 3] = shapes[:, 1:2]
    return anchors.reshape(-1, 4)


def cosine_window(score_size: int, anchor_num: int) -> np.ndarray:
    """Hanning window ``outer(hanning(S), hanning(S))`` flattened and tiled k times (not normalised)."""
    w = np.outer(np.hanning(score_size), np.hanning(score_size))
    return np.tile(w.ravel(), anchor_num)


def center_mask(score_size: int, anchor_num: int, center_size: int | None) -> np.ndarray:
    """Boolean ``(k·S·S,)``: True for anchors in the centre g×g cells (paper §4.3); all True for ``None``."""
    if center_size is None or center_size >= score_size:
        return np.ones(anchor_num * score_size * score_size, dtype=bool)
    lo = score_size // 2 - center_size // 2
    cell = np.zeros((score_size, score_size), dtype=bool)
    cell[lo:lo + center_size, lo:lo + center_size] = True
    return np.tile(cell.ravel(), anchor_num)
