"""Scripted trackers and helpers shared by the protocol and runner tests (importable by spawned workers)."""
from __future__ import annotations

import numpy as np

FAR = np.array([-1000.0, -1000.0, 5.0, 5.0])


def rect_iou(a, b, bounds=None) -> float:
    """Continuous IoU of two ``x, y, w, h`` rectangles (independent of analysis.overlap)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


class ScriptedTracker:
    """Receives the frame *index* as its image; answers the ground truth of that frame, or a far-away box on
    the frames listed in ``fail_at``. ``jitter`` adds per-instance noise (non-deterministic tracker)."""

    def __init__(self, groundtruth, fail_at=(), jitter=0.0, seed=None):
        self.gt = np.asarray(groundtruth, float)
        self.fail_at = set(fail_at)
        self.jitter = jitter
        self.rng = np.random.default_rng(seed)
        self.inits: list[int] = []
        self.updates: list[int] = []

    def init(self, image, region):
        self.inits.append(int(image))

    def update(self, image):
        i = int(image)
        self.updates.append(i)
        if i in self.fail_at:
            return FAR.copy(), 0.0
        box = self.gt[i].copy()
        if self.jitter:
            box[:2] += self.rng.normal(0, self.jitter, 2)
        return box, 1.0


def static_gt(n: int, box=(50.0, 40.0, 20.0, 30.0)) -> np.ndarray:
    return np.tile(np.asarray(box, float), (n, 1))
