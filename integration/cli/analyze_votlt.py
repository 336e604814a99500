"""``siamrpn analyze votlt``: VOT long-term tracking precision, recall and F-score of one tracker's results.

Wired into ``siamrpn analyze`` by :mod:`integration.cli.analyze` (``configure(subparser)`` / ``run(args)``).
Conventions: :mod:`analysis.metrics.vot.longterm` (``--variant pyt|leg|pub``). Example::

    siamrpn run longterm --dataset LT_DATA --tracker siamrpn --out output/lt
    siamrpn analyze votlt --annotations LT_DATA --results output/lt/siamrpn --json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.io.longterm import load_longterm_annotations, load_longterm_results
from analysis.metrics.vot.longterm import DEFAULT_RESOLUTION, VARIANTS, score_longterm_runs
from analysis.plots.longterm import plot_fscore, plot_precision_recall
from integration.cli.output import _jsonable


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn analyze votlt``."""
    parser.add_argument("--annotations", required=True, type=Path,
                        help="VOT long-term dataset folder (list.txt; groundtruth.txt lines of NaN = target absent)")
    parser.add_argument("--results", required=True, type=Path,
                        help="tracker folder: <seq>/<seq>_001.txt + <seq>_001_confidence.value (or longterm/<seq>/...)")
    parser.add_argument("--variant", choices=VARIANTS, default="pyt",
                        help="pyt: vot-toolkit 0.7.4 (default); leg: toolkit-legacy (official VOT-LT2018/2019); "
                             "pub: the published formula (Pr over frames with a region, Re over visible frames)")
    parser.add_argument("--resolution", type=int, default=DEFAULT_RESOLUTION,
                        help=f"number of thresholds incl. +inf/-inf (default {DEFAULT_RESOLUTION}, both toolkits)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="score the sequences that have results, naming the others in a warning")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="write the precision-recall and F-score figures (PNG + PDF) into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--curves", action="store_true", help="include the curves in the JSON output")
    parser.add_argument("--per-sequence", action="store_true", help="include the per-sequence table")


def run(args: argparse.Namespace) -> int:
    """Score and print; bad input prints one clear line and returns 2."""
    try:
        if not args.annotations.exists():
            raise FileNotFoundError(f"{args.annotations}: annotations not found")
        annotations = load_longterm_annotations(args.annotations)
        runs, warnings = load_longterm_results(args.results, annotations, allow_missing=args.allow_missing)
        report = score_longterm_runs(annotations, runs, args.variant, args.resolution)
    except (ValueError, FileNotFoundError) as exc:
        print(f"siamrpn analyze votlt: error: {exc}", file=sys.stderr)
        return 2
    figures = []
    if args.plots is not None:
        name = args.results.name
        figures = [str(p) for fig in (plot_precision_recall({name: report}, args.plots / "longterm_pr"),
                                      plot_fscore({name: report}, args.plots / "longterm_fscore"))
                   for p in fig.paths]
    n_frames = sum(len(annotations[n]) for n in runs)
    if args.json:
        out = report.to_dict()
        if not args.curves:
            out.pop("curve")
        if not args.per_sequence:
            out.pop("sequences")
        out.update(sequences_scored=len(runs), frames=n_frames, warnings=warnings, figures=figures)
        print(json.dumps(_jsonable(out), indent=1))
        return 0
    conv = report.convention
    print(f"VOT long-term: {len(runs)} sequences, {n_frames} frames; {conv['label']}; {conv['thresholds']}; "
          f"{conv['averaging']}")
    table = pd.DataFrame([
        ("F-score", report.fscore, "max over thresholds of 2 Pr Re / (Pr + Re)"),
        ("precision", report.precision, "Pr at the F-score threshold"),
        ("recall", report.recall, "Re at the F-score threshold"),
        ("threshold", report.threshold, "confidence threshold of the F-score"),
    ], columns=["metric", "value", "convention"]).set_index("metric")
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    if args.per_sequence:
        print(pd.DataFrame(report.per_sequence).T.to_string(float_format=lambda v: f"{v:.4f}"))
    for w in warnings:
        print(f"warning: {w}")
    for f in figures:
        print(f"figure: {f}")
    return 0
