"""Reading one-pass (OTB / GOT-10k) tracker result files.

OTB: one file per sequence ``<dir>/<Seq>.txt``, one ``x,y,w,h`` per frame (comma / space / tab); names are
matched to annotation keys case-insensitively (``Jogging-1.txt`` -> ``jogging_1``, ``Human4.txt`` ->
``human4_2``). GOT-10k (G10 layout): ``<dir>/<seq>/<seq>_001.txt`` .. ``_003.txt`` plus ``<seq>_time.txt``
(frames x runs, seconds per frame).

Known malformed files are detected, reported and handled explicitly (see :func:`detect_corner_first_line`).

**Files of the wrong length** (:func:`fit_to_frames`, one rule for OTB and GOT-10k, ``docs/conventions.md``).
None of the toolkits that produced the published numbers scores such a file: OTB MATLAB
(``calcSeqErrRobust.m`` indexes ``rectMat(idx,:)`` with the GT mask), pysot-toolkit (``load_tracker`` prints the
two lengths, then ``success_overlap`` fails on ``result_bb[mask]``) and got10k 0.1.3 (``assert len(boxes) ==
len(anno)`` / ``b.shape == anno.shape``) all stop, so every published number comes from files of the right
length. The harness rule, for new data:

* **extra lines are ignored** (the first ``N`` boxes are scored), as the later got10k ``ExperimentOTB.report``
  does (``len_min`` truncation with a warning, GitHub versions after 0.1.3);
* **missing last lines are read as NaN boxes** (the tracker gave no answer for those frames) and scored by the
  invalid-prediction rule of the chosen convention: a failure by default (OTB: IoU 0, centre error infinite,
  frames stay in the denominator; G10: IoU 0), the previous box held with ``--otb-compat`` (OTB
  ``calcSeqErrRobust.m``'s rule for a NaN box). Those got10k versions instead truncate the ground truth as
  well, which drops the frames from the denominator and so rewards a tracker that stops early; the harness
  does not.

Each such file is named in a warning with its line count and the frame count; ``strict=True``
(``siamrpn analyze otb|got10k --strict``) refuses it with a ``ValueError`` naming the file instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from analysis.core.boxtext import parse_box_lines, split_fields
from analysis.core.regions import frame_ranges, iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.otb import match_otb_name
from analysis.io.result_layout import times_file
from analysis.io.text import read_text_file


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


def fit_to_frames(boxes: np.ndarray, frames: int, source: str | Path, strict: bool = False
                  ) -> tuple[np.ndarray, str | None]:
    """Boxes of one result file fitted to ``frames`` frames, and the warning (``None`` when the length matches).

    Extra lines are dropped, missing last lines become NaN boxes (see the module docstring for the rule and the
    toolkits); ``strict`` raises ``ValueError`` naming ``source`` instead.
    """
    boxes = np.asarray(boxes, dtype=np.float64)
    n = len(boxes)
    if n == frames:
        return boxes, None
    if strict:
        raise ValueError(f"{source}: {n} result lines but the sequence has {frames} frames (--strict refuses "
                         f"result files whose line count differs from the frame count)")
    if n > frames:
        return boxes[:frames], (f"{source}: {n} result lines for {frames} frames; the {n - frames} extra line(s) "
                                f"are ignored")
    fitted = np.full((frames, 4), np.nan)
    fitted[:n] = boxes.reshape(-1, 4)
    return fitted, (f"{source}: {n} result lines for {frames} frames; the last {frames - n} frame(s) have no box "
                    f"and are scored as no answer (NaN boxes)")


def negative_size_note(boxes: np.ndarray, source: str | Path) -> str | None:
    """Warning for ``x,y,w,h`` boxes with a negative width or height (``None`` when there is none): named by file
    and line; the one-pass scores give them IoU 0 (no overlap) and centre error as written."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero((b[:, 2] < 0) | (b[:, 3] < 0))
    if not bad.size:
        return None
    first = ",".join(f"{v:g}" for v in b[bad[0]])
    return (f"{source}: negative width or height on line(s) {frame_ranges(bad)} ({bad.size} box(es); line "
            f"{bad[0] + 1}: {first}); scored as no overlap (IoU 0): a tracker should write x,y of the top-left "
            "corner and a positive size")


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
                     allow_missing: bool = False, strict: bool = False) -> OTBResults:
    """Read ``<results_dir>/*.txt`` and match each file to an annotation key.

    Annotated sequences without a file raise ``ValueError`` listing them and the folder, unless
    ``allow_missing`` (then they are named in ``warnings`` and the rest is scored). Files that match no
    annotation are listed in ``warnings``; two files for the same key raise ``ValueError``. A file with more or
    fewer lines than its sequence has frames is fitted by :func:`fit_to_frames` (warned), or refused with
    ``strict``.
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
        b, note = fit_to_frames(b, len(annotations[key]), path, strict)
        notes += [n for n in (note, negative_size_note(b, path)) if n]
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


def load_one_pass_times(results_dir: str | Path) -> dict[str, np.ndarray]:
    """Per-frame times of an OTB-layout result folder: ``<dir>/times/<seq>_time.txt`` (as the runner writes
    them) or ``<dir>/<seq>_time.txt``, keyed by file stem without ``_time``; ``{}`` when there are none."""
    results_dir = Path(results_dir)
    files = sorted((results_dir / "times").glob("*_time.txt")) or sorted(results_dir.glob("*_time.txt"))
    return {p.name[: -len("_time.txt")]: _read_times(p) for p in files}


def load_got10k_results(results_dir: str | Path, names: list[str] | tuple[str, ...],
                        annotations: Mapping[str, SequenceAnnotation] | None = None,
                        strict: bool = False) -> GOT10kResults:
    """Read G10-layout results ``<dir>/<seq>/<seq>_NNN.txt`` (runs, sorted) and ``<seq>_time.txt``.

    A sequence in ``names`` without any run file raises ``ValueError`` (G10 does the same). With
    ``annotations``, a run file whose line count differs from the sequence's frame count is fitted by
    :func:`fit_to_frames` (warned, naming the file) or refused with ``strict``; without them
    :func:`analysis.metrics.got10k.evaluate_got10k` applies the same rule, naming sequence and run.
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
        if annotations is not None and name in annotations:
            for i, f in enumerate(files):
                runs[name][i], note = fit_to_frames(runs[name][i], len(annotations[name]), f, strict)
                if note:
                    notes.append(note)
        notes += [n for n in (negative_size_note(r, f) for r, f in zip(runs[name], files)) if n]
        time_file = times_file(seq_dir, name)
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
