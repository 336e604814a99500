"""Inference fast paths with the same ``template``/``detect`` interface as :class:`tracker.network.SiamRPN`.

Exact rewrites (same arithmetic up to float rounding; tested against the reference path):

* ``fused``: batch norm folded into the preceding convs; ``conv_cls2``/``conv_r2`` concatenated into one
  C -> 2F conv; ``regress_adjust`` (a linear 1x1 conv) folded into the regression kernels at template time
  (``K'_o = Σ_i W_oi K_i`` plus its bias); both correlations run as ONE grouped conv (cls kernels padded to 4k
  outputs so the two groups per sample have equal size).
  Depthwise head (``ModelConfig.head == "dw"``, :class:`FusedDepthwiseSiamRPN`; AlexNet, every Lite0 cut and
  pysot's multi-level models): BN folded into every conv (backbone, neck, ``conv_kernel``, ``conv_search``,
  ``head.0``); the cls and loc ``conv_search`` concatenated into one C -> 2F conv (``conv_kernel`` likewise, run
  once per ``init``: ``Kernels.cls`` holds both branches' kernels ``[B, 2F, h, w]``, ``Kernels.loc`` is ``None``);
  when the backbone has at most F channels (Lite0, ``lite0_d8``, ``lite0_s8``) the linear 1x1 neck is composed
  into those unpadded 3x3 convs (``W[o, i] = Σ_m W3[o, m] W1[m, i]``), so the neck costs nothing; both depthwise
  correlations as ONE grouped conv over the 2F channels of every sample; the two ``head.0`` as one grouped 1x1 conv
  (groups 2) and the two ``head.3`` as one 1x1 conv 2F -> 6k. Multi-level models: the same per level (levels
  concatenated, level-major), the backbone's conv -> BN pairs folded by ``torch.fx`` pattern fusion, and the level
  average / softmax weights folded into that last 1x1 conv.
* ``fused_cl``: ``fused`` in ``channels_last`` memory format.
* ``torchscript``: ``fused`` features traced, frozen and ``optimize_for_inference``-d.
* ``onnx``: ``fused`` features (backbone + concatenated search conv) run by onnxruntime; the correlation stays
  in torch (kernels change per sequence).

Approximate (report its cost; never the default):

* ``int8``: the onnxruntime features graph statically quantised (QDQ, per-channel int8 weights, uint8
  activations, MinMax calibration on search crops you pass, e.g. from real frames).
"""
from __future__ import annotations

import copy
import io
import os
import tempfile
from typing import Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tracker.folding import fold_bn
from tracker.heads import DepthwiseRPN
from tracker.multilevel import MultiRPN
from tracker.network import Kernels, SiamRPN
from tracker.presets import TrackConfig

__all__ = ["fold_bn", "FusedSiamRPN", "FusedDepthwiseSiamRPN", "TorchScriptEngine", "OnnxEngine", "make_engine", "BACKENDS",
           "export_features_onnx", "quantize_features_int8"]

BACKENDS = ("eager", "fused", "fused_cl", "torchscript", "onnx", "int8")


def _fold_sequential(seq: nn.Sequential) -> nn.Sequential:
    layers: list[nn.Module] = []
    mods = list(seq)
    i = 0
    while i < len(mods):
        m = mods[i]
        if isinstance(m, nn.Conv2d) and i + 1 < len(mods) and isinstance(mods[i + 1], nn.BatchNorm2d):
            layers.append(fold_bn(m, mods[i + 1]))
            i += 2
        else:
            layers.append(copy.deepcopy(m))
            i += 1
    return nn.Sequential(*layers)


class _Features(nn.Module):
    """Backbone with folded BN + concatenated search convs: search crop -> ``[B, 2F, H, W]`` (cls | loc)."""

    def __init__(self, backbone: nn.Module, search: nn.Conv2d) -> None:
        super().__init__()
        self.backbone, self.search = backbone, search

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.search(self.backbone(x))


