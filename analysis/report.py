"""Markdown + HTML benchmark report: summary, conventions, figures against published baselines, tables.

:func:`build_report` reads raw results (no tracker run), scores them with the project's analysis modules
(``analysis.vot_analysis`` / ``otb_metrics`` / ``got10k_metrics``; nothing is re-implemented here), draws
the figures of ``plots_vot`` / ``plots_otb`` / ``plots_realtime`` with the published trackers of
``analysis.published``, and writes into ``out_dir``::

    report.md, report.html      # HTML embeds the PNGs (self-contained); both link the PNG/PDF files
    figures/<name>.png|.pdf
    tables/<name>.csv           # summary and per-sequence tables

Every file is written atomically (temp file + ``os.replace``).
"""
from __future__ import annotations

import base64
import importlib.metadata
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from analysis.atomic import write_text_atomic
from analysis.plots import DEFAULT_STYLE, PlotResult, PlotStyle
from analysis.published import percentage_notes, shared_data_dir

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchmarkSpec:
    """What the report needs to know about a benchmark: kind, published-table key, default annotations."""

    name: str
    kind: Literal["vot", "otb", "got10k"]
    published: str  #: benchmark key of :func:`analysis.published.published_scores`
    annotations: str | None = None  #: default annotation file under the shared data dir
    realtime_fps: float | None = None  #: frame rate of the official real-time experiment (LEG stack)
    n_sequences: int | None = None


BENCHMARKS: dict[str, BenchmarkSpec] = {
    "vot2015": BenchmarkSpec("vot2015", "vot", "VOT2015", None, None, 60),
    "vot2016": BenchmarkSpec("vot2016", "vot", "VOT2016", None, None, 60),
    # VOT2017 and VOT2018 share sequences and ground truth (toolkit-legacy#175): one annotation file serves both
    "vot2017": BenchmarkSpec("vot2017", "vot", "VOT2017", "annotations/VOT2018.json", 20.0, 60),
    "vot2018": BenchmarkSpec("vot2018", "vot", "VOT2018", "annotations/VOT2018.json", 20.0, 60),
    "otb2015": BenchmarkSpec("otb2015", "otb", "OTB2015", "annotations/OTB2015.json"),
    "got10k": BenchmarkSpec("got10k", "got10k", "GOT-10k"),
}


def detect_benchmark(results_dir: Path) -> str:
    """Guess the benchmark from the results path (``.../VOT2018/DaSiamRPN`` -> ``vot2018``, ``OTB100`` -> otb2015)."""
    text = str(Path(results_dir).resolve()).lower().replace("-", "")
    for year in ("2018", "2017", "2016", "2015"):
        if f"vot{year}" in text:
            return f"vot{year}"
    if "otb" in text:
        return "otb2015"
    if "got10k" in text:
        return "got10k"
    raise ValueError(f"{results_dir}: cannot tell the benchmark from the path; pass --benchmark "
                     f"({'|'.join(BENCHMARKS)})")


# ----------------------------------------------------------------------------------------------- content


@dataclass
class ReportTable:
    """One table of the report (also written as CSV under ``tables/``)."""

    name: str
    caption: str
    frame: pd.DataFrame
    open: bool = False


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


# ------------------------------------------------------------------------------------------- environment


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment_info(device: str = "cpu") -> list[tuple[str, str]]:
    """Versions, device and CPU of the machine that built the report (torch version read without importing it)."""
    return [
        ("date (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")),
        ("python", platform.python_version()),
        ("platform", platform.platform()),
        ("CPU", f"{_cpu_name()} ({os.cpu_count()} logical cores)"),
        ("device", device),
        ("torch", _version("torch")),
        ("numpy", _version("numpy")),
        ("pandas", _version("pandas")),
        ("matplotlib", _version("matplotlib")),
        ("numba", _version("numba")),
        ("vot-toolkit", _version("vot-toolkit")),
        ("got10k", _version("got10k")),
        ("siamrpn-bench commit", _git_commit()),
    ]


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


