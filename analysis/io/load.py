"""Read any supported annotation source, recognised from its layout (JSON file, OTB, GOT-10k or VOT folder)."""
from __future__ import annotations

from pathlib import Path

from analysis.io.annotation import SequenceAnnotation
from analysis.io.got10k import load_got10k_folder
from analysis.io.otb import load_otb_folder, load_otb_json
from analysis.io.pysot import _is_otb_json, _read_json, load_pysot_json
from analysis.io.vot import load_vot_folder


def _is_otb_sequence(folder: Path) -> bool:
    """OTB layout: ``img/`` plus ``groundtruth_rect*.txt``."""
    return folder.is_dir() and (folder / "img").is_dir() and any(folder.glob("groundtruth_rect*.txt"))


def _looks_like_got10k(seq_folder: Path) -> bool:
    return any((seq_folder / f).is_file() for f in ("meta_info.ini", "absence.label", "cover.label"))


def load_annotations(path: str | Path, image_root: str | Path | None = None) -> dict[str, SequenceAnnotation]:
    """Load any supported annotation source, detected from its layout.

    * ``*.json``: pysot JSON (VOT-style, :func:`load_pysot_json`) or DaSiamRPN OTB JSON (``annotations_otb``);
    * folder with ``img/`` + ``groundtruth_rect*.txt`` (or a folder of such): OTB (``annotations_otb``);
    * GOT-10k subset/root/sequence (``meta_info.ini``, ``cover.label``, ``absence.label``): ``annotations_got10k``;
    * otherwise a VOT dataset, workspace or sequence folder (:mod:`analysis.io.vot`).
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: annotation source not found")
    if path.is_file():
        if path.suffix.lower() != ".json":
            raise ValueError(f"{path}: unsupported annotation file (expected a .json or a dataset folder)")
        data = _read_json(path)
        if isinstance(data, dict) and _is_otb_json(data):

            return load_otb_json(path, image_root)
        return load_pysot_json(path, image_root)
    if _is_otb_sequence(path) or any(_is_otb_sequence(p) for p in path.iterdir() if p.is_dir()):

        return load_otb_folder(path)
    first = _first_sequence_folder(path)
    if first is not None and _looks_like_got10k(first):

        return load_got10k_folder(path)

    return load_vot_folder(path)


def _first_sequence_folder(path: Path) -> Path | None:
    """The folder of the first listed sequence (VOT/GOT-10k list.txt, workspace or GOT-10k subset)."""
    if (path / "groundtruth.txt").is_file():
        return path
    for base in (path, path / "sequences", path / "val", path / "test", path / "train"):
        list_file = base / "list.txt"
        if list_file.is_file():
            for line in list_file.read_text(encoding="utf-8-sig").splitlines():
                if line.strip():
                    return base / line.strip()
    return None
