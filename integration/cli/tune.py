"""``siamrpn tune``: search penalty_k, window_influence, lr and context_amount with Optuna (see
:mod:`integration.jobs.tune`).

Examples::

    siamrpn tune --dataset VOT2018 --objective eao --trials 50 --workers 2 --out output/tune_vot
    siamrpn tune --dataset OTB100 --objective auc --trials 50 --out output/tune_otb   # rerun: continues the study
    siamrpn run vot --dataset VOT2018 --tracker siamrpn --preset-file output/tune_vot/best_preset.json --out runs
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from integration.jobs.tune import OBJECTIVES, PARAMETERS, SearchSpace, TrialFailed, TuneError, TuneRequest, run_tune


def _bounds(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH (two numbers), got {text!r}") from None
    return low, high


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn tune``."""
    parser.add_argument("--dataset", required=True, type=Path,
                        help="sequence folder, dataset folder (list.txt), folder of sequence folders, or pysot .json")
    parser.add_argument("--image-root", type=Path, default=None, help="frames root for a .json dataset")
    parser.add_argument("--sequences", default=None, help="comma-separated subset of sequence names")
    parser.add_argument("--objective", choices=tuple(OBJECTIVES), default="eao",
                        help="eao: VOT baseline EAO (LEG, interval fitted to the sequence lengths; default); "
                             "auc: OTB one-pass success AUC")
    parser.add_argument("--trials", type=int, default=30,
                        help="completed trials wanted in the study (default 30); a resumed study runs the missing ones")
    parser.add_argument("--workers", type=int, default=1,
                        help="runner worker processes per trial: the sequences of a trial run in parallel, trials "
                             "one after another (default 1; 0 = in this process)")
    parser.add_argument("--study", type=Path, default=None, metavar="FILE.sqlite",
                        help="Optuna study file (default <out>/study.sqlite); rerunning with it continues the study")
    parser.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    parser.add_argument("--weights", default=None, help="SiamRPN weights (default: the default weights; random:<seed>)")
    parser.add_argument("--preset", default=None, help="base preset (default: the one stored with the weights)")
    parser.add_argument("--preset-file", type=Path, default=None, metavar="FILE",
                        help="base preset from a JSON/TOML/YAML preset file (as siamrpn run --preset-file)")
    parser.add_argument("--device", default="cpu")
    for name in PARAMETERS:
        lo, hi = getattr(SearchSpace(), name)
        parser.add_argument(f"--{name.replace('_', '-')}", type=_bounds, default=None, metavar="LOW,HIGH",
                            help=f"search range of {name} (default {lo:g},{hi:g})")
    parser.add_argument("--no-base-trial", action="store_true",
                        help="do not start a new study with the base preset's own values")
    parser.add_argument("--quiet", action="store_true", help="no per-trial progress bar")
    parser.add_argument("--json", action="store_true", help="print the best trial as one JSON object")
    parser.add_argument("--out", required=True, type=Path,
                        help="output folder: trials.csv, history.png, parameters.png, best_preset.json, trials/")


def run(args: argparse.Namespace) -> int:
    prog = "siamrpn tune"
    try:
        space = SearchSpace(**{n: getattr(args, n) for n in PARAMETERS if getattr(args, n) is not None})
        request = TuneRequest(
            out=args.out, dataset=args.dataset, objective=args.objective, trials=args.trials, workers=args.workers,
            study=args.study, seed=args.seed, weights=args.weights, preset=args.preset, preset_file=args.preset_file,
            device=args.device, image_root=args.image_root, space=space, start_from_base=not args.no_base_trial,
            sequences=tuple(s.strip() for s in (args.sequences or "").split(",") if s.strip()),
            progress=not args.quiet)
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2

    def log(line: str) -> None:
        print(f"{prog}: {line}", file=sys.stderr, flush=True)

    try:
        result = run_tune(request, log=log)
    except TuneError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, TrialFailed) else 2
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted; outputs so far in {args.out}; rerun the same command to resume",
              file=sys.stderr)
        return 130
    label = OBJECTIVES[result.objective][1]
    if args.json:
        print(json.dumps({"trial": result.best_trial, "objective": result.objective, "value": result.best_value,
                          "params": result.best_params, "new_trials": result.new_trials,
                          "completed_trials": int((result.table["state"] == "COMPLETE").sum()),
                          "files": {k: str(v) for k, v in result.files.items()}}))
        return 0
    shown = result.table.drop(columns=[c for c in ("run_dir", "error") if c in result.table]).round(4)
    print(shown.to_string(index=False))
    print(f"best: trial {result.best_trial}, {label} {result.best_value:.4f}: "
          + ", ".join(f"{k} {v:.4f}" for k, v in result.best_params.items()))
    print(f"trials: {result.files['table']}; plots: {result.files['history']}, {result.files['parameters']}")
    print(f"best preset: {result.files['best_preset']} (siamrpn run/track --preset-file "
          f"{result.files['best_preset']})")
    return 0
