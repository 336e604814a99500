"""Atomic writes: the old file survives a failed write, no temp file is left, errors propagate."""
from __future__ import annotations

import stat

import pytest

from analysis.core.atomic import atomic_target, write_bytes_atomic, write_text_atomic


def test_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "result.txt"
    write_text_atomic(target, "old\n")
    write_text_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["result.txt"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's private 0600


def test_failure_keeps_old_file_and_propagates(tmp_path):
    target = tmp_path / "result.bin"
    write_bytes_atomic(target, b"complete")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_target(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["result.bin"]


def test_suffix_kept_for_format_inferring_writers(tmp_path):
    with atomic_target(tmp_path / "fig.png", suffix=".png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path
        tmp.write_bytes(b"png")
    assert (tmp_path / "fig.png").read_bytes() == b"png"
