"""Run trackers over datasets under a protocol: parallel workers, atomic writes, resume, crash isolation.

The unit of work is one (tracker, experiment, sequence). A worker builds the tracker from its
:class:`TrackerSpec` (so nothing unpicklable crosses process boundaries; ``spawn``-safe), runs the protocol,
writes every result file atomically and finally a completion record. A rerun skips units whose record is
valid: same tracker spec, same weights bytes (SHA-256), same experiment settings, same sequence ground truth
and frame list (:attr:`~integration.datasets.Sequence.fingerprint`), and every result file unchanged (its
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
:mod:`integration.batched_runner` (many sequences per forward, same files and records).
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from tqdm import tqdm

from analysis.trajectory_io import atomic_write_text, write_times, write_trajectory
from integration.datasets import Sequence
from integration.protocols.clocks import parse_clock
from integration.protocols.one_pass import run_got10k, run_one_pass
from integration.protocols.realtime import get_profile, run_realtime
from integration.protocols.vot_baseline import BaselineSettings, failure_convention, run_baseline

__all__ = ["TrackerSpec", "ExperimentSpec", "Unit", "UnitOutcome", "RunSummary", "run_unit", "run_units",
           "plan_units", "run_experiment", "EXPERIMENTS", "baseline_settings", "clear_unit_runs",
           "write_baseline_results", "write_one_pass_results", "record_done", "record_failure", "split_done",
           "marker_name", "weights_fingerprint", "file_sha256", "RunInterrupted", "DEFAULT_UNIT_TIMEOUT",
           "DEFAULT_FRAME_TIMEOUT", "describe_exit"]

EXPERIMENTS = ("baseline", "realtime", "otb", "got10k")


def marker_name(name: str) -> str:
    """A file-name stem for ``name`` that no other name shares: characters outside ``[A-Za-z0-9_.-]`` (``%``
    and ``+`` included) become ``%XX`` per UTF-8 byte, so ``a b`` -> ``a%20b`` and ``a_b`` stays ``a_b``;
    ``bäg`` and ``bög`` differ; over-long stems are cut and completed by a hash of the full name. (On a
    case-insensitive file system ``Bag`` and ``bag`` share a file: the record stores the sequence name, so
    such a record is not taken for the other sequence, which is then redone, never lost.)"""
    out = "".join(ch if re.fullmatch(r"[A-Za-z0-9_.-]", ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                  for ch in name)
    if out.startswith("."):  # no hidden files, no "." / ".."
        out = "%2E" + out[1:]
    if len(out) > 180:
        out = f"{out[:160]}~{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}"
    return out or "%00"


@dataclass(frozen=True)
class TrackerSpec:
    """How a worker builds a tracker: registry name or ``module:Factory``, weights, device, options."""

    name: str
    weights: str | None = None
    device: str = "cpu"
    options: tuple[tuple[str, Any], ...] = ()
    label: str | None = None  #: result folder name (default: the name, escaped by :func:`marker_name`)

    @property
    def result_name(self) -> str:
        """Folder of this tracker's results: the label (or the name's last ``:`` part) escaped losslessly, so
        two trackers labelled ``a b`` and ``a_b`` never share a folder."""
        return marker_name(self.label or self.name.split(":")[-1])

    def build(self) -> Any:
        from integration.trackers import create_tracker

        return create_tracker(self.name, weights=self.weights, device=self.device, **dict(self.options))


@dataclass(frozen=True)
class ExperimentSpec:
    """Which protocol, with its settings. ``clock`` is a :func:`parse_clock` string."""

    kind: str = "baseline"
    baseline: BaselineSettings = BaselineSettings()
    profile: str = "paper"
    clock: str = "measured"
    got10k_repetitions: int = 3
    deterministic: bool = False  #: declared deterministic: 1 run (baseline, GOT-10k)
    layout: str = "leg"  #: ``leg`` text files or ``pyt`` vot-toolkit binary files (VOT experiments)

    def __post_init__(self) -> None:
        if self.kind not in EXPERIMENTS:
            raise ValueError(f"unknown experiment {self.kind!r} (expected one of {EXPERIMENTS})")
        if self.layout not in ("leg", "pyt"):
            raise ValueError(f"unknown result layout {self.layout!r} (expected 'leg' or 'pyt')")
        if self.kind == "realtime":
            get_profile(self.profile)
        parse_clock(self.clock)


@dataclass(frozen=True)
class Unit:
    tracker: TrackerSpec
    experiment: ExperimentSpec
    sequence: Sequence
    out: Path

    @property
    def key(self) -> str:
        return f"{self.tracker.result_name}/{self.experiment.kind}/{self.sequence.name}"

    @property
    def record_dir(self) -> Path:
        return Path(self.out) / "_runner" / self.tracker.result_name / self.experiment.kind

    @property
    def done_file(self) -> Path:
        return self.record_dir / f"{marker_name(self.sequence.name)}.done.json"

    @property
    def error_file(self) -> Path:
        return self.record_dir / f"{marker_name(self.sequence.name)}.error.txt"

    @property
    def tracker_dir(self) -> Path:
        return Path(self.out) / self.tracker.result_name

    def result_files(self) -> list[Path]:
        """The result files of this unit that exist now (what its completion record checksums)."""
        name, kind, tdir = self.sequence.name, self.experiment.kind, self.tracker_dir
        if kind == "otb":
            files = [tdir / f"{name}.txt", tdir / "times" / f"{name}_time.txt"]
            return [p for p in files if p.is_file()]
        seq_dir = tdir / kind / name if kind in ("baseline", "realtime") else tdir / name
        if not seq_dir.is_dir():
            return []
        pattern = re.compile(rf"^{re.escape(name)}_(\d+(\.txt|\.bin|_time\.value)|time\.txt|realtime\.json)$")
        return sorted(p for p in seq_dir.iterdir() if pattern.match(p.name) and p.is_file())

    def content_key(self) -> dict[str, Any]:
        """What the results depend on: tracker spec and the SHA-256 of its weights file, experiment settings,
        and a hash of the sequence's ground truth and frame list (:attr:`Sequence.fingerprint`)."""
        return {"tracker": _jsonable(asdict(self.tracker)), "weights": weights_fingerprint(self.tracker),
                "experiment": _jsonable(asdict(self.experiment)), "sequence_name": self.sequence.name,
                "sequence_hash": self.sequence.fingerprint}

    def done_state(self) -> tuple[bool, str | None]:
        """``(done, notice)``: done when a completion record exists for the same content key (tracker spec,
        weights bytes, experiment settings, sequence ground truth and frames) and every result file it lists
        exists with the recorded SHA-256. ``notice`` says why an existing record is not accepted (the unit is
        then redone); ``None`` when there is no record or it is valid."""
        try:
            text = self.done_file.read_text()
        except FileNotFoundError:
            return False, None
        except OSError as exc:
            return False, f"{self.done_file}: unreadable completion record ({exc})"
        try:
            record = json.loads(text)
        except ValueError as exc:
            return False, f"{self.done_file}: damaged completion record ({exc})"
        if not isinstance(record, dict) or "key_v" not in record:
            return False, f"{self.done_file}: completion record of an older format (no content key)"
        if record.get("sequence") != self.sequence.name:
            return False, (f"{self.done_file}: the record is of sequence {record.get('sequence')!r}, "
                           f"not {self.sequence.name!r}")
        stored, now = record.get("content", {}), self.content_key()
        for field_, what in (("weights", "the weights file changed"), ("tracker", "other tracker settings"),
                             ("experiment", "other experiment settings"),
                             ("sequence_hash", "the sequence's ground truth or frame list changed")):
            if stored.get(field_) != now[field_]:
                detail = ""
                if field_ == "weights":
                    detail = (f" (sha256 {_short(stored.get(field_, {}).get('sha256'))} -> "
                              f"{_short(now[field_].get('sha256'))})")
                return False, f"{self.key}: previous results are stale: {what}{detail}"
        files = record.get("files")
        if not isinstance(files, dict) or not files:
            return False, f"{self.done_file}: the record lists no result files"
        for rel, digest in files.items():
            path = Path(self.out) / rel
            if not path.is_file():
                return False, f"{self.key}: result file {path} is missing"
            if file_sha256(path) != digest:
                return False, f"{self.key}: result file {path} changed since it was written (checksum mismatch)"
        return True, None

    def is_done(self) -> bool:
        """True when a valid completion record exists (:meth:`done_state`)."""
        return self.done_state()[0]


