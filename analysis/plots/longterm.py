"""VOT long-term figures: tracking precision-recall curves and F-score vs threshold, one line per tracker,
with the F-score maximum marked (:mod:`analysis.metrics.vot.longterm`)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from analysis.metrics.vot.longterm import LongTermReport
from analysis.plots.style import DEFAULT_STYLE, PALETTE, PlotResult, PlotStyle, new_figure, rc_context, save_figure


def _check(reports: Mapping[str, LongTermReport], what: str) -> None:
    if not reports:
        raise ValueError(f"{what}: no tracker given")


def _unit_axes(ax, xlabel: str, ylabel: str, title: str, legend_loc: str) -> None:
    """Labels, both axes on [0, 1], title, grid and legend of a long-term figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc=legend_loc, frameon=True, framealpha=0.9)


def plot_precision_recall(reports: Mapping[str, LongTermReport], out_stem: Path,
                          title: str = "Tracking precision-recall", style: PlotStyle = DEFAULT_STYLE) -> PlotResult:
    """Pr(τ) against Re(τ) per tracker (LEG ``report_precision_recall``'s axes), the F-score point marked."""
    _check(reports, "plot_precision_recall")
    with rc_context(style):
        fig = new_figure(style, width=style.height * 1.1)
        ax = fig.add_subplot()
        for i, (name, rep) in enumerate(reports.items()):
            color = PALETTE[i % len(PALETTE)]
            ax.plot(rep.re_curve, rep.pr_curve, color=color, label=f"{name} [F {rep.fscore:.3f}]")
            ax.plot([rep.recall], [rep.precision], "o", color=color)
        _unit_axes(ax, "Tracking recall", "Tracking precision", title, "lower left")
        paths = save_figure(fig, out_stem, style)
    data = {name: {"recall": rep.re_curve, "precision": rep.pr_curve} for name, rep in reports.items()}
    return PlotResult("longterm_precision_recall", title, paths, data)


def plot_fscore(reports: Mapping[str, LongTermReport], out_stem: Path, title: str = "Tracking F-score",
                style: PlotStyle = DEFAULT_STYLE) -> PlotResult:
    """F(τ) against the normalised threshold index (0 = ``+inf`` .. 1 = ``-inf``, as vot-toolkit's
    "normalized threshold" axis), the maximum marked."""
    _check(reports, "plot_fscore")
    data = {}
    with rc_context(style):
        fig = new_figure(style)
        ax = fig.add_subplot()
        for i, (name, rep) in enumerate(reports.items()):
            color = PALETTE[i % len(PALETTE)]
            x = np.linspace(0, 1, len(rep.f_curve))
            k = int(np.argmax(rep.f_curve))
            ax.plot(x, rep.f_curve, color=color, label=f"{name} [F {rep.fscore:.3f} at τ={rep.threshold:.3g}]")
            ax.plot([x[k]], [rep.f_curve[k]], "o", color=color)
            data[name] = {"x": x, "fscore": rep.f_curve, "thresholds": rep.thresholds}
        _unit_axes(ax, "Normalised threshold (high to low confidence)", "F-score", title, "lower center")
        paths = save_figure(fig, out_stem, style)
    return PlotResult("longterm_fscore", title, paths, data)
