"""VOT supervised (baseline) and real-time analysis of one tracker: accuracy, failures, EAO, attributes.

:func:`prepare_runs` turns annotations + raw trajectories into per-sequence arrays (validated, overlaps
computed once per convention), :func:`analyze_runs` is pure maths on those arrays, :func:`analyze_vot` does
both. The ``variant`` picks the whole convention set (``docs/conventions.md``):

==========  =====================================  =====================  ===============================
variant     accuracy                               overlap (AR / EAO)     EAO fragments, weights, interval
==========  =====================================  =====================  ===============================
``leg``     pooled frame means (LEG = PST)         TraX x+w, clip [0,W] /  LEG, 1/#runs, lengths lo..hi
            (default, official VOT2015-2018)       clip [0,W-1]
``pst``     pooled frame means                     same as ``leg``         PST quirks, lengths lo..hi
``pyt``     mean of run means, length-weighted     PYT raster, (W, H)      PYT segments, lengths lo+1..hi+1
==========  =====================================  =====================  ===============================
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.core.regions import FrameKind, Region, empty_regions, frame_ranges
from analysis.io.annotation import SequenceAnnotation
from analysis.io.load import load_annotations
from analysis.io.trajectories import (
    find_run_files,
    load_tracker_results,
    result_sequence_names,
    trajectory_kinds,
    unexpected_unknown_frames,
)
from analysis.metrics.overlap import vot_overlaps, vot_overlaps_runs
from analysis.metrics.vot import accuracy as acc
from analysis.metrics.vot.eao import (
    DEFAULT_SKIP,
    averaged_lengths,
    eao_fragments,
    eao_over_interval,
    eao_score,
    tag_weights,
)
from analysis.metrics.vot.interval import fit_interval
from analysis.stacks import EAOInterval, stack_interval

Variant = Literal["leg", "pst", "pyt"]
VARIANTS: tuple[str, ...] = ("leg", "pst", "pyt")
#: per-frame attributes of VOT2016-2018 (pysot JSON / LEG ``*.tag`` files); ``empty`` = frames with none
VOT_TAGS: tuple[str, ...] = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
EMPTY_TAG = "empty"

#: (overlap convention, how bounds are derived from the image size) for AR and EAO per variant
_OVERLAP_RULES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # LEG estimate_accuracy: AR passes BindWithin=[W, H] (clip [0,W]), EAO uses bounded_overlap ([W-1, H-1]).
    # analysis.metrics.overlap's 'pst' clips (W, H) to [0, W]; 'leg2017' clips (W, H) to [0, W-1].
    "leg": (("pst", "W,H"), ("leg2017", "W,H")),
    "pst": (("pst", "W,H"), ("leg2017", "W,H")),
    "pyt": (("pyt", "W,H"), ("pyt", "W,H")),
}


class VOTInputError(ValueError):
    """Bad annotations or results; the message names the file / sequence / frame."""


@dataclass(frozen=True)
class VOTSettings:
    """How to analyse: convention variant, burn-in, skip, EAO interval and overlap options.

    ``interval`` wins over ``stack``; with neither, the interval is LEG's KDE estimate from the sequence
    lengths. ``legacy_rasterization``/``bounded`` reproduce the VOT2015 stack (legacy, unbounded).
    """

    variant: Variant = "leg"
    burnin: int = acc.DEFAULT_BURNIN
    skip: int = DEFAULT_SKIP
    interval: tuple[int, int] | None = None
    stack: str | None = None
    sensitivity: float = acc.DEFAULT_SENSITIVITY
    bounded: bool = True
    legacy_rasterization: bool = False
    tags: tuple[str, ...] = VOT_TAGS

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}; expected one of {VARIANTS}")
        if self.burnin < 0 or self.skip < 1:
            raise ValueError(f"burn-in must be >= 0 and skip >= 1, got {self.burnin}, {self.skip}")

    def resolve_interval(self, lengths: Sequence[int]) -> EAOInterval:
        if self.interval is not None:
            lo, hi = (int(v) for v in self.interval)
            if not 1 <= lo <= hi:
                raise ValueError(f"EAO interval must satisfy 1 <= low <= high, got [{lo}, {hi}]")
            return EAOInterval(lo, hi, 0, "given")
        if self.stack:
            return stack_interval(self.stack)
        fitted = fit_interval(np.asarray(lengths))
        longest = int(max(lengths))
        if self.variant == "pyt" and fitted.high + 1 > longest:  # PYT averages lengths low+1..high+1
            high = longest - 1
            if high < 1:
                raise ValueError(f"no EAO interval fits sequences of at most {longest} frame(s) under pyt")
            fitted = EAOInterval(min(fitted.low, high), high, fitted.peak,
                                 f"{fitted.source}; high lowered to {high} so PYT's lengths low+1..high+1 stay "
                                 f"within the longest sequence")
        return fitted


@dataclass(frozen=True)
class SequenceRuns:
    """One sequence's runs as arrays: ``kinds`` ``(R, N)`` FrameKind codes, overlaps for AR and for EAO
    (``(R, N)``, NaN on special frames), per-frame boolean ``tags``."""

    name: str
    kinds: np.ndarray
    overlaps_ar: np.ndarray
    overlaps_eao: np.ndarray
    tags: Mapping[str, np.ndarray] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  #: what was noticed in the runs (e.g. unknown codes inside a trajectory)

    @property
    def length(self) -> int:
        return int(self.kinds.shape[1])

    @property
    def runs(self) -> int:
        return int(self.kinds.shape[0])


@dataclass(frozen=True)
class VOTReport:
    """Scores of one tracker on one experiment; ``summary()`` gives the JSON-ready dict."""

    eao: float
    accuracy: float
    robustness: float  #: failures per 100 frames (PST/GRP), whatever the variant
    failures: float  #: pooled failures Σ_s mean_r F (LEG/PST "lost number", PYT cumulative failures)
    failures_per_sequence: float
    reliability: float
    frames: int
    sequences: int
    runs: dict[str, int]
    interval: EAOInterval
    convention: dict
    eao_curve: np.ndarray
    accuracy_variants: dict[str, float]
    robustness_variants: dict[str, float]
    per_sequence: pd.DataFrame
    per_attribute: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()
    #: the prepared sequences the scores come from (for :mod:`analysis.metrics.bootstrap`; not in ``summary``)
    sequence_runs: tuple[SequenceRuns, ...] = field(default=(), repr=False, compare=False)

    def summary(self, per_sequence: bool = False, per_attribute: bool = False, curve: bool = False) -> dict:
        run_counts = sorted(set(self.runs.values()))
        out = {
            "eao": self.eao, "accuracy": self.accuracy, "robustness": self.robustness,
            "failures": self.failures, "failures_per_sequence": self.failures_per_sequence,
            "reliability": self.reliability, "frames": self.frames, "sequences": self.sequences,
            "runs": run_counts[0] if len(run_counts) == 1 else {k: v for k, v in self.runs.items()},
            "interval": [self.interval.low, self.interval.high],
            "convention": self.convention,
            "accuracy_variants": self.accuracy_variants,
            "robustness_variants": self.robustness_variants,
            "warnings": list(self.warnings),
        }
        if curve:
            out["eao_curve"] = [None if np.isnan(v) else float(v) for v in self.eao_curve]
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        if per_attribute and self.per_attribute is not None:
            out["per_attribute"] = self.per_attribute.reset_index().to_dict(orient="records")
        return out


# ---------------------------------------------------------------------------------------------- preparation
def _run_file(results_source: str, name: str, run: int) -> str:
    """The run's file for error messages: the real path when the folder exists, else ``<seq>_NNN.txt|bin``."""
    folder = Path(results_source) / name
    try:

        return str(find_run_files(folder, name)[run])
    except (ValueError, OSError, IndexError):
        return f"{folder}/{name}_{run + 1:03d}.txt|.bin"


