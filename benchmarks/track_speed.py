"""Speed of every SiamRPN inference path against the plain eager path measured in the same run (JSON on stdout).

CPU: per tracking step (crop + detection branch + proposal selection; template excluded, as in DaSiamRPN/pysot
timing) for ``eager`` and each fast path, interleaved round-robin so shared-CPU noise hits all paths alike;
ratios to ``eager`` are the figures to compare. Accuracy of each path vs eager on a real sequence
(``../shared/data/sequences/bag`` when present): max abs difference of the score maps, box centre distance
and IoU along the sequence (each path tracks on its own, so drift shows up).
Depthwise-head presets (``--dw-presets``, random weights of each preset's network; ``dw_presets`` in the JSON):
every preset's eager and fast paths, the ``--preset`` eager path and OpenCV CSRT (the speed goal) all timed
interleaved in the same rounds, so the ratios compare presets with each other, with their own eager path, with
the reference network and with CSRT (and NanoTrack when its model files are found); plus each fast path's
score-map difference to eager on the same crop.
GPU (only when ``torch.cuda.is_available()``): single stream eager/fused fp32, and batched frames/s.

    .venv/bin/python benchmarks/track_speed.py --threads 2 --steps 30
    .venv/bin/python benchmarks/track_speed.py --threads 2 --backends eager --no-accuracy \
        --dw-presets lite0_dw,lite0_s8_dw --dw-backends eager,fused,torchscript
    .venv/bin/python benchmarks/track_speed.py --preset lite0 --weights results/weights/siamrpn_default.pth \
        --reference-preset paper --eao int8 --eao-dataset ../shared/data/sequences
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.core.boxtext import parse_box_lines  # noqa: E402
from analysis.core.frames import read_frame  # noqa: E402
from tracker.crop import get_subwindow  # noqa: E402
from tracker.presets import get_preset  # noqa: E402
from tracker.siamrpn import SiamRPNTracker, image_to_tensor, init_state, search_scale  # noqa: E402
from tracker.weights import build_model  # noqa: E402

BAG = REPO.parent / "shared" / "data" / "sequences" / "bag"
#: the project's depthwise-head presets (tracker.presets): Lite0 cut at stride 8 in four ways
DW_PRESETS = "lite0_dw,lite0_d8_dw,lite0_s8_dw,lite0_twolevel_dw"


def load_sequence(path: Path, limit: int | None) -> tuple[list[np.ndarray], np.ndarray] | None:
    files = sorted(path.glob("*.jpg"))
    if not files:
        files = sorted((path / "color").glob("*.jpg"))
    gt_file = path / "groundtruth.txt"
    if not files or not gt_file.exists():
        return None
    files = files[:limit] if limit else files
    gt = parse_box_lines(gt_file.read_text(), gt_file, columns=None)[:len(files)]
    return [read_frame(f) for f in files], gt


def synthetic_sequence(n: int) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    frames = [np.roll(base, (t, 2 * t), axis=(0, 1)) for t in range(n)]
    return frames, np.tile([280.0, 200.0, 80.0, 60.0], (n, 1))


def calibration_crops(frames, gt, cfg, count=16) -> list[np.ndarray]:
    """Search crops around the ground truth of the first ``count`` frames (int8 calibration)."""
    crops = []
    for f, g in zip(frames[:count], gt[:count]):
        center, size, avg, _, inst = init_state(f, g, cfg)
        _, s_x = search_scale(size, cfg, inst)
        crops.append(image_to_tensor(get_subwindow(f, tuple(center), inst, s_x, avg), torch.device("cpu")).numpy())
    return crops


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x1, y1 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def cpu_speed(model, cfg, backends, frames, gt, steps, rounds, calib, reference=None) -> dict:
    """Per-step times of each path; ``reference`` = ``(model, preset)`` of another network (the AlexNet eager
    path) timed in the same interleaved rounds on the same frames, reported as ``reference_eager``."""
    trackers = {}
    for b in backends:
        t0 = time.perf_counter()
        opts = {"calibration": calib} if b == "int8" else None
        trackers[b] = SiamRPNTracker(model, preset=cfg, backend=b, backend_options=opts)
        trackers[b].build_s = time.perf_counter() - t0
    if reference is not None:
        t0 = time.perf_counter()
        trackers["reference_eager"] = SiamRPNTracker(reference[0], preset=reference[1])
        trackers["reference_eager"].build_s = time.perf_counter() - t0
        backends = list(backends) + ["reference_eager"]
    times: dict[str, list[float]] = {b: [] for b in backends}
    cpu: dict[str, list[float]] = {b: [] for b in backends}
    n = len(frames)
    for r in range(rounds + 1):  # round 0 = warm-up
        for b, trk in trackers.items():
            trk.init(frames[0], gt[0])
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(1, steps + 1):
                trk.update(frames[i % n])
            if r:
                times[b].append((time.perf_counter() - t0) / steps)
                cpu[b].append((time.process_time() - c0) / steps)
    out = {}
    ref, ref_cpu = statistics.median(times["eager"]), statistics.median(cpu["eager"])
    for b in backends:
        med, med_cpu = statistics.median(times[b]), statistics.median(cpu[b])
        out[b] = {"ms_per_step": round(med * 1e3, 2), "fps": round(1 / med, 2), "speedup_vs_eager": round(ref / med, 3),
                  "cpu_ms_per_step": round(med_cpu * 1e3, 2), "cpu_speedup_vs_eager": round(ref_cpu / med_cpu, 3),
                  "build_s": round(trackers[b].build_s, 2), "rounds_ms": [round(t * 1e3, 1) for t in times[b]]}
        if reference is not None:
            rmed = statistics.median(times["reference_eager"])
            out[b]["speedup_vs_reference_eager"] = round(rmed / med, 3)
    return out


def dw_speed(presets, backends, frames, gt, steps, rounds, weights, threads, reference=None, csrt=True) -> dict:
    """Per-step times of the depthwise-head ``presets`` (``weights`` of each preset's own network) with each of
    ``backends``, interleaved round-robin in the same rounds together with ``reference`` (``(model, preset)``: the
    ``--preset`` eager path) and OpenCV CSRT (``integration.registry``, ``threads`` OpenCV threads). Ratios: to the
    preset's own eager path, to the first preset's eager path, to the reference and to CSRT (``fps_vs_csrt`` > 1:
    faster than CSRT). ``score_map_max_abs_diff`` (of ``score_map_range``): each fast path vs eager on the same
    first search crop."""
    trackers: dict[tuple[str, str], object] = {}
    build: dict[tuple[str, str], float] = {}
    maps: dict[tuple[str, str], np.ndarray] = {}
    for p in presets:
        cfg = get_preset(p)
        model = build_model(weights, cfg.model)[0]
        for b in backends:
            t0 = time.perf_counter()
            trk = SiamRPNTracker(model, preset=cfg, backend=b)
            build[(p, b)] = time.perf_counter() - t0
            trk.init(frames[0], gt[0])
            trk.update(frames[1])
            maps[(p, b)] = trk.last_maps[0]
            trackers[(p, b)] = trk
    if reference is not None:
        trackers[("reference", "eager")] = SiamRPNTracker(reference[0], preset=reference[1])
    skipped = None
    if csrt:
        try:
            import cv2

            from integration.registry import TRACKERS, TrackerUnavailable

            cv2.setNumThreads(threads)
            trackers[("opencv_csrt", "csrt")] = TRACKERS["csrt"]()
        except (ImportError, TrackerUnavailable) as exc:
            skipped = f"OpenCV CSRT unavailable: {exc}"
    nano_note = "not timed (--no-csrt)"
    if csrt:  # NanoTrack v2 (OpenCV's DNN tracker) in the same rounds, when its model files are found
        try:
            from integration.registry import TRACKERS, TrackerUnavailable

            trackers[("opencv_nano", "nano")] = TRACKERS["nano"]()
            nano_note = f"timed in the same rounds (row opencv_nano, {threads} OpenCV threads)"
        except (ImportError, TrackerUnavailable) as exc:
            nano_note = f"NanoTrack unavailable: {exc}"
    times: dict[tuple[str, str], list[float]] = {k: [] for k in trackers}
    cpu: dict[tuple[str, str], list[float]] = {k: [] for k in trackers}
    n = len(frames)
    for r in range(rounds + 1):  # round 0 = warm-up
        for key, trk in trackers.items():
            trk.init(frames[0], gt[0])
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(1, steps + 1):
                trk.update(frames[i % n])
            if r:
                times[key].append((time.perf_counter() - t0) / steps)
                cpu[key].append((time.process_time() - c0) / steps)
    med = {k: statistics.median(v) for k, v in times.items()}
    first = med[(presets[0], "eager")] if "eager" in backends else None
    out: dict = {"weights": weights, "backends": list(backends), "first_preset": presets[0],
                 "reference_path": None if reference is None else f"{reference[1].name} eager (row reference)",
                 "csrt": skipped or f"timed in the same rounds (row opencv_csrt, {threads} OpenCV threads)",
                 "nano": nano_note}
    for key in trackers:
        p, b = key
        row = {"ms_per_step": round(med[key] * 1e3, 2), "fps": round(1 / med[key], 2),
               "cpu_ms_per_step": round(statistics.median(cpu[key]) * 1e3, 2),
               "rounds_ms": [round(t * 1e3, 1) for t in times[key]]}
        if (p, "eager") in med and p in presets:
            row["speedup_vs_eager"] = round(med[(p, "eager")] / med[key], 3)
        if first is not None:
            row["speedup_vs_first_preset_eager"] = round(first / med[key], 3)
        if ("reference", "eager") in med:
            row["speedup_vs_reference_eager"] = round(med[("reference", "eager")] / med[key], 3)
        if ("opencv_csrt", "csrt") in med:
            row["fps_vs_csrt"] = round(med[("opencv_csrt", "csrt")] / med[key], 3)
        if key in build:
            row["build_s"] = round(build[key], 2)
        if key in maps and (p, "eager") in maps and b != "eager":
            ref_map = maps[(p, "eager")]
            row["score_map_max_abs_diff"] = float(np.abs(maps[key] - ref_map).max())
            row["score_map_range"] = float(np.abs(ref_map).max())
        out.setdefault(p, {})[b] = row
    return out


def accuracy(model, cfg, backends, frames, gt, calib) -> dict:
    """Track the whole sequence with each path; compare with eager frame by frame."""
    runs = {}
    for b in backends:
        opts = {"calibration": calib} if b == "int8" else None
        trk = SiamRPNTracker(model, preset=cfg, backend=b, backend_options=opts)
        trk.init(frames[0], gt[0])
        boxes, maps = [], []
        for f in frames[1:]:
            boxes.append(trk.update(f)[0])
            maps.append(trk.last_maps[0])
        runs[b] = (np.array(boxes), np.stack(maps))
    rb, rm = runs["eager"]
    out = {}
    for b in backends:
        if b == "eager":
            continue
        bb, bm = runs[b]
        # same-input score-map difference: first frame (identical crops before any drift)
        d0 = float(np.abs(bm[0] - rm[0]).max())
        centre = np.hypot(*(bb[:, :2] + bb[:, 2:] / 2 - rb[:, :2] - rb[:, 2:] / 2).T)
        out[b] = {"score_map_max_abs_diff_frame2": d0, "score_map_range": float(np.abs(rm[0]).max()),
                  "centre_dist_px_mean": float(centre.mean()), "centre_dist_px_max": float(centre.max()),
                  "iou_vs_eager_mean": float(iou(bb, rb).mean()), "iou_vs_eager_min": float(iou(bb, rb).min())}
    return out


def eao_on_bag(model, cfg, backends, calib) -> dict:
    """VOT baseline (LEG resets, 1 run: the tracker is deterministic) on ``bag`` for each path, scored with the
    project's analysis (LEG convention, VOT2017 stack interval); reports EAO/accuracy/failures and the loss
    vs eager. Uses ``analysis`` and ``integration`` from colleagues; skipped when they are missing."""
    try:
        from analysis.metrics.vot.analysis import VOTSettings, analyze_vot, load_vot_annotations
        from integration.protocols.vot_baseline import BaselineSettings, run_baseline
    except ImportError as exc:
        return {"skipped": f"analysis/integration modules unavailable: {exc}"}
    ann_file = REPO.parent / "shared" / "data" / "annotations" / "VOT2018.json"
    if not ann_file.exists() or not BAG.exists():
        return {"skipped": "../shared/data (bag, VOT2018.json) not found"}

    ann = {"bag": load_vot_annotations(ann_file)["bag"]}
    files = sorted(BAG.glob("*.jpg"))
    cache: dict[int, np.ndarray] = {}

    def frame(i: int) -> np.ndarray:
        if i not in cache:
            cache[i] = read_frame(files[i])
        return cache[i]
    gt = ann["bag"].groundtruth
    bounds = (ann["bag"].width, ann["bag"].height)
    out = {}
    for b in backends:
        opts = {"calibration": calib} if b == "int8" else None
        trk = SiamRPNTracker(model, preset=cfg, backend=b, backend_options=opts)
        runs = run_baseline(trk, frame, gt, bounds, BaselineSettings(deterministic=True))
        rep = analyze_vot(ann, {"bag": [r.trajectory for r in runs]}, VOTSettings(stack="vot2017"))
        out[b] = {"eao": rep.eao, "accuracy": rep.accuracy, "failures": rep.failures}
    for b in backends:
        out[b]["eao_loss_vs_eager"] = out["eager"]["eao"] - out[b]["eao"]
    return out


def eao_on_sequences(model, cfg, backends, calib, dataset: Path) -> dict:
    """VOT baseline (LEG resets, 1 run) on every sequence of ``dataset`` for each path, pooled EAO with the
    interval fitted to the sequence lengths (:func:`analysis.metrics.vot.interval.fit_interval`, LEG); loss vs eager."""
    import warnings

    from analysis.metrics.vot.analysis import VOTSettings, analyze_vot
    from analysis.metrics.vot.interval import fit_interval
    from integration.data.sequences import load_dataset
    from integration.protocols.vot_baseline import BaselineSettings, run_baseline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seqs = load_dataset(dataset)
    ann = {n: s.annotation for n, s in seqs.items()}
    interval = fit_interval([len(a.groundtruth) for a in ann.values()])
    out: dict = {"dataset": str(dataset), "sequences": len(seqs), "interval": [interval.low, interval.high]}
    for b in backends:
        opts = {"calibration": calib} if b == "int8" else None
        trk = SiamRPNTracker(model, preset=cfg, backend=b, backend_options=opts)
        results = {}
        for name, seq in seqs.items():
            a = seq.annotation
            runs = run_baseline(trk, seq.frame, a.groundtruth, (a.width, a.height), BaselineSettings(deterministic=True))
            results[name] = [r.trajectory for r in runs]
        rep = analyze_vot(ann, results, VOTSettings(variant="leg", interval=interval.as_tuple()))
        out[b] = {"eao": rep.eao, "accuracy": rep.accuracy, "failures": rep.failures}
    for b in backends:
        out[b]["eao_loss_vs_eager"] = out["eager"]["eao"] - out[b]["eao"]
    return out


def gpu_speed(model, cfg, steps: int, batch_sizes: list[int]) -> dict:
    if not torch.cuda.is_available():
        return {"skipped": "no CUDA device (torch.cuda.is_available() is False)"}
    from tracker.batched import BatchedSiamRPN

    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    frames, gt = synthetic_sequence(steps + 1)
    out: dict = {"device": torch.cuda.get_device_name(0)}
    for b in ("eager", "fused"):
        trk = SiamRPNTracker(model, preset=cfg, device=dev, backend=b)
        trk.init(frames[0], gt[0])
        for i in range(1, 11):
            trk.update(frames[i % len(frames)])
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(1, steps + 1):
            trk.update(frames[i % len(frames)])
        torch.cuda.synchronize()
        out[f"single_{b}_fps"] = round(steps / (time.perf_counter() - t0), 1)
    for n in batch_sizes:
        bt = BatchedSiamRPN(model, preset=cfg, device=dev, backend="fused")
        bt.init([frames[0]] * n, [gt[0]] * n)
        for _ in range(3):
            bt.update([frames[1]] * n)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        reps = max(2, steps // 10)
        for i in range(reps):
            bt.update([frames[(i + 1) % len(frames)]] * n)
        torch.cuda.synchronize()
        out[f"batched_{n}_frames_per_s"] = round(n * reps / (time.perf_counter() - t0), 1)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20, help="tracking steps per timing round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--weights", default="random:0")
    ap.add_argument("--backends", default="eager,fused,fused_cl,torchscript,onnx,int8")
    ap.add_argument("--accuracy-frames", type=int, default=0, help="frames of bag for the accuracy check (0 = all)")
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--eao", default="", help="comma list of paths to score by VOT baseline EAO on bag (e.g. eager,int8)")
    ap.add_argument("--eao-dataset", type=Path, default=None,
                    help="score the --eao paths on every sequence of this dataset instead of bag only")
    ap.add_argument("--reference-preset", default="", help="also time this preset's eager path (e.g. paper)")
    ap.add_argument("--reference-weights", default="random:0", help="weights of the --reference-preset network")
    ap.add_argument("--batch-sizes", default="64,256")
    ap.add_argument("--dw-presets", default=DW_PRESETS,
                    help="depthwise-head presets timed together in the same rounds ('' = none)")
    ap.add_argument("--dw-backends", default="eager,fused,torchscript,onnx")
    ap.add_argument("--dw-weights", default="random:0", help="weights of every --dw-presets network")
    ap.add_argument("--no-csrt", action="store_true", help="do not time OpenCV CSRT next to the --dw-presets")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, meta = build_model(args.weights, get_preset(args.preset).model)
    cfg = get_preset(args.preset)
    reference = None
    if args.reference_preset:
        rcfg = get_preset(args.reference_preset)
        reference = (build_model(args.reference_weights, rcfg.model)[0], rcfg)
    backends = ["eager"] + [b for b in args.backends.split(",") if b and b != "eager"]
    seq = load_sequence(BAG, args.accuracy_frames or None)
    source = str(BAG) if seq else "synthetic (bag not found)"
    frames, gt = seq if seq else synthetic_sequence(60)
    calib = calibration_crops(frames, gt, cfg)
    result = {
        "benchmark": "track_speed", "torch": torch.__version__, "threads": args.threads,
        "cpu": platform.processor() or platform.machine(), "preset": cfg.name, "weights": args.weights,
        "sequence": source, "steps": args.steps, "rounds": args.rounds,
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        "reference": (f"{args.reference_preset} eager, weights {args.reference_weights}" if reference else None),
        "cpu_paths": cpu_speed(model, cfg, backends, frames, gt, args.steps, args.rounds, calib, reference),
    }
    dw = [p for p in args.dw_presets.split(",") if p]
    if dw:
        dw_backends = ["eager"] + [b for b in args.dw_backends.split(",") if b and b != "eager"]
        result["dw_presets"] = dw_speed(dw, dw_backends, frames, gt, args.steps, args.rounds, args.dw_weights,
                                        args.threads, (model, cfg), not args.no_csrt)
    if not args.no_accuracy:
        result["accuracy_vs_eager"] = accuracy(model, cfg, backends, frames, gt, calib)
    if args.eao:
        paths = ["eager"] + [b for b in args.eao.split(",") if b != "eager"]
        if args.eao_dataset:
            result["eao_dataset"] = eao_on_sequences(model, cfg, paths, calib, args.eao_dataset)
        else:
            result["eao_bag"] = eao_on_bag(model, cfg, paths, calib)
    result["gpu"] = gpu_speed(model, cfg, 200, [int(b) for b in args.batch_sizes.split(",") if b])
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
