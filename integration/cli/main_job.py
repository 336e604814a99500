"""``siamrpn main``: the main job in one command (see :mod:`integration.jobs.main_job`).

Example::

    siamrpn main                                   # generated + real sequences, SiamRPN, CSRT, KCF (NanoTrack)
    siamrpn main --dataset ~/vot2017 --workers 2   # add a VOT dataset (its own group and report)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.core.paths import default_weights_path
from integration.jobs.main_job import MainSettings, run_main


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn main``."""
    parser.add_argument("--out", type=Path, default=Path("output/main"), help="output folder (default: output/main)")
    parser.add_argument("--dataset", type=Path, action="append", default=[], metavar="PATH",
                        help="extra VOT/OTB dataset or sequence folder (repeatable); each gets its own report")
    parser.add_argument("--weights", default=None,
                        help="SiamRPN weights (default: results/weights/siamrpn_default.pth or $SIAMRPN_WEIGHTS)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="torch device (default: cpu)")
    parser.add_argument("--workers", type=int, default=2, help="parallel worker processes (default: 2)")
    parser.add_argument("--no-real", "--no-bag", dest="no_bag", action="store_true",
                        help="leave out the real sequences of ../shared/data/sequences (bag, VOT_ball1, VOT_book)")
    parser.add_argument("--no-baselines", action="store_true",
                        help="run SiamRPN only (default: also OpenCV CSRT, KCF and NanoTrack, ranked with it)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from tracker.weights import WeightsError  # lazy: keeps torch off the start-up of commands that do not track

    prog = "siamrpn main"
    if args.workers < 1:
        print(f"{prog}: error: --workers must be >= 1", file=sys.stderr)
        return 2
    weights = args.weights
    if weights is None and not default_weights_path().is_file():
        print(f"{prog}: error: no SiamRPN weights at {default_weights_path()} (train them with 'siamrpn train', "
              "or pass --weights FILE / set SIAMRPN_WEIGHTS)", file=sys.stderr)
        return 2
    if weights is not None and not weights.startswith("random:") and not Path(weights).is_file():
        print(f"{prog}: error: {weights}: weights file not found", file=sys.stderr)
        return 2
    if args.device == "cuda":
        import torch  # lazy: keeps torch off the start-up of commands that do not track

        if not torch.cuda.is_available():
            print(f"{prog}: error: --device cuda but torch.cuda.is_available() is False", file=sys.stderr)
            return 2
    settings = MainSettings(out=args.out, datasets=tuple(args.dataset), weights=weights, device=args.device,
                            workers=args.workers, include_bag=not args.no_bag, progress=not args.quiet,
                            **({"baselines": ()} if args.no_baselines else {}))
    try:
        result = run_main(settings)
    except (ValueError, FileNotFoundError, WeightsError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1

    # one row per group and tracker, one column per experiment and metric (the long table is summary.csv)
    s = result.summary
    s = s[s["metric"] != "robustness (failures/100 frames)"]
    wide = s.pivot_table(index=["group", "tracker"], columns=["experiment", "metric"], values="value", sort=False)
    short = {"baseline": "VOT", "realtime": "real-time", "otb one-pass": "OTB", "accuracy": "A", "failures": "F",
             "success AUC": "AUC", "precision @20 px": "P@20"}
    wide.columns = [f"{short.get(e, e)} {short.get(m, m)}" for e, m in wide.columns]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"{prog}: finished in {result.seconds:.0f} s; summary table {Path(args.out) / 'summary.csv'}")
    for group, html in result.reports.items():
        print(f"report ({group}): {html}")
        print(f"markdown ({group}): {html.with_suffix('.md')}")
    return 0
