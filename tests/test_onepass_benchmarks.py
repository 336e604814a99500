"""One-pass benchmarks with their own rules (LaSOT, UAV123, TrackingNet, NfS, TC128): hand-computed cases for
every rule, agreement with got10k 0.1.3's experiments on generated folders, and the CLI's --json output."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.io.lasot import lasot_split, load_lasot
from analysis.io.nfs import load_nfs
from analysis.io.tc128 import load_tc128
from analysis.io.trackingnet import load_trackingnet
from analysis.io.uav import load_uav, read_uav_boxes, uav_ranges
from analysis.metrics.onepass import evaluate_onepass, frame_scores
from analysis.metrics.trackingnet import evaluate_trackingnet, trackingnet_frame_errors
from analysis.stacks import BENCHMARKS

GT = np.array([[1, 1, 10, 10]] * 4, float)
PRED = np.array([[50, 50, 5, 5], [1, 1, 10, 10], [200, 200, 10, 10], [6, 1, 10, 10]], float)  # IoU 1, 1, 0, 1/3
ABSENT = np.array([0, 0, 1, 0], bool)
# absent frame 3 removed, denominator 4: IoU > t for [1, 1, 1/3] -> 7 thresholds 3/4, 13 thresholds 2/4, t=1: 0
AUC_LASOT = (7 * 0.75 + 13 * 0.5) / 21


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _boxes(rows) -> str:
    return "".join(",".join(f"{v:g}" for v in r) + "\n" for r in rows)


def _lasot_folder(root: Path, name: str = "cat-3") -> Path:
    seq = root / name.split("-")[0] / name
    _write(seq / "groundtruth.txt", _boxes(GT))
    _write(seq / "full_occlusion.txt", "0,0,1,0\n")
    _write(seq / "out_of_view.txt", "0,0,0,0\n")
    return seq


@pytest.mark.parametrize("variant", ["lasot", "pst", "pyt"])
def test_absent_frames_count_as_failures_in_every_lasot_toolkit(tmp_path, variant):
    _lasot_folder(tmp_path)
    ann = load_lasot(tmp_path, split="all")
    assert ann["cat-3"].tags["absent"].tolist() == [False, False, True, False]
    report = evaluate_onepass(ann, {"cat-3": PRED}, "lasot", variant)
    assert report.auc == pytest.approx(AUC_LASOT)
    assert report.precision == pytest.approx(0.75)  # errors [0, 0, 5] of 4 frames
    assert report.norm_precision == pytest.approx(0.5)  # per-axis [0, 0, 0.5] <= 0.2: 2 of 4
    assert report.absent_frames == 1


def test_g10_has_no_absent_rule_and_averages_norm_precision():
    report = evaluate_onepass({"s": _ann(GT)}, {"s": PRED}, "tc128", "g10")
    assert report.auc == pytest.approx(AUC_LASOT)  # the absent frame's IoU 0 fails anyway
    # error / max(1, gt_wh) of [0, 0, big, 0.5]: 2/4 at every threshold, 3/4 at 0.5 -> mean over 51
    assert report.norm_precision == pytest.approx((50 * 0.5 + 0.75) / 51)


def _ann(gt, absent=None):
    from analysis.io.annotation import SequenceAnnotation
    tags = {} if absent is None else {"absent": np.asarray(absent, bool)}
    return SequenceAnnotation(name="s", groundtruth=np.asarray(gt, float), width=0, height=0, tags=tags)


def test_invalid_ground_truth_rules_per_toolkit():
    gt = np.array([[1, 1, 10, 10], [1, 1, 0, 10]], float)  # frame 2: zero width
    pred = np.array([[1, 1, 10, 10], [1, 1, 10, 10]], float)
    # lasot / otb: IoU -1 (failure), centre error -1 (success), both frames in the denominator
    for variant in ("lasot", "otb"):
        s = frame_scores(pred, gt, variant=variant)
        assert s.ious.tolist() == [1.0, -1.0] and s.errors.tolist() == [0.0, -1.0] and s.denominator == 2
    # pyt: IoU -1, centre error inf (failure), normalised -1 (success); UAV: centre error -1
    s = frame_scores(pred, gt, variant="pyt")
    assert s.ious[1] == -1 and s.errors[1] == np.inf and s.norm_errors[1] == -1
    assert frame_scores(pred, gt, variant="pyt", uav=True).errors[1] == -1
    # pst: success needs all 4 values > 0 (IoU -1); precision a GT centre > 0: (0.5, 5.5) is, error 5
    s = frame_scores(pred, gt, variant="pst")
    assert s.ious[1] == -1 and s.errors[1] == pytest.approx(5.0) and s.norm_errors[1] > 1e10
    report = evaluate_onepass({"s": _ann(gt)}, {"s": pred}, "tc128", "lasot")
    assert report.auc == pytest.approx(10 / 21) and report.precision == 1.0


def test_bad_predictions_repaired_per_toolkit():
    gt = np.array([[1, 1, 10, 10]] * 3, float)
    pred = np.array([[1, 1, 10, 10], [3, 1, 10, 10], [np.nan] * 4], float)
    # lasot / otb: the NaN box takes the previous box (IoU 8/12); pst / pyt: it fails
    assert frame_scores(pred, gt, variant="lasot").ious[2] == pytest.approx(80 / 120)
    assert not frame_scores(pred, gt, variant="pst").ious[2] > 0
    zero = pred.copy()
    zero[2] = [5, 5, 0, 4]
    assert frame_scores(zero, gt, variant="pyt").ious[2] == pytest.approx(80 / 120)  # pytracking: w == 0 repaired


def test_uav_nan_rows_per_toolkit(tmp_path):
    gt = np.array([[1, 1, 10, 10], [np.nan] * 4, [1, 1, 10, 10]], float)
    pred = np.array([[1, 1, 10, 10], [1, 1, 10, 10], [100, 100, 10, 10]], float)
    # otb (UAV123 MATLAB toolkit): NaN GT row stays: IoU -1, error -1 (success); 3 frames
    r = evaluate_onepass({"s": _ann(gt)}, {"s": pred}, "uav123", "otb")
    assert r.success_curve[0] == pytest.approx(1 / 3) and r.precision == pytest.approx(2 / 3)
    # g10 (ExperimentUAV123): the row is dropped from both: 2 frames
    r = evaluate_onepass({"s": _ann(gt)}, {"s": pred}, "uav123", "g10")
    assert r.success_curve[0] == pytest.approx(1 / 2) and r.precision == pytest.approx(1 / 2)
    path = _write(tmp_path / "a.txt", "1,1,2,2\nNaN,NaN,NaN,NaN\n\n3,3,4,4\n")
    with pytest.warns(UserWarning, match="a.txt: empty line"):
        boxes = read_uav_boxes(path)
    assert np.isnan(boxes[1:3]).all() and boxes.shape == (4, 4)


def test_uav_frame_range_table():
    assert uav_ranges("UAV123")["bird1_2"] == ("bird1", 775, 1477)
    assert uav_ranges("UAV123_10fps")["bird1_2"] == ("bird1", 259, 493)
    assert uav_ranges("UAV123_10fps")["uav1_3"] == ("uav1", 825, 1157)
    assert len(uav_ranges("UAV123")) == 123 and len(uav_ranges("UAV20L")) == 20


def test_lasot_test_split_is_protocol_ii():
    names = lasot_split("test")
    assert len(names) == len(set(names)) == 280
    assert len({n.split("-")[0] for n in names}) == 70 and "airplane-1" in names


def test_trackingnet_devkit_hand_computed(tmp_path):
    gt = np.array([[10, 10, 20, 20], [10, 10, 20, 20]], float)
    pred = np.array([[0, 0, 1, 1], [15.4, 10, 20, 20]], float)  # rounded to x=15: IoU 300/500, error 5 px
    ious, errors, norm = trackingnet_frame_errors(pred, gt)
    assert ious.tolist() == [1.0, 0.6] and errors.tolist() == [0.0, 5.0] and norm[1] == pytest.approx(0.25)
    r = evaluate_trackingnet({"s": _ann(gt)}, {"s": pred})
    assert r.auc == pytest.approx(0.775)  # trapezoid of [1]*12 + [0.5]*8 + [0] over [0, 1]
    assert r.precision == pytest.approx(0.9625)
    assert r.norm_precision == pytest.approx(0.7625)


def test_trackingnet_layout_refuses_test_ground_truth(tmp_path):
    split = tmp_path / "TEST"
    _write(split / "anno" / "a.txt", "1,1,5,5\n")
    for i in range(3):
        _jpg(split / "frames" / "a" / f"{i}.jpg")
    with pytest.raises(ValueError, match="evaluation server"):
        load_trackingnet(tmp_path)


def _jpg(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8)).save(path)


def _nfs_rows(boxes) -> str:
    return "".join(f'1 {x} {y} {x + w} {y + h} {i + 1} 0 0 0 "obj"\n' for i, (x, y, w, h) in enumerate(boxes))


def test_nfs_30fps_takes_every_8th_240fps_box(tmp_path):
    rows = [[i, 2 * i, 10, 12] for i in range(48)]
    _write(tmp_path / "bee" / "30" / "bee.txt", _nfs_rows(rows))
    for i in range(6):
        _jpg(tmp_path / "bee" / "30" / "bee" / f"{i + 1:05d}.jpg")
    ann = load_nfs(tmp_path, 30)
    assert ann["bee"].groundtruth.tolist() == [[8.0 * k, 16.0 * k, 10.0, 12.0] for k in range(6)]


def _tc128_folder(root: Path, name: str, gt, first: int) -> None:
    _write(root / name / f"{name}_gt.txt", _boxes(gt))
    _write(root / name / f"{name}_frames.txt", f"{first},{first + len(gt) - 1}\n")
    (root / name / "img").mkdir(parents=True, exist_ok=True)


def test_tc128_frame_range_checked(tmp_path):
    _tc128_folder(tmp_path, "Ball", GT, 5)
    assert load_tc128(tmp_path)["Ball"].frames[0].name == "0005.jpg"
    _write(tmp_path / "Ball" / "Ball_frames.txt", "5,9\n")
    with pytest.raises(ValueError, match="Ball_gt.txt: 4 boxes but Ball_frames.txt says frames 5-9"):
        load_tc128(tmp_path)


def test_benchmark_rows_name_their_default_variant():
    for key in ("lasot", "lasot_ext", "uav123", "uav20l", "uav123_10fps", "nfs", "tc128", "trackingnet"):
        spec = BENCHMARKS[key]
        assert spec.default_variant in spec.variants


# --- agreement with got10k 0.1.3's own experiments ------------------------------------------------------------

def _random_boxes(rng, n):
    xy = rng.uniform(1, 100, (n, 2))
    return np.hstack([xy, rng.uniform(5, 40, (n, 2))])




def test_uav123_matches_got10k_experiment(tmp_path, monkeypatch):
    got10k = pytest.importorskip("got10k.experiments")
    rng = np.random.default_rng(3)
    root = tmp_path / "UAV"
    for d in ("x", "y", "z"):
        (root / d).mkdir(parents=True)
    results = {}
    for seq in ("bird1_2", "uav2", "car16_1"):
        _, first, last = uav_ranges("UAV123")[seq]
        gt = _random_boxes(rng, last - first + 1)
        gt[rng.random(len(gt)) < 0.1] = np.nan
        gt[0] = [5, 5, 20, 20]
        _write(root / "anno" / "UAV123" / f"{seq}.txt", _boxes(gt).replace("nan", "NaN"))
        results[seq] = gt + rng.normal(0, 3, gt.shape)
        results[seq][np.isnan(results[seq])] = 10
        out = tmp_path / "res" / "UAV123" / "t"
        out.mkdir(parents=True, exist_ok=True)
        np.savetxt(out / f"{seq}.txt", results[seq], delimiter=",")
    monkeypatch.setattr(got10k.ExperimentUAV123, "plot_curves", lambda self, names: None)
    exp = got10k.ExperimentUAV123(str(root), "UAV123", str(tmp_path / "res"), str(tmp_path / "rep"))
    theirs = exp.report(["t"])["t"]["overall"]
    ours = evaluate_onepass(load_uav(root, "UAV123", allow_missing=True), results, "uav123", "g10",
                            allow_missing=True)
    assert ours.auc == pytest.approx(theirs["success_score"], abs=1e-12)
    assert ours.precision == pytest.approx(theirs["precision_score"], abs=1e-12)
    np.testing.assert_allclose(ours.success_curve, theirs["success_curve"], atol=1e-12)


def test_tc128_and_nfs_match_got10k_experiments(tmp_path, monkeypatch):
    got10k = pytest.importorskip("got10k.experiments")
    from got10k.datasets import TColor128
    monkeypatch.setattr(TColor128, "_download", lambda self, root: root)
    rng = np.random.default_rng(5)
    tc, nfs = tmp_path / "TC", tmp_path / "NFS"
    res_tc, res_nfs = {}, {}
    for i, seq in enumerate(("Ball_ce", "Bike_ce2")):
        gt = _random_boxes(rng, 30 + i)
        _tc128_folder(tc, seq, gt, 1 + i)
        res_tc[seq] = gt + rng.normal(0, 4, gt.shape)
        out = tmp_path / "res" / "TColor128" / "t"
        out.mkdir(parents=True, exist_ok=True)
        np.savetxt(out / f"{seq}.txt", res_tc[seq], delimiter=",")
    for i, seq in enumerate(("bee", "dog")):
        boxes = np.round(_random_boxes(rng, 8 * (5 + i)))
        _write(nfs / seq / "30" / f"{seq}.txt", _nfs_rows(boxes.astype(int)))
        for k in range(5 + i):
            _jpg(nfs / seq / "30" / seq / f"{k + 1:05d}.jpg")
        res_nfs[seq] = boxes[::8] + rng.normal(0, 3, (5 + i, 4))
        out = tmp_path / "res" / "NfS" / "30" / "t"
        out.mkdir(parents=True, exist_ok=True)
        np.savetxt(out / f"{seq}.txt", res_nfs[seq], delimiter=",")
    for cls in (got10k.ExperimentTColor128, got10k.ExperimentNfS):
        monkeypatch.setattr(cls, "plot_curves", lambda self, names: None)
    cases = [(got10k.ExperimentTColor128(str(tc), str(tmp_path / "res"), str(tmp_path / "rep")), load_tc128(tc),
              res_tc, "tc128"),
             (got10k.ExperimentNfS(str(nfs), 30, str(tmp_path / "res"), str(tmp_path / "rep")), load_nfs(nfs, 30),
              res_nfs, "nfs")]
    for exp, ann, res, key in cases:
        theirs = exp.report(["t"])["t"]["overall"]
        ours = evaluate_onepass(ann, res, key, "g10")
        assert ours.auc == pytest.approx(theirs["success_score"], abs=1e-12), key
        assert ours.precision == pytest.approx(theirs["precision_score"], abs=1e-12), key


# --- the command line ----------------------------------------------------------------------------------------

def _cli(capsys, *argv) -> dict:
    from integration.cli import main
    assert main(["analyze", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_lasot_json(tmp_path, capsys):
    _lasot_folder(tmp_path / "LaSOT")
    res = tmp_path / "res"
    _write(res / "cat-3.txt", _boxes(PRED))
    out = _cli(capsys, "lasot", "--annotations", str(tmp_path / "LaSOT"), "--results", str(res), "--split", "all")
    assert out["variant"] == "lasot" and out["auc"] == pytest.approx(AUC_LASOT)
    assert out["precision"] == pytest.approx(0.75) and out["norm_precision"] == pytest.approx(0.5)
    assert "LaSOT MATLAB toolkit" in out["conventions"]["auc"]
    split = _write(tmp_path / "split.txt", "cat-3\n")
    out = _cli(capsys, "lasot", "--annotations", str(tmp_path / "LaSOT"), "--results", str(res),
               "--split-file", str(split), "--variant", "pyt")
    assert out["variant"] == "pyt" and out["auc"] == pytest.approx(AUC_LASOT)


def test_cli_lasot_test_split_missing_is_an_error(tmp_path, capsys):
    from integration.cli import main
    _lasot_folder(tmp_path / "LaSOT")
    assert main(["analyze", "lasot", "--annotations", str(tmp_path / "LaSOT"), "--results", str(tmp_path)]) == 2
    assert "280 sequences of the split 'test' have no folder" in capsys.readouterr().err


def test_cli_trackingnet_and_tc128_json(tmp_path, capsys):
    split = tmp_path / "TN" / "TRAIN_0"
    _write(split / "anno" / "a.txt", "10,10,20,20\n10,10,20,20\n")
    _write(tmp_path / "res" / "a.txt", "0,0,1,1\n15.4,10,20,20\n")
    out = _cli(capsys, "trackingnet", "--annotations", str(tmp_path / "TN"), "--results", str(tmp_path / "res"))
    assert out["auc"] == pytest.approx(0.775) and out["precision"] == pytest.approx(0.9625)
    assert out["norm_precision"] == pytest.approx(0.7625)
    _tc128_folder(tmp_path / "TC", "Ball", GT, 1)
    _write(tmp_path / "res2" / "Ball.txt", _boxes(PRED))
    out = _cli(capsys, "tc128", "--annotations", str(tmp_path / "TC"), "--results", str(tmp_path / "res2"))
    assert out["variant"] == "otb" and out["auc"] == pytest.approx(AUC_LASOT)
