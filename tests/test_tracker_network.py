"""Network shapes (spec §1.1-1.2 table) and the correlation/channel layout against an explicit loop."""
import numpy as np
import pytest
import torch

from tracker.network import Kernels, SiamRPN, feature_size
from tracker.presets import ModelConfig
from tracker.weights import random_model


@pytest.mark.parametrize("inp,feat", [(127, 6), (255, 22), (271, 24), (287, 26)])
def test_feature_size_table(inp, feat):
    assert feature_size(inp) == feat


@pytest.mark.parametrize("width,fo", [(1, 256), (2, 512)])
@pytest.mark.parametrize("inst,s", [(255, 17), (271, 19), (287, 21)])
def test_score_sizes_on_meta(width, fo, inst, s):
    with torch.device("meta"):
        net = SiamRPN(ModelConfig(width, fo))
        kern = net.template(torch.empty(2, 3, 127, 127))
        cls, loc = net.detect(torch.empty(2, 3, inst, inst), kern)
        assert net.featureExtract(torch.empty(1, 3, 127, 127)).shape[-1] == 6
    assert tuple(kern.cls.shape) == (2, 10, fo, 4, 4) and tuple(kern.loc.shape) == (2, 20, fo, 4, 4)
    assert tuple(cls.shape) == (2, 10, s, s) and tuple(loc.shape) == (2, 20, s, s)


def test_module_names_and_indices():
    with torch.device("meta"):
        net = SiamRPN(ModelConfig(2, 512))
    shapes = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    # spec §1.4 SiamRPNBIG table
    assert shapes["featureExtract.0.weight"] == (192, 3, 11, 11)
    assert shapes["featureExtract.14.weight"] == (512, 768, 3, 3)
    assert shapes["featureExtract.15.running_var"] == (512,)
    assert shapes["conv_r1.weight"] == (10240, 512, 3, 3) and shapes["conv_cls1.weight"] == (5120, 512, 3, 3)
    assert shapes["conv_r2.weight"] == (512, 512, 3, 3) and shapes["regress_adjust.weight"] == (20, 20, 1, 1)
    conv_bn = sorted({int(k.split(".")[1]) for k in shapes if k.startswith("featureExtract.")})
    assert conv_bn == [0, 1, 4, 5, 8, 9, 11, 12, 14, 15]


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return random_model(ModelConfig(), seed=3)


def test_detect_equals_explicit_correlation_loop(net):
    g = torch.Generator().manual_seed(1)
    z, x = torch.rand(1, 3, 127, 127, generator=g) * 255, torch.rand(1, 3, 255, 255, generator=g) * 255
    with torch.no_grad():
        kern = net.template(z)
        cls, loc = net.detect(x, kern)
        zf = net.featureExtract(z)
        xf = net.featureExtract(x)
        ck = net.conv_cls1(zf)[0].numpy().reshape(10, 256, 4, 4)  # DaSiam .view(2k, F, 4, 4)
        rk = net.conv_r1(zf)[0].numpy().reshape(20, 256, 4, 4)
        cx, rx = net.conv_cls2(xf)[0].numpy(), net.conv_r2(xf)[0].numpy()
    c64, r64 = cx.astype(np.float64), rx.astype(np.float64)
    for o, y, xx in [(0, 0, 0), (7, 5, 16), (9, 16, 3)]:
        ref = (ck[o].astype(np.float64) * c64[:, y:y + 4, xx:xx + 4]).sum()
        assert cls[0, o, y, xx].item() == pytest.approx(ref, rel=1e-4, abs=1e-3)
    raw = np.zeros((20, 17, 17))
    for o in range(20):
        for y in range(17):
            for xx in range(17):
                raw[o, y, xx] = (rk[o].astype(np.float64) * r64[:, y:y + 4, xx:xx + 4]).sum()
    w = net.regress_adjust.weight.detach()[:, :, 0, 0].double().numpy()
    ref_loc = np.einsum("oi,iyx->oyx", w, raw) + net.regress_adjust.bias.detach().double().numpy()[:, None, None]
    assert np.abs(loc[0].numpy() - ref_loc).max() < 1e-3 * max(1.0, np.abs(ref_loc).max())


def test_batched_detect_equals_single(net):
    g = torch.Generator().manual_seed(2)
    z, x = torch.rand(3, 3, 127, 127, generator=g) * 255, torch.rand(3, 3, 255, 255, generator=g) * 255
    with torch.no_grad():
        kb = net.template(z)
        cb, lb = net.detect(x, kb)
        for i in range(3):
            ki = net.template(z[i:i + 1])
            ci, li = net.detect(x[i:i + 1], ki)
            assert torch.allclose(cb[i], ci[0], rtol=1e-4, atol=1e-4)
            assert torch.allclose(lb[i], li[0], rtol=1e-4, atol=1e-4)
        # forward(z, x) is detect(x, template(z)); Kernels.select / cat round-trip
        cf, lf = net(z, x)
        assert torch.equal(cf, cb) and torch.equal(lf, lb)
        k2 = Kernels.cat([kb.select([2]), kb.select([0])])
        assert torch.equal(k2.cls[0], kb.cls[2]) and torch.equal(k2.loc[1], kb.loc[0])
