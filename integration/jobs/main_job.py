"""The main job: run SiamRPN and OpenCV baselines on the embedded default (and any given datasets), analyse, rank,
write the report.

Groups of sequences, each analysed and reported on its own:

* ``default``: the project's generated sequences (:data:`integration.data.generated.MAIN_SET`, written at run
  time as a VOT dataset under ``<out>/data/generated``) plus the real VOT sequences of
  :data:`integration.data.generated.MAIN_REAL` (``bag``, ``VOT_ball1``, ``VOT_book``) that the shared data has;
* one group per ``--dataset`` folder (VOT dataset/sequence folder or workspace; an OTB folder gets the
  one-pass experiment only, its ground truth not being VOT regions).

Trackers: SiamRPN and, on the same sequences in the same job, the OpenCV baselines of ``MainSettings.baselines``
(CSRT, KCF, and NanoTrack when its model files are found; one that cannot be built here is left out with a
notice), ranked together (:func:`analysis.metrics.compare.compare_trackers`, paired tests against SiamRPN).
For a VOT group: the VOT baseline experiment (resets; every tracker declared deterministic, one run as LEG keeps
after three identical runs), the real-time experiment (``vot2017`` profile: LEG, 20 fps, measured clock) and
the OTB one-pass; all units go through :mod:`integration.run` in parallel workers with one progress bar.
Analysis: EAO (LEG) over an interval fitted to the group's sequence lengths (:func:`integration.jobs.scoring.fitted_interval`,
stated in the output), accuracy, failures, robustness; OTB success AUC and precision@20 (polygons -> area-preserving
boxes). Each group is scored once (:func:`_score`); the summary table and the report (``analysis.report``:
:func:`~analysis.report.vot.vot_part` and :func:`~analysis.report.otb.otb_part`) are drawn from those reports;
it goes to ``<out>/report/<group>/report.html``. Published VOT2017 / OTB-2015 numbers are ranked with the run
only when the group's sequences are that benchmark (:mod:`analysis.sequence_lists`); otherwise the figures show
them apart ("published on VOT2017, other data: not comparable") or leave them out, and say so.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.atomic import write_text_atomic
from analysis.io.layout import supervised_source
from analysis.io.result_layout import job_key_file, job_results_dir, job_runs_dir, job_tracker_dir
from analysis.metrics.compare import compare_trackers
from analysis.metrics.otb import OTBReport
from analysis.metrics.vot.analysis import VOTReport
from analysis.plots.style import DEFAULT_STYLE
from analysis.report.document import ReportContent, ReportSection, ReportTable, write_report
from analysis.report.environment import environment_info
from analysis.report.otb import otb_part, otb_speeds
from analysis.report.tables import tracker_summary
from analysis.report.vot import vot_experiment, vot_part
from analysis.stacks import BENCHMARKS
from integration.data.generated import MAIN_REAL, MAIN_SET, GeneratedSet, real_sequence_paths
from integration.data.sequences import Sequence, load_dataset
from integration.jobs.scoring import score_otb, score_vot
from integration.protocols.vot_baseline import BaselineSettings
from integration.registry import available_trackers
from integration.run.experiment import plan_units
from integration.run.supervise import run_units
from integration.run.units import ExperimentSpec, TrackerSpec, weights_fingerprint

__all__ = ["MainSettings", "Group", "collect_groups", "run_main", "MainResult", "RUN_LABEL", "job_trackers"]

#: the run's name in reports; deliberately not "SiamRPN", so it is never matched to the published SiamRPN rows
RUN_LABEL = "SiamRPN-ours"
#: report names of the baselines (not "CSRDCF" / "KCF" of the published tables: these are OpenCV's versions)
BASELINE_LABELS = {"csrt": "OpenCV CSRT", "kcf": "OpenCV KCF", "nano": "OpenCV NanoTrack", "mil": "OpenCV MIL"}
#: how the figures label the other trackers: run in this job on the same sequences (not raw results given to score)
OTHERS_LABEL = "this job, same sequences"


@dataclass(frozen=True)
class MainSettings:
    """Everything the main job needs; ``weights=None`` = the default weights."""

    out: Path = Path("output/main")
    datasets: tuple[Path, ...] = ()
    weights: str | None = None
    device: str = "cpu"
    workers: int = 2
    tracker: str = "siamrpn"  #: registry name or ``module:Factory`` (tests use a cheap OpenCV tracker)
    #: registry trackers run on the same sequences and ranked with SiamRPN (left out with a notice when unavailable)
    baselines: tuple[str, ...] = ("csrt", "kcf", "nano")
    generated: GeneratedSet = MAIN_SET
    include_bag: bool = True  #: add the real sequences ``real`` of the shared data to the default group
    real: tuple[str, ...] = MAIN_REAL
    realtime_profile: str = "vot2017"
    clock: str = "measured"
    progress: bool = True


@dataclass(frozen=True)
class Group:
    """Sequences analysed and reported together; ``vot=False``: one-pass only (OTB-layout data)."""

    name: str
    sequences: dict[str, Sequence] = field(hash=False)
    vot: bool = True
    origin: str = ""


@dataclass(frozen=True)
class MainResult:
    """Summary table (one row per group, experiment and metric), report paths, notices."""

    summary: pd.DataFrame
    reports: dict[str, Path]
    notices: tuple[str, ...]
    seconds: float


def _say(msg: str) -> None:
    print(msg, flush=True)


def collect_groups(settings: MainSettings) -> tuple[list[Group], list[str]]:
    """The default group (generated + the real shared sequences) and one group per ``--dataset``; notices for what
    was left out."""

    notices: list[str] = []
    root = settings.generated.write_vot(Path(settings.out) / "data" / "generated")
    default = dict(load_dataset(root))
    origin = f"{len(default)} generated sequences ({root})"
    real, missing = real_sequence_paths(settings.real) if settings.include_bag else ([], [])
    for path in real:
        default.update(load_dataset(path))
    if real:
        origin += f" + real VOT sequences {', '.join(p.name for p in real)} ({real[0].parent})"
    if missing:
        notices.append(f"real sequences {', '.join(missing)} not found (../shared/data/sequences or "
                       "$SIAMRPN_SHARED_DATA): the default group has " + ("the others" if real else
                                                                         "the generated sequences only"))
    groups = [Group("default", default, True, origin)]
    used = {"default"}
    for path in settings.datasets:
        path = Path(path)
        seqs = load_dataset(path)
        # one-pass-only layouts (OTB boxes): the one layout detector, analysis.io.layout
        is_otb = not any(supervised_source(s.annotation) for s in seqs.values())
        name = path.stem if path.is_file() else path.name
        while name in used:
            name += "_"
        used.add(name)
        groups.append(Group(name, seqs, not is_otb, f"{len(seqs)} sequences from {path}"))
        if is_otb:
            notices.append(f"{path}: OTB layout: one-pass experiment only (the VOT protocols need VOT regions)")
    return groups, notices


@dataclass(frozen=True)
class Tracker:
    """A tracker of the job: how workers build it (``spec``; its results go to ``<runs>/<exp>/<spec.result_name>``)
    and its name in the summary and reports."""

    spec: TrackerSpec
    label: str


def job_trackers(settings: MainSettings) -> tuple[list[Tracker], list[str]]:
    """SiamRPN first, then the baselines that can be built here; a notice for each one left out."""
    trackers = [Tracker(TrackerSpec(settings.tracker, settings.weights, settings.device, label="siamrpn"), RUN_LABEL)]
    status = available_trackers(list(settings.baselines)) if settings.baselines else {}
    notices = []
    for name in settings.baselines:
        if status.get(name) is None:
            trackers.append(Tracker(TrackerSpec(name, label=name), BASELINE_LABELS.get(name, name)))
        else:
            notices.append(f"baseline {name} not run: {status[name]}")
    return trackers, notices


def _units(groups: list[Group], settings: MainSettings, trackers: list[Tracker]):

    specs = [t.spec for t in trackers]
    units = []
    for g in groups:
        experiments = [ExperimentSpec("otb", clock=settings.clock)]
        if g.vot:
            experiments[:0] = [ExperimentSpec("baseline", BaselineSettings(), deterministic=True),
                               ExperimentSpec("realtime", profile=settings.realtime_profile, clock=settings.clock)]
        for exp in experiments:  # result folders: analysis.io.result_layout (<out>/runs/<group>/vot|otb)
            units += plan_units(specs, exp, g.sequences, job_results_dir(settings.out, g.name, exp.kind))
    # longest sequences first: better packing on the workers
    return sorted(units, key=lambda u: -len(u.sequence))


def _network_note(weights: str | None) -> str:
    """One sentence on which SiamRPN network the weights are (the default ones are not the paper's AlexNet)."""
    from tracker.siamrpn import preset_for_weights  # lazy: keeps torch off the start-up of commands that do not track

    try:
        preset = preset_for_weights(weights)
    except Exception as exc:  # noqa: BLE001 - the runs already reported unusable weights
        return f"Network: unknown ({exc})."
    head = ("the depthwise-correlation RPN head (DW-XCorr)" if preset.model.head == "dw"
            else "the paper's UP-channel RPN head")
    if preset.model.backbone != "alexnet":
        return (f"Network: SiamRPN (k = 5 anchors, one-shot detection) with {head} on an ImageNet-pretrained "
                f"EfficientNet-Lite0 backbone ({preset.model.backbone}, preset {preset.name}), trained by this project: "
                "the paper's ImageNet AlexNet weights are not available here (results/weights/README.md). Released "
                "weights load with --weights FILE.")
    return f"Network: SiamRPN with {head} on the modified AlexNet (preset {preset.name})."


@dataclass(frozen=True)
class GroupScores:
    """A group's computed reports, scored once, by tracker label (SiamRPN's is :data:`RUN_LABEL`): VOT per
    experiment (empty for a one-pass group) and OTB one-pass. The summary rows and the report are both drawn
    from them."""

    vot: dict[str, dict[str, VOTReport]]
    otb: dict[str, OTBReport]


def _report(group: Group, settings: MainSettings, scores: GroupScores, trackers: list[Tracker]) -> Path:
    """The group's report from its computed scores (the parts read no annotations and score nothing again)."""

    out = Path(settings.out)
    report_dir = out / "report" / group.name
    figures = report_dir / "figures"
    runs = job_runs_dir(out, group.name)
    summary, conventions, sections, warnings = [], [], [], []
    lengths = [len(s) for s in group.sequences.values()]
    folders = {t.label: t.spec.result_name for t in trackers}
    others = [t.label for t in trackers if t.label != RUN_LABEL]
    ranking = None  # every tracker, first in the summary
    intro = ReportSection(f"Main job: {group.name}")
    intro.paragraphs += [
        f"Sequences: {group.origin}; {len(lengths)} sequences, {sum(lengths)} frames. Tracker: {settings.tracker} "
        f"(weights {settings.weights or 'default: results/weights/siamrpn_default.pth'}, device {settings.device}).",
        (f"Ranked with {', '.join(others)}, run in this job on the same sequences under the same protocols "
         f"(paired tests against {RUN_LABEL}). " if others else "")
        + "Published VOT2017 / OTB-2015 numbers are ranked with these trackers only when the group's sequences are "
          "that benchmark (names and frame counts); otherwise they are shown apart, marked 'other data: not "
          "comparable', or left out.",
    ]
    if settings.tracker == "siamrpn":
        intro.paragraphs.append(_network_note(settings.weights))
    if group.vot:
        iv = scores.vot[RUN_LABEL]["baseline"].interval
        intro.paragraphs.append(
            f"VOT experiments: baseline (resets, 1 run: SiamRPN is deterministic), real-time "
            f"({settings.realtime_profile} profile, {settings.clock} clock); EAO interval "
            f"[{iv.low}, {iv.high}] ({iv.source}).")
        # recorded speed and real-time schedule come from the result files; the scores are the ones computed
        experiments = {label: {e: vot_experiment(r, job_tracker_dir(out, group.name, e, folders[label]), e)
                               for e, r in reps.items()} for label, reps in scores.vot.items()}
        comparison = None
        if others:
            comparison = compare_trackers({t: experiments[t]["baseline"].report for t in experiments},
                                          baseline=RUN_LABEL, fps={t: experiments[t]["baseline"].fps
                                                                   for t in experiments})
            ranking = ReportTable("trackers", "Every tracker of the job, VOT baseline experiment, ranked by EAO "
                                              f"({RUN_LABEL} in bold; the OTB one-pass ranking is in its section):",
                                  tracker_summary(comparison), open=True, bold=(RUN_LABEL,))
        part = vot_part(BENCHMARKS["vot2017"], RUN_LABEL, experiments[RUN_LABEL],
                        {t: reps for t, reps in experiments.items() if t != RUN_LABEL}, figures=figures,
                        variant="leg", realtime_profile=settings.realtime_profile, style=DEFAULT_STYLE,
                        comparison=comparison, others_label=OTHERS_LABEL)
        summary.append(part.summary)
        conventions += part.conventions
        sections += part.sections
        warnings += part.warnings
    otb_comparison = None
    if others:
        otb_comparison = compare_trackers(scores.otb, baseline=RUN_LABEL,
                                          fps=otb_speeds({t: job_tracker_dir(out, group.name, "otb", folders[t])
                                                         for t in scores.otb}))
        if ranking is None:
            ranking = ReportTable("trackers", f"Every tracker of the job, OTB one-pass, ranked by AUC ({RUN_LABEL} "
                                              "in bold):", tracker_summary(otb_comparison), open=True,
                                  bold=(RUN_LABEL,))
    part = otb_part(BENCHMARKS["otb2015"], RUN_LABEL, scores.otb, figures=figures, style=DEFAULT_STYLE,
                    comparison=otb_comparison, others_label=OTHERS_LABEL if others else None)
    summary.append(part.summary)
    conventions += [(f"OTB {k}", v) for k, v in part.conventions]
    sections += part.sections
    warnings += part.warnings
    content = ReportContent(
        title=f"SiamRPN main job: {group.name}" + (f", ranked with {', '.join(others)}" if others else ""),
        subtitle=f"{group.origin}. Results: {runs}.",
        summary=pd.concat(summary, ignore_index=True), conventions=conventions, sections=[intro] + sections,
        warnings=warnings, environment=environment_info(settings.device), trackers=ranking,
    )
    return write_report(content, report_dir)


def _score(group: Group, settings: MainSettings, trackers: list[Tracker]) -> tuple[list[dict], GroupScores]:
    """Score the group's runs once, every tracker: summary rows and the reports the group's report is drawn from.

    VOT: LEG, EAO interval fitted to the group's lengths by the analysis (:func:`fitted_interval`'s rule),
    with per-attribute scores for the report; OTB: one-pass on area-preserving boxes.
    """

    anns = {n: s.annotation for n, s in group.sequences.items()}
    rows: list[dict] = []
    vot: dict[str, dict[str, VOTReport]] = {}
    otb: dict[str, OTBReport] = {}
    for t in trackers:
        row = {"group": group.name, "tracker": t.label}
        if group.vot:
            vot[t.label] = {}
            for exp in ("baseline", "realtime"):
                rep = vot[t.label][exp] = score_vot(anns, job_tracker_dir(settings.out, group.name, exp,
                                                                          t.spec.result_name), exp, None,
                                                    per_attribute=True)
                iv = rep.interval
                for metric, value in (("EAO", rep.eao), ("accuracy", rep.accuracy), ("failures", rep.failures),
                                      ("robustness (failures/100 frames)", rep.robustness)):
                    rows.append({**row, "experiment": exp, "metric": metric, "value": value,
                                 "convention": f"LEG, EAO interval [{iv.low}, {iv.high}]" if metric == "EAO"
                                 else "LEG"})
        rep = otb[t.label] = score_otb(anns, job_tracker_dir(settings.out, group.name, "otb", t.spec.result_name))
        rows += [{**row, "experiment": "otb one-pass", "metric": "success AUC", "value": rep.auc,
                  "convention": "OTB, 21 thresholds"},
                 {**row, "experiment": "otb one-pass", "metric": "precision @20 px", "value": rep.precision,
                  "convention": "OTB"}]
    return rows, GroupScores(vot, otb)


def _check_resume(settings: MainSettings, notices: list[str], baselines: tuple[str, ...] = ()) -> None:
    """Finished runs are reused only when they were made by the same tracker: the weights' SHA-256, the
    tracker, device and real-time settings are recorded in ``<out>/runs/run_key.json``; a different key
    clears ``<out>/runs`` (with a notice) so results of other weights are never mixed in."""


    runs = job_runs_dir(settings.out)
    # the runner's key of the weights: the spec (``random:<seed>``, a path) and the content fingerprint of the file
    # (integration.run.units.weights_fingerprint), as each unit's record keys on them: one staleness key
    key = {"weights": {"spec": settings.weights,
                       **weights_fingerprint(TrackerSpec(settings.tracker, settings.weights, settings.device))},
           "tracker": settings.tracker, "device": settings.device, "realtime_profile": settings.realtime_profile,
           "clock": settings.clock}
    if baselines:  # the key of a SiamRPN-only output folder stays as it was
        key["baselines"] = list(baselines)
    key_file = job_key_file(settings.out)
    if runs.is_dir():
        try:
            old = json.loads(key_file.read_text())
        except (OSError, json.JSONDecodeError):
            old = None
        if old != key:
            shutil.rmtree(runs)
            notices.append(f"{runs}: earlier results were made with other weights/settings; removed and re-run")
            _say(f"NOTE: {notices[-1]}")
    write_text_atomic(key_file, json.dumps(key, indent=1))


def run_main(settings: MainSettings) -> MainResult:
    """Run, analyse and report every group; raises ``RuntimeError`` (with the runner's summary) if units failed."""

    start = time.perf_counter()
    out = Path(settings.out)
    out.mkdir(parents=True, exist_ok=True)
    _say(f"siamrpn main: preparing data under {out / 'data'}")
    groups, notices = collect_groups(settings)
    trackers, left_out = job_trackers(settings)
    notices += left_out
    for n in notices:
        _say(f"NOTE: {n}")
    _say(f"  trackers: {', '.join(t.label for t in trackers)}")
    for g in groups:
        frames = sum(len(s) for s in g.sequences.values())
        _say(f"  group {g.name}: {g.origin}; {frames} frames; experiments: "
             + ("VOT baseline, VOT real-time, OTB one-pass" if g.vot else "OTB one-pass"))
    _check_resume(settings, notices, tuple(t.spec.name for t in trackers[1:]))
    units = _units(groups, settings, trackers)
    workers = max(1, int(settings.workers))
    if workers > 1:
        # one thread per worker process: the cores are shared by the workers (set before they are spawned)
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[var] = "1"
    _say(f"siamrpn main: {len(units)} runs (sequence x experiment) on {workers} worker(s)")
    outcomes = run_units(units, workers=workers, resume=True, progress=settings.progress)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        lines = [f"  {o.key}: {o.error} (traceback: {o.log})" for o in failed]
        raise RuntimeError(f"{len(failed)} run(s) failed:\n" + "\n".join(lines))
    rows, reports = [], {}
    for g in groups:
        _say(f"siamrpn main: analysing and reporting group {g.name}")
        r, scores = _score(g, settings, trackers)
        rows += r
        reports[g.name] = _report(g, settings, scores, trackers)
    summary = pd.DataFrame(rows, columns=["group", "tracker", "experiment", "metric", "value", "convention"])
    write_text_atomic(out / "summary.csv", summary.to_csv(index=False))
    return MainResult(summary, reports, tuple(notices), time.perf_counter() - start)
