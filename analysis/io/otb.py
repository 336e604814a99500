"""OTB-style ground truth: pysot/DaSiamRPN ``OTB2015.json`` and OTB folders (``img/0001.jpg`` + ``groundtruth_rect.txt``).

MATLAB-era layouts found in the wild are read too: frames in ``imgs/`` instead of ``img/``, the boxes in
``<name>_gt.txt`` and the annotated frame range in ``<name>_frames.txt`` (two numbers ``start,end``, inclusive,
the numbers in the frame file names; MILTrack's data layout). In a ``<name>_gt.txt`` a row ``0,0,0,0`` marks a
frame without annotation (MIL annotates every 5th frame) and becomes NaN.

Boxes stay as written in the files (``x, y, w, h``, OTB's 1-based pixel convention); the OTB metrics only
use differences and centres, so no shift is applied (same as OTB MATLAB, got10k and pysot-toolkit).

Special frame ranges of OTB-2015 (``docs/conventions.md``; got10k ``datasets/otb.py``, OTB ``configSeqs.m``) are applied
when a folder has more frames than boxes: ``cfg.json`` ``startFrame/endFrame`` when present, else the table
:data:`OTB_FRAME_RANGES`, else the first ``len(boxes)`` frames with a warning (e.g. UAV123 ``truck2``).
"""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from analysis.core.boxtext import parse_box_lines, split_fields
from analysis.io.annotation import SequenceAnnotation, json_box_rows
from analysis.io.text import read_text_file

#: OTB-2015 sequences whose annotation covers a sub-range of the frames in ``img/`` (1-based, inclusive;
#: ``None`` = up to the last frame).  Source: OTB ``configSeqs.m`` as copied in got10k ``datasets/otb.py``
#: and the Python vot-toolkit ``dataset/otb.py``.
OTB_FRAME_RANGES: dict[str, tuple[int, int | None]] = {
    "david": (300, 770),
    "football1": (1, 74),
    "freeman3": (1, 460),
    "freeman4": (1, 283),
    "diving": (1, 215),
    "blurcar1": (247, None),
    "blurcar3": (3, None),
    "blurcar4": (18, None),
}

#: OTB sequences whose only valid target file is ``groundtruth_rect.2.txt`` (``.1`` is empty in OTB).
_SINGLE_NUMBERED_TARGET = {"human4": 2}
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def normalize_otb_name(name: str) -> str:
    """Case-insensitive key of an OTB sequence name: ``Jogging-1.txt`` / ``jogging_1`` / ``Jogging.1`` -> ``jogging_1``."""
    stem = Path(name).name
    if stem.lower().endswith(".txt"):
        stem = stem[:-4]
    return re.sub(r"[-.\s]", "_", stem).lower()


def match_otb_name(name: str, keys: list[str] | tuple[str, ...]) -> str | None:
    """The annotation key a result file name refers to (case-insensitive), or ``None``.

    ``Jogging-1`` -> ``jogging_1``; ``Human4`` -> ``human4_2`` (the only Human4 target in OTB-2015).
    A bare multi-target name (``Jogging``) is ambiguous and matches nothing.
    """
    norm = {normalize_otb_name(k): k for k in keys}
    wanted = normalize_otb_name(name)
    if wanted in norm:
        return norm[wanted]
    prefixed = [k for n, k in norm.items() if n.startswith(wanted + "_") and n[len(wanted) + 1:].isdigit()]
    return prefixed[0] if len(prefixed) == 1 else None


