"""``siamrpn run vot|otb|got10k`` end to end on synthetic fixtures, then ``siamrpn analyze`` on the output."""
from __future__ import annotations

import json

import pytest

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset

TRACKER = "tests.protocol_helpers:TemplateTracker"


@pytest.fixture(scope="module")
def vot_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("vot")
    write_dataset(root, layout="vot", n_sequences=2, n_frames=30, size=(96, 72), seed=3)
    return root


def test_run_vot_realtime_then_analyze(vot_data, tmp_path, capsys):
    rc = siamrpn(["run", "vot", "--dataset", str(vot_data), "--experiment", "realtime", "--profile", "vot2017",
                  "--clock", "simulated:75", "--tracker", TRACKER, "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    out = tmp_path / "TemplateTracker" / "realtime"
    log = json.loads((out / "synth00" / "synth00_realtime.json").read_text())
    assert log["profile"] == "vot2017" and log["clock"] == "simulated:75" and log["frames"] == 30
    assert log["latency_ms"]["max"] == pytest.approx(75.0) and log["processed_fraction"] < 0.9
    capsys.readouterr()
    rc = siamrpn(["analyze", "vot", "--annotations", str(vot_data), "--results", str(tmp_path / "TemplateTracker"),
                  "--experiment", "realtime", "--interval", "5", "25", "--json"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sequences"] == 2 and report["frames"] == 60 and report["experiment"] == "realtime"


def test_run_vot_baseline_resumes_and_pyt_layout(vot_data, tmp_path, capsys):
    args = ["run", "vot", "--dataset", str(vot_data), "--tracker", TRACKER, "--quiet", "--repetitions", "4",
            "--layout", "pyt", "--workers", "2", "--out", str(tmp_path)]
    assert siamrpn(args) == 0
    assert "2 done" in capsys.readouterr().out
    assert (tmp_path / "TemplateTracker" / "baseline" / "synth01" / "synth01_001.bin").is_file()
    assert siamrpn(args) == 0
    assert "0 done, 2 already done" in capsys.readouterr().out


def test_run_otb_and_got10k_then_analyze(tmp_path, capsys):
    write_dataset(tmp_path / "otb", layout="otb", n_sequences=2, n_frames=15, size=(96, 72), seed=5)
    write_dataset(tmp_path / "got", layout="got10k", n_sequences=2, n_frames=15, size=(96, 72), seed=5)
    assert siamrpn(["run", "otb", "--dataset", str(tmp_path / "otb"), "--tracker", TRACKER, "--quiet",
                    "--out", str(tmp_path / "r1")]) == 0
    assert siamrpn(["run", "got10k", "--dataset", str(tmp_path / "got"), "--tracker", TRACKER, "--quiet",
                    "--deterministic", "--out", str(tmp_path / "r2")]) == 0
    capsys.readouterr()
    assert siamrpn(["analyze", "otb", "--annotations", str(tmp_path / "otb"), "--results",
                    str(tmp_path / "r1" / "TemplateTracker"), "--json"]) == 0
    otb = json.loads(capsys.readouterr().out)
    assert otb["sequences"] == 2
    assert siamrpn(["analyze", "got10k", "--annotations", str(tmp_path / "got"), "--results",
                    str(tmp_path / "r2" / "TemplateTracker"), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert 0.0 < got["ao"] <= 1.0


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    assert siamrpn(["run", "otb", "--dataset", str(tmp_path / "missing"), "--tracker", "csrt",
                    "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert siamrpn(["run", "vot", "--dataset", str(tmp_path), "--experiment", "realtime", "--profile", "fast",
                    "--tracker", "csrt", "--out", str(tmp_path)]) == 2
    write_dataset(tmp_path / "d", layout="vot", n_sequences=1, n_frames=5, size=(64, 48))
    assert siamrpn(["run", "vot", "--dataset", str(tmp_path / "d"), "--tracker", "nope", "--quiet",
                    "--out", str(tmp_path / "o")]) == 2
    assert "requested tracker(s) nope unavailable" in capsys.readouterr().err  # issue 23: refused before running


def test_overlap_option_of_the_failure_test_is_stated_and_validated(tmp_path, capsys):
    write_dataset(tmp_path / "d", layout="vot", n_sequences=1, n_frames=5, size=(64, 48))
    base = ["run", "vot", "--dataset", str(tmp_path / "d"), "--tracker", "nope", "--quiet", "--out", str(tmp_path / "o")]
    assert siamrpn(base + ["--overlap", "bogus"]) == 2
    assert "unknown failure-test overlap convention 'bogus'" in capsys.readouterr().err
    siamrpn(base + ["--layout", "pyt"])
    assert "layout pyt, failure test: overlap <= 0 under the pyt rule" in capsys.readouterr().out
    siamrpn(base)
    assert "layout leg, failure test: overlap <= 0 under the leg2017 rule" in capsys.readouterr().out
    siamrpn(base + ["--layout", "pyt", "--overlap", "leg2019"])
    assert "under the leg2019 rule" in capsys.readouterr().out


def test_runner_silences_opencv_warnings():
    cv2 = pytest.importorskip("cv2")
    from integration.run.execute import quiet_opencv

    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_WARNING)
    quiet_opencv()
    assert cv2.utils.logging.getLogLevel() == cv2.utils.logging.LOG_LEVEL_ERROR


def test_per_tracker_settings_in_the_tracker_list():
    from integration.cli.run import parse_trackers

    specs = parse_trackers("siamrpn:weights=a.pth:preset=lite0,nano:weights=nt_dir,csrt,tests.fixtures.x:Make:label=mine",
                           weights="global.pth", preset=None)
    assert [(s.name, s.weights, dict(s.options).get("preset"), s.result_name) for s in specs] == [
        ("siamrpn", "a.pth", "lite0", "siamrpn"), ("nano", "nt_dir", None, "nano"),
        ("csrt", "global.pth", None, "csrt"), ("tests.fixtures.x:Make", "global.pth", None, "mine")]
    with pytest.raises(ValueError, match=r"unknown setting\(s\) weigths"):
        parse_trackers("siamrpn:weigths=a.pth")
    with pytest.raises(ValueError, match="same result folder siamrpn"):
        parse_trackers("siamrpn:weights=a.pth,siamrpn:weights=b.pth")
    assert [s.result_name for s in parse_trackers("siamrpn:weights=a.pth:label=A,siamrpn:label=B")] == ["A", "B"]


def test_result_folders_of_similar_labels_differ():
    from integration.run.units import TrackerSpec

    names = [TrackerSpec("csrt", label=x).result_name for x in ("a b", "a_b", "bäg", "bög")]
    assert len(set(names)) == 4 and names[1] == "a_b"
    assert TrackerSpec("tests.protocol_helpers:TemplateTracker").result_name == "TemplateTracker"
