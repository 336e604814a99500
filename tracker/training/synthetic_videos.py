"""Synthetic training videos rendered over freely licensed photographs (licence-clean data for default weights).

Each video is fully determined by ``(seed, index)``: a background photograph panned/zoomed by a slowly moving
camera, one target (a texture cut from another photograph, with an ellipse / rectangle / convex-polygon mask) that
moves along a smooth bouncing path and changes scale and aspect ratio, 1-3 distractors (some cut from the SAME
texture, i.e. hard negatives), an optional occluder passing over the target, a global illumination change, and
motion / defocus blur on some frames. ``frame(i)`` renders frame ``i`` on demand (no video is stored).

Photographs: scikit-image's bundled sample images that its documentation marks CC0 or public domain (see
``PHOTO_LICENCES``); nothing from ``../shared/data`` is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

#: skimage.data function -> licence statement from its docstring (scikit-image 0.2x, checked by hand)
PHOTO_LICENCES: dict[str, str] = {
    "astronaut": "public domain (NASA; 'No known copyright restrictions, released into the public domain')",
    "chelsea": "CC0 (photographer Stefan van der Walt)",
    "coffee": "CC0 (photographer Rachel Michetti)",
    "rocket": "public domain (SpaceX)",
    "hubble_deep_field": "public domain (NASA)",
    "immunohistochemistry": "'No known copyright restrictions'",
    "retina": "CC0 1.0 (Wikimedia Commons)",
    "camera": "CC0 (photographer Lav Varshney)",
    "brick": "CC0 (CC0Textures)",
    "grass": "CC0 (DeviantArt linolafett)",
    "gravel": "CC0 (CC0Textures)",
    "coins": "'No known copyright restrictions' (Brooklyn Museum)",
    "text": "public domain (Wikimedia 'Corner.png')",
    "clock": "public domain (photographer Stefan van der Walt)",
}


@lru_cache(maxsize=1)
def load_photos() -> tuple[np.ndarray, ...]:
    """The photographs of :data:`PHOTO_LICENCES` as BGR uint8 arrays (grey ones replicated to 3 channels)."""
    import skimage.data  # lazy: scikit-image is an optional extra (train)

    out = []
    for name in PHOTO_LICENCES:
        img = np.asarray(getattr(skimage.data, name)())
        if img.dtype != np.uint8:
            img = np.clip(img * (255.0 if img.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
        if img.ndim == 2:
            img = np.repeat(img[:, :, None], 3, axis=2)
        img = np.ascontiguousarray(img[:, :, 2::-1])  # RGB(A) -> BGR
        out.append(img)
    return tuple(out)


@dataclass(frozen=True)
class _Obj:
    texture: np.ndarray  # BGR patch
    mask: np.ndarray  # float32 0..1, same size
    c0: np.ndarray  # start centre (2,)
    vel: np.ndarray  # px/frame (2,)
    wob_amp: np.ndarray  # (2,)
    wob_freq: np.ndarray  # (2,)
    wob_phase: np.ndarray  # (2,)
    size0: float
    aspect0: float  # w / h
    scale_amp: float
    scale_freq: float
    aspect_amp: float
    aspect_freq: float
    phase: float


def _path(o: _Obj, t: float, w: int, h: int) -> np.ndarray:
    """Centre at time t: linear motion + wobble, reflected at the frame border (bounces)."""
    p = o.c0 + o.vel * t + o.wob_amp * np.sin(o.wob_freq * t + o.wob_phase)
    lim = np.array([w, h], dtype=np.float64)
    p = np.mod(p, 2 * lim)
    return np.where(p > lim, 2 * lim - p, p)


def _size(o: _Obj, t: float) -> tuple[float, float]:
    s = o.size0 * np.exp(o.scale_amp * np.sin(o.scale_freq * t + o.phase))
    a = o.aspect0 * np.exp(o.aspect_amp * np.sin(o.aspect_freq * t + 2 * o.phase))
    return float(s * np.sqrt(a)), float(s / np.sqrt(a))


def _mask(rng: np.random.Generator, n: int = 64) -> np.ndarray:
    m = np.zeros((n, n), np.uint8)
    kind = rng.integers(3)
    if kind == 0:
        cv2.ellipse(m, (n // 2, n // 2), (n // 2 - 1, n // 2 - 1), 0, 0, 360, 255, -1)
    elif kind == 1:
        m[:] = 255
    else:
        ang = np.sort(rng.uniform(0, 2 * np.pi, size=int(rng.integers(5, 9))))
        rad = rng.uniform(0.7, 1.0, size=ang.size) * (n / 2 - 1)
        pts = np.stack([n / 2 + rad * np.cos(ang), n / 2 + rad * np.sin(ang)], 1).astype(np.int32)
        cv2.fillConvexPoly(m, cv2.convexHull(pts), 255)
        ys, xs = np.nonzero(m)  # make the mask touch all four sides so the box stays tight
        m = cv2.resize(m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], (n, n), interpolation=cv2.INTER_NEAREST)
    sigma = float(rng.uniform(0.5, 2.0))  # soft, varying edges: a hard paste boundary must not be the cue
    return cv2.GaussianBlur(m.astype(np.float32) / 255.0, (0, 0), sigma)


def _texture(rng: np.random.Generator, photos: tuple[np.ndarray, ...], n: int = 96) -> np.ndarray:
    img = photos[int(rng.integers(len(photos)))]
    side = int(rng.integers(32, max(33, min(img.shape[:2]) // 2)))
    y = int(rng.integers(0, img.shape[0] - side + 1))
    x = int(rng.integers(0, img.shape[1] - side + 1))
    patch = cv2.resize(img[y : y + side, x : x + side], (n, n), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:  # recolour so identical photos give different-looking objects
        patch = np.clip(patch.astype(np.float32) * rng.uniform(0.6, 1.4, 3) + rng.uniform(-30, 30, 3), 0, 255).astype(np.uint8)
    return patch


class SyntheticVideo:
    """One rendered video; ``frame(i) -> (BGR uint8 image, target box x,y,w,h)``."""

    def __init__(self, seed: int, index: int, num_frames: int = 120, photos: tuple[np.ndarray, ...] | None = None):
        self.photos = load_photos() if photos is None else photos
        rng = np.random.default_rng([seed, index, 7919])
        self.num_frames = num_frames
        self.width, self.height = [(480, 360), (400, 300), (640, 360), (360, 480)][int(rng.integers(4))]
        self.background = self.photos[int(rng.integers(len(self.photos)))]
        zmin = max(self.width / self.background.shape[1], self.height / self.background.shape[0])
        self.bg_zoom = float(rng.uniform(zmin, max(zmin, 2.0)) * 1.05)
        self.bg_flip = bool(rng.random() < 0.5)
        self.cam0 = rng.uniform(0, 1, 2)
        self.cam_vel = rng.normal(0, 0.003, 2)
        self.illum_amp = float(rng.uniform(0, 0.35))
        self.illum_freq = float(rng.uniform(0.01, 0.08))
        self.illum_phase = float(rng.uniform(0, 2 * np.pi))
        self.blur_rate = float(rng.uniform(0, 0.3))
        self.blur_seed = int(rng.integers(1 << 30))
        short = min(self.width, self.height)

        def make(texture: np.ndarray | None = None, fast: bool = False) -> _Obj:
            size = float(np.exp(rng.uniform(np.log(0.06 * short), np.log(0.45 * short))))
            speed = rng.uniform(0.5, 12.0 if fast else 6.0)
            ang = rng.uniform(0, 2 * np.pi)
            return _Obj(
                texture=_texture(rng, self.photos) if texture is None else texture,
                mask=_mask(rng),
                c0=rng.uniform([0.2 * self.width, 0.2 * self.height], [0.8 * self.width, 0.8 * self.height]),
                vel=speed * np.array([np.cos(ang), np.sin(ang)]),
                wob_amp=rng.uniform(0, 30, 2),
                wob_freq=rng.uniform(0.02, 0.2, 2),
                wob_phase=rng.uniform(0, 2 * np.pi, 2),
                size0=size,
                aspect0=float(np.exp(rng.uniform(np.log(0.4), np.log(2.5)))),
                scale_amp=float(rng.uniform(0, 0.5)),
                scale_freq=float(rng.uniform(0.01, 0.06)),
                aspect_amp=float(rng.uniform(0, 0.3)),
                aspect_freq=float(rng.uniform(0.01, 0.06)),
                phase=float(rng.uniform(0, 2 * np.pi)),
            )

        self.target = make(fast=True)
        n_dis = int(rng.integers(1, 4))  # >= 1 so "a pasted object" alone never identifies the target
        self.distractors = [make(self.target.texture if rng.random() < 0.4 else None) for _ in range(n_dis)]
        self.occluder = make() if rng.random() < 0.5 else None

    def box(self, i: int) -> np.ndarray:
        c = _path(self.target, float(i), self.width, self.height)
        w, h = _size(self.target, float(i))
        return np.array([c[0] - w / 2, c[1] - h / 2, w, h], dtype=np.float64)

    def _paste(self, canvas: np.ndarray, o: _Obj, t: float) -> None:
        c = _path(o, t, self.width, self.height)
        w, h = _size(o, t)
        x0, y0 = c[0] - w / 2, c[1] - h / 2
        m = np.array([[w / o.texture.shape[1], 0, x0], [0, h / o.texture.shape[0], y0]], dtype=np.float64)
        m[:, 2] += m[:, :2] @ np.array([0.5, 0.5]) - 0.5  # pixel-centre convention: texture spans exactly w x h
        x1, y1 = max(0, int(np.floor(x0)) - 1), max(0, int(np.floor(y0)) - 1)
        x2, y2 = min(self.width, int(np.ceil(x0 + w)) + 1), min(self.height, int(np.ceil(y0 + h)) + 1)
        if x2 <= x1 or y2 <= y1:
            return
        m[:, 2] -= [x1, y1]
        size = (x2 - x1, y2 - y1)
        tex = cv2.warpAffine(o.texture, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        alpha = cv2.warpAffine(o.mask, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        roi = canvas[y1:y2, x1:x2]
        roi[:] = roi * (1 - alpha[..., None]) + tex.astype(np.float32) * alpha[..., None]

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Render frame ``i`` (0-based)."""
        t = float(i)
        bg = self.background[:, ::-1] if self.bg_flip else self.background
        z = self.bg_zoom
        span = np.array([bg.shape[1] * z - self.width, bg.shape[0] * z - self.height])
        pos = np.abs(np.mod(self.cam0 + self.cam_vel * t, 2.0) - 1.0) * np.maximum(span, 0)  # ping-pong pan
        m = np.array([[z, 0, -pos[0]], [0, z, -pos[1]]], dtype=np.float64)
        canvas = cv2.warpAffine(bg, m, (self.width, self.height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        for o in self.distractors:
            self._paste(canvas, o, t)
        self._paste(canvas, self.target, t)
        if self.occluder is not None:
            self._paste(canvas, self.occluder, t)
        canvas *= 1.0 + self.illum_amp * np.sin(self.illum_freq * t + self.illum_phase)
        img = np.clip(canvas, 0, 255).astype(np.uint8)
        frng = np.random.default_rng([self.blur_seed, i])
        if frng.random() < self.blur_rate:
            v = self.target.vel
            n = int(np.clip(np.hypot(*v), 3, 15)) | 1
            k = np.zeros((n, n), np.float32)
            ang = np.arctan2(v[1], v[0])
            for s in np.linspace(-1, 1, 2 * n):
                k[int(round((n - 1) / 2 * (1 + s * np.sin(ang)))), int(round((n - 1) / 2 * (1 + s * np.cos(ang))))] = 1
            img = cv2.filter2D(img, -1, k / k.sum())
        return img, self.box(i)
