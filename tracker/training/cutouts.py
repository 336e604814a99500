"""Object cut-outs with alpha pasted over photographs: two-frame "tracks" of one object (licence-clean data).

Cut-outs: the Open Clip Art Library PNGs of Debian's ``openclipart-png`` package (public-domain dedication, see
``/usr/share/doc/openclipart-png/copyright``), object categories only (animals, food, people, tools, vehicles...;
no logos, buttons or symbols). Backgrounds: the CC0 / public-domain photographs of
:func:`tracker.training.synthetic_videos.load_photos`. Nothing from ``../shared/data`` is used.

A track is one cut-out; its two frames are two scenes rendered from ``(seed, index, frame)``: a different crop of
a background photograph, the object at another place, scale (x0.7-1.4), aspect (x0.8-1.25, or log-uniform in
``[1/stretch, stretch]``) and brightness, plus
1-3 distractors, half of them copies of the SAME object (look-alike hard negatives), the others other cut-outs.
Template and search are the two scenes, so the network must find the object again, not the same pixels.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tracker.training.synthetic_videos import load_photos

__all__ = ["OPENCLIPART_ROOT", "OBJECT_CATEGORIES", "CutoutTracks", "list_cutouts"]

#: where Debian's ``openclipart-png`` installs the PNGs
OPENCLIPART_ROOT = Path("/usr/share/openclipart/png")
#: the library's folders that hold objects (``buttons``, ``logos``, ``shapes``, ``signs_and_symbols``, ``special``,
#: ``decorations``, ``geography``, ``education``, ``unsorted`` are left out: flat symbols, text, maps)
OBJECT_CATEGORIES = ("animals", "buildings", "computer", "containers", "electronics", "food", "office", "people",
                     "plants", "recreation", "science", "tools", "transportation")


def list_cutouts(root: str | Path = OPENCLIPART_ROOT) -> list[Path]:
    """PNG files of the object categories under ``root``, sorted (so indices are stable)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no cut-out folder (apt-get install openclipart-png, public domain)")
    files = sorted(p for c in OBJECT_CATEGORIES if (root / c).is_dir() for p in (root / c).rglob("*.png"))
    if not files:
        raise FileNotFoundError(f"{root}: no PNG files in the object categories {', '.join(OBJECT_CATEGORIES)}")
    return files


