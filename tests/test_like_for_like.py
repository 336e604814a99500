"""Issue 22 item 1: a run is ranked among published numbers only when its sequences are that benchmark.

* :func:`analysis.sequence_lists.match_benchmark` on the committed VOT2017 / OTB-2015 lists: the whole list
  matches, a subset, extra sequences, another frame count or an unlisted benchmark do not.
* A report on a non-benchmark set (synthetic VOT and OTB sequences): no published bar in the ranking axes (read
  back from the matplotlib artists), the published numbers in their own panel "published on VOT2017, other data:
  not comparable", the note on the figure, the run not placed in the OTB side panel.
* A report whose sequences are the benchmark (the list replaced by the synthetic sequences; and the real
  DaSiamRPN VOT2018 results when ../shared is there): the published bars are in the ranking axes with the run.
* GOT-10k (published = test server) and one-pass benchmarks without a shipped list (checked on the count):
  published scores listed apart on other data.
"""
from __future__ import annotations

import pytest

from analysis.report.build import ReportRequest, assemble_report
from analysis.sequence_lists import benchmark_sequences, match_benchmark, sequence_key
from tests.conftest import shared_path
from tests.test_report import STYLE, _write_synthetic, figures_of

PANEL = "published on VOT2017, other data: not comparable"


def test_lists_are_the_benchmarks():
    vot = benchmark_sequences("vot2017")
    assert len(vot) == 60 and sum(vot.values()) == 21356  # MANIFEST: 60 sequences, 21,356 frames
    assert benchmark_sequences("vot2018") == vot  # the same sequences and ground truth
    otb = benchmark_sequences("otb2015")
    assert len(otb) == 100 and otb["board"] == 697  # one of board's 698 boxes is invalid (OTB scorer's count)
    assert benchmark_sequences("vot2016") is None


def test_match_rules():
    vot = benchmark_sequences("vot2017")
    assert match_benchmark("vot2017", "VOT2017", vot).comparable
    # names are matched without case and punctuation (OTB folders say Jogging-1, the JSON jogging_1)
    assert sequence_key("Jogging-1") == sequence_key("jogging_1")
    upper = {k.upper(): v for k, v in vot.items()}
    assert match_benchmark("vot2017", "VOT2017", upper).comparable
    subset = {k: vot[k] for k in ("bag", "ball1", "book")}
    m = match_benchmark("vot2017", "VOT2017", subset)
    assert not m.comparable and "57 of its sequences missing" in m.reason
    assert m.panel_title == PANEL and m.note.startswith("Not VOT2017 data")
    m = match_benchmark("vot2017", "VOT2017", {**vot, "g1": 70})
    assert not m.comparable and "1 not in VOT2017 (g1)" in m.reason
    m = match_benchmark("vot2017", "VOT2017", {**vot, "bag": 195})
    assert not m.comparable and "bag 195 vs 196" in m.reason
    m = match_benchmark("vot2016", "VOT2016", {"a": 10})
    assert not m.comparable and "no sequence list of VOT2016" in m.reason


def _ranking_axes(fig):
    axes = fig.data["axes"]
    wrapped = PANEL.replace(", ", ",\n", 1)  # the figure wraps the panel title after the benchmark
    ranking = next(v for k, v in axes.items() if k != wrapped)
    return ranking, axes.get(wrapped)


def test_non_benchmark_report_draws_no_published_bar_in_the_ranking(tmp_path):
    from analysis.published import published_scores

    ann, tracker_dir = _write_synthetic(tmp_path)
    content = assemble_report(ReportRequest(tracker_dir, tmp_path / "out", "vot2017", ann, tracker="T", style=STYLE))
    figs = figures_of(content)
    published = set(published_scores("VOT2017", "baseline")["tracker"])
    for exp in ("baseline", "realtime"):
        fig = figs[f"vot_{exp}_eao_ranking"]
        ranking, panel = _ranking_axes(fig)
        assert ranking == ["1. T (this run)"]  # the ranking axes hold the run only
        assert list(fig.data["ranking"]["tracker"]) == ["T (this run)"]
        assert panel and not any("this run" in label for label in panel)  # published: their own panel
        assert fig.data["note"] == "Not VOT2017 data: published VOT2017 scores not ranked with this run"
    assert set(figs["vot_baseline_eao_ranking"].data["reference"]["tracker"]) <= published
    # the other figures leave the published trackers out and say so
    assert not set(figs["vot_ar"].data["points"]["tracker"]) & published and figs["vot_ar"].data["note"]
    assert not set(figs["vot_speed"].data["points"]["tracker"]) & published and figs["vot_speed"].data["note"]
    bvr = figs["vot_baseline_vs_realtime"].data
    assert list(bvr["table"]["tracker"]) == ["T (this run)"] and bvr["note"]
    assert content.summary["published"].isna().all()
    assert any(k == "like for like" and v.startswith("no: these 2 sequences") for k, v in content.conventions)
    assert any(w.startswith("not like for like") for w in content.warnings)


