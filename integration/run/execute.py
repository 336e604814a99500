"""Run one unit in this process: the protocol, its result files (written atomically) and its completion or
error record. Used by the supervised workers, the in-process path and executors alike."""
from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterable

import cv2
import numpy as np

from analysis.core.atomic import write_text_atomic
from analysis.core.regions import SPECIAL_INIT
from analysis.io.longterm import write_confidence
from analysis.io.result_layout import (
    EXPERIMENTS,
    anchor_stem,
    confidence_file,
    onepass_file,
    onepass_times_file,
    realtime_log,
    run_file,
    run_files_pattern,
    run_stem,
    run_times_file,
    times_file,
)
from analysis.io.trajectories import format_region, write_times, write_trajectory
from integration.protocols.clocks import parse_clock
from integration.protocols.multistart import Realtime, find_anchors, run_multistart, run_unsupervised
from integration.protocols.one_pass import run_got10k, run_longterm, run_one_pass
from integration.protocols.realtime import get_profile, run_realtime
from integration.protocols.vot_baseline import BaselineSettings, failure_convention, run_baseline
from integration.run.units import (
    ExperimentSpec,
    Unit,
    UnitOutcome,
    _jsonable,
    disk_full_message,
    file_sha256,
    frame_contents,
    is_disk_full,
)

# -------------------------------------------------------------------------------------------- one unit

def _heartbeat(beat: Any) -> Callable[[int], None]:
    def on_frame(i: int) -> None:
        beat[1] = i
        beat[0] += 1

    return on_frame

def _write_vot_runs(seq_dir: Path, name: str, trajectories: list[list], times: np.ndarray, layout: str) -> None:
    for r, traj in enumerate(trajectories, start=1):
        stem = run_stem(name, r)
        if layout == "pyt":
            write_trajectory(run_file(seq_dir, stem, binary=True), traj, binary=True)
            write_times(run_times_file(seq_dir, stem), times[:, r - 1])
        else:
            write_trajectory(run_file(seq_dir, stem), traj)
    if layout != "pyt":
        write_times(times_file(seq_dir, name), times)


def _clear_runs(seq_dir: Path, name: str) -> None:
    """Remove run files left by an interrupted attempt, so a redo never mixes old and new runs."""
    if seq_dir.is_dir():
        pattern = run_files_pattern(name)
        for p in seq_dir.iterdir():
            if pattern.match(p.name):
                p.unlink()


def baseline_settings(exp: ExperimentSpec) -> BaselineSettings:
    """The baseline settings of ``exp`` with its ``deterministic`` declaration applied and the failure-test
    overlap convention resolved (unset: the rule of the toolkit whose layout is written, ``leg`` -> ``leg2017``,
    ``pyt`` -> ``pyt``; :func:`integration.protocols.vot_baseline.failure_convention`)."""
    settings = exp.baseline
    changes = {}
    if exp.deterministic and not settings.deterministic:
        changes["deterministic"] = True
    if settings.convention is None:
        changes["convention"] = failure_convention(None, exp.layout)
    if changes:
        settings = BaselineSettings(**{**asdict(settings), **changes})
    return settings


def clear_unit_runs(unit: Unit) -> None:
    """Remove run files a previous, interrupted attempt of ``unit`` left behind."""
    seq_dir = unit.sequence_dir
    if seq_dir is not None:
        _clear_runs(seq_dir, unit.sequence.name)


def write_baseline_results(unit: Unit, runs: list, settings: BaselineSettings) -> int:
    """Write the baseline runs (:class:`~integration.protocols.vot_baseline.Run`) of ``unit``; returns their count."""
    seq, exp = unit.sequence, unit.experiment
    times = np.zeros((len(seq), settings.repetitions))
    for r, run in enumerate(runs):
        times[:, r] = run.times
    if exp.layout == "pyt":
        times = times[:, : len(runs)]
    _write_vot_runs(unit.sequence_dir, seq.name, [r.trajectory for r in runs], times,
                    exp.layout)
    return len(runs)


def write_one_pass_results(unit: Unit, runs: list) -> int:
    """Write OTB (one run) or GOT-10k (``runs``) one-pass results of ``unit``; returns the number of runs."""
    name = unit.sequence.name
    if unit.sequence_dir is None:  # OTB: flat files
        (run,) = runs
        _write_boxes(onepass_file(unit.tracker_dir, name), run.boxes)
        write_times(onepass_times_file(unit.tracker_dir, name), run.times)
        return 1
    seq_dir = unit.sequence_dir
    for r, run in enumerate(runs, start=1):
        _write_boxes(run_file(seq_dir, run_stem(name, r)), run.boxes)
    write_times(times_file(seq_dir, name), np.stack([r.times for r in runs], axis=1))
    return len(runs)


