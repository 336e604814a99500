"""``siamrpn submit got10k|trackingnet``: check result files and pack them into the zip the test server takes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from integration.jobs.submission import BENCHMARKS, SubmissionError, check_submission, write_submission

_LAYOUT = {
    "got10k": "GOT-10k test server: <seq>/<seq>_001.txt (.._003 for 3 runs) and <seq>/<seq>_time.txt per sequence",
    "trackingnet": "TrackingNet server: <seq>.txt at the zip's root, one comma-separated x,y,w,h per frame",
}


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="benchmark", required=True, metavar="{" + ",".join(BENCHMARKS) + "}")
    for name in BENCHMARKS:
        p = sub.add_parser(name, help=_LAYOUT[name], description=_LAYOUT[name])
        p.add_argument("--results", type=Path, required=True, metavar="DIR",
                       help="result folder (GOT-10k: <seq>/ folders; TrackingNet: <seq>.txt files)")
        p.add_argument("--out", type=Path, required=True, metavar="FILE.zip", help="zip to write (atomically)")
        p.add_argument("--annotations", type=Path, default=None,
                       help="the test set (folder or pysot JSON): every sequence must have a result with one line "
                            "per frame, and no other sequence may")
        p.add_argument("--image-root", type=Path, default=None, help="frames root of a pysot JSON")


def run(args: argparse.Namespace) -> int:
    prog = f"siamrpn submit {args.benchmark}"
    if args.out.suffix.lower() != ".zip":
        print(f"{prog}: error: --out {args.out}: the submission must be a .zip file", file=sys.stderr)
        return 2
    try:
        submission = check_submission(args.benchmark, args.results, args.annotations, args.image_root)
        for note in submission.warnings:
            print(f"{prog}: warning: {note}", file=sys.stderr)
        out = write_submission(submission, args.out)
    except SubmissionError as exc:
        print(f"{prog}: error: {len(exc.problems)} problem(s), nothing packed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    print(f"{out}: {len(submission.sequences)} sequences, {len(submission.members)} files ({_LAYOUT[args.benchmark]})")
    return 0
