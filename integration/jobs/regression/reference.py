"""EAO regression gate: compare a fresh run's metrics with a committed reference.

The reference is a JSON file (``results/regression/<name>.json``) holding, for each regression *case*
(a fixed set of sequences run under a fixed protocol), the overall metrics and the per-sequence ones.
Comparison is a pure function of two such dictionaries and a :class:`Tolerances`, so it is tested without
running a tracker.

Direction matters: EAO, accuracy and AUC regress when they go *down*, failures when they go *up*.
A change beyond tolerance in the good direction passes but is reported, so the reference can be refreshed
on purpose with ``siamrpn regress --update``.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

SCHEMA_VERSION = 1

#: metric -> +1 if larger is better, -1 if smaller is better
METRIC_DIRECTION: dict[str, int] = {
    "eao": +1,
    "accuracy": +1,
    "failures": -1,
    "robustness": -1,
    "auc": +1,
    "precision": +1,
}


@dataclass(frozen=True)
class Tolerances:
    """Largest tolerated change in the bad direction, per metric (absolute units of the metric).

    Defaults: the CPU run is bit-for-bit repeatable on one machine (fixed threads and seeds; checked in
    ``tests/test_regression_gate.py`` with 1 and 2 workers), but float summation order differs between
    CPUs/BLAS builds, which can move a box by a fraction of a pixel and, rarely, flip one failure. The
    tolerances absorb that and little more: perturbing the conv weights by 2 % (multiplicative Gaussian)
    already moved the generated case's EAO by 0.08 and AUC by 0.05 (measured with provisional weights, see
    docs/regression.md), i.e. the gate sees small changes — in either direction, so the tests degrade the
    tracker on purpose (shifted boxes, 50 % weight noise) rather than rely on a small random perturbation.
    """

    eao: float = 0.02
    accuracy: float = 0.02
    failures: float = 1.0  #: failures (averaged over runs) per case or sequence
    robustness: float = 1.0  #: failures per 100 frames
    auc: float = 0.02
    precision: float = 0.03
    #: per-sequence checks use these multiplied by this factor (single sequences are noisier)
    per_sequence_factor: float = 2.5

    def for_metric(self, metric: str, per_sequence: bool) -> float:
        base = float(getattr(self, metric))
        return base * self.per_sequence_factor if per_sequence else base


class ReferenceMissing(FileNotFoundError):
    """The regression reference file does not exist (the message says how to create it)."""


class ReferenceInvalid(ValueError):
    """The reference parses as JSON but its contents are unusable (wrong types, negative tolerances...).

    ``problems``: one line each, naming the JSON path; ``tolerances_bad``: whether the tolerances are among
    them (``--update`` keeps the tolerances, so it refuses such a reference too)."""

    def __init__(self, path: Path, problems: list[str], tolerances_bad: bool) -> None:
        super().__init__(f"{path}: invalid regression reference:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems, self.tolerances_bad = problems, tolerances_bad


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def reference_problems(data: Any) -> tuple[list[str], bool]:
    """``(problems, tolerances_bad)`` of a parsed reference: types of cases and metric values, tolerance keys,
    types and signs (each tolerance a finite number >= 0, ``per_sequence_factor`` > 0)."""
    if not isinstance(data, dict):
        return [f"top level: expected an object, got {type(data).__name__}"], False
    problems: list[str] = []
    tol_problems: list[str] = []
    tol = data.get("tolerances", {})
    fields = {f for f in Tolerances.__dataclass_fields__}
    if not isinstance(tol, dict):
        tol_problems.append(f"tolerances: expected an object, got {type(tol).__name__}")
    else:
        for key, value in tol.items():
            if key not in fields:
                tol_problems.append(f"tolerances.{key}: unknown tolerance (known: {', '.join(sorted(fields))})")
            elif not _is_number(value) or not math.isfinite(value):
                tol_problems.append(f"tolerances.{key}: expected a finite number, got {value!r}")
            elif key == "per_sequence_factor" and value <= 0:
                tol_problems.append(f"tolerances.{key}: must be > 0, got {value!r}")
            elif value < 0:
                tol_problems.append(f"tolerances.{key}: must be >= 0 (largest tolerated change in the bad "
                                    f"direction), got {value!r}")
    cases = data.get("cases")
    if not isinstance(cases, dict) or not cases:
        problems.append(f"cases: expected a non-empty object of cases, got {cases!r:.60}")
        cases = {}

    def metrics(where: str, block: Any) -> None:
        if not isinstance(block, dict):
            problems.append(f"{where}: expected an object of metrics, got {type(block).__name__}")
            return
        for metric, value in block.items():
            if metric in METRIC_DIRECTION and value is not None and not _is_number(value):
                problems.append(f"{where}.{metric}: expected a number, got {type(value).__name__} {value!r:.40}")

    for name, case in cases.items():
        if not isinstance(case, dict):
            problems.append(f"cases.{name}: expected an object, got {type(case).__name__}")
            continue
        metrics(f"cases.{name}.overall", case.get("overall", {}))
        seqs = case.get("sequences", {})
        if not isinstance(seqs, dict):
            problems.append(f"cases.{name}.sequences: expected an object, got {type(seqs).__name__}")
            continue
        for seq, block in seqs.items():
            metrics(f"cases.{name}.sequences.{seq}", block)
    return tol_problems + problems, bool(tol_problems)


def load_reference(path: Path) -> dict[str, Any]:
    """Read a reference JSON, with an actionable error when it is missing, malformed or invalid
    (:class:`ReferenceInvalid`: types, tolerance signs; checked before anything runs)."""
    path = Path(path)
    if not path.exists():
        raise ReferenceMissing(
            f"no regression reference at {path}. Create it on purpose with "
            f"'siamrpn regress --reference {path} --update' (runs the tracker and records its metrics), "
            f"review the numbers, and commit the file."
        )
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: malformed regression reference ({exc.msg})") from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION or "cases" not in data:
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{path}: not a regression reference of schema {SCHEMA_VERSION} (keys: {keys})")
    problems, tolerances_bad = reference_problems(data)
    if problems:
        raise ReferenceInvalid(path, problems, tolerances_bad)
    return data


def save_reference(path: Path, data: Mapping[str, Any]) -> None:
    """Write a reference JSON atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rows(case: str, scope: str, before: Mapping[str, float], after: Mapping[str, float],
          tol: Tolerances) -> list[dict[str, Any]]:
    rows = []
    for metric, direction in METRIC_DIRECTION.items():
        if metric not in before and metric not in after:
            continue
        b = before.get(metric)
        a = after.get(metric)
        allowed = tol.for_metric(metric, per_sequence=scope != "overall")
        if b is None or a is None or _isnan(b) or _isnan(a):
            status = "missing" if (b is None) != (a is None) else ("ok" if _isnan(b) and _isnan(a) else "missing")
            delta = math.nan
        else:
            delta = float(a) - float(b)
            worse = -direction * delta  # > 0 when the change is in the bad direction
            if worse > allowed + 1e-12:
                status = "REGRESSION"
            elif -worse > allowed + 1e-12:
                status = "improved"
            else:
                status = "ok"
        rows.append({"case": case, "scope": scope, "metric": metric, "before": b, "after": a,
                     "delta": delta, "tolerance": allowed, "status": status})
    return rows


