"""``siamrpn report``: Markdown + HTML report of raw results against the published baselines.

Example (no tracker run needed)::

    siamrpn report --results ../shared/data/results/VOT2017/SiamFC --benchmark vot2017 --out output/report

Several trackers (one ranking, paired tests against the first or ``--baseline``, error bars with
``--bootstrap N``)::

    siamrpn report --results-root ../shared/data/results/OTB100 --benchmark otb2015 --bootstrap 1000 --out o

titled with the dataset and the trackers, a table of every tracker first, the ``--baseline`` tracker highlighted
(it becomes the run the figures are drawn for); ``--format latex`` also writes booktabs tables of the summary and
the ranking (``OUT/tables/summary.tex``, ``ranking.tex``).

One-pass benchmarks and VOT long-term take the dataset in its own layout, and ``--viewers`` links a viewer page
per sequence from the per-sequence table (when the frames are on disk)::

    siamrpn report --benchmark lasot --split all --annotations LaSOT --results res/A --results res/B --out o
    siamrpn report --benchmark vot-lt2018 --annotations LT_DATA --results output/lt/siamrpn --viewers --out o
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from analysis.metrics.onepass import VARIANTS as ONEPASS_VARIANTS
from analysis.metrics.vot.longterm import VARIANTS as LONGTERM_VARIANTS
from analysis.report.build import ReportRequest, build_report
from analysis.stacks import BENCHMARKS
from integration.cli.output import add_bootstrap_options, add_tracker_options, tracker_folders
from integration.data.sequences import check_output_folder
from integration.jobs.report_viewers import write_report_viewers

_VOT_VARIANTS = ("leg", "pst", "pyt")
_VARIANTS = tuple(dict.fromkeys(_VOT_VARIANTS + ONEPASS_VARIANTS + ("tnet",) + LONGTERM_VARIANTS + ("corrected",)))


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn report``."""

    add_tracker_options(parser, "one tracker's results: VOT folder with baseline/ and/or realtime/, OTB or "
                                "one-pass folder of <Seq>.txt, GOT-10k <seq>/<seq>_001.txt folders, or VOT "
                                "long-term <seq>/<seq>_001.txt + _confidence.value; the first is the run")
    add_bootstrap_options(parser)
    parser.add_argument("--benchmark", choices=sorted(BENCHMARKS), default=None,
                        help="benchmark (default: guessed from the results path)")
    parser.add_argument("--annotations", type=Path, default=None,
                        help="ground truth (default: the benchmark's file under ../shared/data/annotations)")
    parser.add_argument("--out", required=True, type=Path, help="output folder (report.md, report.html, figures/)")
    parser.add_argument("--tracker", default=None, help="name of the run (default: the results folder name)")
    parser.add_argument("--compare", type=Path, nargs="*", default=None,
                        help="other trackers' raw-result folders to draw with the run (OTB default: "
                             "../shared/data/results/OTB100/*)")
    parser.add_argument("--variant", choices=_VARIANTS, default=None,
                        help="conventions: VOT leg (MATLAB toolkit, official VOT2015-2018, default), pst, pyt; "
                             "one-pass benchmarks lasot|pst|pyt|g10|otb|tnet (default: the benchmark's published "
                             "one); VOT long-term pyt (default), leg, pub; VOT2020-2022 multi-start stacks: "
                             "vot-toolkit 0.7.4 (default) or corrected")
    parser.add_argument("--split", default=None,
                        help="LaSOT: test (Protocol II, default of lasot), all (default of lasot_ext) or a file "
                             "with one sequence name per line")
    parser.add_argument("--viewers", action="store_true",
                        help="write a viewer page per sequence into OUT/viewers/ (needs the frames on disk) and "
                             "link them from the per-sequence table")
    parser.add_argument("--viewer-frames", type=int, default=60, metavar="N",
                        help="frames per viewer page (the first N; default 60)")
    parser.add_argument("--first-frame", choices=("gt", "keep"), default="gt",
                        help="OTB: replace frame 1 by the ground truth (default, OTB/G10/pysot) or keep it")
    parser.add_argument("--otb-compat", action="store_true", help="OTB MATLAB invalid-box rules")
    parser.add_argument("--realtime-profile", default=None,
                        help="name of the real-time profile the results were produced under (shown in the figures)")
    parser.add_argument("--device", default="cpu", help="device the results were produced on (environment section)")
    parser.add_argument("--no-embed", action="store_true",
                        help="link the PNG files from the HTML instead of embedding them")
    parser.add_argument("--allow-missing", action="store_true",
                        help="report on the annotated sequences the run has results for, naming the others in the "
                             "header (default: refuse a run whose results cover only some sequences, naming them)")
    parser.add_argument("--format", choices=("html", "latex"), default="html",
                        help="html: report.html + report.md (default); latex: also booktabs tables of the summary "
                             "and the ranking, OUT/tables/summary.tex and ranking.tex (\\usepackage{booktabs})")


def run(args: argparse.Namespace) -> int:
    """Build the report; bad input prints one clear line and returns 2."""

    try:
        folders = list(tracker_folders(args.results, args.results_root).values())
        check_output_folder(args.out)  # before scoring: a read-only --out is found at once, not after the figures
    except (ValueError, OSError) as exc:
        print(f"siamrpn report: error: {'--out ' if isinstance(exc, OSError) else ''}{exc}", file=sys.stderr)
        return 2
    compare = args.compare
    if len(folders) > 1:  # several trackers: the first is the run, the others are compared and ranked with it
        compare = folders[1:] + list(args.compare or [])
    request = ReportRequest(
        folders[0], args.out, args.benchmark, args.annotations, tracker=args.tracker, compare=compare,
        device=args.device, first_frame=args.first_frame, otb_compat=args.otb_compat,
        eao_rule=args.variant if args.variant in _VOT_VARIANTS else "leg", variant=args.variant,
        split=args.split, realtime_profile=args.realtime_profile, embed_figures=not args.no_embed,
        ranking=len(folders) > 1, bootstrap=args.bootstrap, seed=args.seed, baseline=args.baseline,
        allow_missing=args.allow_missing,
    )
    try:
        if args.viewers:
            viewers = write_report_viewers(request, args.out / "viewers", max_frames=args.viewer_frames)
            request = dataclasses.replace(request, viewers=viewers.folder, notes=viewers.notes)
            print(f"viewers: {len(viewers.written)} page(s) in {viewers.folder}")
            for note in viewers.notes:
                print(f"note: {note}")
        html = build_report(request, latex=args.format == "latex")
    except (ValueError, FileNotFoundError, ImportError) as exc:
        print(f"siamrpn report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the output folder failed while writing (a full disk, a folder removed meanwhile)
        print(f"siamrpn report: error: cannot write the report under {args.out}: {exc}", file=sys.stderr)
        return 2
    print(f"report: {html}")
    print(f"markdown: {html.with_suffix('.md')}")
    if args.format == "latex":
        for name in ("summary.tex", "ranking.tex"):
            if (html.parent / "tables" / name).is_file():
                print(f"latex: {html.parent / 'tables' / name}")
    return 0
