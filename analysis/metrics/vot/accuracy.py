"""VOT supervised-experiment accuracy and failure statistics as pure numpy functions.

Inputs per sequence are ``kinds`` (``(R, N)`` int8 :class:`~analysis.core.regions.FrameKind` codes, one row per
run) and ``overlaps`` (``(R, N)`` float64, NaN on special frames). Conventions (see ``docs/conventions.md``):

* **LEG** (MATLAB vot-toolkit ``estimate_accuracy.m`` + ``analyze_accuracy_robustness.m``) and **PST**
  (pysot-toolkit ``ar_benchmark.py``): per frame the overlap is averaged over runs (``nanmean``), then all valid
  frames of all sequences are pooled (frame-weighted mean). This is the default ``"leg"`` accuracy.
* **PYT** (Python vot-toolkit ``supervised.py``): mean of per-run means per sequence, then a length-weighted
  mean over sequences.

Failures: LEG/PST/PYT all count FAIL frames per run and average over runs; the published "robustness" of
VOT2016-2018 tables is failures per 100 frames (GRP, PST), "Failure" of VOT2015-era tables is failures per
sequence, the AR-plot reliability is ``exp(-S * F / N)`` with ``S = 30``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from analysis.core.regions import FrameKind

#: frames excluded after every (re)initialisation, the initialisation frame included (LEG/PYT/PST)
DEFAULT_BURNIN = 10
#: AR-plot sensitivity S (LEG ``report_ar_sensitivity``, PYT ``sensitivity: 30``)
DEFAULT_SENSITIVITY = 30.0


def burnin_mask(kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> np.ndarray:
    """``True`` on every INIT frame and the ``burnin - 1`` frames after it (same shape as ``kinds``).

    Equivalent to LEG's ``imdilate`` with structuring element ``[zeros(b-1,1); ones(b,1)]`` and to the PYT/PST
    loops: frame ``t`` is masked when the last INIT at or before ``t`` is fewer than ``burnin`` frames back.
    """
    kinds = np.atleast_2d(np.asarray(kinds))
    if burnin <= 0:
        return np.zeros(kinds.shape, dtype=bool)
    idx = np.arange(kinds.shape[-1])
    last_init = np.where(kinds == FrameKind.INIT, idx, -(burnin + 1))
    last_init = np.maximum.accumulate(last_init, axis=-1)
    return (idx - last_init) < burnin


def accuracy_valid_mask(kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> np.ndarray:
    """Frames that count for accuracy: tracked (not INIT/FAIL/UNKNOWN) and outside every burn-in window."""
    kinds = np.atleast_2d(np.asarray(kinds))
    return (kinds == FrameKind.TRACKED) & ~burnin_mask(kinds, burnin)


def masked_overlaps(overlaps: np.ndarray, kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> np.ndarray:
    """Overlaps with every frame that does not count for accuracy set to NaN (``(R, N)``)."""
    overlaps = np.atleast_2d(np.asarray(overlaps, dtype=np.float64))
    return np.where(accuracy_valid_mask(kinds, burnin), overlaps, np.nan)


def frame_mean_overlaps(overlaps: np.ndarray, kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> np.ndarray:
    """Per-frame overlap averaged over the runs in which the frame is valid; NaN where none is (``(N,)``).

    This is LEG's ``nanmean`` over repetitions (``calculate_accuracy_overlap``) and PST's
    ``np.nanmean(overlaps_group, axis=0)``.
    """
    masked = masked_overlaps(overlaps, kinds, burnin)
    count = np.sum(~np.isnan(masked), axis=0)
    total = np.nansum(masked, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def pooled_accuracy(frame_means: Sequence[np.ndarray]) -> tuple[float, int]:
    """LEG/PST pooled accuracy: mean of all non-NaN per-frame means of all sequences, and their count.

    LEG returns 0 when no frame is valid (``average_accuracy(isnan) = 0``); so does this function.
    """
    if len(frame_means) == 0:
        return 0.0, 0
    chain = np.concatenate([np.asarray(m, dtype=np.float64).ravel() for m in frame_means])
    valid = ~np.isnan(chain)
    n = int(valid.sum())
    return (float(chain[valid].mean()) if n else 0.0), n


def sequence_accuracy_leg(overlaps: np.ndarray, kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> float:
    """Accuracy of one sequence as LEG/PST tabulate it per sequence: mean of the valid per-frame run means (NaN if none)."""
    means = frame_mean_overlaps(overlaps, kinds, burnin)
    return float(np.nanmean(means)) if np.any(~np.isnan(means)) else float("nan")


def sequence_accuracy_pyt(overlaps: np.ndarray, kinds: np.ndarray, burnin: int = DEFAULT_BURNIN) -> float:
    """PYT ``AccuracyRobustness.subcompute``: mean over runs of each run's mean valid overlap.

    A run without any valid frame contributes 0 (PYT ``compute_accuracy`` returns ``0, 0`` then).
    """
    masked = masked_overlaps(overlaps, kinds, burnin)
    count = np.sum(~np.isnan(masked), axis=1)
    run_means = np.where(count > 0, np.nansum(masked, axis=1) / np.maximum(count, 1), 0.0)
    return float(run_means.mean())


def length_weighted_mean(values: Sequence[float], lengths: Sequence[int]) -> float:
    """``Σ v_s N_s / Σ N_s`` — PYT's ``AverageAccuracyRobustness`` aggregation over sequences."""
    v = np.asarray(values, dtype=np.float64)
    n = np.asarray(lengths, dtype=np.float64)
    return float(np.sum(v * n) / np.sum(n))


