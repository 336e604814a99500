"""One run per output folder (issue 23, case 2): a second ``siamrpn run`` into the same ``--out`` refuses,
naming the first one's PID and command; ``--wait`` queues behind it; a lock whose holder died is free."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset
from integration.run.lock import LOCK_NAME, OutputLocked, lock_holder, output_lock
from tests.fixtures.signals import default_sigint

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock and process groups")


def _holder(tmp_path: Path, out: Path) -> subprocess.Popen:
    """A real ``siamrpn run`` that holds ``out`` (its tracker hangs on the first frame)."""
    write_dataset(tmp_path / "slow", layout="otb", n_sequences=1, n_frames=4, size=(80, 60), seed=4)
    flag = tmp_path / "hanging"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "BAD_TRACKER_HANG_FLAG": str(flag)}
    proc = subprocess.Popen([sys.executable, "-m", "integration.cli", "run", "otb", "--dataset",
                             str(tmp_path / "slow"), "--tracker", "tests.fixtures.bad_trackers:HangTracker",
                             "--quiet", "--out", str(out)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=default_sigint)
    deadline = time.time() + 120
    while time.time() < deadline and not flag.exists():
        time.sleep(0.1)
    assert flag.exists(), proc.stderr.read() if proc.poll() is not None else "holder did not start"
    return proc


def test_second_run_into_the_same_folder_refuses_then_waits(tmp_path, capsys):
    out = tmp_path / "out"
    holder = _holder(tmp_path, out)
    write_dataset(tmp_path / "data", layout="otb", n_sequences=1, n_frames=4, size=(64, 48), seed=1)
    args = ["run", "otb", "--dataset", str(tmp_path / "data"), "--tracker", "tests.protocol_helpers:TemplateTracker",
            "--quiet", "--out", str(out)]
    try:
        assert siamrpn(args) == 2
        err = capsys.readouterr().err
        assert f"output folder in use by another run (PID {holder.pid}" in err
        assert "run otb" in err and "HangTracker" in err and "--wait" in err
        assert not (out / "TemplateTracker").exists()  # nothing was written

        result = {}
        waiter = threading.Thread(target=lambda: result.setdefault("rc", siamrpn(args + ["--wait"])))
        waiter.start()
        time.sleep(2.0)
        assert waiter.is_alive()  # queued behind the holder
        os.killpg(holder.pid, signal.SIGINT)
        holder.communicate(timeout=60)
        waiter.join(120)
        assert result.get("rc") == 0
        captured = capsys.readouterr()
        assert f"waiting for the run that writes to {out} (PID {holder.pid}" in captured.err
        assert "1 done" in captured.out
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()


def test_lock_of_a_dead_holder_is_free_and_nested_locks_are_allowed(tmp_path):
    out = tmp_path / "out"
    code = ("import os, sys; from integration.run.lock import output_lock\n"
            f"with output_lock({str(out)!r}, command='holder'):\n    os._exit(9)\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    assert (out / LOCK_NAME).is_file() and lock_holder(out)["command"] == "holder"  # left behind by a killed run
    with output_lock(out, command="me"):
        assert lock_holder(out)["pid"] == os.getpid()
        with output_lock(out):  # the same process again: no deadlock
            pass
        code = f"from integration.run.lock import output_lock\nwith output_lock({str(out)!r}):\n    pass\n"
        other = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               capture_output=True, text=True)
        assert other.returncode != 0 and OutputLocked.__name__ in other.stderr
        assert f"PID {os.getpid()}" in other.stderr and ": me)" in other.stderr
