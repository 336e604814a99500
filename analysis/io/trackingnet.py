"""TrackingNet: ``<root>/<SPLIT>/anno/<seq>.txt`` (``x,y,w,h`` per frame) and frames
``<root>/<SPLIT>/frames/<seq>/0.jpg, 1.jpg, ...`` (numbered from 0), SPLIT = ``TEST`` or ``TRAIN_0`` ..
``TRAIN_11``; ``root`` may also be one split folder.

The TEST annotations hold the first box only: TEST scores come from the evaluation server, so a sequence with a
single box while it has more frames is refused (as GOT-10k test is).
"""
from __future__ import annotations

import re
from pathlib import Path

from analysis.core.boxtext import parse_box_lines
from analysis.io.annotation import SequenceAnnotation, dataset_folder
from analysis.io.text import read_text_file


def _split_dirs(root: Path) -> list[Path]:
    if (root / "anno").is_dir():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "anno").is_dir()
                  and re.fullmatch(r"TEST|TRAIN_\d+", p.name))


def _frame_number(p: Path) -> int:
    return int(p.stem) if p.stem.isdigit() else -1


def load_trackingnet(root: str | Path) -> dict[str, SequenceAnnotation]:
    """Every ``anno/<seq>.txt`` of the split folder(s) under ``root``."""
    root = dataset_folder(root, "TrackingNet")
    splits = _split_dirs(root)
    if not splits:
        raise ValueError(f"{root}: no TrackingNet split folder (expected <root>/TEST/anno/ or <root>/anno/)")
    out: dict[str, SequenceAnnotation] = {}
    for split in splits:
        for path in sorted((split / "anno").glob("*.txt")):
            gt = parse_box_lines(read_text_file(path, "annotation file"), path)
            frame_dir = split / "frames" / path.stem
            frames = sorted(frame_dir.glob("*.jpg"), key=_frame_number) if frame_dir.is_dir() else []
            if len(gt) == 1 and len(frames) > 1:
                raise ValueError(f"{path}: only the first box for {len(frames)} frames (TEST ground truth is held "
                                 "by the evaluation server; score TEST results there)")
            if frames and len(frames) != len(gt):
                raise ValueError(f"{path}: {len(gt)} boxes but {len(frames)} frames in {frame_dir}")
            if path.stem in out:
                raise ValueError(f"{path}: sequence {path.stem!r} also in {out[path.stem].source}")
            out[path.stem] = SequenceAnnotation(name=path.stem, groundtruth=gt, width=0, height=0,
                                                frames=tuple(frames), source=str(path))
    if not out:
        raise ValueError(f"{root}: no annotation files in anno/")
    return out
