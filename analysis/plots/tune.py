"""Figures of a hyper-parameter search (``siamrpn tune``): the objective per trial with the best so far, and the
objective against each searched parameter.

Both take the trials table (one row per trial: ``trial``, ``state``, the objective column and one column per
parameter); only trials in state ``COMPLETE`` with a finite objective are drawn.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.plots.style import (
    DEFAULT_STYLE,
    PALETTE,
    RUN_COLOR,
    PlotResult,
    PlotStyle,
    new_figure,
    rc_context,
    save_figure,
)

__all__ = ["completed_trials", "tuning_history", "tuning_parameters"]


def completed_trials(table: pd.DataFrame, objective: str) -> pd.DataFrame:
    """The rows of finished trials with a finite objective, sorted by trial number."""
    done = table[(table["state"] == "COMPLETE") & np.isfinite(pd.to_numeric(table[objective], errors="coerce"))]
    return done.sort_values("trial").reset_index(drop=True)


def tuning_history(table: pd.DataFrame, objective: str, stem: str | Path, label: str | None = None,
                   style: PlotStyle = DEFAULT_STYLE) -> PlotResult:
    """Objective of every completed trial (points) and the best value so far (step line)."""
    done = completed_trials(table, objective)
    trials = done["trial"].to_numpy(dtype=int)
    values = done[objective].to_numpy(dtype=float)
    best = np.maximum.accumulate(values) if values.size else values
    label = label or objective
    with rc_context(style):
        fig = new_figure(style)
        ax = fig.add_subplot()
        ax.plot(trials, values, "o", color=PALETTE[0], label="trial", markersize=4)
        ax.step(trials, best, where="post", color=RUN_COLOR, label="best so far")
        if values.size:
            i = int(np.argmax(values))
            ax.annotate(f"best {values[i]:.3f} (trial {trials[i]})", (trials[i], values[i]),
                        textcoords="offset points", xytext=(4, 6), fontsize=style.font_size - 1)
        ax.set_xlabel("trial")
        ax.set_ylabel(label)
        ax.set_title(f"{label} per trial ({values.size} completed)")
        ax.legend(loc="best")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        paths = save_figure(fig, Path(stem), style)
    return PlotResult(Path(stem).name, f"{label} per trial", paths,
                      {"trial": trials, "value": values, "best": best})


def tuning_parameters(table: pd.DataFrame, objective: str, params: Sequence[str], stem: str | Path,
                      label: str | None = None, style: PlotStyle = DEFAULT_STYLE) -> PlotResult:
    """One panel per parameter: the objective of each completed trial against the parameter's value (colour =
    trial order, the best trial ringed)."""
    done = completed_trials(table, objective)
    values = done[objective].to_numpy(dtype=float)
    label = label or objective
    cols = min(len(params), 2) or 1
    rows = int(np.ceil(len(params) / cols)) or 1
    with rc_context(style):
        fig = new_figure(style, height=style.height * rows / 1.6)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        best = int(np.argmax(values)) if values.size else None
        for ax, name in zip(axes, params):
            x = done[name].to_numpy(dtype=float)
            sc = ax.scatter(x, values, c=done["trial"].to_numpy(dtype=float), cmap="viridis", s=18)
            if best is not None:
                ax.scatter([x[best]], [values[best]], s=80, facecolors="none", edgecolors=RUN_COLOR, linewidths=1.5)
            ax.set_xlabel(name)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        for ax in axes[len(params):]:
            ax.set_visible(False)
        if values.size:
            bar = fig.colorbar(sc, ax=list(axes[:len(params)]), label="trial", shrink=0.8)
            bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(f"{label} against each parameter (best ringed)")
        paths = save_figure(fig, Path(stem), style)
    return PlotResult(Path(stem).name, f"{label} against each parameter", paths,
                      {"value": values, **{n: done[n].to_numpy(dtype=float) for n in params}})
