"""``siamrpn analyze vot``: accuracy, robustness, failures and EAO of one tracker's VOT results.

A multi-start stack (``--stack vot2020|vot2021|vot2022-sts|vot2022-stb|multistart-test``) scores VOT2020-2022
runs instead (:mod:`analysis.metrics.vot.multistart`: A, R, EAO curve and score as vot-toolkit 0.7.4;
``--corrected`` for the labelled corrected variant; ``--experiment unsupervised`` gives the average accuracy).

Wired into ``siamrpn analyze`` by :mod:`integration.cli.analyze` (``configure(subparser)`` / ``run(args)``).
Every printed number carries its convention (variant, overlap rule, interval, runs, burn-in).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.io.result_layout import DEFAULT_VOT_EXPERIMENT, EXPERIMENTS, VOT_EXPERIMENT_FOLDERS
from analysis.io.trajectories import load_tracker_times
from analysis.metrics.bootstrap import intervals_summary, vot_intervals
from analysis.metrics.compare import compare_trackers
from analysis.metrics.speed import run_speed
from analysis.metrics.vot.analysis import VOTSettings, analyze_vot_folder
from analysis.metrics.vot.multistart import MultiStartSettings, analyze_multistart_folder, unsupervised_folder
from analysis.stacks import BENCHMARKS, MULTISTART_STACKS, VOT_STACKS, stack_experiment
from integration.cli.output import (
    add_bootstrap_options,
    add_tracker_options,
    bootstrap_line,
    jsonable,
    metric_table,
    print_comparison,
    tracker_folders,
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn analyze vot``."""
    parser.add_argument("--annotations", required=True, type=Path,
                        help="VOT ground truth: pysot JSON (e.g. VOT2018.json) or a VOT sequences folder")
    add_tracker_options(parser, "tracker folder holding baseline/ and/or realtime/ (<seq>/<seq>_001.txt|.bin)")
    parser.add_argument("--experiment", choices=VOT_EXPERIMENT_FOLDERS, default=DEFAULT_VOT_EXPERIMENT,
                        help="which experiment folder to analyse (default baseline); real-time runs are scored "
                             "exactly like baseline runs; unsupervised: multi-start stacks only")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--interval", nargs=2, type=int, metavar=("LO", "HI"),
                       help="EAO sequence-length interval, inclusive (LEG lengths)")
    which.add_argument("--stack", choices=VOT_STACKS,
                       help="use the stack's interval (vot2015/16 108-371, vot2017/18 100-356, vot2019 46-291); "
                            "vot2015 also selects LEG's legacy, unbounded overlap. Default: LEG's KDE estimate "
                            "from the sequence lengths. The multi-start stacks (vot2020, vot2021, vot2022-sts, "
                            "vot2022-stb: EAO 115/755; multistart-test: 5/30) score VOT2020-2022 runs")
    parser.add_argument("--corrected", action="store_true",
                        help="multi-start stacks: the corrected variant (EAO divisor j instead of j-1, the "
                             "initialisation frame out of the failure test and accuracy); labelled, never the default")
    parser.add_argument("--variant", choices=("leg", "pst", "pyt"), default="leg",
                        help="conventions: leg = MATLAB vot-toolkit (official VOT2015-2018 numbers, default), "
                             "pst = pysot-toolkit, pyt = Python vot-toolkit")
    parser.add_argument("--burnin", type=int, default=10, help="frames ignored for accuracy after each (re)init (10)")
    parser.add_argument("--skip", type=int, default=5, help="frames from a failure to the re-initialisation (5)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="skip sequences without results (with a warning) instead of failing")
    parser.add_argument("--workers", type=int, default=1,
                        help="threads rasterising sequences in parallel (same results; default 1)")
    parser.add_argument("--per-sequence", action="store_true", help="include the per-sequence table")
    parser.add_argument("--per-attribute", action="store_true",
                        help="include accuracy / failures / robustness / tag-weighted EAO per visual attribute")
    parser.add_argument("--curve", action="store_true", help="include the EAO curve in the JSON output")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    add_bootstrap_options(parser)


def settings_from_args(args: argparse.Namespace):
    """The :class:`~analysis.metrics.vot.analysis.VOTSettings` the options describe."""

    legacy_stack = args.stack == "vot2015" and args.variant != "pyt"  # LEG stack_vot2015.m
    return VOTSettings(variant=args.variant, burnin=args.burnin, skip=args.skip,
                       interval=tuple(args.interval) if args.interval else None, stack=args.stack,
                       bounded=not legacy_stack, legacy_rasterization=legacy_stack)


def run(args: argparse.Namespace) -> int:
    """Analyse and print; bad input prints one line naming the file/sequence and returns 2. Several trackers
    (``--results`` repeated, ``--results-root``, or ``--baseline``) go to :func:`run_many`."""

    try:
        folders = tracker_folders(args.results, args.results_root)
        if args.stack in MULTISTART_STACKS:
            return run_multistart(args, folders)
        if not EXPERIMENTS[args.experiment].resets or args.corrected:
            raise ValueError("--experiment unsupervised and --corrected belong to the multi-start stacks "
                             f"(--stack {'|'.join(MULTISTART_STACKS)})")
        if len(folders) > 1 or args.baseline is not None:
            return run_many(args, folders)
        args.results = next(iter(folders.values()))
        settings = settings_from_args(args)
        report = analyze_vot_folder(args.annotations, args.results, args.experiment, settings,
                                    per_attribute=args.per_attribute, allow_missing=args.allow_missing,
                                    workers=args.workers)
    except (ValueError, FileNotFoundError, ImportError) as exc:
        print(f"siamrpn analyze vot: error: {exc}", file=sys.stderr)
        return 2
    summary = report.summary(per_sequence=args.per_sequence, per_attribute=args.per_attribute, curve=args.curve)
    summary = {"tracker": Path(args.results).name, "experiment": args.experiment, **summary}
    ci = None
    if args.bootstrap > 0:
        ci = vot_intervals(report, resamples=args.bootstrap, eao_resamples=args.bootstrap, seed=args.seed)
        summary["ci"] = intervals_summary(ci)
    if args.json:
        print(json.dumps(jsonable(summary), indent=2))
        return 0
    _print_tables(report, summary, args, ci)
    return 0


def multistart_settings(stack: str, corrected: bool = False) -> MultiStartSettings:
    """The analysis settings of a multi-start stack row (its EAO ``low``/``high``)."""
    low, high = BENCHMARKS[stack].eao_interval.as_tuple()
    return MultiStartSettings(low=low, high=high, corrected=corrected)


def run_multistart(args: argparse.Namespace, folders: dict[str, Path]) -> int:
    """VOT2020-2022: A, R, EAO (baseline / realtime) or the average accuracy (unsupervised) of each tracker."""
    summaries = {}
    for name, folder in folders.items():
        if not EXPERIMENTS[stack_experiment(args.stack, args.experiment)].eao:  # the unsupervised one pass
            accuracy, table, notes = unsupervised_folder(args.annotations, folder, "unsupervised", args.allow_missing)
            summary = {"protocol": "unsupervised", "accuracy": accuracy,
                       "convention": "vot-toolkit 0.7.4 average_accuracy, burnin 1, weighted by sequence length",
                       "warnings": notes}
            if args.per_sequence:
                summary["per_sequence"] = table.reset_index().to_dict(orient="records")
        else:
            report = analyze_multistart_folder(args.annotations, folder, args.experiment,
                                               multistart_settings(args.stack, args.corrected), args.allow_missing)
            summary = report.summary(per_sequence=args.per_sequence, curve=args.curve)
        summaries[name] = {"tracker": name, "experiment": args.experiment, "stack": args.stack, **summary}
    if args.json:
        out = next(iter(summaries.values())) if len(summaries) == 1 else {"trackers": summaries}
        print(json.dumps(jsonable(out), indent=2))
        return 0
    for s in summaries.values():
        if "eao" not in s:  # unsupervised: an accuracy alone
            print(f"VOT {args.stack} unsupervised of {s['tracker']}: accuracy {s['accuracy']:.4f} ({s['convention']})")
        else:
            c = s["convention"]
            print(f"VOT {args.stack} {s['experiment']} (multi-start, {s['variant']}) of {s['tracker']}: "
                  f"{s['sequences']} sequences, {s['runs']} runs, {s['failures']} failed")
            print(f"  EAO        {s['eao']:.4f}  (lengths {c['eao']['lengths_averaged'][0]}-"
                  f"{c['eao']['lengths_averaged'][1]}, divisor {c['eao']['divisor']})")
            print(f"  accuracy   {s['accuracy']:.4f}  ({c['accuracy']})")
            print(f"  robustness {s['robustness']:.4f}  ({c['robustness']})")
            if s.get("note"):
                print(f"note: {s['note']}")
        for w in s["warnings"]:
            print(f"warning: {w}")
    return 0


def _print_tables(report, summary: dict, args: argparse.Namespace, ci=None) -> None:

    c = report.convention
    iv = c["interval"]
    rows = [
        ("EAO", report.eao, f"{c['variant'].upper()} fragments, lengths {iv['lengths_averaged'][0]}-"
                            f"{iv['lengths_averaged'][1]} ({iv['source']}), weights {c['eao_weights']}; "
                            f"{iv['rule']}", "eao"),
        ("accuracy", report.accuracy, f"{c['accuracy']}, burn-in {c['burn_in']}", "accuracy"),
        ("robustness", report.robustness, "failures per 100 frames, 100*F/N (PST/GRP; VOT2016-2018 tables)",
         "robustness"),
        ("failures", report.failures, "sum over sequences of the mean over runs (LEG/PST lost number)", "failures"),
        ("failures/sequence", report.failures_per_sequence, "F / #sequences (VOT2015-era 'Failure' column)",
         "failures_per_sequence"),
        ("reliability", report.reliability, "exp(-30 F / N) (AR plot)", "reliability"),
    ]
    table = metric_table(rows, ci)
    runs = summary["runs"]
    print(f"VOT {summary['experiment']} of {summary['tracker']}: {report.sequences} sequences, {report.frames} "
          f"frames, runs {runs}; overlap {c['overlap']['raster']}, bounds {c['overlap']['bounds']}")
    if ci is not None:
        print(bootstrap_line(ci))
    with pd.option_context("display.max_colwidth", 120, "display.width", 200):
        print(table.to_string(float_format=lambda v: f"{v:.4f}"))
        if args.per_attribute and report.per_attribute is not None:
            print("\nper attribute (a failure counts for the tags of its frame; EAO tag-weighted as LEG/PST):")
            print(report.per_attribute.to_string(float_format=lambda v: f"{v:.3f}"))
        if args.per_sequence:
            print()
            print(report.per_sequence.to_string(float_format=lambda v: f"{v:.3f}"))
    for note in report.warnings:
        print(f"warning: {note}")


def _speed(folder: Path, experiment: str) -> float:
    """Frames per second recorded in a tracker's time files (NaN without them)."""
    try:
        return run_speed(load_tracker_times(folder, experiment))
    except (ValueError, FileNotFoundError):
        return float("nan")


def run_many(args: argparse.Namespace, folders: dict[str, Path]) -> int:
    """Several trackers: each analysed as alone (same settings), one ranking by EAO, intervals with
    ``--bootstrap``, paired tests against the first tracker (or ``--baseline``); ``--json`` keyed by tracker."""
    settings = settings_from_args(args)
    reports, summaries = {}, {}
    for name, folder in folders.items():
        report = analyze_vot_folder(args.annotations, folder, args.experiment, settings,
                                    per_attribute=args.per_attribute, allow_missing=args.allow_missing,
                                    workers=args.workers)
        reports[name] = report
        summaries[name] = {"tracker": name, "experiment": args.experiment,
                           **report.summary(per_sequence=args.per_sequence, per_attribute=args.per_attribute,
                                            curve=args.curve)}
    fps = {name: _speed(folder, args.experiment) for name, folder in folders.items()}
    comparison = compare_trackers(reports, baseline=args.baseline, bootstrap=args.bootstrap, seed=args.seed,
                                  fps=fps)
    return print_comparison(args, reports, comparison, f"VOT {args.experiment}", summaries)
