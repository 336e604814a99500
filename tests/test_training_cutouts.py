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
