"""VOT figures: expected-overlap curve, EAO ranking, accuracy-robustness, per-attribute bars, speed vs EAO.

Pure functions of the analysis output (arrays / DataFrames); each writes PNG + PDF and returns a
:class:`analysis.plots.style.PlotResult` with the data exactly as drawn. Conventions follow the VOT reports
(LEG): the EAO curve is indexed by sequence length ``n = 1..L`` (``curve[n-1] = Φ̂(n)``), the EAO score is
its mean over the interval ``[N_lo, N_hi]`` (shaded), the AR plot puts reliability ``exp(-S·F/N)`` with
``S = 30`` on x and accuracy on y.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.plots.style import (
    DEFAULT_STYLE,
    PALETTE,
    PUBLISHED_COLOR,
    RUN_COLOR,
    PlotResult,
    PlotStyle,
    add_note,
    new_figure,
    rc_context,
    save_figure,
)

#: markers cycled with the palette so published trackers stay distinguishable in greyscale print
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "p", "h", "d")


def _require_columns(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: table lacks column(s) {missing}; has {list(df.columns)}")


#: star colours of the run's points (first experiment, second experiment, ...)
RUN_STAR_COLORS = (RUN_COLOR, "#ff9896", "#8c1515")


def _highlights(highlight: str | Sequence[str] | None) -> list[str]:
    """The run's names as a list (one name or several, e.g. baseline and real-time)."""
    if highlight is None:
        return []
    return [highlight] if isinstance(highlight, str) else list(highlight)


def _minor_label(value: float, _pos=None) -> str:
    """Label the 2x and 5x minor ticks of a log axis (0.2, 0.5, 2, 5, 20, ...), leave the others blank."""
    if value <= 0:
        return ""
    mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
    return f"{value:g}" if mantissa in (2.0, 5.0) else ""


def _legend_run_first(ax, highlight: str | Sequence[str] | None, n: int) -> None:
    """Legend outside the axes on the right, the run's entries first."""
    runs = _highlights(highlight)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: runs.index(labels[i]) if labels[i] in runs else len(runs))
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, ncol=1 if n <= 16 else 2, borderaxespad=0)


def plot_eao_curve(
    curves: Mapping[str, np.ndarray],
    interval: tuple[int, int],
    out_stem: Path,
    scores: Mapping[str, float] | None = None,
    highlight: str | None = None,
    title: str = "Expected average overlap",
    style: PlotStyle = DEFAULT_STYLE,
) -> PlotResult:
    """Expected-overlap curves ``Φ̂(n)`` over sequence length, interval ``[N_lo, N_hi]`` shaded.

    ``curves[name][n-1] = Φ̂(n)``; ``scores[name]`` (the EAO) is drawn as a horizontal segment over the
    interval and shown in the legend. ``highlight`` (the run) is drawn thick in the run colour.
    """
    lo, hi = int(interval[0]), int(interval[1])
    if not curves:
        raise ValueError("plot_eao_curve: no curve given")
    if not 1 <= lo <= hi:
        raise ValueError(f"plot_eao_curve: bad interval {interval!r} (need 1 <= N_lo <= N_hi)")
    scores = dict(scores or {})
    order = sorted(curves, key=lambda k: scores.get(k, -np.inf), reverse=True)
    data: dict[str, object] = {"interval": (lo, hi), "scores": scores}
    with rc_context(style):
        fig = new_figure(style)
        ax = fig.add_subplot()
        ax.axvspan(lo, hi, color="0.88", zorder=0, label=f"interval [{lo}, {hi}]")
        for i, name in enumerate(order):
            curve = np.asarray(curves[name], dtype=np.float64)
            lengths = np.arange(1, curve.size + 1)
            data[name] = curve
            is_run = name == highlight
            color = RUN_COLOR if is_run else PALETTE[i % len(PALETTE)]
            label = f"{name} [{scores[name]:.3f}]" if name in scores else name
            # the run thick and solid underneath, others dashed on top: near-identical curves stay visible
            ax.plot(lengths, curve, color=color, lw=2.4 if is_run else 1.3, ls="-" if is_run else (0, (4, 2)),
                    label=label, zorder=2 if is_run else 3)
            if name in scores:
                ax.hlines(scores[name], lo, hi, colors=color, linestyles=":", lw=1.4, zorder=4)
        longest = max(np.asarray(c).size for c in curves.values())
        ax.set_xlim(1, max(longest, hi + 10))
        ax.set_ylim(0, 1.0)
        ax.set_xlabel("sequence length $N_s$ (frames)")
        ax.set_ylabel(r"expected overlap $\hat\Phi_{N_s}$")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", title="[EAO over interval]", frameon=False)
        paths = save_figure(fig, out_stem, style)
    return PlotResult("eao_curve", title, paths, data)