def tracker_key(name: str) -> str:
    """Name normalised for matching a run with published rows (case and punctuation ignored)."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum() or ch == "+")


def published_table(spec: BenchmarkSpec, experiment: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Published rows of the benchmark (``analysis.published``), or an empty table and a warning."""
    try:
        from analysis.published import published_scores
    except ImportError as exc:  # pragma: no cover - published.py ships with the project
        return pd.DataFrame(columns=["tracker"]), [f"published baselines unavailable ({exc})"]
    table = published_scores(spec.published, experiment)
    return table.reset_index(drop=True), []


# -------------------------------------------------------------------------------------------------- OTB


def _load_otb_annotations(path: Path) -> dict:
    from analysis.annotations_otb import load_otb_folder, load_otb_json

    if path.is_file():
        return load_otb_json(path)
    if path.is_dir():
        return load_otb_folder(path)
    raise FileNotFoundError(f"{path}: OTB annotations not found")


def _otb_compare_dirs(results_dir: Path, compare: Sequence[Path] | None) -> list[Path]:
    """Other trackers' raw result folders: ``compare`` if given, else ``<shared>/results/OTB100/*``."""
    if compare is None:
        root = shared_data_dir() / "results" / "OTB100"
        compare = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    me = Path(results_dir).resolve()
    return [Path(p) for p in compare if Path(p).resolve() != me]


def otb_content(spec: BenchmarkSpec, results_dir: Path, annotations: Path, figures: Path, tracker: str,
                compare: Sequence[Path] | None, first_frame: str, otb_compat: bool, style: PlotStyle,
                ) -> tuple[pd.DataFrame, list[tuple[str, str]], list[ReportSection], list[str], dict]:
    """Summary, conventions, sections and warnings of an OTB-2015 report (one-pass evaluation)."""
    from analysis.cli_analyze import corner_line_warning
    from analysis.otb_metrics import (
        PRECISION_THRESHOLDS,
        SUCCESS_THRESHOLDS,
        OTBSettings,
        evaluate_otb,
    )
    from analysis.otb_results import load_otb_results
    from analysis.plots_otb import plot_precision, plot_success

    ann = _load_otb_annotations(annotations)
    settings = OTBSettings(first_frame=first_frame, otb_compat=otb_compat)

    def score(folder: Path):
        # a report scores partial results with a warning (as its VOT part does), so missing files are allowed
        res = load_otb_results(folder, ann, allow_missing=True)
        notes = list(res.warnings)
        if res.corner_first_line:
            notes.append(corner_line_warning(res.corner_first_line, first_frame))
        return evaluate_otb(ann, res.boxes, settings, warnings=[f"{folder.name}: {n}" for n in notes],
                            allow_missing=True)

    run = score(results_dir)
    reports = {tracker: run}
    for folder in _otb_compare_dirs(results_dir, compare):
        name = folder.name if folder.name not in reports else f"{folder.name} ({folder.parent.name})"
        reports[name] = score(folder)
    warnings = [w for r in reports.values() for w in r.warnings]

    published, notes = published_table(spec, "ope")
    warnings += notes
    published = normalise_published(published, warnings)
    raw_keys = {tracker_key(t) for t in reports}
    pub_only = published[~published["tracker"].map(tracker_key).isin(raw_keys)] if len(published) else published
    pub_run = published[published["tracker"].map(tracker_key) == tracker_key(tracker)] if len(published) else published

    success = plot_success({k: r.success_curve for k, r in reports.items()}, figures / "otb_success",
                           thresholds=SUCCESS_THRESHOLDS, highlight=tracker,
                           published_only=_score_table(pub_only, "auc", run.auc), style=style)
    precision = plot_precision({k: r.precision_curve for k, r in reports.items()}, figures / "otb_precision",
                               thresholds=PRECISION_THRESHOLDS, highlight=tracker,
                               published_only=_score_table(pub_only, "precision", run.precision),
                               style=style)

    def pub(col: str) -> float:
        return float(pub_run[col].iloc[0]) if len(pub_run) and col in pub_run and pd.notna(pub_run[col].iloc[0]) else np.nan

    summary = pd.DataFrame([
        ("OPE", "success AUC", run.auc, pub("auc"), "OTB: mean of the 21-point success curve, IoU > thr"),
        ("OPE", "precision @20 px", run.precision, pub("precision"), "OTB: centre error <= 20 px"),
        ("OPE", "success rate @0.5", run.success_rate, np.nan, "G10: success curve at IoU > 0.5"),
        ("OPE", "norm. precision", run.norm_precision_g10, np.nan, "G10 LaSOT: mean over 0:0.01:0.5"),
        ("OPE", "sequences", run.sequences, np.nan, ""),
        ("OPE", "frames", run.frames, np.nan, "frames scored (valid ground truth)"),
    ], columns=["experiment", "metric", "value", "published", "convention"])
    conventions = [
        ("evaluation", "OTB one-pass evaluation (OPE), one run per sequence, no re-initialisation"),
        ("overlap", "continuous IoU of x,y,w,h boxes (OTB/G10/PST), no image-bound clipping"),
        ("scores", run.convention),
        ("first frame", "replaced by the ground truth (OTB/G10/pysot write the init box)" if first_frame == "gt"
         else "scored as written by the tracker"),
        ("published", f"{spec.published} rows of analysis.published (paper tables, pysot model zoo, "
                      "JudasDie/Comparison); each row keeps its source"),
    ]
    compare_names = [k for k in reports if k != tracker]
    section = ReportSection("OTB-2015 one-pass evaluation")
    section.paragraphs.append(
        f"{tracker}: success AUC {run.auc:.3f}, precision@20px {run.precision:.3f} over {run.sequences} sequences "
        f"({run.frames} frames)." + (f" Raw results of {', '.join(compare_names)} are scored with the same code "
                                     "and drawn for comparison." if compare_names else ""))
    section.figures += [
        (success, "Success plot: fraction of frames whose IoU exceeds the threshold, averaged over sequences; "
                  "legend = AUC (mean of the 21 points). Published-only trackers are listed by their published AUC."),
        (precision, "Precision plot: fraction of frames whose centre error is within the threshold; legend = "
                    "precision at 20 px. Published-only trackers are listed by their published precision."),
    ]
    comparison = pd.DataFrame([{"tracker": k, "auc": r.auc, "precision": r.precision, "sequences": r.sequences,
                                "source": "raw results scored here"} for k, r in reports.items()])
    if len(pub_only):
        extra = pub_only.reindex(columns=["tracker", "auc", "precision", "source"]).assign(sequences=np.nan)
        comparison = pd.concat([comparison, extra], ignore_index=True)
    comparison = comparison.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)
    section.tables.append(ReportTable("otb_ranking", "Ranking: raw results and published scores (OTB-2015)", comparison,
                                      open=True))
    section.tables.append(ReportTable("otb_per_sequence", f"Per-sequence scores of {tracker}",
                                      run.per_sequence.reset_index()))
    return summary, conventions, [section], warnings, {"otb": reports}


