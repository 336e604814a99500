"""Several trackers on one benchmark: one ranking, bootstrap intervals and paired tests against a baseline
(``docs/conventions.md``, "Error bars and significance").

Each tracker's scores and intervals are exactly those of its single-tracker analysis (:func:`otb_intervals`,
:func:`got10k_intervals`, :func:`vot_intervals`, same ``seed``). The paired comparison of a tracker ``A``
against the baseline ``B`` uses the sequences both were scored on, in the baseline's order, and reports
``A - B``:

* OTB (sequence means) and GOT-10k (frame-pooled ratios ``Σ frames·score / Σ frames``, G10): the sign-flip
  permutation test of :func:`~analysis.metrics.bootstrap.sign_flip_test` (p) with the paired percentile
  bootstrap interval;
* one-pass benchmarks with their own rules (LaSOT, UAV, TrackingNet, NfS, TC128; kind ``onepass``): the
  sign-flip test of the per-sequence terms of :func:`~analysis.metrics.bootstrap.onepass_terms` (means over the
  sequences in each curve's mean);
* VOT (EAO is not a mean over sequences): :func:`~analysis.metrics.bootstrap.paired_bootstrap` of the
  :func:`~analysis.metrics.bootstrap.vot_statistics` of both trackers (same resampled sequences; EAO with
  ``eao_resamples`` resamples);
* VOT long-term (kind ``votlt``; F is the maximum of the averaged curve): ``paired_bootstrap`` of the
  :func:`~analysis.metrics.bootstrap.longterm_statistics` of both trackers.

The ranking is by the benchmark's primary score (OTB AUC, GOT-10k AO, one-pass AUC, VOT EAO, long-term F),
best first; ties keep the order the trackers were given in. A tracker compared with itself gives difference 0 and p = 1.

Few common sequences (``analysis.metrics.bootstrap``, "Small numbers of sequences"): sign-flip p-values are exact
for up to 16 sequences and never below ``2 / 2^n``; with fewer than
:data:`~analysis.metrics.bootstrap.MIN_BOOTSTRAP_SEQUENCES` (6) common sequences no paired interval is given
(NaN; VOT and long-term, whose tests are bootstraps, get no p either) and :attr:`Comparison.notes` says "too few
sequences" for that tracker.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.metrics.bootstrap import (
    DEFAULT_EAO_RESAMPLES,
    DEFAULT_RESAMPLES,
    MIN_BOOTSTRAP_SEQUENCES,
    Interval,
    PairedTest,
    got10k_intervals,
    longterm_intervals,
    longterm_statistics,
    onepass_intervals,
    onepass_terms,
    otb_intervals,
    paired_bootstrap,
    sign_flip_test,
    vot_intervals,
    vot_statistics,
)
from analysis.metrics.got10k import GOT10kReport
from analysis.metrics.onepass import OnePassReport
from analysis.metrics.otb import OTBReport
from analysis.metrics.trackingnet import TrackingNetReport
from analysis.metrics.vot.analysis import VOTReport
from analysis.metrics.vot.longterm import LongTermReport

#: scores shown in the ranking of each benchmark kind (the first one ranks); all are "higher is better"
#: except ``robustness`` (failures per 100 frames)
SCORES: dict[str, tuple[str, ...]] = {"otb": ("auc", "precision"), "got10k": ("ao", "sr50", "sr75"),
                                      "vot": ("eao", "accuracy", "robustness"),
                                      "onepass": ("auc", "precision", "norm_precision"),
                                      "votlt": ("fscore", "precision", "recall")}
LOWER_IS_BETTER = frozenset({"robustness"})
#: per-sequence columns of OTB's table behind each score (sequence means)
_OTB_COLUMNS = {"auc": "auc", "precision": "precision"}


@dataclass(frozen=True)
class Comparison:
    """Trackers ranked on one benchmark: scores, intervals (``--bootstrap``), paired tests against ``baseline``.

    ``trackers``: names in ranking order; ``scores[t][score]``; ``intervals[t][score]`` (empty without
    bootstrap); ``paired[t][score]`` = test of ``t - baseline`` (every tracker but the baseline);
    ``fps[t]`` (NaN when unknown); ``sequences[t]``: sequences the paired test of ``t`` used.
    """

    kind: str
    trackers: tuple[str, ...]
    baseline: str | None
    scores: Mapping[str, Mapping[str, float]]
    intervals: Mapping[str, Mapping[str, Interval]] = field(default_factory=dict)
    paired: Mapping[str, Mapping[str, PairedTest]] = field(default_factory=dict)
    fps: Mapping[str, float] = field(default_factory=dict)
    sequences: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def primary(self) -> str:
        return SCORES[self.kind][0]

    def table(self) -> pd.DataFrame:
        """``rank | <score> [| <score>_low | <score>_high] ... | fps [| <score>_diff, _diff_low, _diff_high,
        _p ...]`` indexed by tracker, in ranking order."""
        records = []
        for rank, name in enumerate(self.trackers, start=1):
            row: dict = {"tracker": name, "rank": rank}
            for score in SCORES[self.kind]:
                row[score] = self.scores[name][score]
                if self.intervals:
                    iv = self.intervals.get(name, {}).get(score)
                    row[f"{score}_low"] = iv.low if iv else np.nan
                    row[f"{score}_high"] = iv.high if iv else np.nan
            row["fps"] = self.fps.get(name, np.nan)
            if self.baseline is not None and len(self.trackers) > 1:
                for score in SCORES[self.kind]:
                    test = self.paired.get(name, {}).get(score)
                    row[f"{score}_diff"] = test.difference if test else np.nan
                    row[f"{score}_diff_low"] = test.low if test else np.nan
                    row[f"{score}_diff_high"] = test.high if test else np.nan
                    row[f"{score}_p"] = test.p_value if test else np.nan
            records.append(row)
        return pd.DataFrame(records).set_index("tracker")


def report_kind(report) -> str:
    """``otb``, ``got10k``, ``vot``, ``onepass`` (LaSOT, UAV, TrackingNet, NfS, TC128) or ``votlt``: the row of
    :data:`RANKINGS` whose report type ``report`` is."""
    for kind, row in RANKINGS.items():
        if isinstance(report, row.report):
            return kind
    raise TypeError(f"no ranking for a {type(report).__name__}; expected an OTB, GOT-10k, VOT, one-pass or "
                    "VOT long-term report")


def _common(names_a: Sequence[str], names_b: Sequence[str]) -> list[str]:
    """Sequences of the baseline (``names_b``, its order) that ``names_a`` has too."""
    have = set(names_a)
    return [s for s in names_b if s in have]


def _otb_pair(a: OTBReport, b: OTBReport, resamples: int, seed: int | None
              ) -> tuple[dict[str, PairedTest], int]:
    ta, tb = (r.per_sequence[r.per_sequence["frames"] > 0] for r in (a, b))
    seqs = _common(ta.index, tb.index)
    if not seqs:
        return {}, 0
    return {score: sign_flip_test(ta.loc[seqs, col].to_numpy(np.float64), tb.loc[seqs, col].to_numpy(np.float64),
                                  resamples=resamples, seed=seed)
            for score, col in _OTB_COLUMNS.items()}, len(seqs)


def _got10k_pair(a: GOT10kReport, b: GOT10kReport, resamples: int, seed: int | None
                 ) -> tuple[dict[str, PairedTest], int]:
    seqs = _common(a.per_sequence.index, b.per_sequence.index)
    if not seqs:
        return {}, 0
    out = {}
    fa = a.per_sequence.loc[seqs, "frames"].to_numpy(np.float64)
    fb = b.per_sequence.loc[seqs, "frames"].to_numpy(np.float64)
    for score in SCORES["got10k"]:
        na = np.nan_to_num(a.per_sequence.loc[seqs, score].to_numpy(np.float64)) * fa
        nb = np.nan_to_num(b.per_sequence.loc[seqs, score].to_numpy(np.float64)) * fb
        out[score] = sign_flip_test(na, nb, fa, fb, resamples=resamples, seed=seed)
    return out, len(seqs)


def _vot_pair(a: VOTReport, b: VOTReport, resamples: int, eao_resamples: int, seed: int | None
              ) -> tuple[dict[str, PairedTest], int]:
    runs_a = {s.name: s for s in a.sequence_runs}
    seqs = _common(list(runs_a), [s.name for s in b.sequence_runs])
    if not seqs:
        return {}, 0
    by_b = {s.name: s for s in b.sequence_runs}
    sa = vot_statistics(dataclasses.replace(a, sequence_runs=tuple(runs_a[s] for s in seqs)))
    sb = vot_statistics(dataclasses.replace(b, sequence_runs=tuple(by_b[s] for s in seqs)))
    return {score: paired_bootstrap(sa[score][0], sb[score][0], len(seqs), seed=seed,
                                    resamples=eao_resamples if score == "eao" else resamples)
            for score in SCORES["vot"]}, len(seqs)


def _onepass_pair(a, b, resamples: int, seed: int | None) -> tuple[dict[str, PairedTest], int]:
    seqs = _common(a.per_sequence.index, b.per_sequence.index)
    if not seqs:
        return {}, 0
    ta, tb = onepass_terms(a, seqs), onepass_terms(b, seqs)
    return {score: sign_flip_test(ta[score][0], tb[score][0], ta[score][1], tb[score][1], resamples=resamples,
                                  seed=seed)
            for score in SCORES["onepass"]}, len(seqs)


def _votlt_pair(a: LongTermReport, b: LongTermReport, resamples: int, seed: int | None
                ) -> tuple[dict[str, PairedTest], int]:
    seqs = _common(list(a.per_sequence), list(b.per_sequence))
    if not seqs:
        return {}, 0
    sa, sb = longterm_statistics(a, seqs), longterm_statistics(b, seqs)
    return {score: paired_bootstrap(sa[score][0], sb[score][0], len(seqs), value_a=sa[score][1],
                                    value_b=sb[score][1], resamples=resamples, seed=seed)
            for score in SCORES["votlt"]}, len(seqs)


def _scores(kind: str, report) -> dict[str, float]:
    return {score: float(getattr(report, score)) for score in SCORES[kind]}


def _no_fps(report) -> float:
    return float("nan")


def _per_sequence_count(report) -> int:
    return len(report.per_sequence)


def _scored_sequence_count(report) -> int:
    """OTB: sequences with at least one scored frame."""
    return int((report.per_sequence["frames"] > 0).sum())


@dataclass(frozen=True, kw_only=True)
class RankingKind:
    """How reports of one benchmark kind are ranked: their type, the scores shown (the first ranks), each
    tracker's intervals, the paired test against the baseline, the sequences a report covers and its speed."""

    report: type | tuple[type, ...]
    scores: tuple[str, ...]
    #: ``(report, resamples, eao_resamples, seed) -> {score: Interval}``
    intervals: Callable[[Any, int, int, int | None], dict[str, Interval]]
    #: ``(a, b, resamples, eao_resamples, seed) -> ({score: PairedTest}, sequences in common)``
    pair: Callable[[Any, Any, int, int, int | None], tuple[dict[str, PairedTest], int]]
    sequences: Callable[[Any], int] = _per_sequence_count
    fps: Callable[[Any], float] = _no_fps


