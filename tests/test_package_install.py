"""Issue 22 item 4: the wheel works when installed.

Builds the wheel from a copy of the checkout, installs it into a fresh venv under ``tmp_path`` and runs
``siamrpn track`` / ``analyze`` / ``report`` from a folder outside the checkout, on a generated sequence, and
``siamrpn track`` on the first frames of the real VOT sequence ``bag`` when ``../shared/data`` is present. Offline and fast: the new venv
gets no dependencies of its own, it sees this interpreter's site-packages through a ``.pth`` file (a ``.pth``
inside a directory added that way is not executed, so an editable install of the checkout stays inactive there),
and the wheel goes in with ``--no-deps --no-build-isolation --no-index``. The imported modules must come from
the new venv, the data files (weights, ``trackers.ini``, published tables, regression reference) from the
wheel, checked against the manifest of hashes the build wrote.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("analysis", "integration", "tracker")
BAG_FRAMES = 8

pytestmark = [
    pytest.mark.slow,
    pytest.mark.package,
    pytest.mark.skipif(os.name != "posix", reason="venv layout (bin/, lib/pythonX.Y) of POSIX"),
]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _copy_sources(dest: Path) -> None:
    """What the build reads: the top-level files, the packages and ``results/`` (no build/, egg-info, output)."""
    dest.mkdir()
    for item in REPO.iterdir():
        if item.is_file():
            shutil.copy2(item, dest / item.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
    for name in (*PACKAGES, "results"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SIAMRPN_") and k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONNOUSERSITE="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def _run(cmd: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{' '.join(map(str, cmd))} -> {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def test_wheel_installed_in_a_fresh_venv_tracks_analyses_and_reports(tmp_path):
    import setuptools

    # the build backend must be here (no download): --no-build-isolation uses this interpreter's setuptools
    assert tuple(int(p) for p in setuptools.__version__.split(".")[:1]) >= (77,), setuptools.__version__

    # 1. build the wheel from a clean copy of the sources
    src = tmp_path / "src"
    _copy_sources(src)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", dist, src], cwd=tmp_path)
    (wheel,) = dist.glob("siamrpn_bench-*.whl")

    # 2. a fresh venv that sees this environment's dependencies, and the wheel installed into it
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "_siamrpn_test_deps.pth").write_text("".join(f"{d}\n" for d in deps))
    _run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--ignore-installed",
          "-q", wheel], cwd=tmp_path)
    siamrpn = env_dir / "bin" / "siamrpn"
    assert siamrpn.is_file()

    work = tmp_path / "elsewhere"
    work.mkdir()
    assert REPO not in work.resolve().parents

    # 3. the modules and the data come from the new venv; the bundled files match the build's manifest
    probe = (
        "import json, analysis, integration, tracker\n"
        "from analysis.core import paths\n"
        "from analysis.published import read_committed\n"
        "from integration.jobs.regression.gate import DEFAULT_REFERENCE\n"
        "from integration.toolkits.workspace import checkout_registry\n"
        "print(json.dumps({'modules': [m.__file__ for m in (analysis, integration, tracker, paths)],\n"
        "  'installed': paths.INSTALLED, 'root': str(paths.REPO_ROOT), 'weights': str(paths.default_weights_path()),\n"
        "  'problems': paths.verify_bundle(), 'manifest': sorted(paths.bundled_manifest()['files']),\n"
        "  'published': len(read_committed()), 'reference': str(DEFAULT_REFERENCE),\n"
        "  'registry': str(checkout_registry())}))\n"
    )
    info = json.loads(_run([python, "-c", probe], cwd=work).stdout)
    for module in info["modules"]:
        assert Path(module).is_relative_to(site), module
    assert info["installed"] is True and Path(info["root"]).is_relative_to(site)
    assert info["problems"] == []
    assert {"trackers.ini", "results/weights/siamrpn_default.pth", "results/regression/default.json",
            "results/published/otb2015_fig9.csv"} <= set(info["manifest"])
    for key in ("weights", "reference", "registry"):
        assert Path(info[key]).is_file() and Path(info[key]).is_relative_to(site), (key, info[key])
    assert info["published"] > 0

    # 4. track a few generated frames with the bundled default weights, score them, report on them
    from integration.data.synthetic import write_dataset

    data = tmp_path / "otb"
    (name,) = write_dataset(data, "otb", n_sequences=1, n_frames=6)
    gt = np.loadtxt(data / name / "groundtruth_rect.txt", delimiter=",")
    results = work / "results" / "siamrpn"
    init = ",".join(str(int(v)) for v in gt[0])
    _run([siamrpn, "track", "--frames", data / name / "img", "--init", init, "--output", results / f"{name}.txt"],
         cwd=work)
    boxes = np.loadtxt(results / f"{name}.txt", delimiter=",")
    assert boxes.shape == (6, 4) and np.isfinite(boxes).all()

    scores = json.loads(_run([siamrpn, "analyze", "otb", "--annotations", data, "--results", results, "--json"],
                             cwd=work).stdout)
    assert scores["sequences"] == 1 and scores["frames"] == 6 and 0.0 <= scores["auc"] <= 1.0

    _run([siamrpn, "report", "--results", results, "--benchmark", "otb2015", "--annotations", data,
          "--out", work / "report", "--no-embed"], cwd=work)
    assert (work / "report" / "report.html").is_file() and (work / "report" / "report.md").is_file()

    # 5. the real VOT sequence ``bag`` (first frames), when ../shared/data is here
    bag = SHARED_DATA / "sequences" / "bag"
    if (bag / "groundtruth.txt").is_file():
        frames = work / "bag"
        frames.mkdir()
        for jpg in sorted(bag.glob("*.jpg"))[:BAG_FRAMES]:
            shutil.copy2(jpg, frames / jpg.name)
        polygons = np.loadtxt(bag / "groundtruth.txt", delimiter=",")[:BAG_FRAMES].reshape(-1, 4, 2)
        gt = np.concatenate([polygons.min(1), polygons.max(1) - polygons.min(1)], axis=1)
        init = ",".join(f"{v:.2f}" for v in gt[0])
        _run([siamrpn, "track", "--frames", "bag", "--init", init, "--output", "bag.txt"], cwd=work)
        boxes = np.loadtxt(work / "bag.txt", delimiter=",")
        assert boxes.shape == (BAG_FRAMES, 4)
        assert np.mean([_iou(b, g) for b, g in zip(boxes[1:], gt[1:])]) > 0.4  # the bundled weights do track

    # 6. an altered bundled weights file is refused, not silently used
    weights = Path(info["weights"])
    blob = weights.read_bytes()
    weights.write_bytes(blob[:-1] + bytes([blob[-1] ^ 0xFF]))
    out = subprocess.run([str(python), "-c", "from analysis.core import paths; paths.default_weights_path()"],
                         cwd=work, env=_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "BundledDataError" in out.stderr and "differs" in out.stderr
