"""``siamrpn analyze vot|otb|got10k|lasot|uav|trackingnet|nfs|tc128|votlt``: score raw tracker results against
ground truth.

``vot`` is delegated to :mod:`integration.cli.analyze_vot`, ``votlt`` to :mod:`integration.cli.analyze_votlt`,
the one-pass benchmarks with their own rules to :mod:`integration.cli.analyze_onepass`. ``otb`` and ``got10k``
print pandas tables, or one JSON object with ``--json``; every number is labelled with its convention.
``--bootstrap N`` adds bootstrap intervals over sequences (:mod:`analysis.metrics.bootstrap`), ``--strict``
refuses result files of the wrong length (:func:`analysis.io.results.fit_to_frames`).
"""
from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from analysis.io.got10k import load_got10k_folder
from analysis.io.results import corner_line_warning, load_got10k_results, load_one_pass_times, load_otb_results
from analysis.metrics.bootstrap import got10k_intervals, otb_intervals
from analysis.metrics.compare import compare_trackers
from analysis.metrics.got10k import evaluate_got10k
from analysis.metrics.otb import OTBSettings, evaluate_otb
from analysis.metrics.speed import run_speed
from analysis.stacks import BENCHMARKS, LoadOptions, rows_of
from integration.cli import analyze_vot, analyze_votlt
from integration.cli.analyze_onepass import COMMANDS as ONEPASS_COMMANDS
from integration.cli.analyze_onepass import configure as configure_onepass
from integration.cli.analyze_onepass import run as run_onepass
from integration.cli.output import (
    add_bootstrap_options,
    add_tracker_options,
    print_comparison,
    print_report,
    tracker_folders,
)


def configure(parser: argparse.ArgumentParser) -> None:
    """One sub-parser per entry of :data:`ANALYZE_COMMANDS`, in its order (``vot``, ``otb``, ``got10k``, the
    one-pass benchmarks with their own rules, ``votlt``): its help, then its own options."""
    sub = parser.add_subparsers(dest="benchmark", required=True, metavar="{" + ",".join(ANALYZE_COMMANDS) + "}")
    for name, command in ANALYZE_COMMANDS.items():
        p = sub.add_parser(name, help=command.help)
        p.set_defaults(_runner=name)
        command.options(p)


def _otb_options(otb: argparse.ArgumentParser) -> None:
    otb.add_argument("--annotations", required=True, type=Path,
                     help="OTB JSON (DaSiamRPN OTB2015.json / pysot OTB100.json) or a folder of OTB sequences")
    add_tracker_options(otb, "folder of <Seq>.txt result files (times: times/<Seq>_time.txt)")
    otb.add_argument("--first-frame", choices=("gt", "keep"), default="gt",
                     help="gt: replace frame 1 by the ground truth (OTB/G10/pysot, default); keep: score the file's line 1")
    otb.add_argument("--otb-compat", action="store_true",
                     help="OTB MATLAB invalid-box rules (GT <= 0: IoU -1 / error -1; bad prediction -> previous box)")
    otb.add_argument("--allow-missing", action="store_true",
                     help="score the sequences that have a result file, naming the others in a warning "
                          "(default: refuse when an annotated sequence has no result file)")
    _common(otb)
    otb_rows = rows_of("otb")
    otb.add_argument("--benchmark", dest="row", choices=otb_rows, default=otb_rows[0],
                     help=f"whose sequence list is scored ({', '.join(otb_rows)}; default {otb_rows[0]}): a subset "
                          "benchmark reads the sequences it lists from the annotations given")