class _FusedEngine(nn.Module):
    """What the fused rewrites share: inference mode, an optional channels-last memory format (weights and
    inputs) and the search branch (``self.features``: search crop -> both branches' maps)."""

    def _finish(self, channels_last: bool) -> None:
        """The end of ``__init__``: evaluation mode, weights in the channels-last format when asked."""
        self.channels_last = channels_last
        self.eval()
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def search_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(self._prep(x))


class FusedSiamRPN(_FusedEngine):
    """Exact algebraic rewrite of a :class:`SiamRPN` for inference (see module docstring)."""

    def __init__(self, model: SiamRPN, channels_last: bool = False) -> None:
        super().__init__()
        model = model.eval()
        self.cfg = model.cfg
        if model.neck is None:
            backbone: nn.Module = _fold_sequential(model.featureExtract)
            self.template_crop: int | None = None
        else:  # Lite0: folded MBConv blocks, then the folded 1x1 neck; templates keep the neck's centre cut
            backbone = nn.Sequential(model.featureExtract.fused(), fold_bn(model.neck.conv, model.neck.bn))
            self.template_crop = model.neck.crop
        search = nn.Conv2d(model.conv_cls2.in_channels, 2 * model.conv_cls2.out_channels, 3)
        with torch.no_grad():
            search.weight.copy_(torch.cat([model.conv_cls2.weight, model.conv_r2.weight]))
            search.bias.copy_(torch.cat([model.conv_cls2.bias, model.conv_r2.bias]))
        self.features = _Features(backbone, search)
        self.conv_cls1 = copy.deepcopy(model.conv_cls1)
        self.conv_r1 = copy.deepcopy(model.conv_r1)
        self.register_buffer("adjust_w", model.regress_adjust.weight.detach()[:, :, 0, 0].clone())
        self.register_buffer("adjust_b", model.regress_adjust.bias.detach().clone())
        self._finish(channels_last)

    def template(self, z: torch.Tensor) -> Kernels:
        """Kernels with ``regress_adjust`` folded in (``loc_bias`` carries its bias)."""
        zf = self.features.backbone(self._prep(z))
        if self.template_crop is not None and zf.shape[-1] > self.template_crop:
            a = (zf.shape[-1] - self.template_crop) // 2
            zf = zf[:, :, a:a + self.template_crop, a:a + self.template_crop]
        b, k, fo = z.shape[0], self.cfg.anchor_num, self.cfg.feature_out
        c1, r1 = self.conv_cls1(zf), self.conv_r1(zf)
        cls = c1.reshape(b, 2 * k, fo, c1.shape[-2], c1.shape[-1]).contiguous()
        raw = r1.reshape(b, 4 * k, fo, r1.shape[-2], r1.shape[-1])
        loc = torch.einsum("oi,bifhw->bofhw", self.adjust_w, raw).contiguous()
        return Kernels(cls=cls, loc=loc, cls_bias=None, loc_bias=self.adjust_b.expand(b, -1).contiguous())

    def correlate(self, feats: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """One grouped conv for cls and loc of every sample: ``groups = 2B``."""
        b, f2, h, w = feats.shape
        k2, k4 = kernels.cls.shape[1], kernels.loc.shape[1]
        if kernels.batch != b:
            if kernels.batch != 1:
                raise ValueError(f"xcorr: {b} search samples but {kernels.batch} kernel sets")
            kernels = Kernels(*(None if t is None else t.expand(b, *t.shape[1:]) for t in kernels))
        pad = kernels.cls.new_zeros((b, k4 - k2) + tuple(kernels.cls.shape[2:]))
        kern = torch.cat([kernels.cls, pad, kernels.loc], 1)            # [B, 2·4k, F, h, w]
        out = F.conv2d(feats.contiguous().reshape(1, b * f2, h, w),
                       kern.reshape(b * 2 * k4, f2 // 2, *kern.shape[-2:]), groups=2 * b)
        out = out.view(b, 2 * k4, out.shape[-2], out.shape[-1])
        loc = out[:, k4:]
        if kernels.loc_bias is not None:
            loc = loc + kernels.loc_bias.view(b, -1, 1, 1)
        return out[:, :k2], loc

    def detect(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        return self.correlate(self.search_features(x), kernels)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.detect(x, self.template(z))


# --- depthwise-correlation head (tracker.heads / tracker.multilevel) ------------------------------------------

def _fold_module(module: nn.Module) -> nn.Module:
    """Copy of a backbone with every conv -> BN pair folded (torch.fx pattern fusion: a BN whose input is a conv
    used by nothing else); exact up to float rounding, inference only."""
    from torch.fx.experimental.optimization import fuse  # lazy: torch.fx is loaded only when an engine folds a backbone

    return fuse(copy.deepcopy(module).eval())


def _cat_folded(seqs: list[nn.Sequential]) -> nn.Conv2d:
    """``Sequential(conv, BN, ...)`` branches on the same input -> ONE conv with the BNs folded, outputs concatenated
    in the order given."""
    folded = [fold_bn(s[0], s[1]) for s in seqs]
    c0 = folded[0]
    out = nn.Conv2d(c0.in_channels, sum(c.out_channels for c in folded), c0.kernel_size, c0.stride, c0.padding,
                    c0.dilation)
    with torch.no_grad():
        out.weight.copy_(torch.cat([c.weight for c in folded]))
        out.bias.copy_(torch.cat([c.bias for c in folded]))
    return out


def _compose_1x1(first: nn.Conv2d, second: nn.Conv2d) -> nn.Conv2d:
    """``second(first(x))`` as one conv when ``first`` is a plain 1x1 conv and ``second`` has no padding (then every
    output of ``second`` sees only in-image positions of ``first``, so the composition is exact):
    ``W[o, i] = Σ_m W2[o, m] W1[m, i]``, ``b = b2 + Σ_m W2[o, m] b1[m]``."""
    if not (first.kernel_size == (1, 1) and first.stride == (1, 1) and first.groups == 1 and first.padding == (0, 0)
            and second.padding == (0, 0) and second.groups == 1):
        raise ValueError(f"cannot compose {first} and {second} into one conv")
    w1 = first.weight[:, :, 0, 0]
    b1 = first.bias if first.bias is not None else torch.zeros_like(first.weight[:, 0, 0, 0])
    out = nn.Conv2d(first.in_channels, second.out_channels, second.kernel_size, second.stride, 0, second.dilation)
    with torch.no_grad():
        w2 = second.weight.double()
        out.weight.copy_(torch.einsum("omhw,mi->oihw", w2, w1.double()))
        b2 = second.bias.double() if second.bias is not None else 0.0
        out.bias.copy_(b2 + torch.einsum("omhw,m->o", w2, b1.double()))
    return out


class _DWFeatures(nn.Module):
    """Folded backbone, then per level (neck +) the cls and loc ``conv_search`` as ONE conv with ReLU:
    search crop -> ``[B, L·2F, H, W]`` (level-major, then cls | loc)."""

    def __init__(self, backbone: nn.Module, search: nn.ModuleList) -> None:
        super().__init__()
        self.backbone, self.search = backbone, search

    def levels(self, x: torch.Tensor) -> list[torch.Tensor]:
        f = self.backbone(x)
        return list(f) if isinstance(f, (list, tuple)) else [f]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.levels(x)
        if len(maps) == 1:
            return F.relu(self.search[0](maps[0]))
        return F.relu(torch.cat([conv(m) for conv, m in zip(self.search, maps)], 1))


class FusedDepthwiseSiamRPN(_FusedEngine):
    """Exact inference rewrite of a depthwise-head :class:`SiamRPN` (single-level AlexNet / Lite0, or pysot's
    multi-level models); see the module docstring. ``Kernels.cls`` holds the concatenated kernels ``[B, L·2F, h, w]``
    (``loc`` is ``None``); kernels of the eager model (``cls``/``loc`` separate) are accepted too."""

    def __init__(self, model: SiamRPN, channels_last: bool = False, merge_neck: bool | None = None) -> None:
        super().__init__()
        model = model.eval()
        self.cfg = model.cfg
        k, fo = self.cfg.anchor_num, self.cfg.feature_out
        head = model.rpn_head
        if isinstance(head, MultiRPN):
            rpns = head.heads()
            backbone = _fold_module(model.featureExtract)
            necks: list[nn.Conv2d | None] = [fold_bn(n.downsample[0], n.downsample[1]) for n in model.neck.levels()]
            crops: list[int | None] = [n.center_size for n in model.neck.levels()]
            weights = head.level_weights()
            wc, wl = (torch.full((len(rpns),), 1.0 / len(rpns)),) * 2 if weights is None else weights
        elif isinstance(head, DepthwiseRPN):
            rpns, wc, wl = [head], torch.ones(1), torch.ones(1)
            if model.neck is None:  # AlexNet
                backbone, necks, crops = _fold_sequential(model.featureExtract), [None], [None]
            else:  # Lite0: folded MBConv blocks; the folded 1x1 neck goes with the head's 3x3 convs
                backbone = model.featureExtract.fused()
                necks, crops = [fold_bn(model.neck.conv, model.neck.bn)], [model.neck.crop]
        else:
            raise ValueError(f"FusedDepthwiseSiamRPN needs a depthwise head, got {type(head).__name__}")
        search, kernel = nn.ModuleList(), nn.ModuleList()
        for rpn, neck in zip(rpns, necks):
            s = _cat_folded([rpn.cls.conv_search, rpn.loc.conv_search])
            kk = _cat_folded([rpn.cls.conv_kernel, rpn.loc.conv_kernel])
            if neck is not None:
                # the neck is linear (1x1 conv + BN) and the head's 3x3 convs are unpadded: compose them into one
                # 3x3 conv when that is cheaper (fewer backbone channels than F), else run both
                if merge_neck if merge_neck is not None else neck.in_channels <= neck.out_channels:
                    s, kk = _compose_1x1(neck, s), _compose_1x1(neck, kk)
                else:
                    s, kk = nn.Sequential(neck, s), nn.Sequential(copy.deepcopy(neck), kk)
            search.append(s)
            kernel.append(kk)
        self.features = _DWFeatures(backbone, search)
        self.kernel = kernel
        self.crops = crops
        levels = len(rpns)
        hid = [fold_bn(r.cls.head[0], r.cls.head[1]) if b == 0 else fold_bn(r.loc.head[0], r.loc.head[1])
               for r in rpns for b in (0, 1)]
        self.hidden = nn.Conv2d(2 * levels * fo, 2 * levels * fo, 1, groups=2 * levels)
        # last 1x1 convs of every level and branch, and the level average / softmax weights: one dense 1x1 conv
        self.out = nn.Conv2d(2 * levels * fo, 6 * k, 1)
        with torch.no_grad():
            self.hidden.weight.copy_(torch.cat([c.weight for c in hid]))
            self.hidden.bias.copy_(torch.cat([c.bias for c in hid]))
            w = torch.zeros(6 * k, 2 * levels * fo, dtype=torch.float64)
            bias = torch.zeros(6 * k, dtype=torch.float64)
            for i, r in enumerate(rpns):
                for b, (br, rows, lw) in enumerate(((r.cls, slice(0, 2 * k), wc), (r.loc, slice(2 * k, 6 * k), wl))):
                    cols = slice((2 * i + b) * fo, (2 * i + b + 1) * fo)
                    w[rows, cols] = float(lw[i]) * br.head[3].weight[:, :, 0, 0].detach().cpu().double()
                    bias[rows] += float(lw[i]) * br.head[3].bias.detach().cpu().double()
            self.out.weight.copy_(w[:, :, None, None])
            self.out.bias.copy_(bias)
        self.levels, self.k2 = levels, 2 * k
        self._finish(channels_last)

    def template(self, z: torch.Tensor) -> Kernels:
        """Both branches' kernels of every level in one tensor (``Kernels.cls``, ``[B, L·2F, h, w]``)."""
        out = []
        for conv, crop, m in zip(self.kernel, self.crops, self.features.levels(self._prep(z))):
            if crop is not None and m.shape[-1] > crop:
                a = (m.shape[-1] - crop) // 2
                m = m[:, :, a:a + crop, a:a + crop]
            out.append(conv(m))
        kern = F.relu(out[0] if len(out) == 1 else torch.cat(out, 1))
        return Kernels(cls=kern.contiguous(), loc=None)

    def _kernel_tensor(self, kernels: Kernels) -> torch.Tensor:
        if kernels.loc is None:
            return kernels.cls
        # eager kernels: cls / loc each [B, L·F, h, w] -> level-major, then cls | loc
        b, lf, h, w = kernels.cls.shape
        return torch.stack([kernels.cls.reshape(b, self.levels, lf // self.levels, h, w),
                            kernels.loc.reshape(b, self.levels, lf // self.levels, h, w)], 2).reshape(b, 2 * lf, h, w)

    def correlate(self, feats: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        """Depthwise correlation of every channel of every sample as ONE grouped conv, then the heads."""
        kern = self._kernel_tensor(kernels)
        b, c, h, w = feats.shape
        kh, kw = kern.shape[-2:]
        if kern.shape[0] == 1:  # one kernel set for every search crop
            corr = F.conv2d(feats, kern.reshape(c, 1, kh, kw), groups=c)
        elif kern.shape[0] == b:
            corr = F.conv2d(feats.reshape(1, b * c, h, w), kern.reshape(b * c, 1, kh, kw), groups=b * c)
            corr = corr.view(b, c, corr.shape[-2], corr.shape[-1])
        else:
            raise ValueError(f"xcorr: {b} search samples but {kern.shape[0]} kernel sets")
        out = self.out(F.relu(self.hidden(corr)))
        return out[:, :self.k2], out[:, self.k2:]

    def detect(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        return self.correlate(self.search_features(x), kernels)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.detect(x, self.template(z))


class TorchScriptEngine:
    """``fused`` with the features graph traced, frozen and optimised for inference (per input shape)."""

    def __init__(self, fused: FusedSiamRPN | FusedDepthwiseSiamRPN, sizes: Iterable[int], device: torch.device
                 ) -> None:
        self.fused = fused
        self.cfg = fused.cfg
        self._graphs: dict[tuple[int, ...], torch.jit.ScriptModule] = {}
        self.device = device
        for s in sizes:
            self._graph((1, 3, s, s))

    def _graph(self, shape: tuple[int, ...]):
        if shape not in self._graphs:
            ex = torch.zeros(shape, device=self.device)
            with torch.no_grad():
                traced = torch.jit.trace(self.fused.features, ex)
                frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
                for _ in range(2):  # profiling runs specialise the graph
                    frozen(ex)
            self._graphs[shape] = frozen
        return self._graphs[shape]

    def template(self, z: torch.Tensor) -> Kernels:
        return self.fused.template(z)

    def detect(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        return self.fused.correlate(self._graph(tuple(x.shape))(x), kernels)


def export_features_onnx(fused: FusedSiamRPN | FusedDepthwiseSiamRPN, instance_size: int = 255) -> bytes:
    """ONNX bytes of the fused features graph (dynamic batch/height/width; opset 17)."""
    buf = io.BytesIO()
    feats = copy.deepcopy(fused.features).float().cpu().eval()
    ex = torch.zeros(1, 3, instance_size, instance_size)
    torch.onnx.export(feats, (ex,), buf, input_names=["x"], output_names=["feat"], opset_version=17,
                      dynamic_axes={"x": {0: "b", 2: "h", 3: "w"}, "feat": {0: "b", 2: "fh", 3: "fw"}},
                      dynamo=False)
    return buf.getvalue()


def quantize_features_int8(onnx_bytes: bytes, calibration: Iterable[np.ndarray]) -> bytes:
    """Static int8 quantisation (QDQ, per-channel weights) of the features graph with onnxruntime.

    ``calibration``: search crops ``[1, 3, N, N]`` float32 (BGR 0-255) seen at tracking time.
    """
    from onnxruntime.quantization import (  # lazy: onnxruntime is an optional extra (speed)
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class _Reader(CalibrationDataReader):
        def __init__(self, items):
            self._it = iter([{"x": np.ascontiguousarray(a, dtype=np.float32)} for a in items])

        def get_next(self):
            return next(self._it, None)

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "f32.onnx"), os.path.join(tmp, "int8.onnx")
        with open(src, "wb") as fh:
            fh.write(onnx_bytes)
        quantize_static(src, dst, _Reader(calibration), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        with open(dst, "rb") as fh:
            return fh.read()


class OnnxEngine:
    """Features by onnxruntime (fp32 or int8 graph), template + correlation by the fused torch model."""

    def __init__(self, fused: FusedSiamRPN | FusedDepthwiseSiamRPN, onnx_bytes: bytes, threads: int | None = None
                 ) -> None:
        import onnxruntime as ort  # lazy: onnxruntime is an optional extra (speed)

        self.fused = fused
        self.cfg = fused.cfg
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or torch.get_num_threads()
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(onnx_bytes, opts, providers=["CPUExecutionProvider"])

    def template(self, z: torch.Tensor) -> Kernels:
        return self.fused.template(z)

    def detect(self, x: torch.Tensor, kernels: Kernels) -> tuple[torch.Tensor, torch.Tensor]:
        feat = self.session.run(None, {"x": np.ascontiguousarray(x.cpu().numpy(), dtype=np.float32)})[0]
        return self.fused.correlate(torch.from_numpy(feat), kernels)


def make_engine(model: SiamRPN, backend: str, cfg: TrackConfig, device: str | torch.device = "cpu",
                calibration: Iterable[np.ndarray] | None = None):
    """Build an inference engine (object with ``template``/``detect``) for ``backend`` (see :data:`BACKENDS`).

    ``int8`` needs ``calibration`` crops; without them it calibrates on the per-channel-mean grey crop plus
    seeded noise, which is only adequate for speed measurements.
    """
    device = torch.device(device)
    if backend == "eager":
        return model
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if getattr(getattr(model, "cfg", None), "head", "up") == "dw":
        fused: FusedSiamRPN | FusedDepthwiseSiamRPN = FusedDepthwiseSiamRPN(
            model, channels_last=(backend == "fused_cl")).to(device)
    else:
        fused = FusedSiamRPN(model, channels_last=(backend == "fused_cl")).to(device)
    if backend in ("fused", "fused_cl"):
        return fused
    sizes = {cfg.instance_size} | ({cfg.adaptive_instance_size} if cfg.adaptive else set())
    if backend == "torchscript":
        return TorchScriptEngine(fused, sizes, device)
    if device.type != "cpu":
        raise ValueError(f"backend {backend!r} runs on CPU only (onnxruntime CPU provider)")
    graph = export_features_onnx(fused, cfg.instance_size)
    if backend == "int8":
        if calibration is None:
            rng = np.random.default_rng(0)
            calibration = [np.clip(rng.normal(120, 60, (1, 3, s, s)), 0, 255).astype(np.float32)
                           for s in sorted(sizes) for _ in range(4)]
        graph = quantize_features_int8(graph, calibration)
    return OnnxEngine(fused, graph)