def _regions_array(runs: Sequence[Sequence[Region]]) -> np.ndarray | list[Region]:
    """All runs' regions as one ``(R*N, k)`` float array (NaN rows for special codes) when every region has
    the same number of values (the usual case: all rectangles), else the flat list."""
    flat = [reg for traj in runs for reg in traj]
    idx = [i for i, r in enumerate(flat) if isinstance(r, np.ndarray)]
    regions = [flat[i] for i in idx]
    if not regions or len({r.size for r in regions}) != 1 or len(idx) != sum(
            1 for r in flat if not isinstance(r, (int, np.integer))):
        return flat
    out = np.full((len(flat), regions[0].size), np.nan)
    out[idx] = np.stack(regions).astype(np.float64, copy=False)
    return out


def _repeats_run_one(pred: np.ndarray, runs: int, n: int) -> np.ndarray:
    """``(R*N,)`` mask of frames of runs 2.. whose region equals run 1's (deterministic trackers repeat runs)."""
    p = pred.reshape(runs, n, -1)
    same = np.all((p == p[:1]) | (np.isnan(p) & np.isnan(p[:1])), axis=2)
    same[0] = False
    return same.ravel()


def _frames_to_rasterise(pred: np.ndarray, runs: int, n: int) -> np.ndarray:
    """Frames with a region (not a special code) that do not merely repeat run 1."""
    return ~np.isnan(pred).any(axis=1) & ~_repeats_run_one(pred, runs, n)


