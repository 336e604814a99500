"""Batched executor (integration/run/batched.py) == per-sequence runner: same files, same numbers, same resume.

Truth: (1) the per-sequence runner's output on the same sequences (max box difference < 1e-3 px, identical
1/2/0 patterns, identical file layout, identical times under a simulated clock); (2) with the template-matcher
weights (tests/fixtures/tracker/matcher.py) the tracker's box is known exactly (the square's corner - 0.5), so
a ground truth displaced on chosen frames gives a hand-written 1/2/0 pattern (failure, 4 skipped frames, re-init).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from analysis.io.trajectories import load_tracker_results, read_times
from integration.cli import main as siamrpn
from integration.data.sequences import from_arrays
from integration.data.synthetic import generate
from integration.run.batched import run_batched
from integration.run.experiment import plan_units, run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec
from tests.fixtures.tracker.matcher import make_tracker, square_scene


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Small runs on shared cores: one torch thread, restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


RANDOM = TrackerSpec("siamrpn", "random:0")
MATCHER = TrackerSpec("tests.test_batched_runner:matcher_tracker", label="matcher")


def matcher_tracker():
    """SiamRPN with the calibrated template-matcher network (exact on every ``square_scene``)."""
    return make_tracker(*square_scene(8, seed=3))


def synthetic(lengths=(15, 10, 8, 12)) -> dict:
    seqs = {}
    for k, n in enumerate(lengths):
        s = generate(200 + k, n, (96, 72) if k % 2 else (80, 64), speed=4.0)
        seqs[f"s{k}"] = from_arrays(f"s{k}", s.frames, s.boxes)
    return seqs


def tree(root: Path) -> list[str]:
    """Relative paths of every file below ``root`` (the layout)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def codes(run) -> list[int]:
    return [int(r) if isinstance(r, int) else 3 for r in run]


def assert_same_vot(a: Path, b: Path, experiment: str = "baseline") -> int:
    """Identical 1/2/0 patterns and runs; tracked boxes within 1e-3 px. Returns the number of failures seen."""
    ra, rb = load_tracker_results(a, experiment), load_tracker_results(b, experiment)
    assert sorted(ra) == sorted(rb)
    failures = 0
    for seq in ra:
        assert len(ra[seq]) == len(rb[seq]), seq
        for run_a, run_b in zip(ra[seq], rb[seq]):
            assert codes(run_a) == codes(run_b), seq
            failures += codes(run_a).count(2)
            for x, y in zip(run_a, run_b):
                if not isinstance(x, int):
                    assert np.abs(np.asarray(x) - np.asarray(y)).max() < 1e-3, seq
    return failures


def test_vot_baseline_batched_equals_per_sequence_with_repetitions(tmp_path):
    seqs = synthetic()
    exp = ExperimentSpec("baseline", clock="simulated:30")
    per = run_experiment([RANDOM], exp, seqs, tmp_path / "per", progress=False)
    bat = run_experiment([RANDOM], exp, seqs, tmp_path / "bat", progress=False, batch_size=2)  # 4 seqs, 2 slots
    assert per.ok and bat.ok and [o.status for o in bat.outcomes] == ["done"] * 4
    # random weights fail often: resets and re-initialisations happen in both paths, identically
    assert assert_same_vot(tmp_path / "per" / "siamrpn", tmp_path / "bat" / "siamrpn") > 3
    # same files; CPU SiamRPN is deterministic -> LEG stop after 3 identical runs in both paths
    assert tree(tmp_path / "per" / "siamrpn") == tree(tmp_path / "bat" / "siamrpn")
    assert {len(r) for r in load_tracker_results(tmp_path / "bat" / "siamrpn", "baseline").values()} == {3}
    # simulated clock: the times files are identical too (0.03 s on init/tracked/failure frames, 0 elsewhere)
    for s in seqs:
        t_per = read_times(tmp_path / "per" / "siamrpn" / "baseline" / s / f"{s}_time.txt")
        t_bat = read_times(tmp_path / "bat" / "siamrpn" / "baseline" / s / f"{s}_time.txt")
        assert t_bat.shape == (len(seqs[s]), 15) and np.array_equal(t_per, t_bat)
    rec = json.loads((tmp_path / "bat" / "_runner" / "siamrpn" / "baseline" / "s0.done.json").read_text())
    assert rec["runs"] == 3 and rec["batch_size"] == 2


def square_sequences(lengths=(20, 20, 20)):
    seqs = {}
    for k, n in enumerate(lengths):
        frames, corners = square_scene(n, seed=11 + k)
        gt = np.concatenate([corners, np.full((n, 2), 64.0)], 1)
        seqs[f"q{k}"] = (frames, gt, corners)
    return seqs