def _ranking_bars(ax, shown: pd.DataFrame, score: str, highlight: str | None, bounds: list[str], style: PlotStyle,
                  color: str = PUBLISHED_COLOR, slots: int = 0) -> list[str]:
    """Horizontal bars of ``shown`` (ranked, best on top) on ``ax``, room for ``slots`` bars (panels side by side
    keep one bar height); returns the tick labels drawn."""
    n = len(shown)
    y = np.arange(n)
    colors = [RUN_COLOR if t == highlight else color for t in shown["tracker"]]
    values = shown[score].to_numpy(dtype=np.float64)
    ax.barh(y, values, color=colors, height=0.7)
    right = values
    if bounds:
        lo, hi = (shown[c].to_numpy(dtype=np.float64) for c in bounds)
        err = np.vstack([values - lo, hi - values])
        ax.errorbar(values, y, xerr=np.where(np.isfinite(err), err, 0.0), fmt="none", ecolor="black",
                    elinewidth=0.9, capsize=2.5, zorder=4)
        right = np.fmax(values, hi)
    for yi, value, r in zip(y, values, right):
        ax.text(r, yi, f" {value:.3f}", va="center", fontsize=style.font_size - 1.5)
    labels = [f"{r}. {t}" for r, t in zip(shown["rank"], shown["tracker"])]
    ax.set_yticks(y, labels)
    for tick, t in zip(ax.get_yticklabels(), shown["tracker"]):
        if t == highlight:
            tick.set_color(RUN_COLOR)
            tick.set_fontweight("bold")
    ax.set_ylim(max(n, slots) - 0.5, -0.5)  # best on top
    top = float(np.nanmax(right)) if n and np.isfinite(np.nanmax(right)) else 1.0
    ax.set_xlim(0, top * 1.15 if top > 0 else 1.0)
    ax.set_xlabel("expected average overlap (EAO)" if score == "eao" else score)
    ax.grid(axis="x", alpha=0.3)
    return [t.get_text() for t in ax.get_yticklabels()]


