"""Output helpers shared by the subcommands (JSON-safe conversion of numpy and pandas values, the metric
table with optional bootstrap intervals, the ``--bootstrap``/``--seed`` options)."""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.metrics.bootstrap import Interval


def _jsonable(obj):
    """NaN/inf -> None and numpy scalars -> Python numbers, recursively (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def add_bootstrap_options(p: argparse.ArgumentParser) -> None:
    """``--bootstrap N`` and ``--seed S`` (shared with ``analyze vot``)."""
    p.add_argument("--bootstrap", type=int, default=0, metavar="N",
                   help="add 95%% bootstrap intervals over sequences with N resamples (columns low/high, JSON "
                        "'ci'); 0 = off (default)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resampling (default 0)")


def metric_table(rows: list[tuple[str, float, str, str]], ci: dict[str, Interval] | None) -> pd.DataFrame:
    """``metric | value [| low | high] | convention`` (low/high NaN for a score without an interval)."""
    records = []
    for label, value, convention, key in rows:
        record = {"metric": label, "value": value}
        if ci is not None:
            iv = ci.get(key)
            record.update(low=iv.low if iv else float("nan"), high=iv.high if iv else float("nan"))
        records.append({**record, "convention": convention})
    return pd.DataFrame(records).set_index("metric")


def bootstrap_line(ci: dict[str, Interval]) -> str:
    """One line saying how the intervals were computed."""
    first = next(iter(ci.values()))
    counts = sorted({iv.resamples for iv in ci.values()})
    return (f"intervals: {first.level:.0%} percentile bootstrap over {first.sequences} sequences, "
            f"{'/'.join(map(str, counts))} resamples, seed {first.seed} (docs/conventions.md)")
