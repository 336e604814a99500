"""Weight loaders: state dicts with the exact DaSiamRPN / pysot / huang key names and shapes, saved the way each
project saves them, must all load to the same network; mismatches give one error listing every problem."""
import re
from collections import OrderedDict

import pytest
import torch

from analysis.core.paths import default_weights_path
from tracker.presets import ModelConfig, get_preset
from tracker.weights import (
    WeightsError,
    build_model,
    load_checkpoint,
    load_dasiamrpn,
    load_pysot,
    load_state_dict_any,
    random_model,
    save_checkpoint,
)

PYSOT_HEAD = {"conv_r1": "template_loc_conv", "conv_cls1": "template_cls_conv", "conv_r2": "search_loc_conv",
              "conv_cls2": "search_cls_conv", "regress_adjust": "loc_adjust"}
LAYER = {0: "layer1.0", 1: "layer1.1", 4: "layer2.0", 5: "layer2.1", 8: "layer3.0", 9: "layer3.1",
         11: "layer4.0", 12: "layer4.1", 14: "layer5.0", 15: "layer5.1"}
HUANG_HEAD = {"conv_r1": "conv_reg_z", "conv_cls1": "conv_cls_z", "conv_r2": "conv_reg_x", "conv_cls2": "conv_cls_x",
              "regress_adjust": "adjust_reg"}


@pytest.fixture(scope="module")
def model():
    return random_model(ModelConfig(), seed=11)


def dasiam_sd(model):
    """What PyTorch 0.3.1 wrote for DaSiamRPN: an OrderedDict without num_batches_tracked."""
    return OrderedDict((k, v.clone()) for k, v in model.state_dict().items() if "num_batches_tracked" not in k)


def pysot_name(k, layers=False):
    m = re.match(r"featureExtract\.(\d+)\.(.+)", k)
    if m:
        i = int(m.group(1))
        return f"backbone.{LAYER[i]}.{m.group(2)}" if layers else f"backbone.features.{i}.{m.group(2)}"
    mod, p = k.split(".", 1)
    return f"rpn_head.{PYSOT_HEAD[mod]}.{p}"


def huang_name(k):
    if k.startswith("featureExtract."):
        return "feature." + k[len("featureExtract."):]
    mod, p = k.split(".", 1)
    return f"{HUANG_HEAD[mod]}.{p}"


def outputs(net):
    g = torch.Generator().manual_seed(5)
    z, x = torch.rand(1, 3, 127, 127, generator=g) * 255, torch.rand(1, 3, 255, 255, generator=g) * 255
    with torch.no_grad():
        return net.detect(x, net.template(z))


def test_all_formats_load_identically(model, tmp_path):
    ref_cls, ref_loc = outputs(model)
    files = {}
    # DaSiamRPN: torch.save(state_dict) in the legacy (non-zip) format, pickle protocol 2 as old torch did
    files["dasiam"] = tmp_path / "SiamRPNVOT.model"
    torch.save(dasiam_sd(model), files["dasiam"], _use_new_zipfile_serialization=False, pickle_protocol=2)
    # pysot inference model.pth: backbone.features.N / rpn_head.* with num_batches_tracked
    files["pysot"] = tmp_path / "model.pth"
    torch.save({pysot_name(k): v for k, v in model.state_dict().items()}, files["pysot"])
    # pysot training snapshot: {'epoch','state_dict','optimizer'} with DDP 'module.' prefix and layer1..5 names
    files["pysot_snapshot"] = tmp_path / "checkpoint_e20.pth"
    torch.save({"epoch": 20, "state_dict": {"module." + pysot_name(k, layers=True): v
                                            for k, v in model.state_dict().items()}, "optimizer": {}},
               files["pysot_snapshot"])
    files["huang"] = tmp_path / "huang.pth"
    torch.save({huang_name(k): v for k, v in dasiam_sd(model).items()}, files["huang"])
    files["ours"] = save_checkpoint(tmp_path / "ours.pth", model, "paper", {"trained_on": "nothing", "epoch": 0})
    formats = {}
    for name, path in files.items():
        net, meta = build_model(path)
        formats[name] = meta["format"]
        cls, loc = outputs(net)
        assert torch.equal(cls, ref_cls) and torch.equal(loc, ref_loc), name
        assert meta["model_config"] == ModelConfig()
    assert formats == {"dasiam": "dasiamrpn", "pysot": "pysot", "pysot_snapshot": "pysot", "huang": "huang",
                       "ours": "siamrpn-bench/1"}
    sd, meta = load_state_dict_any(files["dasiam"])
    assert set(sd) == set(dasiam_sd(model))
    assert load_dasiamrpn(files["dasiam"]).format == "dasiamrpn"
    assert load_pysot(files["pysot_snapshot"]).format == "pysot"
    with pytest.raises(WeightsError, match="not a pysot"):
        load_pysot(files["dasiam"])


