"""Training throughput, same machine, same run, same data: the per-pair trainer (``tracker.training.loop``: one
backbone pass per template and per search crop) against the feature-reuse trainer (``tracker.training.reuse``:
the backbone once per scene, windows cut from the canvas maps), both fed the photographic scenes of
``tracker.training.scenes`` (the per-pair trainer through ``SceneTracks``: template crop + search canvas as a
two-frame track) and both training the same network (``--preset``, DW-XCorr head on Lite0 by default).

Each round times, for each trainer, the data (rendering the scenes, cropping, anchor targets) and one SGD step
(forward + backward + update, backbone frozen) in this one process; rounds alternate the trainers so machine load
hits both alike. Reported per trainer: pairs/s of data, of the step, and end to end (data and step one after the
other); and the ratio reuse / per-pair. Prints JSON.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/train_speed.py --threads 2 --rounds 3
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "configs" / "train_lite0_dw.toml"))
    ap.add_argument("--batch", type=int, default=16, help="pairs per step of the per-pair trainer")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from tracker.anchors import generate_anchors
    from tracker.network import SiamRPN
    from tracker.presets import get_preset
    from tracker.training.config import load_config
    from tracker.training.datasets import SceneTracks
    from tracker.training.loop import freeze_layers
    from tracker.training.loss import rpn_loss
    from tracker.training.pairs import PairDataset
    from tracker.training.photos import build_photo_index
    from tracker.training.reuse import SceneDataset, _collate, _step_loss, reuse_geometry
    from tracker.training.scenes import SceneGenerator

    cfg = load_config(args.config)
    photos = build_photo_index(REPO / cfg.reuse.photo_cache)
    preset = get_preset(cfg.preset)
    torch.manual_seed(0)
    model = SiamRPN(preset.model).eval()
    params = freeze_layers(model, cfg.optim.frozen_layers)
    opt = torch.optim.SGD(params, lr=1e-5, momentum=0.9)
    geo = reuse_geometry(cfg, model)
    anchors_w = generate_anchors(geo.score, preset.total_stride, preset.ratios, preset.scales)
    scenes = SceneDataset(photos, cfg, 10**6)
    tracks = SceneTracks(SceneGenerator(photos, cfg.scenes, cfg.seed + 1), 10**6)
    s = preset.score_size(cfg.augment.instance_size)
    pairs = PairDataset([tracks], [1.0], generate_anchors(s, preset.total_stride, preset.ratios, preset.scales), s,
                        dataclasses.replace(cfg.augment, neg_prob=0.2), cfg.targets, cfg.seed, 10**6)
    n_scenes = cfg.reuse.scenes_per_step
    reuse_pairs = ((n_scenes + cfg.reuse.negative_scenes) * cfg.reuse.windows_per_scene
                   + min(cfg.reuse.pixel_windows, n_scenes))
    counter = {"scene": 0, "pair": 0}

    def reuse_data():
        i = counter["scene"]
        counter["scene"] += n_scenes
        return _collate([scenes[i + j] for j in range(n_scenes)])

    def reuse_step(batch):
        loss, _, _ = _step_loss(model, batch, geo, anchors_w, cfg, np.random.default_rng(0), torch.device("cpu"),
                                True)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def pair_data():
        i = counter["pair"]
        counter["pair"] += args.batch
        items = [pairs[i + j] for j in range(args.batch)]
        return {k: torch.stack([it[k] for it in items]) for k in items[0]}

    def pair_step(batch):
        cls, loc = model(batch["z"], batch["x"])
        loss, _, _ = rpn_loss(cls, loc, batch["labels"], batch["deltas"], batch["reg_weight"])
        opt.zero_grad()
        loss.backward()
        opt.step()

    trainers = {"per_pair": (pair_data, pair_step, args.batch), "reuse": (reuse_data, reuse_step, reuse_pairs)}
    times: dict[str, dict[str, list[float]]] = {k: {"data": [], "step": []} for k in trainers}
    for name, (data, step, _) in trainers.items():  # warm-up: caches, first-call costs
        step(data())
    for _ in range(args.rounds):
        for name, (data, step, _) in trainers.items():
            t0 = time.perf_counter()
            batch = data()
            t1 = time.perf_counter()
            step(batch)
            t2 = time.perf_counter()
            times[name]["data"].append(t1 - t0)
            times[name]["step"].append(t2 - t1)
    out: dict = {"config": args.config, "preset": cfg.preset, "threads": args.threads, "rounds": args.rounds,
                 "trainers": {}}
    for name, (_, _, n) in trainers.items():
        d, st = statistics.median(times[name]["data"]), statistics.median(times[name]["step"])
        out["trainers"][name] = {"pairs_per_step": n, "data_s": round(d, 3), "step_s": round(st, 3),
                                 "data_pairs_per_s": round(n / d, 2), "step_pairs_per_s": round(n / st, 2),
                                 "end_to_end_pairs_per_s": round(n / (d + st), 2)}
    r, p = out["trainers"]["reuse"], out["trainers"]["per_pair"]
    out["reuse_over_per_pair"] = {k: round(r[k] / p[k], 2) for k in ("step_pairs_per_s", "end_to_end_pairs_per_s")}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
