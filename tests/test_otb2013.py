"""OTB-2013, added as one loader module and one row of the benchmark table (issue 21 item 1): scored from the
shared OTB-2015 annotations and raw results, reported, and read from the shared OTB sequence folders."""
from __future__ import annotations

import json

import pytest

from analysis.core.paths import shared_data_dir
from analysis.io.otb2013 import OTB2013, load_otb2013
from analysis.stacks import BENCHMARKS, rows_of

DATA = shared_data_dir()
OTB_JSON = DATA / "annotations" / "OTB2015.json"
DASIAMRPN = DATA / "results" / "OTB100" / "DaSiamRPN"
needs_data = pytest.mark.skipif(not (OTB_JSON.is_file() and DASIAMRPN.is_dir()),
                                reason=f"shared OTB-2015 annotations/results not found under {DATA}")


def test_the_row():
    spec = BENCHMARKS["otb2013"]
    assert len(OTB2013) == len(set(OTB2013)) == spec.n_sequences == 51
    assert spec.published == "OTB2013" and "otb2013" in rows_of("otb")


@needs_data
def test_subset_of_the_otb2015_annotations():
    ann = load_otb2013(OTB_JSON)
    assert len(ann) == 51 and {"jogging_1", "jogging_2", "tiger1", "david"} <= set(ann)
    assert sum(len(a.groundtruth) for a in ann.values()) == 29486


@needs_data
def test_analyze_otb_benchmark_otb2013(capsys):
    from integration.cli import main

    assert main(["analyze", "otb", "--annotations", str(OTB_JSON), "--results", str(DASIAMRPN),
                 "--benchmark", "otb2013", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sequences"] == 51 and out["frames"] == 29486
    assert out["auc"] == pytest.approx(0.6562, abs=5e-4) and out["precision"] == pytest.approx(0.8899, abs=5e-4)


@needs_data
def test_report_of_otb2013(tmp_path):
    from analysis.report.build import ReportRequest, assemble_report, detect_benchmark

    assert detect_benchmark(tmp_path / "OTB2013" / "DaSiamRPN") == "otb2013"
    content = assemble_report(ReportRequest(DASIAMRPN, tmp_path / "report", "otb2013", OTB_JSON, compare=()))
    # the 51 sequences are OTB-2013 (analysis/sequence_lists.json): like for like with the published OTB2013 rows
    assert "on OTB2013" in content.title and "not OTB2013" not in content.title
    summary = content.summary.set_index("metric")["value"]
    assert summary["success AUC"] == pytest.approx(0.6562, abs=5e-4)


def test_shared_otb_folders_are_a_partial_otb2013(tmp_path):
    """The shared OTB sequences (folders OTB_<Name>) under their OTB names: 4 videos, 5 of the 51 targets."""
    folders = DATA / "sequences"
    if not (folders / "OTB_Jogging").is_dir():
        pytest.skip(f"shared OTB sequence folders not found under {folders}")
    for name in ("Couple", "Girl", "Jogging", "Crossing"):
        (tmp_path / name).symlink_to(folders / f"OTB_{name}", target_is_directory=True)
    with pytest.raises(ValueError, match="46 of the 51 OTB-2013 sequences .*Basketball"):
        load_otb2013(tmp_path)
    ann = load_otb2013(tmp_path, allow_missing=True)
    assert set(ann) == {"Couple", "Girl", "Jogging-1", "Jogging-2", "Crossing"}
    assert len(ann["Jogging-2"].groundtruth) == 307
