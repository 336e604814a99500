"""VOT dataset folders: ``list.txt`` + per-sequence ``groundtruth.txt`` (LEG/PYT layouts).

Layouts read (PYT ``vot/dataset/common.py`` ``read_sequence`` / ``read_sequence_legacy``):

* default: a ``sequence`` properties file (``key=value`` lines: ``channels.color=color/%08d.jpg``, ``fps``,
  optional ``width``/``height``/``length``) next to ``groundtruth.txt``;
* toolkit workspace without a ``sequence`` file: frames in ``color/00000001.jpg``;
* legacy: ``00000001.jpg`` (or ``.png``, VOT-TIR) directly in the sequence folder.

``path`` may be a dataset folder with ``list.txt``, a vot-toolkit workspace (``sequences/list.txt``) or one
sequence folder. Per-frame attributes come from ``*.tag`` / ``*.label`` files (one ``0``/``1`` per line; a
file shorter than the sequence is padded with ``False`` as PYT does) and per-frame numbers from ``*.value``
files (``anchor.value`` of the VOT2020+ multi-start experiment; one number per line, a shorter file padded
with 0 and a longer one refused, as PYT's ``_read_data``). Image size comes from the ``sequence`` file or the
first frame's header (PIL, nothing decoded). Ground-truth rows must all have 4 or all have 8 (2n) values, or
be VOT2020+ masks (``m...`` lines, possibly mixed with rectangles: ``SequenceAnnotation.regions`` keeps them
and ``groundtruth`` their inclusive boxes); zero-area rows are kept (the analysis decides), NaN/garbage raise
``ValueError`` naming file and line.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from analysis.core.masks import Mask, is_mask_text, mask_box
from analysis.core.regions import polygon_bbox
from analysis.io.annotation import SequenceAnnotation, image_size
from analysis.io.text import parse_key_values
from analysis.io.trajectories import parse_region

__all__ = ["read_properties", "read_groundtruth", "read_groundtruth_regions", "regions_to_boxes", "read_tag_file",
           "read_value_file", "has_mask_lines", "load_vot_sequence", "load_vot_folder", "is_vot_sequence"]

_FRAME_RE = re.compile(r"^(\d{8})\.(jpg|jpeg|png)$", re.IGNORECASE)


def read_properties(path: str | Path) -> dict[str, str]:
    """``key=value`` lines of a VOT ``sequence`` file (blank lines and ``#`` comments ignored)."""
    path = Path(path)
    return parse_key_values(path.read_text(encoding="utf-8-sig"), path, "=", "#")


def _lines(path: Path, n_frames: int | None = None, what: str = "lines") -> list[str]:
    """The lines of a per-frame file, trailing blank lines dropped; with ``n_frames``, more lines than frames is
    an error (``what`` names them)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if n_frames is not None and len(lines) > n_frames:
        raise ValueError(f"{path}: {len(lines)} {what} for a sequence of {n_frames} frames")
    return lines


def _groundtruth_lines(path: Path) -> list[str]:
    """The lines of a ground-truth file, trailing blank lines dropped; a missing or empty file is an error."""
    if not path.is_file():
        raise ValueError(f"{path}: ground-truth file not found")
    lines = _lines(path)
    if not lines:
        raise ValueError(f"{path}: empty ground-truth file")
    return lines


def _groundtruth_region(line: str, path: Path, number: int):
    """One ground-truth line as a region; a special code (a result file's, not ground truth) is an error."""
    region = parse_region(line, path, number)
    if isinstance(region, int):
        raise ValueError(f"{path}:{number}: a special code ({region}) is not a ground-truth region")
    return region


def read_groundtruth(path: str | Path, absent: bool = False) -> np.ndarray:
    """``groundtruth.txt`` as ``(N, 4)`` rectangles or ``(N, 2n)`` polygons (float64). ``absent=True``
    (long-term data sets): a line of NaNs (``nan,nan,nan,nan``, vot-toolkit's empty region) is a frame without
    the target and becomes a NaN row."""
    path = Path(path)
    rows = []
    for number, line in enumerate(_groundtruth_lines(path), start=1):
        if absent and _is_nan_line(line):
            rows.append(None)
            continue
        region = _groundtruth_region(line, path, number)
        first = next(((k, r) for k, r in enumerate(rows, start=1) if r is not None), None)
        if first is not None and region.size != first[1].size:
            raise ValueError(f"{path}:{number}: {region.size} values, but line {first[0]} has {first[1].size}")
        rows.append(region)
    width = next((r.size for r in rows if r is not None), 4)
    return np.vstack([np.full(width, np.nan) if r is None else r for r in rows])


def has_mask_lines(path: str | Path) -> bool:
    """True when a ground-truth file holds at least one mask line (``m...``)."""
    path = Path(path)
    if not path.is_file():
        return False
    return any(is_mask_text(line) for line in path.read_text(encoding="utf-8-sig").splitlines())


def read_groundtruth_regions(path: str | Path) -> list:
    """``groundtruth.txt`` of masks (and rectangles/polygons) as a list of regions, masks read as vot-toolkit
    reads them (cut to their set pixels, :func:`analysis.core.masks.parse_mask`)."""
    path = Path(path)
    return [_groundtruth_region(line, path, number) for number, line in enumerate(_groundtruth_lines(path), start=1)]


def regions_to_boxes(regions) -> np.ndarray:
    """``(N, 4)`` boxes of a region list: masks by their inclusive box (TraX), polygons by their bounding box,
    rectangles as they are."""
    return np.vstack([mask_box(r) if isinstance(r, Mask) else polygon_bbox(r) for r in regions]) if regions \
        else np.zeros((0, 4))


def read_value_file(path: str | Path, n_frames: int) -> np.ndarray:
    """A ``*.value`` file -> ``(n_frames,) float64``: one number per line, padded with 0 (vot-toolkit's
    ``_read_data``); more lines than frames or a line that is not a number is an error naming file and line."""
    path = Path(path)
    out = np.zeros(n_frames)
    for number, line in enumerate(_lines(path, n_frames, "values"), start=1):
        try:
            out[number - 1] = float(line.strip())
        except ValueError:
            raise ValueError(f"{path}:{number}: expected a number, got {line.strip()[:40]!r}") from None
    return out


def _is_nan_line(line: str) -> bool:
    tokens = [t for t in re.split(r"[,\s]+", line.strip()) if t]
    return bool(tokens) and all(t.lower() == "nan" for t in tokens)


def read_tag_file(path: str | Path, n_frames: int) -> np.ndarray:
    """Per-frame ``0``/``1`` attribute file -> ``(n_frames,) bool`` (shorter files padded with False)."""
    path = Path(path)
    out = np.zeros(n_frames, dtype=bool)
    for number, line in enumerate(_lines(path, n_frames), start=1):
        value = line.strip()
        if value in ("1", "1.0", "true", "True"):
            out[number - 1] = True
        elif value not in ("0", "0.0", "", "false", "False"):
            raise ValueError(f"{path}:{number}: expected 0 or 1, got {value!r}")
    return out


def is_vot_sequence(folder: Path) -> bool:
    """A folder with ``groundtruth.txt`` (the VOT loaders' test; GOT-10k folders also pass it)."""
    return (folder / "groundtruth.txt").is_file()


def _frame_pattern(folder: Path, props: dict[str, str]) -> tuple[Path, str] | None:
    """(directory, printf pattern) of the colour frames, or None when no frames are present."""
    channel = props.get("channels.color") or props.get("channels.rgb") or props.get("channels.ir")
    if channel:
        rel = Path(channel)
        if rel.suffix == "":
            rel = rel / "%08d.jpg"
        return folder / rel.parent, rel.name
    if (folder / "color").is_dir():
        return folder / "color", "%08d.jpg"
    for p in sorted(folder.iterdir()):
        m = _FRAME_RE.match(p.name)
        if m:
            return folder, "%08d." + m.group(2)
    return None


def load_vot_sequence(folder: str | Path, name: str | None = None, absent: bool = False) -> SequenceAnnotation:
    """One VOT sequence folder (any of the layouts in the module docstring); ``absent``: see
    :func:`read_groundtruth`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: sequence folder not found")
    props_file = folder / "sequence"
    props = read_properties(props_file) if props_file.is_file() else {}
    gt_file = folder / props.get("groundtruth", "groundtruth.txt")
    regions = None
    if has_mask_lines(gt_file):
        regions = tuple(read_groundtruth_regions(gt_file))
        gt = regions_to_boxes(regions)
    else:
        gt = read_groundtruth(gt_file, absent)
    n = gt.shape[0]
    if "length" in props and props["length"].isdigit() and int(props["length"]) != n:
        raise ValueError(f"{gt_file}: {n} regions but {props_file} says length={props['length']}")
    frames: tuple[Path, ...] = ()
    pattern = _frame_pattern(folder, props)
    if pattern is not None:
        directory, fmt = pattern
        try:
            paths = tuple((directory / (fmt % (i + 1))).resolve() for i in range(n))
        except (TypeError, ValueError):
            raise ValueError(f"{props_file}: cannot use frame pattern {fmt!r}") from None
        missing = [p for p in (paths[0], paths[-1]) if not p.is_file()]
        if missing:
            raise ValueError(f"{folder}: {n} ground-truth regions but frame {missing[0]} does not exist")
        frames = paths
    width = int(props["width"]) if props.get("width", "").isdigit() else 0
    height = int(props["height"]) if props.get("height", "").isdigit() else 0
    if (not width or not height) and frames:
        width, height = image_size(frames[0])
    try:
        fps = float(props.get("fps", 30))
    except ValueError:
        raise ValueError(f"{props_file}: fps={props['fps']!r} is not a number") from None
    tags = {}
    for tag_file in sorted([*folder.glob("*.tag"), *folder.glob("*.label")]):
        tags[tag_file.stem] = read_tag_file(tag_file, n)
    values = {p.stem: read_value_file(p, n) for p in sorted(folder.glob("*.value"))}
    return SequenceAnnotation(name=name or folder.name, groundtruth=gt, width=width, height=height,
                              frames=frames, tags=tags, fps=fps, source=str(gt_file), values=values,
                              regions=regions)


def _read_list(list_file: Path) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(list_file.read_text(encoding="utf-8-sig").splitlines(), start=1):
        name = line.strip()
        if name and not name.startswith("#"):
            out.append((number, name))
    if not out:
        raise ValueError(f"{list_file}: no sequence names")
    return out


def load_vot_folder(path: str | Path, absent: bool = False) -> dict[str, SequenceAnnotation]:
    """All sequences of a VOT dataset (``list.txt`` order), a workspace's ``sequences/``, or one sequence;
    ``absent``: see :func:`read_groundtruth`."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: not found")
    if path.is_file() and path.name == "list.txt":
        path = path.parent
    list_file = path / "list.txt"
    if not list_file.is_file() and (path / "sequences" / "list.txt").is_file():
        path = path / "sequences"
        list_file = path / "list.txt"
    if list_file.is_file():
        out: dict[str, SequenceAnnotation] = {}
        for number, name in _read_list(list_file):
            folder = path / name
            if not folder.is_dir():
                raise ValueError(f"{list_file}:{number}: sequence folder {folder} not found")
            if not (folder / "groundtruth.txt").is_file() and not (folder / "sequence").is_file():
                raise ValueError(f"{list_file}:{number}: {folder} has no groundtruth.txt")
            out[name] = load_vot_sequence(folder, name, absent)
        return out
    if is_vot_sequence(path) or (path / "sequence").is_file():
        seq = load_vot_sequence(path, absent=absent)
        return {seq.name: seq}
    raise ValueError(f"{path}: not a VOT dataset (no list.txt, sequences/list.txt or groundtruth.txt)")
