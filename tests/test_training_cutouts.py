"""Cut-out scenes for training: generated RGBA fixtures (no Debian package needed)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tracker.training.cutouts import CutoutTracks, list_cutouts


def _write_cutouts(root, n=3):
    rng = np.random.default_rng(0)
    for i in range(n):
        img = np.zeros((60, 90, 4), np.uint8)
        img[:, :, :3] = rng.integers(0, 256, 3)
        cv2.ellipse(img, (45, 30), (40, 25), 0, 0, 360, (*[int(v) for v in rng.integers(0, 256, 3)], 255), -1)
        (root / "animals").mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / "animals" / f"a{i}.png"), img)
    (root / "logos").mkdir()
    cv2.imwrite(str(root / "logos" / "skip.png"), np.full((40, 40, 4), 255, np.uint8))  # not an object category
    cv2.imwrite(str(root / "animals" / "opaque.png"), np.full((40, 40, 3), 9, np.uint8))  # no alpha: skipped


def test_scenes_place_the_object_in_its_box(tmp_path):
    _write_cutouts(tmp_path)
    photos = (np.full((300, 400, 3), 128, np.uint8),)
    tracks = CutoutTracks(tmp_path, seed=3, photos=photos)
    assert len(tracks) == 4 and all("logos" not in str(p) for p in list_cutouts(tmp_path))
    for i in range(len(tracks)):
        (img0, box0), (img1, box1) = tracks.load(i, 0), tracks.load(i, 1)
        assert img0.shape == (360, 480, 3) and img0.dtype == np.uint8
        assert not np.array_equal(box0, box1)  # two different scenes of the same object
        for img, (x, y, w, h) in ((img0, box0), (img1, box1)):
            x0, y0 = int(max(x, 0)), int(max(y, 0))
            inside = img[y0:int(y + h), x0:int(x + w)].astype(int)
            assert np.abs(inside - 128).max() > 20  # the object, not the plain background, is in the box
        again, box_again = tracks.load(i, 1)
        assert np.array_equal(again, img1) and np.array_equal(box_again, box1)  # a pure function of (seed, i, f)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope.*openclipart-png"):
        CutoutTracks(tmp_path / "nope")


def test_aspect_spread_of_stills_and_cutouts(tmp_path):
    from tracker.training.datasets import StillTracks

    photos = (np.full((300, 400, 3), 128, np.uint8),)
    for aspect in (2.0, 4.0):
        boxes = np.array([b for _, b in StillTracks(photos, per_image=400, seed=1, aspect=aspect).items])
        asp = boxes[:, 2] / boxes[:, 3]
        assert asp.min() >= 1 / aspect - 1e-9 and asp.max() <= aspect + 1e-9
        assert asp.max() > 0.9 * aspect and asp.min() < 1.1 / aspect  # the whole range is used
    _write_cutouts(tmp_path)
    wide = CutoutTracks(tmp_path, seed=3, photos=photos, stretch=2.5)
    ratios = [wide.load(i % 3, f)[1] for i in range(30) for f in (0, 1)]
    ratios = np.array([b[2] / b[3] for b in ratios]) / (80 / 50)  # the drawn ellipse is 81x51 px
    assert ratios.max() > 1.6 and ratios.min() < 1 / 1.6


def test_stretched_large_objects_fit_the_scene(tmp_path):
    """A tall object stretched 2.5x at the largest base size once exceeded the 360 px scene (crash at step 250)."""
    root = tmp_path / "c"
    (root / "people").mkdir(parents=True)
    img = np.zeros((200, 40, 4), np.uint8)
    img[:, :, 3] = 255
    img[:, :, 1] = 200
    cv2.imwrite(str(root / "people" / "tall.png"), img)
    tracks = CutoutTracks(root, seed=0, photos=(np.full((300, 400, 3), 50, np.uint8),), stretch=2.5)
    for i in range(200):
        image, (x, y, w, h) = tracks.load(0, i)
        assert w <= 0.9 * 480 + 1 and h <= 0.9 * 360 + 1 and x >= 0 and y >= 0
