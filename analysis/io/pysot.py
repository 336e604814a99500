"""pysot-style JSON annotations (``{seq: {video_dir, img_names, gt_rect, ...}}``, VOT2016-2018 and
OTB100 files of the pysot toolkit): one :class:`~analysis.io.annotation.SequenceAnnotation` per sequence."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from analysis.io.annotation import VOT_TAGS, SequenceAnnotation, image_size, json_box_rows


def _image_dimension(seq: dict, key: str, where: str) -> int:
    value = seq.get(key, 0) or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {key!r} must be a whole number of pixels, got {value!r}") from None


def read_json(path: str | Path):
    """A JSON file's content; invalid JSON raises ``ValueError`` naming the file and line."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None


def is_otb_json(data) -> bool:
    """DaSiamRPN ``OTB2015.json`` layout: ``{key: {name, image_files, gt_rect}}`` (no ``img_names``)."""
    first = next(iter(data.values()), None) if isinstance(data, dict) else None
    return isinstance(first, dict) and "image_files" in first and "img_names" not in first


def load_pysot_json(path: str | Path, image_root: str | Path | None = None) -> dict[str, SequenceAnnotation]:
    """pysot JSON (``{seq: {video_dir, init_rect, img_names, gt_rect, <tags>, width, height}}``), file order.

    ``gt_rect`` rows are 8-value polygons (VOT) or 4-value boxes (other datasets). VOT per-frame tags become
    ``bool`` arrays (lists shorter than the sequence padded with False). Frames are ``image_root / img_name`` (relative paths without a root); width/height come
    from the JSON or, when absent and images exist, from the first frame's header. The DaSiamRPN OTB layout
    (``image_files``) is rejected with a pointer to :func:`load_annotations`, which delegates it to
    ``analysis.io.otb``.
    """
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a non-empty object keyed by sequence name")
    if is_otb_json(data):
        raise ValueError(f"{path}: this is an OTB JSON (DaSiamRPN 'image_files' layout), not a pysot VOT JSON; "
                         "use analysis.io.load_annotations (delegates to annotations_otb.load_otb_json)")
    root = Path(image_root) if image_root is not None else None
    out: dict[str, SequenceAnnotation] = {}
    for key, seq in data.items():
        where = f"{path}: sequence {key!r}"
        if not isinstance(seq, dict) or "gt_rect" not in seq:
            raise ValueError(f"{where}: no 'gt_rect'")
        rows = seq["gt_rect"]
        json_box_rows(rows, where)  # a string / non-numeric row: error naming the row
        widths = {len(r) for r in rows}
        if len(widths) != 1 or not (widths == {4} or (min(widths) >= 6 and min(widths) % 2 == 0)):
            raise ValueError(f"{where}: gt_rect rows must all have 4 or all the same even number >= 6 of values, "
                             f"found lengths {sorted(widths)}")
        try:
            gt = np.asarray(rows, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: gt_rect holds non-numeric values") from None
        bad = ~np.isfinite(gt).all(axis=1)
        if bad.any():
            raise ValueError(f"{where}: gt_rect frame {int(np.flatnonzero(bad)[0]) + 1} is not finite")
        n = gt.shape[0]
        names = seq.get("img_names", [])
        if names and len(names) != n:
            raise ValueError(f"{where}: {len(names)} img_names but {n} gt_rect rows")
        frames = tuple((root / f) if root is not None else Path(f) for f in names)
        tags = {}
        for tag in VOT_TAGS:
            if tag in seq:
                values = np.asarray(seq[tag], dtype=np.float64).ravel()
                if values.size > n or not np.isin(values, (0, 1)).all():
                    raise ValueError(f"{where}: tag {tag!r} must hold at most {n} values 0/1, "
                                     f"got {values.size} values")
                # shorter lists (ball1's 'occlusion' is []) are padded with False, as PYT pads *.tag files
                tags[tag] = np.concatenate([values.astype(bool), np.zeros(n - values.size, dtype=bool)])
        width, height = _image_dimension(seq, "width", where), _image_dimension(seq, "height", where)
        if (not width or not height) and root is not None and frames and frames[0].is_file():
            width, height = image_size(frames[0])
        out[key] = SequenceAnnotation(name=key, groundtruth=gt, width=width, height=height, frames=frames,
                                      tags=tags, fps=float(seq.get("fps", 30.0)), source=str(path))
    return out
