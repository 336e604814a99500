"""Harness frames/s of SiamRPN evaluated batched (one forward per step for many sequences) vs per sequence.

Same sequences, same protocol, same run: the reference is the per-sequence runner (``run_experiment`` with
``batch_size=None``, in-process); the batched runner uses ``batch_size`` slots. Protocols: OTB one-pass (every
frame tracked) and the VOT baseline (declared deterministic: 1 run; resets at failures, so slots go idle while
their sequence skips frames). Frames = tracker calls (init + update) counted from the written results. The JSON
also reports the max box difference between the two outputs (float round-off of the grouped correlation) and
whether the 1/2/0 patterns are identical. On CPU the forward is compute-bound, so batching mostly saves the
per-call overhead; the GPU section (only when ``torch.cuda.is_available()``) is where batching pays.

    .venv/bin/python benchmarks/batched_speed.py [--sequences 8] [--frames 40] [--batch-size 8] [--threads 2]
        [--weights random:0] [--size 320x240] [--gpu-batch-sizes 16,64]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _sequences(n: int, frames: int, size: tuple[int, int]) -> dict:
    from integration.data.sequences import from_arrays
    from integration.data.synthetic import generate

    out = {}
    for k in range(n):
        s = generate(500 + k, frames, size, speed=3.0)
        out[f"g{k:02d}"] = from_arrays(f"g{k:02d}", s.frames, s.boxes)
    return out


def _compare(a: Path, b: Path, kind: str, seqs: dict) -> tuple[int, float, bool]:
    """(tracker calls in ``a``, max box difference a vs b, identical 1/2/0 patterns)."""
    import numpy as np

    from analysis.io.results import read_box_file
    from analysis.io.trajectories import load_tracker_results

    if kind == "otb":
        diff = max(float(np.abs(read_box_file(a / f"{s}.txt") - read_box_file(b / f"{s}.txt")).max()) for s in seqs)
        return sum(len(s) for s in seqs.values()), diff, True
    ra, rb = load_tracker_results(a, kind), load_tracker_results(b, kind)
    calls, diff, same = 0, 0.0, True
    for s in ra:
        for x, y in zip(ra[s], rb[s]):
            cx = [int(r) if isinstance(r, int) else 3 for r in x]
            same &= cx == [int(r) if isinstance(r, int) else 3 for r in y]
            calls += sum(c != 0 for c in cx)
            for p, q in zip(x, y):
                if not isinstance(p, int) and not isinstance(q, int):
                    diff = max(diff, float(np.abs(np.asarray(p) - np.asarray(q)).max()))
    return calls, diff, same


def _measure(spec, exp, seqs, batch_size: int | None, root: Path) -> tuple[float, Path]:
    from integration.run.experiment import run_experiment

    out = root / (f"batched{batch_size}" if batch_size else "per_sequence")
    start = time.perf_counter()
    summary = run_experiment([spec], exp, seqs, out, progress=False, resume=False, batch_size=batch_size)
    seconds = time.perf_counter() - start
    if not summary.ok:
        raise RuntimeError(summary.text())
    return seconds, out / spec.result_name


def _compare_modes(spec, seqs, batch_sizes: list[int], root: Path) -> dict:
    from integration.run.units import ExperimentSpec

    start = time.perf_counter()
    spec.build()
    res: dict = {"tracker_build_s": round(time.perf_counter() - start, 3),
                 "note": "the per-sequence runner builds the tracker once per sequence, the batched one once"}
    for exp in (ExperimentSpec("otb"), ExperimentSpec("baseline", deterministic=True)):
        ref_s, ref_dir = _measure(spec, exp, seqs, None, root / exp.kind)
        calls, _, _ = _compare(ref_dir, ref_dir, exp.kind, seqs)
        row = {"tracker_calls": calls, "per_sequence_s": round(ref_s, 3),
               "per_sequence_frames_per_s": round(calls / ref_s, 2)}
        for bs in batch_sizes:
            sec, out_dir = _measure(spec, exp, seqs, bs, root / exp.kind)
            _, diff, same = _compare(ref_dir, out_dir, exp.kind, seqs)
            row[f"batched{bs}"] = {"seconds": round(sec, 3), "frames_per_s": round(calls / sec, 2),
                                   "speedup_vs_per_sequence": round(ref_s / sec, 3),
                                   "max_box_diff_px": diff, "same_codes": same}
        res[exp.kind] = row
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sequences", type=int, default=8)
    ap.add_argument("--frames", type=int, default=40)
    ap.add_argument("--size", default="320x240", help="frame size WxH of the generated sequences")
    ap.add_argument("--batch-size", type=int, default=8, help="CPU batch size (slots)")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    ap.add_argument("--weights", default="random:0")
    ap.add_argument("--gpu-batch-sizes", default="16,64", help="GPU batch sizes (only with CUDA)")
    args = ap.parse_args()

    import torch

    from integration.run.units import TrackerSpec

    torch.set_num_threads(args.threads)
    w, h = (int(v) for v in args.size.lower().split("x"))
    seqs = _sequences(args.sequences, args.frames, (w, h))
    out: dict = {"benchmark": "batched_speed", "sequences": args.sequences, "frames_per_sequence": args.frames,
                 "frame_size": [w, h], "weights": args.weights, "python": platform.python_version(),
                 "torch": torch.__version__, "cpu_count": os.cpu_count(), "torch_threads": args.threads,
                 "load_avg_1min_before": round(os.getloadavg()[0], 1),
                 "note": "reference = per-sequence runner on the same sequences in this run; frames = tracker calls"}
    with tempfile.TemporaryDirectory() as tmp:
        out["cpu"] = _compare_modes(TrackerSpec("siamrpn", args.weights, "cpu"), seqs, [args.batch_size],
                                    Path(tmp) / "cpu")
        if torch.cuda.is_available():
            sizes = [int(v) for v in args.gpu_batch_sizes.split(",") if v]
            gpu_seqs = _sequences(max(sizes), args.frames, (w, h))
            out["gpu"] = {"device": torch.cuda.get_device_name(0),
                          **_compare_modes(TrackerSpec("siamrpn", args.weights, "cuda"), gpu_seqs, sizes,
                                           Path(tmp) / "gpu")}
        else:
            out["gpu"] = {"skipped": "no CUDA device (torch.cuda.is_available() is False)"}
    out["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
