"""``siamrpn analyze lasot|uav|trackingnet|nfs|tc128``: one-pass benchmarks scored by their own toolkit's rules.

Wired into ``siamrpn analyze`` by :mod:`integration.cli.analyze` (its table ``ANALYZE_COMMANDS`` makes one
sub-parser per entry of :data:`COMMANDS`, with ``configure(parser, command)`` / ``run(args)``).
``--variant`` picks the toolkit whose rules apply (default: the one behind the published numbers, from
:data:`analysis.stacks.BENCHMARKS`); every printed number names it. Several trackers (``--results`` repeated,
``--results-root``, ``--baseline``), ``--bootstrap N --seed S`` and ``--strict`` mean what they mean for
``siamrpn analyze otb`` (:mod:`analysis.metrics.compare`, :func:`analysis.metrics.bootstrap.onepass_intervals`).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from analysis.io.results import load_one_pass_times, load_otb_results
from analysis.io.uav import VERSIONS
from analysis.metrics.bootstrap import onepass_intervals
from analysis.metrics.compare import compare_trackers
from analysis.metrics.onepass import evaluate_onepass
from analysis.metrics.speed import run_speed
from analysis.metrics.trackingnet import evaluate_trackingnet
from analysis.stacks import BENCHMARKS, LoadOptions, benchmark, rows_of
from integration.cli.output import (
    add_bootstrap_options,
    add_tracker_options,
    print_comparison,
    print_report,
    tracker_folders,
)


def _lasot_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--split", default="test", choices=("test", "all"),
                   help="test = the 280 Protocol II sequences (default); all = every sequence present (LaSOT-ext)")
    p.add_argument("--split-file", type=Path, help="file with one sequence name per line (overrides --split)")


def _uav_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", choices=VERSIONS, default="UAV123", help="UAV123 (default), UAV20L, UAV123_10fps")


def _nfs_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fps", type=int, choices=(30, 240), default=30, help="30 (default) or 240")


def _row_of(command: str, choice: str | None = None) -> str:
    """The benchmark row scored by ``command`` (with the value ``choice`` of its selecting option, if any)."""
    rows = [k for k in rows_of(command) if choice is None or BENCHMARKS[k].choice == choice]
    if not rows:
        raise ValueError(f"no benchmark row for siamrpn analyze {command} {choice or ''}".rstrip())
    return rows[0]


@dataclass(frozen=True, kw_only=True)
class OnePassCommand:
    """One ``siamrpn analyze`` sub-command of a one-pass benchmark: its help, its own options, the benchmark row
    the arguments choose (:data:`analysis.stacks.BENCHMARKS`) and the options its row's loader gets."""

    help: str
    options: Callable[[argparse.ArgumentParser], None] = lambda p: None
    row: Callable[[argparse.Namespace], str]
    load_options: Callable[[argparse.Namespace], LoadOptions] = lambda a: LoadOptions(allow_missing=a.allow_missing)


#: sub-command -> how it is configured and which benchmark row it scores
COMMANDS: dict[str, OnePassCommand] = {
    "lasot": OnePassCommand(
        help="LaSOT / LaSOT-ext: success AUC, P@20, normalised precision (absent frames per toolkit)",
        options=_lasot_options,
        row=lambda a: _row_of("lasot", a.split if a.split_file is None else "test"),
        load_options=lambda a: LoadOptions(split=a.split if a.split_file is None else str(a.split_file),
                                           allow_missing=a.allow_missing)),
    "uav": OnePassCommand(help="UAV123 / UAV20L / UAV123@10fps: frame-range table, NaN rows per toolkit",
                          options=_uav_options, row=lambda a: _row_of("uav", a.version)),
    "trackingnet": OnePassCommand(
        help="TrackingNet devkit: rounded boxes, trapezoid AUC, precision / norm. precision AUC",
        row=lambda a: _row_of("trackingnet")),
    "nfs": OnePassCommand(help="NfS (30 fps = every 8th 240 fps frame): success AUC, P@20", options=_nfs_options,
                          row=lambda a: _row_of("nfs"), load_options=lambda a: LoadOptions(fps=a.fps)),
    "tc128": OnePassCommand(help="Temple Color 128: success AUC, P@20", row=lambda a: _row_of("tc128")),
}


