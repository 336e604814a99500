"""Test doubles for the VOT2020+ multi-start tests: oracle trackers that answer the ground truth of the frame
they are shown, found from the frame's pixels, so the same tracker runs in the project's runner and behind the
TraX server for vot-toolkit.

``MS_ORACLE_DATA`` names the dataset folder (``list.txt`` + sequences). Every frame is decoded with the
project's one decoder (:func:`analysis.core.frames.read_frame`, also used by the runner and the TraX server),
so a frame's SHA-1 identifies ``(sequence, frame)``. Forced failure: on sequence ``ms00`` the answers of frames
``FAIL_FRAMES`` are far from the target (at least 10 low frames in a row: a failure for the runs that cross
them whole).
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.core.frames import read_frame
from analysis.core.masks import Mask
from analysis.io.vot import load_vot_folder

FAIL_SEQUENCE = "ms00"
FAIL_FRAMES = range(3, 15)


def _key(image: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()


@lru_cache(maxsize=4)
def _index(data: str) -> dict[str, tuple[str, int, object]]:
    out = {}
    for name, ann in load_vot_folder(Path(data)).items():
        for i, (path, region) in enumerate(zip(ann.frames, ann.region_list())):
            out[_key(read_frame(path))] = (name, i, region)
    return out


class Oracle:
    """Answers the ground truth: the mask's inclusive box (``mode="box"``) or the mask (``mode="mask"``)."""

    def __init__(self, mode: str = "box", data: str | None = None) -> None:
        self.mode = mode
        self.accepts_masks = mode == "mask"
        self.data = data or os.environ["MS_ORACLE_DATA"]

    def _lookup(self, image: np.ndarray) -> tuple[str, int, object]:
        try:
            return _index(self.data)[_key(image)]
        except KeyError:
            raise RuntimeError("oracle: a frame that is not in the dataset") from None

    def init(self, image: np.ndarray, region) -> None:
        self._lookup(image)

    def update(self, image: np.ndarray):
        name, i, gt = self._lookup(image)
        fail = name == FAIL_SEQUENCE and i in FAIL_FRAMES
        if self.mode == "mask":
            if fail:
                return Mask(np.ones((2, 2), np.uint8), (1, 1)), 1.0
            return gt, 1.0
        if fail:
            return np.array([-50.0, -50.0, 2.0, 2.0]), 1.0
        return (gt.box() if isinstance(gt, Mask) else np.asarray(gt, float)), 1.0


def box_oracle() -> Oracle:
    return Oracle("box")


def mask_oracle() -> Oracle:
    return Oracle("mask")
