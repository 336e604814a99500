"""Report part of the VOT2020-2022 short-term stacks (multi-start): A/R table, EAO curve, per-sequence scores,
the unsupervised accuracy, and a note when box output is scored against mask ground truth
(:mod:`analysis.metrics.vot.multistart`, vot-toolkit 0.7.4's rules)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from analysis.io.result_layout import EXPERIMENTS
from analysis.metrics.vot.multistart import (
    BOX_ON_MASKS_NOTE,
    MultiStartReport,
    MultiStartSettings,
    analyze_multistart_folder,
    unsupervised_folder,
)
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.plots.vot import plot_eao_curve
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.stacks import BenchmarkSpec

__all__ = ["MultiStartScores", "score_multistart_results", "multistart_part"]


@dataclass
class MultiStartScores:
    """``reports[experiment][tracker]`` (baseline / realtime) and ``unsupervised[tracker] = (accuracy, table)``."""

    reports: dict[str, dict[str, MultiStartReport]] = field(default_factory=dict)
    unsupervised: dict[str, tuple[float, pd.DataFrame]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def score_multistart_results(spec: BenchmarkSpec, folders: Mapping[str, Path], annotations: Path,
                             corrected: bool = False) -> MultiStartScores:
    """Score every experiment folder of the stack that the first tracker folder holds (the others where they
    have it too)."""
    low, high = spec.eao_interval.as_tuple()
    settings = MultiStartSettings(low=low, high=high, corrected=corrected)
    scores = MultiStartScores()
    first = next(iter(folders.values()))
    for experiment, kind in spec.experiments:
        if not (Path(first) / experiment).is_dir():
            continue
        for name, folder in folders.items():
            if not (Path(folder) / experiment).is_dir():
                scores.notes.append(f"{name}: no {experiment}/ folder; left out of the {experiment} tables")
                continue
            if not EXPERIMENTS[kind].eao:  # the unsupervised one pass: an accuracy alone
                accuracy, table, notes = unsupervised_folder(annotations, folder, experiment, allow_missing=True)
                scores.unsupervised[name] = (accuracy, table)
            else:
                report = analyze_multistart_folder(annotations, folder, experiment, settings, allow_missing=True)
                scores.reports.setdefault(experiment, {})[name] = report
                notes = report.warnings
            scores.notes += [f"{name}/{experiment}: {n}" for n in notes]
    if not scores.reports and not scores.unsupervised:
        raise ValueError(f"{first}: no experiment folder of the {spec.name} stack "
                         f"({', '.join(e for e, _ in spec.experiments)})")
    return scores


def multistart_part(spec: BenchmarkSpec, tracker: str, scores: MultiStartScores, *, figures: Path,
                    style: PlotStyle = DEFAULT_STYLE) -> ReportPart:
    """The part from computed scores: ``tracker`` is the run, other trackers are drawn and tabulated with it."""
    figures = Path(figures)
    stem = spec.name.replace("-", "_")
    rows, conventions, sections, warnings = [], [], [], list(scores.notes)
    low, high = spec.eao_interval.as_tuple()
    conventions.append(("evaluation", f"{spec.published}: multi-start (anchors from anchor.value, forward and "
                                      "backward, no resets), vot-toolkit 0.7.4 analysis "
                                      "(analysis.metrics.vot.multistart, docs/conventions.md)"))
    for experiment, reports in scores.reports.items():
        if tracker not in reports:
            warnings.append(f"{tracker}: no {experiment} results")
            continue
        run = reports[tracker]
        conv = run.summary()["convention"]
        rows += [(experiment, "EAO", run.eao, float("nan"), f"lengths {low}-{high - 1}, divisor {conv['eao']['divisor']}"
                                                             f" ({run.settings.variant})"),
                 (experiment, "accuracy", run.accuracy, float("nan"), conv["accuracy"]),
                 (experiment, "robustness", run.robustness, float("nan"), conv["robustness"])]
        section = ReportSection(f"{spec.published} {experiment} (multi-start)")
        section.paragraphs.append(
            f"{tracker}: EAO {run.eao:.3f}, accuracy {run.accuracy:.3f}, robustness {run.robustness:.3f} over "
            f"{len(run.per_sequence)} sequences and {int(run.per_sequence['runs'].sum())} anchor runs "
            f"({int(run.per_sequence['failures'].sum())} failed: {conv['failure']}).")
        if any(r.box_on_masks for r in reports.values()):
            boxes = [k for k, r in reports.items() if r.box_on_masks]
            section.paragraphs.append(f"Note: {', '.join(boxes)}: {BOX_ON_MASKS_NOTE}.")
            warnings.append(f"{experiment}: {', '.join(boxes)}: {BOX_ON_MASKS_NOTE}")
        curves = {k: r.curve[1:] for k, r in reports.items()}  # curve[j] = phi(j); the plot takes phi(1..)
        plot = plot_eao_curve(curves, (max(low, 1), high - 1), figures / f"{stem}_{experiment}_eao_curve",
                              scores={k: r.eao for k, r in reports.items()}, highlight=tracker,
                              title=f"{spec.published} {experiment}: expected average overlap", style=style)
        section.figures.append((plot, f"EAO curve of the multi-start runs (vot-toolkit's curve, j = 1 .. {high - 1});"
                                      f" the EAO averages lengths {low}-{high - 1}."))
        table = pd.DataFrame([{"tracker": k, "eao": r.eao, "accuracy": r.accuracy, "robustness": r.robustness,
                               "runs": int(r.per_sequence["runs"].sum()),
                               "failed runs": int(r.per_sequence["failures"].sum()), "variant": r.settings.variant}
                              for k, r in reports.items()]).sort_values("eao", ascending=False, kind="stable")
        section.tables.append(ReportTable(f"{stem}_{experiment}_ar", f"{experiment}: EAO, accuracy and robustness",
                                          table.reset_index(drop=True), open=True))
        per = run.per_sequence.reset_index()[["sequence", "accuracy", "robustness", "runs", "failures", "length"]]
        section.tables.append(ReportTable(f"{stem}_{experiment}_per_sequence",
                                          f"Per-sequence scores of {tracker} ({experiment})", per))
        sections.append(section)
    if scores.unsupervised:
        section = ReportSection(f"{spec.published} unsupervised")
        if tracker in scores.unsupervised:
            acc = scores.unsupervised[tracker][0]
            rows.append(("unsupervised", "accuracy", acc, float("nan"),
                         "average_accuracy, burn-in 1, weighted by sequence length"))
            section.paragraphs.append(f"{tracker}: average accuracy {acc:.3f} over one pass from frame 1.")
        table = pd.DataFrame([{"tracker": k, "accuracy": a} for k, (a, _) in scores.unsupervised.items()])
        section.tables.append(ReportTable(f"{stem}_unsupervised", "unsupervised: average accuracy", table, open=True))
        sections.append(section)
    summary = pd.DataFrame(rows, columns=["experiment", "metric", "value", "published", "convention"])
    conventions.append(("published", f"no published {spec.published} table in analysis.published"))
    reports_all = {f"{e}/{k}": r for e, reps in scores.reports.items() for k, r in reps.items()}
    return ReportPart(summary, tuple(conventions), tuple(sections), tuple(warnings), reports_all)
