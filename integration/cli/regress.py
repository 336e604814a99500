"""``siamrpn regress``: the EAO regression gate (docs/regression.md).

Exit status: 0 = no regression, 1 = a metric regressed beyond tolerance (or the instrument check drifted),
2 = cannot run (no reference: the message says how to create one; an invalid reference - wrong types, negative
tolerances, checked before anything runs; no weights; missing shared data unless --allow-missing; bad arguments).

Examples::

    siamrpn regress                                   # compare with results/regression/default.json
    siamrpn regress --update                          # re-measure and rewrite the reference on purpose
    siamrpn regress --reference results/regression/mine.json --weights my.pth
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from integration.jobs.regression.gate import DEFAULT_REFERENCE, GATE_CANNOT_RUN, gate
from integration.jobs.regression.measure import GateSettings


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``siamrpn regress``."""
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help="reference JSON (default: results/regression/default.json)")
    parser.add_argument("--update", action="store_true",
                        help="re-measure and rewrite the reference on purpose (review the diff, then commit it)")
    parser.add_argument("--weights", default=None,
                        help="weights file (default: results/weights/siamrpn_default.pth or $SIAMRPN_WEIGHTS)")
    parser.add_argument("--out", type=Path, default=Path("output/regress"),
                        help="where the raw runs, current.json and comparison.csv go (default: output/regress)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes (each with 1 torch thread; results do not depend on this)")
    parser.add_argument("--no-bag", action="store_true", help="leave out the real 'bag' case even when present")
    parser.add_argument("--skip-instrument", action="store_true",
                        help="do not re-check the analysis against the published scores of ../shared/data/results")
    parser.add_argument("--allow-missing", action="store_true",
                        help="skip the cases and checks whose shared data is missing, with a notice (default: "
                             "missing data stops the gate before it runs, exit 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _say(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run the gate; its standard-output lines are printed as they come, its errors at the end."""
    if args.workers < 1:
        print("siamrpn regress: error: --workers must be >= 1", file=sys.stderr)
        return GATE_CANNOT_RUN
    settings = GateSettings(weights=args.weights, workers=args.workers, include_bag=not args.no_bag,
                            progress=not args.quiet)
    result = gate(settings, args.reference, args.out, update=args.update, instrument=not args.skip_instrument,
                  echo=_say, allow_missing=args.allow_missing)
    for line in result.errors:
        print(line, file=sys.stderr)
    return result.status
