"""The OTB-2015 part of a report: one-pass success and precision plots, ranking and per-sequence tables.

:func:`score_otb_results` scores raw result folders; :func:`otb_part` builds the part from computed
:class:`~analysis.metrics.otb.OTBReport` s (the main job passes the ones it scored)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.core.paths import shared_data_dir
from analysis.io.annotation import SequenceAnnotation
from analysis.io.otb import load_otb_annotations, load_otb_attributes
from analysis.io.results import corner_line_warning, load_one_pass_times, load_otb_results
from analysis.metrics.compare import Comparison
from analysis.metrics.otb import PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS, OTBReport, OTBSettings, evaluate_otb
from analysis.plots.otb import plot_precision, plot_success
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.plots.vot import plot_eao_ranking, plot_speed_vs_eao
from analysis.report.baselines import _score_table, published_one_pass
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.sequence_lists import BenchmarkMatch, match_reports
from analysis.stacks import BenchmarkSpec

# -------------------------------------------------------------------------------------------------- OTB


def _otb_compare_dirs(results_dir: Path, compare: Sequence[Path] | None) -> list[Path]:
    """Other trackers' raw result folders: ``compare`` if given, else ``<shared>/results/OTB100/*``."""
    if compare is None:
        root = shared_data_dir() / "results" / "OTB100"
        compare = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    me = Path(results_dir).resolve()
    return [Path(p) for p in compare if Path(p).resolve() != me]


def score_otb_results(results_dir: Path, annotations: Path, tracker: str, compare: Sequence[Path] | None = None,
                      first_frame: str = "gt", otb_compat: bool = False, *,
                      loaded: Mapping[str, SequenceAnnotation] | None = None) -> dict[str, OTBReport]:
    """Score raw one-pass results with :func:`analysis.metrics.otb.evaluate_otb`: ``{tracker: report}`` of
    ``results_dir`` first, then the ``compare`` folders (default: the shared ``results/OTB100/*``) by folder
    name. Partial results are scored with a warning, as the VOT part does. ``loaded``: the annotations already
    read by the benchmark row's loader (e.g. a subset such as OTB-2013), else :func:`load_otb_annotations`."""

    ann = dict(loaded) if loaded is not None else load_otb_annotations(annotations)
    settings = OTBSettings(first_frame=first_frame, otb_compat=otb_compat)
    return {name: _score_folder(folder, ann, settings)[0]
            for name, folder in otb_folders(results_dir, tracker, compare).items()}


def otb_folders(results_dir: Path, tracker: str, compare: Sequence[Path] | None = None) -> dict[str, Path]:
    """``{name: folder}`` as :func:`score_otb_results` names them: the run, then the compared folders."""
    folders = {tracker: Path(results_dir)}
    for folder in _otb_compare_dirs(results_dir, compare):
        folders[folder.name if folder.name not in folders else f"{folder.name} ({folder.parent.name})"] = folder
    return folders


def _score_folder(folder: Path, ann: dict, settings: OTBSettings) -> tuple[OTBReport, dict[str, np.ndarray]]:
    # a report scores partial results with a warning (as its VOT part does), so missing files are allowed
    res = load_otb_results(folder, ann, allow_missing=True)
    notes = list(res.warnings)
    if res.corner_first_line:
        notes.append(corner_line_warning(res.corner_first_line, settings.first_frame))
    report = evaluate_otb(ann, res.boxes, settings, warnings=[f"{folder.name}: {n}" for n in notes],
                          allow_missing=True)
    return report, res.boxes


def score_otb_attributes(folders: Mapping[str, Path], annotations: Path, first_frame: str = "gt",
                         otb_compat: bool = False, *, loaded: Mapping[str, SequenceAnnotation] | None = None
                         ) -> tuple[dict[str, dict[str, OTBReport]], list[str]]:
    """Per OTB attribute, every tracker's report on the sequences carrying it (OTB ``perfPlot.m``: the
    success curve of an attribute averages the sequences with that attribute): ``{attribute: {tracker:
    report}}`` and notes (no ``attrs.txt``: nothing, with a note); ``loaded`` as in :func:`score_otb_results`."""
    ann = dict(loaded) if loaded is not None else load_otb_annotations(annotations)
    attrs = load_otb_attributes(ann)
    if not attrs:
        return {}, [f"{annotations}: no attrs.txt next to the sequences (OTB folders carry one per sequence; the "
                    "JSON files carry none), so there are no per-attribute success plots"]
    notes = [] if len(attrs) == len(ann) else [f"per-attribute plots cover the {len(attrs)} of {len(ann)} sequences "
                                               "with an attrs.txt"]
    settings = OTBSettings(first_frame=first_frame, otb_compat=otb_compat)
    boxes = {name: _score_folder(folder, ann, settings)[1] for name, folder in folders.items()}
    out: dict[str, dict[str, OTBReport]] = {}
    for attribute in dict.fromkeys(a for names in attrs.values() for a in names):
        seqs = {k: ann[k] for k, names in attrs.items() if attribute in names}
        out[attribute] = {}
        for tracker, b in boxes.items():
            have = {k: v for k, v in b.items() if k in seqs}
            if have:
                out[attribute][tracker] = evaluate_otb({k: seqs[k] for k in have}, have, settings, allow_missing=True)
    return {a: r for a, r in out.items() if r}, notes