def select_published(published: pd.DataFrame, column: str, around: float | None = None, limit: int = 12) -> pd.DataFrame:
    """Published rows with a ``column`` value to show next to the run, at most ``limit``.

    All rows of the project's committed paper tables (the paper's own comparison set) are kept; the rest
    is filled with the published trackers whose score is closest to ``around`` (the run), so a figure shows
    the run's neighbourhood rather than only the newest trackers.
    """
    if not len(published) or column not in published:
        return published.iloc[0:0]
    rows = published[pd.to_numeric(published[column], errors="coerce").notna()]
    committed = rows["table"].notna() if "table" in rows else pd.Series(False, index=rows.index)
    chosen = rows[committed].head(limit)
    rest = rows[~committed]
    if around is not None and np.isfinite(around) and len(rest):
        distance = np.abs(rest[column].to_numpy(dtype=np.float64) - around)
        rest = rest.iloc[np.argsort(distance, kind="stable")]
    return pd.concat([chosen, rest.head(max(0, limit - len(chosen)))])


def _score_table(published: pd.DataFrame, column: str, around: float | None = None, limit: int = 12) -> pd.DataFrame:
    """``tracker, score`` rows for a figure's published-only list (:func:`select_published`)."""
    chosen = select_published(published, column, around, limit)
    if not len(chosen):
        return pd.DataFrame(columns=["tracker", "score"])
    return chosen[["tracker", column]].rename(columns={column: "score"}).reset_index(drop=True)


