"""OTB one-pass evaluation: success curve / AUC, precision / P@20, normalised precision.

Conventions (``docs/conventions.md``, OTB and GOT-10k):
* Success (OTB ``plotDrawSave.m``, G10 ``ExperimentOTB._calc_curves``, PST): 21 thresholds ``0:0.05:1``,
  a frame succeeds when IoU **>** threshold (strict); curve per sequence, averaged over sequences;
  **AUC = mean of the 21 points** (not a trapezoid).
* Precision (OTB ``calcSeqErrRobust.m``, G10, PST): centre ``x + (w-1)/2``, thresholds 0..50 px, a frame
  succeeds when the centre error **<=** threshold; score = value at 20 px. Sequence-averaged.
* Normalised precision, both published variants, labelled:
  ``g10`` (G10 LaSOT): error divided by ``max(1, gt_wh)``, score = mean over the 51 thresholds 0:0.01:0.5;
  ``pst`` (pysot-toolkit): error divided by ``gt_wh + 1e-16``, score = value at 0.2.
* Invalid ground truth / predictions: ``otb_compat=True`` follows OTB MATLAB exactly (GT with any value
  <= 0: IoU -1 = failure for success, error -1 = success for precision, frame kept in the denominator;
  prediction NaN or w/h <= 0: replaced by the previous frame's box). The default (``otb_compat=False``,
  documented harness rule for new data) drops frames whose GT is NaN or has w/h <= 0 from numerator and
  denominator and scores NaN / non-positive predictions as IoU 0 and infinite centre error.
* First frame: ``first_frame="gt"`` replaces frame 1 of the prediction by the GT (OTB, G10, pysot write the
  init box; IoU 1, error 0 counted); ``"keep"`` scores the tracker's own line 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.core.regions import iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.results import fit_to_frames

#: success thresholds 0, 0.05, ..., 1 (OTB ``0:0.05:1``, G10 ``linspace(0, 1, 21)``)
SUCCESS_THRESHOLDS = np.linspace(0.0, 1.0, 21)
#: precision thresholds 0..50 px (OTB, G10 ``arange(0, 51)``)
PRECISION_THRESHOLDS = np.arange(0, 51, dtype=np.float64)
#: normalised-precision thresholds 0:0.01:0.5 (G10 LaSOT, PST)
NORM_PRECISION_THRESHOLDS = np.linspace(0.0, 0.5, 51)
PRECISION_AT = 20  #: px, OTB ``rankIdx = 21``
NORM_PRECISION_AT = 20  #: index of 0.2 in NORM_PRECISION_THRESHOLDS (PST)


@dataclass(frozen=True)
class OTBSettings:
    """How to score: OTB MATLAB compatibility and what to do with frame 1."""

    first_frame: Literal["gt", "keep"] = "gt"
    otb_compat: bool = False

    def __post_init__(self) -> None:
        if self.first_frame not in ("gt", "keep"):
            raise ValueError(f"first_frame must be 'gt' or 'keep', got {self.first_frame!r}")

    @property
    def convention(self) -> str:
        rules = "OTB MATLAB invalid-box rules" if self.otb_compat else "harness rule: invalid-GT frames dropped"
        first = "frame 1 replaced by GT" if self.first_frame == "gt" else "frame 1 as written by the tracker"
        return f"OTB (success 21 thr strict >, AUC = mean; precision <= 20 px; sequence-averaged); {rules}; {first}"


def curves_summary(success: np.ndarray, precision: np.ndarray, norm_precision: dict[str, np.ndarray],
                   thresholds: tuple[np.ndarray, np.ndarray, np.ndarray] = (
                       SUCCESS_THRESHOLDS, PRECISION_THRESHOLDS, NORM_PRECISION_THRESHOLDS)) -> dict[str, list]:
    """The ``curves`` of a one-pass report's JSON summary: the success, precision and normalised-precision
    curves (``norm_precision``: by key) after their thresholds (success, precision, normalised precision)."""
    success_x, precision_x, norm_x = thresholds
    return {"success_thresholds": success_x.tolist(), "success": success.tolist(),
            "precision_thresholds": precision_x.tolist(), "precision": precision.tolist(),
            "norm_precision_thresholds": norm_x.tolist(), **{k: v.tolist() for k, v in norm_precision.items()}}


def centers(boxes: np.ndarray) -> np.ndarray:
    """Box centres ``(x + (w-1)/2, y + (h-1)/2)`` (OTB / G10 / PST pixel-centre convention)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    return boxes[:, :2] + (boxes[:, 2:] - 1.0) / 2.0


