"""``siamrpn track`` on bad input (issue 23): a truncated video (case 4), an init box far larger than the frame
and a weights file that is not a pickle (case 10): one line naming the input and the fix, never a traceback."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from integration.cli import main as siamrpn
from tracker.weights import random_model, save_checkpoint


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    root = tmp_path_factory.mktemp("track")
    full = root / "full.avi"
    writer = cv2.VideoWriter(str(full), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    rng = np.random.default_rng(0)
    for _ in range(30):
        writer.write(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8))
    writer.release()
    data = full.read_bytes()
    cut = root / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])  # a download that stopped: the header still says 30 frames
    weights = save_checkpoint(root / "r.pth", random_model(seed=1), "dasiam_otb", {})
    return root, full, cut, weights


def test_truncated_video_fails_with_the_counts_unless_accepted(media, tmp_path, capsys):
    root, full, cut, weights = media
    out = tmp_path / "boxes.txt"
    args = ["track", "--video", str(cut), "--init", "40,30,30,20", "--weights", str(weights), "--output", str(out)]
    assert siamrpn(args) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "siamrpn track: error" in ln]
    assert len(lines) == 1 and "the stream ended after 18 of the 30 frames its container declares" in lines[0]
    assert "--accept-truncated" in lines[0] and "Traceback" not in err
    assert not out.exists()
    assert siamrpn(args + ["--accept-truncated"]) == 0
    err = capsys.readouterr().err
    assert "warning: --video" in err and "18 of the 30 frames" in err and "18 boxes kept" in err
    assert len(out.read_text().splitlines()) == 18
    assert siamrpn(["track", "--video", str(full), "--init", "40,30,30,20", "--weights", str(weights)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_huge_init_box_names_the_box_and_the_frame_size(media, capsys):
    root, full, cut, weights = media
    assert siamrpn(["track", "--video", str(full), "--init", "0,0,100000,100000", "--weights", str(weights)]) == 2
    err = capsys.readouterr().err
    assert "--init 0,0,100000,100000: the box (100000x100000) is larger than the first frame (160x120" in err
    assert "Traceback" not in err and "MemoryError" not in err


def test_weights_file_holding_text_is_one_line(media, tmp_path, capsys):
    root, full, cut, weights = media
    junk = tmp_path / "hello.pth"
    junk.write_bytes(b"hello")
    assert siamrpn(["track", "--video", str(full), "--init", "40,30,30,20", "--weights", str(junk)]) == 2
    err = capsys.readouterr().err
    assert f"{junk}: not a PyTorch weights file (5 bytes starting b'hello'" in err
    assert "KeyError: 101" not in err and "Traceback" not in err