def configure(p: argparse.ArgumentParser, command: str) -> None:
    """The options of ``siamrpn analyze <command>``, a one-pass benchmark of :data:`COMMANDS` (its sub-parser is
    made by :mod:`integration.cli.analyze` from its table)."""
    spec = benchmark(_row_of(command))
    p.add_argument("--annotations", required=True, type=Path, help="dataset root in the benchmark's own layout")
    add_tracker_options(p, "folder of <seq>.txt result files (x,y,w,h; times: times/<seq>_time.txt)")
    p.add_argument("--variant", choices=spec.variants, default=spec.default_variant,
                   help=f"toolkit rules (default {spec.default_variant}: the one behind the published numbers; "
                        "docs/conventions.md)")
    COMMANDS[command].options(p)
    p.add_argument("--allow-missing", action="store_true",
                   help="score the sequences that have files, naming the others in a warning")
    p.add_argument("--strict", action="store_true",
                   help="refuse a result file whose line count differs from the frame count (exit 2)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--per-sequence", action="store_true", help="include the per-sequence table")
    p.add_argument("--curves", action="store_true", help="include the curves in the JSON output")
    add_bootstrap_options(p)


def _annotations(args: argparse.Namespace) -> tuple[str, dict]:
    command = COMMANDS[args._runner]
    key = command.row(args)
    return key, benchmark(key).loader(args.annotations, command.load_options(args))


#: the scorer of each one-pass kind: ``(annotations, results, benchmark, variant, allow_missing) -> report``
_EVALUATE = {
    "onepass": lambda ann, res, key, variant, allow: evaluate_onepass(ann, res.boxes, key, variant, res.warnings,
                                                                      allow),
    "trackingnet": lambda ann, res, key, variant, allow: evaluate_trackingnet(ann, res.boxes, res.warnings, allow),
}


def _score(args: argparse.Namespace, key: str, annotations: dict, folder: Path):
    results = load_otb_results(folder, annotations, allow_missing=args.allow_missing, strict=args.strict)
    spec = benchmark(key)
    variant = args.variant if args.variant in spec.variants else spec.default_variant
    return _EVALUATE[spec.kind](annotations, results, key, variant, args.allow_missing)


def run(args: argparse.Namespace) -> int:
    """Score and print; bad input prints one line naming the file and returns 2. Several trackers (``--results``
    repeated, ``--results-root``, or ``--baseline``): one ranking, as ``siamrpn analyze otb``."""
    try:
        folders = tracker_folders(args.results, args.results_root)
        key, annotations = _annotations(args)
        if len(folders) > 1 or args.baseline is not None:
            reports = {name: _score(args, key, annotations, folder) for name, folder in folders.items()}
            fps = {name: run_speed(load_one_pass_times(folder)) for name, folder in folders.items()}
            comparison = compare_trackers(reports, baseline=args.baseline, bootstrap=args.bootstrap, seed=args.seed,
                                          fps=fps)
            return print_comparison(args, reports, comparison, key)
        args.results = next(iter(folders.values()))
        report = _score(args, key, annotations, args.results)
    except (ValueError, FileNotFoundError) as exc:
        print(f"siamrpn analyze {args._runner}: error: {exc}", file=sys.stderr)
        return 2
    ci = onepass_intervals(report, resamples=args.bootstrap, seed=args.seed) if args.bootstrap > 0 else None
    c = report.conventions
    rows = [("success AUC", report.auc, c["auc"], "auc"), ("precision", report.precision, c["precision"], "precision"),
            ("norm. precision", report.norm_precision, c["norm_precision"], "norm_precision")]
    if hasattr(report, "success_rate"):
        rows.append(("success rate@0.5", report.success_rate, c["success_rate"], "success_rate"))
    header = f"{key}: {report.sequences} sequences, {report.frames} frames; variant {report.variant}"
    return print_report(args, report, rows, header, ci)