def _copy_repeated_runs(overlaps: np.ndarray, pred: np.ndarray, runs: int, n: int) -> np.ndarray:
    """Fill the frames skipped by :func:`_frames_to_rasterise` because they repeat run 1."""
    rep = _repeats_run_one(pred, runs, n)
    if rep.any():
        first = np.tile(overlaps[:n], runs)
        overlaps = np.where(rep, first, overlaps)
    return overlaps


def _near_far_border(regions: np.ndarray | list[Region], width: int, height: int) -> np.ndarray:
    """Regions whose right/bottom extent comes within 2 px of ``W-1``/``H-1`` (where the bounds matter)."""
    if not isinstance(regions, np.ndarray):
        return np.array([not isinstance(r, (int, np.integer)) for r in regions])  # conservative: redo all
    if regions.shape[1] == 4:
        right = regions[:, 0] + regions[:, 2]
        bottom = regions[:, 1] + regions[:, 3]
    else:
        right = np.max(regions[:, 0::2], axis=1)
        bottom = np.max(regions[:, 1::2], axis=1)
    with np.errstate(invalid="ignore"):
        return (right >= width - 2) | (bottom >= height - 2)


def _unknown_code_warning(run_file: str, kinds: np.ndarray, frames: np.ndarray, variant: str) -> str:
    """Warning for code-0 frames inside one run (see :func:`analysis.io.trajectories.unexpected_unknown_frames`)."""
    first = int(frames[0])
    before = kinds[:first][kinds[:first] != FrameKind.UNKNOWN]
    after = ("before any initialisation" if before.size == 0 else
             "after the initialisation" if before[-1] == FrameKind.INIT else "after a tracked frame")
    shown = ", ".join(str(int(f) + 1) for f in frames[:10]) + (" ..." if frames.size > 10 else "")
    where = f"frame {first + 1}" if frames.size == 1 else f"frames {shown} ({frames.size} frames)"
    inits = np.flatnonzero(kinds[: first + 1] == FrameKind.INIT)
    start = int(inits[-1]) if inits.size else 0  # the EAO fragment holding the frame starts at its initialisation
    length = first - start + 1  # the frame's position in that fragment = the shortest EAO length it enters
    if variant == "pyt" or np.any(kinds == FrameKind.FAILURE):
        eao = (f"EAO overlap 0, which lowers the fragment starting at frame {start + 1} for EAO lengths >= {length} "
               f"(lengths below {length} are unaffected)")
    else:  # LEG/PST keep NaN in a failure-free run (vot_eao: keep_nan)
        eao = (f"EAO undefined there, so this run (no failure) counts for EAO lengths below {length} only and is "
               f"left out of the EAO at lengths >= {length} (LEG/PST keep NaN in a failure-free run)")
    return (f"{run_file} {where}: code 0 (unknown) inside the trajectory ({after}, where a region or 1/2 is "
            f"expected, not after a failure); counted as a skipped frame: left out of accuracy, not a failure, "
            f"{eao}")


def _empty_groundtruth_warning(source: str, name: str, empty: np.ndarray, kinds: np.ndarray) -> str:
    """Warning for ground-truth regions without area (target not visible), scored as both toolkits do."""
    fails = float(np.mean(np.sum((kinds == FrameKind.FAILURE) & empty[None, :], axis=1)))
    tracked = float(np.mean(np.sum((kinds == FrameKind.TRACKED) & empty[None, :], axis=1)))
    return (f"{source}: sequence {name!r}: empty ground truth (zero-area region, target not visible) on frame(s) "
            f"{frame_ranges(np.flatnonzero(empty))}; scored as vot-toolkit 0.7.4 and the MATLAB toolkit score it "
            f"(no exception for an empty region: a region reported there overlaps 0, so it is a failure of the "
            f"supervised experiment): {fails:g} failure(s) per run fall on these frames and count in robustness "
            f"and EAO, {tracked:g} frame(s) per run tracked there count in accuracy (docs/conventions.md, empty "
            "ground truth)")


