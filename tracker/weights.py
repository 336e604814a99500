"""SiamRPN weights: released formats, the project's own checkpoint, random weights.

Formats understood by :func:`load_state_dict_any` (``docs/tracker.md``, weight files):

* DaSiamRPN ``SiamRPNBIG.model`` / ``SiamRPNVOT.model`` / ``SiamRPNOTB.model``: plain state dicts with our own
  key names (``featureExtract.N.*``, ``conv_r1`` ...), saved by PyTorch 0.3.1 (no ``num_batches_tracked``,
  possibly a Python-2 pickle, retried with ``encoding='latin1'``);
* pysot UP-channel checkpoints: ``backbone.features.N.*`` (``alexnetlegacy``) or ``backbone.layer1..5.{0,1}.*``
  (``alexnet``), ``rpn_head.{template,search}_{cls,loc}_conv``, ``rpn_head.loc_adjust``, optional ``module.``
  prefix and ``{'state_dict': ...}`` wrapper (training snapshots);
* pysot depthwise-head models (``docs/tracker.md``, the DW head): ``siamrpn_alex_dwxcorr`` (AlexNet keys as above,
  ``rpn_head.{cls,loc}.{conv_kernel,conv_search,head}.*`` kept as they are) and the multi-level
  ``siamrpn_mobilev2_l234_dwxcorr`` / ``siamrpn_r50_l234_dwxcorr`` (``backbone.layer0.*`` MobileNetV2 or
  ``backbone.conv1.*`` ResNet-50 keys -> ``featureExtract.*``; ``neck.downsample{2,3,4}.*`` and
  ``rpn_head.rpn{2,3,4}.*`` / ``rpn_head.{cls,loc}_weight`` kept as they are);
* huanglianghua/siamrpn-pytorch ``model.pth`` (``feature.N``, ``conv_{cls,reg}_{z,x}``, ``adjust_reg``);
* our checkpoint (:func:`save_checkpoint`): ``{'format': 'siamrpn-bench/1', 'state_dict', 'model_config',
  'preset', 'provenance'}``.
"""
from __future__ import annotations

import dataclasses
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import torch
from torch import nn

from analysis.core import paths
from analysis.core.atomic import atomic_target
from analysis.core.plain import to_plain
from tracker.backbones.efficientnet_lite import LITE0_VARIANTS
from tracker.keycheck import key_mismatch, shape_mismatches
from tracker.network import SiamRPN
from tracker.presets import ModelConfig, TrackConfig

__all__ = ["WeightsError", "CHECKPOINT_FORMAT", "Checkpoint", "infer_model_config",
           "convert_state_dict", "load_state_dict_any", "load_dasiamrpn", "load_pysot", "load_into", "random_model", "build_model",
           "save_checkpoint", "load_checkpoint"]

CHECKPOINT_FORMAT = "siamrpn-bench/1"

#: pysot ``alexnet`` (layerL.i) -> ``alexnetlegacy``/DaSiam Sequential index (``docs/tracker.md``, weight files).
_PYSOT_LAYER_INDEX = {("1", "0"): 0, ("1", "1"): 1, ("2", "0"): 4, ("2", "1"): 5, ("3", "0"): 8, ("3", "1"): 9,
                      ("4", "0"): 11, ("4", "1"): 12, ("5", "0"): 14, ("5", "1"): 15}
_PYSOT_HEAD = {"template_loc_conv": "conv_r1", "template_cls_conv": "conv_cls1", "search_loc_conv": "conv_r2",
               "search_cls_conv": "conv_cls2", "loc_adjust": "regress_adjust"}
#: pysot depthwise-head keys, the same names in our network (``tracker.heads``, ``tracker.multilevel``)
_PYSOT_DW = re.compile(r"rpn_head\.((rpn\d+\.)?(cls|loc)\.(conv_kernel|conv_search|head)\.\d+\.[a-z_]+|(cls|loc)_weight)$"
                       r"|neck\.downsample\d+\.downsample\.\d\.[a-z_]+$")
_HUANG_HEAD = {"conv_reg_z": "conv_r1", "conv_cls_z": "conv_cls1", "conv_reg_x": "conv_r2",
               "conv_cls_x": "conv_cls2", "adjust_reg": "regress_adjust"}


