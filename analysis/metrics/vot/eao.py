"""Expected Average Overlap (EAO) curve and score from reset-based (VOT supervised / real-time) runs.

Three conventions, chosen with ``rule`` (see ``docs/conventions.md``, VOT section):

* ``"leg"`` (default, MATLAB vot-toolkit ``estimate_expected_overlap.m``, produced the official VOT2015-2018
  numbers): fragments start at frame 1 and at every ``failure + skip`` (1-based) that lies inside the sequence;
  a fragment that ends in a failure is NaN→0 and zero-padded to the longest sequence (it counts at every
  length), the last fragment is NaN→0 and NaN-padded (counts only up to its length), a run without failures is
  NaN-padded keeping its NaNs. A failure whose re-initialisation would fall after the last frame is therefore
  treated as "not failed". Fragment weight = 1 / (#runs of its sequence) × (fraction of its frames carrying
  the tag). ``Φ̂(1) = 1``; ``Φ̂(n) = Σ_usable w·mean(frag[2..n]) / Σ_usable w`` over fragments defined at
  column ``n``; EAO = mean of the non-NaN ``Φ̂(n)``, ``n = lo..hi`` inclusive.
* ``"pst"`` (pysot-toolkit ``eao_benchmark.py``): LEG with three quirks — every fragment weighs
  ``1 / #runs of the last sequence``, a failure exactly 5 frames before the end still splits (0-based
  ``f + skip <= N``), and tag fractions of split fragments divide by the nominal length.
* ``"pyt"`` (Python vot-toolkit ``EAOCurve``/``EAOScore``): segments ``[init_i, fail_i)`` (failure frame
  excluded) are failed (zero-padded), the segment from the last initialisation is not; special frames give
  overlap 0; all weights 1; the curve is as long as the longest segment; the score is
  ``mean(c[lo:hi+1])`` on a 0-based curve, i.e. LEG lengths ``lo+1..hi+1`` (off-by-one), NaN not skipped.
  A failure near the end always counts as failed.

Everything is vectorised: a fragment matrix, a cumulative sum along frames and one matrix product per tag
set. The matrix (fragments x longest sequence) is never held whole: it is built and consumed in blocks of
columns (at most ``block_bytes``, default 64 MiB), the cumulative sum carried from block to block, so a
20,000-frame sequence with thousands of failures needs tens of MB instead of GBs, with the same bits as the
whole-matrix computation (``benchmarks/eao_memory.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np

from analysis.core.regions import FrameKind

EAORule = Literal["leg", "pst", "pyt"]
EAO_RULES: tuple[str, ...] = ("leg", "pst", "pyt")
#: frames between a failure and the re-initialisation (``skip_initialize``) in VOT2013-2019 stacks
DEFAULT_SKIP = 5


#: bytes of one materialised block of the fragment matrix (columns for the curves, rows for the tail sums)
DEFAULT_BLOCK_BYTES = 64 << 20


@dataclass(frozen=True, eq=False)
class Fragments:
    """Fragments of one tracker; row ``f`` of the (lazy) fragment matrix holds the overlaps of one fragment
    (column 0 = its first frame).

    ``sequence``/``run`` say where a row comes from, ``start``/``length`` which frames of that run it copies,
    ``denominator`` the length used for tag fractions, ``base_weight`` the per-run weight before tags.

    The ``(F, width)`` matrix is not stored: ``source`` (every run's overlaps laid end to end), ``offset``
    (index in ``source`` of each fragment's first frame), ``keep_nan`` and ``failed`` define it, and
    :meth:`columns` / :meth:`rows` materialise a block of it (``matrix`` builds it whole, for small data and
    tests). :func:`eao_curves` and :func:`extend_curve` work block by block, so memory stays bounded
    (``block_bytes``, default :data:`DEFAULT_BLOCK_BYTES`) however long the sequences, with the same bits as
    the whole-matrix computation.
    """

    sequence: np.ndarray  # (F,) int: index into the sequence list
    run: np.ndarray  # (F,) int: run index within the sequence
    start: np.ndarray  # (F,) int: first frame (0-based) of the fragment in its run
    length: np.ndarray  # (F,) int: number of frames copied from the run
    denominator: np.ndarray  # (F,) float: divisor of the tag count for tag weights
    base_weight: np.ndarray  # (F,) float: 1/#runs (leg), 1/#runs of last sequence (pst), 1 (pyt)
    failed: np.ndarray  # (F,) bool: the fragment ended in a failure (zero-padded)
    keep_nan: np.ndarray  # (F,) bool: NaN frames stay NaN (a LEG/PST run without failures); else NaN -> 0
    source: np.ndarray  # (total frames of all runs,) float64: the runs' overlaps laid end to end
    offset: np.ndarray  # (F,) int: index in ``source`` of the fragment's first frame
    width: int  # columns of the matrix: the longest sequence (leg/pst) or segment (pyt)

    def __len__(self) -> int:
        return int(self.length.shape[0])

    def _block(self, rows: slice, lo: int, hi: int, by_column: bool = False) -> np.ndarray:
        """Rows ``rows`` x columns ``lo:hi`` of the matrix; ``by_column``: laid out transposed, ``(hi - lo, F)``."""
        cols = np.arange(lo, hi)
        length, failed, first = self.length[rows], self.failed[rows], self.offset[rows]
        keep_nan = self.keep_nan[rows]
        if by_column:
            cols, length, failed, first, keep_nan = cols[:, None], length[None, :], failed[None, :], \
                first[None, :], keep_nan[None, :]
        else:
            cols, length, failed, first, keep_nan = cols[None, :], length[:, None], failed[:, None], \
                first[:, None], keep_nan[:, None]
        inside = cols < length
        index = np.where(inside, first + cols, 0)
        values = self.source[index]
        del index
        values = np.where(np.isnan(values) & ~keep_nan, 0.0, values)
        return np.where(inside, values, np.where(failed, 0.0, np.nan))

    def columns(self, lo: int, hi: int) -> np.ndarray:
        """Columns ``lo:hi`` of the fragment matrix, ``(F, hi - lo)`` float64, NaN where a fragment is undefined."""
        return self._block(slice(None), lo, hi)

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo:hi`` of the fragment matrix, ``(hi - lo, width)``."""
        return self._block(slice(lo, hi), 0, self.width)

    @property
    def matrix(self) -> np.ndarray:
        """The whole ``(F, width)`` fragment matrix (built on each access: F x width x 8 bytes)."""
        return self.columns(0, self.width)


def _block_count(block_bytes: int | None, other: int) -> int:
    """How many columns (rows) of ``other`` rows (columns) fit in one block of ``block_bytes``."""
    budget = DEFAULT_BLOCK_BYTES if block_bytes is None else block_bytes
    return max(1, int(budget // (8 * max(other, 1))))


def _run_fragments(kinds: np.ndarray, n: int, rule: str, skip: int, max_length: int) -> list[tuple[int, int, float, bool, bool]]:
    """``(start, length, denominator, failed, keep_nan)`` for every fragment of one run (0-based frames)."""
    fails = np.flatnonzero(kinds == FrameKind.FAILURE)
    if rule == "pyt":
        inits = np.flatnonzero(kinds == FrameKind.INIT)
        if len(fails) == 0:
            return [(0, n, float(n), False, False)]
        out = [(int(i), int(f - i), float(f - i), True, False) for i, f in zip(inits, fails)]
        if len(inits) > len(fails):
            out.append((int(inits[-1]), n - int(inits[-1]), float(n - int(inits[-1])), False, False))
        return out
    if len(fails) == 0:
        length = min(n, max_length)
        return [(0, length, float(length), False, True)]
    if rule == "leg":
        points = [0] + [int(f) + skip for f in fails if int(f) + skip <= n - 1]
    else:  # pst: 0-based test ``f + skip <= len(overlaps)``
        points = [0] + [int(f) + skip for f in fails if int(f) + skip <= n]
    out = []
    for a, b in zip(points[:-1], points[1:]):
        end = min(b + 1, n)  # inclusive of the re-initialisation frame, clipped to the sequence
        out.append((a, end - a, float(b - a + 1), True, False))
    last = points[-1]
    out.append((last, n - last, float(n - last), False, False))
    return out


def eao_fragments(kinds: Sequence[np.ndarray], overlaps: Sequence[np.ndarray], rule: EAORule = "leg",
                  skip: int = DEFAULT_SKIP) -> Fragments:
    """Build the fragment matrix from per-sequence ``kinds``/``overlaps`` arrays (``(R_s, N_s)`` each).

    ``overlaps`` must hold NaN on special frames (INIT/FAIL/UNKNOWN) and be computed without burn-in.
    """
    if rule not in EAO_RULES:
        raise ValueError(f"unknown EAO rule {rule!r}; expected one of {EAO_RULES}")
    if len(kinds) != len(overlaps) or len(kinds) == 0:
        raise ValueError("eao_fragments needs the same, non-zero number of kinds and overlaps arrays")
    kinds = [np.atleast_2d(np.asarray(k)) for k in kinds]
    overlaps = [np.atleast_2d(np.asarray(o, dtype=np.float64)) for o in overlaps]
    max_seq = max(k.shape[1] for k in kinds)
    rows: list[tuple[int, int, int, int, float, bool, bool]] = []
    for s, k in enumerate(kinds):
        for r in range(k.shape[0]):
            for start, length, denom, failed, keep_nan in _run_fragments(k[r], k.shape[1], rule, skip, max_seq):
                rows.append((s, r, start, length, denom, failed, keep_nan))
    if rule == "pyt":
        width = max(max(row[3] for row in rows), 1)
    else:
        width = max_seq
    n_frag = len(rows)
    seq = np.fromiter((row[0] for row in rows), dtype=np.int64, count=n_frag)
    run = np.fromiter((row[1] for row in rows), dtype=np.int64, count=n_frag)
    start = np.fromiter((row[2] for row in rows), dtype=np.int64, count=n_frag)
    length = np.fromiter((row[3] for row in rows), dtype=np.int64, count=n_frag)
    denom = np.fromiter((row[4] for row in rows), dtype=np.float64, count=n_frag)
    failed = np.fromiter((row[5] for row in rows), dtype=bool, count=n_frag)
    keep_nan = np.fromiter((row[6] for row in rows), dtype=bool, count=n_frag)

    # The runs laid end to end; a fragment is a range of them (materialised block by block, Fragments.columns).
    flat = np.concatenate([o.ravel() for o in overlaps])
    offsets = np.concatenate([[0], np.cumsum([o.size for o in overlaps])])[:-1]
    seq_len = np.array([k.shape[1] for k in kinds], dtype=np.int64)
    run_offset = offsets[seq] + run * seq_len[seq]

    runs_per_seq = np.array([k.shape[0] for k in kinds], dtype=np.float64)
    if rule == "leg":
        base = 1.0 / runs_per_seq[seq]
    elif rule == "pst":
        base = np.full(n_frag, 1.0 / runs_per_seq[-1])
    else:
        base = np.ones(n_frag)
    return Fragments(seq, run, start, length, denom, base, failed, keep_nan, flat, run_offset + start, int(width))


def tag_weights(fragments: Fragments, tags: Sequence[np.ndarray] | None) -> np.ndarray:
    """Fragment weights for one tag: ``base_weight`` × (tagged frames in the fragment / its length).

    ``tags`` holds one boolean ``(N_s,)`` array per sequence; ``None`` means the tag ``all`` (factor 1).
    """
    if tags is None:
        return fragments.base_weight.copy()
    flat = np.concatenate([np.asarray(t, dtype=np.float64).ravel() for t in tags])
    cum = np.concatenate([[0.0], np.cumsum(flat)])
    offsets = np.concatenate([[0], np.cumsum([np.size(t) for t in tags])])[:-1].astype(np.int64)
    first = offsets[fragments.sequence] + fragments.start
    count = cum[first + fragments.length] - cum[first]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(fragments.denominator > 0, count / np.maximum(fragments.denominator, 1e-16), 0.0)
    return fragments.base_weight * frac


def eao_curves(fragments: Fragments, weights: np.ndarray, *, block_bytes: int | None = None) -> np.ndarray:
    """Expected-overlap curves for one or more weight vectors (``(F,)`` or ``(T, F)``).

    Returns ``(L,)`` or ``(T, L)`` with ``curve[..., n-1] = Φ̂(n)``: ``Φ̂(1) = 1`` and for ``n ≥ 2`` the
    weighted mean, over fragments defined at column ``n``, of each fragment's mean overlap on frames
    ``2..n``; NaN where no fragment is usable or a usable one has an undefined frame (as LEG/PST).

    The fragment matrix is processed in blocks of columns of at most ``block_bytes`` (default
    :data:`DEFAULT_BLOCK_BYTES`; a huge value = the whole matrix at once), built transposed (frames x
    fragments): the running sum along frames is carried from block to block and each column's weighted sums
    add all fragments in one fixed (pairwise) order, so the result is the same, bit for bit, whatever the
    block size. (A BLAS product here would not be: its rounding depends on the matrix shape.)
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    n_tail = fragments.width - 1
    num = np.empty((w.shape[0], max(n_tail, 0)))
    den = np.empty_like(num)
    step = _block_count(block_bytes, len(fragments))
    carry = None
    for lo in range(1, fragments.width, step):  # matrix columns lo..hi-1 = tail columns lo-1..hi-2
        hi = min(lo + step, fragments.width)
        block = fragments._block(slice(None), lo, hi, by_column=True)  # (hi - lo, F)
        usable = ~np.isnan(block)
        if carry is not None:
            block[0] += carry
        np.cumsum(block, axis=0, out=block)
        carry = block[-1].copy()
        block /= np.arange(lo, hi)[:, None]  # mean over frames 2..n (n - 1 = column)
        block[~usable] = 0.0
        for t in range(w.shape[0]):  # sums over the contiguous fragment axis: one order per column
            num[t, lo - 1:hi - 1] = np.add.reduce(block * w[t][None, :], axis=1)
            den[t, lo - 1:hi - 1] = np.add.reduce(usable * w[t][None, :], axis=1)
        del block, usable
    with np.errstate(invalid="ignore", divide="ignore"):
        curve_tail = num / den
    curve = np.concatenate([np.ones((w.shape[0], 1)), curve_tail], axis=1)
    return curve[0] if np.ndim(weights) == 1 else curve


def eao_score(curve: np.ndarray, low: int, high: int, rule: EAORule = "leg") -> float:
    """Scalar EAO from a curve (``curve[n-1] = Φ̂(n)``) over the interval ``[low, high]``.

    ``leg``/``pst``: mean of the non-NaN values for lengths ``low..high`` inclusive. ``pyt``: PYT's
    ``np.mean(c[low:high+1])`` on the same array, i.e. lengths ``low+1..high+1``, NaN propagating.
    """
    curve = np.asarray(curve, dtype=np.float64)
    if not 1 <= low <= high:
        raise ValueError(f"EAO interval must satisfy 1 <= low <= high, got [{low}, {high}]")
    if rule == "pyt":
        with np.errstate(invalid="ignore"):
            part = curve[low:high + 1]
            return float(np.mean(part)) if part.size else float("nan")
    part = curve[low - 1:high]
    part = part[~np.isnan(part)]
    return float(part.mean()) if part.size else float("nan")


def eao(kinds: Sequence[np.ndarray], overlaps: Sequence[np.ndarray], low: int, high: int,
        rule: EAORule = "leg", skip: int = DEFAULT_SKIP,
        tags: Mapping[str, Sequence[np.ndarray]] | None = None, *,
        block_bytes: int | None = None) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """EAO scores and curves for the tag ``all`` and every tag in ``tags`` (name → per-sequence boolean arrays)."""
    frags = eao_fragments(kinds, overlaps, rule, skip)
    names = ["all"] + list(tags or {})
    weights = np.stack([tag_weights(frags, None)] + [tag_weights(frags, tags[t]) for t in (tags or {})])
    curves = eao_curves(frags, weights, block_bytes=block_bytes)
    scores = {name: eao_score(curves[i], low, high, rule) for i, name in enumerate(names)}
    return scores, {name: curves[i] for i, name in enumerate(names)}


def averaged_lengths(low: int, high: int, rule: EAORule = "leg") -> tuple[int, int]:
    """Sequence lengths the score of interval ``[low, high]`` averages: ``low..high``, PYT ``low+1..high+1``."""
    return (low + 1, high + 1) if rule == "pyt" else (low, high)


def extend_curve(fragments: Fragments, weights: np.ndarray, length: int, *,
                 block_bytes: int | None = None) -> np.ndarray:
    """:func:`eao_curves` continued up to ``length`` columns (PYT curves end at the longest segment).

    Beyond the last column no fragment that reached its sequence end is usable; a failed fragment stays
    usable, zero-padded, so ``Φ̂(n) = Σ_failed w·S_f / (n-1) / Σ_failed w`` with ``S_f`` the fragment's overlap
    sum on frames ``2..``; NaN where no failed fragment carries weight. The first columns are unchanged.
    The sums are taken over blocks of whole rows (at most ``block_bytes``), each row summed as a whole."""
    curve = eao_curves(fragments, weights, block_bytes=block_bytes)
    width = fragments.width
    if length <= width:
        return curve
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64)) * fragments.failed[None, :]
    sums = np.empty(len(fragments))
    step = _block_count(block_bytes, width)
    for lo in range(0, len(fragments), step):
        hi = min(lo + step, len(fragments))
        sums[lo:hi] = np.nansum(fragments.rows(lo, hi)[:, 1:], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = (w @ sums) / w.sum(axis=1)  # (T,)
    n = np.arange(width + 1, length + 1, dtype=np.float64)
    tail = level[:, None] / (n[None, :] - 1.0)
    out = np.concatenate([np.atleast_2d(curve), tail], axis=1)
    return out[0] if np.ndim(weights) == 1 else out


def eao_over_interval(fragments: Fragments, weights: np.ndarray, low: int, high: int, rule: EAORule,
                      longest: int, *, block_bytes: int | None = None) -> tuple[float, np.ndarray, str]:
    """EAO with the project's rule for intervals and short data: ``(score, curve, note)``.

    The lengths the score averages (:func:`averaged_lengths`) must all lie within the longest sequence
    (``longest`` frames); otherwise ``ValueError`` (no partial average over the lengths that happen to exist).
    Within it every averaged length has a curve value: a PYT curve shorter than the interval (every segment
    shorter than its end) is continued by :func:`extend_curve`, where vot-toolkit's ``mean(c[low:high+1])``
    would average only the lengths it has (or give NaN). ``note`` says what was done ("" when nothing)."""
    a, b = averaged_lengths(low, high, rule)
    if b > longest:
        top = longest - 1 if rule == "pyt" else longest
        raise ValueError(
            f"EAO interval [{low}, {high}] ({rule} averages sequence lengths {a}-{b}) reaches beyond the longest "
            f"sequence ({longest} frames): the expected-overlap curve has no value there and a partial average "
            f"is not an EAO. Omit --stack/--interval to fit the interval to these sequences (LEG's KDE, "
            f"analysis.metrics.vot.interval.fit_interval, as `siamrpn main` does) or give --interval LO HI with HI <= {top}")
    curve = eao_curves(fragments, weights, block_bytes=block_bytes)
    note = ""
    if np.shape(curve)[-1] < b:
        width = np.shape(curve)[-1]
        curve = extend_curve(fragments, weights, longest, block_bytes=block_bytes)
        note = (f"curve continued from {width} to {longest} lengths with the zero-padded failed segments "
                f"(vot-toolkit's own score averages only the lengths its curve has)")
    if np.ndim(curve) == 1:
        return eao_score(curve, low, high, rule), curve, note
    return float("nan"), curve, note
