"""``siamrpn report`` / :func:`analysis.report.build.build_report`.

* Conversions and helpers against hand-computed values.
* A synthetic VOT run (baseline + real-time, known failures and held frames) whose report's figure data is
  checked against the analysis output and against the counts the data was built with.
* The shared real results (skipped without ../shared): DaSiamRPN VOT2018, SiamFC VOT2017 baseline +
  real-time, DaSiamRPN/SiamRPN OTB100 — the report reproduces the published numbers and its figures carry
  exactly the analysis output; no tracker is run.
"""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.speed import run_speed
from analysis.plots.realtime import ScheduleState
from analysis.plots.style import PlotStyle
from analysis.report.baselines import normalise_published, select_published
from analysis.report.build import ReportRequest, assemble_report, detect_benchmark
from analysis.report.document import write_report
from analysis.report.vot import published_reliability, realtime_schedules, schedule_from_log, vot_settings
from analysis.stacks import BENCHMARKS
from tests.conftest import shared_path

# small PNG-only figures keep these tests fast (PDF writing is covered by tests/test_plots.py)
STYLE = PlotStyle(width=4.0, height=3.0, dpi=60, formats=("png",))


def figures_of(content) -> dict:
    """``{figure name or file stem: PlotResult}`` of a report."""
    out = {}
    for section in content.sections:
        for result, caption in section.figures:
            assert caption, f"figure {result.name} has no caption"
            out[result.paths[0].stem] = result
    return out


def summary_value(content, experiment: str, metric: str) -> float:
    s = content.summary
    row = s[(s["experiment"] == experiment) & (s["metric"] == metric)]
    assert len(row) == 1, (experiment, metric)
    return float(row["value"].iloc[0])


def check_written(html, content) -> None:
    """HTML self-contained, Markdown linking existing figure files, every figure file non-empty."""
    out = html.parent
    text = html.read_text()
    md = (out / "report.md").read_text()
    for result in figures_of(content).values():
        for path in result.paths:
            assert path.is_file() and path.stat().st_size > 1000, path
            assert path.relative_to(out).as_posix() in md
    assert text.count("data:image/png;base64,") == len(figures_of(content))
    for heading in ("Summary", "Conventions", "Environment"):
        assert f"<h2>{heading}</h2>" in text and f"## {heading}" in md
    import platform

    assert platform.python_version() in text and np.__version__ in text
    assert (out / "tables" / "summary.csv").is_file()


# ------------------------------------------------------------------------------------------- helpers


def test_published_reliability_conversions():
    table = pd.DataFrame({"tracker": ["R", "F", "none"], "robustness": [0.276, np.nan, np.nan],
                          "failures": [np.nan, 1.0, np.nan]})
    rel = published_reliability(table, n_sequences=60, n_frames=21356)
    assert rel.iloc[0] == pytest.approx(math.exp(-30 * 0.276 / 100))  # failure rate per 100 frames
    assert rel.iloc[1] == pytest.approx(math.exp(-30 * 60 / 21356))  # failures per sequence
    assert np.isnan(rel.iloc[2])


def test_published_percentages_are_fractions_and_warned():
    """JudasDie's list types ATOM's OTB-2015 AUC/precision as 66.7/87.9 (read as fractions, warned) and ACFN's
    precision as 802 (neither a fraction nor a percentage: dropped, warned)."""
    from analysis.published import published_scores

    table = published_scores("otb2015", shared=shared_path("published"))
    atom = table[table["tracker"] == "ATOM"]
    assert atom["auc"].item() == pytest.approx(0.667) and atom["precision"].item() == pytest.approx(0.879)
    warnings: list[str] = []
    normalise_published(table, warnings)
    assert any("ATOM" in w and "0.667" in w for w in warnings)
    acfn = table[table["tracker"] == "ACFN"]
    assert acfn["auc"].item() == pytest.approx(0.575) and np.isnan(acfn["precision"].item())
    assert any("ACFN" in w and "802" in w for w in warnings)
    assert (table[["auc", "precision"]].dropna() <= 1.0).all().all()