def _negative_size_warnings(pred: np.ndarray | list[Region], runs: int, n: int, results_source: str,
                            name: str) -> list[str]:
    """One warning per run file holding ``x,y,w,h`` regions with a negative width or height (file and frames)."""
    if isinstance(pred, np.ndarray):
        if pred.shape[1] != 4:
            return []
        with np.errstate(invalid="ignore"):
            bad = ((pred[:, 2] < 0) | (pred[:, 3] < 0)).reshape(runs, n)
    else:
        bad = np.array([not isinstance(r, (int, np.integer)) and np.asarray(r).size == 4
                        and bool(np.asarray(r)[2] < 0 or np.asarray(r)[3] < 0) for r in pred]).reshape(runs, n)
    out = []
    for r in np.flatnonzero(bad.any(axis=1)):
        frames = np.flatnonzero(bad[r])
        out.append(f"{_run_file(results_source, name, int(r))}: negative width or height on frame(s) "
                   f"{frame_ranges(frames)}; the toolkits disagree on such a rectangle (LEG/PST rasterise the "
                   "rectangle between its corners, vot-toolkit 0.7.4 an empty region, overlap 0), so its overlap "
                   "depends on --variant: a tracker should report x,y of the top-left corner and a positive size")
    return out


def _bounds(rule: str, ann: SequenceAnnotation, bounded: bool) -> tuple[float, float] | None:
    if not bounded:
        return None
    if not (ann.width > 0 and ann.height > 0):
        raise VOTInputError(
            f"{ann.source or 'annotations'}: sequence {ann.name!r} has no image size (width/height missing or 0, "
            f"got {ann.width}x{ann.height}); the VOT overlap is bounded by the image, so add 'width' and 'height' "
            "to its entry (pysot JSON) or a 'sequence' file / frames to read them from")
    if rule != "W,H":  # pragma: no cover - only one rule today
        raise ValueError(rule)
    return (float(ann.width), float(ann.height))


def _sequence_tags(ann: SequenceAnnotation, names: Sequence[str], source: str) -> dict[str, np.ndarray]:
    n = len(ann)
    tags: dict[str, np.ndarray] = {}
    for name in names:
        if name not in ann.tags:
            continue
        t = np.asarray(ann.tags[name]).ravel()
        if t.size == 0:  # pysot JSON writes [] for a tag that no frame carries (e.g. VOT2018 ball1 occlusion)
            t = np.zeros(n, dtype=bool)
        if t.size != n:
            raise VOTInputError(f"{source}: sequence {ann.name!r}: tag {name!r} has {t.size} values for {n} frames")
        tags[name] = t.astype(bool)
    if tags:
        tags[EMPTY_TAG] = ~np.any(np.stack(list(tags.values())), axis=0)
    return tags


