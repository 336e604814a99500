"""OTB metrics: hand-computed cases, got10k's own functions as reference, loaders and the CLI."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from analysis.core.boxtext import parse_box_lines
from analysis.core.regions import iou_xywh
from analysis.io.annotation import SequenceAnnotation
from analysis.io.otb import load_otb_folder, load_otb_json, match_otb_name
from analysis.io.results import detect_corner_first_line, load_otb_results
from analysis.metrics.otb import (
    NORM_PRECISION_THRESHOLDS,
    SUCCESS_THRESHOLDS,
    OTBSettings,
    center_errors,
    evaluate_otb,
    normalized_center_errors,
    otb_robust_predictions,
    precision_curve,
    score_sequence,
    success_curve,
)
from tests.conftest import shared_path


def _ann(name, gt):
    return SequenceAnnotation(name=name, groundtruth=np.asarray(gt, float), width=100, height=100)


# ---------------------------------------------------------------- hand-computed cases

def test_iou_hand_computed():
    a = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 4, 4]], float)
    b = np.array([[5, 0, 10, 10], [0, 0, 10, 10], [20, 20, 5, 5], [1, 1, 2, 2]], float)
    # 50/150, identical, disjoint, contained 4/16
    np.testing.assert_allclose(iou_xywh(a, b), [1 / 3, 1.0, 0.0, 0.25])


def test_success_curve_strict_threshold_and_auc_is_mean():
    # IoUs exactly on thresholds: strict > means 0.5 does not pass 0.5
    ious = np.array([1.0, 0.5, 0.25, 0.0])
    curve = success_curve(ious)
    assert curve.shape == (21,)
    # thr 0: 3 of 4 (>0); thr 0.05..0.2: 3; 0.25: 2 (0.25 not > 0.25); 0.3..0.45: 2; 0.5: 1; ... 0.95: 1; 1.0: 0
    expected = np.array([3] * 5 + [2] * 5 + [1] * 10 + [0]) / 4
    np.testing.assert_allclose(curve, expected)
    assert np.isclose(np.mean(curve), (15 + 10 + 10) / 84)


def test_precision_curve_inclusive_and_centres():
    gt = np.array([[10, 10, 11, 11]], float)  # centre (15, 15)
    pred = np.array([[22, 26, 11, 11]], float)  # centre (27, 31): dx 12, dy 16 -> 20 px exactly
    assert center_errors(pred, gt)[0] == pytest.approx(20.0)
    curve = precision_curve(center_errors(pred, gt))
    assert curve[19] == 0.0 and curve[20] == 1.0  # <= 20 counts


def test_normalised_precision_variants():
    gt = np.array([[0, 0, 10, 20], [0, 0, 0.5, 0.5]], float)
    pred = np.array([[3, 4, 10, 20], [0.3, 0.4, 0.5, 0.5]], float)
    # frame 1: dx/w = 0.3, dy/h = 0.2 -> sqrt(0.13); frame 2: g10 divides by max(1, 0.5) = 1 -> 0.5, pst by 0.5 -> 1.0
    np.testing.assert_allclose(normalized_center_errors(pred, gt, "g10"), [np.sqrt(0.13), 0.5])
    np.testing.assert_allclose(normalized_center_errors(pred, gt, "pst"), [np.sqrt(0.13), 1.0], rtol=1e-12)
    s = score_sequence(pred, gt, OTBSettings(first_frame="keep"))
    # PST score = value at 0.2: neither frame within 0.2 (0.3606 and 1.0)
    assert s.norm_precision_pst[20] == 0.0
    # G10 score = mean over 51 thresholds: frame 1 passes thresholds >= 0.37 (14 of 51), frame 2 only 0.5 (1)
    n1 = int(np.sum(NORM_PRECISION_THRESHOLDS >= np.sqrt(0.13)))
    assert n1 == 14
    assert np.mean(s.norm_precision_g10) == pytest.approx((n1 + 1) / 2 / 51)


def test_first_frame_handling():
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 10]], float)
    pred = np.array([[50, 50, 10, 10], [0, 0, 10, 10]], float)
    keep = score_sequence(pred, gt, OTBSettings(first_frame="keep"))
    rep = score_sequence(pred, gt, OTBSettings(first_frame="gt"))
    assert keep.success[10] == 0.5 and rep.success[10] == 1.0


def test_invalid_gt_default_drops_frames_compat_keeps_them():
    gt = np.array([[0, 0, 10, 10], [5, 5, 0, 10], [np.nan] * 4, [1, 1, 10, 10]], float)
    pred = np.array([[0, 0, 10, 10], [5, 5, 10, 10], [5, 5, 10, 10], [100, 100, 10, 10]], float)
    d = score_sequence(pred, gt, OTBSettings())
    assert d.n_frames == 2  # frames 2, 3 dropped
    assert d.success[0] == 0.5 and d.precision[20] == 0.5
    c = score_sequence(pred, gt, OTBSettings(otb_compat=True))
    # OTB: frame 1 gt x=0 -> invalid too (any coord <= 0): IoU -1 fails, error -1 succeeds
    assert c.n_frames == 4
    np.testing.assert_allclose(c.ious, [-1, -1, -1, 0.0])
    assert c.success[0] == 0.0
    assert c.precision[20] == 0.75  # three -1 errors count as success, frame 4 is far away


def test_invalid_predictions():
    gt = np.tile([10, 10, 10, 10.0], (4, 1))
    pred = np.array([[10, 10, 10, 10], [10, 10, 10, 10], [np.nan] * 4, [10, 10, -1, 10]], float)
    d = score_sequence(pred, gt, OTBSettings())
    np.testing.assert_allclose(d.ious, [1, 1, 0, 0])
    assert np.isinf(d.errors[2:]).all()
    # OTB calcSeqErrRobust: both bad boxes inherit frame 2's box
    np.testing.assert_allclose(otb_robust_predictions(pred, gt)[2:], [[10, 10, 10, 10]] * 2)
    c = score_sequence(pred, gt, OTBSettings(otb_compat=True))
    np.testing.assert_allclose(c.ious, [1, 1, 1, 1])


def test_evaluate_otb_sequence_average_and_truncation():
    ann = {"a": _ann("a", [[0, 0, 10, 10]] * 2), "b": _ann("b", [[0, 0, 10, 10]] * 4)}
    res = {"a": np.array([[0, 0, 10, 10], [50, 50, 10, 10]], float),
           "b": np.array([[0, 0, 10, 10]] * 4 + [[1, 1, 1, 1]], float)}
    rep = evaluate_otb(ann, res)
    # a: success 0.5 at every thr < 1; b: 1.0 -> average 0.75 (sequence-averaged, not frame-pooled 5/6)
    assert rep.success_curve[10] == pytest.approx(0.75)
    assert rep.auc == pytest.approx(0.75 * 20 / 21)
    assert rep.frames == 6 and rep.sequences == 2
    assert any("b: 5 result lines for 4 frames; the 1 extra line(s) are ignored" in w for w in rep.warnings)
    # one box short: the missing last frame is "no answer" (IoU 0) and stays in the denominator
    short = evaluate_otb({"b": ann["b"]}, {"b": res["b"][:3]})
    assert short.success_curve[10] == pytest.approx(0.75) and short.frames == 4
    assert any("b: 3 result lines for 4 frames; the last 1 frame(s) have no box" in w for w in short.warnings)


# ---------------------------------------------------------------- got10k's own functions

def test_matches_got10k_functions():
    metrics = pytest.importorskip("got10k.utils.metrics")
    from got10k.experiments.otb import ExperimentOTB

    rng = np.random.default_rng(0)
    gt = np.column_stack([rng.uniform(0, 200, 300), rng.uniform(0, 200, 300), rng.uniform(5, 80, 300), rng.uniform(5, 80, 300)])
    pred = gt + rng.normal(0, 8, gt.shape)
    pred[:, 2:] = np.abs(pred[:, 2:]) + 1
    np.testing.assert_allclose(iou_xywh(pred, gt), metrics.rect_iou(pred.copy(), gt.copy()), atol=1e-12)
    np.testing.assert_allclose(center_errors(pred, gt), metrics.center_error(pred, gt), atol=1e-12)
    exp = ExperimentOTB.__new__(ExperimentOTB)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    ious, ces = metrics.rect_iou(pred.copy(), gt.copy()), metrics.center_error(pred, gt)
    ref_s, ref_p = exp._calc_curves(ious, ces)
    mine = score_sequence(pred, gt, OTBSettings(first_frame="keep"))
    np.testing.assert_allclose(mine.success, ref_s)
    np.testing.assert_allclose(mine.precision, ref_p)
    np.testing.assert_allclose(SUCCESS_THRESHOLDS, np.linspace(0, 1, 21))


# ---------------------------------------------------------------- loaders

def test_parse_box_lines_separators_and_errors(tmp_path):
    boxes = parse_box_lines("1,2,3,4\r\n5\t6\t7\t8\r\n9 10 11 12\n\n", "x.txt")
    np.testing.assert_allclose(boxes, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    with pytest.raises(ValueError, match=r"gt\.txt:2: cannot parse"):
        parse_box_lines("1,2,3,4\n1,2,x,4\n", "gt.txt")
    with pytest.raises(ValueError, match=r"gt\.txt:1: expected 4 values"):
        parse_box_lines("1,2,3\n", "gt.txt")


def test_match_otb_name():
    keys = ["jogging_1", "jogging_2", "human4_2", "blurCar4", "david"]
    assert match_otb_name("Jogging-1.txt", keys) == "jogging_1"
    assert match_otb_name("Human4", keys) == "human4_2"
    assert match_otb_name("human4-2", keys) == "human4_2"
    assert match_otb_name("Blurcar4.txt", keys) == "blurCar4"
    assert match_otb_name("Jogging", keys) is None
    assert match_otb_name("Nope", keys) is None


def _make_otb_folder(root, name, n_frames, gts: dict[str, str], cfg=None):
    from PIL import Image

    seq = root / name
    (seq / "img").mkdir(parents=True)
    for i in range(1, n_frames + 1):
        Image.new("RGB", (32, 24)).save(seq / "img" / f"{i:04d}.jpg")
    for fname, text in gts.items():
        (seq / fname).write_text(text)
    if cfg:
        (seq / "cfg.json").write_text(json.dumps(cfg))
    return seq


def test_load_otb_folder_generated(tmp_path):
    _make_otb_folder(tmp_path, "Jog", 3, {"groundtruth_rect.1.txt": "1\t2\t3\t4\n" * 3,
                                          "groundtruth_rect.2.txt": "5,6,7,8\r\n" * 3,
                                          "groundtruth_rect.txt": "1\t2\t3\t4\n" * 3})
    _make_otb_folder(tmp_path, "Human4", 2, {"groundtruth_rect.1.txt": "", "groundtruth_rect.2.txt": "1 1 2 2\n2 2 2 2\n"})
    _make_otb_folder(tmp_path, "David", 5, {"groundtruth_rect.txt": "1,1,2,2\n1,1,2,2\n"})  # no cfg: truncated w/ warning
    _make_otb_folder(tmp_path, "Cfg", 6, {"groundtruth_rect.txt": "1,1,2,2\n" * 3}, cfg={"startFrame": 2, "endFrame": 4})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anns = load_otb_folder(tmp_path)
    assert sorted(anns) == ["Cfg", "David", "Human4", "Jog-1", "Jog-2"]
    assert anns["Jog-2"].groundtruth[0].tolist() == [5, 6, 7, 8]
    assert (anns["Jog-1"].width, anns["Jog-1"].height) == (32, 24)
    assert anns["Human4"].groundtruth.shape == (2, 4)
    assert [p.name for p in anns["Cfg"].frames] == ["0002.jpg", "0003.jpg", "0004.jpg"]
    # David is in the OTB range table (300-770) but this folder has 5 frames: falls back to the first 2, warned
    assert [p.name for p in anns["David"].frames] == ["0001.jpg", "0002.jpg"]
    assert any("using frames 1-2" in str(w.message) for w in caught)
    _make_otb_folder(tmp_path / "bad", "Short", 2, {"groundtruth_rect.txt": "1,1,2,2\n" * 3})
    with pytest.raises(ValueError, match="3 boxes but only 2 frames"):
        load_otb_folder(tmp_path / "bad")


def test_real_otb_folders():
    root = shared_path("sequences")
    fb = load_otb_folder(root / "OTB_Football1")["OTB_Football1"]
    assert len(fb) == 74 and len(fb.frames) == 74 and fb.frames[-1].name == "0074.jpg"
    jog = load_otb_folder(root / "OTB_Jogging")
    assert sorted(jog) == ["OTB_Jogging-1", "OTB_Jogging-2"] and len(jog["OTB_Jogging-2"]) == 307
    cross = load_otb_folder(root / "OTB_Crossing")["OTB_Crossing"]  # CRLF, comma
    assert cross.groundtruth[0].tolist() == [205, 151, 17, 50] and (cross.width, cross.height) == (360, 240)
    with pytest.warns(UserWarning, match="129 boxes for 201 frames"):
        truck = load_otb_folder(root / "UAV123_10fps_truck2")["UAV123_10fps_truck2"]
    assert len(truck.frames) == 129


def test_load_otb_json_real():
    anns = load_otb_json(shared_path("annotations", "OTB2015.json"))
    assert len(anns) == 100 and sum(len(a) for a in anns.values()) == 59035
    david = anns["david"]
    assert len(david) == 471 and str(david.frames[0]).endswith("David/img/0300.jpg")
    assert str(anns["board"].frames[0]).endswith("00001.jpg")


# ---------------------------------------------------------------- real published results

@pytest.fixture(scope="module")
def otb2015():
    return load_otb_json(shared_path("annotations", "OTB2015.json"))


def test_dasiamrpn_reproduces_published(otb2015):
    res = load_otb_results(shared_path("results", "OTB100", "DaSiamRPN"), otb2015)
    assert len(res.boxes) == 100 and not res.corner_first_line
    rep = evaluate_otb(otb2015, res.boxes)
    assert rep.auc == pytest.approx(0.658, abs=0.001)
    assert rep.precision == pytest.approx(0.880, abs=0.001)
    compat = evaluate_otb(otb2015, res.boxes, OTBSettings(otb_compat=True))
    assert compat.auc == pytest.approx(0.658, abs=0.001) and compat.precision == pytest.approx(0.880, abs=0.001)


def test_siamrpn_corner_first_line_both_handlings(otb2015):
    res = load_otb_results(shared_path("results", "OTB100", "SiamRPN"), otb2015)
    assert len(res.corner_first_line) == 100  # every file has the x1,y1,x2,y2 first line
    as_is = evaluate_otb(otb2015, res.boxes, OTBSettings(first_frame="keep"))
    fixed = evaluate_otb(otb2015, res.boxes, OTBSettings(first_frame="gt"))
    # MANIFEST: about 0.629 / 0.847 as they are, 0.632 / 0.850 with frame 1 replaced by GT
    assert as_is.auc == pytest.approx(0.629, abs=0.001) and as_is.precision == pytest.approx(0.847, abs=0.001)
    assert fixed.auc == pytest.approx(0.632, abs=0.001) and fixed.precision == pytest.approx(0.850, abs=0.001)


def test_detect_corner_first_line_rules():
    boxes = np.array([[197, 213, 231, 294], [193, 212, 34, 81]], float)
    assert detect_corner_first_line(boxes, True, np.array([198, 214, 34, 81.0]))
    assert detect_corner_first_line(boxes, True, None)  # falls back to line 2
    assert not detect_corner_first_line(boxes, False, None)  # floats: not the quirk
    normal = np.array([[198, 214, 34, 81], [193, 212, 34, 81]], float)
    assert not detect_corner_first_line(normal, True, np.array([198, 214, 34, 81.0]))


def test_cli_otb_json(tmp_path, capsys, otb2015):
    from integration.cli import main

    ann = shared_path("annotations", "OTB2015.json")
    res = shared_path("results", "OTB100", "SiamRPN")
    assert main(["analyze", "otb", "--annotations", str(ann), "--results", str(res), "--first-frame", "keep",
                 "--json", "--curves"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["auc"] == pytest.approx(0.629, abs=0.001) and out["sequences"] == 100
    assert {"precision", "norm_precision", "frames", "convention", "warnings"} <= set(out)
    assert any("x1,y1,x2,y2" in w and "keep" in w for w in out["warnings"])
    assert len(out["curves"]["success"]) == 21 and len(out["curves"]["precision"]) == 51


def test_cli_otb_bad_input(tmp_path, capsys):
    from integration.cli import main

    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "A.txt").write_text("1,2,3,4\n1,2,oops,4\n")
    seq = _make_otb_folder(tmp_path / "anns", "A", 2, {"groundtruth_rect.txt": "1,2,3,4\n1,2,3,4\n"})
    assert seq.exists()
    assert main(["analyze", "otb", "--annotations", str(tmp_path / "anns"), "--results", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err
    assert "A.txt:2" in err


def test_dispatcher_delegates_vot(monkeypatch):
    """``analyze vot`` is configured and run by integration.cli.analyze_vot (a stand-in module here)."""
    import types

    from integration.cli import analyze, main

    calls = {}
    fake = types.SimpleNamespace(configure=lambda p: p.add_argument("--marker", default="x"),
                                 run=lambda args: calls.setdefault("marker", args.marker) and 7)
    monkeypatch.setattr(analyze, "analyze_vot", fake)
    assert main(["analyze", "vot", "--marker", "hello"]) == 7
    assert calls == {"marker": "hello"}


# ---------------------------------------------------------------- issue 15: missing / extra results, binary files

def _two_seq_json(tmp_path):
    data = {k: {"name": k, "image_files": [f"{i:04d}.jpg" for i in range(1, 5)], "gt_rect": [[1, 1, 10, 10]] * 4}
            for k in ("Alpha", "Beta")}
    (tmp_path / "otb.json").write_text(json.dumps(data))
    return tmp_path / "otb.json"


def test_otb_missing_results_refused_by_default_allowed_with_warning(tmp_path, capsys):
    from integration.cli import main

    ann_path = _two_seq_json(tmp_path)
    ann = load_otb_json(ann_path)
    res = tmp_path / "res"
    res.mkdir()
    (res / "Alpha.txt").write_text("1,1,10,10\n1,1,10,10\n50,50,10,10\n50,50,10,10\n")
    (res / "Gamma.txt").write_text("1,1,10,10\n")
    with pytest.raises(ValueError, match=r"res: no result file for 1 of the 2 annotated sequences: Beta \(expected .*Beta\.txt\)"):
        load_otb_results(res, ann)
    with pytest.raises(ValueError, match=r"no results for 1 of the 2 annotated sequences: Beta"):
        evaluate_otb(ann, {"Alpha": np.array([[1, 1, 10, 10]] * 4, float)})
    args = ["analyze", "otb", "--annotations", str(ann_path), "--results", str(res), "--json"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "no result file for 1 of the 2 annotated sequences: Beta" in err and "--allow-missing" in err
    assert main(args + ["--allow-missing"]) == 0
    out = json.loads(capsys.readouterr().out)
    # Alpha only: frames 1-2 IoU 1 (frame 1 = GT), 3-4 IoU 0 -> success 0.5 at every threshold < 1
    assert out["sequences"] == 1 and out["frames"] == 4
    assert out["auc"] == pytest.approx(0.5 * 20 / 21) and out["precision"] == pytest.approx(0.5)
    assert any("not scored (--allow-missing): Beta" in w for w in out["warnings"])
    assert any("1 result file(s) without annotation, ignored: Gamma.txt" in w for w in out["warnings"])


def test_otb_binary_result_file_named(tmp_path, capsys):
    from analysis.io.results import read_box_file
    from integration.cli import main

    ann_path = _two_seq_json(tmp_path)
    res = tmp_path / "res"
    res.mkdir()
    (res / "Alpha.txt").write_text("1,1,10,10\n" * 4)
    (res / "Beta.txt").write_bytes(b"1,1,10,10\n1,1,10,10\n\xff\xfe\x00\x01garbage")
    with pytest.raises(ValueError, match=r"Beta\.txt:3: not a text result file \(byte 0xff at offset 20 is not UTF-8"):
        read_box_file(res / "Beta.txt")
    (res / "Beta.txt").write_bytes(b"\x01\x00\x00\x00\x04\x00\x00\x00")  # valid UTF-8, but NUL bytes
    with pytest.raises(ValueError, match=r"Beta\.txt:1: not a text result file \(NUL byte at offset 1"):
        read_box_file(res / "Beta.txt")
    assert main(["analyze", "otb", "--annotations", str(ann_path), "--results", str(res)]) == 2
    assert "Beta.txt:1: not a text result file" in capsys.readouterr().err


def test_otb_binary_ground_truth_named(tmp_path):
    seq = _make_otb_folder(tmp_path, "Bin", 2, {})
    (seq / "groundtruth_rect.txt").write_bytes(b"1,2,3,4\n\x89PNG\r\n")
    with pytest.raises(ValueError, match=r"groundtruth_rect\.txt:2: not a text ground-truth file \(byte 0x89"):
        load_otb_folder(seq)


# ---------------------------------------------------------------- issue 14 item 7: result files of the wrong length

def test_otb_result_files_of_the_wrong_length(tmp_path, capsys):
    from integration.cli import main

    ann_path = _two_seq_json(tmp_path)  # Alpha, Beta: 4 frames of GT [1, 1, 10, 10]
    res = tmp_path / "res"
    res.mkdir()
    (res / "Alpha.txt").write_text("1,1,10,10\n1,1,10,10\n1,1,10,10\n")  # one line short
    (res / "Beta.txt").write_text("1,1,10,10\n" * 4 + "70,70,5,5\n")  # one line too many
    args = ["analyze", "otb", "--annotations", str(ann_path), "--results", str(res), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    # Alpha: frames 1-3 IoU 1, frame 4 no answer (IoU 0, error inf): success 3/4 below thr 1, P@20 3/4
    # Beta: the extra line is ignored, 4 exact frames: success 1, P@20 1. Sequence average:
    assert out["frames"] == 8
    assert out["auc"] == pytest.approx((0.75 * 20 / 21 + 20 / 21) / 2)
    assert out["precision"] == pytest.approx(0.875)
    assert any(w.endswith("Alpha.txt: 3 result lines for 4 frames; the last 1 frame(s) have no box and are scored "
                          "as no answer (NaN boxes)")
               for w in out["warnings"])
    assert any(w.endswith("Beta.txt: 5 result lines for 4 frames; the 1 extra line(s) are ignored")
               for w in out["warnings"])
    # OTB MATLAB's rule for a missing answer: the previous box (frame 3's exact box) -> both sequences perfect
    assert main(args + ["--otb-compat"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["auc"] == pytest.approx(20 / 21) and out["precision"] == 1.0
    # the table output prints the same warnings
    assert main(args[:-1]) == 0
    assert "warning: " in capsys.readouterr().out
    # --strict refuses, naming the file and both counts
    assert main(args + ["--strict"]) == 2
    err = capsys.readouterr().err
    assert "Alpha.txt: 3 result lines but the sequence has 4 frames" in err and "--strict" in err
    (res / "Alpha.txt").write_text("1,1,10,10\n" * 4)
    assert main(args + ["--strict"]) == 2
    assert "Beta.txt: 5 result lines but the sequence has 4 frames" in capsys.readouterr().err
    (res / "Beta.txt").write_text("1,1,10,10\n" * 4)
    assert main(args + ["--strict"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_fit_to_frames_rule():
    from analysis.io.results import fit_to_frames

    boxes = np.array([[1, 2, 3, 4], [5, 6, 7, 8]], float)
    same, note = fit_to_frames(boxes, 2, "f.txt")
    assert note is None and same is not None and np.array_equal(same, boxes)
    longer, note = fit_to_frames(boxes, 1, "f.txt")
    assert longer.tolist() == [[1, 2, 3, 4]] and note == "f.txt: 2 result lines for 1 frames; the 1 extra line(s) are ignored"
    shorter, note = fit_to_frames(boxes, 4, "f.txt")
    assert shorter[:2].tolist() == boxes.tolist() and np.isnan(shorter[2:]).all() and "last 2 frame(s)" in note
    empty, _ = fit_to_frames(np.zeros((0, 4)), 2, "f.txt")
    assert empty.shape == (2, 4) and np.isnan(empty).all()
    with pytest.raises(ValueError, match=r"f\.txt: 2 result lines but the sequence has 3 frames"):
        fit_to_frames(boxes, 3, "f.txt", strict=True)
