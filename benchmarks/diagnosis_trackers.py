"""Diagnosis trackers (issue 20): which part of SiamRPN loses to CSRT on the real sequences, classification or
box regression? Three benchmark trackers, not presets of the project, each a ``module:callable`` factory the
runner builds like any other tracker (``--tracker label=benchmarks.diagnosis_trackers:<factory>[:weights]``, or
``benchmarks/quality_real.py --diagnose``):

* :func:`siamfc_lite0` -> :class:`SiamFCTracker`: no training at all. SiamFC-style cross-correlation of the
  ImageNet EfficientNet-Lite0 features (:class:`tracker.backbones.efficientnet_lite.Lite0Backbone`, weights of
  :func:`~tracker.backbones.efficientnet_lite.load_lite0_imagenet`): template = the centre 8x8 cells of the 127
  exemplar map, correlated with the 255 search map, min-max normalised, cosine window, 3 scales. The tracker
  of ``benchmarks/backbone_choice.py`` (which imports it from here).
* :func:`oracle_scale` -> :class:`OracleScaleTracker`: the default SiamRPN tracker whose size is replaced by the
  ground-truth size after every update, so only its localisation (the centre) is judged.
* :func:`pyramid_scale` -> :class:`PyramidScaleTracker`: the default SiamRPN tracker with SiamFC's 3-scale
  search pyramid (on the classification's log-odds) choosing the size instead of the RPN regression.

The module lives under ``benchmarks/`` (a namespace package): the runner's spawned workers inherit the parent's
``sys.path``, and ``benchmarks/quality_real.py`` puts the repository root on it, so a worker imports
``benchmarks.diagnosis_trackers`` like the parent does.
"""
from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from analysis.core.regions import area_preserving_rect
from integration.data.sequences import Sequence, load_dataset
from tracker.backbones.efficientnet_lite import Lite0Backbone, load_lite0_imagenet
from tracker.crop import get_subwindow, round_size
from tracker.postprocess import select_proposal, update_state
from tracker.siamrpn import SiamRPNTracker, check_image, image_to_tensor

__all__ = ["SiamFCTracker", "siamfc_lite0", "GroundTruthFollower", "OracleScaleTracker", "oracle_scale",
           "PyramidScaleTracker", "pyramid_scale", "pyramid_scales", "choose_scale", "foreground_logit_peak",
           "FACTORIES"]

_MODULE = "benchmarks.diagnosis_trackers"
#: the ``--tracker`` names of the three diagnosis trackers (``module:callable`` specs for the runner)
FACTORIES = {name: f"{_MODULE}:{name}" for name in ("siamfc_lite0", "oracle_scale", "pyramid_scale")}


# --- (a) training-free SiamFC on the ImageNet Lite0 features ---------------------------------------------------

