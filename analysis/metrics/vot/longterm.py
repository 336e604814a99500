"""VOT long-term tracking precision, recall and F-score (VOT-LT2018/2019; Lukežič et al., "Now you see me:
evaluating performance in long-term visual tracking", and the VOT2018 report).

One pass, no resets. Per frame ``t`` the tracker reports a region ``A_t`` (or none) and a confidence ``c_t``;
the ground truth ``G_t`` is a region or absent. For a threshold ``τ`` a frame's prediction counts when
``c_t >= τ``; with ``Ω_t`` the frame's overlap (0 when either side has no region):

* tracking precision ``Pr(τ)`` = mean of ``Ω_t`` over the frames with ``c_t >= τ``,
* tracking recall ``Re(τ)`` = ``Σ_{c_t >= τ} Ω_t`` / number of frames with the target visible,
* no frame with ``c_t >= τ``: ``Pr = 1``, ``Re = 0``;
* curves are per sequence, averaged over runs and then over sequences (sequence-weighted);
  ``F(τ) = 2 Pr Re / (Pr + Re)`` (0 where ``Pr + Re = 0``) of the averaged curve; the F-score is its maximum
  (first maximum in the order ``+inf, descending thresholds, -inf``), reported with ``Pr`` and ``Re`` there.

Variants (``variant``; convention tags of ``docs/conventions.md``):

``pyt`` (default, vot-toolkit 0.7.4 ``vot/analysis/longterm.py``)
    Thresholds: the confidences of all frames of all sequences (NaN dropped) sorted descending; more than
    ``resolution - 2`` of them: ``delta = floor(n / (resolution - 2))``, the values at 0-based indices
    ``round(linspace(delta, n - delta, resolution - 2))``; else all of them; then ``+inf`` first and ``-inf``
    last (``resolution`` 100). A frame without a confidence value (empty line) counts 0, a ``nan`` value
    never passes a threshold (both toolkits; the reader applies it). Overlap: ``pyt`` raster bounded
    by the image; the initialisation frame (code 1) and frames without a region give 0, except that a frame
    with the target absent *and* no region gives 1 (vot-toolkit's "both empty" rule), in precision and in
    the recall numerator alike.
``leg`` (toolkit-legacy ``analyze_precision_recall.m`` with ``report_precision_recall``'s resolution 100,
    which produced the official VOT-LT2018/2019 numbers)
    Thresholds: the confidences sorted **ascending**, subsampled only when there are more than
    ``resolution`` of them, at 1-based indices ``round(linspace(delta, n - delta, resolution - 2))``; none at
    all: ``resolution - 2`` ones; then ``-inf``/``+inf`` and the whole list sorted descending. Overlap:
    ``pst`` raster (LEG ``estimate_accuracy(..., 'BindWithin', [W, H])``), NaN -> 0, so a frame with the target
    absent gives 0 whatever the tracker reports.
``pub`` (the published formula)
    PYT's thresholds; ``Pr`` averages only frames with ``c_t >= τ`` **and** a region (``N_p`` of the paper),
    ``Re`` sums only frames with the target visible; a region on a frame without the target gives 0.
    Equal to ``leg`` whenever the tracker reports a region on every frame (what VOT-LT trackers do).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from analysis.core.regions import Region, is_special
from analysis.metrics.overlap import vot_overlaps

LongTermVariant = Literal["pyt", "leg", "pub"]
VARIANTS: tuple[str, ...] = ("pyt", "leg", "pub")
DEFAULT_RESOLUTION = 100  #: thresholds per curve in both toolkits

_LABELS = {
    "pyt": "PYT (vot-toolkit 0.7.4 vot/analysis/longterm.py)",
    "leg": "LEG (toolkit-legacy analyze_precision_recall.m, official VOT-LT2018/2019)",
    "pub": "published formula (Lukežič et al.; VOT2018 report), PYT thresholds",
}


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown long-term variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    return variant


def longterm_thresholds(confidences: np.ndarray, resolution: int = DEFAULT_RESOLUTION,
                        variant: str = "pyt") -> np.ndarray:
    """Thresholds of the precision-recall curve from all confidences of one tracker, highest first
    (``+inf`` .. ``-inf``); the rule of ``variant`` (module docstring)."""
    _check_variant(variant)
    if resolution < 3:
        raise ValueError(f"resolution must be >= 3, got {resolution}")
    c = np.asarray(confidences, dtype=np.float64).ravel()
    c = c[~np.isnan(c)]
    n = c.size
    k = resolution - 2
    if variant == "leg":
        asc = np.sort(c)
        if n > resolution:
            delta = n // k
            picked = asc[np.round(np.linspace(delta, n - delta, k)).astype(int) - 1]  # MATLAB 1-based
        elif n == 0:
            picked = np.ones(k)
        else:
            picked = asc
        return np.sort(np.concatenate(([-np.inf], picked, [np.inf])))[::-1]
    desc = np.sort(c)[::-1]
    if n > k:
        delta = n // k
        picked = desc[np.round(np.linspace(delta, n - delta, k)).astype(int)]
    else:
        picked = desc
    return np.concatenate(([np.inf], picked, [-np.inf]))


@dataclass(frozen=True)
class LongTermFrames:
    """One run of one sequence, per frame: overlap ``Ω_t`` (already under the variant's rules, see
    :func:`frame_overlaps`), confidence (NaN = no value), target visible in the ground truth, region predicted."""

    overlaps: np.ndarray
    confidence: np.ndarray
    visible: np.ndarray
    predicted: np.ndarray

    def __post_init__(self) -> None:
        n = np.asarray(self.overlaps).shape[0]
        for name in ("confidence", "visible", "predicted"):
            if np.asarray(getattr(self, name)).shape != (n,):
                raise ValueError(f"{name}: {np.asarray(getattr(self, name)).shape} values for {n} frames")


def region_present(regions: Sequence[Region] | np.ndarray) -> np.ndarray:
    """Per frame: a region (not a special code, no NaN, positive area extent)."""
    out = np.zeros(len(regions), dtype=bool)
    for i, r in enumerate(regions):
        if is_special(r):
            continue
        v = np.asarray(r, dtype=np.float64).ravel()
        if np.isnan(v).any():
            continue
        if v.size == 4:
            out[i] = v[2] > 0 and v[3] > 0
        else:
            xs, ys = v[0::2], v[1::2]
            out[i] = (xs.max() - xs.min()) > 0 and (ys.max() - ys.min()) > 0
    return out


def frame_overlaps(predicted: Sequence[Region], groundtruth: np.ndarray, size: tuple[int, int],
                   variant: str = "pyt") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(overlaps, visible, predicted)`` of one run: the raster overlap of the variant (``pyt``: ``pyt``;
    ``leg``/``pub``: ``pst``, LEG's ``BindWithin [W, H]``) bounded by the image, 0 where a side has no region;
    ``pyt`` gives 1 where both sides have none. ``groundtruth`` rows of NaN mark frames without the target."""
    _check_variant(variant)
    gt = np.asarray(groundtruth, dtype=np.float64)
    if len(predicted) != gt.shape[0]:
        raise ValueError(f"{len(predicted)} predicted regions for {gt.shape[0]} ground-truth frames")
    visible = region_present(gt)
    have = region_present(predicted)
    both = visible & have
    ov = np.zeros(gt.shape[0])
    if both.any():
        idx = np.flatnonzero(both)
        conv = "pyt" if variant == "pyt" else "pst"
        vals = vot_overlaps([predicted[i] for i in idx], gt[idx], (float(size[0]), float(size[1])), conv)
        ov[idx] = np.nan_to_num(vals, nan=0.0)
    if variant == "pyt":
        ov[~visible & ~have] = 1.0
    return ov, visible, have


