"""The feature-reuse trainer, the DW-XCorr head, the Lite0 variants and the photographic scene generator.

Truth used here: a direct loop implementation of the depthwise correlation; the translation equivariance of valid
convolutions (a window cut from a canvas map equals the head run on the cut features); Eq. 15 solved by hand; the
pixel extent of a pasted mask; and an uninterrupted run for resume.
"""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import torch

from tracker.backbones.efficientnet_lite import LITE0_VARIANTS, Lite0Backbone, load_lite0_imagenet
from tracker.heads import xcorr_depthwise
from tracker.network import SiamRPN
from tracker.presets import ModelConfig, get_preset
from tracker.training.config import ReuseConfig, TrainConfig
from tracker.training.photos import (
    MissingPackageError,
    PhotoIndex,
    PhotoSource,
    build_photo_index,
    flat_fraction,
    package_files,
)
from tracker.training.reuse import train_reuse, window_box, window_offsets
from tracker.training.scenes import SceneConfig, SceneGenerator, _homography, _paste, _place, box_for_context


def test_xcorr_depthwise_equals_a_loop():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 7, 6, generator=g)
    k = torch.randn(2, 3, 3, 2, generator=g)
    out = xcorr_depthwise(x, k)
    ref = torch.zeros(2, 3, 5, 5)
    for b in range(2):
        for c in range(3):
            for i in range(5):
                for j in range(5):
                    ref[b, c, i, j] = (x[b, c, i:i + 3, j:j + 2] * k[b, c]).sum()
    assert torch.allclose(out, ref, atol=1e-5)
    assert torch.allclose(xcorr_depthwise(x, k[:1]), torch.stack([ref[0], xcorr_depthwise(x[1:], k[:1])[0]]),
                          atol=1e-5)  # a kernel batch of 1 is broadcast


@pytest.mark.parametrize("variant", list(LITE0_VARIANTS))
def test_lite0_variants_shapes_and_imagenet_weights(variant):
    net = Lite0Backbone(variant).eval()
    load_lite0_imagenet(net)  # every kept key filled from the ImageNet file, shapes equal
    with torch.no_grad():
        f = net(torch.rand(1, 3, 255, 255) * 255)
    assert f.shape == (1, LITE0_VARIANTS[variant].out_channels, 32, 32)


@pytest.mark.parametrize("head", ["dw", "up"])
def test_head_on_a_window_cut_from_the_canvas_map_equals_the_head_on_the_cut_features(head):
    """Valid convolutions commute with the cut: the window's maps are a sub-block of the canvas maps."""
    torch.manual_seed(0)
    model = SiamRPN(ModelConfig(backbone="lite0_s8", feature_out=16, head=head)).eval()
    with torch.no_grad():
        fx = model.backbone_features(torch.rand(1, 3, 319, 319) * 255)  # 40 x 40 cells
        kern = model.kernels_from_features(model.template_features(torch.rand(1, 3, 127, 127) * 255))
        cls, loc = model.detect_features(model.neck_features(fx), kern)  # 33 x 33 score cells
        for a, b in ((0, 0), (3, 5), (8, 8)):
            wcls, wloc = model.detect_features(model.neck_features(fx[:, :, b:b + 32, a:a + 32]), kern)
            assert wcls.shape[-1] == 25
            assert torch.allclose(cls[:, :, b:b + 25, a:a + 25], wcls, atol=1e-4)
            assert torch.allclose(loc[:, :, b:b + 25, a:a + 25], wloc, atol=1e-4)


def _ring_difference(variant: str) -> np.ndarray:
    """Mean |canvas-cut - crop-first| backbone features per ring of cells (outer ring 0 .. centre), relative."""
    torch.manual_seed(1)
    net = Lite0Backbone(variant).eval()
    img = cv2.GaussianBlur((np.random.default_rng(0).random((383, 383, 3)) * 255).astype(np.float32), (0, 0), 3)
    x = torch.from_numpy(img.transpose(2, 0, 1)).float()[None]
    with torch.no_grad():
        cut = net(x)[:, :, 8:40, 8:40]
        crop = net(x[:, :, 64:319, 64:319])
    d = (cut - crop).abs()[0]
    rings = []
    for r in range(16):
        m = torch.zeros(32, 32, dtype=torch.bool)
        m[r:32 - r, r:32 - r] = True
        m[r + 1:31 - r, r + 1:31 - r] = False
        rings.append(float(d[:, m].mean() / crop.abs().mean()))
    return np.array(rings)


