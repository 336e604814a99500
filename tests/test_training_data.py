"""Training data: dataset layouts on generated fixtures, bad-input errors, crop geometry, determinism."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from tracker.training.augment import context_size, crop_box
from tracker.training.datasets import GOT10kTracks, PysotTracks, VIDTracks, parse_box_file
from tracker.training.synthetic_videos import SyntheticVideo


def _img(path, w=64, h=48):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((h, w, 3), 128, np.uint8))


def test_parse_box_file_formats_and_errors(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1,2,3,4\n0\n1 1 5 1 5 4 1 4\n")
    b = parse_box_file(p)
    np.testing.assert_array_equal(b[0], [1, 2, 3, 4])
    assert np.isnan(b[1]).all()
    np.testing.assert_array_equal(b[2], [1, 1, 4, 3])
    p.write_text("1,2,3,4\n1,2,x,4\n")
    with pytest.raises(ValueError, match=r"gt.txt:2: not a list of numbers"):
        parse_box_file(p)
    p.write_text("1,2,3\n")
    with pytest.raises(ValueError, match=r"gt.txt:1: expected 4 values"):
        parse_box_file(p)


def test_got10k_layout_skips_absent_frames(tmp_path):
    seq = tmp_path / "GOT-10k_Train_000001"
    for i in range(1, 5):
        _img(seq / f"{i:08d}.jpg")
    (seq / "groundtruth.txt").write_text("1,1,10,10\n2,2,10,10\n3,3,10,10\n4,4,10,10\n")
    (seq / "absence.label").write_text("0\n1\n0\n0\n")
    (tmp_path / "list.txt").write_text("GOT-10k_Train_000001\n")
    ds = GOT10kTracks(tmp_path)
    assert len(ds) == 1
    np.testing.assert_array_equal(ds.frames(0), [0, 2, 3])
    img, box = ds.load(0, 2)
    assert img.shape == (48, 64, 3) and box.tolist() == [3, 3, 10, 10]


def test_vid_xml_tracks(tmp_path):
    snippet = "ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000"
    for f, objs in ((0, [(0, 5, 6, 25, 36), (1, 1, 1, 11, 11)]), (1, [(0, 7, 6, 27, 36)])):
        xml = tmp_path / "Annotations/VID/train" / snippet / f"{f:06d}.xml"
        xml.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"<object><trackid>{t}</trackid><bndbox><xmax>{x2}</xmax><xmin>{x1}</xmin><ymax>{y2}</ymax>"
                       f"<ymin>{y1}</ymin></bndbox></object>" for t, x1, y1, x2, y2 in objs)
        xml.write_text(f"<annotation>{body}</annotation>")
        _img(tmp_path / "Data/VID/train" / snippet / f"{f:06d}.JPEG")
    ds = VIDTracks(tmp_path)
    assert len(ds) == 2  # track 0 (2 frames) and track 1 (1 frame)
    assert sorted(len(ds.frames(i)) for i in range(2)) == [1, 2]
    i0 = [i for i in range(2) if len(ds.frames(i)) == 2][0]
    assert ds.boxes[i0][1].tolist() == [7, 6, 20, 30]
    bad = tmp_path / "Annotations/VID/train" / snippet / "000002.xml"
    bad.write_text("<annotation><object>")
    with pytest.raises(ValueError, match="000002.xml: malformed XML"):
        VIDTracks(tmp_path)


def test_pysot_crop511_box_mapping(tmp_path):
    """w = h = 50: s_z = sqrt(100 * 100) = 100, so in the 511 crop the box is 63.5 x 63.5 centred at 255.5."""
    (tmp_path / "train.json").write_text(json.dumps({"a/vid0": {"00": {"000000": [10, 10, 60, 60]}}}))
    _img(tmp_path / "crop" / "a/vid0" / "000000.00.x.jpg", 511, 511)
    ds = PysotTracks(tmp_path / "crop", tmp_path / "train.json")
    img, box = ds.load(0, 0)
    np.testing.assert_allclose(box, [255.5 - 31.75, 255.5 - 31.75, 63.5, 63.5])
    (tmp_path / "bad.json").write_text('{"a": \n {')
    with pytest.raises(ValueError, match=r"bad.json:2: malformed JSON"):
        PysotTracks(tmp_path / "crop", tmp_path / "bad.json")


def test_context_size_eq15():
    # w=60, h=20: p = 40, A = sqrt(100 * 60)
    assert context_size(60, 20) == pytest.approx(np.sqrt(6000))


def test_crop_box_geometry():
    """A white 20x10 rectangle at x=40..59, y=30..39; search crop of side 100 -> 50 px output (scale 0.5) with a
    shift of (+6, -4) output px: the target must appear at (-6, +4) from the crop centre, 10x5 px."""
    img = np.zeros((100, 120, 3), np.uint8)
    img[30:40, 40:60] = 255
    crop, box = crop_box(img, np.array([40.0, 30.0, 20.0, 10.0]), 51, 102.0, shift=(6.0, -4.0))
    np.testing.assert_allclose(box, [-6, 4, 10, 5])
    ys, xs = np.nonzero(crop[..., 0] > 127)
    assert (xs.mean() - 25) == pytest.approx(-6, abs=0.6) and (ys.mean() - 25) == pytest.approx(4, abs=0.6)


def test_synthetic_video_deterministic_and_box_on_target():
    a, b = SyntheticVideo(3, 11, 30), SyntheticVideo(3, 11, 30)
    fa, ba = a.frame(17)
    fb, bb = b.frame(17)
    np.testing.assert_array_equal(fa, fb)
    np.testing.assert_array_equal(ba, bb)
    assert ba[2] > 4 and ba[3] > 4
