"""Batched SiamRPN: N independent sequences tracked with ONE detection forward per step.

Each sequence has its own kernel set (template branch run once at its ``init``/``reinit``); the search crops of
all active sequences are stacked and correlated with their own kernels by one grouped convolution
(:func:`tracker.network.xcorr_grouped`). Proposal selection is vectorised over the batch in torch (float64,
on the model's device), giving the same numbers as :func:`tracker.postprocess.select_proposal`; so a batch
equals N single :class:`tracker.siamrpn.SiamRPNTracker` s. Sequences whose adaptive instance size differs
(DaSiamRPN BIG) are run as one forward per size.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from tracker.crop import get_subwindow
from tracker.network import Kernels
from tracker.presets import TrackConfig
from tracker.siamrpn import ScoreGeometry, SiamRPNEngineOwner, check_image, image_to_tensor, init_state, search_scale

__all__ = ["BatchedSiamRPN", "select_batch"]


def select_batch(cls: torch.Tensor, loc: torch.Tensor, geo: ScoreGeometry, target_sz: torch.Tensor,
                 cfg: TrackConfig) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Vectorised update steps 3-7 (``docs/tracker.md``) for ``cls [B,2k,S,S]``, ``loc [B,4k,S,S]``, ``target_sz [B,2]`` (crop px).

    Returns ``(box [B,4] cx,cy,w,h crop px, score [B], lr [B])`` in float64. (NMS cannot change the arg-max, so
    it is not applied here.)
    """
    b = cls.shape[0]
    dev = cls.device
    c = cls.double().reshape(b, 2, -1)
    score = torch.exp(-torch.logaddexp(torch.zeros((), dtype=torch.float64, device=dev), c[:, 0] - c[:, 1]))
    d = loc.double().reshape(b, 4, -1)
    a = torch.as_tensor(geo.anchors, dtype=torch.float64, device=dev)
    w = torch.exp(d[:, 2].clamp(-30, 30)) * a[:, 2]
    h = torch.exp(d[:, 3].clamp(-30, 30)) * a[:, 3]
    cx, cy = d[:, 0] * a[:, 2] + a[:, 0], d[:, 1] * a[:, 3] + a[:, 1]

    def sz(w_, h_):
        p = (w_ + h_) * 0.5
        return torch.sqrt((w_ + p) * (h_ + p))

    tw, th = target_sz[:, 0:1].double(), target_sz[:, 1:2].double()
    s_c = sz(w, h) / sz(tw, th)
    r_c = (tw / th) / (w / h)
    penalty = torch.exp(-(torch.maximum(r_c, 1 / r_c) * torch.maximum(s_c, 1 / s_c) - 1) * cfg.penalty_k)
    window = torch.as_tensor(geo.window, dtype=torch.float64, device=dev)
    pscore = penalty * score * (1 - cfg.window_influence) + window * cfg.window_influence
    pscore = torch.where(torch.as_tensor(geo.mask, device=dev), pscore, torch.tensor(-np.inf, dtype=torch.float64,
                                                                                       device=dev))
    best = pscore.argmax(dim=1, keepdim=True)
    def pick(t):
        return (t.gather(1, best)[:, 0])
    box = torch.stack([pick(cx), pick(cy), pick(w), pick(h)], 1)
    sc = pick(score)
    return box, sc, pick(penalty) * sc * cfg.lr