def _short(digest: Any) -> str:
    return str(digest)[:12] if digest else "none"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_WEIGHTS_CACHE: dict[tuple, str | None] = {}


def _path_sha256(path: Path) -> str | None:
    """SHA-256 of a file, or of a folder's files (relative names + bytes); cached per (path, size, mtime)."""
    try:
        if path.is_file():
            st = path.stat()
            key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
            if key not in _WEIGHTS_CACHE:
                _WEIGHTS_CACHE[key] = file_sha256(path)
            return _WEIGHTS_CACHE[key]
        if path.is_dir():
            h = hashlib.sha256()
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                h.update(f"{f.relative_to(path).as_posix()}\0{_path_sha256(f)}\0".encode())
            return h.hexdigest()
    except OSError:
        return None
    return None


def weights_fingerprint(spec: TrackerSpec) -> dict[str, Any]:
    """``{"path", "sha256"}`` of the weights a spec loads: its file (or folder), SiamRPN's default weights
    (``SIAMRPN_WEIGHTS`` or ``results/weights/siamrpn_default.pth``) or NanoTrack's default folder when
    ``weights`` is unset; ``sha256`` ``None`` for ``random:<seed>``, trackers without weights, or a missing file."""
    w = spec.weights
    path: Path | None = None
    if w is None:
        if spec.name == "siamrpn":
            from tracker.weights import default_weights_path

            path = default_weights_path()
        elif spec.name == "nano":
            from integration.trackers import default_nanotrack_dir

            path = default_nanotrack_dir()
    elif not str(w).startswith("random:"):
        path = Path(w)
    if path is None:
        return {"path": None, "sha256": None}
    return {"path": str(path), "sha256": _path_sha256(path)}


