"""Tracking one target through a video or a folder of frames (the library behind ``siamrpn track``).

:func:`track_video` takes a :class:`TrackRequest` and returns one ``x,y,w,h`` box per frame (0-based pixels,
top-left corner); it can also write an mp4 with the boxes drawn. Frames of a folder are read with the project's
frame decoder (:func:`analysis.core.frames.read_frame`), frames of a video with ``cv2.VideoCapture``. Every
user-facing failure (bad input, box, weights) is a :class:`TrackError`; the messages name the command's options.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.core.frames import IMAGE_SUFFIXES, FrameReadError, read_frame
from analysis.core.paths import default_weights_path
from analysis.core.regions import area_preserving_rect
from integration.registry import TrackerUnavailable, create_tracker
from tracker.contract import ContractError, as_prediction
from tracker.preset_file import PresetFileError, load_preset_file
from tracker.presets import TrackConfig, get_preset, preset_from_dict
from tracker.siamrpn import SiamRPNTracker
from tracker.weights import CHECKPOINT_FORMAT, WeightsError, load_checkpoint

__all__ = ["TrackError", "TrackRequest", "parse_box", "iter_frames", "resolve_preset", "track_video",
           "format_boxes"]

#: wraps the frame iterator (e.g. a progress bar); receives the iterator and the frame count (``None``: unknown)
FrameWrapper = Callable[[Iterator[tuple[str, np.ndarray]], int | None], Iterable[tuple[str, np.ndarray]]]


class TrackError(Exception):
    """A user-facing failure of ``siamrpn track`` (bad input file, box, weights)."""


@dataclass(frozen=True)
class TrackRequest:
    """What to track: exactly one of ``video`` (a file OpenCV reads) or ``frames`` (a folder of images, sorted by
    name); ``init`` the first frame's box as ``"x,y,w,h"`` text or four numbers; ``weights`` ``None`` for the
    default weights; ``preset`` ``None`` for the checkpoint's own preset, else ``'paper'``; ``preset_file`` a
    JSON/TOML/YAML preset file (:mod:`tracker.preset_file`; fields it gives alone replace those of ``preset``);
    ``visualize`` an mp4 to write with the boxes drawn (``None``: none); ``tracker`` a name of the tracker
    registry (:mod:`integration.registry`: ``siamrpn``, ``csrt``, ``kcf``, ``mil``, ``nano``) or
    ``module:Factory`` (a tracker of your own; any return convention of :mod:`tracker.contract`). ``preset``,
    ``preset_file`` and ``backend`` are SiamRPN's; ``weights`` and ``device`` go to any registry tracker."""

    init: str | Sequence[float]
    video: Path | None = None
    frames: Path | None = None
    weights: Path | None = None
    preset: str | None = None
    preset_file: Path | None = None
    device: str = "cpu"
    backend: str = "eager"
    visualize: Path | None = None
    #: a video whose stream ends before the frame count its container declares: keep the boxes of the frames
    #: read (with a notice) instead of failing with :class:`TrackError`
    accept_truncated: bool = False
    tracker: str = "siamrpn"

    def __post_init__(self) -> None:
        if (self.video is None) == (self.frames is None):
            raise ValueError("TrackRequest: give exactly one of video and frames")


def parse_box(text: str) -> np.ndarray:
    """``"x,y,w,h"`` -> array of four finite numbers with positive width and height (else :class:`TrackError`)."""
    try:
        vals = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        raise TrackError(f"--init {text!r}: expected four numbers x,y,w,h") from None
    if len(vals) != 4 or not np.all(np.isfinite(vals)):
        raise TrackError(f"--init {text!r}: expected four finite numbers x,y,w,h")
    if vals[2] <= 0 or vals[3] <= 0:
        raise TrackError(f"--init {text!r}: width and height must be positive")
    return np.array(vals)


def _init_text(init: str | Sequence[float]) -> str:
    return init if isinstance(init, str) else ",".join(str(v) for v in init)