def test_select_published_keeps_paper_rows_then_nearest():
    table = pd.DataFrame({"tracker": list("ABCDE"), "auc": [0.70, 0.60, 0.64, 0.50, 0.30],
                          "table": [np.nan, np.nan, np.nan, np.nan, "paper"]})
    chosen = select_published(table, "auc", around=0.62, limit=3)
    assert chosen["tracker"].tolist() == ["E", "B", "C"]  # paper row first, then |auc - 0.62| smallest


def test_detect_benchmark():
    assert detect_benchmark("x/VOT2018/DaSiamRPN") == "vot2018"
    assert detect_benchmark("x/results/OTB100/SiamRPN") == "otb2015"
    assert detect_benchmark("x/GOT-10k/val/T") == "got10k"
    with pytest.raises(ValueError, match="--benchmark"):
        detect_benchmark("x/y")


def test_schedule_from_log():
    log = {"frames": 8, "inits": [0, 6], "failures": [3], "skipped": [4, 5], "held": [1]}
    states = schedule_from_log(log)
    S = ScheduleState
    assert states.tolist() == [S.INIT, S.HELD, S.PROCESSED, S.FAILURE, S.SKIPPED, S.SKIPPED, S.INIT, S.PROCESSED]
    with pytest.raises(ValueError, match="outside"):
        schedule_from_log({"frames": 2, "held": [5]})


def test_run_speed_counts_timed_frames_only():
    times = {"a": np.array([[0.1, 0.1], [0.0, 0.3]]), "b": np.array([[0.1], [np.nan]])}
    assert run_speed(times) == pytest.approx(4 / 0.6)
    assert math.isnan(run_speed({}))


# ----------------------------------------------------------------------------------- synthetic VOT run


def _rect(i: int) -> list[float]:
    return [20.0 + 0.5 * i, 30.0, 40.0, 30.0]


def _poly(r: list[float]) -> list[float]:
    x, y, w, h = r
    return [x, y, x + w, y, x + w, y + h, x, y + h]


def _write_synthetic(root, times: bool = True):
    """Two sequences; baseline: one failure in 'a' (frame 61), re-init 5 frames later; real-time: same plus
    two held frames (line repeated) in 'a'. Returns (annotations path, tracker dir)."""
    lengths = {"a": 150, "b": 130}
    ann = {s: {"video_dir": s, "init_rect": _rect(0), "img_names": [f"{s}/{i:08d}.jpg" for i in range(n)],
               "gt_rect": [_poly(_rect(i)) for i in range(n)], "width": 200, "height": 150,
               "occlusion": [int(40 <= i < 80) for i in range(n)], "camera_motion": [0] * n}
           for s, n in lengths.items()}
    ann_path = root / "ann.json"
    ann_path.write_text(json.dumps(ann))
    for exp in ("baseline", "realtime"):
        for s, n in lengths.items():
            lines = ["1"] + [",".join(f"{v:.4f}" for v in _rect(i)) for i in range(1, n)]
            if s == "a":
                lines[60] = "2"
                lines[61:65] = ["0"] * 4
                lines[65] = "1"
                if exp == "realtime":
                    lines[10] = lines[11] = lines[9]
            folder = root / "T" / exp / s
            folder.mkdir(parents=True)
            (folder / f"{s}_001.txt").write_text("\n".join(lines) + "\n")
            if times:
                (folder / f"{s}_time.txt").write_text("\n".join(["0.02"] * n) + "\n")
    return ann_path, root / "T"


@pytest.fixture(scope="module")
def synthetic_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    ann, tracker_dir = _write_synthetic(root)
    content = assemble_report(ReportRequest(tracker_dir, root / "out", "vot2017", ann, tracker="T", style=STYLE))
    html = write_report(content, root / "out")
    return content, html, ann, tracker_dir


def test_synthetic_vot_numbers_match_construction(synthetic_report):
    content, html, _, _ = synthetic_report
    n_frames, failures = 280, 1.0
    for exp in ("baseline", "realtime"):
        assert summary_value(content, exp, "failures (pooled)") == failures
        assert summary_value(content, exp, "robustness (failures / 100 frames)") == pytest.approx(100 / n_frames)
        assert summary_value(content, exp, "reliability exp(-30F/N)") == pytest.approx(math.exp(-30 / n_frames))
        assert summary_value(content, exp, "speed (fps)") == pytest.approx(50.0)  # 0.02 s per frame
    # tracked frames are the ground truth exactly: accuracy 1 (up to rasterisation)
    assert summary_value(content, "baseline", "accuracy") == pytest.approx(1.0, abs=0.02)
    check_written(html, content)


