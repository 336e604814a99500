"""Public entry point of the VOT metrics (the names ``docs/ARCHITECTURE.md`` promises).

The implementation is split by topic: :mod:`analysis.vot_accuracy` (accuracy, failures, robustness,
reliability), :mod:`analysis.vot_eao` (EAO fragments, curve, score), :mod:`analysis.eao_interval` (stack
intervals, LEG KDE interval), :mod:`analysis.vot_analysis` (validation, overlaps, per-sequence and
per-attribute tables, :class:`VOTReport`). Conventions are documented in ``docs/conventions.md``.
"""
from __future__ import annotations

import numpy as np

from analysis.eao_interval import (STACK_INTERVALS, EAOInterval, estimate_interval, fit_interval, grow_range, kristan_bandwidth,
                                   length_density, stack_interval)
from analysis.vot_accuracy import (DEFAULT_BURNIN, DEFAULT_SENSITIVITY, accuracy_valid_mask, burnin_mask,
                                   failure_counts, failure_rate_per_100, failures_per_sequence, fill_missing_runs,
                                   frame_mean_overlaps, length_weighted_mean, pooled_accuracy, pooled_failures,
                                   pyt_reliability, pyt_robustness, reliability, sequence_accuracy_leg,
                                   sequence_accuracy_pyt)
from analysis.vot_analysis import (VARIANTS, VOT_TAGS, SequenceRuns, VOTInputError, VOTReport, VOTSettings,
                                   analyze_runs, analyze_vot, analyze_vot_folder, load_vot_annotations,
                                   per_attribute_table, prepare_runs)
from analysis.vot_eao import DEFAULT_SKIP, EAO_RULES, Fragments, eao, eao_curves, eao_fragments, eao_score, tag_weights

#: ARCHITECTURE name for the curve of one weight vector
eao_curve = eao_curves


def estimate_eao_interval(lengths) -> tuple[int, int, int]:
    """``(low, high, peak)`` of LEG's KDE interval for the given sequence lengths (tuple form)."""
    iv = estimate_interval(np.asarray(lengths))
    return iv.low, iv.high, iv.peak


eao_interval_kde = estimate_eao_interval

__all__ = [
    "STACK_INTERVALS", "EAOInterval", "estimate_interval", "fit_interval", "estimate_eao_interval", "eao_interval_kde",
    "grow_range", "kristan_bandwidth", "length_density", "stack_interval",
    "DEFAULT_BURNIN", "DEFAULT_SENSITIVITY", "DEFAULT_SKIP", "accuracy_valid_mask", "burnin_mask", "failure_counts",
    "failure_rate_per_100", "failures_per_sequence", "fill_missing_runs", "frame_mean_overlaps",
    "length_weighted_mean", "pooled_accuracy", "pooled_failures", "pyt_reliability", "pyt_robustness", "reliability",
    "sequence_accuracy_leg", "sequence_accuracy_pyt",
    "VARIANTS", "VOT_TAGS", "SequenceRuns", "VOTInputError", "VOTReport", "VOTSettings", "analyze_runs",
    "analyze_vot", "analyze_vot_folder", "load_vot_annotations", "per_attribute_table", "prepare_runs",
    "EAO_RULES", "Fragments", "eao", "eao_curve", "eao_curves", "eao_fragments", "eao_score", "tag_weights",
]