def _prepare_sequence(name: str, ann: SequenceAnnotation, runs: Sequence[Sequence[Region]], settings: VOTSettings,
                      results_source: str) -> SequenceRuns:
    """Validate one sequence's runs and compute its AR and EAO overlaps (see :func:`prepare_runs`)."""

    (ar_conv, ar_b), (eao_conv, eao_b) = _OVERLAP_RULES[settings.variant]
    legacy = settings.legacy_rasterization
    source = ann.source or "annotations"
    gt = np.asarray(ann.groundtruth, dtype=np.float64)
    bad = np.flatnonzero(np.isnan(gt).any(axis=1))
    if bad.size:
        raise VOTInputError(f"{source}: sequence {name!r}: ground truth is NaN on frame {bad[0] + 1} "
                            f"({bad.size} frame(s)); VOT analysis needs a region on every frame")
    n = gt.shape[0]
    for r, traj in enumerate(runs):
        if len(traj) != n:
            raise VOTInputError(f"{_run_file(results_source, name, r)}: trajectory has {len(traj)} "
                                f"frames, ground truth of {name!r} has {n}")
    kinds = np.empty((len(runs), n), dtype=np.int8)
    for r, traj in enumerate(runs):
        try:
            kinds[r] = trajectory_kinds(traj)
        except ValueError as exc:  # unknown special code, reported with the frame (= line) number
            raise VOTInputError(f"{_run_file(results_source, name, r)}: {exc} "
                                "(expected 0 skipped, 1 init, 2 failure or a region)") from None
    notes = []
    empty = empty_regions(gt)
    if empty.any():
        notes.append(_empty_groundtruth_warning(source, name, empty, kinds))
    for r in range(len(runs)):
        odd = unexpected_unknown_frames(kinds[r])
        if odd.size:
            notes.append(_unknown_code_warning(_run_file(results_source, name, r), kinds[r], odd, settings.variant))
    eao_bounds = _bounds(eao_b, ann, settings.bounded)
    pred = _regions_array(runs)
    notes += _negative_size_warnings(pred, len(runs), n, results_source, name)
    gt_rep = np.tile(gt, (len(runs), 1))
    if isinstance(pred, np.ndarray):
        todo = _frames_to_rasterise(pred, len(runs), n)
        o_eao = np.full(len(runs) * n, np.nan)
        o_eao[todo] = vot_overlaps(pred[todo], gt_rep[todo], eao_bounds, eao_conv, legacy)
        o_eao = _copy_repeated_runs(o_eao, pred, len(runs), n)
    else:
        o_eao = vot_overlaps_runs(runs, gt, eao_bounds, eao_conv, legacy).ravel()
    if (ar_conv, ar_b) == (eao_conv, eao_b) or eao_bounds is None:
        o_ar = o_eao
    else:
        # LEG/PST: the same TraX raster, clipped to [0,W]x[0,H] (AR) instead of [0,W-1]x[0,H-1] (EAO); the
        # two differ only where a region reaches the last pixel column/row, so only those frames are redone.
        near = _near_far_border(pred, ann.width, ann.height) | _near_far_border(gt_rep, ann.width, ann.height)
        o_ar = o_eao.copy()
        if near.any():
            sub = pred[near] if isinstance(pred, np.ndarray) else [pred[i] for i in np.flatnonzero(near)]
            o_ar[near] = vot_overlaps(sub, gt_rep[near], _bounds(ar_b, ann, settings.bounded), ar_conv, legacy)
    o_ar = o_ar.reshape(len(runs), n)
    o_eao = o_eao.reshape(len(runs), n)
    tracked_nan = (kinds == FrameKind.TRACKED) & np.isnan(o_ar)
    if tracked_nan.any():
        r, t = np.argwhere(tracked_nan)[0]
        raise VOTInputError(f"{_run_file(results_source, name, r)}: line {t + 1}: region gives no overlap "
                            "(NaN coordinates?)")
    return SequenceRuns(name, kinds, o_ar, o_eao, _sequence_tags(ann, settings.tags, source), tuple(notes))


def _names(names: Sequence[str], limit: int = 10) -> str:
    return ", ".join(repr(n) for n in names[:limit]) + (f" ... ({len(names)} in all)" if len(names) > limit else "")


