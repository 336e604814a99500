"""``siamrpn vot-workspace``: build an offline vot-toolkit 0.7.4 workspace from local sequences."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from integration.data.synthetic import write_dataset
from integration.toolkits.workspace import (
    LINK_MODES,
    WORKSPACE_STACKS,
    WorkspaceError,
    build_workspace,
    discover_sequences,
    truncate,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, help="workspace folder to create")
    parser.add_argument("--dataset", type=Path, action="append", default=[],
                        help="a sequence folder or a folder of sequence folders (VOT or OTB layout); repeatable")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also generate N synthetic sequences (integration.data.synthetic) under DIR/synthetic")
    parser.add_argument("--synthetic-frames", type=int, default=60, help="frames per synthetic sequence (60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first synthetic sequence (0)")
    parser.add_argument("--stack", required=True, choices=WORKSPACE_STACKS,
                        help="built-in vot-toolkit stack (vot2015-vot2019 supervised, vot2020-vot2022-stb "
                             "multi-start), custom (supervised, EAO interval fitted to the sequence lengths) or "
                             "multistart-test (a small multi-start stack for short sequences)")
    parser.add_argument("--sequences", help="comma-separated subset of sequence names")
    parser.add_argument("--max-frames", type=int, help="keep only the first N frames of every sequence")
    parser.add_argument("--link", choices=LINK_MODES, default="hardlink",
                        help="how frames are placed (default hardlink, falls back to copy across file systems)")
    parser.add_argument("--registry", type=Path, action="append",
                        help="trackers.ini to register; repeatable (default: the trackers.ini of the checkout you stand in)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing workspace config and sequences")


def run(args: argparse.Namespace) -> int:
    try:
        if not args.dataset and args.synthetic <= 0:
            raise WorkspaceError("give at least one --dataset or --synthetic N")
        sources = list(args.dataset)
        if args.synthetic > 0:

            generated = Path(args.directory) / "synthetic"
            write_dataset(generated, layout="vot", n_sequences=args.synthetic, n_frames=args.synthetic_frames,
                          seed=args.seed)
            sources.append(generated)
        seqs = [s for d in sources for s in discover_sequences(d)]
        if args.sequences:
            wanted = [n.strip() for n in args.sequences.split(",") if n.strip()]
            known = {s.name for s in seqs}
            missing = [n for n in wanted if n not in known]
            if missing:
                raise WorkspaceError(f"unknown sequence(s): {', '.join(missing)} (found: {', '.join(sorted(known))})")
            seqs = [s for s in seqs if s.name in wanted]
        if args.max_frames is not None:
            if args.max_frames < 2:
                raise WorkspaceError("--max-frames must be at least 2")
            seqs = [truncate(s, args.max_frames) for s in seqs]
        path = build_workspace(args.directory, seqs, stack=args.stack, registry=args.registry, link=args.link,
                               force=args.force)
    except WorkspaceError as exc:
        print(f"siamrpn vot-workspace: error: {exc}", file=sys.stderr)
        return 2
    print(f"workspace {path}: {len(seqs)} sequences, {sum(len(s) for s in seqs)} frames, stack {args.stack}")
    print(f"next: vot evaluate --workspace {path} --persist siamrpn && vot analysis --workspace {path} siamrpn")
    return 0
