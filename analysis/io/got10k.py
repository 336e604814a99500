"""GOT-10k folders: ``<subset>/list.txt`` and per sequence ``groundtruth.txt``, ``meta_info.ini``,
``absence.label``, ``cover.label``, ``cut_by_image.label``, frames ``00000001.jpg`` (G10 ``datasets/got10k.py``).

``path`` may be the subset folder (holding ``list.txt``), the dataset root (then ``val`` is used, or the only
subset present), or a single sequence folder. Test-set sequences carry only the first box: the remaining
GT rows are NaN. ``tags`` hold the per-frame ``cover`` (0-8 visible ratio class), ``absence`` and
``cut_by_image`` labels when present; width/height come from ``meta_info.ini`` ``resolution: (W, H)``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from analysis.core.boxtext import parse_box_lines
from analysis.io.annotation import SequenceAnnotation
from analysis.io.text import parse_key_values, read_text_file

GOT10K_LABELS = ("cover", "absence", "cut_by_image")


def read_meta_info(path: str | Path) -> dict[str, str]:
    """``meta_info.ini`` as ``{key: value}`` (first line ``[METAINFO]``, then ``key: value`` lines)."""
    path = Path(path)
    return parse_key_values(path.read_text(), path, ":", "[")


def parse_resolution(value: str, source: str | Path) -> tuple[int, int]:
    """``"(1280, 720)"`` -> ``(1280, 720)``."""
    try:
        w, h = ast.literal_eval(value)
        return int(w), int(h)
    except (ValueError, SyntaxError, TypeError):
        raise ValueError(f"{source}: cannot parse resolution {value!r} as (width, height)") from None


def _read_label(path: Path, n: int) -> np.ndarray:
    values = parse_box_lines(path.read_text(), path, columns=1)[:, 0]
    if len(values) != n:
        raise ValueError(f"{path}: {len(values)} labels for {n} frames")
    return values


def _resolve_subset(path: Path) -> Path:
    if (path / "list.txt").is_file():
        return path
    subsets = [path / s for s in ("val", "test", "train") if (path / s / "list.txt").is_file()]
    if (path / "val") in subsets:
        return path / "val"
    if len(subsets) == 1:
        return subsets[0]
    raise ValueError(f"{path}: no list.txt (expected a GOT-10k subset folder or a root with val/)")


def load_got10k_sequence(folder: str | Path) -> SequenceAnnotation:
    """One GOT-10k sequence folder."""
    folder = Path(folder)
    gt_file = folder / "groundtruth.txt"
    if not gt_file.is_file():
        raise ValueError(f"{folder}: no groundtruth.txt")
    gt = parse_box_lines(read_text_file(gt_file, "ground-truth file"), gt_file)
    frames = tuple(sorted(p.resolve() for p in folder.glob("*.jpg")))
    n = len(frames) if frames else len(gt)
    if len(gt) == 1 and n > 1:  # test subset: only the initial box is public
        gt = np.vstack([gt, np.full((n - 1, 4), np.nan)])
    elif frames and len(gt) != len(frames):
        raise ValueError(f"{gt_file}: {len(gt)} boxes but {len(frames)} frames in {folder}")
    width = height = 0
    meta_file = folder / "meta_info.ini"
    if meta_file.is_file():
        meta = read_meta_info(meta_file)
        if "resolution" in meta:
            width, height = parse_resolution(meta["resolution"], meta_file)
    tags = {}
    for label in GOT10K_LABELS:
        label_file = folder / f"{label}.label"
        if label_file.is_file():
            tags[label] = _read_label(label_file, len(gt))
    return SequenceAnnotation(name=folder.name, groundtruth=gt, width=width, height=height, frames=frames,
                              tags=tags, fps=10.0, source=str(gt_file))


def load_got10k_folder(path: str | Path) -> dict[str, SequenceAnnotation]:
    """All sequences of a GOT-10k subset in ``list.txt`` order (or the one sequence ``path`` is)."""
    path = Path(path)
    if (path / "groundtruth.txt").is_file() and not (path / "list.txt").is_file():
        seq = load_got10k_sequence(path)
        return {seq.name: seq}
    subset = _resolve_subset(path)
    list_file = subset / "list.txt"
    names = [line.strip() for line in list_file.read_text().splitlines() if line.strip()]
    out = {}
    for number, name in enumerate(names, start=1):
        if not (subset / name).is_dir():
            raise ValueError(f"{list_file}:{number}: sequence folder {subset / name} not found")
        out[name] = load_got10k_sequence(subset / name)
    return out
