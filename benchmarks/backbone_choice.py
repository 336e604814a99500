"""How to keep stride 8 with EfficientNet-Lite0: dilated stages 4-5 vs stride-8 + upsampled stride-16 features.

Both candidates use the ImageNet weights unchanged (no training):

* ``dilated``: :class:`tracker.backbones.efficientnet_lite.Lite0Backbone` (block 5 without its stride, blocks 6-10
  dilated by 2; one 112-channel map at stride 8), as SiamRPN++ does;
* ``s8+s16``: the classifier's own blocks 0-10, the stride-8 block-4 map (40 ch) concatenated with the
  stride-16 block-10 map (112 ch) upsampled x2 (bilinear), each level L2-normalised.

Measured in one run: (1) the backbone's time per 255x255 search crop (BN folded, ``--threads`` threads, median
of interleaved rounds) with the paper's AlexNet as the reference; (2) tracking signal: a SiamFC-style tracker
(:class:`benchmarks.diagnosis_trackers.SiamFCTracker`: template = centre 8x8 cells of the 127 exemplar map,
cross-correlation with the search map, cosine window, 3 scales) run one-pass on the real sequences, mean IoU
with the ground truth over each sequence's first ``--frames`` frames.

    .venv/bin/python benchmarks/backbone_choice.py [--frames 150] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.core.regions import area_preserving_rect  # noqa: E402
from benchmarks.diagnosis_trackers import SiamFCTracker  # noqa: E402
from tracker.backbones.efficientnet_lite import (  # noqa: E402
    EfficientNetLite0,
    Lite0Backbone,
    fuse_conv_bn,
    load_lite0_imagenet,
)
from tracker.network import build_backbone  # noqa: E402
from tracker.presets import ModelConfig  # noqa: E402

SEQUENCES = REPO.parent / "shared" / "data" / "sequences"


class TwoLevel(nn.Module):
    """Stride-8 (block 4) and upsampled stride-16 (block 10) maps of the unmodified classifier."""

    def __init__(self, full: EfficientNetLite0) -> None:
        super().__init__()
        self.stem, self.low, self.high = full.stem, full.blocks[:5], full.blocks[5:11]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f8 = self.low(self.stem((x.flip(1) - 127.0) / 128.0))
        f16 = self.high(f8)
        f8 = f8 / f8.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        f16 = f16 / f16.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        return torch.cat([f8, F.interpolate(f16, scale_factor=2, mode="bilinear")], 1)


def _iou(a, b) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


@torch.inference_mode()
def siamfc_iou(net: nn.Module, seq, frames: int) -> float:
    """One-pass mean IoU of the untrained cross-correlation tracker
    (:class:`benchmarks.diagnosis_trackers.SiamFCTracker`) over the first ``frames`` frames."""
    gt = seq.annotation.groundtruth
    tracker = SiamFCTracker(net)
    tracker.init(seq.frame(0), gt[0])
    ious = []
    for f in range(1, min(frames, len(gt))):
        box, _ = tracker.update(seq.frame(f))
        g = area_preserving_rect(gt[f])
        if np.all(np.isfinite(g)):
            ious.append(_iou(box, g))
    return float(np.mean(ious))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sequences", default="bag,OTB_Couple,OTB_Crossing,VOT_book,OTB_FaceOcc1,VOT_ball1")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    full = load_lite0_imagenet(EfficientNetLite0()).eval()
    nets = {"dilated": load_lite0_imagenet(Lite0Backbone()).eval(), "s8+s16": TwoLevel(full).eval()}
    fused = {"dilated": nets["dilated"].fused(), "s8+s16": fuse_conv_bn(nets["s8+s16"]),
             "alexnet (reference)": build_backbone(ModelConfig()).eval()}
    x = torch.rand(1, 3, 255, 255) * 255
    times: dict[str, list[float]] = {k: [] for k in fused}
    with torch.inference_mode():
        for r in range(args.rounds + 1):
            for k, m in fused.items():
                t0 = time.perf_counter()
                for _ in range(5):
                    m(x)
                if r:
                    times[k].append((time.perf_counter() - t0) / 5)
    ref = statistics.median(times["alexnet (reference)"])
    out: dict = {"benchmark": "backbone_choice", "threads": args.threads, "frames": args.frames,
                 "backbone_ms_per_search_crop": {k: round(statistics.median(v) * 1e3, 2) for k, v in times.items()},
                 "speed_vs_alexnet": {k: round(ref / statistics.median(v), 2) for k, v in times.items()},
                 "untrained_siamfc_mean_iou": {}}
    from integration.data.sequences import load_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seqs = load_dataset(SEQUENCES)
    for name in args.sequences.split(","):
        out["untrained_siamfc_mean_iou"][name] = {k: round(siamfc_iou(net, seqs[name], args.frames), 3)
                                                 for k, net in nets.items()}
    out["untrained_siamfc_mean_iou"]["mean"] = {
        k: round(float(np.mean([v[k] for v in out["untrained_siamfc_mean_iou"].values()])), 3) for k in nets}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
