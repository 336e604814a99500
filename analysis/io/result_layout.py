"""The one experiment table and the one result layout: every experiment the runner knows, the folder its results
go to, and every result path and file name (written by :mod:`integration.run.execute`, matched by
:mod:`integration.run.units`, read by :mod:`analysis.io.trajectories` and :mod:`analysis.io.results`).

Layout of one tracker's result folder ``<out>/<tracker>/`` (``docs/conventions.md``):

* VOT experiments (MATLAB/pysot ``leg`` text layout): ``<folder>/<seq>/<seq>_<NNN>.txt`` per run and one
  ``<seq>_time.txt`` (a column per run); vot-toolkit's ``pyt`` layout: ``<seq>_<NNN>.bin`` and
  ``<seq>_<NNN>_time.value``; real-time runs add ``<seq>_realtime.json``;
* VOT2020+ multi-start: ``<seq>_<anchor:08d>.bin|.txt`` and ``<seq>_<anchor:08d>_time.value``;
* long-term: ``longterm/<seq>/<seq>_001.txt`` + ``_001_confidence.value`` + ``_001_time.value``;
* OTB one-pass: flat ``<seq>.txt`` and ``times/<seq>_time.txt``; GOT-10k: ``<seq>/<seq>_<NNN>.txt`` +
  ``<seq>_time.txt`` directly under the tracker's folder.

The main job (:mod:`integration.jobs.main_job`) keeps one such output folder per group and experiment family:
``<out>/runs/<group>/vot`` (baseline and real-time) and ``<out>/runs/<group>/otb`` (:data:`JOB_FOLDERS`,
:func:`job_results_dir`), with its staleness key in ``<out>/runs/run_key.json`` (:func:`job_key_file`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Experiment:
    """One experiment of the runner (one row of :data:`EXPERIMENTS`).

    ``folder``: where a sequence's result files go, relative to the tracker's folder (``""`` = the tracker's
    folder itself, ``None`` = OTB's flat files); ``title``: how reports name it; ``resets``: supervised (VOT
    baseline/real-time re-initialisation after a failure); ``realtime``: runs under a real-time profile, with the
    rule it needs (``"pyt"``) or ``""`` for any; ``anchored``: VOT2020+ multi-start (anchors); ``eao``: scored
    with EAO; ``repetitions``: runs repeat (GOT-10k's ``--repetitions``); ``batchable``: may run in lock-step
    batches (:mod:`integration.run.batched`)."""

    name: str
    folder: str | None
    title: str
    resets: bool = False
    realtime: str | None = None
    anchored: bool = False
    eao: bool = False
    repetitions: bool = False
    batchable: bool = False
    confidence: bool = False  #: long-term: a confidence per frame


#: every experiment the runner knows; the VOT2020+ multi-start experiments use vot-toolkit's folder names
EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (
    Experiment(name="baseline", folder="baseline", title="baseline", resets=True, eao=True, batchable=True),
    Experiment(name="realtime", folder="realtime", title="real-time", resets=True, realtime="", eao=True),
    Experiment(name="otb", folder=None, title="OTB one-pass", batchable=True),
    Experiment(name="got10k", folder="", title="GOT-10k one-pass", repetitions=True, batchable=True),
    Experiment(name="longterm", folder="longterm", title="long-term", confidence=True),
    Experiment(name="multistart", folder="baseline", title="baseline", anchored=True, eao=True),
    Experiment(name="multistart-realtime", folder="realtime", title="real-time", anchored=True, realtime="pyt",
               eao=True),
    Experiment(name="unsupervised", folder="unsupervised", title="unsupervised"),
)}
#: the VOT experiment a results folder is read as when it names none
DEFAULT_VOT_EXPERIMENT = "baseline"
#: folder names of the VOT experiments (a results path ending in one of them is an experiment folder)
VOT_EXPERIMENT_FOLDERS: tuple[str, ...] = ("baseline", "realtime", "unsupervised")


def experiment(name: str) -> Experiment:
    """The experiment called ``name``, with a clear error for unknown names."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r} (expected one of {tuple(EXPERIMENTS)})")
    return EXPERIMENTS[name]


def tracker_dir(out: str | Path, tracker: str) -> Path:
    """``<out>/<tracker>``: one tracker's results of one run (``tracker`` = its result-folder name)."""
    return Path(out) / tracker


def records_dir(out: str | Path, tracker: str, experiment_name: str) -> Path:
    """``<out>/_runner/<tracker>/<experiment>``: the runner's completion records and error logs of one tracker's
    experiment (not a tracker's folder: readers skip folders starting with ``_``)."""
    return Path(out) / "_runner" / tracker / experiment_name