def test_pixel_path_equals_the_feature_cut_away_from_the_borders_for_a_small_receptive_field():
    """lite0_s8 (blocks 0-4): a cell further than its receptive field from the window border never sees the
    crop's padding, so cut and crop agree to float rounding there."""
    rings = _ring_difference("lite0_s8")
    assert rings[0] > 0.05  # the border ring sees padding in the crop and image content in the canvas
    assert np.all(rings[5:] < 1e-5)


def test_pixel_path_differs_from_the_feature_cut_mostly_at_the_borders_for_the_dilated_backbone():
    """The dilated backbone's receptive field spans the whole window: every cell differs a little, the outer
    cells most (documented in tracker.training.reuse); the pixel-path windows of the trainer cover this."""
    rings = _ring_difference("efficientnet_lite0")
    assert rings[0] > 5 * rings[-1]
    assert np.all(np.diff(rings[:8]) < 0)  # decreasing from the border inwards


def test_window_box_and_offsets_by_hand():
    box = np.array([191.0, 191.0, 40.0, 60.0])  # the centre of a 383 canvas
    assert np.allclose(window_box(box, np.array([64, 64]), 255), [0, 0, 40, 60])  # centred window
    assert np.allclose(window_box(box, np.array([0, 0]), 255), [64, 64, 40, 60])  # top-left window
    assert np.allclose(window_box(box, np.array([128, 0]), 255), [-64, 64, 40, 60])
    offs = window_offsets(np.random.default_rng(0), 8, 17)
    assert offs.shape == (8, 2) and len({tuple(o) for o in offs}) == 8 and offs.min() >= 0 and offs.max() <= 16


def test_box_for_context_solves_eq15():
    for aspect in (0.3, 1.0, 2.7):
        w, h = box_for_context(aspect, 127.0)
        p = 0.5 * (w + h)
        assert w / h == pytest.approx(aspect)
        assert np.sqrt((w + p) * (h + p)) == pytest.approx(127.0)


def test_pasted_box_is_the_extent_of_the_transformed_mask():
    rgb = np.full((40, 60, 3), 200, np.uint8)
    alpha = np.zeros((40, 60), np.float32)
    cv2.ellipse(alpha, (30, 20), (28, 18), 0, 0, 360, 1.0, -1)
    from tracker.training.scenes import _contour_points

    pts = _contour_points(alpha)
    rng = np.random.default_rng(0)
    for rot in (0.0, 25.0, -60.0):
        hm = _homography(rng, alpha.shape, 1.4, rot, np.array([0.05, -0.03]))
        final, box = _place(hm, pts, (50.0, 30.0), None, np.array([100.0, 90.0]))
        canvas = np.zeros((200, 200, 3), np.float32)
        _paste(canvas, rgb, alpha, final, np.ones(3, np.float32))
        ys, xs = np.nonzero(canvas[:, :, 0] > 100)  # pixels more than half covered
        extent = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=float)
        expect = np.array([box[0] - box[2] / 2, box[1] - box[3] / 2, box[0] + box[2] / 2, box[1] + box[3] / 2])
        assert np.allclose(extent, expect, atol=1.5), (rot, extent, expect)
        assert np.allclose(box[2:], [50, 30])


def _fixture_photos(tmp_path) -> PhotoIndex:
    """Generated cut-outs (textured ellipses with alpha) and backgrounds: what the generator needs, no packages."""
    rng = np.random.default_rng(0)
    targets, backgrounds = [], []
    for i in range(4):
        img = np.zeros((80 + 10 * i, 60, 4), np.uint8)
        img[:, :, :3] = cv2.GaussianBlur(rng.integers(0, 255, (80 + 10 * i, 60, 3)).astype(np.uint8), (0, 0), 2)
        a = np.zeros(img.shape[:2], np.uint8)
        cv2.ellipse(a, (30, 40 + 5 * i), (28, 38), 0, 0, 360, 255, -1)
        img[:, :, 3] = a
        p = tmp_path / f"t{i}.png"
        cv2.imwrite(str(p), img)
        targets.append((str(p), "fixture", "cat" if i < 2 else "dog"))
    for i in range(2):
        p = tmp_path / f"b{i}.jpg"
        cv2.imwrite(str(p), cv2.GaussianBlur(rng.integers(0, 255, (300, 400, 3)).astype(np.uint8), (0, 0), 4))
        backgrounds.append((str(p), "fixture", "fixture"))
    return PhotoIndex(tuple(targets), tuple(backgrounds))


