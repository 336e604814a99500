"""Online hard-negative mining for the RPN classification loss.

Random sampling of 48 negatives among ~1,400 background anchors almost never picks the few anchors on a
look-alike distractor, so the classifier learns the easy background and stays over-confident on distractors
(the failure the quality diagnosis attributes to classification). Mining adds, per pair, the ``k`` anchors of
the negative pool with the highest foreground log-odds under the current network (OHEM, Shrivastava et al. 2016;
DaSiamRPN's distractor-aware training motivates the same emphasis).
"""
from __future__ import annotations

import torch

__all__ = ["mine_hard_negatives"]


@torch.no_grad()
def mine_hard_negatives(cls: torch.Tensor, labels: torch.Tensor, pool: torch.Tensor, k: int) -> torch.Tensor:
    """Return ``labels`` with up to ``k`` more negatives (0) per pair: the unlabelled anchors of ``pool`` with
    the highest foreground log-odds ``cls[fg] - cls[bg]``.

    ``cls`` [B, 2k_a, S, S] (background channels first, as :func:`tracker.training.loss.rpn_loss` reads them),
    ``labels`` [B, N] (1/0/-1), ``pool`` [B, N] bool. Anchors already labelled keep their label.
    """
    if k <= 0:
        return labels
    b = cls.shape[0]
    logits = cls.detach().float().reshape(b, 2, -1)
    margin = logits[:, 1] - logits[:, 0]
    free = pool & (labels < 0)
    margin = margin.masked_fill(~free, float("-inf"))
    top = margin.topk(min(k, margin.shape[1]), dim=1)
    chosen = torch.zeros_like(free)
    chosen.scatter_(1, top.indices, torch.isfinite(top.values))
    out = labels.clone()
    out[chosen] = 0
    return out