def prepare_runs(annotations: Mapping[str, SequenceAnnotation], results: Mapping[str, Sequence[Sequence[Region]]],
                 settings: VOTSettings = VOTSettings(), results_source: str = "results",
                 allow_missing: bool = False, workers: int = 1,
                 result_names: Sequence[str] | None = None) -> tuple[list[SequenceRuns], list[str]]:
    """Validate results against annotations and compute per-frame overlaps (AR and EAO conventions).

    Raises :class:`VOTInputError` naming the file/sequence for: sequences of the annotations without
    results (all listed; unless ``allow_missing``, which scores the rest with a warning naming them), a run
    whose frame count differs from the ground truth, ground truth with NaN on a frame, an unknown special
    code, a bounded overlap without image size. Result sequences without annotation (``result_names``: every
    sequence folder found, default the keys of ``results``) are ignored with a warning naming them; a code
    ``0`` inside a trajectory (not after a failure) is warned with file and frame. Returns the prepared
    sequences (annotation order) and warnings. ``workers > 1`` rasterises sequences in that many threads
    (the numba kernel releases the GIL); results and the first error reported are the same as with one worker.
    """
    if settings.legacy_rasterization and settings.variant == "pyt":
        raise ValueError("legacy rasterisation exists only in the LEG/PST overlap conventions")
    warnings: list[str] = []
    found = list(results) if result_names is None else list(result_names)
    extra = sorted(set(found) - set(annotations))
    if extra:
        warnings.append(f"{results_source}: {len(extra)} result sequence(s) without annotation, ignored: "
                        f"{_names(extra)}")
    missing = [name for name in annotations if not results.get(name)]
    if missing and not allow_missing:
        what = f"sequence {missing[0]!r}" if len(missing) == 1 else f"{len(missing)} sequences: {_names(missing)}"
        raise VOTInputError(f"{results_source}: no results for {what} of the annotations (expected "
                            f"{results_source}/{missing[0]}/{missing[0]}_001.txt|.bin); --allow-missing "
                            f"(allow_missing=True) scores the other {len(annotations) - len(missing)} with a warning")
    jobs = [(name, ann, results[name]) for name, ann in annotations.items() if name not in missing]
    if not jobs:
        raise VOTInputError(f"{results_source}: no sequence of the annotations has results")
    if missing:
        what = f"sequence {missing[0]!r}" if len(missing) == 1 else f"{len(missing)} sequences ({_names(missing)})"
        warnings.append(f"{results_source}: no results for {what}; skipped (--allow-missing): scores cover "
                        f"{len(jobs)} of the {len(annotations)} annotated sequences")
    if workers > 1 and len(jobs) > 1:

        with ThreadPoolExecutor(max_workers=workers) as pool:
            prepared = list(pool.map(lambda job: _prepare_sequence(*job, settings, results_source), jobs))
    else:
        prepared = [_prepare_sequence(*job, settings, results_source) for job in jobs]
    warnings.extend(w for seq in prepared for w in seq.warnings)
    return prepared, warnings


# ---------------------------------------------------------------------------------------------- pure analysis
def _filtered_accuracy(seqs: Sequence[SequenceRuns], burnin: int, tag: str | None) -> tuple[float, int, list[np.ndarray]]:
    means = []
    for s in seqs:
        if tag is None:
            means.append(acc.frame_mean_overlaps(s.overlaps_ar, s.kinds, burnin))
        elif tag in s.tags and s.tags[tag].any():
            m = s.tags[tag]
            # LEG create_tag_selectors / PYT Overlaps(filter_tag): burn-in runs on the filtered trajectory
            means.append(acc.frame_mean_overlaps(s.overlaps_ar[:, m], s.kinds[:, m], burnin))
    a, n = acc.pooled_accuracy(means)
    return a, n, means


def _short_sequences_warning(seqs: Sequence[SequenceRuns], long_enough: list[bool], burnin: int,
                             averaged: Sequence[int], rule: str) -> str:
    """Sequences no longer than the burn-in: out of accuracy; which EAO lengths they reach."""
    short = [s for s, ok in zip(seqs, long_enough) if not ok]
    shown = ", ".join(f"{s.name!r} ({s.length} frame{'s' if s.length != 1 else ''})" for s in short[:10])
    if len(short) > 10:
        shown += f" ... ({len(short)} in all)"
    lo, hi = int(averaged[0]), int(averaged[-1])
    longest = max(s.length for s in short)
    text = (f"{len(short)} sequence(s) no longer than the burn-in ({burnin} frames from each initialisation) leave "
            f"no frame for accuracy: {shown}; the pooled (LEG/PST) accuracy leaves them out; the PYT accuracy counts "
            "each as 0, weighted by its length, as vot-toolkit 0.7.4 does; ")
    if any(long_enough):
        text += f"accuracy covers the other {sum(long_enough)} sequence(s). "
    else:
        text += "accuracy is undefined (NaN), not 0. "
    text += (f"They still count for failures and EAO, where a run without a failure reaches EAO lengths 1..{longest} "
             f"at most; the EAO averages lengths {lo}..{hi}")
    if hi <= longest and lo <= 1:
        text += " (the curve is 1 at length 1 by definition: the initialisation frame), so the EAO says little"
    elif lo > longest:
        text += ", none of which such a run reaches unless it fails"
    return text


