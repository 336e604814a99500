"""VOT2020-2022 multi-start end to end with the real vot-toolkit 0.7.4, offline (skipped without it).

Three generated sequences (36-60 frames) with moving disk masks, forward and backward anchors and frames
without the target (:mod:`integration.data.multistart`); a box oracle (the mask's inclusive box) and a mask
oracle (the mask itself), both with one forced failure on ``ms00`` (:mod:`tests.multistart_helpers`), served over
TraX. ``vot evaluate`` + ``vot analysis`` on the custom ``multistart-test`` stack (baseline, realtime,
unsupervised; EAO 5/30) and on the built-in ``vot2022/shorttermbox``; then

* the project's A, R, EAO curve and EAO on the toolkit's own result files equal the toolkit's to 1e-9, and the
  unsupervised accuracy too;
* the project's runner (same oracles, in-process) writes results the toolkit scores to the same numbers.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("vot", reason="vot-toolkit is not installed (optional group `toolkits`)")
pytest.importorskip("trax", reason="vot-trax is not installed (optional group `toolkits`)")
if __import__("vot").__version__ != "0.7.4":  # pragma: no cover - the reference is 0.7.4
    pytest.skip("the multi-start reference is vot-toolkit 0.7.4", allow_module_level=True)

from analysis.metrics.vot.multistart import (  # noqa: E402
    MultiStartSettings,
    analyze_multistart_folder,
    unsupervised_folder,
)
from integration.cli import main as siamrpn  # noqa: E402
from integration.data.multistart import write_multistart_dataset  # noqa: E402
from integration.data.sequences import load_dataset  # noqa: E402
from integration.run.experiment import run_experiment  # noqa: E402
from integration.run.units import ExperimentSpec, TrackerSpec  # noqa: E402

pytestmark = [pytest.mark.toolkit, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
VOT = Path(sys.executable).parent / "vot"
TRACKERS = {"ms_box": "tests.multistart_helpers:box_oracle", "ms_mask": "tests.multistart_helpers:mask_oracle"}
KINDS = {"baseline": "multistart", "realtime": "multistart-realtime", "unsupervised": "unsupervised"}


def vot(workspace: Path, *args: str) -> None:
    environ = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    proc = subprocess.run([str(VOT), args[0], "--workspace", str(workspace), *args[1:]], cwd=workspace,
                          capture_output=True, text=True, env=environ, timeout=300, stdin=subprocess.DEVNULL)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "encountered an error" not in out, f"vot {' '.join(args)}:\n{out}"


def registry(folder: Path, data: Path) -> Path:
    path = folder / "ms_trackers.ini"
    path.write_text("".join(
        f"[{name}]\nprotocol = traxpython\ncommand = integration.cli.trax\npaths = {REPO}\ntimeout = 120\n"
        f"env_SIAMRPN_TRAX_FACTORY = {factory}\nenv_MS_ORACLE_DATA = {data}\n\n" for name, factory in TRACKERS.items()))
    return path


def toolkit_scores(workspace: Path, trackers: list[str]) -> dict:
    """``vot analysis`` JSON -> {experiment: {tracker: scores}}: eaoscore, eaocurve, ar (A, R) or accuracy."""
    vot(workspace, "analysis", "--format", "json", "--name", "scores", *trackers)
    report = json.loads((workspace / "analysis" / "scores.json").read_text())
    order = list(report["trackers"])
    out = {}
    for experiment, block in report["results"].items():
        names = [a["name"] for a in block["parameters"]["analyses"]]
        out[experiment] = {t: dict(zip(names, (grid[order.index(t)] for grid in block["results"]))) for t in trackers}
    return out, report


def ours(workspace: Path, tracker: str, experiment: str, settings: MultiStartSettings):
    results = workspace / "results" / tracker
    if experiment == "unsupervised":
        return unsupervised_folder(workspace / "sequences", results)[0]
    return analyze_multistart_folder(workspace / "sequences", results, experiment, settings)


def assert_equal(workspace: Path, theirs: dict, settings: MultiStartSettings, trackers: list[str], what: str):
    for experiment, per_tracker in theirs.items():
        for tracker in trackers:
            t = per_tracker[tracker]
            mine = ours(workspace, tracker, experiment, settings)
            label = f"{what}: {tracker}/{experiment}"
            if experiment == "unsupervised":
                assert mine == pytest.approx(t["accuracy"][0], abs=1e-9), label
                continue
            accuracy, robustness = t["ar"][0], t["ar"][1]
            assert mine.accuracy == pytest.approx(accuracy, abs=1e-9), label
            assert mine.robustness == pytest.approx(robustness, abs=1e-9), label
            assert mine.weights == (t["ar"][3], t["ar"][4]), label
            curve = np.asarray(t["eaocurve"][0], dtype=np.float64)
            assert curve.size == settings.high, label
            np.testing.assert_allclose(mine.curve, curve, atol=1e-9, rtol=0, err_msg=label)
            assert mine.eao == pytest.approx(t["eaoscore"][0], abs=1e-9), label


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("vot_ms")
    write_multistart_dataset(root / "data", lengths=(36, 48, 60))
    reg = registry(root, root / "data")
    ws = root / "ws"
    assert siamrpn(["vot-workspace", "--dataset", str(root / "data"), "--stack", "multistart-test", "--registry",
                    str(reg), str(ws)]) == 0
    vot(ws, "evaluate", "--persist", *TRACKERS)
    theirs, raw = toolkit_scores(ws, list(TRACKERS))
    return root, ws, reg, theirs, raw


def test_generated_set_has_what_the_test_needs(setup):
    root, ws, *_ = setup
    seqs = load_dataset(ws / "sequences")
    assert [len(s) for s in seqs.values()] == [36, 48, 60]
    for seq in seqs.values():
        anchors = seq.values["anchor"]
        assert (anchors > 0).any() and (anchors < 0).any()
        assert any(r.area() == 0 for r in seq.region_list())  # frames without the target


def test_project_analysis_equals_the_toolkit_on_its_result_files(setup):
    root, ws, reg, theirs, raw = setup
    assert set(theirs) == {"baseline", "realtime", "unsupervised"}
    settings = MultiStartSettings(low=5, high=30)
    assert_equal(ws, theirs, settings, list(TRACKERS), "toolkit files")
    box = analyze_multistart_folder(ws / "sequences", ws / "results" / "ms_box", "baseline", settings)
    mask = analyze_multistart_folder(ws / "sequences", ws / "results" / "ms_mask", "baseline", settings)
    # the forced failure: the runs crossing frames 3-14 of ms00 whole fail, nothing else does
    assert 0 < box.per_sequence.loc["ms00", "failures"] == mask.per_sequence.loc["ms00", "failures"]
    assert box.per_sequence["failures"].sum() == box.per_sequence.loc["ms00", "failures"]
    assert box.box_on_masks and not mask.box_on_masks and mask.accuracy > box.accuracy
    assert 0.3 < box.eao < mask.eao < 1


def flat(value) -> np.ndarray:
    """The numbers of a (nested) toolkit result, e.g. ``ar`` = ``[A, R, [R, A], P, N]``."""
    if isinstance(value, (list, tuple)):
        return np.concatenate([flat(v) for v in value]) if value else np.zeros(0)
    return np.array([float(value)])


def test_toolkit_scores_the_project_runner_output_the_same(setup, monkeypatch):
    root, ws, reg, theirs, raw = setup
    mine = root / "ws_runner"
    shutil.copytree(ws, mine, ignore=shutil.ignore_patterns("results", "analysis", "cache", "logs"), symlinks=True)
    seqs = load_dataset(mine / "sequences")
    monkeypatch.setenv("MS_ORACLE_DATA", str(root / "data"))
    specs = [TrackerSpec(factory, label=name) for name, factory in TRACKERS.items()]
    for experiment, kind in KINDS.items():
        exp = ExperimentSpec(kind, profile="pyt", clock="simulated:1", layout="pyt")
        summary = run_experiment(specs, exp, seqs, mine / "results", workers=0, progress=False)
        assert summary.ok, summary.text()
    shutil.rmtree(mine / "results" / "_runner")
    again, _ = toolkit_scores(mine, list(TRACKERS))
    for experiment, per_tracker in theirs.items():
        for tracker, scores in per_tracker.items():
            for name, value in scores.items():
                np.testing.assert_allclose(flat(again[experiment][tracker][name]), flat(value), atol=1e-9, rtol=0,
                                           err_msg=f"{tracker}/{experiment}/{name}")


def test_builtin_vot2022_shorttermbox_stack(setup):
    root, ws, reg, *_ = setup
    stb = root / "ws_stb"
    assert siamrpn(["vot-workspace", "--dataset", str(ws / "sequences"), "--stack", "vot2022-stb", "--registry",
                    str(reg), str(stb)]) == 0
    vot(stb, "evaluate", "--persist", *TRACKERS)
    theirs, _ = toolkit_scores(stb, list(TRACKERS))
    assert_equal(stb, theirs, MultiStartSettings(low=115, high=755), list(TRACKERS), "vot2022/shorttermbox")
