"""Read any supported annotation source, recognised from its layout (JSON file, OTB, GOT-10k or VOT folder, or a
folder of sequence folders of mixed layouts) by the one detector, :mod:`analysis.io.layout`."""
from __future__ import annotations

from pathlib import Path

from analysis.io.annotation import SequenceAnnotation
from analysis.io.layout import load_folder_annotations
from analysis.io.otb import load_otb_json
from analysis.io.pysot import is_otb_json, load_pysot_json, read_json


def load_annotations(path: str | Path, image_root: str | Path | None = None) -> dict[str, SequenceAnnotation]:
    """Load any supported annotation source, detected from its layout.

    * ``*.json``: pysot JSON (VOT-style, :func:`load_pysot_json`) or DaSiamRPN OTB JSON (``annotations_otb``);
    * a dataset folder (:func:`analysis.io.layout.dataset_layout`): one sequence, a ``list.txt`` dataset, a VOT
      workspace, a GOT-10k subset or root, or a folder of sequence folders, each with its own layout (OTB,
      GOT-10k, VOT; mixed layouts allowed), as ``siamrpn run`` reads it.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: annotation source not found")
    if path.is_file():
        if path.suffix.lower() != ".json":
            raise ValueError(f"{path}: unsupported annotation file (expected a .json or a dataset folder)")
        if is_otb_json(read_json(path)):
            return load_otb_json(path, image_root)
        return load_pysot_json(path, image_root)
    return load_folder_annotations(path)
