"""Reading and writing VOT-style trajectories, per-frame times and whole tracker result folders.

Formats (as written by the MATLAB toolkit, pysot-toolkit and vot-toolkit 0.7.4):

* text (LEG MATLAB toolkit, pysot/PST, PYT with ``VOT_RESULTS_BINARY=0``): one line per frame, ``1`` init,
  ``2`` failure, ``0`` skipped, else ``x,y,w,h``, a polygon ``x1,y1,...`` (comma, space or tab
  separated) or a VOT2020+ mask ``m<x0>,<y0>,<w>,<h>,<runs>`` (:mod:`analysis.core.masks`; read, like
  vot-toolkit, cut to its set pixels).
* binary (PYT default, ``vot/region/io.py``): little-endian header ``<hI`` (version 1, region count), then per
  region a type byte: 0 special ``<I code``, 1 rectangle ``<ffff``, 2 polygon ``<H n`` + ``2n`` float32,
  3 mask ``<hhHHH`` (x0, y0, w, h, run count) + uint16 runs (read as stored), 4 point (rejected). A file is
  binary when its first ``<h`` equals 1 (as PYT decides; a text file never starts with the bytes ``01 00``).
* times: LEG ``<seq>_time.txt`` is a CSV with one row per frame and one column per repetition (15 columns,
  zeros for repetitions never run, ``NaN`` for frames without a measurement); PYT writes one
  ``<seq>_<run>_time.value`` per run, one value per line.

Text output writes special codes as integers and coordinates with ``%.4f`` by default: that is what TraX
``region_string`` and the pysot test loop write, so files are byte-comparable with the toolkits'
(``precision=None`` writes ``repr`` floats that round-trip exactly). Every write is atomic
(temporary file in the same folder + ``os.replace``). Bad input raises ``ValueError`` naming file and line.
"""
from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from analysis.core.atomic import write_bytes_atomic, write_text_atomic
from analysis.core.boxtext import split_fields
from analysis.core.masks import MAX_BINARY_RUN, Mask, format_mask, is_mask_text, parse_mask, rle_decode, rle_encode
from analysis.core.regions import SPECIAL_FAILURE, SPECIAL_INIT, SPECIAL_UNKNOWN, FrameKind, Region, is_special
from analysis.io.result_layout import run_times_file, times_file, trajectory_pattern

__all__ = [
    "parse_region",
    "format_region",
    "read_trajectory",
    "write_trajectory",
    "read_times",
    "write_times",
    "find_run_files",
    "load_tracker_results",
    "load_tracker_times",
    "trajectory_kinds",
    "trajectory_arrays",
    "unexpected_unknown_frames",
    "result_sequence_names",
]

_SPECIALS = (SPECIAL_UNKNOWN, SPECIAL_INIT, SPECIAL_FAILURE)
_BIN_HEADER = struct.Struct("<hI")


# ----------------------------------------------------------------------------------------------------
# single regions
# ----------------------------------------------------------------------------------------------------


def parse_region(text: str, path: str | os.PathLike = "<string>", lineno: int = 0) -> Region:
    """Parse one trajectory/ground-truth line into a :data:`Region`.

    ``1``/``2``/``0`` (also ``1.0`` ...) become ``int`` special codes; 4 values a rectangle; an even count
    >= 6 a polygon; ``m...`` a :class:`~analysis.core.masks.Mask` (cut to its set pixels, as vot-toolkit reads
    it). NaN, infinities, other counts, unknown codes or garbage raise ``ValueError`` naming ``path:lineno``.
    """
    where = f"{path}:{lineno}"
    s = text.strip()
    if not s:
        raise ValueError(f"{where}: empty line where a region was expected")
    if is_mask_text(s):
        return parse_mask(s, where)
    tokens = split_fields(s)
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        raise ValueError(f"{where}: not a list of numbers: {s[:80]!r}") from None
    if any(not math.isfinite(v) for v in values):
        raise ValueError(f"{where}: non-finite value (NaN/inf) in region {s[:80]!r}")
    n = len(values)
    if n == 1:
        v = values[0]
        if v != int(v) or int(v) not in _SPECIALS:
            raise ValueError(f"{where}: unknown special code {tokens[0]!r} (expected 0, 1 or 2)")
        return int(v)
    if n == 4 or (n >= 6 and n % 2 == 0):
        return np.asarray(values, dtype=np.float64)
    raise ValueError(f"{where}: {n} values; expected 1 (special code), 4 (x,y,w,h) or an even count >= 6 (polygon)")


