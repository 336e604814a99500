"""Measure the regression set for ``siamrpn regress``: run the tracker, score it, describe what was run.

Cases (each one entry of the reference):

* ``generated``: :data:`integration.data.generated.REGRESSION_SET` (4 synthetic sequences, 250 frames, always
  available, in memory: exact pixels, no JPEG round trip);
* ``bag``: the real VOT ``bag`` sequence (196 frames) when ``../shared/data`` (or ``$SIAMRPN_SHARED_DATA``)
  has it.

Every case runs the VOT baseline protocol (resets; the tracker is declared deterministic: one run, as LEG
does after three identical runs) and the OTB one-pass protocol through :mod:`integration.run`, then
:mod:`integration.jobs.scoring` computes EAO (LEG, interval fitted to the case's lengths), accuracy (LEG pooled,
burn-in 10), failures, robustness (failures / 100 frames), OTB success AUC and precision@20, overall and per
sequence. The tracker is built by :func:`deterministic_tracker` in every worker: CPU, a fixed number of
torch threads (1) and fixed seeds, so a result depends on the weights and the code, not on the worker count.
"""
from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.core.paths import REPO_ROOT, default_weights_path
from integration.data.generated import REGRESSION_SET, GeneratedSet, bag_path
from integration.data.sequences import Sequence, load_vot_dataset
from integration.jobs.regression.reference import SCHEMA_VERSION
from integration.jobs.scoring import fitted_interval, score_otb, score_vot
from integration.run.experiment import plan_units
from integration.run.supervise import run_units
from integration.run.units import ExperimentSpec, TrackerSpec, file_sha256

__all__ = ["GateSettings", "Case", "regression_cases", "deterministic_tracker", "weights_info", "run_cases", "score_case",
           "measure", "environment", "TRACKER_LABEL"]

TRACKER_LABEL = "siamrpn"


@dataclass(frozen=True)
class GateSettings:
    """What the gate runs. ``weights=None``: the default weights (:func:`analysis.core.paths.default_weights_path`)."""

    weights: str | None = None
    #: tracker factory (``module:callable`` taking ``weights, threads, seed, preset``); tests swap it
    tracker: str = "integration.jobs.regression.measure:deterministic_tracker"
    preset: str | None = None  #: None: the preset stored with the weights (``lite0`` for the default weights)
    threads: int = 1
    seed: int = 0
    workers: int = 2
    generated: GeneratedSet = REGRESSION_SET
    include_bag: bool = True
    progress: bool = True


@dataclass(frozen=True)
class Case:
    """One regression case: a fixed list of sequences and a description of where they come from."""

    name: str
    sequences: dict[str, Sequence] = field(hash=False)
    description: dict = field(hash=False)


def regression_cases(settings: GateSettings) -> tuple[list[Case], dict[str, str]]:
    """The cases that can run here, and ``{case: why not}`` for the known ones that cannot."""
    gen = settings.generated
    cases = [Case("generated", gen.sequences(), gen.describe())]
    absent: dict[str, str] = {}
    bag = bag_path()
    if not settings.include_bag:
        absent["bag"] = "left out on request (--no-bag)"
    elif bag is None:
        absent["bag"] = "real sequence not found (../shared/data/sequences/bag or $SIAMRPN_SHARED_DATA/sequences/bag)"
    else:

        seqs = load_vot_dataset(bag)
        cases.append(Case("bag", seqs, {"source": "VOT sequence 'bag' from the shared data (not in the repository)",
                                        "lengths": [len(s) for s in seqs.values()]}))
    return cases, absent


def deterministic_tracker(weights: str | None = None, device: str = "cpu", threads: int = 1, seed: int = 0,
                          preset: str | None = None) -> Any:
    """SiamRPN with fixed torch threads and seeds (the gate's tracker factory, built inside each worker)."""
    import torch  # lazy: keeps torch off the start-up of commands that do not track

    torch.set_num_threads(int(threads))
    torch.manual_seed(int(seed))
    np.random.seed(int(seed))
    from tracker.siamrpn import SiamRPNTracker  # lazy: keeps torch off the start-up of commands that do not track

    return SiamRPNTracker(weights=weights, preset=preset, device=device)


def _sha256(path: Path) -> str:
    return file_sha256(path)


def weights_info(weights: str | None) -> dict[str, Any]:
    """Which weights: ``{"spec", "path", "sha256"}`` (``sha256`` of the file bytes; ``None`` for ``random:``).

    Raises :class:`tracker.weights.WeightsError` (with the instruction it carries) when the file is missing.
    """
    from tracker.weights import WeightsError  # lazy: keeps torch off the start-up of commands that do not track

    if weights is not None and str(weights).startswith("random:"):
        return {"spec": str(weights), "path": None, "sha256": None}
    path = Path(weights) if weights is not None else default_weights_path()
    if not path.is_file():
        raise WeightsError(
            f"no SiamRPN weights at {path}. The gate runs the default weights: train them with `siamrpn train` "
            "(writes results/weights/siamrpn_default.pth) or pass --weights FILE")
    try:
        shown = str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        shown = str(path)
    return {"spec": "default" if weights is None else str(weights), "path": shown, "sha256": _sha256(path)}


