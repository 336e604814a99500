"""End to end with the real vot-toolkit 0.7.4, offline: workspace -> ``vot evaluate`` (baseline + realtime,
SiamRPN over TraX with ``random:0`` weights) -> result files -> ``vot analysis`` -> the project's VOT analysis
on the toolkit's own result files (binary, and text with ``VOT_RESULTS_BINARY=0``) agrees with the toolkit.

Small on purpose (two sequences of 16-24 frames, cut to 10 for SiamRPN; ~1-2 min on 2 idle cores). Test doubles served over TraX:
``OracleTracker`` (ground truth plus a deterministic drift and one forced loss, so accuracy, failures and the
EAO curve are all non-trivial) and crashing trackers for the bad-input cases.

Documented convention differences (spec §2.5, §5): the project's ``pyt`` variant is the vot-toolkit
convention set (PYT raster overlap with bounds (W, H), per-run-mean accuracy, length-weighted, PYT segments,
``curve[low:high+1]``); the toolkit stores the EAO curve in float32, so curves and EAO agree to 1e-5, accuracy
and failures to 1e-9.
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

from integration.cli import main as siamrpn  # noqa: E402
from tests.conftest import SHARED_DATA  # noqa: E402

pytestmark = [pytest.mark.toolkit, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
VOT = Path(sys.executable).parent / "vot"
BAG = SHARED_DATA / "sequences" / "bag"
TIMEOUT = 420  # seconds per toolkit command; the whole module normally takes 1-2 minutes


# ------------------------------------------------------------------------------------------ TraX test doubles
class OracleTracker:
    """Ground-truth bounding box, drifting right by 1 px per frame since the last initialisation; returns a
    box far from the target at frame 12 of every ``synth*`` sequence (a deterministic failure).

    It finds its ground truth from the frame path, so the TraX server runs it through ``PathAware``.
    """

    def __init__(self) -> None:
        self.gt: np.ndarray | None = None

    def start(self, path: str, region: np.ndarray) -> None:
        from analysis.io.vot import read_groundtruth

        p = Path(path)
        gt = read_groundtruth(p.parent.parent / "groundtruth.txt")
        if gt.shape[1] > 4:
            xs, ys = gt[:, 0::2], gt[:, 1::2]
            gt = np.stack([xs.min(1), ys.min(1), xs.max(1) - xs.min(1), ys.max(1) - ys.min(1)], axis=1)
        self.gt, self.synth, self.init_index = gt, "synth" in p.parent.parent.name, int(p.stem) - 1

    def step(self, path: str) -> tuple[np.ndarray, float]:
        i = int(Path(path).stem) - 1
        if self.synth and i == 11:
            return np.array([-50.0, -50.0, 2.0, 2.0]), 0.0  # outside the image: overlap 0
        box = self.gt[i].copy()
        box[0] += 1.0 * (i - self.init_index)
        return box, 1.0


class CrashTracker(OracleTracker):
    """Fails at frame 5 of sequence ``synth00``: raises (``CRASH_MODE=raise``) or kills the process (``exit``)."""

    def step(self, path: str) -> tuple[np.ndarray, float]:
        p = Path(path)
        if p.parent.parent.name == "synth00" and int(p.stem) == 5:
            if os.environ.get("CRASH_MODE") == "exit":
                print("crash tracker: exiting hard", file=sys.stderr, flush=True)
                os._exit(3)
            raise RuntimeError("deliberate crash in synth00")
        return super().step(path)


class PathAware:
    """Adapter for trackers that need the frame path: patches ``integration.toolkits.trax_server.read_frame``."""

    def __init__(self, inner: OracleTracker) -> None:
        import integration.toolkits.trax_server as srv

        self.inner, self.last_path = inner, None
        original = srv.read_frame

        def read_frame(path: str) -> np.ndarray:
            self.last_path = path[len("file://"):] if path.startswith("file://") else path
            return original(path)

        srv.read_frame = read_frame

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        self.inner.start(self.last_path, region)

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        return self.inner.step(self.last_path)


def oracle() -> PathAware:
    return PathAware(OracleTracker())


def crasher() -> PathAware:
    return PathAware(CrashTracker())


# ------------------------------------------------------------------------------------------ helpers
def write_test_registry(folder: Path) -> Path:
    """A trackers.ini for the test doubles (absolute ``paths``: it is generated, never committed)."""
    path = folder / "test_trackers.ini"
    common = f"protocol = traxpython\ncommand = integration.cli.trax\npaths = {REPO}\ntimeout = 120\n"
    path.write_text(
        f"[oracle]\n{common}env_SIAMRPN_TRAX_FACTORY = tests.test_vot_toolkit_e2e:oracle\n\n"
        f"[crash_raise]\n{common}env_SIAMRPN_TRAX_FACTORY = tests.test_vot_toolkit_e2e:crasher\nenv_CRASH_MODE = raise\n\n"
        f"[crash_exit]\n{common}env_SIAMRPN_TRAX_FACTORY = tests.test_vot_toolkit_e2e:crasher\nenv_CRASH_MODE = exit\n"
    )
    return path


def vot(workspace: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = dict(os.environ, OMP_NUM_THREADS="1", SIAMRPN_WEIGHTS="random:0", PYTHONPATH=str(REPO))
    environ.update(env or {})
    proc = subprocess.run([str(VOT), *args[:1], "--workspace", str(workspace), *args[1:]], cwd=workspace,
                          capture_output=True, text=True, env=environ, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"vot {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def toolkit_scores(workspace: Path, tracker: str) -> dict[str, dict]:
    """``vot analysis`` JSON for one tracker -> {experiment: {accuracy, failures, eao, curve}}."""
    vot(workspace, "analysis", "--format", "json", "--name", tracker, tracker)
    report = json.loads((workspace / "analysis" / f"{tracker}.json").read_text())
    out = {}
    for experiment, block in report["results"].items():
        ar, cumulative, eao, curve = (r[0] for r in block["results"])  # one tracker: first row of each grid
        out[experiment] = {"accuracy": ar[0], "failures_weighted": ar[1], "failures": cumulative[0],
                           "eao": eao[0], "curve": np.asarray(curve[0], dtype=np.float64)}
    return out


def project_scores(workspace: Path, tracker: str, experiment: str, interval: tuple[int, int]) -> dict:
    """``siamrpn analyze vot --variant pyt`` (the vot-toolkit conventions) on the toolkit's result files."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = siamrpn(["analyze", "vot", "--annotations", str(workspace / "sequences"),
                        "--results", str(workspace / "results" / tracker), "--experiment", experiment,
                        "--variant", "pyt", "--interval", str(interval[0]), str(interval[1]), "--curve", "--json"])
    assert code == 0, out.getvalue()
    report = json.loads(out.getvalue())
    assert report["convention"]["variant"] == "pyt" and report["interval"] == list(interval)

    def num(v):
        return float("nan") if v is None else float(v)

    return {"accuracy": num(report["accuracy"]), "failures": num(report["failures"]),
            "failures_weighted": num(report["robustness_variants"]["pyt_length_weighted"]),
            "eao": num(report["eao"]), "curve": np.array([num(v) for v in report["eao_curve"]])}