def format_region(region: Region, precision: int | None = 4) -> str:
    """Text form of a region: integer special code, a mask line ``m...``, or comma-separated coordinates
    (``%.{precision}f``)."""
    if is_special(region):
        return str(int(region))
    if isinstance(region, Mask):
        return format_mask(region)
    values = np.asarray(region, dtype=np.float64).ravel()
    if precision is None:
        return ",".join(repr(float(v)) for v in values)
    return ",".join(f"{v:.{precision}f}" for v in values)


# ----------------------------------------------------------------------------------------------------
# trajectories
# ----------------------------------------------------------------------------------------------------


def _read_binary(data: bytes, path: Path) -> list[Region]:
    try:
        version, count = _BIN_HEADER.unpack_from(data, 0)
    except struct.error:
        raise ValueError(f"{path}: truncated binary trajectory header") from None
    if version != 1:
        raise ValueError(f"{path}: unsupported binary trajectory version {version}")
    off = _BIN_HEADER.size
    out: list[Region] = []
    for i in range(count):
        try:
            (kind,) = struct.unpack_from("<B", data, off)
            off += 1
            if kind == 0:
                (code,) = struct.unpack_from("<I", data, off)
                off += 4
                if code not in _SPECIALS:
                    raise ValueError(f"{path}: region {i + 1}: unknown special code {code}")
                out.append(int(code))
            elif kind == 1:
                vals = struct.unpack_from("<4f", data, off)
                off += 16
                out.append(np.asarray(vals, dtype=np.float64))
            elif kind == 2:
                (n,) = struct.unpack_from("<H", data, off)
                off += 2
                vals = struct.unpack_from(f"<{2 * n}f", data, off)
                off += 8 * n
                if n < 3:
                    raise ValueError(f"{path}: region {i + 1}: polygon with {n} points")
                out.append(np.asarray(vals, dtype=np.float64))
            elif kind == 3:
                x0, y0, w, h, n = struct.unpack_from("<hhHHH", data, off)
                off += 10
                runs = struct.unpack_from(f"<{n}H", data, off)
                off += 2 * n
                out.append(Mask(rle_decode(runs, w, h, f"{path}: region {i + 1}"), (x0, y0)))
            elif kind == 4:
                raise ValueError(f"{path}: region {i + 1}: point regions are not supported")
            else:
                raise ValueError(f"{path}: region {i + 1}: unknown region type byte {kind}")
        except struct.error:
            raise ValueError(f"{path}: truncated binary trajectory at region {i + 1} of {count}") from None
        if not is_special(out[-1]) and not isinstance(out[-1], Mask) and not np.all(np.isfinite(out[-1])):
            raise ValueError(f"{path}: region {i + 1}: non-finite coordinates")
    if off != len(data):
        raise ValueError(f"{path}: {len(data) - off} unexpected bytes after {count} regions")
    return out


def _is_binary(data: bytes) -> bool:
    return len(data) >= 2 and struct.unpack_from("<h", data, 0)[0] == 1