def test_synthetic_vot_figures_carry_the_analysis_output(synthetic_report):
    from analysis.io.trajectories import load_tracker_results
    from analysis.metrics.vot.analysis import analyze_vot, load_vot_annotations

    content, _, ann_path, tracker_dir = synthetic_report
    figs = figures_of(content)
    ann = load_vot_annotations(ann_path)
    # the synthetic sequences (<= 150 frames) are shorter than the vot2017 interval [100, 356]: the report fits
    # the interval to their lengths (the one rule of analysis.metrics.vot.eao.eao_over_interval) and says so
    settings = dataclasses.replace(vot_settings(BENCHMARKS["vot2017"], "leg"), stack=None)
    reps = {e: analyze_vot(ann, load_tracker_results(tracker_dir, e), settings, per_attribute=True)
            for e in ("baseline", "realtime")}
    curve = figs["vot_eao_curve"].data
    fitted = settings.resolve_interval([len(a.groundtruth) for a in ann.values()])
    assert curve["interval"] == (fitted.low, fitted.high) != (100, 356)
    assert any("vot2017 stack's EAO interval [100, 356] reaches beyond" in w for w in content.warnings)
    for e, rep in reps.items():
        np.testing.assert_array_equal(curve[f"T {e}"], rep.eao_curve)
        assert curve["scores"][f"T {e}"] == rep.eao == summary_value(content, e, "EAO")
        ranking = figs[f"vot_{e}_eao_ranking"].data["ranking"]
        assert ranking.loc[ranking["tracker"] == "T (this run)", "eao"].item() == rep.eao
        assert ranking["eao"].is_monotonic_decreasing
        pts = figs["vot_ar"].data["points"].set_index("tracker")
        assert pts.loc[f"T {e} (this run)", "accuracy"] == rep.accuracy
        assert pts.loc[f"T {e} (this run)", "reliability"] == rep.reliability
        att = figs["vot_attributes"].data["table"]
        att = att[att["tracker"] == f"T {e}"].set_index("attribute")
        expected = rep.per_attribute
        np.testing.assert_array_equal(att.loc[expected.index, "eao"].to_numpy(), expected["eao"].to_numpy())
        np.testing.assert_array_equal(att.loc[expected.index, "accuracy"].to_numpy(), expected["accuracy"].to_numpy())
    speed = figs["vot_speed"].data["points"].set_index("tracker")
    assert speed.loc["T baseline (this run)", "fps"] == pytest.approx(50.0)
    bvr = figs["vot_baseline_vs_realtime"].data["table"].set_index("tracker")
    assert bvr.loc["T (this run)", "baseline"] == reps["baseline"].eao
    assert bvr.loc["T (this run)", "realtime"] == reps["realtime"].eao


def test_synthetic_realtime_schedule_inferred_from_trajectories(synthetic_report):
    content, *_ = synthetic_report
    counts = figures_of(content)["vot_realtime_schedule"].data["counts"]
    # a: 2 inits, 1 failure, 4 skipped, 2 held (lines repeated), the rest processed; b: 1 init
    assert counts.loc["a", ["init", "failure", "skipped", "held", "processed"]].tolist() == [2, 1, 4, 2, 141]
    assert counts.loc["b", ["init", "failure", "skipped", "held", "processed"]].tolist() == [1, 0, 0, 0, 129]


def test_partial_results_scored_on_their_sequences_with_warning(tmp_path):
    import shutil

    ann, tracker_dir = _write_synthetic(tmp_path)
    for exp in ("baseline", "realtime"):
        shutil.rmtree(tracker_dir / exp / "b")
    content = assemble_report(ReportRequest(tracker_dir, tmp_path / "out", "vot2017", ann, tracker="T", style=STYLE))
    assert summary_value(content, "baseline", "failures (pooled)") == 1
    assert summary_value(content, "baseline", "robustness (failures / 100 frames)") == pytest.approx(100 / 150)
    assert any("1 of the 2 annotated sequences" in w for w in content.warnings)


