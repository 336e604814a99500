"""Issue 14 items 3-4: several trackers at once (``siamrpn analyze vot|otb|got10k`` and ``siamrpn report``):
one ranking whose values equal the single-tracker analyses, intervals per tracker, paired tests against a
baseline (a tracker against a copy of itself: difference 0, p = 1), figures holding every tracker."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from analysis.metrics import bootstrap as bs
from analysis.metrics.compare import compare_trackers
from analysis.metrics.otb import evaluate_otb
from integration.cli import main
from tests.test_bootstrap import BOX, FAR, HALF, _box_ann
from tests.test_got10k_metrics import _write_got10k


def _run(capsys, args: list[str]) -> dict:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------------------------------------- fixtures
def _otb(tmp_path, noise=(2.0, 8.0, 14.0)):
    """Eight 10-frame sequences; tracker Tk adds centre noise noise[k] (larger noise = lower AUC)."""
    rng = np.random.default_rng(4)
    names = [f"Seq{i}" for i in range(8)]
    data = {k: {"name": k, "image_files": [f"{j:04d}.jpg" for j in range(1, 11)], "gt_rect": [[20, 20, 30, 30]] * 10}
            for k in names}
    ann = tmp_path / "otb.json"
    ann.write_text(json.dumps(data))
    root = tmp_path / "trackers"
    for t, sd in zip(("T1", "T2", "T3"), noise):
        res = root / t
        res.mkdir(parents=True)
        for k in names:
            boxes = np.array([[20, 20, 30, 30]] * 10, float) + rng.normal(0, sd, size=(10, 4)) * [1, 1, 0, 0]
            np.savetxt(res / f"{k}.txt", boxes, fmt="%.2f", delimiter=",")
    (root / "T2" / "times").mkdir()
    for k in names:  # T2 took 0.05 s per frame: 20 fps
        (root / "T2" / "times" / f"{k}_time.txt").write_text("0.05\n" * 10)
    return ann, root


def _vot(tmp_path):
    """Six 12-frame sequences; A = the runs of tests/test_bootstrap (2 failures), B = ground truth (none)."""
    n, names = 12, [f"s{i}" for i in range(6)]
    ann = {s: {"video_dir": s, "init_rect": [10, 10, 20, 20], "img_names": [f"{s}/{i:08d}.jpg" for i in range(n)],
               "gt_rect": [[10, 10, 20, 20]] * n, "width": 100, "height": 100} for s in names}
    (tmp_path / "ann.json").write_text(json.dumps(ann))
    lines = {"s0": ["1"] + [BOX] * 11, "s1": ["1", BOX, HALF, "2", "0", "0", "0", "0", "1", BOX, HALF, BOX],
             "s2": ["1"] + [HALF] * 11, "s3": ["1", FAR, FAR, FAR, FAR, BOX, BOX, HALF, HALF, FAR, BOX, BOX],
             "s4": ["1", BOX, "2", "0", "0", "0", "0", "1", FAR, FAR, FAR, FAR], "s5": ["1"] + [FAR] * 11}
    for tracker, runs in (("A", lines), ("B", {s: ["1"] + [BOX] * 11 for s in names})):
        for s, run in runs.items():
            d = tmp_path / "vot" / tracker / "baseline" / s
            d.mkdir(parents=True)
            (d / f"{s}_001.txt").write_text("".join(f"{x}\n" for x in run))
            (d / f"{s}_time.txt").write_text("0.01\n" * n if tracker == "A" else "0.04\n" * n)
    return tmp_path / "ann.json", tmp_path / "vot"


# ---------------------------------------------------------------------------------------------- library
def test_compare_trackers_ranks_and_pairs_a_tracker_with_itself():
    rng = np.random.default_rng(2)
    ann = {f"s{i}": _box_ann(f"s{i}", 20) for i in range(10)}
    good = evaluate_otb(ann, {k: a.groundtruth + rng.normal(0, 1, a.groundtruth.shape) for k, a in ann.items()})
    bad = evaluate_otb(ann, {k: a.groundtruth + rng.normal(0, 6, a.groundtruth.shape) for k, a in ann.items()})
    cmp = compare_trackers({"bad": bad, "good": good, "copy": bad}, bootstrap=300, seed=1)
    assert cmp.trackers == ("good", "bad", "copy") and cmp.baseline == "bad"  # ties keep the given order
    assert cmp.scores["good"]["auc"] == good.auc and cmp.intervals["bad"] == bs.otb_intervals(bad, resamples=300, seed=1)
    same = cmp.paired["copy"]["auc"]
    assert same.difference == 0.0 and same.p_value == 1.0 and same.low == same.high == 0.0
    diff = cmp.paired["good"]["auc"]
    assert diff.difference == pytest.approx(good.auc - bad.auc) and diff.p_value < 0.05 and diff.low > 0
    # the sign-flip test of the per-sequence AUCs, as bootstrap.sign_flip_test computes it
    ref = bs.sign_flip_test(good.per_sequence["auc"], bad.per_sequence["auc"], resamples=300, seed=1)
    assert diff == ref
    table = cmp.table()
    assert list(table.index) == ["good", "bad", "copy"] and list(table["rank"]) == [1, 2, 3]
    assert table.loc["copy", "auc_p"] == 1.0 and np.isnan(table.loc["bad", "auc_diff"])
    with pytest.raises(ValueError, match="baseline 'nope' is not among the trackers"):
        compare_trackers({"bad": bad}, baseline="nope")


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_otb_many_trackers_equal_the_single_analyses(tmp_path, capsys):
    ann, root = _otb(tmp_path)
    base = ["analyze", "otb", "--annotations", str(ann), "--json", "--bootstrap", "200", "--seed", "3"]
    single = {t: _run(capsys, base + ["--results", str(root / t)]) for t in ("T1", "T2", "T3")}
    out = _run(capsys, base + ["--results-root", str(root)])
    assert out["ranking"] == sorted(single, key=lambda t: -single[t]["auc"]) == ["T1", "T2", "T3"]
    assert out["baseline"] == "T1" and set(out["trackers"]) == {"T1", "T2", "T3"}
    for t, alone in single.items():
        mine = out["trackers"][t]
        assert {k: mine[k] for k in alone} == alone  # values, conventions and intervals as for one tracker
        assert mine["rank"] == out["ranking"].index(t) + 1
    assert out["trackers"]["T2"]["fps"] == pytest.approx(20.0) and out["trackers"]["T1"]["fps"] is None
    paired = out["trackers"]["T3"]["paired"]["auc"]
    assert paired["difference"] == pytest.approx(single["T3"]["auc"] - single["T1"]["auc"])
    assert paired["resamples"] == 200 and paired["seed"] == 3 and "sign-flip" in paired["method"]
    assert "paired" not in out["trackers"]["T1"]

    # a tracker against a copy of itself, named as baseline
    shutil.copytree(root / "T2", tmp_path / "copy" / "T2")
    out = _run(capsys, base + ["--results", str(root / "T1"), "--results", str(root / "T2"), "--results",
                               str(tmp_path / "copy" / "T2"), "--baseline", "T2"])
    assert out["baseline"] == "T2" and "T2 (copy)" in out["trackers"]
    for score in ("auc", "precision"):
        test = out["trackers"]["T2 (copy)"]["paired"][score]
        assert test["difference"] == 0.0 and test["p_value"] == 1.0

    # the table: one row per tracker in ranking order, interval and paired columns
    assert main(base[:-5] + ["--results-root", str(root), "--bootstrap", "200", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "3 trackers ranked by auc" in text and "auc_low" in text and "auc_p" in text
    rows = [line.split()[0] for line in text.splitlines() if line.startswith("T")]
    assert rows == ["T1", "T2", "T3"]


def test_cli_results_root_errors_are_one_line(tmp_path, capsys):
    ann, root = _otb(tmp_path)
    assert main(["analyze", "otb", "--annotations", str(ann), "--results-root", str(tmp_path / "none")]) == 2
    assert "--results-root is not a folder" in capsys.readouterr().err
    assert main(["analyze", "otb", "--annotations", str(ann)]) == 2
    assert "give --results" in capsys.readouterr().err
    assert main(["analyze", "otb", "--annotations", str(ann), "--results-root", str(root), "--baseline", "X"]) == 2
    assert "baseline 'X' is not among the trackers (T1, T2, T3)" in capsys.readouterr().err


def test_cli_got10k_many_trackers(tmp_path, capsys):
    rng = np.random.default_rng(5)
    gt = np.array([[10, 10, 20, 20]] * 6, float)
    seqs = {f"v{i}": {"gt": gt, "size": (100, 100), "cover": [8] * 6} for i in range(6)}
    folders = []
    for t, sd in (("G1", 6.0), ("G2", 1.0)):
        runs = {k: [gt + rng.normal(0, sd, size=gt.shape) * [1, 1, 0, 0] for _ in range(2)] for k in seqs}
        val, got = _write_got10k(tmp_path / t, seqs, runs, tracker=t)
        folders.append(got)
    base = ["analyze", "got10k", "--annotations", str(val), "--json", "--bootstrap", "150", "--seed", "2"]
    single = [_run(capsys, base + ["--results", str(f)]) for f in folders]
    out = _run(capsys, base + ["--results", str(folders[0]), "--results", str(folders[1])])
    names = ["G1", "G2"]
    assert out["ranking"] == ["G2", "G1"] and out["baseline"] == "G1"  # the less noisy tracker first
    for name, alone in zip(names, single):
        assert {k: out["trackers"][name][k] for k in alone} == alone
    test = out["trackers"][names[1]]["paired"]["ao"]
    assert test["difference"] == pytest.approx(single[1]["ao"] - single[0]["ao"]) and test["difference"] > 0


def test_cli_vot_many_trackers(tmp_path, capsys):
    ann, root = _vot(tmp_path)
    base = ["analyze", "vot", "--annotations", str(ann), "--interval", "1", "3", "--burnin", "2", "--json",
            "--bootstrap", "100", "--seed", "3"]
    single = {t: _run(capsys, base + ["--results", str(root / t)]) for t in ("A", "B")}
    out = _run(capsys, base + ["--results-root", str(root)])
    assert out["ranking"] == ["B", "A"] and out["baseline"] == "A"
    for t, alone in single.items():
        assert {k: out["trackers"][t][k] for k in alone} == alone
    assert out["trackers"]["A"]["fps"] == pytest.approx(100.0) and out["trackers"]["B"]["fps"] == pytest.approx(25.0)
    paired = out["trackers"]["B"]["paired"]
    assert paired["eao"]["difference"] == pytest.approx(single["B"]["eao"] - single["A"]["eao"])
    assert paired["robustness"]["difference"] == pytest.approx(-single["A"]["robustness"])
    assert paired["eao"]["resamples"] == 100 and "paired percentile bootstrap" in paired["eao"]["method"]

    shutil.copytree(root / "A", tmp_path / "again" / "A")
    out = _run(capsys, base[:-4] + ["--results", str(root / "A"), "--results", str(tmp_path / "again" / "A")])
    assert "ci" not in out["trackers"]["A"]  # no --bootstrap: no intervals, paired tests still made
    for score, test in out["trackers"]["A (again)"]["paired"].items():
        assert test["difference"] == 0.0 and test["p_value"] == 1.0, score
    assert main(base[:-5] + ["--results-root", str(root)]) == 0
    assert "2 trackers ranked by eao" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- report
def test_otb_report_of_several_trackers(tmp_path, capsys):
    """OTB folders with attrs.txt: one success plot with every tracker, the ranking figure with error bars,
    per-attribute success plots (only the sequences with the attribute), AUC vs speed of the timed tracker."""
    from analysis.report.build import ReportRequest, assemble_report
    from integration.data.synthetic import write_dataset
    from tests.test_report import STYLE, figures_of

    data = tmp_path / "otb"
    names = write_dataset(data, "otb", n_sequences=3, n_frames=12)
    for name, attrs in zip(names, ("SV, OCC", "OCC", "IV")):
        (data / name / "attrs.txt").write_text(attrs + "\n")
    rng = np.random.default_rng(7)
    gts = {n: np.loadtxt(data / n / "groundtruth_rect.txt", delimiter=",") for n in names}
    root = tmp_path / "res"
    for t, sd in (("A", 1.0), ("B", 5.0), ("C", 9.0)):
        (root / t).mkdir(parents=True)
        for n, gt in gts.items():
            np.savetxt(root / t / f"{n}.txt", gt + rng.normal(0, sd, gt.shape) * [1, 1, 0, 0], fmt="%.3f",
                       delimiter=",")
    (root / "B" / "times").mkdir()
    for n in names:
        (root / "B" / "times" / f"{n}_time.txt").write_text("0.1\n" * 12)
    request = ReportRequest(root / "B", tmp_path / "out", "otb2015", data, compare=[root / "A", root / "C"],
                            ranking=True, bootstrap=100, seed=1, style=STYLE)
    content = assemble_report(request)
    figs = figures_of(content)
    assert {"A", "B", "C"} <= set(figs["otb_success"].data["scores"])
    ranking = figs["otb_ranking"].data["ranking"]
    assert list(ranking["tracker"]) == ["A", "B", "C"]  # less noise, higher AUC
    assert (ranking["auc_low"] <= ranking["auc"]).all() and (ranking["auc"] <= ranking["auc_high"]).all()
    occ = figs["otb_success_OCC"].data
    assert set(occ["scores"]) == {"A", "B", "C"}
    single = assemble_report(ReportRequest(root / "A", tmp_path / "one", "otb2015", data, compare=[], style=STYLE))
    assert figs["otb_success"].data["scores"]["A"] == figures_of(single)["otb_success"].data["scores"]["A"]
    from analysis.io.otb import load_otb_folder
    from analysis.metrics.otb import evaluate_otb

    ann = load_otb_folder(data)
    sub = {k: ann[k] for k in ann if k.lower() in (names[0].lower(), names[1].lower())}
    boxes = {k: np.loadtxt(root / "A" / f"{k}.txt", delimiter=",") for k in sub}
    assert occ["scores"]["A"] == pytest.approx(evaluate_otb(sub, boxes).auc)
    assert "otb_success_IV" in figs and "otb_success_SV" in figs
    speed = figs["otb_speed"].data["points"]
    assert list(speed["tracker"]) == ["B"] and speed["fps"].iloc[0] == pytest.approx(10.0)
    tables = {t.name: t.frame for s in content.sections for t in s.tables}
    table = tables["otb_comparison"].set_index("tracker")
    assert np.isnan(table.loc["B", "auc_diff"]) and table.loc["A", "auc_diff"] > 0

    # the CLI: --results-root, first folder = the run
    assert main(["report", "--results-root", str(root), "--benchmark", "otb2015", "--annotations", str(data),
                 "--out", str(tmp_path / "cli"), "--no-embed"]) == 0
    assert "report:" in capsys.readouterr().out
    csv = (tmp_path / "cli" / "tables" / "otb_comparison.csv").read_text()
    assert all(t in csv for t in ("A", "B", "C"))


def test_trackers_of_the_same_job_are_labelled_so(tmp_path):
    """Issue 22 item 1: the main job's other trackers ran in the same job on the same sequences; its figures say so
    (``others_label``) instead of calling them raw results. Without the label the figures are as before."""
    from analysis.report.otb import otb_part
    from analysis.report.vot import score_vot_results, vot_part
    from analysis.stacks import BENCHMARKS
    from tests.test_report import STYLE, _write_synthetic, figures_of

    ann, tracker = _write_synthetic(tmp_path)
    shutil.copytree(tracker, tmp_path / "copy" / "U")
    scores = score_vot_results(BENCHMARKS["vot2017"], tracker, ann, compare=[tmp_path / "copy" / "U"])
    reports = {"T": scores.runs["baseline"].report, "U": scores.others["U"]["baseline"].report}
    comparison = compare_trackers(reports, baseline="T")
    label = "this job, same sequences"
    for others_label, suffix in ((label, f"({label})"), ("raw results", "(raw results)")):
        part = vot_part(BENCHMARKS["vot2017"], "T", scores.runs, scores.others, figures=tmp_path / others_label,
                        style=STYLE, comparison=comparison, others_label=others_label)
        figs = figures_of(part)
        assert f"U {suffix}" in set(figs["vot_baseline_eao_ranking"].data["ranking"]["tracker"])
        assert f"U {suffix}" in set(figs["vot_ar"].data["points"]["tracker"])
        assert f"U baseline {suffix}" in set(figs["vot_speed"].data["points"]["tracker"])
    anns = {f"s{i}": _box_ann(f"s{i}", 20) for i in range(3)}
    boxes = {name: evaluate_otb(anns, {k: a.groundtruth + shift for k, a in anns.items()})
             for name, shift in (("T", 0.0), ("U", 4.0))}
    part = otb_part(BENCHMARKS["otb2015"], "T", boxes, figures=tmp_path / "otb", style=STYLE, others_label=label)
    assert figures_of(part)["otb_success"].data["legend_title"] == f"{label} [score]"
    part = otb_part(BENCHMARKS["otb2015"], "T", boxes, figures=tmp_path / "otb_raw", style=STYLE)
    assert figures_of(part)["otb_success"].data["legend_title"] == "raw results [score]"


def test_vot_report_of_a_tracker_and_its_copy(tmp_path):
    from analysis.report.build import ReportRequest, assemble_report
    from tests.test_report import STYLE, _write_synthetic, figures_of

    ann, tracker = _write_synthetic(tmp_path)
    shutil.copytree(tracker, tmp_path / "copy" / "U")
    content = assemble_report(ReportRequest(tracker, tmp_path / "out", "vot2017", ann, tracker="T",
                                            compare=[tmp_path / "copy" / "U"], ranking=True, bootstrap=40,
                                            style=STYLE))
    figs = figures_of(content)
    ranking = figs["vot_baseline_eao_ranking"].data["ranking"].set_index("tracker")
    assert ranking.loc["T (this run)", "eao"] == ranking.loc["U (raw results)", "eao"]
    assert ranking.loc["T (this run)", "eao_low"] <= ranking.loc["T (this run)", "eao"]
    assert np.isnan(ranking["eao_low"]).sum() == len(ranking) - 2  # published trackers have no interval
    ar = figs["vot_ar"].data["points"].set_index("tracker")
    assert {"T baseline (this run)", "U (raw results)"} <= set(ar.index)
    assert ar.loc["U (raw results)", "accuracy_low"] <= ar.loc["U (raw results)", "accuracy"]
    assert "U baseline (raw results)" in set(figs["vot_speed"].data["points"]["tracker"])
    tables = {t.name: t.frame for s in content.sections for t in s.tables}
    table = tables["vot_baseline_comparison"].set_index("tracker")
    for score in ("eao", "accuracy", "robustness"):
        assert table.loc["U", f"{score}_diff"] == 0.0 and table.loc["U", f"{score}_p"] == 1.0
