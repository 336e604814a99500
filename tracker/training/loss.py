"""SiamRPN loss (paper Eq. 3-6): softmax cross-entropy on the sampled anchors + lambda * smooth-L1 on the
normalised offsets of the positive anchors.

Normalisation (chosen so the loss does not depend on how a batch is split across DDP processes): each pair's
classification term is the mean cross-entropy over its sampled anchors (<= 64), its regression term the sum over the
4 coordinates of Eq. 4 averaged over its positives (0 when it has none); the batch loss is the mean over pairs.
Defaults: lambda = 1.2 (pysot's LOC_WEIGHT), sigma = 3 (the Faster R-CNN RPN value; the paper gives neither).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def smooth_l1(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Eq. 4: ``0.5 sigma^2 x^2`` if ``|x| < 1/sigma^2`` else ``|x| - 0.5/sigma^2`` (elementwise)."""
    s2 = sigma * sigma
    ax = x.abs()
    return torch.where(ax < 1.0 / s2, 0.5 * s2 * x * x, ax - 0.5 / s2)


def rpn_loss(
    cls: torch.Tensor,
    loc: torch.Tensor,
    labels: torch.Tensor,
    deltas: torch.Tensor,
    reg_weight: torch.Tensor,
    loc_weight: float = 1.2,
    sigma: float = 3.0,
    cls_weight: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(total, cls_loss, loc_loss)``.

    ``cls`` [B, 2k, S, S] (channel ``c*k + a``, background first), ``loc`` [B, 4k, S, S] (channel ``coord*k + a``),
    ``labels`` [B, N] int (1/0/-1), ``deltas`` [B, 4, N], ``reg_weight`` [B, N] with N = k*S*S.
    """
    b = cls.shape[0]
    logits = cls.float().reshape(b, 2, -1)  # [B, 2, N]
    pred = loc.float().reshape(b, 4, -1)  # [B, 4, N]
    valid = labels >= 0
    ce = F.cross_entropy(logits, labels.clamp(min=0).long(), reduction="none")  # [B, N]
    n_valid = valid.sum(1).clamp(min=1)
    cls_loss = ((ce * valid).sum(1) / n_valid).mean()
    per_anchor = smooth_l1(pred - deltas, sigma).sum(1)  # [B, N]
    n_pos = (reg_weight > 0).sum(1).clamp(min=1)
    loc_loss = ((per_anchor * reg_weight).sum(1) / n_pos).mean()
    return cls_weight * cls_loss + loc_weight * loc_loss, cls_loss, loc_loss
