"""Need for Speed (NfS): ``<root>/<seq>/<fps>/<seq>.txt`` with frames ``<root>/<seq>/<fps>/<seq>/00001.jpg``,
``fps`` = 240 (the recorded video) or 30 (every 8th frame of it).

* **Annotation rows** (NfS format): ``track_id xmin ymin xmax ymax frame lost occluded generated "label"``,
  converted to ``x, y, w, h`` with ``w = xmax - xmin`` (got10k ``datasets/nfs.py``; no ``+1``). Plain
  ``x,y,w,h`` files (4 numbers per line) are read as they are.
* **30 fps index mapping.** The 30 fps folder's annotation is the 240 fps one: 30 fps frame ``k`` (0-based) is
  240 fps frame ``8k``, so the boxes are rows ``0, 8, 16, ...`` (got10k: ``anno[0::8]`` when the row count is
  within one of 8x the frame count; without frames on disk the 30 fps file is subsampled when its ``frame``
  column counts every 240 fps frame). A remaining length difference of one frame is cut from the longer side
  (got10k does the same); more is an error naming the file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.core.boxtext import split_fields
from analysis.io.annotation import SequenceAnnotation, dataset_folder
from analysis.io.text import read_text_file

NFS_STEP = 8  #: 240 fps frames per 30 fps frame


def read_nfs_boxes(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """``(N, 4)`` ``x,y,w,h`` and the ``frame`` column (``None`` for plain box files)."""
    rows, frame_col = [], []
    for number, line in enumerate(read_text_file(path, "annotation file").splitlines(), start=1):
        fields = [f.strip('"') for f in split_fields(line)]
        if not fields:
            continue
        try:
            if len(fields) == 4:
                rows.append([float(v) for v in fields])
                continue
            if len(fields) < 6:
                raise ValueError
            x1, y1, x2, y2 = (float(v) for v in fields[1:5])
            rows.append([x1, y1, x2 - x1, y2 - y1])
            frame_col.append(int(float(fields[5])))
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'id xmin ymin xmax ymax frame ...' (NfS) or x,y,w,h, "
                             f"got {line.strip()[:80]!r}") from None
    if not rows:
        raise ValueError(f"{path}: no boxes")
    if frame_col and len(frame_col) != len(rows):
        raise ValueError(f"{path}: mixes NfS rows and plain x,y,w,h rows")
    return np.asarray(rows, dtype=np.float64), (np.asarray(frame_col) if frame_col else None)


def subsample_to_30fps(boxes: np.ndarray, n_frames: int | None, frame_col: np.ndarray | None) -> np.ndarray:
    """Rows ``0, 8, 16, ...`` when the annotation is the 240 fps one (see the module docstring)."""
    if n_frames:
        return boxes[::NFS_STEP] if abs(len(boxes) / n_frames - NFS_STEP) < 1 else boxes
    if frame_col is not None and len(frame_col) > 1 and np.median(np.diff(frame_col)) == 1:
        return boxes[::NFS_STEP]
    return boxes


def load_nfs(root: str | Path, fps: int = 30) -> dict[str, SequenceAnnotation]:
    """Every ``<seq>/<fps>/<seq>.txt`` under ``root``."""
    if fps not in (30, 240):
        raise ValueError(f"NfS fps must be 30 or 240, got {fps}")
    root = dataset_folder(root, "NfS")
    files = sorted(p for p in root.glob(f"*/{fps}/*.txt") if p.stem == p.parent.parent.name)
    if not files:
        raise ValueError(f"{root}: no NfS sequences at {fps} fps (expected <seq>/{fps}/<seq>.txt)")
    out: dict[str, SequenceAnnotation] = {}
    for path in files:
        name = path.stem
        boxes, frame_col = read_nfs_boxes(path)
        img_dir = path.parent / name
        frames = sorted(img_dir.glob("*.jpg")) if img_dir.is_dir() else []
        if fps == 30:
            boxes = subsample_to_30fps(boxes, len(frames), frame_col)
        if frames and len(frames) != len(boxes):
            if abs(len(frames) - len(boxes)) > 1:
                raise ValueError(f"{path}: {len(boxes)} boxes at {fps} fps but {len(frames)} frames in {img_dir}")
            n = min(len(frames), len(boxes))
            boxes, frames = boxes[:n], frames[:n]
        out[name] = SequenceAnnotation(name=name, groundtruth=boxes, width=0, height=0, frames=tuple(frames),
                                       fps=float(fps), source=str(path))
    return out
