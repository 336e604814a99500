"""VOT2020-2022 short-term analysis of multi-start runs, equal to vot-toolkit 0.7.4
(``vot/analysis/multistart.py``: ``AccuracyRobustness``, ``AverageAccuracyRobustness``, ``EAOCurves``,
``EAOCurve``, ``EAOScore``) and the unsupervised experiment's ``average_accuracy``
(``vot/analysis/accuracy.py``). ``docs/conventions.md`` (VOT2020-2022) lists every rule and quirk.

Per run (one anchor; overlaps ``o`` by :func:`analysis.metrics.mask_overlap.toolkit_overlaps`, bounded by
the image; entry 0 is the initialisation code and overlaps 0 with a visible target):

* **failure**: a counter starts at ``grace`` (10) and goes down on every frame with ``o <= threshold`` (0.1)
  whose ground truth is not empty (``toolkit_is_empty``); any other frame, an empty ground truth included,
  resets it. When it reaches 0 at run index ``j`` the run failed with progress ``p = j + 1 - grace`` (the
  first frame of the low streak); otherwise ``p = len(run)``.
* **accuracy/robustness** per sequence: ``A_s = sum over runs of sum(o[0:p]) / sum p`` (0 when ``sum p = 0``),
  ``R_s = sum p / sum len(run)``; over sequences ``A = sum A_s P_s / sum P_s`` with ``P_s = sum p`` and
  ``R = sum R_s N_s / sum N_s`` with ``N_s`` the sequence length.
* **EAO curve** (length ``high``): a failed run is set to 0 from ``p`` on; for ``j = 1 .. high-1`` a run
  longer than ``j`` adds ``mean(o[1..j])``, a failed run not longer than ``j`` adds ``sum(o[1:]) / (j - 1)``
  and a successful one is left out; each sequence's curve is the mean over the runs it counts, the dataset's
  curve the mean weighted by those counts (so every counted run weighs the same); ``curve[0] = 0``.
  **EAO** = ``mean(curve[low:high+1])`` of that curve (lengths ``low .. high-1``: the stacks' 115/755 average
  ``j = 115 .. 754``).

``corrected=True`` (labelled ``corrected`` everywhere; never the default) changes the toolkit's two quirks:
the divisor of a failed run shorter than ``j`` is ``j`` (its overlaps zero-padded to ``j`` frames, as for the
runs longer than ``j``) instead of ``j - 1``, and the initialisation frame, whose overlap 0 is the code ``1``
and not the tracker's answer, is left out of the failure counter and of accuracy (``A_s = sum o[1:p] /
sum max(p - 1, 0)``); robustness and the EAO (which already starts at frame 1) are otherwise unchanged.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.masks import Mask
from analysis.core.regions import SPECIAL_FAILURE, SPECIAL_INIT, SPECIAL_UNKNOWN, Region, is_special
from analysis.io.annotation import SequenceAnnotation
from analysis.io.trajectories import find_run_files, read_trajectory
from analysis.io.vot import load_vot_folder
from analysis.metrics.mask_overlap import toolkit_is_empty, toolkit_overlaps

__all__ = ["MultiStartSettings", "RunScore", "find_anchors", "run_frames", "failure_progress", "score_run",
           "sequence_ar", "aggregate_ar", "eao_partial", "eao_curve", "eao_score", "MultiStartReport",
           "analyze_multistart", "load_multistart_results", "unsupervised_accuracy", "MultiStartInputError",
           "analyze_multistart_folder", "unsupervised_folder", "load_multistart_annotations"]


class MultiStartInputError(ValueError):
    """Bad input for the multi-start analysis; the message names the file or sequence."""


@dataclass(frozen=True)
class MultiStartSettings:
    """The analysis parameters of the VOT2020-2022 stacks (``multistart_*`` analyses) and the variant."""

    low: int = 115  #: ``multistart_eao_score.low``
    high: int = 755  #: ``multistart_eao_score.high`` = ``multistart_eao_curve.high`` (curve length)
    threshold: float = 0.1
    grace: int = 10
    bounded: bool = True  #: overlaps cut to the image (the toolkit passes the size because ``burnin`` is set)
    corrected: bool = False  #: the corrected variant (module docstring); False = vot-toolkit 0.7.4

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high:
            raise ValueError(f"EAO interval low={self.low}, high={self.high}: needs 0 <= low < high")
        if self.grace < 1:
            raise ValueError(f"grace must be >= 1, got {self.grace}")

    @property
    def variant(self) -> str:
        return "corrected" if self.corrected else "vot-toolkit 0.7.4"


def find_anchors(values: np.ndarray | None, where: str = "sequence") -> tuple[list[int], list[int]]:
    """``(forward, backward)`` anchors (``anchor.value`` > 0 / < 0); none is an error naming ``where``."""
    if values is None:
        raise MultiStartInputError(f"{where}: no anchor.value: the multi-start analysis needs anchor frames")
    v = np.asarray(values, dtype=np.float64).ravel()
    forward, backward = np.flatnonzero(v > 0).tolist(), np.flatnonzero(v < 0).tolist()
    if not forward and not backward:
        raise MultiStartInputError(f"{where}: anchor.value marks no anchor (every value is 0); vot-toolkit "
                                   "stops with 'Sequence does not contain any anchors'")
    return forward, backward


def run_frames(anchor: int, reverse: bool, n: int) -> np.ndarray:
    """Frames of an anchor's run in run order (``anchor .. N-1`` or ``anchor .. 0``)."""
    return np.arange(anchor, -1, -1) if reverse else np.arange(anchor, n)