def _stored_preset(weights: str | None) -> str:
    """Name of the preset the tracker uses when none is given (the one stored with the weights)."""
    from tracker.siamrpn import preset_for_weights  # lazy: keeps torch off the start-up of commands that do not track

    try:
        return preset_for_weights(weights).name
    except Exception:  # noqa: BLE001 - a custom tracker factory may take files that are not SiamRPN weights
        return "stored with the weights"


def environment() -> dict[str, str]:
    """Versions and machine the measurement was made on (stored in the reference, shown on a mismatch)."""

    def version(pkg: str) -> str:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return "not installed"

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "torch": version("torch"), "numpy": version("numpy"),
            "opencv": version("opencv-contrib-python") if version("opencv-contrib-python") != "not installed"
            else version("opencv-python"), "platform": platform.platform(), "cpu": cpu}


def _tracker_spec(settings: GateSettings):

    options = (("threads", settings.threads), ("seed", settings.seed), ("preset", settings.preset))
    return TrackerSpec(settings.tracker, settings.weights, "cpu", options, label=TRACKER_LABEL)


def run_cases(cases: list[Case], settings: GateSettings, out: Path) -> None:
    """Run the baseline and one-pass protocols of every case in one pool of ``settings.workers`` processes
    (results under ``out/<case>/<kind>/siamrpn``); raises ``RuntimeError`` with the runner's report on failure."""

    torch = sys.modules.get("torch")
    threads_before = torch.get_num_threads() if torch is not None else None
    spec = _tracker_spec(settings)
    try:
        spec.build()  # fail early (missing weights, bad factory) instead of once per unit
        units = []
        for case in cases:
            for kind in ("baseline", "otb"):
                units += plan_units([spec], ExperimentSpec(kind=kind, deterministic=True), case.sequences,
                                    out / case.name / kind)
        units.sort(key=lambda u: -len(u.sequence))  # longest first: better packing on the workers
        outcomes = run_units(units, workers=settings.workers, resume=False, progress=settings.progress)
    finally:  # the factory fixed torch's thread count in this process: give the caller its own back
        if threads_before is not None:
            sys.modules["torch"].set_num_threads(threads_before)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError("the tracker did not run everywhere:\n" + "\n".join(
            f"  {o.key}: {o.error} (traceback: {o.log})" for o in failed))


def score_case(case: Case, out: Path) -> dict[str, Any]:
    """Score one case's runs: ``{"overall": {...}, "sequences": {seq: {...}}, "info": {...}}``."""
    annotations = {n: s.annotation for n, s in case.sequences.items()}
    lengths = [len(s) for s in case.sequences.values()]
    interval = fitted_interval(lengths)
    vot = score_vot(annotations, out / case.name / "baseline" / TRACKER_LABEL, "baseline", interval)
    otb = score_otb(annotations, out / case.name / "otb" / TRACKER_LABEL)
    overall = {"eao": vot.eao, "accuracy": vot.accuracy, "failures": vot.failures, "robustness": vot.robustness,
               "auc": otb.auc, "precision": otb.precision}
    per_seq: dict[str, dict[str, float]] = {}
    for name in annotations:
        v, o = vot.per_sequence.loc[name], otb.per_sequence.loc[name]
        per_seq[name] = {"accuracy": _num(v["accuracy"]), "failures": _num(v["failures"]),
                         "auc": _num(o["auc"]), "precision": _num(o["precision"])}
    return {
        "overall": {k: _num(v) for k, v in overall.items()},
        "sequences": per_seq,
        "info": {"set": case.description, "lengths": dict(zip(annotations, lengths)), "frames": int(sum(lengths)),
                 "eao_interval": [interval.low, interval.high], "eao_interval_source": interval.source,
                 "runs": 1},
    }


def _num(v: Any) -> float:
    return float(v)


def measure(settings: GateSettings, out: str | os.PathLike, cases: list[Case] | None = None) -> dict[str, Any]:
    """Measure every available case; the dict has the reference layout (``schema``, ``cases``, provenance)."""

    out = Path(out)
    winfo = weights_info(settings.weights)
    if cases is None:
        cases, _ = regression_cases(settings)
    start = time.perf_counter()
    run_cases(cases, settings, out / "runs")
    seconds = round(time.perf_counter() - start, 1)
    measured = {c.name: score_case(c, out / "runs") for c in cases}
    return {
        "schema": SCHEMA_VERSION,
        "cases": measured,
        "weights": winfo,
        "tracker": {"name": "SiamRPN", "preset": settings.preset or _stored_preset(settings.weights), "device": "cpu",
                    "threads": settings.threads,
                    "seed": settings.seed, "baseline_runs": "1 (declared deterministic)",
                    "workers": settings.workers, "seconds": seconds},
        "conventions": {
            "eao": "LEG (MATLAB vot-toolkit): 1/#runs weights, interval fitted to the case's lengths "
                   "(LEG KDE; single length N: [ceil(N/2), N])",
            "accuracy": "LEG pooled frame means, burn-in 10 frames after each (re)initialisation",
            "failures": "LEG: failures of the baseline experiment (resets, 5 frames skipped), summed over sequences",
            "robustness": "failures per 100 frames (PST/GRP)",
            "auc": "OTB one-pass: mean of the 21-point success curve (IoU > thr), frame 1 = ground truth",
            "precision": "OTB: fraction of frames with centre error <= 20 px",
        },
        "environment": environment(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def dumps(data: dict) -> str:
    """Pretty JSON (as the reference is stored)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
