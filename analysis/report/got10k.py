"""The GOT-10k part of a report: success plot, AO / SR scores and per-sequence table.

:func:`score_got10k_results` scores raw results; :func:`got10k_part` builds the part from the computed report."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.io.got10k import load_got10k_folder
from analysis.io.results import load_got10k_results
from analysis.metrics.got10k import GOT10K_SUCCESS_THRESHOLDS, GOT10kReport, evaluate_got10k
from analysis.plots.otb import plot_success
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.baselines import _score_table, normalise_published, published_table, tracker_key
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.stacks import BenchmarkSpec

# ---------------------------------------------------------------------------------------------- GOT-10k


def score_got10k_results(results_dir: Path, annotations: Path) -> GOT10kReport:
    """Score raw GOT-10k results (``<seq>/<seq>_NNN.txt`` and ``<seq>_time.txt``) on the annotated folder
    with :func:`analysis.metrics.got10k.evaluate_got10k`."""

    ann = load_got10k_folder(annotations)
    res = load_got10k_results(results_dir, list(ann))
    return evaluate_got10k(ann, res.runs, res.times, warnings=res.warnings)


def got10k_part(spec: BenchmarkSpec, tracker: str, rep: GOT10kReport, *, figures: Path,
                style: PlotStyle = DEFAULT_STYLE) -> ReportPart:
    """The GOT-10k (validation subset) part of a report from a computed report; figures go to ``figures``."""

    figures = Path(figures)
    published, notes = published_table(spec, None)
    published = normalise_published(published, notes)
    others = published[published["tracker"].map(tracker_key) != tracker_key(tracker)] if len(published) else published
    success = plot_success({tracker: rep.success_curve}, figures / "got10k_success",
                           thresholds=GOT10K_SUCCESS_THRESHOLDS, highlight=tracker,
                           published_only=_score_table(others, "ao", rep.ao), title="GOT-10k success plot", style=style)
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
                                     "(= AO up to the threshold grid). Published-only: test-set AO."))
    section.tables.append(ReportTable("got10k_per_sequence", f"Per-sequence scores of {tracker}",
                                      rep.per_sequence.reset_index()))
    return ReportPart(summary, tuple(conventions), (section,), tuple(rep.warnings) + tuple(notes), {tracker: rep})