def iter_frames(video: Path | None, frames: Path | None) -> tuple[int, Iterator[tuple[str, np.ndarray]]]:
    """(frame count, iterator of (name, BGR uint8 image)); raises :class:`TrackError` on unreadable input.

    The count of a video is what its header says (0 when unknown)."""

    if frames is not None:
        frames = Path(frames)
        if not frames.is_dir():
            raise TrackError(f"--frames {frames}: not a folder")
        files = sorted(p for p in frames.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise TrackError(f"--frames {frames}: no image files ({', '.join(IMAGE_SUFFIXES)}) in the folder")

        def gen():
            for i, p in enumerate(files, 1):
                try:
                    img = read_frame(p, what=f"frame {i}", accept_damaged=False)
                except FrameReadError as exc:
                    raise TrackError(str(exc)) from None
                yield str(p), img
        return len(files), gen()
    if video is None:
        raise TrackError("give a video or a folder of frames")
    video = Path(video)
    if not video.is_file():
        raise TrackError(f"--video {video}: file not found")
    cap = cv2.VideoCapture(str(video))
    ok, first = cap.read() if cap.isOpened() else (False, None)
    if not ok:
        raise TrackError(f"--video {video}: cannot read any frame (unsupported or corrupt video)")
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or 0

    def gen_video():
        yield f"{video}#0", first
        i = 1
        while True:
            ok, img = cap.read()
            if not ok:
                break
            yield f"{video}#{i}", img
            i += 1
        cap.release()
    return count, gen_video()


def resolve_preset(preset: str | None, weights: Path | None) -> TrackConfig:
    """The named preset; else the preset stored in our checkpoint (``weights`` or the default weights); else
    ``'paper'``."""

    if preset is not None:
        return get_preset(preset)
    path = Path(weights) if weights is not None else default_weights_path()
    if path.is_file():
        ck = load_checkpoint(path)
        if ck.format == CHECKPOINT_FORMAT and ck.preset is not None:
            return get_preset(ck.preset) if isinstance(ck.preset, str) else preset_from_dict(ck.preset)
    return get_preset("paper")


class _BoxVideo:
    """The ``visualize`` mp4: frames with the box drawn, written to a hidden temporary file and moved into
    place by :meth:`commit` (a failed run leaves no half-written video under the requested name)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.tmp: Path | None = None
        self._writer: cv2.VideoWriter | None = None

    def write(self, img: np.ndarray, box: np.ndarray) -> None:
        if self._writer is None:
            H, W = img.shape[:2]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.path.with_name(f".{self.path.stem}.tmp{self.path.suffix or '.mp4'}")
            self._writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (W, H))
            if not self._writer.isOpened():
                raise TrackError(f"--visualize {self.path}: OpenCV cannot open a video writer")
        vis = img.copy()
        p0 = (int(round(box[0])), int(round(box[1])))
        p1 = (int(round(box[0] + box[2])), int(round(box[1] + box[3])))
        cv2.rectangle(vis, p0, p1, (0, 255, 0), 2)
        self._writer.write(vis)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()

    def commit(self) -> None:
        if self.tmp is not None:
            os.replace(self.tmp, self.path)


def _build_tracker(request: TrackRequest):
    """SiamRPN with the request's weights/preset/backend, or any other tracker of the registry."""
    if request.tracker == "siamrpn":
        try:
            preset = resolve_preset(request.preset, request.weights)
            if request.preset_file is not None:
                preset = load_preset_file(request.preset_file, preset)
            return SiamRPNTracker(weights=request.weights, preset=preset, device=request.device,
                                  backend=request.backend)
        except (WeightsError, PresetFileError) as exc:
            raise TrackError(str(exc)) from None
    siamrpn_only = [opt for opt, given in (("--preset", request.preset is not None),
                                           ("--preset-file", request.preset_file is not None),
                                           ("--backend", request.backend != "eager")) if given]
    if siamrpn_only:
        raise TrackError(f"{', '.join(siamrpn_only)}: SiamRPN options; --tracker {request.tracker} takes "
                         "--weights and --device only")
    try:
        return create_tracker(request.tracker, weights=None if request.weights is None else str(request.weights),
                              device=request.device)
    except TrackerUnavailable as exc:
        raise TrackError(f"--tracker {request.tracker}: {exc}") from None


def _answer_box(tracker, img: np.ndarray, name: str) -> np.ndarray:
    """The ``x,y,w,h`` of the tracker's answer (any convention of :mod:`tracker.contract`; a polygon becomes
    its VOT area-preserving box)."""
    try:
        pred = as_prediction(tracker.update(img), tracker)
    except ContractError as exc:
        raise TrackError(f"--tracker {name}: {exc}") from None
    box = pred.box
    if not isinstance(box, np.ndarray) or box.size < 4 or box.size % 2:
        raise TrackError(f"--tracker {name}: answered {type(box).__name__}; siamrpn track writes x,y,w,h boxes "
                         "(a mask cannot be written)")
    return area_preserving_rect(box) if box.size > 4 else box


def track_video(request: TrackRequest, wrap_frames: FrameWrapper | None = None,
                notify: Callable[[str], None] | None = None) -> list[np.ndarray]:
    """Track the target of ``request`` through every frame; one float64 ``x,y,w,h`` box per frame (the first
    is the initial box). ``wrap_frames`` wraps the frame iterator (the command passes a progress bar).
    Raises :class:`TrackError` on bad input, a box outside the first frame or larger than it, a frame of
    another size, weights that cannot be loaded, or a video whose stream ends before the frame count its
    container declares (unless ``request.accept_truncated``: then ``notify`` gets a line saying how many of the
    declared frames were read)."""

    init = _init_text(request.init)
    box0 = parse_box(init)
    count, frames = iter_frames(request.video, request.frames)
    tracker = _build_tracker(request)
    video = _BoxVideo(request.visualize) if request.visualize is not None else None
    boxes: list[np.ndarray] = []
    try:
        for i, (name, img) in enumerate(frames if wrap_frames is None else wrap_frames(frames, count or None)):
            if i == 0:
                H, W = img.shape[:2]
                x, y, w, h = box0
                if x >= W or y >= H or x + w <= 0 or y + h <= 0:
                    raise TrackError(f"--init {init}: box lies outside the first frame ({W}x{H}, {name})")
                if w > W or h > H:  # the exemplar crop grows with the box: 100000 px would need ~112 GiB
                    raise TrackError(f"--init {init}: the box ({w:g}x{h:g}) is larger than the first frame "
                                     f"({W}x{H}, {name}); give the target's box in that frame's pixels, x,y,w,h")
                tracker.init(img, box0)
                box = box0
            else:
                if img.shape[:2] != (H, W):
                    raise TrackError(f"{name}: frame size {img.shape[1]}x{img.shape[0]} differs from the first "
                                     f"frame ({W}x{H})")
                box = _answer_box(tracker, img, request.tracker)
            boxes.append(np.asarray(box, dtype=np.float64))
            if video is not None:
                video.write(img, box)
    finally:
        if video is not None:
            video.close()
    if request.video is not None and count > len(boxes):
        read = (f"--video {request.video}: the stream ended after {len(boxes)} of the {count} frames its container "
                "declares (a truncated or damaged file, or a header that overstates the count)")
        if not request.accept_truncated:
            raise TrackError(f"{read}; rerun with --accept-truncated to keep the {len(boxes)} boxes")
        (notify or (lambda _: None))(f"{read}; {len(boxes)} boxes kept (--accept-truncated)")
    if video is not None:
        video.commit()
    return boxes


def format_boxes(boxes: Iterable[np.ndarray]) -> str:
    """One ``x,y,w,h`` line per box, 4 decimals."""
    return "".join(",".join(f"{v:.4f}" for v in b) + "\n" for b in boxes)
