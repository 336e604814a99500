"""What a run is made of: tracker and experiment specs, the unit (tracker, experiment, sequence), its
content-keyed completion record (weights SHA-256, settings, sequence fingerprint, frame contents, result
checksums), collision-free record names, and the outcomes and summary of a run."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.core.paths import default_weights_path, file_sha256, nanotrack_dir
from analysis.io.result_layout import EXPERIMENTS as EXPERIMENTS_TABLE
from analysis.io.result_layout import (
    onepass_file,
    onepass_times_file,
    records_dir,
    result_files_pattern,
    sequence_dir,
    tracker_dir,
)
from integration.data.sequences import Sequence
from integration.protocols.clocks import parse_clock
from integration.protocols.realtime import get_profile
from integration.protocols.vot_baseline import BaselineSettings
from integration.registry import create_tracker, default_label

#: the runner's experiments and the folder (relative to the tracker's result folder) that holds a sequence's
#: result files: the one experiment table :data:`analysis.io.result_layout.EXPERIMENTS`
RESULT_FOLDERS: dict[str, str | None] = {name: e.folder for name, e in EXPERIMENTS_TABLE.items()}
EXPERIMENTS = tuple(EXPERIMENTS_TABLE)
#: experiments run under a real-time profile (``ExperimentSpec.profile``), and the rule each needs
REALTIME_EXPERIMENTS: dict[str, str | None] = {name: e.realtime or None for name, e in EXPERIMENTS_TABLE.items()
                                               if e.realtime is not None}


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
    label: str | None = None  #: result folder name (default: :func:`integration.registry.default_label`)

    @property
    def result_name(self) -> str:
        """Folder of this tracker's results: the label (or the name's :func:`~integration.registry.default_label`:
        ``module:Class`` -> ``Class``, ``module:function`` -> ``module``) escaped losslessly, so two trackers
        labelled ``a b`` and ``a_b`` never share a folder."""
        return marker_name(self.label or default_label(self.name))

    def build(self) -> Any:

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
        if self.kind in REALTIME_EXPERIMENTS:
            profile, algorithm = get_profile(self.profile), REALTIME_EXPERIMENTS[self.kind]
            if algorithm is not None and profile.algorithm != algorithm:
                raise ValueError(f"experiment {self.kind} runs vot-toolkit's real-time rule: profile "
                                 f"{self.profile!r} is not a {algorithm} profile (use --profile pyt)")
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
        return records_dir(self.out, self.tracker.result_name, self.experiment.kind)

    @property
    def done_file(self) -> Path:
        return self.record_dir / f"{marker_name(self.sequence.name)}.done.json"

    @property
    def error_file(self) -> Path:
        return self.record_dir / f"{marker_name(self.sequence.name)}.error.txt"

    @property
    def tracker_dir(self) -> Path:
        return tracker_dir(self.out, self.tracker.result_name)

    @property
    def sequence_dir(self) -> Path | None:
        """The folder of this unit's result files (:data:`RESULT_FOLDERS`; ``None`` for OTB's flat files)."""
        return sequence_dir(self.tracker_dir, self.experiment.kind, self.sequence.name)

    def result_files(self) -> list[Path]:
        """The result files of this unit that exist now (what its completion record checksums)."""
        name, tdir, seq_dir = self.sequence.name, self.tracker_dir, self.sequence_dir
        if seq_dir is None:
            files = [onepass_file(tdir, name), onepass_times_file(tdir, name)]
            return [p for p in files if p.is_file()]
        if not seq_dir.is_dir():
            return []
        pattern = result_files_pattern(name)
        return sorted(p for p in seq_dir.iterdir() if pattern.match(p.name) and p.is_file())

    def content_key(self, frames: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the results depend on: tracker spec and the SHA-256 of its weights file, experiment settings,
        a hash of the sequence's ground truth and frame list (:attr:`Sequence.fingerprint`) and of its frames'
        contents (:func:`frame_contents`; ``frames`` when already computed)."""
        if frames is None:
            frames = frame_contents(self.sequence)
        return {"tracker": _jsonable(asdict(self.tracker)), "weights": weights_fingerprint(self.tracker),
                "experiment": _jsonable(asdict(self.experiment)), "sequence_name": self.sequence.name,
                "sequence_hash": self.sequence.fingerprint, "frames_hash": frames["hash"]}

    def done_state(self) -> tuple[bool, str | None]:
        """``(done, notice)``: done when a completion record exists for the same content key (tracker spec,
        weights bytes, experiment settings, sequence ground truth and frame list, frame contents) and every
        result file it lists exists with the recorded SHA-256. ``notice`` says why an existing record is not
        accepted (the unit is then redone); ``None`` when there is no record or it is valid.

        Frame contents are checked without reading a frame whose size and modification time are those the
        record stores (:func:`frame_contents`); a record of the previous format (``key_v`` 2, no frame
        contents) is accepted while no frame file was modified after the record was written."""
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
        stored = record.get("content", {})
        now = self.content_key(frames={"hash": None})
        for field_, what in (("weights", "the weights file changed"), ("tracker", "other tracker settings"),
                             ("experiment", "other experiment settings"),
                             ("sequence_hash", "the sequence's ground truth or frame list changed")):
            if stored.get(field_) != now[field_]:
                detail = ""
                if field_ == "weights":
                    detail = (f" (sha256 {_short(stored.get(field_, {}).get('sha256'))} -> "
                              f"{_short(now[field_].get('sha256'))})")
                return False, f"{self.key}: previous results are stale: {what}{detail}"
        changed = self._frames_changed(record)
        if changed:
            return False, f"{self.key}: previous results are stale: {changed}"
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

    def _frames_changed(self, record: dict) -> str | None:
        """Why the frames differ from those the record was made with (``None``: the same contents)."""
        paths = frame_paths(self.sequence)
        if not paths:
            return None  # in-memory frames: their pixels are in the sequence fingerprint
        stored = record.get("frames")
        if record.get("key_v") == 2 and stored is None:  # previous format: no frame contents recorded
            try:
                since = self.done_file.stat().st_mtime_ns
                newer = [p for p in paths if os.stat(p).st_mtime_ns > since]
            except OSError as exc:
                return f"a frame file cannot be read ({exc})"
            return (f"frame {paths.index(newer[0]) + 1} ({newer[0]}) was modified after the results were recorded"
                    + (f" ({len(newer)} frames)" if len(newer) > 1 else "")) if newer else None
        known = stored.get("files") if isinstance(stored, dict) else None
        try:
            now = frame_contents(self.sequence, known if isinstance(known, list) else None)
        except OSError as exc:
            return f"a frame file cannot be read ({exc})"
        if not isinstance(stored, dict) or stored.get("hash") != now["hash"]:
            old = stored.get("files") if isinstance(stored, dict) else None
            diff = [i for i, entry in enumerate(now["files"])
                    if not isinstance(old, list) or i >= len(old) or not isinstance(old[i], list)
                    or old[i][-1] != entry[-1]]
            if not diff:
                return "the frame contents changed"
            first = diff[0]
            more = f" and {len(diff) - 1} other frame(s)" if len(diff) > 1 else ""
            return f"the contents of frame {first + 1} ({paths[first]}){more} changed"
        return None

    def is_done(self) -> bool:
        """True when a valid completion record exists (:meth:`done_state`)."""
        return self.done_state()[0]


