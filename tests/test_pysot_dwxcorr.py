"""pysot's depthwise-head SiamRPN files (``siamrpn_alex_dwxcorr``, ``siamrpn_mobilev2_l234_dwxcorr``,
``siamrpn_r50_l234_dwxcorr``) load strictly into the tracker and compute what pysot computes.

The state dicts are made here by a small functional re-implementation of pysot's equations (``Ref``: plain
``F.conv2d`` / ``F.batch_norm`` on a dict keyed with pysot's module names). Its first pass creates every tensor
(random values, BN statistics taken from the pass's own activations, so ``running_var`` is positive and the maps
stay O(1)); later passes read the dict. Nothing here imports the tracker's network code, so a strict load checks two
independent derivations of pysot's key names and shapes, and the maps / boxes check the arithmetic.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tracker.engines import make_engine
from tracker.network import Kernels
from tracker.presets import ModelConfig, get_preset
from tracker.siamrpn import SiamRPNTracker
from tracker.weights import WeightsError, build_model, load_checkpoint, load_pysot, random_model, save_checkpoint

K = 5  # anchors


class Ref:
    """pysot's layers as functions of a state dict; ``build`` creates missing tensors on first use."""

    def __init__(self, sd: dict | None = None, seed: int = 0) -> None:
        self.build = sd is None
        self.sd: dict[str, torch.Tensor] = {} if sd is None else sd
        self.g = torch.Generator().manual_seed(seed)

    def _randn(self, *shape):
        return torch.randn(shape, generator=self.g)

    def conv(self, x, name, cout, k, stride=1, pad=0, dil=1, groups=1, bias=False):
        if self.build and name + ".weight" not in self.sd:
            cin = x.shape[1] // groups
            self.sd[name + ".weight"] = self._randn(cout, cin, k, k) * (2.0 / (cin * k * k)) ** 0.5
            if bias:
                self.sd[name + ".bias"] = self._randn(cout) * 0.1
        return F.conv2d(x, self.sd[name + ".weight"], self.sd.get(name + ".bias"), stride, pad, dil, groups)

    def bn(self, x, name):
        if self.build and name + ".weight" not in self.sd:
            c = x.shape[1]
            mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
            self.sd[name + ".weight"] = torch.rand(c, generator=self.g) + 0.5
            self.sd[name + ".bias"] = self._randn(c) * 0.1
            self.sd[name + ".running_mean"] = mean + self._randn(c) * 0.1 * var.sqrt()
            self.sd[name + ".running_var"] = var * (torch.rand(c, generator=self.g) + 0.5) + 1e-3
            self.sd[name + ".num_batches_tracked"] = torch.tensor(1000)
        s = self.sd
        return F.batch_norm(x, s[name + ".running_mean"], s[name + ".running_var"], s[name + ".weight"],
                            s[name + ".bias"], False, 0.0, 1e-5)

    # ---- backbones ------------------------------------------------------------------------------------------
    def alexnet_legacy(self, x):
        """pysot AlexNetLegacy ``features``: conv-BN-maxpool-ReLU x2, conv-BN-ReLU x2, conv-BN (convs with bias)."""
        f = "backbone.features."
        x = F.relu(F.max_pool2d(self.bn(self.conv(x, f + "0", 96, 11, 2, bias=True), f + "1"), 3, 2))
        x = F.relu(F.max_pool2d(self.bn(self.conv(x, f + "4", 256, 5, bias=True), f + "5"), 3, 2))
        x = F.relu(self.bn(self.conv(x, f + "8", 384, 3, bias=True), f + "9"))
        x = F.relu(self.bn(self.conv(x, f + "11", 384, 3, bias=True), f + "12"))
        return [self.bn(self.conv(x, f + "14", 256, 3, bias=True), f + "15")]

    def mobilenetv2(self, x):
        """pysot mobile_v2.MobileNetV2(width_mult=1.4, used_layers=[3, 5, 7])."""
        relu6 = F.relu6
        cin = int(32 * 1.4)
        x = relu6(self.bn(self.conv(x, "backbone.layer0.0", cin, 3, 2), "backbone.layer0.1"))
        stages = [(1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2), (6, 96, 3, 1, 2),
                  (6, 160, 3, 1, 4), (6, 320, 1, 1, 4)]
        outs, prev_d = {}, 1
        for stage, (t, c, n, s, d) in enumerate(stages, start=1):
            cout = int(c * 1.4)
            for i in range(n):
                stride = s if i == 0 else 1
                dil = (d if d == prev_d else max(d // 2, 1)) if i == 0 else d
                pad = dil if dil > 1 else 2 - stride
                p = f"backbone.layer{stage}.{i}.conv."
                h = relu6(self.bn(self.conv(x, p + "0", cin * t, 1), p + "1"))
                h = relu6(self.bn(self.conv(h, p + "3", cin * t, 3, stride, pad, dil, groups=cin * t), p + "4"))
                h = self.bn(self.conv(h, p + "6", cout, 1), p + "7")
                x = x + h if (stride == 1 and cin == cout) else h
                cin = cout
            prev_d = d
            outs[stage] = x
        return [outs[3], outs[5], outs[7]]

    def resnet50(self, x):
        """pysot resnet_atrous.resnet50(used_layers=[2, 3, 4])."""
        x = F.relu(self.bn(self.conv(x, "backbone.conv1", 64, 7, 2), "backbone.bn1"))
        x = F.max_pool2d(x, 3, 2, 1)
        outs = []
        for stage, (planes, n, stride, d) in enumerate([(64, 3, 1, 1), (128, 4, 2, 1), (256, 6, 1, 2),
                                                         (512, 3, 1, 4)], start=1):
            for i in range(n):
                p = f"backbone.layer{stage}.{i}."
                s = stride if i == 0 else 1
                dil = d // 2 if (i == 0 and d > 1) else d  # every first block here has a shortcut projection
                pad = dil if dil > 1 else 2 - s
                h = F.relu(self.bn(self.conv(x, p + "conv1", planes, 1), p + "bn1"))
                h = F.relu(self.bn(self.conv(h, p + "conv2", planes, 3, s, pad, dil), p + "bn2"))
                h = self.bn(self.conv(h, p + "conv3", planes * 4, 1), p + "bn3")
                if i == 0 and s == 1 and d == 1:
                    sc = self.bn(self.conv(x, p + "downsample.0", planes * 4, 1), p + "downsample.1")
                elif i == 0:
                    dd = d // 2 if d > 1 else 1
                    sc = self.bn(self.conv(x, p + "downsample.0", planes * 4, 3, s, dd if d > 1 else 0, dd),
                                 p + "downsample.1")
                else:
                    sc = x
                x = F.relu(h + sc)
            if stage >= 2:
                outs.append(x)
        return outs

    # ---- neck and heads ---------------------------------------------------------------------------------------
    def neck(self, maps):
        """pysot AdjustAllLayer: 1x1 conv + BN per level, the centre 7x7 of maps narrower than 20."""
        out = []
        for i, m in enumerate(maps, start=2):
            p = f"neck.downsample{i}.downsample."
            m = self.bn(self.conv(m, p + "0", 256, 1), p + "1")
            if m.shape[3] < 20:
                lo = (m.shape[3] - 7) // 2
                m = m[:, :, lo:lo + 7, lo:lo + 7]
            out.append(m)
        return out

    def dw_branch(self, zf, xf, p, outc):
        """pysot DepthwiseXCorr: conv_kernel(z), conv_search(x), channel-wise xcorr, 1x1 head."""
        kern = F.relu(self.bn(self.conv(zf, p + "conv_kernel.0", 256, 3), p + "conv_kernel.1"))
        srch = F.relu(self.bn(self.conv(xf, p + "conv_search.0", 256, 3), p + "conv_search.1"))
        b, c = srch.shape[:2]
        corr = F.conv2d(srch.reshape(1, b * c, *srch.shape[2:]), kern.reshape(b * c, 1, *kern.shape[2:]),
                        groups=b * c)
        corr = corr.reshape(b, c, *corr.shape[2:])
        h = F.relu(self.bn(self.conv(corr, p + "head.0", 256, 1), p + "head.1"))
        return self.conv(h, p + "head.3", outc, 1, bias=True)

    def dw_rpn(self, zf, xf, p):
        return self.dw_branch(zf, xf, p + "cls.", 2 * K), self.dw_branch(zf, xf, p + "loc.", 4 * K)

    def forward(self, layout, z, x):
        if layout == "alex":
            return self.dw_rpn(self.alexnet_legacy(z)[0], self.alexnet_legacy(x)[0], "rpn_head.")
        backbone = self.mobilenetv2 if layout == "mobilev2" else self.resnet50
        zs, xs = self.neck(backbone(z)), self.neck(backbone(x))
        outs = [self.dw_rpn(zf, xf, f"rpn_head.rpn{i}.") for i, (zf, xf) in enumerate(zip(zs, xs), start=2)]
        if layout == "mobilev2":  # MultiRPN(weighted=False): plain average
            return sum(o[0] for o in outs) / 3, sum(o[1] for o in outs) / 3
        if self.build and "rpn_head.cls_weight" not in self.sd:
            self.sd["rpn_head.cls_weight"] = self._randn(3)
            self.sd["rpn_head.loc_weight"] = self._randn(3)
        wc, wl = F.softmax(self.sd["rpn_head.cls_weight"], 0), F.softmax(self.sd["rpn_head.loc_weight"], 0)
        return sum(o[0] * wc[i] for i, o in enumerate(outs)), sum(o[1] * wl[i] for i, o in enumerate(outs))


LAYOUTS = {  # layout: preset
    "alex": "pysot_alex_dwxcorr",
    "mobilev2": "pysot_mobilev2_l234_dwxcorr",
    "r50": "pysot_r50_l234_dwxcorr",
}
SLOW = {"r50"}


def crops(seed, instance):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(1, 3, 127, 127, generator=g) * 255, torch.rand(1, 3, instance, instance, generator=g) * 255


_CACHE: dict[str, dict[str, torch.Tensor]] = {}


def pysot_state_dict(layout: str) -> dict[str, torch.Tensor]:
    """pysot's state dict of ``layout`` (random values; built once per session)."""
    if layout not in _CACHE:
        ref = Ref(seed=7)
        with torch.no_grad():
            ref.forward(layout, *crops(1, get_preset(LAYOUTS[layout]).instance_size))
        for k, v in ref.sd.items():  # regression deltas of trained scale (~0.3), so the decoded boxes stay sane
            if ".loc.head.3." in k:
                v.mul_(0.2)
        _CACHE[layout] = ref.sd
    return {k: v.clone() for k, v in _CACHE[layout].items()}


ALL = [pytest.param(lay, marks=pytest.mark.slow) if lay in SLOW else lay for lay in LAYOUTS]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Each layout saved the ways pysot saves it: alex as the plain inference ``model.pth``, mobilev2 as a DDP
    training snapshot (``{'epoch', 'state_dict', 'optimizer'}``, ``module.`` prefixes), r50 plain."""
    root = tmp_path_factory.mktemp("pysot")
    made: dict[str, object] = {}

    def get(layout):
        if layout not in made:
            sd = pysot_state_dict(layout)
            path = root / f"siamrpn_{layout}_dwxcorr.pth"
            if layout == "mobilev2":
                torch.save({"epoch": 19, "state_dict": {"module." + k: v for k, v in sd.items()}, "optimizer": {}},
                           path)
            else:
                torch.save(sd, path)
            made[layout] = path
        return made[layout]
    return get


def test_pysot_key_names_and_shapes_sample():
    """A few keys typed from pysot's module definitions (the rest is checked by the strict loads below)."""
    mob = {k: tuple(v.shape) for k, v in pysot_state_dict("mobilev2").items()}
    assert mob["backbone.layer0.0.weight"] == (44, 3, 3, 3)
    assert mob["backbone.layer1.0.conv.0.weight"] == (44, 44, 1, 1)  # expansion conv kept for t = 1
    assert mob["backbone.layer3.2.conv.6.weight"] == (44, 264, 1, 1)
    assert mob["backbone.layer7.0.conv.3.weight"] == (1344, 1, 3, 3)
    assert mob["neck.downsample4.downsample.0.weight"] == (256, 448, 1, 1)
    assert mob["rpn_head.rpn3.loc.head.3.weight"] == (20, 256, 1, 1)
    assert "rpn_head.cls_weight" not in mob and "backbone.layer8.0.conv.0.weight" not in mob
    alex = {k: tuple(v.shape) for k, v in pysot_state_dict("alex").items()}
    assert alex["rpn_head.cls.conv_kernel.0.weight"] == (256, 256, 3, 3)
    assert alex["rpn_head.cls.head.3.weight"] == (10, 256, 1, 1) and alex["rpn_head.loc.head.3.bias"] == (20,)
    assert not any(k.startswith("neck.") or "loc_adjust" in k for k in alex)


@pytest.mark.slow
def test_pysot_r50_key_names_and_shapes_sample():
    r50 = {k: tuple(v.shape) for k, v in pysot_state_dict("r50").items()}
    assert r50["backbone.conv1.weight"] == (64, 3, 7, 7)
    assert r50["backbone.layer2.0.downsample.0.weight"] == (512, 256, 3, 3)
    assert r50["backbone.layer3.0.downsample.0.weight"] == (1024, 512, 3, 3)
    assert r50["backbone.layer4.2.conv3.weight"] == (2048, 512, 1, 1)
    assert r50["neck.downsample2.downsample.0.weight"] == (256, 512, 1, 1)
    assert r50["rpn_head.cls_weight"] == (3,) and r50["rpn_head.loc_weight"] == (3,)


@pytest.mark.parametrize("layout", ALL)
def test_loads_strictly_with_inferred_config_and_preset(layout, files):
    path = files(layout)
    preset = get_preset(LAYOUTS[layout])
    ck = load_pysot(path)
    assert ck.format == "pysot" and ck.model_config == preset.model
    # every tensor of the file is used, and every tensor of the network comes from the file
    net, meta = build_model(path)
    sd = {k.removeprefix("module."): v for k, v in pysot_state_dict(layout).items()}
    own = net.state_dict()
    assert len([k for k in sd if not k.endswith("num_batches_tracked")]) == len(
        [k for k in own if not k.endswith("num_batches_tracked")])
    trk = SiamRPNTracker(weights=path)  # no preset: the one of the weights' network
    assert trk.cfg.name == preset.name and trk.cfg.model == preset.model


@pytest.mark.parametrize("layout", ALL)
def test_maps_equal_pysot_equations(layout, files):
    net, _ = build_model(files(layout))
    ref = Ref(pysot_state_dict(layout))
    preset = get_preset(LAYOUTS[layout])
    for seed, inst in ((11, preset.instance_size), (12, 255 if preset.instance_size != 255 else 287)):
        z, x = crops(seed, inst)
        with torch.no_grad():
            cls, loc = net.detect(x, net.template(z))
            rcls, rloc = ref.forward(layout, z, x)
        s = preset.score_size(inst)
        assert tuple(cls.shape) == (1, 2 * K, s, s) and tuple(loc.shape) == (1, 4 * K, s, s)
        assert float(rcls.std()) > 0.1 and float(rloc.std()) > 0.01  # not degenerate
        torch.testing.assert_close(cls, rcls, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(loc, rloc, atol=1e-4, rtol=1e-4)


def test_batched_kernels_are_per_sample(files):
    """Two templates against two search crops in one pass equal two single passes (multi-level kernels)."""
    net, _ = build_model(files("mobilev2"))
    z1, x1 = crops(21, 255)
    z2, x2 = crops(22, 255)
    with torch.no_grad():
        kern = net.template(torch.cat([z1, z2]))
        assert tuple(kern.cls.shape) == (2, 3 * 256, 5, 5)
        both = net.detect(torch.cat([x1, x2]), kern)
        one = net.detect(x2, kern.select([1]))
    torch.testing.assert_close(both[0][1:], one[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(both[1][1:], one[1], atol=1e-5, rtol=1e-5)


class RefModel(nn.Module):
    """The functional reference behind the tracker's ``template`` / ``detect`` interface: pysot runs the whole head
    on (template, search) every frame, so the 'kernels' are just the exemplar crop."""

    def __init__(self, layout: str, cfg: ModelConfig) -> None:
        super().__init__()
        self.layout, self.cfg, self.ref = layout, cfg, Ref(pysot_state_dict(layout))

    def template(self, z):
        return Kernels(cls=z, loc=z)

    def detect(self, x, kernels):
        return self.ref.forward(self.layout, kernels.cls, x)


def scene(n=4, seed=0):
    """Textured frames with a textured 50x40 target moving a few pixels per frame."""
    rng = np.random.default_rng(seed)
    bg = rng.integers(0, 256, (300, 360, 3), dtype=np.uint8)
    obj = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    frames, boxes = [], []
    x, y = 150.0, 120.0
    for t in range(n):
        img = bg.copy()
        img[int(y):int(y) + 40, int(x):int(x) + 50] = obj
        frames.append(img)
        boxes.append([x, y, 50.0, 40.0])
        x, y = x + float(rng.integers(-6, 7)), y + float(rng.integers(-6, 7))
    return frames, boxes


@pytest.mark.parametrize("layout", ALL)
def test_tracking_steps_equal_reference(layout, files):
    preset = get_preset(LAYOUTS[layout])
    ours = SiamRPNTracker(weights=files(layout))
    ref = SiamRPNTracker(weights=RefModel(layout, preset.model), preset=preset.name)
    frames, boxes = scene(4, seed=3)
    ours.init(frames[0], boxes[0])
    ref.init(frames[0], boxes[0])
    for f in frames[1:]:
        (b1, s1), (b2, s2) = ours.update(f), ref.update(f)
        np.testing.assert_allclose(b1, b2, atol=1e-3)
        assert s1 == pytest.approx(s2, abs=1e-4)
        np.testing.assert_allclose(ours.last_maps[0], ref.last_maps[0], atol=1e-4, rtol=1e-4)


def test_presets_carry_pysot_numbers():
    table = {  # name: (instance, penalty_k, window_influence, lr, score size, backbone, weighted)
        "pysot_alex_dwxcorr": (287, 0.16, 0.40, 0.30, 21, "alexnet", False),
        "pysot_mobilev2_l234_dwxcorr": (255, 0.04, 0.4, 0.5, 25, "mobilenetv2_l234", False),
        "pysot_r50_l234_dwxcorr": (255, 0.05, 0.42, 0.38, 25, "resnet50_l234", True),
    }
    for name, want in table.items():
        p = get_preset(name)
        got = (p.instance_size, p.penalty_k, p.window_influence, p.lr, p.score_size(), p.model.backbone,
               p.model.weighted_levels)
        assert got == want, name
        assert p.model.head == "dw" and p.rounding == "floor_half" and "experiments/" in p.source
    assert get_preset("pysot_mobilev2_l234_dwxcorr").score_size(287) == 29
    with pytest.raises(ValueError, match="depthwise"):
        ModelConfig(backbone="resnet50_l234")
    with pytest.raises(ValueError, match="multi-level"):
        ModelConfig(head="dw", weighted_levels=True)


def test_head_mismatch_names_both(files, tmp_path):
    dw = files("alex")
    with pytest.raises(WeightsError) as err:
        SiamRPNTracker(weights=dw, preset="pysot_upchannel_alex")
    msg = str(err.value)
    assert str(dw) in msg and "depthwise-correlation (dw)" in msg and "UP-channel (up)" in msg
    assert "'pysot_upchannel_alex'" in msg and "pysot_alex_dwxcorr" in msg
    up = tmp_path / "SiamRPNVOT.model"
    torch.save({k: v for k, v in random_model(ModelConfig(), seed=1).state_dict().items()
                if "num_batches_tracked" not in k}, up)
    with pytest.raises(WeightsError) as err:
        SiamRPNTracker(weights=up, preset="pysot_alex_dwxcorr")
    msg = str(err.value)
    assert str(up) in msg and "UP-channel (up) RPN head" in msg and "'pysot_alex_dwxcorr'" in msg
    assert "depthwise-correlation (dw) head" in msg
    with pytest.raises(WeightsError, match="mobilenetv2_l234 backbone.*pysot_alex_dwxcorr"):
        SiamRPNTracker(weights=files("mobilev2"), preset="pysot_alex_dwxcorr")


def test_broken_files_name_the_mismatch(tmp_path):
    sd = pysot_state_dict("mobilev2")
    bad = dict(sd)
    del bad["rpn_head.rpn3.loc.head.3.bias"]
    bad["neck.downsample2.downsample.0.weight"] = torch.zeros(256, 40, 1, 1)
    bad["rpn_head.extra.weight"] = torch.zeros(1)
    path = tmp_path / "bad.pth"
    torch.save(bad, path)
    with pytest.raises(WeightsError) as err:
        build_model(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "missing keys (1): rpn_head.rpn3.loc.head.3.bias" in msg
    assert "unexpected keys (1): rpn_head.extra.weight" in msg
    assert "neck.downsample2.downsample.0.weight: file (256, 40, 1, 1) vs model (256, 44, 1, 1)" in msg

    narrow = dict(sd)
    narrow["backbone.layer0.0.weight"] = torch.zeros(32, 3, 3, 3)
    torch.save(narrow, path)
    with pytest.raises(WeightsError, match=r"bad\.pth: MobileNetV2 stem has 32 filters.*width_mult 1\.4"):
        build_model(path)

    head_only = {k: v for k, v in pysot_state_dict("alex").items() if ".head.3." not in k}
    torch.save(head_only, path)
    with pytest.raises(WeightsError, match=r"bad\.pth: pysot depthwise head .*rpn_head\.cls\.head\.3\.weight"):
        build_model(path)

    rpn_only = {k: v for k, v in sd.items() if k.startswith("rpn_head.")}
    torch.save(rpn_only, path)
    with pytest.raises(WeightsError, match="neither pysot's MobileNetV2"):
        build_model(path)


def test_fast_backends_take_dw_files(files):
    """The fast paths cover the depthwise head (``tests/test_engines_dw.py``): loaded files give the eager maps."""
    for layout in ("alex", "mobilev2"):
        net, _ = build_model(files(layout))
        preset = get_preset(LAYOUTS[layout])
        z, x = crops(4, preset.instance_size)
        engine = make_engine(net, "fused", preset)
        with torch.no_grad():
            ref, got = net.detect(x, net.template(z)), engine.detect(x, engine.template(z))
        for a, b in zip(got, ref):
            assert float((a - b).abs().max()) <= 1e-4 * float(b.abs().max())
    assert SiamRPNTracker(weights=files("mobilev2"), backend="fused").backend == "fused"


def test_checkpoint_round_trip_and_random_weights(files, tmp_path):
    net, _ = build_model(files("mobilev2"))
    preset = get_preset("pysot_mobilev2_l234_dwxcorr")
    path = save_checkpoint(tmp_path / "ours.pth", net, preset, {"from": "pysot"})
    ck = load_checkpoint(path)
    assert ck.model_config == preset.model and ck.preset["name"] == preset.name
    again, _ = build_model(path)
    z, x = crops(3, 255)
    with torch.no_grad():
        a, b = net.detect(x, net.template(z)), again.detect(x, again.template(z))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    for name in ("pysot_alex_dwxcorr", "pysot_mobilev2_l234_dwxcorr"):
        trk = SiamRPNTracker(weights="random:0", preset=name)
        frames, boxes = scene(2, seed=1)
        trk.init(frames[0], boxes[0])
        box, score = trk.update(frames[1])
        assert np.all(np.isfinite(box)) and 0 <= score <= 1
        assert dataclasses.asdict(trk.model.cfg) == dataclasses.asdict(get_preset(name).model)
