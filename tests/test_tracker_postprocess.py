"""Proposal selection on synthetic score maps with hand-computed answers (paper Eq. 12-14)."""
import math

import numpy as np
import pytest

from analysis.core.regions import area_preserving_rect
from tracker.anchors import center_mask, cosine_window, generate_anchors
from tracker.postprocess import (
    Proposal,
    decode,
    nms_cxcywh,
    scale_ratio_penalty,
    select_proposal,
    softmax_fg,
    update_state,
)

S, K = 17, 5


def maps_with_best(a, y, x, d=(0.0, 0.0, 0.0, 0.0), fg=8.0):
    cls = np.zeros((2 * K, S, S), np.float32)
    cls[K:] = -8.0          # every anchor background ...
    cls[K + a, y, x] = fg   # ... except one
    loc = np.zeros((4 * K, S, S), np.float32)
    for c in range(4):
        loc[c * K + a, y, x] = d[c]
    return cls, loc


def test_softmax_fg_layout():
    cls, _ = maps_with_best(3, 2, 11)
    p = softmax_fg(cls)
    j = 3 * S * S + 2 * S + 11
    assert p[j] == pytest.approx(1 / (1 + math.exp(-8.0)))
    assert np.delete(p, j).max() == pytest.approx(1 / (1 + math.exp(8.0)))


def test_penalty_hand_computed():
    # proposal 40x80 vs previous 64x64: p = 60 -> sz = sqrt(100*140); target p = 64 -> sz = 128
    s_c = math.sqrt(100 * 140) / 128
    s_c = max(s_c, 1 / s_c)
    r_c = max(1 / 0.5, 0.5)  # (64/64) / (40/80) = 2
    expect = math.exp(-(r_c * s_c - 1) * 0.04)
    got = scale_ratio_penalty(np.array([40.0]), np.array([80.0]), 64.0, 64.0, 0.04)
    assert got[0] == pytest.approx(expect, rel=1e-12)
    assert scale_ratio_penalty(np.array([64.0]), np.array([64.0]), 64.0, 64.0, 0.3)[0] == pytest.approx(1.0)


def test_decode_eq12():
    anchors = generate_anchors(S)
    _, loc = maps_with_best(1, 4, 13, d=(0.5, -0.25, math.log(2), math.log(0.5)))
    boxes = decode(loc, anchors)
    j = 1 * S * S + 4 * S + 13
    # anchor 1: 88x40 at x = -64 + 8*13 = 40, y = -64 + 32 = -32
    assert boxes[:, j].tolist() == pytest.approx([40 + 0.5 * 88, -32 - 0.25 * 40, 176, 20])


def test_select_known_best_gives_known_box():
    anchors, window = generate_anchors(S), cosine_window(S, K)
    cls, loc = maps_with_best(2, 10, 6, d=(0.125, 0.25, 0.0, 0.0))
    prop = select_proposal(cls, loc, anchors, window, center_mask(S, K, None), (64.0, 64.0),
                           penalty_k=0.04, window_influence=0.44, lr=0.4)
    # anchor 2 = 64x64 at x = -64 + 48 = -16, y = -64 + 80 = 16; deltas move it by (8, 16)
    assert prop.index == 2 * S * S + 10 * S + 6
    assert prop.box.tolist() == pytest.approx([-8.0, 32.0, 64.0, 64.0])
    score = 1 / (1 + math.exp(-8.0))  # bg logit 0, fg logit 8
    assert prop.score == pytest.approx(score) and prop.penalty == pytest.approx(1.0)
    assert prop.lr == pytest.approx(score * 0.4)
    # the centre 7x7 cut (paper) excludes a best anchor at cell (1, 1): the winner must lie in rows/cols 5..11
    far_cls, far_loc = maps_with_best(2, 1, 1)
    cut = select_proposal(far_cls, far_loc, anchors, window, center_mask(S, K, 7), (64.0, 64.0), 0.04, 0.0, 0.4)
    assert 5 <= (cut.index % (S * S)) // S <= 11 and 5 <= cut.index % S <= 11
    full = select_proposal(far_cls, far_loc, anchors, window, center_mask(S, K, None), (64.0, 64.0), 0.04, 0.0, 0.4)
    assert full.index == 2 * S * S + 1 * S + 1