def test_benchmark_match_draws_published_bars_with_the_run(tmp_path, monkeypatch):
    import analysis.sequence_lists as lists
    from analysis.published import published_scores

    ann, tracker_dir = _write_synthetic(tmp_path)
    # these two sequences stand in for the VOT2017 list: the run's data IS the benchmark
    monkeypatch.setattr(lists, "_lists", lambda: {"vot2017": {"sequences": {"a": 150, "b": 130}}})
    content = assemble_report(ReportRequest(tracker_dir, tmp_path / "out", "vot2017", ann, tracker="T", style=STYLE))
    figs = figures_of(content)
    fig = figs["vot_baseline_eao_ranking"]
    assert list(fig.data["axes"]) == ["VOT2017 baseline EAO ranking"] and "reference" not in fig.data
    drawn = [label.split(". ", 1)[1] for label in fig.data["axes"]["VOT2017 baseline EAO ranking"]]
    assert "T (this run)" in drawn and set(drawn) - {"T (this run)"} <= set(published_scores("VOT2017")["tracker"])
    assert len(drawn) > 10 and fig.data["note"] == ""
    assert any(k == "like for like" and v.startswith("yes:") for k, v in content.conventions)


def test_otb_side_panel_apart_on_other_data(tmp_path):
    import numpy as np

    from integration.data.synthetic import write_dataset

    data = tmp_path / "otb"
    names = write_dataset(data, "otb", n_sequences=2, n_frames=12)
    res = tmp_path / "res" / "T"
    res.mkdir(parents=True)
    for name in names:
        gt = np.loadtxt(data / name / "groundtruth_rect.txt", delimiter=",")
        np.savetxt(res / f"{name}.txt", gt, fmt="%.2f", delimiter=",")
    content = assemble_report(ReportRequest(res, tmp_path / "out", "otb2015", data, compare=[], style=STYLE))
    figs = figures_of(content)
    for name in ("otb_success", "otb_precision"):
        data_ = figs[name].data
        panel = data_["published_panel"]
        assert panel["title"] == "published on OTB2015,\nother data: not comparable"
        assert not any(e.startswith(">") or e.endswith(" T") for e in panel["entries"])  # the run is not placed
        assert data_["note"] == "Not OTB2015 data: published OTB2015 scores not ranked with this run"
    tables = {t.name: t.frame for s in content.sections for t in s.tables}
    assert list(tables["otb_ranking"]["tracker"]) == ["T"] and len(tables["otb_published"])


@pytest.mark.shared
def test_real_vot2018_results_are_ranked_with_the_published(tmp_path):
    folder = shared_path("results", "VOT2018", "DaSiamRPN")
    content = assemble_report(ReportRequest(folder, tmp_path, None, shared_path("annotations", "VOT2018.json"),
                                            style=STYLE))
    fig = figures_of(content)["vot_baseline_eao_ranking"]
    (title, labels), = fig.data["axes"].items()
    assert title == "VOT2018 baseline EAO ranking" and any("DaSiamRPN (this run)" in x for x in labels)
    assert len(labels) > 10 and fig.data["note"] == ""
    assert any(k == "like for like" and "names and frame counts match" in v for k, v in content.conventions)


def test_got10k_published_test_set_listed_apart(tmp_path):
    """GOT-10k's published AO is the test server's (hidden ground truth): never the local data."""
    import numpy as np

    from integration.data.synthetic import write_dataset

    data = tmp_path / "val"
    names = write_dataset(data, "got10k", n_sequences=2, n_frames=12)
    res = tmp_path / "res" / "T"
    for name in names:
        (res / name).mkdir(parents=True)
        gt = np.loadtxt(data / name / "groundtruth.txt", delimiter=",")
        np.savetxt(res / name / f"{name}_001.txt", gt, fmt="%.4f", delimiter=",")
    content = assemble_report(ReportRequest(res, tmp_path / "out", "got10k", data, style=STYLE))
    fig = figures_of(content)["got10k_success"].data
    assert fig["note"] == "Local GOT-10k subset: published test-set AO not ranked with this run"
    if len(fig["published_only"]):
        panel = fig["published_panel"]
        assert "other data: not comparable" in panel["title"]
        assert not any(e.startswith(">") or e.endswith(" T") for e in panel["entries"])


def test_onepass_benchmarks_checked_on_the_count():
    from analysis.sequence_lists import match_count

    assert match_count("LaSOT", 280, [280, 280]).comparable
    m = match_count("LaSOT", 280, [280, 3])
    assert not m.comparable and m.reason == "3 sequences scored, LaSOT has 280"
    assert not match_count("X", None, [5]).comparable


def test_onepass_report_on_two_sequences_lists_published_apart(tmp_path):
    from tests.test_report_benchmarks import tc128_results as fixture

    data, a, b = fixture.__wrapped__(tmp_path)
    content = assemble_report(ReportRequest(a, tmp_path / "out", "tc128", data, compare=[b], style=STYLE))
    tables = {t.name: t.frame for s in content.sections for t in s.tables}
    assert set(tables["tc128_ranking"]["tracker"]) == {"A", "B"}  # raw results only
    assert any(k == "like for like" and v == "no: 2 sequences scored, TC128 has 128" for k, v in content.conventions)
    fig = figures_of(content)["tc128_success"].data
    assert fig["note"] == "Not TC128 data: published TC128 scores not ranked with this run"
    if len(fig["published_only"]):
        assert fig["published_panel"]["title"] == "published on TC128,\nother data: not comparable"
        assert "tc128_published" in tables
