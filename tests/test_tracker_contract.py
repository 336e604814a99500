"""The tracker contract (``tracker/contract.py``): every accepted ``update`` convention, the contract error, the
default results label, and a user tracker written the OpenCV way run through ``siamrpn run`` with no wrapper."""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

from analysis.core.masks import Mask
from analysis.core.regions import area_preserving_rect
from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset
from integration.protocols.clocks import SimulatedClock
from integration.protocols.one_pass import run_longterm, run_one_pass
from integration.protocols.vot_baseline import BaselineSettings, run_baseline
from integration.registry import TrackerUnavailable, create_tracker, default_label
from tracker.contract import ContractError, Prediction, Tracker, as_prediction, init_region_for

BOX = [10.0, 20.0, 30.0, 40.0]


class Replies:
    """Answers ``update`` with the scripted outputs in turn (the image is the frame index)."""

    def __init__(self, *outputs):
        self.outputs = list(outputs)

    def init(self, image, box):
        self.k = 0
        return True

    def update(self, image):
        out = self.outputs[self.k % len(self.outputs)]
        self.k += 1
        return out


@pytest.mark.parametrize("output, box, score", [
    (Prediction(np.array(BOX), 0.5), BOX, 0.5),                       # this contract
    ((np.array(BOX), 0.75), BOX, 0.75),                               # this project / pysot-toolkit (box, score)
    ((True, (10, 20, 30, 40)), BOX, 1.0),                             # OpenCV (ok, box)
    ((np.bool_(False), (10, 20, 30, 40)), BOX, 0.0),                  # OpenCV lost: the box, score 0
    (np.array(BOX), BOX, math.nan),                                   # got10k: a bare box
    (BOX, BOX, math.nan),                                             # ... as a list
    ({"bbox": BOX, "best_score": np.float32(0.25)}, BOX, 0.25),       # pysot tracker.track
    ({"bbox": BOX}, BOX, math.nan),
    ((BOX, None), BOX, math.nan),
    ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], math.nan),   # a polygon
])
def test_every_convention_reads_as_one_prediction(output, box, score):
    pred = as_prediction(output)
    assert isinstance(pred, Prediction)
    np.testing.assert_array_equal(pred.box, box)
    assert pred.box.dtype == np.float64
    assert pred.score == pytest.approx(score, nan_ok=True)


def test_a_mask_is_kept():
    mask = Mask(np.ones((3, 4), np.uint8), (5, 6))
    assert as_prediction(mask).box is mask
    pred = as_prediction((mask, 0.5))
    assert pred.box is mask and pred.score == 0.5


@pytest.mark.parametrize("output, words", [
    (None, "returned NoneType None"),
    ("10,20,30,40", "returned str"),
    ((1.0, 2.0, 3.0), "region with 3 values"),
    ({"box": BOX}, "mapping without 'bbox'"),
    ((BOX, BOX), "returned tuple"),
    ((BOX, "high"), "the score str 'high'"),
])
def test_other_answers_are_an_error_naming_the_contract_and_the_class(output, words):
    with pytest.raises(ContractError, match=words) as info:
        as_prediction(output, Replies())
    message = str(info.value)
    assert "test_tracker_contract.Replies.update returned" in message
    assert "tracker contract (tracker/contract.py)" in message and "OpenCV's (ok, box)" in message
    assert isinstance(info.value, ValueError)  # what the region check it replaces raised


def test_init_gets_a_box_unless_the_tracker_accepts_polygons():
    poly = np.array([10.0, 10.0, 50.0, 12.0, 48.0, 32.0, 8.0, 30.0])
    box = np.array(BOX)
    np.testing.assert_array_equal(init_region_for(Replies(), poly), area_preserving_rect(poly))
    assert init_region_for(Replies(), box) is box
    polygons = type("Polygons", (Replies,), {"accepts_polygons": True})()
    assert init_region_for(polygons, poly) is poly
    mask = Mask(np.ones((3, 4), np.uint8), (5, 6))
    assert init_region_for(Replies(), mask) is mask


def test_protocols_name_the_tracker_class_in_the_error():
    with pytest.raises(ContractError, match=r"Replies\.update returned NoneType None: the tracker contract"):
        run_one_pass(Replies(None), lambda i: i, 3, np.array(BOX))


def test_opencv_lost_flag_in_the_protocols():
    """(False, box): the box is stored and scored like any other, with confidence 0 (long-term)."""
    answers = [(True, (11, 20, 30, 40)), (False, (12, 20, 30, 40)), (True, (13, 20, 30, 40))]
    run = run_longterm(Replies(*answers), lambda i: i, 4, np.array(BOX), SimulatedClock(0.01))
    np.testing.assert_array_equal(run.boxes, [BOX, [11, 20, 30, 40], [12, 20, 30, 40], [13, 20, 30, 40]])
    np.testing.assert_array_equal(run.confidence, [np.nan, 1.0, 0.0, 1.0])
    gt = np.tile(BOX, (4, 1))
    base = run_baseline(Replies(*answers), lambda i: i, gt, (100, 100), BaselineSettings(deterministic=True),
                        clock=SimulatedClock(0.01))[0]
    assert not any(np.ndim(r) == 0 or np.size(r) == 1 for r in base.trajectory[1:])  # no failure, no reset
    np.testing.assert_array_equal(base.trajectory[2], [12, 20, 30, 40])


