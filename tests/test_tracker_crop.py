"""Mean-padding crop against a hand-built padded canvas (pysot/DaSiamRPN get_subwindow semantics)."""
import numpy as np
import pytest

from tracker.crop import crop_box, get_subwindow, round_half


def test_round_modes():
    assert round_half(2.5) == 3 and round_half(-2.5) == -2 and round_half(-2.6) == -3
    assert round_half(-2.5, "half_away") == -3 and round_half(2.5, "half_away") == 3


def test_crop_inside_is_plain_slice():
    img = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    # centre (10.2, 8.7), side 5: c = 3, xmin = floor(7.2 + .5) = 7, ymin = floor(5.7 + .5) = 6
    assert crop_box((10.2, 8.7), 5) == (7, 6, 11, 10)
    out = get_subwindow(img, (10.2, 8.7), 5, 5, np.zeros(3))
    assert out.dtype == np.float32
    assert np.array_equal(out, img[6:11, 7:12].astype(np.float32))


def test_crop_padding_hand_built():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    avg = np.array([10.9, 20.2, 30.7])  # stored into uint8 -> truncated 10, 20, 30
    # centre (0.0, 5.0), side 5: c = 3, xmin = floor(-2.5) = -3, ymin = floor(2.5) = 2 -> rows 2..6, cols -3..1
    out = get_subwindow(img, (0.0, 5.0), 5, 5, avg)
    expect = np.empty((5, 5, 3), np.float32)
    expect[...] = [10, 20, 30]
    expect[0:4, 3:5] = img[2:6, 0:2]  # rows 2..5 exist (H=6), cols 0..1
    assert np.array_equal(out, expect)


def test_crop_fully_outside_is_all_padding():
    img = np.full((4, 4, 3), 200, np.uint8)
    out = get_subwindow(img, (50.0, 50.0), 3, 3, np.array([1.0, 2.0, 3.0]))
    assert np.array_equal(out, np.broadcast_to(np.array([1, 2, 3], np.float32), (3, 3, 3)))


def test_crop_resize_bilinear():
    import cv2
    img = np.random.default_rng(1).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    out = get_subwindow(img, (20.0, 20.0), 7, 14, np.zeros(3))
    # c = 7.5, xmin = floor(13) = 13 -> 13..26
    assert np.array_equal(out, cv2.resize(img[13:27, 13:27], (7, 7)).astype(np.float32))


def test_crop_rejects_empty_side():
    with pytest.raises(ValueError):
        get_subwindow(np.zeros((4, 4, 3), np.uint8), (1, 1), 3, 0, np.zeros(3))