def write_longterm_results(unit: Unit, run) -> int:
    """Write a long-term run in vot-toolkit's layout: ``longterm/<seq>/<seq>_001.txt`` (frame 1 = code 1),
    ``<seq>_001_confidence.value`` (frame 1 empty) and ``<seq>_001_time.value``; returns 1."""
    name = unit.sequence.name
    seq_dir = unit.sequence_dir
    regions = [SPECIAL_INIT, *run.boxes[1:]]
    stem = run_stem(name, 1)
    write_trajectory(run_file(seq_dir, stem), regions)
    write_confidence(confidence_file(seq_dir, stem), run.confidence)
    write_times(run_times_file(seq_dir, stem), run.times)
    return 1


def write_multistart_results(unit: Unit, runs: list, numbered: bool = False) -> int:
    """Write multi-start runs in vot-toolkit's layout: ``<seq>_<anchor:08d>.bin`` (``.txt`` for layout ``leg``)
    and ``<seq>_<anchor:08d>_time.value`` per run; ``numbered``: ``<seq>_001`` ... instead (unsupervised)."""
    seq_dir, name = unit.sequence_dir, unit.sequence.name
    binary = unit.experiment.layout == "pyt"
    for r, run in enumerate(runs, start=1):
        stem = run_stem(name, r) if numbered else anchor_stem(name, run.anchor)
        write_trajectory(run_file(seq_dir, stem, binary), run.trajectory)
        write_times(run_times_file(seq_dir, stem), run.times)
    return len(runs)


