"""The report document: sections of paragraphs, figures and tables, rendered to Markdown and HTML (Jinja2
templates in :mod:`analysis.report.template`) and written atomically with one CSV per table."""
from __future__ import annotations

import base64
import html as html_lib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2
import numpy as np
import pandas as pd

from analysis.core.atomic import write_text_atomic
from analysis.plots.style import PlotResult
from analysis.report import template as report_template
from analysis.report.text import content_without_machine_paths

# ----------------------------------------------------------------------------------------------- content


@dataclass
class ReportTable:
    """One table of the report (also written as CSV under ``tables/``, unchanged by ``links``).

    ``links`` maps a value of the first column (a sequence name) to a relative link target (its viewer page,
    ``viewers/<seq>.html``): that cell is rendered as a link in Markdown and HTML. Rows whose ``tracker`` column
    (else first column) is in ``bold`` (a multi-tracker report's baseline) are rendered in bold."""

    name: str
    caption: str
    frame: pd.DataFrame
    open: bool = False
    links: dict[str, str] = field(default_factory=dict)
    bold: tuple[str, ...] = ()


@dataclass
class ReportSection:
    """A titled block: paragraphs, figures (with captions) and tables."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[PlotResult, str]] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)


@dataclass
class ReportContent:
    """Everything the templates render."""

    title: str
    subtitle: str
    summary: pd.DataFrame
    conventions: list[tuple[str, str]]
    sections: list[ReportSection]
    warnings: list[str]
    environment: list[tuple[str, str]]
    #: several trackers: one row per tracker, shown first in the summary (``None``: a one-tracker report)
    trackers: ReportTable | None = None


@dataclass(frozen=True)
class ReportPart:
    """One benchmark's share of a report, built from metrics already computed (no file is read).

    The parts (:func:`~analysis.report.vot.vot_part`, :func:`~analysis.report.otb.otb_part`,
    :func:`~analysis.report.got10k.got10k_part`) return it; a caller (``siamrpn report``, the main job) joins
    parts into one :class:`ReportContent`. ``reports`` are the computed reports the part was drawn from, by
    tracker name, so a caller can check the figures against them.
    """

    summary: pd.DataFrame  #: experiment, metric, value, published, convention
    conventions: tuple[tuple[str, str], ...]
    sections: tuple[ReportSection, ...]
    warnings: tuple[str, ...]
    reports: Mapping[str, Any]
    #: :class:`analysis.metrics.compare.Comparison` of several trackers, when the part ranked them
    comparison: Any = None
    #: :class:`analysis.sequence_lists.BenchmarkMatch`: whether the scored data is the benchmark (VOT, OTB parts)
    match: Any = None


# --------------------------------------------------------------------------------------------- utilities



def _fmt(value: object) -> str:
    """Table cell: 3 decimals for scores, integers (counts) without decimals, blank for NaN."""
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return ""
        if float(value).is_integer() and abs(value) >= 2:
            return f"{value:.0f}"
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


# ------------------------------------------------------------------------------------------- rendering


def _bold_rows(frame: pd.DataFrame, bold: Sequence[str]) -> np.ndarray:
    """Boolean mask of the rows to set in bold: ``tracker`` column (else the first) value in ``bold``."""
    if not bold or not len(frame.columns):
        return np.zeros(len(frame), dtype=bool)
    key = frame["tracker"] if "tracker" in frame.columns else frame.iloc[:, 0]
    return key.astype(str).isin([str(b) for b in bold]).to_numpy()


def _table_markdown(frame: pd.DataFrame, links: Mapping[str, str] | None = None, bold: Sequence[str] = ()) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(_fmt)
    rows = _bold_rows(frame, bold)
    if rows.any():
        shown.loc[rows] = shown.loc[rows].map(lambda v: f"**{v}**" if v else v)
    if links and len(shown.columns):
        first = shown.columns[0]
        shown[first] = [f"[{v}]({links[v]})" if v in links else v for v in shown[first]]
    return shown.to_markdown(index=False, disable_numparse=True)


def _table_html(frame: pd.DataFrame, links: Mapping[str, str] | None = None, bold: Sequence[str] = ()) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(_fmt)
    rows = _bold_rows(frame, bold)
    if (not links and not rows.any()) or not len(shown.columns):
        return shown.to_html(index=False, border=0, escape=True)
    for column in shown.columns:  # escaped here, so that the link and bold cells can carry their markup
        shown[column] = shown[column].map(html_lib.escape)
    if rows.any():
        shown.loc[rows] = shown.loc[rows].map(lambda v: f"<b>{v}</b>" if v else v)
    if not links:
        return shown.to_html(index=False, border=0, escape=False)
    first = shown.columns[0]
    shown[first] = [f'<a href="{html_lib.escape(links[html_lib.unescape(v)])}">{v}</a>'
                    if html_lib.unescape(v) in links else v for v in shown[first]]
    return shown.to_html(index=False, border=0, escape=False)


def _figure_context(result: PlotResult, caption: str, out_dir: Path, embed: bool) -> dict:
    png = result.png
    files = [p.relative_to(out_dir).as_posix() for p in result.paths]
    if png is None:
        src = files[0]
    elif embed:
        src = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    else:
        src = png.relative_to(out_dir).as_posix()
    return {"title": result.title, "src": src, "files": files, "caption": caption}


def _render(content: ReportContent, out_dir: Path, html: bool, embed: bool) -> str:
    content = content_without_machine_paths(content)  # relative paths in the text, not /home/<user>/...


    table = _table_html if html else _table_markdown
    sections = [{
        "title": s.title, "paragraphs": s.paragraphs,
        "figures": [_figure_context(r, c, out_dir, embed and html) for r, c in s.figures],
        "tables": [{"caption": t.caption, "table": table(t.frame, t.links, t.bold), "open": t.open}
                   for t in s.tables],
    } for s in content.sections]
    trackers = None
    if content.trackers is not None:
        trackers = {"caption": content.trackers.caption,
                    "table": table(content.trackers.frame, content.trackers.links, content.trackers.bold)}
    env = jinja2.Environment(autoescape=False, trim_blocks=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    template = env.from_string(report_template.HTML if html else report_template.MARKDOWN)
    return template.render(title=content.title, subtitle=content.subtitle, summary=table(content.summary),
                           conventions=content.conventions, sections=sections, warnings=content.warnings,
                           environment=content.environment, trackers=trackers)


def render_markdown(content: ReportContent, out_dir: Path) -> str:
    """Markdown text of the report (figures linked as files relative to ``out_dir``)."""
    return _render(content, Path(out_dir), html=False, embed=False)


def render_html(content: ReportContent, out_dir: Path, embed: bool = True) -> str:
    """HTML text; ``embed=True`` inlines the PNGs (self-contained file), else links them."""
    return _render(content, Path(out_dir), html=True, embed=embed)


def write_report(content: ReportContent, out_dir: str | Path, embed_figures: bool = True) -> Path:
    """Write ``report.md``, ``report.html`` and ``tables/*.csv`` into ``out_dir``; returns the HTML path."""
    out_dir = Path(out_dir)
    tables = out_dir / "tables"
    write_text_atomic(tables / "summary.csv", content.summary.to_csv(index=False))
    if content.trackers is not None:
        write_text_atomic(tables / f"{content.trackers.name}.csv", content.trackers.frame.to_csv(index=False))
    for section in content.sections:
        for t in section.tables:
            write_text_atomic(tables / f"{t.name}.csv", t.frame.to_csv(index=False))
    write_text_atomic(out_dir / "report.md", render_markdown(content, out_dir))
    html = write_text_atomic(out_dir / "report.html", render_html(content, out_dir, embed=embed_figures))
    _remove_stale(out_dir, content.sections, () if content.trackers is None else (f"{content.trackers.name}.csv",))
    return html


def _remove_stale(out_dir: Path, sections: Sequence[ReportSection], extra: Sequence[str] = ()) -> None:
    """Delete figure/table files of an earlier build in ``out_dir`` that this build did not write."""
    keep = {p.resolve() for s in sections for r, _ in s.figures for p in r.paths}
    keep |= {(out_dir / "tables" / f"{t.name}.csv").resolve() for s in sections for t in s.tables}
    keep.add((out_dir / "tables" / "summary.csv").resolve())
    keep |= {(out_dir / "tables" / name).resolve() for name in extra}
    for folder, suffixes in ((out_dir / "figures", {".png", ".pdf"}), (out_dir / "tables", {".csv"})):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.suffix in suffixes and path.resolve() not in keep:
                    path.unlink()
