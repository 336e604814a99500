"""Issue 22 item 6: multi-tracker reports titled with the dataset and the trackers, a table of every tracker
first, the ``--baseline`` tracker highlighted, ``--format latex`` writing booktabs tables (checked against a
hand-built table)."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd

from analysis.report.tables import latex_table
from tests.test_report import _write_synthetic


def test_latex_table_against_hand_built():
    frame = pd.DataFrame({"rank": [1, 2], "tracker": ["siam_rpn", "CSRT & co"], "eao": [0.4321, np.nan],
                          "fps": [25.0, 3.5], "p": [np.nan, 0.25], "baseline": ["yes", ""]})
    expected = (
        "\\begin{table}[t]\n"
        "\\centering\n"
        "\\caption{Ranking on my\\_set: 50\\% done}\n"
        "\\label{tab:ranking}\n"
        "\\begin{tabular}{rlrrrl}\n"
        "\\toprule\n"
        "rank & tracker & EAO & fps & p & baseline \\\\\n"
        "\\midrule\n"
        "\\textbf{1} & \\textbf{siam\\_rpn} & \\textbf{0.432} & \\textbf{25} & -- & \\textbf{yes} \\\\\n"
        "2 & CSRT \\& co & -- & 3.500 & 0.250 &  \\\\\n"
        "\\bottomrule\n"
        "\\end{tabular}\n"
        "\\end{table}\n")
    assert latex_table(frame, "Ranking on my_set: 50% done", "tab:ranking", bold=("siam_rpn",)) == expected


def _three_trackers(root):
    """csrt, kcf, siamrpn result folders on two synthetic sequences (not a benchmark); kcf loses 'b' once."""
    ann, tracker_dir = _write_synthetic(root)
    results = root / "results"
    for name in ("csrt", "kcf", "siamrpn"):
        shutil.copytree(tracker_dir, results / name)
    for exp in ("baseline", "realtime"):
        path = results / "kcf" / exp / "b" / "b_001.txt"
        lines = path.read_text().splitlines()
        lines[40], lines[41:45], lines[45] = "2", ["0"] * 4, "1"
        path.write_text("\n".join(lines) + "\n")
    return ann, results


def test_report_titled_with_dataset_and_trackers_baseline_highlighted(tmp_path, capsys):
    from integration.cli import main

    ann, results = _three_trackers(tmp_path)
    out = tmp_path / "out"
    rc = main(["report", "--results-root", str(results), "--benchmark", "vot2017", "--annotations", str(ann),
               "--baseline", "siamrpn", "--format", "latex", "--out", str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    md = (out / "report.md").read_text()
    title = md.splitlines()[0]
    # not "csrt on VOT2017": the dataset (not VOT2017 data) and every tracker, the baseline named
    assert title.startswith("# ann (scored as VOT2017, not VOT2017 data): ")
    assert {"csrt", "kcf", "siamrpn"} <= set(title.split(": ", 1)[1].split(" (")[0].split(", "))
    assert title.endswith("(baseline siamrpn)")
    # the summary opens with every tracker, the baseline in bold, before the run's detailed summary
    summary = md.split("## Summary", 1)[1].split("## Conventions", 1)[0]
    trackers = pd.read_csv(out / "tables" / "trackers.csv")
    assert sorted(trackers["tracker"]) == ["csrt", "kcf", "siamrpn"]
    assert trackers.set_index("tracker").loc["siamrpn", "baseline"] == "yes"
    assert list(trackers["rank"]) == [1, 2, 3] and trackers["eao"].is_monotonic_decreasing
    assert "**siamrpn**" in summary and "**csrt**" not in summary
    assert summary.index("| rank") < summary.index("| experiment")
    html = (out / "report.html").read_text()
    assert "<b>siamrpn</b>" in html
    # the baseline is the run the figures and the experiment sections are drawn for
    assert "\nsiamrpn: EAO " in md and "\ncsrt: EAO " not in md
    ranking = pd.read_csv(out / "tables" / "vot_baseline_comparison.csv")
    assert set(ranking["tracker"]) == {"csrt", "kcf", "siamrpn"}
    # booktabs tables of the summary and the ranking
    for name in ("summary.tex", "ranking.tex"):
        tex = (out / "tables" / name).read_text()
        assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
        assert "\\textbf{siamrpn}" in tex
        assert f"latex: {out / 'tables' / name}" in printed
    summary_tex = (out / "tables" / "summary.tex").read_text()
    assert summary_tex.count(" \\\\\n") == 4  # heading + 3 trackers


def test_single_tracker_title_names_the_data(tmp_path):
    from analysis.report.build import ReportRequest, assemble_report
    from tests.test_report import STYLE

    ann, tracker_dir = _write_synthetic(tmp_path)
    content = assemble_report(ReportRequest(tracker_dir, tmp_path / "o", "vot2017", ann, style=STYLE))
    assert content.title == "T on ann (scored as VOT2017, not VOT2017 data)" and content.trackers is None
