"""Fast paths equal the reference path (max abs difference of score maps), and BN/adjust folding is exact."""
import numpy as np
import pytest
import torch

from tests.fixtures.tracker.matcher import make_tracker, square_scene
from tracker.crop import get_subwindow
from tracker.engines import FusedSiamRPN, fold_bn, make_engine
from tracker.presets import get_preset
from tracker.siamrpn import SiamRPNTracker, image_to_tensor
from tracker.weights import random_model


@pytest.fixture(scope="module")
def model():
    return random_model(seed=21)


@pytest.fixture(scope="module")
def crops():
    g = torch.Generator().manual_seed(8)
    return torch.rand(2, 3, 127, 127, generator=g) * 255, torch.rand(2, 3, 255, 255, generator=g) * 255


def test_fold_bn_exact():
    conv, bn = torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4).eval()
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0, 0.0]))
        bn.running_var.copy_(torch.tensor([0.25, 4.0, 1.0, 9.0]))
        bn.weight.copy_(torch.tensor([1.0, 2.0, -1.0, 0.5]))
        bn.bias.copy_(torch.tensor([0.0, 1.0, 0.5, -2.0]))
        x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(0))
        assert torch.allclose(fold_bn(conv, bn)(x), bn(conv(x)), atol=1e-5)


@pytest.mark.parametrize("backend", ["fused", "fused_cl", "torchscript", "onnx"])
def test_backend_score_maps_equal_reference(model, crops, backend):
    z, x = crops
    eng = make_engine(model, backend, get_preset("paper"))
    with torch.no_grad():
        ref_cls, ref_loc = model.detect(x, model.template(z))
        if backend == "onnx":  # onnxruntime engine takes one crop at a time here
            outs = [eng.detect(x[i:i + 1], eng.template(z[i:i + 1])) for i in range(2)]
            cls, loc = torch.cat([o[0] for o in outs]), torch.cat([o[1] for o in outs])
        else:
            cls, loc = eng.detect(x, eng.template(z))
    # fp32 re-association only: differences ~1e-6 of the map range
    assert (cls - ref_cls).abs().max() <= 1e-4 * ref_cls.abs().max()
    assert (loc - ref_loc).abs().max() <= 1e-4 * ref_loc.abs().max()


def test_fused_tracker_follows_reference_tracker(model):
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (200, 260, 3), dtype=np.uint8)
    frames = [np.roll(base, (2 * t, 3 * t), axis=(0, 1)) for t in range(6)]
    ref = SiamRPNTracker(model, preset="dasiam_otb")
    fast = SiamRPNTracker(model, preset="dasiam_otb", backend="fused")
    for t in (ref, fast):
        t.init(frames[0], [100, 80, 40, 30])
    for f in frames[1:]:
        (b1, s1), (b2, s2) = ref.update(f), fast.update(f)
        assert np.abs(fast.last_maps[0] - ref.last_maps[0]).max() <= 1e-4 * np.abs(ref.last_maps[0]).max()
        assert np.allclose(b1, b2, atol=1e-3) and s1 == pytest.approx(s2, abs=1e-4)


@pytest.mark.parametrize("backend", ["fused", "int8"])
def test_matcher_trajectory_survives_backend(backend):
    frames, corners = square_scene(8, seed=11)
    ref = make_tracker(frames, corners)
    opts = {}
    if backend == "int8":  # calibrate on search crops of the scene (as one would on real frames)
        opts["calibration"] = [image_to_tensor(get_subwindow(f, (c[0] + 31.5, c[1] + 31.5), 255, 255, np.zeros(3)),
                                               torch.device("cpu")).numpy() for f, c in zip(frames[:3], corners)]
    trk = SiamRPNTracker(ref.model, preset=ref.cfg, backend=backend, backend_options=opts)
    trk.init(frames[0], [*corners[0], 64, 64])
    for t in range(1, len(frames)):
        box, _ = trk.update(frames[t])
        assert box.tolist() == pytest.approx([corners[t][0] - 0.5, corners[t][1] - 0.5, 64, 64], abs=1e-6)


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown backend"):
        make_engine(random_model(seed=0), "warp-drive", get_preset("paper"))
    assert isinstance(make_engine(random_model(seed=0), "fused", get_preset("paper")), FusedSiamRPN)
