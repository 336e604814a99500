"""Anchor targets, loss and schedule against hand-computed values."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tracker.anchors import generate_anchors
from tracker.training.config import TargetConfig
from tracker.training.loss import rpn_loss, smooth_l1
from tracker.training.schedule import lr_at, lr_table
from tracker.training.targets import anchor_targets, encode_deltas, iou_cxcywh

ANCHORS = generate_anchors(17)  # (5*17*17, 4): 104x32, 88x40, 64x64, 40x80, 32x96; centres -64..64


def _index(a: int, y: int, x: int, s: int = 17) -> int:
    return a * s * s + y * s + x


def test_iou_hand_cases():
    box = np.array([0.0, 0.0, 64.0, 64.0])
    anchors = np.array([[0, 0, 64, 64], [8, 0, 64, 64], [16, 0, 64, 64], [8, 8, 64, 64], [0, 0, 88, 40], [100, 0, 10, 10]], float)
    # shifts of 8/16 px: 56*64/(8192-3584), 48*64/(8192-3072), 56*56/(8192-3136); 88x40: 2560/(4096+3520-2560)
    expected = [1.0, 3584 / 4608, 3072 / 5120, 3136 / 5056, 2560 / 5056, 0.0]
    np.testing.assert_allclose(iou_cxcywh(anchors, box), expected, rtol=1e-12)


def test_targets_centred_square_box():
    """A 64x64 box at the crop centre: IoU > 0.6 exactly for the 64x64 anchors of the centre 3x3 cells (9), the
    16-px shifts have IoU exactly 0.6 (not > 0.6 -> ignored), every other shape is ignored (0.3 <= IoU <= 0.6)."""
    rng = np.random.default_rng(0)
    t = anchor_targets(ANCHORS, np.array([0.0, 0.0, 64.0, 64.0]), False, TargetConfig(), rng, 17)
    pos = set(np.flatnonzero(t.labels == 1).tolist())
    assert pos == {_index(2, 8 + dy, 8 + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)}
    assert (t.labels == 0).sum() == 64 - 9
    assert t.labels[_index(2, 8, 10)] == -1  # IoU exactly 0.6
    iou = iou_cxcywh(ANCHORS, np.array([0.0, 0.0, 64.0, 64.0]))
    assert np.all(iou[t.labels == 0] < 0.3)
    np.testing.assert_array_equal(np.flatnonzero(t.reg_weight), sorted(pos))
    np.testing.assert_allclose(t.deltas[:, _index(2, 8, 9)], [-8 / 64, 0, 0, 0], atol=1e-7)  # anchor at x=+8
    np.testing.assert_allclose(t.deltas[:, _index(0, 8, 8)], [0, 0, math.log(64 / 104), math.log(64 / 32)], rtol=1e-6)


def test_targets_cap_positives_and_total():
    anchors = np.tile(np.array([[0.0, 0.0, 50.0, 50.0]]), (30, 1))
    anchors = np.vstack([anchors, [[200.0, 200.0, 10.0, 10.0]] * 100])
    t = anchor_targets(anchors, np.array([0.0, 0.0, 50.0, 50.0]), False, TargetConfig(), np.random.default_rng(1), 1)
    assert (t.labels == 1).sum() == 16 and (t.labels == 0).sum() == 48 and (t.labels == -1).sum() == 130 - 64
    assert np.all(np.flatnonzero(t.labels == 1) < 30)


def test_targets_negative_pair():
    """Negative pair: no positives, no regression, 16 negatives inside the 7x7 cells around the distractor."""
    box = np.array([16.0, -8.0, 60.0, 60.0])  # centre cell (x=10, y=7)
    t = anchor_targets(ANCHORS, box, True, TargetConfig(), np.random.default_rng(2), 17)
    neg = np.flatnonzero(t.labels == 0)
    assert (t.labels == 1).sum() == 0 and neg.size == 16 and not t.reg_weight.any()
    cell = neg % (17 * 17)
    assert np.all(np.abs(cell % 17 - 10) <= 3) and np.all(np.abs(cell // 17 - 7) <= 3)


def test_encode_deltas_eq3():
    d = encode_deltas(np.array([[10.0, -4.0, 40.0, 80.0]]), np.array([20.0, 4.0, 20.0, 160.0]))
    np.testing.assert_allclose(d[:, 0], [10 / 40, 8 / 80, math.log(0.5), math.log(2.0)], rtol=1e-6)


def test_smooth_l1_eq4():
    x = torch.tensor([0.05, -0.5, 0.0, 2.0, 1 / 9])
    np.testing.assert_allclose(smooth_l1(x, 3.0).numpy(), [0.5 * 9 * 0.0025, 0.5 - 1 / 18, 0, 2 - 1 / 18, 1 / 9 - 1 / 18], rtol=1e-6)
    np.testing.assert_allclose(smooth_l1(x, 1.0).numpy(), [0.00125, 0.125, 0, 1.5, 0.5 / 81], rtol=1e-6)


def test_rpn_loss_hand_computed():
    """k=2 anchors on a 1x1 map, two pairs. Pair 0: anchor 0 positive (p_fg = 3/4), anchor 1 negative (p_fg = 1/2),
    regression error (0.05, -0.5, 0, 2) on anchor 0. Pair 1 (negative pair): anchor 1 negative with p_fg = 1/2."""
    cls = torch.zeros(2, 4, 1, 1)
    cls[0, 2] = math.log(3.0)  # channel c*k + a: fg logit of anchor 0
    loc = torch.zeros(2, 8, 1, 1)
    loc[0, [0, 2, 4, 6], 0, 0] = torch.tensor([0.05, -0.5, 0.0, 2.0])  # channel coord*k + a, anchor 0
    labels = torch.tensor([[1, 0], [-1, 0]])
    deltas = torch.zeros(2, 4, 2)
    reg_w = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    total, lc, ll = rpn_loss(cls, loc, labels, deltas, reg_w, loc_weight=1.2, sigma=3.0)
    cls0 = (-math.log(0.75) - math.log(0.5)) / 2
    cls1 = -math.log(0.5)
    loc0 = 0.5 * 9 * 0.05**2 + (0.5 - 1 / 18) + 0 + (2 - 1 / 18)
    assert lc.item() == pytest.approx((cls0 + cls1) / 2, rel=1e-6)
    assert ll.item() == pytest.approx(loc0 / 2, rel=1e-6)
    assert total.item() == pytest.approx((cls0 + cls1) / 2 + 1.2 * loc0 / 2, rel=1e-6)


def test_schedule_endpoints_and_log_spacing():
    lrs = lr_table(1000)
    assert lrs[0] == pytest.approx(1e-2) and lrs[-1] == pytest.approx(1e-6)
    assert np.all(np.diff(lrs) <= 0)
    levels = np.unique(lrs)[::-1]
    assert levels.size == 50  # the paper's 50 epochs
    np.testing.assert_allclose(np.diff(np.log10(levels)), -4 / 49, rtol=1e-9)
    assert np.sum(lrs == lrs[0]) == 20  # 1000 steps / 50 virtual epochs
    assert lr_at(0, 7) == pytest.approx(1e-2) and lr_at(6, 7) == pytest.approx(1e-6)
    with pytest.raises(ValueError):
        lr_at(7, 7)