#: first keys of pysot's multi-level backbones: MobileNetV2 (``layer0`` stem) and atrous ResNet-50 (``conv1``)
_PYSOT_MULTILEVEL_STEMS = ("backbone.layer0.", "backbone.conv1.")


class WeightsError(ValueError):
    """A weights file cannot be read or does not fit the SiamRPN network."""


@dataclass(frozen=True)
class Checkpoint:
    """Contents of a weights file in our key names, plus what is known about it."""

    state_dict: dict[str, torch.Tensor]
    model_config: ModelConfig
    format: str
    preset: str | dict | None = None
    provenance: dict = field(default_factory=dict)
    path: str | None = None


def _map_key(key: str, multilevel: bool = False) -> tuple[str | None, str | None]:
    """One released key -> (our key, format name); (None, reason) for keys of an unsupported model.

    ``multilevel``: the file is one of pysot's multi-level models, whose ``backbone.*`` names (MobileNetV2 /
    ResNet-50 ``layerN.i``) are our ``featureExtract.*`` names and must not be read as pysot AlexNet layers.
    """
    if multilevel and key.startswith("backbone."):
        return "featureExtract." + key[len("backbone."):], "pysot"
    if key.startswith("featureExtract.") or key.split(".")[0] in ("conv_r1", "conv_r2", "conv_cls1", "conv_cls2",
                                                               "regress_adjust"):
        return key, "dasiamrpn"
    m = re.match(r"backbone\.features\.(\d+)\.(.+)$", key)
    if m:
        return f"featureExtract.{m.group(1)}.{m.group(2)}", "pysot"
    m = re.match(r"backbone\.layer(\d)\.(\d)\.(.+)$", key)
    if m and (m.group(1), m.group(2)) in _PYSOT_LAYER_INDEX:
        return f"featureExtract.{_PYSOT_LAYER_INDEX[m.group(1), m.group(2)]}.{m.group(3)}", "pysot"
    m = re.match(r"rpn_head\.([a-z_]+)\.(weight|bias)$", key)
    if m and m.group(1) in _PYSOT_HEAD:
        return f"{_PYSOT_HEAD[m.group(1)]}.{m.group(2)}", "pysot"
    if _PYSOT_DW.match(key):
        return key, "pysot"
    m = re.match(r"feature\.(\d+)\.(.+)$", key)
    if m:
        return f"featureExtract.{m.group(1)}.{m.group(2)}", "huang"
    m = re.match(r"([a-z_]+)\.(weight|bias)$", key)
    if m and m.group(1) in _HUANG_HEAD:
        return f"{_HUANG_HEAD[m.group(1)]}.{m.group(2)}", "huang"
    return None, None


def convert_state_dict(sd: Mapping[str, Any], source: str = "<state dict>") -> tuple[dict[str, torch.Tensor], str]:
    """Rename a DaSiamRPN/pysot/huang state dict to our keys; drops ``num_batches_tracked``.

    Unknown keys are kept unchanged so that :func:`load_into` reports them as unexpected.
    """
    if "state_dict" in sd and isinstance(sd["state_dict"], Mapping):
        sd = sd["state_dict"]
    out: dict[str, torch.Tensor] = {}
    formats: set[str] = set()
    multilevel = any(str(k).removeprefix("module.").startswith(_PYSOT_MULTILEVEL_STEMS) for k in sd)
    for key, value in sd.items():
        k = key[len("module."):] if key.startswith("module.") else key
        if k.endswith("num_batches_tracked"):
            continue
        new, fmt = _map_key(k, multilevel)
        if new is None and fmt is not None:
            raise WeightsError(f"{source}: {fmt} (key {key!r}); only UP-channel SiamRPN weights are supported")
        if new is None:
            new = k
        else:
            formats.add(fmt)  # type: ignore[arg-type]
        if not isinstance(value, torch.Tensor):
            raise WeightsError(f"{source}: value of {key!r} is {type(value).__name__}, not a tensor")
        out[new] = value.detach().float() if value.is_floating_point() else value.detach()
    fmt = "dasiamrpn" if formats <= {"dasiamrpn"} else "+".join(sorted(formats - {"dasiamrpn"}))
    return out, fmt