def test_experiment_folder_given_directly(tmp_path):
    ann, tracker_dir = _write_synthetic(tmp_path)
    content = assemble_report(ReportRequest(tracker_dir / "realtime", tmp_path / "out", "vot2017", ann, style=STYLE))
    assert content.title == "T on ann (scored as VOT2017, not VOT2017 data)"  # issue 22: titled with the dataset
    assert set(content.summary["experiment"]) == {"realtime"}
    assert "vot_realtime_schedule" in figures_of(content)


def test_realtime_schedule_prefers_logs(tmp_path):
    ann, tracker_dir = _write_synthetic(tmp_path)
    for s, n in (("a", 150), ("b", 130)):
        log = {"profile": "vot2017", "frames": n, "inits": [0], "failures": [], "skipped": [], "held": [3, 4, 5]}
        (tracker_dir / "realtime" / s / f"{s}_001_realtime.json").write_text(json.dumps(log))
    from analysis.io.trajectories import load_tracker_results

    results = load_tracker_results(tracker_dir, "realtime")
    schedules, origin, profile = realtime_schedules(tracker_dir / "realtime", results)
    assert origin == "log" and profile["profile"] == "vot2017"
    assert (schedules["a"] == ScheduleState.HELD).sum() == 3


def test_vot2016_without_times_places_published_efo(tmp_path):
    """VOT2016 (SiamRPN paper Table 2 has EFO and failures per sequence): no run times -> EFO figure of the
    published trackers only; failures per sequence convert with the dataset's n_seq and N. Two synthetic
    sequences are not VOT2016 (issue 22 item 1): the AR plot no longer places the published trackers among the
    run's points and says so on the figure."""
    from analysis.published import published_scores

    ann, tracker_dir = _write_synthetic(tmp_path, times=False)
    content = assemble_report(ReportRequest(tracker_dir, tmp_path / "out", "vot2016", ann, tracker="T", style=STYLE))
    figs = figures_of(content)
    assert figs["vot_eao_curve"].data["interval"] != (108, 371)  # VOT2016 stack: longer than these sequences
    assert any("vot2016 stack's EAO interval [108, 371]" in w for w in content.warnings)
    published = published_scores("VOT2016", "baseline").set_index("tracker")
    speed = figs["vot_speed"].data
    assert speed["speed"] == "efo"
    pts = speed["points"].set_index("tracker")
    assert "SiamRPN" in pts.index and not any("this run" in t for t in pts.index)
    np.testing.assert_allclose(pts["efo"].to_numpy(), published.loc[pts.index, "efo"].to_numpy())
    ar = figs["vot_ar"].data
    assert set(ar["points"]["tracker"]) == {"T baseline (this run)", "T realtime (this run)"}
    assert ar["note"] == "Not VOT2016 data: published VOT2016 scores not ranked with this run"
    c_cot = published.loc[["C-COT"]]
    assert published_reliability(c_cot, 2, 280).item() == pytest.approx(math.exp(-30 * 0.85 * 2 / 280))  # Table 2
    assert c_cot["accuracy"].item() == 0.53
    assert not any(m == "speed (fps)" for m in content.summary["metric"])


def test_got10k_report_hand_computed(tmp_path):
    """Run 1 = ground truth (IoU 1), run 2 = boxes with halved width and height at the same corner (IoU 1/4):
    frame-pooled AO = 0.625, SR0.5 = SR0.75 = 0.5 (G10)."""
    from integration.data.synthetic import write_dataset

    data = tmp_path / "val"
    names = write_dataset(data, "got10k", n_sequences=2, n_frames=12)
    res = tmp_path / "res" / "T"
    for name in names:
        gt = np.loadtxt(data / name / "groundtruth.txt", delimiter=",")
        half = gt.copy()
        half[:, 2:] /= 2
        (res / name).mkdir(parents=True)
        for k, boxes in enumerate((gt, half), start=1):
            np.savetxt(res / name / f"{name}_{k:03d}.txt", boxes, fmt="%.4f", delimiter=",")
        np.savetxt(res / name / f"{name}_time.txt", np.full((len(gt), 2), 0.01), fmt="%.4f", delimiter=",")
    content = assemble_report(ReportRequest(res, tmp_path / "out", "got10k", data, style=STYLE))
    html = write_report(content, tmp_path / "out")
    assert summary_value(content, "OPE", "AO") == pytest.approx(0.625)
    assert summary_value(content, "OPE", "SR0.5") == pytest.approx(0.5)
    assert summary_value(content, "OPE", "SR0.75") == pytest.approx(0.5)
    assert summary_value(content, "OPE", "speed (fps)") == pytest.approx(100.0)
    curve = figures_of(content)["got10k_success"].data
    assert curve["T"][0] == pytest.approx(1.0) and curve["T"][-1] == 0.0  # IoU > 0 on every frame, never > 1
    check_written(html, content)


