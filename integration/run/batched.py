"""Batched evaluation: many sequences advance in lock-step, one SiamRPN detection forward per step.

The per-sequence runner (:mod:`integration.run`) gives each (tracker, experiment, sequence) unit its own
tracker. Here up to ``batch_size`` units occupy the *slots* of one :class:`tracker.batched.BatchedSiamRPN`
(one kernel set per slot, grouped correlation). Every step, each slot's protocol state says what it needs
(:mod:`integration.protocols.steps`): an ``init`` (initialisation, or the VOT re-initialisation 5 frames after a
failure) is done on that slot alone with ``reinit``; all slots wanting an ``update`` share one batched forward;
slots that skip frames after a failure, or whose unit has finished and no unit is left, are inactive. A slot
whose unit finishes writes its results and takes the next unit from the queue.

The protocol decisions are not re-implemented: the states are the ones the per-sequence path drives
(:class:`~integration.protocols.vot_baseline.SupervisedRun` with
:class:`~integration.protocols.vot_baseline.BaselineRepetitions` — 1/2/0 codes, 5-frame skip, LEG's stop after 3
identical runs, the declared-deterministic single run — and
:class:`~integration.protocols.one_pass.OnePassState` for OTB and GOT-10k), and the result files are written
by the runner's own writers, so the output equals the per-sequence runner's up to the float round-off of the
grouped convolution (tests: max box difference < 1e-3 px, identical 1/2/0 patterns), ``siamrpn analyze`` reads it
unchanged, and completion records are the same (resume works across both modes). The round-off is ~1e-4 px per
step; a long one-pass run with an unstable (e.g. random-weight) network can amplify it (``benchmarks/
batched_speed.py``: up to 1e-3 px after 40 frames), while VOT resets restart from the ground truth.

Per-frame times: a slot's share of the batched step (its own image load + the step's forward divided by the
number of active slots) with the measured clock, or the simulated clock's value for that frame.

Real-time experiments are not batched: their frame clock is per sequence (:func:`run_batched_units` hands them
to the per-sequence runner), as are trackers other than SiamRPN.
"""
from __future__ import annotations

import sys
import time
from collections import deque
from typing import Any, Callable, Iterable

import numpy as np
from tqdm import tqdm

from analysis.io.result_layout import EXPERIMENTS
from integration.protocols.clocks import SimulatedClock, parse_clock
from integration.protocols.one_pass import OnePassState, got10k_runs
from integration.protocols.steps import INIT, Step
from integration.protocols.vot_baseline import BaselineRepetitions
from integration.run.execute import (
    baseline_settings,
    clear_unit_runs,
    record_done,
    record_failure,
    split_done,
    write_baseline_results,
    write_one_pass_results,
)
from integration.run.supervise import run_units
from integration.run.units import Unit, UnitOutcome

__all__ = ["BATCHABLE", "DEFAULT_BATCH_SIZE", "batched_tracker", "run_batched", "run_batched_units"]

#: experiments with a per-sequence-independent clock (``batchable`` rows of the experiment table)
BATCHABLE = tuple(name for name, e in EXPERIMENTS.items() if e.batchable)
DEFAULT_BATCH_SIZE = 32


def batched_tracker(tracker: Any) -> Any | None:
    """A :class:`~tracker.batched.BatchedSiamRPN` with the model, preset, device and engine (fast path) of a
    built :class:`~tracker.siamrpn.SiamRPNTracker`; ``None`` for any other tracker (not batchable)."""
    from tracker.batched import BatchedSiamRPN  # lazy: keeps torch off the start-up of commands that do not track
    from tracker.siamrpn import SiamRPNTracker  # lazy: keeps torch off the start-up of commands that do not track

    if not isinstance(tracker, SiamRPNTracker):
        return None
    batch = BatchedSiamRPN(weights=tracker.model, preset=tracker.cfg, device=tracker.device)
    batch.engine = tracker.engine  # the very engine the single tracker uses (eager or a fast backend)
    return batch


def _group_key(unit: Unit) -> tuple[str, str]:
    """Units of one tracker spec and one experiment (by value; options may hold unhashable values)."""
    return repr(unit.tracker), repr(unit.experiment)


