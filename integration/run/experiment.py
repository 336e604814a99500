"""Run trackers over datasets under a protocol: parallel workers, atomic writes, resume, crash isolation.

The unit of work is one (tracker, experiment, sequence). A worker builds the tracker from its
:class:`TrackerSpec` (so nothing unpicklable crosses process boundaries; ``spawn``-safe), runs the protocol,
writes every result file atomically and finally a completion record. A rerun skips units whose record is
valid: same tracker spec, same weights bytes (SHA-256), same experiment settings, same sequence ground truth
and frame list (:attr:`~integration.data.sequences.Sequence.fingerprint`), and every result file unchanged (its
SHA-256 is stored); any other record is reported (``note: redoing ...``) and its unit redone. Record names
escape the sequence name (:func:`marker_name`), so distinct sequences never share one. A unit that raises is
logged with its traceback in ``<out>/_runner/<tracker>/<experiment>/<seq>.error.txt`` and the other units
continue. With ``workers >= 1`` each unit runs in a supervised process: a tracker that crashes the process
(segfault, ``os._exit``), exceeds the unit timeout or makes no progress for the frame timeout (hangs on one
frame) fails that unit alone, named with the signal or exit code, or the timeout (and the frame it was stuck
on). The run ends with a :class:`RunSummary` (also written as ``summary.json`` next to the records).

Result layouts (readable by ``siamrpn analyze`` and the reference toolkits):

* ``baseline`` / ``realtime`` (LEG/PST text): ``<out>/<tracker>/<exp>/<seq>/<seq>_001.txt`` ... and
  ``<seq>_time.txt`` (frames x repetitions; unrun repetitions 0, as LEG); ``layout="pyt"`` writes the
  vot-toolkit form instead (``<seq>_001.bin`` + ``<seq>_001_time.value``). Real-time also writes
  ``<seq>_realtime.json`` (processed / held / skipped frames, latency p50/p95/max).
* ``otb`` (G10/OTB): ``<out>/<tracker>/<seq>.txt`` (row 0 = initial box), ``<out>/<tracker>/times/<seq>_time.txt``.
* ``got10k`` (G10): ``<out>/<tracker>/<seq>/<seq>_001.txt`` .. ``_003.txt`` and ``<seq>_time.txt``.

``run_experiment(..., batch_size=N)`` runs SiamRPN's baseline/OTB/GOT-10k units through
:mod:`integration.run.batched` (many sequences per forward, same files and records).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

from analysis.io.trajectories import atomic_write_text
from integration.data.sequences import Sequence, check_output_folder
from integration.run.batched import run_batched_units
from integration.run.supervise import DEFAULT_FRAME_TIMEOUT, DEFAULT_UNIT_TIMEOUT, run_units
from integration.run.units import ExperimentSpec, RunSummary, TrackerSpec, Unit
from integration.trackers import TrackerUnavailable

__all__ = ["plan_units", "run_experiment"]


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
                   frame_timeout: float | None = DEFAULT_FRAME_TIMEOUT) -> RunSummary:
    """Plan, check which trackers can be built (an unavailable one is reported, not fatal), run, summarise.

    ``batch_size``: run SiamRPN's baseline/OTB/GOT-10k units batched, that many sequences per forward
    (:mod:`integration.run.batched`, in this process); other trackers and real-time experiments run per
    sequence as usual (``workers``/``executor``). ``unit_timeout``: seconds one unit may run in a supervised
    worker before it is killed and failed; ``frame_timeout``: seconds a supervised worker may go without
    fetching a new frame (a tracker hanging on one frame; the start-up before the first frame counts too).
    Both apply to supervised workers only: the batched units (in this process) and executor runs have none."""

    check_output_folder(out)  # an unwritable folder is found before tracking, not after a whole sequence
    trackers = list(trackers)
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
        rec = Path(out) / "_runner" / spec.result_name / experiment.kind
        mine = [o for o in outcomes if o.key.startswith(f"{spec.result_name}/{experiment.kind}/")]
        rec.mkdir(parents=True, exist_ok=True)
        atomic_write_text(rec / "summary.json", json.dumps(
            {"tracker": spec.result_name, "experiment": experiment.kind,
             "outcomes": [asdict(o) for o in mine]}, indent=1))
    return summary
