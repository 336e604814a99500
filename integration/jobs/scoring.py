"""Score a tracker's result folders written by :mod:`integration.run` (main job and regression gate).

Nothing is re-implemented: VOT numbers come from :func:`analysis.metrics.vot.analysis.analyze_vot` (LEG conventions:
pooled accuracy with burn-in 10, failures, EAO with 1/#runs weights) and OTB numbers from
:func:`analysis.metrics.otb.evaluate_otb` (OTB: success AUC of the 21-point curve, precision at 20 px).
This module only decides two things the benchmarks leave open for a custom dataset:

* **EAO interval** (:func:`fitted_interval`): LEG's KDE estimate from the sequence lengths
  (``analyze_average_expected_overlap.m::estimate_evaluation_interval``, ported in
  :mod:`analysis.metrics.vot.interval`) when there are at least two distinct lengths; for a single length ``N``
  (one sequence, or all equally long) the KDE is undefined and we use ``[ceil(N/2), N]`` — the upper half
  of the fragment lengths, a project convention stated wherever it is used.
* **OTB ground truth of VOT sequences** (:func:`otb_annotations`): a polygon becomes its area-preserving
  axis-aligned box (pysot/DaSiamRPN ``get_axis_aligned_bbox``, the box the trackers are initialised with).
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from analysis.io.annotation import SequenceAnnotation
from analysis.io.layout import as_boxes
from analysis.io.results import read_box_file
from analysis.io.trajectories import load_tracker_results, result_sequence_names
from analysis.metrics.otb import OTBReport, evaluate_otb
from analysis.metrics.vot.analysis import VOTReport, VOTSettings, analyze_vot
from analysis.metrics.vot.interval import fit_interval
from analysis.stacks import EAOInterval

__all__ = ["fitted_interval", "otb_annotations", "score_vot", "score_otb", "read_otb_boxes", "extra_otb_results"]


def fitted_interval(lengths: Sequence[int]) -> EAOInterval:
    """EAO interval that fits the given sequence lengths: :func:`analysis.metrics.vot.interval.fit_interval`."""
    return fit_interval(lengths)


def otb_annotations(annotations: Mapping[str, SequenceAnnotation]) -> dict[str, SequenceAnnotation]:
    """The same annotations with ``x, y, w, h`` ground truth (polygons -> area-preserving boxes;
    :func:`analysis.io.layout.as_boxes`, as ``siamrpn analyze otb`` reads a VOT folder)."""
    return as_boxes(dict(annotations))


def score_vot(annotations: Mapping[str, SequenceAnnotation], tracker_dir: str | Path, experiment: str,
              interval: EAOInterval | None, *, per_attribute: bool = False) -> VOTReport:
    """:class:`analysis.metrics.vot.analysis.VOTReport` of ``tracker_dir/<experiment>`` (LEG).

    ``interval=None``: the analysis fits it to the annotated lengths (the rule of :func:`fitted_interval`)
    and the report keeps the estimate's description; a given interval is reported as "given".
    ``per_attribute`` adds the per-attribute scores (the main job's report draws them).
    """

    tracker_dir = Path(tracker_dir)
    results = load_tracker_results(tracker_dir, experiment, sequences=list(annotations))
    settings = VOTSettings(variant="leg", interval=None if interval is None else interval.as_tuple())
    # a sequence without results is refused (no allow_missing); result folders without annotation are warned
    return analyze_vot(annotations, results, settings, per_attribute=per_attribute,
                       results_source=str(tracker_dir / experiment),
                       result_names=result_sequence_names(tracker_dir, experiment))


def read_otb_boxes(tracker_dir: str | Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """One-pass boxes ``<tracker_dir>/<seq>.txt`` written by the runner (row 0 = the initial box)."""

    tracker_dir = Path(tracker_dir)
    missing = [n for n in names if not (tracker_dir / f"{n}.txt").is_file()]
    if missing:
        raise FileNotFoundError(f"{tracker_dir}: no one-pass result for {len(missing)} of the {len(names)} "
                                f"annotated sequences: {', '.join(missing)} "
                                f"(expected {tracker_dir / (missing[0] + '.txt')})")
    return {n: read_box_file(tracker_dir / f"{n}.txt") for n in names}


def extra_otb_results(tracker_dir: str | Path, names: Sequence[str]) -> list[str]:
    """Warnings for ``<tracker_dir>/*.txt`` result files whose sequence is not in ``names`` (ignored)."""
    tracker_dir = Path(tracker_dir)
    known = set(names)
    extra = sorted(p.stem for p in tracker_dir.glob("*.txt") if p.is_file() and p.stem not in known
                   and not p.stem.endswith("_time"))
    if not extra:
        return []
    shown = ", ".join(extra[:10]) + (f" ... ({len(extra)} in all)" if len(extra) > 10 else "")
    return [f"{tracker_dir}: {len(extra)} result file(s) without annotation, ignored: {shown}"]


def score_otb(annotations: Mapping[str, SequenceAnnotation], tracker_dir: str | Path) -> OTBReport:
    """:class:`analysis.metrics.otb.OTBReport` of the one-pass results in ``tracker_dir`` (OTB conventions,
    frame 1 = ground truth as OTB/G10/pysot write it). A sequence without a result file is refused
    (:func:`read_otb_boxes`); result files without annotation are ignored with a warning."""

    ann = otb_annotations(annotations)
    boxes = read_otb_boxes(tracker_dir, list(ann))
    return evaluate_otb(ann, boxes, warnings=extra_otb_results(tracker_dir, list(ann)))