def _isnan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def compare(reference: Mapping[str, Any], current: Mapping[str, Any], tol: Tolerances = Tolerances()) -> pd.DataFrame:
    """Table of before/after/delta per case, metric and sequence, with a status column.

    ``status`` is ``REGRESSION`` (worse than tolerance), ``improved`` (better than tolerance),
    ``ok``, or ``missing`` (a case, sequence or metric present on one side only — a missing case or
    sequence in the current run counts as a failure of the gate too).
    """
    rows: list[dict[str, Any]] = []
    ref_cases = reference.get("cases", {})
    cur_cases = current.get("cases", {})
    for case in sorted(set(ref_cases) | set(cur_cases)):
        ref = ref_cases.get(case)
        cur = cur_cases.get(case)
        if ref is None or cur is None:
            rows.append({"case": case, "scope": "overall", "metric": "*", "before": None, "after": None,
                         "delta": math.nan, "tolerance": math.nan,
                         "status": "missing" if cur is None else "new"})
            continue
        rows += _rows(case, "overall", ref.get("overall", {}), cur.get("overall", {}), tol)
        ref_seq = ref.get("sequences", {})
        cur_seq = cur.get("sequences", {})
        for seq in sorted(set(ref_seq) | set(cur_seq)):
            if seq not in ref_seq or seq not in cur_seq:
                rows.append({"case": case, "scope": seq, "metric": "*", "before": None, "after": None,
                             "delta": math.nan, "tolerance": math.nan,
                             "status": "missing" if seq not in cur_seq else "new"})
                continue
            rows += _rows(case, seq, ref_seq[seq], cur_seq[seq], tol)
    return pd.DataFrame(rows, columns=["case", "scope", "metric", "before", "after", "delta", "tolerance", "status"])


def gate_passes(table: pd.DataFrame) -> bool:
    """True when nothing regressed and nothing the reference has is missing from the run."""
    return not table["status"].isin(["REGRESSION", "missing"]).any()


def format_table(table: pd.DataFrame, only_changes: bool = False) -> str:
    """Readable before/after/delta table (regressions first)."""
    if table.empty:
        return "(no metrics compared)"
    view = table.copy()
    if only_changes:
        view = view[view["status"] != "ok"]
        if view.empty:
            return "all metrics within tolerance"
    order = {"REGRESSION": 0, "missing": 1, "improved": 2, "new": 3, "ok": 4}
    view = view.assign(_o=view["status"].map(order)).sort_values(["_o", "case", "scope", "metric"]).drop(columns="_o")
    return view.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def tolerances_dict(tol: Tolerances) -> dict[str, float]:
    """Tolerances as a plain dict (stored in the reference so a reader sees what was enforced)."""
    return asdict(tol)
