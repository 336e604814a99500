"""Datasets with frames: a :class:`Sequence` is a ground-truth annotation plus image loading.

The annotation parsers live in ``analysis`` (``load_vot_folder``, ``load_otb_folder``, ``load_got10k_folder``,
``load_pysot_json``); this module adds what running a tracker needs: reading frames as BGR ``uint8``
(grayscale and thermal frames are expanded to 3 channels), resolving frame paths against an image root,
the frame size when an annotation file does not record it, and :func:`load_dataset`, which recognises the
layout of a path (one sequence folder, a dataset folder with ``list.txt``, a folder of mixed sequence
folders such as ``../shared/data/sequences``, or a pysot-style JSON with an image root).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from analysis.core.frames import FrameReadError, read_frame, to_bgr
from analysis.core.masks import Mask, format_mask
from analysis.io.annotation import SequenceAnnotation
from analysis.io.got10k import load_got10k_folder
from analysis.io.layout import load_folder_annotations, sequence_layout
from analysis.io.otb import load_otb_folder, load_otb_json
from analysis.io.pysot import is_otb_json, load_pysot_json, read_json
from analysis.io.vot import load_vot_folder

__all__ = [
    "check_output_folder",
    "Sequence",
    "detect_layout",
    "load_dataset",
    "load_vot_dataset",
    "load_otb_dataset",
    "load_got10k_dataset",
    "load_pysot_dataset",
    "from_arrays",
]



@dataclass(frozen=True)
class Sequence:
    """One sequence: its :class:`SequenceAnnotation` and frame access.

    ``frame(i)`` (0-based) returns a BGR ``uint8`` ``(H, W, 3)`` array. ``images`` optionally holds frames
    already in memory (synthetic sequences); then no file is read. A truncated JPEG/PNG frame raises
    :class:`FrameReadError` naming the file; ``accept_damaged=True`` decodes it anyway with a warning.
    """

    annotation: SequenceAnnotation
    images: tuple[np.ndarray, ...] | None = None
    accept_damaged: bool = False

    # --- annotation passthrough ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.annotation.name

    @property
    def groundtruth(self) -> np.ndarray:
        return self.annotation.groundtruth

    @property
    def frames(self) -> tuple[Path, ...]:
        return self.annotation.frames

    @property
    def tags(self) -> dict[str, np.ndarray]:
        return self.annotation.tags

    @property
    def fps(self) -> float:
        return self.annotation.fps

    @property
    def values(self) -> dict[str, np.ndarray]:
        """Per-frame ``*.value`` numbers (``anchor`` for the VOT2020+ multi-start experiment)."""
        return self.annotation.values

    def region_list(self) -> list:
        """Exact ground-truth regions (masks where the annotation has them), one per frame."""
        return self.annotation.region_list()

    def __len__(self) -> int:
        return len(self.annotation)

    @cached_property
    def size(self) -> tuple[int, int]:
        """``(width, height)``; read from the first frame when the annotation does not record it."""
        if self.annotation.width > 0 and self.annotation.height > 0:
            return (self.annotation.width, self.annotation.height)
        h, w = self.frame(0).shape[:2]
        return (int(w), int(h))

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of what tracking this sequence depends on besides the tracker: the ground truth (values and
        shape), the recorded frame size, and the frame list (paths relative to the frames' common folder, so a
        moved dataset keeps its hash) or, for in-memory sequences, the frame pixels."""
        h = hashlib.sha256()
        try:
            gt = np.ascontiguousarray(np.asarray(self.groundtruth, dtype=np.float64))
            h.update(f"gt{gt.shape}".encode())
            h.update(gt.tobytes())
        except (TypeError, ValueError):  # ragged rows
            h.update(repr([np.asarray(r, dtype=np.float64).tolist() for r in self.groundtruth]).encode())
        h.update(f"|size {self.annotation.width}x{self.annotation.height}|n {len(self)}|".encode())
        if self.annotation.regions is not None:  # masks: their pixels, not only their boxes
            for r in self.annotation.regions:
                h.update((format_mask(r) if isinstance(r, Mask) else repr(np.asarray(r).tolist())).encode() + b"\n")
        for key in sorted(self.annotation.values):
            h.update(f"|value {key}|".encode() + np.ascontiguousarray(self.annotation.values[key], np.float64).tobytes())
        if self.images is not None:
            for img in self.images:
                arr = np.ascontiguousarray(img)
                h.update(f"{arr.shape}{arr.dtype}".encode())
                h.update(arr.tobytes())
        elif self.frames:
            paths = [str(p) for p in self.frames]
            try:
                root = os.path.commonpath([os.path.dirname(p) or "." for p in paths])
                rel = [os.path.relpath(p, root) for p in paths]
            except ValueError:  # absolute and relative paths mixed
                rel = paths
            for p in rel:
                h.update(p.replace(os.sep, "/").encode("utf-8", "surrogateescape") + b"\0")
        return h.hexdigest()

    def region(self, i: int) -> np.ndarray:
        """Ground-truth region of frame ``i`` (4 or 8 values)."""
        return self.annotation.groundtruth[i]

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` (0-based) as BGR ``uint8`` with 3 channels."""
        n = len(self)
        if not 0 <= i < n:
            raise IndexError(f"frame index {i} out of range for sequence {self.name!r} with {n} frames")
        if self.images is not None:
            return to_bgr(self.images[i], f"{self.name}[{i}]")
        if i >= len(self.frames):
            raise FrameReadError(
                f"{self.annotation.source or self.name}: sequence {self.name!r} has {n} ground-truth rows but only "
                f"{len(self.frames)} frame paths (frame {i + 1} missing)"
            )
        return read_frame(self.frames[i], f"frame {i + 1} of sequence {self.name!r}", self.accept_damaged,
                          "re-extract the frame, or accept damaged frames (siamrpn run --accept-damaged-frames)")

    def check_frames(self) -> None:
        """Raise :class:`FrameReadError` naming the first missing frame file (cheap: existence only)."""
        if self.images is not None:
            return
        if len(self.frames) < len(self):
            raise FrameReadError(
                f"{self.annotation.source or self.name}: {len(self)} ground-truth rows but {len(self.frames)} frames"
            )
        for i, p in enumerate(self.frames[: len(self)]):
            if not Path(p).is_file():
                raise FrameReadError(f"{p}: frame {i + 1} of sequence {self.name!r} does not exist")


def check_output_folder(out: str | os.PathLike) -> None:
    """Raise ``OSError`` naming ``out`` unless it can be created and written (checked before tracking)."""

    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OSError(f"{out}: output folder is not writable ({exc.strerror or exc})") from None


def from_arrays(name: str, frames: list[np.ndarray], groundtruth: np.ndarray, tags: dict | None = None) -> Sequence:
    """An in-memory sequence (e.g. from :func:`integration.data.synthetic.generate_sequence`)."""
    gt = np.asarray(groundtruth, dtype=np.float64)
    if len(frames) != len(gt):
        raise ValueError(f"sequence {name!r}: {len(frames)} frames but {len(gt)} ground-truth rows")
    h, w = frames[0].shape[:2]
    ann = SequenceAnnotation(name=name, groundtruth=gt, width=int(w), height=int(h), tags=dict(tags or {}),
                             source=f"<memory:{name}>")
    return Sequence(ann, images=tuple(frames))


# ----------------------------------------------------------------------------------------------- loaders
def _wrap(annotations: dict[str, SequenceAnnotation], image_root: Path | None = None) -> dict[str, Sequence]:
    out = {}
    for name, ann in annotations.items():
        if image_root is not None and ann.frames and not Path(ann.frames[0]).is_absolute():
            ann = dataclasses.replace(ann, frames=tuple(image_root / p for p in ann.frames))
        out[name] = Sequence(ann)
    return out


def load_vot_dataset(path: str | os.PathLike) -> dict[str, Sequence]:
    """VOT sequence folder or dataset folder (``list.txt``): legacy ``00000001.jpg`` or ``color/`` layout."""
    return _wrap(load_vot_folder(Path(path)))


def load_otb_dataset(path: str | os.PathLike) -> dict[str, Sequence]:
    """OTB sequence folder or folder of them (``img/`` + ``groundtruth_rect[.k].txt``, OTB frame ranges)."""
    return _wrap(load_otb_folder(Path(path)))


def load_got10k_dataset(path: str | os.PathLike) -> dict[str, Sequence]:
    """GOT-10k subset folder (``list.txt``), root with ``val/``, or one sequence folder."""
    return _wrap(load_got10k_folder(Path(path)))


def load_pysot_dataset(json_path: str | os.PathLike, image_root: str | os.PathLike | None = None) -> dict[str, Sequence]:
    """pysot-style JSON (``{seq: {video_dir, img_names, gt_rect, ...}}``); frames under ``image_root``
    (default: the JSON's folder). OTB JSONs (``image_files``) are recognised too."""
    json_path = Path(json_path)
    root = Path(image_root) if image_root is not None else json_path.parent
    if is_otb_json(read_json(json_path)):
        anns = load_otb_json(json_path, image_root=root)
    else:
        anns = load_pysot_json(json_path, image_root=root)
    return _wrap(anns)  # the loaders already placed the frames under ``root``


def detect_layout(folder: str | os.PathLike) -> str | None:
    """Layout of one sequence folder: ``vot``, ``otb``, ``got10k`` or ``None`` (not a sequence); the one detector,
    :func:`analysis.io.layout.sequence_layout`."""
    return sequence_layout(folder)


_LOADERS = {"vot": load_vot_dataset, "otb": load_otb_dataset, "got10k": load_got10k_dataset}


def load_dataset(path: str | os.PathLike, image_root: str | os.PathLike | None = None,
                 layout: str | None = None) -> dict[str, Sequence]:
    """Load any supported dataset path, recognising its layout unless ``layout`` is given.

    * ``*.json``: pysot/OTB JSON with frames under ``image_root`` (default: the JSON's folder);
    * a sequence folder (VOT legacy or ``color/``, OTB, GOT-10k): one sequence;
    * a dataset folder with ``list.txt`` (VOT, GOT-10k subset) or a GOT-10k root with ``val/``;
    * any other folder: every sequence sub-folder, each with its own layout (mixed folders allowed).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: dataset path does not exist")
    if path.is_file():
        if path.suffix.lower() == ".json":
            return load_pysot_dataset(path, image_root)
        raise ValueError(f"{path}: expected a folder or a pysot-style .json file")
    if layout is not None:
        if layout == "pysot":
            raise ValueError(f"{path}: layout 'pysot' needs the .json file, not a folder")
        if layout not in _LOADERS:
            raise ValueError(f"unknown layout {layout!r} (expected one of {sorted(_LOADERS)} or pysot)")
        return _LOADERS[layout](path)
    return _wrap(load_folder_annotations(path))
