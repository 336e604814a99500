"""VOT folder and pysot JSON annotation loaders, and ``load_annotations`` auto-detection.

Truth used: the real VOT2018 JSON (60 sequences, 21,356 frames, ``VOT2018.list.txt`` order), the real
``sequences/bag`` folder whose ground truth equals ``VOT2018.json['bag']`` (MANIFEST), image sizes stated in
MANIFEST (bag 480x360, book 640x480, VOTTIR horse 324x256), and small generated datasets whose contents the
tests write themselves.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from analysis.io.load import load_annotations
from analysis.io.pysot import load_pysot_json
from analysis.io.vot import load_vot_folder, read_groundtruth
from tests.conftest import shared_path

POLY = "1,1,9,1,9,5,1,5"


def _image(path: Path, size=(12, 8)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (10, 20, 30)).save(path)


def _sequence(folder: Path, n: int, layout: str, gt_lines: list[str] | None = None, size=(12, 8)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "groundtruth.txt").write_text("\n".join(gt_lines or [POLY] * n) + "\n")
    if layout == "default":
        (folder / "sequence").write_text("channels.color=color/%08d.jpg\nfps=25\nformat=default\n")
        frame_dir = folder / "color"
    elif layout == "color":
        frame_dir = folder / "color"
    else:
        frame_dir = folder
    for i in range(1, n + 1):
        _image(frame_dir / f"{i:08d}.jpg", size)


@pytest.fixture
def vot_dataset(tmp_path):
    root = tmp_path / "vot"
    _sequence(root / "first", 4, "default", size=(16, 10))
    (root / "first" / "camera_motion.tag").write_text("1\n0\n1\n")  # shorter than 4 frames: padded
    (root / "first" / "occlusion.label").write_text("0\n0\n0\n1\n")
    _sequence(root / "second", 3, "legacy", gt_lines=["0,0,5,5", "1,1,0,0", "2,2,5,5"])
    (root / "list.txt").write_text("second\nfirst\n\n")
    return root


def test_vot_folder_layouts(vot_dataset):
    seqs = load_vot_folder(vot_dataset)
    assert list(seqs) == ["second", "first"]  # list.txt order
    first, second = seqs["first"], seqs["second"]
    assert first.groundtruth.shape == (4, 8) and first.fps == 25.0
    assert (first.width, first.height) == (16, 10)  # from the first frame's header
    assert first.frames[0] == (vot_dataset / "first" / "color" / "00000001.jpg").resolve()
    np.testing.assert_array_equal(first.tags["camera_motion"], [True, False, True, False])
    np.testing.assert_array_equal(first.tags["occlusion"], [False, False, False, True])
    # legacy layout: frames in the folder itself, 30 fps default; zero-area row kept as is
    assert second.frames[2].name == "00000003.jpg" and second.fps == 30.0
    np.testing.assert_array_equal(second.groundtruth[1], [1, 1, 0, 0])
    assert (second.width, second.height) == (12, 8)
    # a single sequence folder and a vot-toolkit workspace
    assert list(load_vot_folder(vot_dataset / "first")) == ["first"]
    ws = vot_dataset.parent / "ws"
    (ws / "sequences").mkdir(parents=True)
    _sequence(ws / "sequences" / "s1", 2, "color")
    (ws / "sequences" / "list.txt").write_text("s1\n")
    assert list(load_annotations(ws)) == ["s1"]


def test_sequence_file_overrides(tmp_path):
    seq = tmp_path / "s"
    _sequence(seq, 2, "default")
    (seq / "sequence").write_text("channels.color=color/%08d.jpg\nfps=20\nwidth=640\nheight=480\n")
    ann = load_vot_folder(seq)["s"]
    assert (ann.width, ann.height, ann.fps) == (640, 480, 20.0)  # metadata wins over the image header


@pytest.mark.parametrize("lines,message", [
    (["1,2,3,4", "1,2,3"], r"groundtruth\.txt:2: 3 values"),
    (["1,2,3,4", "nan,2,3,4"], r"groundtruth\.txt:2: non-finite"),
    (["1,2,3,4", POLY], r"groundtruth\.txt:2: 8 values, but line 1 has 4"),
    (["1,2,3,4", "2"], r"groundtruth\.txt:2: a special code"),
    (["1,2,3,4", "1;2;3;4"], r"groundtruth\.txt:2: not a list of numbers"),
])
def test_groundtruth_errors(tmp_path, lines, message):
    (tmp_path / "groundtruth.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=message):
        read_groundtruth(tmp_path / "groundtruth.txt")


def test_folder_errors(vot_dataset):
    (vot_dataset / "list.txt").write_text("second\nmissing\n")
    with pytest.raises(ValueError, match=r"list\.txt:2: sequence folder .*missing not found"):
        load_vot_folder(vot_dataset)
    (vot_dataset / "missing").mkdir()
    with pytest.raises(ValueError, match=r"list\.txt:2: .*missing has no groundtruth\.txt"):
        load_vot_folder(vot_dataset)
    (vot_dataset / "list.txt").write_text("first\n")
    (vot_dataset / "first" / "occlusion.label").write_text("0\nyes\n")
    with pytest.raises(ValueError, match=r"occlusion\.label:2: expected 0 or 1"):
        load_vot_folder(vot_dataset)
    (vot_dataset / "first" / "occlusion.label").write_text("0\n0\n0\n0\n1\n")
    with pytest.raises(ValueError, match=r"occlusion\.label: 5 lines for a sequence of 4 frames"):
        load_vot_folder(vot_dataset)
    (vot_dataset / "first" / "occlusion.label").unlink()
    (vot_dataset / "first" / "color" / "00000004.jpg").unlink()
    with pytest.raises(ValueError, match=r"4 ground-truth regions but frame .*00000004\.jpg does not exist"):
        load_vot_folder(vot_dataset)
    with pytest.raises(ValueError, match="not a VOT dataset"):
        load_vot_folder(vot_dataset / "first" / "color")


def _pysot_json(path: Path, seqs: dict) -> Path:
    path.write_text(json.dumps(seqs))
    return path


def test_pysot_json_generated(tmp_path):
    img_root = tmp_path / "images"
    _image(img_root / "a" / "color" / "00000001.jpg", (20, 14))
    data = {
        "a": {"video_dir": "a", "init_rect": [1, 1, 5, 5], "img_names": ["a/color/00000001.jpg", "a/color/00000002.jpg"],
              "gt_rect": [[1, 1, 5, 5], [2, 2, 5, 5]], "camera_motion": [0, 1], "occlusion": []},
    }
    p = _pysot_json(tmp_path / "mini.json", data)
    ann = load_pysot_json(p)["a"]
    assert ann.groundtruth.shape == (2, 4) and (ann.width, ann.height) == (0, 0)
    assert ann.frames[1] == Path("a/color/00000002.jpg")
    np.testing.assert_array_equal(ann.tags["camera_motion"], [False, True])
    np.testing.assert_array_equal(ann.tags["occlusion"], [False, False])
    rooted = load_pysot_json(p, image_root=img_root)["a"]
    assert (rooted.width, rooted.height) == (20, 14) and rooted.frames[0] == img_root / "a/color/00000001.jpg"

    bad = dict(a=dict(data["a"], gt_rect=[[1, 1, 5, 5], [float("nan"), 2, 5, 5]]))
    with pytest.raises(ValueError, match=r"sequence 'a': gt_rect frame 2 is not finite"):
        load_pysot_json(_pysot_json(tmp_path / "nan.json", bad))
    bad = dict(a=dict(data["a"], gt_rect=[[1, 1, 5, 5], [1, 2, 3, 4, 5, 6, 7, 8]]))
    with pytest.raises(ValueError, match=r"found lengths \[4, 8\]"):
        load_pysot_json(_pysot_json(tmp_path / "mixed.json", bad))
    bad = dict(a=dict(data["a"], img_names=["x.jpg"]))
    with pytest.raises(ValueError, match="1 img_names but 2 gt_rect rows"):
        load_pysot_json(_pysot_json(tmp_path / "names.json", bad))
    bad = dict(a=dict(data["a"], camera_motion=[0, 1, 1]))
    with pytest.raises(ValueError, match="tag 'camera_motion' must hold at most 2 values"):
        load_pysot_json(_pysot_json(tmp_path / "tags.json", bad))
    (tmp_path / "broken.json").write_text('{"a": {\n"gt_rect": [1, 2,\n')
    with pytest.raises(ValueError, match=r"broken\.json:\d+: invalid JSON"):
        load_pysot_json(tmp_path / "broken.json")


def test_load_annotations_detects_got10k(tmp_path):
    seq = tmp_path / "val" / "GOT-10k_Val_000001"
    _sequence(seq, 2, "legacy", gt_lines=["1,1,4,4", "2,2,4,4"])
    (seq / "meta_info.ini").write_text("[METAINFO]\nresolution: (12, 8)\n")
    (seq / "cover.label").write_text("8\n7\n")
    (seq / "absence.label").write_text("0\n0\n")
    (tmp_path / "val" / "list.txt").write_text("GOT-10k_Val_000001\n")
    out = load_annotations(tmp_path)
    assert list(out) == ["GOT-10k_Val_000001"]
    np.testing.assert_array_equal(out["GOT-10k_Val_000001"].tags["cover"], [8, 7])  # GOT-10k loader's labels


@pytest.mark.shared
def test_real_vot2018_json():
    path = shared_path("annotations", "VOT2018.json")
    seqs = load_annotations(path)
    order = shared_path("annotations", "VOT2018.list.txt").read_text().split()
    assert list(seqs) == order and len(seqs) == 60
    assert sum(len(s) for s in seqs.values()) == 21356
    # polygons everywhere except conduction1, whose ground truth is stored as x,y,w,h rectangles
    assert {k for k, s in seqs.items() if s.groundtruth.shape[1] != 8} == {"conduction1"}
    assert seqs["conduction1"].groundtruth.shape[1] == 4
    bag = seqs["bag"]
    assert (bag.width, bag.height) == (480, 360)
    raw = json.loads(path.read_text())
    assert int(bag.tags["camera_motion"].sum()) == sum(raw["bag"]["camera_motion"])
    assert raw["ball1"]["occlusion"] == [] and not seqs["ball1"].tags["occlusion"].any()
    assert seqs["ball1"].tags["occlusion"].shape == (105,)


@pytest.mark.shared
def test_real_sequence_folders_match_json():
    js = load_pysot_json(shared_path("annotations", "VOT2018.json"))
    for folder, key, size in (("bag", "bag", (480, 360)), ("VOT_book", "book", (640, 480))):
        (ann,) = load_annotations(shared_path("sequences", folder)).values()
        np.testing.assert_array_equal(ann.groundtruth, js[key].groundtruth)
        assert (ann.width, ann.height) == size == (js[key].width, js[key].height)
        assert len(ann.frames) == len(ann) and all(p.is_file() for p in ann.frames)
    (horse,) = load_vot_folder(shared_path("sequences", "VOTTIR_horse")).values()
    assert horse.groundtruth.shape == (348, 8) and (horse.width, horse.height) == (324, 256)
    assert horse.frames[0].suffix == ".png"


@pytest.mark.shared
def test_otb_sources_are_delegated():
    otb_json = shared_path("annotations", "OTB2015.json")
    with pytest.raises(ValueError, match="OTB JSON"):
        load_pysot_json(otb_json)
    otb = load_annotations(otb_json)
    assert len(otb) == 100 and all(a.groundtruth.shape[1] == 4 for a in otb.values())
    (crossing,) = load_annotations(shared_path("sequences", "OTB_Crossing")).values()
    assert crossing.groundtruth.shape == (120, 4) and (crossing.width, crossing.height) == (360, 240)


def test_json_ground_truth_row_that_is_a_string_named(tmp_path):
    """pysot and OTB JSON: a gt_rect row written as a string names file, sequence and row."""
    from analysis.io.otb import load_otb_json

    data = {"a": {"video_dir": "a", "img_names": ["1.jpg", "2.jpg"], "gt_rect": [[1, 1, 5, 5], "1,2,5,5"],
                  "width": 20, "height": 10}}
    p = _pysot_json(tmp_path / "str.json", data)
    with pytest.raises(ValueError, match=r"str\.json: sequence 'a': gt_rect row 2 \(frame 2\) is a string '1,2,5,5'"):
        load_pysot_json(p)
    otb = {"Ab": {"name": "Ab", "image_files": ["0001.jpg", "0002.jpg"], "gt_rect": ["3 4 5 6", [1, 2, 3, 4]]}}
    (tmp_path / "otb.json").write_text(json.dumps(otb))
    with pytest.raises(ValueError, match=r"otb\.json: sequence 'Ab': gt_rect row 1 \(frame 1\) is a string '3 4 5 6'"):
        load_otb_json(tmp_path / "otb.json")
    data["a"]["gt_rect"] = [[1, 1, 5, 5], [1, "x", 5, 5]]
    with pytest.raises(ValueError, match=r"gt_rect row 2 \(frame 2\) holds a non-number 'x'"):
        load_pysot_json(_pysot_json(tmp_path / "x.json", data))


def test_json_width_height_not_a_number_named(tmp_path):
    data = {"a": {"video_dir": "a", "img_names": ["1.jpg"], "gt_rect": [[1, 1, 5, 5]], "width": "wide",
                  "height": 10}}
    with pytest.raises(ValueError, match=r"w\.json: sequence 'a': 'width' must be a whole number of pixels, got 'wide'"):
        load_pysot_json(_pysot_json(tmp_path / "w.json", data))
