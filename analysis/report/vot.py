"""VOT part of the report: baseline and real-time experiments of one tracker against the published trackers.

Scores come from :func:`analysis.metrics.vot.analysis.analyze_vot` (LEG conventions by default, interval of the
benchmark's stack). Two steps, so that a caller that has scored its runs already (the main job) does not score
them again: :func:`score_vot_results` scores raw result folders, :func:`vot_part` assembles tables and figures
from the computed :class:`VOTExperiment` s. Published scores are converted to the quantities drawn, with the
conversion stated:

* reliability (AR plot, S = 30): from a published failure rate per 100 frames ``R`` (VOT2016-2018 tables,
  PST "Robustness") as ``exp(-S·R/100)``; from failures per sequence ``f`` (VOT2015-style "Failure" columns
  of the SiamRPN paper) as ``exp(-S·f·n_seq/N)`` with ``n_seq, N`` of the analysed dataset.
* speed: frames per second from the run's per-frame times (frames with ``t > 0``: ``count / Σt``); published
  EFO (paper tables) and FPS (pysot model zoo, GPU) are never mixed in one figure.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from analysis.core.regions import FrameKind
from analysis.io import result_layout
from analysis.io.result_layout import DEFAULT_VOT_EXPERIMENT
from analysis.io.trajectories import load_tracker_results, load_tracker_times, trajectory_kinds
from analysis.metrics.compare import Comparison
from analysis.metrics.speed import run_speed
from analysis.metrics.vot.analysis import VOTReport, VOTSettings, analyze_vot
from analysis.metrics.vot.analysis import load_vot_annotations as load
from analysis.plots.realtime import ScheduleState, plot_baseline_vs_realtime, plot_realtime_schedule
from analysis.plots.style import DEFAULT_STYLE, PlotStyle
from analysis.plots.vot import plot_ar, plot_attribute_bars, plot_eao_curve, plot_eao_ranking, plot_speed_vs_eao
from analysis.report.baselines import normalise_published, published_table, select_published, tracker_key
from analysis.report.document import ReportPart, ReportSection, ReportTable
from analysis.sequence_lists import BenchmarkMatch, match_reports
from analysis.stacks import BenchmarkSpec

#: the supervised VOT experiments (rows of :data:`analysis.io.result_layout.EXPERIMENTS` that reset)
EXPERIMENTS = tuple(name for name, e in result_layout.EXPERIMENTS.items() if e.resets)
EXPERIMENT_TITLES = {"baseline": "baseline (supervised, resets)", "realtime": "real-time"}


def load_vot_annotations(path: Path) -> dict:
    """VOT annotations (pysot JSON or VOT folder) through :func:`analysis.metrics.vot.analysis.load_vot_annotations`."""

    return load(Path(path))


#: readable names of the keys of a VOT report's convention dict (:func:`flatten_convention`) for report text;
#: the internal key stays in the value's parentheses only where it names code (the overlap rule)
CONVENTION_NAMES = {
    "accuracy": "accuracy averaging",
    "burn_in": "burn-in (frames left out of accuracy after a re-initialisation)",
    "skip": "frames skipped after a failure before the re-initialisation",
    "overlap.raster": "overlap rasterisation",
    "overlap.bounds": "overlap bounds (image clipping)",
    "overlap.legacy_rasterization": "legacy rasterisation (VOT2015 stack)",
    "overlap.analysis.metrics.overlap.accuracy": "overlap rule for accuracy",
    "overlap.analysis.metrics.overlap.eao": "overlap rule for EAO",
    "eao_weights": "EAO weight of each run's fragments",
    "robustness": "robustness",
}


def convention_name(key: str) -> str:
    """Readable name of a flattened convention key (``overlap.analysis.metrics.overlap.accuracy`` -> "overlap
    rule for accuracy"); an unknown key gets its words (``a_b.c`` -> "a b, c")."""
    return CONVENTION_NAMES.get(key) or key.replace("analysis.metrics.", "").replace("_", " ").replace(".", ", ")


def flatten_convention(conv: dict, prefix: str = "") -> list[tuple[str, str]]:
    """``(key, text)`` pairs of a nested convention dict (``overlap.bounds: ...``), for the report."""
    out: list[tuple[str, str]] = []
    for key, value in conv.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += flatten_convention(value, f"{name}.")
        else:
            out.append((name, str(value)))
    return out


def vot_settings(spec: BenchmarkSpec, variant: str) -> VOTSettings:
    """Analysis settings of the benchmark's stack: interval, and for VOT2015 legacy unbounded overlaps (LEG)."""

    legacy = spec.name == "vot2015"  # LEG stack_vot2015.m: legacy_rasterization=true, bounded_overlap=false
    return VOTSettings(variant=variant, stack=spec.name, legacy_rasterization=legacy and variant != "pyt",
                       bounded=not legacy)


# ------------------------------------------------------------------------------------------ real-time logs


def schedule_from_log(log: dict) -> np.ndarray:
    """ScheduleState array from a real-time log (``integration.protocols.realtime.RealtimeRun.summary()``)."""
    n = int(log["frames"])
    states = np.full(n, ScheduleState.PROCESSED, dtype=np.int8)
    for key, state in (("held", ScheduleState.HELD), ("skipped", ScheduleState.SKIPPED),
                       ("inits", ScheduleState.INIT), ("failures", ScheduleState.FAILURE)):
        idx = np.asarray(log.get(key, []), dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(f"real-time log: {key} index outside 0..{n - 1}")
        states[idx] = state
    return states


def schedule_from_trajectory(trajectory: Sequence) -> np.ndarray:
    """ScheduleState array inferred from a real-time trajectory when no schedule log exists.

    Specials give init / failure / skipped; a region identical to the previous frame's region is taken as
    held (zero-order hold repeats the last answer bit for bit); every other region as processed.
    """

    kinds = trajectory_kinds(trajectory)
    states = np.full(len(kinds), ScheduleState.PROCESSED, dtype=np.int8)
    states[kinds == FrameKind.INIT] = ScheduleState.INIT
    states[kinds == FrameKind.FAILURE] = ScheduleState.FAILURE
    states[kinds == FrameKind.UNKNOWN] = ScheduleState.SKIPPED
    for i in range(1, len(trajectory)):
        a, b = trajectory[i], trajectory[i - 1]
        if kinds[i] == FrameKind.TRACKED and kinds[i - 1] == FrameKind.TRACKED and np.array_equal(a, b):
            states[i] = ScheduleState.HELD
    return states


def _read_logs(exp_dir: Path) -> dict[str, dict]:
    """Real-time logs next to the results: ``<seq>/*.json`` per sequence or one ``*.json`` keyed by sequence."""
    logs: dict[str, dict] = {}
    for path in sorted(exp_dir.glob("*.json")) + sorted(exp_dir.glob("*/*.json")):
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{exc.lineno}: invalid JSON in real-time log ({exc.msg})") from None
        if isinstance(data, dict) and "frames" in data and "held" in data:
            logs.setdefault(path.parent.name, data)
        elif isinstance(data, dict):
            logs.update({k: v for k, v in data.items() if isinstance(v, dict) and "frames" in v and "held" in v})
    return logs


class RealtimeSchedule(NamedTuple):
    """Per-sequence :class:`ScheduleState` arrays of run 1, where they came from (``log`` or ``inferred``) and
    the logged profile fields (``profile``, ``algorithm``, ``fps``, ``grace``; empty when inferred)."""

    states: dict[str, np.ndarray]
    origin: str
    logged: dict


def realtime_schedules(exp_dir: Path, results: Mapping[str, list]) -> RealtimeSchedule:
    """Schedules of the first real-time run of every sequence, from logs when present, else inferred."""
    logs = _read_logs(exp_dir)
    if logs and all(s in logs for s in results):
        profile = {k: logs[next(iter(results))].get(k) for k in ("profile", "algorithm", "fps", "grace")}
        return RealtimeSchedule({s: schedule_from_log(logs[s]) for s in results}, "log", profile)
    return RealtimeSchedule({s: schedule_from_trajectory(runs[0]) for s, runs in results.items()}, "inferred", {})


# --------------------------------------------------------------------------------------------- published


def published_reliability(table: pd.DataFrame, n_sequences: int, n_frames: int, sensitivity: float = 30.0) -> pd.Series:
    """Reliability ``exp(-S·F/N)`` of published rows (module docstring for the two conversions)."""
    rel = pd.Series(np.nan, index=table.index, dtype=np.float64)
    if "robustness" in table:
        r = pd.to_numeric(table["robustness"], errors="coerce")
        rel = rel.fillna(np.exp(-sensitivity * r / 100.0))
    if "failures" in table:
        f = pd.to_numeric(table["failures"], errors="coerce")
        rel = rel.fillna(np.exp(-sensitivity * f * n_sequences / max(n_frames, 1)))
    return rel


# -------------------------------------------------------------------------------------------------- main


@dataclass(frozen=True)
class VOTExperiment:
    """One experiment of one tracker, scored: the analysis report and what the figures need besides it.

    ``fps``: speed recorded in the result files (:func:`run_speed`, NaN without times); ``schedule``: the
    real-time frame schedule (:func:`realtime_schedules`), needed for the real-time experiment's figure only.
    """

    report: VOTReport
    fps: float = float("nan")
    schedule: RealtimeSchedule | None = None


@dataclass(frozen=True)
class VOTScores:
    """A tracker's scored experiments (in :data:`EXPERIMENTS` order), compared trackers' by folder name, and
    the notes scoring made (e.g. the stack interval replaced by a fitted one)."""

    runs: dict[str, VOTExperiment]
    others: dict[str, dict[str, VOTExperiment]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def vot_experiment(report: VOTReport, tracker_dir: Path, experiment: str,
                   results: Mapping[str, list] | None = None) -> VOTExperiment:
    """Attach to a computed report what the figures read from the raw files: recorded speed, and for the
    real-time experiment the schedule (logs next to the results, else inferred from ``results``, which are
    loaded when not given). Nothing is scored again."""

    tracker_dir = Path(tracker_dir)
    try:
        times = load_tracker_times(tracker_dir, experiment)
    except ValueError:
        times = {}
    schedule = None
    if result_layout.EXPERIMENTS[experiment].realtime is not None:
        exp_dir = tracker_dir / experiment if (tracker_dir / experiment).is_dir() else tracker_dir
        if results is None:
            results = load_tracker_results(tracker_dir, experiment)
        schedule = realtime_schedules(exp_dir, results)
    return VOTExperiment(report, run_speed(times), schedule)


def _analyse(ann: dict, results_dir: Path, experiment: str, settings: VOTSettings,
             ) -> tuple[VOTReport, dict[str, list]]:
    """Score ``results_dir/<experiment>`` on the annotated sequences it has results for (a warning says so)."""

    results = load_tracker_results(results_dir, experiment)
    exp_dir = results_dir / experiment if (results_dir / experiment).is_dir() else results_dir
    notes = []
    scored = {k: v for k, v in ann.items() if k in results}
    if scored and len(scored) < len(ann):
        # a run on part of the dataset (e.g. the main job's bundled subset) is scored on what it has, and said so
        notes.append(f"{exp_dir}: results for {len(scored)} of the {len(ann)} annotated sequences; scores cover "
                     "only those and are not comparable with the published full-dataset numbers")
        ann = scored
    report = analyze_vot(ann, results, settings, per_attribute=True, results_source=str(exp_dir))
    if notes:
        report = dataclasses.replace(report, warnings=tuple(notes) + tuple(report.warnings))
    return report, results


def score_vot_results(spec: BenchmarkSpec, results_dir: Path, annotations: Path,
                      compare: Sequence[Path] | None = None, variant: str = "leg") -> VOTScores:
    """Score one tracker's raw VOT results (``baseline/`` and/or ``realtime/``, or one experiment folder)
    and the ``compare`` folders with :func:`analysis.metrics.vot.analysis.analyze_vot` under the stack's
    conventions; the stack's EAO interval is replaced by a fitted one when it exceeds the longest sequence."""

    results_dir = Path(results_dir)
    ann = load_vot_annotations(annotations)
    settings = vot_settings(spec, variant)
    notes: list[str] = []
    longest = max(len(a.groundtruth) for a in ann.values())
    stack = settings.resolve_interval([longest])
    if stack.high > longest:  # the one rule (analysis.metrics.vot.eao.eao_over_interval): fit, and say so
        settings = dataclasses.replace(settings, stack=None)
        fitted = settings.resolve_interval([len(a.groundtruth) for a in ann.values()])
        notes.append(f"the {spec.name} stack's EAO interval [{stack.low}, {stack.high}] reaches beyond the longest "
                     f"sequence ({longest} frames): EAO uses the interval fitted to these sequences, "
                     f"[{fitted.low}, {fitted.high}] ({fitted.source}), as `siamrpn main` does; it is not "
                     f"comparable with the published {spec.name} EAO")
    experiments = [e for e in EXPERIMENTS if (results_dir / e).is_dir()]
    if not experiments and results_dir.name in EXPERIMENTS:  # given the experiment folder itself
        experiments, results_dir = [results_dir.name], results_dir.parent
    experiments = experiments or ["baseline"]
    runs: dict[str, VOTExperiment] = {}
    for exp in experiments:
        report, results = _analyse(ann, results_dir, exp, settings)
        runs[exp] = vot_experiment(report, results_dir, exp, results)
    others: dict[str, dict[str, VOTExperiment]] = {}
    for folder in compare or []:
        folder = Path(folder)
        others[folder.name] = {e: VOTExperiment(_analyse(ann, folder, e, settings)[0], _folder_speed(folder, e))
                               for e in experiments if (folder / e).is_dir() or e == DEFAULT_VOT_EXPERIMENT}
    return VOTScores(runs, others, tuple(notes))


def _folder_speed(folder: Path, experiment: str) -> float:
    try:
        return run_speed(load_tracker_times(folder, experiment))
    except (ValueError, FileNotFoundError):
        return float("nan")


def _with_intervals(table: pd.DataFrame, comparison: Comparison | None, names: Mapping[str, str],
                    scores: Sequence[str]) -> pd.DataFrame:
    """``table`` with ``<score>_low|high`` columns from ``comparison``'s intervals (``names``: label -> tracker)."""
    if comparison is None or not comparison.intervals:
        return table
    table = table.copy()
    for score in scores:
        for end in ("low", "high"):
            table[f"{score}_{end}"] = [getattr(comparison.intervals[names[t]][score], end)
                                       if names.get(t) in comparison.intervals else np.nan for t in table["tracker"]]
    return table


def vot_part(spec: BenchmarkSpec, tracker: str, runs: Mapping[str, VOTExperiment],
             others: Mapping[str, Mapping[str, VOTExperiment]] | None = None, *, figures: Path,
             variant: str = "leg", realtime_profile: str | None = None, notes: Sequence[str] = (),
             style: PlotStyle = DEFAULT_STYLE, comparison: Comparison | None = None,
             match: BenchmarkMatch | None = None, others_label: str = "raw results") -> ReportPart:
    """The VOT part of a report from computed experiments: summary rows, conventions, sections (baseline
    and/or real-time) with figures against the published ``spec`` trackers, warnings.

    ``runs``: the tracker's experiments by name (``baseline``, ``realtime``); ``others``: compared trackers'
    experiments, drawn in the EAO curves and rankings, each labelled ``<name> (<others_label>)`` in the ranking,
    AR and speed figures (the main job: trackers run in the same job on the same sequences); ``variant`` names the conventions the reports were
    computed under; ``notes`` (scoring notes) open the warnings. Figures are written under ``figures``.
    ``comparison`` (:func:`analysis.metrics.compare.compare_trackers` of the first experiment's reports of the
    run and ``others``, keyed by tracker name) adds its ranking table with paired tests, the compared
    trackers' points in the AR and speed figures and, with intervals, error bars on the ranking and AR plot.

    Like for like: the published ``spec`` numbers are drawn among the run's only when the scored sequences are
    that benchmark (``match``, default :func:`analysis.sequence_lists.match_reports` of every report's
    per-sequence frames). Otherwise the EAO ranking puts them in a separate panel titled "published on <bench>,
    other data: not comparable", the AR, speed and baseline vs real-time figures leave them out, every such
    figure carries the note, and the summary's ``published`` column stays empty.
    """

    unknown = set(runs) - set(EXPERIMENTS)
    if not runs or unknown:
        raise ValueError(f"VOT part: expected experiments among {EXPERIMENTS}, got {sorted(runs)}")
    experiments = [e for e in EXPERIMENTS if e in runs]
    runs = {e: runs[e] for e in experiments}
    others = {k: dict(v) for k, v in (others or {}).items()}
    figures = Path(figures)
    warnings: list[str] = list(notes)
    if match is None:
        match = match_reports(spec.name, spec.published, [r.report.per_sequence for r in runs.values()]
                              + [r.report.per_sequence for reps in others.values() for r in reps.values()])
    if not match.comparable:
        warnings.append(f"not like for like: {match.reason}; published {spec.published} scores are drawn apart or "
                        "left out, never ranked with these results")
    for exp in experiments:
        warnings += [f"{tracker} {exp}: {w}" for w in runs[exp].report.warnings]

    run_label = f"{tracker} (this run)"
    rows, sections, pub_all = [], [], {}
    for exp in experiments:
        rep, fps = runs[exp].report, runs[exp].fps
        published, pub_notes = published_table(spec, exp)
        warnings += pub_notes
        published = normalise_published(published, warnings)
        pub_all[exp] = published
        mine = published[published["tracker"].map(tracker_key) == tracker_key(tracker)] if len(published) else published

        def pub(column: str) -> float:
            if not match.comparable or not len(mine) or column not in mine or pd.isna(mine[column].iloc[0]):
                return np.nan
            return float(mine[column].iloc[0])

        conv = rep.convention
        rows += [
            (exp, "EAO", rep.eao, pub("eao"), f"{variant.upper()} EAO, interval [{rep.interval.low}, {rep.interval.high}]"),
            (exp, "accuracy", rep.accuracy, pub("accuracy"), str(conv.get("accuracy", variant.upper()))),
            (exp, "robustness (failures / 100 frames)", rep.robustness, pub("robustness"), "100·F/N (PST/GRP)"),
            (exp, "failures (pooled)", rep.failures, np.nan, "Σ_s mean_r F (LEG/PST lost number)"),
            (exp, "failures per sequence", rep.failures_per_sequence, pub("failures"), "F / #sequences (VOT2015 tables)"),
            (exp, "reliability exp(-30F/N)", rep.reliability, np.nan, "AR-plot robustness, S = 30 (LEG/PYT)"),
        ]
        if np.isfinite(fps):
            rows.append((exp, "speed (fps)", fps, np.nan, "timed frames / total time, as recorded in the result files"))
        sections.append(_experiment_section(spec, exp, tracker, run_label, rep, fps, published, others, figures,
                                            style, comparison if exp == experiments[0] else None, match,
                                            others_label))

    # EAO curves of every experiment of the run (and of compared trackers) in one figure
    curves = {f"{tracker} {e}": runs[e].report.eao_curve for e in experiments}
    scores = {f"{tracker} {e}": runs[e].report.eao for e in experiments}
    for name, reps in others.items():
        for e, r in reps.items():
            curves[f"{name} {e}"], scores[f"{name} {e}"] = r.report.eao_curve, r.report.eao
    interval = runs[experiments[0]].report.interval
    eao_fig = plot_eao_curve(curves, interval.as_tuple(), figures / "vot_eao_curve", scores=scores,
                             highlight=f"{tracker} {experiments[0]}",
                             title=f"Expected average overlap, {spec.published}", style=style)
    sections[0].figures.insert(0, (eao_fig, (
        f"Expected-overlap curves Φ̂(N_s); the shaded band is the EAO interval [{interval.low}, {interval.high}] "
        f"({interval.source}) and the dotted segments the EAO scores (legend). Published trackers have no "
        "raw curves here; see the ranking.")))

    sections[0].figures.append(_ar_figure(spec, tracker, runs, pub_all, figures, style, comparison, others, match,
                                          others_label))
    attributes = _attribute_figure(tracker, runs, figures, style)
    if attributes is not None:
        sections[0].figures.append(attributes)
    speed = _speed_figure(spec, tracker, runs, pub_all, figures, style, others, match, others_label)
    if speed is not None:
        sections[0].figures.append(speed)

    if "realtime" in experiments:
        sections.append(_realtime_section(spec, tracker, run_label, runs, pub_all, realtime_profile, figures, style,
                                          match))

    summary = pd.DataFrame(rows, columns=["experiment", "metric", "value", "published", "convention"])
    conv = runs[experiments[0]].report.convention
    conventions = [
        ("toolkit conventions", f"variant {variant!r}: " + {"leg": "MATLAB vot-toolkit (LEG), official VOT2015-2018",
                                                            "pst": "pysot-toolkit (PST)",
                                                            "pyt": "Python vot-toolkit (PYT)"}.get(variant, variant)),
        ("EAO interval", f"[{interval.low}, {interval.high}] ({interval.source})"),
        ("runs per sequence", ", ".join(f"{e}: {'/'.join(map(str, sorted(set(runs[e].report.runs.values()))))}"
                                        for e in experiments)),
    ]
    # everything vot_analysis reports about its conventions, whatever its keys (overlap rule, burn-in, ...)
    conventions += [(convention_name(key), text + (" (an analysis.metrics.overlap convention)"
                                                   if key.startswith("overlap.analysis.metrics.") else ""))
                    for key, text in flatten_convention(conv) if key.split(".")[0] not in ("variant", "interval", "runs")]
    conventions.append(("reliability", "exp(-30·F/N), S = 30, F pooled failures, N frames (LEG/PYT AR plot)"))
    if "realtime" in experiments:
        profile = realtime_profile or (f"LEG {spec.realtime_fps:g} fps, grace 3, skip 5 (VOT2017/2018 stack)"
                                       if spec.realtime_fps else "as logged with the results")
        conventions.append(("real-time experiment", f"profile {profile}; frames that pass while the tracker "
                                                    "works get its last region (zero-order hold)"))
    conventions += [
        ("published", f"{spec.published} rows of analysis.published, each with its source; reliability of "
                      "published trackers converted from their failure figures (analysis.report.vot docstring)"),
        ("like for like", ("yes: " if match.comparable else "no: ") + match.reason
         + ("" if match.comparable else f"; published {spec.published} scores are not ranked with these results")),
    ]
    reports: dict[str, dict[str, VOTExperiment]] = {tracker: runs}
    for name, reps in others.items():
        reports[name if name not in reports else f"{name} ({others_label})"] = reps
    return ReportPart(summary, tuple(conventions), tuple(sections), tuple(warnings), reports,
                      comparison=comparison, match=match)


def _experiment_section(spec, exp, tracker, run_label, rep, fps, published, others, figures, style,
                        comparison: Comparison | None = None, match: BenchmarkMatch | None = None,
                        others_label: str = "raw results") -> ReportSection:
    section = ReportSection(f"{spec.published} {EXPERIMENT_TITLES[exp]}")
    section.paragraphs.append(
        f"{tracker}: EAO {rep.eao:.3f}, accuracy {rep.accuracy:.3f}, robustness {rep.robustness:.3f} "
        f"({rep.failures:.1f} failures in {rep.frames} frames of {rep.sequences} sequences)"
        + (f", {fps:.1f} fps as recorded." if np.isfinite(fps) else "."))
    # ranking among the published trackers of the year (real-time ranking for the real-time experiment), only
    # when the run's sequences are that benchmark; else the published numbers get their own panel
    comparable = match is None or match.comparable
    ranking = pd.DataFrame([{"tracker": run_label, "eao": rep.eao}])
    if comparable:
        ranking = pd.concat([published.reindex(columns=["tracker", "eao"]), ranking], ignore_index=True)
    for name, reps in others.items():
        if exp in reps:
            ranking.loc[len(ranking)] = {"tracker": f"{name} ({others_label})", "eao": reps[exp].report.eao}
    kind = result_layout.EXPERIMENTS[exp].title
    names = {run_label: tracker, **{f"{name} ({others_label})": name for name in others}}
    ranking = _with_intervals(ranking, comparison, names, ("eao",))
    bars = comparison is not None and bool(comparison.intervals)
    if comparable:
        fig = plot_eao_ranking(ranking, figures / f"vot_{exp}_eao_ranking", highlight=run_label,
                               title=f"{spec.published} {kind} EAO ranking", style=style)
        text = (f"EAO of the run among the published {spec.published} {kind} results (analysis.published; up to "
                "30 best shown, the run always); the run's sequences are the benchmark's.")
    else:
        fig = plot_eao_ranking(ranking, figures / f"vot_{exp}_eao_ranking", highlight=run_label,
                               title=f"{kind} EAO on these sequences", style=style,
                               reference=published.reindex(columns=["tracker", "eao"]),
                               reference_title=match.panel_title.replace(", ", ",\n", 1), note=match.note)
        text = (f"Left: EAO of the run{' and the raw results' if len(others) else ''} on these sequences. Right, "
                f"apart: published {spec.published} {kind} results, measured on other data ({match.reason}), so "
                "not ranked with the run.")
    section.figures.append((fig, text + (" Error bars: 95% percentile bootstrap over sequences (raw results only)."
                                         if bars else "")))
    if comparison is not None and len(comparison.trackers) > 1:
        section.paragraphs.append(
            f"Raw-result trackers ranked by EAO; paired tests against {comparison.baseline}: difference = tracker "
            "minus baseline on the sequences both were scored on, its 95% interval and two-sided p (paired "
            "percentile bootstrap over sequences).")
        # "too few sequences" (no paired interval or p below bootstrap.MIN_BOOTSTRAP_SEQUENCES), common sequences
        section.paragraphs.extend(f"Note: {note}." for note in comparison.notes)
        section.tables.append(ReportTable(f"vot_{exp}_comparison", "Ranking of the raw results with intervals and "
                                          "paired tests", comparison.table().reset_index(), open=True))
    if rep.per_attribute is not None and len(rep.per_attribute):
        section.tables.append(ReportTable(f"vot_{exp}_attributes", f"Per-attribute scores ({kind})",
                                          rep.per_attribute.reset_index()))
    section.tables.append(ReportTable(f"vot_{exp}_per_sequence", f"Per-sequence scores ({kind})",
                                      rep.per_sequence.reset_index()))
    return section


def _ar_figure(spec, tracker, runs, pub_all, figures, style, comparison: Comparison | None = None,
               others=None, match: BenchmarkMatch | None = None, others_label: str = "raw results"):
    """AR plot: the run's experiments (stars) among published baseline trackers near the run's EAO, with the
    compared trackers' first experiment when ``comparison`` is given (error bars from its intervals)."""
    base = runs.get("baseline", next(iter(runs.values()))).report
    comparable = match is None or match.comparable
    published = pub_all.get("baseline", pd.DataFrame(columns=["tracker", "eao"]))
    if not comparable:  # measured on other data: not placed among the run's points
        published = published.iloc[0:0]
    near = select_published(published[published["accuracy"].notna()] if "accuracy" in published else
                            published.iloc[0:0], "eao", base.eao, limit=15)
    rows = []
    if len(near):
        rows = pd.DataFrame({"tracker": near["tracker"], "accuracy": pd.to_numeric(near["accuracy"], errors="coerce"),
                             "reliability": published_reliability(near, base.sequences, base.frames)}).to_dict("records")
    mine = [f"{tracker} {e} (this run)" for e in runs]
    rows += [{"tracker": m, "accuracy": r.report.accuracy, "reliability": r.report.reliability} for m, r in zip(mine, runs.values())]
    names = {mine[0]: tracker}
    if comparison is not None:
        first = next(iter(runs))
        for name, reps in (others or {}).items():
            if first in reps:
                label = f"{name} ({others_label})"
                names[label] = name
                rows.append({"tracker": label, "accuracy": reps[first].report.accuracy,
                             "reliability": reps[first].report.reliability})
    table = _with_intervals(pd.DataFrame(rows), comparison, names, ("accuracy", "reliability"))
    fig = plot_ar(table, figures / "vot_ar", highlight=mine, style=style,
                  title=f"Accuracy-robustness, {spec.published}" if comparable else
                  "Accuracy-robustness on these sequences", note=None if comparable else match.note)
    if not comparable:
        return fig, ("Accuracy vs reliability exp(-30·F/N) (LEG AR plot, S = 30); stars: the run's experiments. "
                     f"Published {spec.published} trackers are left out: they were measured on other data "
                     f"({match.reason}).")
    return fig, ("Accuracy vs reliability exp(-30·F/N) (LEG AR plot, S = 30); stars: the run's experiments. "
                 "Published baseline trackers (the paper's comparison set, else the 15 closest in EAO to the run) "
                 "are placed from their failure rate per 100 frames or failures per sequence "
                 f"(n_seq = {base.sequences}, N = {base.frames}).")


def _attribute_figure(tracker, runs, figures, style):
    """Per-attribute EAO and accuracy of the run, one bar per experiment."""
    parts = [r.report.per_attribute.reset_index().assign(tracker=f"{tracker} {e}") for e, r in runs.items()
             if r.report.per_attribute is not None and len(r.report.per_attribute)]
    if not parts:
        return None
    only = next(iter(runs.values())).report if len(runs) == 1 else None
    fig = plot_attribute_bars(pd.concat(parts, ignore_index=True), figures / "vot_attributes",
                              metrics=("eao", "accuracy"),
                              overall={"eao": only.eao, "accuracy": only.accuracy} if only else None,
                              title=f"Per-attribute EAO and accuracy, {tracker}", style=style)
    return fig, ("Per-attribute EAO (fragment weights = fraction of tagged frames, LEG) and accuracy on tagged "
                 "frames; 'empty' = frames without any tag" + ("; dashed: all frames." if only else "."))


def _speed_figure(spec, tracker, runs, pub_all, figures, style, others=None, match: BenchmarkMatch | None = None,
                  others_label: str = "raw results"):
    """EAO vs speed: the run's experiments (recorded fps) and the compared trackers' (when timed) with published
    frame rates, or published EFO alone."""
    published = pub_all.get("baseline", pd.DataFrame(columns=["tracker", "eao"]))
    has = {c: (published[c].notna() & published["eao"].notna()) if c in published and "eao" in published
           else pd.Series(False, index=published.index) for c in ("fps", "efo")}
    mine = [{"tracker": f"{tracker} {e} (this run)", "eao": r.report.eao, "fps": r.fps} for e, r in runs.items()]
    mine = [m for m in mine if np.isfinite(m["fps"])]
    raw = [{"tracker": f"{name} {e} ({others_label})", "eao": r.report.eao, "fps": r.fps}
           for name, reps in (others or {}).items() for e, r in reps.items() if np.isfinite(r.fps)]
    if mine and match is not None and not match.comparable:  # published numbers of other data: left out
        fig = plot_speed_vs_eao(pd.DataFrame(mine + raw), figures / "vot_speed", highlight=[m["tracker"] for m in mine],
                                speed="fps", realtime_line=spec.realtime_fps, title="Speed vs EAO on these sequences",
                                style=style, note=match.note)
        return fig, ("EAO vs frames per second (log scale) as recorded in the result files (timed frames / total "
                     "time, on the machine that produced them); dotted line: real-time frame rate. Published "
                     f"{spec.published} trackers are left out: measured on other data ({match.reason}).")
    if mine:
        table = pd.concat([published.loc[has["fps"], ["tracker", "eao", "fps"]] if has["fps"].any() else
                           pd.DataFrame(columns=["tracker", "eao", "fps"]), pd.DataFrame(mine + raw)],
                          ignore_index=True)
        fig = plot_speed_vs_eao(table, figures / "vot_speed", highlight=[m["tracker"] for m in mine], speed="fps",
                                realtime_line=spec.realtime_fps, title=f"Speed vs EAO, {spec.published}", style=style)
        note = ("Published trackers with a published frame rate (pysot model zoo, on a GTX 1080Ti) are shown; "
                "published EFO values are not converted." if has["fps"].any()
                else "No published frame rate for this benchmark, so only the run is placed (published EFO "
                     "values are not comparable with frames per second).")
        return fig, ("EAO vs frames per second (log scale) as recorded in the result files (timed frames / total "
                     f"time, on the machine that produced them); dotted line: real-time frame rate. {note}")
    if has["fps"].any() and has["fps"].sum() >= has["efo"].sum():  # the unit with more published points
        table = published.loc[has["fps"], ["tracker", "eao", "fps"]]
        fig = plot_speed_vs_eao(table, figures / "vot_speed", speed="fps", realtime_line=spec.realtime_fps,
                                title=f"Speed vs EAO, published {spec.published}", style=style)
        return fig, ("Published EAO vs frames per second (pysot model zoo, GTX 1080Ti). The run's result files "
                     "hold no per-frame times, so it is not placed.")
    if has["efo"].any():
        table = published.loc[has["efo"], ["tracker", "eao", "efo"]]
        fig = plot_speed_vs_eao(table, figures / "vot_speed", speed="efo",
                                title=f"Speed (EFO) vs EAO, published {spec.published}", style=style)
        return fig, "Published EAO vs EFO (paper tables). The run has no per-frame times, so it is not placed."
    return None


def _realtime_section(spec, tracker, run_label, runs, pub_all, realtime_profile, figures, style,
                      match: BenchmarkMatch | None = None) -> ReportSection:
    """Real-time schedule (when the experiment carries one) and baseline vs real-time EAO."""
    rep, schedule = runs["realtime"].report, runs["realtime"].schedule
    section = ReportSection("Real-time schedule and baseline vs real-time")
    if schedule is not None:
        schedules, origin, logged = schedule
        profile = realtime_profile or (logged.get("profile") if logged else None) or \
            (f"LEG {spec.realtime_fps:g} fps" if spec.realtime_fps else "unknown profile")
        fig = plot_realtime_schedule(schedules, figures / "vot_realtime_schedule", profile=str(profile),
                                     title=f"{tracker} real-time frame schedule", style=style)
        how = ("from the real-time logs written next to the results" if origin == "log" else
               "inferred from the trajectories (no schedule log: init/failure/skipped from the special codes, held = "
               "region identical to the previous frame's, which is how zero-order hold writes it)")
        section.figures.append((fig, f"Per sequence and frame: processed, held, skipped, (re-)initialisation and "
                                     f"failure frames of run 1 under profile {profile}, {how}. Right: fraction of "
                                     "frames whose region is the tracker's own timely answer or an initialisation."))
        counts = fig.data["counts"].reset_index()
        section.tables.append(ReportTable("vot_realtime_schedule", "Real-time frame counts per sequence", counts))
    # baseline vs real-time EAO: the run, and published trackers with both experiments
    table = pd.DataFrame([{"tracker": run_label,
                           "baseline": runs["baseline"].report.eao if "baseline" in runs else np.nan,
                           "realtime": rep.eao}])
    base = pub_all.get("baseline")
    if base is None:
        base, _ = published_table(spec, "baseline")
    rt = pub_all.get("realtime", pd.DataFrame(columns=["tracker", "eao"]))
    comparable = match is None or match.comparable
    if len(rt) and comparable:
        merged = rt.reindex(columns=["tracker", "eao"]).rename(columns={"eao": "realtime"})
        b = base.reindex(columns=["tracker", "eao"]).rename(columns={"eao": "baseline"}) if len(base) else \
            pd.DataFrame(columns=["tracker", "baseline"])
        merged = merged.assign(_k=merged["tracker"].map(tracker_key)).merge(
            b.assign(_k=b["tracker"].map(tracker_key)).drop(columns="tracker"), on="_k", how="left").drop(columns="_k")
        table = pd.concat([table, merged[["tracker", "baseline", "realtime"]]], ignore_index=True)
    fig = plot_baseline_vs_realtime(table, figures / "vot_baseline_vs_realtime", highlight=run_label,
                                    title=f"Baseline vs real-time EAO, {spec.published}" if comparable else
                                    "Baseline vs real-time EAO on these sequences", style=style,
                                    note=None if comparable else match.note)
    section.figures.append((fig, "Baseline and real-time EAO side by side: the run (both analysed here) and the "
                                 "published trackers (a missing bar = not published)." if comparable else
                            "Baseline and real-time EAO of the run side by side. Published trackers are left out: "
                            f"measured on other data ({match.reason})."))
    return section
