"""SiamRPN tracker: one-shot detection inference (paper §4) following the steps of ``docs/tracker.md``.

``init`` crops the exemplar, runs the template branch ONCE and caches the detection kernels;
``update`` only crops the search region, runs the detection branch and selects a proposal.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from analysis.core.paths import default_weights_path
from analysis.core.regions import area_preserving_rect
from tracker.anchors import center_mask, cosine_window, generate_anchors
from tracker.crop import get_subwindow, round_size
from tracker.engines import make_engine
from tracker.network import Kernels
from tracker.postprocess import Proposal, select_proposal, update_state
from tracker.presets import PRESETS, TrackConfig, get_preset, preset_from_dict
from tracker.weights import WeightsError, build_model, load_checkpoint

__all__ = ["SiamRPNTracker", "ScoreGeometry", "resolve_preset", "preset_for_weights", "check_backbone", "image_to_tensor", "check_image", "init_state"]


@dataclass(frozen=True)
class ScoreGeometry:
    """Anchors, cosine window and centre mask for one instance size."""

    instance_size: int
    score_size: int
    anchors: np.ndarray
    window: np.ndarray
    mask: np.ndarray

    @staticmethod
    def build(cfg: TrackConfig, instance_size: int) -> "ScoreGeometry":
        s = cfg.score_size(instance_size)
        k = cfg.model.anchor_num
        return ScoreGeometry(instance_size, s, generate_anchors(s, cfg.total_stride, cfg.ratios, cfg.scales),
                             cosine_window(s, k), center_mask(s, k, cfg.center_size))


def check_image(image: np.ndarray) -> np.ndarray:
    """Validate a BGR uint8 ``(H, W, 3)`` frame."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        shape = getattr(image, "shape", None)
        raise ValueError(f"expected a BGR image array of shape (H, W, 3), got {type(image).__name__} {shape}")
    return image


def image_to_tensor(patches: list[np.ndarray] | np.ndarray, device: torch.device) -> torch.Tensor:
    """HWC float32 patch(es) -> ``[B, 3, H, W]`` float tensor on ``device``."""
    arr = np.stack(patches) if isinstance(patches, list) else patches[None]
    t = torch.from_numpy(arr).permute(0, 3, 1, 2)
    if device.type == "cuda":
        return t.pin_memory().to(device, non_blocking=True).contiguous()
    return t.contiguous()


