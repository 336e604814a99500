"""Datasets with frames: synthetic fixtures in every layout, the real ../shared sequences, bad input."""
from __future__ import annotations

import dataclasses
import shutil
import warnings

import cv2
import numpy as np
import pytest

from analysis.core.frames import FrameReadError, image_damage
from integration.data.sequences import Sequence, detect_layout, from_arrays, load_dataset
from integration.data.synthetic import box_to_polygon, generate_sequence, write_dataset
from tests.conftest import shared_path

N, SIZE = 8, (64, 48)


def _check_against_generator(seq, seed, polygon):
    frames, boxes = generate_sequence(seed, N, SIZE)
    assert len(seq) == N and seq.size == SIZE
    expected = box_to_polygon(boxes) if polygon else boxes
    assert np.array_equal(seq.groundtruth, expected)
    img = seq.frame(N - 1)
    assert img.shape == (48, 64, 3) and img.dtype == np.uint8
    err = np.abs(img.astype(int) - frames[N - 1]).mean()  # JPEG q95 of a noisy texture: a few grey levels
    other = np.abs(img.astype(int) - frames[N - 2]).mean()
    assert err < 12 and err < other / 2


@pytest.mark.parametrize("layout,polygon", [("vot", True), ("vot-color", True), ("otb", False),
                                            ("got10k", False)])
def test_synthetic_layouts_round_trip(tmp_path, layout, polygon):
    names = write_dataset(tmp_path, layout=layout, n_sequences=2, n_frames=N, size=SIZE, seed=11)
    seqs = load_dataset(tmp_path)
    assert list(seqs) == names
    _check_against_generator(seqs[names[1]], 12, polygon)
    one = load_dataset(tmp_path / names[0])  # a single sequence folder
    assert list(one) == [names[0]]
    assert detect_layout(tmp_path / names[0]) == ("vot" if layout.startswith("vot") else layout)


def test_pysot_json_with_image_root(tmp_path):
    root = tmp_path / "VOTX"
    names = write_dataset(root, layout="pysot", n_sequences=2, n_frames=N, size=SIZE, seed=4)
    seqs = load_dataset(root / "VOTX.json")  # image root defaults to the JSON's folder
    _check_against_generator(seqs[names[0]], 4, True)
    moved = tmp_path / "elsewhere.json"
    shutil.copy(root / "VOTX.json", moved)
    seqs = load_dataset(moved, image_root=root)
    assert seqs[names[1]].frame(0).shape == (48, 64, 3)


def test_bag_loads_as_it_is():
    bag = shared_path("sequences", "bag")
    seqs = load_dataset(bag)
    seq = seqs["bag"]
    assert len(seq) == 196 and seq.groundtruth.shape == (196, 8)
    img = seq.frame(195)
    assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8
    assert seq.size == (img.shape[1], img.shape[0])
    assert np.allclose(seq.region(0), [334.02, 128.36, 438.19, 188.78, 396.39, 260.83, 292.23, 200.41])
    seq.check_frames()


def test_irregular_real_sequences():
    root = shared_path("sequences")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seqs = load_dataset(root)
    assert any("129 boxes" in str(w.message) for w in caught)  # UAV123 truck2: 201 frames, 129 boxes
    assert len(seqs["OTB_Football1"]) == 74 and seqs["OTB_Football1"].frames[-1].name == "0074.jpg"
    assert len(seqs["UAV123_10fps_truck2"]) == 129
    assert {"OTB_Jogging-1", "OTB_Jogging-2"} <= set(seqs)
    assert not np.array_equal(seqs["OTB_Jogging-1"].groundtruth, seqs["OTB_Jogging-2"].groundtruth)
    horse = seqs["VOTTIR_horse"]  # thermal: single-channel PNG -> 3 identical channels
    raw = cv2.imread(str(horse.frames[0]), cv2.IMREAD_UNCHANGED)
    assert raw.ndim == 2
    img = horse.frame(0)
    assert img.shape == raw.shape + (3,) and np.array_equal(img[:, :, 0], raw) and np.array_equal(img[:, :, 2], raw)
    assert len(seqs["VOT_book"]) == 175 and seqs["VOT_book"].size == (640, 480)
    assert seqs["OTB_Girl"].frame(0).shape == (96, 128, 3)
    assert len(seqs) == 13


def test_missing_and_corrupt_frames_name_the_file(tmp_path):
    names = write_dataset(tmp_path, layout="otb", n_sequences=1, n_frames=N, size=SIZE)
    (tmp_path / names[0] / "img" / "0005.jpg").write_bytes(b"not a jpeg")
    seq = load_dataset(tmp_path)[names[0]]
    with pytest.raises(FrameReadError, match=r"0005\.jpg.*frame 5.*not a readable image"):
        seq.frame(4)
    gone = Sequence(dataclasses.replace(seq.annotation, frames=seq.frames[:2] + (tmp_path / "gone.jpg",) + seq.frames[3:]))
    with pytest.raises(FrameReadError, match=r"gone\.jpg.*does not exist"):
        gone.frame(2)
    with pytest.raises(FrameReadError, match="gone.jpg"):
        gone.check_frames()
    with pytest.raises(IndexError):
        seq.frame(100)


