"""``siamrpn track`` end to end: exact trajectory with a saved template-matcher checkpoint, and clear failures."""
import cv2
import numpy as np
import pytest

from integration.cli import main
from tests.fixtures.tracker.matcher import make_tracker, square_scene
from tracker.weights import save_checkpoint


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    frames, corners = square_scene(6, seed=13)
    trk = make_tracker(frames, corners)
    ckpt = save_checkpoint(root / "matcher.pth", trk.model, trk.cfg, {"what": "hand-set template matcher"})
    fdir = root / "frames"
    fdir.mkdir()
    for i, f in enumerate(frames):
        cv2.imwrite(str(fdir / f"{i + 1:08d}.png"), f)
    return root, fdir, ckpt, corners


def test_track_frames_exact(scene, tmp_path):
    root, fdir, ckpt, corners = scene
    out = tmp_path / "boxes.txt"
    x, y = corners[0]
    vis = tmp_path / "vis.mp4"
    rc = main(["track", "--frames", str(fdir), "--init", f"{x},{y},64,64", "--weights", str(ckpt),
               "--output", str(out), "--visualize", str(vis)])
    assert rc == 0
    boxes = np.loadtxt(out, delimiter=",")
    assert boxes.shape == (6, 4)
    assert boxes[0].tolist() == [x, y, 64, 64]
    expect = np.column_stack([corners[1:] - 0.5, np.full((5, 2), 64.0)])
    assert np.allclose(boxes[1:], expect, atol=1e-3)
    cap = cv2.VideoCapture(str(vis))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6


def test_track_video_random_weights(tmp_path, capsys):
    vid = tmp_path / "v.avi"
    w = cv2.VideoWriter(str(vid), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    rng = np.random.default_rng(0)
    for _ in range(4):
        w.write(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8))
    w.release()
    from tracker.weights import random_model
    ck = save_checkpoint(tmp_path / "r.pth", random_model(seed=1), "dasiam_otb", {})
    assert main(["track", "--video", str(vid), "--init", "40,30,30,20", "--weights", str(ck)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and lines[0] == "40.0000,30.0000,30.0000,20.0000"


@pytest.mark.parametrize("case", ["empty", "unreadable", "outside", "badweights", "badinit", "novideo"])
def test_track_failures(scene, tmp_path, capsys, case):
    root, fdir, ckpt, corners = scene
    args = ["track", "--frames", str(fdir), "--init", "224,224,64,64", "--weights", str(ckpt)]
    if case == "empty":
        (tmp_path / "empty").mkdir()
        args[2], expect = str(tmp_path / "empty"), "no image files"
    elif case == "unreadable":
        bad = tmp_path / "bad"
        bad.mkdir()
        cv2.imwrite(str(bad / "0001.png"), np.zeros((300, 300, 3), np.uint8))
        (bad / "0002.png").write_bytes(b"garbage")
        args[2], args[4], expect = str(bad), "10,10,50,50", "0002.png: cannot read"
    elif case == "outside":
        args[4], expect = "600,10,20,20", "outside the first frame"
    elif case == "badweights":
        junk = tmp_path / "junk.pth"
        junk.write_bytes(b"\x00\x01 nope")
        args[6], expect = str(junk), "junk.pth: cannot read"
    elif case == "badinit":
        args[4], expect = "1,2,3", "four"
    else:
        args[1:3], expect = ["--video", str(tmp_path / "none.mp4")], "file not found"
    assert main(args) == 2
    assert expect in capsys.readouterr().err