def failure_counts(kinds: np.ndarray) -> np.ndarray:
    """Number of FAIL frames in every run (``(R,)`` int)."""
    return np.sum(np.atleast_2d(np.asarray(kinds)) == FrameKind.FAILURE, axis=-1)


def fill_missing_runs(counts: np.ndarray) -> np.ndarray:
    """LEG's missing-repetition rule ``failures(isnan) = nanmean(failures)`` applied per sequence (row).

    ``counts`` is ``(S, R_max)`` with NaN for runs that do not exist; rows without any run stay NaN (LEG
    drops them). Averaging a filled row over ``R_max`` equals averaging the existing runs.
    """
    counts = np.array(counts, dtype=np.float64, copy=True)
    present = ~np.isnan(counts)
    n = present.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_mean = np.where(n > 0, np.nansum(counts, axis=1, keepdims=True) / np.maximum(n, 1), np.nan)
    return np.where(present, counts, row_mean)


def pooled_failures(mean_failures: Sequence[float]) -> float:
    """LEG/PST "lost number": ``Σ_s mean_r F_{s,r}`` (PST ``np.mean(np.sum(failures, axis=0))`` for equal run counts)."""
    return float(np.sum(np.asarray(mean_failures, dtype=np.float64)))


def failure_rate_per_100(total_failures: float, total_frames: int) -> float:
    """Robustness as in VOT2016-2018 tables and PST: failures per 100 frames, ``100 F / N``."""
    return 100.0 * float(total_failures) / float(total_frames)


def failures_per_sequence(total_failures: float, n_sequences: int) -> float:
    """VOT2015-era "Failure" column: average number of failures per sequence, ``F / S``."""
    return float(total_failures) / float(n_sequences)


def reliability(total_failures: float, total_frames: int, sensitivity: float = DEFAULT_SENSITIVITY) -> float:
    """AR-plot reliability ``exp(-S F / N)`` (LEG ``report_ar``, GRP)."""
    return float(np.exp(-sensitivity * float(total_failures) / float(total_frames)))


def pyt_robustness(mean_failures: Sequence[float], lengths: Sequence[int]) -> float:
    """PYT "Robustness" measure: length-weighted mean of per-sequence mean failure counts (not a rate)."""
    return length_weighted_mean(mean_failures, lengths)


def pyt_reliability(mean_failures: Sequence[float], lengths: Sequence[int],
                    sensitivity: float = DEFAULT_SENSITIVITY) -> float:
    """PYT AR-plot abscissa: ``exp(-S * robustness / mean_length)`` with PYT's length-weighted robustness."""
    mean_length = float(np.mean(np.asarray(lengths, dtype=np.float64)))
    return float(np.exp(-sensitivity * pyt_robustness(mean_failures, lengths) / mean_length))
