"""Temple Color 128: ``<root>/<seq>/img/0001.jpg``, ``<seq>/<seq>_gt.txt`` (``x,y,w,h`` per annotated frame)
and ``<seq>/<seq>_frames.txt`` (``first,last``: the annotated frame numbers, inclusive).

The boxes cover frames ``first..last`` only (got10k ``datasets/tcolor128.py``, the TC128 MATLAB toolkit); a
sequence whose box count differs from that range is an error naming the file.
"""
from __future__ import annotations

from pathlib import Path

from analysis.core.boxtext import parse_box_lines, split_fields
from analysis.io.annotation import SequenceAnnotation, dataset_folder
from analysis.io.text import read_text_file


def read_frame_range(path: Path) -> tuple[int, int]:
    """``first,last`` of a ``<seq>_frames.txt``."""
    text = read_text_file(path, "frame-range file")
    fields = split_fields(text.splitlines()[0] if text.strip() else "")
    try:
        first, last = (int(float(v)) for v in fields)
    except ValueError:
        raise ValueError(f"{path}:1: expected two frame numbers 'first,last', got {text.strip()[:60]!r}") from None
    if first < 1 or last < first:
        raise ValueError(f"{path}:1: frame range {first}-{last} is not 1 <= first <= last")
    return first, last


def load_tc128(root: str | Path) -> dict[str, SequenceAnnotation]:
    """Every ``<seq>/<seq>_gt.txt`` under ``root`` (or ``root`` itself when it is one sequence folder)."""
    root = dataset_folder(root, "TC128")
    files = [root / f"{root.name}_gt.txt"] if (root / f"{root.name}_gt.txt").is_file() else \
        sorted(p for p in root.glob("*/*_gt.txt") if p.name == f"{p.parent.name}_gt.txt")
    if not files:
        raise ValueError(f"{root}: no TC128 sequences (expected <seq>/<seq>_gt.txt)")
    out: dict[str, SequenceAnnotation] = {}
    for gt_file in files:
        folder = gt_file.parent
        gt = parse_box_lines(read_text_file(gt_file, "ground-truth file"), gt_file)
        range_file = folder / f"{folder.name}_frames.txt"
        if not range_file.is_file():
            raise ValueError(f"{range_file}: missing (TC128 gives every sequence's annotated frame range)")
        first, last = read_frame_range(range_file)
        if len(gt) != last - first + 1:
            raise ValueError(f"{gt_file}: {len(gt)} boxes but {range_file.name} says frames {first}-{last} "
                             f"({last - first + 1} frames)")
        img = folder / "img"
        frames = tuple(img / f"{i:04d}.jpg" for i in range(first, last + 1)) if img.is_dir() else ()
        out[folder.name] = SequenceAnnotation(name=folder.name, groundtruth=gt, width=0, height=0, frames=frames,
                                              source=str(gt_file))
    return out