def center_errors(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Euclidean distance between centres, px."""
    return np.linalg.norm(centers(pred) - centers(gt), axis=1)


def normalized_center_errors(pred: np.ndarray, gt: np.ndarray, variant: Literal["g10", "pst"] = "g10") -> np.ndarray:
    """Centre error normalised by the GT size: ``g10`` by ``max(1, gt_wh)``, ``pst`` by ``gt_wh + 1e-16``.

    (PST normalises both centres by the GT size; dividing the difference is the same.)
    """
    gt = np.asarray(gt, dtype=np.float64)
    diff = centers(pred) - centers(gt)
    scale = np.maximum(1.0, gt[:, 2:]) if variant == "g10" else gt[:, 2:] + 1e-16
    if variant not in ("g10", "pst"):
        raise ValueError(f"variant must be 'g10' or 'pst', got {variant!r}")
    return np.linalg.norm(diff / scale, axis=1)


def success_curve(ious: np.ndarray, n_frames: int | None = None, thresholds: np.ndarray = SUCCESS_THRESHOLDS) -> np.ndarray:
    """Fraction of frames with IoU strictly above each threshold (NaN counts as failure).

    ``n_frames`` is the denominator (defaults to ``len(ious)``).
    """
    ious = np.asarray(ious, dtype=np.float64)
    n = len(ious) if n_frames is None else n_frames
    if n == 0:
        return np.full(len(thresholds), np.nan)
    return np.greater(ious[:, None], thresholds[None, :]).sum(0) / n


def precision_curve(errors: np.ndarray, n_frames: int | None = None, thresholds: np.ndarray = PRECISION_THRESHOLDS) -> np.ndarray:
    """Fraction of frames with centre error ``<=`` each threshold (NaN counts as failure)."""
    errors = np.asarray(errors, dtype=np.float64)
    n = len(errors) if n_frames is None else n_frames
    if n == 0:
        return np.full(len(thresholds), np.nan)
    return np.less_equal(errors[:, None], thresholds[None, :]).sum(0) / n


def auc(curve: np.ndarray) -> float:
    """Success AUC = mean of the 21 curve points (OTB ``plotDrawSave.m``)."""
    return float(np.mean(curve))


def otb_robust_predictions(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """OTB ``calcSeqErrRobust.m``: a prediction with NaN or w/h <= 0 takes the previous frame's box
    (only where the GT is defined), frame by frame so runs of bad boxes inherit the last good one."""
    pred = np.array(pred, dtype=np.float64, copy=True)
    bad = np.isnan(pred).any(1) | (pred[:, 2] <= 0) | (pred[:, 3] <= 0)
    bad &= ~np.isnan(gt).any(1)
    bad[0] = False
    if bad.any():
        # index of the last good frame at or before each frame (forward fill)
        idx = np.where(~bad, np.arange(len(pred)), 0)
        np.maximum.accumulate(idx, out=idx)
        pred = pred[idx]
    return pred


@dataclass(frozen=True)
class SequenceScores:
    """Per-frame values and curves of one sequence."""

    ious: np.ndarray
    errors: np.ndarray
    norm_errors_g10: np.ndarray
    norm_errors_pst: np.ndarray
    n_frames: int  #: denominator
    success: np.ndarray
    precision: np.ndarray
    norm_precision_g10: np.ndarray
    norm_precision_pst: np.ndarray


def score_sequence(pred: np.ndarray, gt: np.ndarray, settings: OTBSettings = OTBSettings()) -> SequenceScores:
    """Score one ``(N, 4)`` prediction against ``(N, 4)`` GT under ``settings``."""
    pred = np.array(pred, dtype=np.float64, copy=True)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.shape != gt.shape or gt.ndim != 2 or gt.shape[1] != 4:
        raise ValueError(f"prediction shape {pred.shape} does not match ground truth {gt.shape} (need N x 4)")
    if settings.first_frame == "gt":
        pred[0] = gt[0]
    if settings.otb_compat:
        pred = otb_robust_predictions(pred, gt)
        valid = (gt > 0).all(1)  # NaN > 0 is False: NaN GT is invalid too
        ious = np.full(len(gt), -1.0)
        errs = np.full(len(gt), -1.0)
        nerr_g = np.full(len(gt), -1.0)
        nerr_p = np.full(len(gt), -1.0)
        ious[valid] = iou_xywh(pred[valid], gt[valid])
        errs[valid] = center_errors(pred[valid], gt[valid])
        nerr_g[valid] = normalized_center_errors(pred[valid], gt[valid], "g10")
        nerr_p[valid] = normalized_center_errors(pred[valid], gt[valid], "pst")
        # a NaN prediction that could not be repaired (frame 1 with keep) fails
        for arr, fail in ((ious, -1.0), (errs, np.inf), (nerr_g, np.inf), (nerr_p, np.inf)):
            arr[np.isnan(arr)] = fail
        n = len(gt)
    else:
        valid = np.isfinite(gt).all(1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
        g, p = gt[valid], pred[valid]
        bad_pred = ~np.isfinite(p).all(1) | (p[:, 2] <= 0) | (p[:, 3] <= 0)
        ious = np.where(bad_pred, 0.0, iou_xywh(p, g))
        with np.errstate(invalid="ignore"):
            errs = np.where(bad_pred, np.inf, center_errors(p, g))
            nerr_g = np.where(bad_pred, np.inf, normalized_center_errors(p, g, "g10"))
            nerr_p = np.where(bad_pred, np.inf, normalized_center_errors(p, g, "pst"))
        n = int(valid.sum())
    return SequenceScores(
        ious=ious, errors=errs, norm_errors_g10=nerr_g, norm_errors_pst=nerr_p, n_frames=n,
        success=success_curve(ious, n), precision=precision_curve(errs, n),
        norm_precision_g10=precision_curve(nerr_g, n, NORM_PRECISION_THRESHOLDS),
        norm_precision_pst=precision_curve(nerr_p, n, NORM_PRECISION_THRESHOLDS),
    )


@dataclass(frozen=True)
class OTBReport:
    """Overall OTB scores, curves, per-sequence table and what the harness did to the inputs."""

    auc: float
    precision: float  #: P@20 px
    norm_precision_g10: float  #: mean over 0:0.01:0.5 (G10 LaSOT)
    norm_precision_pst: float  #: value at 0.2 (PST)
    success_rate: float  #: S(0.5) (G10)
    success_curve: np.ndarray
    precision_curve: np.ndarray
    norm_precision_curve_g10: np.ndarray
    norm_precision_curve_pst: np.ndarray
    per_sequence: pd.DataFrame
    sequences: int
    frames: int
    settings: OTBSettings
    warnings: tuple[str, ...] = ()
    convention: str = ""

    def summary(self, curves: bool = False, per_sequence: bool = False) -> dict:
        """JSON-ready dict; every number carries its convention in ``conventions``."""
        out: dict = {
            "auc": self.auc, "precision": self.precision,
            "norm_precision": {"g10": self.norm_precision_g10, "pst": self.norm_precision_pst},
            "success_rate": self.success_rate, "sequences": self.sequences, "frames": self.frames,
            "first_frame": self.settings.first_frame, "otb_compat": self.settings.otb_compat,
            "convention": self.convention,
            "conventions": {
                "auc": "OTB plotDrawSave.m: mean of 21-point success curve, IoU > thr, sequence-averaged",
                "precision": "OTB calcSeqErrRobust.m: centre error <= 20 px, centre x+(w-1)/2, sequence-averaged",
                "norm_precision.g10": "G10 LaSOT: error / max(1, gt_wh), mean over thresholds 0:0.01:0.5",
                "norm_precision.pst": "PST ope_benchmark: error / (gt_wh + 1e-16), value at 0.2",
                "success_rate": "G10: success curve at IoU > 0.5",
            },
            "warnings": list(self.warnings),
        }
        if curves:
            out["curves"] = curves_summary(self.success_curve, self.precision_curve,
                                           {"norm_precision_g10": self.norm_precision_curve_g10,
                                            "norm_precision_pst": self.norm_precision_curve_pst})
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        return out


def evaluate_otb(annotations: dict[str, SequenceAnnotation], results: dict[str, np.ndarray],
                 settings: OTBSettings = OTBSettings(), warnings: tuple[str, ...] | list[str] = (),
                 allow_missing: bool = False) -> OTBReport:
    """Score every sequence present in both ``annotations`` and ``results`` (keys must match).

    A result of the wrong length is fitted by :func:`analysis.io.results.fit_to_frames` (extra boxes ignored,
    missing last boxes NaN = no answer; warned); :func:`~analysis.io.results.load_otb_results` has already
    done so, naming the file, when the boxes come from it. Annotated
    sequences without results raise ``ValueError`` naming them (after the present ones are checked) unless
    ``allow_missing`` (the caller, e.g. :func:`analysis.io.results.load_otb_results`, warns about them).
    """
    notes = list(warnings)
    names = [k for k in annotations if k in results]
    if not names:
        raise ValueError("no sequence has both ground truth and results")
    rows = []
    succ, prec, npg, npp = [], [], [], []
    frames = 0
    for name in names:
        gt = annotations[name].groundtruth
        pred = np.asarray(results[name], dtype=np.float64)
        if gt.ndim != 2 or gt.shape[1] != 4:
            raise ValueError(f"{annotations[name].source or name}: OTB scoring needs x,y,w,h ground truth, got {gt.shape}")
        pred, note = fit_to_frames(pred, len(gt), name)  # the harness rule (analysis.io.results)
        if note:
            notes.append(note)
        s = score_sequence(pred, gt, settings)
        frames += s.n_frames
        succ.append(s.success)
        prec.append(s.precision)
        npg.append(s.norm_precision_g10)
        npp.append(s.norm_precision_pst)
        rows.append({"sequence": name, "frames": s.n_frames, "auc": auc(s.success),
                     "precision": s.precision[PRECISION_AT], "norm_precision_g10": float(np.mean(s.norm_precision_g10)),
                     "norm_precision_pst": s.norm_precision_pst[NORM_PRECISION_AT], "success_rate": s.success[10]})
    missing = [k for k in annotations if k not in results]
    if missing and not allow_missing:
        raise ValueError(f"no results for {len(missing)} of the {len(annotations)} annotated sequences: "
                         + ", ".join(missing[:10]) + (f" ... ({len(missing)} in all)" if len(missing) > 10 else "")
                         + " (allow_missing=True scores the others)")
    table = pd.DataFrame(rows).set_index("sequence")
    empty = table.index[table["frames"] == 0].tolist()
    if empty:
        notes.append(f"sequences without any valid GT frame are left out of the averages: {', '.join(empty)}")
    keep = [i for i, n in enumerate(names) if n not in empty]
    sc = np.mean([succ[i] for i in keep], axis=0)
    pc = np.mean([prec[i] for i in keep], axis=0)
    ngc = np.mean([npg[i] for i in keep], axis=0)
    npc = np.mean([npp[i] for i in keep], axis=0)
    return OTBReport(
        auc=auc(sc), precision=float(pc[PRECISION_AT]), norm_precision_g10=float(np.mean(ngc)),
        norm_precision_pst=float(npc[NORM_PRECISION_AT]), success_rate=float(sc[10]),
        success_curve=sc, precision_curve=pc, norm_precision_curve_g10=ngc, norm_precision_curve_pst=npc,
        per_sequence=table, sequences=len(keep), frames=frames, settings=settings, warnings=tuple(notes),
        convention=settings.convention,
    )
