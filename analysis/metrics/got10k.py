"""GOT-10k one-pass scores as the got10k toolkit (G10 0.1.3, ``experiments/got10k.py``) computes them.

* IoU on frames 2..N (frame 1 is the init frame and is excluded), both boxes first "clipped" to the image
  the way G10 ``rect_iou(..., bound=(W, H))`` does it: ``x`` to ``[0, W]``, then ``w`` to ``[0, W - x]``
  (a box starting left of the image keeps its width: this is G10's rule, not a geometric intersection).
* Only frames with ``cover > 0`` (target visible) count when ``cover`` labels exist (val subset).
* **AO** = mean IoU over all kept frames of all runs of all sequences (frame-pooled, not sequence-averaged);
  **SR_t** = fraction of those IoUs ``> t`` for t = 0.5 and 0.75; success curve on 101 thresholds.
* A run file of the wrong length: extra lines ignored, missing last lines NaN boxes = IoU 0 (warned;
  :func:`analysis.io.results.fit_to_frames`; G10 0.1.3 asserts ``b.shape == anno.shape`` and stops).
* Differences from G10, documented: a NaN prediction scores IoU 0 (G10 would propagate NaN into AO);
  the IoU denominator has no ``+eps`` (relative difference < 1e-15).
* Speed = mean of ``1/t`` over every positive, non-NaN per-frame time of all sequences (G10 ``_evaluate``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.regions import iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.results import fit_to_frames

GOT10K_SUCCESS_THRESHOLDS = np.linspace(0.0, 1.0, 101)
CONVENTION = ("G10 (got10k 0.1.3 ExperimentGOT10k): frames 2..N, boxes clipped to the image as G10 does, "
              "cover > 0 only, IoUs of all runs and sequences pooled; AO = mean IoU, SR = mean(IoU > t)")


def clip_boxes_g10(boxes: np.ndarray, width: float, height: float) -> np.ndarray:
    """G10 ``rect_iou`` bound rule on ``(N, 4)`` ``x, y, w, h`` (returns a copy)."""
    b = np.array(boxes, dtype=np.float64, copy=True)
    b[:, 0] = np.clip(b[:, 0], 0, width)
    b[:, 1] = np.clip(b[:, 1], 0, height)
    b[:, 2] = np.clip(b[:, 2], 0, width - b[:, 0])
    b[:, 3] = np.clip(b[:, 3], 0, height - b[:, 1])
    return b


def got10k_ious(pred: np.ndarray, gt: np.ndarray, size: tuple[int, int] | None,
                cover: np.ndarray | None = None) -> np.ndarray:
    """IoUs of one run on frames 2..N (clipped when ``size`` is known, ``cover > 0`` frames only)."""
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.shape != gt.shape:
        raise ValueError(f"run has {pred.shape} boxes but the ground truth is {gt.shape}")
    p, g = pred[1:], gt[1:]
    if size is not None and size[0] > 0 and size[1] > 0:
        p, g = clip_boxes_g10(p, *size), clip_boxes_g10(g, *size)
    ious = iou_xywh(p, g)
    if cover is not None:
        ious = ious[np.asarray(cover)[1:] > 0]
    return ious


def speed_fps(times: np.ndarray) -> float:
    """Mean of ``1/t`` over positive, finite times (G10); NaN when there are none."""
    t = np.asarray(times, dtype=np.float64).ravel()
    t = t[np.isfinite(t) & (t > 0)]
    return float(np.mean(1.0 / t)) if len(t) else float("nan")


@dataclass(frozen=True)
class GOT10kReport:
    """Frame-pooled GOT-10k scores plus a per-sequence table."""

    ao: float
    sr50: float
    sr75: float
    speed_fps: float
    success_curve: np.ndarray
    per_sequence: pd.DataFrame
    sequences: int
    frames: int  #: pooled IoU count (kept frames x runs)
    runs: int  #: run files per sequence (max over sequences)
    warnings: tuple[str, ...] = ()
    convention: str = CONVENTION

    def summary(self, curves: bool = False, per_sequence: bool = False) -> dict:
        out = {"ao": self.ao, "sr50": self.sr50, "sr75": self.sr75, "speed_fps": self.speed_fps,
               "sequences": self.sequences, "frames": self.frames, "runs": self.runs,
               "convention": self.convention,
               "conventions": {"ao": "G10: mean IoU, frame-pooled over runs and sequences",
                               "sr50": "G10: mean(IoU > 0.5), frame-pooled",
                               "sr75": "G10: mean(IoU > 0.75), frame-pooled",
                               "speed_fps": "G10: mean(1/t) over all positive per-frame times"},
               "warnings": list(self.warnings)}
        if curves:
            out["curves"] = {"success_thresholds": GOT10K_SUCCESS_THRESHOLDS.tolist(),
                             "success": self.success_curve.tolist()}
        if per_sequence:
            out["per_sequence"] = self.per_sequence.reset_index().to_dict(orient="records")
        return out


def evaluate_got10k(annotations: dict[str, SequenceAnnotation], runs: dict[str, list[np.ndarray]],
                    times: dict[str, np.ndarray] | None = None,
                    warnings: tuple[str, ...] | list[str] = ()) -> GOT10kReport:
    """Score every annotated sequence; each must have at least one run (``ValueError`` otherwise)."""
    notes = list(warnings)
    times = times or {}
    pooled, all_times, rows = [], [], []
    for name, ann in annotations.items():
        if name not in runs or not runs[name]:
            raise ValueError(f"{name}: no result runs (expected {name}/{name}_001.txt)")
        gt = ann.groundtruth
        if np.isnan(gt[1:]).all() and len(gt) > 1:
            raise ValueError(f"{ann.source}: ground truth has only the first box (test subset?); "
                             "GOT-10k test results are scored by the evaluation server only")
        cover = ann.tags.get("cover")
        size = (ann.width, ann.height) if ann.width > 0 and ann.height > 0 else None
        if size is None:
            notes.append(f"{name}: image size unknown; boxes not clipped (G10 clips to meta_info resolution)")
        fitted = []
        for i, r in enumerate(runs[name]):  # the harness length rule (analysis.io.results.fit_to_frames)
            r, note = fit_to_frames(r, len(gt), f"{name} run {i + 1}")
            if note:
                notes.append(note)
            fitted.append(r)
        seq_ious = np.concatenate([got10k_ious(r, gt, size, cover) for r in fitted])
        pooled.append(seq_ious)
        t = times.get(name)
        if t is not None:
            all_times.append(np.asarray(t, dtype=np.float64).ravel())
        rows.append({"sequence": name, "runs": len(runs[name]), "frames": len(seq_ious),
                     "ao": float(np.mean(seq_ious)) if len(seq_ious) else np.nan,
                     "sr50": float(np.mean(seq_ious > 0.5)) if len(seq_ious) else np.nan,
                     "sr75": float(np.mean(seq_ious > 0.75)) if len(seq_ious) else np.nan,
                     "speed_fps": speed_fps(t) if t is not None else np.nan})
    if not rows:
        raise ValueError("no annotated sequences to score")
    ious = np.concatenate(pooled)
    if len(ious) == 0:
        raise ValueError("no frame left to score (all covers 0?)")
    curve = np.greater(ious[:, None], GOT10K_SUCCESS_THRESHOLDS[None, :]).mean(0)
    return GOT10kReport(
        ao=float(np.mean(ious)), sr50=float(np.mean(ious > 0.5)), sr75=float(np.mean(ious > 0.75)),
        speed_fps=speed_fps(np.concatenate(all_times)) if all_times else float("nan"),
        success_curve=curve, per_sequence=pd.DataFrame(rows).set_index("sequence"),
        sequences=len(rows), frames=int(len(ious)), runs=max(r["runs"] for r in rows), warnings=tuple(notes),
    )
