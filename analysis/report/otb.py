"""The OTB-2015 part of a report: one-pass success and precision plots, ranking and per-sequence tables.

:func:`score_otb_results` scores raw result folders; :func:`otb_part` builds the part from computed
:class:`~analysis.metrics.otb.OTBReport` s (the main job passes the ones it scored)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.core.paths import shared_data_dir
from analysis.io.otb import load_otb_annotations
from analysis.io.results import corner_line_warning, load_otb_results
from analysis.metrics.otb import PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS, OTBReport, OTBSettings, evaluate_otb
from analysis.plots.otb import plot_precision, plot_success
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.baselines import _score_table, normalise_published, published_table, tracker_key
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.stacks import BenchmarkSpec

# -------------------------------------------------------------------------------------------------- OTB


def _otb_compare_dirs(results_dir: Path, compare: Sequence[Path] | None) -> list[Path]:
    """Other trackers' raw result folders: ``compare`` if given, else ``<shared>/results/OTB100/*``."""
    if compare is None:
        root = shared_data_dir() / "results" / "OTB100"
        compare = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    me = Path(results_dir).resolve()
    return [Path(p) for p in compare if Path(p).resolve() != me]


def score_otb_results(results_dir: Path, annotations: Path, tracker: str, compare: Sequence[Path] | None = None,
                      first_frame: str = "gt", otb_compat: bool = False) -> dict[str, OTBReport]:
    """Score raw one-pass results with :func:`analysis.metrics.otb.evaluate_otb`: ``{tracker: report}`` of
    ``results_dir`` first, then the ``compare`` folders (default: the shared ``results/OTB100/*``) by folder
    name. Partial results are scored with a warning, as the VOT part does."""

    ann = load_otb_annotations(annotations)
    settings = OTBSettings(first_frame=first_frame, otb_compat=otb_compat)

    def score(folder: Path) -> OTBReport:
        # a report scores partial results with a warning (as its VOT part does), so missing files are allowed
        res = load_otb_results(folder, ann, allow_missing=True)
        notes = list(res.warnings)
        if res.corner_first_line:
            notes.append(corner_line_warning(res.corner_first_line, first_frame))
        return evaluate_otb(ann, res.boxes, settings, warnings=[f"{folder.name}: {n}" for n in notes],
                            allow_missing=True)

    reports = {tracker: score(Path(results_dir))}
    for folder in _otb_compare_dirs(results_dir, compare):
        name = folder.name if folder.name not in reports else f"{folder.name} ({folder.parent.name})"
        reports[name] = score(folder)
    return reports


def otb_part(spec: BenchmarkSpec, tracker: str, reports: Mapping[str, OTBReport], *, figures: Path,
             style: PlotStyle = DEFAULT_STYLE) -> ReportPart:
    """The OTB-2015 part of a report from computed reports: ``reports[tracker]`` is the run, the others are
    drawn next to it; published-only trackers are listed by their published scores. Figures go to ``figures``."""

    if tracker not in reports:
        raise ValueError(f"OTB part: no report for {tracker!r} (have {', '.join(reports)})")
    figures = Path(figures)
    run = reports[tracker]
    first_frame = run.settings.first_frame
    warnings = [w for r in reports.values() for w in r.warnings]

    published, notes = published_table(spec, "ope")
    warnings += notes
    published = normalise_published(published, warnings)
    raw_keys = {tracker_key(t) for t in reports}
    pub_only = published[~published["tracker"].map(tracker_key).isin(raw_keys)] if len(published) else published
    pub_run = published[published["tracker"].map(tracker_key) == tracker_key(tracker)] if len(published) else published

    success = plot_success({k: r.success_curve for k, r in reports.items()}, figures / "otb_success",
                           thresholds=SUCCESS_THRESHOLDS, highlight=tracker,
                           published_only=_score_table(pub_only, "auc", run.auc), style=style)
    precision = plot_precision({k: r.precision_curve for k, r in reports.items()}, figures / "otb_precision",
                               thresholds=PRECISION_THRESHOLDS, highlight=tracker,
                               published_only=_score_table(pub_only, "precision", run.precision),
                               style=style)

    def pub(col: str) -> float:
        return float(pub_run[col].iloc[0]) if len(pub_run) and col in pub_run and pd.notna(pub_run[col].iloc[0]) else np.nan

    summary = pd.DataFrame([
        ("OPE", "success AUC", run.auc, pub("auc"), "OTB: mean of the 21-point success curve, IoU > thr"),
        ("OPE", "precision @20 px", run.precision, pub("precision"), "OTB: centre error <= 20 px"),
        ("OPE", "success rate @0.5", run.success_rate, np.nan, "G10: success curve at IoU > 0.5"),
        ("OPE", "norm. precision", run.norm_precision_g10, np.nan, "G10 LaSOT: mean over 0:0.01:0.5"),
        ("OPE", "sequences", run.sequences, np.nan, ""),
        ("OPE", "frames", run.frames, np.nan, "frames scored (valid ground truth)"),
    ], columns=["experiment", "metric", "value", "published", "convention"])
    conventions = [
        ("evaluation", "OTB one-pass evaluation (OPE), one run per sequence, no re-initialisation"),
        ("overlap", "continuous IoU of x,y,w,h boxes (OTB/G10/PST), no image-bound clipping"),
        ("scores", run.convention),
        ("first frame", "replaced by the ground truth (OTB/G10/pysot write the init box)" if first_frame == "gt"
         else "scored as written by the tracker"),
        ("published", f"{spec.published} rows of analysis.published (paper tables, pysot model zoo, "
                      "JudasDie/Comparison); each row keeps its source"),
    ]
    compare_names = [k for k in reports if k != tracker]
    section = ReportSection("OTB-2015 one-pass evaluation")
    section.paragraphs.append(
        f"{tracker}: success AUC {run.auc:.3f}, precision@20px {run.precision:.3f} over {run.sequences} sequences "
        f"({run.frames} frames)." + (f" Raw results of {', '.join(compare_names)} are scored with the same code "
                                     "and drawn for comparison." if compare_names else ""))
    section.figures += [
        (success, "Success plot: fraction of frames whose IoU exceeds the threshold, averaged over sequences; "
                  "legend = AUC (mean of the 21 points). Published-only trackers are listed by their published AUC."),
        (precision, "Precision plot: fraction of frames whose centre error is within the threshold; legend = "
                    "precision at 20 px. Published-only trackers are listed by their published precision."),
    ]
    comparison = pd.DataFrame([{"tracker": k, "auc": r.auc, "precision": r.precision, "sequences": r.sequences,
                                "source": "raw results scored here"} for k, r in reports.items()])
    if len(pub_only):
        extra = pub_only.reindex(columns=["tracker", "auc", "precision", "source"]).assign(sequences=np.nan)
        comparison = pd.concat([comparison, extra], ignore_index=True)
    comparison = comparison.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)
    section.tables.append(ReportTable("otb_ranking", "Ranking: raw results and published scores (OTB-2015)", comparison,
                                      open=True))
    section.tables.append(ReportTable("otb_per_sequence", f"Per-sequence scores of {tracker}",
                                      run.per_sequence.reset_index()))
    return ReportPart(summary, tuple(conventions), (section,), tuple(warnings), dict(reports))
