"""Published VOT scores reproduced from the real raw results in ../shared/data (skipped when absent)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.metrics.vot.analysis import VOT_TAGS, VOTSettings, analyze_vot, load_vot_annotations, prepare_runs
from analysis.metrics.vot.interval import estimate_interval
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def vot2018():
    return load_vot_annotations(shared_path("annotations", "VOT2018.json"))


def _report(ann, tracker, experiment, **settings):
    from analysis.io.trajectories import load_tracker_results

    folder = shared_path("results", *tracker.split("/"))
    results = load_tracker_results(folder, experiment, sequences=list(ann))
    return analyze_vot(ann, results, VOTSettings(**settings), per_attribute=True,
                          results_source=str(folder / experiment))


def test_dasiamrpn_vot2018(vot2018):
    """DaSiamRPN README / VOT2018: EAO 0.383, accuracy 0.586, robustness 0.276, 59 failures (LEG, 100-356)."""
    rep = _report(vot2018, "VOT2018/DaSiamRPN", "baseline", stack="vot2018")
    assert rep.eao == pytest.approx(0.383, abs=0.001)
    assert rep.accuracy == pytest.approx(0.586, abs=0.002)
    assert rep.robustness == pytest.approx(0.276, abs=0.002)
    assert rep.failures == 59
    assert rep.frames == 21356 and rep.sequences == 60 and rep.summary()["runs"] == 1
    assert rep.convention["interval"]["low"] == 100 and rep.convention["interval"]["high"] == 356
    table = rep.per_attribute
    assert set(table.index) == {"camera_motion", "illum_change", "motion_change", "size_change", "occlusion", "empty"}
    # independent count straight from the files: frames per tag, and failures on frames carrying the tag
    data = json.loads(shared_path("annotations", "VOT2018.json").read_text())
    folder = shared_path("results", "VOT2018", "DaSiamRPN", "baseline")
    for tag in table.index:
        frames = failures = 0
        for name, v in data.items():
            n = len(v["gt_rect"])
            if tag == "empty":
                marks = [not any((v[t][i] if v[t] else 0) for t in VOT_TAGS) for i in range(n)]
            else:
                marks = [bool(v[tag][i]) if v[tag] else False for i in range(n)]
            codes = (folder / name / f"{name}_001.txt").read_text().split()
            frames += sum(marks)
            failures += sum(1 for i, c in enumerate(codes) if c == "2" and marks[i])
        assert table.loc[tag, "frames"] == frames, tag
        assert table.loc[tag, "failures"] == failures, tag


def test_dasiamrpn_pst_equals_leg_and_pyt_gives_toolkit_value(vot2018):
    """pysot-toolkit prints the same 0.383; vot-toolkit's rules give 0.3717 (spec §2.5)."""
    pst = _report(vot2018, "VOT2018/DaSiamRPN", "baseline", stack="vot2018", variant="pst")
    assert pst.eao == pytest.approx(0.3827, abs=0.0005)
    pyt = _report(vot2018, "VOT2018/DaSiamRPN", "baseline", stack="vot2018", variant="pyt")
    assert pyt.eao == pytest.approx(0.3717, abs=0.0005)


def test_siamfc_vot2017_baseline_and_realtime(vot2018):
    """VOT2017 report: SiamFC baseline EAO 0.188 (A 0.50), real-time EAO 0.182."""
    base = _report(vot2018, "VOT2017/SiamFC", "baseline", stack="vot2017")
    assert base.eao == pytest.approx(0.188, abs=0.002)
    assert base.accuracy == pytest.approx(0.50, abs=0.01)
    assert base.summary()["runs"] == 3
    rt = _report(vot2018, "VOT2017/SiamFC", "realtime", stack="vot2017")
    assert rt.eao == pytest.approx(0.182, abs=0.002)
    assert rt.summary()["runs"] == 1


