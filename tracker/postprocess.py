"""Proposal selection of SiamRPN (paper §4.3, Eq. 12-14; update steps in ``docs/tracker.md``).

Pure numpy functions on one sample's score maps. Coordinates are crop pixels relative to the crop
centre (the frame of :func:`tracker.anchors.generate_anchors`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["softmax_fg", "decode", "change", "pad_size", "scale_ratio_penalty", "nms_cxcywh",
           "Proposal", "select_proposal", "update_state"]


_MAX_LOG_SCALE = 30.0


def softmax_fg(cls: np.ndarray) -> np.ndarray:
    """Foreground probability per anchor from ``cls (2k, S, S)`` (channels: k bg logits, then k fg).

    Returns ``(k·S·S,)`` ordered ``a·S·S + y·S + x``. Computed as ``1 / (1 + exp(bg - fg))`` = softmax
    (in the overflow-free ``exp(-logaddexp(0, bg - fg))`` form).
    """
    k2 = cls.shape[0]
    c = cls.reshape(2, k2 // 2 * cls.shape[1] * cls.shape[2]).astype(np.float64)
    return np.exp(-np.logaddexp(0.0, c[0] - c[1]))


def decode(loc: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Eq. 12: ``loc (4k, S, S)`` deltas -> ``(4, k·S·S)`` boxes ``cx, cy, w, h`` (no variance scaling).

    ``dw, dh`` are clipped to ±``_MAX_LOG_SCALE`` (a 10^13-fold size change) only to keep degenerate
    networks finite; trained networks never get there, so results equal the references.
    """
    d = loc.reshape(4, -1).astype(np.float64)
    d[2:] = np.clip(d[2:], -_MAX_LOG_SCALE, _MAX_LOG_SCALE)
    a = anchors.astype(np.float64)
    return np.stack([d[0] * a[:, 2] + a[:, 0], d[1] * a[:, 3] + a[:, 1],
                     np.exp(d[2]) * a[:, 2], np.exp(d[3]) * a[:, 3]])


def change(r: np.ndarray) -> np.ndarray:
    """``max(r, 1/r)`` (Eq. 13)."""
    return np.maximum(r, 1.0 / r)


def pad_size(w: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Eq. 14: overall scale ``s = sqrt((w + p)(h + p))`` with padding ``p = (w + h) / 2``."""
    p = (w + h) * 0.5
    return np.sqrt((w + p) * (h + p))


def scale_ratio_penalty(w: np.ndarray, h: np.ndarray, target_w: float, target_h: float,
                        penalty_k: float) -> np.ndarray:
    """Eq. 13: ``exp(-(change(r/r')·change(s/s') - 1)·k)`` with r = w/h (pysot/DaSiamRPN form).

    ``target_w, target_h`` are the previous size in crop pixels (already multiplied by ``scale_z``).
    """
    s_c = change(pad_size(w, h) / pad_size(np.float64(target_w), np.float64(target_h)))
    r_c = change((target_w / target_h) / (w / h))
    return np.exp(-(r_c * s_c - 1.0) * penalty_k)


def nms_cxcywh(boxes: np.ndarray, scores: np.ndarray, threshold: float, top_k: int) -> np.ndarray:
    """Greedy NMS over the ``top_k`` best of ``boxes (4, N)`` (cx, cy, w, h); indices of survivors, best first."""
    order = np.argsort(-scores, kind="stable")[:top_k]
    b = boxes[:, order]
    x1, y1 = b[0] - b[2] / 2, b[1] - b[3] / 2
    x2, y2 = b[0] + b[2] / 2, b[1] + b[3] / 2
    area = b[2] * b[3]
    iw = np.clip(np.minimum(x2[:, None], x2[None]) - np.maximum(x1[:, None], x1[None]), 0, None)
    ih = np.clip(np.minimum(y2[:, None], y2[None]) - np.maximum(y1[:, None], y1[None]), 0, None)
    inter = iw * ih
    iou = inter / (area[:, None] + area[None] - inter)
    keep = np.ones(len(order), dtype=bool)
    for i in range(len(order)):  # at most top_k (10) iterations
        if keep[i]:
            keep[i + 1:] &= iou[i, i + 1:] <= threshold
    return order[keep]


@dataclass(frozen=True)
class Proposal:
    """The selected proposal: ``box`` (cx, cy, w, h) in crop pixels relative to the crop centre,
    classification ``score``, ``penalty``, size learning-rate weight ``lr`` = penalty·score·LR, anchor ``index``,
    and (with NMS) the survivor ``candidates`` as ``(M, 5)`` rows cx, cy, w, h, pscore."""

    box: np.ndarray
    score: float
    penalty: float
    lr: float
    index: int
    candidates: np.ndarray | None = None


def select_proposal(cls: np.ndarray, loc: np.ndarray, anchors: np.ndarray, window: np.ndarray,
                    mask: np.ndarray, target_sz_crop: tuple[float, float], penalty_k: float,
                    window_influence: float, lr: float, nms_threshold: float | None = None,
                    nms_top_k: int = 10) -> Proposal:
    """Score, decode, penalise, window, mask (centre g×g cut) and pick the best proposal (``docs/tracker.md``, update steps 3-7)."""
    score = softmax_fg(cls)
    boxes = decode(loc, anchors)
    penalty = scale_ratio_penalty(boxes[2], boxes[3], target_sz_crop[0], target_sz_crop[1], penalty_k)
    pscore = penalty * score
    pscore = pscore * (1.0 - window_influence) + window * window_influence
    pscore = np.where(mask, pscore, -np.inf)
    candidates = None
    if nms_threshold is not None:
        keep = nms_cxcywh(boxes, pscore, nms_threshold, nms_top_k)
        best = int(keep[0])
        candidates = np.concatenate([boxes[:, keep], pscore[None, keep]]).T
    else:
        best = int(np.argmax(pscore))
    return Proposal(box=boxes[:, best].copy(), score=float(score[best]), penalty=float(penalty[best]),
                    lr=float(penalty[best] * score[best] * lr), index=best, candidates=candidates)


def update_state(center: np.ndarray, size: np.ndarray, proposal: Proposal, scale_z: float,
                 image_wh: tuple[int, int], min_size: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Steps 7-9: move the centre by the proposal offset, interpolate the size with ``proposal.lr``, clip.

    Returns new ``(center (2,), size (2,))`` in image pixels; clipping: ``cx ∈ [0, W]``, ``w ∈ [min_size, W]``.
    """
    box = proposal.box / scale_z
    cx, cy = center[0] + box[0], center[1] + box[1]
    w = size[0] * (1 - proposal.lr) + box[2] * proposal.lr
    h = size[1] * (1 - proposal.lr) + box[3] * proposal.lr
    W, H = image_wh
    cx, cy = min(max(cx, 0.0), W), min(max(cy, 0.0), H)
    w, h = min(max(w, min_size), W), min(max(h, min_size), H)
    return np.array([cx, cy]), np.array([w, h])
