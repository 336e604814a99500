"""One layout reader for running and scoring (issue 21 item 4, issue 22 item 2) and one staleness key.

Whatever ``siamrpn run`` accepts, ``analyze`` reads the same way: a folder of VOT and OTB sequence folders is
scored on all its sequences; ``analyze otb`` reads a VOT-layout folder (polygons as area-preserving boxes); a
result set covering k of n sequences is an error naming the missing ones unless ``--allow-missing``. The main
job's resume check keys on the runner's content fingerprint of the weights."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.core.regions import SPECIAL_INIT
from analysis.io.layout import FOLDERS, as_boxes, dataset_layout, load_box_annotations, sequence_layout
from analysis.io.load import load_annotations
from analysis.io.trajectories import format_region, write_trajectory
from analysis.metrics.vot.analysis import load_vot_annotations
from integration.data.sequences import detect_layout, load_dataset
from integration.data.synthetic import write_dataset


def _mixed(root):
    """Two VOT sequences and one OTB sequence side by side, no list.txt (what `siamrpn run vot` accepts)."""
    write_dataset(root, "vot", n_sequences=2, n_frames=12, prefix="v")
    write_dataset(root, "otb", n_sequences=1, n_frames=12, prefix="o")
    (root / "list.txt").unlink()
    return root


def test_one_detector_for_every_layout(tmp_path):
    for layout in ("vot", "otb", "got10k"):
        root = tmp_path / layout
        names = write_dataset(root, layout, n_sequences=1, n_frames=6)
        assert sequence_layout(root / names[0]) == layout == detect_layout(root / names[0])
        assert dataset_layout(root / names[0]) == layout
    assert sequence_layout(tmp_path) is None
    # GOT-10k's cover.label alone marks a GOT-10k folder (the analysis rule, now the runner's too)
    got = tmp_path / "g2" / write_dataset(tmp_path / "g2", "got10k", n_sequences=1, n_frames=6)[0]
    for marker in ("meta_info.ini", "absence.label"):
        (got / marker).unlink()
    assert (got / "cover.label").is_file() and sequence_layout(got) == "got10k"
    assert dataset_layout(_mixed(tmp_path / "mixed")) == FOLDERS
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="empty: no sequences found"):
        dataset_layout(tmp_path / "empty")


def test_mixed_folder_is_read_whole_by_run_and_analysis(tmp_path):
    root = _mixed(tmp_path / "mixed")
    run_names = set(load_dataset(root))
    assert run_names == set(load_annotations(root)) == set(load_vot_annotations(root))
    assert len(run_names) == 3 and any(n.startswith("O") for n in run_names)
    boxes = load_box_annotations(root)
    assert set(boxes) == run_names and all(np.asarray(a.groundtruth).shape[1] == 4 for a in boxes.values())


def _otb_results(folder, annotations, skip=()):
    folder.mkdir(parents=True)
    for name, ann in as_boxes(annotations).items():
        if name not in skip:
            (folder / f"{name}.txt").write_text("".join(format_region(r) + "\n" for r in ann.groundtruth))


def _vot_results(folder, annotations, skip=()):
    for name, ann in annotations.items():
        if name not in skip:
            gt = list(ann.region_list()) if hasattr(ann, "region_list") else list(ann.groundtruth)
            write_trajectory(folder / "baseline" / name / f"{name}_001.txt", [SPECIAL_INIT, *gt[1:]])


def test_analyze_otb_reads_a_vot_folder_that_run_otb_accepts(tmp_path, capsys):
    from integration.cli import main

    root = tmp_path / "vot"
    write_dataset(root, "vot", n_sequences=3, n_frames=12, prefix="v")
    annotations = load_annotations(root)
    _otb_results(tmp_path / "res" / "T", annotations)
    assert main(["analyze", "otb", "--annotations", str(root), "--results", str(tmp_path / "res" / "T"),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sequences"] == 3 and out["auc"] > 0.9


def test_partial_results_are_an_error_naming_the_missing_unless_allowed(tmp_path, capsys):
    from integration.cli import main

    root = _mixed(tmp_path / "mixed")
    annotations = load_annotations(root)
    missing = sorted(annotations)[-1]
    _otb_results(tmp_path / "otb" / "T", annotations, skip=(missing,))
    args = ["analyze", "otb", "--annotations", str(root), "--results", str(tmp_path / "otb" / "T"), "--json"]
    assert main(args) == 2
    assert missing in capsys.readouterr().err
    assert main([*args, "--allow-missing"]) == 0
    assert json.loads(capsys.readouterr().out)["sequences"] == 2

    _vot_results(tmp_path / "vot" / "T", annotations)
    vot = ["analyze", "vot", "--annotations", str(root), "--results", str(tmp_path / "vot" / "T"), "--json"]
    assert main(vot) == 0
    assert json.loads(capsys.readouterr().out)["sequences"] == 3  # the OTB sequence too, not 2 of 3
    _vot_results(tmp_path / "vot2" / "T", annotations, skip=(missing,))
    vot[-2] = str(tmp_path / "vot2" / "T")
    assert main(vot) == 2
    assert missing in capsys.readouterr().err


def test_main_job_staleness_key_is_the_runner_fingerprint(tmp_path):
    from integration.jobs.main_job import MainSettings, _check_resume
    from integration.run.units import TrackerSpec, weights_fingerprint

    weights = tmp_path / "w.pth"
    weights.write_bytes(b"first")
    settings = MainSettings(out=tmp_path / "out", weights=str(weights))
    notices: list[str] = []
    _check_resume(settings, notices)
    key = json.loads((tmp_path / "out" / "runs" / "run_key.json").read_text())
    assert key["weights"] == {"spec": str(weights), **weights_fingerprint(TrackerSpec("siamrpn", str(weights), "cpu"))}
    marker = tmp_path / "out" / "runs" / "kept.txt"
    marker.write_text("x")
    _check_resume(settings, notices)
    assert marker.exists() and not notices  # same bytes: finished runs are kept
    weights.write_bytes(b"second")  # same path, other content: the runner's key changes, so does the job's
    _check_resume(settings, notices)
    assert not marker.exists() and notices


def test_report_refuses_partial_results_unless_allowed_and_states_coverage(tmp_path, capsys):
    from integration.cli import main

    root = _mixed(tmp_path / "mixed")
    annotations = load_annotations(root)
    missing = sorted(annotations)[0]
    _vot_results(tmp_path / "vot" / "T", annotations, skip=(missing,))
    args = ["report", "--results", str(tmp_path / "vot" / "T"), "--benchmark", "vot2017", "--annotations", str(root),
            "--out", str(tmp_path / "report")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "results for 2 of the 3 annotated sequences" in err and missing in err
    assert main([*args, "--allow-missing"]) == 0
    text = (tmp_path / "report" / "report.md").read_text()
    assert f"Coverage: results for 2 of the 3 annotated sequences (missing: {missing})" in text

    _vot_results(tmp_path / "full" / "T", annotations)
    args[2] = str(tmp_path / "full" / "T")
    assert main([*args[:-1], str(tmp_path / "report2")]) == 0
    assert "Coverage: results for 3 of the 3 annotated sequences." in (tmp_path / "report2" / "report.md").read_text()