def failure_progress(overlaps: np.ndarray, empty: np.ndarray, threshold: float = 0.1, grace: int = 10,
                     skip_first: bool = False) -> int:
    """Progress ``p`` of a run (module docstring): ``j + 1 - grace`` at the ``grace``-th low frame in a row,
    else the run's length. ``skip_first``: the corrected variant's init frame that never counts."""
    o = np.asarray(overlaps, dtype=np.float64)
    counter = grace
    for j in range(1 if skip_first else 0, o.size):
        if o[j] <= threshold and not empty[j]:
            counter -= 1
            if counter == 0:
                return j + 1 - grace
        else:
            counter = grace
    return int(o.size)


@dataclass(frozen=True)
class RunScore:
    """One anchor's run: its overlaps, progress, length and whether it failed."""

    anchor: int
    reverse: bool
    overlaps: np.ndarray
    progress: int

    @property
    def length(self) -> int:
        return int(self.overlaps.size)

    @property
    def failed(self) -> bool:
        return self.progress < self.length


def score_run(anchor: int, reverse: bool, trajectory: list, groundtruth: list, size: tuple[int, int] | None,
              settings: MultiStartSettings = MultiStartSettings()) -> RunScore:
    """Overlaps and progress of one run; ``groundtruth`` is the run's ground truth in run order."""
    o = toolkit_overlaps(trajectory, groundtruth, size if settings.bounded else None)
    empty = np.array([toolkit_is_empty(g) for g in groundtruth], dtype=bool)
    p = failure_progress(o, empty, settings.threshold, settings.grace, settings.corrected)
    return RunScore(anchor, reverse, o, p)


def sequence_ar(runs: list[RunScore], corrected: bool = False) -> tuple[float, float, int, int]:
    """``(A_s, R_s, sum p, sum len)`` of one sequence (``AccuracyRobustness.subcompute``)."""
    progress = sum(r.progress for r in runs)
    total = sum(r.length for r in runs)
    if corrected:
        acc = sum(float(np.sum(r.overlaps[1:r.progress])) for r in runs)
        weight = sum(max(r.progress - 1, 0) for r in runs)
    else:
        acc = sum(float(np.sum(r.overlaps[:r.progress])) for r in runs)
        weight = progress
    accuracy = acc / weight if weight > 0 else 0.0
    return accuracy, (progress / total if total else 0.0), (weight if corrected else progress), total


def aggregate_ar(per_sequence: list[tuple[float, float, int, int]]) -> tuple[float, float]:
    """``(A, R)`` over sequences (``AverageAccuracyRobustness.aggregate``); ``per_sequence`` rows are
    ``(A_s, R_s, P_s, N_s)`` with ``N_s`` the sequence length. NaN where a weight sum is 0 (the toolkit divides
    by zero)."""
    wa = sum(r[2] for r in per_sequence)
    wr = sum(r[3] for r in per_sequence)
    a = sum(r[0] * r[2] for r in per_sequence) / wa if wa > 0 else float("nan")
    r = sum(x[1] * x[3] for x in per_sequence) / wr if wr > 0 else float("nan")
    return a, r