def _dw_head(sd: Mapping[str, torch.Tensor], prefix: str, source: str) -> tuple[int, int]:
    """``(hidden F, anchors k)`` of the depthwise RPN whose keys start with ``prefix`` (``rpn_head.``)."""
    try:
        fo = int(sd[f"{prefix}cls.conv_kernel.0.weight"].shape[0])
        out = int(sd[f"{prefix}cls.head.3.weight"].shape[0])
    except KeyError as exc:
        raise WeightsError(f"{source}: pysot depthwise head (DepthwiseRPN) without {exc.args[0]!r}: not a complete "
                           "SiamRPN state dict") from None
    if out % 2:
        raise WeightsError(f"{source}: {prefix}cls.head.3.weight has {out} outputs; a DepthwiseRPN has 2k")
    return fo, out // 2


def _infer_multilevel(sd: Mapping[str, torch.Tensor], source: str) -> ModelConfig:
    """pysot ``siamrpn_mobilev2_l234_dwxcorr`` / ``siamrpn_r50_l234_dwxcorr`` from their keys."""
    fo, k = _dw_head(sd, "rpn_head.rpn2.", source)
    if "featureExtract.layer0.0.weight" in sd:
        stem = int(sd["featureExtract.layer0.0.weight"].shape[0])
        if stem != 44:
            raise WeightsError(f"{source}: MobileNetV2 stem has {stem} filters; the supported pysot "
                               "siamrpn_mobilev2_l234_dwxcorr model has 44 (width_mult 1.4)")
        backbone = "mobilenetv2_l234"
    elif "featureExtract.conv1.weight" in sd:
        if "featureExtract.layer1.0.conv3.weight" not in sd:
            raise WeightsError(f"{source}: ResNet without bottleneck blocks (ResNet-18/34?); only pysot's "
                               "resnet_atrous.resnet50 (siamrpn_r50_l234_dwxcorr) is supported")
        backbone = "resnet50_l234"
    else:
        raise WeightsError(f"{source}: multi-level depthwise head (rpn_head.rpn2.*) but the backbone is neither "
                           "pysot's MobileNetV2 (backbone.layer0.*) nor its ResNet-50 (backbone.conv1.*)")
    try:
        return ModelConfig(backbone=backbone, feature_out=fo, anchor_num=k, head="dw",
                           weighted_levels="rpn_head.cls_weight" in sd)
    except ValueError as exc:
        raise WeightsError(f"{source}: {exc}") from None


def _lite0_variant(sd: Mapping[str, torch.Tensor], source: str) -> str:
    """Which Lite0 cut (``LITE0_VARIANTS``) a state dict holds: the blocks kept and the neck's input channels."""
    blocks = {int(k.split(".")[2]) for k in sd if k.startswith("featureExtract.blocks.")}
    cin = int(sd["neck.conv.weight"].shape[1]) if "neck.conv.weight" in sd else None
    for name, v in LITE0_VARIANTS.items():
        if len(blocks) == v.blocks and cin == v.out_channels:
            return name
    raise WeightsError(f"{source}: EfficientNet-Lite0 backbone with {len(blocks)} blocks and a {cin}-channel neck "
                       f"input matches none of the Lite0 cuts ({', '.join(LITE0_VARIANTS)})")