def _run_baseline(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    settings = baseline_settings(unit.experiment)
    seq = unit.sequence
    runs = run_baseline(tracker, get_frame, seq.groundtruth, seq.size, settings, clock=clock)
    return write_baseline_results(unit, runs, settings)


def _run_realtime(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq, exp = unit.sequence, unit.experiment
    _warm_up(unit, tracker, get_frame)
    run = run_realtime(tracker, get_frame, seq.groundtruth, seq.size, get_profile(exp.profile),
                       clock, sequence_fps=seq.fps)
    seq_dir = unit.sequence_dir
    _write_vot_runs(seq_dir, seq.name, [run.trajectory], run.times[:, None], exp.layout)
    summary = {"sequence": seq.name, "clock": exp.clock, **run.summary()}
    write_text_atomic(realtime_log(seq_dir, seq.name), json.dumps(summary, indent=1))
    return 1


def _warm_up(unit: Unit, tracker: Any, get_frame: Callable) -> None:
    """Real-time experiments with a measured clock: one init + update outside the timed schedule (lazy
    CUDA/cuDNN set-up; vot-toolkit warms up too)."""
    if unit.experiment.clock == "measured":
        seq = unit.sequence
        tracker.init(get_frame(0), np.asarray(seq.groundtruth[0], dtype=np.float64))
        tracker.update(get_frame(min(1, len(seq) - 1)))


def _run_multistart(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq, exp = unit.sequence, unit.experiment
    forward, backward = find_anchors(seq.values, len(seq), where=seq.annotation.source or seq.name)
    realtime = None
    if EXPERIMENTS[exp.kind].realtime is not None:
        _warm_up(unit, tracker, get_frame)
        profile = get_profile(exp.profile)
        realtime = Realtime(1.0 / profile.frame_rate(seq.fps), profile.grace)
    runs = run_multistart(tracker, get_frame, len(seq), forward, backward, seq.region_list(), clock, realtime)
    return write_multistart_results(unit, runs)


def _run_unsupervised(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq = unit.sequence
    run = run_unsupervised(tracker, get_frame, len(seq), seq.region_list(), clock)
    return write_multistart_results(unit, [run], numbered=True)


def _run_otb(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq = unit.sequence
    return write_one_pass_results(unit, [run_one_pass(tracker, get_frame, len(seq), seq.groundtruth[0], clock)])


def _run_longterm(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq = unit.sequence
    return write_longterm_results(unit, run_longterm(tracker, get_frame, len(seq), seq.groundtruth[0], clock))


def _run_got10k(unit: Unit, tracker: Any, get_frame: Callable, clock: Any) -> int:
    seq, exp = unit.sequence, unit.experiment
    runs = run_got10k(tracker, get_frame, len(seq), seq.groundtruth[0], exp.got10k_repetitions, exp.deterministic,
                      clock)
    return write_one_pass_results(unit, runs)


#: how each experiment of :data:`integration.run.units.EXPERIMENTS` runs one unit and writes its files
PROTOCOLS: dict[str, Callable[[Unit, Any, Callable, Any], int]] = {
    "baseline": _run_baseline, "realtime": _run_realtime, "otb": _run_otb, "got10k": _run_got10k,
    "longterm": _run_longterm, "multistart": _run_multistart, "multistart-realtime": _run_multistart,
    "unsupervised": _run_unsupervised,
}


def _execute(unit: Unit, tracker_factory: Callable[[], Any],
             heartbeat: Callable[[int], None] | None = None) -> int:
    """Run the protocol of ``unit`` and write its result files; returns the number of runs.

    The tracker is built once per unit and re-initialised for every run (as in a TraX session); the
    adapters and SiamRPN reset all state on ``init``. ``heartbeat(i)``, when given, is called before every
    fetch of frame ``i`` (the supervisor's progress signal for the frame timeout).
    """
    seq, exp = unit.sequence, unit.experiment
    tracker = tracker_factory()
    clear_unit_runs(unit)
    clock = parse_clock(exp.clock, unit.tracker.device)
    get_frame = seq.frame
    if heartbeat is not None:
        read_frame = seq.frame

        def get_frame(i: int) -> np.ndarray:
            heartbeat(i)
            return read_frame(i)
    return PROTOCOLS[exp.kind](unit, tracker, get_frame, clock)


def _write_boxes(path: Path, boxes: np.ndarray) -> None:
    write_text_atomic(path, "".join(format_region(row) + "\n" for row in boxes))


def record_failure(unit: Unit, seconds: float, exc: BaseException) -> UnitOutcome:
    """Log the current exception's traceback for ``unit`` (call inside ``except``) and return its outcome.

    A full disk (``ENOSPC``/``EDQUOT``) gives a one-line error naming the output folder and its free space and a
    ``fatal`` outcome (the supervisor stops the run); the error file is written only if it still fits."""
    if is_disk_full(exc):
        error = f"disk full: {disk_full_message(unit.out, exc)}"
        log = _try_write(unit, f"{unit.key}\n{error}\n")
        return UnitOutcome(unit.key, "failed", seconds, 0, error, log, fatal=True)
    log = _try_write(unit, f"{unit.key}\n{traceback.format_exc()}")
    return UnitOutcome(unit.key, "failed", seconds, 0, f"{type(exc).__name__}: {exc}", log)


def _try_write(unit: Unit, text: str) -> str | None:
    """Write ``unit``'s error file; ``None`` (no log) when even that fails (a full disk, a vanished folder)."""
    try:
        unit.record_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(unit.error_file, text)
    except OSError:
        return None
    return str(unit.error_file)


def record_done(unit: Unit, runs: int, seconds: float, **extra: Any) -> UnitOutcome:
    """Write the completion record of ``unit`` (what resume checks: its content key, the size, modification
    time and digest of every frame file, and the SHA-256 of every result file) and return its outcome."""
    out = Path(unit.out)
    files = {p.relative_to(out).as_posix(): file_sha256(p) for p in unit.result_files()}
    frames = frame_contents(unit.sequence)
    record = {"key_v": 3, "key": unit.key, "sequence": unit.sequence.name, "content": unit.content_key(frames),
              "frames": frames, "files": files, "tracker": _jsonable(asdict(unit.tracker)),
              "experiment": _jsonable(asdict(unit.experiment)), "runs": runs, "seconds": seconds,
              "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **extra}
    unit.record_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(unit.done_file, json.dumps(record, indent=1, default=str))
    if unit.error_file.is_file():
        unit.error_file.unlink()
    return UnitOutcome(unit.key, "done", seconds, runs)


def split_done(units: Iterable[Unit], resume: bool = True,
               notify: Callable[[str], None] | None = None) -> tuple[list[Unit], list[UnitOutcome]]:
    """``(todo, skipped outcomes)``: with ``resume``, units with a valid completion record are skipped; an
    invalid record (stale content, missing or changed result file) is reported through ``notify`` (default:
    a ``note:`` line on stderr) and its unit is redone."""
    notify = notify or (lambda msg: print(f"note: redoing {msg}", file=sys.stderr, flush=True))
    todo, skipped = [], []
    for u in units:
        if not resume:
            todo.append(u)
            continue
        done, notice = u.done_state()
        if done:
            skipped.append(UnitOutcome(u.key, "skipped"))
        else:
            if notice:
                notify(notice)
            todo.append(u)
    return todo, skipped


def run_unit(unit: Unit, tracker_factory: Callable[[], Any] | None = None, resume: bool = True,
             heartbeat: Callable[[int], None] | None = None) -> UnitOutcome:
    """Run one unit unless its valid completion record exists; never raises (errors are logged and returned).

    ``heartbeat(i)`` is called before each fetch of frame ``i`` (a supervised worker reports its progress so)."""
    if resume and unit.is_done():
        return UnitOutcome(unit.key, "skipped")
    quiet_opencv()
    start = time.perf_counter()
    try:
        factory = tracker_factory or unit.tracker.build
        runs = _execute(unit, factory, heartbeat)
        return record_done(unit, runs, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - crash isolation: report, do not propagate
        return record_failure(unit, time.perf_counter() - start, exc)


def quiet_opencv() -> None:
    """OpenCV logs errors only: its warnings (e.g. TrackerNano's ONNX/DNN notices) would flood the runner's
    output. Idempotent; a missing or old OpenCV is left alone."""
    try:

        if hasattr(cv2, "utils") and hasattr(cv2.utils, "logging"):
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        elif hasattr(cv2, "setLogLevel"):
            cv2.setLogLevel(2)  # 2 = error
    except ImportError:  # pragma: no cover
        pass


def record_crash(unit: Unit, seconds: float, error: str, detail: str) -> UnitOutcome:
    """Log a failure without a Python traceback (crashed or timed-out worker) and return its outcome."""
    return UnitOutcome(unit.key, "failed", seconds, 0, error, _try_write(unit, f"{unit.key}\n{error}\n{detail}\n"))
