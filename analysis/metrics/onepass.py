"""One-pass scoring with each toolkit's own rules for absent, invalid and missing frames (LaSOT, UAV123, NfS,
TC128; TrackingNet has its own module, :mod:`analysis.metrics.trackingnet`).

The curves are those of :mod:`analysis.metrics.otb` (21 success thresholds, IoU **>** thr, AUC = mean of the 21
points; precision ``<=`` 0..50 px, score at 20 px; normalised precision thresholds 0:0.01:0.5), averaged over
sequences. What differs between the toolkits, and is selected by ``variant`` (``docs/conventions.md``, "One-pass
benchmarks with their own rules"):

* ``lasot`` — LaSOT MATLAB toolkit (``calc_seq_err_robust.m``, ``eval_tracker.m``, ``plot_draw_save.m``):
  a bad prediction (NaN, w or h <= 0) takes the previous box where the GT has no NaN; frame 1 := GT; absent
  frames (full occlusion or out of view) are removed **but the denominator stays the sequence length**, so they
  count as failures; GT with any value <= 0: IoU -1 (failure), centre error -1 (success); normalised error =
  distance of the centres divided per axis by the GT ``w, h``, score at 0.2; a sequence whose whole curve is 0
  is left out of that curve's mean.
* ``pst`` — pysot-toolkit ``OPEBenchmark``: no repair; absent frames removed, denominator the sequence length;
  success needs all four GT values > 0 (else IoU -1), precision a GT centre > 0 (else error -1 = success);
  normalised centres divided by ``gt_wh + 1e-16``, score at 0.2.
* ``pyt`` — pytracking ``extract_results`` (``exclude_invalid_frames=False``): a zero-size prediction takes the
  previous box; valid = GT ``w, h > 0`` and visible; invalid frames IoU -1, centre error +inf (UAV: -1 =
  success), normalised error -1; absent frames (LaSOT) +inf for both errors; denominator the sequence length;
  normalised score at 0.2. (pytracking refuses NaN / negative-size predictions; here they fail.)
* ``g10`` — got10k 0.1.3: ``ExperimentUAV123`` drops NaN-GT rows from numerator and denominator, ``ExperimentOTB``
  (TC128, NfS) does nothing (NaN IoU fails); no absent flags; normalised precision of got10k's LaSOT experiment
  (``/max(1, gt_wh)``, mean over the 51 thresholds).
* ``otb`` — OTB MATLAB ``calcSeqErrRobust.m`` (the UAV123 and TC128 MATLAB toolkits are this code): GT with any
  value <= 0 or NaN: IoU -1, centre error -1; bad prediction -> previous box; denominator the sequence length;
  normalised error as ``lasot`` (OTB has none).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from analysis.core.regions import iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.results import fit_to_frames
from analysis.metrics.otb import (
    NORM_PRECISION_AT,
    NORM_PRECISION_THRESHOLDS,
    PRECISION_AT,
    auc,
    center_errors,
    centers,
    curves_summary,
    otb_robust_predictions,
    precision_curve,
    success_curve,
)
from analysis.metrics.selection import missing_note, scored_sequences

Variant = Literal["lasot", "pst", "pyt", "g10", "otb"]
VARIANTS: tuple[str, ...] = ("lasot", "pst", "pyt", "g10", "otb")

#: what each variant is, printed with every score
VARIANT_NAMES: dict[str, str] = {
    "lasot": "LaSOT MATLAB toolkit",
    "pst": "pysot-toolkit OPEBenchmark",
    "pyt": "pytracking extract_results",
    "g10": "got10k 0.1.3",
    "otb": "OTB MATLAB calcSeqErrRobust.m",
}


@dataclass(frozen=True)
class FrameScores:
    """Per-frame values compared with the thresholds, and the denominator of every curve point."""

    ious: np.ndarray
    errors: np.ndarray
    norm_errors: np.ndarray
    denominator: int


def _sizes_valid(gt: np.ndarray) -> np.ndarray:
    return (gt[:, 2] > 0) & (gt[:, 3] > 0)


def _axis_normalised(pred: np.ndarray, gt: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """Centre distance with each axis divided by the GT side (+ ``eps``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.linalg.norm((centers(pred) - centers(gt)) / (gt[:, 2:] + eps), axis=1)


def _repair_zero_size(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """pytracking: a prediction with w or h == 0 takes the previous box (where the GT has no NaN)."""
    pred = pred.copy()
    for i in np.flatnonzero((pred[1:, 2:] == 0).any(1)) + 1:
        if not np.isnan(gt[i]).any():
            pred[i] = pred[i - 1]
    return pred


def frame_scores(pred: np.ndarray, gt: np.ndarray, absent: np.ndarray | None = None, variant: Variant = "lasot",
                 uav: bool = False, drop_nan_gt: bool = False) -> FrameScores:
    """Score one ``(N, 4)`` prediction against ``(N, 4)`` GT under ``variant`` (frame 1 is replaced by GT).

    ``absent`` (``(N,)`` bool, LaSOT) marks frames without a visible target; ``uav`` selects pytracking's UAV rule
    (invalid frames count as precision successes); ``drop_nan_gt`` is got10k's ``ExperimentUAV123`` rule.
    """
    pred = np.array(pred, dtype=np.float64, copy=True)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.shape != gt.shape or gt.ndim != 2 or gt.shape[1] != 4:
        raise ValueError(f"prediction shape {pred.shape} does not match ground truth {gt.shape} (need N x 4)")
    n = len(gt)
    absent = np.zeros(n, bool) if absent is None else np.asarray(absent, bool)
    if absent.shape != (n,):
        raise ValueError(f"absent flags have shape {absent.shape}, expected ({n},)")
    if variant in ("lasot", "otb"):
        pred = otb_robust_predictions(pred, gt)
    elif variant == "pyt":
        pred = _repair_zero_size(pred, gt)
    pred[0] = gt[0]
    with np.errstate(invalid="ignore"):
        if variant in ("lasot", "otb", "pst"):
            keep = ~absent
            g, p = gt[keep], pred[keep]
            if variant == "pst":
                ok_iou = (g > 0).all(1)
                ok_ce = (centers(g) > 0).all(1)
                ok_nce = (centers(g) / (g[:, 2:] + 1e-16) > 0).all(1)
                nerr_all = np.linalg.norm(centers(p) / (g[:, 2:] + 1e-16) - centers(g) / (g[:, 2:] + 1e-16), axis=1)
            else:
                ok_iou = ok_ce = ok_nce = (g > 0).all(1)  # NaN > 0 is False
                nerr_all = _axis_normalised(p, g)
            ious = np.where(ok_iou, iou_xywh(p, g), -1.0)
            errs = np.where(ok_ce, center_errors(p, g), -1.0)
            nerrs = np.where(ok_nce, nerr_all, -1.0)
            return FrameScores(ious, errs, nerrs, n)
        if variant == "pyt":
            valid = _sizes_valid(gt) & ~absent
            ious = np.where(valid, iou_xywh(pred, gt), -1.0)
            errs = np.where(valid, center_errors(pred, gt), -1.0 if uav else np.inf)
            nerrs = np.where(valid, _axis_normalised(pred, gt), -1.0)
            errs[absent] = np.inf
            nerrs[absent] = np.inf
            return FrameScores(ious, errs, nerrs, n)
        if variant == "g10":
            keep = ~np.isnan(gt).any(1) if drop_nan_gt else np.ones(n, bool)
            g, p = gt[keep], pred[keep]
            scale = np.maximum(1.0, g[:, 2:])
            nerrs = np.linalg.norm((centers(p) - centers(g)) / scale, axis=1)
            return FrameScores(iou_xywh(p, g), center_errors(p, g), nerrs, int(keep.sum()))
    raise ValueError(f"unknown one-pass variant {variant!r}; choose one of {', '.join(VARIANTS)}")


def curve_weights(curves: list[np.ndarray], variant: str) -> np.ndarray:
    """Per sequence 1.0 if its curve enters the sequence mean, else 0.0: ``lasot`` leaves out sequences whose
    curve sums to 0 (``plot_draw_save.m``; all of them when every curve is 0), every other variant keeps all."""
    stack = np.asarray(curves, dtype=np.float64)
    if variant == "lasot":
        kept = stack.sum(1) > np.finfo(float).eps
        if kept.any():
            return kept.astype(np.float64)
    return np.ones(len(stack))


def _mean_curve(curves: list[np.ndarray], variant: str) -> np.ndarray:
    """Sequence mean over the sequences :func:`curve_weights` keeps."""
    stack = np.asarray(curves, dtype=np.float64)
    return stack[curve_weights(curves, variant) > 0].mean(0)


def norm_precision_score(curve: np.ndarray, variant: str) -> float:
    """``g10``: mean over the 51 thresholds; every other toolkit: the value at 0.2."""
    return float(np.mean(curve)) if variant == "g10" else float(curve[NORM_PRECISION_AT])


@dataclass(frozen=True)
class OnePassReport:
    """Scores of one tracker on one one-pass benchmark under one toolkit variant."""

    benchmark: str
    variant: str
    auc: float
    precision: float
    norm_precision: float
    success_rate: float
    success_curve: np.ndarray
    precision_curve: np.ndarray
    norm_precision_curve: np.ndarray
    per_sequence: pd.DataFrame
    sequences: int
    frames: int
    absent_frames: int = 0
    warnings: tuple[str, ...] = ()
    conventions: dict[str, str] = field(default_factory=dict)
    #: per score (``auc``, ``precision``, ``norm_precision``, ``success_rate``), the weight of each sequence of
    #: ``per_sequence`` in that score's mean (:func:`curve_weights`); a missing score weighs every sequence 1.
    #: Every score is ``Σ w_s v_s / Σ w_s`` of the per-sequence values (the curves' scores are linear).
    sequence_weights: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self, curves: bool = False, per_sequence: bool = False) -> dict:
        """JSON-ready dict; every score names its convention in ``conventions``."""
        out: dict = {
            "benchmark": self.benchmark, "variant": self.variant, "toolkit": VARIANT_NAMES[self.variant],
            "auc": self.auc, "precision": self.precision, "norm_precision": self.norm_precision,
            "success_rate": self.success_rate, "sequences": self.sequences, "frames": self.frames,
            "absent_frames": self.absent_frames, "conventions": dict(self.conventions),
            "warnings": list(self.warnings),
        }
        if curves:
            out["curves"] = curves_summary(self.success_curve, self.precision_curve,
                                           {"norm_precision": self.norm_precision_curve})
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        return out


def conventions(variant: str) -> dict[str, str]:
    """The label of each score under ``variant``."""
    name = VARIANT_NAMES[variant]
    absent = {"lasot": "absent frames removed, denominator = all frames (absent = failure)",
              "pst": "absent frames removed, denominator = all frames (absent = failure)",
              "pyt": "absent frames IoU -1 / error inf, denominator = all frames",
              "g10": "no absent flags; NaN-GT rows dropped (UAV123) or failures (OTB-type)",
              "otb": "no absent flags; GT <= 0 or NaN: IoU -1, error -1, denominator = all frames"}[variant]
    norm = ("error / max(1, gt_wh), mean over 0:0.01:0.5 (got10k LaSOT experiment)" if variant == "g10" else
            "per-axis error / (gt_wh + 1e-16), value at 0.2" if variant == "pst" else
            "per-axis error / gt_wh, value at 0.2")
    return {
        "auc": f"{name}: mean of the 21-point success curve (IoU > thr), sequence-averaged; {absent}",
        "precision": f"{name}: centre x+(w-1)/2 error <= 20 px, sequence-averaged",
        "norm_precision": f"{name}: {norm}",
        "success_rate": f"{name}: success curve at IoU > 0.5",
    }


def evaluate_onepass(annotations: dict[str, SequenceAnnotation], results: dict[str, np.ndarray],
                     benchmark: str, variant: Variant = "lasot", warnings: tuple[str, ...] | list[str] = (),
                     allow_missing: bool = False) -> OnePassReport:
    """Score every annotated sequence that has results (``tags['absent']`` carries LaSOT's absent flags).

    Result boxes of the wrong length follow :func:`analysis.io.results.fit_to_frames`; annotated sequences without
    results raise ``ValueError`` unless ``allow_missing``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown one-pass variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    notes = list(warnings)
    names, missing = scored_sequences(annotations, results, allow_missing)
    uav = benchmark.lower().startswith("uav")
    rows, succ, prec, nprec = [], [], [], []
    frames = absent_total = 0
    for name in names:
        ann = annotations[name]
        pred, note = fit_to_frames(np.asarray(results[name], dtype=np.float64), len(ann), name)
        if note:
            notes.append(note)
        absent = ann.tags.get("absent")
        s = frame_scores(pred, ann.groundtruth, absent, variant, uav=uav, drop_nan_gt=uav)
        sc = success_curve(s.ious, s.denominator)
        pc = precision_curve(s.errors, s.denominator)
        nc = precision_curve(s.norm_errors, s.denominator, NORM_PRECISION_THRESHOLDS)
        succ.append(sc)
        prec.append(pc)
        nprec.append(nc)
        frames += len(ann)
        n_absent = int(np.sum(absent)) if absent is not None else 0
        absent_total += n_absent
        rows.append({"sequence": name, "frames": len(ann), "absent": n_absent, "auc": auc(sc),
                     "precision": pc[PRECISION_AT], "norm_precision": norm_precision_score(nc, variant),
                     "success_rate": sc[10]})
    if missing:
        notes.append(missing_note(missing))
    sc, pc, nc = (_mean_curve(c, variant) for c in (succ, prec, nprec))
    return OnePassReport(
        benchmark=benchmark, variant=variant, auc=auc(sc), precision=float(pc[PRECISION_AT]),
        norm_precision=norm_precision_score(nc, variant), success_rate=float(sc[10]), success_curve=sc,
        precision_curve=pc, norm_precision_curve=nc, per_sequence=pd.DataFrame(rows).set_index("sequence"),
        sequences=len(names), frames=frames, absent_frames=absent_total, warnings=tuple(notes),
        conventions=conventions(variant),
        sequence_weights={"auc": curve_weights(succ, variant), "precision": curve_weights(prec, variant),
                          "norm_precision": curve_weights(nprec, variant),
                          "success_rate": curve_weights(succ, variant)},
    )
