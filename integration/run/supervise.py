"""Supervised worker processes: each unit runs in a spawned process; a crash (segfault, ``os._exit``), a unit
longer than the unit timeout or a frame longer than the frame timeout fails that unit alone, named, and the
run goes on. Ctrl-C (or SIGTERM turned into :class:`Terminated` by :func:`sigterm_as_interrupt`) stops the
workers at once and raises :class:`RunInterrupted`. A worker dies with its parent: ``PR_SET_PDEATHSIG``
(Linux) and a watch thread that ends it once its parent is gone (any POSIX system), so a killed ``siamrpn run``
(``kill -9`` included) leaves no worker writing into the output folder."""
from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing as mp
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as wait_any
from typing import Any

import cv2
from tqdm import tqdm

from integration.run.execute import _heartbeat, quiet_opencv, record_crash, run_unit, split_done
from integration.run.units import RunAborted, Unit, UnitOutcome


def _worker_init() -> None:
    """One thread per worker: the machine's cores are shared by the worker processes. Set through the
    environment so torch (imported later, only if SiamRPN runs) picks it up without being imported here."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")

    cv2.setNumThreads(1)
    quiet_opencv()


DEFAULT_UNIT_TIMEOUT = 6 * 3600.0  #: seconds one unit may take in a supervised worker (generous; ``None``/0: no limit)
#: seconds a supervised worker may go without fetching a new frame (generous; ``None``/0: no limit)
DEFAULT_FRAME_TIMEOUT = 300.0


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by :func:`sigterm_as_interrupt` and handled as Ctrl-C."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM: ``terminated``) during :func:`run_units`: the workers were stopped; ``outcomes`` are the
    units finished so far."""

    def __init__(self, outcomes: list[UnitOutcome], total: int, terminated: bool = False) -> None:
        super().__init__(f"interrupted after {len(outcomes)} of {total} units")
        self.outcomes, self.total, self.terminated = outcomes, total, terminated


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``) in the main thread, so a
    run stops its workers and keeps its finished units as on Ctrl-C; a second SIGTERM kills at once (the
    default action is restored first). Outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when process ``parent`` is gone: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` where the C library
    has it (Linux), and a daemon thread that polls the parent PID every second (a reparented process has
    another parent). A parent that died before this call is noticed at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watch thread alone
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def describe_exit(code: int | None) -> str:
    """A worker's exit code in words: ``killed by signal SIGSEGV (exit code -11)``, ``exited with code 3``."""
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by signal {name} (exit code {code})"
    return f"exited with code {code}"


def _worker_main(conn: Any, beat: Any = None, parent: int | None = None) -> None:
    """A supervised worker: runs the units it is sent, one at a time, answering each with its outcome.

    ``beat`` (shared ``int64[2]``): before every frame fetch the worker stores the frame index in ``beat[1]``
    and bumps the fetch counter ``beat[0]``, which the supervisor watches (frame timeout); it bumps it too
    as it starts a unit. ``parent``: the supervisor's PID; the worker ends when that process is gone."""
    if parent is not None:
        _die_with_parent(parent)

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C and stops the workers
    except (ValueError, OSError):  # pragma: no cover
        pass
    faulthandler.enable()  # a native crash prints the Python stack of the unit on stderr
    _worker_init()
    while True:
        try:
            unit = conn.recv()
        except (EOFError, OSError):
            return
        if unit is None:
            return
        if beat is not None:
            beat[0] += 1  # the unit starts now (a fresh worker's own start-up does not count)
        conn.send(run_unit(unit, resume=False, heartbeat=None if beat is None else _heartbeat(beat)))


class _Worker:
    def __init__(self, ctx: Any) -> None:

        self.conn, child = ctx.Pipe()
        self.beat = ctx.Array("q", 2, lock=False)  # [frame fetches, last frame index]: written by the child
        self.proc = ctx.Process(target=_worker_main, args=(child, self.beat, os.getpid()), daemon=True,
                                name="siamrpn-unit")
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # inherited: no child traceback
        try:
            self.proc.start()
        finally:
            if main:
                signal.signal(signal.SIGINT, old)
        child.close()
        self.unit: Unit | None = None
        self.since = 0.0  #: when the unit was handed over
        self.seen = 0  #: the fetch counter last seen
        self.moved: float | None = None  #: when the counter last changed (None: the unit has not started)

    def give(self, unit: Unit) -> None:
        self.beat[1] = -1  # the child is idle (waiting for a unit): no race
        self.seen = self.beat[0]
        self.unit, self.since, self.moved = unit, time.monotonic(), None
        self.conn.send(unit)

    def progressed(self, now: float) -> None:
        """Note the time if the worker fetched a frame since the last look."""
        count = self.beat[0]
        if count != self.seen:
            self.seen, self.moved = count, now

    @property
    def frame(self) -> int:
        """The index of the frame the worker fetched last (``-1``: none yet for this unit)."""
        return int(self.beat[1])

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        self.kill()


def _run_supervised(todo: list[Unit], workers: int, unit_timeout: float | None, bar: tqdm,
                    frame_timeout: float | None = None) -> list[UnitOutcome]:
    """Run ``todo`` on ``workers`` supervised spawned processes. A worker that dies (segfault, ``os._exit``,
    out-of-memory kill) fails only the unit it was running, named with the signal or exit code, and is
    replaced; a unit running longer than ``unit_timeout`` seconds, or fetching no new frame for
    ``frame_timeout`` seconds (a tracker hanging on one frame), is killed and failed, and the run goes on.
    The time from the start of a unit to its first frame (building the tracker, loading its model) counts
    against the frame timeout too, as does writing the results after the last frame; a fresh worker's own
    start-up (until it takes the unit) does not, only the unit timeout. Progress is looked at every ``frame_timeout / 8`` seconds, so a hung unit is killed
    between 1 and 1.125 times ``frame_timeout`` after its last frame fetch."""

    ctx = mp.get_context("spawn")
    queue = list(reversed(todo))
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    outcomes: list[UnitOutcome] = []

    def finish(outcome: UnitOutcome) -> None:
        outcomes.append(outcome)
        bar.update()
        if outcome.fatal:  # the disk is full: every further unit would track a whole sequence and fail too
            raise RunAborted(outcome.error or "the run cannot go on", outcomes, len(todo))

    try:
        while queue or busy:
            while queue and len(busy) < workers:
                while idle and not idle[-1].proc.is_alive():
                    idle.pop().kill()
                worker = idle.pop() if idle else _Worker(ctx)
                unit = queue.pop()
                bar.set_postfix_str(unit.key, refresh=False)
                try:
                    worker.give(unit)
                except (OSError, ValueError) as exc:  # the worker died idle, or the unit cannot be sent
                    worker.kill()
                    finish(record_crash(unit, 0.0, f"could not hand the unit to a worker: {exc}", ""))
                    continue
                busy.append(worker)
            deadlines = []
            now = time.monotonic()
            for w in busy:
                w.progressed(now)
                if unit_timeout:
                    deadlines.append(w.since + unit_timeout)
                if frame_timeout and w.moved is not None:
                    deadlines.append(w.moved + frame_timeout)
            timeout = max(0.0, min(deadlines) - now) + 0.01 if deadlines else None
            if frame_timeout and busy:  # look often enough to see progress (and unit starts) within 1/8 limit
                timeout = frame_timeout / 8 if timeout is None else min(timeout, frame_timeout / 8)
            ready = set(wait_any([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout))
            now = time.monotonic()
            for worker in list(busy):
                worker.progressed(now)
                unit = worker.unit
                assert unit is not None
                outcome = None
                if worker.conn in ready or worker.proc.sentinel in ready:
                    try:
                        if worker.conn.poll():
                            outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                    if outcome is not None:
                        busy.remove(worker)
                        worker.unit = None
                        idle.append(worker)
                        finish(outcome)
                        continue
                    worker.proc.join(5)
                    how = describe_exit(worker.proc.exitcode)
                    busy.remove(worker)
                    worker.kill()
                    finish(record_crash(
                        unit, now - worker.since, f"tracker process crashed: {how} while running {unit.key}",
                        "No Python traceback: the tracker crashed in native code or ended its process (os._exit); "
                        "see the worker's stderr for a fault-handler stack. The other units continued."))
                elif unit_timeout and now - worker.since > unit_timeout:
                    busy.remove(worker)
                    worker.kill()
                    finish(record_crash(
                        unit, now - worker.since,
                        f"timed out: {unit.key} ran longer than {unit_timeout:g} s (unit timeout); its tracker "
                        "process was killed",
                        "Raise the limit with `siamrpn run ... --unit-timeout SECONDS` (0: no limit) if the "
                        "sequence is just long."))
                elif frame_timeout and worker.moved is not None and now - worker.moved > frame_timeout:
                    frame = worker.frame
                    where = (f"on frame {frame} (0-based)" if frame >= 0 else
                             "before its first frame (building the tracker, loading its model)")
                    busy.remove(worker)
                    worker.kill()
                    finish(record_crash(
                        unit, now - worker.since,
                        f"timed out: {unit.key} made no progress for {frame_timeout:g} s {where} (frame "
                        "timeout); its tracker process was killed",
                        "Raise the limit with `siamrpn run ... --frame-timeout SECONDS` (0: no limit) if the "
                        "tracker is just slow on one frame or to start. The other units continued."))
    except KeyboardInterrupt as exc:
        for worker in busy + idle:
            worker.kill()
        busy, idle = [], []
        raise RunInterrupted(outcomes, len(todo), isinstance(exc, Terminated)) from None
    finally:
        for worker in idle:
            worker.stop()
        for worker in busy:
            worker.kill()
    return outcomes


def run_units(units: list[Unit], workers: int = 1, resume: bool = True, progress: bool = True,
              executor: Any = None, unit_timeout: float | None = DEFAULT_UNIT_TIMEOUT,
              frame_timeout: float | None = DEFAULT_FRAME_TIMEOUT) -> list[UnitOutcome]:
    """Run units on ``workers`` supervised spawned processes (``workers >= 1``: a crashing or hanging tracker
    fails its unit alone, see :func:`_run_supervised`), in this process (``workers=0``: no isolation, for
    debugging), or on ``executor`` (any ``concurrent.futures``-style executor, e.g.
    :func:`integration.run.cluster.dask_executor`). Outcomes come in the order of ``units``.

    ``unit_timeout`` (seconds per unit) and ``frame_timeout`` (seconds without a new frame) apply to the
    supervised workers only; ``None``/0: no limit. In-process and executor runs have no timeouts.

    Ctrl-C stops the workers at once and raises :class:`RunInterrupted` (finished units keep their records). A
    unit that fails because the output folder's disk is full stops the run: the other workers are stopped and
    :class:`~integration.run.units.RunAborted` is raised, naming the folder and its free space."""
    todo, outcomes = split_done(units, resume)
    bar = tqdm(total=len(units), initial=len(outcomes), desc="sequences", unit="seq", disable=not progress)
    try:
        if executor is None and workers <= 0:
            try:
                for u in todo:
                    bar.set_postfix_str(u.key, refresh=False)
                    outcomes.append(run_unit(u, resume=False))
                    bar.update()
                    if outcomes[-1].fatal:
                        raise RunAborted(outcomes[-1].error or "the run cannot go on", outcomes, len(todo))
            except KeyboardInterrupt as exc:
                raise RunInterrupted(outcomes, len(todo), isinstance(exc, Terminated)) from None
        elif executor is None:
            outcomes += _run_supervised(todo, workers, unit_timeout, bar, frame_timeout)
        else:
            pending = {executor.submit(run_unit, u, None, False): u for u in todo}
            while pending:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    unit = pending.pop(fut)
                    try:
                        outcomes.append(fut.result())
                    except BrokenProcessPool as exc:
                        outcomes.append(UnitOutcome(unit.key, "failed", error=f"worker process died: {exc}"))
                    except Exception as exc:  # noqa: BLE001 - e.g. a cluster worker lost
                        outcomes.append(UnitOutcome(unit.key, "failed", error=f"{type(exc).__name__}: {exc}"))
                    bar.update()
                    if outcomes[-1].fatal:
                        for other in pending:
                            other.cancel()
                        raise RunAborted(outcomes[-1].error or "the run cannot go on", outcomes, len(todo))
    finally:
        bar.close()
    order = {u.key: k for k, u in enumerate(units)}
    return sorted(outcomes, key=lambda o: order.get(o.key, len(order)))
