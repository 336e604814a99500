"""The main job end to end on tiny generated sequences (a fast template matcher stands in for SiamRPN), with
an extra OTB-layout dataset; OTB AUC re-computed independently with the got10k toolkit's IoU."""
from __future__ import annotations

import numpy as np
import pytest

from integration.data.generated import GeneratedSet
from integration.jobs.main_job import MainSettings, run_main
from integration.jobs.scoring import fitted_interval

TINY = GeneratedSet(seeds=(5, 6, 7), lengths=(18, 24, 30), prefix="g")


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    from integration.data.synthetic import write_dataset

    root = tmp_path_factory.mktemp("main")
    otb = root / "my_otb"
    write_dataset(otb, layout="otb", n_sequences=1, n_frames=15, size=(200, 150), seed=42, prefix="walk")
    settings = MainSettings(out=root / "out", datasets=(otb,), weights="random:0", workers=1,
                            tracker="tests.test_regression_gate:matcher", generated=TINY, include_bag=False,
                            progress=False)
    return settings, run_main(settings)


def test_groups_experiments_and_reports(job):
    settings, result = job
    s = result.summary
    assert set(s["group"]) == {"default", "my_otb"}
    default = s[s.group == "default"]
    assert set(default["experiment"]) == {"baseline", "realtime", "otb one-pass"}
    assert set(s[s.group == "my_otb"]["experiment"]) == {"otb one-pass"}  # OTB layout: one-pass only
    iv = fitted_interval(TINY.lengths)
    eao = default[(default.experiment == "baseline") & (default.metric == "EAO")].iloc[0]
    assert eao["convention"] == f"LEG, EAO interval [{iv.low}, {iv.high}]"
    assert 0 < eao["value"] <= 1
    for group, html in result.reports.items():
        assert html.is_file() and html.with_suffix(".md").is_file()
        figures = {p.name for p in (html.parent / "figures").glob("*.png")}
        assert {"otb_success.png", "otb_precision.png"} <= figures
        if group == "default":
            assert {"vot_eao_curve.png", "vot_baseline_eao_ranking.png", "vot_realtime_schedule.png"} <= figures
            md = html.with_suffix(".md").read_text()
            assert f"EAO interval [{iv.low}, {iv.high}]" in md
    assert any(f"{settings.datasets[0]}: OTB layout" in n for n in result.notices)
    assert (settings.out / "summary.csv").is_file()


def test_baselines_run_and_ranked_with_siamrpn_not_with_published(job):
    """Issue 22 item 1: OpenCV CSRT and KCF run on the same sequences in the same job and are ranked with the run;
    the generated sequences are not VOT2017 / OTB-2015, so published numbers are never ranked with them."""
    import pandas as pd

    from integration.registry import available_trackers

    settings, result = job
    s = result.summary
    expected = {"SiamRPN-ours"} | {label for name, label in (("csrt", "OpenCV CSRT"), ("kcf", "OpenCV KCF"),
                                                               ("nano", "OpenCV NanoTrack"))
                                   if available_trackers([name])[name] is None}
    assert "OpenCV CSRT" in expected and "OpenCV KCF" in expected  # opencv-contrib is a dependency
    for group in ("default", "my_otb"):
        assert set(s[s.group == group]["tracker"]) == expected
    for name in ("csrt", "kcf"):
        assert (settings.out / "runs" / "default" / "vot" / name / "baseline").is_dir()
        assert (settings.out / "runs" / "default" / "otb" / name).is_dir()
    html = result.reports["default"]
    trackers = pd.read_csv(html.parent / "tables" / "trackers.csv")
    assert set(trackers["tracker"]) == expected and list(trackers["rank"]) == list(range(1, len(expected) + 1))
    eao = s[(s.group == "default") & (s.experiment == "baseline") & (s.metric == "EAO")].set_index("tracker")["value"]
    assert trackers.set_index("tracker")["eao"].to_dict() == eao.to_dict()  # the ranking shows the scores computed
    md = html.with_suffix(".md").read_text()
    assert md.splitlines()[0].startswith("# SiamRPN main job: default, ranked with OpenCV CSRT, OpenCV KCF")
    assert "**SiamRPN-ours**" in md.split("## Conventions")[0]
    assert "published VOT2017 baseline results, measured on other data" in md  # the ranking's published panel
    assert "**like for like**: no: these 3 sequences" in md
    assert "Published OTB2015 trackers are listed apart" in md


def test_generated_data_written_as_vot_dataset(job):
    from analysis.io.load import load_annotations
    from integration.data.synthetic import box_to_polygon, generate

    settings, _ = job
    anns = load_annotations(settings.out / "data" / "generated")
    assert list(anns) == ["g5", "g6", "g7"]
    for (name, ann), seed, n in zip(anns.items(), TINY.seeds, TINY.lengths):
        seq = generate(seed, n, TINY.size, target_size=TINY.target_size, speed=TINY.speed)
        assert np.allclose(ann.groundtruth, box_to_polygon(seq.boxes))
        assert (ann.width, ann.height) == TINY.size


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from got10k.utils.metrics import rect_iou

    return rect_iou(a, b)


def test_otb_auc_recomputed_independently(job):
    from integration.data.synthetic import generate

    settings, result = job
    curves = []
    thresholds = np.linspace(0, 1, 21)
    for name, seed, n in zip(["g5", "g6", "g7"], TINY.seeds, TINY.lengths):
        boxes = generate(seed, n, TINY.size, target_size=TINY.target_size, speed=TINY.speed).boxes
        # ground-truth polygons x..x+w -> area-preserving boxes (pysot get_axis_aligned_bbox): w + 1, same corner
        gt = boxes + np.array([0, 0, 1, 1])
        pred = np.loadtxt(settings.out / "runs" / "default" / "otb" / "siamrpn" / f"{name}.txt", delimiter=",")
        pred[0] = gt[0]  # OTB/G10: frame 1 scored as the ground truth
        ious = _iou(pred, gt)
        curves.append([(ious > t).mean() for t in thresholds])
    auc = float(np.mean(np.mean(curves, axis=0)))
    s = result.summary
    got = s[(s.group == "default") & (s.tracker == "SiamRPN-ours") & (s.metric == "success AUC")]["value"].item()
    assert got == pytest.approx(auc, abs=1e-9)


def test_cli_without_weights_says_what_to_do(tmp_path, monkeypatch, capsys):
    from integration.cli import main

    monkeypatch.setenv("SIAMRPN_WEIGHTS", str(tmp_path / "none.pth"))
    rc = main(["main", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "no SiamRPN weights at" in err and "--weights FILE" in err
    assert not (tmp_path / "out").exists()


def test_results_of_other_weights_are_not_resumed(tmp_path):
    from dataclasses import replace

    from integration.jobs.main_job import _check_resume

    settings = MainSettings(out=tmp_path, weights="random:0", tracker="tests.test_regression_gate:matcher")
    notices: list[str] = []
    _check_resume(settings, notices)
    done = tmp_path / "runs" / "default" / "vot" / "_runner" / "x.done.json"
    done.parent.mkdir(parents=True)
    done.write_text("{}")
    _check_resume(settings, notices)  # same weights and settings: finished runs are kept
    assert done.is_file() and notices == []
    _check_resume(replace(settings, weights="random:1"), notices)
    assert not done.exists() and (tmp_path / "runs" / "run_key.json").is_file()
    assert len(notices) == 1 and "other weights" in notices[0]
