"""The regression gate's comparison logic on hand-built references (no tracker run)."""
from __future__ import annotations

import json

import pytest

from integration.jobs.regression.reference import (
    ReferenceMissing,
    Tolerances,
    compare,
    format_table,
    gate_passes,
    load_reference,
    save_reference,
)


def _ref(eao=0.40, acc=0.60, fails=2.0, auc=0.55, seq_eao=0.40):
    return {"schema": 1, "cases": {"generated": {
        "overall": {"eao": eao, "accuracy": acc, "failures": fails, "auc": auc},
        "sequences": {"s1": {"accuracy": acc, "failures": fails, "eao": seq_eao}},
    }}}


def test_identical_passes():
    table = compare(_ref(), _ref())
    assert gate_passes(table)
    assert set(table["status"]) == {"ok"}
    assert (table["delta"] == 0).all()


def test_eao_drop_beyond_tolerance_fails_with_delta():
    table = compare(_ref(eao=0.40), _ref(eao=0.35), Tolerances(eao=0.02))
    assert not gate_passes(table)
    row = table[(table.scope == "overall") & (table.metric == "eao")].iloc[0]
    assert row.status == "REGRESSION"
    assert row.delta == pytest.approx(-0.05)
    assert "REGRESSION" in format_table(table).splitlines()[1]  # regressions are listed first


def test_more_failures_is_a_regression_fewer_is_an_improvement():
    worse = compare(_ref(fails=2.0), _ref(fails=4.0), Tolerances(failures=1.0))
    assert not gate_passes(worse)
    better = compare(_ref(fails=4.0), _ref(fails=2.0), Tolerances(failures=1.0))
    assert gate_passes(better)
    assert "improved" in set(better["status"])


def test_within_tolerance_is_ok_and_per_sequence_tolerance_is_wider():
    tol = Tolerances(eao=0.02, per_sequence_factor=2.5)
    # overall drop 0.015 < 0.02; per-sequence drop 0.04 < 0.05
    table = compare(_ref(eao=0.40, seq_eao=0.40), _ref(eao=0.385, seq_eao=0.36), tol)
    assert gate_passes(table)
    # per-sequence drop 0.06 > 0.05 fails
    table = compare(_ref(seq_eao=0.40), _ref(seq_eao=0.34), tol)
    assert not gate_passes(table)
    assert table[(table.scope == "s1") & (table.metric == "eao")].status.item() == "REGRESSION"


def test_missing_case_or_sequence_fails():
    cur = _ref()
    del cur["cases"]["generated"]["sequences"]["s1"]
    assert not gate_passes(compare(_ref(), cur))
    assert not gate_passes(compare(_ref(), {"schema": 1, "cases": {}}))


def test_missing_reference_says_how_to_create(tmp_path):
    with pytest.raises(ReferenceMissing, match="--update"):
        load_reference(tmp_path / "nope.json")


def test_malformed_reference_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 1,\n "cases": }')
    with pytest.raises(ValueError, match=r"bad\.json:2"):
        load_reference(bad)


def test_save_reference_round_trip_atomic(tmp_path):
    path = tmp_path / "sub" / "ref.json"
    save_reference(path, _ref())
    assert load_reference(path) == json.loads(json.dumps(_ref()))
    assert [p.name for p in path.parent.iterdir()] == ["ref.json"]  # no temp file left behind
