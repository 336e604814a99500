"""pysot's dilated MobileNetV2 (the ``siamrpn_mobilev2_l234_dwxcorr`` backbone), written here from its description.

Differences from the classifier (Sandler et al. 2018) that the released tracking weights depend on:

* the stem is a 3x3 stride-2 conv **without padding**, and every stride-2 block's depthwise conv has no padding
  either (stride-1 blocks pad by 1, dilated blocks by their dilation), so a 127 exemplar gives 15x15 maps and a
  255 search region 31x31 (stride 8);
* stages 4-7 keep stride 1 and are dilated instead (dilation 2 for stages 4-5, 4 for stages 6-7; the first block
  of a stage whose dilation grows uses half of it), so the total stride stays 8;
* every inverted-residual block keeps its 1x1 expansion conv, even with expansion ratio 1 (stage 1);
* there is no final 1x1 conv or classifier; the outputs of stages ``used_layers`` (default 3, 5, 7) are returned.

Module names follow pysot (``layer0`` = stem conv + BN + ReLU6, ``layerN.i.conv.{0..7}``) so the released
``backbone.*`` keys map one to one. Inputs are the tracker's BGR 0-255 crops, unnormalised (as pysot feeds them).
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["MOBILENETV2_STAGES", "InvertedResidual", "MobileNetV2Dilated"]

#: stages 1-7: (expansion t, channels c at width 1, blocks n, stride s of the first block, dilation d)
MOBILENETV2_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2),
    (6, 96, 3, 1, 2), (6, 160, 3, 1, 4), (6, 320, 1, 1, 4),
)


class InvertedResidual(nn.Module):
    """1x1 expansion -> 3x3 depthwise (stride, dilation) -> 1x1 projection; BN after each, ReLU6 after the first
    two; a residual sum when the block keeps both the resolution and the channel count.

    Padding: 0 for stride 2, 1 for stride 1, the dilation when dilated (pysot's rule; it decides the map sizes).
    """

    def __init__(self, cin: int, cout: int, stride: int, expand: int, dilation: int = 1) -> None:
        super().__init__()
        hidden = cin * expand
        padding = dilation if dilation > 1 else (0 if stride == 2 else 1)
        self.residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, padding, dilation=dilation, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2Dilated(nn.Module):
    """Stem + stages 1-7 at stride 8; ``forward`` returns the maps of ``used_layers`` as a list.

    ``width_mult`` 1.4 (the released model) gives stage widths 22, 33, 44, 89, 134, 224, 448 and a 44-channel
    stem; ``out_channels`` lists the channels of the returned maps ([44, 134, 448] for layers 3, 5, 7).
    """

    def __init__(self, width_mult: float = 1.4, used_layers: tuple[int, ...] = (3, 5, 7)) -> None:
        super().__init__()
        if not used_layers or any(i < 0 or i > len(MOBILENETV2_STAGES) for i in used_layers):
            raise ValueError(f"MobileNetV2Dilated: used_layers must lie in 0..7, got {used_layers}")
        self.used_layers = tuple(used_layers)
        cin = int(32 * width_mult)  # the same int() truncation as the released model's shapes
        self.layer0 = nn.Sequential(nn.Conv2d(3, cin, 3, 2, 0, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(inplace=True))
        widths = [cin]
        prev_dilation = 1
        for idx, (t, c, n, s, d) in enumerate(MOBILENETV2_STAGES, start=1):
            cout = int(c * width_mult)
            first_dilation = d if d == prev_dilation else max(d // 2, 1)
            blocks = [InvertedResidual(cin if i == 0 else cout, cout, s if i == 0 else 1, t,
                                       first_dilation if i == 0 else d) for i in range(n)]
            self.add_module(f"layer{idx}", nn.Sequential(*blocks))
            cin, prev_dilation = cout, d
            widths.append(cout)
        self.out_channels = [widths[i] for i in self.used_layers]
        self._last = max(self.used_layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = []
        for i in range(self._last + 1):
            x = getattr(self, f"layer{i}")(x)
            outs.append(x)
        return [outs[i] for i in self.used_layers]
