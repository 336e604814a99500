"""``siamrpn view``: draw several trackers' stored results and the ground truth over a sequence (mp4, gif or a
self-contained html viewer)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from integration.jobs.view import ViewError, ViewRequest, parse_frame_range, write_view


def _frame_range(text: str) -> tuple[int | None, int | None]:
    try:
        return parse_frame_range(text)
    except ViewError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("Result folders: VOT/GOT-10k <DIR>[/<experiment>]/<seq>/<seq>_001.txt|.bin (polygons and the "
                     "1/2/0 codes drawn: red FAIL at a failure, grey while skipped) or one-pass <DIR>/<Seq>.txt "
                     "(OTB). Ground truth white, one colour per tracker, legend and frame number top-left.")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--sequence", type=Path, help="one sequence folder (VOT, OTB or GOT-10k layout)")
    src.add_argument("--annotations", type=Path, help="dataset folder or pysot JSON; pick the sequence with --name")
    parser.add_argument("--name", help="sequence name (needed with --annotations)")
    parser.add_argument("--image-root", type=Path, default=None, help="frames root of a pysot JSON (default: its folder)")
    parser.add_argument("--results", type=Path, action="append", required=True, metavar="DIR",
                        help="a tracker's result folder; repeatable")
    parser.add_argument("--label", action="append", default=[], metavar="NAME",
                        help="legend name per --results, in order (default: the folder's name)")
    parser.add_argument("--out", type=Path, required=True, help="FILE.mp4, FILE.gif or FILE.html")
    parser.add_argument("--frames", type=_frame_range, default=None, metavar="A:B",
                        help="1-based inclusive frame range, e.g. 1:100, 50: or :20 (default: all)")
    parser.add_argument("--scale", type=float, default=None, metavar="S",
                        help="output size factor (default 1; a GIF: longer side at most 320 px)")
    parser.add_argument("--step", type=int, default=None, metavar="N",
                        help="draw every N-th frame, played at the sequence's speed (default 1; a GIF's grows "
                             "until the file fits --max-mb)")
    parser.add_argument("--colours", type=int, default=64, metavar="N",
                        help="GIF palette size, drawing colours kept exact (default 64; 256 = GIF's maximum)")
    parser.add_argument("--max-mb", type=float, default=2.0, metavar="MB",
                        help="GIF size budget: the frame step, then the scale (those not given) adapt to fit "
                             "(default 2; 0 = no budget)")
    parser.add_argument("--fps", type=float, default=None, help="frame rate of the output (default: the sequence's)")
    parser.add_argument("--result-name", default=None, metavar="NAME",
                        help="the sequence's name in the result folders when it differs (e.g. VOT_book -> book)")
    parser.add_argument("--run", type=int, default=1, help="which run file of VOT/GOT-10k results (default 1)")
    parser.add_argument("--experiment", default="baseline",
                        help="VOT experiment folder inside a tracker folder (default baseline)")


def run(args: argparse.Namespace) -> int:
    if args.annotations is not None and args.name is None:
        print("siamrpn view: error: --annotations needs --name", file=sys.stderr)
        return 2
    request = ViewRequest(results=tuple(args.results), out=args.out, sequence=args.sequence,
                          annotations=args.annotations, name=args.name, image_root=args.image_root,
                          labels=tuple(args.label), frames=args.frames, scale=args.scale, fps=args.fps, run=args.run,
                          experiment=args.experiment, result_name=args.result_name, step=args.step,
                          colours=args.colours, max_bytes=int(args.max_mb * 1e6) if args.max_mb > 0 else None)
    try:
        result = write_view(request)
    except (ViewError, OSError) as exc:
        print(f"siamrpn view: error: {exc}", file=sys.stderr)
        return 2
    for note in result.warnings:
        print(f"siamrpn view: warning: {note}", file=sys.stderr)
    print(f"{result.out}: {result.frames} frames, {result.size[0]}x{result.size[1]}, "
          + ", ".join(f"{label} ({src})" for label, src in zip(result.labels, result.sources)))
    return 0