def read_trajectory(path: str | os.PathLike) -> list[Region]:
    """Read a trajectory (text or vot-toolkit binary, auto-detected) as a list of regions."""
    path = Path(path)
    data = path.read_bytes()
    if _is_binary(data):
        return _read_binary(data, path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: neither a vot-toolkit binary trajectory nor UTF-8 text") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return [parse_region(line, path, i + 1) for i, line in enumerate(lines)]


def _encode_binary(traj: Sequence[Region], path: Path) -> bytes:
    parts = [_BIN_HEADER.pack(1, len(traj))]
    for i, r in enumerate(traj):
        if is_special(r):
            parts.append(struct.pack("<BI", 0, int(r)))
            continue
        if isinstance(r, Mask):
            parts.append(_encode_binary_mask(r, f"{path}: region {i + 1}"))
            continue
        v = np.asarray(r, dtype=np.float64).ravel()
        if v.size == 4:
            parts.append(struct.pack("<B4f", 1, *v))
        elif v.size >= 6 and v.size % 2 == 0:
            parts.append(struct.pack(f"<BH{v.size}f", 2, v.size // 2, *v))
        else:
            raise ValueError(f"{path}: region {i + 1} has {v.size} values; cannot encode")
    return b"".join(parts)


def _encode_binary_mask(mask: Mask, where: str) -> bytes:
    """Type-3 record of vot-toolkit's binary trajectories (runs split at :data:`MAX_BINARY_RUN`)."""
    runs = rle_encode(mask.pixels, MAX_BINARY_RUN)
    x0, y0 = mask.offset
    if not (-32768 <= x0 <= 32767 and -32768 <= y0 <= 32767):
        raise ValueError(f"{where}: mask offset {mask.offset} does not fit the binary format (int16)")
    if mask.width > 65535 or mask.height > 65535 or len(runs) > 65535:
        raise ValueError(f"{where}: a {mask.width}x{mask.height} mask of {len(runs)} runs does not fit the binary "
                         "format (uint16 size and run count); write a .txt trajectory")
    return struct.pack(f"<BhhHHH{len(runs)}H", 3, x0, y0, mask.width, mask.height, len(runs), *runs)


def write_trajectory(
    path: str | os.PathLike,
    traj: Sequence[Region],
    binary: bool | None = None,
    precision: int | None = 4,
) -> None:
    """Write a trajectory atomically; ``binary=None`` chooses the vot-toolkit binary format for ``.bin``."""
    path = Path(path)
    if binary is None:
        binary = path.suffix == ".bin"
    for i, r in enumerate(traj):
        if is_special(r):
            if int(r) not in _SPECIALS:
                raise ValueError(f"{path}: frame {i + 1}: unknown special code {r}")
        elif isinstance(r, Mask):
            continue
        elif not np.all(np.isfinite(np.asarray(r, dtype=np.float64))):
            raise ValueError(f"{path}: frame {i + 1}: non-finite region {r!r}")
    if binary:
        write_bytes_atomic(path, _encode_binary(traj, path))
    else:
        write_text_atomic(path, "".join(format_region(r, precision) + "\n" for r in traj))


# ----------------------------------------------------------------------------------------------------
# times
# ----------------------------------------------------------------------------------------------------


def read_times(path: str | os.PathLike) -> np.ndarray:
    """Per-frame times in seconds as ``(N, R)`` float64 (``NaN`` = no measurement).

    LEG ``_time.txt``: comma separated, ``R`` = columns in the file (15, zeros for runs never executed;
    :func:`load_tracker_times` trims them). PYT ``_time.value``: one value per line => ``(N, 1)``.
    """
    path = Path(path)
    rows: list[list[float]] = []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    for i, line in enumerate(lines, start=1):
        tokens = split_fields(line)
        if not tokens:
            raise ValueError(f"{path}:{i}: empty line in a time file")
        try:
            vals = [float(t) for t in tokens]
        except ValueError:
            raise ValueError(f"{path}:{i}: not a list of numbers: {line.strip()[:80]!r}") from None
        if any(math.isinf(v) or v < 0 for v in vals):
            raise ValueError(f"{path}:{i}: times must be finite and >= 0 (NaN allowed): {line.strip()[:80]!r}")
        if rows and len(vals) != len(rows[0]):
            raise ValueError(f"{path}:{i}: {len(vals)} columns, expected {len(rows[0])} like line 1")
        rows.append(vals)
    if not rows:
        return np.zeros((0, 1))
    return np.asarray(rows, dtype=np.float64)


def write_times(path: str | os.PathLike, times: np.ndarray) -> None:
    """Write ``(N,)`` or ``(N, R)`` seconds atomically: CSV like LEG ``_time.txt`` (``NaN`` kept)."""
    t = np.asarray(times, dtype=np.float64)
    if t.ndim == 1:
        t = t[:, None]
    if t.ndim != 2:
        raise ValueError(f"{path}: times must be (N,) or (N, R), got shape {t.shape}")

    def fmt(v: float) -> str:
        return "NaN" if math.isnan(v) else f"{v:.9g}"

    write_text_atomic(path, "".join(",".join(fmt(v) for v in row) + "\n" for row in t))


# ----------------------------------------------------------------------------------------------------
# result folders
# ----------------------------------------------------------------------------------------------------


def find_run_files(seq_dir: str | os.PathLike, name: str | None = None) -> list[Path]:
    """Run files ``<name>_<NNN>.txt|.bin`` of one sequence folder, sorted by run number.

    Raises ``ValueError`` when there are none or when one run exists both as ``.txt`` and ``.bin``.
    """
    seq_dir = Path(seq_dir)
    name = seq_dir.name if name is None else name
    pattern = trajectory_pattern(name)
    runs: dict[int, Path] = {}
    for p in seq_dir.iterdir():
        m = pattern.match(p.name)
        if not m or not p.is_file():
            continue
        k = int(m.group(1))
        if k in runs:
            raise ValueError(f"{seq_dir}: run {k} exists twice ({runs[k].name} and {p.name})")
        runs[k] = p
    if not runs:
        raise ValueError(f"{seq_dir}: no result files named {name}_001.txt / {name}_001.bin")
    return [runs[k] for k in sorted(runs)]


def _experiment_dir(tracker_dir: Path, experiment: str) -> Path:
    cand = tracker_dir / experiment
    if cand.is_dir():
        return cand
    if tracker_dir.is_dir() and (tracker_dir.name == experiment or any(
            _has_runs(d) for d in tracker_dir.iterdir() if d.is_dir())):
        return tracker_dir
    raise FileNotFoundError(
        f"{tracker_dir}: no '{experiment}' folder with <seq>/<seq>_001.txt|.bin results (and the folder "
        "itself holds no sequence result folders)")


def _has_runs(d: Path) -> bool:
    prefix = d.name + "_"
    return any(p.name.startswith(prefix) and p.suffix in (".txt", ".bin") and p.stem[len(prefix):].isdigit()
               for p in d.iterdir())


def result_sequence_names(tracker_dir: str | os.PathLike, experiment: str = "baseline") -> list[str]:
    """Names of the sequence folders of ``tracker_dir/<experiment>`` that hold run files (sorted).

    Lets the analysis name result folders that no annotation has without reading them."""
    exp = _experiment_dir(Path(tracker_dir), experiment)
    return sorted(d.name for d in exp.iterdir() if d.is_dir() and not d.name.startswith(".") and _has_runs(d))


def load_tracker_results(
    tracker_dir: str | os.PathLike,
    experiment: str = "baseline",
    sequences: Iterable[str] | None = None,
) -> dict[str, list[list[Region]]]:
    """Trajectories of a tracker: ``{seq: [run1, run2, ...]}`` (runs sorted by number, sequences by name).

    ``tracker_dir`` holds ``<experiment>/<seq>/<seq>_001.txt|.bin`` (LEG/PST/PYT layouts) or is the
    experiment folder itself. With ``sequences`` only those are read; missing sequence folders are left out
    (the caller reports them), a sequence folder without run files raises ``ValueError``.
    """
    exp = _experiment_dir(Path(tracker_dir), experiment)
    if sequences is None:
        names = sorted(d.name for d in exp.iterdir() if d.is_dir() and not d.name.startswith("."))
    else:
        names = [s for s in sequences if (exp / s).is_dir()]
    return {s: [read_trajectory(p) for p in find_run_files(exp / s)] for s in names}


def load_tracker_times(
    tracker_dir: str | os.PathLike,
    experiment: str = "baseline",
    sequences: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """Per-frame times ``{seq: (N, R)}`` with ``R`` = number of run files (LEG ``_time.txt`` trimmed to
    the runs that exist; PYT ``_<NNN>_time.value`` stacked). Sequences without time files are left out."""
    exp = _experiment_dir(Path(tracker_dir), experiment)
    if sequences is None:
        names = sorted(d.name for d in exp.iterdir() if d.is_dir() and not d.name.startswith("."))
    else:
        names = [s for s in sequences if (exp / s).is_dir()]
    out: dict[str, np.ndarray] = {}
    for s in names:
        runs = find_run_files(exp / s)
        leg = times_file(exp / s, s)
        if leg.is_file():
            t = read_times(leg)
            if t.shape[1] < len(runs):
                raise ValueError(f"{leg}: {t.shape[1]} time columns for {len(runs)} run files")
            out[s] = t[:, : len(runs)]
            continue
        values = [run_times_file(exp / s, p.stem) for p in runs]
        if all(v.is_file() for v in values):
            cols = [read_times(v)[:, 0] for v in values]
            if len({c.shape[0] for c in cols}) != 1:
                raise ValueError(f"{exp / s}: _time.value files differ in length")
            out[s] = np.stack(cols, axis=1)
    return out


# ----------------------------------------------------------------------------------------------------
# array views
# ----------------------------------------------------------------------------------------------------


def trajectory_kinds(traj: Sequence[Region]) -> np.ndarray:
    """``(N,) int8`` :class:`FrameKind` per frame (0 skipped, 1 init, 2 failure, 3 tracked)."""
    out = np.empty(len(traj), dtype=np.int8)
    for i, r in enumerate(traj):
        if is_special(r):
            if int(r) not in _SPECIALS:
                raise ValueError(f"frame {i + 1}: unknown special code {r}")
            out[i] = int(r)
        else:
            out[i] = FrameKind.TRACKED
    return out


def trajectory_arrays(traj: Sequence[Region], n_frames: int | None = None,
                      source: str = "trajectory") -> tuple[np.ndarray, list[Region]]:
    """``(kinds, regions)`` after checking the trajectory has ``n_frames`` entries (when given)."""
    if n_frames is not None and len(traj) != n_frames:
        raise ValueError(f"{source}: {len(traj)} frames in the trajectory, {n_frames} in the ground truth")
    return trajectory_kinds(traj), list(traj)


def unexpected_unknown_frames(kinds: np.ndarray) -> np.ndarray:
    """0-based frames holding code ``0`` (unknown) where the protocol writes none (``(K,)`` int).

    The supervised protocol writes ``0`` only on the frames skipped between a failure and the next
    initialisation (``f_fail+1 .. f_fail+skip-1``, more with skip tags, up to the end when no
    re-initialisation fits). A ``0`` whose last non-zero entry before it is an initialisation or a region, or
    that comes before any entry, stands where a region or ``1``/``2`` is expected.
    """
    k = np.asarray(kinds).ravel()
    idx = np.arange(k.size)
    last = np.maximum.accumulate(np.where(k != FrameKind.UNKNOWN, idx, -1)) if k.size else idx
    prev = np.where(last >= 0, k[np.maximum(last, 0)], -1)
    return np.flatnonzero((k == FrameKind.UNKNOWN) & (prev != FrameKind.FAILURE))
