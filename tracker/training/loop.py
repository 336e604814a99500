"""The training loop: SGD with the log-space schedule, conv1-conv3 frozen, checkpoints + resume, CSV loss log,
tqdm progress, CPU or CUDA (mixed precision on CUDA), data-loader workers, DDP with averaged gradients.

Output folder layout (``out``):
  ``config.json``       the settings of the run
  ``checkpoint.pth``    model + optimiser + step (atomic; ``--resume`` continues from it)
  ``init_weights.pth``  the initialised weights before the first step (same format as ``weights.pth``)
  ``weights.pth``       the trained weights as a ``tracker.weights`` checkpoint (fp32), loadable by the tracker
  ``log.csv``           one row per step: step, lr, loss, cls_loss, loc_loss, pairs_per_s, elapsed_s
  ``loss.png``          the loss curves

Determinism: pairs are a pure function of ``(seed, index)`` and step ``s`` always uses samples
``s*B .. s*B+B-1``; BN statistics are frozen (set by calibration at initialisation), so the update does not
depend on how the batch is split across processes, and a resumed run reproduces an uninterrupted one.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from analysis.core.atomic import atomic_target, write_text_atomic
from tracker.anchors import generate_anchors
from tracker.network import SiamRPN
from tracker.presets import get_preset
from tracker.training.config import TrainConfig, config_to_dict
from tracker.training.datasets import build_trackset
from tracker.training.distributed import DistInfo, all_mean, cleanup, init_from_env
from tracker.training.initialise import calibrate_batchnorm, derived_init, pretrained_init
from tracker.training.loss import rpn_loss
from tracker.training.pairs import PairDataset, StepSampler
from tracker.training.schedule import lr_at
from tracker.training.tiny import TinySiamRPN
from tracker.weights import load_checkpoint, load_into, save_checkpoint

LOG_FIELDS = ("step", "lr", "loss", "cls_loss", "loc_loss", "pairs_per_s", "elapsed_s")

#: featureExtract indices of conv1..conv5 and their BNs
_CONV_END = {1: 4, 2: 8, 3: 11, 4: 14, 5: 16}


def _save_atomic(obj, path: Path) -> None:
    """``torch.save`` through :func:`analysis.core.atomic.atomic_target` (a killed run never leaves half a checkpoint)."""
    with atomic_target(path) as tmp:
        torch.save(obj, tmp)


def freeze_layers(model: nn.Module, n: int) -> list[nn.Parameter]:
    """Freeze the first ``n`` backbone layers; return the parameters left trainable.

    AlexNet: conv1..conv{n} (+ their BN) of ``model.featureExtract`` (the paper freezes 3). EfficientNet-Lite0:
    the stem and MBConv blocks 0..n-1 (11 = the whole stride-8 backbone; 8 leaves stage 5, blocks 8-10, trainable).
    """
    fe = getattr(model, "featureExtract", None)
    if fe is not None and n > 0:
        if isinstance(fe, nn.Sequential):
            frozen = list(fe[: _CONV_END[n]].parameters())
        else:
            frozen = list(fe.stem.parameters()) + list(fe.blocks[:n].parameters())
        for p in frozen:
            p.requires_grad_(False)
    return [p for p in model.parameters() if p.requires_grad]


def make_pair_dataset(cfg: TrainConfig, length: int | None = None) -> PairDataset:
    """The run's pair dataset (anchors from ``tracker.anchors`` for the preset)."""

    preset = get_preset(cfg.preset)
    s = preset.score_size(cfg.augment.instance_size)
    anchors = generate_anchors(s, preset.total_stride, preset.ratios, preset.scales)
    sources = [build_trackset(src, cfg.seed + 1000 * i) for i, src in enumerate(cfg.data)]
    return PairDataset(sources, [s.weight for s in cfg.data], anchors, s, cfg.augment, cfg.targets, cfg.seed,
                       length if length is not None else cfg.steps * cfg.batch_size)


