"""Scripted trackers and helpers shared by the protocol and runner tests (importable by spawned workers)."""
from __future__ import annotations

import numpy as np

FAR = np.array([-1000.0, -1000.0, 5.0, 5.0])


def rect_iou(a, b, bounds=None) -> float:
    """Continuous IoU of two ``x, y, w, h`` rectangles (independent of analysis.metrics.overlap)."""
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


class TemplateTracker:
    """Deterministic image tracker (normalised cross-correlation with the first template) for runner tests.

    ``delay`` seconds of sleep per update make it slow enough to interrupt; ``crash_width`` makes it raise on
    frames of that width (crash-isolation tests)."""

    accepts_polygons = True  # takes a polygon's bounding box itself (tracker/contract.py init_region_for)

    def __init__(self, delay: float = 0.0, crash_width: int = 0, weights=None):
        self.delay = delay
        self.crash_width = crash_width
        self.template = None
        self.box = None

    def init(self, image, region):
        import cv2

        r = np.asarray(region, float)
        if r.size > 4:
            xs, ys = r[0::2], r[1::2]
            r = np.array([xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()])
        x, y, w, h = (int(round(v)) for v in r)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        self.template = gray[max(0, y): y + h, max(0, x): x + w].copy()
        self.box = r

    def update(self, image):
        import time

        import cv2

        if self.crash_width and image.shape[1] == self.crash_width:
            raise RuntimeError(f"scripted crash on a {self.crash_width}-pixel-wide frame")
        if self.delay:
            time.sleep(self.delay)
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        score = cv2.matchTemplate(gray, self.template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (x, y) = cv2.minMaxLoc(score)
        self.box = np.array([x, y, self.template.shape[1], self.template.shape[0]], float)
        return self.box.copy(), float(best)


def generated_sequences(sizes, n: int, first_seed: int, speed: float) -> dict:
    """In-memory generated sequences ``s0, s1, ...`` (``integration.data.synthetic.generate``), one per frame size."""
    from integration.data.sequences import from_arrays
    from integration.data.synthetic import generate

    out = {}
    for k, size in enumerate(sizes):
        s = generate(first_seed + k, n, size, speed=speed)
        out[f"s{k}"] = from_arrays(f"s{k}", s.frames, s.boxes)
    return out