def otb_speeds(folders: Mapping[str, Path]) -> dict[str, float]:
    """Frames per second of each folder's times files (``times/<Seq>_time.txt``): timed frames / total time."""
    out = {}
    for name, folder in folders.items():
        t = [np.asarray(v, dtype=np.float64).ravel() for v in load_one_pass_times(folder).values()]
        t = np.concatenate(t) if t else np.zeros(0)
        t = t[np.isfinite(t) & (t > 0)]
        out[name] = float(t.size / t.sum()) if t.size else float("nan")
    return out


def otb_part(spec: BenchmarkSpec, tracker: str, reports: Mapping[str, OTBReport], *, figures: Path,
             style: PlotStyle = DEFAULT_STYLE, comparison: Comparison | None = None,
             attributes: Mapping[str, Mapping[str, OTBReport]] | None = None,
             notes: Sequence[str] = (), match: BenchmarkMatch | None = None,
             others_label: str | None = None) -> ReportPart:
    """The OTB-2015 part of a report from computed reports: ``reports[tracker]`` is the run, the others are
    drawn next to it; published-only trackers are listed by their published scores. Figures go to ``figures``.
    ``others_label`` says where the curves' results come from when they are not raw results given to score (the
    main job: trackers run in the same job on the same sequences): the legend's title and the ranking's.

    Several trackers (:func:`ranking_section`): ``comparison`` (:func:`analysis.metrics.compare.compare_trackers`
    of ``reports``) adds the ranking with intervals and paired tests, its figure (error bars with
    ``--bootstrap``) and AUC vs speed; ``attributes`` (:func:`score_otb_attributes`) one success plot per
    attribute with every tracker; ``notes`` go to the warnings.

    Like for like: the run is placed among the published ``spec`` scores (side panel of the success and
    precision plots, ranking table) only when the scored sequences are that benchmark (``match``, default
    :func:`analysis.sequence_lists.match_reports` of every report). Otherwise the side panel is titled
    "published on <bench>, other data: not comparable" without the run in it, the figures carry the note, the
    published rows go to a table of their own and the summary's ``published`` column stays empty."""

    if tracker not in reports:
        raise ValueError(f"OTB part: no report for {tracker!r} (have {', '.join(reports)})")
    figures = Path(figures)
    ranked = comparison  # (the name ``comparison`` is the ranking DataFrame below)
    run = reports[tracker]
    first_frame = run.settings.first_frame
    warnings = [w for r in reports.values() for w in r.warnings] + list(notes)
    if match is None:
        match = match_reports(spec.name, spec.published, [r.per_sequence for r in reports.values()])
    comparable = match.comparable
    pub_only, pub_run = published_one_pass(spec, tracker, reports, match, warnings)
    plot_options = {} if comparable else {"published_title": match.panel_title.replace(", ", ",\n", 1), "note": match.note}
    if others_label is not None:
        plot_options["legend_title"] = f"{others_label} [score]"

    success = plot_success({k: r.success_curve for k, r in reports.items()}, figures / "otb_success",
                           thresholds=SUCCESS_THRESHOLDS, highlight=tracker,
                           published_only=_score_table(pub_only, "auc", run.auc if comparable else None),
                           style=style, **plot_options)
    precision = plot_precision({k: r.precision_curve for k, r in reports.items()}, figures / "otb_precision",
                               thresholds=PRECISION_THRESHOLDS, highlight=tracker,
                               published_only=_score_table(pub_only, "precision",
                                                           run.precision if comparable else None),
                               style=style, **plot_options)

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
        ("like for like", ("yes: " if comparable else "no: ") + match.reason
         + ("" if comparable else f"; published {spec.published} scores are not ranked with these results")),
    ]
    section = ReportSection("OTB-2015 one-pass evaluation")
    section.paragraphs.append(
        f"{tracker}: success AUC {run.auc:.3f}, precision@20px {run.precision:.3f} over {run.sequences} sequences "
        f"({run.frames} frames)." + others_sentence(reports, tracker, "and drawn for comparison"))
    listed = ("Published-only trackers are listed by their published {}." if comparable else
              f"Published {spec.published} trackers are listed apart by their published {{}}: measured on other "
              f"data ({match.reason}), so the run is not placed among them.")
    section.figures += [
        (success, "Success plot: fraction of frames whose IoU exceeds the threshold, averaged over sequences; "
                  "legend = AUC (mean of the 21 points). " + listed.format("AUC")),
        (precision, "Precision plot: fraction of frames whose centre error is within the threshold; legend = "
                    "precision at 20 px. " + listed.format("precision")),
    ]
    comparison = pd.DataFrame([{"tracker": k, "auc": r.auc, "precision": r.precision, "sequences": r.sequences,
                                "source": "raw results scored here"} for k, r in reports.items()])
    extra = pub_only.reindex(columns=["tracker", "auc", "precision", "source"]).assign(sequences=np.nan)
    if len(pub_only) and comparable:
        comparison = pd.concat([comparison, extra], ignore_index=True)
    comparison = comparison.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)
    section.tables.append(ReportTable("otb_ranking", "Ranking: raw results and published scores (OTB-2015)" if
                                      comparable else "Ranking of the raw results on these sequences", comparison,
                                      open=True))
    if len(pub_only) and not comparable:
        section.tables.append(ReportTable(
            "otb_published", f"Published on {spec.published}, other data: not comparable",
            extra.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)))
    section.tables.append(ReportTable("otb_per_sequence", f"Per-sequence scores of {tracker}",
                                      run.per_sequence.reset_index()))
    sections = [section]
    if ranked is not None:
        sections.append(ranking_section(ranked, figures, style, others_label or f"{spec.published} raw results",
                                        "OTB"))
    if attributes:
        sections.append(_attribute_section(attributes, tracker, figures, style))
    return ReportPart(summary, tuple(conventions), tuple(sections), tuple(warnings), dict(reports),
                      comparison=ranked, match=match)