def test_checkpoint_round_trip_meta_and_half(model, tmp_path):
    preset = get_preset("dasiam_otb")
    p = save_checkpoint(tmp_path / "sub" / "w.pth", model, preset, {"seed": 1, "data": tmp_path}, half=True)
    ck = load_checkpoint(p)
    assert ck.preset["name"] == "dasiam_otb" and ck.preset["penalty_k"] == 0.22
    assert ck.provenance == {"seed": 1, "data": str(tmp_path)}
    w = ck.state_dict["conv_r1.weight"]
    assert w.dtype == torch.float32
    assert torch.equal(w, model.state_dict()["conv_r1.weight"].half().float())
    assert not list(p.parent.glob("*.tmp"))


def test_mismatch_lists_missing_unexpected_and_shapes(model, tmp_path):
    sd = dasiam_sd(model)
    del sd["conv_r2.bias"]
    sd["conv_extra.weight"] = torch.zeros(3)
    sd["regress_adjust.weight"] = torch.zeros(20, 20, 3, 3)
    path = tmp_path / "bad.model"
    torch.save(sd, path)
    with pytest.raises(WeightsError) as err:
        build_model(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "missing keys (1): conv_r2.bias" in msg
    assert "unexpected keys (1): conv_extra.weight" in msg
    assert "regress_adjust.weight: file (20, 20, 3, 3) vs model (20, 20, 1, 1)" in msg


def test_depthwise_and_garbage_rejected(tmp_path):
    dw = tmp_path / "dw.pth"
    torch.save({"backbone.features.0.weight": torch.zeros(96, 3, 11, 11),
                "rpn_head.cls.conv_kernel.0.weight": torch.zeros(256, 256, 3, 3)}, dw)
    with pytest.raises(WeightsError, match="depthwise"):
        build_model(dw)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a torch file at all")
    with pytest.raises(WeightsError, match="junk.pth"):
        build_model(junk)
    with pytest.raises(WeightsError, match="not found"):
        build_model(tmp_path / "missing.pth")
    with pytest.raises(WeightsError, match="random"):
        build_model("random:abc")


def test_default_weights_missing_explains(monkeypatch, tmp_path):
    monkeypatch.setenv("SIAMRPN_WEIGHTS", str(tmp_path / "none.pth"))
    assert default_weights_path() == tmp_path / "none.pth"
    with pytest.raises(WeightsError, match="siamrpn train"):
        build_model(None)


def test_big_model_config_inferred(tmp_path):
    with torch.device("meta"):
        from tracker.network import SiamRPN
        big = SiamRPN(ModelConfig(2, 512))
    from tracker.weights import infer_model_config
    sd = {k: torch.empty(v.shape) for k, v in big.state_dict().items() if k in
          ("featureExtract.0.weight", "conv_cls2.weight", "regress_adjust.weight")}
    assert infer_model_config(sd) == ModelConfig(2, 512, 5)


def test_python2_pickle_retried_with_latin1(model, tmp_path):
    """A Python-2 pickle stores ``str`` as raw bytes (SHORT_BINSTRING); non-ASCII bytes fail to decode as UTF-8.
    We write a legacy file and turn one key into such a py2 byte string: the loader must retry with latin1
    and then report that key as unexpected (proving it was decoded, not rejected)."""
    import struct
    sd = dasiam_sd(model)
    sd["zzzz"] = torch.zeros(1)
    path = tmp_path / "py2.model"
    torch.save(sd, path, _use_new_zipfile_serialization=False, pickle_protocol=2)
    raw = path.read_bytes()
    uni = b"X" + struct.pack("<I", 4) + b"zzzz"
    assert raw.count(uni) == 1
    path.write_bytes(raw.replace(uni, b"U" + bytes([4]) + b"caf\xe9"))
    with pytest.raises(WeightsError, match="unexpected keys \\(1\\): café"):
        build_model(path)


def test_non_finite_weights_are_named(tmp_path):
    import torch

    from tracker.presets import ModelConfig
    from tracker.weights import random_model, save_checkpoint

    model = random_model(ModelConfig(), 0)
    with torch.no_grad():
        model.conv_r2.weight[0, 0, 0, 0] = float("nan")
    path = save_checkpoint(tmp_path / "nan.pth", model, "paper", {})
    with pytest.raises(WeightsError, match=r"nan\.pth: non-finite values .* conv_r2\.weight \(1 of"):
        load_checkpoint(path)