def _ranked(table: pd.DataFrame, score: str, bounds: list[str]) -> pd.DataFrame:
    ranked = table[["tracker", score, *bounds]].dropna(subset=[score]).sort_values(score, ascending=False,
                                                                                   kind="stable")
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def plot_eao_ranking(
    table: pd.DataFrame,
    out_stem: Path,
    highlight: str | None = None,
    score: str = "eao",
    title: str = "EAO ranking",
    max_trackers: int = 30,
    style: PlotStyle = DEFAULT_STYLE,
    reference: pd.DataFrame | None = None,
    reference_title: str = "published, other data: not comparable",
    note: str | None = None,
) -> PlotResult:
    """Horizontal bar chart of EAO, best on top, the run (``highlight``) in the run colour.

    ``table`` has columns ``tracker`` and ``score``; at most ``max_trackers`` bars are drawn (the best
    ones, the run always kept). The returned data is the ranked table as drawn, with a ``rank`` column.
    Columns ``<score>_low`` / ``<score>_high`` (bootstrap interval), where present, are drawn as error bars
    (rows without them get none) and kept in the data.

    ``reference`` (``tracker``, ``score``): scores that must not be ranked with ``table`` (published numbers
    measured on other data), drawn in a second panel titled ``reference_title``, ranked among themselves only;
    ``note`` is written on the figure. The data's ``axes`` maps each panel's title to the bar labels drawn in
    it (read back from the axes), ``reference`` holds the second panel's rows.
    """
    _require_columns(table, ("tracker", score), "plot_eao_ranking")
    bounds = [c for c in (f"{score}_low", f"{score}_high") if c in table.columns]
    bounds = bounds if len(bounds) == 2 else []
    ranked = _ranked(table, score, bounds)
    shown = ranked.head(max_trackers)
    if highlight is not None and highlight not in set(shown["tracker"]) and highlight in set(ranked["tracker"]):
        shown = pd.concat([shown.head(max_trackers - 1), ranked[ranked["tracker"] == highlight]])
    shown = shown.reset_index(drop=True)
    ref = None
    if reference is not None and len(reference):
        _require_columns(reference, ("tracker", score), "plot_eao_ranking reference")
        ref = _ranked(reference, score, []).head(max_trackers).reset_index(drop=True)
    n = max(len(shown), len(ref) if ref is not None else 0)
    axes: dict[str, list[str]] = {}
    with rc_context(style):
        if ref is None:
            fig = new_figure(style, height=max(2.2, 0.9 + 0.2 * n))
            ax = fig.add_subplot()
            axes[title] = _ranking_bars(ax, shown, score, highlight, bounds, style)
            ax.set_title(title)
        else:
            fig = new_figure(style, width=style.width * 1.6, height=max(2.6, 1.2 + 0.2 * n))
            ax, ax_ref = fig.subplots(1, 2)
            axes[title] = _ranking_bars(ax, shown, score, highlight, bounds, style, slots=n)
            ax.set_title(title)
            axes[reference_title] = _ranking_bars(ax_ref, ref, score, None, [], style, color="#c7c7c7", slots=n)
            ax_ref.set_title(reference_title)
        add_note(fig, note, style)
        paths = save_figure(fig, out_stem, style)
    data = {"ranking": shown, "axes": axes, "note": note or ""}
    if ref is not None:
        data["reference"] = ref
    return PlotResult("eao_ranking", title, paths, data)


def plot_ar(
    table: pd.DataFrame,
    out_stem: Path,
    highlight: str | Sequence[str] | None = None,
    sensitivity: float = 30.0,
    title: str = "Accuracy-robustness",
    style: PlotStyle = DEFAULT_STYLE,
    note: str | None = None,
) -> PlotResult:
    """AR plot: reliability ``exp(-S·F/N)`` (x, LEG/PYT ``S = 30``) against accuracy (y).

    ``table`` has columns ``tracker``, ``accuracy``, ``reliability``; rows with either missing are left
    out (returned data lists what was drawn). Trackers are identified by marker and legend. Optional columns
    ``accuracy_low|high`` and ``reliability_low|high`` (bootstrap intervals) are drawn as error bars.
    """
    _require_columns(table, ("tracker", "accuracy", "reliability"), "plot_ar")
    bounds = [c for c in ("accuracy_low", "accuracy_high", "reliability_low", "reliability_high") if c in table]
    bounds = bounds if len(bounds) == 4 else []
    points = table[["tracker", "accuracy", "reliability", *bounds]].dropna(
        subset=["accuracy", "reliability"]).reset_index(drop=True)
    with rc_context(style):
        # room for the legend outside the axes (one or two columns), so the axes keep the style's size
        fig = new_figure(style, width=style.width + (1.8 if len(points) <= 16 else 3.6))
        ax = fig.add_subplot()
        k, runs = 0, _highlights(highlight)
        for row in points.itertuples(index=False):
            if row.tracker in runs:
                ax.scatter(row.reliability, row.accuracy, s=140, marker="*", zorder=4, edgecolor="black",
                           color=RUN_STAR_COLORS[runs.index(row.tracker) % len(RUN_STAR_COLORS)], linewidth=0.5,
                           label=row.tracker)
            else:
                ax.scatter(row.reliability, row.accuracy, s=36, marker=MARKERS[k % len(MARKERS)],
                           color=PALETTE[k % len(PALETTE)], zorder=3, label=row.tracker)
                k += 1
        x, y = points["reliability"].to_numpy(), points["accuracy"].to_numpy()
        if bounds and len(points):
            b = {c: points[c].to_numpy(dtype=np.float64) for c in bounds}
            xerr = np.vstack([x - b["reliability_low"], b["reliability_high"] - x])
            yerr = np.vstack([y - b["accuracy_low"], b["accuracy_high"] - y])
            ax.errorbar(x, y, xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="none", ecolor="0.3",
                        elinewidth=0.8, capsize=2, zorder=2)
            x = np.concatenate([x, b["reliability_low"], b["reliability_high"]])
            y = np.concatenate([y, b["accuracy_low"], b["accuracy_high"]])
            x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        if len(points):
            ax.set_xlim(max(0.0, x.min() - 0.05), min(1.0, x.max() + 0.05))
            ax.set_ylim(max(0.0, y.min() - 0.05), min(1.0, y.max() + 0.05))
        ax.set_xlabel(f"robustness (reliability $e^{{-{sensitivity:g} F/N}}$)")
        ax.set_ylabel("accuracy")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        _legend_run_first(ax, highlight, len(points))
        add_note(fig, note, style)
        paths = save_figure(fig, out_stem, style)
    return PlotResult("ar_plot", title, paths, {"points": points, "sensitivity": sensitivity, "note": note or ""})


