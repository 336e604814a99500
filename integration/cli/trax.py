"""``python -m integration.cli.trax``: the TraX server command that vot-toolkit starts (``trackers.ini``).

Parses the options (or their ``SIAMRPN_TRAX_*`` environment variables, see
:mod:`integration.toolkits.trax_server`), builds the tracker before the handshake and serves it.
"""
from __future__ import annotations

import argparse
import faulthandler
import sys

from integration.toolkits.trax_server import EXIT_SETUP, log, resolve_settings, serve, tracker_factory


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m integration.cli.trax", description=__doc__.split("\n")[0])
    parser.add_argument("--tracker", help="tracker name for integration.registry.create_tracker (default siamrpn)")
    parser.add_argument("--factory", help="'package.module:callable' returning a tracker (overrides --tracker)")
    parser.add_argument("--weights", help="weights path or random:<seed> (default: the tracker's default)")
    parser.add_argument("--device", help="torch device (default cpu)")
    parser.add_argument("--init", choices=("raw", "box"), help="polygon hand-over: raw (default) or box")
    return parser


def main(argv: list[str] | None = None) -> int:

    faulthandler.enable(file=sys.stderr)  # a hard crash (segfault, abort) still leaves a traceback in the log
    args = build_parser().parse_args(argv)
    try:
        settings = resolve_settings(args)
        factory = tracker_factory(settings)
    except Exception as exc:  # noqa: BLE001
        log(f"bad configuration: {type(exc).__name__}: {exc}")
        return EXIT_SETUP
    return serve(factory, init_mode=settings.init, name=settings.factory or settings.tracker)


if __name__ == "__main__":
    sys.exit(main())
