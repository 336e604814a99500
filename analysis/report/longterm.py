"""The VOT long-term part of a report (VOT-LT2018 / VOT-LT2019): precision-recall and F-score plots with every
tracker, the F / Pr / Re table with the threshold, per-sequence table.

:func:`score_longterm_results` scores raw result folders (vot-toolkit long-term layout, confidences) with
:func:`analysis.metrics.vot.longterm.score_longterm_runs`; :func:`longterm_part` builds the part from computed
:class:`~analysis.metrics.vot.longterm.LongTermReport` s."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from analysis.io.longterm import load_longterm_annotations, load_longterm_results
from analysis.metrics.compare import Comparison
from analysis.metrics.vot.longterm import DEFAULT_RESOLUTION, VARIANTS, LongTermReport, score_longterm_runs
from analysis.plots.longterm import plot_fscore, plot_precision_recall
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.report.otb import check_one_variant, others_sentence, ranking_section
from analysis.stacks import BenchmarkSpec

DEFAULT_VARIANT = "pyt"  #: as ``siamrpn analyze votlt``: vot-toolkit 0.7.4


def score_longterm_results(folders: Mapping[str, Path], annotations: Path, variant: str | None = None,
                           resolution: int = DEFAULT_RESOLUTION) -> tuple[dict[str, LongTermReport], list[str]]:
    """``({tracker: report}, warnings)`` of every long-term result folder (``<seq>/<seq>_001.txt`` +
    ``_confidence.value``, or ``longterm/<seq>/...``) on the dataset ``annotations`` under ``variant`` (``pyt``
    default, ``leg``, ``pub``). Sequences without runs are left out with a warning, as the other parts do."""
    variant = variant or DEFAULT_VARIANT
    if variant not in VARIANTS:
        raise ValueError(f"VOT long-term: unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    ann = load_longterm_annotations(annotations)
    out: dict[str, LongTermReport] = {}
    warnings: list[str] = []
    for name, folder in folders.items():
        runs, notes = load_longterm_results(folder, ann, allow_missing=True)
        warnings += [f"{name}: {n}" for n in notes]
        out[name] = score_longterm_runs(ann, runs, variant, resolution)
    return out, warnings


def longterm_per_sequence(report: LongTermReport) -> pd.DataFrame:
    """``sequence | precision | recall | fscore | frames | visible``: each sequence's own F maximum (its
    run-averaged curves), as :attr:`LongTermReport.per_sequence` holds it."""
    table = pd.DataFrame.from_dict(report.per_sequence, orient="index")
    return table.rename_axis("sequence").reset_index()


def longterm_part(spec: BenchmarkSpec, tracker: str, reports: Mapping[str, LongTermReport], *, figures: Path,
                  style: PlotStyle = DEFAULT_STYLE, comparison: Comparison | None = None,
                  notes: Sequence[str] = ()) -> ReportPart:
    """The VOT long-term part from computed reports: ``reports[tracker]`` is the run, the others are drawn and
    ranked with it (one variant for all). ``comparison`` adds the ranking with intervals and paired tests;
    ``notes`` go to the warnings. No published long-term numbers are tabulated in :mod:`analysis.published`."""
    check_one_variant(spec, tracker, reports)
    figures = Path(figures)
    run = reports[tracker]
    conv = run.convention
    stem = spec.name.replace("-", "_")
    pr = plot_precision_recall(reports, figures / f"{stem}_pr", title=f"{spec.published} tracking precision-recall "
                                                                      f"({run.variant})", style=style)
    fs = plot_fscore(reports, figures / f"{stem}_fscore", title=f"{spec.published} tracking F-score ({run.variant})",
                     style=style)
    summary = pd.DataFrame([
        ("longterm", "F-score", run.fscore, float("nan"), f"{conv['label']}: max over thresholds of 2 Pr Re / (Pr + Re) "
                                                          "of the sequence-averaged curves"),
        ("longterm", "precision", run.precision, float("nan"), "tracking precision Pr at the F-score threshold"),
        ("longterm", "recall", run.recall, float("nan"), "tracking recall Re at the F-score threshold"),
        ("longterm", "threshold", run.threshold, float("nan"), "confidence threshold of the F-score"),
        ("longterm", "sequences", len(run.per_sequence), float("nan"), ""),
    ], columns=["experiment", "metric", "value", "published", "convention"])
    conventions = [
        ("evaluation", f"{spec.published}: one pass, no resets; the tracker reports a region and a confidence per "
                       "frame (analysis.metrics.vot.longterm)"),
        ("variant", f"{run.variant}: {conv['label']}"),
        ("thresholds", conv["thresholds"] + " (each tracker its own)"),
        ("averaging", conv["averaging"]),
        ("empty subset", conv["empty_subset"]),
        ("published", f"no published {spec.published} table in analysis.published; the official numbers were "
                      "produced by toolkit-legacy (variant leg)"),
    ]
    section = ReportSection(f"{spec.published} long-term evaluation")
    section.paragraphs.append(
        f"{tracker}: F-score {run.fscore:.3f} (Pr {run.precision:.3f}, Re {run.recall:.3f} at confidence threshold "
        f"{run.threshold:.4g}) over {len(run.per_sequence)} sequences, variant {run.variant}."
        + others_sentence(reports, tracker, "and variant"))
    section.figures += [
        (pr, "Tracking precision against tracking recall as the confidence threshold goes from high to low; the "
             "dot marks the F-score threshold; legend = F-score."),
        (fs, "F-score against the normalised threshold index (0 = +inf .. 1 = -inf); the dot marks the maximum."),
    ]
    ranking = pd.DataFrame([{"tracker": k, "fscore": r.fscore, "precision": r.precision, "recall": r.recall,
                             "threshold": r.threshold, "sequences": len(r.per_sequence), "variant": r.variant}
                            for k, r in reports.items()])
    ranking = ranking.sort_values("fscore", ascending=False, kind="stable").reset_index(drop=True)
    section.tables.append(ReportTable(f"{stem}_ranking", f"F-score, precision and recall at the F-score threshold "
                                      f"({run.variant})", ranking, open=True))
    section.tables.append(ReportTable(f"{stem}_per_sequence", f"Per-sequence scores of {tracker} (each sequence's "
                                      "own F maximum)", longterm_per_sequence(run)))
    sections = [section]
    if comparison is not None:
        sections.append(ranking_section(comparison, figures, style, f"{spec.published} raw results, {run.variant}",
                                        "VOT-LT"))
    return ReportPart(summary, tuple(conventions), tuple(sections), tuple(notes), dict(reports))
