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
