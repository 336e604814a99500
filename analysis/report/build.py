"""Build a report from raw result files (``siamrpn report``): pick the benchmark, score the results with its
scorer, build its part (:mod:`~analysis.report.vot`, :mod:`~analysis.report.otb`,
:mod:`~analysis.report.got10k`, :mod:`~analysis.report.onepass`, :mod:`~analysis.report.longterm`) from those
scores and write the document. Callers that have scored already (the main job) call the ``*_part`` functions
directly. Per-sequence tables link the sequences' viewer pages when ``ReportRequest.viewers`` holds them."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote

from analysis.core.atomic import write_text_atomic
from analysis.core.paths import shared_data_dir
from analysis.io.annotation import SequenceAnnotation
from analysis.io.got10k import load_got10k_folder
from analysis.io.longterm import load_longterm_annotations
from analysis.io.otb import match_otb_name
from analysis.io.result_layout import VOT_EXPERIMENT_FOLDERS
from analysis.io.trajectories import result_sequence_names
from analysis.io.vot import load_vot_folder
from analysis.metrics.compare import compare_trackers
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.document import ReportContent, ReportPart, ReportSection, ReportTable, write_report
from analysis.report.environment import environment_info
from analysis.report.got10k import got10k_part, score_got10k_folders
from analysis.report.longterm import longterm_part, score_longterm_results
from analysis.report.multistart import multistart_part, score_multistart_results
from analysis.report.onepass import load_onepass_annotations, onepass_part, score_onepass_results
from analysis.report.otb import otb_folders, otb_part, otb_speeds, score_otb_attributes, score_otb_results
from analysis.report.tables import SCORE_NAMES, latex_table, ranking_table, tracker_summary
from analysis.report.vot import EXPERIMENTS as VOT_EXPERIMENTS
from analysis.report.vot import load_vot_annotations, score_vot_results, vot_part
from analysis.stacks import BENCHMARKS, BenchmarkSpec, LoadOptions

#: path words -> benchmark (the rows' ``path_words``, checked on each folder name of the results path, longest
#: first)
_PATH_WORDS = dict(sorted(((w, k) for k, b in BENCHMARKS.items() for w in b.path_words), key=lambda wk: -len(wk[0])))


def detect_benchmark(results_dir: Path) -> str:
    """Guess the benchmark from the results path (``.../VOT2018/DaSiamRPN`` -> ``vot2018``, ``OTB100`` -> otb2015,
    ``.../LaSOT/...`` -> lasot, ``VOT-LT2018`` -> vot-lt2018)."""
    parts = [p.lower().replace("-", "").replace("_", "") for p in Path(results_dir).resolve().parts]
    for word, key in _PATH_WORDS.items():
        if any(p.startswith(word.replace("_", "")) for p in parts):
            return key
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


@dataclass(frozen=True)
class ReportRequest:
    """What ``siamrpn report`` is asked for: one tracker's raw results, scored and reported into ``out_dir``.

    ``results_dir``: VOT: one tracker's folder holding ``baseline/`` and/or ``realtime/`` (MATLAB/pysot
    ``<seq>/<seq>_001.txt`` or vot-toolkit layout), or one experiment folder; OTB: folder of ``<Seq>.txt``;
    GOT-10k: G10 layout. ``benchmark`` (``vot2015..vot2018``, ``otb2015``, ``got10k``) is guessed from the
    path when omitted; ``annotations`` defaults to the benchmark's file under the shared data folder.
    ``tracker`` names the run (default: the folder name); ``compare`` lists other trackers' raw-result
    folders (OTB default: the shared ``results/OTB100/*``); ``first_frame``/``otb_compat``: OTB conventions;
    ``eao_rule`` is the VOT convention variant (``leg`` default, ``pst``, ``pyt``); ``realtime_profile``
    names the profile the real-time results were produced under; ``device`` is recorded in the environment
    section; ``embed_figures`` inlines the PNGs in the HTML; ``style`` sizes the figures.

    Several trackers: ``ranking=True`` (``siamrpn report`` with several ``--results`` or ``--results-root``)
    ranks the run and the ``compare`` folders together with paired tests against ``baseline`` (default: the
    run) and adds, for OTB, per-attribute success plots and AUC vs speed; ``bootstrap`` > 0 resamples (seed
    ``seed``) give every raw-result tracker its intervals, drawn as error bars on the ranking figures (OTB
    ranking, VOT EAO ranking and AR plot). Both default off: a one-tracker report is unchanged.
    """

    results_dir: Path
    out_dir: Path
    benchmark: str | None = None
    annotations: Path | None = None
    _: KW_ONLY
    tracker: str | None = None
    compare: tuple[Path, ...] | None = None
    device: str = "cpu"
    first_frame: str = "gt"
    otb_compat: bool = False
    eao_rule: str = "leg"
    realtime_profile: str | None = None
    embed_figures: bool = True
    style: PlotStyle = DEFAULT_STYLE
    ranking: bool = False
    bootstrap: int = 0
    seed: int = 0
    baseline: str | None = None
    variant: str | None = None
    split: str | None = None
    viewers: Path | None = None
    notes: tuple[str, ...] = ()
    #: score a run whose results cover only some annotated sequences (with a warning); ``siamrpn report`` sets it
    #: from ``--allow-missing`` and otherwise refuses, naming the missing sequences
    allow_missing: bool = True

    def __post_init__(self) -> None:
        # accept str paths and any sequence of folders; store them as Path / tuple (hashable, frozen)
        object.__setattr__(self, "results_dir", Path(self.results_dir))
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.annotations is not None:
            object.__setattr__(self, "annotations", Path(self.annotations))
        if self.compare is not None:
            object.__setattr__(self, "compare", tuple(Path(p) for p in self.compare))
        if self.viewers is not None:
            object.__setattr__(self, "viewers", Path(self.viewers))
        object.__setattr__(self, "notes", tuple(self.notes))


def _resolve(request: ReportRequest) -> tuple[BenchmarkSpec, Path, str]:
    """The benchmark, annotation path and tracker name of a request (defaults filled in, inputs checked)."""
    results_dir = request.results_dir
    if not results_dir.is_dir():
        raise FileNotFoundError(f"{results_dir}: results folder not found")
    name = (request.benchmark or detect_benchmark(results_dir)).lower()
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {request.benchmark!r}; choose one of {', '.join(BENCHMARKS)}")
    spec = BENCHMARKS[name]
    annotations = request.annotations
    if annotations is None:
        if spec.annotations is None:
            raise ValueError(f"{name}: no default annotations; pass annotations=PATH (--annotations)")
        annotations = shared_data_dir() / spec.annotations
    if not annotations.exists():
        raise FileNotFoundError(f"{annotations}: annotations not found")
    tracker = request.tracker
    if tracker is None:  # the folder name, or its parent's for a VOT experiment folder (<tracker>/baseline)
        tracker = (results_dir.parent.name if results_dir.name in VOT_EXPERIMENT_FOLDERS
                   else results_dir.name)
    return spec, annotations, tracker


def resolve_request(request: ReportRequest) -> tuple[BenchmarkSpec, Path, str]:
    """The benchmark, annotation path and run name the report of ``request`` uses (defaults filled in)."""
    return _resolve(request)


def result_folders(request: ReportRequest, tracker: str) -> dict[str, Path]:
    """``{name: folder}`` of the run and the compared folders as the part names them (OTB default: the shared
    ``results/OTB100/*``; other benchmarks: only the folders given)."""
    spec = BENCHMARKS[(request.benchmark or detect_benchmark(request.results_dir)).lower()]
    compare = request.compare if request.compare is not None or REPORT_KINDS[spec.kind].shared_compare else ()
    return otb_folders(request.results_dir, tracker, compare)


def _compare(reports: Mapping[str, object], request: ReportRequest, tracker: str,
             fps: Mapping[str, float] | None = None):
    """:func:`compare_trackers` of ``reports`` with the request's baseline, bootstrap and seed."""
    return compare_trackers(reports, baseline=request.baseline or tracker, bootstrap=request.bootstrap,
                            seed=request.seed, fps=fps)


def _many(request: ReportRequest) -> bool:
    """Several trackers ranked together (``ranking``, ``bootstrap`` or a ``baseline`` asked for)."""
    return request.ranking or request.bootstrap > 0 or request.baseline is not None


def _otb_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    figures = request.out_dir / "figures"
    loaded = spec.loader(annotations, LoadOptions())  # the row's sequences (a subset such as OTB-2013)
    reports = score_otb_results(request.results_dir, annotations, tracker, request.compare,
                                request.first_frame, request.otb_compat, loaded=loaded)
    if not _many(request):
        return otb_part(spec, tracker, reports, figures=figures, style=request.style)
    folders = otb_folders(request.results_dir, tracker, request.compare)
    comparison = _compare(reports, request, tracker, otb_speeds(folders))
    attributes, notes = score_otb_attributes(folders, annotations, request.first_frame, request.otb_compat,
                                             loaded=loaded)
    return otb_part(spec, tracker, reports, figures=figures, style=request.style, comparison=comparison,
                    attributes=attributes, notes=notes)


def _got10k_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    reports = score_got10k_folders(result_folders(request, tracker), annotations)
    comparison = _compare(reports, request, tracker) if _many(request) else None
    part = got10k_part(spec, tracker, reports, figures=request.out_dir / "figures", style=request.style,
                       comparison=comparison)
    return dataclasses.replace(part, comparison=comparison)


def _onepass_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    folders = result_folders(request, tracker)
    ann = load_onepass_annotations(spec, annotations, request.split)
    reports = score_onepass_results(spec, folders, ann, request.variant)
    comparison = _compare(reports, request, tracker, otb_speeds(folders)) if _many(request) else None
    part = onepass_part(spec, tracker, reports, figures=request.out_dir / "figures", style=request.style,
                        comparison=comparison)
    return dataclasses.replace(part, comparison=comparison)


def _multistart_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str
                       ) -> ReportPart:
    scores = score_multistart_results(spec, result_folders(request, tracker), annotations,
                                      corrected=request.variant == "corrected")
    return multistart_part(spec, tracker, scores, figures=request.out_dir / "figures", style=request.style)


def _longterm_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    reports, notes = score_longterm_results(result_folders(request, tracker), annotations, request.variant)
    comparison = _compare(reports, request, tracker) if _many(request) else None
    part = longterm_part(spec, tracker, reports, figures=request.out_dir / "figures", style=request.style,
                         comparison=comparison, notes=notes)
    return dataclasses.replace(part, comparison=comparison)


def _vot_report(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    if request.variant is not None and request.variant != request.eao_rule:
        raise ValueError(f"{spec.name}: variant {request.variant!r} is not a VOT variant (leg, pst, pyt)")
    scores = score_vot_results(spec, request.results_dir, annotations, request.compare, request.eao_rule)
    comparison = None
    if _many(request):
        first = next(iter(scores.runs))
        reports = {tracker: scores.runs[first].report}
        reports.update({name: reps[first].report for name, reps in scores.others.items() if first in reps})
        fps = {tracker: scores.runs[first].fps, **{n: r[first].fps for n, r in scores.others.items() if first in r}}
        comparison = _compare(reports, request, tracker, fps)
    return vot_part(spec, tracker, scores.runs, scores.others, figures=request.out_dir / "figures",
                    variant=request.eao_rule, realtime_profile=request.realtime_profile, notes=scores.notes,
                    style=request.style, comparison=comparison)


@dataclass(frozen=True, kw_only=True)
class ReportKind:
    """How ``siamrpn report`` treats one benchmark kind (:attr:`BenchmarkSpec.kind`): the annotation loader
    ``(spec, path, split)``, the scorer that builds the part from raw results, and whether the shared published
    raw results are compared by default."""

    annotations: Callable[[BenchmarkSpec, Path, str | None], dict[str, SequenceAnnotation]]
    part: Callable[[ReportRequest, BenchmarkSpec, Path, str], ReportPart]
    shared_compare: bool = False
    #: ``(spec, results folder, annotated names) -> [names with results, per result set (experiment)]``
    covered: Callable[[BenchmarkSpec, Path, list[str]], list[set[str]]] = lambda spec, folder, keys: [
        {k for k in (match_otb_name(p.stem, keys) for p in Path(folder).glob("*.txt")) if k}]


def _experiments_covered(experiments: tuple[str, ...], folder: Path) -> list[set[str]]:
    """Sequences with run files in each experiment folder present (or the experiment folder given itself)."""
    folder = Path(folder)
    if folder.name in experiments:
        return [set(result_sequence_names(folder.parent, folder.name))]
    present = [e for e in experiments if (folder / e).is_dir()] or list(experiments[:1])
    return [set(result_sequence_names(folder, e)) for e in present]


#: one row per benchmark kind of :data:`analysis.stacks.BENCHMARKS`
REPORT_KINDS: dict[str, ReportKind] = {
    "vot": ReportKind(annotations=lambda spec, path, split: load_vot_annotations(path), part=_vot_report,
                      covered=lambda spec, folder, keys: _experiments_covered(VOT_EXPERIMENTS, folder)),
    "votms": ReportKind(annotations=lambda spec, path, split: load_vot_folder(path), part=_multistart_report,
                        covered=lambda spec, folder, keys: _experiments_covered(tuple(e for e, _ in spec.experiments),
                                                                                folder)),
    "votlt": ReportKind(annotations=lambda spec, path, split: load_longterm_annotations(path),
                        part=_longterm_report,
                        covered=lambda spec, folder, keys: _experiments_covered(("longterm",), folder)),
    "otb": ReportKind(annotations=lambda spec, path, split: spec.loader(path, LoadOptions()), part=_otb_report,
                      shared_compare=True),
    "got10k": ReportKind(annotations=lambda spec, path, split: load_got10k_folder(path), part=_got10k_report,
                         covered=lambda spec, folder, keys: [{p.name for p in Path(folder).iterdir() if p.is_dir()}]),
    "onepass": ReportKind(annotations=load_onepass_annotations, part=_onepass_report),
    "trackingnet": ReportKind(annotations=load_onepass_annotations, part=_onepass_report),
}


def score_part(request: ReportRequest, spec: BenchmarkSpec, annotations: Path, tracker: str) -> ReportPart:
    """Score the request's raw results with the benchmark's scorer, then build its part from those scores."""
    return REPORT_KINDS[spec.kind].part(request, spec, annotations, tracker)


def report_annotations(request: ReportRequest) -> dict[str, SequenceAnnotation]:
    """The annotations the request's report scores, read with the benchmark's loader (for callers that draw the
    sequences, e.g. the viewer pages of ``siamrpn report --viewers``)."""
    spec, annotations, _ = _resolve(request)
    return REPORT_KINDS[spec.kind].annotations(spec, annotations, request.split)


def link_viewers(sections: tuple[ReportSection, ...] | list[ReportSection], viewers: Path, out_dir: Path) -> int:
    """Link ``viewers/<sequence>.html`` (when the file exists) from the first column of every per-sequence
    table, relative to ``out_dir``; returns the number of sequences linked."""
    linked: set[str] = set()
    for section in sections:
        for table in section.tables:
            frame = table.frame
            if not table.name.endswith("per_sequence") or not len(frame.columns) or frame.columns[0] != "sequence":
                continue
            for name in frame["sequence"].astype(str):
                page = viewers / f"{name}.html"
                if page.is_file():
                    table.links[name] = quote(Path(os.path.relpath(page, out_dir)).as_posix())
                    linked.add(name)
    return len(linked)


def baseline_first(request: ReportRequest) -> ReportRequest:
    """``request`` with the ``baseline`` tracker as the run: when ``baseline`` names a compared folder (and the
    run has no explicit name), that folder becomes ``results_dir`` and the run joins the compared ones, so the
    baseline is the tracker the figures highlight."""
    if request.baseline is None or request.tracker is not None or not request.compare:
        return request
    folders = list(request.compare)
    hit = next((f for f in folders if f.name == request.baseline), None)
    run = request.results_dir
    if hit is None or (run.parent.name if run.name in VOT_EXPERIMENT_FOLDERS else run.name) == \
            request.baseline:
        return request
    folders[folders.index(hit)] = run
    return dataclasses.replace(request, results_dir=hit, compare=tuple(folders))


def dataset_label(spec: BenchmarkSpec, annotations: Path, match=None) -> str:
    """The dataset a report is on: the benchmark when the scored data is it (or cannot be checked: kinds without
    a sequence list), else the annotations' name, scored under the benchmark's conventions."""
    if match is None or match.comparable:
        return spec.published
    name = annotations.stem if annotations.is_file() else annotations.name
    return f"{name} (scored as {spec.published}, not {spec.published} data)"


def result_coverage(request: ReportRequest, spec: BenchmarkSpec, annotations: Path) -> tuple[int, list[str]] | None:
    """``(annotated sequences, the missing ones)`` of the run's results (every result set, e.g. experiment, of the
    run folder checked); ``None`` when the folder's layout gives no answer (the scorer then says what is wrong)."""
    try:
        keys = list(REPORT_KINDS[spec.kind].annotations(spec, annotations, request.split))
        covered = REPORT_KINDS[spec.kind].covered(spec, request.results_dir, keys)
    except (ValueError, OSError):
        return None
    missing = sorted({k for names in covered for k in keys if k not in names}, key=keys.index)
    return len(keys), missing


def _coverage_line(request: ReportRequest, spec: BenchmarkSpec, annotations: Path) -> str:
    """The header's coverage sentence; refuses a partial result set unless ``request.allow_missing``."""
    coverage = result_coverage(request, spec, annotations)
    if coverage is None:
        return ""
    n, missing = coverage
    shown = ", ".join(missing[:10]) + (f" ... ({len(missing)} in all)" if len(missing) > 10 else "")
    if missing and not request.allow_missing:
        raise ValueError(f"{request.results_dir}: results for {n - len(missing)} of the {n} annotated sequences; "
                         f"missing: {shown} (--allow-missing reports on the others)")
    return (f" Coverage: results for {n - len(missing)} of the {n} annotated sequences"
            + (f" (missing: {shown})." if missing else "."))


def _assemble(request: ReportRequest) -> tuple[ReportContent, ReportPart]:
    request = baseline_first(request)
    spec, annotations, tracker = _resolve(request)
    coverage = _coverage_line(request, spec, annotations)
    part = score_part(request, spec, annotations, tracker)
    warnings = list(part.warnings) + list(request.notes)
    if request.viewers is not None:
        if not link_viewers(part.sections, request.viewers, request.out_dir):
            warnings.append(f"{request.viewers}: no viewer page <sequence>.html of a scored sequence; no links")
    dataset = dataset_label(spec, annotations, part.match)
    comparison, trackers = part.comparison, None
    if comparison is not None and len(comparison.trackers) > 1:
        title = f"{dataset}: {', '.join(comparison.trackers)} (baseline {comparison.baseline})"
        trackers = ReportTable("trackers", f"Every tracker on {dataset}, ranked by "
                                           f"{SCORE_NAMES.get(comparison.primary, comparison.primary)}; the "
                                           f"baseline, {comparison.baseline}, in bold (paired tests against it in "
                                           "the ranking section).", tracker_summary(comparison), open=True,
                               bold=(comparison.baseline,))
    else:
        title = f"{tracker} on {dataset}"
    content = ReportContent(
        title=title,
        subtitle=f"Results: {request.results_dir}; annotations: {annotations}. Built from raw result files, "
                 "without running a tracker." + coverage,
        summary=part.summary, conventions=list(part.conventions), sections=list(part.sections),
        warnings=warnings, environment=environment_info(request.device), trackers=trackers,
    )
    return content, part


def assemble_report(request: ReportRequest) -> ReportContent:
    """Score the results and draw the figures (into ``out_dir/figures``); returns the content to render.

    The figures' :class:`PlotResult` (with the data drawn) are in ``content.sections[i].figures``. Several
    trackers: titled with the dataset and the trackers, the baseline (``--baseline``, made the run by
    :func:`baseline_first`) highlighted, a table of every tracker (``content.trackers``) opening the summary.
    """
    return _assemble(request)[0]


def latex_tables(content: ReportContent, part: ReportPart) -> dict[str, str]:
    """``{file name: LaTeX}`` of the report's summary (every tracker with several, else the run's summary) and,
    with several trackers, the ranking with its paired tests: booktabs tables (:func:`latex_table`)."""
    out = {}
    if content.trackers is not None:
        out["summary.tex"] = latex_table(content.trackers.frame, content.title, "tab:summary", content.trackers.bold)
        comparison = part.comparison
        score = SCORE_NAMES.get(comparison.primary, comparison.primary)
        out["ranking.tex"] = latex_table(ranking_table(comparison), f"{content.title}: ranking by {score}; {score} "
                                         f"diff = tracker minus {comparison.baseline} on the sequences both have, "
                                         "its 95% interval and two-sided p", "tab:ranking", (comparison.baseline,))
    else:
        out["summary.tex"] = latex_table(content.summary, content.title, "tab:summary")
    return out


def build_report(request: ReportRequest, latex: bool = False) -> Path:
    """Score the raw results of ``request`` and write the report into ``request.out_dir``; returns the HTML
    path (``report.md``, ``report.html``, ``figures/``, ``tables/`` next to it). ``latex`` also writes the
    booktabs tables of :func:`latex_tables` as ``tables/summary.tex`` (and ``tables/ranking.tex``)."""
    content, part = _assemble(request)
    html = write_report(content, request.out_dir, request.embed_figures)
    if latex:
        for name, text in latex_tables(content, part).items():
            write_text_atomic(request.out_dir / "tables" / name, text)
    return html
