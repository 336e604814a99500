"""Region values shared by trajectories, annotations and overlaps.

A *region* in memory is either an ``int`` special code (VOT trajectory markers) or a 1-D float64
numpy array: 4 values ``x, y, w, h`` (rectangle, 0-based top-left corner as written in VOT/OTB files)
or ``2n`` values ``x1, y1, ..., xn, yn`` (polygon, n >= 3).

For vectorised maths, a trajectory is also described by a per-frame ``FrameKind`` array.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Union

import numpy as np

Region = Union[int, np.ndarray]

#: VOT special codes as written in result files (LEG/PYT/PST): ``1`` init, ``2`` failure, ``0`` skipped.
SPECIAL_UNKNOWN = 0
SPECIAL_INIT = 1
SPECIAL_FAILURE = 2


class FrameKind(IntEnum):
    """What a trajectory holds at a frame (array form of the VOT codes, plus ``TRACKED``)."""

    UNKNOWN = 0  #: skipped frame (after a failure, before re-initialisation), file code ``0``
    INIT = 1  #: (re)initialisation frame, file code ``1``
    FAILURE = 2  #: failure frame, file code ``2``
    TRACKED = 3  #: the tracker reported a region for this frame


def is_special(region: Region) -> bool:
    """True for an ``int`` special code (init, failure, skipped)."""
    return isinstance(region, (int, np.integer))