def eao_partial(runs: list[RunScore], high: int, corrected: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(phi, active)`` of one sequence, each of length ``high`` (``compute_eao_partial``)."""
    phi = np.zeros(high)
    active = np.zeros(high)
    for run in runs:
        o = run.overlaps.copy()
        if run.failed:
            o[run.progress:] = 0.0
        n = o.size
        csum = np.cumsum(o)  # csum[j] - csum[0] = sum(o[1..j])
        last = min(n - 1, high - 1)
        if last >= 1:
            j = np.arange(1, last + 1)
            phi[1:last + 1] += (csum[j] - o[0]) / j
            active[1:last + 1] += 1
        if run.failed and n < high:
            j = np.arange(max(n, 1), high)
            tail = float(np.sum(o[1:]))
            phi[j] += tail / (j if corrected else (j - 1))
            active[j] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        curve = np.where(active > 0, phi / np.where(active > 0, active, 1), 0.0)
    return curve, active


def eao_curve(partials: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Dataset curve from per-sequence ``(curve, active)`` (``EAOCurve.aggregate``, sequence weight 1)."""
    if not partials:
        raise MultiStartInputError("no sequence to average")
    num = sum(c * a for c, a in partials)
    den = sum(a for _, a in partials)
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def eao_score(curve: np.ndarray, low: int, high: int) -> float:
    """``EAOScore``: ``mean(curve[low:high+1])`` (NaN when the slice is empty)."""
    part = np.asarray(curve, dtype=np.float64)[low:high + 1]
    return float(np.mean(part)) if part.size else float("nan")


# ---------------------------------------------------------------------------------------------- result files
_RUN_RE = re.compile(r"^(?P<seq>.+)_(?P<anchor>\d{8})\.(?P<ext>bin|txt)$")


def load_multistart_results(tracker_dir: str | os.PathLike, experiment: str = "baseline",
                            sequences: list[str] | None = None) -> dict[str, dict[int, Path]]:
    """Run files ``<exp>/<seq>/<seq>_<anchor:08d>.bin|.txt`` of a tracker: ``{seq: {anchor: path}}`` (only
    the sequence folders that exist). One anchor stored both as ``.bin`` and ``.txt`` is an error."""
    exp = Path(tracker_dir) / experiment
    if not exp.is_dir():
        exp = Path(tracker_dir)
    names = sequences if sequences is not None else sorted(d.name for d in exp.iterdir() if d.is_dir())
    out: dict[str, dict[int, Path]] = {}
    for name in names:
        folder = exp / name
        if not folder.is_dir():
            continue
        runs: dict[int, Path] = {}
        for p in sorted(folder.iterdir()):
            m = _RUN_RE.match(p.name)
            if m and m.group("seq") == name:
                a = int(m.group("anchor"))
                if a in runs:
                    raise MultiStartInputError(f"{folder}: anchor {a} exists twice ({runs[a].name} and {p.name})")
                runs[a] = p
        out[name] = runs
    return out


# ---------------------------------------------------------------------------------------------- whole analysis
@dataclass
class MultiStartReport:
    """Scores of one tracker's multi-start experiment (vot-toolkit's names: ``ar``, ``eaocurve``, ``eaoscore``)."""

    accuracy: float
    robustness: float
    eao: float
    curve: np.ndarray
    settings: MultiStartSettings
    per_sequence: pd.DataFrame
    runs: dict[str, list[RunScore]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    box_on_masks: bool = False  #: box output scored against mask ground truth

    @property
    def weights(self) -> tuple[int, int]:
        """vot-toolkit's ``ar`` weights: ``(sum P_s, sum N_s)``."""
        return int(self.per_sequence["progress"].sum()), int(self.per_sequence["length"].sum())

    def summary(self, per_sequence: bool = False, curve: bool = False) -> dict[str, Any]:
        s = self.settings
        out: dict[str, Any] = {
            "protocol": "multistart", "variant": s.variant, "accuracy": self.accuracy, "robustness": self.robustness,
            "eao": self.eao, "weights": {"accuracy": self.weights[0], "robustness": self.weights[1]},
            "sequences": int(len(self.per_sequence)), "runs": int(self.per_sequence["runs"].sum()),
            "failures": int(self.per_sequence["failures"].sum()),
            "convention": {
                "overlap": "vot-toolkit 0.7.4 calculate_overlap (raster, bounds inclusive, image-bounded, masks)",
                "failure": f"{s.grace} frames in a row with overlap <= {s.threshold} (empty ground truth resets)"
                           + ("; init frame not counted" if s.corrected else "; init frame counts (overlap 0)"),
                "accuracy": "sum o[0:p] / sum p per sequence, weighted by sum p" if not s.corrected
                            else "sum o[1:p] / sum (p-1) per sequence, weighted by sum (p-1)",
                "robustness": "sum p / sum run length per sequence, weighted by the sequence length",
                "eao": {"low": s.low, "high": s.high, "lengths_averaged": [s.low, s.high - 1],
                        "divisor": "j" if s.corrected else "j - 1"},
            },
            "warnings": list(self.warnings),
        }
        if self.box_on_masks:
            out["note"] = BOX_ON_MASKS_NOTE
        if curve:
            out["eao_curve"] = [float(v) for v in self.curve]
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        return out


BOX_ON_MASKS_NOTE = ("box output scored against mask ground truth: a box covers background pixels of the mask, "
                     "so its overlaps (and EAO) are lower than those of a tracker reporting masks")


def analyze_multistart(annotations: dict[str, SequenceAnnotation], results: dict[str, dict[int, Path | list]],
                       settings: MultiStartSettings = MultiStartSettings(), allow_missing: bool = False,
                       source: str = "results") -> MultiStartReport:
    """Score the runs ``results[seq][anchor]`` (a trajectory or its file) against ``annotations``."""
    warnings: list[str] = []
    missing = [s for s in annotations if s not in results]
    if missing and not allow_missing:
        raise MultiStartInputError(f"{source}: no results for sequence(s) {', '.join(missing)} "
                                   "(--allow-missing scores the others)")
    if missing:
        warnings.append(f"sequences without results left out: {', '.join(missing)}")
    extra = sorted(set(results) - set(annotations))
    if extra:
        warnings.append(f"results for sequences without annotation ignored: {', '.join(extra)}")
    rows, partials, all_runs = [], [], {}
    box_on_masks = False
    for name, ann in annotations.items():
        if name not in results:
            continue
        where = ann.source or name
        forward, backward = find_anchors(ann.values.get("anchor"), where)
        gt = ann.region_list()
        n = len(ann)
        runs = []
        stored = results[name]
        unexpected = sorted(set(stored) - set(forward) - set(backward))
        if unexpected:
            warnings.append(f"{name}: runs for frames that are not anchors ignored: "
                            f"{', '.join(str(a) for a in unexpected)}")
        for anchor, reverse in [(a, False) for a in forward] + [(a, True) for a in backward]:
            if anchor not in stored:
                raise MultiStartInputError(f"{source}/{name}: no run for anchor {anchor} "
                                           f"({name}_{anchor:08d}.bin or .txt)")
            traj = stored[anchor]
            path = None
            if not isinstance(traj, list):
                path = traj
                traj = read_trajectory(traj)
            frames = run_frames(anchor, reverse, n)
            if len(traj) != len(frames):
                raise MultiStartInputError(f"{path or name}: {len(traj)} regions, the run of anchor {anchor} "
                                           f"({'backward' if reverse else 'forward'}) has {len(frames)} frames")
            if ann.has_masks and any(not is_special(r) and not isinstance(r, Mask) for r in traj):
                box_on_masks = True
            runs.append(score_run(anchor, reverse, traj, [gt[f] for f in frames], ann.size, settings))
        a_s, r_s, p_s, len_s = sequence_ar(runs, settings.corrected)
        partials.append(eao_partial(runs, settings.high, settings.corrected))
        all_runs[name] = runs
        rows.append({"sequence": name, "accuracy": a_s, "robustness": r_s, "progress": p_s, "length": n,
                     "run_frames": len_s, "runs": len(runs), "failures": sum(r.failed for r in runs)})
    if not rows:
        raise MultiStartInputError(f"{source}: no sequence to score")
    table = pd.DataFrame(rows).set_index("sequence")
    accuracy, robustness = aggregate_ar([(r["accuracy"], r["robustness"], r["progress"], r["length"]) for r in rows])
    if not table["progress"].sum():
        warnings.append("every run failed within its first frames (sum of progress 0): accuracy undefined (NaN); "
                        "vot-toolkit divides by zero here")
    curve = eao_curve(partials)
    return MultiStartReport(accuracy, robustness, eao_score(curve, settings.low, settings.high), curve, settings,
                            table, all_runs, warnings, box_on_masks)


# ---------------------------------------------------------------------------------------------- unsupervised
def unsupervised_accuracy(annotations: dict[str, SequenceAnnotation], results: dict[str, list[list[Region]]],
                          burnin: int = 1, bounded: bool = True) -> tuple[float, pd.DataFrame]:
    """vot-toolkit's ``average_accuracy`` (``burnin: 1`` in the stacks) of the unsupervised experiment: per run
    the mean overlap of the frames that are not the initialisation (and its ``burnin - 1`` successors), a failure
    or an unknown (``0``) code, and not an unknown ground truth; per sequence the sum of the run means over the
    number of runs (a run without frames adds 0); over sequences weighted by length."""
    rows = []
    for name, ann in annotations.items():
        if name not in results:
            raise MultiStartInputError(f"no results for sequence {name}")
        gt = ann.region_list()
        total = 0.0
        for k, traj in enumerate(results[name], start=1):
            if len(traj) != len(gt):
                raise MultiStartInputError(f"{name} run {k}: {len(traj)} regions for {len(gt)} frames")
            o = toolkit_overlaps(traj, gt, ann.size if bounded else None)
            keep = np.ones(len(o), dtype=bool)
            for i, (r, g) in enumerate(zip(traj, gt)):
                if is_special(g) or (not isinstance(g, Mask) and np.isnan(np.asarray(g, float)).any()):
                    keep[i] = False
                elif is_special(r) and int(r) == SPECIAL_UNKNOWN:
                    keep[i] = False
                elif is_special(r) and int(r) == SPECIAL_INIT:
                    keep[i:i + burnin] = False
                elif is_special(r) and int(r) == SPECIAL_FAILURE:
                    keep[i] = False
            if keep.any():
                total += float(np.mean(o[keep]))
        rows.append({"sequence": name, "accuracy": total / len(results[name]) if results[name] else 0.0,
                     "length": len(ann), "runs": len(results[name])})
    table = pd.DataFrame(rows).set_index("sequence")
    accuracy = float((table["accuracy"] * table["length"]).sum() / table["length"].sum())
    return accuracy, table


# ---------------------------------------------------------------------------------------------- folders
def load_multistart_annotations(path: str | os.PathLike) -> dict[str, SequenceAnnotation]:
    """A VOT dataset / workspace / sequence folder with ``anchor.value`` files (masks or rectangles)."""
    return load_vot_folder(Path(path))


def _experiment_dir(tracker_dir: str | os.PathLike, experiment: str) -> Path:
    exp = Path(tracker_dir) / experiment
    if not exp.is_dir():
        have = sorted(p.name for p in Path(tracker_dir).iterdir() if p.is_dir()) if Path(tracker_dir).is_dir() else []
        raise MultiStartInputError(f"{exp}: no such experiment folder (the tracker folder has: "
                                   f"{', '.join(have) or 'nothing'})")
    return exp


def analyze_multistart_folder(annotations_path: str | os.PathLike, tracker_dir: str | os.PathLike,
                              experiment: str = "baseline", settings: MultiStartSettings = MultiStartSettings(),
                              allow_missing: bool = False) -> MultiStartReport:
    """Read the annotations and ``tracker_dir/<experiment>/<seq>/<seq>_<anchor:08d>.bin|.txt``, then analyse."""
    exp = _experiment_dir(tracker_dir, experiment)
    annotations = load_multistart_annotations(annotations_path)
    results = load_multistart_results(tracker_dir, experiment, list(annotations))
    return analyze_multistart(annotations, results, settings, allow_missing, str(exp))


def unsupervised_folder(annotations_path: str | os.PathLike, tracker_dir: str | os.PathLike,
                        experiment: str = "unsupervised", allow_missing: bool = False
                        ) -> tuple[float, pd.DataFrame, list[str]]:
    """:func:`unsupervised_accuracy` of ``tracker_dir/<experiment>/<seq>/<seq>_001.bin|.txt``; returns
    ``(accuracy, per-sequence table, warnings)``."""
    exp = _experiment_dir(tracker_dir, experiment)
    annotations = load_multistart_annotations(annotations_path)
    missing = [s for s in annotations if not (exp / s).is_dir()]
    if missing and not allow_missing:
        raise MultiStartInputError(f"{exp}: no results for sequence(s) {', '.join(missing)} "
                                   "(--allow-missing scores the others)")
    kept = {s: a for s, a in annotations.items() if s not in missing}
    try:
        results = {s: [read_trajectory(p) for p in find_run_files(exp / s)] for s in kept}
    except ValueError as exc:
        raise MultiStartInputError(str(exc)) from None
    accuracy, table = unsupervised_accuracy(kept, results)
    notes = [f"sequences without results left out: {', '.join(missing)}"] if missing else []
    return accuracy, table, notes
