"""Benchmarks and experiments are table rows (issue 21): code outside the tables does not branch on their names.

The check is the issue's grep, run over the package sources: a comparison of a value with a benchmark or
experiment name (``== "otb"``, ``!= 'baseline'`` ...) may appear on at most 5 lines. A new branch on a name
belongs in a row of :data:`analysis.stacks.BENCHMARKS`, :data:`analysis.io.result_layout.EXPERIMENTS` or one of
the kind tables (:data:`analysis.metrics.compare.RANKINGS`, :data:`analysis.report.build.REPORT_KINDS`)."""
from __future__ import annotations

import re
from pathlib import Path

from analysis.io.result_layout import EXPERIMENTS
from analysis.stacks import BENCHMARKS, rows_of

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tracker", "integration", "analysis")
NAMES = ("vot", "otb", "got10k", "lasot", "uav", "trackingnet", "nfs", "tc128", "votlt", "baseline", "realtime",
         "unsupervised", "longterm")
#: the issue's pattern: (==|!=) *["'](vot|otb|...)["']
PATTERN = re.compile(r"""(==|!=) *["'](""" + "|".join(NAMES) + r""")["']""")
LIMIT = 5


def name_branches() -> list[str]:
    hits = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if PATTERN.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return hits


def test_at_most_five_lines_branch_on_a_benchmark_or_experiment_name():
    hits = name_branches()
    assert len(hits) <= LIMIT, ("code branches on a benchmark/experiment name; make it a table row:\n"
                                + "\n".join(hits))


def test_the_pattern_finds_a_branch():
    assert PATTERN.search('if kind == "otb":') and PATTERN.search("x != 'realtime'")
    assert not PATTERN.search('if kind == "otb2015":') and not PATTERN.search("kind in ('otb',)")


def test_every_row_is_complete():
    """Each benchmark row names its kind, published key and analyze command; one-pass rows have a loader."""
    for key, row in BENCHMARKS.items():
        assert row.name == key and row.published and row.command, key
        if row.kind in ("onepass", "trackingnet"):
            assert row.loader is not None and row.default_variant in row.variants, key
    assert rows_of("otb")[0] == "otb2015"
    assert {"lasot", "lasot_ext"} == set(rows_of("lasot"))


def test_experiment_table_folders():
    """The result folders the runner writes and the readers read (one table)."""
    assert {n: e.folder for n, e in EXPERIMENTS.items()} == {
        "baseline": "baseline", "realtime": "realtime", "otb": None, "got10k": "", "longterm": "longterm",
        "multistart": "baseline", "multistart-realtime": "realtime", "unsupervised": "unsupervised"}


def test_every_experiment_runs_and_every_command_is_a_row():
    """The runner has a protocol for each experiment row, and siamrpn run's sub-commands are its table's rows."""
    from integration.cli.run import RUN_COMMANDS
    from integration.run.execute import PROTOCOLS

    assert set(PROTOCOLS) == set(EXPERIMENTS)
    assert set(RUN_COMMANDS) == {"vot", "longterm", "otb", "got10k"}


def test_analyze_sub_commands_are_the_benchmark_rows_commands():
    """siamrpn analyze's sub-parsers are made from its table, whose entries are the rows' ``command`` values."""
    from integration.cli.analyze import ANALYZE_COMMANDS

    assert set(ANALYZE_COMMANDS) == {row.command for row in BENCHMARKS.values()}
    assert list(ANALYZE_COMMANDS) == ["vot", "otb", "got10k", "lasot", "uav", "trackingnet", "nfs", "tc128", "votlt"]
