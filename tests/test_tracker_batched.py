"""Batched mode equals N single trackers (same weights, same frames)."""
import dataclasses

import numpy as np
import pytest

from tests.fixtures.tracker.matcher import make_tracker, square_scene
from tracker.batched import BatchedSiamRPN
from tracker.presets import get_preset
from tracker.siamrpn import SiamRPNTracker


def test_batched_equals_single_on_template_matcher():
    scenes = [square_scene(8, seed=s) for s in (3, 7, 9)]
    single = make_tracker(*scenes[0])  # calibrated network (same square size in every scene)
    batch = BatchedSiamRPN(weights=single.model, preset=single.cfg)
    batch.init([f[0] for f, _ in scenes], [[*c[0], 64, 64] for _, c in scenes])
    singles = []
    for f, c in scenes:
        t = SiamRPNTracker(weights=single.model, preset=single.cfg)
        t.init(f[0], [*c[0], 64, 64])
        singles.append(t)
    for step in range(1, 8):
        boxes, scores = batch.update([f[step] for f, _ in scenes])
        for i, ((f, c), t) in enumerate(zip(scenes, singles)):
            box, score = t.update(f[step])
            assert np.allclose(boxes[i], box, atol=1e-9) and scores[i] == pytest.approx(score, abs=1e-6)
            assert boxes[i].tolist() == pytest.approx([c[step][0] - 0.5, c[step][1] - 0.5, 64, 64])


def test_batched_equals_single_random_weights_with_reinit_and_active():
    rng = np.random.default_rng(0)
    frames = [[rng.integers(0, 256, (150, 200, 3), dtype=np.uint8) for _ in range(4)] for _ in range(3)]
    regions = [[50, 40, 30, 20], [10, 10, 80, 60], np.array([100, 50, 140, 60, 130, 90, 90, 80], float)]
    cfg = get_preset("dasiam_otb")
    batch = BatchedSiamRPN("random:2", preset=cfg)
    singles = [SiamRPNTracker(batch.model, preset=cfg) for _ in range(3)]
    batch.init([f[0] for f in frames], regions)
    for t, f, r in zip(singles, frames, regions):
        t.init(f[0], r)
    boxes, _ = batch.update([f[1] for f in frames])
    for i, t in enumerate(singles):
        assert np.allclose(boxes[i], t.update(frames[i][1])[0], atol=1e-3)
    # re-initialise sequence 1, advance only 0 and 1
    batch.reinit(1, frames[1][2], [20, 20, 40, 40])
    singles[1].init(frames[1][2], [20, 20, 40, 40])
    boxes, scores = batch.update([frames[0][2], frames[1][3], None], active=[0, 1])
    assert np.isnan(boxes[2]).all() and np.isnan(scores[2])
    assert np.allclose(boxes[0], singles[0].update(frames[0][2])[0], atol=1e-3)
    assert np.allclose(boxes[1], singles[1].update(frames[1][3])[0], atol=1e-3)
    with pytest.raises(ValueError, match="3 images"):
        batch.update([frames[0][0]])


def test_mixed_adaptive_sizes_grouped():
    img = np.zeros((480, 640, 3), np.uint8)
    img[100:140, 100:140] = 200
    cfg = dataclasses.replace(get_preset("dasiam_big"), model=get_preset("paper").model)
    batch = BatchedSiamRPN("random:4", preset=cfg)
    batch.init([img, img], [[100, 100, 10, 10], [90, 90, 100, 100]])
    assert batch.instance.tolist() == [287, 271]
    singles = [SiamRPNTracker(batch.model, preset=cfg) for _ in range(2)]
    singles[0].init(img, [100, 100, 10, 10])
    singles[1].init(img, [90, 90, 100, 100])
    boxes, _ = batch.update([img, img])
    for i in range(2):
        assert np.allclose(boxes[i], singles[i].update(img)[0], atol=1e-3)
