"""Template/search crops with the context rule of Eq. 15 and the training augmentations.

Crop: a square of side ``A = sqrt((w+p)(h+p))``, ``p = context*(w+h)`` (Eq. 15) around the target, resized to
127 (template); the search crop has side ``A * 255/127`` resized to 255, so the target has the same scale in both
(as at tracking time). Out-of-image pixels are filled with the image's mean colour, like the tracker's crop.
Augmentation (pysot ``augmentation.py`` semantics, own code): random shift of the crop centre (in output pixels)
and independent x/y scale jitter, colour (random per-channel gain + brightness), grey, blur (search only), and a
horizontal flip applied identically to template and search.
"""
from __future__ import annotations

import cv2
import numpy as np

from tracker.training.config import AugmentConfig


def context_size(w: float, h: float, context_amount: float = 0.5) -> float:
    """Eq. 15: side ``A`` of the square with ``(w + p)(h + p) = A^2``, ``p = context_amount * (w + h)``."""
    p = context_amount * (w + h)
    return float(np.sqrt((w + p) * (h + p)))


def crop_box(
    image: np.ndarray,
    box_xywh: np.ndarray,
    out_size: int,
    side: float,
    shift: tuple[float, float] = (0.0, 0.0),
    scale: tuple[float, float] = (1.0, 1.0),
    pad: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Crop ``out_size``² around the box centre with image-space side ``side``.

    ``scale`` multiplies the zoom per axis (>1 enlarges the target), ``shift`` moves the crop centre by that many
    OUTPUT pixels (so the target moves by ``-shift`` in the crop). Returns ``(crop, box)`` where ``box`` is the
    target's ``(cx, cy, w, h)`` in crop pixels relative to the crop centre ``(out_size-1)/2``.
    """
    x, y, w, h = (float(v) for v in box_xywh)
    cx, cy = x + w / 2.0, y + h / 2.0
    sx, sy = out_size / side * scale[0], out_size / side * scale[1]
    c = (out_size - 1) / 2.0
    # crop pixel q = (p - centre) * s + c, with centre = target centre + shift / s
    tx = c - (cx + shift[0] / sx) * sx
    ty = c - (cy + shift[1] / sy) * sy
    m = np.array([[sx, 0.0, tx], [0.0, sy, ty]], dtype=np.float64)
    if pad is None:
        pad = image.reshape(-1, image.shape[-1]).mean(0) if image.ndim == 3 else image.mean()
    crop = cv2.warpAffine(
        image, m, (out_size, out_size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=tuple(float(v) for v in np.atleast_1d(pad)),
    )
    box = np.array([-shift[0], -shift[1], w * sx, h * sy], dtype=np.float64)
    return crop, box


def _color(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    gain = rng.uniform(0.8, 1.2, size=3) * rng.uniform(0.7, 1.3)
    bias = rng.uniform(-20, 20)
    return np.clip(img.astype(np.float32) * gain[None, None, :] + bias, 0, 255).astype(np.uint8)


def _gray(img: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)


def _blur(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Either a Gaussian or a linear motion blur of random size/direction."""
    if rng.random() < 0.5:
        sigma = rng.uniform(0.5, 2.5)
        return cv2.GaussianBlur(img, (0, 0), sigma)
    n = int(rng.integers(2, 8)) * 2 + 1
    kernel = np.zeros((n, n), np.float32)
    ang = rng.uniform(0, np.pi)
    for t in np.linspace(-1, 1, 2 * n):
        kernel[int(round((n - 1) / 2 + t * (n - 1) / 2 * np.sin(ang))), int(round((n - 1) / 2 + t * (n - 1) / 2 * np.cos(ang)))] = 1
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def augment_pair(
    z_image: np.ndarray,
    z_box: np.ndarray,
    x_image: np.ndarray,
    x_box: np.ndarray,
    cfg: AugmentConfig,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Make one training pair: ``(z 127x127x3, x 255x255x3, x_target (cx,cy,w,h) crop-centred)``, BGR uint8."""

    def jitter(shift: float, scale: float) -> tuple[tuple[float, float], tuple[float, float]]:
        s = tuple(1.0 + rng.uniform(-scale, scale, size=2))
        d = tuple(rng.uniform(-shift, shift, size=2))
        return d, s  # type: ignore[return-value]

    zs, zk = jitter(cfg.template_shift, cfg.template_scale)
    xs, xk = jitter(cfg.search_shift, cfg.search_scale)
    side_z = context_size(z_box[2], z_box[3], cfg.context_amount)
    side_x = context_size(x_box[2], x_box[3], cfg.context_amount) * cfg.instance_size / cfg.exemplar_size
    z, _ = crop_box(z_image, z_box, cfg.exemplar_size, side_z, zs, zk)
    x, box = crop_box(x_image, x_box, cfg.instance_size, side_x, xs, xk)
    if rng.random() < cfg.color_prob:
        z, x = _color(z, rng), _color(x, rng)
    if rng.random() < cfg.gray_prob:
        z, x = _gray(z), _gray(x)
    if rng.random() < cfg.blur_prob:
        x = _blur(x, rng)
    if rng.random() < cfg.flip_prob:
        z, x = z[:, ::-1].copy(), x[:, ::-1].copy()
        box = box.copy()
        box[0] = -box[0]
    return z, x, box
