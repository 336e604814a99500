"""The gate's instrument check: published scores re-computed from the shared raw results (skipped without them)."""
from __future__ import annotations

import pytest

from integration.jobs.regression.instrument import PUBLISHED, PublishedScore, check_published, instrument_passes
from tests.conftest import shared_path


def test_published_table_is_the_issue_list():
    got = {(p.results, p.experiment, p.metric): p.published for p in PUBLISHED}
    assert got == {
        ("VOT2018/DaSiamRPN", "baseline", "eao"): 0.383, ("VOT2018/DaSiamRPN", "baseline", "accuracy"): 0.586,
        ("VOT2018/DaSiamRPN", "baseline", "robustness"): 0.276, ("VOT2018/DaSiamRPN", "baseline", "failures"): 59,
        ("VOT2017/SiamFC", "baseline", "eao"): 0.188, ("VOT2017/SiamFC", "realtime", "eao"): 0.182,
        ("OTB100/DaSiamRPN", "ope", "auc"): 0.658, ("OTB100/DaSiamRPN", "ope", "precision"): 0.880,
    }


def test_absent_shared_data_is_skipped_with_notices(tmp_path):
    table, notices = check_published(tmp_path)
    assert table.empty and len(notices) == len(PUBLISHED)
    assert all("skipped" in n and str(tmp_path) in n for n in notices)
    assert instrument_passes(table)  # nothing ran, nothing drifted


def test_otb_scores_reproduced_and_a_wrong_expectation_drifts():
    shared = shared_path("results", "OTB100", "DaSiamRPN").parents[2]
    scores = (PublishedScore("OTB100/DaSiamRPN", "ope", "auc", 0.658, 0.001, "pysot README"),
              PublishedScore("OTB100/DaSiamRPN", "ope", "precision", 0.880, 0.001, "pysot README"),
              PublishedScore("OTB100/DaSiamRPN", "ope", "auc", 0.700, 0.001, "deliberately wrong"))
    table, notices = check_published(shared, scores)
    assert notices == []
    assert list(table["status"]) == ["ok", "ok", "DRIFT"]
    assert table["measured"].iloc[0] == pytest.approx(0.658, abs=0.001)
    assert table["delta"].iloc[2] == pytest.approx(0.658 - 0.700, abs=0.001)
    assert not instrument_passes(table)


@pytest.mark.shared
def test_all_published_scores_reproduced():
    shared = shared_path("results", "VOT2018", "DaSiamRPN").parents[2]
    table, notices = check_published(shared)
    assert notices == [] and len(table) == len(PUBLISHED)
    assert instrument_passes(table), table.to_string()
    assert table.set_index(["results", "experiment", "metric"]).loc[("VOT2018/DaSiamRPN", "baseline", "failures"),
                                                                     "measured"] == 59
