"""Ground-truth annotations for one sequence, independent of the dataset layout it was read from.

Loaders for each layout (pysot JSON, VOT folders, OTB folders, GOT-10k folders) return
``dict[str, SequenceAnnotation]`` keyed by sequence name, in the dataset's own order.
``integration.data.sequences`` adds image loading on top of the ``frames`` paths kept here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class SequenceAnnotation:
    """Ground truth and metadata of one sequence.

    ``groundtruth`` is ``(N, 4)`` ``x, y, w, h`` or ``(N, 8)`` polygons (float64, NaN rows for frames
    without a target). ``frames`` are the image paths, absolute when the image root is known, possibly
    empty when only annotations are available. ``tags`` maps a per-frame attribute name (VOT
    ``camera_motion`` ..., GOT-10k ``cover``/``absence``) to an ``(N,)`` array.

    VOT2020+ folders add ``values`` (per-frame numbers of the ``*.value`` files, e.g. ``anchor`` for the
    multi-start experiment) and, when the ground truth holds masks, ``regions``: the exact per-frame regions
    (:class:`~analysis.core.masks.Mask` or rectangle arrays). ``groundtruth`` then holds each region's
    inclusive bounding box (what the TraX layer hands a box-only tracker; ``0,0,0,0`` where the target is not
    visible).
    """

    name: str
    groundtruth: np.ndarray
    width: int
    height: int
    frames: tuple[Path, ...] = ()
    tags: dict[str, np.ndarray] = field(default_factory=dict)
    fps: float = 30.0
    source: str = ""  #: file or folder the annotation was read from (for error messages)
    values: dict[str, np.ndarray] = field(default_factory=dict)  #: per-frame ``*.value`` files (float64)
    regions: tuple | None = None  #: exact ground-truth regions when they are masks (else ``None``)

    def region_list(self) -> list:
        """The exact ground-truth region of every frame: ``regions`` when set, else the rows of
        ``groundtruth``."""
        return list(self.regions) if self.regions is not None else list(self.groundtruth)

    @property
    def has_masks(self) -> bool:
        return self.regions is not None

    def __len__(self) -> int:
        return int(self.groundtruth.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the frames."""
        return (self.width, self.height)


#: Per-frame attribute tags of VOT2016-2018 as stored in pysot JSON files (and as ``<tag>.tag`` files).
VOT_TAGS = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")


def dataset_folder(root: str | Path, name: str) -> Path:
    """``root`` as a ``Path``; ``FileNotFoundError`` naming the data set (``name``) when it is not a folder."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: {name} folder not found")
    return root


def image_size(path: str | Path) -> tuple[int, int]:
    """``(width, height)`` from an image header (PIL opens lazily: no pixel data is decoded)."""

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