def _short(digest: Any) -> str:
    return str(digest)[:12] if digest else "none"


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


_FRAME_CACHE: dict[tuple, str] = {}


def frame_paths(sequence: Sequence) -> list[str]:
    """The frame files of ``sequence`` (those the ground truth covers); ``[]`` for in-memory frames."""
    if sequence.images is not None:
        return []
    return [str(p) for p in sequence.frames[: len(sequence)]]


def frame_contents(sequence: Sequence, known: list | None = None) -> dict[str, Any]:
    """A content fingerprint of the frame files: ``{"hash", "files"}``, ``files`` one ``[size, mtime_ns,
    digest]`` per frame (``digest`` the first 32 hex digits of the SHA-256 of the file's bytes), ``hash`` the
    SHA-256 of the sizes and digests in frame order (``None`` for in-memory frames, whose pixels the sequence
    fingerprint covers).

    A file is read once per process for a given (path, size, modification time) and not at all when
    ``known[i]`` (a record's ``files``) has its size and modification time: re-extracting or replacing a frame
    changes its modification time, so its bytes are hashed again. Raises ``OSError`` for a missing frame."""
    paths = frame_paths(sequence)
    if not paths:
        return {"hash": None, "files": []}
    h = hashlib.sha256()
    files = []
    for i, path in enumerate(paths):
        st = os.stat(path)
        entry = known[i] if known is not None and i < len(known) else None
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == [st.st_size, st.st_mtime_ns]:
            digest = str(entry[2])
        else:
            key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
            digest = _FRAME_CACHE.get(key)
            if digest is None:
                digest = _FRAME_CACHE[key] = file_sha256(Path(path))[:32]
        files.append([st.st_size, st.st_mtime_ns, digest])
        h.update(f"{st.st_size}:{digest}\n".encode())
    return {"hash": h.hexdigest(), "files": files}


def weights_fingerprint(spec: TrackerSpec) -> dict[str, Any]:
    """``{"path", "sha256"}`` of the weights a spec loads: its file (or folder), SiamRPN's default weights
    (``SIAMRPN_WEIGHTS`` or ``results/weights/siamrpn_default.pth``) or NanoTrack's default folder when
    ``weights`` is unset; ``sha256`` ``None`` for ``random:<seed>``, trackers without weights, or a missing file."""
    w = spec.weights
    path: Path | None = None
    if w is None:
        if spec.name == "siamrpn":
            path = default_weights_path()
        elif spec.name == "nano":
            path = nanotrack_dir()
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
    #: the run cannot go on after this unit (the output folder's disk is full): the supervisor stops the run
    fatal: bool = False


#: ``OSError.errno`` values meaning the output folder's file system is full
DISK_FULL_ERRNOS = frozenset(e for e in (getattr(errno, "ENOSPC", None), getattr(errno, "EDQUOT", None)) if e)


def is_disk_full(exc: BaseException) -> bool:
    """True for ``OSError`` no space left on device / disk quota exceeded."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


def disk_full_message(folder: str | os.PathLike, exc: OSError) -> str:
    """``no space left on device writing FILE (12.0 MB free on the file system of FOLDER)``."""
    try:
        free = f"{_size(shutil.disk_usage(folder).free)} free"
    except OSError:
        free = "free space unknown"
    what = "disk quota exceeded" if exc.errno == getattr(errno, "EDQUOT", -1) else "no space left on device"
    target = f" writing {exc.filename}" if exc.filename else ""
    return f"{what}{target} ({free} on the file system of {folder})"


class RunAborted(OSError):
    """The run stopped because it cannot go on (the output folder's disk is full); the finished units keep their
    records. ``outcomes``: the outcomes so far; ``reason``: one line naming the folder and the free space."""

    def __init__(self, reason: str, outcomes: list[UnitOutcome] | None = None, total: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.outcomes, self.total = reason, list(outcomes or []), total


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


def _jsonable(d: dict) -> dict:
    return json.loads(json.dumps(d, default=str))
