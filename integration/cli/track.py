"""``siamrpn track``: follow one target through a video or a folder of frames, write one ``x,y,w,h`` per frame."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from tqdm import tqdm

from analysis.core.atomic import write_text_atomic
from tracker.presets import get_preset, preset_from_dict, preset_names
from tracker.siamrpn import SiamRPNTracker
from tracker.weights import CHECKPOINT_FORMAT, WeightsError, default_weights_path, load_checkpoint

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


class TrackError(Exception):
    """A user-facing failure of ``siamrpn track`` (bad input file, box, weights)."""


WEIGHTS_NOTE = (
    "Default weights: results/weights/siamrpn_default.pth, the project's own training of the paper's UP-channel "
    "SiamRPN head on an ImageNet-pretrained EfficientNet-Lite0 backbone (preset 'lite0'); the paper's ImageNet "
    "AlexNet weights and the released SiamRPN weights are not available to this project. Released AlexNet weights "
    "load as they are: --weights SiamRPNVOT.model (DaSiamRPN, preset dasiam_vot/dasiam_otb/dasiam_big) or a pysot "
    "UP-channel .pth (preset pysot_upchannel_alex or paper).")


def configure(parser: argparse.ArgumentParser) -> None:

    parser.epilog = WEIGHTS_NOTE

    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--video", type=Path, help="video file readable by OpenCV")
    src.add_argument("--frames", type=Path, help="folder of frames (jpg/png/...), sorted by name")
    parser.add_argument("--init", required=True, help="initial box x,y,w,h (0-based pixels, top-left corner)")
    parser.add_argument("--weights", type=Path, default=None,
                        help="DaSiamRPN .model, pysot UP-channel .pth or our checkpoint (default: "
                             "results/weights/siamrpn_default.pth, EfficientNet-Lite0 backbone)")
    parser.add_argument("--preset", choices=preset_names(), default=None,
                        help="tracking preset (default: the checkpoint's own preset, else 'paper'; a preset for "
                             "another backbone than the weights' is refused)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    parser.add_argument("--backend", default="eager",
                        help="eager (reference) or fused/fused_cl/torchscript/onnx (exact rewrites)")
    parser.add_argument("--output", type=Path, default=None, help="boxes file (default: standard output)")
    parser.add_argument("--visualize", type=Path, default=None, help="write an mp4 with the boxes drawn")


def parse_box(text: str) -> np.ndarray:
    try:
        vals = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        raise TrackError(f"--init {text!r}: expected four numbers x,y,w,h") from None
    if len(vals) != 4 or not np.all(np.isfinite(vals)):
        raise TrackError(f"--init {text!r}: expected four finite numbers x,y,w,h")
    if vals[2] <= 0 or vals[3] <= 0:
        raise TrackError(f"--init {text!r}: width and height must be positive")
    return np.array(vals)


def iter_frames(video: Path | None, frames: Path | None) -> tuple[int, Iterator[tuple[str, np.ndarray]]]:
    """(frame count, iterator of (name, BGR uint8 image)); raises :class:`TrackError` on unreadable input."""

    if frames is not None:
        if not frames.is_dir():
            raise TrackError(f"--frames {frames}: not a folder")
        files = sorted(p for p in frames.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        if not files:
            raise TrackError(f"--frames {frames}: no image files ({', '.join(IMAGE_EXTS)}) in the folder")

        def gen():
            for p in files:
                img = cv2.imread(str(p), cv2.IMREAD_COLOR)
                if img is None:
                    raise TrackError(f"{p}: cannot read the image (corrupt or not an image)")
                yield str(p), img
        return len(files), gen()
    assert video is not None
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


def _resolve_preset(args):

    if args.preset is not None:
        return get_preset(args.preset)
    path = args.weights or default_weights_path()
    if path.is_file():
        ck = load_checkpoint(path)
        if ck.format == CHECKPOINT_FORMAT and ck.preset is not None:
            return get_preset(ck.preset) if isinstance(ck.preset, str) else preset_from_dict(ck.preset)
    return get_preset("paper")


def track(args) -> list[np.ndarray]:


    box0 = parse_box(args.init)
    count, frames = iter_frames(args.video, args.frames)
    try:
        preset = _resolve_preset(args)
        tracker = SiamRPNTracker(weights=args.weights, preset=preset, device=args.device, backend=args.backend)
    except WeightsError as exc:
        raise TrackError(str(exc)) from None
    writer = None
    tmp_video = None
    boxes: list[np.ndarray] = []
    try:
        for i, (name, img) in enumerate(tqdm(frames, total=count or None, desc="siamrpn track", unit="frame",
                                             file=sys.stderr)):
            if i == 0:
                H, W = img.shape[:2]
                x, y, w, h = box0
                if x >= W or y >= H or x + w <= 0 or y + h <= 0:
                    raise TrackError(f"--init {args.init}: box lies outside the first frame ({W}x{H}, {name})")
                tracker.init(img, box0)
                box = box0
            else:
                if img.shape[:2] != (H, W):
                    raise TrackError(f"{name}: frame size {img.shape[1]}x{img.shape[0]} differs from the first "
                                     f"frame ({W}x{H})")
                box, _ = tracker.update(img)
            boxes.append(np.asarray(box, dtype=np.float64))
            if args.visualize is not None:
                if writer is None:
                    args.visualize.parent.mkdir(parents=True, exist_ok=True)
                    tmp_video = args.visualize.with_name(f".{args.visualize.stem}.tmp{args.visualize.suffix or '.mp4'}")
                    writer = cv2.VideoWriter(str(tmp_video), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (W, H))
                    if not writer.isOpened():
                        raise TrackError(f"--visualize {args.visualize}: OpenCV cannot open a video writer")
                vis = img.copy()
                p0 = (int(round(box[0])), int(round(box[1])))
                p1 = (int(round(box[0] + box[2])), int(round(box[1] + box[3])))
                cv2.rectangle(vis, p0, p1, (0, 255, 0), 2)
                writer.write(vis)
    finally:
        if writer is not None:
            writer.release()
    if tmp_video is not None:
        os.replace(tmp_video, args.visualize)
    return boxes


def format_boxes(boxes: list[np.ndarray]) -> str:
    return "".join(",".join(f"{v:.4f}" for v in b) + "\n" for b in boxes)


def run(args) -> int:
    try:
        boxes = track(args)
    except TrackError as exc:
        print(f"siamrpn track: error: {exc}", file=sys.stderr)
        return 2
    text = format_boxes(boxes)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.output, text)
        print(f"siamrpn track: {len(boxes)} boxes written to {args.output}", file=sys.stderr)
    return 0
