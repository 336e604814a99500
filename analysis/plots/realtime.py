"""Real-time experiment figures: per-sequence frame schedules and baseline vs real-time EAO.

In the VOT real-time experiment (LEG ``experiment_realtime.m``, PYT ``RealtimeTrackerRuntime``) frames
arrive at a fixed rate; a frame the tracker was too slow for receives the last reported region
(zero-order hold). The schedule figure shows, for every sequence and frame, what happened under the
chosen profile: processed by the tracker, held (answer reused), skipped (no tracking between a failure and
the re-initialisation), initialisation and failure frames.
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

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


class ScheduleState(IntEnum):
    """What happened at one frame of a real-time run (array form used by the schedule figure)."""

    PADDING = 0  #: beyond the end of a shorter sequence (drawn blank)
    PROCESSED = 1  #: the tracker saw this frame and its answer was in time
    HELD = 2  #: the tracker was late: the frame got the last reported region (zero-order hold)
    SKIPPED = 3  #: not tracked: between a failure and the re-initialisation 5 frames later
    INIT = 4  #: (re-)initialisation frame
    FAILURE = 5  #: failure frame (overlap 0)


#: colours per state, index = state value
STATE_COLORS = ("#ffffff", "#9ecae1", "#fdae6b", "#d9d9d9", "#31a354", RUN_COLOR)
STATE_LABELS = ("", "processed", "held (late answer)", "skipped (after failure)", "initialisation", "failure")


def schedule_matrix(schedules: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """Stack per-sequence state arrays into a ``(n_seq, max_len)`` int8 matrix padded with ``PADDING``."""
    names = list(schedules)
    longest = max((np.asarray(s).size for s in schedules.values()), default=0)
    matrix = np.zeros((len(names), longest), dtype=np.int8)
    for i, name in enumerate(names):
        states = np.asarray(schedules[name], dtype=np.int8)
        if states.size and (states.min() < 0 or states.max() > max(ScheduleState)):
            raise ValueError(f"schedule of {name!r} holds values outside ScheduleState: {np.unique(states)}")
        matrix[i, : states.size] = states
    return names, matrix


def plot_realtime_schedule(
    schedules: Mapping[str, np.ndarray],
    out_stem: Path,
    profile: str = "",
    title: str = "Real-time frame schedule",
    style: PlotStyle = DEFAULT_STYLE,
) -> PlotResult:
    """Raster of frame states (rows = sequences, columns = frames) and the processed fraction per sequence.

    ``schedules[seq]`` is an int array of :class:`ScheduleState` values, one per frame. The processed
    fraction is ``#PROCESSED+INIT / #frames`` (frames whose region came from the tracker's own answer or
    the ground truth at initialisation).
    """
    if not schedules:
        raise ValueError("plot_realtime_schedule: no sequence given")
    names, matrix = schedule_matrix(schedules)
    lengths = np.array([np.asarray(schedules[n]).size for n in names], dtype=np.int64)
    counts = pd.DataFrame(
        {state.name.lower(): (matrix == state).sum(axis=1) for state in ScheduleState if state != ScheduleState.PADDING},
        index=pd.Index(names, name="sequence"),
    )
    counts.insert(0, "frames", lengths)
    counts["processed_fraction"] = (counts["processed"] + counts["init"]) / np.maximum(lengths, 1)
    n = len(names)
    cmap = ListedColormap(STATE_COLORS)
    norm = BoundaryNorm(np.arange(-0.5, len(STATE_COLORS) + 0.5), cmap.N)
    full_title = f"{title} ({profile})" if profile else title
    with rc_context(style):
        fig = new_figure(style, width=style.width + 0.6, height=max(2.5, 1.3 + 0.13 * n))
        grid = fig.add_gridspec(1, 2, width_ratios=(5, 1))
        ax = fig.add_subplot(grid[0])
        ax.imshow(matrix, aspect="auto", interpolation="nearest", cmap=cmap, norm=norm,
                  extent=(0.5, matrix.shape[1] + 0.5, n - 0.5, -0.5))
        # single init/failure frames vanish when a 1000-frame row is rasterised: overlay them as ticks
        for state, marker in ((ScheduleState.INIT, "|"), (ScheduleState.FAILURE, "|")):
            rows, cols = np.nonzero(matrix == state)
            ax.scatter(cols + 1, rows, marker=marker, s=28 if n <= 30 else 14, linewidths=1.2,
                       color=STATE_COLORS[state], zorder=3)
        ax.set_yticks(np.arange(n), names, fontsize=max(4.5, style.font_size - 1 - n / 20))
        ax.set_xlabel("frame")
        ax.set_title(full_title)
        ax.spines[["top", "right"]].set_visible(True)
        side = fig.add_subplot(grid[1], sharey=ax)
        side.barh(np.arange(n), counts["processed_fraction"].to_numpy(), color=PALETTE[0], height=0.8)
        side.set_xlim(0, 1)
        side.set_xlabel("processed\nfraction")
        side.tick_params(labelleft=False)
        side.grid(axis="x", alpha=0.3)
        present = [s for s in ScheduleState if s != ScheduleState.PADDING]
        handles = [Patch(facecolor=STATE_COLORS[s], edgecolor="0.5", label=STATE_LABELS[s]) for s in present]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False,
                   fontsize=style.font_size - 1.5)
        paths = save_figure(fig, out_stem, style)
    return PlotResult("realtime_schedule", full_title, paths, {"sequences": names, "matrix": matrix, "counts": counts})


def plot_baseline_vs_realtime(
    table: pd.DataFrame,
    out_stem: Path,
    highlight: str | None = None,
    title: str = "Baseline vs real-time EAO",
    style: PlotStyle = DEFAULT_STYLE,
    note: str | None = None,
) -> PlotResult:
    """Side-by-side bars of baseline and real-time EAO per tracker (columns ``tracker``, ``baseline``,
    ``realtime``; a tracker may lack one of them), sorted by real-time EAO."""
    for column in ("tracker", "baseline", "realtime"):
        if column not in table.columns:
            raise ValueError(f"plot_baseline_vs_realtime: table lacks column {column!r}; has {list(table.columns)}")
    shown = (table[["tracker", "baseline", "realtime"]].dropna(how="all", subset=["baseline", "realtime"])
             .sort_values(["realtime", "baseline"], ascending=False, na_position="last", kind="stable")
             .reset_index(drop=True))
    n = len(shown)
    with rc_context(style):
        fig = new_figure(style, height=max(2.4, 1.2 + 0.42 * n))
        ax = fig.add_subplot()
        y = np.arange(n)
        for offset, column, color in ((-0.2, "baseline", PALETTE[0]), (0.2, "realtime", PALETTE[1])):
            values = shown[column].to_numpy(dtype=np.float64)
            ax.barh(y + offset, values, height=0.38, color=color, label=column.replace("realtime", "real-time"))
            for yi, v in zip(y + offset, values):
                if np.isfinite(v):
                    ax.text(v, yi, f" {v:.3f}", va="center", fontsize=style.font_size - 1.5)
        ax.set_yticks(y, shown["tracker"])
        for tick, t in zip(ax.get_yticklabels(), shown["tracker"]):
            if t == highlight:
                tick.set_color(RUN_COLOR)
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        top = np.nanmax(shown[["baseline", "realtime"]].to_numpy(dtype=np.float64)) if n else 1.0
        ax.set_xlim(0, top * 1.2)
        ax.set_xlabel("EAO")
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", frameon=True, framealpha=0.9)
        add_note(fig, note, style)
        paths = save_figure(fig, out_stem, style)
    return PlotResult("baseline_vs_realtime", title, paths, {"table": shown, "note": note or ""})