def default_model(cfg: TrainConfig, device: torch.device, dataset: PairDataset) -> nn.Module:
    """SiamRPN of the preset, initialised per ``cfg.init`` (see ``initialise``)."""

    if cfg.model == "tiny":

        torch.manual_seed(cfg.seed)
        return TinySiamRPN(get_preset(cfg.preset).model.anchor_num).to(device)
    if cfg.model != "siamrpn":
        raise ValueError(f"unknown model {cfg.model!r} (siamrpn, tiny)")
    model = SiamRPN(get_preset(cfg.preset).model)
    pretrained = cfg.init == "pretrained"
    if pretrained != (model.cfg.backbone != "alexnet") and cfg.init in ("derived", "pretrained"):
        raise ValueError(f"init {cfg.init!r} does not fit preset {cfg.preset!r} ({model.cfg.backbone} backbone): "
                         "use 'pretrained' for efficientnet_lite0, 'derived' for alexnet")
    if pretrained or cfg.init == "derived":
        init = pretrained_init if pretrained else derived_init
        init(model, cfg.seed, alpha=cfg.init_alpha, feature_gain=cfg.init_feature_gain)
        n = cfg.init_calibration_pairs
        # calibration pairs come from indices past the training range, so they never repeat training samples
        base = cfg.steps * cfg.batch_size
        loader = DataLoader(torch.utils.data.Subset(dataset, range(base, base + n)), batch_size=16)
        calibrate_batchnorm(model, loader, torch.device("cpu"))
    elif cfg.init == "random":
        torch.manual_seed(cfg.seed)
    else:

        load_into(model, load_checkpoint(cfg.init).state_dict, cfg.init)
    return model.to(device)