def init_state(image: np.ndarray, region, cfg: TrackConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Initial ``(center, size, avg_chans, s_z, instance_size)`` from a box or polygon (``docs/tracker.md``, init)."""
    check_image(image)
    x, y, w, h = area_preserving_rect(region)  # boxes as given, polygons -> pysot get_axis_aligned_bbox
    H, W = image.shape[:2]
    if not np.all(np.isfinite([x, y, w, h])) or w <= 0 or h <= 0:
        raise ValueError(f"init region must have a positive finite size, got x,y,w,h = {x}, {y}, {w}, {h}")
    if x + w <= 0 or y + h <= 0 or x >= W or y >= H:
        raise ValueError(f"init box x,y,w,h = {x:g},{y:g},{w:g},{h:g} lies outside the {W}x{H} image")
    center = np.array([x + (w - 1) / 2, y + (h - 1) / 2])  # pysot convention
    size = np.array([w, h], dtype=np.float64)
    avg = image.reshape(-1, 3).mean(axis=0)
    ctx = cfg.context_amount * (w + h)
    s_z = round_size(np.sqrt((w + ctx) * (h + ctx)), cfg.rounding)
    instance = cfg.instance_size
    if cfg.adaptive and (w * h) / float(W * H) < cfg.adaptive_area_ratio:
        instance = cfg.adaptive_instance_size
    return center, size, avg, max(s_z, 1), instance


def search_scale(size: np.ndarray, cfg: TrackConfig, instance_size: int) -> tuple[float, int]:
    """``(scale_z, round(s_x))`` for the current target size (``docs/tracker.md``, update step 1)."""
    ctx = cfg.context_amount * (size[0] + size[1])
    s_z = float(np.sqrt((size[0] + ctx) * (size[1] + ctx)))
    scale_z = cfg.exemplar_size / s_z
    s_x = s_z * instance_size / cfg.exemplar_size
    return scale_z, max(round_size(s_x, cfg.rounding), 1)


def resolve_preset(preset: str | TrackConfig | None, weights_meta: dict) -> TrackConfig:
    """The explicit preset, else the one stored with the weights (our checkpoints), else the preset built for the
    weights' network (pysot's depthwise-head models: their released tracking settings), else ``paper``."""
    if preset is not None:
        return get_preset(preset)
    stored = weights_meta.get("preset")
    if isinstance(stored, dict):
        return preset_from_dict(stored)
    if isinstance(stored, str):
        return get_preset(stored)
    model_cfg = weights_meta.get("model_config")
    if model_cfg is not None and getattr(model_cfg, "head", "up") != "up":
        match = [p for p in PRESETS.values() if p.model == model_cfg]
        if match:
            return match[0]
    if model_cfg is not None and getattr(model_cfg, "backbone", "alexnet") != "alexnet":
        return get_preset("lite0")
    return get_preset("paper")


def preset_for_weights(weights: str | Path | None) -> TrackConfig:
    """The preset a tracker built with ``weights`` and no preset uses; reads the checkpoint, builds no model."""

    if weights is not None and str(weights).startswith("random:"):
        return get_preset("paper")
    ck = load_checkpoint(weights if weights is not None else default_weights_path())
    return resolve_preset(None, {"preset": ck.preset, "model_config": ck.model_config})


_HEAD_NAMES = {"up": "UP-channel (up)", "dw": "depthwise-correlation (dw)"}


def check_backbone(cfg: TrackConfig, weights_meta: dict) -> None:
    """Refuse a preset built for another backbone or RPN head than the weights (e.g. released AlexNet weights with
    ``lite0``, pysot's depthwise ``siamrpn_alex_dwxcorr`` with the UP-channel ``paper`` preset, or the reverse)."""
    model_cfg = weights_meta.get("model_config")
    have = getattr(model_cfg, "backbone", None)
    src = weights_meta.get("path") or weights_meta.get("format", "the weights")
    head = getattr(model_cfg, "head", None)
    if have is not None and have == cfg.model.backbone and head is not None and head != cfg.model.head:
        raise WeightsError(
            f"{src}: the weights are a SiamRPN with the {_HEAD_NAMES.get(head, head)} RPN head but preset "
            f"{cfg.name!r} is for the {_HEAD_NAMES.get(cfg.model.head, cfg.model.head)} head; use a preset for "
            f"{have} with head {head!r} ("
            + (", ".join(n for n, p in PRESETS.items() if p.model.backbone == have and p.model.head == head)
               or "none yet: pass a TrackConfig")
            + ") or omit the preset to use the one that fits the weights")
    if have is not None and have != cfg.model.backbone:
        raise WeightsError(
            f"{src}: the weights are a SiamRPN with an {have} backbone but preset {cfg.name!r} is for an "
            f"{cfg.model.backbone} backbone; "
            f"use a preset for {have} (" + ", ".join(n for n, p in PRESETS.items() if p.model.backbone == have)
            + ") or omit the preset to use the one stored with the weights")


class SiamRPNEngineOwner:
    """Model, preset and inference engine shared by the single and the batched tracker.

    ``weights``: a path, ``"random:<seed>"``, a model, or ``None`` for the default weights; ``preset``: a name,
    a :class:`TrackConfig`, or ``None`` for the preset stored in the checkpoint (for files that store none: the
    pysot preset of a depthwise-head model, else ``paper``). A preset whose backbone or head differs from the
    weights' is an error.
    ``backend``: ``"eager"`` or a fast path of :mod:`tracker.engines` built with ``backend_options``.
    """

    def __init__(self, weights: str | Path | nn.Module | None = None, preset: str | TrackConfig | None = None,
                 device: str | torch.device = "cpu", backend: str = "eager",
                 backend_options: dict | None = None) -> None:
        self.device = torch.device(device)
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' requested but torch.cuda.is_available() is False")
        hint = get_preset(preset if preset is not None else "paper")
        self.model, self.weights_meta = build_model(weights, hint.model, self.device)
        self.cfg = resolve_preset(preset, self.weights_meta)
        check_backbone(self.cfg, self.weights_meta)
        self.backend = backend
        if backend == "eager":
            self.engine = self.model
        else:
            self.engine = make_engine(self.model, backend, self.cfg, self.device, **(backend_options or {}))
        self._geometry: dict[int, ScoreGeometry] = {}

    def geometry(self, instance_size: int) -> ScoreGeometry:
        if instance_size not in self._geometry:
            self._geometry[instance_size] = ScoreGeometry.build(self.cfg, instance_size)
        return self._geometry[instance_size]


class SiamRPNTracker(SiamRPNEngineOwner):
    """Single-target SiamRPN tracker.

    ``weights``: path (DaSiamRPN ``.model``, pysot ``.pth``, our checkpoint), ``"random:<seed>"``, an
    ``nn.Module``, or ``None`` for :func:`analysis.core.paths.default_weights_path`. ``preset``: name or
    :class:`TrackConfig`, ``None`` = the preset stored with the weights. ``backend``: ``"eager"`` (reference) or a fast path of :mod:`tracker.engines`
    (``"fused"``, ``"fused_cl"``, ``"torchscript"``, ``"onnx"``, ``"int8"``); ``backend_options`` go to
    :func:`tracker.engines.make_engine` (e.g. ``{"calibration": crops}`` for ``int8``).
    """

    accepts_polygons = True  #: takes the VOT polygon itself (pysot's area-preserving box, :func:`init_state`)

    def __init__(self, weights: str | Path | nn.Module | None = None, preset: str | TrackConfig | None = None,
                 device: str | torch.device = "cpu", backend: str = "eager",
                 backend_options: dict | None = None) -> None:
        super().__init__(weights, preset, device, backend, backend_options)
        self.kernels: Kernels | None = None
        self.last_maps: tuple[np.ndarray, np.ndarray] | None = None
        self.last_proposal: Proposal | None = None

    @property
    def name(self) -> str:
        return f"SiamRPN[{self.cfg.name}]"

    @torch.inference_mode()
    def init(self, image_bgr: np.ndarray, region) -> None:
        """Start tracking ``region`` (``x,y,w,h`` 0-based or polygon) in ``image_bgr``; caches the kernels."""
        cfg = self.cfg
        self.center, self.size, self.avg_chans, s_z, self.instance_size = init_state(image_bgr, region, cfg)
        self.image_wh = (image_bgr.shape[1], image_bgr.shape[0])
        z = get_subwindow(image_bgr, tuple(self.center), cfg.exemplar_size, s_z, self.avg_chans, cfg.rounding)
        self.kernels = self.engine.template(image_to_tensor(z, self.device))

    @torch.inference_mode()
    def update(self, image_bgr: np.ndarray) -> tuple[np.ndarray, float]:
        """Track one frame: returns (``[x, y, w, h]`` float64, confidence = foreground score of the chosen anchor)."""
        if self.kernels is None:
            raise RuntimeError("SiamRPNTracker.update called before init")
        check_image(image_bgr)
        cfg = self.cfg
        geo = self.geometry(self.instance_size)
        scale_z, s_x = search_scale(self.size, cfg, self.instance_size)
        x = get_subwindow(image_bgr, tuple(self.center), self.instance_size, s_x, self.avg_chans, cfg.rounding)
        cls, loc = self.engine.detect(image_to_tensor(x, self.device), self.kernels)
        cls_np = cls[0].float().cpu().numpy()
        loc_np = loc[0].float().cpu().numpy()
        self.last_maps = (cls_np, loc_np)
        prop = select_proposal(cls_np, loc_np, geo.anchors, geo.window, geo.mask,
                               (self.size[0] * scale_z, self.size[1] * scale_z), cfg.penalty_k,
                               cfg.window_influence, cfg.lr, cfg.nms_threshold, cfg.nms_top_k)
        self.last_proposal = prop
        self.image_wh = (image_bgr.shape[1], image_bgr.shape[0])
        self.center, self.size = update_state(self.center, self.size, prop, scale_z, self.image_wh, cfg.min_size)
        box = np.array([self.center[0] - self.size[0] / 2, self.center[1] - self.size[1] / 2,
                        self.size[0], self.size[1]])
        return box, prop.score
