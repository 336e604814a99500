"""Speed of the full VOT2018 A/R/EAO analysis of the DaSiamRPN results, against vot-toolkit 0.7.4 in the same run.

Prints one JSON object:

* ``ours.cold_s``: first ``analyze_vot`` call in this process (numba cache load / compile included), inputs in memory;
* ``ours.warm_s``: median of ``--repeats`` further calls (overlaps + accuracy + failures + EAO, inputs in memory);
* ``ours.warm_2_threads_s``: the same with ``workers=2`` (sequences rasterised in two threads);
* ``ours.warm_from_files_s``: median of full runs from the files (annotation and result loading included);
* ``toolkit.warm_s``: vot-toolkit 0.7.4's own analysis classes on the same trajectories and sequences
  (``AccuracyRobustness`` per sequence + ``AverageAccuracyRobustness`` + ``EAOCurve`` + the ``EAOScore`` mean),
  after one warm-up call; region conversion to toolkit objects is timed separately (``convert_s``);
* ``ratio_toolkit_over_ours``: ``toolkit.warm_s / ours.warm_s`` (same machine, same run, same inputs), and the
  same ratio of CPU seconds (``*_cpu``), which the load of a shared machine distorts less.

Usage: ``.venv/bin/python benchmarks/analysis_speed.py [--repeats 5]``. Goal: ``ours.warm_s <= 0.5`` on the 2-core
development machine. Scores are printed too, so a fast wrong answer is visible.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"


def _timed(fn, repeats: int) -> tuple[float, float, object]:
    """Median wall-clock and median CPU (process) seconds of ``repeats`` calls, and the last result.

    CPU time is reported because the development machine is shared: under load the wall time of a
    single-threaded job stretches while its CPU time does not.
    """
    wall, cpu, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def _toolkit_inputs(ann: dict, results: dict):
    from vot.region import Polygon, Rectangle, Special

    def to_vot(r):
        if isinstance(r, (int, np.integer)):
            return Special(int(r))
        r = np.asarray(r, dtype=np.float64)
        if r.size == 4:
            return Rectangle(*r)
        return Polygon([(r[i], r[i + 1]) for i in range(0, r.size, 2)])

    class Seq:
        def __init__(self, a):
            self.name, self.size = a.name, (a.width, a.height)
            self._gt = [to_vot(g) for g in a.groundtruth]

        def groundtruth(self):
            return self._gt

        def __len__(self):
            return len(self._gt)

    class Traj:
        def __init__(self, regions):
            self._regions = regions

        def regions(self):
            return self._regions

    class Exp:
        def __init__(self, runs):
            self._runs = runs

        def gather(self, tracker, sequence):
            return self._runs[sequence.name]

    seqs = [Seq(a) for a in ann.values()]
    exp = Exp({k: [Traj([to_vot(r) for r in run]) for run in results[k]] for k in ann})
    return seqs, exp


def _toolkit_analysis(seqs, exp, low: int, high: int) -> dict:
    from vot.analysis.supervised import AccuracyRobustness, AverageAccuracyRobustness, EAOCurve
    from vot.utilities.data import Grid

    ar = AccuracyRobustness()
    per = [ar.subcompute(exp, None, s, []) for s in seqs]
    grid = Grid(len(per))
    for i, p in enumerate(per):
        grid[i] = p
    accuracy, failures, _, _ = AverageAccuracyRobustness().aggregate(None, seqs, grid)
    curve = EAOCurve().subcompute(exp, None, seqs, [])[0]
    return {"eao": float(np.mean(curve[low:high + 1])), "accuracy": float(accuracy),
            "failures_total": float(sum(p[1] for p in per))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=DATA / "annotations" / "VOT2018.json")
    parser.add_argument("--results", type=Path, default=DATA / "results" / "VOT2018" / "DaSiamRPN")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--toolkit-repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.annotations.exists() or not args.results.exists():
        print(json.dumps({"error": f"data not found: {args.annotations} / {args.results}"}))
        return 2

    from analysis.io.trajectories import load_tracker_results
    from analysis.metrics.vot.analysis import VOTSettings, analyze_vot, analyze_vot_folder, load_vot_annotations

    settings = VOTSettings(stack="vot2018")
    t0 = time.perf_counter()
    ann = load_vot_annotations(args.annotations)
    results = load_tracker_results(args.results, "baseline", sequences=list(ann))
    io_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    rep = analyze_vot(ann, results, settings)
    cold_s = time.perf_counter() - t0
    warm_s, warm_cpu_s, rep = _timed(lambda: analyze_vot(ann, results, settings), args.repeats)
    warm2_s, warm2_cpu_s, rep2 = _timed(lambda: analyze_vot(ann, results, settings, workers=2), args.repeats)
    assert rep2.eao == rep.eao and rep2.accuracy == rep.accuracy
    files_s, files_cpu_s, _ = _timed(lambda: analyze_vot_folder(args.annotations, args.results, "baseline", settings),
                                     max(1, args.repeats // 2))

    out = {
        "benchmark": "VOT2018 A/R/EAO of DaSiamRPN (60 sequences, 21356 frames, 1 run)",
        "load_average_1min": os.getloadavg()[0],
        "ours": {"io_s": io_s, "cold_s": cold_s, "warm_s": warm_s, "warm_cpu_s": warm_cpu_s,
                 "warm_2_threads_s": warm2_s, "warm_2_threads_cpu_s": warm2_cpu_s,
                 "warm_from_files_s": files_s, "warm_from_files_cpu_s": files_cpu_s,
                 "eao": rep.eao, "accuracy": rep.accuracy, "robustness": rep.robustness, "failures": rep.failures,
                 "convention": "LEG (leg variant, interval 100-356)"},
    }
    try:
        import vot.analysis.supervised  # noqa: F401
    except ImportError as exc:  # pragma: no cover - optional dependency
        out["toolkit"] = {"error": f"vot-toolkit not importable: {exc}"}
    else:
        import vot

        t0 = time.perf_counter()
        seqs, exp = _toolkit_inputs(ann, results)
        convert_s = time.perf_counter() - t0
        _toolkit_analysis(seqs[:1], exp, 100, 356)  # warm-up: numba compilation of the toolkit's raster
        tk_s, tk_cpu_s, tk = _timed(lambda: _toolkit_analysis(seqs, exp, 100, 356), args.toolkit_repeats)
        out["toolkit"] = {"version": getattr(vot, "__version__", "?"), "convert_s": convert_s, "warm_s": tk_s,
                          "warm_cpu_s": tk_cpu_s,
                          **tk, "convention": "PYT (EAOScore low=100 high=356)"}
        pyt = analyze_vot(ann, results, VOTSettings(stack="vot2018", variant="pyt"))
        out["ours_pyt_variant"] = {"eao": pyt.eao, "accuracy": pyt.accuracy}
        out["ratio_toolkit_over_ours"] = tk_s / warm_s
        out["ratio_toolkit_over_ours_cpu"] = tk_cpu_s / warm_cpu_s
    out["goal_warm_s"] = 0.5
    out["meets_goal_wall"] = warm_s <= 0.5
    out["meets_goal_cpu"] = warm_cpu_s <= 0.5
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