def _read_cutout(path: Path, max_side: int = 256) -> tuple[np.ndarray, np.ndarray] | None:
    """``(BGR uint8, alpha float32 0..1)`` cropped to the opaque pixels; ``None`` if unusable (no alpha, tiny,
    thinner than 1:5, or nearly transparent)."""
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)  # not analysis.core.frames.read_frame: it drops the alpha needed here
    if img is None or img.ndim != 3 or img.shape[2] != 4:
        return None
    alpha = img[:, :, 3]
    ys, xs = np.nonzero(alpha > 128)
    if ys.size < 400:
        return None
    img = img[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = img.shape[:2]
    if min(h, w) < 16 or max(h, w) > 5 * min(h, w):
        return None
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        img = cv2.resize(img, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    a = img[:, :, 3].astype(np.float32) / 255.0
    if a.mean() < 0.2:
        return None
    return np.ascontiguousarray(img[:, :, :3]), a


class CutoutTracks:
    """``len(files)`` two-frame tracks (see module docstring). Unusable files fall back to the next usable one."""

    frame_range = 1

    def __init__(self, root: str | Path = OPENCLIPART_ROOT, seed: int = 0,
                 photos: tuple[np.ndarray, ...] | None = None, size: tuple[int, int] = (480, 360),
                 stretch: float = 1.25) -> None:
        self.files = list_cutouts(root)
        self.seed, self.size, self.stretch = seed, size, stretch
        self._photos = photos
        self._cache: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    @property
    def photos(self) -> tuple[np.ndarray, ...]:
        if self._photos is None:
            self._photos = load_photos()
        return self._photos

    def __len__(self) -> int:
        return len(self.files)

    def frames(self, i: int) -> np.ndarray:
        return np.arange(2)

    def _cutout(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        for k in range(len(self.files)):
            j = (i + k) % len(self.files)
            if j not in self._cache:
                if len(self._cache) > 512:
                    self._cache.clear()
                self._cache[j] = _read_cutout(self.files[j])
            if self._cache[j] is not None:
                return self._cache[j]  # type: ignore[return-value]
        raise FileNotFoundError(f"no usable cut-out among {len(self.files)} files")

    def _background(self, rng: np.random.Generator) -> np.ndarray:
        w, h = self.size
        img = self.photos[int(rng.integers(len(self.photos)))]
        zoom = max(w / img.shape[1], h / img.shape[0]) * rng.uniform(1.0, 2.0)
        span = np.maximum(np.array([img.shape[1] * zoom - w, img.shape[0] * zoom - h]), 0)
        pos = rng.uniform(0, 1, 2) * span
        m = np.array([[zoom, 0, -pos[0]], [0, zoom, -pos[1]]])
        bg = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if rng.random() < 0.5:
            bg = bg[:, ::-1]
        return bg.astype(np.float32)

    @staticmethod
    def _paste(canvas: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, cx: float, cy: float, w: int, h: int,
               gain: float) -> np.ndarray:
        """Alpha-blend the resized cut-out centred at ``(cx, cy)``; returns its box x,y,w,h (clipped paste)."""
        obj = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) * gain
        a = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)[:, :, None]
        x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
        H, W = canvas.shape[:2]
        xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
        if xb > xa and yb > ya:
            sub = (slice(ya - y0, yb - y0), slice(xa - x0, xb - x0))
            region = canvas[ya:yb, xa:xb]
            canvas[ya:yb, xa:xb] = region * (1 - a[sub]) + np.clip(obj[sub], 0, 255) * a[sub]
        return np.array([x0, y0, w, h], dtype=np.float64)

    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]:
        """Scene ``f`` (0 or 1) of track ``i``: ``(BGR uint8 image, target box x,y,w,h)``."""
        rng = np.random.default_rng([self.seed, int(i), int(f), 6007])
        base = np.random.default_rng([self.seed, int(i), 6011])  # shared by both frames: the object's base size
        rgb, alpha = self._cutout(i)
        W, H = self.size
        side = float(np.exp(base.uniform(np.log(0.08), np.log(0.4)))) * min(W, H)
        h0, w0 = alpha.shape
        s = side / np.sqrt(h0 * w0) * rng.uniform(0.7, 1.4)
        asp = rng.uniform(0.8, 1.25) if self.stretch == 1.25 else float(
            np.exp(rng.uniform(-np.log(self.stretch), np.log(self.stretch))))
        w, h = w0 * s * np.sqrt(asp), h0 * s / np.sqrt(asp)
        fit = min(1.0, 0.9 * W / w, 0.9 * H / h)  # a stretched object must still fit in the scene
        w, h = max(8, int(w * fit)), max(8, int(h * fit))
        canvas = self._background(rng)
        cx, cy = rng.uniform(w / 2, W - w / 2), rng.uniform(h / 2, H - h / 2)
        for _ in range(int(rng.integers(1, 4))):  # distractors first, the target is pasted on top
            if rng.random() < 0.5:
                d_rgb, d_alpha = rgb, alpha
            else:
                d_rgb, d_alpha = self._cutout(int(rng.integers(len(self.files))))
            dh0, dw0 = d_alpha.shape
            ds = side / np.sqrt(dh0 * dw0) * rng.uniform(0.7, 1.4)
            dw, dh = max(8, int(dw0 * ds)), max(8, int(dh0 * ds))
            dx, dy = rng.uniform(0, W), rng.uniform(0, H)
            if abs(dx - cx) < (w + dw) / 2 and abs(dy - cy) < (h + dh) / 2:
                continue  # keep the target unoccluded by its distractors
            self._paste(canvas, d_rgb, d_alpha, dx, dy, dw, dh, rng.uniform(0.7, 1.3))
        box = self._paste(canvas, rgb, alpha, cx, cy, w, h, rng.uniform(0.8, 1.2))
        return np.clip(canvas, 0, 255).astype(np.uint8), box
