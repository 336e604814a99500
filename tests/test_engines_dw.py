"""Fast paths of the depthwise-correlation head (``tracker.engines.FusedDepthwiseSiamRPN``) equal the eager model:
score maps of every backend for every Lite0 DW preset and pysot's AlexNet DW (single crop, a batch against
per-sample kernels, a batch against one kernel set), the rewrite exact in float64 (multi-level models too), and
single and batched trackers giving the same boxes on generated frames."""
import copy

import numpy as np
import pytest
import torch

from tracker.batched import BatchedSiamRPN
from tracker.engines import FusedDepthwiseSiamRPN, TorchScriptEngine, make_engine
from tracker.presets import ModelConfig, get_preset
from tracker.siamrpn import SiamRPNTracker
from tracker.weights import random_model

LITE0_DW = ["lite0_dw", "lite0_d8_dw", "lite0_s8_dw", "lite0_twolevel_dw"]
SINGLE = LITE0_DW + ["pysot_alex_dwxcorr"]  # pysot's AlexNet DW: SiamRPN(ModelConfig(backbone="alexnet", head="dw"))
BACKENDS = ["fused", "fused_cl", "torchscript", "onnx"]
_MODELS: dict[str, torch.nn.Module] = {}
_REFS: dict[str, tuple] = {}


def model_of(preset: str) -> torch.nn.Module:
    if preset not in _MODELS:
        cfg = get_preset(preset).model
        if preset == "pysot_alex_dwxcorr":
            assert cfg == ModelConfig(backbone="alexnet", head="dw")
        _MODELS[preset] = random_model(cfg, seed=5)
    return _MODELS[preset]


