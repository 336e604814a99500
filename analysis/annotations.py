"""Ground-truth annotations for one sequence, independent of the dataset layout it was read from.

Loaders for each layout (pysot JSON, VOT folders, OTB folders, GOT-10k folders) return
``dict[str, SequenceAnnotation]`` keyed by sequence name, in the dataset's own order.
``integration.datasets`` adds image loading on top of the ``frames`` paths kept here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class SequenceAnnotation:
    """Ground truth and metadata of one sequence.

    ``groundtruth`` is ``(N, 4)`` ``x, y, w, h`` or ``(N, 8)`` polygons (float64, NaN rows for frames
    without a target). ``frames`` are the image paths, absolute when the image root is known, possibly
    empty when only annotations are available. ``tags`` maps a per-frame attribute name (VOT
    ``camera_motion`` ..., GOT-10k ``cover``/``absence``) to an ``(N,)`` array.
    """

    name: str
    groundtruth: np.ndarray
    width: int
    height: int
    frames: tuple[Path, ...] = ()
    tags: dict[str, np.ndarray] = field(default_factory=dict)
    fps: float = 30.0
    source: str = ""  #: file or folder the annotation was read from (for error messages)

    def __len__(self) -> int:
        return int(self.groundtruth.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the frames."""
        return (self.width, self.height)


#: Per-frame attribute tags of VOT2016-2018 as stored in pysot JSON files (and as ``<tag>.tag`` files).
VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")


def image_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` from an image header (PIL opens lazily: no pixel data is decoded)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return int(im.size[0]), int(im.size[1])
    except (OSError, UnidentifiedImageError) as exc:
        raise ValueError(f"{path}: cannot read the image header ({exc})") from None


def json_box_rows(rows, where: str) -> np.ndarray:
    """``gt_rect`` of a JSON annotation as float64; a row that is a string (``"1,2,3,4"``), a number or holds
    non-numbers raises ``ValueError`` naming ``where`` and the 1-based row (= frame)."""
    if not isinstance(rows, (list, tuple)):
        raise ValueError(f"{where}: gt_rect must be a list of rows, got {type(rows).__name__}")
    for i, row in enumerate(rows, start=1):
        if isinstance(row, str):
            raise ValueError(f"{where}: gt_rect row {i} (frame {i}) is a string {row[:60]!r}; expected a list "
                             "of numbers such as [x, y, w, h]")
        if not isinstance(row, (list, tuple)):
            raise ValueError(f"{where}: gt_rect row {i} (frame {i}) is {type(row).__name__} {row!r}; expected a "
                             "list of numbers")
        bad = [v for v in row if isinstance(v, bool) or not isinstance(v, (int, float))]
        if bad:
            raise ValueError(f"{where}: gt_rect row {i} (frame {i}) holds a non-number {bad[0]!r}: {row!r}")
    try:
        return np.asarray(rows, dtype=np.float64)
    except ValueError:
        widths = sorted({len(r) for r in rows})
        raise ValueError(f"{where}: gt_rect rows differ in length, found lengths {widths}") from None


def _image_dimension(seq: dict, key: str, where: str) -> int:
    value = seq.get(key, 0) or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {key!r} must be a whole number of pixels, got {value!r}") from None


def _read_json(path: Path):
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None


def _is_otb_json(data: dict) -> bool:
    """DaSiamRPN ``OTB2015.json`` layout: ``{key: {name, image_files, gt_rect}}`` (no ``img_names``)."""
    first = next(iter(data.values()), None)
    return isinstance(first, dict) and "image_files" in first and "img_names" not in first


def load_pysot_json(path: str | Path, image_root: str | Path | None = None) -> dict[str, SequenceAnnotation]:
    """pysot JSON (``{seq: {video_dir, init_rect, img_names, gt_rect, <tags>, width, height}}``), file order.

    ``gt_rect`` rows are 8-value polygons (VOT) or 4-value boxes (other datasets). VOT per-frame tags become
    ``bool`` arrays (lists shorter than the sequence padded with False). Frames are ``image_root / img_name`` (relative paths without a root); width/height come
    from the JSON or, when absent and images exist, from the first frame's header. The DaSiamRPN OTB layout
    (``image_files``) is rejected with a pointer to :func:`load_annotations`, which delegates it to
    ``analysis.annotations_otb``.
    """
    path = Path(path)
    data = _read_json(path)
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a non-empty object keyed by sequence name")
    if _is_otb_json(data):
        raise ValueError(f"{path}: this is an OTB JSON (DaSiamRPN 'image_files' layout), not a pysot VOT JSON; "
                         "use analysis.annotations.load_annotations (delegates to annotations_otb.load_otb_json)")
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
    * otherwise a VOT dataset, workspace or sequence folder (:mod:`analysis.annotations_vot`).
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: annotation source not found")
    if path.is_file():
        if path.suffix.lower() != ".json":
            raise ValueError(f"{path}: unsupported annotation file (expected a .json or a dataset folder)")
        data = _read_json(path)
        if isinstance(data, dict) and _is_otb_json(data):
            from analysis.annotations_otb import load_otb_json

            return load_otb_json(path, image_root)
        return load_pysot_json(path, image_root)
    if _is_otb_sequence(path) or any(_is_otb_sequence(p) for p in path.iterdir() if p.is_dir()):
        from analysis.annotations_otb import load_otb_folder

        return load_otb_folder(path)
    first = _first_sequence_folder(path)
    if first is not None and _looks_like_got10k(first):
        from analysis.annotations_got10k import load_got10k_folder

        return load_got10k_folder(path)
    from analysis.annotations_vot import load_vot_folder

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