@dataclass(frozen=True)
class UnitOutcome:
    key: str
    status: str  #: ``done``, ``skipped`` (already done), ``failed``
    seconds: float = 0.0
    runs: int = 0
    error: str | None = None
    log: str | None = None


@dataclass(frozen=True)
class RunSummary:
    outcomes: tuple[UnitOutcome, ...]
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[UnitOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("done", "skipped", "failed")}
        lines = [f"{counts['done']} done, {counts['skipped']} already done (resumed), {counts['failed']} failed"]
        lines += [f"  FAILED {o.key}: {o.error} (traceback: {o.log})" for o in self.failed]
        lines += [f"  UNAVAILABLE tracker {n}: {why}" for n, why in self.unavailable.items()]
        return "\n".join(lines)


# -------------------------------------------------------------------------------------------- one unit
def _write_vot_runs(seq_dir: Path, name: str, trajectories: list[list], times: np.ndarray, layout: str) -> None:
    for r, traj in enumerate(trajectories, start=1):
        if layout == "pyt":
            write_trajectory(seq_dir / f"{name}_{r:03d}.bin", traj, binary=True)
            write_times(seq_dir / f"{name}_{r:03d}_time.value", times[:, r - 1])
        else:
            write_trajectory(seq_dir / f"{name}_{r:03d}.txt", traj)
    if layout != "pyt":
        write_times(seq_dir / f"{name}_time.txt", times)


