"""One run at a time per output folder: an advisory lock (``fcntl.flock``) on ``<out>/.siamrpn-run.lock``.

The lock file holds the holder's PID, start time and command line, so a second run into the same folder can
say who writes there. The lock belongs to the open file: it is released when the holder exits in any way
(``kill -9`` included), so a stale lock file never blocks a later run. Taking the lock again in the process
that holds it is a no-op (the main job and the tuner call :func:`run_experiment` once per step). Advisory
locks hold between processes of one machine; on network file systems without ``flock`` they may not.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "OutputLocked", "output_lock", "lock_holder"]

LOCK_NAME = ".siamrpn-run.lock"
_HELD: dict[str, int] = {}  #: lock files this process holds -> nesting depth


class OutputLocked(RuntimeError):
    """Another process holds the output folder's lock; the message names its PID and command."""

    def __init__(self, out: Path, holder: dict) -> None:
        self.out, self.holder = out, holder
        super().__init__(f"{out}: output folder in use by another run ({describe_holder(holder)}); wait for it to "
                         "finish, or add --wait to start when it has")


def describe_holder(holder: dict) -> str:
    """``PID 1234, since 2025-01-01 12:00:00: siamrpn run vot ...`` (what is known of the holder)."""
    parts = [f"PID {holder.get('pid', '?')}"]
    if holder.get("started"):
        parts.append(f"since {holder['started']}")
    text = ", ".join(parts)
    return f"{text}: {holder['command']}" if holder.get("command") else text


def _command_line() -> str:
    argv = list(sys.argv)
    if not argv:
        return ""
    head = Path(argv[0]).name
    if head == "__main__.py":  # python -m integration.cli ...
        head = "python -m integration.cli"
    return shlex.join([head, *argv[1:]])


def lock_holder(out: str | os.PathLike) -> dict:
    """What the lock file of ``out`` says about its holder (``{}`` when absent or unreadable)."""
    try:
        return json.loads((Path(out) / LOCK_NAME).read_text() or "{}")
    except (OSError, ValueError):
        return {}


@contextmanager
def output_lock(out: str | os.PathLike, wait: bool = False, command: str | None = None,
                notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of output folder ``out`` (created if needed) for the duration of the ``with`` block.

    Held by another process: raise :class:`OutputLocked` naming it, or with ``wait`` tell ``notify`` (default:
    a line on stderr) whom we wait for and block until it is released."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    key = os.path.realpath(path)
    if fcntl is None or _HELD.get(key):
        _HELD[key] = _HELD.get(key, 0) + 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(out)
            if not wait:
                raise OutputLocked(out, holder) from None
            (notify or (lambda m: print(m, file=sys.stderr, flush=True)))(
                f"waiting for the run that writes to {out} ({describe_holder(holder)}) to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                "command": command if command is not None else _command_line()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        _HELD[key] = 1
        try:
            yield
        finally:
            _HELD.pop(key, None)
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
    finally:
        os.close(fd)  # releases the lock
