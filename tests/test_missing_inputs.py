"""Requested inputs that are missing stop the command (issue 23, case 7): a tracker that cannot be built, shared
data that is not there. ``--allow-missing`` goes on without them, saying so."""
from __future__ import annotations

import os

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset
from integration.jobs.regression.gate import GATE_CANNOT_RUN, GATE_PASSED, gate
from integration.jobs.regression.measure import GateSettings
from tests.test_regression_gate import TINY


def test_unavailable_tracker_stops_the_run_unless_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIAMRPN_NANOTRACK_DIR", str(tmp_path / "no_nanotrack"))
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=4, size=(64, 48), seed=1)
    args = ["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker",
            "nano,tests.protocol_helpers:TemplateTracker", "--workers", "0", "--quiet", "--out", str(tmp_path / "o")]
    assert siamrpn(args) == 2
    err = capsys.readouterr().err
    assert "requested tracker(s) nano unavailable (nano: " in err and "nothing was run" in err
    assert "--allow-missing runs the other tracker(s) (TemplateTracker)" in err
    assert not (tmp_path / "o" / "TemplateTracker").exists()
    assert siamrpn(args + ["--allow-missing"]) == 0
    out = capsys.readouterr().out
    assert "1 done" in out and "UNAVAILABLE tracker nano" in out


def test_regress_with_shared_data_pointing_nowhere_cannot_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIAMRPN_SHARED_DATA", str(tmp_path / "nowhere"))
    rc = siamrpn(["regress", "--quiet", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert rc == GATE_CANNOT_RUN and "passed" not in captured.out
    assert f"SIAMRPN_SHARED_DATA={tmp_path / 'nowhere'} does not exist" in captured.err
    assert "case bag" in captured.err and "instrument check" in captured.err and "--allow-missing" in captured.err
    assert not (tmp_path / "out" / "current.json").exists()  # nothing was measured


def test_gate_skips_missing_data_only_when_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("SIAMRPN_SHARED_DATA", str(tmp_path / "nowhere"))
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"weights")
    settings = GateSettings(weights=str(weights), tracker="tests.test_regression_gate:matcher", generated=TINY,
                            include_bag=True, workers=1, progress=False)
    ref = tmp_path / "ref.json"
    refused = gate(settings, ref, tmp_path / "o", update=True)
    assert refused.status == GATE_CANNOT_RUN and "missing data: case bag" in refused.stderr
    assert not ref.exists()
    allowed = gate(settings, ref, tmp_path / "o", update=True, allow_missing=True)
    assert allowed.status == GATE_PASSED and ref.exists()
    assert "not run here: bag" in allowed.stdout and "instrument check: shared raw results absent" in allowed.stdout


def test_regress_update_checks_that_the_reference_is_writable_before_running(tmp_path, capsys):
    """Issue 23, case 8: the gate used to measure for 75 s and then fail with a traceback (exit 1 = 'regressed')."""
    (tmp_path / "blocker").write_text("a file where the reference's folder should be")
    ref = tmp_path / "blocker" / "ref.json"
    rc = siamrpn(["regress", "--update", "--reference", str(ref), "--quiet", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert rc == GATE_CANNOT_RUN
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"--update cannot write the reference {ref}" in lines[0]
    assert "nothing was run" in lines[0] and "Traceback" not in captured.err
    assert "cases" not in captured.out and not (tmp_path / "out" / "current.json").exists()
    if os.geteuid() != 0:  # root writes read-only files anyway
        writable = tmp_path / "ro.json"
        writable.write_text("{}")
        writable.chmod(0o444)
        assert siamrpn(["regress", "--update", "--reference", str(writable), "--out", str(tmp_path / "o2")]) == 2
        assert "the file is read-only" in capsys.readouterr().err
