"""The one dataset-layout detector: which layout a sequence folder, a dataset folder or a JSON file has, and the
annotations of a dataset folder read with each sequence's own loader. ``siamrpn run`` (through
:func:`integration.data.sequences.load_dataset`), ``analyze``, ``report`` and the main job all read datasets
through it, so whatever one accepts the others read the same way.

Sequence folders (:data:`LAYOUTS`):

* ``otb``: ``img/`` (or ``imgs/``) with ``groundtruth_rect*.txt`` (or the MATLAB/MIL ``<name>_gt.txt``);
* ``got10k``: ``groundtruth.txt`` with ``meta_info.ini``, ``absence.label`` or ``cover.label``;
* ``vot``: ``groundtruth.txt`` (or vot-toolkit's ``sequence`` metadata file).

A dataset folder is one sequence folder, a ``list.txt`` (or a workspace's ``sequences/list.txt``) of sequence
folders of one layout, a GOT-10k root (``val/``, ``test/``, ``train/`` with ``list.txt``) or any folder of
sequence folders, each read with its own layout (layouts may be mixed). JSON files are pysot's VOT layout or
DaSiamRPN's OTB layout (``image_files``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from analysis.core.regions import area_preserving_rect
from analysis.io.annotation import SequenceAnnotation
from analysis.io.got10k import load_got10k_folder
from analysis.io.otb import is_otb_sequence, load_otb_folder, load_otb_json
from analysis.io.pysot import is_otb_json, load_pysot_json, read_json
from analysis.io.vot import load_vot_folder


@dataclass(frozen=True, kw_only=True)
class Layout:
    """One sequence-folder layout: its annotation loader and whether its ground truth suits the supervised VOT
    protocols (resets on VOT regions; OTB folders get the one-pass experiment only)."""

    name: str
    loader: Callable[[Path], dict[str, SequenceAnnotation]]
    supervised: bool


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout(name="vot", loader=load_vot_folder, supervised=True),
    Layout(name="otb", loader=load_otb_folder, supervised=False),
    Layout(name="got10k", loader=load_got10k_folder, supervised=True),
)}
#: a folder of sequence folders, each read with its own layout
FOLDERS = "folders"
_GOT10K_MARKERS = ("meta_info.ini", "absence.label", "cover.label")


def sequence_layout(folder: str | Path) -> str | None:
    """Layout of one sequence folder: ``vot``, ``otb``, ``got10k`` or ``None`` (not a sequence)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    if is_otb_sequence(folder):
        return "otb"
    if (folder / "groundtruth.txt").is_file():
        return "got10k" if any((folder / f).is_file() for f in _GOT10K_MARKERS) else "vot"
    if (folder / "sequence").is_file():
        return "vot"
    return None


def _listed(list_file: Path) -> list[str]:
    return [ln.strip() for ln in list_file.read_text(encoding="utf-8-sig").splitlines()
            if ln.strip() and not ln.strip().startswith("#")]


def dataset_layout(path: str | Path) -> str:
    """Layout of a dataset folder: a name of :data:`LAYOUTS` when one loader reads all of it, :data:`FOLDERS` for a
    folder of sequence folders read one by one (each with its own layout); ``ValueError`` naming the folder when
    it holds no sequences."""
    path = Path(path)
    own = sequence_layout(path)
    if own is not None:
        return own
    for base in (path, path / "sequences"):
        list_file = base / "list.txt"
        if list_file.is_file():
            kinds = {sequence_layout(base / n) for n in _listed(list_file)[:3]} - {None}
            if len(kinds) > 1:
                raise ValueError(f"{list_file}: cannot tell the layout of the listed sequence folders")
            return kinds.pop() if kinds else "vot"  # the VOT loader names a listed folder that is missing
    if any((path / s / "list.txt").is_file() for s in ("val", "test", "train")):
        return "got10k"
    if path.is_dir() and any(sequence_layout(sub) for sub in path.iterdir()):
        return FOLDERS
    raise ValueError(f"{path}: no sequences found (expected VOT, OTB or GOT-10k sequence folders, list.txt, "
                     "or a pysot .json)")


def load_folder_annotations(path: str | Path) -> dict[str, SequenceAnnotation]:
    """Every sequence of a dataset folder (:func:`dataset_layout`), each read with its own layout's loader."""
    path = Path(path)
    layout = dataset_layout(path)
    if layout in LAYOUTS:
        return LAYOUTS[layout].loader(path)
    out: dict[str, SequenceAnnotation] = {}
    for sub in sorted(p for p in path.iterdir() if p.is_dir()):
        kind = sequence_layout(sub)
        if kind is not None:
            out.update(LAYOUTS[kind].loader(sub))
    return out


def supervised_source(annotation: SequenceAnnotation) -> bool:
    """Whether a loaded sequence suits the supervised VOT protocols: its annotation file's folder is not of a
    one-pass-only layout (OTB). Sequences from JSON files or memory count as supervised."""
    source = str(annotation.source or "")
    if not source or source.startswith("<"):
        return True
    layout = sequence_layout(Path(source).parent)
    return layout is None or LAYOUTS[layout].supervised


def as_boxes(annotations: dict[str, SequenceAnnotation]) -> dict[str, SequenceAnnotation]:
    """The same annotations with ``x, y, w, h`` ground truth (polygons -> area-preserving boxes), as the one-pass
    scorers read VOT ground truth."""
    out = {}
    for name, ann in annotations.items():
        gt = np.asarray(ann.groundtruth, dtype=np.float64)
        if gt.ndim == 2 and gt.shape[1] != 4:
            gt = np.array([area_preserving_rect(row) for row in gt], dtype=np.float64)
        out[name] = dataclasses.replace(ann, groundtruth=gt)
    return out


def load_box_annotations(path: str | Path) -> dict[str, SequenceAnnotation]:
    """One-pass (OTB-style) annotations of any layout ``siamrpn run otb`` accepts: an OTB JSON or folder as OTB
    reads it; a pysot JSON, VOT or GOT-10k folder, or a folder of mixed sequence folders with polygons turned
    into area-preserving boxes."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() == ".json" and not is_otb_json(read_json(path)):
            return as_boxes(load_pysot_json(path))
        return load_otb_json(path)
    if path.is_dir():
        return as_boxes(load_folder_annotations(path))
    raise FileNotFoundError(f"{path}: OTB annotations not found")