# --------------------------------------------------------------------------------------- shared results


@pytest.fixture(scope="module")
def vot2018_report(tmp_path_factory):
    folder = shared_path("results", "VOT2018", "DaSiamRPN")
    out = tmp_path_factory.mktemp("vot2018")
    content = assemble_report(ReportRequest(folder, out, None, shared_path("annotations", "VOT2018.json"), style=STYLE))
    return content, write_report(content, out)


@pytest.mark.shared
def test_dasiamrpn_vot2018_report(vot2018_report):
    """DaSiamRPN README / VOT2018: EAO 0.383, accuracy 0.586, robustness 0.276, 59 failures (MANIFEST)."""
    from analysis.published import published_scores

    content, html = vot2018_report
    assert summary_value(content, "baseline", "EAO") == pytest.approx(0.383, abs=0.0005)
    assert summary_value(content, "baseline", "accuracy") == pytest.approx(0.586, abs=0.0005)
    assert summary_value(content, "baseline", "robustness (failures / 100 frames)") == pytest.approx(0.276, abs=0.0005)
    assert summary_value(content, "baseline", "failures (pooled)") == 59
    figs = figures_of(content)
    curve = figs["vot_eao_curve"].data
    assert curve["interval"] == (100, 356)
    # the EAO drawn is the mean of the drawn curve over the shaded interval (LEG)
    assert np.nanmean(curve["DaSiamRPN baseline"][99:356]) == pytest.approx(curve["scores"]["DaSiamRPN baseline"])
    ranking = figs["vot_baseline_eao_ranking"].data["ranking"].set_index("tracker")
    assert ranking.loc["DaSiamRPN (this run)", "eao"] == pytest.approx(0.383, abs=0.0005)
    published = published_scores("VOT2018", "baseline").set_index("tracker")
    shown = [t for t in ranking.index if t != "DaSiamRPN (this run)"]
    assert len(shown) >= 10
    np.testing.assert_allclose(ranking.loc[shown, "eao"].to_numpy(), published.loc[shown, "eao"].to_numpy())
    pts = figs["vot_ar"].data["points"].set_index("tracker")
    assert pts.loc["DaSiamRPN baseline (this run)", "reliability"] == pytest.approx(math.exp(-30 * 59 / 21356))
    speed = figs["vot_speed"].data  # no times in these result files: published frame rates only (pysot model zoo)
    assert speed["speed"] == "fps"
    assert speed["points"].set_index("tracker").loc["siamrpn_alex_dwxcorr", "fps"] == 180
    assert set(figs["vot_attributes"].data["table"]["attribute"]) == {
        "camera_motion", "illum_change", "motion_change", "size_change", "occlusion", "empty"}
    check_written(html, content)


@pytest.fixture(scope="module")
def vot2017_report(tmp_path_factory):
    folder = shared_path("results", "VOT2017", "SiamFC")
    out = tmp_path_factory.mktemp("vot2017")
    content = assemble_report(ReportRequest(folder, out, "vot2017", shared_path("annotations", "VOT2018.json"), style=STYLE))
    return content, write_report(content, out), folder


