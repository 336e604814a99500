"""OpenCV baselines through the registry and the runner; CSRT on the real ``bag`` under the baseline protocol."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.core.regions import area_preserving_rect
from analysis.io.trajectories import load_tracker_results
from integration.cli import main as siamrpn
from integration.data.synthetic import generate
from integration.registry import OpenCVTracker, TrackerUnavailable, available_trackers, create_tracker
from tests.conftest import shared_path


@pytest.mark.parametrize("name", ["csrt", "kcf", "mil"])
def test_opencv_tracker_follows_a_synthetic_target(name):
    # fixed size and aspect: KCF and MIL do not estimate scale
    seq = generate(1, 12, (160, 120), speed=2.0, occlusion=False, scale_range=1.0, aspect_range=1.0)
    try:
        tracker = create_tracker(name)
    except TrackerUnavailable as exc:  # reported, as the runner does, e.g. an OpenCV build without contrib
        pytest.skip(str(exc))
    assert isinstance(tracker, OpenCVTracker)
    tracker.init(seq.frames[0], seq.boxes[0])
    for img, gt in zip(seq.frames[1:], seq.boxes[1:]):
        box, score = tracker.update(img)
        assert box.shape == (4,) and np.isfinite(box).all() and 0.0 <= score <= 1.0
    # after 11 frames the centre is still within half a target size of the truth
    centre = box[:2] + box[2:] / 2
    truth = gt[:2] + gt[2:] / 2
    assert np.all(np.abs(centre - truth) < gt[2:] / 2), (name, box, gt)


def test_nano_uses_shared_onnx_models_when_present(monkeypatch, tmp_path):
    monkeypatch.setenv("SIAMRPN_NANOTRACK_DIR", str(tmp_path))
    with pytest.raises(TrackerUnavailable, match="nanotrack_backbone_sim.onnx"):
        create_tracker("nano")
    assert "nano" in available_trackers(["nano"]) and available_trackers(["nano"])["nano"]
    folder = shared_path("weights", "nanotrack_v2")
    tracker = create_tracker("nano", weights=str(folder))
    seq = generate(2, 6, (160, 120), occlusion=False)
    tracker.init(seq.frames[0], seq.boxes[0])
    box, _ = tracker.update(seq.frames[1])
    assert box.shape == (4,) and np.isfinite(box).all()


def test_polygon_region_becomes_area_preserving_box():
    poly = np.array([10.0, 10.0, 50.0, 10.0, 50.0, 30.0, 10.0, 30.0])  # axis-aligned: area ratio 1
    box = area_preserving_rect(poly)
    assert box[2:] == pytest.approx([41.0, 21.0])  # pysot: w = s*(x2-x1)+1
    assert (box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2) == pytest.approx((30.0, 20.0))


def test_unknown_and_broken_trackers_are_reported():
    with pytest.raises(TrackerUnavailable, match="unknown tracker"):
        create_tracker("nope")
    with pytest.raises(TrackerUnavailable, match="cannot import"):
        create_tracker("no.such.module:Thing")
    with pytest.raises(TrackerUnavailable, match="no init/update"):
        create_tracker("collections:OrderedDict")


@pytest.mark.slow
def test_csrt_on_bag_baseline_is_analysable(tmp_path, capsys):
    bag = shared_path("sequences", "bag")
    try:
        create_tracker("csrt")
    except TrackerUnavailable as exc:
        pytest.skip(str(exc))
    rc = siamrpn(["run", "vot", "--dataset", str(bag), "--experiment", "baseline", "--tracker", "csrt",
                  "--deterministic", "--quiet", "--out", str(tmp_path)])
    assert rc == 0
    runs = load_tracker_results(tmp_path / "csrt", "baseline")["bag"]
    assert len(runs) == 1 and len(runs[0]) == 196 and runs[0][0] == 1
    failures = sum(1 for r in runs[0] if isinstance(r, int) and r == 2)
    capsys.readouterr()
    rc = siamrpn(["analyze", "vot", "--annotations", str(bag), "--results", str(tmp_path / "csrt"), "--json",
                  "--interval", "10", "100"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["frames"] == 196 and report["sequences"] == 1 and report["runs"] == 1
    assert report["failures"] == failures
    assert 0.0 < report["accuracy"] < 1.0 and 0.0 < report["eao"] < 1.0


def test_opencv_errors_name_tracker_and_box():
    import numpy as np

    from integration.registry import OpenCVTracker

    class Broken:
        def init(self, image, rect):
            raise RuntimeError("OpenCV(4.x) error: (-215:Assertion failed) !roi.empty() in function 'init'")

    trk = OpenCVTracker("csrt", Broken)
    with pytest.raises(RuntimeError, match=r"csrt: OpenCV could not initialise on the box x,y,w,h = 1,2,3,4 in a "
                                           r"20x10 image \(.*Assertion failed"):
        trk.init(np.zeros((10, 20, 3), np.uint8), np.array([1, 2, 3, 4.0]))
