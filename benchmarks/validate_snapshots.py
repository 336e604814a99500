"""The validation curve of a training run: every snapshot of ``RUN/snapshots`` scored by the fixed protocol of
:mod:`integration.jobs.validation` (13 real targets: VOT baseline pooled EAO + mean OTB AUC), one line per
checkpoint in ``RUN/validation.csv`` and a plot ``RUN/validation.png``. Already scored snapshots are skipped, so
it can run again while training goes on (``--watch`` polls until the run's ``weights.pth`` holds the last step).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/validate_snapshots.py --run output/train_lite0_dw \\
        [--every 1000] [--watch] [--sequences ../shared/data/sequences]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIELDS = ("step", "pairs", "eao", "auc", "score", "accuracy", "failures", "precision", "weights")


def _scored(run: Path) -> dict[int, dict]:
    """Rows already scored, from ``validation.csv`` and the part tables of parallel runs (``validation-*.csv``)."""
    rows: dict[int, dict] = {}
    for path in sorted(run.glob("validation*.csv")):
        with open(path) as fh:
            rows.update({int(r["step"]): r for r in csv.DictReader(fh)})
    return rows


def _scored_file(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path) as fh:
        return list(csv.DictReader(fh))


def _write(table: Path, rows: list[dict]) -> None:
    with open(table, "w", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS)
        w.writeheader()
        w.writerows(rows)


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = [int(r["pairs"]) / 1000 for r in rows]
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for key, style in (("eao", "o-"), ("auc", "s-"), ("score", "k^--")):
        ax.plot(pairs, [float(r[key]) for r in rows], style, label=key.upper() if key != "score" else "(EAO+AUC)/2")
    ax.set_xlabel("training pairs seen (thousands)")
    ax.set_ylabel("score on the validation sequences")
    ax.set_title("validation curve (VOT baseline pooled EAO, mean OTB AUC)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, required=True, help="training run folder (holds snapshots/)")
    ap.add_argument("--every", type=int, default=1, help="score only snapshots whose step is a multiple of this")
    ap.add_argument("--sequences", type=Path, default=REPO.parent / "shared" / "data" / "sequences")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--watch", action="store_true", help="keep polling until the run's last step is scored")
    ap.add_argument("--only", default=None, help="comma-separated steps to score (e.g. to split the work between "
                                                 "processes; each writes validation-<first step>.csv)")
    args = ap.parse_args()
    from integration.jobs.validation import load_validation_sequences, validate_weights
    from tracker.weights import load_checkpoint

    seqs = load_validation_sequences(args.sequences)
    only = [int(v) for v in args.only.split(",")] if args.only else None
    table = args.run / ("validation.csv" if only is None else f"validation-{only[0]}.csv")
    config = json.loads((args.run / "config.json").read_text())
    while True:
        done = _scored(args.run)
        todo = []
        for snap in sorted((args.run / "snapshots").glob("step_*.pth")):
            step = int(snap.stem.split("_")[1])
            wanted = step in only if only is not None else step % args.every == 0
            if wanted and step not in done:
                todo.append((step, snap))
        for step, snap in todo:
            prov = load_checkpoint(snap).provenance or {}
            res = validate_weights(snap, seqs, args.run / "validation", label=snap.stem, workers=args.workers)
            row = {"step": step, "pairs": prov.get("pairs", ""), "eao": f"{res.eao:.4f}", "auc": f"{res.auc:.4f}",
                   "score": f"{res.score:.4f}", "accuracy": f"{res.accuracy:.4f}", "failures": f"{res.failures:.2f}",
                   "precision": f"{res.precision:.4f}", "weights": str(snap)}
            done[step] = row
            mine = {int(r["step"]): r for r in (_scored_file(table) + [row])}
            _write(table, [mine[k] for k in sorted(mine)])
            print(json.dumps(row), flush=True)
        if only is None and done:
            rows = [done[k] for k in sorted(done)]
            _write(args.run / "validation.csv", rows)
            plot(rows, args.run / "validation.png")
        if not args.watch or (done and max(done) >= config["steps"]):
            break
        time.sleep(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