def _clear_runs(seq_dir: Path, name: str) -> None:
    """Remove run files left by an interrupted attempt, so a redo never mixes old and new runs."""
    if seq_dir.is_dir():
        pattern = re.compile(rf"^{re.escape(name)}_\d+(\.txt|\.bin|_time\.value)$")
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
    name, kind = unit.sequence.name, unit.experiment.kind
    if kind in ("baseline", "realtime"):
        _clear_runs(unit.tracker_dir / kind / name, name)
    elif kind == "got10k":
        _clear_runs(unit.tracker_dir / name, name)


def write_baseline_results(unit: Unit, runs: list, settings: BaselineSettings) -> int:
    """Write the baseline runs (:class:`~integration.protocols.vot_baseline.Run`) of ``unit``; returns their count."""
    seq, exp = unit.sequence, unit.experiment
    times = np.zeros((len(seq), settings.repetitions))
    for r, run in enumerate(runs):
        times[:, r] = run.times
    if exp.layout == "pyt":
        times = times[:, : len(runs)]
    _write_vot_runs(unit.tracker_dir / "baseline" / seq.name, seq.name, [r.trajectory for r in runs], times,
                    exp.layout)
    return len(runs)


def write_one_pass_results(unit: Unit, runs: list) -> int:
    """Write OTB (one run) or GOT-10k (``runs``) one-pass results of ``unit``; returns the number of runs."""
    name = unit.sequence.name
    if unit.experiment.kind == "otb":
        (run,) = runs
        _write_boxes(unit.tracker_dir / f"{name}.txt", run.boxes)
        write_times(unit.tracker_dir / "times" / f"{name}_time.txt", run.times)
        return 1
    seq_dir = unit.tracker_dir / name
    for r, run in enumerate(runs, start=1):
        _write_boxes(seq_dir / f"{name}_{r:03d}.txt", run.boxes)
    write_times(seq_dir / f"{name}_time.txt", np.stack([r.times for r in runs], axis=1))
    return len(runs)


def _execute(unit: Unit, tracker_factory: Callable[[], Any],
             heartbeat: Callable[[int], None] | None = None) -> int:
    """Run the protocol of ``unit`` and write its result files; returns the number of runs.

    The tracker is built once per unit and re-initialised for every run (as in a TraX session); the
    adapters and SiamRPN reset all state on ``init``. ``heartbeat(i)``, when given, is called before every
    fetch of frame ``i`` (the supervisor's progress signal for the frame timeout).
    """
    seq, exp = unit.sequence, unit.experiment
    name = seq.name
    tracker = tracker_factory()
    clear_unit_runs(unit)
    clock = parse_clock(exp.clock, unit.tracker.device)
    get_frame = seq.frame
    if heartbeat is not None:
        read_frame = seq.frame

        def get_frame(i: int) -> np.ndarray:
            heartbeat(i)
            return read_frame(i)
    if exp.kind == "baseline":
        settings = baseline_settings(exp)
        runs = run_baseline(tracker, get_frame, seq.groundtruth, seq.size, settings, clock=clock)
        return write_baseline_results(unit, runs, settings)
    if exp.kind == "realtime":
        if exp.clock == "measured":  # warm-up (lazy CUDA/cuDNN set-up) outside the timed schedule, spec §3.5
            tracker.init(get_frame(0), np.asarray(seq.groundtruth[0], dtype=np.float64))
            tracker.update(get_frame(min(1, len(seq) - 1)))
        run = run_realtime(tracker, get_frame, seq.groundtruth, seq.size, get_profile(exp.profile),
                           clock, sequence_fps=seq.fps)
        seq_dir = unit.tracker_dir / "realtime" / name
        _write_vot_runs(seq_dir, name, [run.trajectory], run.times[:, None], exp.layout)
        summary = {"sequence": name, "clock": exp.clock, **run.summary()}
        atomic_write_text(seq_dir / f"{name}_realtime.json", json.dumps(summary, indent=1))
        return 1
    first = seq.groundtruth[0]
    if exp.kind == "otb":
        return write_one_pass_results(unit, [run_one_pass(tracker, get_frame, len(seq), first, clock)])
    runs = run_got10k(tracker, get_frame, len(seq), first, exp.got10k_repetitions, exp.deterministic, clock)
    return write_one_pass_results(unit, runs)


