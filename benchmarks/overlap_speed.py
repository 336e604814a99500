"""Speed of ``analysis.metrics.overlap`` on the full VOT2018 DaSiamRPN results (60 sequences, 21,356 frame pairs).

References measured in the same run: vot-toolkit 0.7.4 ``calculate_overlaps`` on the same pairs (``pyt``,
the toolkit's own numba rasteriser called once per pair), and, for the multi-run helper, SiamFC VOT2017
(3 identical runs) computed run by run. Prints one JSON object: seconds (best of ``--repeat``, process CPU
time and wall time) and speed-up ratios. Without ``../shared/data`` it uses synthetic pairs.

    .venv/bin/python benchmarks/overlap_speed.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"


def best_of(fn, repeat: int) -> dict[str, float]:
    fn()  # warm (JIT compile / cache load)
    cpu, wall = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"cpu_s": round(min(cpu), 4), "wall_s": round(min(wall), 4)}


def load_pairs():
    from analysis.io.pysot import load_pysot_json
    from analysis.io.trajectories import load_tracker_results

    ann = load_pysot_json(DATA / "annotations" / "VOT2018.json")
    res = load_tracker_results(DATA / "results" / "VOT2018" / "DaSiamRPN", "baseline")
    siamfc = load_tracker_results(DATA / "results" / "VOT2017" / "SiamFC", "baseline")
    return ann, res, siamfc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from analysis.metrics.overlap import vot_overlaps, vot_overlaps_runs

    out: dict = {"benchmark": "overlap_speed", "python": platform.python_version(), "machine": platform.machine()}
    if not (DATA / "annotations" / "VOT2018.json").is_file():
        rng = np.random.default_rng(0)
        gt = np.column_stack([rng.uniform(0, 500, (21356, 2)), rng.uniform(20, 150, (21356, 2))])
        pred = gt + rng.normal(0, 5, gt.shape)
        ann = {"synthetic": type("A", (), {"groundtruth": gt, "width": 640, "height": 480})()}
        res = {"synthetic": [[p for p in pred]]}
        siamfc = {"synthetic": [res["synthetic"][0]] * 3}
        out["data"] = "synthetic rectangles (../shared/data not found)"
    else:
        ann, res, siamfc = load_pairs()
        out["data"] = "VOT2018 DaSiamRPN baseline vs VOT2018.json; SiamFC VOT2017 baseline (3 runs)"
    out["pairs"] = int(sum(len(r[0]) for r in res.values()))

    def ours(convention):
        def run():
            for s, runs in res.items():
                a = ann[s]
                vot_overlaps(runs[0], a.groundtruth, (a.width, a.height), convention)
        return run

    out["leg2017"] = best_of(ours("leg2017"), args.repeat)
    out["pyt"] = best_of(ours("pyt"), args.repeat)
    try:
        from vot.region import Polygon, Rectangle, Special
        from vot.region.raster import calculate_overlaps

        def to_vot(r):
            if isinstance(r, (int, np.integer)):
                return Special(int(r))
            r = np.asarray(r, float)
            return Rectangle(*r) if r.size == 4 else Polygon(list(zip(r[0::2], r[1::2])))

        conv = {s: ([to_vot(r) for r in runs[0]], [to_vot(g) for g in ann[s].groundtruth]) for s, runs in res.items()}

        def reference():
            for s, (p, g) in conv.items():
                calculate_overlaps(p, g, (ann[s].width, ann[s].height))

        out["vot_toolkit_calculate_overlaps"] = best_of(reference, args.repeat)
        out["pyt_speedup_vs_vot_toolkit_cpu"] = round(
            out["vot_toolkit_calculate_overlaps"]["cpu_s"] / out["pyt"]["cpu_s"], 2)
    except ImportError:
        out["vot_toolkit_calculate_overlaps"] = "vot-toolkit not installed"

    def per_run():
        for s, runs in siamfc.items():
            a = ann[s]
            for run in runs:
                vot_overlaps(run, a.groundtruth, (a.width, a.height))

    def multi():
        for s, runs in siamfc.items():
            a = ann[s]
            vot_overlaps_runs(runs, a.groundtruth, (a.width, a.height))

    out["siamfc_3_runs_per_run"] = best_of(per_run, args.repeat)
    out["siamfc_3_runs_vot_overlaps_runs"] = best_of(multi, args.repeat)
    out["runs_speedup_cpu"] = round(out["siamfc_3_runs_per_run"]["cpu_s"]
                                    / out["siamfc_3_runs_vot_overlaps_runs"]["cpu_s"], 2)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