def test_kde_interval_of_vot2018_lengths():
    """The LEG KDE port applied to the 60 VOT2017/2018 sequence lengths gives the stack's 100-356 (peak 160)."""
    data = json.loads(shared_path("annotations", "VOT2018.json").read_text())
    lengths = np.array([len(v["gt_rect"]) for v in data.values()])
    assert lengths.sum() == 21356
    assert estimate_interval(np.asarray(lengths)).as_tuple() + (estimate_interval(np.asarray(lengths)).peak,) == (100, 356, 160)


def _cli(argv, capsys):
    from integration.cli import main

    rc = main(["analyze", "vot", *argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_json_dasiamrpn(capsys):
    ann = str(shared_path("annotations", "VOT2018.json"))
    res = str(shared_path("results", "VOT2018", "DaSiamRPN"))
    rc, out, _ = _cli(["--annotations", ann, "--results", res, "--stack", "vot2018", "--json", "--per-sequence",
                       "--per-attribute"], capsys)
    assert rc == 0
    data = json.loads(out)
    assert data["eao"] == pytest.approx(0.383, abs=0.001)
    assert data["accuracy"] == pytest.approx(0.586, abs=0.002)
    assert data["robustness"] == pytest.approx(0.276, abs=0.002)
    assert data["failures"] == 59 and data["frames"] == 21356 and data["sequences"] == 60 and data["runs"] == 1
    assert data["interval"] == [100, 356]
    conv = data["convention"]
    assert conv["variant"] == "leg" and conv["burn_in"] == 10 and conv["runs"] == 1
    assert conv["overlap"]["raster"].startswith("TraX")
    assert len(data["per_sequence"]) == 60 and len(data["per_attribute"]) == 6
    # the toolkit-compatible variant with an explicit interval
    rc, out, _ = _cli(["--annotations", ann, "--results", res, "--interval", "100", "356", "--variant", "pyt",
                       "--json"], capsys)
    assert rc == 0 and json.loads(out)["eao"] == pytest.approx(0.3717, abs=0.0005)


def test_cli_tables_siamfc_realtime(capsys):
    ann = str(shared_path("annotations", "VOT2018.json"))
    res = str(shared_path("results", "VOT2017", "SiamFC"))
    rc, out, _ = _cli(["--annotations", ann, "--results", res, "--experiment", "realtime", "--stack", "vot2017",
                       "--per-attribute"], capsys)
    assert rc == 0
    assert "VOT realtime of SiamFC: 60 sequences, 21356 frames, runs 1" in out
    eao_line = next(line for line in out.splitlines() if line.startswith("EAO"))
    assert float(eao_line.split()[1]) == pytest.approx(0.182, abs=0.002)
    assert "occlusion" in out


def test_border_shortcut_gives_the_full_overlaps(vot2018):
    """prepare_runs recomputes the accuracy overlaps (clip [0,W]) only near the right/bottom border; the
    result must equal computing every frame with both conventions (SiamFC VOT2017, 3 runs, 60 sequences)."""
    from analysis.io.trajectories import load_tracker_results
    from analysis.metrics.overlap import vot_overlaps

    results = load_tracker_results(shared_path("results", "VOT2017", "SiamFC"), "baseline", sequences=list(vot2018))
    seqs, _ = prepare_runs(vot2018, results, VOTSettings(stack="vot2017"))
    differ = 0
    for s in seqs:
        ann = vot2018[s.name]
        for r, traj in enumerate(results[s.name]):
            full_ar = vot_overlaps(traj, ann.groundtruth, (ann.width, ann.height), "pst")
            full_eao = vot_overlaps(traj, ann.groundtruth, (ann.width, ann.height), "leg2017")
            np.testing.assert_array_equal(s.overlaps_ar[r], full_ar)
            np.testing.assert_array_equal(s.overlaps_eao[r], full_eao)
            differ += int(np.sum(np.abs(np.nan_to_num(full_ar) - np.nan_to_num(full_eao)) > 0))
    assert differ > 0  # the two bounds really do differ on some frames of this data