class _Job:
    """One unit in a slot: its protocol state(s) over all repetitions and its results so far."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.start = time.perf_counter()
        seq, exp = unit.sequence, unit.experiment
        self.get_frame = seq.frame
        clear_unit_runs(unit)
        row = EXPERIMENTS[exp.kind]
        if row.batchable and row.resets:
            self.settings = baseline_settings(exp)
            schedule = BaselineRepetitions(seq.groundtruth, seq.size, self.settings)
            self.runs = schedule.runs
            self._next_run: Callable[[], Any] = schedule.next_run
            self._add: Callable[[Any], None] = schedule.add
        elif row.batchable:
            total = got10k_runs(exp.got10k_repetitions, exp.deterministic) if row.repetitions else 1
            self.runs = []
            self._next_run = lambda: OnePassState(len(seq), seq.groundtruth[0]) if len(self.runs) < total else None
            self._add = self.runs.append
        else:
            raise ValueError(f"experiment {exp.kind!r} is not batched (batched: {', '.join(BATCHABLE)})")
        self.state = self._next_run()

    def next_step(self) -> Step | None:
        """The next step of the current run, starting the next repetition when one ends; ``None`` when done."""
        while self.state is not None:
            step = self.state.next_step()
            if step is not None:
                return step
            self._add(self.state.result())
            self.state = self._next_run()
        return None

    def write(self) -> int:
        if EXPERIMENTS[self.unit.experiment.kind].resets:
            return write_baseline_results(self.unit, self.runs, self.settings)
        return write_one_pass_results(self.unit, self.runs)


class _Executor:
    """The slot loop of :func:`run_batched`."""

    def __init__(self, batch: Any, units: list[Unit], clock: Any, bar: tqdm) -> None:
        self.batch, self.clock, self.bar = batch, clock, bar
        self.queue = deque(units)
        self.outcomes: list[UnitOutcome] = []
        self.frames = 0

    # ---------------------------------------------------------------- bookkeeping
    def _fail(self, job: _Job | Unit, exc: BaseException) -> None:
        unit = job.unit if isinstance(job, _Job) else job
        start = job.start if isinstance(job, _Job) else time.perf_counter()
        self.outcomes.append(record_failure(unit, time.perf_counter() - start, exc))
        self.bar.update()

    def _finish(self, job: _Job) -> None:
        runs = job.write()
        self.outcomes.append(record_done(job.unit, runs, time.perf_counter() - job.start,
                                         batch_size=self.batch.n))
        self.bar.update()

    def _new_job(self) -> _Job | None:
        while self.queue:
            unit = self.queue.popleft()
            self.bar.set_postfix_str(unit.key, refresh=False)
            try:
                return _Job(unit)
            except Exception as exc:  # noqa: BLE001 - crash isolation per unit
                self._fail(unit, exc)
        return None

    def _seconds(self, frames: list[int], load: list[float], fn: Callable[[], Any]) -> tuple[Any, list[float]]:
        """Run the batched call ``fn``; each lane's seconds: simulated clock value, or own load + equal share."""
        if isinstance(self.clock, SimulatedClock):
            result = fn()
            return result, [self.clock.call(f, lambda: None)[1] for f in frames]
        result, total = self.clock.call(frames[0], fn)
        return result, [t + total / len(frames) for t in load]

    # ---------------------------------------------------------------- start: one template forward
    def start(self, size: int) -> list[_Job | None]:
        jobs, steps, images, load = [], [], [], []
        while len(jobs) < size and (job := self._new_job()) is not None:
            try:
                step = job.next_step()
                if step is None:  # nothing to track (cannot happen for a non-empty sequence)
                    self._finish(job)
                    continue
                t0 = time.perf_counter()
                images.append(job.get_frame(step.frame))
                load.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001
                self._fail(job, exc)
                continue
            jobs.append(job)
            steps.append(step)
        if not jobs:
            return []
        try:
            _, secs = self._seconds([s.frame for s in steps], load,
                                    lambda: self.batch.init(images, [s.region for s in steps]))
        except Exception as exc:  # noqa: BLE001 - find the sequences whose initialisation fails
            keep = []
            for k, job in enumerate(jobs):
                try:
                    self.batch.init([images[k]], [steps[k].region])
                    keep.append(k)
                except Exception as own:  # noqa: BLE001
                    self._fail(job, own)
            if len(keep) == len(jobs):  # not one sequence's fault (e.g. out of memory): all of them failed
                for job in jobs:
                    self._fail(job, exc)
                return self.start(size)
            self.queue.extendleft(reversed([jobs[k].unit for k in keep]))  # retry the others
            return self.start(size)
        for job, sec in zip(jobs, secs):
            job.state.record(None, sec)
        return list(jobs)

    # ---------------------------------------------------------------- one slot up to its next update
    def _pending_update(self, slots: list[_Job | None], i: int) -> Step | None:
        """Advance slot ``i`` through finished units and (re-)initialisations to its next ``update`` step."""
        while (job := slots[i]) is not None:
            try:
                step = job.next_step()
                if step is None:
                    self._finish(job)
                elif step.kind == INIT:
                    _, sec = self.clock.call(step.frame, lambda: self.batch.reinit(
                        i, job.get_frame(step.frame), step.region))
                    job.state.record(None, sec)
                    continue
                else:
                    return step
            except Exception as exc:  # noqa: BLE001
                self._fail(job, exc)
            slots[i] = self._new_job()
        return None

    def run(self, size: int) -> list[UnitOutcome]:
        slots = self.start(size)
        while any(job is not None for job in slots):
            steps = [self._pending_update(slots, i) for i in range(len(slots))]
            images: list[np.ndarray | None] = [None] * len(slots)
            active, load = [], []
            for i, step in enumerate(steps):
                if step is None:
                    continue
                try:
                    t0 = time.perf_counter()
                    images[i] = slots[i].get_frame(step.frame)
                    load.append(time.perf_counter() - t0)
                    active.append(i)
                except Exception as exc:  # noqa: BLE001
                    self._fail(slots[i], exc)
                    slots[i] = self._new_job()
            if not active:
                continue
            try:
                (boxes, scores), secs = self._seconds([steps[i].frame for i in active], load,
                                                      lambda: self.batch.update(images, active=active))
            except Exception as exc:  # noqa: BLE001 - the batched forward failed: every active unit failed
                for i in active:
                    self._fail(slots[i], exc)
                    slots[i] = self._new_job()
                continue
            self.frames += len(active)
            for i, sec in zip(active, secs):
                try:
                    slots[i].state.record((boxes[i], float(scores[i])), sec)
                except Exception as exc:  # noqa: BLE001
                    self._fail(slots[i], exc)
                    slots[i] = self._new_job()
        return self.outcomes


