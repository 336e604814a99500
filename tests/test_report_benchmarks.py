"""``siamrpn report`` for the one-pass benchmarks (TC128, TrackingNet), VOT long-term and GOT-10k with several
trackers, and the per-sequence viewer links: generated data, numbers in the CSV tables equal to the analysis
functions' own output (and hand-computed values where the construction gives them)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from analysis.io.longterm import load_longterm_annotations, load_longterm_results
from analysis.io.results import load_otb_results
from analysis.io.tc128 import load_tc128
from analysis.metrics.compare import compare_trackers
from analysis.metrics.onepass import evaluate_onepass
from analysis.metrics.vot.longterm import score_longterm_runs
from analysis.plots.style import PlotStyle
from analysis.report.build import ReportRequest, assemble_report, build_report
from analysis.report.document import write_report
from integration.cli import main as siamrpn
from integration.data.synthetic import generate, write_vot_sequence

STYLE = PlotStyle(width=4.0, height=3.0, dpi=60, formats=("png",))
GT = np.array([[1, 1, 10, 10]] * 4, float)
PRED = np.array([[50, 50, 5, 5], [1, 1, 10, 10], [200, 200, 10, 10], [6, 1, 10, 10]], float)  # IoU 1, 1, 0, 1/3
#: OTB rule, frame 1 := GT: IoU > t for [1, 1, 0, 1/3] -> 7 thresholds 3/4, 13 thresholds 2/4, t = 1: 0
AUC_PRED = (7 * 0.75 + 13 * 0.5) / 21


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _boxes(rows) -> str:
    return "".join(",".join(f"{v:g}" for v in r) + "\n" for r in rows)


def _tc128(root: Path, frames: bool = True) -> Path:
    """Two TC128 sequences of 4 frames (``Ball`` from frame 1, ``Bike`` from frame 3), JPEG frames on disk."""
    for name, first in (("Ball", 1), ("Bike", 3)):
        _write(root / name / f"{name}_gt.txt", _boxes(GT))
        _write(root / name / f"{name}_frames.txt", f"{first},{first + 3}\n")
        (root / name / "img").mkdir(parents=True, exist_ok=True)
        if frames:
            for i in range(first, first + 4):
                Image.new("RGB", (48, 32), (40 * (i % 5), 90, 120)).save(root / name / "img" / f"{i:04d}.jpg")
    return root


def _csv(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "tables" / f"{name}.csv")


def _figures(content) -> dict:
    return {r.paths[0].stem: r for s in content.sections for r, _ in s.figures}


def _summary(content, metric: str) -> float:
    s = content.summary
    return float(s.loc[s["metric"] == metric, "value"].iloc[0])


# ------------------------------------------------------------------------------------------ one-pass


@pytest.fixture()
def tc128_results(tmp_path):
    data = _tc128(tmp_path / "TC128")
    a, b = tmp_path / "res" / "A", tmp_path / "res" / "B"
    _write(a / "Ball.txt", _boxes(PRED))
    _write(a / "Bike.txt", _boxes(GT))
    _write(b / "Ball.txt", _boxes(GT))
    _write(b / "Bike.txt", _boxes(GT + [2, 0, 0, 0]))
    return data, a, b


def test_tc128_report_two_trackers_equals_the_analysis(tc128_results, tmp_path):
    data, a, b = tc128_results
    out = tmp_path / "out"
    request = ReportRequest(a, out, "tc128", data, compare=[b], style=STYLE)
    content = assemble_report(request)
    write_report(content, out)
    ann = load_tc128(data)
    expect = {k: evaluate_onepass(ann, load_otb_results(f, ann).boxes, "tc128", "otb") for k, f in (("A", a), ("B", b))}
    # hand-computed: A = mean of PRED's AUC and 1 (Bike = GT), B = 1 on Ball, shifted 2 px on Bike
    assert expect["A"].auc == pytest.approx((AUC_PRED + 20 / 21) / 2)
    assert _summary(content, "success AUC") == pytest.approx(expect["A"].auc, abs=1e-12)
    assert _summary(content, "precision @20 px") == pytest.approx(expect["A"].precision, abs=1e-12)
    assert _summary(content, "norm. precision @0.2") == pytest.approx(expect["A"].norm_precision, abs=1e-12)
    assert "OTB MATLAB calcSeqErrRobust.m" in " ".join(content.summary["convention"])
    assert ("variant", "otb: OTB MATLAB calcSeqErrRobust.m") in content.conventions
    ranking = _csv(out, "tc128_ranking")
    raw = ranking[ranking["source"] == "raw results scored here"].set_index("tracker")
    for name, rep in expect.items():
        for col in ("auc", "precision", "norm_precision"):
            assert raw.loc[name, col] == pytest.approx(getattr(rep, col), abs=1e-12), (name, col)
    per_seq = _csv(out, "tc128_per_sequence").set_index("sequence")
    pd.testing.assert_frame_equal(per_seq, expect["A"].per_sequence, check_dtype=False, check_exact=False, rtol=1e-12)
    figs = _figures(content)
    assert set(figs) >= {"tc128_success", "tc128_precision", "tc128_norm_precision"}
    for stem, attr in (("tc128_success", "success_curve"), ("tc128_precision", "precision_curve"),
                       ("tc128_norm_precision", "norm_precision_curve")):
        for name, rep in expect.items():
            np.testing.assert_allclose(figs[stem].data[name], getattr(rep, attr), atol=1e-12)
    assert figs["tc128_success"].data["scores"]["A"] == pytest.approx(expect["A"].auc)


def test_trackingnet_report_scores_are_the_devkit_trapezoids(tmp_path):
    split = tmp_path / "TN" / "TRAIN_0"
    _write(split / "anno" / "a.txt", "10,10,20,20\n10,10,20,20\n")
    _write(tmp_path / "res" / "T" / "a.txt", "0,0,1,1\n15.4,10,20,20\n")
    out = tmp_path / "out"
    content = assemble_report(ReportRequest(tmp_path / "res" / "T", out, "trackingnet", tmp_path / "TN", style=STYLE))
    write_report(content, out)
    # hand-computed in tests/test_onepass_benchmarks.py::test_cli_trackingnet_and_tc128_json
    assert _summary(content, "success AUC") == pytest.approx(0.775)
    assert _summary(content, "precision AUC") == pytest.approx(0.9625)
    assert _summary(content, "norm. precision AUC") == pytest.approx(0.7625)
    figs = _figures(content)
    assert figs["trackingnet_success"].data["scores"]["T"] == pytest.approx(0.775)  # legend: trapezoid, not mean
    assert figs["trackingnet_precision"].data["scores"]["T"] == pytest.approx(0.9625)
    assert "trapezoid" in " ".join(content.summary["convention"])
    assert _csv(out, "trackingnet_per_sequence").set_index("sequence").loc["a", "auc"] == pytest.approx(0.775)


def test_onepass_variant_checked_and_bootstrap_handled(tc128_results, tmp_path):
    data, a, b = tc128_results
    ann = load_tc128(data)
    with pytest.raises(ValueError, match="unknown variant 'leg'"):
        assemble_report(ReportRequest(a, tmp_path / "o", "tc128", data, variant="leg", style=STYLE))
    content = assemble_report(ReportRequest(a, tmp_path / "o", "tc128", data, compare=[b], ranking=True,
                                            bootstrap=50, seed=1, variant="pst", style=STYLE))
    assert ("variant", "pst: pysot-toolkit OPEBenchmark (the published numbers follow otb)") in content.conventions
    table = [t for s in content.sections for t in s.tables if t.name == "tc128_comparison"][0].frame.set_index("tracker")
    expect = compare_trackers({k: evaluate_onepass(ann, load_otb_results(f, ann).boxes, "tc128", "pst")
                               for k, f in (("A", a), ("B", b))}, baseline="A", bootstrap=50, seed=1)
    pd.testing.assert_frame_equal(table, expect.table(), check_exact=False, rtol=1e-12)
    assert np.isfinite(table.loc["A", "auc_low"]) and np.isfinite(table.loc["B", "auc_p"])


# ------------------------------------------------------------------------------------------ long-term


def _lt_dataset(root: Path, n: int = 24) -> Path:
    names = []
    for k in range(2):
        s = generate(11 + k, n, (96, 72))
        boxes = s.boxes.copy()
        if k == 0:
            boxes[8:12] = np.nan
        write_vot_sequence(root / f"lt{k}", s.frames, boxes, polygon=False, layout="color")
        names.append(f"lt{k}")
    (root / "list.txt").write_text("\n".join(names) + "\n")
    return root


def _lt_results(folder: Path, data: Path, shrink: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for name, ann in load_longterm_annotations(data).items():
        gt = ann.groundtruth.copy()
        gt[np.isnan(gt).any(1)] = gt[7]  # the tracker keeps reporting its last box while the target is absent
        gt[:, 2:] *= shrink
        lines = ["1"] + [",".join(f"{v:.3f}" for v in box) for box in gt[1:]]
        _write(folder / name / f"{name}_001.txt", "\n".join(lines) + "\n")
        conf = rng.uniform(0.2, 1.0, len(gt))
        _write(folder / name / f"{name}_001_confidence.value", "\n" + "\n".join(f"{c:.4f}" for c in conf[1:]) + "\n")


def test_vot_longterm_report_equals_the_analysis(tmp_path):
    data = _lt_dataset(tmp_path / "data")
    a, b = tmp_path / "res" / "A", tmp_path / "res" / "B"
    _lt_results(a, data, 1.0, 0)
    _lt_results(b, data, 0.5, 1)
    out = tmp_path / "out"
    content = assemble_report(ReportRequest(a, out, "vot-lt2018", data, compare=[b], style=STYLE))
    write_report(content, out)
    ann = load_longterm_annotations(data)
    expect = {k: score_longterm_runs(ann, load_longterm_results(f, ann)[0]) for k, f in (("A", a), ("B", b))}
    assert _summary(content, "F-score") == pytest.approx(expect["A"].fscore, abs=1e-12)
    assert _summary(content, "threshold") == pytest.approx(expect["A"].threshold, abs=1e-12)
    assert expect["A"].fscore > expect["B"].fscore > 0
    ranking = _csv(out, "vot_lt2018_ranking").set_index("tracker")
    assert list(ranking.index) == ["A", "B"]
    for name, rep in expect.items():
        for col in ("fscore", "precision", "recall", "threshold"):
            assert ranking.loc[name, col] == pytest.approx(getattr(rep, col), abs=1e-12), (name, col)
    per_seq = _csv(out, "vot_lt2018_per_sequence").set_index("sequence")
    for seq, row in expect["A"].per_sequence.items():
        for col, value in row.items():
            assert per_seq.loc[seq, col] == pytest.approx(value, abs=1e-12), (seq, col)
    assert per_seq.loc["lt0", "visible"] == 20
    figs = _figures(content)
    np.testing.assert_allclose(figs["vot_lt2018_pr"].data["B"]["recall"], expect["B"].re_curve)
    np.testing.assert_allclose(figs["vot_lt2018_fscore"].data["A"]["fscore"], expect["A"].f_curve)
    assert ("variant", "pyt: " + expect["A"].convention["label"]) in content.conventions
    # several trackers with bootstrap intervals and a paired test (analysis.metrics.compare, kind votlt)
    content = assemble_report(ReportRequest(a, out, "vot-lt2018", data, compare=[b], bootstrap=40, seed=2,
                                            style=STYLE))
    table = [t for s in content.sections for t in s.tables if t.name == "vot-lt_comparison"][0].frame
    pd.testing.assert_frame_equal(table.set_index("tracker"),
                                  compare_trackers(expect, baseline="A", bootstrap=40, seed=2).table(),
                                  check_exact=False, rtol=1e-12)


# ------------------------------------------------------------------------------------------ GOT-10k


def test_got10k_report_draws_every_tracker(tmp_path):
    """T: run 1 = GT (IoU 1), run 2 = half-size boxes (IoU 1/4) -> AO 0.625; U: one run of GT -> AO 1."""
    from integration.data.synthetic import write_dataset

    data = tmp_path / "val"
    names = write_dataset(data, "got10k", n_sequences=2, n_frames=12)
    t, u = tmp_path / "res" / "T", tmp_path / "res" / "U"
    for name in names:
        gt = np.loadtxt(data / name / "groundtruth.txt", delimiter=",")
        half = gt.copy()
        half[:, 2:] /= 2
        for folder, runs in ((t, (gt, half)), (u, (gt,))):
            (folder / name).mkdir(parents=True)
            for k, boxes in enumerate(runs, start=1):
                np.savetxt(folder / name / f"{name}_{k:03d}.txt", boxes, fmt="%.4f", delimiter=",")
    out = tmp_path / "out"
    content = assemble_report(ReportRequest(t, out, "got10k", data, compare=[u], style=STYLE))
    write_report(content, out)
    assert _summary(content, "AO") == pytest.approx(0.625)
    curves = _figures(content)["got10k_success"].data
    assert set(curves["scores"]) == {"T", "U"}
    assert curves["U"][-2] == pytest.approx(1.0) and curves["T"][0] == pytest.approx(1.0)
    ranking = _csv(out, "got10k_ranking").set_index("tracker")
    assert list(ranking.index) == ["U", "T"]
    assert ranking.loc["U", "ao"] == pytest.approx(1.0) and ranking.loc["T", "ao"] == pytest.approx(0.625)
    assert ranking.loc["T", "sr50"] == pytest.approx(0.5)
    # several trackers ranked with paired tests (analysis.metrics.compare), as for OTB
    content = assemble_report(ReportRequest(t, out, "got10k", data, compare=[u], ranking=True, style=STYLE))
    table = [tb for s in content.sections for tb in s.tables if tb.name == "got-10k_comparison"][0].frame
    assert table.set_index("tracker").loc["U", "ao_diff"] == pytest.approx(0.375)  # U minus the run T


# ------------------------------------------------------------------------------------------ viewers


def test_cli_report_viewers_linked_from_the_per_sequence_table(tc128_results, tmp_path, capsys):
    data, a, b = tc128_results
    out = tmp_path / "out"
    rc = siamrpn(["report", "--benchmark", "tc128", "--annotations", str(data), "--results", str(a),
                  "--results", str(b), "--out", str(out), "--viewers", "--viewer-frames", "3"])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "viewers: 2 page(s)" in printed
    page = (out / "viewers" / "Ball.html").read_text()
    assert page.count("data:image/jpeg;base64,") == 3 and '"label":"A"' in page and '"label":"B"' in page
    html, md = (out / "report.html").read_text(), (out / "report.md").read_text()
    assert '<a href="viewers/Ball.html">Ball</a>' in html and '<a href="viewers/Bike.html">Bike</a>' in html
    assert "[Ball](viewers/Ball.html)" in md
    # the CSV keeps the plain names
    assert list(_csv(out, "tc128_per_sequence")["sequence"]) == ["Ball", "Bike"]


def test_viewers_need_frames_on_disk(tmp_path, capsys):
    data = _tc128(tmp_path / "TC128", frames=False)
    _write(tmp_path / "res" / "A" / "Ball.txt", _boxes(PRED))
    _write(tmp_path / "res" / "A" / "Bike.txt", _boxes(GT))
    out = tmp_path / "out"
    rc = siamrpn(["report", "--benchmark", "tc128", "--annotations", str(data), "--results",
                  str(tmp_path / "res" / "A"), "--out", str(out), "--viewers"])
    printed = capsys.readouterr().out
    assert rc == 0 and "annotations do not point at image folders" in printed
    assert "annotations do not point at image folders" in (out / "report.html").read_text()
    assert "](viewers/" not in (out / "report.md").read_text()


def test_request_viewers_links_only_existing_pages(tc128_results, tmp_path):
    data, a, _ = tc128_results
    out = tmp_path / "out"
    _write(tmp_path / "pages" / "Bike.html", "<html></html>")
    html = build_report(ReportRequest(a, out, "tc128", data, viewers=tmp_path / "pages", style=STYLE))
    text = html.read_text()
    assert '<a href="../pages/Bike.html">Bike</a>' in text and '<a href="../pages/Ball.html">' not in text
