"""VOT2020+ data: ``*.value`` files (``anchor.value``), mask ground truth in VOT folders, the inclusive box a
box-only tracker receives, and the generated multi-start set (read the same way by vot-toolkit 0.7.4)."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.masks import Mask, encode_mask, format_mask
from analysis.io.vot import load_vot_folder, read_value_file
from integration.data.multistart import generate_multistart, write_multistart_dataset
from integration.data.sequences import load_dataset


def _seq_folder(root, gt_lines, values=None, n=None):
    folder = root / "s"
    (folder / "color").mkdir(parents=True)
    n = n or len(gt_lines)
    for i in range(1, n + 1):
        (folder / "color" / f"{i:08d}.jpg").write_bytes(b"")
    (folder / "sequence").write_text(f"channels.color=color/%08d.jpg\nwidth=40\nheight=30\nlength={n}\nfps=25\n")
    (folder / "groundtruth.txt").write_text("".join(line + "\n" for line in gt_lines))
    for name, text in (values or {}).items():
        (folder / f"{name}.value").write_text(text)
    return folder


def test_value_files_padded_and_checked(tmp_path):
    (tmp_path / "anchor.value").write_text("1\n0\n-1\n")
    np.testing.assert_array_equal(read_value_file(tmp_path / "anchor.value", 5), [1, 0, -1, 0, 0])
    with pytest.raises(ValueError, match="3 values for a sequence of 2 frames"):
        read_value_file(tmp_path / "anchor.value", 2)
    (tmp_path / "bad.value").write_text("1\nx\n")
    with pytest.raises(ValueError, match=r"bad\.value:2: expected a number"):
        read_value_file(tmp_path / "bad.value", 4)


def test_mask_groundtruth_in_a_vot_folder(tmp_path):
    disk = np.zeros((30, 40), np.uint8)
    disk[10:13, 20:25] = 1
    lines = [format_mask(encode_mask(disk)), "m0,0,1,1,1", "5,6,7,8"]
    folder = _seq_folder(tmp_path, lines, {"anchor": "1\n0\n-1\n", "other": "0.5\n"})
    ann = load_vot_folder(folder)["s"]
    assert ann.has_masks and isinstance(ann.regions[0], Mask) and ann.fps == 25
    np.testing.assert_array_equal(ann.groundtruth, [[20, 10, 5, 3], [0, 0, 0, 0], [5, 6, 7, 8]])  # inclusive boxes
    np.testing.assert_array_equal(ann.values["anchor"], [1, 0, -1])
    np.testing.assert_array_equal(ann.values["other"], [0.5, 0, 0])
    assert ann.region_list()[0].same_pixels(encode_mask(disk))
    seq = load_dataset(folder)["s"]
    assert seq.values["anchor"].tolist() == [1, 0, -1] and len(seq.region_list()) == 3
    # the fingerprint sees the mask pixels, not only their boxes
    ring = disk.copy()
    ring[11, 22] = 0
    folder2 = _seq_folder(tmp_path / "b", [format_mask(encode_mask(ring)), *lines[1:]], {"anchor": "1\n0\n-1\n"})
    assert load_dataset(folder2)["s"].fingerprint != seq.fingerprint


def test_generated_multistart_set(tmp_path):
    seq = generate_multistart(3, 40)
    assert len(seq) == 40 and len(seq.masks) == 40
    visible = np.array([m.area() > 0 for m in seq.masks])
    assert (~visible).sum() == 3  # frames without the target
    fwd, bwd = np.flatnonzero(seq.anchors > 0), np.flatnonzero(seq.anchors < 0)
    assert fwd.size and bwd.size and visible[fwd].all() and visible[bwd].all()
    names = write_multistart_dataset(tmp_path / "ms", lengths=(30, 40))
    data = load_dataset(tmp_path / "ms")
    assert list(data) == names
    for k, name in enumerate(names):
        ann = data[name].annotation
        assert ann.has_masks and len(ann) == (30, 40)[k] and (ann.width, ann.height) == (160, 120)
        ref = generate_multistart(k, len(ann))
        assert all(a.same_pixels(b) for a, b in zip(ann.regions, ref.masks))
        np.testing.assert_array_equal(ann.values["anchor"], ref.anchors)


def test_generated_set_reads_the_same_in_vot_toolkit(tmp_path):
    pytest.importorskip("vot.dataset", reason="vot-toolkit is not installed (optional group `toolkits`)")
    from vot.dataset import load_sequence
    from vot.experiment.multistart import find_anchors

    write_multistart_dataset(tmp_path / "ms", lengths=(30,))
    ours = load_dataset(tmp_path / "ms")["ms00"]
    theirs = load_sequence(str(tmp_path / "ms" / "ms00"))
    fwd, bwd = find_anchors(theirs)
    assert fwd == np.flatnonzero(ours.values["anchor"] > 0).tolist()
    assert bwd == np.flatnonzero(ours.values["anchor"] < 0).tolist()
    for i, region in enumerate(ours.region_list()):
        ref = theirs.groundtruth(i)
        assert region.offset == tuple(ref.offset) and np.array_equal(region.pixels, ref.mask)
