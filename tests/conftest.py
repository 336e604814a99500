"""Shared test configuration: where ``../shared/data`` lives and how tests skip without it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SIAMRPN_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_path(*parts: str) -> Path:
    """Path under ``../shared/data``; skips the calling test with a clear message when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party data not available: {path} (tests read ../shared/data; see README)")
    return path


@pytest.fixture
def shared():
    """Fixture form of :func:`shared_path`."""
    return shared_path
