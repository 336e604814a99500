"""LaSOT / LaSOT-ext folders: ``<class>/<class>-<n>/{img/00000001.jpg, groundtruth.txt, full_occlusion.txt,
out_of_view.txt}``.

``groundtruth.txt`` holds one ``x,y,w,h`` per frame; ``full_occlusion.txt`` and ``out_of_view.txt`` one line of
comma-separated 0/1 flags per frame. A frame is **absent** when either flag is 1; the flags are kept in
``tags`` (``full_occlusion``, ``out_of_view``, ``absent``) and :mod:`analysis.metrics.onepass` applies each
toolkit's rule to them. Missing flag files mean "always visible" (warned).

Splits: ``test`` = the 280 sequences of LaSOT's Protocol II (``testing_set.txt`` of the LaSOT toolkit, four per
class; the committed copy ``lasot_splits.json`` is the list shipped by got10k 0.1.3), ``all`` = every sequence in
the folder (LaSOT-ext: its 150 sequences), or a split file with one sequence name per line.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from analysis.core.boxtext import parse_box_lines, split_fields
from analysis.io.annotation import SequenceAnnotation, dataset_folder
from analysis.io.text import read_text_file

_SPLITS = Path(__file__).with_name("lasot_splits.json")


def lasot_split(name: str) -> list[str]:
    """Sequence names of a named split (``test``: the 280 Protocol II sequences)."""
    data = json.loads(_SPLITS.read_text())
    if name not in data or name == "source":
        raise ValueError(f"unknown LaSOT split {name!r}; known: test, all, or a split file")
    return list(data[name])


def read_split_file(path: str | Path) -> list[str]:
    """One sequence name per line (blank lines and ``#`` comments ignored)."""
    path = Path(path)
    names = [line.strip() for line in read_text_file(path, "split file").splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    if not names:
        raise ValueError(f"{path}: no sequence names")
    return names


def read_flags(path: Path, frames: int) -> np.ndarray:
    """``(frames,)`` bool from a LaSOT flag file (comma / space separated 0/1, one or more lines)."""
    text = read_text_file(path, "flag file")
    values: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = split_fields(line)
        bad = [f for f in fields if f not in ("0", "1")]
        if bad:
            raise ValueError(f"{path}:{number}: flags must be 0 or 1, got {bad[0]!r}")
        values.extend(fields)
    if len(values) != frames:
        raise ValueError(f"{path}: {len(values)} flags but groundtruth.txt has {frames} boxes")
    return np.asarray(values, dtype=np.int64).astype(bool)


def _sequence_dirs(root: Path) -> dict[str, Path]:
    if (root / "groundtruth.txt").is_file():
        return {root.name: root}
    found = {p.parent.name: p.parent for p in root.glob("*/groundtruth.txt")}
    found.update({p.parent.name: p.parent for p in root.glob("*/*/groundtruth.txt")})
    return dict(sorted(found.items()))


def load_lasot_sequence(folder: Path) -> SequenceAnnotation:
    """One LaSOT sequence folder."""
    gt_file = folder / "groundtruth.txt"
    gt = parse_box_lines(read_text_file(gt_file, "ground-truth file"), gt_file)
    tags: dict[str, np.ndarray] = {}
    for flag in ("full_occlusion", "out_of_view"):
        path = folder / f"{flag}.txt"
        if path.is_file():
            tags[flag] = read_flags(path, len(gt))
        else:
            warnings.warn(f"{path}: missing; every frame of {folder.name} is taken as visible for {flag}",
                          stacklevel=3)
            tags[flag] = np.zeros(len(gt), bool)
    tags["absent"] = tags["full_occlusion"] | tags["out_of_view"]
    img = folder / "img"
    frames = tuple(sorted(img.glob("*.jpg"))) if img.is_dir() else ()
    if frames and len(frames) < len(gt):
        raise ValueError(f"{gt_file}: {len(gt)} boxes but only {len(frames)} frames in {img}")
    return SequenceAnnotation(name=folder.name, groundtruth=gt, width=0, height=0, frames=frames[:len(gt)],
                              tags=tags, source=str(gt_file))


def load_lasot(root: str | Path, split: str = "test", split_file: str | Path | None = None,
               allow_missing: bool = False) -> dict[str, SequenceAnnotation]:
    """LaSOT annotations under ``root`` for ``split`` (``test`` | ``all``) or the names in ``split_file``.

    Names of the split without a folder raise ``ValueError`` listing them unless ``allow_missing``.
    """
    root = dataset_folder(root, "LaSOT")
    dirs = _sequence_dirs(root)
    if not dirs:
        raise ValueError(f"{root}: no LaSOT sequences (expected <class>/<class>-<n>/groundtruth.txt)")
    if split_file is not None:
        names = read_split_file(split_file)
    elif split == "all":
        names = list(dirs)
    else:
        names = lasot_split(split)
    missing = [n for n in names if n not in dirs]
    if missing and (not allow_missing or len(missing) == len(names)):
        where = f"split file {split_file}" if split_file is not None else f"split {split!r}"
        raise ValueError(f"{root}: {len(missing)} of the {len(names)} sequences of the {where} have no folder: "
                         + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
                         + " (use --split all for every sequence present, or --split-file)")
    return {n: load_lasot_sequence(dirs[n]) for n in names if n in dirs}


def load_lasot_split(root: str | Path, split: str | None = None, allow_missing: bool = False,
                     default: str = "test") -> dict[str, SequenceAnnotation]:
    """:func:`load_lasot` with ``split`` = ``test`` (Protocol II), ``all`` (every sequence present) or the path of a
    file with one sequence name per line; ``None`` = ``default``."""
    split = split or default
    if split in ("test", "all"):
        return load_lasot(root, split, allow_missing=allow_missing)
    return load_lasot(root, "test", split_file=Path(split), allow_missing=allow_missing)

