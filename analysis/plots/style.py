"""Figures of the benchmark report: shared style, atomic saving and the plot result type.

Every plotting function in ``plots_vot``, ``plots_otb`` and ``plots_realtime`` is a pure function of
arrays / DataFrames (the analysis output) that writes one figure as PNG and PDF and returns a
:class:`PlotResult` holding the exact data it drew, so tests compare the data behind a figure with the
analysis output instead of pixels. Figures are built on :class:`matplotlib.figure.Figure` directly
(no ``pyplot`` global state, the Agg canvas is used for saving), so plotting is safe in worker threads
and never changes the caller's backend.

Plotting functions: ``plots_vot`` (EAO curve, ranking, AR, attributes, speed), ``plots_otb`` (success,
precision), ``plots_realtime`` (frame schedules, baseline vs real-time EAO).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.core.atomic import atomic_target

#: colour of the evaluated run in every figure (published trackers are drawn in greys / a muted palette)
RUN_COLOR = "#d62728"
PUBLISHED_COLOR = "#7f7f7f"
#: colour-blind friendly cycle (Okabe-Ito without the run colour) for several curves
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#999999", "#882255", "#44AA99", "#117733", "#332288", "#AA4499", "#88CCEE", "#DDCC77")


@dataclass(frozen=True)
class PlotStyle:
    """Size and format settings of the report figures.

    The default (6.4 x 4.0 in, 9 pt text) fits a full-width figure in a two-column paper and stays
    readable on screen at 150 dpi.
    """

    width: float = 6.4
    height: float = 4.0
    dpi: int = 150
    font_size: float = 9.0
    formats: tuple[str, ...] = ("png", "pdf")


DEFAULT_STYLE = PlotStyle()


@dataclass(frozen=True)
class PlotResult:
    """One written figure: its files and the data it drew (arrays / DataFrames, as plotted)."""

    name: str
    title: str
    paths: tuple[Path, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def png(self) -> Path | None:
        """The PNG file (used by the HTML/Markdown report), if written."""
        return next((p for p in self.paths if p.suffix == ".png"), None)


def new_figure(style: PlotStyle, width: float | None = None, height: float | None = None) -> Figure:
    """A fresh Agg-backed figure with the style's size and font (no pyplot state involved)."""
    fig = Figure(figsize=(width or style.width, height or style.height), dpi=style.dpi,
                 layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def rc_context(style: PlotStyle):
    """Font settings applied while a figure is built (matplotlib reads them at artist creation)."""

    return mpl.rc_context({
        "font.size": style.font_size,
        "axes.titlesize": style.font_size + 1,
        "axes.labelsize": style.font_size,
        "legend.fontsize": style.font_size - 1,
        "xtick.labelsize": style.font_size - 1,
        "ytick.labelsize": style.font_size - 1,
        "pdf.fonttype": 42,  # TrueType in PDF: editable text, accepted by paper submission systems
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


#: colour of the note a figure carries about what it may not be compared with
NOTE_COLOR = "#8c1515"


def add_note(fig: Figure, note: str | None, style: PlotStyle) -> None:
    """Put ``note`` on the figure itself, above the axes (e.g. "Not VOT2017 data: published VOT2017 scores not
    ranked with this run"), so a PNG pasted elsewhere keeps it; nothing for an empty note."""
    if note:
        fig.suptitle(note, fontsize=style.font_size - 0.5, color=NOTE_COLOR)


def save_figure(fig: Figure, stem: Path, style: PlotStyle) -> tuple[Path, ...]:
    """Write ``fig`` as ``stem.<fmt>`` for each format, atomically (temp file + ``os.replace``)."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in style.formats:
        target = stem.with_name(f"{stem.name}.{fmt}")
        with atomic_target(target, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, dpi=style.dpi)
        paths.append(target)
    return tuple(paths)