def _attribute_section(attributes: Mapping[str, Mapping[str, OTBReport]], tracker: str, figures: Path,
                       style: PlotStyle) -> ReportSection:
    section = ReportSection("OTB per-attribute success plots")
    section.paragraphs.append("One success plot per OTB attribute (attrs.txt of each sequence): the curve of an "
                              "attribute is the mean of the success curves of the sequences carrying it (OTB "
                              "perfPlot.m); legend = AUC on those sequences.")
    for attribute, reps in attributes.items():
        n = next(iter(reps.values())).sequences
        fig = plot_success({k: r.success_curve for k, r in reps.items()}, figures / f"otb_success_{attribute}",
                           thresholds=SUCCESS_THRESHOLDS, highlight=tracker,
                           title=f"Success plots of OPE - {attribute} ({n})", style=style)
        section.figures.append((fig, f"Success plot on the {n} sequence(s) with attribute {attribute}."))
    return section


def others_sentence(reports: Mapping, tracker: str, how: str) -> str:
    """`` Raw results of <the other trackers> are scored with the same code <how>.`` (empty without others)."""
    others = [k for k in reports if k != tracker]
    return f" Raw results of {', '.join(others)} are scored with the same code {how}." if others else ""


def check_one_variant(spec: BenchmarkSpec, tracker: str, reports: Mapping) -> None:
    """A part's reports hold the run's and were all computed under one toolkit variant (``variant``)."""
    if tracker not in reports:
        raise ValueError(f"{spec.name} part: no report for {tracker!r} (have {', '.join(reports)})")
    variants = {r.variant for r in reports.values()}
    if len(variants) != 1:
        raise ValueError(f"{spec.name} part: reports of different variants ({', '.join(sorted(variants))})")


def ranking_section(comparison: Comparison, figures: Path, style: PlotStyle, what: str, kind: str) -> ReportSection:
    """Ranking of several trackers (one-pass benchmarks): the table with intervals and paired tests, the
    ranking figure (error bars = bootstrap intervals, when computed) and score vs speed (when timed)."""
    score = comparison.primary
    table = comparison.table().reset_index()
    section = ReportSection(f"Ranking of {len(comparison.trackers)} trackers ({kind} {score.upper()})")
    text = f"Trackers ranked by {score} ({what}, each scored alone with the same code)."
    if comparison.paired:
        text += (f" Paired tests against {comparison.baseline}: difference = tracker minus baseline on the "
                 "sequences both were scored on, its 95% interval and two-sided p (columns *_diff, *_p).")
    section.paragraphs.append(text)
    # "too few sequences" (no paired interval below analysis.metrics.bootstrap.MIN_BOOTSTRAP_SEQUENCES) and
    # "paired test on the k common sequences"
    section.paragraphs.extend(f"Note: {note}." for note in comparison.notes)
    label = f"{kind} {score.upper()}"
    fig = plot_eao_ranking(table, figures / f"{kind.lower()}_ranking", highlight=comparison.baseline, score=score,
                           title=f"{label} ranking" + (" (95% bootstrap intervals)" if comparison.intervals else ""),
                           style=style)
    section.figures.append((fig, f"{label} of every tracker; baseline highlighted"
                                 + ("; error bars: percentile bootstrap over sequences." if comparison.intervals
                                    else ".")))
    timed = table[np.isfinite(table["fps"].to_numpy(dtype=np.float64))]
    if len(timed):
        speed = plot_speed_vs_eao(timed, figures / f"{kind.lower()}_speed", highlight=comparison.baseline,
                                  speed="fps", score=score, title=f"Speed vs {score.upper()}", style=style)
        section.figures.append((speed, f"{score.upper()} vs frames per second (log scale) from the times files "
                                       "(timed frames / total time, on the machine that produced them)."))
    section.tables.append(ReportTable(f"{kind.lower()}_comparison", "Ranking with intervals and paired tests",
                                      table, open=True))
    return section
