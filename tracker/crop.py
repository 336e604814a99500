"""Mean-padding square crop (``get_subwindow`` of DaSiamRPN ``code/utils.py`` / pysot ``base_tracker.py``).

Pure numpy + ``cv2.resize``. The corner is ``round(c - (sz + 1) / 2)`` so the crop centre sits at
``xmin + (sz - 1) / 2``, about one pixel up-left of the requested centre; that quirk is kept because
released weights were trained and tuned with it.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["round_half", "round_size", "get_subwindow", "crop_box", "patch_to_chw"]


def round_half(x: float, mode: str = "floor_half") -> float:
    """Round a crop corner: ``floor_half`` = pysot ``floor(x + 0.5)``; ``half_away`` = Python-2 ``round``."""
    if mode == "floor_half":
        return math.floor(x + 0.5)
    if mode == "half_away":
        return math.copysign(math.floor(abs(x) + 0.5), x)
    raise ValueError(f"unknown rounding mode {mode!r}")


def round_size(x: float, mode: str = "floor_half") -> int:
    """Round a crop side: pysot (Python 3) uses built-in ``round`` (ties to even), DaSiamRPN Python-2 ``round``."""
    return int(round(x)) if mode == "floor_half" else int(round_half(x, "half_away"))


def crop_box(center: tuple[float, float], original_sz: int, rounding: str = "floor_half") -> tuple[int, int, int, int]:
    """Inclusive pixel box ``(xmin, ymin, xmax, ymax)`` of the square crop of side ``original_sz``."""
    c = (original_sz + 1) / 2
    xmin = int(round_half(center[0] - c, rounding))
    ymin = int(round_half(center[1] - c, rounding))
    return xmin, ymin, xmin + original_sz - 1, ymin + original_sz - 1


def get_subwindow(image: np.ndarray, center: tuple[float, float], model_sz: int, original_sz: int,
                  avg_chans: np.ndarray, rounding: str = "floor_half") -> np.ndarray:
    """Square crop of side ``original_sz`` around ``center`` (0-based x, y), padded with ``avg_chans``
    (stored into uint8, i.e. truncated, as the references do) and resized to ``model_sz`` (bilinear).

    Returns ``(model_sz, model_sz, C)`` float32.
    """
    if original_sz < 1:
        raise ValueError(f"crop side must be >= 1, got {original_sz}")
    h, w = image.shape[:2]
    xmin, ymin, xmax, ymax = crop_box(center, original_sz, rounding)
    x0, y0 = max(xmin, 0), max(ymin, 0)
    x1, y1 = min(xmax, w - 1), min(ymax, h - 1)
    if xmin >= 0 and ymin >= 0 and xmax < w and ymax < h:
        patch = image[ymin:ymax + 1, xmin:xmax + 1]
    else:
        patch = np.empty((original_sz, original_sz, image.shape[2]), dtype=image.dtype)
        patch[...] = np.asarray(avg_chans, dtype=np.float64).astype(image.dtype) if image.dtype == np.uint8 \
            else avg_chans
        if x1 >= x0 and y1 >= y0:
            patch[y0 - ymin:y1 - ymin + 1, x0 - xmin:x1 - xmin + 1] = image[y0:y1 + 1, x0:x1 + 1]
    if original_sz != model_sz:
        patch = cv2.resize(patch, (model_sz, model_sz))
    return np.ascontiguousarray(patch, dtype=np.float32)


def patch_to_chw(patch: np.ndarray) -> np.ndarray:
    """HWC float patch -> CHW float32 (BGR order kept, values 0-255, no normalisation)."""
    return np.ascontiguousarray(patch.transpose(2, 0, 1), dtype=np.float32)