def plot_attribute_bars(
    table: pd.DataFrame,
    out_stem: Path,
    metrics: tuple[str, ...] = ("eao", "accuracy"),
    overall: Mapping[str, float] | None = None,
    title: str = "Per-attribute performance",
    style: PlotStyle = DEFAULT_STYLE,
) -> PlotResult:
    """Per-attribute bars, one panel per metric, one bar group per attribute, one bar per tracker.

    ``table`` is long-form: columns ``attribute``, the ``metrics``, optionally ``tracker`` (one bar per
    tracker in each group). Metrics absent from the table are skipped. ``overall[metric]`` (the score on
    all frames) is drawn as a dashed reference line.
    """
    _require_columns(table, ("attribute",), "plot_attribute_bars")
    metrics = tuple(m for m in metrics if m in table.columns and table[m].notna().any())
    if not metrics:
        raise ValueError(f"plot_attribute_bars: none of the metrics in the table; has {list(table.columns)}")
    data = table.copy()
    if "tracker" not in data.columns:
        data["tracker"] = ""
    attributes = list(dict.fromkeys(data["attribute"]))
    trackers = list(dict.fromkeys(data["tracker"]))
    width = 0.8 / len(trackers)
    with rc_context(style):
        fig = new_figure(style, height=max(3.0, 1.2 + 0.32 * len(attributes) * max(1, len(trackers) * 0.6)))
        axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
        y = np.arange(len(attributes))
        for ax, metric in zip(axes, metrics):
            for j, tracker in enumerate(trackers):
                sub = data[data["tracker"] == tracker].set_index("attribute").reindex(attributes)
                values = sub[metric].to_numpy(dtype=np.float64)
                color = PALETTE[j % len(PALETTE)] if len(trackers) > 1 else RUN_COLOR
                offset = (j - (len(trackers) - 1) / 2) * width
                ax.barh(y + offset, values, height=width, color=color, label=tracker or None)
                for yi, v in zip(y + offset, values):
                    if np.isfinite(v):  # white box: the value stays readable over the reference line
                        ax.text(v, yi, f" {v:.3f}", va="center", fontsize=style.font_size - 2, zorder=5,
                                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.85})
            if overall and metric in overall and np.isfinite(overall[metric]):
                ax.axvline(overall[metric], color="0.2", ls="--", lw=1, label="all frames" if metric == metrics[0] else None)
            ax.set_yticks(y, [a.replace("_", " ") for a in attributes])
            top = np.nanmax(data[metric].to_numpy(dtype=np.float64))
            ax.set_xlim(0, top * 1.25 if np.isfinite(top) and top > 0 else 1.0)
            ax.set_xlabel(metric.upper() if metric == "eao" else metric)
            ax.grid(axis="x", alpha=0.3)
        axes[0].invert_yaxis()  # shared y: invert once, first attribute on top
        handles, labels = axes[0].get_legend_handles_labels()
        if len(trackers) > 1 or overall:
            fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
        fig.suptitle(title, fontsize=style.font_size + 1)
        paths = save_figure(fig, out_stem, style)
    plotted = data[["tracker", "attribute", *metrics]].reset_index(drop=True)
    return PlotResult("attributes", title, paths, {"table": plotted, "metrics": metrics, "overall": dict(overall or {})})