def stack_interval(workspace: Path) -> tuple[int, int]:
    import yaml

    stack = yaml.safe_load((workspace / "stack.yaml").read_text())
    eao = next(a for a in stack["experiments"]["baseline"]["analyses"] if a["type"] == "supervised_eao_score")
    return int(eao["low"]), int(eao["high"])


def assert_agree(ours: dict, theirs: dict, what: str, min_curve: int = 2,
                 interval: tuple[int, int] | None = None) -> None:
    """Agreement up to the documented differences: float32 curve, curve[0] (toolkit 0, ours Φ(1) = 1), and a
    toolkit curve shorter than the interval (its EAO NaN): ours is continued over the interval
    (analysis.metrics.vot.eao.extend_curve) and the EAO is PYT's mean over it."""
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"], abs=1e-9), what
    assert ours["failures"] == pytest.approx(theirs["failures"], abs=1e-9), what
    assert ours["failures_weighted"] == pytest.approx(theirs["failures_weighted"], abs=1e-9), what
    assert len(ours["curve"]) >= len(theirs["curve"]) >= min_curve, what
    n = len(theirs["curve"])
    np.testing.assert_allclose(ours["curve"][1:n], theirs["curve"][1:n], atol=1e-5, err_msg=what)
    if np.isnan(theirs["eao"]):
        if interval is not None and len(theirs["curve"]) < interval[1] + 1:
            lo, hi = interval
            assert len(ours["curve"]) >= hi + 1, what  # continued to cover the interval
            assert ours["eao"] == pytest.approx(np.mean(ours["curve"][lo:hi + 1]), abs=1e-9), what
        else:
            assert np.isnan(ours["eao"]), what
    else:
        assert ours["eao"] == pytest.approx(theirs["eao"], abs=1e-5), what


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    from integration.data.synthetic import write_dataset

    root = tmp_path_factory.mktemp("vot")
    write_dataset(root / "synth", layout="vot", n_sequences=1 if BAG.is_dir() else 2, n_frames=16)
    datasets = ["--dataset", str(root / "synth")] + (["--dataset", str(BAG)] if BAG.is_dir() else [])
    ws = root / "ws"
    argv = ["vot-workspace", *datasets, "--stack", "custom", "--max-frames", "24",
            "--registry", str(REPO / "trackers.ini"), "--registry", str(write_test_registry(root)), str(ws)]
    assert siamrpn(argv) == 0
    return ws


