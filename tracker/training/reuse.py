"""The feature-reuse trainer: the frozen backbone runs once per scene, not once per pair.

Each step renders ``scenes_per_step`` photographic scenes (``tracker.training.scenes``, pixel-space augmentation
per scene) in data-loader workers. The frozen backbone then runs ONCE on each template crop and ONCE on each
search canvas (``instance_size + 2*shift`` px). The trainable part (neck + RPN head) is fully convolutional, so it
runs once on the whole canvas map, and the score/regression maps of ``windows_per_scene`` search windows of
``instance_size`` px, cut at multiples of the backbone's ``window_step``, are sub-blocks of the canvas maps: each
window is one training pair with its own anchor targets (the target sits anywhere within ``shift`` px of the
window centre, pysot's search-shift augmentation). ``negative_scenes`` canvases are also correlated with the next
scene's template: negative pairs, labelled as pysot labels them (negatives around the canvas's own target).
``pixel_windows`` more windows per step go through the pixel path (crop first, then the backbone), so the head
also sees the padded borders of real tracking crops.

Where this equals the pixel-space path and where it does not (``tests/test_training_reuse.py``):

* head: the maps of a window cut from the canvas *features* equal the head run on those cut features exactly
  (up to float rounding): valid convolutions and the correlation commute with the cut;
* backbone: the features of a window cut from the canvas map differ from the features of the window's pixels
  cropped first, because a crop's border is zero padding (grey after normalisation) where the canvas has image
  content, and the padded backbone's receptive field reaches every cell of a 255 window. The difference is
  largest in the outer cells and small at the centre, where targets are; it is measured by the test and stated
  in ``results/weights/README.md``. At tracking time the crop is padded as in the pixel path; the windows see
  real context instead. That is the price of the ~10x cheaper step.

Determinism and resume: scene ``i`` is a pure function of ``(seed, i)``; step ``s`` uses scenes
``s*N .. s*N+N-1`` and a window generator seeded by ``(seed, s)``; BN statistics are calibrated once and frozen.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from analysis.core.atomic import atomic_target, write_text_atomic
from tracker.anchors import generate_anchors
from tracker.network import SiamRPN
from tracker.presets import get_preset
from tracker.training.config import TrainConfig, config_to_dict
from tracker.training.initialise import dw_init, pretrained_init, reset_for_average
from tracker.training.loop import freeze_layers, plot_log, resume_state
from tracker.training.loss import rpn_loss
from tracker.training.mining import mine_hard_negatives
from tracker.training.photos import PhotoIndex, build_photo_index
from tracker.training.scenes import SceneGenerator
from tracker.training.schedule import scheduled_lr
from tracker.training.targets import anchor_targets
from tracker.weights import load_checkpoint, load_into, save_checkpoint

__all__ = ["SceneDataset", "window_offsets", "window_box", "train_reuse", "reuse_geometry", "ReuseGeometry"]

LOG_FIELDS = ("step", "lr", "loss", "cls_loss", "loc_loss", "pairs_per_s", "elapsed_s")


class SceneDataset(Dataset):
    """Scene ``i`` as tensors: ``z`` [3, E, E] and ``x`` [3, C, C] float 0-255 BGR, boxes (cx, cy, w, h)."""

    def __init__(self, photos: PhotoIndex, cfg: TrainConfig, length: int) -> None:
        self.gen = SceneGenerator(photos, cfg.scenes, cfg.seed)
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        s = self.gen.render(int(i))
        return {"z": torch.from_numpy(np.ascontiguousarray(s.template.transpose(2, 0, 1))).float(),
                "x": torch.from_numpy(np.ascontiguousarray(s.canvas.transpose(2, 0, 1))).float(),
                "zbox": torch.from_numpy(s.template_box.astype(np.float32)),
                "xbox": torch.from_numpy(s.canvas_box.astype(np.float32)),
                "target": torch.tensor(s.target)}


@dataclasses.dataclass(frozen=True)
class ReuseGeometry:
    """Sizes of the window cut: ``score`` cells per window, ``canvas_score`` per canvas, ``step`` px per offset
    unit (the backbone's window step), ``offsets`` the number of window positions per axis."""

    instance: int
    canvas: int
    score: int
    stride: int
    step: int
    offsets: int


def reuse_geometry(cfg: TrainConfig, model: SiamRPN) -> ReuseGeometry:
    preset = get_preset(cfg.preset)
    step = getattr(getattr(model.featureExtract, "variant", None), "window_step", preset.total_stride)
    shift = cfg.scenes.shift
    if (2 * shift) % step:
        raise ValueError(f"scenes.shift {shift}: 2*shift must be a multiple of the backbone's window step {step}")
    return ReuseGeometry(cfg.scenes.instance_size, cfg.scenes.canvas, preset.score_size(cfg.scenes.instance_size),
                         preset.total_stride, step, 2 * shift // step + 1)


def window_offsets(rng: np.random.Generator, n: int, offsets: int) -> np.ndarray:
    """``n`` distinct window positions ``(ax, ay)`` (offset units) of ``offsets`` x ``offsets``, uniform."""
    flat = rng.choice(offsets * offsets, size=min(n, offsets * offsets), replace=False)
    return np.stack([flat % offsets, flat // offsets], 1)


def window_box(canvas_box: np.ndarray, offset_px: np.ndarray, instance: int) -> np.ndarray:
    """The target's (cx, cy, w, h) relative to the centre ``(instance - 1) / 2`` of the window whose top-left
    corner is ``offset_px`` canvas pixels (the tracker's crop-centred convention)."""
    c = (instance - 1) / 2
    return np.array([canvas_box[0] - offset_px[0] - c, canvas_box[1] - offset_px[1] - c,
                     canvas_box[2], canvas_box[3]], dtype=np.float64)


def _cut(maps: torch.Tensor, scene: int, cell: tuple[int, int], size: int) -> torch.Tensor:
    return maps[scene, :, cell[1]:cell[1] + size, cell[0]:cell[0] + size]


def _initial_model(cfg: TrainConfig, loader_batches, device: torch.device) -> SiamRPN:
    preset = get_preset(cfg.preset)
    model = SiamRPN(preset.model)
    if cfg.init == "pretrained":
        if model.rpn_head is not None:
            dw_init(model, cfg.seed, feature_gain=cfg.init_feature_gain)
        else:
            pretrained_init(model, cfg.seed, alpha=cfg.init_alpha, feature_gain=cfg.init_feature_gain)
        calibrate_head_bn(model, loader_batches, device)
    elif cfg.init != "random":
        load_into(model, load_checkpoint(cfg.init).state_dict, cfg.init)
    return model.to(device)


@torch.no_grad()
def calibrate_head_bn(model: SiamRPN, batches, device: torch.device) -> None:
    """Set the running statistics of every BN outside the backbone (neck, DW head) to their average over
    ``batches`` of scenes (templates and canvases), one module at a time in order, then freeze them."""
    bns = [m for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)
           and not name.startswith("featureExtract")]
    saved = reset_for_average(bns)
    model.eval()
    for m in bns:
        m.train()
    for batch in batches:
        z, x = batch["z"].to(device), batch["x"].to(device)
        model.detect_features(model.search_features(x), model.kernels_from_features(model.template_features(z)))
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()


def _save_atomic(obj, path: Path) -> None:
    with atomic_target(path) as tmp:
        torch.save(obj, tmp)


def train_reuse(cfg: TrainConfig, out: str | Path, resume: bool = False, device: str | torch.device = "cpu",
                stop_after: int | None = None, progress: bool = True, photos: PhotoIndex | None = None) -> dict:
    """Run (or resume) the feature-reuse trainer; returns a summary like :func:`tracker.training.loop.train`.

    Output folder: ``config.json``, ``checkpoint.pth`` (model + optimiser + step; ``resume`` continues it),
    ``init_weights.pth``, ``weights.pth`` (a ``tracker.weights`` checkpoint), ``log.csv``, ``loss.png`` and, with
    ``reuse.snapshot_every``, ``snapshots/step_NNNNNN.pth`` (fp16) for validation.
    """
    device = torch.device(device)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    photos = photos if photos is not None else build_photo_index(Path(cfg.reuse.photo_cache))
    n_scenes = cfg.reuse.scenes_per_step
    # scenes past the training range calibrate BN at initialisation (never a training scene)
    dataset = SceneDataset(photos, cfg, (cfg.steps + 4) * n_scenes)
    ckpt_path = out / "checkpoint.pth"
    state = resume_state(ckpt_path, cfg) if resume else None
    if state is None:
        calib = [_collate([dataset[cfg.steps * n_scenes + i] for i in range(j * n_scenes, (j + 1) * n_scenes)])
                 for j in range(4)]
        model = _initial_model(cfg, calib, device)
    else:
        model = SiamRPN(get_preset(cfg.preset).model)
        model.load_state_dict(state["model"])
        model = model.to(device)
    params = freeze_layers(model, cfg.optim.frozen_layers)
    model.eval()
    geo = reuse_geometry(cfg, model)
    preset = get_preset(cfg.preset)
    anchors = generate_anchors(geo.score, preset.total_stride, preset.ratios, preset.scales)
    fe = model.featureExtract
    frozen_backbone = not any(p.requires_grad for p in fe.parameters())
    backbone_ids = {id(p) for p in fe.parameters()}
    groups = [{"params": [p for p in params if id(p) in backbone_ids], "lr_mult": cfg.optim.backbone_lr_mult},
              {"params": [p for p in params if id(p) not in backbone_ids], "lr_mult": 1.0}]
    groups = [g for g in groups if g["params"]]
    if cfg.optim.name == "adamw":
        opt: torch.optim.Optimizer = torch.optim.AdamW(groups, lr=cfg.optim.lr_start,
                                                       weight_decay=cfg.optim.weight_decay)
    elif cfg.optim.name == "sgd":
        opt = torch.optim.SGD(groups, lr=cfg.optim.lr_start, momentum=cfg.optim.momentum,
                              weight_decay=cfg.optim.weight_decay)
    else:
        raise ValueError(f"unknown optimiser {cfg.optim.name!r} (sgd, adamw)")
    start = 0
    if state is not None:
        opt.load_state_dict(state["optimizer"])
        start = int(state["step"])
    log_path = out / "log.csv"
    write_text_atomic(out / "config.json", json.dumps(config_to_dict(cfg), indent=1))
    rows = []
    if resume and log_path.exists():
        with open(log_path) as fh:
            rows = [r for r in csv.DictReader(fh) if int(r["step"]) < start]
    with open(log_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, LOG_FIELDS)
        w.writeheader()
        w.writerows(rows)
    elapsed0 = float(state.get("elapsed_s", 0.0)) if state else 0.0
    provenance = {"trained_by": "tracker.training.reuse (siamrpn train, trainer=reuse)", "steps": cfg.steps,
                  "scenes_per_step": n_scenes, "windows_per_scene": cfg.reuse.windows_per_scene,
                  "negative_scenes": cfg.reuse.negative_scenes, "seed": cfg.seed, "init": cfg.init,
                  "hard_negatives": cfg.targets.hard_negatives,
                  "targets": len(photos.targets), "backgrounds": len(photos.backgrounds)}

    def save(step: int, elapsed: float) -> None:
        _save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                      "config": config_to_dict(cfg), "elapsed_s": elapsed}, ckpt_path)
        save_checkpoint(out / "weights.pth", model, cfg.preset, {**provenance, "step": step,
                                                                  "pairs": step * pairs_per_step})

    pairs_per_step = ((n_scenes + cfg.reuse.negative_scenes) * cfg.reuse.windows_per_scene
                      + min(cfg.reuse.pixel_windows, n_scenes))
    if state is None:
        save_checkpoint(out / "init_weights.pth", model, cfg.preset, {**provenance, "step": 0, "init": cfg.init})
    sampler = list(range(start * n_scenes, cfg.steps * n_scenes))
    loader = DataLoader(torch.utils.data.Subset(dataset, sampler), batch_size=n_scenes, shuffle=False,
                        num_workers=cfg.workers, collate_fn=_collate,
                        prefetch_factor=4 if cfg.workers > 0 else None, persistent_workers=False)
    end = cfg.steps if stop_after is None else min(cfg.steps, stop_after)
    bar = tqdm(total=end - start, desc="train (reuse)", disable=not progress, dynamic_ncols=True)
    t0 = time.perf_counter()
    last = t0
    losses: list[float] = []
    step = start
    done = start
    with open(log_path, "a", newline="") as log_fh:
        writer = csv.DictWriter(log_fh, LOG_FIELDS)
        for step, batch in zip(range(start, end), loader):
            lr = scheduled_lr(step, cfg.steps, cfg.optim.lr_start, cfg.optim.lr_end, cfg.optim.virtual_epochs,
                              cfg.optim.schedule, cfg.optim.warmup_steps)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_mult"]
            rng = np.random.default_rng([cfg.seed, step, 4409])
            loss, lc, ll = _step_loss(model, batch, geo, anchors, cfg, rng, device, frozen_backbone)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.optim.grad_clip > 0:
                nn.utils.clip_grad_norm_(params, cfg.optim.grad_clip)
            opt.step()
            now = time.perf_counter()
            writer.writerow({"step": step, "lr": f"{lr:.6g}", "loss": f"{loss.item():.6f}",
                             "cls_loss": f"{lc.item():.6f}", "loc_loss": f"{ll.item():.6f}",
                             "pairs_per_s": f"{pairs_per_step / max(now - last, 1e-9):.3f}",
                             "elapsed_s": f"{elapsed0 + now - t0:.2f}"})
            log_fh.flush()
            last = now
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{lr:.1e}")
            done = step + 1
            if done % cfg.checkpoint_every == 0 and done < end:
                save(done, elapsed0 + now - t0)
            if cfg.reuse.snapshot_every and done % cfg.reuse.snapshot_every == 0:
                save_checkpoint(out / "snapshots" / f"step_{done:06d}.pth", model, cfg.preset,
                                {**provenance, "step": done, "pairs": done * pairs_per_step}, half=True)
        save(done, elapsed0 + time.perf_counter() - t0)
    bar.close()
    try:
        plot_log(log_path, out / "loss.png")
    except Exception as exc:  # noqa: BLE001 - a plotting problem must not lose a finished run
        print(f"warning: could not plot {log_path}: {exc}")
    wall = time.perf_counter() - t0
    return {"steps_done": done, "steps": cfg.steps, "losses": losses, "wall_s": wall,
            "pairs_per_step": pairs_per_step, "pairs_per_s": (done - start) * pairs_per_step / max(wall, 1e-9),
            "rank": 0, "world": 1}


def _collate(items: list[dict]) -> dict[str, torch.Tensor]:
    return {k: torch.stack([it[k] for it in items]) for k in items[0]}


def _step_loss(model: SiamRPN, batch: dict, geo: ReuseGeometry, anchors: np.ndarray, cfg: TrainConfig,
               rng: np.random.Generator, device: torch.device, frozen_backbone: bool):
    """Loss of one step: every window of every scene (positives) and the negative pairings."""
    z, x = batch["z"].to(device), batch["x"].to(device)
    with torch.set_grad_enabled(not frozen_backbone):
        fz = model.backbone_features(z)
        fx = model.backbone_features(x)
    kernels = model.kernels_from_features(model.neck_features(fz, template=True))
    xf = model.neck_features(fx)
    cls, loc = model.detect_features(xf, kernels)
    n = x.shape[0]
    unit = geo.step // geo.stride  # score cells per offset unit
    cls_w, loc_w, labels, deltas, weights, pools = [], [], [], [], [], []
    boxes = batch["xbox"].numpy().astype(np.float64)

    def add(cmap: torch.Tensor, lmap: torch.Tensor | None, i: int, negative: bool) -> None:
        for ax, ay in window_offsets(rng, cfg.reuse.windows_per_scene, geo.offsets):
            cell = (int(ax) * unit, int(ay) * unit)
            box = window_box(boxes[i], np.array([ax, ay]) * geo.step, geo.instance)
            t = anchor_targets(anchors, box, negative, cfg.targets, rng, geo.score, geo.stride)
            cls_w.append(_cut(cmap, i, cell, geo.score))
            loc_w.append(_cut(lmap, i, cell, geo.score) if lmap is not None
                         else torch.zeros(loc.shape[1], geo.score, geo.score, device=device))
            labels.append(torch.from_numpy(t.labels.astype(np.int64)))
            deltas.append(torch.from_numpy(t.deltas))
            weights.append(torch.from_numpy(t.reg_weight))
            pools.append(torch.from_numpy(t.neg_pool))

    for i in range(n):
        add(cls, loc, i, False)
    for i in range(min(cfg.reuse.pixel_windows, n)):  # the pixel path: crop first, then the backbone
        ax, ay = window_offsets(rng, 1, geo.offsets)[0]
        ox, oy = int(ax) * geo.step, int(ay) * geo.step
        with torch.set_grad_enabled(not frozen_backbone):
            fw = model.backbone_features(x[i:i + 1, :, oy:oy + geo.instance, ox:ox + geo.instance])
        pcls, ploc = model.detect_features(model.neck_features(fw), kernels.select([i]))
        box = window_box(boxes[i], np.array([ox, oy]), geo.instance)
        t = anchor_targets(anchors, box, False, cfg.targets, rng, geo.score, geo.stride)
        cls_w.append(pcls[0])
        loc_w.append(ploc[0])
        labels.append(torch.from_numpy(t.labels.astype(np.int64)))
        deltas.append(torch.from_numpy(t.deltas))
        weights.append(torch.from_numpy(t.reg_weight))
        pools.append(torch.from_numpy(t.neg_pool))
    m = min(cfg.reuse.negative_scenes, n) if n > 1 else 0
    if m:
        rolled = type(kernels)(*(None if t is None else torch.roll(t, 1, 0)[:m] for t in kernels))
        ncls, _ = model.detect_features(xf[:m], rolled)
        for i in range(m):
            add(ncls, None, i, True)
    cls_all = torch.stack(cls_w)
    lab = mine_hard_negatives(cls_all, torch.stack(labels).to(device), torch.stack(pools).to(device),
                              cfg.targets.hard_negatives)
    return rpn_loss(cls_all, torch.stack(loc_w), lab,
                    torch.stack(deltas).to(device), torch.stack(weights).to(device), cfg.optim.loc_weight,
                    cfg.optim.smooth_l1_sigma, cfg.optim.cls_weight)
