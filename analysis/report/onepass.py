"""The part of a report for the one-pass benchmarks with their own rules (LaSOT, LaSOT-ext, UAV123, UAV20L,
UAV123@10fps, NfS, TC128: :mod:`analysis.metrics.onepass`; TrackingNet: :mod:`analysis.metrics.trackingnet`):
success, precision and normalised-precision plots with every tracker, the benchmark's scores under the named
toolkit variant, ranking and per-sequence tables.

:func:`load_onepass_annotations` reads the benchmark's own layout, :func:`score_onepass_results` scores raw
result folders (``<seq>.txt``); :func:`onepass_part` builds the part from computed reports. The figures are
those of the OTB part (:func:`analysis.plots.otb.plot_success` / ``plot_precision``) and the several-tracker
ranking its :func:`~analysis.report.otb.ranking_section`, since the curves are defined the same way."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence, Union

import numpy as np
import pandas as pd

from analysis.io.annotation import SequenceAnnotation
from analysis.io.results import load_otb_results
from analysis.metrics import otb as otb_metrics
from analysis.metrics import trackingnet as tnet
from analysis.metrics.compare import Comparison
from analysis.metrics.onepass import VARIANT_NAMES, OnePassReport, evaluate_onepass
from analysis.metrics.trackingnet import TrackingNetReport, evaluate_trackingnet
from analysis.plots.otb import plot_precision, plot_success
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.report.baselines import _score_table, published_one_pass
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.report.otb import check_one_variant, others_sentence, ranking_section
from analysis.sequence_lists import match_count
from analysis.stacks import BenchmarkSpec, LoadOptions

OnePassResult = Union[OnePassReport, TrackingNetReport]


def load_onepass_annotations(spec: BenchmarkSpec, root: Path, split: str | None = None
                             ) -> dict[str, SequenceAnnotation]:
    """The benchmark's annotations from its own layout with the row's loader (``docs/conventions.md``).
    ``split`` (LaSOT): ``test`` (Protocol II, default of ``lasot``), ``all`` (default of ``lasot_ext``) or the path
    of a file with one name per line; NfS is read at 30 fps."""
    if spec.loader is None:
        raise ValueError(f"{spec.name}: not a one-pass benchmark with its own loader")
    if split is not None and not spec.splits:
        raise ValueError(f"{spec.name}: --split applies to LaSOT only")
    return spec.loader(Path(root), LoadOptions(split=split))


def onepass_variant(spec: BenchmarkSpec, variant: str | None) -> str:
    """``variant`` checked against the benchmark's (default: the one behind the published numbers)."""
    if variant is None:
        return str(spec.default_variant)
    if variant not in spec.variants:
        raise ValueError(f"{spec.name}: unknown variant {variant!r}; choose one of {', '.join(spec.variants)}")
    return variant


#: the scorer of each one-pass kind: ``(annotations, boxes, benchmark, variant, notes) -> report``
_EVALUATE = {
    "onepass": lambda ann, boxes, name, variant, notes: evaluate_onepass(ann, boxes, name, variant, notes,
                                                                         allow_missing=True),
    "trackingnet": lambda ann, boxes, name, variant, notes: evaluate_trackingnet(ann, boxes, notes,
                                                                                 allow_missing=True),
}


def score_onepass_results(spec: BenchmarkSpec, folders: Mapping[str, Path],
                          annotations: Mapping[str, SequenceAnnotation], variant: str | None = None
                          ) -> dict[str, OnePassResult]:
    """``{tracker: report}`` of every result folder (``<seq>.txt``, matched and length-fitted as for OTB) with
    :func:`~analysis.metrics.onepass.evaluate_onepass` under ``variant`` (TrackingNet: the devkit's
    :func:`~analysis.metrics.trackingnet.evaluate_trackingnet`). Partial results are scored with a warning."""
    variant = onepass_variant(spec, variant)
    ann = dict(annotations)
    out: dict[str, OnePassResult] = {}
    for name, folder in folders.items():
        res = load_otb_results(folder, ann, allow_missing=True)
        notes = [f"{Path(folder).name}: {w}" for w in res.warnings]
        out[name] = _EVALUATE[spec.kind](ann, res.boxes, spec.name, variant, notes)
    return out