@pytest.fixture(scope="module")
def siamrpn_workspace(workspace) -> Path:
    """The same two sequences cut to 10 frames: SiamRPN is the slow tracker (torch start-up per sequence)."""
    ws = workspace.parent / "ws_siamrpn"
    argv = ["vot-workspace", "--dataset", str(workspace / "sequences"), "--stack", "custom", "--max-frames", "10",
            "--registry", str(REPO / "trackers.ini"), str(ws)]
    assert siamrpn(argv) == 0
    return ws


# ------------------------------------------------------------------------------------------ tests
def test_workspace_layout(workspace):
    names = (workspace / "sequences" / "list.txt").read_text().split()
    assert names[0] == "synth00" and len(names) == 2
    for name in names:
        seq = workspace / "sequences" / name
        props = dict(line.split("=", 1) for line in (seq / "sequence").read_text().split())
        assert props["channels.color"] == "color/%08d.jpg" and props["format"] == "default" and props["fps"] == "30"
        n = int(props["length"])
        assert len(list((seq / "color").glob("*.jpg"))) == n
        assert len((seq / "groundtruth.txt").read_text().split()) == n
    cfg = (workspace / "config.yaml").read_text()
    assert "stack: stack.yaml" in cfg and str(REPO / "trackers.ini") in cfg
    low, high = stack_interval(workspace)
    assert 1 <= low <= high <= 23  # fits the sequences (longest 24 frames; toolkit reads curve[high])


def test_siamrpn_over_trax_baseline_and_realtime(siamrpn_workspace):
    workspace = siamrpn_workspace
    pytest.importorskip("tracker.siamrpn", reason="SiamRPN tracker not available")
    proc = vot(workspace, "evaluate", "--persist", "siamrpn")
    assert "encountered an error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    from analysis.io.trajectories import read_trajectory

    names = (workspace / "sequences" / "list.txt").read_text().split()
    for experiment, runs in (("baseline", 3), ("realtime", 1)):  # deterministic: the toolkit stops after 3
        for name in names:
            folder = workspace / "results" / "siamrpn" / experiment / name
            files = sorted(folder.glob(f"{name}_*.bin"))
            assert len(files) == runs, (experiment, name, sorted(folder.iterdir()))
            traj = read_trajectory(files[0])
            n = len((workspace / "sequences" / name / "groundtruth.txt").read_text().split())
            assert len(traj) == n and traj[0] == 1  # init code on frame 1
            assert (folder / f"{name}_001_time.value").is_file()
    theirs = toolkit_scores(workspace, "siamrpn")
    interval = stack_interval(workspace)
    for experiment in ("baseline", "realtime"):
        # random weights lose the target at once, so the toolkit's curve may hold a single point
        assert_agree(project_scores(workspace, "siamrpn", experiment, interval), theirs[experiment],
                     f"siamrpn/{experiment}", min_curve=1, interval=interval)


def test_oracle_binary_and_text_results_agree_with_toolkit(workspace):
    vot(workspace, "evaluate", "--persist", "oracle")  # vot analysis needs every experiment of the stack
    theirs = toolkit_scores(workspace, "oracle")["baseline"]
    ours = project_scores(workspace, "oracle", "baseline", stack_interval(workspace))
    # hand check: one forced failure per run on synth00 (frame 12), none on the other sequence
    assert theirs["failures"] == pytest.approx(1.0)
    assert 0.3 < theirs["accuracy"] < 1.0 and np.isfinite(theirs["eao"])
    assert_agree(ours, theirs, "oracle/baseline (binary)")

    # the same tracker writing text results (VOT_RESULTS_BINARY=0)
    text_ws = workspace.parent / "ws_text"
    shutil.copytree(workspace, text_ws, ignore=shutil.ignore_patterns("results", "analysis", "cache", "logs"),
                    symlinks=True)
    vot(text_ws, "evaluate", "--persist", "oracle", env={"VOT_RESULTS_BINARY": "0"})
    txt = sorted((text_ws / "results" / "oracle" / "baseline" / "synth00").glob("synth00_*.txt"))
    assert txt and not list((text_ws / "results" / "oracle" / "baseline").rglob("*.bin"))
    lines = txt[0].read_text().split()
    assert lines[0] == "1" and "2" in lines  # init code, then the failure code
    ours_text = project_scores(text_ws, "oracle", "baseline", stack_interval(text_ws))
    assert_agree(ours_text, toolkit_scores(text_ws, "oracle")["baseline"], "oracle/baseline (text)")
    assert ours_text["accuracy"] == pytest.approx(ours["accuracy"], abs=1e-6)