@pytest.mark.shared
def test_siamfc_vot2017_baseline_and_realtime_report(vot2017_report):
    """VOT2017 report: SiamFC baseline EAO 0.188 (A 0.50), real-time EAO 0.182 (MANIFEST)."""
    content, html, folder = vot2017_report
    assert summary_value(content, "baseline", "EAO") == pytest.approx(0.188, abs=0.001)
    assert summary_value(content, "baseline", "accuracy") == pytest.approx(0.50, abs=0.005)
    assert summary_value(content, "realtime", "EAO") == pytest.approx(0.182, abs=0.001)
    figs = figures_of(content)
    bvr = figs["vot_baseline_vs_realtime"].data["table"].set_index("tracker")
    assert bvr.loc["SiamFC (this run)", "baseline"] == summary_value(content, "baseline", "EAO")
    assert bvr.loc["SiamFC (this run)", "realtime"] == summary_value(content, "realtime", "EAO")
    assert bvr.loc["SiamFC", ["baseline", "realtime"]].tolist() == [0.188, 0.182]  # published (VOT2017 report)
    assert bvr.loc["SiamRPN", "realtime"] == 0.243  # SiamRPN paper Sec. 5.4
    rt_rank = figs["vot_realtime_eao_ranking"].data["ranking"]
    assert rt_rank["tracker"].iloc[0] == "SiamRPN"  # real-time ranking of the year, SiamRPN first
    # schedule: init / failure / skipped counts equal the special codes of the raw files, read independently
    counts = figs["vot_realtime_schedule"].data["counts"]
    for seq in ("ants1", "book", "frisbee", "leaves"):
        codes = (folder / "realtime" / seq / f"{seq}_001.txt").read_text().split()
        assert counts.loc[seq, "init"] == codes.count("1")
        assert counts.loc[seq, "failure"] == codes.count("2")
        assert counts.loc[seq, "skipped"] == codes.count("0")
        assert counts.loc[seq, "frames"] == len(codes)
    check_written(html, content)


@pytest.mark.shared
def test_otb100_report(tmp_path):
    """pysot-toolkit README: DaSiamRPN OTB2015 AUC 0.658, P@20 0.880; SiamRPN raw files ~0.632 / 0.850
    with frame 1 replaced by ground truth (MANIFEST)."""
    run = shared_path("results", "OTB100", "DaSiamRPN")
    content = assemble_report(ReportRequest(run, tmp_path, "otb2015", shared_path("annotations", "OTB2015.json"), style=STYLE))
    html = write_report(content, tmp_path)
    assert summary_value(content, "OPE", "success AUC") == pytest.approx(0.658, abs=0.0005)
    assert summary_value(content, "OPE", "precision @20 px") == pytest.approx(0.880, abs=0.0005)
    figs = figures_of(content)
    success, precision = figs["otb_success"].data, figs["otb_precision"].data
    assert success["scores"]["DaSiamRPN"] == pytest.approx(np.mean(success["DaSiamRPN"]))
    assert success["scores"]["SiamRPN"] == pytest.approx(0.632, abs=0.001)
    assert precision["scores"]["SiamRPN"] == pytest.approx(0.850, abs=0.001)
    assert precision["scores"]["DaSiamRPN"] == precision["DaSiamRPN"][20]
    listed = set(success["published_only"]["tracker"])
    assert listed and not listed & {"DaSiamRPN", "SiamRPN"}  # trackers with raw results are drawn, not listed
    assert {"PTAV", "CREST"} <= listed  # the paper's Fig. 9 comparison set is kept
    check_written(html, content)
    assert "x1,y1,x2,y2" in html.read_text()  # the SiamRPN first-line quirk is reported


def test_cli_report_errors_are_one_line(tmp_path, capsys):
    from integration.cli import main

    assert main(["report", "--results", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "results folder not found" in err and err.count("\n") == 1
    (tmp_path / "r").mkdir()
    assert main(["report", "--results", str(tmp_path / "r"), "--out", str(tmp_path / "o")]) == 2
    assert "--benchmark" in capsys.readouterr().err


@pytest.mark.shared
def test_cli_report_otb(tmp_path, capsys):
    from integration.cli import main

    run = shared_path("results", "OTB100", "SiamRPN")
    rc = main(["report", "--results", str(run), "--benchmark", "otb2015", "--out", str(tmp_path), "--compare"])
    assert rc == 0
    assert (tmp_path / "report.html").is_file() and (tmp_path / "report.md").is_file()
    assert "report:" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "tables" / "summary.csv").set_index("metric")
    assert summary.loc["success AUC", "value"] == pytest.approx(0.632, abs=0.001)
    assert summary.loc["success AUC", "published"] == 0.637  # SiamRPN paper / JudasDie
