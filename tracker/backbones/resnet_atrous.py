"""pysot's atrous ResNet-50 (the ``siamrpn_r50_l234_dwxcorr`` backbone, SiamRPN++ §3.3), written here from its
description.

Differences from torchvision's ResNet-50 that the released tracking weights depend on:

* the 7x7 stride-2 stem conv has **no padding** (the 3x3 stride-2 max-pool keeps its padding 1);
* a stride-2 bottleneck's 3x3 conv has no padding, and the shortcut of the first block of ``layer2`` is a
  **3x3** stride-2 conv without padding (not a 1x1), so both branches give the same size;
* ``layer3`` and ``layer4`` keep stride 1 and are dilated (2 and 4). Their first block halves the dilation of its
  3x3 conv (1 and 2), and its shortcut is a 3x3 conv with that halved dilation and padding;
* no classifier; the outputs of ``used_layers`` (default 2, 3, 4 -> 512, 1024, 2048 channels) are returned.

A 127 exemplar gives 15x15 maps and a 255 search region 31x31 (stride 8). Module names follow pysot (``conv1``,
``bn1``, ``layerN.i.{conv1..3, bn1..3, downsample.0/1}``) so the released ``backbone.*`` keys map one to one.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["Bottleneck", "ResNetAtrous", "resnet50_atrous"]


class Bottleneck(nn.Module):
    """1x1 -> 3x3 (stride / dilation) -> 1x1 (x4 channels), BN after each, ReLU, residual sum, ReLU.

    Padding of the 3x3 conv: 0 for stride 2, 1 for stride 1, the dilation when dilated; a block with a shortcut
    projection in a dilated stage uses half the stage's dilation.
    """

    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 dilation: int = 1) -> None:
        super().__init__()
        if downsample is not None and dilation > 1:
            dilation //= 2
        if stride != 1 and dilation != 1:
            raise ValueError("Bottleneck: a block is either strided or dilated")
        padding = dilation if dilation > 1 else (0 if stride == 2 else 1)
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, padding, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNetAtrous(nn.Module):
    """Stem + layer1..layer4 (bottleneck counts ``blocks``) at stride 8; ``forward`` returns the maps of
    ``used_layers`` (0 = the stem before the max-pool, 1..4 = the stages) as a list."""

    def __init__(self, blocks: tuple[int, int, int, int] = (3, 4, 6, 3), used_layers: tuple[int, ...] = (2, 3, 4)
                 ) -> None:
        super().__init__()
        if not used_layers or any(i < 0 or i > 4 for i in used_layers):
            raise ValueError(f"ResNetAtrous: used_layers must lie in 0..4, got {used_layers}")
        self.used_layers = tuple(used_layers)
        self._cin = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._stage(64, blocks[0])
        self.layer2 = self._stage(128, blocks[1], stride=2)
        self.layer3 = self._stage(256, blocks[2], dilation=2)
        self.layer4 = self._stage(512, blocks[3], dilation=4)
        widths = [64, 256, 512, 1024, 2048]
        self.out_channels = [widths[i] for i in self.used_layers]

    def _stage(self, planes: int, n: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
        cout = planes * Bottleneck.expansion
        downsample = None
        if stride != 1 or self._cin != cout:
            if stride == 1 and dilation == 1:  # layer1: channel projection only
                conv = nn.Conv2d(self._cin, cout, 1, bias=False)
            else:  # 3x3 shortcut: stride 2 without padding, or half the stage's dilation with that padding
                d = dilation // 2 if dilation > 1 else 1
                conv = nn.Conv2d(self._cin, cout, 3, stride, d if dilation > 1 else 0, dilation=d, bias=False)
            downsample = nn.Sequential(conv, nn.BatchNorm2d(cout))
        layers = [Bottleneck(self._cin, planes, stride, downsample, dilation)]
        self._cin = cout
        layers += [Bottleneck(cout, planes, dilation=dilation) for _ in range(1, n)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        stem = self.relu(self.bn1(self.conv1(x)))
        outs = [stem]
        x = self.maxpool(stem)
        for i in range(1, max(self.used_layers) + 1):
            x = getattr(self, f"layer{i}")(x)
            outs.append(x)
        return [outs[i] for i in self.used_layers]


def resnet50_atrous(used_layers: tuple[int, ...] = (2, 3, 4)) -> ResNetAtrous:
    """pysot ``resnet_atrous.resnet50``: bottleneck counts 3, 4, 6, 3."""
    return ResNetAtrous((3, 4, 6, 3), used_layers)
