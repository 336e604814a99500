"""The GOT-10k part of a report: success plot, AO / SR scores and per-sequence table.

:func:`score_got10k_results` scores raw results; :func:`got10k_part` builds the part from the computed report."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.io.got10k import load_got10k_folder
from analysis.io.results import load_got10k_results
from analysis.metrics.compare import Comparison
from analysis.metrics.got10k import GOT10K_SUCCESS_THRESHOLDS, GOT10kReport, evaluate_got10k
from analysis.plots.otb import plot_success
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.baselines import _score_table, normalise_published, published_table, tracker_key
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.report.otb import ranking_section
from analysis.stacks import BenchmarkSpec

# ---------------------------------------------------------------------------------------------- GOT-10k


def score_got10k_results(results_dir: Path, annotations: Path) -> GOT10kReport:
    """Score raw GOT-10k results (``<seq>/<seq>_NNN.txt`` and ``<seq>_time.txt``) on the annotated folder
    with :func:`analysis.metrics.got10k.evaluate_got10k`."""

    ann = load_got10k_folder(annotations)
    res = load_got10k_results(results_dir, list(ann))
    return evaluate_got10k(ann, res.runs, res.times, warnings=res.warnings)


def score_got10k_folders(folders: Mapping[str, Path], annotations: Path) -> dict[str, GOT10kReport]:
    """``{tracker: report}`` of every raw-result folder (:func:`score_got10k_results`), annotations read once."""
    ann = load_got10k_folder(annotations)
    out = {}
    for name, folder in folders.items():
        res = load_got10k_results(folder, list(ann))
        out[name] = evaluate_got10k(ann, res.runs, res.times, warnings=[f"{Path(folder).name}: {w}"
                                                                        for w in res.warnings])
    return out


def got10k_part(spec: BenchmarkSpec, tracker: str, rep: GOT10kReport | Mapping[str, GOT10kReport], *, figures: Path,
                style: PlotStyle = DEFAULT_STYLE, comparison: Comparison | None = None) -> ReportPart:
    """The GOT-10k (validation subset) part of a report from computed reports: ``rep`` is the run's report or
    ``{tracker: report}`` with the run's under ``tracker`` (the others are drawn and ranked with it);
    ``comparison`` (:func:`analysis.metrics.compare.compare_trackers`) adds the ranking with intervals and
    paired tests. Figures go to ``figures``."""

    reports = {tracker: rep} if isinstance(rep, GOT10kReport) else dict(rep)
    if tracker not in reports:
        raise ValueError(f"GOT-10k part: no report for {tracker!r} (have {', '.join(reports)})")
    rep = reports[tracker]
    figures = Path(figures)
    published, notes = published_table(spec, None)
    published = normalise_published(published, notes)
    raw_keys = {tracker_key(t) for t in reports}
    others = published[~published["tracker"].map(tracker_key).isin(raw_keys)] if len(published) else published
    # published GOT-10k numbers are test-set scores (the server's hidden ground truth): never the local data, so
    # they are listed apart and the run is not placed among them (issue 22: like for like only)
    success = plot_success({k: r.success_curve for k, r in reports.items()}, figures / "got10k_success",
                           thresholds=GOT10K_SUCCESS_THRESHOLDS, highlight=tracker,
                           published_only=_score_table(others, "ao"), title="GOT-10k success plot", style=style,
                           published_title="published on the GOT-10k test set,\nother data: not comparable",
                           note="Local GOT-10k subset: published test-set AO not ranked with this run")
    summary = pd.DataFrame([
        ("OPE", "AO", rep.ao, np.nan, "G10: mean IoU, frames 2..N, pooled over runs and sequences"),
        ("OPE", "SR0.5", rep.sr50, np.nan, "G10: mean(IoU > 0.5), pooled"),
        ("OPE", "SR0.75", rep.sr75, np.nan, "G10: mean(IoU > 0.75), pooled"),
        ("OPE", "speed (fps)", rep.speed_fps, np.nan, "G10: mean(1/t) over positive per-frame times"),
        ("OPE", "sequences", rep.sequences, np.nan, ""),
        ("OPE", "runs", rep.runs, np.nan, "repetitions per sequence"),
    ], columns=["experiment", "metric", "value", "published", "convention"])
    conventions = [("evaluation", rep.convention),
                   ("published", "GOT-10k published numbers are test-set scores (server); local scores are on the "
                                 "annotated subset given, so they are indicative only")]
    section = ReportSection("GOT-10k one-pass evaluation")
    section.figures.append((success, "Success plot (101 thresholds, frame-pooled); legend = mean of the curve "
                                     "(= AO up to the threshold grid). Listed apart: published test-set AO (server), "
                                     "other data, so the run is not placed among them."))
    if len(reports) > 1:
        ranking = pd.DataFrame([{"tracker": k, "ao": r.ao, "sr50": r.sr50, "sr75": r.sr75, "speed_fps": r.speed_fps,
                                 "sequences": r.sequences, "runs": r.runs} for k, r in reports.items()])
        ranking = ranking.sort_values("ao", ascending=False, kind="stable").reset_index(drop=True)
        section.paragraphs.append(f"Raw results of {', '.join(k for k in reports if k != tracker)} are scored with "
                                  "the same code (G10) and drawn with the run.")
        section.tables.append(ReportTable("got10k_ranking", "Ranking of the raw results (G10, frame-pooled)", ranking,
                                          open=True))
    section.tables.append(ReportTable("got10k_per_sequence", f"Per-sequence scores of {tracker}",
                                      rep.per_sequence.reset_index()))
    sections = [section]
    if comparison is not None:
        sections.append(ranking_section(comparison, figures, style, "GOT-10k raw results", "GOT-10k"))
    warnings = tuple(w for r in reports.values() for w in r.warnings) + tuple(notes)
    return ReportPart(summary, tuple(conventions), tuple(sections), warnings, reports)
