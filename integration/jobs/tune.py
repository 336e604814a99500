"""Tune SiamRPN's tracking hyper-parameters on a dataset with Optuna (the library behind ``siamrpn tune``).

Searched: ``penalty_k``, ``window_influence``, ``lr`` (the scale / size learning rate) and ``context_amount``
of :class:`tracker.presets.TrackConfig`, within :class:`SearchSpace`; every other preset field stays as in the base
preset (``--preset`` / ``--preset-file``, else the one stored with the weights). The objective is maximised:

* ``eao``: the VOT baseline experiment (resets; SiamRPN declared deterministic, 1 run) scored by
  :func:`integration.jobs.scoring.score_vot` (LEG) over the EAO interval :func:`~integration.jobs.scoring.fitted_interval`
  fits to the dataset's sequence lengths (the main job's rule; stated in the output);
* ``auc``: the OTB one-pass experiment scored by :func:`~integration.jobs.scoring.score_otb` (success AUC).

**Parallelism.** Trials run one after another (Optuna's TPE sampler chooses each trial from the finished ones);
inside a trial the sequences run in parallel through the project's runner (:func:`integration.run.experiment.run_experiment`,
``workers`` supervised processes: a crashing or hanging sequence fails its trial alone, with the runner's timeouts).

**Resume.** The study lives in an SQLite file (``study``, default ``<out>/study.sqlite``). Running again with the
same file continues it: ``trials`` is the number of *completed* trials wanted, so only the missing ones run and
finished trials are never recomputed. A trial interrupted by Ctrl-C (or left running by a killed process) is
marked failed and re-run once with the same parameters (``retry_of`` in the table), in the same run folder, where
the runner keeps the sequences that had finished. The sampler is re-seeded from ``seed`` and the number of trials
already in the study, so a resumed study does not redraw its first points. A study refuses to continue with
other settings (objective, search space, base preset, weights, sequences); a lock file next to it keeps a second
``siamrpn tune`` off the same study. A new study's first trial is the base preset itself (when inside the space),
so the best is never worse than the starting point on this data.

**Run folders.** Trial ``n`` runs into ``<out>/trials/trial_<n>/siamrpn/`` (a retry uses its original's folder).
The tracker spec holds the whole preset, so the runner's content-keyed completion records reuse a sequence only for
the same settings, weights and frames: a trial never takes another trial's results.

**Outputs** (rewritten after every trial; plots and the best preset at the end, also after an interrupt):
``<out>/trials.csv`` (one row per trial: number, state, objective, the four parameters, the other scores, seconds,
``retry_of``, run folder, error), ``<out>/history.png`` (objective per trial, best so far), ``<out>/parameters.png``
(objective against each parameter), ``<out>/best_preset.json`` (:mod:`tracker.preset_file` format: the base
preset's name and the tuned fields), which ``--preset-file`` of ``siamrpn run`` / ``siamrpn track`` accepts, and
``<out>/best.json`` (best trial, value, parameters).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.atomic import write_text_atomic
from analysis.plots.style import PlotStyle
from analysis.plots.tune import tuning_history, tuning_parameters
from analysis.stacks import EAOInterval
from integration.data.sequences import Sequence, check_output_folder, load_dataset
from integration.jobs.scoring import fitted_interval, score_otb, score_vot
from integration.registry import siamrpn_preset
from integration.run.experiment import run_experiment
from integration.run.supervise import DEFAULT_FRAME_TIMEOUT, DEFAULT_UNIT_TIMEOUT
from integration.run.units import ExperimentSpec, TrackerSpec, weights_fingerprint
from tracker.preset_file import write_preset_file
from tracker.presets import TrackConfig

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, a second tuner is not detected
    fcntl = None  # type: ignore[assignment]

__all__ = ["OBJECTIVES", "PARAMETERS", "SearchSpace", "TuneRequest", "TuneResult", "TuneError", "TrialFailed",
           "STUDY_NAME",
           "run_tune", "trials_table"]

#: the searched TrackConfig fields, in table order
PARAMETERS = ("penalty_k", "window_influence", "lr", "context_amount")
#: objective -> (runner experiment, label, how it is computed)
OBJECTIVES: dict[str, tuple[str, str, str]] = {
    "eao": ("baseline", "EAO", "VOT baseline EAO (LEG; resets, 1 run; interval fitted to the sequence lengths)"),
    "auc": ("otb", "AUC", "OTB one-pass success AUC (mean over sequences)"),
}
STUDY_NAME = "siamrpn-tune"
TRACKER_LABEL = "siamrpn"  #: result folder of every trial's tracker: <run dir>/siamrpn/


class TuneError(Exception):
    """A user-facing failure of ``siamrpn tune`` (bad settings, a study of other settings, a failed trial)."""


class TrialFailed(TuneError):
    """A trial's runs or scoring failed (the study keeps the trial as failed)."""


