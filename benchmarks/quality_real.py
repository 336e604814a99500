"""Tracking quality on the real sequences of ``../shared/data/sequences``, every tracker in the same run.

For each tracker: the VOT baseline experiment (resets, 1 run: all trackers here are deterministic) and the OTB
one-pass experiment with the project's runner, scored with the project's analysis:

* pooled over all sequences: EAO (LEG conventions, interval fitted to the sequence lengths by
  :func:`analysis.metrics.vot.interval.fit_interval`, printed), accuracy, failures; OTB success AUC and precision@20 px
  averaged over the sequences;
* per sequence: accuracy, failures, EAO with that sequence's own interval ``[ceil(N/2), N]`` (the project's
  single-length rule), AUC and precision, so a win on one sequence cannot hide losses elsewhere; and the mean of
  the per-sequence EAOs ("EAO averaged over the sequences").

Sequences whose ground truth is shorter than the frames are cut to the annotated prefix by the loader
(``OTB_Football1`` 74 frames, ``UAV123_10fps_truck2`` 129); ``OTB_Jogging`` gives two targets.

    .venv/bin/python benchmarks/quality_real.py --tracker lite0=siamrpn:results/weights/siamrpn_default.pth \\
        --tracker csrt --tracker kcf --tracker nano [--out output/quality] [--workers 2]

Trackers can be run in several invocations into the same ``--out`` and scored together with ``--no-run``.

``--diagnose`` adds the three diagnosis trackers of :mod:`benchmarks.diagnosis_trackers` (issue 20) to the same
run: ``siamfc_lite0`` (training-free SiamFC on the ImageNet Lite0 features) and, for the weights of every
``siamrpn`` tracker given (the default weights when none is given), ``oracle_scale`` (SiamRPN's centre, the
ground-truth size; it reads the ground truth of ``--dataset``) and ``pyramid_scale`` (SiamRPN's classification,
SiamFC's 3-scale pyramid for the size). With several ``siamrpn`` trackers their rows are ``<label>-oracle_scale``
and ``<label>-pyramid_scale``.

Prints one JSON object (also ``<out>/quality.json``) and writes ``<out>/per_sequence.csv``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _spec(text: str):
    """``label=name[:weights]`` or ``name`` -> TrackerSpec."""
    from integration.run.units import TrackerSpec

    label, _, rest = text.partition("=") if "=" in text else (None, "", text)
    name, _, weights = rest.partition(":")
    return TrackerSpec(name=name, weights=weights or None, label=label)


def diagnosis_specs(specs: list, dataset: Path) -> list:
    """The ``--diagnose`` rows for ``specs`` (:mod:`benchmarks.diagnosis_trackers`): ``siamfc_lite0`` once, and
    ``oracle_scale`` / ``pyramid_scale`` for the weights of each ``siamrpn`` spec (the default weights when there is
    none), their weights always named so the run records hash the file they load."""
    from analysis.core.paths import default_weights_path
    from benchmarks.diagnosis_trackers import FACTORIES
    from integration.run.units import TrackerSpec

    rpn = [s for s in specs if s.name == "siamrpn"] or [TrackerSpec(name="siamrpn", label="siamrpn")]
    out = [TrackerSpec(name=FACTORIES["siamfc_lite0"], label="siamfc_lite0")]
    for s in rpn:
        weights = s.weights or str(default_weights_path())
        prefix = f"{s.label or s.name}-" if len(rpn) > 1 else ""
        out.append(TrackerSpec(name=FACTORIES["oracle_scale"], weights=weights, label=f"{prefix}oracle_scale",
                               options=(("dataset", str(Path(dataset).resolve())),)))
        out.append(TrackerSpec(name=FACTORIES["pyramid_scale"], weights=weights, label=f"{prefix}pyramid_scale"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "data" / "sequences")
    ap.add_argument("--tracker", action="append", required=True, help="label=name[:weights] (repeatable)")
    ap.add_argument("--out", type=Path, default=REPO / "output" / "quality")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-run", action="store_true", help="only score the results already under <out>/runs")
    ap.add_argument("--diagnose", action="store_true",
                    help="add the diagnosis trackers siamfc_lite0, oracle_scale, pyramid_scale (issue 20)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import warnings

    import pandas as pd

    from integration.data.sequences import load_dataset
    from integration.jobs.scoring import fitted_interval, score_otb, score_vot
    from integration.run.experiment import run_experiment
    from integration.run.units import ExperimentSpec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader's notes about cut sequences are stated in the docstring
        seqs = load_dataset(args.dataset)
    specs = [_spec(t) for t in args.tracker]
    if args.diagnose:
        specs += diagnosis_specs(specs, args.dataset)
    runs = args.out / "runs"
    for kind in () if args.no_run else ("baseline", "otb"):
        summary = run_experiment(specs, ExperimentSpec(kind=kind, deterministic=True), seqs, runs,
                                 workers=args.workers)
        failed = [o.key for o in summary.outcomes if o.status == "failed"]
        if failed or summary.unavailable:
            print(json.dumps({"failed": failed, "unavailable": summary.unavailable}), file=sys.stderr)
    ann = {n: s.annotation for n, s in seqs.items()}
    pooled = fitted_interval([len(a.groundtruth) for a in ann.values()])
    out: dict = {"sequences": len(ann), "frames": int(sum(len(a.groundtruth) for a in ann.values())),
                 "eao_interval": [pooled.low, pooled.high], "eao_convention": "LEG (MATLAB toolkit), 1 run",
                 "otb_convention": "OTB: AUC of the 21-point success curve, precision at 20 px, mean over sequences",
                 "trackers": {}}
    rows = []
    for spec in specs:
        tdir = runs / spec.result_name
        vot = score_vot(ann, tdir, "baseline", pooled)
        otb = score_otb(ann, tdir)  # one-pass results: <tracker>/<seq>.txt
        per_eao = {}
        for name, a in ann.items():
            per_eao[name] = score_vot({name: a}, tdir, "baseline", fitted_interval([len(a.groundtruth)])).eao
        vps = vot.per_sequence.set_index("sequence") if "sequence" in vot.per_sequence else vot.per_sequence
        ops = otb.per_sequence.set_index("sequence") if "sequence" in otb.per_sequence else otb.per_sequence
        for name in ann:
            rows.append({"tracker": spec.result_name, "sequence": name,
                         "accuracy": float(vps.loc[name, "accuracy"]), "failures": float(vps.loc[name, "failures"]),
                         "eao_own_interval": per_eao[name], "auc": float(ops.loc[name, "auc"]),
                         "precision": float(ops.loc[name, "precision"])})
        out["trackers"][spec.result_name] = {
            "eao": vot.eao, "accuracy": vot.accuracy, "failures": vot.failures,
            "eao_mean_per_sequence": float(sum(per_eao.values()) / len(per_eao)),
            "auc": otb.auc, "precision": otb.precision}
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "per_sequence.csv", index=False)
    (args.out / "quality.json").write_text(json.dumps(out, indent=1))
    print(table.pivot(index="sequence", columns="tracker", values=["eao_own_interval", "auc"]).round(3)
          .to_string(), file=sys.stderr)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