def test_forced_failure_reinit_gives_the_hand_written_pattern(tmp_path):
    scenes = square_sequences()
    seqs = {}
    for name, (frames, gt, _) in scenes.items():
        gt = gt.copy()
        if name == "q0":
            gt[7] = [5, 5, 30, 30]     # far from the square: overlap 0 -> failure at 7, re-init at 12
            gt[17] = [5, 5, 30, 30]    # failure at 17, frames 18-19 skipped, no re-init (end)
        if name == "q2":
            gt[1] = [460, 460, 40, 40]  # failure on the first tracked frame, re-init at 6
        seqs[name] = from_arrays(name, frames, gt)
    exp = ExperimentSpec("baseline", deterministic=True, clock="simulated:10")
    per = run_experiment([MATCHER], exp, seqs, tmp_path / "per", progress=False)
    bat = run_experiment([MATCHER], exp, seqs, tmp_path / "bat", progress=False, batch_size=3)
    assert per.ok and bat.ok
    T = 3
    expected = {
        "q0": [1] + [T] * 6 + [2, 0, 0, 0, 0, 1] + [T] * 4 + [2, 0, 0],
        "q1": [1] + [T] * 19,
        "q2": [1, 2, 0, 0, 0, 0, 1] + [T] * 13,
    }
    res = load_tracker_results(tmp_path / "bat" / "matcher", "baseline")
    for name, (_, _, corners) in scenes.items():
        (run,) = res[name]  # declared deterministic: one run
        assert codes(run) == expected[name], name
        for f, r in enumerate(run):
            if not isinstance(r, int):  # the matcher's exact answer: corner - 0.5, size 64
                assert np.allclose(r, [corners[f][0] - 0.5, corners[f][1] - 0.5, 64, 64], atol=1e-3), (name, f)
    assert_same_vot(tmp_path / "per" / "matcher", tmp_path / "bat" / "matcher")
    assert tree(tmp_path / "per" / "matcher") == tree(tmp_path / "bat" / "matcher")


def test_otb_and_got10k_batched_equal_per_sequence(tmp_path):
    # template matcher: the true box of every frame is known (corner - 0.5, 64 x 64); lengths differ so slots refill
    scenes = square_sequences((12, 7, 10))
    seqs = {name: from_arrays(name, frames, gt) for name, (frames, gt, _) in scenes.items()}
    for exp in (ExperimentSpec("otb"), ExperimentSpec("got10k", got10k_repetitions=2)):
        per = run_experiment([MATCHER], exp, seqs, tmp_path / exp.kind / "per", progress=False)
        bat = run_experiment([MATCHER], exp, seqs, tmp_path / exp.kind / "bat", progress=False, batch_size=2)
        assert per.ok and bat.ok
        a, b = tmp_path / exp.kind / "per" / "matcher", tmp_path / exp.kind / "bat" / "matcher"
        assert tree(a) == tree(b)
        for name, (_, gt, corners) in scenes.items():
            truth = np.concatenate([corners - 0.5, np.full((len(gt), 2), 64.0)], 1)
            truth[0] = gt[0]  # row 0 = the initial box (OTB/G10)
            files = [f"{name}.txt"] if exp.kind == "otb" else [f"{name}/{name}_00{r}.txt" for r in (1, 2)]
            for f in files:
                xa = np.loadtxt(a / f, delimiter=",")
                xb = np.loadtxt(b / f, delimiter=",")
                assert xa.shape == xb.shape == (len(gt), 4)
                assert np.abs(xb - truth).max() < 1e-3 and np.abs(xa - xb).max() < 1e-3
            times = (b / "times" / f"{name}_time.txt") if exp.kind == "otb" else (b / name / f"{name}_time.txt")
            t = read_times(times)
            assert t.shape == (len(gt), 1 if exp.kind == "otb" else 2) and np.all(t > 0)


def test_resume_skips_finished_sequences_across_modes(tmp_path):
    seqs = synthetic((12, 10, 9))
    exp = ExperimentSpec("baseline", deterministic=True)
    first = run_experiment([RANDOM], exp, seqs, tmp_path, progress=False, batch_size=4)
    assert [o.status for o in first.outcomes] == ["done"] * 3
    # an interrupted run: s1 has no completion record and a stale run file from a later repetition
    rec = tmp_path / "_runner" / "siamrpn" / "baseline"
    (rec / "s1.done.json").unlink()
    stale = tmp_path / "siamrpn" / "baseline" / "s1" / "s1_002.txt"
    stale.write_text("1\n")
    kept = (tmp_path / "siamrpn" / "baseline" / "s0" / "s0_001.txt").stat().st_mtime_ns
    before = load_tracker_results(tmp_path / "siamrpn", "baseline")
    again = run_experiment([RANDOM], exp, seqs, tmp_path, progress=False, batch_size=4)
    assert sorted((o.key, o.status) for o in again.outcomes) == [
        ("siamrpn/baseline/s0", "skipped"), ("siamrpn/baseline/s1", "done"), ("siamrpn/baseline/s2", "skipped")]
    assert not stale.exists()  # the redo never mixes old and new runs
    assert (tmp_path / "siamrpn" / "baseline" / "s0" / "s0_001.txt").stat().st_mtime_ns == kept
    after = load_tracker_results(tmp_path / "siamrpn", "baseline")
    assert codes(after["s1"][0]) == codes(before["s1"][0])
    # records are shared with the per-sequence runner: nothing left to do there
    per = run_experiment([RANDOM], exp, seqs, tmp_path, progress=False)
    assert [o.status for o in per.outcomes] == ["skipped"] * 3
    # ... and a batched run over a per-sequence output resumes too
    assert [o.status for o in run_batched(plan_units([RANDOM], exp, seqs, tmp_path), 2, progress=False)] \
        == ["skipped"] * 3


