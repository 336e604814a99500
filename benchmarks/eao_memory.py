"""Peak memory and time of the EAO analysis on a long sequence with many failures (issue 15).

A synthetic tracker result: one 20,000-frame sequence whose run fails every 7 frames (2,857 failures, each
followed by the 5-frame skip and a re-initialisation) plus a few short sequences (3 runs each, some failures),
and two tags. For each rule (``leg``, ``pst``, ``pyt``) the EAO computation — :func:`eao_fragments`,
:func:`tag_weights` for ``all`` and the tags, :func:`eao_over_interval` (curves, and for PYT the continued
curve) — is measured twice in this run:

* ``blocked``: the default, the fragment matrix consumed in blocks of at most ``DEFAULT_BLOCK_BYTES`` (64 MiB);
* ``whole``: ``block_bytes`` huge, i.e. the whole (fragments x longest sequence) matrix at once, as before
  issue 15 (the in-run reference).

Peak memory is ``tracemalloc``'s peak (numpy reports its buffers to it) during the computation, inputs
excluded. ``identical`` says whether both gave the same bits (curves and scores). Prints one JSON object.

Usage: ``nice -n 19 .venv/bin/python benchmarks/eao_memory.py [--frames 20000] [--period 7] [--rules leg,pst,pyt]``
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.core.regions import FrameKind
from analysis.metrics.vot.eao import DEFAULT_BLOCK_BYTES, eao_fragments, eao_over_interval, tag_weights

I, T, F, U = FrameKind.INIT, FrameKind.TRACKED, FrameKind.FAILURE, FrameKind.UNKNOWN
WHOLE = 1 << 62


def long_run(n: int, period: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One run of ``n`` frames failing ``period - 5`` frames after each initialisation (skip 5)."""
    kinds = np.full(n, T, dtype=np.int8)
    ov = rng.uniform(0.1, 0.9, n)
    start = 0
    while start < n:
        kinds[start] = I
        ov[start] = np.nan
        fail = start + period - 5
        if fail >= n:
            break
        kinds[fail] = F
        kinds[fail + 1:fail + 5] = U
        ov[fail:fail + 5] = np.nan
        start = fail + 5
    return kinds[None, :], ov[None, :]


def short_runs(n: int, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    kinds = np.full((runs, n), T, dtype=np.int8)
    ov = rng.uniform(0.1, 0.9, (runs, n))
    for r in range(runs):
        f = 0
        while f < n:
            kinds[r, f] = I
            ov[r, f] = np.nan
            f += 1
            while f < n:
                if rng.random() < 0.02:
                    kinds[r, f:f + 5] = U
                    kinds[r, f] = F
                    ov[r, f:f + 5] = np.nan
                    f += 5
                    break
                f += 1
    return kinds, ov


def measure(kinds, overlaps, tags, rule: str, block_bytes: int | None) -> dict:
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    frags = eao_fragments(kinds, overlaps, rule)
    weights = np.stack([tag_weights(frags, None)] + [tag_weights(frags, t) for t in tags])
    longest = max(k.shape[1] for k in kinds)
    score, curves, _ = eao_over_interval(frags, weights[0], 100, 356, rule, longest, block_bytes=block_bytes)
    _, tag_curves, _ = eao_over_interval(frags, weights, 100, 356, rule, longest, block_bytes=block_bytes)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_mb": round(peak / 2 ** 20, 1), "seconds": round(seconds, 3), "fragments": len(frags),
            "score": score, "_curves": (curves, tag_curves)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20000)
    ap.add_argument("--period", type=int, default=7, help="frames from one initialisation to the next")
    ap.add_argument("--rules", default="leg,pst,pyt")
    args = ap.parse_args()
    rng = np.random.default_rng(15)
    kinds, overlaps = [], []
    k, o = long_run(args.frames, args.period, rng)
    kinds.append(k)
    overlaps.append(o)
    for n in (150, 300, 450, 600):
        k, o = short_runs(n, 3, rng)
        kinds.append(k)
        overlaps.append(o)
    tags = [[rng.random(k.shape[1]) < p for k in kinds] for p in (0.3, 0.6)]
    result = {"frames_longest": args.frames, "failures": int(sum((k == F).sum() for k in kinds)),
              "failures_longest": int((kinds[0] == F).sum()), "sequences": len(kinds),
              "block_bytes": DEFAULT_BLOCK_BYTES, "rules": {}}
    for rule in args.rules.split(","):
        blocked = measure(kinds, overlaps, tags, rule, None)
        whole = measure(kinds, overlaps, tags, rule, WHOLE)
        same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(blocked.pop("_curves"), whole.pop("_curves")))
        same = same and (blocked["score"] == whole["score"] or (np.isnan(blocked["score"]) and np.isnan(whole["score"])))
        result["rules"][rule] = {
            "blocked": blocked, "whole": whole, "identical": bool(same),
            "peak_ratio_whole_over_blocked": round(whole["peak_mb"] / max(blocked["peak_mb"], 1e-9), 1),
            "time_ratio_whole_over_blocked": round(whole["seconds"] / max(blocked["seconds"], 1e-9), 2)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