def _got10k_options(got: argparse.ArgumentParser) -> None:
    got.add_argument("--annotations", required=True, type=Path,
                     help="GOT-10k subset folder with list.txt (or the root holding val/)")
    add_tracker_options(got, "folder of <seq>/<seq>_001.txt ... result files")
    _common(got)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="refuse a result file whose line count differs from the sequence's frame count (exit 2); "
                        "default: extra lines ignored, missing last lines scored as no answer, with a warning")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--per-sequence", action="store_true", help="include the per-sequence table")
    p.add_argument("--curves", action="store_true", help="include the curves in the JSON output")
    add_bootstrap_options(p)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen benchmark's entry of :data:`ANALYZE_COMMANDS`; bad input prints one clear line and
    returns 2."""
    return int(ANALYZE_COMMANDS[args._runner].run(args) or 0)


def _run_boxes(args: argparse.Namespace) -> int:
    """``siamrpn analyze otb|got10k`` (:data:`_BOX_COMMANDS`): one tracker's tables, or the ranking of several."""
    runner = args._runner
    try:
        folders = tracker_folders(args.results, args.results_root)
    except ValueError as exc:
        print(f"siamrpn analyze {runner}: error: {exc}", file=sys.stderr)
        return 2
    if len(folders) == 1 and args.baseline is None:  # one tracker: the single-tracker output, unchanged
        args.results = next(iter(folders.values()))
    try:
        if len(folders) > 1 or args.baseline is not None:
            return run_many(args, folders)
        return _BOX_COMMANDS[runner].single(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"siamrpn analyze {runner}: error: {exc}", file=sys.stderr)
        return 2


def _score_otb(args: argparse.Namespace, annotations: dict, folder: Path):
    results = load_otb_results(folder, annotations, allow_missing=args.allow_missing, strict=args.strict)
    notes = list(results.warnings)
    if results.corner_first_line:
        notes.append(corner_line_warning(results.corner_first_line, args.first_frame))
    settings = OTBSettings(first_frame=args.first_frame, otb_compat=args.otb_compat)
    return evaluate_otb(annotations, results.boxes, settings, warnings=notes, allow_missing=args.allow_missing)


def _score_got10k(args: argparse.Namespace, annotations: dict, folder: Path):
    results = load_got10k_results(folder, list(annotations), annotations, strict=args.strict)
    return evaluate_got10k(annotations, results.runs, results.times, warnings=results.warnings)


def _otb_annotations(args: argparse.Namespace) -> dict:
    """The OTB annotations of the chosen row (``--benchmark``: OTB-2015, or a subset such as OTB-2013)."""
    options = LoadOptions(allow_missing=getattr(args, "allow_missing", False))
    return BENCHMARKS[getattr(args, "row", "otb2015")].loader(args.annotations, options)


def _got10k_annotations(args: argparse.Namespace) -> dict:
    if not args.annotations.exists():
        raise FileNotFoundError(f"{args.annotations}: annotations not found")
    return load_got10k_folder(args.annotations)


def run_otb(args: argparse.Namespace) -> int:

    annotations = _otb_annotations(args)
    report = _score_otb(args, annotations, args.results)
    rows = [("success AUC", report.auc, "OTB: mean of 21-pt success curve (IoU > thr), sequence-averaged", "auc"),
            ("precision@20px", report.precision, "OTB: centre error <= 20 px, centre x+(w-1)/2", "precision"),
            ("norm. precision", report.norm_precision_g10, "G10 LaSOT: /max(1,gt_wh), mean over 0:0.01:0.5",
             "norm_precision.g10"),
            ("norm. precision@0.2", report.norm_precision_pst, "PST: /(gt_wh+1e-16), value at 0.2",
             "norm_precision.pst"),
            ("success rate@0.5", report.success_rate, "G10: success curve at IoU > 0.5", "success_rate")]
    header = f"OTB: {report.sequences} sequences, {report.frames} frames; {report.convention}"
    ci = otb_intervals(report, resamples=args.bootstrap, seed=args.seed) if args.bootstrap > 0 else None
    return print_report(args, report, rows, header, ci)


