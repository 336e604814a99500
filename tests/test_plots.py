"""Report figures: each writes a non-empty PNG and PDF and returns exactly the data it drew.

Inputs are small synthetic arrays/tables with hand-computed expectations (ranking order, AUC = mean of the
21 points, P@20, schedule counts); the figures' data is compared with them, not pixels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.plots.otb import plot_precision, plot_success
from analysis.plots.realtime import ScheduleState, plot_baseline_vs_realtime, plot_realtime_schedule, schedule_matrix
from analysis.plots.style import PlotResult, PlotStyle, new_figure, save_figure
from analysis.plots.vot import plot_ar, plot_attribute_bars, plot_eao_curve, plot_eao_ranking, plot_speed_vs_eao

# small, fast figures for the tests (the defaults are for the report)
STYLE = PlotStyle(width=4.0, height=3.0, dpi=60)


def assert_files(result: PlotResult, stem) -> None:
    """PNG and PDF written next to ``stem``, non-empty, with the right magic bytes."""
    assert [p.name for p in result.paths] == [f"{stem.name}.png", f"{stem.name}.pdf"]
    png, pdf = result.paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    assert result.png == png
    assert not list(stem.parent.glob(".*")), "temporary files left behind"


def test_eao_curve_data_and_files(tmp_path):
    n = np.arange(1, 501)
    run = 0.3 + 0.7 * np.exp(-n / 50.0)
    other = 0.2 + 0.8 * np.exp(-n / 40.0)
    scores = {"run": float(run[99:356].mean()), "other": float(other[99:356].mean())}
    res = plot_eao_curve({"other": other, "run": run}, (100, 356), tmp_path / "eao", scores=scores,
                         highlight="run", style=STYLE)
    assert_files(res, tmp_path / "eao")
    np.testing.assert_array_equal(res.data["run"], run)
    np.testing.assert_array_equal(res.data["other"], other)
    assert res.data["interval"] == (100, 356)
    assert res.data["scores"] == scores


@pytest.mark.parametrize("interval", [(0, 10), (20, 10)])
def test_eao_curve_rejects_bad_interval(tmp_path, interval):
    with pytest.raises(ValueError, match="bad interval"):
        plot_eao_curve({"a": np.ones(5)}, interval, tmp_path / "x", style=STYLE)


def test_eao_ranking_order_ranks_and_run_kept(tmp_path):
    table = pd.DataFrame({"tracker": ["A", "B", "run", "C", "D"], "eao": [0.30, 0.50, 0.10, np.nan, 0.20]})
    res = plot_eao_ranking(table, tmp_path / "rank", highlight="run", style=STYLE)
    assert_files(res, tmp_path / "rank")
    ranking = res.data["ranking"]
    assert ranking["tracker"].tolist() == ["B", "A", "D", "run"]  # NaN row dropped, best first
    assert ranking["rank"].tolist() == [1, 2, 3, 4]
    # only 2 bars allowed: the best one and the run (rank 4 kept with its true rank)
    res = plot_eao_ranking(table, tmp_path / "rank2", highlight="run", max_trackers=2, style=STYLE)
    assert res.data["ranking"]["tracker"].tolist() == ["B", "run"]
    assert res.data["ranking"]["rank"].tolist() == [1, 4]


def test_eao_ranking_needs_columns(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        plot_eao_ranking(pd.DataFrame({"name": ["a"], "eao": [0.1]}), tmp_path / "r", style=STYLE)


def test_ar_plot_points(tmp_path):
    table = pd.DataFrame({"tracker": ["run", "A", "B"], "accuracy": [0.55, 0.5, np.nan],
                          "reliability": [0.9, 0.8, 0.7]})
    res = plot_ar(table, tmp_path / "ar", highlight="run", style=STYLE)
    assert_files(res, tmp_path / "ar")
    pts = res.data["points"]
    assert pts["tracker"].tolist() == ["run", "A"]  # B lacks accuracy
    np.testing.assert_array_equal(pts["reliability"].to_numpy(), [0.9, 0.8])
    assert res.data["sensitivity"] == 30.0


def test_attribute_bars_table_and_metrics(tmp_path):
    table = pd.DataFrame({"attribute": ["occlusion", "empty"] * 2, "tracker": ["base", "base", "rt", "rt"],
                          "eao": [0.3, 0.4, 0.2, 0.35], "accuracy": [0.5, 0.6, 0.45, 0.55], "failures": [1, 2, 3, 4]})
    res = plot_attribute_bars(table, tmp_path / "att", overall={"eao": 0.38}, style=STYLE)
    assert_files(res, tmp_path / "att")
    assert res.data["metrics"] == ("eao", "accuracy")
    pd.testing.assert_frame_equal(res.data["table"], table[["tracker", "attribute", "eao", "accuracy"]])
    with pytest.raises(ValueError, match="none of the metrics"):
        plot_attribute_bars(table, tmp_path / "att2", metrics=("robustness",), style=STYLE)


def test_speed_vs_eao_drops_unusable_rows(tmp_path):
    table = pd.DataFrame({"tracker": ["run", "A", "B", "C"], "eao": [0.3, 0.2, 0.25, np.nan],
                          "fps": [40.0, 0.0, 200.0, 10.0]})
    res = plot_speed_vs_eao(table, tmp_path / "speed", highlight=["run"], speed="fps", realtime_line=20,
                            style=STYLE)
    assert_files(res, tmp_path / "speed")
    assert res.data["points"]["tracker"].tolist() == ["run", "B"]  # zero speed and NaN EAO dropped
    assert res.data["speed"] == "fps"


def test_success_plot_auc_is_mean_of_21_points(tmp_path):
    thr = np.linspace(0, 1, 21)
    linear = 1.0 - thr  # mean of the 21 points = 0.5 exactly (hand-computed)
    step = (thr <= 0.5).astype(float)  # 11 of 21 points are 1 -> 11/21
    published = pd.DataFrame({"tracker": ["P1", "P2", "P3"], "score": [0.6, np.nan, 0.45]})
    res = plot_success({"step": step, "run": linear}, tmp_path / "succ", highlight="run",
                       published_only=published, style=STYLE)
    assert_files(res, tmp_path / "succ")
    assert res.data["scores"] == pytest.approx({"run": 0.5, "step": 11 / 21})
    assert list(res.data["scores"]) == ["step", "run"]  # legend order = by score
    np.testing.assert_array_equal(res.data["run"], linear)
    np.testing.assert_array_equal(res.data["thresholds"], thr)
    assert res.data["published_only"]["tracker"].tolist() == ["P1", "P3"]


def test_success_plot_checks_shapes(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        plot_success({"a": np.ones(20)}, tmp_path / "s", style=STYLE)


def test_precision_plot_scores_at_20px(tmp_path):
    d = np.arange(51.0)
    curve = np.minimum(1.0, d / 40.0)  # value at 20 px = 0.5
    res = plot_precision({"run": curve}, tmp_path / "prec", highlight="run", style=STYLE)
    assert_files(res, tmp_path / "prec")
    assert res.data["scores"] == {"run": 0.5}
    with pytest.raises(ValueError, match="20"):
        plot_precision({"run": curve[:10]}, tmp_path / "p2", thresholds=np.arange(10.0), style=STYLE)


def test_realtime_schedule_matrix_and_counts(tmp_path):
    P, H, S, I, F = (ScheduleState.PROCESSED, ScheduleState.HELD, ScheduleState.SKIPPED, ScheduleState.INIT,
                     ScheduleState.FAILURE)
    a = np.array([I, P, H, P, F, S, S, S, S, I, P, P], dtype=np.int8)
    b = np.array([I, P, P, H, H, P], dtype=np.int8)
    res = plot_realtime_schedule({"a": a, "b": b}, tmp_path / "sched", profile="LEG 20 fps", style=STYLE)
    assert_files(res, tmp_path / "sched")
    m = res.data["matrix"]
    assert m.shape == (2, 12)
    np.testing.assert_array_equal(m[0], a)
    np.testing.assert_array_equal(m[1], np.r_[b, np.zeros(6, np.int8)])  # padded with PADDING (0)
    counts = res.data["counts"]
    assert counts.loc["a", ["frames", "processed", "held", "skipped", "init", "failure"]].tolist() == [12, 4, 1, 4, 2, 1]
    assert counts.loc["b", "processed_fraction"] == pytest.approx(4 / 6)  # 3 processed + 1 init of 6
    assert "LEG 20 fps" in res.title


def test_schedule_rejects_unknown_codes():
    with pytest.raises(ValueError, match="outside ScheduleState"):
        schedule_matrix({"a": np.array([1, 9])})


def test_baseline_vs_realtime_sorted_by_realtime(tmp_path):
    table = pd.DataFrame({"tracker": ["run", "SiamFC", "SiamRPN", "none"], "baseline": [0.38, 0.188, np.nan, np.nan],
                          "realtime": [0.2, 0.182, 0.243, np.nan]})
    res = plot_baseline_vs_realtime(table, tmp_path / "bvr", highlight="run", style=STYLE)
    assert_files(res, tmp_path / "bvr")
    shown = res.data["table"]
    assert shown["tracker"].tolist() == ["SiamRPN", "run", "SiamFC"]  # 'none' has neither value
    np.testing.assert_array_equal(shown["baseline"].to_numpy(), [np.nan, 0.38, 0.188])


def test_save_figure_is_atomic_and_overwrites(tmp_path):
    fig = new_figure(STYLE)
    fig.add_subplot().plot([0, 1], [0, 1])
    first = save_figure(fig, tmp_path / "sub" / "f", STYLE)
    second = save_figure(fig, tmp_path / "sub" / "f", STYLE)
    assert first == second
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["f.pdf", "f.png"]
