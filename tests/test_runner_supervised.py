"""Supervised workers (issue 15): a tracker that segfaults, calls ``os._exit`` or hangs fails its unit alone,
named with the signal / exit code or the timeout (unit timeout; frame timeout, naming the frame), and the run
continues; a slow tracker that progresses is not killed; Ctrl-C stops promptly with one line.

Trackers: tests/fixtures/bad_trackers.py (misbehave only on 80-pixel-wide frames)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset
from integration.run.experiment import run_experiment
from integration.run.supervise import describe_exit
from integration.run.units import ExperimentSpec, TrackerSpec
from tests.fixtures.signals import default_sigint
from tests.protocol_helpers import generated_sequences

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = TrackerSpec("tests.protocol_helpers:TemplateTracker", label="template")
OTB = ExperimentSpec("otb")


def sequences(sizes=((96, 72), (80, 60), (96, 72)), n=6):
    return generated_sequences(sizes, n, first_seed=500, speed=3.0)


def status(summary):
    return {o.key: o.status for o in summary.outcomes}


def test_segfault_fails_only_its_unit_and_names_the_signal(tmp_path):
    bad = TrackerSpec("tests.fixtures.bad_trackers:SegfaultTracker", label="segv")
    summary = run_experiment([bad, TEMPLATE], OTB, sequences(), tmp_path, workers=1, progress=False)
    assert status(summary) == {"segv/otb/s0": "done", "segv/otb/s1": "failed", "segv/otb/s2": "done",
                               "template/otb/s0": "done", "template/otb/s1": "done", "template/otb/s2": "done"}
    (failed,) = summary.failed
    assert "SIGSEGV" in failed.error and "segv/otb/s1" in failed.error and "crashed" in failed.error
    assert "SIGSEGV" in Path(failed.log).read_text()
    assert "FAILED segv/otb/s1" in summary.text()
    # a rerun skips what finished and retries (and again isolates) the crashing unit
    again = run_experiment([bad], OTB, sequences(), tmp_path, workers=1, progress=False)
    assert [o.status for o in again.outcomes] == ["skipped", "failed", "skipped"]


def test_os_exit_with_a_pool_names_the_culprit_only(tmp_path):
    bad = TrackerSpec("tests.fixtures.bad_trackers:ExitTracker", label="exiter")
    summary = run_experiment([bad, TEMPLATE], OTB, sequences(), tmp_path, workers=2, progress=False)
    assert [o.key for o in summary.failed] == ["exiter/otb/s1"]
    assert "exited with code 3" in summary.failed[0].error
    assert sum(o.status == "done" for o in summary.outcomes) == 5


def test_hanging_unit_times_out_and_the_run_continues(tmp_path):
    bad = TrackerSpec("tests.fixtures.bad_trackers:HangTracker", label="hang")
    t0 = time.monotonic()
    summary = run_experiment([bad], OTB, sequences(), tmp_path, workers=1, progress=False, unit_timeout=3)
    assert time.monotonic() - t0 < 60
    assert status(summary) == {"hang/otb/s0": "done", "hang/otb/s1": "failed", "hang/otb/s2": "done"}
    assert "timed out" in summary.failed[0].error and "3 s" in summary.failed[0].error


def test_hang_on_one_frame_fails_by_the_frame_timeout_naming_the_frame(tmp_path):
    bad = TrackerSpec("tests.fixtures.bad_trackers:HangOnFrameTracker", label="stuck")
    t0 = time.monotonic()
    summary = run_experiment([bad], OTB, sequences(), tmp_path, workers=1, progress=False, unit_timeout=600,
                             frame_timeout=2)
    assert time.monotonic() - t0 < 60
    assert status(summary) == {"stuck/otb/s0": "done", "stuck/otb/s1": "failed", "stuck/otb/s2": "done"}
    (failed,) = summary.failed
    assert "stuck/otb/s1" in failed.error and "on frame 3" in failed.error and "2 s" in failed.error
    assert "frame timeout" in failed.error
    assert "--frame-timeout SECONDS" in Path(failed.log).read_text()


def test_slow_tracker_that_progresses_is_not_killed_by_the_frame_timeout(tmp_path):
    slow = TrackerSpec("tests.fixtures.bad_trackers:SlowTracker", label="slow", options=(("delay", 0.6),))
    t0 = time.monotonic()
    summary = run_experiment([slow], OTB, sequences(((80, 60),)), tmp_path, workers=1, progress=False,
                             unit_timeout=600, frame_timeout=2)
    assert time.monotonic() - t0 > 2  # the unit as a whole ran longer than the frame timeout (5 x 0.6 s)
    assert status(summary) == {"slow/otb/s0": "done"}


def test_describe_exit():
    assert describe_exit(-signal.SIGSEGV) == "killed by signal SIGSEGV (exit code -11)"
    assert describe_exit(3) == "exited with code 3"


def test_cli_unit_timeout(tmp_path, capsys):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=6, size=(80, 60), seed=3)
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker",
                  "tests.fixtures.bad_trackers:HangTracker", "--unit-timeout", "2", "--quiet",
                  "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert rc == 1 and "timed out" in out and "longer than 2 s" in out
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker", "csrt", "--unit-timeout", "-1",
                  "--out", str(tmp_path / "out")])
    assert rc == 2 and "--unit-timeout must be >= 0" in capsys.readouterr().err


def test_cli_frame_timeout(tmp_path, capsys):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=6, size=(80, 60), seed=3)
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker",
                  "tests.fixtures.bad_trackers:HangOnFrameTracker", "--frame-timeout", "2", "--quiet",
                  "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert rc == 1 and "no progress for 2 s on frame 3" in out
    rc = siamrpn(["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker", "csrt", "--frame-timeout", "-1",
                  "--out", str(tmp_path / "out")])
    assert rc == 2 and "--frame-timeout must be >= 0" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group")
def test_ctrl_c_stops_promptly_with_one_line(tmp_path):
    write_dataset(tmp_path / "data", layout="otb", n_sequences=3, n_frames=6, size=(80, 60), seed=4)
    flag = tmp_path / "hanging"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "BAD_TRACKER_HANG_FLAG": str(flag)}
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "integration.cli", "run", "otb", "--dataset", str(tmp_path / "data"),
                             "--tracker", "tests.fixtures.bad_trackers:HangTracker", "--quiet", "--out", str(out)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=default_sigint)
    deadline = time.time() + 120
    while time.time() < deadline and not flag.exists():  # the first unit is running (hanging)
        time.sleep(0.1)
    assert flag.exists()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    t0 = time.time()
    stdout, stderr = proc.communicate(timeout=60)
    assert time.time() - t0 < 20
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if "interrupted" in ln]
    assert len(lines) == 1 and "0 of 3 sequence runs finished" in lines[0] and "rerun the same command" in lines[0]
