"""The UP-channel SiamRPN network (paper §3; module names and layout of DaSiamRPN ``code/net.py``).

Input images are BGR float 0-255; the backbone applies its own normalisation (none for the paper's AlexNet,
RGB ``(x - 127) / 128`` inside the EfficientNet-Lite0 backbone). With Lite0 a neck (1x1 conv + BN to F channels)
follows the backbone and the template map is cut to its centre 8x8 cells (SiamRPN++'s answer to padding). ``template`` runs once per sequence and turns
the exemplar features into correlation kernels (one-shot detection, paper §4.1); ``detect`` runs the
search branch and correlates it with those kernels using one grouped convolution, so a batch of B
search crops is tracked against B different templates in a single pass.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from tracker.backbones.efficientnet_lite import Lite0Backbone
from tracker.heads import DepthwiseRPN
from tracker.multilevel import MULTILEVEL, AdjustAllLayer, MultiRPN, build_multilevel_backbone
from tracker.presets import ModelConfig

__all__ = ["Kernels", "SiamRPN", "Neck", "build_backbone", "xcorr_grouped", "feature_size"]


class Kernels(NamedTuple):
    """Per-sample detection kernels produced by the template branch.

    ``cls``: ``[B, 2k, F, h, w]``, ``loc``: ``[B, 4k, F, h, w]``. ``cls_bias``/``loc_bias`` are optional
    ``[B, 2k]``/``[B, 4k]`` biases (used when ``regress_adjust`` is folded into ``loc``; ``None`` otherwise).
    """

    cls: torch.Tensor
    loc: torch.Tensor
    cls_bias: torch.Tensor | None = None
    loc_bias: torch.Tensor | None = None

    @property
    def batch(self) -> int:
        return int(self.cls.shape[0])

    def select(self, index: torch.Tensor | list[int] | slice) -> "Kernels":
        """Kernels of a subset of the samples (same order as ``index``)."""
        def pick(t):
            return (None if t is None else t[index])
        return Kernels(pick(self.cls), pick(self.loc), pick(self.cls_bias), pick(self.loc_bias))

    @staticmethod
    def cat(parts: list["Kernels"]) -> "Kernels":
        """Concatenate kernels of several batches along the sample axis."""
        def join(ts):
            return None if ts[0] is None else torch.cat(ts, 0)
        return Kernels(*(join([getattr(p, f) for p in parts]) for f in Kernels._fields))


def build_backbone(cfg: ModelConfig) -> nn.Sequential:
    """Modified AlexNet (groups removed, BN after every conv, no padding), index layout of ``docs/tracker.md`` (network).

    Indices 0,1 / 4,5 / 8,9 / 11,12 / 14,15 hold conv/BN pairs so DaSiamRPN ``featureExtract.N`` and pysot
    ``backbone.features.N`` keys map one to one. Total stride 8; 127 -> 6x6, 255 -> 22x22 features.
    """
    c = cfg.channels
    return nn.Sequential(
        nn.Conv2d(c[0], c[1], 11, stride=2), nn.BatchNorm2d(c[1]), nn.MaxPool2d(3, 2), nn.ReLU(inplace=True),
        nn.Conv2d(c[1], c[2], 5), nn.BatchNorm2d(c[2]), nn.MaxPool2d(3, 2), nn.ReLU(inplace=True),
        nn.Conv2d(c[2], c[3], 3), nn.BatchNorm2d(c[3]), nn.ReLU(inplace=True),
        nn.Conv2d(c[3], c[4], 3), nn.BatchNorm2d(c[4]), nn.ReLU(inplace=True),
        nn.Conv2d(c[4], c[5], 3), nn.BatchNorm2d(c[5]),
    )


class Neck(nn.Module):
    """1x1 conv + BN from the backbone's channels to F; on template maps, the centre ``crop`` x ``crop`` cells.

    With a padded backbone the 127 template gives 16x16 cells; its centre 8x8 (cells 4..11) hold the target and
    its context, and the head's 3x3 conv turns them into 6x6 correlation kernels (score map 25 for 255).
    """

    def __init__(self, cin: int, cout: int, crop: int = 8) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.crop = crop

    def forward(self, x: torch.Tensor, template: bool = False) -> torch.Tensor:
        x = self.bn(self.conv(x))
        if template and x.shape[-1] > self.crop:
            a = (x.shape[-1] - self.crop) // 2
            x = x[:, :, a:a + self.crop, a:a + self.crop]
        return x


def feature_size(input_size: int) -> int:
    """Side of the backbone output for a square input (pure arithmetic of the layer table)."""
    n = (input_size - 11) // 2 + 1
    n = (n - 3) // 2 + 1
    n = n - 4
    n = (n - 3) // 2 + 1
    return n - 6


def xcorr_grouped(x: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """Correlate each sample's features with its own kernels in one grouped conv.

    ``x``: ``[B, F, H, W]``; ``kernel``: ``[B, O, F, h, w]`` -> ``[B, O, H-h+1, W-w+1]`` (pysot ``xcorr_fast``).
    A kernel batch of 1 is broadcast to all B samples.
    """
    b, f, h, w = x.shape
    if kernel.shape[0] == 1 and b > 1:
        out = F.conv2d(x, kernel[0])
        if bias is not None:
            out = out + bias[0].view(1, -1, 1, 1)
        return out
    if kernel.shape[0] != b:
        raise ValueError(f"xcorr: {b} search samples but {kernel.shape[0]} kernel sets")
    o = kernel.shape[1]
    out = F.conv2d(x.reshape(1, b * f, h, w), kernel.reshape(b * o, f, *kernel.shape[-2:]),
                   bias=None if bias is None else bias.reshape(-1), groups=b)
    return out.view(b, o, out.shape[-2], out.shape[-1])


class SiamRPN(nn.Module):
    """SiamRPN: backbone (+ neck), then the UP-channel RPN head (parameter names of DaSiamRPN ``code/net.py``) or,
    with ``cfg.head == "dw"``, the depthwise-correlation head ``rpn_head`` (names of pysot's ``DepthwiseRPN``).

    The split the trainer uses: :meth:`backbone_features` (the frozen part), :meth:`neck_features` (trainable
    neck on backbone maps), :meth:`kernels_from_features` and :meth:`detect_features` (the head).
    """

    def __init__(self, cfg: ModelConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg or ModelConfig()
        fo, k = self.cfg.feature_out, self.cfg.anchor_num
        if self.cfg.backbone == "alexnet":
            c = self.cfg.channels[-1]
            self.featureExtract: nn.Module = build_backbone(self.cfg)
            self.neck: Neck | AdjustAllLayer | None = None
        elif self.cfg.multilevel:  # pysot SiamRPN++: three levels, one neck and one DW head each (tracker.multilevel)
            self.featureExtract = build_multilevel_backbone(self.cfg.backbone)
            self.neck = AdjustAllLayer(MULTILEVEL[self.cfg.backbone].in_channels, fo)
            self.rpn_head: DepthwiseRPN | MultiRPN | None = MultiRPN(k, fo, len(self.neck.in_channels),
                                                                     self.cfg.weighted_levels)
            return
        else:
            self.featureExtract = Lite0Backbone(self.cfg.backbone)
            self.neck = Neck(self.featureExtract.out_channels, fo)
            c = fo
        if self.cfg.head == "dw":
            self.rpn_head = DepthwiseRPN(k, c, fo)
            return
        self.rpn_head = None
        self.conv_r1 = nn.Conv2d(c, fo * 4 * k, 3)
        self.conv_r2 = nn.Conv2d(c, fo, 3)
        self.conv_cls1 = nn.Conv2d(c, fo * 2 * k, 3)
        self.conv_cls2 = nn.Conv2d(c, fo, 3)
        self.regress_adjust = nn.Conv2d(4 * k, 4 * k, 1)

    @property
    def anchor_num(self) -> int:
        return self.cfg.anchor_num

    def backbone_features(self, x: torch.Tensor) -> torch.Tensor:
        """Backbone maps of crops (no neck): what the trainer computes once and reuses when the backbone is frozen.
        Multi-level backbones: the levels concatenated along channels (``tracker.multilevel``)."""
        f = self.featureExtract(x)
        return torch.cat(f, 1) if isinstance(f, (list, tuple)) else f

    def neck_features(self, f: torch.Tensor, template: bool = False) -> torch.Tensor:
        """Neck (and, for templates, its centre cut) on backbone maps; the identity without a neck (AlexNet)."""
        return f if self.neck is None else self.neck(f, template=template)

    def template_features(self, z: torch.Tensor) -> torch.Tensor:
        """Backbone (+ neck and centre cut) features of exemplar crops."""
        return self.neck_features(self.backbone_features(z), template=True)

    def search_features(self, x: torch.Tensor) -> torch.Tensor:
        """Backbone (+ neck) features of search crops."""
        return self.neck_features(self.backbone_features(x))

    def kernels_from_features(self, zf: torch.Tensor) -> Kernels:
        """Template features -> per-sample kernels (UP: ``[B, 2k|4k, F, h, w]``; DW: ``[B, F, h, w]`` per branch;
        multi-level: ``[B, L*F, h, w]``, the levels' kernels concatenated)."""
        if self.rpn_head is not None:
            return Kernels(*self.rpn_head.template(zf))
        b, k, fo = zf.shape[0], self.cfg.anchor_num, self.cfg.feature_out
        r1 = self.conv_r1(zf)
        c1 = self.conv_cls1(zf)
        return Kernels(cls=c1.view(b, 2 * k, fo, c1.shape[-2], c1.shape[-1]),
                       loc=r1.view(b, 4 * k, fo, r1.shape[-2], r1.shape[-1]))

    def detect_features(self, xf: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """Search features -> ``(cls, loc)`` maps against ``kernels`` (any search size: the head is convolutional)."""
        if self.rpn_head is not None:
            return self.rpn_head.detect(xf, kernels.cls, kernels.loc)
        cls = xcorr_grouped(self.conv_cls2(xf), kernels.cls, kernels.cls_bias)
        loc = xcorr_grouped(self.conv_r2(xf), kernels.loc, kernels.loc_bias)
        return cls, self.regress_adjust(loc)

    def template(self, z: torch.Tensor) -> Kernels:
        """Exemplar crops ``[B, 3, 127, 127]`` -> per-sample kernels (DaSiam ``temple``)."""
        return self.kernels_from_features(self.template_features(z))

    def detect(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """Search crops ``[B, 3, N, N]`` -> ``(cls [B, 2k, S, S], loc [B, 4k, S, S])``.

        Channel ``o = c·k + a`` for cls (background logits first, then foreground) and ``o = coord·k + a``
        for loc with coords (dx, dy, dw, dh).
        """
        return self.detect_features(self.search_features(x), kernels)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Training pass: template and detection of aligned pairs ``z[i]``/``x[i]``."""
        return self.detect(x, self.template(z))