def test_grayscale_and_in_memory_frames(tmp_path):
    gray = np.arange(48 * 64, dtype=np.uint8).reshape(48, 64)
    seq = from_arrays("g", [gray, gray], np.array([[1, 2, 3, 4], [1, 2, 3, 4]]))
    img = seq.frame(1)
    assert img.shape == (48, 64, 3) and np.array_equal(img[:, :, 1], gray)
    with pytest.raises(ValueError, match="frames"):
        from_arrays("bad", [gray], np.zeros((2, 4)))


def test_bad_dataset_paths(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_dataset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no sequences"):
        load_dataset(tmp_path / "empty")
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(ValueError, match="x.txt"):
        load_dataset(tmp_path / "x.txt")


def test_pysot_json_given_by_relative_path(tmp_path, monkeypatch):
    """A relative JSON path must not place frames under its folder twice (``a/b/a/b/seq/...``)."""
    write_dataset(tmp_path / "data", layout="pysot", n_sequences=1, n_frames=4, size=(64, 48))
    monkeypatch.chdir(tmp_path)
    seqs = load_dataset("data/data.json")
    seq = next(iter(seqs.values()))
    assert seq.frames[0] == type(seq.frames[0])("data/synth00/00000001.jpg")
    assert seq.frame(0).shape == (48, 64, 3)


def test_otb_matlab_layout_imgs_gt_and_frames_files(tmp_path):
    """MILTrack/MATLAB layout: ``imgs/``, ``<name>_gt.txt`` (0,0,0,0 = not annotated), ``<name>_frames.txt``."""
    import cv2

    from integration.data.sequences import detect_layout, load_dataset

    seq = tmp_path / "faceocc"
    (seq / "imgs").mkdir(parents=True)
    for i in range(10):
        cv2.imwrite(str(seq / "imgs" / f"img{i:05d}.png"), np.full((24, 32, 3), 10 * i, np.uint8))
    rows = ["5,6,10,8", "0,0,0,0", "0,0,0,0", "6,6,10,8", "0,0,0,0", "0,0,0,0", "7,6,10,8", "0,0,0,0"]
    (seq / "faceocc_gt.txt").write_text("\n".join(rows) + "\n")
    (seq / "faceocc_frames.txt").write_text("2,9\n")
    assert detect_layout(seq) == "otb"
    (s,) = load_dataset(tmp_path).values()
    assert s.name == "faceocc" and len(s.groundtruth) == 8
    assert np.isnan(s.groundtruth[1]).all() and s.groundtruth[3].tolist() == [6, 6, 10, 8]
    assert int(s.frame(0)[0, 0, 0]) == 20  # frames 2..9: the first frame is img00002
    (seq / "faceocc_frames.txt").write_text("two to nine\n")
    with pytest.raises(ValueError, match=r"faceocc_frames\.txt:1: expected two frame numbers"):
        load_dataset(tmp_path)


def _otb_frames(tmp_path, suffix=".jpg"):
    names = write_dataset(tmp_path, layout="otb", n_sequences=1, n_frames=N, size=SIZE)
    seq = load_dataset(tmp_path)[names[0]]
    if suffix == ".png":
        pngs = []
        for p in seq.frames:
            q = p.with_suffix(".png")
            cv2.imwrite(str(q), cv2.imread(str(p)))
            pngs.append(q)
        seq = Sequence(dataclasses.replace(seq.annotation, frames=tuple(pngs)))
    return seq


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_frame_raises_naming_the_file_unless_accepted(tmp_path, suffix):

    seq = _otb_frames(tmp_path, suffix)
    good = seq.frame(3)
    path = seq.frames[3]
    data = path.read_bytes()
    assert image_damage(data) is None
    path.write_bytes(data[: len(data) * 2 // 3])  # a partly copied frame
    kind = "JPEG" if suffix == ".jpg" else "PNG"
    with pytest.raises(FrameReadError, match=rf"{path.name}: frame 4 of sequence .* damaged \(truncated {kind}"):
        seq.frame(3)
    accepting = dataclasses.replace(seq, accept_damaged=True)
    if suffix == ".jpg":  # libjpeg decodes what it has (grey bottom); accepted with a warning naming the file
        with pytest.warns(UserWarning, match=rf"{path.name}: frame 4 .*damaged"):
            img = accepting.frame(3)
        assert img.shape == good.shape
    else:  # libpng cannot decode a truncated image at all: still a FrameReadError naming the file
        with pytest.raises(FrameReadError, match=path.name):
            accepting.frame(3)
    assert seq.frame(2).shape == good.shape  # undamaged frames unaffected
    # zero padding after the end marker is not damage
    assert image_damage(data + b"\0" * 100) is None
    assert image_damage(b"BM not checked") is None


def test_output_folder_write_check(tmp_path):
    from integration.data.sequences import check_output_folder

    check_output_folder(tmp_path / "new" / "out")
    assert (tmp_path / "new" / "out").is_dir() and not list((tmp_path / "new" / "out").iterdir())
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match=r"file/out: output folder is not writable"):
        check_output_folder(tmp_path / "file" / "out")