def normalise_published(table: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Surface the published rows whose percentages ``analysis.published`` converted to fractions."""
    warnings.extend(percentage_notes(table))
    return table


# ---------------------------------------------------------------------------------------------- GOT-10k


def got10k_content(spec: BenchmarkSpec, results_dir: Path, annotations: Path, figures: Path, tracker: str,
                   style: PlotStyle) -> tuple[pd.DataFrame, list[tuple[str, str]], list[ReportSection], list[str], dict]:
    """Summary, conventions and sections of a GOT-10k (validation subset) report."""
    from analysis.annotations_got10k import load_got10k_folder
    from analysis.got10k_metrics import GOT10K_SUCCESS_THRESHOLDS, evaluate_got10k
    from analysis.otb_results import load_got10k_results
    from analysis.plots_otb import plot_success

    ann = load_got10k_folder(annotations)
    res = load_got10k_results(results_dir, list(ann))
    rep = evaluate_got10k(ann, res.runs, res.times, warnings=res.warnings)
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
    return summary, conventions, [section], list(rep.warnings) + notes, {"got10k": rep}


# ------------------------------------------------------------------------------------------- rendering


def _table_markdown(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(_fmt)
    return shown.to_markdown(index=False, disable_numparse=True)


def _table_html(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(_fmt)
    return shown.to_html(index=False, border=0, escape=True)


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
    import jinja2

    from analysis import report_template

    table = _table_html if html else _table_markdown
    sections = [{
        "title": s.title, "paragraphs": s.paragraphs,
        "figures": [_figure_context(r, c, out_dir, embed and html) for r, c in s.figures],
        "tables": [{"caption": t.caption, "table": table(t.frame), "open": t.open} for t in s.tables],
    } for s in content.sections]
    env = jinja2.Environment(autoescape=False, trim_blocks=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    template = env.from_string(report_template.HTML if html else report_template.MARKDOWN)
    return template.render(title=content.title, subtitle=content.subtitle, summary=table(content.summary),
                           conventions=content.conventions, sections=sections, warnings=content.warnings,
                           environment=content.environment)


def render_markdown(content: ReportContent, out_dir: Path) -> str:
    """Markdown text of the report (figures linked as files relative to ``out_dir``)."""
    return _render(content, Path(out_dir), html=False, embed=False)


def render_html(content: ReportContent, out_dir: Path, embed: bool = True) -> str:
    """HTML text; ``embed=True`` inlines the PNGs (self-contained file), else links them."""
    return _render(content, Path(out_dir), html=True, embed=embed)


# ---------------------------------------------------------------------------------------------- build


def assemble_report(
    results_dir: str | Path,
    out_dir: str | Path,
    benchmark: str | None = None,
    annotations: str | Path | None = None,
    *,
    tracker: str | None = None,
    compare: Sequence[str | Path] | None = None,
    device: str = "cpu",
    first_frame: str = "gt",
    otb_compat: bool = False,
    eao_rule: str = "leg",
    realtime_profile: str | None = None,
    style: PlotStyle = DEFAULT_STYLE,
) -> ReportContent:
    """Score the results and draw the figures (into ``out_dir/figures``); returns the content to render.

    Arguments as :func:`build_report`. The figures' :class:`PlotResult` (with the data drawn) are in
    ``content.sections[i].figures``.
    """
    results_dir = Path(results_dir)
    out_dir = Path(out_dir)
    if not results_dir.is_dir():
        raise FileNotFoundError(f"{results_dir}: results folder not found")
    name = (benchmark or detect_benchmark(results_dir)).lower()
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; choose one of {', '.join(BENCHMARKS)}")
    spec = BENCHMARKS[name]
    if annotations is None:
        if spec.annotations is None:
            raise ValueError(f"{name}: no default annotations; pass annotations=PATH (--annotations)")
        annotations = shared_data_dir() / spec.annotations
    annotations = Path(annotations)
    if not annotations.exists():
        raise FileNotFoundError(f"{annotations}: annotations not found")
    if tracker is None:  # the folder name, or its parent's for a VOT experiment folder (<tracker>/baseline)
        tracker = results_dir.parent.name if results_dir.name in ("baseline", "realtime") else results_dir.name
    figures = out_dir / "figures"
    compare_paths = None if compare is None else [Path(p) for p in compare]

    if spec.kind == "otb":
        summary, conventions, sections, warnings, _ = otb_content(
            spec, results_dir, annotations, figures, tracker, compare_paths, first_frame, otb_compat, style)
    elif spec.kind == "got10k":
        summary, conventions, sections, warnings, _ = got10k_content(
            spec, results_dir, annotations, figures, tracker, style)
    else:
        from analysis.report_vot import vot_content

        summary, conventions, sections, warnings, _ = vot_content(
            spec, results_dir, annotations, figures, tracker, compare_paths, eao_rule, realtime_profile, style)
    return ReportContent(
        title=f"{tracker} on {spec.published}",
        subtitle=f"Results: {results_dir}; annotations: {annotations}. Built from raw result files, without "
                 "running a tracker.",
        summary=summary, conventions=conventions, sections=sections, warnings=warnings,
        environment=environment_info(device),
    )


def write_report(content: ReportContent, out_dir: str | Path, embed_figures: bool = True) -> Path:
    """Write ``report.md``, ``report.html`` and ``tables/*.csv`` into ``out_dir``; returns the HTML path."""
    out_dir = Path(out_dir)
    tables = out_dir / "tables"
    write_text_atomic(tables / "summary.csv", content.summary.to_csv(index=False))
    for section in content.sections:
        for t in section.tables:
            write_text_atomic(tables / f"{t.name}.csv", t.frame.to_csv(index=False))
    write_text_atomic(out_dir / "report.md", render_markdown(content, out_dir))
    html = write_text_atomic(out_dir / "report.html", render_html(content, out_dir, embed=embed_figures))
    _remove_stale(out_dir, content.sections)
    return html


def build_report(
    results_dir: str | Path,
    out_dir: str | Path,
    benchmark: str | None = None,
    annotations: str | Path | None = None,
    *,
    tracker: str | None = None,
    compare: Sequence[str | Path] | None = None,
    device: str = "cpu",
    first_frame: str = "gt",
    otb_compat: bool = False,
    eao_rule: str = "leg",
    realtime_profile: str | None = None,
    embed_figures: bool = True,
    style: PlotStyle = DEFAULT_STYLE,
) -> Path:
    """Score the raw results in ``results_dir`` and write the report into ``out_dir``; returns the HTML path.

    ``results_dir``: VOT: one tracker's folder holding ``baseline/`` and/or ``realtime/`` (MATLAB/pysot
    ``<seq>/<seq>_001.txt`` or vot-toolkit layout); OTB: folder of ``<Seq>.txt``; GOT-10k: G10 layout.
    ``benchmark`` (``vot2015..vot2018``, ``otb2015``, ``got10k``) is guessed from the path when omitted;
    ``annotations`` defaults to the benchmark's file under the shared data folder. ``tracker`` names the run
    (default: the folder name); ``compare`` lists other trackers' raw-result folders (OTB default: the shared
    ``results/OTB100/*``); ``eao_rule`` is the VOT convention variant (``leg`` default, ``pst``, ``pyt``);
    ``device`` is recorded in the environment section; ``embed_figures`` inlines the PNGs in the HTML.
    """
    content = assemble_report(results_dir, out_dir, benchmark, annotations, tracker=tracker, compare=compare,
                              device=device, first_frame=first_frame, otb_compat=otb_compat, eao_rule=eao_rule,
                              realtime_profile=realtime_profile, style=style)
    return write_report(content, out_dir, embed_figures)


def _remove_stale(out_dir: Path, sections: Sequence[ReportSection]) -> None:
    """Delete figure/table files of an earlier build in ``out_dir`` that this build did not write."""
    keep = {p.resolve() for s in sections for r, _ in s.figures for p in r.paths}
    keep |= {(out_dir / "tables" / f"{t.name}.csv").resolve() for s in sections for t in s.tables}
    keep.add((out_dir / "tables" / "summary.csv").resolve())
    for folder, suffixes in ((out_dir / "figures", {".png", ".pdf"}), (out_dir / "tables", {".csv"})):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.suffix in suffixes and path.resolve() not in keep:
                    path.unlink()
