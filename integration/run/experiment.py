"""Plan the units of an experiment (tracker x sequence) and run them per sequence, batched or on an executor.

:func:`run_experiment` is the entry point; the package docstring (:mod:`integration.run`) describes the result
layouts, resume and crash isolation."""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

from analysis.core.atomic import write_text_atomic
from analysis.io.result_layout import records_dir
from integration.data.sequences import Sequence, check_output_folder
from integration.registry import TrackerUnavailable
from integration.run.batched import run_batched_units
from integration.run.lock import output_lock
from integration.run.supervise import DEFAULT_FRAME_TIMEOUT, DEFAULT_UNIT_TIMEOUT, run_units
from integration.run.units import ExperimentSpec, RunSummary, TrackerSpec, Unit

__all__ = ["plan_units", "run_experiment", "TrackersUnavailable"]


class TrackersUnavailable(ValueError):
    """Requested trackers that cannot be built (``require_all``); nothing was run. ``unavailable``: name -> why;
    ``usable``: the result names of the others."""

    def __init__(self, unavailable: dict[str, str], usable: list[str]) -> None:
        self.unavailable, self.usable = unavailable, usable
        names = ", ".join(unavailable)
        why = "; ".join(f"{n}: {w}" for n, w in unavailable.items())
        rest = (f"--allow-missing runs the other tracker(s) ({', '.join(usable)}) without it" if usable
                else "no other tracker was requested")
        super().__init__(f"requested tracker(s) {names} unavailable ({why}); nothing was run: {rest}")


# -------------------------------------------------------------------------------------------- many units
def plan_units(trackers: Iterable[TrackerSpec], experiment: ExperimentSpec, sequences: dict[str, Sequence] | Iterable[Sequence],
               out: str | os.PathLike) -> list[Unit]:
    seqs = list(sequences.values()) if isinstance(sequences, dict) else list(sequences)
    return [Unit(t, experiment, s, Path(out)) for t in trackers for s in seqs]


def run_experiment(trackers: Iterable[TrackerSpec], experiment: ExperimentSpec,
                   sequences: dict[str, Sequence] | Iterable[Sequence], out: str | os.PathLike, workers: int = 1,
                   resume: bool = True, progress: bool = True, executor: Any = None,
                   check_trackers: bool = True, batch_size: int | None = None,
                   unit_timeout: float | None = DEFAULT_UNIT_TIMEOUT,
                   frame_timeout: float | None = DEFAULT_FRAME_TIMEOUT, wait: bool = False,
                   require_all: bool = False) -> RunSummary:
    """Plan, check which trackers can be built, run, summarise. An unavailable tracker is reported in the
    summary and the others run; with ``require_all`` it raises :class:`TrackersUnavailable` before anything
    runs (``siamrpn run`` does so unless ``--allow-missing``).

    One run at a time writes to ``out``: its lock (:func:`integration.run.lock.output_lock`) is held for the
    whole run; held by another process, :class:`~integration.run.lock.OutputLocked` is raised naming it, or
    with ``wait`` the run waits for it.

    ``batch_size``: run SiamRPN's baseline/OTB/GOT-10k units batched, that many sequences per forward
    (:mod:`integration.run.batched`, in this process); other trackers and real-time experiments run per
    sequence as usual (``workers``/``executor``). ``unit_timeout``: seconds one unit may run in a supervised
    worker before it is killed and failed; ``frame_timeout``: seconds a supervised worker may go without
    fetching a new frame (a tracker hanging on one frame; the start-up before the first frame counts too).
    Both apply to supervised workers only: the batched units (in this process) and executor runs have none."""

    check_output_folder(out)  # an unwritable folder is found before tracking, not after a whole sequence
    with output_lock(out, wait=wait):
        return _run_locked(list(trackers), experiment, sequences, out, workers, resume, progress, executor,
                           check_trackers, batch_size, unit_timeout, frame_timeout, require_all)


def _run_locked(trackers: list[TrackerSpec], experiment: ExperimentSpec,
                sequences: dict[str, Sequence] | Iterable[Sequence], out: str | os.PathLike, workers: int,
                resume: bool, progress: bool, executor: Any, check_trackers: bool, batch_size: int | None,
                unit_timeout: float | None, frame_timeout: float | None, require_all: bool) -> RunSummary:
    unavailable: dict[str, str] = {}
    if check_trackers:

        usable = []
        for spec in trackers:
            try:
                if spec.name != "siamrpn":  # building SiamRPN loads weights: let the units report problems
                    spec.build()
                usable.append(spec)
            except (TrackerUnavailable, OSError, ValueError) as exc:
                unavailable[spec.result_name] = str(exc)
        if unavailable and require_all:
            raise TrackersUnavailable(unavailable, [s.result_name for s in usable])
        trackers = usable
    units = plan_units(trackers, experiment, sequences, out)
    if batch_size:

        outcomes = run_batched_units(units, batch_size, resume, progress,
                                     per_sequence=lambda us: run_units(us, workers, resume, progress, executor,
                                                                       unit_timeout, frame_timeout))
    else:
        outcomes = run_units(units, workers, resume, progress, executor, unit_timeout, frame_timeout)
    summary = RunSummary(tuple(outcomes), unavailable)
    for spec in trackers:
        rec = records_dir(out, spec.result_name, experiment.kind)
        mine = [o for o in outcomes if o.key.startswith(f"{spec.result_name}/{experiment.kind}/")]
        rec.mkdir(parents=True, exist_ok=True)
        write_text_atomic(rec / "summary.json", json.dumps(
            {"tracker": spec.result_name, "experiment": experiment.kind,
             "outcomes": [asdict(o) for o in mine]}, indent=1))
    return summary