@dataclass(frozen=True)
class SearchSpace:
    """Inclusive ``(low, high)`` bounds of each searched parameter (sampled uniformly by TPE's prior)."""

    penalty_k: tuple[float, float] = (0.0, 0.5)
    window_influence: tuple[float, float] = (0.1, 0.7)
    lr: tuple[float, float] = (0.1, 0.8)
    context_amount: tuple[float, float] = (0.3, 0.7)

    def __post_init__(self) -> None:
        limits = {"penalty_k": (0.0, math.inf), "window_influence": (0.0, 1.0), "lr": (0.0, 1.0),
                  "context_amount": (0.0, math.inf)}
        for name in PARAMETERS:
            bounds = getattr(self, name)
            try:
                low, high = (float(v) for v in bounds)
            except (TypeError, ValueError):
                raise ValueError(f"search space: {name} must be two numbers (low, high), got {bounds!r}") from None
            lo_ok, hi_ok = limits[name]
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(f"search space: {name} needs finite low < high, got {low:g}, {high:g}")
            if low < lo_ok or high > hi_ok or (name == "context_amount" and low <= 0):
                raise ValueError(f"search space: {name} must lie in "
                                 f"{'(0' if name == 'context_amount' else f'[{lo_ok:g}'}, {hi_ok:g}], "
                                 f"got {low:g}, {high:g}")
            object.__setattr__(self, name, (low, high))

    def bounds(self) -> dict[str, tuple[float, float]]:
        return {name: getattr(self, name) for name in PARAMETERS}

    def contains(self, params: Mapping[str, float]) -> bool:
        return all(lo <= float(params[n]) <= hi for n, (lo, hi) in self.bounds().items())


@dataclass(frozen=True)
class TuneRequest:
    """What to tune on and how. ``dataset``: anything :func:`integration.data.sequences.load_dataset` reads (or
    give the sequences to :func:`run_tune`); ``sequences``: a subset by name. ``trials``: completed trials wanted
    in the study (a resumed study runs only the missing ones). ``workers``: runner processes per trial (0 = in
    this process). ``study``: the SQLite file (default ``<out>/study.sqlite``). ``weights`` / ``preset`` /
    ``preset_file``: the tracker and its base preset (as ``siamrpn run``)."""

    out: Path
    dataset: Path | None = None
    objective: str = "eao"
    trials: int = 30
    workers: int = 1
    study: Path | None = None
    seed: int = 0
    weights: str | None = None
    preset: str | None = None
    preset_file: Path | None = None
    device: str = "cpu"
    sequences: tuple[str, ...] = ()
    image_root: Path | None = None
    space: SearchSpace = field(default_factory=SearchSpace)
    start_from_base: bool = True  #: a new study's first trial is the base preset's own values
    progress: bool = False  #: the runner's progress bar per trial
    unit_timeout: float | None = DEFAULT_UNIT_TIMEOUT
    frame_timeout: float | None = DEFAULT_FRAME_TIMEOUT

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r} (expected one of {', '.join(OBJECTIVES)})")
        if self.trials < 1:
            raise ValueError(f"trials must be >= 1, got {self.trials}")
        if self.workers < 0:
            raise ValueError(f"workers must be >= 0, got {self.workers}")

    @property
    def study_path(self) -> Path:
        return Path(self.study) if self.study is not None else Path(self.out) / "study.sqlite"