def precision_recall_curve(frames: LongTermFrames, thresholds: np.ndarray,
                           variant: str = "pyt") -> tuple[np.ndarray, np.ndarray]:
    """``(Pr, Re)`` of one run at every threshold (vectorised over thresholds x frames)."""
    _check_variant(variant)
    thr = np.asarray(thresholds, dtype=np.float64)
    ov = np.asarray(frames.overlaps, dtype=np.float64)
    conf = np.asarray(frames.confidence, dtype=np.float64)  # NaN (no value) never passes a threshold
    with np.errstate(invalid="ignore"):
        subset = conf[None, :] >= thr[:, None]
    visible = np.asarray(frames.visible, dtype=bool)
    n_visible = int(visible.sum())
    if variant == "pub":
        prec_mask = subset & np.asarray(frames.predicted, dtype=bool)[None, :]
        rec_mask = subset & visible[None, :]
    else:
        prec_mask = rec_mask = subset
    n_p = prec_mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pr = np.where(n_p > 0, (prec_mask * ov).sum(axis=1) / np.maximum(n_p, 1), 1.0)
        re = (rec_mask * ov).sum(axis=1) / n_visible if n_visible else np.zeros(len(thr))
    empty = subset.sum(axis=1) == 0
    pr[empty], re[empty] = 1.0, 0.0
    return pr, re


