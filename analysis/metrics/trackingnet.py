"""TrackingNet scores as the official devkit computes them (variant ``tnet``: ``TrackingNet-devkit``
``metrics.py::evaluate``, the code behind the evaluation server and the published TrackingNet numbers).

* Every coordinate of both boxes is rounded (``np.round``: halves to even) before anything else; frame 1 := GT.
* Corners ``x2 = x + w - 1``; intersection side ``max(0, min(x2) - max(x1) + 1)``; areas ``w * h``, so the IoU is
  the continuous IoU of the rounded boxes. Centres ``x + (w + 1) / 2`` (one pixel right of OTB's, which leaves
  the errors unchanged).
* Per sequence, 21 thresholds each: success ``IoU > t`` for ``t = linspace(0, 1, 21)``, precision ``error <= d``
  for ``d = linspace(0, 50, 21)`` px, normalised precision ``error_n <= e`` for ``e = linspace(0, 0.5, 21)``
  with ``error_n`` = the centre offset divided **per axis** by the GT ``w, h``; denominator = all frames; curves
  averaged over sequences.
* Scores = ``np.trapz(curve, x=linspace(0, 1, 21))`` for all three (a trapezoid over the normalised axis, not the
  mean of the points), reported as fractions (the devkit prints x100).
* Differences: the devkit scores a sequence without a submission file with zero boxes; here it is refused
  unless ``allow_missing`` (then left out, with a warning). A frame whose two boxes have no area (0/0) fails, as
  its NaN does in the devkit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.annotation import SequenceAnnotation
from analysis.io.results import fit_to_frames
from analysis.metrics.otb import curves_summary
from analysis.metrics.selection import missing_note, scored_sequences

N_THRESHOLDS = 21
SUCCESS_X = np.linspace(0.0, 1.0, N_THRESHOLDS)
PRECISION_X = np.linspace(0.0, 50.0, N_THRESHOLDS)
NORM_PRECISION_X = np.linspace(0.0, 0.5, N_THRESHOLDS)


def trackingnet_frame_errors(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame ``(IoU, centre error, per-axis normalised error)`` of the devkit (rounded boxes, frame 1 := GT)."""
    pred = np.round(np.array(pred, dtype=np.float64, copy=True))
    gt = np.round(np.asarray(gt, dtype=np.float64))
    if pred.shape != gt.shape or gt.ndim != 2 or gt.shape[1] != 4:
        raise ValueError(f"prediction shape {pred.shape} does not match ground truth {gt.shape} (need N x 4)")
    pred[0] = gt[0]
    x2p, x2g = pred[:, :2] + pred[:, 2:] - 1.0, gt[:, :2] + gt[:, 2:] - 1.0
    side = np.clip(np.round(np.minimum(x2p, x2g) - np.maximum(pred[:, :2], gt[:, :2]) + 1.0), 0.0, None)
    inter = side.prod(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ious = inter / (pred[:, 2:].prod(1) + gt[:, 2:].prod(1) - inter)
        offset = (pred[:, :2] + (pred[:, 2:] + 1.0) / 2.0) - (gt[:, :2] + (gt[:, 2:] + 1.0) / 2.0)
        errors = np.linalg.norm(offset, axis=1)
        norm_errors = np.linalg.norm(offset / gt[:, 2:], axis=1)
    return ious, errors, norm_errors


def trackingnet_curves(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Success, precision and normalised-precision curves (21 points each) of one sequence."""
    ious, errors, norm_errors = trackingnet_frame_errors(pred, gt)
    n = len(ious)
    return (np.greater(ious[:, None], SUCCESS_X).sum(0) / n,
            np.less_equal(errors[:, None], PRECISION_X).sum(0) / n,
            np.less_equal(norm_errors[:, None], NORM_PRECISION_X).sum(0) / n)


def trapezoid_score(curve: np.ndarray) -> float:
    """Devkit score: ``np.trapz(curve, x=linspace(0, 1, 21))``."""
    curve = np.asarray(curve, dtype=np.float64)
    return float(np.sum((curve[1:] + curve[:-1]) / 2.0 * np.diff(SUCCESS_X)))


CONVENTIONS = {
    "auc": "TrackingNet devkit: rounded boxes, IoU > linspace(0,1,21), trapezoid over [0,1], sequence-averaged",
    "precision": "TrackingNet devkit: centre error <= linspace(0,50,21) px, trapezoid over [0,1] (precision AUC)",
    "norm_precision": "TrackingNet devkit: per-axis error / gt_wh <= linspace(0,0.5,21), trapezoid over [0,1]",
}


@dataclass(frozen=True)
class TrackingNetReport:
    """Devkit scores (fractions), curves and the per-sequence table."""

    auc: float
    precision: float
    norm_precision: float
    success_curve: np.ndarray
    precision_curve: np.ndarray
    norm_precision_curve: np.ndarray
    per_sequence: pd.DataFrame
    sequences: int
    frames: int
    warnings: tuple[str, ...] = ()
    conventions: dict[str, str] = field(default_factory=lambda: dict(CONVENTIONS))
    benchmark: str = "trackingnet"
    variant: str = "tnet"

    def summary(self, curves: bool = False, per_sequence: bool = False) -> dict:
        """JSON-ready dict; every score names its convention."""
        out: dict = {"benchmark": self.benchmark, "variant": self.variant, "toolkit": "TrackingNet devkit metrics.py",
                     "auc": self.auc, "precision": self.precision, "norm_precision": self.norm_precision,
                     "sequences": self.sequences, "frames": self.frames, "conventions": dict(self.conventions),
                     "warnings": list(self.warnings)}
        if curves:
            out["curves"] = curves_summary(self.success_curve, self.precision_curve,
                                           {"norm_precision": self.norm_precision_curve},
                                           (SUCCESS_X, PRECISION_X, NORM_PRECISION_X))
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        return out


def evaluate_trackingnet(annotations: dict[str, SequenceAnnotation], results: dict[str, np.ndarray],
                         warnings: tuple[str, ...] | list[str] = (), allow_missing: bool = False) -> TrackingNetReport:
    """Score every annotated sequence with results by the devkit's rules (see the module docstring)."""
    notes = list(warnings)
    names, missing = scored_sequences(annotations, results, allow_missing, "--allow-missing scores the others; the devkit would score them as zero boxes")
    rows, curves = [], []
    frames = 0
    for name in names:
        gt = annotations[name].groundtruth
        pred, note = fit_to_frames(np.asarray(results[name], dtype=np.float64), len(gt), name)
        if note:
            notes.append(note)
        s, p, n = trackingnet_curves(pred, gt)
        curves.append((s, p, n))
        frames += len(gt)
        rows.append({"sequence": name, "frames": len(gt), "auc": trapezoid_score(s), "precision": trapezoid_score(p),
                     "norm_precision": trapezoid_score(n)})
    if missing:
        notes.append(missing_note(missing))
    sc, pc, nc = (np.mean([c[i] for c in curves], axis=0) for i in range(3))
    return TrackingNetReport(auc=trapezoid_score(sc), precision=trapezoid_score(pc), norm_precision=trapezoid_score(nc),
                             success_curve=sc, precision_curve=pc, norm_precision_curve=nc,
                             per_sequence=pd.DataFrame(rows).set_index("sequence"), sequences=len(names),
                             frames=frames, warnings=tuple(notes))