def sequence_dir(tracker_folder: str | Path, experiment_name: str, sequence: str) -> Path | None:
    """The folder of a sequence's result files (``None`` for OTB's flat files)."""
    folder = experiment(experiment_name).folder
    if folder is None:
        return None
    return Path(tracker_folder) / folder / sequence


#: the main job's runs folder under its output folder
JOB_RUNS_FOLDER = "runs"
#: the main job's result folder (under ``runs/<group>``) of each experiment it runs: the VOT experiments share one
JOB_FOLDERS: dict[str, str] = {"baseline": "vot", "realtime": "vot", "otb": "otb"}


def job_runs_dir(out: str | Path, group: str | None = None) -> Path:
    """``<out>/runs`` (every group's runs) or ``<out>/runs/<group>``: the main job's runs."""
    runs = Path(out) / JOB_RUNS_FOLDER
    return runs if group is None else runs / group


def job_results_dir(out: str | Path, group: str, experiment_name: str) -> Path:
    """``<out>/runs/<group>/<vot|otb>``: the runner's output folder of one experiment of a main-job group."""
    if experiment_name not in JOB_FOLDERS:
        raise ValueError(f"the main job runs no {experiment_name!r} experiment (expected one of {tuple(JOB_FOLDERS)})")
    return job_runs_dir(out, group) / JOB_FOLDERS[experiment_name]


def job_tracker_dir(out: str | Path, group: str, experiment_name: str, tracker: str) -> Path:
    """``<out>/runs/<group>/<vot|otb>/<tracker>``: one tracker's results of one experiment of a main-job group."""
    return tracker_dir(job_results_dir(out, group, experiment_name), tracker)


def job_key_file(out: str | Path) -> Path:
    """``<out>/runs/run_key.json``: what the main job's finished runs were made with (its staleness key)."""
    return job_runs_dir(out) / "run_key.json"


def run_stem(sequence: str, run: int) -> str:
    """``<seq>_<NNN>``: the stem of run ``run`` (1-based) of a sequence."""
    return f"{sequence}_{run:03d}"


def anchor_stem(sequence: str, anchor: int) -> str:
    """vot-toolkit's result name of a multi-start anchor's run: ``<seq>_<anchor:08d>``."""
    return f"{sequence}_{anchor:08d}"


def run_file(seq_dir: Path, stem: str, binary: bool = False) -> Path:
    """A run's trajectory: ``<stem>.bin`` (vot-toolkit) or ``<stem>.txt``."""
    return seq_dir / f"{stem}{'.bin' if binary else '.txt'}"


def run_times_file(seq_dir: Path, stem: str) -> Path:
    """vot-toolkit's per-run times: ``<stem>_time.value``."""
    return seq_dir / f"{stem}_time.value"


def confidence_file(seq_dir: Path, stem: str) -> Path:
    """Long-term per-frame confidences: ``<stem>_confidence.value``."""
    return seq_dir / f"{stem}_confidence.value"


def times_file(seq_dir: Path, sequence: str) -> Path:
    """LEG/GOT-10k times of every run: ``<seq>_time.txt`` (a column per run)."""
    return seq_dir / f"{sequence}_time.txt"


def realtime_log(seq_dir: Path, sequence: str) -> Path:
    """The real-time schedule of a sequence: ``<seq>_realtime.json``."""
    return seq_dir / f"{sequence}_realtime.json"


def onepass_file(tracker_folder: str | Path, sequence: str) -> Path:
    """OTB-style flat result: ``<tracker>/<seq>.txt``."""
    return Path(tracker_folder) / f"{sequence}.txt"


def onepass_times_file(tracker_folder: str | Path, sequence: str) -> Path:
    """OTB-style flat times: ``<tracker>/times/<seq>_time.txt``."""
    return Path(tracker_folder) / "times" / f"{sequence}_time.txt"


def run_files_pattern(sequence: str) -> re.Pattern[str]:
    """Run files of a sequence (what a redo clears): ``<seq>_<N>.txt|.bin|_time.value|_confidence.value``."""
    return re.compile(rf"^{re.escape(sequence)}_\d+(\.txt|\.bin|_time\.value|_confidence\.value)$")


def result_files_pattern(sequence: str) -> re.Pattern[str]:
    """Every result file of a sequence folder (what a completion record checksums): the run files, the LEG
    ``_time.txt`` and the real-time log."""
    return re.compile(rf"^{re.escape(sequence)}_(\d+(\.txt|\.bin|_time\.value|_confidence\.value)|time\.txt|"
                      r"realtime\.json)$")


def trajectory_pattern(sequence: str) -> re.Pattern[str]:
    """Trajectory files of a sequence: ``<seq>_<N>.txt|.bin`` (group 1 = the run number)."""
    return re.compile(rf"^{re.escape(sequence)}_(\d+)\.(txt|bin)$")
