"""``siamrpn track``: follow one target through a video or a folder of frames, write one ``x,y,w,h`` per frame."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from analysis.core.atomic import write_text_atomic
from integration.jobs.track import TrackError, TrackRequest, format_boxes, track_video
from tracker.presets import preset_names

WEIGHTS_NOTE = (
    "Default weights: results/weights/siamrpn_default.pth, the project's own training (photographic composites, "
    "486,000 pairs, the last 162,000 with hard-negative mining) of SiamRPN with the depthwise-correlation RPN head "
    "on an ImageNet-pretrained EfficientNet-Lite0 backbone (preset 'lite0_dw', stored in the file); the paper's ImageNet AlexNet "
    "weights and the released SiamRPN weights are not available to this project. Released weights load as they are: "
    "--weights SiamRPNVOT.model (DaSiamRPN, preset dasiam_vot/dasiam_otb/dasiam_big), a pysot UP-channel .pth "
    "(preset pysot_upchannel_alex or paper) or a pysot depthwise .pth (pysot_alex_dwxcorr, "
    "pysot_mobilev2_l234_dwxcorr, pysot_r50_l234_dwxcorr).")


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
    parser.add_argument("--preset-file", type=Path, default=None, metavar="FILE",
                        help="preset from a JSON/TOML/YAML file ({\"base\": \"lite0\", \"penalty_k\": ...}, a whole "
                             "preset, or bare fields replacing those of --preset / the checkpoint's preset); "
                             "'siamrpn tune' writes one as best_preset.json")
    parser.add_argument("--tracker", default="siamrpn", metavar="NAME",
                        help="siamrpn (default), csrt, kcf, mil, nano (the tracker registry, integration/registry.py) "
                             "or module:Factory, a tracker of your own; --preset, --preset-file and --backend are "
                             "SiamRPN's, --weights and --device go to any of them")
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    parser.add_argument("--backend", default="eager",
                        help="eager (reference) or fused/fused_cl/torchscript/onnx (exact rewrites)")
    parser.add_argument("--output", type=Path, default=None, help="boxes file (default: standard output)")
    parser.add_argument("--visualize", type=Path, default=None, help="write an mp4 with the boxes drawn")
    parser.add_argument("--accept-truncated", action="store_true",
                        help="a video whose stream ends before the frame count its container declares: keep the "
                             "boxes of the frames read (with a warning) instead of failing")


def _progress(frames, total):
    return tqdm(frames, total=total, desc="siamrpn track", unit="frame", file=sys.stderr)


def _request(args: argparse.Namespace) -> TrackRequest:
    return TrackRequest(init=args.init, video=args.video, frames=args.frames, weights=args.weights,
                        preset=args.preset, preset_file=args.preset_file, device=args.device, backend=args.backend,
                        visualize=args.visualize, accept_truncated=args.accept_truncated, tracker=args.tracker)


def run(args: argparse.Namespace) -> int:
    try:
        boxes = track_video(_request(args), wrap_frames=_progress,
                            notify=lambda line: print(f"siamrpn track: warning: {line}", file=sys.stderr))
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