def test_bad_frame_fails_only_its_sequence(tmp_path):
    scenes = square_sequences((10, 10, 10, 10))
    seqs = {name: from_arrays(name, frames, gt) for name, (frames, gt, _) in scenes.items()}
    frames = list(scenes["q3"][0])
    frames[4] = np.zeros((5,), np.uint8)  # not an image: frame 4 cannot be read
    seqs["q3"] = from_arrays("q3", frames, scenes["q3"][1])
    gt = scenes["q2"][1].copy()
    gt[0, 2] = 0  # empty initial box: this sequence's initialisation fails inside the first batched init
    seqs = {"empty": from_arrays("empty", scenes["q2"][0], gt), **seqs}
    summary = run_experiment([MATCHER], ExperimentSpec("otb"), seqs, tmp_path, progress=False, batch_size=4)
    status = {o.key.split("/")[-1]: o.status for o in summary.outcomes}
    assert status == {"q0": "done", "q1": "done", "q2": "done", "q3": "failed", "empty": "failed"}
    errors = {o.key.split("/")[-1]: o for o in summary.failed}
    assert "Traceback" in Path(errors["q3"].log).read_text() and "q3" in errors["q3"].error
    assert "positive finite size" in errors["empty"].error
    assert not (tmp_path / "matcher" / "q3.txt").exists()
    for name in ("q0", "q1", "q2"):  # the failure did not disturb the other slots: still the exact answer
        corners = scenes[name][2]
        boxes = np.loadtxt(tmp_path / "matcher" / f"{name}.txt", delimiter=",")
        assert np.abs(boxes[1:, :2] - (corners[1:] - 0.5)).max() < 1e-3


def test_realtime_and_other_trackers_stay_per_sequence(tmp_path):
    seqs = synthetic((12, 9))
    template = TrackerSpec("tests.protocol_helpers:TemplateTracker", label="template")
    rt = ExperimentSpec("realtime", profile="vot2017", clock="simulated:75")
    a = run_experiment([RANDOM, template], rt, seqs, tmp_path / "a", progress=False)
    b = run_experiment([RANDOM, template], rt, seqs, tmp_path / "b", progress=False, batch_size=4)
    assert a.ok and b.ok
    for t in ("siamrpn", "template"):
        assert_same_vot(tmp_path / "a" / t, tmp_path / "b" / t, "realtime")
        assert json.loads((tmp_path / "b" / t / "realtime" / "s0" / "s0_realtime.json").read_text())["frames"] == 12
    base = ExperimentSpec("baseline", deterministic=True)
    c = run_experiment([template], base, seqs, tmp_path / "c", progress=False, batch_size=4)
    d = run_experiment([template], base, seqs, tmp_path / "d", progress=False)
    assert d.ok
    assert c.ok and assert_same_vot(tmp_path / "c" / "template", tmp_path / "d" / "template") >= 0
    assert "batch_size" not in json.loads((tmp_path / "c" / "_runner" / "template" / "baseline" / "s0.done.json")
                                          .read_text())  # ran per sequence
    with pytest.raises(ValueError, match="per sequence"):
        run_batched(plan_units([RANDOM], rt, seqs, tmp_path / "e"), 2, progress=False)
    with pytest.raises(ValueError, match="not SiamRPN"):
        run_batched(plan_units([template], base, seqs, tmp_path / "e"), 2, progress=False)


def test_cli_batched_otb_then_analyze(tmp_path, capsys):
    from integration.data.synthetic import write_dataset

    data = tmp_path / "data"
    write_dataset(data, layout="otb", n_sequences=2, n_frames=10, size=(80, 64), seed=5)
    out = tmp_path / "out"
    rc = siamrpn(["run", "otb", "--dataset", str(data), "--tracker", "siamrpn", "--weights", "random:0",
                  "--batch-size", "2", "--quiet", "--out", str(out)])
    assert rc == 0
    recs = sorted((out / "_runner" / "siamrpn" / "otb").glob("*.done.json"))
    assert len(recs) == 2 and all(json.loads(r.read_text())["batch_size"] == 2 for r in recs)
    capsys.readouterr()
    assert siamrpn(["analyze", "otb", "--annotations", str(data), "--results", str(out / "siamrpn"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sequences"] == 2
    rc = siamrpn(["run", "vot", "--dataset", str(data), "--experiment", "realtime", "--clock", "simulated:40",
                  "--tracker", "siamrpn", "--weights", "random:0", "--batched", "--quiet", "--out", str(out)])
    assert rc == 0 and "run per sequence" in capsys.readouterr().err
    assert siamrpn(["run", "otb", "--dataset", str(data), "--tracker", "siamrpn", "--batch-size", "0",
                    "--out", str(out)]) == 2
