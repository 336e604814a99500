"""Anchors, window and centre cut against the values written in the spec (§2.2) and the paper (§4.3)."""
import numpy as np
import pytest

from tracker.anchors import anchor_shapes, center_mask, cosine_window, generate_anchors


def test_anchor_shapes_match_spec_table():
    # spec §2.2: int truncation gives 104x32, 88x40, 64x64, 40x80, 32x96
    assert anchor_shapes().tolist() == [[104, 32], [88, 40], [64, 64], [40, 80], [32, 96]]


@pytest.mark.parametrize("s,lo", [(17, -64), (19, -72), (21, -80)])
def test_anchor_centres_and_order(s, lo):
    a = generate_anchors(s)
    assert a.shape == (5 * s * s, 4)
    assert a[:, 0].min() == lo and a[:, 0].max() == -lo
    assert a[:, 1].min() == lo and a[:, 1].max() == -lo
    # j = a*S*S + y*S + x
    j = 3 * s * s + 2 * s + 5
    assert a[j].tolist() == [lo + 8 * 5, lo + 8 * 2, 40, 80]
    assert a[0].tolist() == [lo, lo, 104, 32]
    assert a[s - 1].tolist() == [-lo, lo, 104, 32]
    assert a[s].tolist() == [lo, lo + 8, 104, 32]
    # centre anchor of ratio 1 sits on the crop centre
    assert a[2 * s * s + (s // 2) * s + s // 2].tolist() == [0, 0, 64, 64]


def test_cosine_window_tiled_unnormalised():
    w = cosine_window(17, 5)
    assert w.shape == (5 * 289,)
    grid = w[:289].reshape(17, 17)
    assert grid[8, 8] == pytest.approx(1.0) and grid[0, 5] == 0.0
    # hanning(17)[9] = 0.5 - 0.5 cos(2*pi*9/16)
    assert grid[8, 9] == pytest.approx(0.5 - 0.5 * np.cos(2 * np.pi * 9 / 16))
    assert np.array_equal(w[:289], w[289 * 4:])


def test_center_mask_keeps_g_by_g():
    m = center_mask(17, 5, 7).reshape(5, 17, 17)
    assert m.sum() == 5 * 49
    ys, xs = np.nonzero(m[0])
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (5, 11, 5, 11)
    assert center_mask(17, 5, None).all()
