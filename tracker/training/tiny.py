"""A tiny stand-in with SiamRPN's interface (``forward(z, x) -> (cls [B,2k,17,17], loc [B,4k,17,17])``) for
fast tests and smoke runs of the training machinery (config ``model = "tiny"``); never used for real weights."""
from __future__ import annotations

import torch
from torch import nn

from tracker.network import xcorr_grouped


class TinySiamRPN(nn.Module):
    """8x average pooling + 1x1 conv + BN as the "backbone", 1x1 convs as the template kernel branches."""

    def __init__(self, anchor_num: int = 5, channels: int = 4):
        super().__init__()
        self.k, self.c = anchor_num, channels
        self.pool = nn.AvgPool2d(8)
        self.conv = nn.Conv2d(3, channels, 1)
        self.bn = nn.BatchNorm2d(channels)
        self.kernel_cls = nn.Conv2d(channels, channels * 2 * anchor_num, 1)
        self.kernel_loc = nn.Conv2d(channels, channels * 4 * anchor_num, 1)
        self.search_loc = nn.Conv2d(channels, channels, 1)

    def _features(self, img: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(self.pool(img / 255.0)))

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        zf, xf = self._features(z), self._features(x)  # 127 -> 15, 255 -> 31
        b, n = z.shape[0], zf.shape[-1] ** 2 * self.c
        kc = self.kernel_cls(zf).view(b, 2 * self.k, self.c, zf.shape[-2], zf.shape[-1])
        kl = self.kernel_loc(zf).view(b, 4 * self.k, self.c, zf.shape[-2], zf.shape[-1])
        return xcorr_grouped(xf, kc) / n, xcorr_grouped(self.search_loc(xf), kl) / n