class BatchedSiamRPN(SiamRPNEngineOwner):
    """Track N sequences at once: ``init(images, regions)``, ``update(images) -> (boxes (N,4), scores (N,))``.

    ``reinit(i, image, region)`` restarts one sequence (VOT re-initialisation); ``update(images, active=...)``
    advances only the listed sequences (others keep their state; their rows are NaN / score NaN).
    """

    def __init__(self, weights: str | Path | nn.Module | None = None, preset: str | TrackConfig | None = None,
                 device: str | torch.device = "cpu", backend: str = "eager",
                 backend_options: dict | None = None) -> None:
        super().__init__(weights, preset, device, backend, backend_options)
        self.n = 0
        self.kernels: Kernels | None = None

    def _templates(self, images: Sequence[np.ndarray], regions: Sequence) -> tuple[list, Kernels]:
        states, patches = [], []
        for img, reg in zip(images, regions, strict=True):
            center, size, avg, s_z, inst = init_state(img, reg, self.cfg)
            states.append((center, size, avg, inst, (img.shape[1], img.shape[0])))
            patches.append(get_subwindow(img, tuple(center), self.cfg.exemplar_size, s_z, avg, self.cfg.rounding))
        return states, self.engine.template(image_to_tensor(patches, self.device))

    @torch.inference_mode()
    def init(self, images: Sequence[np.ndarray], regions: Sequence) -> None:
        """Initialise all N sequences (one template forward for the batch)."""
        if len(images) != len(regions) or not len(images):
            raise ValueError(f"init needs one region per image and at least one sequence "
                             f"(got {len(images)} images, {len(regions)} regions)")
        states, self.kernels = self._templates(images, regions)
        self.n = len(states)
        self.center = np.stack([s[0] for s in states])
        self.size = np.stack([s[1] for s in states])
        self.avg = np.stack([s[2] for s in states])
        self.instance = np.array([s[3] for s in states])
        self.image_wh = np.array([s[4] for s in states], dtype=np.float64)

    @torch.inference_mode()
    def reinit(self, index: int, image: np.ndarray, region) -> None:
        """Re-initialise sequence ``index`` only."""
        (state,), kern = self._templates([image], [region])
        for full, part in zip(self.kernels, kern):
            if full is not None:
                full[index] = part[0]
        self.center[index], self.size[index], self.avg[index] = state[0], state[1], state[2]
        self.instance[index], self.image_wh[index] = state[3], state[4]

    @torch.inference_mode()
    def update(self, images: Sequence[np.ndarray], active: Sequence[int] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """One step for the ``active`` sequences (default all); ``images[i]`` is sequence i's frame
        (entries of inactive sequences are ignored and may be ``None``)."""
        if self.kernels is None:
            raise RuntimeError("BatchedSiamRPN.update called before init")
        if len(images) != self.n:
            raise ValueError(f"update expects {self.n} images (one per sequence), got {len(images)}")
        idx = np.arange(self.n) if active is None else np.asarray(active, dtype=int)
        boxes = np.full((self.n, 4), np.nan)
        scores = np.full(self.n, np.nan)
        cfg = self.cfg
        for inst in np.unique(self.instance[idx]):
            group = idx[self.instance[idx] == inst]
            geo = self.geometry(int(inst))
            patches, scales = [], []
            for i in group:
                img = check_image(images[i])
                self.image_wh[i] = (img.shape[1], img.shape[0])
                scale_z, s_x = search_scale(self.size[i], cfg, int(inst))
                scales.append(scale_z)
                patches.append(get_subwindow(img, tuple(self.center[i]), int(inst), s_x, self.avg[i], cfg.rounding))
            kern = self.kernels if len(group) == self.n else self.kernels.select(torch.as_tensor(group))
            cls, loc = self.engine.detect(image_to_tensor(patches, self.device), kern)
            sc = torch.as_tensor(np.asarray(scales), dtype=torch.float64, device=cls.device)
            tsz = torch.as_tensor(self.size[group], dtype=torch.float64, device=cls.device) * sc[:, None]
            box, score, lr = select_batch(cls, loc, geo, tsz, cfg)
            box = (box / sc[:, None]).cpu().numpy()
            lr = lr.cpu().numpy()[:, None]
            c = self.center[group] + box[:, :2]
            s = self.size[group] * (1 - lr) + box[:, 2:] * lr
            wh = self.image_wh[group]
            self.center[group] = np.clip(c, 0, wh)
            self.size[group] = np.clip(s, cfg.min_size, wh)
            boxes[group] = np.concatenate([self.center[group] - self.size[group] / 2, self.size[group]], 1)
            scores[group] = score.cpu().numpy()
        return boxes, scores