def per_attribute_table(seqs: Sequence[SequenceRuns], settings: VOTSettings, interval: EAOInterval) -> pd.DataFrame:
    """Accuracy, failures (a failure counts for the tags of its frame), robustness and tag-weighted EAO per tag."""
    names = list(dict.fromkeys(t for s in seqs for t in s.tags))
    if not names:
        return pd.DataFrame(columns=["attribute", "frames", "accuracy", "failures", "robustness", "eao"]).set_index("attribute")
    rule = settings.variant
    frags = eao_fragments([s.kinds for s in seqs], [s.overlaps_eao for s in seqs], rule, settings.skip)
    n_all = [s.length for s in seqs]
    weights = np.stack([tag_weights(frags, [s.tags.get(t, np.zeros(n, bool)) for s, n in zip(seqs, n_all)])
                        for t in names])
    longest = max(n_all)
    _, curves, _ = eao_over_interval(frags, weights, interval.low, interval.high, rule, longest)
    rows = []
    for i, t in enumerate(names):
        a, _, _ = _filtered_accuracy(seqs, settings.burnin, t)
        frames = int(sum(int(s.tags[t].sum()) for s in seqs if t in s.tags))
        fails = float(sum(np.mean(acc.failure_counts(s.kinds[:, s.tags[t]])) for s in seqs if t in s.tags))
        rows.append({"attribute": t, "frames": frames, "accuracy": a, "failures": fails,
                     "robustness": acc.failure_rate_per_100(fails, frames) if frames else float("nan"),
                     "eao": eao_score(curves[i], interval.low, interval.high, rule)})
    return pd.DataFrame(rows).set_index("attribute")


def analyze_runs(seqs: Sequence[SequenceRuns], settings: VOTSettings = VOTSettings(),
                 per_attribute: bool = False, warnings: Sequence[str] = ()) -> VOTReport:
    """All VOT scores of one tracker from prepared sequences (pure array maths)."""
    if not seqs:
        raise ValueError("analyze_runs needs at least one sequence")
    lengths = [s.length for s in seqs]
    frames = int(sum(lengths))
    interval = settings.resolve_interval(lengths)
    b = settings.burnin

    # a sequence no longer than the burn-in has no frame that counts for accuracy: left out of it (warned below)
    long_enough = [s.length > b for s in seqs]
    pooled, _, frame_means = _filtered_accuracy(seqs, b, None)
    # PYT follows vot-toolkit: such a sequence's accuracy is 0 and it stays in the length-weighted mean (warned)
    seq_pyt = [acc.sequence_accuracy_pyt(s.overlaps_ar, s.kinds, b) for s in seqs]
    pyt_acc = acc.length_weighted_mean(seq_pyt, lengths)
    if not any(long_enough):
        pooled = float("nan")  # undefined, not LEG's 0
    mean_fail = [float(np.mean(acc.failure_counts(s.kinds))) for s in seqs]
    fails = acc.pooled_failures(mean_fail)

    rule = settings.variant
    frags = eao_fragments([s.kinds for s in seqs], [s.overlaps_eao for s in seqs], rule, settings.skip)
    longest = int(max(lengths))
    score, curve, curve_note = eao_over_interval(frags, tag_weights(frags, None), interval.low, interval.high,
                                                 rule, longest)
    averaged = averaged_lengths(interval.low, interval.high, rule)
    if not all(long_enough):
        warnings = (*warnings, _short_sequences_warning(seqs, long_enough, b, averaged, rule))

    per_seq = pd.DataFrame({
        "sequence": [s.name for s in seqs],
        "frames": lengths,
        "runs": [s.runs for s in seqs],
        "accuracy": [float(np.nanmean(m)) if np.any(~np.isnan(m)) else np.nan for m in frame_means],
        "accuracy_pyt": seq_pyt,
        "failures": mean_fail,
        "robustness": [acc.failure_rate_per_100(f, n) for f, n in zip(mean_fail, lengths)],
    }).set_index("sequence")

    table = per_attribute_table(seqs, settings, interval) if per_attribute else None
    acc_variants = {"leg_pooled": pooled, "pyt": pyt_acc}
    if table is not None and len(table):
        # LEG report_ar 'weighted_mean' over the tag selectors (the 'empty' selector included)
        w = table["frames"].to_numpy(dtype=np.float64)
        acc_variants["leg_weighted"] = float(np.nansum(table["accuracy"].to_numpy() * w) / w.sum())
    (ar_conv, _), (eao_conv, _) = _OVERLAP_RULES[rule]
    run_counts = sorted(set(s.runs for s in seqs))
    convention = {
        "variant": rule,
        "accuracy": "pooled frame means over runs, frame-weighted (LEG/PST)" if rule != "pyt"
        else "mean of per-run means, sequence-length-weighted (PYT)",
        "burn_in": b,
        "skip": settings.skip,
        "overlap": {"raster": ("TraX pre-2019 (rectangle x..x+w), LEG/PST" if rule != "pyt"
                               else "vot-toolkit 0.7.4 (rounded, rectangle x..x+w-1), PYT"),
                    "bounds": ("accuracy [0,W]x[0,H], EAO [0,W-1]x[0,H-1] (LEG/PST)" if rule != "pyt"
                               else "[0,W-1]x[0,H-1] (PYT)") if settings.bounded else "none",
                    "legacy_rasterization": settings.legacy_rasterization,
                    "analysis.metrics.overlap": {"accuracy": ar_conv, "eao": eao_conv}},
        "interval": {"low": interval.low, "high": interval.high, "source": interval.source,
                     "lengths_averaged": list(averaged),
                     "rule": (f"every averaged length lies within the longest sequence ({longest} frames); an "
                              "interval beyond it is refused, a fitted one fits" + (f"; {curve_note}" if curve_note
                                                                                    else ""))},
        "eao_weights": {"leg": "1/#runs of the sequence", "pst": "1/#runs of the last sequence",
                        "pyt": "1 per segment"}[rule],
        "runs": run_counts[0] if len(run_counts) == 1 else run_counts,
        "robustness": "failures per 100 frames, 100*F/N (PST/GRP)",
    }
    return VOTReport(
        eao=score,
        accuracy=pyt_acc if rule == "pyt" else pooled,
        robustness=acc.failure_rate_per_100(fails, frames),
        failures=fails,
        failures_per_sequence=acc.failures_per_sequence(fails, len(seqs)),
        reliability=acc.reliability(fails, frames, settings.sensitivity),
        frames=frames,
        sequences=len(seqs),
        runs={s.name: s.runs for s in seqs},
        interval=interval,
        convention=convention,
        eao_curve=curve,
        accuracy_variants=acc_variants,
        robustness_variants={
            "per_100_frames": acc.failure_rate_per_100(fails, frames),
            "failures_per_sequence": acc.failures_per_sequence(fails, len(seqs)),
            "reliability_leg": acc.reliability(fails, frames, settings.sensitivity),
            "pyt_length_weighted": acc.pyt_robustness(mean_fail, lengths),
            "reliability_pyt": acc.pyt_reliability(mean_fail, lengths, settings.sensitivity),
        },
        per_sequence=per_seq,
        per_attribute=table,
        warnings=tuple(warnings),
        sequence_runs=tuple(seqs),
    )


