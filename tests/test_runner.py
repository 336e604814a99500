"""Runner: result layouts read back by the analysis, parallel = serial, resume after a kill, crash isolation."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analysis.io.trajectories import load_tracker_results, load_tracker_times, read_trajectory
from integration.data.sequences import load_dataset
from integration.data.synthetic import write_dataset
from integration.run.experiment import plan_units, run_experiment
from integration.run.supervise import run_units
from integration.run.units import ExperimentSpec, TrackerSpec
from tests.protocol_helpers import generated_sequences

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = TrackerSpec("tests.protocol_helpers:TemplateTracker", label="template")


def synthetic_sequences(sizes=((96, 72), (96, 72), (80, 60)), n=24):
    return generated_sequences(sizes, n, first_seed=100, speed=4.0)


def trajectories(folder: Path, experiment="baseline"):
    res = load_tracker_results(folder, experiment)
    return {s: [[r if isinstance(r, int) else np.round(r, 4).tolist() for r in run] for run in runs]
            for s, runs in res.items()}


def test_baseline_results_are_read_back_by_the_analysis(tmp_path):
    seqs = synthetic_sequences()
    summary = run_experiment([TEMPLATE], ExperimentSpec("baseline"), seqs, tmp_path, progress=False)
    assert summary.ok and len(summary.outcomes) == 3
    res = load_tracker_results(tmp_path / "template", "baseline")
    assert sorted(res) == ["s0", "s1", "s2"]
    for name, runs in res.items():
        assert len(runs) == 3  # deterministic tracker: LEG stop after 3 identical runs
        assert runs[0][0] == 1 and len(runs[0]) == 24
    t = np.loadtxt(tmp_path / "template" / "baseline" / "s0" / "s0_time.txt", delimiter=",")
    assert t.shape == (24, 15) and np.all(t[:, 3:] == 0) and np.all(t[0, :3] > 0)
    assert load_tracker_times(tmp_path / "template", "baseline")["s0"].shape == (24, 3)
    rec = json.loads((tmp_path / "_runner" / "template" / "baseline" / "s0.done.json").read_text())
    assert rec["runs"] == 3


def test_parallel_workers_match_serial_and_pyt_layout(tmp_path):
    seqs = synthetic_sequences()
    run_experiment([TEMPLATE], ExperimentSpec("baseline"), seqs, tmp_path / "serial", progress=False)
    run_experiment([TEMPLATE], ExperimentSpec("baseline", layout="pyt"), seqs, tmp_path / "par", workers=2,
                   progress=False)
    assert (tmp_path / "par" / "template" / "baseline" / "s1" / "s1_001.bin").is_file()
    assert (tmp_path / "par" / "template" / "baseline" / "s1" / "s1_003_time.value").is_file()
    assert trajectories(tmp_path / "serial" / "template") == trajectories(tmp_path / "par" / "template")


def test_crash_isolation_logs_traceback_and_others_continue(tmp_path):
    seqs = synthetic_sequences()
    crashy = TrackerSpec("tests.protocol_helpers:TemplateTracker", options=(("crash_width", 80),), label="crashy")
    summary = run_experiment([crashy], ExperimentSpec("baseline", deterministic=True), seqs, tmp_path,
                             progress=False)
    assert [o.status for o in summary.outcomes] == ["done", "done", "failed"]
    failed = summary.failed[0]
    assert failed.key == "crashy/baseline/s2" and "scripted crash" in failed.error
    log = Path(failed.log).read_text()
    assert "Traceback" in log and "RuntimeError: scripted crash" in log
    assert "FAILED crashy/baseline/s2" in summary.text()
    assert (tmp_path / "crashy" / "baseline" / "s0" / "s0_001.txt").is_file()
    # a rerun skips what finished and retries what failed
    again = run_experiment([crashy], ExperimentSpec("baseline", deterministic=True), seqs, tmp_path, progress=False)
    assert [o.status for o in again.outcomes] == ["skipped", "skipped", "failed"]


def test_unavailable_tracker_is_reported_not_fatal(tmp_path):
    seqs = synthetic_sequences(sizes=((96, 72),), n=10)
    summary = run_experiment([TrackerSpec("no_such_tracker"), TEMPLATE], ExperimentSpec("otb"), seqs, tmp_path,
                             progress=False)
    assert "no_such_tracker" in summary.unavailable and summary.ok
    assert "UNAVAILABLE tracker no_such_tracker" in summary.text()


def test_realtime_simulated_clock_is_bit_reproducible_and_logged(tmp_path):
    seqs = synthetic_sequences(sizes=((96, 72),), n=40)
    exp = ExperimentSpec("realtime", profile="vot2017", clock="simulated:80")  # 1.6 frame periods at 20 fps
    for out in ("a", "b"):
        run_experiment([TEMPLATE], exp, seqs, tmp_path / out, progress=False)
    files = [tmp_path / o / "template" / "realtime" / "s0" / "s0_001.txt" for o in ("a", "b")]
    assert files[0].read_bytes() == files[1].read_bytes()
    log = json.loads((tmp_path / "a" / "template" / "realtime" / "s0" / "s0_realtime.json").read_text())
    assert log["fps"] == 20.0 and log["latency_ms"]["p50"] == pytest.approx(80.0)
    assert 0.55 < log["processed_fraction"] < 0.75 and log["held"]
    assert len(read_trajectory(files[0])) == 40
    # resuming with other settings (another latency) redoes the sequence instead of keeping stale results
    rerun = run_experiment([TEMPLATE], ExperimentSpec("realtime", profile="vot2017", clock="simulated:20"), seqs,
                           tmp_path / "a", progress=False)
    assert [o.status for o in rerun.outcomes] == ["done"]
    log = json.loads((tmp_path / "a" / "template" / "realtime" / "s0" / "s0_realtime.json").read_text())
    assert log["latency_ms"]["max"] == pytest.approx(20.0) and log["held"] == []  # fast: nothing held


def test_otb_and_got10k_layouts_read_by_the_analysis(tmp_path):
    from analysis.io.got10k import load_got10k_folder
    from analysis.io.otb import load_otb_folder
    from analysis.io.results import load_got10k_results, load_otb_results

    write_dataset(tmp_path / "otb", layout="otb", n_sequences=2, n_frames=12, size=(96, 72))
    write_dataset(tmp_path / "got", layout="got10k", n_sequences=2, n_frames=12, size=(96, 72))
    run_experiment([TEMPLATE], ExperimentSpec("otb"), load_dataset(tmp_path / "otb"), tmp_path / "r_otb",
                   progress=False)
    run_experiment([TEMPLATE], ExperimentSpec("got10k"), load_dataset(tmp_path / "got"), tmp_path / "r_got",
                   progress=False)
    otb_ann = load_otb_folder(tmp_path / "otb")
    res = load_otb_results(tmp_path / "r_otb" / "template", otb_ann)
    assert set(res.boxes) == set(otb_ann) and not res.warnings
    assert np.allclose(res.boxes["Synth00"][0], otb_ann["Synth00"].groundtruth[0])  # row 0 = initial box
    assert (tmp_path / "r_otb" / "template" / "times" / "Synth00_time.txt").is_file()
    got_ann = load_got10k_folder(tmp_path / "got")
    got = load_got10k_results(tmp_path / "r_got" / "template", list(got_ann))
    assert [len(r) for r in got.runs.values()] == [3, 3] and got.times["synth00"].shape == (12, 3)


SCRIPT = """
import sys
from integration.data.sequences import load_dataset
from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec
spec = TrackerSpec("tests.protocol_helpers:TemplateTracker", options=(("delay", float(sys.argv[3])),), label="template")
run_experiment([spec], ExperimentSpec("baseline", deterministic=True), load_dataset(sys.argv[1]), sys.argv[2],
               progress=False)
"""


def test_resume_after_kill_loses_nothing(tmp_path):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=4, n_frames=12, size=(64, 48), seed=7)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(killed), "0.05"],
                            cwd=REPO, env=env)
    records = killed / "_runner" / "template" / "baseline"
    deadline = time.time() + 120
    while time.time() < deadline and not (records.is_dir() and any(records.glob("*.done.json"))):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = sorted(p.name for p in records.glob("*.done.json"))
    assert 1 <= len(done_before) < 4, done_before
    same = TrackerSpec("tests.protocol_helpers:TemplateTracker", options=(("delay", 0.05),), label="template")
    units = plan_units([same],
                       ExperimentSpec("baseline", deterministic=True), load_dataset(tmp_path / "data"), killed)
    outcomes = run_units(units, progress=False)
    assert sum(o.status == "skipped" for o in outcomes) == len(done_before)
    assert all(o.status in ("skipped", "done") for o in outcomes)
    subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data"), str(tmp_path / "full"), "0"],
                   cwd=REPO, env=env, check=True)
    assert trajectories(killed / "template") == trajectories(tmp_path / "full" / "template")
    assert len(trajectories(killed / "template")) == 4
