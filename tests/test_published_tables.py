"""Committed published tables checked against the paper text (parsed here) and an independent typing."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.published import PUBLISHED_DIR, canonical_benchmark, parse_score_cell, published_scores, read_committed
from tests.conftest import shared_path


def _paper_lines() -> list[str]:
    return [line.strip() for line in shared_path("..", "paper", "siamrpn-cvpr2018.txt").read_text().splitlines()]


def _paper_table(header: str, caption: str, after: str | None = None) -> dict[str, list[float]]:
    """Rows ``name v1 v2 ...`` between a table header line (the first one after ``after``) and its caption."""
    lines = _paper_lines()
    begin = 0 if after is None else next(i for i, line in enumerate(lines) if line.startswith(after))
    start = lines.index(header, begin)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(caption))
    rows = {}
    for line in lines[start + 1:end]:
        if not line:
            continue
        m = re.fullmatch(r"(.+?)((?:\s+\d+(?:\.\d+)?)+)", line)
        assert m, f"unexpected table line {line!r}"
        rows[m.group(1).strip()] = [float(v) for v in m.group(2).split()]
    return rows


@pytest.mark.parametrize("csv,caption", [("vot2015_table1", "Table 1:"), ("vot2016_table2", "Table 2:")])
def test_vot_tables_match_paper_text(csv, caption):
    after = None if caption == "Table 1:" else "Table 1:"
    paper = _paper_table("Tracker EAO Accuracy Failure EFO", caption, after)
    ours = pd.read_csv(PUBLISHED_DIR / f"{csv}.csv")
    assert len(ours) == len(paper)
    for _, row in ours.iterrows():
        name = row["tracker"].replace("_", " ")
        assert name in paper, f"{row['tracker']} not in the paper's table"
        np.testing.assert_allclose([row.eao, row.accuracy, row.failures, row.efo], paper[name], err_msg=name)
        assert "Table" in row["source"]


def test_anchor_ablation_matches_paper_text():
    paper = _paper_table("ratios EAO(without Yuotube) EAO(with Youtube)", "Table 3:")
    ours = pd.read_csv(PUBLISHED_DIR / "vot2016_anchor_ablation_table3.csv")
    assert len(ours) == 6
    for _, row in ours.iterrows():
        col = 1 if row.youtube_bb == "yes" else 0
        assert row.eao == paper[row.anchors][col], row.experiment
    # the text's own cross-checks: gap A7-A5 goes from 0.013 to 0.007, and Sec. 5.6.1 "0.317 to 0.344"
    eao = ours.set_index("experiment")["eao"]
    assert round(eao["ablation-A5-no-ytb"] - eao["ablation-A7-no-ytb"], 3) == 0.013
    assert round(eao["ablation-A5-ytb"] - eao["ablation-A7-ytb"], 3) == 0.007
    assert any("from 0.317 to 0.344" in line for line in _paper_lines())


def test_realtime_ranking_consistent_with_sec_5_4():
    t = pd.read_csv(PUBLISHED_DIR / "vot2017_realtime_sec5_4.csv").set_index("tracker")
    text = " ".join(_paper_lines())
    assert "surpass CSRDCF++ in the 2nd place by 14%" in text and "surpass Siamese-FC in the 3nd place by 33%" in text
    assert t.loc["SiamRPN", "rank"] == 1 and t.loc["CSRDCF++", "rank"] == 2 and t.loc["SiamFC", "rank"] == 3
    assert round(100 * (t.loc["SiamRPN", "eao"] / t.loc["CSRDCF++", "eao"] - 1)) == 15  # "by 14%" (14.6 %)
    assert int(100 * (t.loc["SiamRPN", "eao"] / t.loc["CSRDCF++", "eao"] - 1)) == 14
    assert int(100 * (t.loc["SiamRPN", "eao"] / t.loc["SiamFC", "eao"] - 1)) == 33
    assert t["source"].str.len().min() > 20


def test_committed_tables_agree_with_independent_typing():
    ref = pd.read_csv(shared_path("published", "siamrpn_paper.csv"))
    ours = read_committed()
    ref["key"] = ref["tracker"].str.replace("_", " ")
    ours["key"] = ours["tracker"].str.replace("_", " ")
    merged = ours.merge(ref, on=["benchmark", "experiment", "key"], suffixes=("", "_ref"))
    # every row of the shared typing is in ours except SiamFC's VOT2017 *baseline* EAO, which is not a
    # number of the SiamRPN paper (VOT2017 report); published_scores() still serves it from the shared file
    missing = set(ref.benchmark + "/" + ref.experiment + "/" + ref.key) - set(merged.benchmark + "/" + merged.experiment + "/" + merged.key)
    assert missing == {"VOT2017/baseline/SiamFC"}
    for col in ("eao", "accuracy", "failures", "efo", "auc", "precision"):
        both = merged[[col, f"{col}_ref"]].dropna()
        np.testing.assert_allclose(both[col], both[f"{col}_ref"], err_msg=col)
    assert ours["source"].notna().all()


def test_parse_score_cell():
    assert parse_score_cell("0.56/-/0.344", 3)[2] == 0.344 and np.isnan(parse_score_cell("0.56/-/0.344", 3)[1])
    assert all(np.isnan(parse_score_cell("-", 3)))
    assert parse_score_cell("0.563/0.187/0..391", 3) is None  # typo in the source: kept raw, not guessed
    assert parse_score_cell("0.550/-", 3) is None


def test_published_scores_api():
    vot15 = published_scores("vot2015")
    assert len(vot15) == 13 and set(vot15["experiment"]) == {"baseline"}
    assert vot15.set_index("tracker").loc["SiamRPN", "eao"] == 0.358
    rt = published_scores("VOT2017", "realtime")
    assert rt.set_index("tracker")["eao"].to_dict() == {"SiamRPN": 0.243, "CSRDCF++": 0.212, "SiamFC": 0.182}
    ablation = published_scores("VOT16", shared=None)
    assert ablation["experiment"].str.startswith("ablation").sum() == 6
    assert canonical_benchmark("otb100") == "OTB2015" and canonical_benchmark("got10k") == "GOT-10k"


def test_published_scores_merges_shared_sources():
    shared_path("published", "sot_published_numbers.csv")
    vot17 = published_scores("VOT2017")
    # JudasDie lists SiamRPN's real-time 0.243 under VOT17 without the experiment: deduplicated by score
    siam = vot17[vot17["tracker"] == "SiamRPN"]
    assert len(siam) == 1 and siam.iloc[0]["experiment"] == "realtime"
    assert "VOT2017 report" in vot17[(vot17.tracker == "SiamFC") & (vot17.experiment == "baseline")].iloc[0]["source"]
    zoo = published_scores("VOT2016").set_index("tracker")
    assert zoo.loc["siamrpn_alex_dwxcorr", "eao"] == 0.393 and zoo.loc["siamrpn_alex_dwxcorr", "fps"] == 180
    got = published_scores("got10k").set_index("tracker")
    assert got.loc["DropTrack", ["ao", "sr50", "sr75"]].tolist() == [0.759, 0.868, 0.720]
    everything = published_scores()
    bad = everything[everything["source"].str.contains("not parseable")]
    assert "0.563/0.187/0..391" in set(bad["raw"]) and bad["eao"].isna().all()
    assert not everything.duplicated(subset=["benchmark", "experiment", "tracker"]).any()