def run_got10k(args: argparse.Namespace) -> int:

    report = _score_got10k(args, _got10k_annotations(args), args.results)
    rows = [("AO", report.ao, "G10: mean IoU, frames 2..N, cover>0, pooled over runs+sequences", "ao"),
            ("SR0.5", report.sr50, "G10: mean(IoU > 0.5), pooled", "sr50"),
            ("SR0.75", report.sr75, "G10: mean(IoU > 0.75), pooled", "sr75"),
            ("speed (fps)", report.speed_fps, "G10: mean(1/t) over positive per-frame times", "speed_fps")]
    header = f"GOT-10k: {report.sequences} sequences, {report.runs} runs, {report.frames} scored frames"
    ci = got10k_intervals(report, resamples=args.bootstrap, seed=args.seed) if args.bootstrap > 0 else None
    return print_report(args, report, rows, header, ci)


def run_many(args: argparse.Namespace, folders: dict[str, Path]) -> int:
    """Several OTB / GOT-10k trackers: one ranking table (``--json``: keyed by tracker), intervals with
    ``--bootstrap``, paired tests against the first tracker (or ``--baseline``)."""
    command = _BOX_COMMANDS[args._runner]
    annotations = command.annotations(args)
    reports = {name: command.score(args, annotations, folder) for name, folder in folders.items()}
    fps = command.fps(folders)
    comparison = compare_trackers(reports, baseline=args.baseline, bootstrap=args.bootstrap, seed=args.seed,
                                  fps=fps)
    return print_comparison(args, reports, comparison, command.title)


@dataclass(frozen=True, kw_only=True)
class BoxCommand:
    """``siamrpn analyze otb|got10k``: annotations, scorer, one-tracker printout, speeds and title of a ranking."""

    annotations: Callable[[argparse.Namespace], dict]
    score: Callable[[argparse.Namespace, dict, Path], object]
    single: Callable[[argparse.Namespace], int]
    fps: Callable[[dict[str, Path]], dict[str, float] | None]
    title: str


_BOX_COMMANDS: dict[str, BoxCommand] = {
    "otb": BoxCommand(annotations=_otb_annotations, score=_score_otb, single=run_otb, title="OTB",
                      fps=lambda folders: {n: run_speed(load_one_pass_times(f)) for n, f in folders.items()}),
    "got10k": BoxCommand(annotations=_got10k_annotations, score=_score_got10k, single=run_got10k, title="GOT-10k",
                         fps=lambda folders: None),
}


@dataclass(frozen=True, kw_only=True)
class AnalyzeCommand:
    """One ``siamrpn analyze`` sub-command: its help, its options (added to its sub-parser) and what runs it."""

    help: str
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


#: ``siamrpn analyze``'s sub-commands, in the order of its usage line: each is the ``command`` of rows of
#: :data:`analysis.stacks.BENCHMARKS` (``tests/test_extension_points.py``); ``vot``, ``votlt`` and the one-pass
#: benchmarks with their own rules have their own modules (their functions looked up per call)
ANALYZE_COMMANDS: dict[str, AnalyzeCommand] = {
    "vot": AnalyzeCommand(help="VOT baseline / real-time: accuracy, robustness, EAO",
                          options=lambda p: analyze_vot.configure(p), run=lambda args: analyze_vot.run(args)),
    "otb": AnalyzeCommand(help="OTB one-pass: success AUC, precision@20, normalised precision", options=_otb_options,
                          run=_run_boxes),
    "got10k": AnalyzeCommand(help="GOT-10k one-pass: AO, SR0.5, SR0.75 (got10k toolkit rules)",
                             options=_got10k_options, run=_run_boxes),
    **{name: AnalyzeCommand(help=command.help, options=functools.partial(configure_onepass, command=name),
                            run=run_onepass) for name, command in ONEPASS_COMMANDS.items()},
    "votlt": AnalyzeCommand(help="VOT long-term: tracking precision, recall, F-score (confidences)",
                            options=lambda p: analyze_votlt.configure(p), run=lambda args: analyze_votlt.run(args)),
}
