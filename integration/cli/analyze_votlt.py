"""``siamrpn analyze votlt``: VOT long-term tracking precision, recall and F-score of one tracker's results.

Wired into ``siamrpn analyze`` by :mod:`integration.cli.analyze` (``configure(subparser)`` / ``run(args)``).
Conventions: :mod:`analysis.metrics.vot.longterm` (``--variant pyt|leg|pub``). Several trackers (``--results``
repeated, ``--results-root``, ``--baseline``), ``--bootstrap N --seed S`` and ``--strict`` mean what they mean for
``siamrpn analyze vot`` (:mod:`analysis.metrics.compare`, :func:`analysis.metrics.bootstrap.longterm_intervals`).
Example::

    siamrpn run longterm --dataset LT_DATA --tracker siamrpn --out output/lt
    siamrpn analyze votlt --annotations LT_DATA --results output/lt/siamrpn --json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.io.longterm import LONGTERM_EXPERIMENT, load_longterm_annotations, load_longterm_results
from analysis.io.trajectories import load_tracker_times
from analysis.metrics.bootstrap import intervals_summary, longterm_intervals
from analysis.metrics.compare import compare_trackers
from analysis.metrics.speed import run_speed
from analysis.metrics.vot.longterm import DEFAULT_RESOLUTION, VARIANTS, score_longterm_runs
from analysis.plots.longterm import plot_fscore, plot_precision_recall
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
    """Options of ``siamrpn analyze votlt``."""
    parser.add_argument("--annotations", required=True, type=Path,
                        help="VOT long-term dataset folder (list.txt; groundtruth.txt lines of NaN = target absent)")
    add_tracker_options(parser, "tracker folder: <seq>/<seq>_001.txt + <seq>_001_confidence.value (or "
                                "longterm/<seq>/...)")
    parser.add_argument("--variant", choices=VARIANTS, default="pyt",
                        help="pyt: vot-toolkit 0.7.4 (default); leg: toolkit-legacy (official VOT-LT2018/2019); "
                             "pub: the published formula (Pr over frames with a region, Re over visible frames)")
    parser.add_argument("--resolution", type=int, default=DEFAULT_RESOLUTION,
                        help=f"number of thresholds incl. +inf/-inf (default {DEFAULT_RESOLUTION}, both toolkits)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="score the sequences that have results, naming the others in a warning")
    parser.add_argument("--strict", action="store_true",
                        help="refuse a region or confidence file whose line count differs from the sequence's frame "
                             "count (exit 2); default: extra lines ignored, missing last lines scored as no answer "
                             "(no region, no confidence), with a warning")
    parser.add_argument("--accept-nan-confidence", action="store_true",
                        help="score a 'nan' confidence as vot-toolkit does (never above a threshold), with a warning, "
                             "instead of refusing the file (exit 2, file and line named)")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write the precision-recall and F-score figures (PNG + PDF) into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--curves", action="store_true", help="include the curves in the JSON output")
    parser.add_argument("--per-sequence", action="store_true", help="include the per-sequence table")
    add_bootstrap_options(parser)


class _Scored:
    """One tracker's long-term report with its warnings (``summary``/``per_sequence``/``warnings`` as the
    multi-tracker printer wants them)."""

    def __init__(self, report, runs: dict, warnings: list[str], frames: int) -> None:
        self.report, self.runs, self.warnings, self.frames = report, runs, warnings, frames

    @property
    def per_sequence(self) -> pd.DataFrame:
        return pd.DataFrame(self.report.per_sequence).T

    def summary(self, curves: bool = False, per_sequence: bool = False, figures: list[str] | None = None) -> dict:
        out = self.report.to_dict()
        if not curves:
            out.pop("curve")
        if not per_sequence:
            out.pop("sequences")
        out.update(sequences_scored=len(self.runs), frames=self.frames, warnings=self.warnings,
                   figures=figures or [])
        return out


def _score(args: argparse.Namespace, annotations: dict, folder: Path) -> _Scored:
    runs, warnings = load_longterm_results(folder, annotations, allow_missing=args.allow_missing,
                                           strict=args.strict, accept_nan=args.accept_nan_confidence)
    report = score_longterm_runs(annotations, runs, args.variant, args.resolution)
    return _Scored(report, runs, warnings, sum(len(annotations[n]) for n in runs))


def _speed(folder: Path) -> float:
    """Frames per second of the ``<seq>_NNN_time.value`` files (NaN without them)."""
    for experiment in (LONGTERM_EXPERIMENT, "."):
        try:
            return run_speed(load_tracker_times(folder, experiment))
        except (ValueError, FileNotFoundError, OSError):
            continue
    return float("nan")


def _figures(args: argparse.Namespace, reports: dict) -> list[str]:
    if args.plots is None:
        return []
    return [str(p) for fig in (plot_precision_recall(reports, args.plots / "longterm_pr"),
                               plot_fscore(reports, args.plots / "longterm_fscore"))
            for p in fig.paths]


def run(args: argparse.Namespace) -> int:
    """Score and print; bad input prints one clear line and returns 2. Several trackers (``--results`` repeated,
    ``--results-root``, or ``--baseline``): one ranking by F-score, as ``siamrpn analyze vot``."""
    try:
        folders = tracker_folders(args.results, args.results_root)
        if not args.annotations.exists():
            raise FileNotFoundError(f"{args.annotations}: annotations not found")
        annotations = load_longterm_annotations(args.annotations)
        scored = {name: _score(args, annotations, folder) for name, folder in folders.items()}
    except (ValueError, FileNotFoundError) as exc:
        print(f"siamrpn analyze votlt: error: {exc}", file=sys.stderr)
        return 2
    if len(folders) > 1 or args.baseline is not None:
        reports = {name: s.report for name, s in scored.items()}
        figures = _figures(args, reports)
        comparison = compare_trackers(reports, baseline=args.baseline, bootstrap=args.bootstrap, seed=args.seed,
                                      fps={name: _speed(folder) for name, folder in folders.items()})
        summaries = {name: s.summary(args.curves, args.per_sequence, figures) for name, s in scored.items()}
        rc = print_comparison(args, scored, comparison, "VOT long-term", summaries)
        if not args.json:
            for f in figures:
                print(f"figure: {f}")
        return rc
    (name, one), = scored.items()
    report, warnings = one.report, one.warnings
    figures = _figures(args, {name: report})
    ci = longterm_intervals(report, resamples=args.bootstrap, seed=args.seed) if args.bootstrap > 0 else None
    if args.json:
        out = one.summary(args.curves, args.per_sequence, figures)
        if ci is not None:
            out["ci"] = intervals_summary(ci)
        print(json.dumps(jsonable(out), indent=1))
        return 0
    conv = report.convention
    print(f"VOT long-term: {len(one.runs)} sequences, {one.frames} frames; {conv['label']}; {conv['thresholds']}; "
          f"{conv['averaging']}")
    if ci is not None:
        print(bootstrap_line(ci))
    table = metric_table([
        ("F-score", report.fscore, "max over thresholds of 2 Pr Re / (Pr + Re)", "fscore"),
        ("precision", report.precision, "Pr at the F-score threshold", "precision"),
        ("recall", report.recall, "Re at the F-score threshold", "recall"),
        ("threshold", report.threshold, "confidence threshold of the F-score", "threshold"),
    ], ci)
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    if args.per_sequence:
        print(pd.DataFrame(report.per_sequence).T.to_string(float_format=lambda v: f"{v:.4f}"))
    for w in warnings:
        print(f"warning: {w}")
    for f in figures:
        print(f"figure: {f}")
    return 0