def run_batched(units: list[Unit], batch_size: int = DEFAULT_BATCH_SIZE, resume: bool = True,
                progress: bool = True, tracker: Any = None) -> list[UnitOutcome]:
    """Run ``units`` (one tracker spec, one batchable experiment) ``batch_size`` at a time in lock-step.

    ``tracker``: an already built SiamRPN tracker (default: built from the units' spec). Raises
    ``ValueError`` when the units mix trackers or experiments, or the tracker is not SiamRPN.
    """
    if batch_size < 1:
        raise ValueError(f"batch size must be >= 1, got {batch_size}")
    if not units:
        return []
    specs = {_group_key(u) for u in units}
    if len(specs) != 1:
        raise ValueError("run_batched: all units must share one tracker spec and one experiment")
    spec, exp = units[0].tracker, units[0].experiment
    if exp.kind not in BATCHABLE:
        raise ValueError(f"experiment {exp.kind!r} is not batched: its clock is per sequence "
                         f"(batched: {', '.join(BATCHABLE)})")
    todo, outcomes = split_done(units, resume)
    if not todo:
        return outcomes
    batch = batched_tracker(tracker if tracker is not None else spec.build())
    if batch is None:
        raise ValueError(f"tracker {spec.name!r} is not SiamRPN: it cannot be batched")
    clock = parse_clock(exp.clock, spec.device)
    with tqdm(total=len(units), initial=len(outcomes), desc=f"sequences (batch {batch_size})", unit="seq",
              disable=not progress) as bar:
        ex = _Executor(batch, todo, clock, bar)
        start = time.perf_counter()
        outcomes += ex.run(min(batch_size, len(todo)))
        if progress:
            bar.write(f"batched {spec.result_name}/{exp.kind}: {ex.frames} tracked frames, "
                      f"{ex.frames / max(time.perf_counter() - start, 1e-9):.1f} frames/s")
    return outcomes


def _notify(notices: list[str]) -> None:
    for msg in notices:
        print(f"note: redoing {msg}", file=sys.stderr, flush=True)


def run_batched_units(units: Iterable[Unit], batch_size: int = DEFAULT_BATCH_SIZE, resume: bool = True,
                      progress: bool = True,
                      per_sequence: Callable[[list[Unit]], list[UnitOutcome]] | None = None) -> list[UnitOutcome]:
    """Batch what can be batched: per tracker spec, SiamRPN on baseline/OTB/GOT-10k goes through
    :func:`run_batched`; other trackers and real-time experiments go to ``per_sequence`` (default
    :func:`integration.run.run_units` in-process). A tracker that cannot be built fails its units (logged)."""

    per_sequence = per_sequence or (lambda us: run_units(us, 1, resume, progress))
    groups: dict[tuple[str, str], list[Unit]] = {}
    for u in units:
        groups.setdefault(_group_key(u), []).append(u)
    outcomes: list[UnitOutcome] = []
    for group in groups.values():
        spec, exp = group[0].tracker, group[0].experiment
        if exp.kind not in BATCHABLE:
            outcomes += per_sequence(group)
            continue
        notices: list[str] = []
        todo, skipped = split_done(group, resume, notices.append)
        if not todo:
            outcomes += skipped
            continue
        try:
            tracker = spec.build()
        except Exception as exc:  # noqa: BLE001 - like a per-sequence unit whose tracker fails to build
            _notify(notices)
            outcomes += skipped
            outcomes += [record_failure(u, 0.0, exc) for u in todo]
            continue
        if batched_tracker(tracker) is None:
            outcomes += per_sequence(group)  # checks the records (and gives the notices) itself
            continue
        _notify(notices)
        outcomes += skipped
        outcomes += run_batched(todo, batch_size, False, progress, tracker=tracker)
    return outcomes
