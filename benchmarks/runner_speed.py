"""Wall time of the VOT baseline experiment on ``bag`` through the runner: workers 1 vs 2.

The unit of parallelism is a sequence, so the dataset is ``bag`` twice (``bag`` and ``bag_copy``, same frames):
with 2 workers both run at once. For each tracker the reference is the same work with 1 worker measured in
this run; the JSON reports seconds and the speed-up ratio. SiamRPN runs with ``weights="random:0"`` until
default trained weights exist (random weights fail often => more re-initialisations than a trained model).

    .venv/bin/python benchmarks/runner_speed.py [--trackers siamrpn,csrt] [--repetitions 15] [--frames 196]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _cpu() -> float:
    """CPU seconds of this process plus its finished children (the spawned workers): load-independent."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "data" / "sequences" / "bag")
    ap.add_argument("--trackers", default="siamrpn,csrt")
    ap.add_argument("--weights", default="random:0", help="siamrpn weights (default random:0)")
    ap.add_argument("--frames", type=int, default=0, help="use only the first N frames (0 = all)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from integration.data.sequences import Sequence, load_dataset
    from integration.run.experiment import run_experiment
    from integration.run.units import ExperimentSpec, TrackerSpec

    if not args.dataset.exists():
        print(json.dumps({"skipped": f"{args.dataset} not found"}))
        return 0
    seqs = load_dataset(args.dataset)
    base = next(iter(seqs.values()))
    ann = base.annotation
    if args.frames:
        ann = dataclasses.replace(ann, groundtruth=ann.groundtruth[: args.frames], frames=ann.frames[: args.frames])
    data = {n: Sequence(dataclasses.replace(ann, name=n)) for n in (base.name, f"{base.name}_copy")}
    exp = ExperimentSpec("baseline")
    out: dict = {"benchmark": "runner_speed", "dataset": str(args.dataset), "frames_per_sequence": len(ann),
                 "sequences": list(data), "cpu_count": os.cpu_count(), "python": platform.python_version(),
                 "load_avg_1min_before": round(os.getloadavg()[0], 1),
                 "note": "2 units (bag twice); reference = 1 worker in the same run", "trackers": {}}
    for name in [t for t in args.trackers.split(",") if t]:
        spec = TrackerSpec(name, weights=args.weights if name == "siamrpn" else None)
        row = {}
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                t0, c0 = time.perf_counter(), _cpu()
                summary = run_experiment([spec], exp, data, tmp, workers=workers, progress=False)
                row[f"workers_{workers}_s"] = round(time.perf_counter() - t0, 2)
                row[f"workers_{workers}_cpu_s"] = round(_cpu() - c0, 2)
                row[f"workers_{workers}_ok"] = summary.ok
                row[f"workers_{workers}_runs"] = [o.runs for o in summary.outcomes]
                if summary.unavailable or not summary.ok:
                    row["error"] = summary.text()
        row["load_avg_1min_after"] = round(os.getloadavg()[0], 1)
        row["speedup_2_vs_1"] = round(row["workers_1_s"] / row["workers_2_s"], 3) if row.get("workers_2_s") else None
        row["weights"] = spec.weights
        out["trackers"][name] = row
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
