"""The worker processes die with their parent, and SIGTERM stops a run like Ctrl-C (issue 23, case 9).

A ``siamrpn run`` whose tracker hangs on frames 80 pixels wide runs in its own process group; the test kills
only the parent (``kill -9`` or SIGTERM), never the group, and checks that no worker survives it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from integration.data.synthetic import write_dataset

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process tree of a Linux run")


def _start(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=5, size=(64, 48), seed=1, prefix="fine")
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=5, size=(80, 60), seed=2, prefix="hang")
    flag = tmp_path / "hanging"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "BAD_TRACKER_HANG_FLAG": str(flag)}
    proc = subprocess.Popen([sys.executable, "-m", "integration.cli", "run", "otb", "--dataset", str(tmp_path / "data"),
                             "--tracker", "tests.fixtures.bad_trackers:HangTracker", "--workers", "2", "--quiet",
                             "--out", str(tmp_path / "out")], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not flag.exists() and proc.poll() is None:
        time.sleep(0.1)
    assert flag.exists(), f"the hanging unit did not start: {proc.communicate()[1] if proc.poll() is not None else ''}"
    workers = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)
               if "spawn_main" in " ".join(p.cmdline())]
    assert workers
    return proc, workers


def _gone(pids: list[int], timeout: float = 15.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.2)
    return False


def test_workers_die_when_the_parent_is_killed(tmp_path):
    proc, workers = _start(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGKILL)  # the parent only: no cleanup code of ours runs
        proc.wait(30)
        assert _gone(workers), f"workers {workers} outlived their parent"
    finally:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_sigterm_stops_like_ctrl_c_with_one_line_and_exit_143(tmp_path):
    proc, workers = _start(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 143, stderr
        assert "Traceback" not in stderr
        lines = [ln for ln in stderr.splitlines() if "terminated" in ln]
        assert len(lines) == 1 and "siamrpn run otb: terminated (SIGTERM):" in lines[0]
        assert "of 2 sequence runs finished" in lines[0] and "rerun the same command to resume" in lines[0]
        assert _gone(workers)
        assert not list((tmp_path / "out" / "_runner").rglob("Hang*.done.json"))  # the hanging unit is redone
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
