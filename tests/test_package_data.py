"""The project's data files are found in one place (analysis.core.paths) from a checkout and from a wheel;
the build's bundle and its manifest of hashes (fast checks; the wheel itself: tests/test_package_install.py)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analysis.core import paths

REPO = Path(__file__).resolve().parents[1]


def test_a_checkout_reads_its_own_files():
    assert paths.INSTALLED is False and paths.REPO_ROOT == REPO
    assert paths.DEFAULT_WEIGHTS == REPO / "results" / "weights" / "siamrpn_default.pth"
    assert paths.TRACKERS_INI == REPO / "trackers.ini" and paths.TRACKERS_INI.is_file()
    assert paths.REGRESSION_REFERENCE.is_file() and any(paths.PUBLISHED_DIR.glob("*.csv"))
    assert paths.shared_data_dir({}) == REPO.parent / "shared" / "data"
    assert paths.in_repo("results/x") == REPO / "results" / "x"


def test_every_bundled_file_is_in_the_checkout_and_in_the_sdist():
    files = paths.bundled_files(REPO)
    assert {"trackers.ini", "results/weights/siamrpn_default.pth", "results/regression/default.json",
            "results/published/otb2015_fig9.csv"} <= set(files)
    manifest_in = (REPO / "MANIFEST.in").read_text()
    for pattern in paths.BUNDLED_FILES:
        folder, _, name = pattern.rpartition("/")
        assert pattern in manifest_in or re.search(rf"recursive-include {re.escape(folder)} {re.escape(name)}",
                                                   manifest_in), pattern


def _project(root: Path) -> Path:
    for rel in ("trackers.ini", "results/weights/siamrpn_default.pth", "results/weights/README.md",
                "results/published/a.csv", "results/regression/default.json"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(rel.encode() * 3)
    (root / "results" / "weights" / "other.pth").write_bytes(b"not bundled")
    return root


def test_bundle_manifest_hashes_the_packed_files_and_refuses_altered_ones(tmp_path):
    src = _project(tmp_path / "src")
    dest = tmp_path / "wheel" / "_data"
    (dest / "stale").mkdir(parents=True)  # a previous build's leftovers are removed
    manifest = paths.write_bundle(src, dest)
    assert sorted(manifest["files"]) == paths.bundled_files(src)
    assert "results/weights/other.pth" not in manifest["files"] and not (dest / "stale").exists()
    assert paths.bundled_manifest(dest) == manifest and paths.verify_bundle(dest) == []
    weights = dest / "results" / "weights" / "siamrpn_default.pth"
    paths.check_bundled(weights, dest)
    paths.check_bundled(src / "trackers.ini", dest)  # outside the bundle: not checked
    weights.write_bytes(b"a newer file under the same name")
    with pytest.raises(paths.BundledDataError, match="differs"):
        paths.check_bundled(weights, dest)
    (dest / "trackers.ini").unlink()
    assert paths.verify_bundle(dest) == [
        "results/weights/siamrpn_default.pth: differs from the build's sha256 "
        + manifest["files"]["results/weights/siamrpn_default.pth"]["sha256"],
        "trackers.ini: missing"]
    assert "manifest.json" in paths.verify_bundle(tmp_path)[0]


def test_a_bundle_without_its_weights_is_not_built(tmp_path):
    src = _project(tmp_path / "src")
    (src / "results" / "weights" / "siamrpn_default.pth").unlink()
    with pytest.raises(FileNotFoundError, match="siamrpn_default.pth"):
        paths.write_bundle(src, tmp_path / "out")


def test_training_package_names_only_modules_that_exist():
    package = REPO / "tracker" / "training"
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    listed = doc.split("Modules:", 1)[1].split("The command is", 1)[0]
    named = set(re.findall(r"``(\w+)``", listed))
    assert named == {p.stem for p in package.glob("*.py")} - {"__init__"}
