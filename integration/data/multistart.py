"""Generated VOT2020-style multi-start sequences: a textured disk moving over a textured background, its mask
as ground truth (``m...`` lines), frames where it is hidden (empty mask, written ``m0,0,1,1,1`` as
vot-toolkit's ``encode_mask`` writes an empty mask) and ``anchor.value`` (1 forward, -1 backward, 0 none).

Everything is a pure function of the seed. Anchors are put every ``anchor_step`` frames on visible frames and
run in the longer direction (forward when at least as many frames follow as precede, as in the VOT2020
data), so a sequence has forward anchors near its start and backward ones near its end. The folder layout is
vot-toolkit's ``default`` format (``sequence``, ``color/%08d.jpg``, ``groundtruth.txt``, ``anchor.value``), which
:func:`integration.data.sequences.load_dataset` and vot-toolkit 0.7.4 both read.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.core.atomic import write_text_atomic
from analysis.core.masks import Mask, encode_mask, format_mask
from integration.data.synthetic import _texture, _write_frames

__all__ = ["MultiStartSequence", "generate_multistart", "write_multistart_sequence", "write_multistart_dataset",
           "MULTISTART_LENGTHS"]

#: lengths of the default generated multi-start set (three sequences of 30-60 frames)
MULTISTART_LENGTHS = (36, 48, 60)


@dataclass(frozen=True)
class MultiStartSequence:
    """Frames (BGR uint8), one mask per frame (empty where the target is hidden) and the anchor value per frame."""

    frames: list[np.ndarray]
    masks: list[Mask]
    anchors: np.ndarray

    def __len__(self) -> int:
        return len(self.frames)


def _anchors(visible: np.ndarray, step: int) -> np.ndarray:
    n = len(visible)
    out = np.zeros(n)
    for i in range(0, n, step):
        j = next((k for k in range(i, min(n, i + step)) if visible[k]), None)
        if j is not None:
            out[j] = 1.0 if n - j >= j + 1 else -1.0
    return out


def generate_multistart(seed: int, n_frames: int = 40, size: tuple[int, int] = (160, 120), radius: float = 11.0,
                        speed: float = 2.5, hidden: int = 3, anchor_step: int = 10) -> MultiStartSequence:
    """Render one sequence (module docstring); ``hidden`` frames in the middle third have no target (0: none)."""
    if n_frames < 2:
        raise ValueError(f"n_frames must be >= 2, got {n_frames}")
    width, height = size
    rng = np.random.default_rng(np.random.PCG64(seed))
    background = _texture(rng, width, height, cells=12, contrast=0.6)
    texture = _texture(rng, 2 * int(radius) + 8, 2 * int(radius) + 8, cells=4, contrast=1.8)
    angle = rng.uniform(0, 2 * np.pi)
    velocity = speed * np.array([np.cos(angle), np.sin(angle)])
    centre = np.array([width / 2.0, height / 2.0]) + rng.uniform(-0.2, 0.2, size=2) * (width, height)
    hide = np.zeros(n_frames, dtype=bool)
    if hidden and n_frames >= 3 * hidden + 3:
        start = int(rng.integers(n_frames // 3, 2 * n_frames // 3 - hidden + 1))
        hide[start:start + hidden] = True
    yy, xx = np.mgrid[:height, :width]
    frames, masks = [], []
    for i in range(n_frames):
        if i:
            centre = centre + velocity
            for k, limit in enumerate((width, height)):  # bounce: the disk may cross the border by half its radius
                if not radius * 0.5 <= centre[k] <= limit - radius * 0.5:
                    velocity[k] = -velocity[k]
                    centre[k] = min(max(centre[k], radius * 0.5), limit - radius * 0.5)
        r = radius * (1.0 + 0.15 * np.sin(2 * np.pi * i / max(n_frames, 8)))
        disk = ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= r * r) & ~hide[i]
        img = background.copy()
        if disk.any():
            x0, y0 = int(round(centre[0] - texture.shape[1] / 2)), int(round(centre[1] - texture.shape[0] / 2))
            tex = np.zeros_like(img)
            xa, ya = max(x0, 0), max(y0, 0)
            xb, yb = min(x0 + texture.shape[1], width), min(y0 + texture.shape[0], height)
            if xb > xa and yb > ya:
                tex[ya:yb, xa:xb] = texture[ya - y0:yb - y0, xa - x0:xb - x0]
            img[disk] = tex[disk]
        img = img + rng.normal(0, 2.0, size=img.shape)
        frames.append(np.clip(np.round(img), 0, 255).astype(np.uint8))
        masks.append(encode_mask(disk.astype(np.uint8)))
    visible = np.array([m.area() > 0 for m in masks])
    return MultiStartSequence(frames, masks, _anchors(visible, anchor_step))


def write_multistart_sequence(folder: str | os.PathLike, seq: MultiStartSequence, fps: int = 30) -> Path:
    """One sequence in vot-toolkit's ``default`` layout (module docstring)."""
    folder = Path(folder)
    _write_frames(folder / "color", seq.frames, "{:08d}.jpg")
    h, w = seq.frames[0].shape[:2]
    write_text_atomic(folder / "sequence", f"channels.color=color/%08d.jpg\nformat=default\nfps={fps}\n"
                                           f"name={folder.name}\nwidth={w}\nheight={h}\nlength={len(seq)}\n")
    write_text_atomic(folder / "groundtruth.txt", "".join(format_mask(m) + "\n" for m in seq.masks))
    write_text_atomic(folder / "anchor.value", "".join(f"{v:g}\n" for v in seq.anchors))
    return folder


def write_multistart_dataset(root: str | os.PathLike, lengths: tuple[int, ...] = MULTISTART_LENGTHS, seed: int = 0,
                             prefix: str = "ms", size: tuple[int, int] = (160, 120), **options) -> list[str]:
    """Sequences of the given lengths (seeds ``seed, seed+1, ...``) plus ``list.txt``; returns their names.
    ``options`` go to :func:`generate_multistart`."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    names = [f"{prefix}{k:02d}" for k in range(len(lengths))]
    for k, (name, n) in enumerate(zip(names, lengths)):
        write_multistart_sequence(root / name, generate_multistart(seed + k, n, size, **options))
    write_text_atomic(root / "list.txt", "".join(f"{n}\n" for n in names))
    return names