def test_window_reranks():
    anchors, window = generate_anchors(S), cosine_window(S, K)
    cls, loc = maps_with_best(2, 0, 8, fg=8.0)  # top edge: window weight 0
    cls[K + 2, 8, 8] = 0.0  # centre: score 0.5 but window 1
    prop = select_proposal(cls, loc, anchors, window, center_mask(S, K, None), (64.0, 64.0), 0.0, 0.44, 0.4)
    # edge: 0.56 * ~1 + 0 ; centre: 0.56 * 0.5 + 0.44 = 0.72 -> centre wins
    assert prop.index == 2 * S * S + 8 * S + 8


def test_update_state_interpolates_and_clips():
    prop = Proposal(box=np.array([10.0, -20.0, 100.0, 50.0]), score=0.9, penalty=1.0, lr=0.5, index=0)
    c, s = update_state(np.array([50.0, 30.0]), np.array([40.0, 40.0]), prop, 2.0, (100, 60))
    assert c.tolist() == [55.0, 20.0] and s.tolist() == [45.0, 32.5]
    c, s = update_state(np.array([99.0, 1.0]), np.array([5.0, 500.0]), prop, 0.1, (100, 60))
    assert c.tolist() == [100.0, 0.0] and s.tolist() == [100.0, 60.0]
    prop2 = Proposal(box=np.array([0.0, 0.0, 1.0, 1.0]), score=0.9, penalty=1.0, lr=1.0, index=0)
    assert update_state(np.array([5.0, 5.0]), np.array([8.0, 8.0]), prop2, 1.0, (100, 60))[1].tolist() == [10, 10]


def test_nms_keeps_best_and_drops_overlaps():
    boxes = np.array([[0, 1, 50, 0], [0, 0, 0, 50], [10, 10, 10, 10], [10, 10, 10, 10]], float)
    keep = nms_cxcywh(boxes, np.array([0.9, 0.8, 0.7, 0.95]), 0.5, 10)
    assert keep.tolist() == [3, 0, 2]


def test_polygon_to_box_area_preserving():
    # axis-aligned rectangle 10x20 as polygon: pysot gives w = 10 + 1, h = 20 + 1, centre (15, 30)
    box = area_preserving_rect([10, 20, 20, 20, 20, 40, 10, 40])
    assert box.tolist() == pytest.approx([15 - 5, 30 - 10, 11, 21])
    # rotated square of side sqrt(2)*10 (area 200) -> bbox 20x20 scaled by sqrt(200/400)
    box = area_preserving_rect([0, 10, 10, 0, 20, 10, 10, 20])
    s = math.sqrt(0.5)
    assert box[2:].tolist() == pytest.approx([20 * s + 1, 20 * s + 1])
    assert (box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2) == pytest.approx((10, 10))
    assert area_preserving_rect([1, 2, 3, 4]).tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        area_preserving_rect([1, 2, 3])


def test_select_with_nms_returns_argmax_and_candidates():
    anchors, window = generate_anchors(S), cosine_window(S, K)
    cls, loc = maps_with_best(2, 8, 9)
    cls[K + 2, 8, 10] = 6.0   # overlapping runner-up (8 px away, same 64x64 anchor) -> suppressed
    cls[K + 0, 8, 2] = 7.0    # distant 104x32 proposal -> survives
    args = (anchors, window, center_mask(S, K, None), (64.0, 64.0), 0.04, 0.2, 0.4)
    plain = select_proposal(cls, loc, *args)
    with_nms = select_proposal(cls, loc, *args, nms_threshold=0.5, nms_top_k=3)
    assert with_nms.index == plain.index == 2 * S * S + 8 * S + 9
    cand = with_nms.candidates
    assert cand.shape == (2, 5)
    assert np.allclose(cand[:, :4], [[8, 0, 64, 64], [-48, 0, 104, 32]])