#: one row per benchmark kind (:func:`report_kind`); :data:`SCORES` lists each row's scores
RANKINGS: dict[str, RankingKind] = {
    "otb": RankingKind(report=OTBReport, scores=SCORES["otb"],
                       intervals=lambda r, n, _e, seed: otb_intervals(r, resamples=n, seed=seed),
                       pair=lambda a, b, n, _e, seed: _otb_pair(a, b, n, seed), sequences=_scored_sequence_count),
    "got10k": RankingKind(report=GOT10kReport, scores=SCORES["got10k"],
                          intervals=lambda r, n, _e, seed: got10k_intervals(r, resamples=n, seed=seed),
                          pair=lambda a, b, n, _e, seed: _got10k_pair(a, b, n, seed),
                          fps=lambda r: float(r.speed_fps)),
    "vot": RankingKind(report=VOTReport, scores=SCORES["vot"],
                       intervals=lambda r, n, e, seed: vot_intervals(r, resamples=n, eao_resamples=e, seed=seed),
                       pair=_vot_pair, sequences=lambda r: len(r.sequence_runs)),
    "onepass": RankingKind(report=(OnePassReport, TrackingNetReport), scores=SCORES["onepass"],
                           intervals=lambda r, n, _e, seed: onepass_intervals(r, resamples=n, seed=seed),
                           pair=lambda a, b, n, _e, seed: _onepass_pair(a, b, n, seed)),
    "votlt": RankingKind(report=LongTermReport, scores=SCORES["votlt"],
                         intervals=lambda r, n, _e, seed: longterm_intervals(r, resamples=n, seed=seed),
                         pair=lambda a, b, n, _e, seed: _votlt_pair(a, b, n, seed)),
}