def _tensor(patch: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(patch).permute(2, 0, 1)[None].to(device)


class SiamFCTracker:
    """SiamFC-style cross-correlation tracker on a frozen feature extractor ``net`` (stride 8, raw BGR 0-255 in).

    ``init``: centre ``(x + w/2, y + h/2)`` and size of the box (a polygon: its area-preserving box), exemplar side
    ``s_z = sqrt((w + p)(h + p))``, ``p = (w + h)/2``, crop of ``round(s_z)`` resized to 127 and padded with the
    first frame's channel means; template = the centre 8x8 cells of its feature map, minus their mean.
    ``update``: for each scale ``s`` of ``scales`` a search crop of side ``round(s_z * 255/127 * s)`` resized to 255;
    response = correlation of its map with the template, min-max normalised to [0, 1]; combined =
    ``(1 - window_weight) * response + window_weight * hann * (1 or scale_window_penalty for s != 1)``. The scale
    and cell of the highest combined value win (first scale wins a tie); the centre moves by the cell's offset
    from the map centre times ``8 * s_x / 255``; ``s_z`` and the size are multiplied by ``1 + scale_lr (s - 1)``.
    Returns ``[cx - w/2, cy - h/2, w, h]`` and the winning combined value. Deterministic.
    """

    deterministic = True

    def __init__(self, net: nn.Module, scales: Iterable[float] = (0.96, 1.0, 1.04), scale_lr: float = 0.5,
                 window_weight: float = 0.3, scale_window_penalty: float = 0.98, template_cells: int = 8,
                 device: str | torch.device = "cpu") -> None:
        self.device = torch.device(device)
        self.net = net.eval().to(self.device)
        self.scales = tuple(float(s) for s in scales)
        self.scale_lr, self.window_weight = float(scale_lr), float(window_weight)
        self.scale_window_penalty, self.template_cells = float(scale_window_penalty), int(template_cells)
        self.zf: torch.Tensor | None = None

    @torch.inference_mode()
    def init(self, image: np.ndarray, region) -> None:
        check_image(image)
        x, y, w, h = area_preserving_rect(region)
        self.center, self.size = np.array([x + w / 2, y + h / 2]), np.array([w, h], dtype=np.float64)
        self.avg = image.reshape(-1, 3).mean(0)
        self.s_z = float(np.sqrt((w + 0.5 * (w + h)) * (h + 0.5 * (w + h))))
        zf = self.net(_tensor(get_subwindow(image, tuple(self.center), 127, round(self.s_z), self.avg), self.device))
        n, side = self.template_cells, zf.shape[-1]
        lo = (side - n) // 2
        zf = zf[:, :, lo:lo + n, lo:lo + n]
        self.zf = zf - zf.mean((2, 3), keepdim=True)

    @torch.inference_mode()
    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if self.zf is None:
            raise RuntimeError("SiamFCTracker.update called before init")
        check_image(image)
        best = None
        for scale in self.scales:
            s_x = self.s_z * 255 / 127 * scale
            xf = self.net(_tensor(get_subwindow(image, tuple(self.center), 255, round(s_x), self.avg), self.device))
            r = F.conv2d(xf, self.zf)[0, 0].float().cpu().numpy()
            r = (r - r.min()) / (r.max() - r.min() + 1e-9)
            win = np.outer(np.hanning(r.shape[0]), np.hanning(r.shape[1]))
            r = (1 - self.window_weight) * r + self.window_weight * win * (
                1.0 if scale == 1.0 else self.scale_window_penalty)
            i = np.unravel_index(r.argmax(), r.shape)
            if best is None or r[i] > best[0]:
                best = (float(r[i]), i, scale, s_x, r.shape)
        value, (u, v), scale, s_x, shape = best
        cu, cv = (shape[0] - 1) / 2, (shape[1] - 1) / 2
        self.center = self.center + np.array([(v - cv) * 8, (u - cu) * 8]) * (s_x / 255)
        step = 1 + self.scale_lr * (scale - 1)
        self.s_z *= step
        self.size = self.size * step
        box = np.array([self.center[0] - self.size[0] / 2, self.center[1] - self.size[1] / 2,
                        self.size[0], self.size[1]])
        return box, value


def siamfc_lite0(weights: str | os.PathLike | None = None, device: str = "cpu", **options: Any) -> SiamFCTracker:
    """:class:`SiamFCTracker` on the ImageNet EfficientNet-Lite0 stride-8 features (the dilated default
    :class:`Lite0Backbone`). ``weights``: the ImageNet ``.pth`` (default: the installed package's file or
    ``SIAMRPN_LITE0_WEIGHTS``); ``options`` go to :class:`SiamFCTracker`."""
    net = load_lite0_imagenet(Lite0Backbone(), weights).eval()
    return SiamFCTracker(net, device=device, **options)


# --- (b) SiamRPN with the ground-truth size ----------------------------------------------------------------------

_DATASETS: dict[str, dict[str, Sequence]] = {}


def _dataset(folder: str | os.PathLike) -> dict[str, Sequence]:
    key = str(Path(folder).resolve())
    if key not in _DATASETS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the loader's notes on cut sequences: the runner's copy says them
            _DATASETS[key] = load_dataset(key)
    return _DATASETS[key]


class GroundTruthFollower:
    """Which ``(sequence, frame)`` a tracker is being shown, found from what every tracker sees.

    :meth:`start` (at ``init``): the frames whose ground-truth row equals the init region exactly (the protocols
    initialise on the ground truth), kept if that frame's pixels equal the image; the first such frame of the
    given sequences wins. :meth:`advance` (at every ``update``): the next frame whose pixels equal the image,
    searched from the frame after the last one (so protocols that skip frames are followed); an image that is no
    later frame of the sequence raises ``RuntimeError`` (the answer would be wrong, never silently).
    """

    def __init__(self, sequences: Iterable[Sequence]) -> None:
        self.sequences = list(sequences)
        if not self.sequences:
            raise ValueError("GroundTruthFollower: no sequences")
        self.sequence: Sequence | None = None
        self.frame = -1

    def start(self, image: np.ndarray, region) -> tuple[Sequence, int]:
        r = np.asarray(region, dtype=np.float64).ravel()
        for seq in self.sequences:
            gt = np.asarray(seq.groundtruth, dtype=np.float64)
            if gt.ndim != 2 or gt.shape[1] != r.size:
                continue
            for f in np.flatnonzero(np.all(gt == r, axis=1)):
                if self._same(seq, int(f), image):
                    self.sequence, self.frame = seq, int(f)
                    return seq, self.frame
        raise RuntimeError(f"ground truth not found: no frame of {len(self.sequences)} sequence(s) has the init "
                           f"region {r.tolist()} and this image")

    def advance(self, image: np.ndarray) -> int:
        if self.sequence is None:
            raise RuntimeError("GroundTruthFollower.advance before start")
        for f in range(self.frame + 1, len(self.sequence)):
            if self._same(self.sequence, f, image):
                self.frame = f
                return f
        raise RuntimeError(f"{self.sequence.name}: the image is no frame after frame {self.frame}")

    @staticmethod
    def _same(seq: Sequence, f: int, image: np.ndarray) -> bool:
        frame = seq.frame(f)
        return frame.shape == image.shape and np.array_equal(frame, image)

    def size(self) -> np.ndarray | None:
        """Ground-truth ``(w, h)`` of the current frame (a polygon: its area-preserving box), ``None`` where the
        frame has no usable annotation (NaN or non-positive size)."""
        x, y, w, h = area_preserving_rect(self.sequence.groundtruth[self.frame])
        if not np.all(np.isfinite([w, h])) or w <= 0 or h <= 0:
            return None
        return np.array([w, h], dtype=np.float64)


class OracleScaleTracker(SiamRPNTracker):
    """SiamRPN (``weights``, ``preset`` as :class:`tracker.siamrpn.SiamRPNTracker`) whose size is the ground truth.

    What it sees: the frames and init regions every tracker sees, plus the ground truth of ``sequences``. At
    ``init`` it finds the sequence and frame (:class:`GroundTruthFollower`: ground-truth row == init region and
    identical pixels) and initialises exactly as SiamRPN. At every ``update`` SiamRPN runs unchanged on the frame
    (search crop scaled from the current size, classification, regression, penalties, window, its centre step);
    then the frame is identified (identical pixels, the next such frame) and the size, in the output box and in the
    tracker's state (so the next search crop too), is replaced by that frame's ground-truth ``(w, h)`` (a polygon:
    the area-preserving box; frames without a usable annotation keep SiamRPN's own size). The centre is always
    SiamRPN's own: the box is ``[cx - w/2, cy - h/2, w, h]`` with SiamRPN's centre ``(cx, cy)`` and the true
    ``(w, h)``. Nothing else of the ground truth (its position, later frames) is used.
    """

    def __init__(self, sequences: Iterable[Sequence], weights: Any = None, preset: Any = None,
                 device: str = "cpu") -> None:
        super().__init__(weights=weights, preset=preset, device=device)
        self.truth = GroundTruthFollower(sequences)

    def init(self, image_bgr: np.ndarray, region) -> None:
        super().init(image_bgr, region)
        self.truth.start(image_bgr, region)

    def update(self, image_bgr: np.ndarray) -> tuple[np.ndarray, float]:
        _, score = super().update(image_bgr)
        self.truth.advance(image_bgr)
        size = self.truth.size()
        if size is not None:
            self.size = size
        box = np.array([self.center[0] - self.size[0] / 2, self.center[1] - self.size[1] / 2,
                        self.size[0], self.size[1]])
        return box, score


def oracle_scale(dataset: str | os.PathLike | None = None, weights: Any = None, preset: Any = None,
                 device: str = "cpu", sequences: Iterable[Sequence] | None = None) -> OracleScaleTracker:
    """:class:`OracleScaleTracker` with the ground truth of the dataset folder ``dataset`` (loaded once per
    process with :func:`integration.data.sequences.load_dataset`, as the runner loads it) or of in-memory
    ``sequences``."""
    if sequences is None:
        if dataset is None:
            raise ValueError("oracle_scale needs the ground truth: pass dataset=<dataset folder> (tracker option)")
        sequences = _dataset(dataset).values()
    return OracleScaleTracker(sequences, weights=weights, preset=preset, device=device)


# --- (c) SiamRPN with a scale pyramid instead of the size regression --------------------------------------------

#: SiamFC (Bertinetto et al. 2016, ``siamese-fc`` ``tracker.m``, 3 scales): scale step, penalty of the two
#: non-unit scales, learning rate of the size
SIAMFC_SCALE_STEP, SIAMFC_SCALE_PENALTY, SIAMFC_SCALE_LR = 1.0375, 0.9745, 0.59


def pyramid_scales(step: float = SIAMFC_SCALE_STEP, num: int = 3) -> tuple[float, ...]:
    """``step ** k`` for ``k = -(num-1)/2 .. (num-1)/2``, the unit scale first (it wins ties): ``(1, 1/step, step)``."""
    ks = np.arange(num) - (num - 1) / 2
    return tuple(sorted((float(step ** k) for k in ks), key=lambda s: (s != 1.0, s)))


def choose_scale(peaks: Iterable[float], scales: Iterable[float], penalty: float = SIAMFC_SCALE_PENALTY) -> int:
    """SiamFC's rule: index of the largest peak, the peaks of non-unit scales lowered by the factor ``penalty``
    (``p - (1 - penalty) |p|``: ``p * penalty`` for a positive peak as in SiamFC, and lower too for a negative
    one); the first wins a tie."""
    values = [p if s == 1.0 else p - (1.0 - penalty) * abs(p) for p, s in zip(peaks, scales)]
    return int(np.argmax(values))


def foreground_logit_peak(cls: np.ndarray) -> float:
    """Largest foreground log-odds ``fg - bg`` over every anchor and cell of ``cls (2k, S, S)`` (k background
    logits, then k foreground, as :func:`tracker.postprocess.softmax_fg` reads them)."""
    c = cls.reshape(2, -1).astype(np.float64)
    return float((c[1] - c[0]).max())


class PyramidScaleTracker(SiamRPNTracker):
    """SiamRPN (``weights``, ``preset`` as :class:`tracker.siamrpn.SiamRPNTracker`) whose size comes from a search
    pyramid, not from the regression.

    ``update``: for each scale ``s`` of :func:`pyramid_scales` (``scale_step``, ``num_scales``) the search crop of
    side ``round(s * s_x)`` (``s_x`` SiamRPN's own) around the current centre, resized to the instance size, goes
    through the unchanged network. The scale is chosen by SiamFC's rule (:func:`choose_scale`) on each crop's peak
    classification log-odds (:func:`foreground_logit_peak`: foreground minus background logit, any anchor and
    cell, before SiamRPN's penalty and window), ``penalty`` for the non-unit scales. In the chosen crop SiamRPN's own selection (:func:`tracker.postprocess.select_proposal`:
    scale/ratio penalty, cosine window, centre cut) picks the anchor, and the centre moves exactly as SiamRPN's
    (the proposal's centre, divided by that crop's scale). The size becomes ``size * (1 - scale_lr + scale_lr * s)``
    (SiamFC's update; the regressed width and height are not used), clipped as SiamRPN clips. With all scales tied
    the unit scale wins, and the centre is SiamRPN's.

    Defaults are SiamFC's (step 1.0375, penalty 0.9745, lr 0.59). SiamFC compares the peaks of its raw response,
    which its logistic loss trains as a logit; the RPN's counterpart is the log-odds, not the probability: the
    current default weights saturate the foreground probability (0.996-1.000 at the target in every scale on
    ``OTB_FaceOcc1`` / ``OTB_Girl``), so probability peaks tie and the few frames where the unit crop's peak drops
    decide the size (a probability pyramid drifted to twice the face's width on ``OTB_FaceOcc1``), while the
    log-odds peak near the true scale (e.g. 10.1 / 11.4 / 10.6 at scales 0.8 / 1 / 1.25).
    """

    def __init__(self, weights: Any = None, preset: Any = None, device: str = "cpu",
                 scale_step: float = SIAMFC_SCALE_STEP, num_scales: int = 3,
                 scale_penalty: float = SIAMFC_SCALE_PENALTY, scale_lr: float = SIAMFC_SCALE_LR) -> None:
        super().__init__(weights=weights, preset=preset, device=device)
        self.scales = pyramid_scales(scale_step, num_scales)
        self.scale_penalty, self.scale_lr = float(scale_penalty), float(scale_lr)
        self.last_scale = 1.0

    @torch.inference_mode()
    def update(self, image_bgr: np.ndarray) -> tuple[np.ndarray, float]:
        if self.kernels is None:
            raise RuntimeError("PyramidScaleTracker.update called before init")
        check_image(image_bgr)
        cfg = self.cfg
        geo = self.geometry(self.instance_size)
        ctx = cfg.context_amount * (self.size[0] + self.size[1])
        s_z = float(np.sqrt((self.size[0] + ctx) * (self.size[1] + ctx)))
        scale_z = cfg.exemplar_size / s_z  # as tracker.siamrpn.search_scale
        s_x = s_z * self.instance_size / cfg.exemplar_size
        maps, peaks = [], []
        for s in self.scales:
            side = max(round_size(s_x * s, cfg.rounding), 1)
            x = get_subwindow(image_bgr, tuple(self.center), self.instance_size, side, self.avg_chans, cfg.rounding)
            cls, loc = self.engine.detect(image_to_tensor(x, self.device), self.kernels)
            cls_np, loc_np = cls[0].float().cpu().numpy(), loc[0].float().cpu().numpy()
            maps.append((cls_np, loc_np))
            peaks.append(foreground_logit_peak(cls_np))
        k = choose_scale(peaks, self.scales, self.scale_penalty)
        s, (cls_np, loc_np) = self.scales[k], maps[k]
        scale_k = scale_z / s  # crop pixels per image pixel in crop k
        self.last_maps, self.last_scale = (cls_np, loc_np), s
        prop = select_proposal(cls_np, loc_np, geo.anchors, geo.window, geo.mask,
                               (self.size[0] * scale_k, self.size[1] * scale_k), cfg.penalty_k,
                               cfg.window_influence, cfg.lr, cfg.nms_threshold, cfg.nms_top_k)
        self.last_proposal = prop
        # the proposal's centre, SiamFC's size: update_state interpolates w towards box_w / scale_k = s * w
        sized = dataclasses.replace(prop, box=np.array([prop.box[0], prop.box[1], self.size[0] * s * scale_k,
                                                        self.size[1] * s * scale_k]), lr=self.scale_lr)
        self.image_wh = (image_bgr.shape[1], image_bgr.shape[0])
        self.center, self.size = update_state(self.center, self.size, sized, scale_k, self.image_wh, cfg.min_size)
        box = np.array([self.center[0] - self.size[0] / 2, self.center[1] - self.size[1] / 2,
                        self.size[0], self.size[1]])
        return box, prop.score


def pyramid_scale(weights: Any = None, preset: Any = None, device: str = "cpu", **options: Any
                  ) -> PyramidScaleTracker:
    """:class:`PyramidScaleTracker`; ``options``: ``scale_step``, ``num_scales``, ``scale_penalty``, ``scale_lr``."""
    return PyramidScaleTracker(weights=weights, preset=preset, device=device, **options)
