"""Multi-level SiamRPN (SiamRPN++ §3.3-3.4, pysot's ``siamrpn_*_l234_dwxcorr`` models): three backbone stages,
each with its own 1x1 neck and depthwise-correlation RPN, the per-level score maps averaged.

Written here from the description of pysot's ``AdjustAllLayer`` (``pysot/models/neck/neck.py``) and ``MultiRPN``
(``pysot/models/head/rpn.py``); module names follow them so the released ``neck.*`` / ``rpn_head.*`` keys map one
to one.

* Neck (:class:`AdjustAllLayer`): per level a 1x1 conv without bias + BN to F channels (``downsample2``,
  ``downsample3``, ``downsample4``, each holding a ``downsample`` Sequential); on template maps the centre 7x7
  cells (15x15 for a 127 exemplar; SiamRPN++'s answer to the padded backbone). pysot decides "template" by the
  map width (< 20); here the caller says so, which gives the same maps for every usual search size.
* Head (:class:`MultiRPN`): ``rpn2``, ``rpn3``, ``rpn4``, each a :class:`tracker.heads.DepthwiseRPN`; the maps are
  averaged, or (``weighted``, the ResNet-50 model) combined with ``softmax(cls_weight)`` / ``softmax(loc_weight)``.

To keep one tensor per branch everywhere (trainer caches, :class:`tracker.network.Kernels`, the batched tracker),
the levels travel concatenated along channels: the backbone maps as ``[B, sum(in_channels), H, W]``, the neck
output as ``[B, L*F, H, W]`` and the kernels as ``[B, L*F, h, w]`` (level-major).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from tracker.backbones.mobilenet_v2 import MobileNetV2Dilated
from tracker.backbones.resnet_atrous import resnet50_atrous
from tracker.heads import DepthwiseRPN

__all__ = ["MultiLevelSpec", "MULTILEVEL", "AdjustLayer", "AdjustAllLayer", "MultiRPN", "build_multilevel_backbone"]


@dataclass(frozen=True)
class MultiLevelSpec:
    """A multi-level backbone: how to build it, the channels of its returned maps, the pysot model it matches."""

    name: str
    build: Callable[[], nn.Module]
    in_channels: tuple[int, ...]
    pysot: str


#: ``ModelConfig.backbone`` names of the multi-level backbones (``tracker.presets.MULTILEVEL_BACKBONES``)
MULTILEVEL: dict[str, MultiLevelSpec] = {s.name: s for s in (
    # pysot experiments/siamrpn_mobilev2_l234_dwxcorr: mobilenetv2, width_mult 1.4, used_layers [3, 5, 7]
    MultiLevelSpec("mobilenetv2_l234", lambda: MobileNetV2Dilated(1.4, (3, 5, 7)), (44, 134, 448),
                   "siamrpn_mobilev2_l234_dwxcorr"),
    # pysot experiments/siamrpn_r50_l234_dwxcorr: resnet_atrous.resnet50, LAYERS [2, 3, 4]
    MultiLevelSpec("resnet50_l234", lambda: resnet50_atrous((2, 3, 4)), (512, 1024, 2048),
                   "siamrpn_r50_l234_dwxcorr"),
)}


def build_multilevel_backbone(name: str) -> nn.Module:
    """The backbone of :data:`MULTILEVEL` ``name`` (its ``forward`` returns one map per level)."""
    try:
        spec = MULTILEVEL[name]
    except KeyError:
        raise ValueError(f"unknown multi-level backbone {name!r}; choose one of {', '.join(MULTILEVEL)}") from None
    net = spec.build()
    if tuple(net.out_channels) != spec.in_channels:
        raise AssertionError(f"{name}: backbone gives {net.out_channels} channels, table says {spec.in_channels}")
    return net


class AdjustLayer(nn.Module):
    """One level of the neck: 1x1 conv (no bias) + BN; templates keep the centre ``center_size`` cells."""

    def __init__(self, cin: int, cout: int, center_size: int = 7) -> None:
        super().__init__()
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.center_size = center_size

    def forward(self, x: torch.Tensor, template: bool = False) -> torch.Tensor:
        x = self.downsample(x)
        if template and x.shape[-1] > self.center_size:
            a = (x.shape[-1] - self.center_size) // 2
            x = x[:, :, a:a + self.center_size, a:a + self.center_size]
        return x


class AdjustAllLayer(nn.Module):
    """The per-level necks ``downsample2..``; takes and returns the levels concatenated along channels."""

    def __init__(self, in_channels: tuple[int, ...] | list[int], out_channels: int, center_size: int = 7) -> None:
        super().__init__()
        self.in_channels = tuple(in_channels)
        self.out_channels = out_channels
        for i, c in enumerate(self.in_channels):
            self.add_module(f"downsample{i + 2}", AdjustLayer(c, out_channels, center_size))

    def levels(self) -> list[AdjustLayer]:
        return [getattr(self, f"downsample{i + 2}") for i in range(len(self.in_channels))]

    def forward(self, x: torch.Tensor | list[torch.Tensor], template: bool = False) -> torch.Tensor:
        maps = torch.split(x, self.in_channels, dim=1) if isinstance(x, torch.Tensor) else x
        if len(maps) != len(self.in_channels) or any(m.shape[1] != c for m, c in zip(maps, self.in_channels)):
            raise ValueError(f"AdjustAllLayer: expected levels of {self.in_channels} channels, got "
                             f"{[int(m.shape[1]) for m in maps]}")
        return torch.cat([neck(m, template) for neck, m in zip(self.levels(), maps)], 1)


class MultiRPN(nn.Module):
    """``levels`` depthwise RPNs (``rpn2``..) on F-channel maps; their cls / loc maps averaged or, with
    ``weighted``, combined with the softmax of the learned ``cls_weight`` / ``loc_weight``."""

    def __init__(self, anchor_num: int = 5, channels: int = 256, levels: int = 3, weighted: bool = False) -> None:
        super().__init__()
        self.channels, self.levels, self.weighted = channels, levels, weighted
        for i in range(levels):
            self.add_module(f"rpn{i + 2}", DepthwiseRPN(anchor_num, channels, channels))
        if weighted:
            self.cls_weight = nn.Parameter(torch.ones(levels))
            self.loc_weight = nn.Parameter(torch.ones(levels))

    def heads(self) -> list[DepthwiseRPN]:
        return [getattr(self, f"rpn{i + 2}") for i in range(self.levels)]

    def _split(self, t: torch.Tensor, what: str) -> tuple[torch.Tensor, ...]:
        if t.shape[1] != self.levels * self.channels:
            raise ValueError(f"MultiRPN: {what} has {t.shape[1]} channels, expected {self.levels} levels x "
                             f"{self.channels}")
        return torch.split(t, self.channels, dim=1)

    def template(self, zf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Concatenated template features -> ``(cls kernels, loc kernels)``, each ``[B, L*F, h, w]``."""
        pairs = [rpn.template(z) for rpn, z in zip(self.heads(), self._split(zf, "template features"))]
        return torch.cat([p[0] for p in pairs], 1), torch.cat([p[1] for p in pairs], 1)

    def level_weights(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        """``(cls, loc)`` weights of the levels (softmax of the parameters); ``None`` for the plain average."""
        if not self.weighted:
            return None
        return F.softmax(self.cls_weight, 0), F.softmax(self.loc_weight, 0)

    def detect(self, xf: torch.Tensor, cls_kernel: torch.Tensor, loc_kernel: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        outs = [rpn.detect(x, ck, lk) for rpn, x, ck, lk in zip(
            self.heads(), self._split(xf, "search features"), self._split(cls_kernel, "cls kernel"),
            self._split(loc_kernel, "loc kernel"))]
        weights = self.level_weights()
        if weights is None:
            return sum(o[0] for o in outs) / len(outs), sum(o[1] for o in outs) / len(outs)
        wc, wl = weights
        return sum(o[0] * wc[i] for i, o in enumerate(outs)), sum(o[1] * wl[i] for i, o in enumerate(outs))

    def forward(self, zf: torch.Tensor, xf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.detect(xf, *self.template(zf))
