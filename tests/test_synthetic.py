"""Synthetic sequence generator: determinism, exact boxes, writers."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from integration.data.synthetic import box_to_polygon, generate, generate_sequence, write_dataset


def test_same_seed_same_sequence_and_different_seed_differs():
    f1, b1 = generate_sequence(7, 12, (96, 72))
    f2, b2 = generate_sequence(7, 12, (96, 72))
    f3, b3 = generate_sequence(8, 12, (96, 72))
    assert np.array_equal(b1, b2) and all(np.array_equal(a, b) for a, b in zip(f1, f2))
    assert not np.array_equal(b1, b3)
    assert f1[0].shape == (72, 96, 3) and f1[0].dtype == np.uint8 and len(f1) == 12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_boxes_are_pixel_exact_on_flat_background(seed):
    """With a flat background and no noise/occlusion, the non-grey pixels span exactly the box."""
    frames, boxes = generate_sequence(seed, 20, (120, 90), flat_background=True, noise=0.0,
                                      brightness_change=0.0, occlusion=False)
    for img, (x, y, w, h) in zip(frames, boxes):
        ys, xs = np.nonzero((img != 128).any(axis=2))
        assert (xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()) == (x, y, w, h)


def test_motion_scale_aspect_occlusion_present():
    seq = generate(5, 60, (160, 120))
    b = seq.boxes
    assert np.all(b[:, 0] >= 0) and np.all(b[:, 1] >= 0)
    assert np.all(b[:, 0] + b[:, 2] <= 160) and np.all(b[:, 1] + b[:, 3] <= 120)
    assert np.ptp(b[:, 0]) > 10  # it moves
    assert b[:, 2].max() / b[:, 2].min() > 1.2  # it scales
    assert np.ptp(b[:, 2] / b[:, 3]) > 0.1  # aspect changes
    assert 0 < seq.tags["occlusion"].sum() < 60


def test_box_to_polygon():
    assert box_to_polygon(np.array([1, 2, 3, 4])).tolist() == [[1, 2, 4, 2, 4, 6, 1, 6]]


@pytest.mark.parametrize("layout,files", [
    ("vot", ["list.txt", "synth00/groundtruth.txt", "synth00/00000001.jpg", "synth00/occlusion.tag"]),
    ("vot-color", ["list.txt", "synth01/sequence", "synth01/color/00000008.jpg"]),
    ("otb", ["Synth00/groundtruth_rect.txt", "Synth01/img/0008.jpg"]),
    ("got10k", ["list.txt", "synth00/groundtruth.txt", "synth00/cover.label", "synth00/meta_info.ini"]),
    ("pysot", ["list.txt", "root.json", "synth00/00000001.jpg"]),
])
def test_write_dataset_layouts(tmp_path, layout, files):
    root = tmp_path / "root"
    names = write_dataset(root, layout=layout, n_sequences=2, n_frames=8, size=(64, 48), seed=3)
    assert len(names) == 2
    for f in files:
        assert (root / f).is_file(), f
    _, boxes = generate_sequence(3, 8, (64, 48))
    if layout == "vot":
        gt = np.loadtxt(root / "synth00" / "groundtruth.txt", delimiter=",")
        assert np.array_equal(gt, box_to_polygon(boxes))
        img = cv2.imread(str(root / "synth00" / "00000001.jpg"))
        assert img.shape == (48, 64, 3)
    if layout == "otb":
        assert np.array_equal(np.loadtxt(root / "Synth00" / "groundtruth_rect.txt", delimiter=","), boxes)
    if layout == "pysot":
        meta = json.loads((root / "root.json").read_text())
        assert meta["synth00"]["init_rect"] == boxes[0].tolist()
        assert len(meta["synth01"]["img_names"]) == 8


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate(0, 0)
    with pytest.raises(ValueError):
        write_dataset("/tmp/never-written-layout", layout="nope", n_sequences=0)
