"""Atomic file writes: a temp file in the target's folder, then ``os.replace``.

A reader (or an interrupted run that resumes) sees either the old file or the complete new one, never a
partial write. Failures propagate after the temp file is removed. Used for result files, reports, figures,
checkpoints and references across the project.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_target", "write_bytes_atomic", "write_text_atomic"]


@contextmanager
def atomic_target(path: str | os.PathLike, suffix: str = ".tmp", mode: int = 0o644) -> Iterator[Path]:
    """Yield a temp path next to ``path``; on normal exit it replaces ``path``, on error it is removed.

    ``suffix`` keeps the extension for writers that infer the format from the name (``.png``, ``.mp4``).
    ``mode`` replaces ``mkstemp``'s private 0600 so written files are readable like any other.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    with atomic_target(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))
