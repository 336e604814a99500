"""Output helpers shared by the subcommands (JSON-safe conversion of numpy and pandas values, the metric
table with optional bootstrap intervals, the ``--bootstrap``/``--seed`` options)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis.core.plain import to_plain
from analysis.metrics.bootstrap import MIN_BOOTSTRAP_SEQUENCES, Interval, intervals_summary
from analysis.metrics.compare import Comparison, comparison_summary


def jsonable(obj):
    """NaN/inf -> None and numpy scalars -> Python numbers, recursively (strict JSON)."""
    return to_plain(obj, strict_json=True)


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
    few = (f"; too few sequences (< {MIN_BOOTSTRAP_SEQUENCES}) for a meaningful interval: descriptive only"
           if first.sequences < MIN_BOOTSTRAP_SEQUENCES else "")
    return (f"intervals: {first.level:.0%} percentile bootstrap over {first.sequences} sequences, "
            f"{'/'.join(map(str, counts))} resamples, seed {first.seed} (docs/conventions.md){few}")


def add_tracker_options(p: argparse.ArgumentParser, results_help: str) -> None:
    """``--results DIR`` (repeatable), ``--results-root DIR`` (a folder of tracker folders), ``--baseline``."""
    p.add_argument("--results", type=Path, action="append", default=None,
                   help=results_help + "; repeat for several trackers (one ranking, paired tests against the first)")
    p.add_argument("--results-root", type=Path, default=None,
                   help="a folder of tracker folders, e.g. a 'siamrpn run --out' folder: every sub-folder is one "
                        "tracker (sorted by name, after the --results folders; hidden and _runner skipped)")
    p.add_argument("--baseline", default=None,
                   help="tracker the others are compared with (paired tests; default: the first)")


def tracker_folders(results: list[Path] | None, root: Path | None) -> dict[str, Path]:
    """``{tracker name: folder}`` of the ``--results`` folders, then the sub-folders of ``--results-root``.

    Names are folder names (the parent's name is added when two folders share one); hidden sub-folders and those
    starting with ``_`` (the runner's ``_runner`` records, so a ``siamrpn run --out`` folder can be the root) are
    skipped. Raises ``ValueError`` when no folder is given or the root is not a folder / holds none."""
    folders = [Path(p) for p in results or []]
    if root is not None:
        root = Path(root)
        if not root.is_dir():
            raise ValueError(f"{root}: --results-root is not a folder")
        found = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
        if not found:
            raise ValueError(f"{root}: --results-root holds no tracker folder")
        folders += found
    if not folders:
        raise ValueError("give --results DIR (repeatable) or --results-root DIR")
    out: dict[str, Path] = {}
    for folder in folders:
        name = folder.name if folder.name not in out else f"{folder.name} ({folder.parent.name})"
        if name in out:
            raise ValueError(f"{folder}: given twice")
        out[name] = folder
    return out


def comparison_lines(comparison) -> list[str]:
    """Header lines of a multi-tracker table: ranking key, baseline and how the paired tests were made."""
    lines = [f"{len(comparison.trackers)} trackers ranked by {comparison.primary}"
             + (f"; paired tests: tracker minus baseline {comparison.baseline!r} on common sequences "
                "(columns *_diff, *_diff_low, *_diff_high, *_p)" if len(comparison.trackers) > 1 else "")]
    tests = [t for tests in comparison.paired.values() for t in tests.values()]
    if tests:
        methods = sorted({t.method for t in tests})
        counts = sorted({t.resamples for t in tests if t.resamples})
        lines.append(f"paired: {'; '.join(methods)}; {'/'.join(map(str, counts)) or 'no'} resamples, seed "
                     f"{tests[0].seed}, {tests[0].level:.0%} interval")
    if any(t.too_few for t in tests):
        lines.append(f"too few sequences for a paired bootstrap (fewer than {MIN_BOOTSTRAP_SEQUENCES}): "
                     "*_diff_low/_diff_high are empty (NaN) for those trackers; see the notes below")
    return lines


def print_comparison(args: argparse.Namespace, reports: dict, comparison: Comparison, title: str,
                     summaries: dict | None = None) -> int:
    """Print a multi-tracker comparison: JSON keyed by tracker (each its single-tracker object) or the table."""
    if args.json:
        trackers = {}
        for name in comparison.trackers:
            summary = (summaries or {}).get(name)
            if summary is None:
                summary = reports[name].summary(curves=getattr(args, "curves", False), per_sequence=args.per_sequence)
            if comparison.intervals:
                summary["ci"] = intervals_summary(comparison.intervals[name])
            summary["rank"] = comparison.trackers.index(name) + 1
            summary["fps"] = comparison.fps.get(name, float("nan"))
            if name in comparison.paired:
                summary["paired"] = {s: t.as_dict() for s, t in comparison.paired[name].items()}
            trackers[name] = summary
        print(json.dumps(jsonable({"benchmark": args._runner, "trackers": trackers,
                                    **comparison_summary(comparison)}), indent=2))
        return 0
    print(f"{title}: " + "\n".join(comparison_lines(comparison)))
    if comparison.intervals:
        print(bootstrap_line(comparison.intervals[comparison.trackers[0]]))
    print(comparison.table().to_string(float_format=lambda v: f"{v:.4f}"))
    if args.per_sequence:
        for name in comparison.trackers:
            print(f"\n{name}:")
            print(reports[name].per_sequence.to_string(float_format=lambda v: f"{v:.3f}"))
    for note in comparison.notes:
        print(f"note: {note}")
    for name in comparison.trackers:
        for note in reports[name].warnings:
            print(f"warning: {name}: {note}")
    return 0


def print_report(args: argparse.Namespace, report, rows: list[tuple[str, float, str, str]], header: str,
                 ci: dict | None = None) -> int:
    """Print a one-pass report (OTB, GOT-10k, LaSOT, UAV, ...) as JSON (``--json``: its summary, with ``ci`` when
    given) or as ``header``, the metric/value/convention table of ``rows``, the per-sequence table
    (``--per-sequence``) and its warnings."""
    if args.json:
        summary = report.summary(curves=args.curves, per_sequence=args.per_sequence)
        if ci is not None:
            summary["ci"] = intervals_summary(ci)
        print(json.dumps(jsonable(summary), indent=2))
        return 0
    print(header)
    if ci is not None:
        print(bootstrap_line(ci))
    print(metric_table(rows, ci).to_string(float_format=lambda v: f"{v:.4f}"))
    if args.per_sequence:
        print()
        print(report.per_sequence.to_string(float_format=lambda v: f"{v:.3f}"))
    for note in report.warnings:
        print(f"warning: {note}")
    return 0