def compare_trackers(reports: Mapping[str, object], *, baseline: str | None = None, bootstrap: int = 0,
                     seed: int | None = 0, paired_resamples: int | None = None,
                     eao_resamples: int | None = None, fps: Mapping[str, float] | None = None) -> Comparison:
    """Rank ``reports`` (``{tracker: report}``, one benchmark kind, in the order given) and test each
    tracker against ``baseline`` (default: the first).

    ``bootstrap > 0`` adds each tracker's intervals (its single-tracker intervals: ``bootstrap`` resamples,
    EAO ``eao_resamples`` or ``bootstrap``). Paired tests are made for two or more trackers with
    ``paired_resamples`` resamples (default ``bootstrap``, else 1000; VOT EAO ``eao_resamples``, default
    ``bootstrap``, else 200). ``fps`` overrides the speed (GOT-10k reports carry their own).
    """
    if not reports:
        raise ValueError("compare_trackers: no tracker given")
    names = list(reports)
    kinds = {report_kind(r) for r in reports.values()}
    if len(kinds) != 1:
        raise ValueError(f"compare_trackers: reports of different benchmarks ({', '.join(sorted(kinds))})")
    kind = kinds.pop()
    row = RANKINGS[kind]
    if baseline is None:
        baseline = names[0]
    elif baseline not in reports:
        raise ValueError(f"baseline {baseline!r} is not among the trackers ({', '.join(names)})")
    scores = {t: _scores(kind, r) for t, r in reports.items()}
    speeds = {t: row.fps(r) for t, r in reports.items()}
    speeds.update({t: float(v) for t, v in (fps or {}).items() if t in reports})
    primary = SCORES[kind][0]
    key = {t: -scores[t][primary] if np.isfinite(scores[t][primary]) else np.inf for t in names}
    order = tuple(sorted(names, key=lambda t: key[t]))  # stable: ties keep the given order

    intervals: dict[str, dict[str, Interval]] = {}
    if bootstrap > 0:
        eao_r = eao_resamples or bootstrap
        for t, r in reports.items():
            intervals[t] = row.intervals(r, bootstrap, eao_r, seed)

    paired: dict[str, dict[str, PairedTest]] = {}
    counts: dict[str, int] = {}
    notes: list[str] = []
    few = sorted({t for t, ivs in intervals.items() for iv in ivs.values() if iv.sequences < MIN_BOOTSTRAP_SEQUENCES})
    if few:
        notes.append(f"{', '.join(few)}: too few sequences (< {MIN_BOOTSTRAP_SEQUENCES}) for a meaningful bootstrap "
                     "interval; the intervals shown are descriptive only (with n <= 3 a mean's 95% interval is the "
                     "range of the per-sequence values)")
    if len(names) > 1:
        resamples = paired_resamples or bootstrap or DEFAULT_RESAMPLES
        eao_r = eao_resamples or bootstrap or DEFAULT_EAO_RESAMPLES
        base = reports[baseline]
        for t in names:
            if t == baseline:
                continue
            paired[t], counts[t] = row.pair(reports[t], base, resamples, eao_r, seed)
            n_base = row.sequences(base)
            few = next((test for test in paired[t].values() if test.too_few), None)
            if few is not None:
                notes.append(f"{t} vs {baseline}: {few.note}" + ("" if not few.exact else
                             f"; p is exact over all {2 ** few.sequences} sign patterns"))
            if counts[t] == 0:
                notes.append(f"{t}: no sequence in common with {baseline}; no paired test")
            elif counts[t] < max(n_base, row.sequences(reports[t])):
                notes.append(f"{t} vs {baseline}: paired test on the {counts[t]} sequences both were scored on "
                             f"({n_base} for {baseline}); the differences are of scores on those sequences")
    return Comparison(kind, order, baseline, scores, intervals, paired, speeds, counts, tuple(notes))


def comparison_summary(comparison: Comparison) -> dict:
    """JSON-ready ``{kind, baseline, ranking, paired: {tracker: {score: test}}, notes}``."""
    return {
        "kind": comparison.kind, "ranked_by": comparison.primary, "baseline": comparison.baseline,
        "ranking": list(comparison.trackers),
        "paired": {t: {s: test.as_dict() for s, test in tests.items()} for t, tests in comparison.paired.items()},
        "paired_difference": "tracker minus baseline, on the sequences both were scored on",
        "notes": list(comparison.notes),
    }
