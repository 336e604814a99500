"""VOT long-term result files (vot-toolkit layout) and long-term annotations.

Results of one tracker::

    <results>/<seq>/<seq>_001.txt                 one region per frame (frame 1: ``1``, the initialisation code)
    <results>/<seq>/<seq>_001_confidence.value    one confidence per frame; an empty line = no value
    <results>/<seq>/<seq>_001_time.value          seconds per frame (optional)

``<results>`` may also be the tracker folder holding ``longterm/`` (vot-toolkit's experiment folder). Region
files may be text or vot-toolkit ``.bin`` (:func:`analysis.io.trajectories.read_trajectory`). An empty
confidence line reads as 0 and a ``nan`` line as NaN (vot-toolkit ``Trajectory.read`` then
``properties(i).get('confidence', 0)``), so an empty line can pass a threshold <= 0 and a NaN never does; a NaN on
a tracked frame is refused (file and line) unless accepted (``accept_nan``), since it silently moves the F-score.
Annotations: a VOT dataset folder whose ``groundtruth.txt`` lines of NaNs mark frames without the target; the
target must be visible in frame 1.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.core.atomic import write_text_atomic
from analysis.core.regions import Region, empty_regions
from analysis.io.annotation import SequenceAnnotation
from analysis.io.trajectories import read_trajectory
from analysis.io.vot import load_vot_folder

LONGTERM_EXPERIMENT = "longterm"  #: vot-toolkit's experiment (and results folder) name


def load_longterm_annotations(path: str | os.PathLike) -> dict[str, SequenceAnnotation]:
    """A VOT long-term dataset (``list.txt`` folder, workspace or one sequence); NaN lines = target absent.

    The target must be visible in frame 1 (the tracker is initialised there; vot-toolkit's long-term
    experiment initialises from frame 1's ground truth): a NaN or empty first region is a ``ValueError``
    naming the file, line 1 and the sequence."""
    annotations = load_vot_folder(Path(path), absent=True)
    for name, ann in annotations.items():
        first = np.asarray(ann.groundtruth[0], dtype=np.float64) if len(ann) else np.array([np.nan])
        if np.isnan(first).any() or empty_regions(first)[0]:
            what = "NaN" if np.isnan(first).any() else "an empty, zero-area region"
            raise ValueError(f"{ann.source or name}:1: sequence {name}: the target is absent in frame 1 ({what}); a "
                             "long-term sequence must start with the target visible (the tracker is initialised on "
                             "it): fix the first ground-truth line or drop the frames before the target appears")
    return annotations


def nan_confidence_lines(confidence: np.ndarray, frames: int) -> np.ndarray:
    """1-based line numbers holding ``nan`` among lines 2..``frames`` (line 1 is the initialisation frame,
    which no analysis scores)."""
    c = np.asarray(confidence, dtype=np.float64)[1:frames]
    return np.flatnonzero(np.isnan(c)) + 2


def read_confidence(path: str | os.PathLike, n_frames: int | None = None) -> np.ndarray:
    """``<seq>_NNN_confidence.value`` as ``(N,) float64`` (empty line -> 0, ``nan`` -> NaN). A bad value is an
    error naming ``path:line``; with ``n_frames`` a file of another length is an error too."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: confidence file not found") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not UTF-8 text (binary file?)") from None
    lines = text.splitlines()
    values = np.empty(len(lines))
    for number, line in enumerate(lines, start=1):
        s = line.strip()
        if not s:
            values[number - 1] = 0.0
            continue
        try:
            v = float(s)
        except ValueError:
            raise ValueError(f"{path}:{number}: not a number: {s[:40]!r}") from None
        if math.isinf(v):
            raise ValueError(f"{path}:{number}: infinite confidence {s!r}")
        values[number - 1] = v
    if n_frames is not None and len(values) != n_frames:
        raise ValueError(f"{path}: {len(values)} confidence lines but the sequence has {n_frames} frames")
    return values


def write_confidence(path: str | os.PathLike, confidence: np.ndarray) -> None:
    """Write a confidence file: NaN (no value, e.g. the initialisation frame) as an empty line, as vot-toolkit."""
    lines = ["" if np.isnan(v) else repr(float(v)) for v in np.asarray(confidence, dtype=np.float64)]
    write_text_atomic(Path(path), "".join(f"{s}\n" for s in lines))


@dataclass(frozen=True)
class LongTermRun:
    """One run: regions (special code 1 on the initialisation frame), confidences, the files read."""

    regions: list[Region]
    confidence: np.ndarray
    source: str


def _sequence_dir(results: Path, name: str) -> Path:
    for base in (results, results / LONGTERM_EXPERIMENT):
        if (base / name).is_dir():
            return base / name
    return results / name


