"""Deterministic synthetic tracking sequences with exactly known boxes, for fixtures and smoke tests.

A textured target (smooth random texture with a few strong edges) moves along a smooth random path over a
textured background, scales, changes aspect ratio and can be covered by an occluder for a few frames. The
target is drawn into integer pixel boxes, so the ground truth is exact: the target covers pixels
``x .. x+w-1`` and ``y .. y+h-1`` of the frame and the box is written as ``x, y, w, h`` (0-based top-left,
VOT convention). Everything is a pure function of the seed.

API used by colleagues (training, main job, toolkit tests):

* :func:`generate_sequence` -> ``(frames, boxes)``; :func:`generate` -> :class:`SyntheticSequence` with tags.
* :func:`write_vot_sequence`, :func:`write_otb_sequence`, :func:`write_got10k_sequence`: one folder.
* :func:`write_dataset`: a whole dataset (``layout="vot"|"vot-color"|"otb"|"got10k"|"pysot"``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from typing import Sequence as Seq

import cv2
import numpy as np

from analysis.core.atomic import write_text_atomic

__all__ = [
    "SyntheticConfig",
    "SyntheticSequence",
    "generate",
    "generate_sequence",
    "write_vot_sequence",
    "write_otb_sequence",
    "write_got10k_sequence",
    "write_dataset",
    "box_to_polygon",
]


@dataclass(frozen=True)
class SyntheticConfig:
    """Appearance and motion of a synthetic sequence (all sizes in pixels of the output frames)."""

    size: tuple[int, int] = (160, 120)  #: frame ``(width, height)``
    target_size: tuple[int, int] = (32, 24)  #: target ``(w, h)`` on the first frame
    speed: float = 2.0  #: mean displacement per frame
    scale_range: float = 1.4  #: scale oscillates in ``[1/scale_range, scale_range]`` (1 = fixed size)
    aspect_range: float = 1.25  #: aspect ratio oscillates by this factor (1 = fixed aspect)
    occlusion: bool = True  #: an occluder crosses the target for ~15 % of the frames
    brightness_change: float = 0.15  #: relative global illumination change over the sequence
    noise: float = 3.0  #: std of per-frame pixel noise (grey levels)
    flat_background: bool = False  #: uniform grey (128) background, e.g. to check boxes pixel-exactly


@dataclass(frozen=True)
class SyntheticSequence:
    """Frames (BGR uint8), exact boxes ``(N, 4)`` ``x, y, w, h`` and per-frame tags."""

    frames: list[np.ndarray]
    boxes: np.ndarray
    tags: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frames)


def _texture(rng: np.random.Generator, width: int, height: int, cells: int, contrast: float) -> np.ndarray:
    """Smooth colour texture: random low-resolution noise upsampled bicubically plus a few sharp bars."""
    low = rng.uniform(0, 255, size=(max(2, height // cells), max(2, width // cells), 3)).astype(np.float32)
    tex = cv2.resize(low, (width, height), interpolation=cv2.INTER_CUBIC)
    mean = tex.mean(axis=(0, 1), keepdims=True)
    tex = mean + contrast * (tex - mean)
    for _ in range(3):  # sharp structure gives trackers something to lock onto
        colour = rng.uniform(0, 255, size=3)
        if rng.random() < 0.5:
            x0 = int(rng.integers(0, width))
            tex[:, x0 : x0 + max(1, width // 12)] = colour
        else:
            y0 = int(rng.integers(0, height))
            tex[y0 : y0 + max(1, height // 12), :] = colour
    return np.clip(tex, 0, 255)


def _path(rng: np.random.Generator, n: int, speed: float) -> np.ndarray:
    """Smooth 2-D random walk of centre displacements (N, 2), mean step ``speed``."""
    accel = rng.normal(0.0, 0.35, size=(n, 2))
    vel = np.cumsum(accel, axis=0)
    vel = vel - vel.mean(axis=0)
    norm = np.linalg.norm(vel, axis=1).mean() + 1e-9
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction) + 1e-9
    return vel * (speed / norm) * 0.7 + direction * speed * 0.7


def _boxes(rng: np.random.Generator, n: int, cfg: SyntheticConfig) -> np.ndarray:
    """Integer boxes ``x, y, w, h`` inside the frame, bouncing off the borders."""
    width, height = cfg.size
    w0, h0 = cfg.target_size
    t = np.arange(n, dtype=np.float64)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    period = max(n, 8) * rng.uniform(0.6, 1.2, size=2)
    scale = np.exp(np.log(cfg.scale_range) * np.sin(2 * np.pi * t / period[0] + phase[0])) if n > 1 else np.ones(1)
    aspect = np.exp(np.log(cfg.aspect_range) * np.sin(2 * np.pi * t / period[1] + phase[1])) if n > 1 else np.ones(1)
    scale = scale / scale[0]
    aspect = aspect / aspect[0]
    w = np.clip(np.round(w0 * scale * np.sqrt(aspect)), 4, width - 2)
    h = np.clip(np.round(h0 * scale / np.sqrt(aspect)), 4, height - 2)
    steps = _path(rng, n, cfg.speed)
    centre = np.empty((n, 2))
    c = np.array([width / 2.0, height / 2.0]) + rng.uniform(-0.15, 0.15, size=2) * (width, height)
    for i in range(n):  # reflection at the borders needs the previous position: a short loop is clearest
        if i:
            c = c + steps[i]
        half = np.array([w[i], h[i]]) / 2.0
        lo, hi = half + 1, np.array([width, height]) - half - 1
        for k in range(2):
            if c[k] < lo[k]:
                c[k] = 2 * lo[k] - c[k]
                steps[i:, k] *= -1
            elif c[k] > hi[k]:
                c[k] = 2 * hi[k] - c[k]
                steps[i:, k] *= -1
            c[k] = min(max(c[k], lo[k]), hi[k])
        centre[i] = c
    x = np.clip(np.round(centre[:, 0] - w / 2.0), 0, width - w)
    y = np.clip(np.round(centre[:, 1] - h / 2.0), 0, height - h)
    return np.stack([x, y, w, h], axis=1).astype(np.float64)


def generate(seed: int, n_frames: int = 30, size: tuple[int, int] = (160, 120), **options) -> SyntheticSequence:
    """Render a synthetic sequence; ``options`` are :class:`SyntheticConfig` fields (``target_size``, ...).

    Tags: ``occlusion`` (1 where the occluder overlaps the target), ``size_change`` and ``motion_change``
    as 0/1 per-frame arrays in the VOT attribute style.
    """
    if n_frames < 1:
        raise ValueError(f"n_frames must be >= 1, got {n_frames}")
    cfg = SyntheticConfig(size=tuple(size), **options)
    width, height = cfg.size
    rng = np.random.default_rng(np.random.PCG64(seed))
    boxes = _boxes(rng, n_frames, cfg)
    background = _texture(rng, width + 16, height + 16, cells=12, contrast=0.6)
    if cfg.flat_background:
        background[:] = 128.0
    target = _texture(rng, 64, 64, cells=8, contrast=1.6)
    occluder = _texture(rng, 48, 48, cells=6, contrast=1.0)
    pan = np.round(np.cumsum(rng.normal(0, 0.3, size=(n_frames, 2)), axis=0)).astype(int) % 16
    occluded = np.zeros(n_frames, dtype=np.int8)
    occ_box = None
    if cfg.occlusion and n_frames >= 10:
        start = int(rng.integers(n_frames // 3, max(n_frames // 3 + 1, n_frames - n_frames // 5)))
        length = max(2, int(round(0.15 * n_frames)))
        occ_frames = np.arange(start, min(n_frames, start + length))
        occluded[occ_frames] = 1
        occ_box = occ_frames
    light = 1.0 + cfg.brightness_change * np.sin(np.linspace(0, np.pi, n_frames))
    frames: list[np.ndarray] = []
    for i in range(n_frames):
        px, py = pan[i]
        img = background[py : py + height, px : px + width].copy()
        x, y, w, h = (int(v) for v in boxes[i])
        img[y : y + h, x : x + w] = cv2.resize(target, (w, h), interpolation=cv2.INTER_AREA)
        if occ_box is not None and occluded[i]:
            # the occluder covers the left ~60 % of the target; the box still describes the whole target (VOT)
            ow, oh = max(2, int(0.6 * w)), h + 8
            ox, oy = x - 2, max(0, y - 4)
            x0, y0 = max(0, ox), max(0, oy)
            x1, y1 = min(width, ox + ow), min(height, oy + oh)
            img[y0:y1, x0:x1] = cv2.resize(occluder, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        img = img * light[i] + rng.normal(0, cfg.noise, size=img.shape)
        frames.append(np.clip(np.round(img), 0, 255).astype(np.uint8))
    area = boxes[:, 2] * boxes[:, 3]
    size_change = np.r_[0, (np.abs(np.diff(area)) / area[:-1] > 0.05).astype(np.int8)] if n_frames > 1 else np.zeros(1)
    motion = np.r_[0, (np.linalg.norm(np.diff(boxes[:, :2], axis=0), axis=1) > 2 * cfg.speed).astype(np.int8)] if n_frames > 1 else np.zeros(1)
    tags = {"occlusion": occluded, "size_change": size_change.astype(np.int8), "motion_change": motion.astype(np.int8)}
    return SyntheticSequence(frames=frames, boxes=boxes, tags=tags)


def generate_sequence(
    seed: int, n_frames: int = 30, size: tuple[int, int] = (160, 120), **options
) -> tuple[list[np.ndarray], np.ndarray]:
    """``(frames, boxes)``: BGR uint8 frames ``(H, W, 3)`` and exact boxes ``(N, 4)`` ``x, y, w, h`` (0-based)."""
    seq = generate(seed, n_frames, size, **options)
    return seq.frames, seq.boxes


def box_to_polygon(boxes: np.ndarray) -> np.ndarray:
    """``(N, 4)`` ``x, y, w, h`` -> ``(N, 8)`` corner polygons ``x,y, x+w,y, x+w,y+h, x,y+h`` (clockwise)."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x, y, w, h = b.T
    return np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=1)