def infer_model_config(sd: Mapping[str, torch.Tensor], source: str = "<state dict>") -> ModelConfig:
    """Backbone, width, feature_out, anchor count and head from the tensor shapes (96 first-layer filters -> width 1;
    ``featureExtract.stem.*`` keys -> EfficientNet-Lite0; ``rpn_head.{cls,loc}.*`` -> the depthwise head;
    ``rpn_head.rpn2.*`` -> pysot's multi-level models, ``rpn_head.cls_weight`` -> weighted levels)."""
    if any(k.startswith("rpn_head.rpn") for k in sd):
        return _infer_multilevel(sd, source)
    dw = any(k.startswith(("rpn_head.cls.", "rpn_head.loc.")) for k in sd)
    if "featureExtract.stem.0.weight" in sd:
        try:
            if dw:
                fo, k = _dw_head(sd, "rpn_head.", source)
            else:
                fo, k = int(sd["conv_cls2.weight"].shape[0]), int(sd["regress_adjust.weight"].shape[0]) // 4
        except KeyError as exc:
            raise WeightsError(f"{source}: EfficientNet-Lite0 backbone but no {exc.args[0]!r}: not a SiamRPN "
                               "state dict") from None
        return ModelConfig(backbone=_lite0_variant(sd, source), feature_out=fo, anchor_num=k,
                           head="dw" if dw else "up")
    try:
        c1 = int(sd["featureExtract.0.weight"].shape[0])
        if dw:
            fo, k = _dw_head(sd, "rpn_head.", source)
        else:
            fo = int(sd["conv_cls2.weight"].shape[0])
            k = int(sd["regress_adjust.weight"].shape[0]) // 4
    except KeyError as exc:
        raise WeightsError(f"{source}: not a SiamRPN state dict (no {exc.args[0]!r}); first keys: "
                           f"{list(sd)[:6]}") from None
    if c1 % 96:
        raise WeightsError(f"{source}: first conv has {c1} filters; expected 96 (width 1) or 192 (width 2)")
    try:
        return ModelConfig(width=c1 // 96, feature_out=fo, anchor_num=k, head="dw" if dw else "up")
    except ValueError as exc:
        raise WeightsError(f"{source}: {exc}") from None


def _torch_load(path: Path) -> Any:
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except UnicodeDecodeError:
        try:  # Python-2 pickles (DaSiamRPN, PyTorch 0.3.1)
            return torch.load(path, map_location="cpu", weights_only=True, encoding="latin1")
        except Exception as exc:  # noqa: BLE001 - reported with the file name
            raise WeightsError(f"{path}: cannot read as a PyTorch weights file (latin1 retry): {exc}") from exc
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as exc:
        raise WeightsError(f"{path}: cannot read as a PyTorch weights file: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - not a pickle at all (b"hello" gives KeyError: 101): one line
        head = path.read_bytes()[:16]
        raise WeightsError(f"{path}: not a PyTorch weights file ({path.stat().st_size} bytes starting {head!r}, "
                           f"unpickling fails with {type(exc).__name__}); give a .pth/.model file written by "
                           "torch.save") from None


def load_state_dict_any(path: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """Read any supported weights file; returns (state dict in our key names, meta).

    ``meta`` has ``format`` (``dasiamrpn``/``pysot``/``huang``/``siamrpn-bench``), ``model_config``
    (:class:`ModelConfig` inferred from shapes), ``preset`` and ``provenance`` (our checkpoints only), ``path``.
    """
    ckpt = load_checkpoint(path)
    meta = {"format": ckpt.format, "model_config": ckpt.model_config, "preset": ckpt.preset,
            "provenance": ckpt.provenance, "path": ckpt.path}
    return ckpt.state_dict, meta


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read our checkpoint (or any released format, see module docstring) as a :class:`Checkpoint`."""
    path = Path(path)
    obj = _torch_load(path)
    if not isinstance(obj, Mapping):
        raise WeightsError(f"{path}: expected a state dict or checkpoint dict, got {type(obj).__name__}")
    if obj.get("format") == CHECKPOINT_FORMAT:
        sd, _ = convert_state_dict(obj["state_dict"], str(path))
        _check_finite(sd, path)
        cfg = ModelConfig(**obj["model_config"])
        inferred = infer_model_config(sd, str(path))
        if inferred != cfg:
            raise WeightsError(f"{path}: model_config {cfg} does not match the tensor shapes ({inferred})")
        return Checkpoint(sd, cfg, CHECKPOINT_FORMAT, obj.get("preset"), dict(obj.get("provenance") or {}), str(path))
    sd, fmt = convert_state_dict(obj, str(path))
    _check_finite(sd, path)
    return Checkpoint(sd, infer_model_config(sd, str(path)), fmt, None, {}, str(path))


def _check_finite(sd: Mapping[str, torch.Tensor], path: Path) -> None:
    """A NaN/inf weight would only show up as a crash frames later: name the file and the tensors now."""
    bad = [f"{k} ({int((~torch.isfinite(v)).sum())} of {v.numel()})" for k, v in sd.items()
           if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise WeightsError(f"{path}: non-finite values (NaN/inf) in {len(bad)} tensor(s): {', '.join(bad[:6])}")


def _load_format(path: str | Path, allowed: tuple[str, ...], what: str) -> Checkpoint:
    ckpt = load_checkpoint(path)
    if ckpt.format not in allowed:
        raise WeightsError(f"{path}: looks like a {ckpt.format} file, not {what}")
    return ckpt


def load_dasiamrpn(path: str | Path) -> Checkpoint:
    """DaSiamRPN ``SiamRPNBIG/VOT/OTB.model`` (plain state dict, our key names)."""
    return _load_format(path, ("dasiamrpn",), "a DaSiamRPN .model")


def load_pysot(path: str | Path) -> Checkpoint:
    """pysot checkpoint: UP-channel or depthwise AlexNet, or a multi-level depthwise model (``backbone.*`` +
    ``rpn_head.*`` [+ ``neck.*``]; snapshot wrapper allowed)."""
    return _load_format(path, ("pysot",), "a pysot checkpoint")


def load_into(model: nn.Module, sd: Mapping[str, torch.Tensor], source: str = "<state dict>") -> nn.Module:
    """Strictly load ``sd`` into ``model``; ONE error listing missing, unexpected and wrongly-shaped keys.

    Missing ``num_batches_tracked`` buffers are tolerated (old PyTorch files have none).
    """
    own = model.state_dict()
    missing = [k for k in own if k not in sd and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in sd if k not in own]
    message = key_mismatch(f"{source}: weights do not fit SiamRPN({getattr(model, 'cfg', '')})", missing,
                           unexpected, shape_mismatches(own, sd))
    if message:
        raise WeightsError(message)
    model.load_state_dict(dict(sd), strict=False)
    return model


def random_model(cfg: ModelConfig | None = None, seed: int = 0) -> SiamRPN:
    """A SiamRPN with seeded random weights and non-trivial BN statistics (tests and benchmarks only)."""
    gen = torch.Generator().manual_seed(seed)
    model = SiamRPN(cfg or ModelConfig())
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
    _calibrate_random(model, gen)
    return model.eval()


@torch.no_grad()
def _calibrate_random(model: SiamRPN, gen: torch.Generator) -> None:
    """Data-dependent rescaling (LSUV-like) so random weights give O(1) features and score maps:
    BN running statistics are set near the real statistics of a seeded random image pair."""
    z = torch.rand((1, 3, 127, 127), generator=gen) * 255
    x = torch.rand((1, 3, 255, 255), generator=gen) * 255
    model.eval()
    if model.cfg.backbone == "alexnet":
        t = x
        for m in model.featureExtract:
            t = m(t) if not isinstance(m, nn.BatchNorm2d) else _calibrate_bn(m, t, gen)
    else:  # batch statistics of the random pair become the running statistics
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        model.search_features(torch.cat([x, x.flip(-1)]))
        model.eval()
        for m in bns:
            m.momentum = 0.1
    if model.cfg.head != "up":
        _calibrate_dw_head(model, z, x)
        return
    xf, zf = model.search_features(x), model.template_features(z)
    for tconv, sconv, target in ((model.conv_cls1, model.conv_cls2, 3.0), (model.conv_r1, model.conv_r2, 0.3)):
        t = tconv(zf)
        k = t.view(-1, model.cfg.feature_out, t.shape[-2], t.shape[-1])
        out = torch.nn.functional.conv2d(sconv(xf), k)
        scale = target / float(out.std())
        tconv.weight.mul_(scale)
        tconv.bias.mul_(scale)


def _calibrate_dw_head(model: SiamRPN, z: torch.Tensor, x: torch.Tensor) -> None:
    """Depthwise heads: the head's BN statistics from the random pair, then the last 1x1 convs scaled so that the
    cls / loc maps have standard deviations 3 / 0.3 (the UP head's targets)."""
    bns = [m for m in model.rpn_head.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    zz, xx = torch.cat([z, z.flip(-1)]), torch.cat([x, x.flip(-1)])
    model.detect(xx, model.template(zz))
    for m in bns:
        m.momentum = 0.1
        m.eval()
    cls, loc = model.detect(x, model.template(z))
    for branch, out, target in (("cls", cls, 3.0), ("loc", loc, 0.3)):
        scale = target / float(out.std())
        for m in model.rpn_head.modules():
            last = getattr(getattr(m, branch, None), "head", None)
            if isinstance(last, nn.Sequential):
                last[-1].weight.mul_(scale)
                last[-1].bias.mul_(scale)


def _calibrate_bn(bn: nn.BatchNorm2d, t: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    n = bn.num_features
    mean, var = t.mean((0, 2, 3)), t.var((0, 2, 3)) + 1e-3
    bn.running_mean.copy_(mean + torch.randn(n, generator=gen) * 0.1 * var.sqrt())
    bn.running_var.copy_(var * (torch.rand(n, generator=gen) + 0.5))
    return bn(t)


def build_model(weights: str | Path | nn.Module | None, model_config: ModelConfig | None = None,
                device: str | torch.device = "cpu") -> tuple[nn.Module, dict]:
    """Resolve the ``weights`` argument of the tracker into an eval-mode model on ``device``.

    ``None`` -> :func:`default_weights_path`; ``"random:<seed>"`` -> :func:`random_model` with
    ``model_config``; a path -> :func:`load_checkpoint`; an ``nn.Module`` is used as is.
    """
    device = torch.device(device)
    if isinstance(weights, nn.Module):
        return weights.to(device).eval(), {"format": "module", "model_config": getattr(weights, "cfg", None)}
    if weights is None:
        path = paths.default_weights_path()
        if not path.is_file():
            raise WeightsError(
                f"no SiamRPN weights at {path}. Train them with `siamrpn train` (writes this file), pass a "
                "DaSiamRPN .model / pysot .pth (UP-channel or depthwise head) / our checkpoint with --weights FILE (weights=...), "
                "set SIAMRPN_WEIGHTS, or use weights='random:<seed>' for tests and speed checks")
        weights = path
    if isinstance(weights, str) and weights.startswith("random:"):
        try:
            seed = int(weights.split(":", 1)[1])
        except ValueError:
            raise WeightsError(f"bad random weights spec {weights!r}; use 'random:<int seed>'") from None
        model = random_model(model_config, seed)
        return model.to(device), {"format": "random", "seed": seed, "model_config": model.cfg}
    ckpt = load_checkpoint(weights)
    model = load_into(SiamRPN(ckpt.model_config), ckpt.state_dict, str(weights))
    return model.to(device).eval(), {"format": ckpt.format, "model_config": ckpt.model_config,
                                     "preset": ckpt.preset, "provenance": ckpt.provenance, "path": ckpt.path}


def save_checkpoint(path: str | Path, model: nn.Module, preset: str | TrackConfig | None,
                    provenance: dict, half: bool = False) -> Path:
    """Write weights + model config + preset + provenance atomically (temp file + ``os.replace``).

    ``model`` may be wrapped (DDP/DataParallel ``module.`` prefixes are stripped). ``half`` stores floating
    tensors as fp16 (halves the file; loading converts back to fp32).
    """
    path = Path(path)
    inner = getattr(model, "module", model)
    sd = {}
    for k, v in inner.state_dict().items():
        k = k[len("module."):] if k.startswith("module.") else k
        v = v.detach().cpu()
        sd[k] = v.half() if half and v.is_floating_point() else v.clone()
    cfg = getattr(inner, "cfg", None) or infer_model_config(sd)
    if isinstance(preset, TrackConfig):
        preset_obj: str | dict | None = to_plain(dataclasses.asdict(preset))
    else:
        preset_obj = preset
    obj = {"format": CHECKPOINT_FORMAT, "state_dict": sd, "model_config": dataclasses.asdict(cfg),
           "preset": preset_obj, "provenance": to_plain(dict(provenance))}  # plain data: weights_only loading
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path) as tmp:
        torch.save(obj, tmp)
    return path
