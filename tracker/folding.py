"""Batch-norm folding, the exact inference rewrite shared by the fast paths and the backbones."""
from __future__ import annotations

import copy

import torch
from torch import nn

__all__ = ["fold_bn"]


def fold_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """Conv followed by eval-mode BN -> one conv: ``W' = W·γ/σ``, ``b' = (b - μ)·γ/σ + β``, σ = sqrt(var + eps)."""
    out = copy.deepcopy(conv)
    with torch.no_grad():
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        out.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        out.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
    return out