# ----------------------------------------------------------------------------------------------- writers
def _rows(values: np.ndarray, sep: str = ",") -> str:
    return "".join(sep.join(f"{v:.10g}" for v in row) + "\n" for row in np.asarray(values, dtype=np.float64))


def _write_frames(folder: Path, frames: Seq[np.ndarray], pattern: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, img in enumerate(frames, start=1):
        path = folder / pattern.format(i)
        params = [cv2.IMWRITE_JPEG_QUALITY, 95] if path.suffix.lower() in (".jpg", ".jpeg") else []
        if not cv2.imwrite(str(path), img, params):
            raise OSError(f"{path}: could not write frame {i}")
        paths.append(path)
    return paths


def _tag_files(folder: Path, tags: dict[str, np.ndarray] | None) -> None:
    for name, values in (tags or {}).items():
        write_text_atomic(folder / f"{name}.tag", "".join(f"{int(v)}\n" for v in values))


def write_vot_sequence(
    folder: str | os.PathLike,
    frames: Seq[np.ndarray],
    boxes: np.ndarray,
    *,
    polygon: bool = True,
    layout: str = "legacy",
    tags: dict[str, np.ndarray] | None = None,
    ext: str = "jpg",
) -> Path:
    """Write one VOT sequence: ``groundtruth.txt`` (8-value polygons by default) and the frames.

    ``layout="legacy"``: ``00000001.jpg`` next to ``groundtruth.txt`` (VOT2013-2018 downloads, ``bag``);
    ``layout="color"``: vot-toolkit workspace layout with ``color/00000001.jpg`` and a ``sequence`` file.
    Per-frame attributes go to ``<tag>.tag`` files (0/1 per line).
    """
    folder = Path(folder)
    regions = box_to_polygon(boxes) if polygon else np.asarray(boxes, dtype=np.float64)
    if layout == "legacy":
        _write_frames(folder, frames, "{:08d}." + ext)
    elif layout == "color":
        _write_frames(folder / "color", frames, "{:08d}." + ext)
        h, w = frames[0].shape[:2]
        write_text_atomic(
            folder / "sequence",
            f"channels.color=color/%08d.{ext}\nformat=default\nfps=30\nname={folder.name}\n"
            f"width={w}\nheight={h}\nlength={len(frames)}\n",
        )
    else:
        raise ValueError(f"unknown VOT layout {layout!r} (expected 'legacy' or 'color')")
    write_text_atomic(folder / "groundtruth.txt", _rows(regions))
    _tag_files(folder, tags)
    return folder


def write_otb_sequence(folder: str | os.PathLike, frames: Seq[np.ndarray], boxes: np.ndarray, *, sep: str = ",") -> Path:
    """Write one OTB sequence: ``img/0001.jpg`` ... and ``groundtruth_rect.txt`` (``x,y,w,h`` per line).

    The numbers are written as generated (like G10/PST we do not shift OTB's 1-based coordinates).
    """
    folder = Path(folder)
    _write_frames(folder / "img", frames, "{:04d}.jpg")
    write_text_atomic(folder / "groundtruth_rect.txt", _rows(boxes, sep=sep))
    return folder


def write_got10k_sequence(
    folder: str | os.PathLike, frames: Seq[np.ndarray], boxes: np.ndarray, *, tags: dict[str, np.ndarray] | None = None
) -> Path:
    """Write one GOT-10k sequence: ``00000001.jpg`` ..., ``groundtruth.txt``, ``absence/cover/cut_by_image.label``,
    ``meta_info.ini``. ``cover`` is 8 (fully visible) except 4 on occluded frames."""
    folder = Path(folder)
    n = len(frames)
    _write_frames(folder, frames, "{:08d}.jpg")
    write_text_atomic(folder / "groundtruth.txt", _rows(boxes))
    occ = np.asarray((tags or {}).get("occlusion", np.zeros(n)), dtype=int)
    write_text_atomic(folder / "absence.label", "0\n" * n)
    write_text_atomic(folder / "cover.label", "".join(f"{4 if o else 8}\n" for o in occ))
    write_text_atomic(folder / "cut_by_image.label", "0\n" * n)
    h, w = frames[0].shape[:2]
    write_text_atomic(
        folder / "meta_info.ini",
        f"[METAINFO]\nurl: synthetic\nbegin_time: 0\nend_time: {n}\nanno_fps: 10Hz\nobject_class: synthetic\n"
        f"motion_class: synthetic\nmajor_class: synthetic\nroot_class: synthetic\nmotion_adverb: synthetic\n"
        f"resolution: ({w}, {h})\n",
    )
    return folder


@dataclass(frozen=True, kw_only=True)
class _LayoutWriter:
    """How one layout of :func:`write_dataset` writes a sequence (``capitalise``: OTB's ``Name``)."""

    write: Callable[[Path, SyntheticSequence], object]
    capitalise: bool = False


_WRITERS: dict[str, _LayoutWriter] = {
    "vot": _LayoutWriter(write=lambda folder, seq: write_vot_sequence(folder, seq.frames, seq.boxes, tags=seq.tags)),
    "pysot": _LayoutWriter(write=lambda folder, seq: write_vot_sequence(folder, seq.frames, seq.boxes,
                                                                          tags=seq.tags)),
    "vot-color": _LayoutWriter(write=lambda folder, seq: write_vot_sequence(folder, seq.frames, seq.boxes,
                                                                              layout="color", tags=seq.tags)),
    "otb": _LayoutWriter(write=lambda folder, seq: write_otb_sequence(folder, seq.frames, seq.boxes), capitalise=True),
    "got10k": _LayoutWriter(write=lambda folder, seq: write_got10k_sequence(folder, seq.frames, seq.boxes,
                                                                            tags=seq.tags)),
}


def write_dataset(
    root: str | os.PathLike,
    layout: str = "vot",
    n_sequences: int = 3,
    n_frames: int = 30,
    size: tuple[int, int] = (160, 120),
    seed: int = 0,
    prefix: str = "synth",
    **options,
) -> list[str]:
    """Write ``n_sequences`` synthetic sequences (seeds ``seed, seed+1, ...``) under ``root``; returns their names.

    ``layout``: ``vot`` (legacy VOT folders + ``list.txt``), ``vot-color`` (workspace ``color/`` layout +
    ``list.txt``), ``otb`` (``<Name>/img`` + ``groundtruth_rect.txt``), ``got10k`` (GOT folders + ``list.txt``),
    ``pysot`` (legacy VOT folders plus ``<root>/<root-name>.json`` in the pysot JSON format).
    ``options`` go to :class:`SyntheticConfig`.
    """
    if layout not in _WRITERS:
        raise ValueError(f"unknown layout {layout!r} (expected vot, vot-color, otb, got10k or pysot)")
    writer = _WRITERS[layout]
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    names = [f"{prefix.capitalize() if writer.capitalise else prefix}{k:02d}" for k in range(n_sequences)]
    pysot: dict[str, dict] = {}
    for k, name in enumerate(names):
        seq = generate(seed + k, n_frames, size, **options)
        writer.write(root / name, seq)
        if layout == "pysot":
            poly = box_to_polygon(seq.boxes)
            pysot[name] = {
                "video_dir": name,
                "init_rect": [float(v) for v in seq.boxes[0]],
                "img_names": [f"{name}/{i:08d}.jpg" for i in range(1, n_frames + 1)],
                "gt_rect": poly.tolist(),
                **{tag: [int(v) for v in values] for tag, values in seq.tags.items()},
                "width": int(size[0]),
                "height": int(size[1]),
            }
    if layout in ("vot", "vot-color", "got10k", "pysot"):
        write_text_atomic(root / "list.txt", "".join(f"{n}\n" for n in names))
    if layout == "pysot":
        write_text_atomic(root / f"{root.name}.json", json.dumps(pysot))
    return names