@dataclass(frozen=True)
class TuneResult:
    """The study after this run: the trials table, the best trial and where everything was written."""

    table: pd.DataFrame
    objective: str
    new_trials: int  #: trials completed by this call
    best_trial: int
    best_value: float
    best_params: dict[str, float]
    best_preset: TrackConfig
    files: dict[str, Path]  #: table, history, parameters, best_preset, study
    interval: EAOInterval | None  #: the EAO interval (objective ``eao``)
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------------ helpers
def _optuna():
    try:
        import optuna  # lazy: optional extra 'tune' (only this command needs it)
    except ImportError as exc:
        raise TuneError("siamrpn tune needs Optuna: pip install -e '.[tune]' (or pip install 'optuna>=3.5')") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _sampler_seed(seed: int, n_trials: int) -> int:
    """A seed from ``seed`` and the trials already in the study (a resumed study must not redraw its points)."""
    digest = hashlib.sha256(f"siamrpn-tune|{seed}|{n_trials}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


def _settings(request: TuneRequest, base: TrackConfig, spec: TrackerSpec,
              sequences: Mapping[str, Sequence]) -> dict[str, Any]:
    """What the objective values of a study depend on (stored in the study; a resume must match)."""
    seq_hash = hashlib.sha256("".join(f"{n}\0{s.fingerprint}\0" for n, s in sorted(sequences.items())).encode())
    return json.loads(json.dumps({
        "objective": request.objective,
        "experiment": OBJECTIVES[request.objective][0],
        "space": request.space.bounds(),
        "base_preset": dataclasses.asdict(dataclasses.replace(base, **{p: 0.0 for p in PARAMETERS})),
        "weights": str(request.weights) if request.weights is not None else "default",
        "weights_sha256": weights_fingerprint(spec)["sha256"],
        "sequences": sorted(sequences),
        "sequences_sha256": seq_hash.hexdigest(),
    }))


def _check_settings(stored: Mapping[str, Any], now: Mapping[str, Any], study: Path) -> None:
    diff = [k for k in now if stored.get(k) != now[k]]
    if diff:
        detail = "; ".join(f"{k}: {_short(stored.get(k))} -> {_short(now[k])}" for k in diff)
        raise TuneError(f"{study}: the study was run with other settings ({detail}); continue it with the same "
                        "settings, or give another --study file")


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


class _StudyLock:
    """An exclusive advisory lock on ``<study>.lock`` while a tuner uses the study (released on exit or death)."""

    def __init__(self, study: Path) -> None:
        self.path = Path(f"{study}.lock")
        self._fh = None

    def __enter__(self) -> "_StudyLock":
        if fcntl is None:
            return self
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            raise TuneError(f"{self.path}: another 'siamrpn tune' is using this study; wait for it or give "
                            "another --study file") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()


def trials_table(study: Any, objective: str) -> pd.DataFrame:
    """One row per trial of ``study``: ``trial, state, <objective>, <parameters>, <other scores>, seconds,
    retry_of, run_dir, error``."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        attrs = t.user_attrs
        row: dict[str, Any] = {"trial": t.number, "state": t.state.name,
                               objective: t.value if t.value is not None else math.nan}
        row.update({p: t.params.get(p, math.nan) for p in PARAMETERS})
        row.update({k: v for k, v in attrs.get("scores", {}).items() if k != objective})
        row.update(seconds=attrs.get("seconds", math.nan), retry_of=attrs.get("retry_of"),
                   run_dir=attrs.get("run_dir", ""), error=attrs.get("error", ""))
        rows.append(row)
    cols = ["trial", "state", objective, *PARAMETERS]
    table = pd.DataFrame(rows, columns=None if rows else cols)
    if "retry_of" in table:
        table["retry_of"] = table["retry_of"].astype("Int64")
    return table.sort_values("trial").reset_index(drop=True) if rows else table


def _recover_interrupted(study: Any, optuna: Any, retry: bool) -> list[str]:
    """Mark trials left RUNNING (a killed tuner) as failed and, with ``retry``, queue one retry of every interrupted
    trial with the same parameters and run folder. Returns notes for the user."""
    storage, notes = study._storage, []
    trials = study.get_trials(deepcopy=False)
    for t in trials:
        if t.state == optuna.trial.TrialState.RUNNING:
            storage.set_trial_user_attr(t._trial_id, "interrupted", True)
            storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL)
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    for t in trials:
        if (retry and t.state == optuna.trial.TrialState.FAIL and t.user_attrs.get("interrupted")
                and t.number not in retried and set(PARAMETERS) <= set(t.params)):
            study.enqueue_trial(dict(t.params), user_attrs={"retry_of": t.number,
                                                            "run_key": t.user_attrs.get("run_key", t.number)})
            notes.append(f"trial {t.number} was interrupted: re-running it with the same parameters")
    return notes


def _run_dir(out: Path, key: int) -> Path:
    return Path(out) / "trials" / f"trial_{key:04d}"


def _score(objective: str, annotations: Mapping, tracker_dir: Path,
           interval: EAOInterval | None) -> tuple[float, dict[str, float]]:
    if objective == "eao":
        rep = score_vot(annotations, tracker_dir, "baseline", interval)
        return float(rep.eao), {"eao": float(rep.eao), "accuracy": float(rep.accuracy),
                                "failures": float(rep.failures)}
    rep = score_otb(annotations, tracker_dir)
    return float(rep.auc), {"auc": float(rep.auc), "precision": float(rep.precision)}


def _first_error(summary: Any) -> str:
    if summary.unavailable:
        return "; ".join(f"{k}: {v}" for k, v in summary.unavailable.items())
    failed = summary.failed
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more sequence(s))" if len(failed) > 1 else ""
        return f"{first.key}: {(first.error or 'failed').strip().splitlines()[-1]}{more}"
    return ""


# ------------------------------------------------------------------------------------------------ the job
def run_tune(request: TuneRequest, sequences: Mapping[str, Sequence] | None = None,
             log: Callable[[str], None] | None = None) -> TuneResult:
    """Run (or continue) the study of ``request`` until it has ``request.trials`` completed trials, then write the
    trials table, the plots and the best preset. ``sequences`` replaces loading ``request.dataset``; ``log``
    receives one line per event (the command prints them). Raises :class:`TuneError` (bad input, a study of other
    settings, a failed trial: the study keeps it as failed, rerunning goes on) and lets ``KeyboardInterrupt``
    through after recording the interrupted trial and writing the outputs."""
    say = log or (lambda _msg: None)
    optuna = _optuna()
    out = Path(request.out)
    seqs = dict(sequences) if sequences is not None else _load(request)
    if request.sequences:
        missing = [s for s in request.sequences if s not in seqs]
        if missing:
            raise TuneError(f"{request.dataset}: no sequence named {', '.join(missing)}")
        seqs = {s: seqs[s] for s in request.sequences}
    if not seqs:
        raise TuneError("no sequences to tune on")
    try:
        base = siamrpn_preset(request.weights, request.preset,
                              str(request.preset_file) if request.preset_file is not None else None)
    except (ValueError, OSError) as exc:  # PresetFileError, WeightsError, unknown preset, unreadable file
        raise TuneError(str(exc)) from None
    try:
        check_output_folder(out)
        request.study_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TuneError(str(exc)) from None
    kind, label, how = OBJECTIVES[request.objective]
    experiment = ExperimentSpec(kind=kind, deterministic=True)
    annotations = {n: s.annotation for n, s in seqs.items()}
    interval = fitted_interval([len(a.groundtruth) for a in annotations.values()]) if request.objective == "eao" else None
    base_spec = TrackerSpec("siamrpn", request.weights, request.device, (("preset", base),), TRACKER_LABEL)
    settings = _settings(request, base, base_spec, seqs)
    files = {"table": out / "trials.csv", "history": out / "history.png", "parameters": out / "parameters.png",
             "best_preset": out / "best_preset.json", "best": out / "best.json", "study": request.study_path}

    with _StudyLock(request.study_path):
        study = optuna.create_study(storage=f"sqlite:///{request.study_path.resolve()}", study_name=STUDY_NAME,
                                    direction="maximize", load_if_exists=True)
        stored = study.user_attrs.get("settings")
        if stored is None and not study.trials:
            study.set_user_attr("settings", settings)
        elif stored is not None:
            _check_settings(stored, settings, request.study_path)
        done = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
        todo = max(request.trials - done, 0)
        notes = _recover_interrupted(study, optuna, retry=todo > 0)
        n_existing = len(study.trials)
        study.sampler = optuna.samplers.TPESampler(seed=_sampler_seed(request.seed, n_existing))
        start = {p: float(getattr(base, p)) for p in PARAMETERS}
        if n_existing == 0 and request.start_from_base and todo:
            if request.space.contains(start):
                study.enqueue_trial(start, user_attrs={"origin": "base preset"})
            else:
                notes.append(f"the base preset's values {start} lie outside the search space: not tried first")
        for note in notes:
            say(note)
        what = (f"{len(seqs)} sequences, {how}"
                + (f", EAO interval {interval.low}-{interval.high} ({interval.source})" if interval else ""))
        say(f"study {request.study_path}: {done} completed trial(s), {todo} to run; objective {label}: {what}; "
            f"base preset {base.name}")
        new = 0
        try:
            for _ in range(todo):
                _one_trial(study, optuna, request, base, experiment, seqs, annotations, interval, say)
                new += 1
                trials_table(study, request.objective).to_csv(files["table"], index=False)
        finally:
            table = trials_table(study, request.objective)
            table.to_csv(files["table"], index=False)
            complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
            if complete:
                _write_outputs(study, table, request, base, label, files)
    if not complete:
        raise TuneError(f"{request.study_path}: no completed trial")
    best = study.best_trial
    tuned = dataclasses.replace(base, **{p: float(best.params[p]) for p in PARAMETERS})
    return TuneResult(table=table, objective=request.objective, new_trials=new, best_trial=best.number,
                      best_value=float(best.value), best_params={p: float(best.params[p]) for p in PARAMETERS},
                      best_preset=tuned, files=files, interval=interval, notes=tuple(notes))


def _load(request: TuneRequest) -> dict[str, Sequence]:
    if request.dataset is None:
        raise TuneError("give a dataset")
    try:
        return load_dataset(request.dataset, image_root=request.image_root)
    except (ValueError, FileNotFoundError) as exc:
        raise TuneError(str(exc)) from None


def _one_trial(study: Any, optuna: Any, request: TuneRequest, base: TrackConfig, experiment: ExperimentSpec,
               seqs: Mapping[str, Sequence], annotations: Mapping, interval: EAOInterval | None,
               say: Callable[[str], None]) -> None:
    """Ask for a trial, run the tracker with its parameters through the runner, score it, tell the study."""
    trial = study.ask()
    params = {name: trial.suggest_float(name, lo, hi) for name, (lo, hi) in request.space.bounds().items()}
    key = int(trial.user_attrs.get("run_key", trial.number))
    run_dir = _run_dir(request.out, key)
    trial.set_user_attr("run_key", key)
    trial.set_user_attr("run_dir", os.path.relpath(run_dir, request.out))
    cfg = dataclasses.replace(base, **params)
    spec = TrackerSpec("siamrpn", request.weights, request.device, (("preset", cfg),), TRACKER_LABEL)
    shown = " ".join(f"{k}={v:.4f}" for k, v in params.items())
    t0 = time.perf_counter()
    try:
        summary = run_experiment([spec], experiment, seqs, run_dir, workers=request.workers,
                                 progress=request.progress, unit_timeout=request.unit_timeout,
                                 frame_timeout=request.frame_timeout)
        error = _first_error(summary)
        if not error:
            value, scores = _score(request.objective, annotations, run_dir / TRACKER_LABEL, interval)
            if not math.isfinite(value):
                error = f"the objective is {value} (no frames scored?)"
    except KeyboardInterrupt:
        trial.set_user_attr("interrupted", True)
        trial.set_user_attr("seconds", time.perf_counter() - t0)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        say(f"trial {trial.number}: interrupted ({shown}); rerun the same command to resume (it re-runs this trial)")
        raise
    except (ValueError, OSError) as exc:  # scoring: a missing or unreadable result file
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    trial.set_user_attr("seconds", seconds)
    if error:
        trial.set_user_attr("error", error)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise TrialFailed(f"trial {trial.number} ({shown}) failed: {error} (run folder {run_dir}); the study keeps "
                        "it as failed, rerunning continues with new trials")
    trial.set_user_attr("scores", scores)
    study.tell(trial, value)
    best = study.best_trial
    say(f"trial {trial.number}: {shown} -> {OBJECTIVES[request.objective][1]} {value:.4f} "
        f"(best {best.value:.4f}, trial {best.number}) [{seconds:.1f} s]")


def _write_outputs(study: Any, table: pd.DataFrame, request: TuneRequest, base: TrackConfig, label: str,
                   files: Mapping[str, Path]) -> None:
    """Plots and the best preset file of the study so far."""
    style = PlotStyle(formats=("png",))
    tuning_history(table, request.objective, files["history"].with_suffix(""), label, style)
    tuning_parameters(table, request.objective, PARAMETERS, files["parameters"].with_suffix(""), label, style)
    best = study.best_trial
    tuned = dataclasses.replace(base, **{p: float(best.params[p]) for p in PARAMETERS})
    source = (f"siamrpn tune: trial {best.number} of {request.study_path.name}, {label} {best.value:.4f} "
              f"({OBJECTIVES[request.objective][2]})")
    write_preset_file(files["best_preset"], tuned, base=base.name, always=PARAMETERS, name=f"{base.name}-tuned",
                      source=source)
    write_text_atomic(files["best"], json.dumps(
        {"trial": best.number, "objective": request.objective, "value": best.value,
         "params": {p: float(best.params[p]) for p in PARAMETERS}, "base_preset": base.name,
         "study": str(request.study_path)}, indent=1) + "\n")