def _write_boxes(path: Path, boxes: np.ndarray) -> None:
    atomic_write_text(path, "".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in boxes))


def record_failure(unit: Unit, seconds: float, exc: BaseException) -> UnitOutcome:
    """Log the current exception's traceback for ``unit`` (call inside ``except``) and return its outcome."""
    unit.record_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(unit.error_file, f"{unit.key}\n{traceback.format_exc()}")
    return UnitOutcome(unit.key, "failed", seconds, 0, f"{type(exc).__name__}: {exc}", str(unit.error_file))


def record_done(unit: Unit, runs: int, seconds: float, **extra: Any) -> UnitOutcome:
    """Write the completion record of ``unit`` (what resume checks: its content key and the SHA-256 of every
    result file) and return its outcome."""
    out = Path(unit.out)
    files = {p.relative_to(out).as_posix(): file_sha256(p) for p in unit.result_files()}
    record = {"key_v": 2, "key": unit.key, "sequence": unit.sequence.name, "content": unit.content_key(),
              "files": files, "tracker": _jsonable(asdict(unit.tracker)),
              "experiment": _jsonable(asdict(unit.experiment)), "runs": runs, "seconds": seconds,
              "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **extra}
    unit.record_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(unit.done_file, json.dumps(record, indent=1, default=str))
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
    except Exception as exc:  # noqa: BLE001 - crash isolation: report, do not propagate
        return record_failure(unit, time.perf_counter() - start, exc)
    return record_done(unit, runs, time.perf_counter() - start)


def _jsonable(d: dict) -> dict:
    return json.loads(json.dumps(d, default=str))


# -------------------------------------------------------------------------------------------- many units
def plan_units(trackers: Iterable[TrackerSpec], experiment: ExperimentSpec, sequences: dict[str, Sequence] | Iterable[Sequence],
               out: str | os.PathLike) -> list[Unit]:
    seqs = list(sequences.values()) if isinstance(sequences, dict) else list(sequences)
    return [Unit(t, experiment, s, Path(out)) for t in trackers for s in seqs]


def quiet_opencv() -> None:
    """OpenCV logs errors only: its warnings (e.g. TrackerNano's ONNX/DNN notices) would flood the runner's
    output. Idempotent; a missing or old OpenCV is left alone."""
    try:
        import cv2

        if hasattr(cv2, "utils") and hasattr(cv2.utils, "logging"):
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        elif hasattr(cv2, "setLogLevel"):
            cv2.setLogLevel(2)  # 2 = error
    except ImportError:  # pragma: no cover
        pass


def _worker_init() -> None:
    """One thread per worker: the machine's cores are shared by the worker processes. Set through the
    environment so torch (imported later, only if SiamRPN runs) picks it up without being imported here."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import cv2

    cv2.setNumThreads(1)
    quiet_opencv()


DEFAULT_UNIT_TIMEOUT = 6 * 3600.0  #: seconds one unit may take in a supervised worker (generous; ``None``/0: no limit)
#: seconds a supervised worker may go without fetching a new frame (generous; ``None``/0: no limit)
DEFAULT_FRAME_TIMEOUT = 300.0


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_units`: the workers were stopped; ``outcomes`` are the units finished so far."""

    def __init__(self, outcomes: list[UnitOutcome], total: int) -> None:
        super().__init__(f"interrupted after {len(outcomes)} of {total} units")
        self.outcomes, self.total = outcomes, total


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


def record_crash(unit: Unit, seconds: float, error: str, detail: str) -> UnitOutcome:
    """Log a failure without a Python traceback (crashed or timed-out worker) and return its outcome."""
    unit.record_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(unit.error_file, f"{unit.key}\n{error}\n{detail}\n")
    return UnitOutcome(unit.key, "failed", seconds, 0, error, str(unit.error_file))


def _worker_main(conn: Any, beat: Any = None) -> None:
    """A supervised worker: runs the units it is sent, one at a time, answering each with its outcome.

    ``beat`` (shared ``int64[2]``): before every frame fetch the worker stores the frame index in ``beat[1]``
    and bumps the fetch counter ``beat[0]``, which the supervisor watches (frame timeout); it bumps it too
    as it starts a unit."""
    import faulthandler

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


def _heartbeat(beat: Any) -> Callable[[int], None]:
    def on_frame(i: int) -> None:
        beat[1] = i
        beat[0] += 1

    return on_frame


class _Worker:
    def __init__(self, ctx: Any) -> None:
        import threading

        self.conn, child = ctx.Pipe()
        self.beat = ctx.Array("q", 2, lock=False)  # [frame fetches, last frame index]: written by the child
        self.proc = ctx.Process(target=_worker_main, args=(child, self.beat), daemon=True, name="siamrpn-unit")
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
    from multiprocessing.connection import wait as wait_any

    ctx = mp.get_context("spawn")
    queue = list(reversed(todo))
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    outcomes: list[UnitOutcome] = []

    def finish(outcome: UnitOutcome) -> None:
        outcomes.append(outcome)
        bar.update()

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
    except KeyboardInterrupt:
        for worker in busy + idle:
            worker.kill()
        busy, idle = [], []
        raise RunInterrupted(outcomes, len(todo)) from None
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
    :func:`integration.cluster.dask_executor`). Outcomes come in the order of ``units``.

    ``unit_timeout`` (seconds per unit) and ``frame_timeout`` (seconds without a new frame) apply to the
    supervised workers only; ``None``/0: no limit. In-process and executor runs have no timeouts.

    Ctrl-C stops the workers at once and raises :class:`RunInterrupted` (finished units keep their records)."""
    todo, outcomes = split_done(units, resume)
    bar = tqdm(total=len(units), initial=len(outcomes), desc="sequences", unit="seq", disable=not progress)
    try:
        if executor is None and workers <= 0:
            try:
                for u in todo:
                    bar.set_postfix_str(u.key, refresh=False)
                    outcomes.append(run_unit(u, resume=False))
                    bar.update()
            except KeyboardInterrupt:
                raise RunInterrupted(outcomes, len(todo)) from None
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
    finally:
        bar.close()
    order = {u.key: k for k, u in enumerate(units)}
    return sorted(outcomes, key=lambda o: order.get(o.key, len(order)))


def run_experiment(trackers: Iterable[TrackerSpec], experiment: ExperimentSpec,
                   sequences: dict[str, Sequence] | Iterable[Sequence], out: str | os.PathLike, workers: int = 1,
                   resume: bool = True, progress: bool = True, executor: Any = None,
                   check_trackers: bool = True, batch_size: int | None = None,
                   unit_timeout: float | None = DEFAULT_UNIT_TIMEOUT,
                   frame_timeout: float | None = DEFAULT_FRAME_TIMEOUT) -> RunSummary:
    """Plan, check which trackers can be built (an unavailable one is reported, not fatal), run, summarise.

    ``batch_size``: run SiamRPN's baseline/OTB/GOT-10k units batched, that many sequences per forward
    (:mod:`integration.batched_runner`, in this process); other trackers and real-time experiments run per
    sequence as usual (``workers``/``executor``). ``unit_timeout``: seconds one unit may run in a supervised
    worker before it is killed and failed; ``frame_timeout``: seconds a supervised worker may go without
    fetching a new frame (a tracker hanging on one frame; the start-up before the first frame counts too).
    Both apply to supervised workers only: the batched units (in this process) and executor runs have none."""
    from integration.datasets import check_output_folder

    check_output_folder(out)  # an unwritable folder is found before tracking, not after a whole sequence
    trackers = list(trackers)
    unavailable: dict[str, str] = {}
    if check_trackers:
        from integration.trackers import TrackerUnavailable

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
        from integration.batched_runner import run_batched_units

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
