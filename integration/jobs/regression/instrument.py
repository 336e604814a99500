"""Is the instrument still calibrated? Re-score published raw results and compare with the published scores.

The regression gate guards the tracker *and* the code that scores it: a change in the overlap, EAO or OTB
code could move every tracker's numbers at once and pass the tracker comparison unnoticed. When the shared
raw results are present (``../shared/data/results`` or ``$SIAMRPN_SHARED_DATA/results``) this module scores
them with the default conventions and checks the published numbers:

==============================  ==========================================  ===========  =================
raw results                     published                                   convention   source
==============================  ==========================================  ===========  =================
VOT2018/DaSiamRPN baseline      EAO 0.383, A 0.586, R 0.276, 59 failures    LEG, 100-356 DaSiamRPN README
VOT2017/SiamFC baseline         EAO 0.188                                   LEG, 100-356 VOT2017 report
VOT2017/SiamFC realtime         EAO 0.182                                   LEG, 100-356 VOT2017 report
OTB100/DaSiamRPN                AUC 0.658, P@20 0.880                       OTB          pysot-toolkit README
==============================  ==========================================  ===========  =================

Tolerances are the rounding of the published figures (plus the accuracy's known 0.0002 LEG/PST gap), the
same as ``tests/test_vot_published.py`` and ``tests/test_otb_metrics.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.paths import shared_data_dir
from analysis.io.otb import load_otb_json
from analysis.io.results import load_otb_results
from analysis.io.trajectories import load_tracker_results
from analysis.metrics.otb import evaluate_otb
from analysis.metrics.vot.analysis import VOTSettings, analyze_vot, load_vot_annotations
from analysis.stacks import results_benchmark

__all__ = ["PublishedScore", "PUBLISHED", "check_published", "instrument_passes", "missing_published_inputs"]


@dataclass(frozen=True)
class PublishedScore:
    """One published number: which raw results, which metric, the value and the tolerance."""

    results: str  #: folder under ``<shared>/results``
    experiment: str  #: ``baseline`` / ``realtime`` (VOT) or ``ope`` (OTB)
    metric: str
    published: float
    tolerance: float
    source: str


PUBLISHED: tuple[PublishedScore, ...] = (
    PublishedScore("VOT2018/DaSiamRPN", "baseline", "eao", 0.383, 0.001, "DaSiamRPN README, VOT2018 (LEG)"),
    PublishedScore("VOT2018/DaSiamRPN", "baseline", "accuracy", 0.586, 0.002, "DaSiamRPN README, VOT2018 (LEG)"),
    PublishedScore("VOT2018/DaSiamRPN", "baseline", "robustness", 0.276, 0.002, "DaSiamRPN README, VOT2018 (PST R)"),
    PublishedScore("VOT2018/DaSiamRPN", "baseline", "failures", 59, 0.0, "pysot-toolkit 'Lost Number', VOT2018"),
    PublishedScore("VOT2017/SiamFC", "baseline", "eao", 0.188, 0.002, "VOT2017 results paper (LEG)"),
    PublishedScore("VOT2017/SiamFC", "realtime", "eao", 0.182, 0.002, "VOT2017 results paper, real-time (LEG)"),
    PublishedScore("OTB100/DaSiamRPN", "ope", "auc", 0.658, 0.001, "pysot-toolkit README, OTB2015 success AUC"),
    PublishedScore("OTB100/DaSiamRPN", "ope", "precision", 0.880, 0.001, "pysot-toolkit README, OTB2015 P@20"),
)



def _measure(shared: Path, results: str, experiment: str, cache: dict) -> dict[str, float]:
    key = (results, experiment)
    if key in cache:
        return cache[key]
    folder = shared / "results" / results
    if experiment == "ope":

        ann = cache.setdefault("otb_ann", load_otb_json(shared / "annotations" / "OTB2015.json"))
        rep = evaluate_otb(ann, load_otb_results(folder, ann).boxes)
        cache[key] = {"auc": rep.auc, "precision": rep.precision}
    else:

        # VOT2017 and VOT2018 share sequences and ground truth (toolkit-legacy#175)
        ann = cache.setdefault("vot_ann", load_vot_annotations(shared / "annotations" / "VOT2018.json"))
        runs = load_tracker_results(folder, experiment, sequences=list(ann))
        rep = analyze_vot(ann, runs, VOTSettings(variant="leg", stack=results_benchmark(results.split("/")[0]).name),
                          results_source=str(folder / experiment))
        cache[key] = {"eao": rep.eao, "accuracy": rep.accuracy, "robustness": rep.robustness,
                      "failures": rep.failures}
    return cache[key]


def check_published(shared: str | Path | None = None,
                    scores: tuple[PublishedScore, ...] = PUBLISHED) -> tuple[pd.DataFrame, list[str]]:
    """Table ``results, experiment, metric, published, measured, delta, tolerance, status`` and notices.

    A check whose raw results or annotations are absent is left out with a notice (not failed); an error
    while scoring present files is a failure (``status = ERROR`` with the message).
    """
    shared = Path(shared) if shared is not None else shared_data_dir()
    rows, notices, cache = [], [], {}
    for s in scores:
        ann = shared / "annotations" / ("OTB2015.json" if s.experiment == "ope" else "VOT2018.json")
        folder = shared / "results" / s.results
        if not folder.is_dir() or not ann.is_file():
            missing = folder if not folder.is_dir() else ann
            notices.append(f"instrument check {s.results} {s.experiment} {s.metric} skipped: {missing} not found")
            continue
        row = {"results": s.results, "experiment": s.experiment, "metric": s.metric, "published": s.published,
               "tolerance": s.tolerance, "source": s.source}
        try:
            value = _measure(shared, s.results, s.experiment, cache)[s.metric]
        except Exception as exc:  # noqa: BLE001 - a broken instrument is a failed check, reported
            rows.append({**row, "measured": float("nan"), "delta": float("nan"),
                         "status": f"ERROR: {type(exc).__name__}: {exc}"})
            continue
        delta = value - s.published
        rows.append({**row, "measured": value, "delta": delta,
                     "status": "ok" if abs(delta) <= s.tolerance + 1e-12 else "DRIFT"})
    cols = ["results", "experiment", "metric", "published", "measured", "delta", "tolerance", "status", "source"]
    return pd.DataFrame(rows, columns=cols), notices


def missing_published_inputs(shared: str | Path | None = None,
                             scores: tuple[PublishedScore, ...] = PUBLISHED) -> list[Path]:
    """The raw-result folders and annotation files the instrument check needs and does not find (sorted)."""
    shared = Path(shared) if shared is not None else shared_data_dir()
    missing = set()
    for s in scores:
        ann = shared / "annotations" / ("OTB2015.json" if s.experiment == "ope" else "VOT2018.json")
        folder = shared / "results" / s.results
        missing |= {p for p, ok in ((folder, folder.is_dir()), (ann, ann.is_file())) if not ok}
    return sorted(missing)


def instrument_passes(table: pd.DataFrame) -> bool:
    """True when every check that ran reproduced its published number."""
    return bool((table["status"] == "ok").all())