def test_opencv_baseline_from_committed_trackers_ini(workspace):
    """The `kcf` entry of trackers.ini (area-preserving box hand-over) runs the baseline over TraX."""
    pytest.importorskip("integration.registry", reason="OpenCV baseline registry not available")
    from analysis.io.trajectories import read_trajectory

    proc = vot(workspace, "evaluate", "--persist", "--experiments", "baseline", "kcf")
    assert "encountered an error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    for name in (workspace / "sequences" / "list.txt").read_text().split():
        traj = read_trajectory(workspace / "results" / "kcf" / "baseline" / name / f"{name}_001.bin")
        assert traj[0] == 1 and any(not isinstance(r, int) for r in traj[1:])  # it reported regions


@pytest.mark.parametrize("mode", ["raise", "exit"])
def test_crash_mid_sequence_is_logged_and_other_sequences_run(workspace, mode):
    tracker = f"crash_{mode}"
    proc = vot(workspace, "evaluate", "--persist", "--experiments", "baseline", tracker)
    out = proc.stdout + proc.stderr
    assert f"Tracker {tracker} encountered an error at sequence synth00" in out, out
    logs = sorted((workspace / "logs").glob(f"{tracker}_*.log"))
    assert logs, f"no toolkit log for {tracker}: {out}"
    log = logs[-1].read_text()
    if mode == "raise":
        assert "trax_server: tracker failed: RuntimeError: deliberate crash in synth00" in log
        assert "Server terminated the session: tracker failed" in out
    else:
        assert "crash tracker: exiting hard" in log and "Process exited with code (3)" in log
    results = workspace / "results" / tracker / "baseline"
    assert not list((results / "synth00").glob("*.bin")) if (results / "synth00").exists() else True
    others = [n for n in (workspace / "sequences" / "list.txt").read_text().split() if n != "synth00"]
    for name in others:  # --persist: the other sequence still ran to completion
        assert (results / name / f"{name}_001.bin").is_file()


def test_without_persist_an_error_stops_the_experiment_but_exit_code_is_0(workspace):
    """Why the docs insist on --persist: 0.7.4 aborts at the first error and still exits 0."""
    ws = workspace.parent / "ws_nopersist"
    shutil.copytree(workspace, ws, ignore=shutil.ignore_patterns("results", "analysis", "cache", "logs"))
    proc = vot(ws, "evaluate", "--experiments", "baseline", "crash_raise")  # vot() asserts exit code 0
    assert "Evaluation interrupted by tracker error" in proc.stdout + proc.stderr
    assert not list((ws / "results").rglob("*.bin"))  # synth00 crashed first; the other sequence never ran


def test_unreadable_frame_is_logged(workspace):
    bad_ws = workspace.parent / "ws_badframe"
    shutil.copytree(workspace, bad_ws, ignore=shutil.ignore_patterns("results", "analysis", "cache", "logs"))
    frame = bad_ws / "sequences" / "synth00" / "color" / "00000004.jpg"
    frame.unlink()  # hard link in the copy: replace, never write through to the source
    frame.write_bytes(b"not an image")
    proc = vot(bad_ws, "evaluate", "--persist", "--experiments", "baseline", "oracle")
    assert "encountered an error at sequence synth00" in proc.stdout + proc.stderr
    log = sorted((bad_ws / "logs").glob("oracle_*.log"))[-1].read_text()
    assert f"trax_server: cannot decode frame (unreadable or corrupt image): {frame}" in log
    other = [n for n in (bad_ws / "sequences" / "list.txt").read_text().split() if n != "synth00"][0]
    assert (bad_ws / "results" / "oracle" / "baseline" / other / f"{other}_001.bin").is_file()