def test_registry_checks_the_contract(tmp_path, monkeypatch):
    (tmp_path / "noupdate.py").write_text("class Half:\n    def init(self, image, box):\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TrackerUnavailable, match=r"noupdate:Half: built object Half has no init/update \(update "
                                                 r"missing\): the tracker contract \(tracker/contract.py\)"):
        create_tracker("noupdate:Half")
    assert isinstance(Replies(), Tracker)


@pytest.mark.parametrize("name, label", [
    ("siamrpn", "siamrpn"), ("mymil:factory", "mymil"), ("pkg.mymil:make_tracker", "mymil"),
    ("mymil:MILTracker", "MILTracker"), ("pkg.mymil:MILTracker.create", "MILTracker"),
])
def test_results_are_labelled_by_the_module_or_class_not_the_factory(name, label):
    from integration.cli.run import parse_trackers

    assert default_label(name) == label
    assert [s.result_name for s in parse_trackers(name)] == [label]


def test_got10k_adapter_reads_every_convention():
    pytest.importorskip("got10k", reason="got10k toolkit not installed (optional group `toolkits`)")
    from PIL import Image

    from integration.toolkits.got10k_adapter import Got10kTracker

    image = Image.fromarray(np.zeros((48, 64, 3), np.uint8))
    for output in [(True, BOX), {"bbox": BOX, "best_score": 0.5}, (np.array(BOX), 0.5), BOX]:
        adapter = Got10kTracker(Replies(output), "user")
        adapter.init(image, np.array(BOX))
        np.testing.assert_array_equal(adapter.update(image), BOX)


class OpenCVStyle:
    """OpenCV's convention for the TraX server test: found on odd frames, lost (same box) on even ones."""

    def init(self, image, box):
        self.box, self.n = [float(v) for v in box], 0
        return True

    def update(self, image):
        self.n += 1
        self.box[0] += 1
        return self.n % 2 == 1, tuple(self.box)


def test_trax_server_reads_the_opencv_convention(tmp_path):
    pytest.importorskip("trax", reason="vot-trax is not installed (optional group `toolkits`)")
    from trax import Rectangle

    from tests.test_trax_server import Session, write_frames

    frames = write_frames(tmp_path, 3)
    s = Session("--factory", "tests.test_tracker_contract:OpenCVStyle")
    s.initialize(frames[0], Rectangle.create(5, 6, 7, 8))
    box, props = s.frame(frames[1])
    assert box == pytest.approx((6, 6, 7, 8)) and float(props["confidence"]) == 1.0
    box, props = s.frame(frames[2])
    assert box == pytest.approx((7, 6, 7, 8)) and float(props["confidence"]) == 0.0  # lost: the box, score 0
    s.client.quit()
    assert s.finish() == 0


MYMIL = '''
"""A user tracker written the OpenCV way: init(image, box) -> ok, update(image) -> (ok, box)."""


class MILTracker:
    def init(self, image, box):
        self.x, self.y, self.w, self.h = (float(v) for v in box)
        self.n = 0
        return True

    def update(self, image):
        self.n += 1
        return self.n % 3 != 0, (self.x + self.n, self.y + 0.5 * self.n, self.w, self.h)


def factory():
    return MILTracker()
'''


def test_an_opencv_style_tracker_runs_through_siamrpn_run_without_a_wrapper(tmp_path, monkeypatch, capsys):
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "mymil.py").write_text(textwrap.dedent(MYMIL))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))  # spawned workers get the parent's sys.path
    names = write_dataset(tmp_path / "otb", layout="otb", n_sequences=1, n_frames=8, size=(64, 48), seed=2)
    out = tmp_path / "runs"
    assert siamrpn(["run", "otb", "--dataset", str(tmp_path / "otb"), "--tracker", "mymil:factory", "--quiet",
                    "--out", str(out)]) == 0
    assert not (out / "factory").exists()
    boxes = np.loadtxt(out / "mymil" / f"{names[0]}.txt", delimiter=",")
    first = np.loadtxt(tmp_path / "otb" / names[0] / "groundtruth_rect.txt", delimiter=",")[0]
    n = np.arange(1, 8)
    expected = np.c_[first[0] + n, first[1] + 0.5 * n, np.full(7, first[2]), np.full(7, first[3])]
    np.testing.assert_allclose(boxes[0], first, atol=1e-4)
    np.testing.assert_allclose(boxes[1:], expected, atol=1e-4)  # lost frames (3, 6) keep the tracker's box

    # VOT: polygon ground truth, handed to this tracker as its area-preserving box (it takes 4 numbers)
    write_dataset(tmp_path / "vot", layout="vot", n_sequences=1, n_frames=8, size=(64, 48), seed=2)
    assert siamrpn(["run", "vot", "--dataset", str(tmp_path / "vot"), "--tracker", "mymil:MILTracker", "--quiet",
                    "--deterministic", "--out", str(out)]) == 0
    assert (out / "MILTracker" / "baseline" / "synth00" / "synth00_001.txt").is_file()
