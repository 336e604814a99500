"""Error bars and significance over sequences: bootstrap intervals and paired tests (``docs/conventions.md``,
"Error bars and significance").

The unit that is resampled is the **sequence** (frames of one sequence are not independent). A score is supplied
as a *statistic*: a function of an ``(R, n)`` integer matrix whose row ``r`` lists the ``n`` sequence indices of
resample ``r`` (drawn with replacement) and which returns the ``(R,)`` scores of those resampled datasets; the
identity row ``arange(n)`` gives the point estimate. Vectorised statistics cover every published score:

* :func:`mean_statistic` — means over sequences (OTB AUC, precision, normalised precision, success rate;
  VOT failures per sequence);
* :func:`ratio_statistic` — ``scale · Σ num / Σ den`` over the resampled sequences (frame-pooled scores:
  GOT-10k AO / SR as ``Σ IoU-sum / Σ frames``, LEG/PST VOT accuracy as ``Σ frame-mean sum / Σ valid frames``,
  PYT accuracy ``Σ A_s N_s / Σ N_s``, VOT robustness ``100 Σ F_s / Σ N_s``);
* :func:`sum_statistic` — sums (VOT failures ``Σ_s mean_r F``);
* :func:`eao_statistic` — EAO recomputed with the existing code (:func:`analysis.metrics.vot.eao.eao_curves`):
  a sequence drawn ``k`` times has its fragments weighted ``k`` times, which is exactly the EAO of the resampled
  sequence list (the EAO curve is a weighted mean over fragments); all ``R`` curves come from one pass over the
  fragment matrix. The interval ``lo..hi`` and the padding width (longest sequence) are held at the full
  dataset's, so a resample whose longest sequence is shorter than ``hi`` still gets a value (from the
  zero-padded failed fragments, as :func:`~analysis.metrics.vot.eao.extend_curve` continues a curve).

:func:`bootstrap` turns a statistic into an :class:`Interval` (percentile interval, seeded
``numpy.random.Generator``); :func:`paired_bootstrap` and :func:`sign_flip_test` compare two trackers on the same
sequences (:class:`PairedTest`). :func:`otb_intervals`, :func:`got10k_intervals`, :func:`vot_intervals`,
:func:`onepass_intervals` and :func:`longterm_intervals` give the interval of every score of an
:class:`~analysis.metrics.otb.OTBReport`, :class:`~analysis.metrics.got10k.GOT10kReport`,
:class:`~analysis.metrics.vot.analysis.VOTReport`, a one-pass report
(:class:`~analysis.metrics.onepass.OnePassReport`, :class:`~analysis.metrics.trackingnet.TrackingNetReport`) or a
:class:`~analysis.metrics.vot.longterm.LongTermReport`.
Defaults: 1000 resamples, 200 for EAO (:data:`DEFAULT_EAO_RESAMPLES`, each resample is a weighted EAO curve),
level 0.95, seed 0.

**Small numbers of sequences** (issue 22):

* :func:`sign_flip_test` enumerates all ``2^n`` sign patterns when ``n <= EXACT_SIGN_FLIP_MAX`` (16, 65,536
  patterns): the p-value is then exact, ``#{|d*| >= |d|} / 2^n``. Both the identity and the all-swapped pattern
  reach ``|d|``, so an exact two-sided p is never below ``2 / 2^n = 1 / 2^(n-1)`` (n = 1: 1, n = 2: 0.5,
  n = 3: 0.25, n = 5: 0.0625, n = 6: 0.03125); a Monte-Carlo p (larger ``n``) and a paired-bootstrap p are
  clamped to that minimum too (:func:`min_p_value`).
* A paired bootstrap needs :data:`MIN_BOOTSTRAP_SEQUENCES` = 6 sequences; with fewer, :func:`paired_bootstrap`
  returns no interval and no p (NaN) and :func:`sign_flip_test` its exact p without an interval, and the
  :class:`PairedTest` says ``too few sequences`` in ``note``. Why 6: (1) below 6 no paired test of any kind can
  reach p < 0.05, since even the exact sign-flip minimum ``2 / 2^n`` is 0.0625 at n = 5 (0.03125 at n = 6), so a
  bootstrap p below that is an artefact of treating n values as the population (the issue's case: one sequence,
  interval [0.224, 0.224], p = 0.010); (2) the bootstrap distribution is made of ``C(2n-1, n)`` distinct
  multisets (n = 1: 1, 2: 3, 3: 10, 4: 35, 5: 126, 6: 462); for n <= 3 each "every draw is the same sequence"
  resample alone has probability ``n^-n >= 1/27 > 0.025``, so the 95% percentile interval of a mean is just
  ``[min, max]`` of the per-sequence values; (3) for normal per-sequence values the nominal 95% percentile
  interval of a mean (half-width ``1.96 sqrt((n-1)/n) s / sqrt(n)`` against Student's ``t_{n-1}``) covers
  0.60 / 0.75 / 0.81 / 0.85 at n = 2 / 3 / 4 / 5, and 0.87 at n = 6 (0.89 at 8, 0.90 at 10): 6 is the first n
  where both the test can be significant and the interval is not grossly overconfident. Single-tracker intervals
  (:func:`bootstrap`, ``*_intervals``) are still computed (descriptive, with ``sequences`` recorded); the CLI's
  interval line and :func:`analysis.metrics.compare.compare_trackers`'s notes mark them below 6 sequences.
* Paired bootstrap with fewer than 6 sequences and a difference of exactly 0: ``p = 1`` is kept (any permutation
  test gives 1 there), still without an interval.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from analysis.metrics.got10k import GOT10kReport
from analysis.metrics.onepass import OnePassReport
from analysis.metrics.otb import OTBReport
from analysis.metrics.trackingnet import TrackingNetReport
from analysis.metrics.vot import accuracy as acc
from analysis.metrics.vot.analysis import VOTReport
from analysis.metrics.vot.eao import Fragments, eao_fragments, eao_over_interval, eao_score, tag_weights
from analysis.metrics.vot.longterm import LongTermReport, f_measure

DEFAULT_RESAMPLES = 1000
#: EAO resamples by default: each one is an EAO curve over the fragment matrix (all computed in one pass)
DEFAULT_EAO_RESAMPLES = 200
DEFAULT_LEVEL = 0.95
DEFAULT_SEED = 0
PERCENTILE = "percentile bootstrap over sequences"
PAIRED = "paired percentile bootstrap over sequences (same resampled sequences for both trackers)"
SIGN_FLIP = "sign-flip permutation over sequences (p); paired percentile bootstrap (interval)"
#: exact sign-flip: every one of the 2^n sign patterns (n <= :data:`EXACT_SIGN_FLIP_MAX`)
SIGN_FLIP_EXACT = "exact sign-flip permutation over sequences, all 2^{n} = {patterns} sign patterns (p)"
#: sign-flip tests enumerate every sign pattern up to this many sequences (2^16 = 65,536 patterns)
EXACT_SIGN_FLIP_MAX = 16
#: fewest sequences for a paired bootstrap interval or p-value (module docstring: why 6)
MIN_BOOTSTRAP_SEQUENCES = 6


def min_p_value(n_sequences: int) -> float:
    """Smallest two-sided p-value a paired test on ``n`` sequences can honestly give: ``2 / 2^n`` (that of the
    exact sign-flip test, whose identity and all-swapped patterns both reach ``|d|``); 1 for ``n <= 1``."""
    return 1.0 if n_sequences <= 1 else float(2.0 / 2.0 ** n_sequences)


def too_few_note(n_sequences: int) -> str:
    """The ``note`` of a paired test made on fewer than :data:`MIN_BOOTSTRAP_SEQUENCES` sequences."""
    return (f"too few sequences ({n_sequences} < {MIN_BOOTSTRAP_SEQUENCES}) for a paired bootstrap: no interval"
            f"; smallest possible two-sided p on {n_sequences} = 2/2^{n_sequences} = {min_p_value(n_sequences):.4g}")

#: ``(R, n)`` sequence indices -> ``(R,)`` scores of the resampled datasets
Statistic = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Interval:
    """A score and its bootstrap interval ``[low, high]`` at ``level``, with how it was computed."""

    value: float
    low: float
    high: float
    level: float = DEFAULT_LEVEL
    resamples: int = DEFAULT_RESAMPLES
    seed: int | None = DEFAULT_SEED
    method: str = PERCENTILE
    sequences: int = 0  #: number of sequences resampled

    def contains(self, x: float) -> bool:
        return bool(self.low <= x <= self.high)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PairedTest:
    """Tracker A minus tracker B on the same sequences: the difference, its interval and a two-sided p-value."""

    difference: float
    low: float
    high: float
    p_value: float
    level: float = DEFAULT_LEVEL
    resamples: int = DEFAULT_RESAMPLES
    seed: int | None = DEFAULT_SEED
    method: str = PAIRED
    sequences: int = 0
    #: True when ``p_value`` comes from all ``2^n`` sign patterns (exact sign-flip test)
    exact: bool = False
    #: ``too few sequences ...`` when the interval (and a bootstrap p) is withheld (:func:`too_few_note`)
    note: str = ""

    @property
    def too_few(self) -> bool:
        """No bootstrap interval: fewer than :data:`MIN_BOOTSTRAP_SEQUENCES` sequences (``note`` says so)."""
        return self.note.startswith("too few sequences")

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------- machinery
def _check(n_sequences: int, resamples: int, level: float) -> None:
    if n_sequences < 1:
        raise ValueError(f"bootstrap needs at least one sequence, got {n_sequences}")
    if resamples < 1:
        raise ValueError(f"bootstrap needs at least one resample, got {resamples}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must lie in (0, 1), got {level}")


def resample_indices(n_sequences: int, resamples: int = DEFAULT_RESAMPLES, seed: int | None = DEFAULT_SEED) -> np.ndarray:
    """``(resamples, n_sequences)`` int64 sequence indices drawn with replacement by ``default_rng(seed)``."""
    _check(n_sequences, resamples, DEFAULT_LEVEL)
    return np.random.default_rng(seed).integers(0, n_sequences, size=(resamples, n_sequences))


def identity_indices(n_sequences: int) -> np.ndarray:
    """The ``(1, n)`` "resample" that is the data itself: a statistic gives its point estimate on it."""
    return np.arange(n_sequences)[None, :]


def resample_counts(indices: np.ndarray, n_sequences: int) -> np.ndarray:
    """How often each sequence occurs in each resample: ``(R, n)`` float64 multiplicities."""
    idx = np.atleast_2d(np.asarray(indices, dtype=np.int64))
    r = idx.shape[0]
    flat = (idx + n_sequences * np.arange(r)[:, None]).ravel()
    return np.bincount(flat, minlength=r * n_sequences).reshape(r, n_sequences).astype(np.float64)


def percentile_interval(samples: np.ndarray, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """The ``(1-level)/2`` and ``(1+level)/2`` quantiles (linear interpolation) of the finite samples."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    s = s[np.isfinite(s)]
    if not s.size:
        return float("nan"), float("nan")
    low, high = np.quantile(s, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(low), float(high)


def mean_statistic(values: Sequence[float]) -> Statistic:
    """Mean over the resampled sequences of per-sequence ``values``."""
    v = np.asarray(values, dtype=np.float64)
    return lambda idx: v[np.atleast_2d(idx)].mean(axis=1)


def sum_statistic(values: Sequence[float], scale: float = 1.0) -> Statistic:
    """``scale · Σ`` over the resampled sequences of per-sequence ``values``."""
    v = np.asarray(values, dtype=np.float64)
    return lambda idx: scale * v[np.atleast_2d(idx)].sum(axis=1)


def ratio_statistic(numerators: Sequence[float], denominators: Sequence[float], scale: float = 1.0,
                    empty: float = float("nan")) -> Statistic:
    """``scale · Σ num / Σ den`` over the resampled sequences (pooled scores); ``empty`` where ``Σ den == 0``."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    if num.shape != den.shape:
        raise ValueError(f"ratio_statistic needs as many numerators as denominators, got {num.shape} and {den.shape}")

    def statistic(idx: np.ndarray) -> np.ndarray:
        idx = np.atleast_2d(idx)
        top, bottom = num[idx].sum(axis=1), den[idx].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(bottom > 0, scale * top / np.where(bottom > 0, bottom, 1.0), empty)
    return statistic


def eao_statistic(fragments: Fragments, n_sequences: int, low: int, high: int, rule: str, longest: int, *,
                  chunk: int = 64, block_bytes: int | None = None) -> Statistic:
    """EAO of resampled sequence lists from the existing EAO code (fragment weights × multiplicity).

    ``fragments`` are those of the full dataset (:func:`~analysis.metrics.vot.eao.eao_fragments`), ``longest``
    its longest sequence; the interval and padding are held fixed (module docstring). ``chunk`` resamples are
    evaluated per pass over the fragment matrix.
    """
    base = tag_weights(fragments, None)

    def statistic(idx: np.ndarray) -> np.ndarray:
        counts = resample_counts(idx, n_sequences)
        out = np.empty(counts.shape[0])
        for lo in range(0, counts.shape[0], chunk):
            w = counts[lo:lo + chunk, fragments.sequence] * base[None, :]
            _, curves, _ = eao_over_interval(fragments, w, low, high, rule, longest, block_bytes=block_bytes)
            out[lo:lo + chunk] = [eao_score(c, low, high, rule) for c in np.atleast_2d(curves)]
        return out
    return statistic


def _interval(statistic: Statistic, indices: np.ndarray, n: int, value: float | None, level: float,
              seed: int | None, method: str) -> Interval:
    if value is None:
        value = float(np.asarray(statistic(identity_indices(n)))[0])
    low, high = percentile_interval(statistic(indices), level)
    return Interval(float(value), low, high, level, int(indices.shape[0]), seed, method, n)


def bootstrap(statistic: Statistic, n_sequences: int, *, value: float | None = None,
              resamples: int = DEFAULT_RESAMPLES, seed: int | None = DEFAULT_SEED, level: float = DEFAULT_LEVEL,
              method: str = PERCENTILE, indices: np.ndarray | None = None) -> Interval:
    """Percentile bootstrap interval of ``statistic`` over ``n_sequences`` sequences.

    ``value`` defaults to the statistic on the identity resample; ``indices`` (``(R, n)``) replaces the
    ``resamples`` draws of ``default_rng(seed)`` (to share one draw between several scores). Resamples whose
    statistic is not finite (e.g. no scored frame in any drawn sequence) are left out of the quantiles.
    """
    _check(n_sequences, resamples, level)
    idx = resample_indices(n_sequences, resamples, seed) if indices is None else np.atleast_2d(indices)
    return _interval(statistic, idx, n_sequences, value, level, seed, method)


def _two_sided_p(samples: np.ndarray) -> float:
    """``min(1, 2 (1 + min(#{d* <= 0}, #{d* >= 0})) / (R + 1))``: the level at which the percentile interval
    of the difference would just reach 0 (with the usual +1 correction)."""
    d = np.asarray(samples, dtype=np.float64)
    d = d[np.isfinite(d)]
    if not d.size:
        return float("nan")
    tail = min(int(np.sum(d <= 0)), int(np.sum(d >= 0)))
    return float(min(1.0, 2.0 * (1 + tail) / (d.size + 1)))


def paired_bootstrap(statistic_a: Statistic, statistic_b: Statistic, n_sequences: int, *,
                     value_a: float | None = None, value_b: float | None = None,
                     resamples: int = DEFAULT_RESAMPLES, seed: int | None = DEFAULT_SEED,
                     level: float = DEFAULT_LEVEL, indices: np.ndarray | None = None) -> PairedTest:
    """Paired bootstrap of ``A - B`` for two trackers on the same ``n_sequences`` sequences (same order).

    Both statistics see the same resampled sequences; the interval is the percentile interval of the
    resampled differences, the p-value :func:`_two_sided_p` (1 when the trackers are identical), never below
    :func:`min_p_value`. With fewer than :data:`MIN_BOOTSTRAP_SEQUENCES` sequences nothing is resampled: the
    difference is returned with ``low``, ``high`` and ``p_value`` NaN and ``note`` saying "too few sequences"
    (``p_value`` 1 when the difference is exactly 0, as any permutation test gives there).
    """
    _check(n_sequences, resamples, level)
    ident = identity_indices(n_sequences)
    a = float(np.asarray(statistic_a(ident))[0]) if value_a is None else float(value_a)
    b = float(np.asarray(statistic_b(ident))[0]) if value_b is None else float(value_b)
    if n_sequences < MIN_BOOTSTRAP_SEQUENCES:
        # a difference of exactly 0 has p = 1 under any permutation test (every |d*| >= 0): kept, exact
        nan = float("nan")
        p0 = 1.0 if a - b == 0 else nan
        return PairedTest(a - b, nan, nan, p0, level, 0, seed, PAIRED, n_sequences, exact=p0 == 1.0,
                          note=too_few_note(n_sequences) + ("; p = 1 as the difference is 0" if p0 == 1.0 else
                                                            "; no bootstrap p either"))
    idx = resample_indices(n_sequences, resamples, seed) if indices is None else np.atleast_2d(indices)
    d = np.asarray(statistic_a(idx), dtype=np.float64) - np.asarray(statistic_b(idx), dtype=np.float64)
    low, high = percentile_interval(d, level)
    p = _two_sided_p(d)
    if np.isfinite(p):
        p = max(p, min_p_value(n_sequences))
    return PairedTest(a - b, low, high, p, level, int(idx.shape[0]), seed, PAIRED, n_sequences)


def sign_patterns(n_sequences: int) -> np.ndarray:
    """All ``2^n`` sign patterns as a ``(2^n, n)`` bool matrix (row ``k``: bit ``j`` of ``k`` swaps sequence
    ``j``); row 0 is the identity, the last row swaps every sequence."""
    k = np.arange(2 ** n_sequences, dtype=np.int64)[:, None]
    return ((k >> np.arange(n_sequences, dtype=np.int64)[None, :]) & 1).astype(bool)


def sign_flip_test(numerators_a: Sequence[float], numerators_b: Sequence[float],
                   denominators_a: Sequence[float] | None = None, denominators_b: Sequence[float] | None = None, *,
                   scale: float = 1.0, resamples: int = DEFAULT_RESAMPLES, seed: int | None = DEFAULT_SEED,
                   level: float = DEFAULT_LEVEL) -> PairedTest:
    """Sign-flip (swap) permutation test of ``A - B`` for a mean or ratio score ``scale · Σ num / Σ den``.

    Under the null hypothesis the two trackers are exchangeable on every sequence: each permutation swaps the
    two trackers' data on some of the sequences. With ``n <= EXACT_SIGN_FLIP_MAX`` every one of the ``2^n``
    patterns is used and ``p = #{|d*| >= |d|} / 2^n`` is exact (never below ``2 / 2^n``: the identity and the
    all-swapped pattern both count); otherwise ``resamples`` random patterns (each sequence swapped with
    probability 1/2) give ``p = (1 + #{|d*| >= |d|}) / (R + 1)``, clamped to :func:`min_p_value`. Without
    denominators the score is the mean over sequences. The interval is the paired bootstrap interval of the
    same score (same ``seed``); with fewer than :data:`MIN_BOOTSTRAP_SEQUENCES` sequences there is none (NaN,
    ``note`` "too few sequences"), the exact p stays.
    """
    na, nb = np.asarray(numerators_a, dtype=np.float64), np.asarray(numerators_b, dtype=np.float64)
    n = len(na)
    da = np.ones(n) if denominators_a is None else np.asarray(denominators_a, dtype=np.float64)
    db = np.ones(n) if denominators_b is None else np.asarray(denominators_b, dtype=np.float64)
    if not (na.shape == nb.shape == da.shape == db.shape == (n,)):
        raise ValueError("sign_flip_test needs per-sequence arrays of one length for both trackers")
    _check(n, resamples, level)
    exact = n <= EXACT_SIGN_FLIP_MAX
    swap = sign_patterns(n) if exact else np.random.default_rng(seed).random((resamples, n)) < 0.5

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        bottom = den.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return scale * num.sum(axis=-1) / bottom

    d_hat = float(ratio(na, da) - ratio(nb, db))
    d = (ratio(np.where(swap, nb, na), np.where(swap, db, da))
         - ratio(np.where(swap, na, nb), np.where(swap, da, db)))
    tol = 1e-12 * max(1.0, abs(d_hat))
    hits = int(np.sum(np.abs(d) >= abs(d_hat) - tol))
    if exact:
        p = hits / swap.shape[0]
        method = SIGN_FLIP_EXACT.format(n=n, patterns=swap.shape[0])
    else:
        p = max((1 + hits) / (resamples + 1), min_p_value(n))
        method = SIGN_FLIP
    if n < MIN_BOOTSTRAP_SEQUENCES:
        nan = float("nan")
        return PairedTest(d_hat, nan, nan, float(p), level, 0 if exact else resamples, seed, method + "; no interval",
                          n, exact, too_few_note(n))
    paired = paired_bootstrap(ratio_statistic(na, da, scale), ratio_statistic(nb, db, scale), n,
                              resamples=resamples, seed=seed, level=level)
    if exact:
        method += "; paired percentile bootstrap (interval)"
    return PairedTest(d_hat, paired.low, paired.high, float(p), level, resamples, seed, method, n, exact)


# ---------------------------------------------------------------------------------------------- per benchmark
def _many(stats: Mapping[str, tuple[Statistic, float, str]], n: int, resamples: int, seed: int | None,
          level: float, indices: np.ndarray | None = None) -> dict[str, Interval]:
    _check(n, resamples, level)
    idx = resample_indices(n, resamples, seed) if indices is None else indices
    return {key: _interval(stat, idx, n, value, level, seed, method) for key, (stat, value, method) in stats.items()}


def otb_intervals(report: OTBReport, *, resamples: int = DEFAULT_RESAMPLES, seed: int | None = DEFAULT_SEED,
                  level: float = DEFAULT_LEVEL) -> dict[str, Interval]:
    """Intervals of ``auc``, ``precision``, ``norm_precision.g10|pst``, ``success_rate`` (sequence means).

    Every OTB score is a mean over the scored sequences (those with at least one valid GT frame) of a
    per-sequence value (:attr:`OTBReport.per_sequence`); one draw of resampled sequences serves all of them.
    """
    table = report.per_sequence[report.per_sequence["frames"] > 0]
    columns = {"auc": ("auc", report.auc), "precision": ("precision", report.precision),
               "norm_precision.g10": ("norm_precision_g10", report.norm_precision_g10),
               "norm_precision.pst": ("norm_precision_pst", report.norm_precision_pst),
               "success_rate": ("success_rate", report.success_rate)}
    stats = {key: (mean_statistic(table[col].to_numpy()), value, PERCENTILE + "; score = mean over sequences")
             for key, (col, value) in columns.items()}
    return _many(stats, len(table), resamples, seed, level)


def got10k_intervals(report: GOT10kReport, *, resamples: int = DEFAULT_RESAMPLES,
                     seed: int | None = DEFAULT_SEED, level: float = DEFAULT_LEVEL) -> dict[str, Interval]:
    """Intervals of ``ao``, ``sr50``, ``sr75``: G10 pools frames, so each resample pools the frames (IoUs of all
    runs) of its drawn sequences: ``Σ_s frames_s · score_s / Σ_s frames_s``. Speed has no interval."""
    table = report.per_sequence
    frames = table["frames"].to_numpy(dtype=np.float64)
    stats = {key: (ratio_statistic(np.nan_to_num(table[key].to_numpy(dtype=np.float64)) * frames, frames),
                   getattr(report, key), PERCENTILE + "; score = frames of the drawn sequences pooled (G10)")
             for key in ("ao", "sr50", "sr75")}
    return _many(stats, len(table), resamples, seed, level)


def vot_statistics(report: VOTReport, sensitivity: float = acc.DEFAULT_SENSITIVITY
                   ) -> dict[str, tuple[Statistic, float, str]]:
    """``{score: (statistic, point value, method)}`` for ``eao``, ``accuracy``, ``robustness``, ``failures``,
    ``failures_per_sequence`` and ``reliability`` of a :class:`VOTReport` (needs its ``sequence_runs``).

    Exposed so that two trackers' statistics can go to :func:`paired_bootstrap`.
    """
    seqs = report.sequence_runs
    if not seqs:
        raise ValueError("the VOT report carries no sequence_runs (build it with analyze_runs / analyze_vot)")
    conv = report.convention
    rule, burnin, skip = conv["variant"], int(conv["burn_in"]), int(conv["skip"])
    lengths = np.array([s.length for s in seqs], dtype=np.float64)
    mean_fail = np.array([float(np.mean(acc.failure_counts(s.kinds))) for s in seqs])
    if rule == "pyt":
        # sequences no longer than the burn-in are out of accuracy, as in analyze_runs
        weight = np.where(lengths > burnin, lengths, 0.0)
        seq_acc = np.array([acc.sequence_accuracy_pyt(s.overlaps_ar, s.kinds, burnin) for s in seqs])
        accuracy = ratio_statistic(seq_acc * weight, weight)
        acc_method = "score = Σ A_s N_s / Σ N_s over the drawn sequences (PYT)"
    else:
        means = [acc.frame_mean_overlaps(s.overlaps_ar, s.kinds, burnin) for s in seqs]
        accuracy = ratio_statistic([np.nansum(m) for m in means], [np.sum(~np.isnan(m)) for m in means], empty=0.0)
        acc_method = "score = valid frames of the drawn sequences pooled (LEG/PST)"
    robustness = ratio_statistic(mean_fail, lengths, scale=100.0)
    frags = eao_fragments([s.kinds for s in seqs], [s.overlaps_eao for s in seqs], rule, skip)
    iv = report.interval
    eao = eao_statistic(frags, len(seqs), iv.low, iv.high, rule, int(lengths.max()))
    return {
        "eao": (eao, report.eao, PERCENTILE + f"; EAO recomputed, fragments weighted by multiplicity, interval "
                                              f"{iv.low}-{iv.high} and padding of the full dataset held"),
        "accuracy": (accuracy, report.accuracy, f"{PERCENTILE}; {acc_method}"),
        "robustness": (robustness, report.robustness, PERCENTILE + "; score = 100 Σ F_s / Σ N_s"),
        "failures": (sum_statistic(mean_fail), report.failures, PERCENTILE + "; score = Σ_s mean_r F"),
        "failures_per_sequence": (mean_statistic(mean_fail), report.failures_per_sequence,
                                  PERCENTILE + "; score = mean over sequences of mean_r F"),
        "reliability": (lambda idx: np.exp(-sensitivity * robustness(idx) / 100.0), report.reliability,
                        PERCENTILE + f"; score = exp(-{sensitivity:g} Σ F_s / Σ N_s)"),
    }


def vot_intervals(report: VOTReport, *, resamples: int = DEFAULT_RESAMPLES,
                  eao_resamples: int = DEFAULT_EAO_RESAMPLES, seed: int | None = DEFAULT_SEED,
                  level: float = DEFAULT_LEVEL, sensitivity: float = acc.DEFAULT_SENSITIVITY) -> dict[str, Interval]:
    """Intervals of every VOT score (:func:`vot_statistics`); EAO uses the first ``eao_resamples`` rows of the
    same draw (default 200), the others ``resamples`` rows."""
    stats = vot_statistics(report, sensitivity)
    n = len(report.sequence_runs)
    _check(n, min(resamples, eao_resamples), level)
    idx = resample_indices(n, max(resamples, eao_resamples), seed)
    out = {"eao": _many({"eao": stats.pop("eao")}, n, eao_resamples, seed, level, idx[:eao_resamples])["eao"]}
    out.update(_many(stats, n, resamples, seed, level, idx[:resamples]))
    return {key: out[key] for key in ("eao", "accuracy", "robustness", "failures", "failures_per_sequence",
                                      "reliability")}


#: scores of a one-pass report (LaSOT, UAV, TrackingNet, NfS, TC128); TrackingNet has no ``success_rate``
ONEPASS_SCORES = ("auc", "precision", "norm_precision", "success_rate")


def _rows(names: Sequence[str], sequences: Sequence[str] | None) -> np.ndarray:
    """Row positions of ``sequences`` (default: all, in order) among ``names``."""
    if sequences is None:
        return np.arange(len(names))
    where = {name: i for i, name in enumerate(names)}
    return np.array([where[s] for s in sequences], dtype=np.int64)


def onepass_terms(report: OnePassReport | TrackingNetReport, sequences: Sequence[str] | None = None
                  ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{score: (numerators, denominators)}`` per sequence (``sequences``: a subset by name, in that order) with
    ``score = Σ num / Σ den``: every one-pass score is a linear function of the sequence-averaged curve, hence the
    mean of the per-sequence scores over the sequences in that curve's mean (weights
    :attr:`~analysis.metrics.onepass.OnePassReport.sequence_weights`: all 1 except the LaSOT toolkit's rule
    that leaves out a sequence whose whole curve is 0)."""
    table = report.per_sequence
    rows = _rows(list(table.index), sequences)
    weights = getattr(report, "sequence_weights", {}) or {}
    out = {}
    for key in ONEPASS_SCORES:
        if key not in table.columns:
            continue
        values = table[key].to_numpy(dtype=np.float64)[rows]
        w = np.asarray(weights.get(key, np.ones(len(table))), dtype=np.float64)[rows]
        out[key] = (np.where(w > 0, np.nan_to_num(values), 0.0) * w, w)
    return out


def onepass_intervals(report: OnePassReport | TrackingNetReport, *, resamples: int = DEFAULT_RESAMPLES,
                      seed: int | None = DEFAULT_SEED, level: float = DEFAULT_LEVEL) -> dict[str, Interval]:
    """Intervals of ``auc``, ``precision``, ``norm_precision`` (and ``success_rate``) of a one-pass report.

    Each resample's score is that of the mean curve of the drawn sequences (:func:`onepass_terms`: the mean of
    their per-sequence scores; under ``lasot`` over the drawn sequences whose curve is not all 0, and 0 when
    none is); one draw serves all scores.
    """
    rule = ("; sequences whose whole curve is 0 left out (LaSOT toolkit)" if report.variant == "lasot" else "")
    stats = {key: (ratio_statistic(num, den, empty=0.0), float(getattr(report, key)),
                   PERCENTILE + "; score of the mean curve of the drawn sequences = mean of their scores" + rule)
             for key, (num, den) in onepass_terms(report).items()}
    return _many(stats, len(report.per_sequence), resamples, seed, level)


def longterm_statistics(report: LongTermReport, sequences: Sequence[str] | None = None
                        ) -> dict[str, tuple[Statistic, float, str]]:
    """``{score: (statistic, point value, method)}`` for ``fscore``, ``precision``, ``recall`` of a long-term
    report (``sequences``: a subset by name, in that order; the point value is then that subset's).

    F is the maximum over thresholds of ``F(τ)`` of the sequence-averaged Pr/Re curves, so each resample
    averages the drawn sequences' curves (a sequence drawn ``k`` times counts ``k`` times) and takes the maximum
    again (Pr, Re at that threshold). The thresholds are the full dataset's (from all its confidences), held
    fixed as EAO holds its interval."""
    if report.sequence_pr is None or report.sequence_re is None:
        raise ValueError("the long-term report carries no per-sequence curves (build it with evaluate_longterm)")
    rows = _rows(list(report.per_sequence), sequences)
    pr, re = np.asarray(report.sequence_pr)[rows], np.asarray(report.sequence_re)[rows]
    n = len(rows)

    def at_best(idx: np.ndarray) -> np.ndarray:
        counts = resample_counts(idx, n)
        total = counts.sum(axis=1, keepdims=True)
        p, r = counts @ pr / total, counts @ re / total
        f = f_measure(p, r)
        k = np.argmax(f, axis=1)
        pick = np.arange(len(k))
        return np.stack([f[pick, k], p[pick, k], r[pick, k]])

    method = (PERCENTILE + "; F = max over the full dataset's thresholds of F of the drawn sequences' mean Pr/Re "
              "curves")
    point = at_best(identity_indices(n))[:, 0] if sequences is not None else (report.fscore, report.precision,
                                                                            report.recall)
    return {"fscore": (lambda idx: at_best(idx)[0], float(point[0]), method),
            "precision": (lambda idx: at_best(idx)[1], float(point[1]), method + "; Pr at that threshold"),
            "recall": (lambda idx: at_best(idx)[2], float(point[2]), method + "; Re at that threshold")}


def longterm_intervals(report: LongTermReport, *, resamples: int = DEFAULT_RESAMPLES,
                       seed: int | None = DEFAULT_SEED, level: float = DEFAULT_LEVEL) -> dict[str, Interval]:
    """Intervals of ``fscore``, ``precision``, ``recall`` of a long-term report (:func:`longterm_statistics`)."""
    return _many(longterm_statistics(report), len(report.per_sequence), resamples, seed, level)


def intervals_summary(intervals: Mapping[str, Interval]) -> dict[str, dict]:
    """JSON-ready ``{score: {value, low, high, level, resamples, seed, method, sequences}}``."""
    return {key: iv.as_dict() for key, iv in intervals.items()}
