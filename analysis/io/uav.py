"""UAV123, UAV20L and UAV123@10fps: ``<root>/anno/<version>/<seq>.txt`` and frames
``<root>/data_seq/<UAV123|UAV123_10fps>/<folder>/000001.jpg`` (the dataset's own layout).

* **Frame ranges.** 46 of UAV123's 123 sequences are frame ranges of 20 longer videos (``bird1_1`` = frames
  1-253 of ``bird1``, ``bird1_2`` = 775-1477, ...); UAV20L uses whole videos. The table
  (``uav123_ranges.json``: ``name: [folder, first, last]``, 1-based inclusive) is the one shipped by got10k
  0.1.3 (``datasets/uav123.json``). UAV123@10fps keeps every third frame of the 30 fps videos, so its ranges
  are ``(f - 1) // 3 + 1`` of the 30 fps ones (``bird1_2`` -> 259-493; checked against the published 10 fps
  table for every split sequence).
* **Frames without a box.** A row ``NaN,NaN,NaN,NaN`` marks a frame where the target is out of view; it stays a
  NaN row and each toolkit variant of :mod:`analysis.metrics.onepass` applies its own rule. An empty line inside
  a file is read as such a NaN row too and warned with file and line (got10k's ``np.loadtxt`` would skip it and
  shift every later row, after which its length assertion fails).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from analysis.core.boxtext import split_fields
from analysis.io.annotation import SequenceAnnotation
from analysis.io.text import read_text_file

_RANGES = Path(__file__).with_name("uav123_ranges.json")
VERSIONS: tuple[str, ...] = ("UAV123", "UAV20L", "UAV123_10fps")


def uav_ranges(version: str) -> dict[str, tuple[str, int, int]]:
    """``name -> (folder, first frame, last frame)`` of ``version`` (1-based, inclusive)."""
    data = json.loads(_RANGES.read_text())
    if version == "UAV123_10fps":
        return {k: (f, (s - 1) // 3 + 1, (e - 1) // 3 + 1) for k, (f, s, e) in data["UAV123"].items()}
    if version not in data or version == "source":
        raise ValueError(f"unknown UAV version {version!r}; choose one of {', '.join(VERSIONS)}")
    return {k: (f, s, e) for k, (f, s, e) in data[version].items()}


def read_uav_boxes(path: Path) -> np.ndarray:
    """``(N, 4)`` boxes; ``NaN`` rows kept, empty lines inside the file become NaN rows (warned)."""
    lines = read_text_file(path, "annotation file").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows, blank = [], []
    for number, line in enumerate(lines, start=1):
        fields = split_fields(line)
        if not fields:
            blank.append(number)
            rows.append([np.nan] * 4)
            continue
        if len(fields) != 4:
            raise ValueError(f"{path}:{number}: expected 4 values, got {len(fields)} ({line.strip()!r})")
        try:
            rows.append([float(v) for v in fields])
        except ValueError:
            raise ValueError(f"{path}:{number}: cannot parse {line.strip()!r} as numbers") from None
    if not rows:
        raise ValueError(f"{path}: no boxes")
    if blank:
        warnings.warn(f"{path}: empty line(s) {', '.join(map(str, blank[:10]))} read as frames without a box "
                      f"(NaN)", stacklevel=2)
    return np.asarray(rows, dtype=np.float64)


def load_uav(root: str | Path, version: str = "UAV123", allow_missing: bool = False) -> dict[str, SequenceAnnotation]:
    """Annotations of ``version`` under ``root``, in the table's order; frames where the folder has them.

    A sequence of the table without an annotation file raises ``ValueError`` unless ``allow_missing``; an
    annotation whose row count differs from its frame range is an error naming the file.
    """
    root = Path(root)
    anno_dir = root / "anno" / version
    if not anno_dir.is_dir():
        raise FileNotFoundError(f"{anno_dir}: UAV annotation folder not found (expected <root>/anno/{version}/)")
    table = uav_ranges(version)
    missing = [k for k in table if not (anno_dir / f"{k}.txt").is_file()]
    if missing and (not allow_missing or len(missing) == len(table)):
        raise ValueError(f"{anno_dir}: {len(missing)} of the {len(table)} {version} sequences have no annotation "
                         f"file: " + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
    data_dir = root / "data_seq" / ("UAV123_10fps" if version == "UAV123_10fps" else "UAV123")
    out: dict[str, SequenceAnnotation] = {}
    for name, (folder, first, last) in table.items():
        path = anno_dir / f"{name}.txt"
        if not path.is_file():
            continue
        gt = read_uav_boxes(path)
        if len(gt) != last - first + 1:
            raise ValueError(f"{path}: {len(gt)} boxes but {name} is frames {first}-{last} of {folder} "
                             f"({last - first + 1} frames)")
        frames = tuple(data_dir / folder / f"{i:06d}.jpg" for i in range(first, last + 1))
        if not (data_dir / folder).is_dir():
            frames = ()
        out[name] = SequenceAnnotation(name=name, groundtruth=gt, width=0, height=0, frames=frames,
                                       fps=10.0 if version == "UAV123_10fps" else 30.0, source=str(path))
    return out