def f_measure(pr: np.ndarray, re: np.ndarray) -> np.ndarray:
    """``2 Pr Re / (Pr + Re)``, 0 where ``Pr + Re = 0``."""
    pr, re = np.asarray(pr, dtype=np.float64), np.asarray(re, dtype=np.float64)
    s = pr + re
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, 2 * pr * re / np.where(s > 0, s, 1), 0.0)


@dataclass(frozen=True)
class LongTermReport:
    """F-score (max over thresholds) with Pr/Re there, the averaged curves and the per-sequence ones."""

    precision: float
    recall: float
    fscore: float
    threshold: float
    thresholds: np.ndarray
    pr_curve: np.ndarray
    re_curve: np.ndarray
    f_curve: np.ndarray
    variant: str
    per_sequence: dict[str, dict[str, float]] = field(default_factory=dict)
    #: ``(n_sequences, n_thresholds)`` run-averaged Pr and Re curves at ``thresholds``, rows in ``per_sequence``
    #: order (``pr_curve`` / ``re_curve`` are their means; bootstrap intervals resample these rows)
    sequence_pr: np.ndarray | None = None
    sequence_re: np.ndarray | None = None

    @property
    def convention(self) -> dict[str, str]:
        """What the numbers follow (for printing and ``--json``)."""
        return {"variant": self.variant, "label": _LABELS[self.variant],
                "thresholds": f"{len(self.thresholds)} thresholds (+inf .. -inf) from the pooled confidences",
                "averaging": "per-sequence curves averaged over runs, then over sequences; F of the mean curve",
                "empty_subset": "no frame with confidence >= threshold: Pr = 1, Re = 0"}

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "fscore": self.fscore,
                "threshold": self.threshold, "convention": self.convention,
                "curve": {"threshold": self.thresholds.tolist(), "precision": self.pr_curve.tolist(),
                          "recall": self.re_curve.tolist(), "fscore": self.f_curve.tolist()},
                "sequences": self.per_sequence}


def evaluate_longterm(sequences: dict[str, Sequence[LongTermFrames]], variant: str = "pyt",
                      resolution: int = DEFAULT_RESOLUTION) -> LongTermReport:
    """Long-term Pr/Re/F of one tracker over ``sequences`` (name -> its runs), module docstring's rules."""
    _check_variant(variant)
    if not sequences:
        raise ValueError("no sequences to evaluate")
    for name, runs in sequences.items():
        if not runs:
            raise ValueError(f"sequence {name!r}: no runs")
    pooled = np.concatenate([np.asarray(r.confidence, dtype=np.float64) for runs in sequences.values()
                             for r in runs])
    thr = longterm_thresholds(pooled, resolution, "leg" if variant == "leg" else "pyt")
    prs, res, per_seq = [], [], {}
    for name, runs in sequences.items():
        curves = [precision_recall_curve(r, thr, variant) for r in runs]
        pr = np.mean([c[0] for c in curves], axis=0)
        re = np.mean([c[1] for c in curves], axis=0)
        prs.append(pr)
        res.append(re)
        f = f_measure(pr, re)
        k = int(np.argmax(f))
        per_seq[name] = {"precision": float(pr[k]), "recall": float(re[k]), "fscore": float(f[k]),
                         "frames": int(len(runs[0].overlaps)), "visible": int(np.sum(runs[0].visible))}
    pr_mean, re_mean = np.mean(prs, axis=0), np.mean(res, axis=0)
    f = f_measure(pr_mean, re_mean)
    k = int(np.argmax(f))
    return LongTermReport(float(pr_mean[k]), float(re_mean[k]), float(f[k]), float(thr[k]), thr, pr_mean,
                          re_mean, f, variant, per_seq, np.asarray(prs), np.asarray(res))


def score_longterm_runs(annotations: dict, runs: dict[str, Sequence], variant: str = "pyt",
                        resolution: int = DEFAULT_RESOLUTION) -> LongTermReport:
    """:func:`evaluate_longterm` of runs read by :func:`analysis.io.longterm.load_longterm_results`
    (``annotations``: name -> :class:`~analysis.io.annotation.SequenceAnnotation`, NaN rows = target absent)."""
    frames: dict[str, list[LongTermFrames]] = {}
    for name, seq_runs in runs.items():
        ann = annotations[name]
        if not (ann.width > 0 and ann.height > 0):
            raise ValueError(f"{ann.source or name}: sequence {name!r} has no image size; the overlap is bounded "
                             "by the image (add width/height to its 'sequence' file, or its frames)")
        frames[name] = []
        for run in seq_runs:
            ov, vis, have = frame_overlaps(run.regions, ann.groundtruth, ann.size, variant)
            frames[name].append(LongTermFrames(ov, np.asarray(run.confidence, dtype=np.float64), vis, have))
    return evaluate_longterm(frames, variant, resolution)
