"""The environment section of a report: versions, device, CPU and commit of the machine that built it."""
from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from analysis.core.paths import REPO_ROOT

# ------------------------------------------------------------------------------------------- environment


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment_info(device: str = "cpu") -> list[tuple[str, str]]:
    """Versions, device and CPU of the machine that built the report (torch version read without importing it)."""
    return [
        ("date (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")),
        ("python", platform.python_version()),
        ("platform", platform.platform()),
        ("CPU", f"{_cpu_name()} ({os.cpu_count()} logical cores)"),
        ("device", device),
        ("torch", _version("torch")),
        ("numpy", _version("numpy")),
        ("pandas", _version("pandas")),
        ("matplotlib", _version("matplotlib")),
        ("numba", _version("numba")),
        ("vot-toolkit", _version("vot-toolkit")),
        ("got10k", _version("got10k")),
        ("siamrpn-bench commit", _git_commit()),
    ]
