"""VOT2020+ regions: RLE masks (text and binary), the mask region type and vot-toolkit 0.7.4's raster overlap.

Truth: vot-toolkit 0.7.4's own encoder/decoder (``vot.region.io``), shapes and ``calculate_overlap`` where it is
installed (those tests skip cleanly without it), and hand-computed cases that hold either way.
"""
from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from analysis.core.masks import (
    MAX_BINARY_RUN,
    Mask,
    encode_mask,
    format_mask,
    mask_box,
    parse_mask,
    rle_decode,
    rle_encode,
)
from analysis.io.trajectories import parse_region, read_trajectory, write_trajectory
from analysis.metrics.mask_overlap import region_bounds, toolkit_is_empty, toolkit_overlap


def _toolkit():
    return pytest.importorskip("vot.region.io", reason="vot-toolkit is not installed (optional group `toolkits`)")


def disk(cx: float, cy: float, r: float, width: int, height: int) -> np.ndarray:
    yy, xx = np.mgrid[:height, :width]
    return ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r).astype(np.uint8)


def sample_blocks(rng: np.random.Generator) -> list[np.ndarray]:
    """Random blocks of several densities, empty, 1-px, full, 1-row/1-column and one run longer than 65025."""
    blocks = [rng.random((h, w)) < p for h, w, p in
              ((7, 9, 0.5), (13, 4, 0.1), (1, 20, 0.5), (20, 1, 0.7), (30, 30, 0.95), (16, 16, 0.02))]
    blocks += [np.zeros((5, 6)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((4, 3)), np.zeros((0, 0)),
               disk(6, 6, 6, 13, 13), np.ones((300, 300)), np.pad(np.ones((290, 300)), ((5, 5), (0, 0)))]
    return [b.astype(np.uint8) for b in blocks]


# ---------------------------------------------------------------------------------------------- RLE (hand cases)
def test_rle_hand_cases():
    assert rle_encode(np.zeros((0, 0))) == [0]
    assert rle_encode(np.array([[1]])) == [0, 1]
    assert rle_encode(np.array([[0]])) == [1]
    assert rle_encode(np.array([[0, 1, 1], [0, 0, 0]])) == [1, 2, 3]
    assert rle_encode(np.ones((1, 70000)), MAX_BINARY_RUN) == [0, 65025, 0, 4975]
    np.testing.assert_array_equal(rle_decode([1, 2, 3], 3, 2), [[0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(rle_decode([1, 2], 3, 2), [[0, 1, 1], [0, 0, 0]])  # short: the rest unset
    with pytest.raises(ValueError, match="cover 7 pixels"):
        rle_decode([1, 2, 4], 3, 2, "gt.txt:3")


def test_mask_line_optimised_as_the_toolkit_reads_it():
    m = parse_mask("m3,4,3,2,1,2,3")  # row 0: 0 1 1, row 1: empty
    assert m.offset == (4, 4) and m.pixels.tolist() == [[1, 1]]
    assert m.is_empty()  # one row high: the toolkit's is_empty quirk
    raw = parse_mask("m3,4,3,2,1,2,3", optimize=False)
    assert raw.offset == (3, 4) and raw.pixels.shape == (2, 3)
    column = parse_mask("m10,10,1,5,0,5")  # one pixel wide: the toolkit's read empties it
    assert column.area() == 0 and column.offset == (0, 0)
    assert format_mask(Mask(np.array([[0, 1, 1], [0, 0, 0]]), (3, 4))) == "m3,4,3,2,1,2,3"
    assert format_mask(encode_mask(np.zeros((5, 5)))) == "m0,0,1,1,1"
    assert parse_region("m3,4,3,2,1,2,3", "gt.txt", 1).offset == (4, 4)
    with pytest.raises(ValueError, match="gt.txt:2"):
        parse_region("m3,4,3", "gt.txt", 2)


def test_mask_box_is_inclusive():
    m = encode_mask(disk(20, 30, 6, 64, 64))
    np.testing.assert_array_equal(mask_box(m), [14, 24, 13, 13])  # a 13-pixel disk becomes 13 x 13
    np.testing.assert_array_equal(mask_box(Mask(np.zeros((3, 3)), (5, 5))), [0, 0, 0, 0])


def test_binary_mask_round_trip_and_limits(tmp_path):
    masks = [Mask(b, (-3, 7)) for b in sample_blocks(np.random.default_rng(0))]
    p = tmp_path / "s_00000003.bin"
    write_trajectory(p, [1, *masks, np.array([1.0, 2, 3, 4]), 0])
    got = read_trajectory(p)
    assert got[0] == 1 and got[-1] == 0
    for a, b in zip(masks, got[1:-2]):
        assert b.offset == a.offset and np.array_equal(a.pixels, b.pixels)  # binary masks are read as stored
    checker = Mask(np.indices((300, 300)).sum(axis=0) % 2, (0, 0))  # 90,000 runs: more than a uint16 count
    with pytest.raises(ValueError, match="does not fit the binary format"):
        write_trajectory(tmp_path / "c.bin", [1, checker])
    write_trajectory(tmp_path / "c.txt", [1, checker])
    assert read_trajectory(tmp_path / "c.txt")[1].same_pixels(checker)
    bad = struct.pack("<hI", 1, 1) + struct.pack("<BhhHHH", 3, 0, 0, 2, 2, 1) + struct.pack("<H", 5)
    (tmp_path / "bad.bin").write_bytes(bad)
    with pytest.raises(ValueError, match="region 1: the runs cover 5 pixels"):
        read_trajectory(tmp_path / "bad.bin")


# ---------------------------------------------------------------------------------------------- vs vot-toolkit
def test_rle_equals_the_toolkit_encoder_and_decoder():
    vio = _toolkit()
    for block in sample_blocks(np.random.default_rng(1)):
        assert rle_encode(block) == list(vio.mask_to_rle(block))
        assert rle_encode(block, MAX_BINARY_RUN) == list(vio.mask_to_rle(block, maxstride=MAX_BINARY_RUN))
        h, w = block.shape
        for runs in (rle_encode(block), rle_encode(block, MAX_BINARY_RUN)):
            if h * w:
                np.testing.assert_array_equal(rle_decode(runs, w, h), vio.rle_to_mask(np.array(runs, np.int32), w, h))
        image = np.zeros((h + 10, w + 12), np.uint8)
        image[4:4 + h, 7:7 + w] = block
        (x0, y0, ww, hh), runs = vio.encode_mask(image)
        ours = encode_mask(image)
        assert ours.offset == (x0, y0) and (ours.width, ours.height) == (ww, hh) and rle_encode(ours.pixels) == list(runs)


def test_text_and_binary_equal_the_toolkit(tmp_path):
    vio = _toolkit()
    from vot.region import Special
    from vot.region.shapes import Mask as VMask

    rng = np.random.default_rng(2)
    for block in sample_blocks(rng):
        offset = (int(rng.integers(-20, 40)), int(rng.integers(-20, 40)))  # border-crossing offsets included
        theirs = VMask(block, offset)
        assert format_mask(Mask(block, offset)) == str(theirs)
        text = str(theirs)
        parsed, ref = parse_region(text), vio.parse_region(text)
        assert parsed.offset == tuple(ref.offset) and np.array_equal(parsed.pixels, ref.mask), text
        assert toolkit_is_empty(parsed) == ref.is_empty(), text
        # binary: toolkit writes -> we read; we write -> toolkit reads
        buf = io.BytesIO()
        vio.write_trajectory_binary(buf, [Special(1), theirs])
        (tmp_path / "t.bin").write_bytes(buf.getvalue())
        back = read_trajectory(tmp_path / "t.bin")[1]
        assert back.offset == offset and np.array_equal(back.pixels, block)
        write_trajectory(tmp_path / "o.bin", [1, Mask(block, offset)])
        assert (tmp_path / "o.bin").read_bytes() == buf.getvalue()
        with open(tmp_path / "o.bin", "rb") as fh:
            r = vio.read_trajectory_binary(fh)[1]
        assert tuple(r.offset) == offset and np.array_equal(r.mask, block)


# ---------------------------------------------------------------------------------------------- overlap
def test_overlap_hand_cases():
    empty = parse_mask("m0,0,1,1,1")
    W, H = 40, 30
    assert toolkit_overlap(1, empty, (W, H)) == 1.0  # a special code vs empty ground truth
    assert toolkit_overlap(np.array([100.0, 100, 5, 5]), empty, (W, H)) == 0.0  # box outside the image
    assert toolkit_overlap(Mask(np.zeros((2, 2)), (5, 5)), empty, (W, H)) == 0.0  # empty mask with an offset
    gt = encode_mask(disk(20, 15, 5, W, H))
    assert toolkit_overlap(1, gt, (W, H)) == 0.0  # the initialisation frame vs a visible target
    assert toolkit_overlap(gt, gt, (W, H)) == 1.0
    box = mask_box(gt)  # inclusive box of the disk: IoU = disk area / box area
    assert toolkit_overlap(box, gt, (W, H)) == pytest.approx(gt.area() / (box[2] * box[3]))
    one = Mask(np.ones((1, 1)), (5, 5))
    assert toolkit_overlap(one, Mask(np.ones((1, 1)), (5, 9)), (W, H)) == 1.0  # degenerate union: 1
    half_out = Mask(np.ones((4, 4)), (-2, -2))  # clipped to the image: 2x2 of it counts
    assert toolkit_overlap(half_out, np.array([0.0, 0, 2, 2]), (W, H)) == 1.0
    assert region_bounds(np.array([1.4, 2.6, 3.0, 4.0])) == (1, 3, 3, 6)


def test_overlap_equals_the_toolkit_on_random_pairs():
    _toolkit()
    from vot.region import Special
    from vot.region.raster import calculate_overlap
    from vot.region.shapes import Mask as VMask
    from vot.region.shapes import Polygon, Rectangle

    rng = np.random.default_rng(3)
    W, H = 48, 36

    def draw():
        kind = rng.integers(0, 5)
        if kind == 0:
            v = np.round(rng.uniform(-10, 50, 4) * 2) / 2
            v[2:] = rng.uniform(-2, 20, 2)
            return v, Rectangle(*v)
        if kind == 1:
            pts = rng.uniform(-8, 52, (int(rng.integers(3, 6)), 2))
            return pts.ravel(), Polygon([tuple(p) for p in pts])
        if kind == 2:
            return 1, Special(1)
        block = (rng.random((int(rng.integers(0, 15)), int(rng.integers(0, 15)))) < rng.uniform(0.05, 1)).astype(np.uint8)
        offset = (int(rng.integers(-10, 45)), int(rng.integers(-10, 35)))
        if kind == 4:
            block = disk(rng.uniform(-5, 50), rng.uniform(-5, 40), rng.uniform(0, 8), W, H)
            offset = (0, 0)
        return Mask(block, offset), VMask(block, offset)

    for _ in range(400):
        (a, va), (b, vb) = draw(), draw()
        for bounds in ((W, H), None):
            assert toolkit_overlap(a, b, bounds) == pytest.approx(calculate_overlap(va, vb, bounds), abs=1e-12), (a, b)