def find_longterm_runs(seq_dir: Path, name: str) -> list[tuple[Path, Path]]:
    """``[(region file, confidence file)]`` of the runs ``<name>_NNN`` in ``seq_dir`` (run order)."""
    pattern = re.compile(rf"^{re.escape(name)}_(\d{{3}})\.(txt|bin)$")
    runs = sorted((int(m.group(1)), p) for p in seq_dir.iterdir() if (m := pattern.match(p.name)))
    return [(p, p.with_name(f"{p.stem}_confidence.value")) for _, p in runs]


def _fit_run(regions: list[Region], confidence: np.ndarray, frames: int, region_file: Path, conf_file: Path,
             strict: bool) -> tuple[list[Region], np.ndarray, list[str]]:
    """A run's regions and confidences fitted to ``frames`` frames by the one-pass rule
    (:func:`analysis.io.results.fit_to_frames`): extra lines ignored, missing last lines = no answer (no region,
    code 0; confidence NaN, which never passes a threshold), each warned; ``strict`` refuses instead."""
    notes = []
    for path, n, what in ((region_file, len(regions), "regions"), (conf_file, len(confidence), "confidence lines")):
        if n == frames:
            continue
        if strict:
            raise ValueError(f"{path}: {n} {what} but the sequence has {frames} frames (--strict refuses result "
                             "files whose line count differs from the frame count)")
        notes.append(f"{path}: {n} {what} for {frames} frames; " + (
            f"the {n - frames} extra line(s) are ignored" if n > frames else
            f"the last {frames - n} frame(s) have no {'region' if what == 'regions' else 'confidence'} and are "
            "scored as no answer"))
    regions = list(regions[:frames]) + [0] * max(0, frames - len(regions))
    confidence = np.concatenate([confidence[:frames], np.full(max(0, frames - len(confidence)), np.nan)])
    return regions, confidence, notes


def load_longterm_results(results: str | os.PathLike, annotations: dict[str, SequenceAnnotation],
                          allow_missing: bool = False, strict: bool = False, accept_nan: bool = False
                          ) -> tuple[dict[str, list[LongTermRun]], list[str]]:
    """``({sequence: runs}, warnings)`` of one tracker's long-term results. A sequence without runs is an
    error unless ``allow_missing`` (then left out and warned); a run that lacks its confidence file is an error
    naming the file. A region or confidence file without one line per frame is fitted by the one-pass rule
    (:func:`_fit_run`, warned) or, with ``strict``, an error naming the file. A ``nan`` confidence on a tracked
    frame (line 2 on) is an error naming file and line, unless ``accept_nan``: then it is scored as both
    toolkits score it (never above a threshold) and warned with its count and first line."""
    results = Path(results)
    if not results.is_dir():
        raise ValueError(f"{results}: results folder not found")
    out: dict[str, list[LongTermRun]] = {}
    warnings: list[str] = []
    for name, ann in annotations.items():
        seq_dir = _sequence_dir(results, name)
        files = find_longterm_runs(seq_dir, name) if seq_dir.is_dir() else []
        if not files:
            if allow_missing:
                warnings.append(f"{seq_dir}: no long-term runs of sequence {name}; left out")
                continue
            raise ValueError(f"{seq_dir}: no long-term runs ({name}_001.txt) of sequence {name} "
                             "(--allow-missing leaves it out)")
        runs = []
        for region_file, conf_file in files:
            regions = read_trajectory(region_file)
            if not conf_file.is_file():
                raise ValueError(f"{conf_file}: confidence file missing (a long-term run needs one value per "
                                 "frame)")
            raw = read_confidence(conf_file)
            nan_lines = nan_confidence_lines(raw, len(ann))
            if nan_lines.size:
                where = f"{conf_file}:{nan_lines[0]}"
                count = f"{nan_lines.size} NaN confidence(s) (first on line {nan_lines[0]})"
                if not accept_nan:
                    raise ValueError(f"{where}: confidence is NaN ({count}); a tracker should write a number, or "
                                     "an empty line for no value (read as 0); --accept-nan-confidence scores NaN as "
                                     "vot-toolkit does: never above a threshold")
                warnings.append(f"{conf_file}: {count}, scored as never above a threshold (vot-toolkit's rule; "
                                "--accept-nan-confidence)")
            regions, confidence, notes = _fit_run(regions, raw, len(ann), region_file, conf_file, strict)
            warnings.extend(notes)
            runs.append(LongTermRun(regions, confidence, str(region_file)))
        out[name] = runs
    if not out:
        raise ValueError(f"{results}: no long-term results of any sequence")
    return out, warnings