def _toolkit(rep: OnePassResult) -> str:
    return "TrackingNet devkit metrics.py" if isinstance(rep, TrackingNetReport) else VARIANT_NAMES[rep.variant]


def onepass_part(spec: BenchmarkSpec, tracker: str, reports: Mapping[str, OnePassResult], *, figures: Path,
                 style: PlotStyle = DEFAULT_STYLE, comparison: Comparison | None = None,
                 notes: Sequence[str] = ()) -> ReportPart:
    """The part of a one-pass benchmark from computed reports: ``reports[tracker]`` is the run, the others are
    drawn with it (one variant for all); published-only trackers are listed by their published AUC.

    ``comparison`` (:func:`analysis.metrics.compare.compare_trackers` of ``reports``) adds the ranking with
    intervals and paired tests (:func:`~analysis.report.otb.ranking_section`); ``notes`` go to the warnings.

    Like for like (:func:`analysis.sequence_lists.match_count`): the run is placed among the published scores only
    when every tracker covers the benchmark's number of sequences; otherwise they are listed apart ("published on
    <bench>, other data: not comparable"), the figures say so and the ranking table holds the raw results only."""
    check_one_variant(spec, tracker, reports)
    figures = Path(figures)
    run = reports[tracker]
    devkit = isinstance(run, TrackingNetReport)
    toolkit = _toolkit(run)
    conv = run.conventions
    warnings = [w for r in reports.values() for w in r.warnings] + list(notes)
    match = match_count(spec.published, spec.n_sequences, [len(r.per_sequence) for r in reports.values()])
    apart = {} if match.comparable else {"published_title": match.panel_title.replace(", ", ",\n", 1),
                                         "note": match.note}
    pub_only, pub_run = published_one_pass(spec, tracker, reports, match, warnings)

    if devkit:
        s_x, p_x, n_x = tnet.SUCCESS_X, tnet.PRECISION_X, tnet.NORM_PRECISION_X
        p_label, n_label = "precision AUC", "norm. precision AUC"
    else:
        s_x, p_x = otb_metrics.SUCCESS_THRESHOLDS, otb_metrics.PRECISION_THRESHOLDS
        n_x = otb_metrics.NORM_PRECISION_THRESHOLDS
        p_label = "precision @20 px"
        n_label = "norm. precision (mean over 0:0.01:0.5)" if run.variant == "g10" else "norm. precision @0.2"
    stem = spec.name.lower()
    title = f"{spec.published} ({toolkit})"
    success = plot_success({k: r.success_curve for k, r in reports.items()}, figures / f"{stem}_success",
                           thresholds=s_x, highlight=tracker,
                           published_only=_score_table(pub_only, "auc", run.auc if match.comparable else None),
                           title=f"Success plots of OPE - {title}", style=style,
                           scores={k: r.auc for k, r in reports.items()}, **apart)
    precision = plot_precision({k: r.precision_curve for k, r in reports.items()}, figures / f"{stem}_precision",
                               thresholds=p_x, highlight=tracker, title=f"Precision plots of OPE - {title}",
                               style=style, scores={k: r.precision for k, r in reports.items()})
    norm = plot_precision({k: r.norm_precision_curve for k, r in reports.items()}, figures / f"{stem}_norm_precision",
                          thresholds=n_x, at=0.2, highlight=tracker, title=f"Normalised precision plots - {title}",
                          style=style, scores={k: r.norm_precision for k, r in reports.items()},
                          xlabel="normalised location error threshold")

    def pub(col: str) -> float:
        return float(pub_run[col].iloc[0]) if len(pub_run) and col in pub_run and pd.notna(pub_run[col].iloc[0]) else np.nan

    rows = [("OPE", "success AUC", run.auc, pub("auc"), conv["auc"]),
            ("OPE", p_label, run.precision, np.nan, conv["precision"]),
            ("OPE", n_label, run.norm_precision, np.nan, conv["norm_precision"])]
    if not devkit:
        rows.append(("OPE", "success rate @0.5", run.success_rate, np.nan, conv["success_rate"]))
    rows += [("OPE", "sequences", run.sequences, np.nan, ""), ("OPE", "frames", run.frames, np.nan, "all frames")]
    if not devkit and run.absent_frames:
        rows.append(("OPE", "absent frames", run.absent_frames, np.nan, "full occlusion or out of view (LaSOT)"))
    summary = pd.DataFrame(rows, columns=["experiment", "metric", "value", "published", "convention"])
    conventions = [
        ("evaluation", f"{spec.published} one-pass evaluation (OPE), one run per sequence, frame 1 := ground truth"),
        ("variant", f"{run.variant}: {toolkit}" + ("" if run.variant == spec.default_variant
                                                   else f" (the published numbers follow {spec.default_variant})")),
        ("success AUC", conv["auc"]),
        ("precision", conv["precision"]),
        ("normalised precision", conv["norm_precision"]),
        ("published", f"{spec.published} rows of analysis.published (AUC; each row keeps its source; the "
                      "sources' precision column does not say whether it is P@20 or the normalised precision)"),
        ("like for like", ("yes: " if match.comparable else "no: ") + match.reason),
    ]
    section = ReportSection(f"{spec.published} one-pass evaluation")
    section.paragraphs.append(
        f"{tracker}: success AUC {run.auc:.3f}, {p_label} {run.precision:.3f}, {n_label} {run.norm_precision:.3f} "
        f"over {run.sequences} sequences ({run.frames} frames), variant {run.variant} ({toolkit})."
        + others_sentence(reports, tracker, "and variant"))
    auc_rule = "trapezoid over the normalised axis (devkit)" if devkit else "mean of the 21 points"
    section.figures += [
        (success, f"Success plot: fraction of frames whose IoU exceeds the threshold, averaged over sequences; "
                  f"legend = AUC ({auc_rule}). " + ("Published-only trackers are listed by their published AUC."
                                                    if match.comparable else
                                                    f"Published {spec.published} AUCs are listed apart: other data "
                                                    f"({match.reason}), so the run is not placed among them.")),
        (precision, f"Precision plot: fraction of frames whose centre error is within the threshold; legend = "
                    f"{p_label}."),
        (norm, f"Normalised precision plot (centre error relative to the ground-truth size); legend = {n_label}."),
    ]
    ranking = pd.DataFrame([{"tracker": k, "auc": r.auc, "precision": r.precision, "norm_precision": r.norm_precision,
                             "sequences": r.sequences, "source": "raw results scored here"}
                            for k, r in reports.items()])
    extra = pub_only.reindex(columns=["tracker", "auc", "source"]).assign(sequences=np.nan)
    if len(pub_only) and match.comparable:
        ranking = pd.concat([ranking, extra], ignore_index=True)
    ranking = ranking.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)
    section.tables.append(ReportTable(f"{stem}_ranking", f"Ranking: raw results ({run.variant}) and published AUC "
                                      f"({spec.published})" if match.comparable else
                                      f"Ranking of the raw results ({run.variant}) on these sequences", ranking,
                                      open=True))
    if len(pub_only) and not match.comparable:
        section.tables.append(ReportTable(
            f"{stem}_published", f"Published on {spec.published}, other data: not comparable",
            extra.sort_values("auc", ascending=False, kind="stable").reset_index(drop=True)))
    section.tables.append(ReportTable(f"{stem}_per_sequence", f"Per-sequence scores of {tracker} ({run.variant})",
                                      run.per_sequence.reset_index()))
    sections = [section]
    if comparison is not None:
        sections.append(ranking_section(comparison, figures, style, f"{spec.published} raw results, {run.variant}",
                                        spec.published))
    return ReportPart(summary, tuple(conventions), tuple(sections), tuple(warnings), dict(reports),
                      comparison=comparison, match=match)
