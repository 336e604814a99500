"""GOT-10k AO / SR: hand-computed cases, generated folders, and got10k 0.1.3's own ExperimentGOT10k.report."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.io.annotation import SequenceAnnotation
from analysis.io.got10k import load_got10k_folder, read_meta_info
from analysis.io.results import load_got10k_results
from analysis.metrics.got10k import clip_boxes_g10, evaluate_got10k, got10k_ious, speed_fps


def _write_got10k(root, seqs: dict[str, dict], results: dict[str, list[np.ndarray]] | None = None, tracker="T",
                  times: dict[str, np.ndarray] | None = None):
    """GOT-10k val layout under ``root/val`` (tiny jpgs) and G10 results under ``root/results/GOT-10k/T``."""
    from PIL import Image

    val = root / "val"
    val.mkdir(parents=True)
    (val / "list.txt").write_text("\n".join(seqs) + "\n")
    for name, s in seqs.items():
        d = val / name
        d.mkdir()
        gt = s["gt"]
        for i in range(len(gt)):
            Image.new("RGB", (8, 8)).save(d / f"{i + 1:08d}.jpg")
        np.savetxt(d / "groundtruth.txt", gt, fmt="%.4f", delimiter=",")
        w, h = s["size"]
        (d / "meta_info.ini").write_text(f"[METAINFO]\nobject_class: thing\nresolution: ({w}, {h})\n")
        np.savetxt(d / "cover.label", s["cover"], fmt="%d")
        np.savetxt(d / "absence.label", (np.asarray(s["cover"]) == 0).astype(int), fmt="%d")
        np.savetxt(d / "cut_by_image.label", np.zeros(len(gt)), fmt="%d")
    out = root / "results" / "GOT-10k" / tracker
    for name, runs in (results or {}).items():
        (out / name).mkdir(parents=True)
        for r, boxes in enumerate(runs, start=1):
            np.savetxt(out / name / f"{name}_{r:03d}.txt", boxes, fmt="%.3f", delimiter=",")
        if times and name in times:
            np.savetxt(out / name / f"{name}_time.txt", times[name], fmt="%.8f", delimiter=",")
    return val, out


def test_hand_computed_pooling_and_first_frame_excluded():
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    run1 = np.array([[90, 90, 1, 1], [0, 0, 10, 10], [5, 0, 10, 10], [50, 50, 10, 10]], float)
    ann = {"a": SequenceAnnotation("a", gt, 100, 100, tags={"cover": np.array([8, 8, 0, 8])}),
           "b": SequenceAnnotation("b", gt[:2], 100, 100)}
    np.testing.assert_allclose(got10k_ious(run1, gt, (100, 100), ann["a"].tags["cover"]), [1.0, 0.0])
    rep = evaluate_got10k(ann, {"a": [run1, run1], "b": [gt[:2]]})
    # a: frames 2..4 -> frame 3 has cover 0 and is dropped: IoUs [1, 0] per run, 2 runs; b: [1]
    # pooled: [1, 0, 1, 0, 1] -> AO 0.6 (sequence-averaged would be 0.75)
    assert rep.frames == 5 and rep.ao == pytest.approx(0.6) and rep.sr50 == pytest.approx(0.6)
    assert rep.runs == 2 and rep.sequences == 2


def test_clip_rule_is_g10s():
    b = clip_boxes_g10(np.array([[-5, 2, 20, 3], [90, 95, 20, 20]], float), 100, 100)
    # x clipped to 0 keeps its width (G10), right/bottom edges cut at the image border
    np.testing.assert_allclose(b, [[0, 2, 20, 3], [90, 95, 10, 5]])


def test_speed():
    assert speed_fps(np.array([[0.1, 0.5], [np.nan, 0.0]])) == pytest.approx((10 + 2) / 2)


def test_loader_and_readers(tmp_path):
    gt = np.array([[1, 2, 3, 4]] * 3, float)
    val, out = _write_got10k(tmp_path, {"GOT-10k_Val_000001": {"gt": gt, "size": (640, 480), "cover": [8, 3, 0]}},
                             {"GOT-10k_Val_000001": [gt, gt, gt]}, times={"GOT-10k_Val_000001": np.full((3, 3), 0.02)})
    for path in (val, tmp_path, val / "GOT-10k_Val_000001"):
        anns = load_got10k_folder(path)
        a = anns["GOT-10k_Val_000001"]
        assert (a.width, a.height) == (640, 480) and len(a.frames) == 3
        np.testing.assert_array_equal(a.tags["cover"], [8, 3, 0])
    assert read_meta_info(val / "GOT-10k_Val_000001" / "meta_info.ini")["object_class"] == "thing"
    res = load_got10k_results(out, list(anns))
    assert len(res.runs["GOT-10k_Val_000001"]) == 3 and res.times["GOT-10k_Val_000001"].shape == (3, 3)
    with pytest.raises(ValueError, match="no result files"):
        load_got10k_results(out, ["missing"])
    (val / "GOT-10k_Val_000001" / "cover.label").write_text("8\n3\n")
    with pytest.raises(ValueError, match=r"cover\.label: 2 labels for 3 frames"):
        load_got10k_folder(val)


def test_test_subset_rejected(tmp_path):
    gt = np.array([[1, 2, 3, 4], [np.nan] * 4], float)
    ann = {"s": SequenceAnnotation("s", gt, 10, 10, source="s/groundtruth.txt")}
    with pytest.raises(ValueError, match="server"):
        evaluate_got10k(ann, {"s": [np.ones((2, 4))]})


@pytest.mark.toolkit
def test_matches_got10k_experiment_report(tmp_path):
    pytest.importorskip("got10k")
    import matplotlib

    matplotlib.use("Agg")
    from got10k.experiments import ExperimentGOT10k

    rng = np.random.default_rng(3)
    seqs, results, times = {}, {}, {}
    for k in range(3):
        n = 12 + 5 * k
        W, H = 120, 90
        gt = np.column_stack([rng.uniform(-5, 100, n), rng.uniform(-5, 70, n), rng.uniform(5, 40, n), rng.uniform(5, 40, n)])
        gt = np.round(gt, 3)
        cover = rng.integers(0, 9, n)
        name = f"GOT-10k_Val_{k + 1:06d}"
        seqs[name] = {"gt": gt, "size": (W, H), "cover": cover}
        runs = []
        for _ in range(3):
            p = gt + rng.normal(0, 6, gt.shape)
            p[:, 2:] = np.abs(p[:, 2:]) + 1
            runs.append(np.round(p, 3))
        results[name] = runs
        times[name] = rng.uniform(0.005, 0.05, (n, 3))
    val, out = _write_got10k(tmp_path, seqs, results, times=times)
    exp = ExperimentGOT10k(str(tmp_path), subset="val", result_dir=str(tmp_path / "results"),
                           report_dir=str(tmp_path / "reports"))
    ref = exp.report(["T"])["T"]["overall"]

    anns = load_got10k_folder(val)
    res = load_got10k_results(out, list(anns))
    mine = evaluate_got10k(anns, res.runs, res.times)
    assert mine.ao == pytest.approx(ref["ao"], abs=1e-12)
    assert mine.sr50 == pytest.approx(ref["sr"], abs=1e-12)
    assert mine.speed_fps == pytest.approx(ref["speed_fps"], rel=1e-9)
    np.testing.assert_allclose(mine.success_curve, ref["succ_curve"], atol=1e-12)
    assert 0 < mine.sr75 < mine.sr50


def test_cli_got10k(tmp_path, capsys):
    from integration.cli import main

    gt = np.array([[0, 0, 10, 10]] * 3, float)
    pred = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [5, 0, 10, 10]], float)
    val, out = _write_got10k(tmp_path, {"v1": {"gt": gt, "size": (100, 100), "cover": [8, 8, 8]}}, {"v1": [pred] * 3})
    assert main(["analyze", "got10k", "--annotations", str(val), "--results", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # frames 2, 3 of 3 runs: IoU 1 and 1/3 -> AO 2/3, SR0.5 0.5, SR0.75 0.5
    assert data["ao"] == pytest.approx(2 / 3) and data["sr50"] == 0.5 and data["sr75"] == 0.5
    assert data["frames"] == 6 and data["runs"] == 3 and data["sequences"] == 1 and "G10" in data["convention"]
    assert main(["analyze", "got10k", "--annotations", str(val), "--results", str(out)]) == 0
    text = capsys.readouterr().out
    assert "AO" in text and "G10" in text


def test_got10k_run_files_of_the_wrong_length(tmp_path, capsys):
    from integration.cli import main

    gt = np.array([[0, 0, 10, 10]] * 3, float)
    short = gt[:2]  # one line short: frame 3 has no answer -> IoU 0
    long = np.concatenate([gt, [[50, 50, 5, 5]]])  # one line too many: ignored
    val, out = _write_got10k(tmp_path, {"v1": {"gt": gt, "size": (100, 100), "cover": [8, 8, 8]}},
                             {"v1": [short, long]})
    args = ["analyze", "got10k", "--annotations", str(val), "--results", str(out), "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    # frames 2..3 of both runs pooled: run 1 [1, 0], run 2 [1, 1] -> AO 0.75, SR0.5 0.75
    assert data["frames"] == 4 and data["ao"] == pytest.approx(0.75) and data["sr50"] == pytest.approx(0.75)
    assert any(w.endswith("v1_001.txt: 2 result lines for 3 frames; the last 1 frame(s) have no box and are scored "
                          "as no answer (NaN boxes)")
               for w in data["warnings"])
    assert any(w.endswith("v1_002.txt: 4 result lines for 3 frames; the 1 extra line(s) are ignored")
               for w in data["warnings"])
    assert main(args + ["--strict"]) == 2
    assert "v1_001.txt: 2 result lines but the sequence has 3 frames" in capsys.readouterr().err
    # the same rule without the loader's lengths (evaluate_got10k names sequence and run)
    ann = {"v1": SequenceAnnotation("v1", gt, 100, 100, tags={"cover": np.array([8, 8, 8])})}
    rep = evaluate_got10k(ann, {"v1": [short, long]})
    assert rep.ao == pytest.approx(0.75)
    assert any(w.startswith("v1 run 1: 2 result lines for 3 frames") for w in rep.warnings)
