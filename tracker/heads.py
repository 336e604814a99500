"""The depthwise-correlation RPN head (DW-XCorr, SiamRPN++ §3.4; module layout and key names of pysot
``pysot/models/head/rpn.py`` ``DepthwiseXCorr`` / ``DepthwiseRPN``, written here from that description).

Per branch (cls with 2k outputs, loc with 4k): ``conv_kernel`` (3x3 conv without bias, BN, ReLU) on the template
features, ``conv_search`` (the same) on the search features, a depthwise cross-correlation (every channel of the
search map with the same channel of the template map), then ``head`` (1x1 conv, BN, ReLU, 1x1 conv with bias).
Compared with the paper's UP-channel head (F x 2k x F and F x 4k x F kernels) it has ~10x fewer parameters, and
the correlation keeps F channels for the 1x1 head to mix, which is why pysot ships its SiamRPN models with it.

The template side (``conv_kernel``) runs once per sequence: :meth:`DepthwiseRPN.template` returns the
per-sample kernels; :meth:`DepthwiseRPN.detect` correlates search features with them.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["xcorr_depthwise", "DepthwiseXCorr", "DepthwiseRPN"]


def xcorr_depthwise(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Channel-by-channel correlation: ``x`` ``[B, C, H, W]``, ``kernel`` ``[B, C, h, w]`` ->
    ``[B, C, H-h+1, W-w+1]`` in one grouped conv (pysot ``xcorr_depthwise``). A kernel batch of 1 is broadcast."""
    b, c, h, w = x.shape
    kb, kc, kh, kw = kernel.shape
    if kc != c:
        raise ValueError(f"xcorr_depthwise: search has {c} channels, kernel {kc}")
    if kb == 1 and b > 1:
        return F.conv2d(x, kernel.reshape(c, 1, kh, kw), groups=c)
    if kb != b:
        raise ValueError(f"xcorr_depthwise: {b} search samples but {kb} kernels")
    out = F.conv2d(x.reshape(1, b * c, h, w), kernel.reshape(b * c, 1, kh, kw), groups=b * c)
    return out.view(b, c, out.shape[-2], out.shape[-1])


def _conv_bn_relu(cin: int, cout: int, k: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DepthwiseXCorr(nn.Module):
    """One branch of the DW-XCorr head: ``in_channels`` features -> ``hidden`` -> ``out_channels`` maps."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv_kernel = _conv_bn_relu(in_channels, hidden, kernel_size)
        self.conv_search = _conv_bn_relu(in_channels, hidden, kernel_size)
        self.head = nn.Sequential(nn.Conv2d(hidden, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
                                  nn.ReLU(inplace=True), nn.Conv2d(hidden, out_channels, 1))

    def correlate(self, xf: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """Search features (before ``conv_search``) against kernels (after ``conv_kernel``)."""
        return self.head(xcorr_depthwise(self.conv_search(xf), kernel))

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> torch.Tensor:
        return self.correlate(xf, self.conv_kernel(zf))


class DepthwiseRPN(nn.Module):
    """Classification (2k channels, background logits first) and regression (4k, coordinate-major) branches."""

    def __init__(self, anchor_num: int = 5, in_channels: int = 256, hidden: int = 256) -> None:
        super().__init__()
        self.cls = DepthwiseXCorr(in_channels, hidden, 2 * anchor_num)
        self.loc = DepthwiseXCorr(in_channels, hidden, 4 * anchor_num)

    def template(self, zf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Template features -> ``(cls kernel, loc kernel)``, each ``[B, hidden, h, w]``."""
        return self.cls.conv_kernel(zf), self.loc.conv_kernel(zf)

    def detect(self, xf: torch.Tensor, cls_kernel: torch.Tensor, loc_kernel: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cls.correlate(xf, cls_kernel), self.loc.correlate(xf, loc_kernel)

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.detect(xf, *self.template(zf))
