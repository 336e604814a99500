"""OTB / GOT-10k figures: success and precision plots with the run among published trackers.

Conventions (OTB ``plotDrawSave.m``, G10): the success curve is sampled at 21 overlap thresholds
``0, 0.05, ..., 1`` and its score is the AUC = mean of the 21 points; the precision curve is sampled at
0..50 px and its score is P@20. Legends list trackers by score as ``Name [score]``; trackers whose raw
results are not available (published numbers only) are listed by score in a second box without curves.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from analysis.plots.style import (
    DEFAULT_STYLE,
    PALETTE,
    RUN_COLOR,
    PlotResult,
    PlotStyle,
    add_note,
    new_figure,
    rc_context,
    save_figure,
)

#: line styles cycled with the palette (OTB figures use colour + dash to tell many trackers apart)
LINESTYLES = ("-", "--", "-.", ":")


def _curve_plot(
    kind: str,
    curves: Mapping[str, np.ndarray],
    thresholds: np.ndarray,
    scores: Mapping[str, float],
    out_stem: Path,
    highlight: str | None,
    published_only: pd.DataFrame | None,
    max_listed: int,
    xlabel: str,
    ylabel: str,
    title: str,
    legend_loc: str,
    marker_x: float | None,
    style: PlotStyle,
    published_title: str | None = None,
    note: str | None = None,
    legend_title: str = "raw results [score]",
) -> PlotResult:
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if not curves:
        raise ValueError(f"plot_{kind}: no curve given")
    for name, curve in curves.items():
        if np.asarray(curve).shape != thresholds.shape:
            raise ValueError(f"plot_{kind}: curve {name!r} has shape {np.asarray(curve).shape}, "
                             f"thresholds {thresholds.shape}")
    order = sorted(curves, key=lambda k: scores[k], reverse=True)
    data: dict[str, object] = {"thresholds": thresholds, "scores": {k: float(scores[k]) for k in order}}
    listed = pd.DataFrame(columns=["tracker", "score"])
    if published_only is not None and len(published_only):
        listed = (published_only[["tracker", "score"]].dropna().sort_values("score", ascending=False, kind="stable")
                  .head(max_listed).reset_index(drop=True))
    data["published_only"] = listed
    data["note"] = note or ""
    data["legend_title"] = legend_title
    # the run is placed in the published list (marked) so its rank among published-only trackers is visible,
    # unless the list was measured on other data (``published_title`` given): then it stands apart, unranked
    ranked = listed.assign(run=False)
    if len(listed) and highlight in scores and published_title is None:
        ranked = pd.concat([ranked, pd.DataFrame([{"tracker": highlight, "score": scores[highlight], "run": True}])])
        ranked = ranked.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    with rc_context(style):
        fig = new_figure(style, width=style.width + (1.8 if len(listed) else 0.0))
        ax = fig.add_subplot()
        k = 0
        for name in order:
            curve = np.asarray(curves[name], dtype=np.float64)
            data[name] = curve
            label = f"{name} [{scores[name]:.3f}]"
            if name == highlight:
                ax.plot(thresholds, curve, color=RUN_COLOR, lw=2.2, label=label, zorder=4)
            else:
                ax.plot(thresholds, curve, color=PALETTE[k % len(PALETTE)], lw=1.3,
                        ls=LINESTYLES[(k // len(PALETTE)) % len(LINESTYLES)], label=label, zorder=3)
                k += 1
        if marker_x is not None:
            ax.axvline(marker_x, color="0.5", ls=":", lw=1)
        ax.set_xlim(thresholds[0], thresholds[-1])
        ax.set_ylim(0, 1.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3)
        first = ax.legend(loc=legend_loc, frameon=True, framealpha=0.85, title=legend_title)
        if len(listed):
            ax.add_artist(first)
            blank = [Line2D([], [], ls="none")] * len(ranked)
            labels = [f"{'>' if r.run else ' '}{r.score:.3f} {r.tracker}" for r in ranked.itertuples(index=False)]
            box = ax.legend(blank, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
                            frameon=False, handlelength=0, handletextpad=0,
                            title=published_title or "published only\n(no raw results)",
                            prop={"family": "monospace", "size": style.font_size - 1.5})
            for text, is_run in zip(box.get_texts(), ranked["run"]):
                if is_run:
                    text.set_color(RUN_COLOR)
                    text.set_fontweight("bold")
            data["published_panel"] = {"title": box.get_title().get_text(),
                                       "entries": [t.get_text() for t in box.get_texts()]}
        add_note(fig, note, style)
        paths = save_figure(fig, out_stem, style)
    return PlotResult(kind, title, paths, data)


def plot_success(
    curves: Mapping[str, np.ndarray],
    out_stem: Path,
    thresholds: np.ndarray | None = None,
    highlight: str | None = None,
    published_only: pd.DataFrame | None = None,
    max_listed: int = 12,
    title: str = "Success plots of OPE",
    style: PlotStyle = DEFAULT_STYLE,
    scores: Mapping[str, float] | None = None,
    published_title: str | None = None,
    note: str | None = None,
    legend_title: str = "raw results [score]",
) -> PlotResult:
    """Success plot; legend scores are the AUC = mean of the curve's 21 points (OTB convention).

    ``published_only``: columns ``tracker``, ``score`` (published AUC) for trackers without raw results.
    ``scores`` replaces the legend scores (a benchmark whose AUC is not the mean of the points: TrackingNet's
    trapezoid). ``published_title`` titles the published list when it was measured on other data: the run is
    then not placed in it; ``note`` is written on the figure; ``legend_title`` titles the legend of the curves
    (all three for :func:`plot_precision` too).
    """
    thresholds = np.linspace(0.0, 1.0, 21) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    if scores is None:
        scores = {name: float(np.mean(np.asarray(c, dtype=np.float64))) for name, c in curves.items()}
    return _curve_plot("success", curves, thresholds, scores, out_stem, highlight, published_only, max_listed,
                       "overlap threshold", "success rate", title, "lower left", None, style,
                       published_title, note, legend_title)


def plot_precision(
    curves: Mapping[str, np.ndarray],
    out_stem: Path,
    thresholds: np.ndarray | None = None,
    at: float = 20.0,
    highlight: str | None = None,
    published_only: pd.DataFrame | None = None,
    max_listed: int = 12,
    title: str = "Precision plots of OPE",
    style: PlotStyle = DEFAULT_STYLE,
    scores: Mapping[str, float] | None = None,
    xlabel: str = "location error threshold (px)",
    published_title: str | None = None,
    note: str | None = None,
    legend_title: str = "raw results [score]",
) -> PlotResult:
    """Precision plot; legend scores are the precision at ``at`` = 20 px (OTB ``rankIdx = 21``), or ``scores``
    when given (TrackingNet's precision AUC); ``xlabel`` names the axis (normalised precision: no pixels)."""
    thresholds = np.arange(0.0, 51.0) if thresholds is None else np.asarray(thresholds, dtype=np.float64)
    index = int(np.flatnonzero(np.isclose(thresholds, at))[0]) if np.isclose(thresholds, at).any() else None
    if index is None:
        raise ValueError(f"plot_precision: threshold {at} px not among the curve's thresholds")
    if scores is None:
        scores = {name: float(np.asarray(c, dtype=np.float64)[index]) for name, c in curves.items()}
    return _curve_plot("precision", curves, thresholds, scores, out_stem, highlight, published_only, max_listed,
                       xlabel, "precision", title, "lower right", at, style,
                       published_title, note, legend_title)