def load_otb_json(path: str | Path, image_root: str | Path | None = None) -> dict[str, SequenceAnnotation]:
    """Read an OTB JSON (DaSiamRPN ``OTB2015.json`` or pysot ``OTB100.json``), keyed as in the file.

    Frame paths are ``<image_root>/<name>/img/<file>`` (relative ``<name>/img/<file>`` without a root) so
    the special frame ranges (David starts at ``0300.jpg``) survive. Width/height are unknown (0) here.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object keyed by sequence name")
    out: dict[str, SequenceAnnotation] = {}
    for key, seq in data.items():
        if not isinstance(seq, dict) or "gt_rect" not in seq:
            raise ValueError(f"{path}: sequence {key!r} has no 'gt_rect'")
        gt = json_box_rows(seq["gt_rect"], f"{path}: sequence {key!r}")
        if gt.ndim != 2 or gt.shape[1] != 4:
            raise ValueError(f"{path}: sequence {key!r}: gt_rect must be N x 4, got shape {gt.shape}")
        files = seq.get("image_files", seq.get("img_names", []))
        folder = seq.get("video_dir") or seq.get("name") or key
        if files and len(files) != len(gt):
            raise ValueError(f"{path}: sequence {key!r}: {len(files)} image files but {len(gt)} boxes")
        frames = tuple(_frame_path(image_root, folder, f) for f in files)
        out[key] = SequenceAnnotation(name=key, groundtruth=gt, width=int(seq.get("width", 0) or 0),
                                      height=int(seq.get("height", 0) or 0), frames=frames,
                                      source=str(path))
    return out


def _frame_path(root: str | Path | None, folder: str, file: str) -> Path:
    rel = Path(file) if ("/" in file or "\\" in file) else Path(folder) / "img" / file
    return Path(root) / rel if root is not None else rel


def _frames_dir(folder: Path) -> Path | None:
    return next((d for d in (folder / "img", folder / "imgs") if d.is_dir()), None)


def is_otb_sequence(folder: Path) -> bool:
    """``img/`` (or ``imgs/``) and ``groundtruth_rect*.txt`` (or ``<name>_gt.txt``)."""
    return (folder.is_dir() and _frames_dir(folder) is not None
            and (any(folder.glob("groundtruth_rect*.txt")) or (folder / f"{folder.name}_gt.txt").is_file()))


def load_otb_folder(path: str | Path) -> dict[str, SequenceAnnotation]:
    """Read one OTB sequence folder or a folder of them (``<Seq>/img/0001.jpg``, ``groundtruth_rect[.k].txt``).

    Two-target folders (``groundtruth_rect.1.txt`` / ``.2.txt``) give ``<Seq>-1`` and ``<Seq>-2``
    (OTB result-file names); ``Human4`` uses ``.2`` only. Empty target files are skipped (got10k does too).
    """
    path = Path(path)
    if is_otb_sequence(path):
        folders = [path]
    elif path.is_dir():
        folders = sorted(p for p in path.iterdir() if is_otb_sequence(p))
        if not folders:
            raise ValueError(f"{path}: no OTB sequence folders (expected <seq>/img/ and groundtruth_rect*.txt)")
    else:
        raise ValueError(f"{path}: not a folder")
    out: dict[str, SequenceAnnotation] = {}
    for folder in folders:
        for name, ann in _load_otb_sequence(folder).items():
            out[name] = ann
    return out


def _target_files(folder: Path) -> list[tuple[str, Path]]:
    numbered = sorted(folder.glob("groundtruth_rect.[0-9]*.txt"))
    numbered = [p for p in numbered if read_text_file(p, "ground-truth file").strip()]
    only = _SINGLE_NUMBERED_TARGET.get(folder.name.lower())
    if only is not None:
        chosen = [p for p in numbered if p.name == f"groundtruth_rect.{only}.txt"]
        if chosen:
            return [(folder.name, chosen[0])]
    if len(numbered) > 1:
        return [(f"{folder.name}-{p.name.split('.')[1]}", p) for p in numbered]
    plain = folder / "groundtruth_rect.txt"
    if plain.is_file():
        return [(folder.name, plain)]
    if numbered:
        return [(folder.name, numbered[0])]
    matlab = folder / f"{folder.name}_gt.txt"
    if matlab.is_file():
        return [(folder.name, matlab)]
    raise ValueError(f"{folder}: no non-empty groundtruth_rect*.txt or {folder.name}_gt.txt")


def _frame_number(p: Path) -> int:
    digits = re.sub(r"\D", "", p.stem)
    return int(digits) if digits else -1


def _load_otb_sequence(folder: Path) -> dict[str, SequenceAnnotation]:
    frames_dir = _frames_dir(folder) or folder / "img"
    images = sorted((p for p in frames_dir.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES), key=_frame_number)
    if not images:
        raise ValueError(f"{frames_dir}: no images")
    width, height = _image_size(images[0])
    out = {}
    for name, gt_file in _target_files(folder):
        gt = parse_box_lines(read_text_file(gt_file, "ground-truth file"), gt_file)
        if gt_file.name == f"{folder.name}_gt.txt":
            gt[np.all(gt == 0, axis=1)] = np.nan  # MIL: 0,0,0,0 = frame not annotated
        frames = _select_frames(folder, images, len(gt), gt_file)
        out[name] = SequenceAnnotation(name=name, groundtruth=gt, width=width, height=height,
                                       frames=tuple(p.resolve() for p in frames), source=str(gt_file))
    return out


def _select_frames(folder: Path, images: list[Path], n_boxes: int, gt_file: Path) -> list[Path]:
    """Frames the boxes refer to: all, an OTB special range, or the first ``n_boxes`` (warned)."""
    if len(images) == n_boxes:
        return images
    start, end = _frame_range(folder)
    if start is not None:
        numbers = [_frame_number(p) for p in images]
        chosen = [p for p, n in zip(images, numbers) if n >= start and (end is None or n <= end)]
        if len(chosen) == n_boxes:
            return chosen
    if len(images) > n_boxes:
        warnings.warn(f"{gt_file}: {n_boxes} boxes for {len(images)} frames in {images[0].parent}; "
                      f"using frames 1-{n_boxes} (no OTB frame range known for {folder.name!r})", stacklevel=3)
        return images[:n_boxes]
    raise ValueError(f"{gt_file}: {n_boxes} boxes but only {len(images)} frames in {images[0].parent}")


def _frame_range(folder: Path) -> tuple[int | None, int | None]:
    matlab = folder / f"{folder.name}_frames.txt"
    if matlab.is_file():
        try:
            start, end = (int(float(v)) for v in split_fields(matlab.read_text()))
        except ValueError:
            raise ValueError(f"{matlab}:1: expected two frame numbers 'start,end', got "
                             f"{matlab.read_text().strip()!r}") from None
        return start, end
    cfg = folder / "cfg.json"
    if cfg.is_file():
        try:
            data = json.loads(cfg.read_text())
            return int(data["startFrame"]), int(data["endFrame"])
        except (ValueError, KeyError, TypeError):
            pass
    key = folder.name.lower()
    if key in OTB_FRAME_RANGES:
        return OTB_FRAME_RANGES[key]
    return None, None


def _image_size(image: Path) -> tuple[int, int]:
    try:

        with Image.open(image) as im:
            return int(im.size[0]), int(im.size[1])
    except Exception:  # unreadable image: size unknown, metrics do not need it
        return 0, 0


def load_otb_annotations(path: Path) -> dict:
    """OTB annotations from a JSON file (DaSiamRPN / pysot) or an OTB folder (one sequence or a folder of them)."""
    if path.is_file():
        return load_otb_json(path)
    if path.is_dir():
        return load_otb_folder(path)
    raise FileNotFoundError(f"{path}: OTB annotations not found")


#: the 11 OTB-2015 attributes (Wu et al., TPAMI 2015), as written in the sequences' ``attrs.txt``
OTB_ATTRIBUTES = ("IV", "SV", "OCC", "DEF", "MB", "FM", "IPR", "OPR", "OV", "BC", "LR")


def load_otb_attributes(annotations: dict[str, SequenceAnnotation]) -> dict[str, tuple[str, ...]]:
    """Attributes per sequence from the ``attrs.txt`` next to each annotation file (OTB folders: one line
    ``SV, DEF, FM``); sequences without the file are left out (e.g. everything read from a JSON file).
    An unknown attribute is an error naming the file and line."""
    out: dict[str, tuple[str, ...]] = {}
    for key, ann in annotations.items():
        path = Path(ann.source).parent / "attrs.txt" if ann.source else None
        if path is None or not path.is_file():
            continue
        names: list[str] = []
        for lineno, line in enumerate(read_text_file(path, "attribute file", "comma-separated OTB attributes")
                                      .splitlines(), start=1):
            for item in (t.strip().upper() for t in line.replace(";", ",").split(",")):
                if item and item not in OTB_ATTRIBUTES:
                    raise ValueError(f"{path}:{lineno}: unknown OTB attribute {item!r} (known: "
                                     f"{', '.join(OTB_ATTRIBUTES)})")
                if item:
                    names.append(item)
        out[key] = tuple(dict.fromkeys(names))
    return out
