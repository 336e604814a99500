"""Anchor targets for one search crop (paper Sec. 3.3; Faster R-CNN RPN labelling).

Anchors and boxes are ``(cx, cy, w, h)`` in search-crop pixels relative to the crop centre (the layout of
``tracker.anchors.generate_anchors``: anchor-major, then row, then column, so index ``j = a*S*S + y*S + x`` matches
``cls.view(B, 2, k*S*S)`` and ``loc.view(B, 4, k*S*S)``).

Labels: 1 positive (IoU > thr_high), 0 negative (IoU < thr_low), -1 ignored; at most ``pos_num`` positives and
``total_num`` samples in all (16 / 64 in the paper). Regression targets are the normalised offsets of Eq. 3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.training.config import TargetConfig


@dataclass(frozen=True)
class AnchorTargets:
    """Targets for one pair: ``labels`` (N,) int8, ``deltas`` (4, N) float32, ``reg_weight`` (N,) float32;
    ``neg_pool`` (N,) bool: the anchors that may be labelled negative (hard-negative mining draws from it)."""

    labels: np.ndarray
    deltas: np.ndarray
    reg_weight: np.ndarray
    neg_pool: np.ndarray | None = None


def iou_cxcywh(anchors: np.ndarray, box: np.ndarray) -> np.ndarray:
    """IoU of every anchor (N, 4) with one box (4,), both centre/size boxes (continuous areas)."""
    a = np.asarray(anchors, dtype=np.float64)
    b = np.asarray(box, dtype=np.float64)
    ax1, ay1 = a[:, 0] - a[:, 2] / 2, a[:, 1] - a[:, 3] / 2
    ax2, ay2 = a[:, 0] + a[:, 2] / 2, a[:, 1] + a[:, 3] / 2
    bx1, by1, bx2, by2 = b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(ax1, bx1), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(ay1, by1), 0, None)
    inter = iw * ih
    union = a[:, 2] * a[:, 3] + b[2] * b[3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def encode_deltas(anchors: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Eq. 3: ``((Tx-Ax)/Aw, (Ty-Ay)/Ah, ln(Tw/Aw), ln(Th/Ah))`` as a (4, N) array."""
    a = np.asarray(anchors, dtype=np.float64)
    return np.stack(
        [
            (box[0] - a[:, 0]) / a[:, 2],
            (box[1] - a[:, 1]) / a[:, 3],
            np.log(box[2] / a[:, 2]),
            np.log(box[3] / a[:, 3]),
        ]
    ).astype(np.float32)


def _subsample(idx: np.ndarray, keep: int, rng: np.random.Generator) -> np.ndarray:
    return idx if idx.size <= keep else rng.choice(idx, size=keep, replace=False)


def anchor_targets(
    anchors: np.ndarray,
    box: np.ndarray,
    negative: bool,
    cfg: TargetConfig,
    rng: np.random.Generator,
    score_size: int,
    stride: int = 8,
) -> AnchorTargets:
    """Label the anchors for a target ``box`` (cx, cy, w, h, crop-centred) in one search crop.

    For a negative pair (search crop centred on a different object) there are no positives and no regression:
    ``neg_pair_num`` negatives are drawn from anchors within ``neg_pair_radius`` cells of ``box``'s centre — the
    place where the tracker would otherwise fire on the distractor.
    """
    n = anchors.shape[0]
    labels = np.full(n, -1, dtype=np.int8)
    deltas = encode_deltas(anchors, box)
    reg_weight = np.zeros(n, dtype=np.float32)
    if negative:
        k = n // (score_size * score_size)
        origin = -(score_size // 2) * stride
        cx = int(np.clip(np.floor((box[0] - origin) / stride + 0.5), 0, score_size - 1))
        cy = int(np.clip(np.floor((box[1] - origin) / stride + 0.5), 0, score_size - 1))
        r = cfg.neg_pair_radius
        ys, xs = np.mgrid[max(0, cy - r) : min(score_size, cy + r + 1), max(0, cx - r) : min(score_size, cx + r + 1)]
        cells = (ys * score_size + xs).ravel()
        cand = (np.arange(k)[:, None] * score_size * score_size + cells[None, :]).ravel()
        labels[_subsample(cand, cfg.neg_pair_num, rng)] = 0
        return AnchorTargets(labels, deltas, reg_weight, np.ones(n, dtype=bool))
    iou = iou_cxcywh(anchors, box)
    pos = _subsample(np.flatnonzero(iou > cfg.thr_high), cfg.pos_num, rng)
    pool = iou < cfg.thr_low
    neg = _subsample(np.flatnonzero(pool), cfg.total_num - pos.size, rng)
    labels[pos] = 1
    labels[neg] = 0
    reg_weight[pos] = 1.0
    return AnchorTargets(labels, deltas, reg_weight, pool)