def crops(preset: str, seed: int = 8, batch: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    n = get_preset(preset).instance_size
    return torch.rand(batch, 3, 127, 127, generator=g) * 255, torch.rand(batch, 3, n, n, generator=g) * 255


def reference(preset: str):
    """Eager maps of the batch (per-sample kernels) and of the batch against sample 0's kernels."""
    if preset not in _REFS:
        model = model_of(preset)
        z, x = crops(preset)
        with torch.no_grad():
            _REFS[preset] = (model.detect(x, model.template(z)), model.detect(x, model.template(z[:1])))
    return _REFS[preset]


def close(got: tuple[torch.Tensor, torch.Tensor], ref: tuple[torch.Tensor, torch.Tensor], tol: float = 1e-4) -> bool:
    """Max abs difference within ``tol`` of the reference map range (fp32 re-association only)."""
    return all(a.shape == b.shape and float((a - b).abs().max()) <= tol * float(b.abs().max())
               for a, b in zip(got, ref))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("preset", SINGLE)
def test_backend_maps_equal_eager(preset, backend):
    model = model_of(preset)
    z, x = crops(preset)
    (ref_cls, ref_loc), (one_cls, one_loc) = reference(preset)
    engine = make_engine(model, backend, get_preset(preset))
    with torch.no_grad():
        single = engine.detect(x[:1], engine.template(z[:1]))
        batched = engine.detect(x, engine.template(z))
        broadcast = engine.detect(x, engine.template(z[:1]))
    assert close(single, (ref_cls[:1], ref_loc[:1]))
    assert close(batched, (ref_cls, ref_loc))
    assert close(broadcast, (one_cls, one_loc))


@pytest.mark.parametrize("preset", SINGLE + ["pysot_mobilev2_l234_dwxcorr",
                                             pytest.param("pysot_r50_l234_dwxcorr", marks=pytest.mark.slow)])
def test_rewrite_exact_in_float64(preset):
    """In float64 the rewrite equals the eager model far below fp32 rounding (the composite weights are stored
    in fp32, hence 1e-6), so the fp32 differences above are rounding only; multi-level models (level-major
    layout, level weights folded into the last conv) included."""
    cfg = get_preset(preset)
    model = copy.deepcopy(model_of(preset)).double()
    z, x = crops(preset, batch=2)
    if cfg.model.multilevel:  # smaller search crops keep the big backbones quick (the head is convolutional)
        x = x[:, :, :191, :191]
    z, x = z.double(), x.double()
    fused = FusedDepthwiseSiamRPN(model).double()
    with torch.no_grad():
        ref = model.detect(x, model.template(z))
        assert close(fused.detect(x, fused.template(z)), ref, 1e-6)
        assert close(fused.detect(x, model.template(z)), ref, 1e-6)  # the eager model's kernels are accepted too


def test_multilevel_mobilenet_backends_equal_eager():
    preset = "pysot_mobilev2_l234_dwxcorr"
    model = model_of(preset)
    z, x = crops(preset)
    with torch.no_grad():
        ref = model.detect(x, model.template(z))
        for backend in ("fused", "onnx"):
            engine = make_engine(model, backend, get_preset(preset))
            assert close(engine.detect(x, engine.template(z)), ref), backend


@pytest.mark.parametrize("preset", ["lite0_dw", "lite0_twolevel_dw"])
def test_neck_composition_either_way(preset):
    """The 1x1 neck composed into the head's 3x3 convs (default when the backbone has <= F channels) or run
    before them: the same maps."""
    model = model_of(preset)
    z, x = crops(preset)
    ref, _ = reference(preset)
    for merge in (True, False):
        fused = FusedDepthwiseSiamRPN(model, merge_neck=merge)
        assert isinstance(fused.features.search[0], torch.nn.Conv2d) == merge
        with torch.no_grad():
            assert close(fused.detect(x, fused.template(z)), ref)


def test_engine_kinds_and_kernel_layout():
    preset = "lite0_s8_dw"
    model = model_of(preset)
    fused = make_engine(model, "fused", get_preset(preset))
    assert isinstance(fused, FusedDepthwiseSiamRPN)
    assert isinstance(make_engine(model, "torchscript", get_preset(preset)), TorchScriptEngine)
    z, _ = crops(preset)
    with torch.no_grad():
        k = fused.template(z)
    assert k.loc is None and tuple(k.cls.shape) == (2, 2 * 128, 6, 6) and k.batch == 2
    assert tuple(k.select([1]).cls.shape) == (1, 256, 6, 6)


def test_int8_runs_on_dw():
    """Approximate path: builds, runs and gives finite maps of the right shape (accuracy is measured by
    benchmarks/track_speed.py, not asserted)."""
    preset = "lite0_s8_dw"
    z, x = crops(preset)
    engine = make_engine(model_of(preset), "int8", get_preset(preset), calibration=[x[:1].numpy()])
    with torch.no_grad():
        cls, loc = engine.detect(x, engine.template(z))
    assert cls.shape == (2, 10, 25, 25) and loc.shape == (2, 20, 25, 25)
    assert torch.isfinite(cls).all() and torch.isfinite(loc).all()


def frames_of(seed: int, n: int = 6) -> list[np.ndarray]:
    """A textured background moving 2-3 px per frame with a bright patch (generated, deterministic)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (220, 280, 3), dtype=np.uint8)
    base[90:130, 110:160] = (250, 220, 40)
    return [np.roll(base, (2 * t, 3 * t), axis=(0, 1)) for t in range(n)]


@pytest.mark.parametrize("preset,backend", [("lite0_dw", "fused"), ("lite0_dw", "torchscript"),
                                            ("lite0_s8_dw", "onnx"), ("lite0_twolevel_dw", "fused_cl"),
                                            ("pysot_alex_dwxcorr", "fused")])
def test_tracker_boxes_equal_eager(preset, backend):
    model = model_of(preset)
    frames = frames_of(3)
    ref = SiamRPNTracker(model, preset=preset)
    fast = SiamRPNTracker(model, preset=preset, backend=backend)
    for t in (ref, fast):
        t.init(frames[0], [110, 90, 50, 40])
    for f in frames[1:]:
        (b1, s1), (b2, s2) = ref.update(f), fast.update(f)
        assert np.abs(fast.last_maps[0] - ref.last_maps[0]).max() <= 1e-4 * np.abs(ref.last_maps[0]).max()
        assert np.allclose(b1, b2, atol=1e-3) and s1 == pytest.approx(s2, abs=1e-4)


def test_batched_tracker_fused_equals_eager_with_reinit_and_active():
    preset = "lite0_d8_dw"
    model = model_of(preset)
    scenes = [frames_of(s, 4) for s in (1, 2, 4)]
    regions = [[110, 90, 50, 40], [100, 80, 70, 60], [120, 100, 30, 30]]
    ref = BatchedSiamRPN(model, preset=preset)
    fast = BatchedSiamRPN(model, preset=preset, backend="fused")
    for b in (ref, fast):
        b.init([s[0] for s in scenes], regions)
    for step in (1, 2):
        (b1, s1), (b2, s2) = ref.update([s[step] for s in scenes]), fast.update([s[step] for s in scenes])
        assert np.allclose(b1, b2, atol=1e-3) and np.allclose(s1, s2, atol=1e-4)
    for b in (ref, fast):  # re-initialise sequence 1 (kernels written in place), advance only 0 and 1
        b.reinit(1, scenes[1][2], [90, 70, 60, 60])
    (b1, s1), (b2, s2) = (b.update([scenes[0][3], scenes[1][3], None], active=[0, 1]) for b in (ref, fast))
    assert np.isnan(b2[2]).all()
    assert np.allclose(b1[:2], b2[:2], atol=1e-3) and np.allclose(s1[:2], s2[:2], atol=1e-4)
