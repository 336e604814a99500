"""Build hook only (metadata and packages: ``pyproject.toml``).

A wheel carries the project's data files, so an installed ``siamrpn track`` / ``analyze`` / ``report`` works
outside a checkout: the default weights, ``trackers.ini``, the published tables and the regression reference
(``analysis.core.paths.BUNDLED_FILES``) are copied into ``analysis/core/_data`` with the checkout's relative
layout, and a ``manifest.json`` of their SHA-256 hashes is computed from the files packed now (the weights
file may be replaced between builds, so no hash is written down anywhere else). ``analysis.core.paths``
finds them there when the package is not a checkout and checks the weights against the manifest.
"""
import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TOP_LEVEL = ("analysis", "integration", "tracker")


def _paths_module():
    """``analysis/core/paths.py`` loaded on its own (no package import, so no third-party imports at build time)."""
    spec = importlib.util.spec_from_file_location("_siamrpn_build_paths", ROOT / "analysis" / "core" / "paths.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithData(build_py):
    """``build_py`` that starts from a clean build tree (no module removed from the source lingers in the
    wheel) and adds the bundled data files with their manifest. Editable installs read the checkout: no copy."""

    def run(self):
        editable = getattr(self, "editable_mode", False)
        if not editable:
            for name in TOP_LEVEL:
                shutil.rmtree(Path(self.build_lib) / name, ignore_errors=True)
        super().run()
        if not editable:
            paths = _paths_module()
            manifest = paths.write_bundle(ROOT, Path(self.build_lib, *paths.BUNDLE_PACKAGE_PATH))
            total = sum(f["bytes"] for f in manifest["files"].values())
            print(f"bundled {len(manifest['files'])} data files ({total / 1e6:.1f} MB) into "
                  f"{'/'.join(paths.BUNDLE_PACKAGE_PATH)}")


setup(cmdclass={"build_py": BuildPyWithData})