def plot_speed_vs_eao(
    table: pd.DataFrame,
    out_stem: Path,
    highlight: str | Sequence[str] | None = None,
    speed: str = "efo",
    realtime_line: float | None = None,
    title: str = "Speed vs EAO",
    style: PlotStyle = DEFAULT_STYLE,
    score: str = "eao",
    note: str | None = None,
) -> PlotResult:
    """EAO (or another ``score`` column, e.g. OTB ``auc``) against speed (``speed`` column: ``fps`` or ``efo``;
    log x, score axis from 0), optional real-time line.

    ``table`` has columns ``tracker``, ``score`` and ``speed``; rows missing either are left out. ``highlight``
    names the run's point(s), drawn as stars. The data's ``points`` name the score column ``eao`` for EAO and
    keep the column name otherwise.
    """
    _require_columns(table, ("tracker", score, speed), "plot_speed_vs_eao")
    points = table[["tracker", score, speed]].rename(columns={score: "eao"}).dropna().reset_index(drop=True)
    points = points[points[speed] > 0].reset_index(drop=True)
    with rc_context(style):
        # room for the legend outside the axes (one or two columns), so the axes keep the style's size
        fig = new_figure(style, width=style.width + (1.8 if len(points) <= 16 else 3.6))
        ax = fig.add_subplot()
        k, runs = 0, _highlights(highlight)
        for row in points.itertuples(index=False):
            value = getattr(row, speed)
            if row.tracker in runs:
                ax.scatter(value, row.eao, s=140, marker="*", edgecolor="black", linewidth=0.5, zorder=4,
                           color=RUN_STAR_COLORS[runs.index(row.tracker) % len(RUN_STAR_COLORS)], label=row.tracker)
            else:
                ax.scatter(value, row.eao, s=36, marker=MARKERS[k % len(MARKERS)], color=PALETTE[k % len(PALETTE)],
                           zorder=3, label=row.tracker)
                k += 1
        ax.set_xscale("log")
        if len(points):
            ax.set_ylim(0, max(0.05, float(points["eao"].max()) * 1.15))
            xs = np.append(points[speed].to_numpy(dtype=np.float64), realtime_line or np.nan)
            ax.set_xlim(np.nanmin(xs) / 2.0, np.nanmax(xs) * 2.0)  # at least a decade: readable log ticks
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(FuncFormatter(_minor_label))
        if realtime_line is not None:
            ax.axvline(realtime_line, color="0.4", ls=":", lw=1)
            ax.text(realtime_line, 0.02, f" real-time ({realtime_line:g} {speed.upper()})", rotation=90,
                    va="bottom", ha="right", transform=ax.get_xaxis_transform(), fontsize=style.font_size - 2,
                    color="0.3")
        unit = "EFO (equivalent filter operations)" if speed == "efo" else "frames per second"
        ax.set_xlabel(f"speed, {unit} (log scale)")
        ax.set_ylabel("EAO" if score == "eao" else score.upper() if len(score) <= 3 else score)
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
        _legend_run_first(ax, highlight, len(points))
        add_note(fig, note, style)
        paths = save_figure(fig, out_stem, style)
    return PlotResult("speed_eao", title, paths, {"points": points.rename(columns={"eao": score}), "speed": speed,
                                                  "score": score, "note": note or ""})
