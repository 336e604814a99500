"""``siamrpn analyze vot|otb|got10k``: score raw tracker results against ground truth.

``vot`` is delegated to :mod:`integration.cli.analyze_vot` (imported only when chosen). ``otb`` and ``got10k``
print pandas tables, or one JSON object with ``--json``; every number is labelled with its convention.
"""
from __future__ import annotations

from pathlib import Path

from analysis.io.otb import load_otb_folder, load_otb_json


def load_otb_annotations(path: Path) -> dict:
    """OTB JSON file or OTB folder(s)."""

    if path.is_file():
        return load_otb_json(path)
    if path.is_dir():
        return load_otb_folder(path)
    raise FileNotFoundError(f"{path}: annotations not found")


def corner_line_warning(keys: tuple[str, ...], first_frame: str) -> str:
    """What the harness did with result files whose line 1 is ``x1,y1,x2,y2`` (SiamRPN OTB quirk)."""
    what = ("replaced by the ground truth (--first-frame gt), so it does not affect the scores"
            if first_frame == "gt" else
            "scored as written, i.e. read as x,y,w,h (--first-frame keep); --first-frame gt replaces it by GT")
    shown = ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else "")
    return (f"{len(keys)} result files have a first line x1,y1,x2,y2 (integers) while the other lines are "
            f"x,y,w,h ({shown}); line 1 was {what}")
