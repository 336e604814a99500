"""The fixed validation protocol of the project's weights: one line per checkpoint.

Protocol (the same for every checkpoint, so a curve over training steps is comparable): the real sequences of a
folder (default ``../shared/data/sequences``, never used for training), the VOT baseline experiment (resets,
1 run; LEG scoring, EAO pooled over all sequences with the interval fitted to their lengths) and the OTB one-pass
experiment (mean success AUC and precision at 20 px over the sequences), both through the project's runner and
analysis (:mod:`integration.jobs.scoring`). ``score`` = (EAO + AUC) / 2 chooses the shipped checkpoint.
"""
from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Mapping

from integration.data.sequences import load_dataset
from integration.jobs.scoring import fitted_interval, score_otb, score_vot
from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec

__all__ = ["ValidationResult", "validate_weights", "load_validation_sequences"]


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """Scores of one checkpoint on the validation sequences."""

    weights: str
    eao: float
    accuracy: float
    failures: float
    auc: float
    precision: float
    sequences: int
    frames: int

    @property
    def score(self) -> float:
        """(pooled EAO + mean OTB AUC) / 2: what chooses the shipped checkpoint."""
        return (self.eao + self.auc) / 2


def load_validation_sequences(folder: Path) -> Mapping:
    """The sequences of ``folder`` (the loader's notes about annotated prefixes are expected and silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_dataset(folder)


def validate_weights(weights: str | Path, seqs: Mapping, out: Path, *, label: str | None = None,
                     preset: str | None = None, workers: int = 1) -> ValidationResult:
    """Run and score one checkpoint (results under ``out/runs/<label>``; a rerun resumes finished units)."""
    options = (("preset", preset),) if preset else ()
    spec = TrackerSpec(name="siamrpn", weights=str(weights), label=label or Path(weights).stem, options=options)
    runs = out / "runs"
    for kind in ("baseline", "otb"):
        summary = run_experiment([spec], ExperimentSpec(kind=kind, deterministic=True), seqs, runs, workers=workers)
        failed = [o.key for o in summary.outcomes if o.status == "failed"]
        if failed or summary.unavailable:
            raise RuntimeError(f"validation of {weights}: units failed {failed} unavailable {summary.unavailable}")
    ann = {n: s.annotation for n, s in seqs.items()}
    tdir = runs / spec.result_name
    vot = score_vot(ann, tdir, "baseline", fitted_interval([len(a.groundtruth) for a in ann.values()]))
    otb = score_otb(ann, tdir)
    return ValidationResult(str(weights), float(vot.eao), float(vot.accuracy), float(vot.failures), float(otb.auc),
                            float(otb.precision), len(ann), int(sum(len(a.groundtruth) for a in ann.values())))
