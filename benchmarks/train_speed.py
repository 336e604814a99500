"""Training throughput on this machine: pairs/s of the data pipeline, of one SGD step (forward + backward +
update, conv1-3 frozen) and, as the reference measured in the same run, of a plain inference forward pass of the
same batch. Prints JSON; CPU time of the process is reported next to wall time (the machine is shared).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/train_speed.py --batch 8 --repeats 3 --threads 2
"""
from __future__ import annotations

import argparse
import json
import time

import torch


def _timed(fn, repeats: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/train_lite0.toml")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from tracker.network import SiamRPN
    from tracker.presets import get_preset
    from tracker.training.config import load_config
    from tracker.training.loop import freeze_layers, make_pair_dataset
    from tracker.training.loss import rpn_loss

    cfg = load_config(args.config)
    ds = make_pair_dataset(cfg, length=10**6)
    ds[0]  # warm caches (photos)
    start = [0]

    def data():
        b = [ds[start[0] + i] for i in range(args.batch)]
        start[0] += args.batch
        return b

    data_wall, data_cpu = _timed(data, args.repeats)
    items = data()
    batch = {k: torch.stack([it[k] for it in items]) for k in items[0]}
    model = SiamRPN(get_preset(cfg.preset).model).eval()
    params = freeze_layers(model, cfg.optim.frozen_layers)
    opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)

    def step():
        cls, loc = model(batch["z"], batch["x"])
        loss, _, _ = rpn_loss(cls, loc, batch["labels"], batch["deltas"], batch["reg_weight"])
        opt.zero_grad()
        loss.backward()
        opt.step()

    def infer():
        with torch.no_grad():
            model(batch["z"], batch["x"])

    step()
    infer()
    step_wall, step_cpu = _timed(step, args.repeats)
    inf_wall, inf_cpu = _timed(infer, args.repeats)
    n = args.batch
    print(json.dumps({
        "batch": n, "threads": args.threads,
        "data_pairs_per_s": n / data_wall, "data_cpu_s_per_pair": data_cpu / n,
        "train_pairs_per_s": n / step_wall, "train_cpu_s_per_pair": step_cpu / n,
        "reference_inference_pairs_per_s": n / inf_wall, "inference_cpu_s_per_pair": inf_cpu / n,
        "train_over_inference_time_ratio": step_wall / inf_wall,
        "end_to_end_pairs_per_s_estimate": n / (step_wall + data_wall),
    }, indent=1))


if __name__ == "__main__":
    main()