def plot_log(log_csv: Path, out_png: Path) -> None:
    """Loss curves (total, cls, loc; smoothed) and the LR from ``log.csv``."""

    matplotlib.use("Agg")

    df = pd.read_csv(log_csv)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    win = max(1, len(df) // 50)
    for col in ("loss", "cls_loss", "loc_loss"):
        ax[0].plot(df["step"], df[col].rolling(win, min_periods=1).mean(), label=col)
    ax[0].set_xlabel("step")
    ax[0].set_ylabel(f"loss (rolling mean of {win})")
    ax[0].legend()
    ax[1].semilogy(df["step"], df["lr"])
    ax[1].set_xlabel("step")
    ax[1].set_ylabel("learning rate")
    fig.tight_layout()
    with atomic_target(out_png, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)


def resume_state(ckpt_path: Path, cfg: TrainConfig) -> dict:
    """The checkpoint a run resumes from (``--resume``): it must exist and have been written with ``cfg``."""
    if not ckpt_path.is_file():
        raise FileNotFoundError(f"{ckpt_path}: nothing to resume from")
    state = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    if state["config"] != config_to_dict(cfg):
        raise ValueError(f"{ckpt_path}: checkpoint was written with a different config; refusing to resume")
    return state


def train(
    cfg: TrainConfig,
    out: str | Path,
    resume: bool = False,
    device: str | torch.device = "cpu",
    model_factory: Callable[[TrainConfig, torch.device, PairDataset], nn.Module] | None = None,
    dataset: PairDataset | None = None,
    stop_after: int | None = None,
    progress: bool = True,
) -> dict:
    """Run (or resume) training; returns a summary dict. ``stop_after`` ends early after that global step
    (to simulate an interruption in tests); ``model_factory``/``dataset`` replace the defaults (tests)."""
    if cfg.targets.hard_negatives:
        raise ValueError("targets.hard_negatives is implemented by the reuse trainer only (trainer = \"reuse\")")
    device = torch.device(device)
    info: DistInfo = init_from_env(device)
    if device.type == "cuda":
        device = torch.device("cuda", info.local_rank)
        torch.cuda.set_device(device)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    dataset = dataset if dataset is not None else make_pair_dataset(cfg)
    ckpt_path = out / "checkpoint.pth"
    state = resume_state(ckpt_path, cfg) if resume else None
    factory = model_factory or default_model
    model = factory(cfg, device, dataset) if state is None else factory(
        dataclasses.replace(cfg, init="random"), device, dataset)
    if state is not None:
        model.load_state_dict(state["model"])
    model = model.to(device)
    params = freeze_layers(model, cfg.optim.frozen_layers)
    model.eval()  # BN statistics stay frozen (see module docstring); nothing else depends on train mode
    net: nn.Module = model
    if info.world > 1:
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    fe = getattr(model, "featureExtract", None)
    backbone = {id(p) for p in fe.parameters()} if fe is not None else set()
    groups = [{"params": [p for p in params if id(p) in backbone], "lr_mult": cfg.optim.backbone_lr_mult},
              {"params": [p for p in params if id(p) not in backbone], "lr_mult": 1.0}]
    groups = [g for g in groups if g["params"]]
    opt = torch.optim.SGD(groups, lr=cfg.optim.lr_start, momentum=cfg.optim.momentum, weight_decay=cfg.optim.weight_decay)
    start = 0
    if state is not None:
        opt.load_state_dict(state["optimizer"])
        start = int(state["step"])
    use_amp = cfg.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    if state is not None and use_amp and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])

    log_path = out / "log.csv"
    if info.is_main:
        write_text_atomic(out / "config.json", json.dumps(config_to_dict(cfg), indent=1))
        rows = []
        if resume and log_path.exists():
            with open(log_path) as fh:
                rows = [r for r in csv.DictReader(fh) if int(r["step"]) < start]
        with open(log_path, "w", newline="") as fh:  # rewritten so rows past the checkpoint are dropped
            w = csv.DictWriter(fh, LOG_FIELDS)
            w.writeheader()
            w.writerows(rows)
    elapsed0 = float(state.get("elapsed_s", 0.0)) if state else 0.0

    sampler = StepSampler(start, cfg.steps, cfg.batch_size, info.rank, info.world)
    loader = DataLoader(dataset, batch_size=cfg.batch_size // info.world, sampler=sampler, num_workers=cfg.workers,
                        pin_memory=device.type == "cuda", persistent_workers=False,
                        prefetch_factor=4 if cfg.workers > 0 else None)
    end = cfg.steps if stop_after is None else min(cfg.steps, stop_after)

    def save(step: int, elapsed: float) -> None:
        if not info.is_main:
            return
        _save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                            "config": config_to_dict(cfg), "elapsed_s": elapsed,
                            "scaler": scaler.state_dict() if use_amp else None}, ckpt_path)
        if cfg.model != "siamrpn":
            return
        save_checkpoint(out / "weights.pth", model, cfg.preset,
                        {"trained_by": "tracker.training (siamrpn train)", "step": step, "steps": cfg.steps,
                         "batch_size": cfg.batch_size, "data": [s.kind for s in cfg.data], "seed": cfg.seed})

    if state is None and info.is_main and cfg.model == "siamrpn":

        # the starting point, for comparing trained against initial weights
        save_checkpoint(out / "init_weights.pth", model, cfg.preset, {"trained_by": "tracker.training", "step": 0,
                                                                      "init": cfg.init, "seed": cfg.seed})
    bar = tqdm(total=end - start, initial=0, desc="train", disable=not (progress and info.is_main), dynamic_ncols=True)
    t0 = time.perf_counter()
    last = t0
    step = start
    losses: list[float] = []
    log_fh = open(log_path, "a", newline="") if info.is_main else None
    writer = csv.DictWriter(log_fh, LOG_FIELDS) if log_fh else None
    try:
        for step, batch in zip(range(start, end), loader):
            lr = lr_at(step, cfg.steps, cfg.optim.lr_start, cfg.optim.lr_end, cfg.optim.virtual_epochs)
            for g in opt.param_groups:
                g["lr"] = lr * g["lr_mult"]
            z = batch["z"].to(device, non_blocking=True)
            x = batch["x"].to(device, non_blocking=True)
            with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
                cls, loc = net(z, x)
            loss, lc, ll = rpn_loss(cls, loc, batch["labels"].to(device), batch["deltas"].to(device),
                                    batch["reg_weight"].to(device), cfg.optim.loc_weight, cfg.optim.smooth_l1_sigma,
                                    cfg.optim.cls_weight)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            if cfg.optim.grad_clip > 0:
                nn.utils.clip_grad_norm_(params, cfg.optim.grad_clip)
            scaler.step(opt)
            scaler.update()
            vals = [all_mean(v.item(), device, info.world) for v in (loss, lc, ll)]
            now = time.perf_counter()
            if writer is not None:
                writer.writerow({"step": step, "lr": f"{lr:.6g}", "loss": f"{vals[0]:.6f}", "cls_loss": f"{vals[1]:.6f}",
                                 "loc_loss": f"{vals[2]:.6f}", "pairs_per_s": f"{cfg.batch_size / max(now - last, 1e-9):.3f}",
                                 "elapsed_s": f"{elapsed0 + now - t0:.2f}"})
                log_fh.flush()
            last = now
            losses.append(vals[0])
            bar.update(1)
            bar.set_postfix(loss=f"{vals[0]:.3f}", lr=f"{lr:.1e}")
            if (step + 1) % cfg.checkpoint_every == 0 and step + 1 < end:
                save(step + 1, elapsed0 + now - t0)
        done = step + 1 if end > start else start
        save(done, elapsed0 + time.perf_counter() - t0)
    finally:
        bar.close()
        if log_fh:
            log_fh.close()
    if info.is_main and log_path.exists():
        try:
            plot_log(log_path, out / "loss.png")
        except Exception as exc:  # a plotting problem must not lose a finished run
            print(f"warning: could not plot {log_path}: {exc}")
    wall = time.perf_counter() - t0
    summary = {"steps_done": done, "steps": cfg.steps, "losses": losses, "wall_s": wall,
               "pairs_per_s": (done - start) * cfg.batch_size / max(wall, 1e-9), "rank": info.rank, "world": info.world}
    cleanup()
    return summary
