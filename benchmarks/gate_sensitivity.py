"""Does the regression gate catch a changed network? The default weights with seeded multiplicative noise.

For each noise level ``s`` the floating conv/linear weights of the default model are multiplied by
``1 + s * N(0, 1)`` (seed 0; BN statistics untouched), saved as a checkpoint, and ``siamrpn regress --weights``
compares the result with the committed reference. Reports the measured case metrics, the gate's exit status
(0 pass, 1 regressed) and how many metric rows regressed / improved beyond their tolerance.

    .venv/bin/python benchmarks/gate_sensitivity.py [--levels 0,0.02,0.05,0.2] [--out output/gate_sensitivity]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def perturbed(path: Path, s: float, out: Path) -> Path:
    from tracker.weights import build_model, load_checkpoint, save_checkpoint

    ck = load_checkpoint(path)
    model, _ = build_model(path)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                m.weight.mul_(1 + s * torch.randn(m.weight.shape, generator=gen))
    return save_checkpoint(out, model, ck.preset, {**ck.provenance, "perturbation": s})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", default="0,0.02,0.05,0.2")
    ap.add_argument("--out", type=Path, default=REPO / "output" / "gate_sensitivity")
    ap.add_argument("--reference", type=Path, default=REPO / "results" / "regression" / "default.json")
    args = ap.parse_args()
    import pandas as pd

    from analysis.core.paths import default_weights_path

    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for s in (float(v) for v in args.levels.split(",")):
        weights = perturbed(default_weights_path(), s, args.out / f"weights_{s:g}.pth")
        run_dir = args.out / f"regress_{s:g}"
        proc = subprocess.run([str(REPO / ".venv" / "bin" / "siamrpn"), "regress", "--reference", str(args.reference),
                               "--weights", str(weights), "--out", str(run_dir), "--skip-instrument", "--quiet"],
                              cwd=REPO, capture_output=True, text=True)
        current = json.loads((run_dir / "current.json").read_text())
        row = {"noise": s, "gate_exit": proc.returncode}
        for case, d in current["cases"].items():
            for metric in ("eao", "accuracy", "failures", "auc", "precision"):
                row[f"{case}.{metric}"] = round(d["overall"][metric], 4)
        comp = run_dir / "comparison.csv"
        if comp.is_file():
            table = pd.read_csv(comp)
            status = table["status"] if "status" in table else pd.Series(dtype=str)
            row["rows_regressed"] = int((status == "REGRESSION").sum())
            row["rows_improved"] = int((status == "improved").sum())
        rows.append(row)
    print(json.dumps({"benchmark": "gate_sensitivity", "reference": str(args.reference), "levels": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
