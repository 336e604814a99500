"""The one frame decoder of the project: every frame the runner, the TraX server, the got10k adapter, the
``track`` command and training read goes through :func:`read_frame`, so a grey, 16-bit, alpha or damaged
image decodes the same way everywhere (BGR ``uint8`` with 3 channels).

A truncated JPEG/PNG (libjpeg would fill the rest grey with only a pathless warning) raises
:class:`FrameReadError` naming the file, unless ``accept_damaged`` (then it is decoded with a warning).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import cv2
import numpy as np

__all__ = ["FrameReadError", "image_damage", "to_bgr", "read_frame", "IMAGE_SUFFIXES"]

#: file suffixes read as frames when a folder of images is given
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"IEND\xaeB`\x82"


class FrameReadError(OSError):
    """A frame image is missing or cannot be decoded (the message names the file)."""


def image_damage(data: bytes) -> str | None:
    """Why the bytes of a JPEG or PNG file are damaged (truncated), or ``None`` (other formats: ``None``).

    JPEG: the end-of-image marker ``FFD9`` must end the file (trailing zero padding, or a few trailing bytes
    after the marker as some cameras write, are tolerated); PNG: the ``IEND`` chunk must end it. A partly
    copied or downloaded frame fails these checks; libjpeg alone would decode it with a grey bottom and only a
    pathless warning."""
    if data[:3] == b"\xff\xd8\xff":
        tail = data[-4096:].rstrip(b"\x00")
        if tail.endswith(b"\xff\xd9") or b"\xff\xd9" in tail[-512:]:
            return None
        return f"truncated JPEG: no end-of-image marker, {len(data)} bytes"
    if data[:8] == _PNG_SIGNATURE:
        if data[-4096:].rstrip(b"\x00").endswith(_PNG_IEND):
            return None
        return f"truncated PNG: no IEND chunk, {len(data)} bytes"
    return None


def to_bgr(img: np.ndarray, what: str) -> np.ndarray:
    """Any decoded image -> BGR uint8 (H, W, 3): grayscale/thermal expanded, 16-bit scaled, alpha dropped."""
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8) if img.max() > 255 else img.astype(np.uint8)
    elif img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.ndim == 3 and img.shape[2] == 1:
        return cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2BGR)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 3:
        return np.ascontiguousarray(img)
    raise FrameReadError(f"{what}: unsupported image shape {img.shape}")


def read_frame(path: str | os.PathLike, what: str = "frame", accept_damaged: bool = False,
               damaged_hint: str = "re-extract the frame") -> np.ndarray:
    """Decode the image file ``path`` as BGR ``uint8`` (H, W, 3).

    ``what`` names the frame in messages (e.g. ``"frame 5 of sequence 'bag'"``); every error is a
    :class:`FrameReadError` starting with the path. ``damaged_hint`` says how to accept a damaged frame."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        why = "file does not exist" if not path.exists() else (exc.strerror or str(exc))
        raise FrameReadError(f"{path}: cannot read {what} ({why})") from None
    damage = image_damage(data)
    if damage and not accept_damaged:
        raise FrameReadError(f"{path}: {what} is damaged ({damage}); {damaged_hint}")
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED) if data else None
    if img is None and damage:  # imdecode refuses a truncated JPEG that imread decodes partly (grey rest)
        img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        why = "empty file, not a readable image" if not data else "not a readable image"
        raise FrameReadError(f"{path}: cannot read {what} ({why})")
    if damage:
        warnings.warn(f"{path}: {what} is damaged ({damage}); decoded anyway (damaged frames accepted)",
                      stacklevel=2)
    return to_bgr(img, str(path))
