"""``siamrpn train --config FILE --out DIR [--resume] [--device cpu|cuda] [--steps N] [--workers N]``.

Multi-process: ``torchrun --nproc_per_node N -m integration.cli.train --config ... --out ...`` (gradients
averaged across processes; the config's ``batch_size`` is the global batch). ``--export PATH`` additionally
writes the final weights as an fp16 checkpoint (the form committed as the project's default weights).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import torch

from tracker.network import SiamRPN
from tracker.training.config import load_config
from tracker.training.loop import train
from tracker.training.photos import MissingPackageError
from tracker.training.reuse import train_reuse
from tracker.weights import load_checkpoint, load_into, save_checkpoint


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="training config (.toml/.yaml/.json), e.g. configs/train_lite0.toml")
    parser.add_argument("--out", required=True, help="run folder: checkpoint.pth, weights.pth, log.csv, loss.png")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pth")
    parser.add_argument("--device", default=None, help="cpu | cuda (default: cuda if available)")
    parser.add_argument("--steps", type=int, default=None, help="override the config's number of steps")
    parser.add_argument("--workers", type=int, default=None, help="override data-loader workers")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads per process")
    parser.add_argument("--export", default=None, help="also write the final weights here in fp16")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm bar")


def run(args: argparse.Namespace) -> int:

    cfg = load_config(args.config)
    if args.steps is not None:
        cfg = dataclasses.replace(cfg, steps=args.steps)
    if args.workers is not None:
        cfg = dataclasses.replace(cfg, workers=args.workers)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if cfg.trainer == "reuse":
        try:
            summary = train_reuse(cfg, args.out, resume=args.resume, device=device, progress=not args.no_progress)
        except MissingPackageError as exc:
            print(f"siamrpn train: {exc}\n(or run scripts/install_training_data.sh)", file=sys.stderr)
            return 2
    elif cfg.trainer == "pairs":
        summary = train(cfg, args.out, resume=args.resume, device=device, progress=not args.no_progress)
    else:
        print(f"siamrpn train: {args.config}: unknown trainer {cfg.trainer!r} (pairs, reuse)", file=sys.stderr)
        return 2
    if args.export and summary["rank"] == 0:

        ck = load_checkpoint(Path(args.out) / "weights.pth")
        model = load_into(SiamRPN(ck.model_config), ck.state_dict)
        save_checkpoint(args.export, model, ck.preset, ck.provenance, half=True)
    if summary["rank"] == 0:
        short = {k: v for k, v in summary.items() if k != "losses"}
        short["first_loss"] = summary["losses"][0] if summary["losses"] else None
        short["last_loss"] = summary["losses"][-1] if summary["losses"] else None
        print(json.dumps(short))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="siamrpn train", description="train SiamRPN end to end")
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