def analyze_vot(annotations: Mapping[str, SequenceAnnotation], results: Mapping[str, Sequence[Sequence[Region]]],
                settings: VOTSettings = VOTSettings(), per_attribute: bool = False,
                results_source: str = "results", allow_missing: bool = False, workers: int = 1,
                result_names: Sequence[str] | None = None) -> VOTReport:
    """Validate, compute overlaps and score one tracker's VOT results (see :func:`prepare_runs`)."""
    seqs, warnings = prepare_runs(annotations, results, settings, results_source, allow_missing, workers,
                                  result_names)
    return analyze_runs(seqs, settings, per_attribute, warnings)


def load_vot_annotations(path: Path) -> dict[str, SequenceAnnotation]:
    """VOT annotations (pysot JSON or VOT folder, auto-detected by :func:`analysis.io.load_annotations`)."""

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: annotations not found")
    return load_annotations(path)


def analyze_vot_folder(annotations_path: Path, tracker_dir: Path, experiment: str = "baseline",
                       settings: VOTSettings = VOTSettings(), per_attribute: bool = False,
                       allow_missing: bool = False, workers: int = 1) -> VOTReport:
    """Load annotations (pysot JSON or VOT folder) and ``tracker_dir/<experiment>`` results, then analyse."""

    tracker_dir = Path(tracker_dir)
    exp_dir = tracker_dir / experiment
    if not exp_dir.is_dir():
        have = sorted(p.name for p in tracker_dir.iterdir() if p.is_dir()) if tracker_dir.is_dir() else []
        raise VOTInputError(f"{exp_dir}: no such experiment folder (tracker folder has: {', '.join(have) or 'nothing'})")
    annotations = load_vot_annotations(Path(annotations_path))
    results = load_tracker_results(tracker_dir, experiment, sequences=list(annotations))
    return analyze_vot(annotations, results, settings, per_attribute, str(exp_dir), allow_missing, workers,
                       result_sequence_names(tracker_dir, experiment))
