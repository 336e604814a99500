"""Completion records keyed by content (issue 15): stale results are never reused, no sequence is lost.

Truth: a record is accepted only for the same tracker spec, the same weights *bytes*, the same experiment
settings and the same ground truth / frame list, and only while every result file it checksummed is unchanged;
marker file names of distinct sequence names are distinct.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.io.trajectories import load_tracker_results
from integration.data.sequences import from_arrays
from integration.data.synthetic import generate
from integration.run.execute import split_done
from integration.run.experiment import plan_units, run_experiment
from integration.run.units import ExperimentSpec, TrackerSpec, marker_name, weights_fingerprint

OTB = ExperimentSpec("otb")
BASE = ExperimentSpec("baseline", deterministic=True)


def seqs(names=("s0", "s1"), n=8, boxes_shift=None):
    out = {}
    for k, name in enumerate(names):
        s = generate(300 + k, n, (64, 48), speed=3.0)
        boxes = np.array(s.boxes, dtype=float)
        if boxes_shift and name in boxes_shift:
            boxes[-1, 0] += boxes_shift[name]
        out[name] = from_arrays(name, s.frames, boxes)
    return out


def spec(weights=None):
    return TrackerSpec("tests.protocol_helpers:TemplateTracker", weights=weights, label="template")


def statuses(summary):
    return {o.key.split("/")[-1]: o.status for o in summary.outcomes}


def test_unchanged_rerun_is_skipped(tmp_path):
    data = seqs()
    assert statuses(run_experiment([spec()], OTB, data, tmp_path, progress=False)) == {"s0": "done", "s1": "done"}
    again = run_experiment([spec()], OTB, data, tmp_path, progress=False)
    assert statuses(again) == {"s0": "skipped", "s1": "skipped"}
    rec = json.loads((tmp_path / "_runner" / "template" / "otb" / "s0.done.json").read_text())
    assert set(rec["files"]) == {"template/s0.txt", "template/times/s0_time.txt"}
    assert rec["content"]["sequence_hash"] == data["s0"].fingerprint


def test_retrained_weights_at_the_same_path_are_redone(tmp_path, capsys):
    w = tmp_path / "w.pth"
    w.write_bytes(b"first training")
    data = seqs()
    run_experiment([spec(str(w))], OTB, data, tmp_path / "out", progress=False)
    capsys.readouterr()
    w.write_bytes(b"second training")  # re-exported to the same path
    again = run_experiment([spec(str(w))], OTB, data, tmp_path / "out", progress=False)
    assert statuses(again) == {"s0": "done", "s1": "done"}
    err = capsys.readouterr().err
    assert "the weights file changed" in err and "template/otb/s0" in err
    assert weights_fingerprint(spec(str(w)))["sha256"] is not None
    assert weights_fingerprint(spec("random:0"))["sha256"] is None


def test_edited_ground_truth_is_redone_and_other_sequences_kept(tmp_path, capsys):
    run_experiment([spec()], BASE, seqs(), tmp_path, progress=False)
    capsys.readouterr()
    again = run_experiment([spec()], BASE, seqs(boxes_shift={"s1": 2.0}), tmp_path, progress=False)
    assert statuses(again) == {"s0": "skipped", "s1": "done"}
    assert "ground truth or frame list changed" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_deleted_or_truncated_result_file_is_redone(tmp_path, capsys, damage):
    data = seqs()
    run_experiment([spec()], BASE, data, tmp_path, progress=False)
    before = (tmp_path / "template" / "baseline" / "s0" / "s0_001.txt").read_text()
    run_file = tmp_path / "template" / "baseline" / "s0" / "s0_001.txt"
    if damage == "delete":
        run_file.unlink()
    else:
        run_file.write_text(run_file.read_text()[:10])
    capsys.readouterr()
    again = run_experiment([spec()], BASE, data, tmp_path, progress=False)
    assert statuses(again) == {"s0": "done", "s1": "skipped"}
    err = capsys.readouterr().err
    assert str(run_file) in err and ("missing" if damage == "delete" else "checksum mismatch") in err
    assert run_file.read_text() == before  # rewritten in full
    assert len(load_tracker_results(tmp_path / "template", "baseline")["s0"]) == 1  # deterministic: 1 run


def test_old_format_or_damaged_record_is_redone(tmp_path, capsys):
    data = seqs(("s0",))
    run_experiment([spec()], OTB, data, tmp_path, progress=False)
    done = tmp_path / "_runner" / "template" / "otb" / "s0.done.json"
    done.write_text(json.dumps({"key": "template/otb/s0", "sequence": "s0"}))  # a record of the old scheme
    assert statuses(run_experiment([spec()], OTB, data, tmp_path, progress=False)) == {"s0": "done"}
    assert "older format" in capsys.readouterr().err
    done.write_text("{ half a rec")
    assert statuses(run_experiment([spec()], OTB, data, tmp_path, progress=False)) == {"s0": "done"}
    assert "damaged completion record" in capsys.readouterr().err


def test_marker_names_never_collide():
    names = ["a b", "a_b", "a%20b", "bäg", "bög", "b_g", "a+b", "a-b", "x", ".hidden", "_hidden", "Bag",
             "a/b", "a" * 300, "a" * 301]
    markers = [marker_name(n) for n in names]
    assert len(set(markers)) == len(names)
    assert marker_name("s0") == "s0" and marker_name("Synth00") == "Synth00"  # plain names stay readable
    assert all(len(m) <= 200 and "/" not in m and not m.startswith(".") for m in markers)


def test_sequences_whose_old_markers_collided_all_run_and_resume(tmp_path):
    data = seqs(("a b", "a_b", "bäg", "bög"))
    first = run_experiment([spec()], OTB, data, tmp_path, progress=False)
    assert statuses(first) == dict.fromkeys(data, "done")
    assert len(list((tmp_path / "_runner" / "template" / "otb").glob("*.done.json"))) == 4
    assert statuses(run_experiment([spec()], OTB, data, tmp_path, progress=False)) == dict.fromkeys(data, "skipped")


def test_record_of_another_sequence_is_not_taken(tmp_path):
    """A marker file shared by two names (case-insensitive file systems) is not accepted for the other one."""
    data = seqs(("s0", "s1"))
    run_experiment([spec()], OTB, data, tmp_path, progress=False)
    rec_dir = tmp_path / "_runner" / "template" / "otb"
    (rec_dir / "s1.done.json").write_text((rec_dir / "s0.done.json").read_text())
    units = plan_units([spec()], OTB, data, tmp_path)
    notices = []
    todo, skipped = split_done(units, True, notices.append)
    assert [u.sequence.name for u in todo] == ["s1"] and len(skipped) == 1
    assert "is of sequence 's0'" in notices[0]


def test_batched_runner_checks_records_the_same_way(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        data = seqs(("s0", "s1"), n=6)
        siam = TrackerSpec("siamrpn", "random:0")
        run_experiment([siam], BASE, data, tmp_path, progress=False, batch_size=2)
        run_file = tmp_path / "siamrpn" / "baseline" / "s1" / "s1_001.txt"
        run_file.write_text("1\n")
        capsys.readouterr()
        again = run_experiment([siam], BASE, data, tmp_path, progress=False, batch_size=2)
        assert statuses(again) == {"s0": "skipped", "s1": "done"}
        assert "checksum mismatch" in capsys.readouterr().err
        per = run_experiment([siam], BASE, data, tmp_path, progress=False)  # per-sequence runner accepts them
        assert statuses(per) == {"s0": "skipped", "s1": "skipped"}
    finally:
        torch.set_num_threads(before)