# ------------------------------------------------------------------------------------------ workspace builder
@pytest.mark.parametrize("stack, experiments", [("vot2017", ["baseline", "realtime", "unsupervised"]),
                                                ("vot2016", ["baseline", "unsupervised"]),
                                                ("vot2015", ["baseline"])])
def test_builtin_stacks_load_offline(tmp_path, capsys, stack, experiments):
    """The built-in stack names of 0.7.4 resolve, the sequences load, and nothing is downloaded."""
    from vot.workspace import Workspace

    from integration.data.synthetic import write_dataset

    write_dataset(tmp_path / "data", layout="vot", n_sequences=2, n_frames=12)
    assert siamrpn(["vot-workspace", "--dataset", str(tmp_path / "data"), "--stack", stack,
                    "--link", "copy", str(tmp_path / "ws")]) == 0
    assert "EAO interval" in capsys.readouterr().err  # 12-frame sequences cannot fit the published interval
    ws = Workspace.load(str(tmp_path / "ws"))
    assert list(ws.stack.experiments) == experiments
    assert [s.name for s in ws.dataset] == ["synth00", "synth01"]
    seq = ws.dataset["synth00"]
    assert len(seq) == 12 and seq.size == (160, 120)
    assert "siamrpn" in ws.registry and "csrt" in ws.registry and "kcf" in ws.registry
    # the ground truth the toolkit reads is the generated polygon, unchanged
    gt = np.loadtxt(tmp_path / "data" / "synth00" / "groundtruth.txt", delimiter=",")
    np.testing.assert_allclose(np.asarray(seq.groundtruth(3).points()).ravel(), gt[3], atol=1e-4)


def test_registry_paths_resolve_relative_to_trackers_ini():
    """`paths = .` in the committed trackers.ini means the project root, wherever the checkout is."""
    from vot.tracker import Registry
    from vot.tracker.trax import normalize_paths

    registry = Registry([str(REPO / "trackers.ini")], root="/")
    tracker = registry["siamrpn"]
    assert normalize_paths(["."], tracker) == [str(REPO)]
    text = (REPO / "trackers.ini").read_text()
    assert "python =" not in text and str(REPO) not in text  # nothing machine-specific
    runtime = tracker.runtime()
    assert runtime._command.endswith("-m integration.cli.trax")
    assert runtime._envvars["SIAMRPN_TRAX_TRACKER"] == "siamrpn"


def test_workspace_bad_input_messages(tmp_path):
    from integration.data.synthetic import write_dataset
    from integration.toolkits.workspace import WorkspaceError, build_workspace, discover_sequences

    write_dataset(tmp_path / "data", layout="vot", n_sequences=1, n_frames=6)
    seq_dir = tmp_path / "data" / "synth00"
    gt = seq_dir / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    gt.write_text("\n".join(lines[:2] + ["1,2,oops,4"] + lines[3:]) + "\n")
    with pytest.raises(WorkspaceError, match=r"groundtruth.txt:3: not a list of numbers"):
        discover_sequences(seq_dir)
    gt.write_text("\n".join(lines) + "\n")
    seqs = discover_sequences(tmp_path / "data")
    (seq_dir / "00000004.jpg").unlink()
    with pytest.raises(WorkspaceError, match=r"frame 4 is missing: .*00000004.jpg"):
        build_workspace(tmp_path / "ws", seqs, stack="custom")
    with pytest.raises(WorkspaceError, match="duplicate sequence names: synth00"):
        build_workspace(tmp_path / "ws2", seqs + seqs, stack="custom")
    with pytest.raises(WorkspaceError, match="unknown stack"):
        build_workspace(tmp_path / "ws3", seqs, stack="vot2013")  # not a stack of vot-toolkit 0.7.4 (vot2018 is, since the vot2018 row names it)
    assert siamrpn(["vot-workspace", "--dataset", str(tmp_path / "nowhere"), "--stack", "custom",
                    str(tmp_path / "ws4")]) == 2
    assert siamrpn(["vot-workspace", "--stack", "custom", str(tmp_path / "ws5")]) == 2  # no source at all


def test_workspace_with_generated_sequences(tmp_path):
    from vot.workspace import Workspace

    assert siamrpn(["vot-workspace", "--synthetic", "3", "--synthetic-frames", "8", "--seed", "5",
                    "--stack", "custom", str(tmp_path / "ws")]) == 0
    ws = Workspace.load(str(tmp_path / "ws"))
    assert [s.name for s in ws.dataset] == ["synth00", "synth01", "synth02"]
    assert all(len(s) == 8 for s in ws.dataset)
    assert list(ws.stack.experiments) == ["baseline", "realtime"]
