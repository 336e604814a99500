"""End-to-end tracker on a synthetic moving square with a hand-set exact template matcher: the expected
trajectory is known in closed form."""
import copy
import dataclasses

import numpy as np
import pytest
import torch

from tests.fixtures.tracker.matcher import make_tracker, matcher_model, square_scene
from tracker.presets import get_preset
from tracker.siamrpn import SiamRPNTracker


@pytest.mark.parametrize("preset", ["paper", "dasiam_vot", "pysot_upchannel_alex"])
def test_tracks_moving_square_exactly(preset):
    frames, corners = square_scene(12, seed=3)
    trk = make_tracker(frames, corners, preset)
    trk.init(frames[0], [*corners[0], 64, 64])
    for t in range(1, len(frames)):
        box, score = trk.update(frames[t])
        # pysot convention: centre = x + (w - 1) / 2 at init, output x = cx - w / 2 -> corner - 0.5
        assert box.tolist() == pytest.approx([corners[t][0] - 0.5, corners[t][1] - 0.5, 64, 64], abs=1e-9), t
        assert score > 0.99


def test_polygon_init_equals_box_init():
    frames, corners = square_scene(5, seed=4)
    x, y = corners[0]
    # polygon of the pixel-corner rectangle x..x+63: area-preserving box has w = 63 + 1 = 64 and centre x + 31.5
    poly = [x, y, x + 63, y, x + 63, y + 63, x, y + 63]
    a, b = make_tracker(frames, corners), make_tracker(frames, corners)
    a.init(frames[0], poly)
    b.init(frames[0], [x, y, 64, 64])
    for f in frames[1:]:
        assert np.array_equal(a.update(f)[0], b.update(f)[0])


def test_one_shot_template_runs_once():
    frames, corners = square_scene(4, seed=5)
    trk = make_tracker(frames, corners)
    calls = {"template": 0, "detect": 0}
    real_t, real_d = trk.engine.template, trk.engine.detect

    def count(name, fn):
        def wrapped(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return wrapped
    trk.engine.template, trk.engine.detect = count("template", real_t), count("detect", real_d)
    trk.init(frames[0], [*corners[0], 64, 64])
    for f in frames[1:]:
        trk.update(f)
    assert calls == {"template": 1, "detect": 3}


def test_random_weights_deterministic_and_input_errors():
    img = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    outs = []
    for _ in range(2):
        trk = SiamRPNTracker("random:1", preset="dasiam_otb")
        trk.init(img, [40, 30, 30, 20])
        outs.append([trk.update(img)[0] for _ in range(3)])
    assert np.array_equal(np.array(outs[0]), np.array(outs[1]))
    with pytest.raises(ValueError, match="outside"):
        trk.init(img, [500, 500, 10, 10])
    with pytest.raises(ValueError, match="positive"):
        trk.init(img, [10, 10, 0, 10])
    with pytest.raises(ValueError, match="BGR"):
        trk.update(img[:, :, 0])
    with pytest.raises(ValueError, match="unknown preset"):
        SiamRPNTracker("random:0", preset="nope")
    with pytest.raises(RuntimeError, match="before init"):
        SiamRPNTracker("random:0").update(img)


def test_adaptive_instance_size_for_tiny_targets():
    img = np.zeros((480, 640, 3), np.uint8)
    trk = SiamRPNTracker(matcher_model(), preset=dataclasses.replace(get_preset("dasiam_big"),
                                                                       model=get_preset("paper").model))
    trk.init(img, [100, 100, 10, 10])  # 100 / 307200 < 0.004 -> 287
    assert trk.instance_size == 287
    trk.update(img)
    assert trk.last_maps[0].shape == (10, 21, 21)
    trk.init(img, [100, 100, 100, 100])
    assert trk.instance_size == 271


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_matches_cpu():
    frames, corners = square_scene(6, seed=6)
    cpu = make_tracker(frames, corners)
    gpu = SiamRPNTracker(weights=copy.deepcopy(cpu.model), preset=cpu.cfg, device="cuda")
    for t in (cpu, gpu):
        t.init(frames[0], [*corners[0], 64, 64])
    for f in frames[1:]:
        (bc, sc), (bg, sg) = cpu.update(f), gpu.update(f)
        assert np.allclose(bc, bg, atol=1e-3) and abs(sc - sg) < 1e-3
