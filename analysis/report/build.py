"""Build a report from raw result files: pick the benchmark, score the results with its part
(:mod:`~analysis.report.vot`, :mod:`~analysis.report.otb`, :mod:`~analysis.report.got10k`) and write the document."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from analysis.core.paths import shared_data_dir
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.document import ReportContent, write_report
from analysis.report.environment import environment_info
from analysis.report.got10k import got10k_content
from analysis.report.otb import otb_content
from analysis.report.vot import vot_content
from analysis.stacks import BENCHMARKS


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

        summary, conventions, sections, warnings, _ = vot_content(
            spec, results_dir, annotations, figures, tracker, compare_paths, eao_rule, realtime_profile, style)
    return ReportContent(
        title=f"{tracker} on {spec.published}",
        subtitle=f"Results: {results_dir}; annotations: {annotations}. Built from raw result files, without "
                 "running a tracker.",
        summary=summary, conventions=conventions, sections=sections, warnings=warnings,
        environment=environment_info(device),
    )


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