def test_scenes_are_deterministic_and_boxes_fit_the_crop_rule(tmp_path):
    photos = _fixture_photos(tmp_path)
    gen = SceneGenerator(photos, SceneConfig(shift=32), seed=3)
    a, b = gen.render(5), gen.render(5)
    assert np.array_equal(a.canvas, b.canvas) and np.array_equal(a.template_box, b.template_box)
    assert a.template.shape == (127, 127, 3) and a.canvas.shape == (319, 319, 3)
    for i in range(6):
        s = gen.render(i)
        w, h = s.template_box[2:]
        p = 0.5 * (w + h)
        assert np.sqrt((w + p) * (h + p)) == pytest.approx(127.0, rel=1e-6)  # Eq. 15 at the exemplar size
        assert np.all(np.abs(s.template_box[:2] - 63) <= 2.01)  # centred (+-2 px jitter)
        assert np.all(np.abs(s.canvas_box[:2] - 159) <= 4.01)  # canvas centre (+-4 px jitter)


def test_package_files_and_missing_package(tmp_path):
    info = tmp_path / "info"
    info.mkdir()
    img = tmp_path / "share" / "a.png"
    img.parent.mkdir()
    img.write_bytes(b"x")
    (info / "pkg-photos.list").write_text(f"{img.parent}\n{img}\n{img.parent}/gone.jpg\n")
    assert package_files("pkg-photos", str(img.parent), info) == [img]
    with pytest.raises(MissingPackageError, match="apt-get install pkg-absent"):
        package_files("pkg-absent", "/usr/share", info)
    with pytest.raises(MissingPackageError, match="apt-get install pkg-absent"):
        build_photo_index(None, (PhotoSource("pkg-absent", "targets", "GPL-2"),), info)


def test_flat_fraction_separates_drawings_from_photographs():
    rng = np.random.default_rng(0)
    drawing = np.zeros((64, 64, 3), np.uint8)
    drawing[:, 32:] = (0, 200, 255)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (64, 64, 3)).astype(np.uint8), (0, 0), 1.0)
    assert flat_fraction(drawing) > 0.8
    assert flat_fraction(photo) < 0.12


def test_reuse_trainer_resumes_exactly(tmp_path):
    photos = _fixture_photos(tmp_path)
    cfg = TrainConfig(preset="lite0_s8_dw", trainer="reuse", steps=3, seed=5, workers=0, checkpoint_every=1,
                      init="random", scenes=SceneConfig(shift=16),
                      reuse=ReuseConfig(scenes_per_step=2, windows_per_scene=2, negative_scenes=1, pixel_windows=1))
    cfg = dataclasses.replace(cfg, optim=dataclasses.replace(cfg.optim, name="adamw", lr_start=1e-3,
                                                             frozen_layers=5))
    full = train_reuse(cfg, tmp_path / "full", progress=False, photos=photos)
    train_reuse(cfg, tmp_path / "cut", progress=False, photos=photos, stop_after=2)
    resumed = train_reuse(cfg, tmp_path / "cut", resume=True, progress=False, photos=photos)
    assert full["pairs_per_step"] == (2 + 1) * 2 + 1
    assert resumed["losses"] == pytest.approx(full["losses"][2:], rel=1e-5)
    a = torch.load(tmp_path / "full" / "checkpoint.pth", weights_only=False)["model"]
    b = torch.load(tmp_path / "cut" / "checkpoint.pth", weights_only=False)["model"]
    assert all(torch.allclose(a[k].float(), b[k].float(), atol=1e-6) for k in a)
    assert get_preset("lite0_s8_dw").model.head == "dw"


@pytest.mark.parametrize("preset", ["lite0_dw", "lite0_d8_dw", "lite0_s8_dw", "lite0_twolevel_dw"])
def test_lite0_variant_checkpoints_reload_with_their_backbone(tmp_path, preset):
    from tracker.weights import load_checkpoint, save_checkpoint

    model = SiamRPN(get_preset(preset).model)
    save_checkpoint(tmp_path / "w.pth", model, preset, {})
    assert load_checkpoint(tmp_path / "w.pth").model_config == get_preset(preset).model
