"""Reading one-pass (OTB / GOT-10k) tracker result files.

OTB: one file per sequence ``<dir>/<Seq>.txt``, one ``x,y,w,h`` per frame (comma / space / tab); names are
matched to annotation keys case-insensitively (``Jogging-1.txt`` -> ``jogging_1``, ``Human4.txt`` ->
``human4_2``). GOT-10k (G10 layout): ``<dir>/<seq>/<seq>_001.txt`` .. ``_003.txt`` plus ``<seq>_time.txt``
(frames x runs, seconds per frame).

Known malformed files are detected, reported and handled explicitly (see :func:`detect_corner_first_line`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.core.boxtext import split_fields
from analysis.core.regions import iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.otb import match_otb_name
from analysis.io.text import parse_box_lines, read_text_file


@dataclass(frozen=True)
class OTBResults:
    """Boxes per annotation key plus what was noticed while reading them."""

    boxes: dict[str, np.ndarray]
    files: dict[str, Path]
    corner_first_line: tuple[str, ...] = ()  #: keys whose first line is ``x1,y1,x2,y2`` (SiamRPN quirk)
    warnings: tuple[str, ...] = ()


def read_box_file(path: str | Path) -> np.ndarray:
    """``(N, 4)`` float64 boxes of one result file; errors name the file and line."""
    path = Path(path)
    return parse_box_lines(read_text_file(path, "result file"), path)


def _first_line_is_integer(path: Path) -> bool:
    lines = read_text_file(path, "result file").splitlines()
    first = lines[0].strip() if lines else ""
    return bool(first) and all(re.fullmatch(r"[+-]?\d+", v) for v in split_fields(first))


def _iou1(a: np.ndarray, b: np.ndarray) -> float:
    return float(iou_xywh(a[None, :], b[None, :])[0])


def detect_corner_first_line(boxes: np.ndarray, first_line_integers: bool, gt_first: np.ndarray | None = None) -> bool:
    """True when line 1 is ``x1,y1,x2,y2`` while the rest is ``x,y,w,h`` (the published SiamRPN OTB files).

    Rule: line 1 holds integers with ``x2 > x1`` and ``y2 > y1``, and reading it as corners fits the
    reference box (ground truth of frame 1, else line 2) better than reading it as ``x,y,w,h``.
    """
    if not first_line_integers or len(boxes) < 1:
        return False
    x1, y1, x2, y2 = boxes[0]
    if not (x2 > x1 and y2 > y1):
        return False
    ref = gt_first if gt_first is not None else (boxes[1] if len(boxes) > 1 else None)
    if ref is None or not np.all(np.isfinite(ref)):
        return False
    as_corners = np.array([x1, y1, x2 - x1 + 1, y2 - y1 + 1])
    return _iou1(as_corners, ref) > _iou1(boxes[0], ref) + 0.2


def load_otb_results(results_dir: str | Path, annotations: dict[str, SequenceAnnotation],
                     allow_missing: bool = False) -> OTBResults:
    """Read ``<results_dir>/*.txt`` and match each file to an annotation key.

    Annotated sequences without a file raise ``ValueError`` listing them and the folder, unless
    ``allow_missing`` (then they are named in ``warnings`` and the rest is scored). Files that match no
    annotation are listed in ``warnings``; two files for the same key raise ``ValueError``.
    """
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise ValueError(f"{results_dir}: results folder not found")
    keys = list(annotations)
    boxes: dict[str, np.ndarray] = {}
    files: dict[str, Path] = {}
    corners: list[str] = []
    notes: list[str] = []
    extra: list[str] = []
    found: list[tuple[str, Path]] = []
    for path in sorted(results_dir.glob("*.txt")):
        if path.stem.endswith("_time"):
            continue
        key = match_otb_name(path.stem, keys)
        if key is None:
            extra.append(path.name)
            continue
        if key in files:
            raise ValueError(f"{path}: second result file for sequence {key!r} (first: {files[key].name})")
        files[key] = path
        found.append((key, path))
    if extra:
        notes.append(f"{results_dir}: {len(extra)} result file(s) without annotation, ignored: "
                     + ", ".join(extra[:10]) + (f" ... ({len(extra)} in all)" if len(extra) > 10 else ""))
    missing = [k for k in keys if k not in files]
    if not files:
        raise ValueError(f"{results_dir}: no result file matches any of the {len(keys)} annotated sequences")
    shown = ", ".join(missing[:10]) + (f" ... ({len(missing)} in all)" if len(missing) > 10 else "")
    if missing and not allow_missing:
        raise ValueError(f"{results_dir}: no result file for {len(missing)} of the {len(keys)} annotated "
                         f"sequences: {shown} (expected {results_dir / (missing[0] + '.txt')}); --allow-missing "
                         f"(allow_missing=True) scores the other {len(keys) - len(missing)} with a warning")
    for key, path in found:
        b = read_box_file(path)
        gt0 = annotations[key].groundtruth[0] if len(annotations[key]) else None
        if detect_corner_first_line(b, _first_line_is_integer(path), gt0):
            corners.append(key)
        boxes[key] = b
    if missing:
        notes.append(f"{results_dir}: no result file for {len(missing)} of the {len(keys)} annotated sequences, "
                     f"not scored (--allow-missing): {shown}")
    return OTBResults(boxes=boxes, files=files, corner_first_line=tuple(corners), warnings=tuple(notes))


@dataclass(frozen=True)
class GOT10kResults:
    """Runs (``list`` of ``(N, 4)`` arrays) and per-frame times (seconds, NaN where absent) per sequence."""

    runs: dict[str, list[np.ndarray]]
    times: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _read_times(path: Path) -> np.ndarray:
    values = parse_box_lines(read_text_file(path, "time file", "one time per frame per line"), path, columns=None)
    return values


def load_got10k_results(results_dir: str | Path, names: list[str] | tuple[str, ...]) -> GOT10kResults:
    """Read G10-layout results ``<dir>/<seq>/<seq>_NNN.txt`` (runs, sorted) and ``<seq>_time.txt``.

    A sequence in ``names`` without any run file raises ``ValueError`` (G10 does the same).
    """
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise ValueError(f"{results_dir}: results folder not found")
    runs: dict[str, list[np.ndarray]] = {}
    times: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for name in names:
        seq_dir = results_dir / name
        files = sorted(p for p in seq_dir.glob(f"{name}_[0-9]*.txt") if re.fullmatch(rf"{re.escape(name)}_\d+", p.stem))
        if not files:
            raise ValueError(f"{seq_dir}: no result files {name}_001.txt ... for sequence {name!r}")
        runs[name] = [read_box_file(f) for f in files]
        time_file = seq_dir / f"{name}_time.txt"
        if time_file.is_file():
            times[name] = _read_times(time_file)
        else:
            notes.append(f"{name}: no {time_file.name}; speed leaves this sequence out")
    return GOT10kResults(runs=runs, times=times, warnings=tuple(notes))


def corner_line_warning(keys: tuple[str, ...], first_frame: str) -> str:
    """What the harness did with result files whose line 1 is ``x1,y1,x2,y2`` (SiamRPN OTB quirk)."""
    what = ("replaced by the ground truth (--first-frame gt), so it does not affect the scores"
            if first_frame == "gt" else
            "scored as written, i.e. read as x,y,w,h (--first-frame keep); --first-frame gt replaces it by GT")
    shown = ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else "")
    return (f"{len(keys)} result files have a first line x1,y1,x2,y2 (integers) while the other lines are "
            f"x,y,w,h ({shown}); line 1 was {what}")
