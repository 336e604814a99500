"""The gate validates its reference before running anything (issue 15): exit 2 on a bad reference, not 1."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from integration.cli import main as siamrpn
from integration.jobs.regression.reference import ReferenceInvalid, load_reference, reference_problems

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "results" / "regression" / "default.json"


def good() -> dict:
    return {"schema": 1, "tolerances": {"eao": 0.02, "failures": 1.0, "per_sequence_factor": 2.5},
            "cases": {"c": {"overall": {"eao": 0.3, "failures": 2.0, "auc": None},
                            "sequences": {"s": {"accuracy": 0.5}}}}}


def test_the_committed_reference_is_valid():
    assert reference_problems(json.loads(DEFAULT.read_text())) == ([], False)


@pytest.mark.parametrize("edit, expected, tol_bad", [
    (lambda d: d["tolerances"].__setitem__("eao", -0.02), "tolerances.eao: must be >= 0", True),
    (lambda d: d["tolerances"].__setitem__("eao", "0.02"), "tolerances.eao: expected a finite number", True),
    (lambda d: d["tolerances"].__setitem__("eoa", 0.02), "tolerances.eoa: unknown tolerance", True),
    (lambda d: d["tolerances"].__setitem__("per_sequence_factor", 0), "per_sequence_factor: must be > 0", True),
    (lambda d: d.__setitem__("tolerances", [0.02]), "tolerances: expected an object", True),
    (lambda d: d["cases"]["c"]["overall"].__setitem__("eao", "0.3"), "cases.c.overall.eao: expected a number", False),
    (lambda d: d["cases"]["c"]["sequences"].__setitem__("s", [1]), "cases.c.sequences.s: expected an object", False),
    (lambda d: d.__setitem__("cases", {}), "cases: expected a non-empty object", False),
])
def test_reference_problems_name_the_json_path(tmp_path, edit, expected, tol_bad):
    data = good()
    assert reference_problems(data) == ([], False)
    edit(data)
    problems, bad = reference_problems(data)
    assert any(expected in p for p in problems), problems
    assert bad == tol_bad
    path = tmp_path / "ref.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ReferenceInvalid, match=expected.split(":")[0].replace(".", r"\.")):
        load_reference(path)


def test_gate_exits_2_on_a_bad_reference_before_running(tmp_path, capsys, monkeypatch):
    import integration.jobs.regression.gate as rr  # where the gate looks them up

    def never(*a, **k):
        raise AssertionError("the tracker must not run with a bad reference")

    monkeypatch.setattr(rr, "measure", never)
    monkeypatch.setattr(rr, "regression_cases", never)
    data = copy.deepcopy(json.loads(DEFAULT.read_text()))
    data["tolerances"]["eao"] = -0.02
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    for extra in ([], ["--update"]):  # --update keeps the tolerances: refused too
        rc = siamrpn(["regress", "--reference", str(bad), "--out", str(tmp_path / "o"), *extra])
        err = capsys.readouterr().err
        assert rc == 2 and "bad.json: invalid regression reference" in err and "tolerances.eao: must be >= 0" in err
    assert json.loads(bad.read_text())["tolerances"]["eao"] == -0.02  # not rewritten
