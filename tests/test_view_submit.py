"""``siamrpn view`` (tracks drawn over a generated sequence: frame count, size, colours at known pixels, FAIL /
skipped marks, mp4 / gif / html) and ``siamrpn submit`` (GOT-10k and TrackingNet zips: members, bytes, got10k's own
packing, and every error case naming its file)."""
from __future__ import annotations

import json
import re
import shutil
import zipfile

import cv2
import numpy as np
import pytest
from PIL import Image

from integration.cli import main
from integration.data.synthetic import box_to_polygon, write_got10k_sequence, write_vot_sequence
from integration.jobs.submission import SubmissionError, check_got10k
from integration.jobs.view import (
    FAIL_COLOUR,
    GT_COLOUR,
    PALETTE,
    SKIP_COLOUR,
    load_track,
    render_frames,
    resolve_sequence,
)

N = 10
W, H = 160, 120
GT = np.array([60.0, 90.0, 30.0, 20.0])  # right edge x = 90, rows 90..110
BOX_A = np.array([110.0, 70.0, 40.0, 30.0])  # right edge x = 150, rows 70..100
BOX_B = np.array([10.0, 75.0, 30.0, 20.0])  # right edge x = 40, rows 75..95
FAIL_AT = 5  # 0-based: A fails at frame 6, frames 7-8 skipped, re-initialised at frame 9
BACKGROUND = 128


def _bgr(pixel) -> tuple[int, int, int]:
    return tuple(int(v) for v in pixel)


@pytest.fixture
def scene(tmp_path):
    """A flat grey VOT sequence with a fixed GT box, tracker A (VOT polygons + codes 1/2/0) and B (OTB boxes)."""
    frames = [np.full((H, W, 3), BACKGROUND, np.uint8) for _ in range(N)]
    seq_dir = write_vot_sequence(tmp_path / "seq" / "synth", frames, np.tile(GT, (N, 1)), polygon=False, ext="png")
    poly = box_to_polygon(BOX_A[None])[0]
    traj = ["1"] + [",".join(f"{v:g}" for v in poly)] * (FAIL_AT - 1) + ["2", "0", "0", "1"] + [
        ",".join(f"{v:g}" for v in poly)]
    a = tmp_path / "A" / "baseline" / "synth"
    a.mkdir(parents=True)
    (a / "synth_001.txt").write_text("\n".join(traj) + "\n")
    b = tmp_path / "B"
    b.mkdir()
    (b / "synth.txt").write_text(("%g,%g,%g,%g\n" % tuple(BOX_B)) * N)
    return {"seq": seq_dir, "A": tmp_path / "A", "B": b, "root": tmp_path}


def test_rendered_frames_have_each_colour_at_its_box(scene):
    seq = resolve_sequence(scene["seq"])
    a, _ = load_track(scene["A"], seq, "A", colour=PALETTE[0])
    b, _ = load_track(scene["B"], seq, "B", colour=PALETTE[1])
    assert a.kinds.tolist() == [1, 3, 3, 3, 3, 2, 0, 0, 1, 3]
    frames = list(render_frames(seq, [a, b], range(N)))
    assert len(frames) == N and all(f.shape == (H, W, 3) and f.dtype == np.uint8 for f in frames)
    for i, img in enumerate(frames):
        assert _bgr(img[100, 90]) == GT_COLOUR, i
        assert _bgr(img[85, 40]) == PALETTE[1], i
        expected_a = {FAIL_AT: FAIL_COLOUR, FAIL_AT + 1: SKIP_COLOUR, FAIL_AT + 2: SKIP_COLOUR}.get(i, PALETTE[0])
        if i in (0, FAIL_AT + 3):  # initialisation frames: no region in the file, nothing of A drawn
            assert _bgr(img[85, 150]) == (BACKGROUND,) * 3, i
        else:
            assert _bgr(img[85, 150]) == expected_a, i
        assert _bgr(img[110, 120]) == (BACKGROUND,) * 3  # untouched background
    legend = frames[FAIL_AT][:70, :110].astype(int)
    red = (legend[..., 2] > 150) & (legend[..., 1] < 90) & (legend[..., 0] < 90)
    assert red.sum() > 10  # the red "FAIL" in A's legend line
    other = frames[FAIL_AT - 1][:70, :110].astype(int)
    assert ((other[..., 2] > 150) & (other[..., 1] < 90) & (other[..., 0] < 90)).sum() == 0
    scaled = next(render_frames(seq, [a, b], [1], scale=2.0))
    assert scaled.shape == (2 * H, 2 * W, 3) and _bgr(scaled[170, 300]) == PALETTE[0]


def _nearest(pixel, candidates) -> int:
    d = [np.abs(np.asarray(pixel, float) - np.asarray(c, float)).sum() for c in candidates]
    return int(np.argmin(d))


def test_view_mp4_frame_count_size_and_colours(scene, capsys):
    out = scene["root"] / "view.mp4"
    rc = main(["view", "--sequence", str(scene["seq"]), "--results", str(scene["A"]), "--label", "A",
               "--results", str(scene["B"]), "--label", "B", "--out", str(out), "--frames", "2:9"])
    assert rc == 0, capsys.readouterr().err
    assert "8 frames, 160x120" in capsys.readouterr().out
    cap = cv2.VideoCapture(str(out))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    assert len(frames) == 8 and frames[0].shape == (H, W, 3)
    candidates = [PALETTE[0], PALETTE[1], GT_COLOUR, (BACKGROUND,) * 3]
    first = frames[0]  # frame 2: A tracked
    assert _nearest(first[85, 150], candidates) == 0
    assert _nearest(first[85, 40], candidates) == 1
    assert _nearest(first[100, 90], candidates) == 2
    assert _nearest(first[110, 120], candidates) == 3
    assert _nearest(frames[FAIL_AT - 1][85, 150], [FAIL_COLOUR, PALETTE[0], (BACKGROUND,) * 3]) == 0


def test_view_mp4_pads_odd_sizes(scene):
    out = scene["root"] / "odd.mp4"
    assert main(["view", "--sequence", str(scene["seq"]), "--results", str(scene["B"]), "--out", str(out),
                 "--scale", "1.00625", "--frames", ":3"]) == 0  # 161 x 121 frames
    cap = cv2.VideoCapture(str(out))
    ok, img = cap.read()
    assert ok and img.shape == (122, 162, 3)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3


def test_view_gif_opens_with_pillow(scene):
    out = scene["root"] / "view.gif"
    assert main(["view", "--sequence", str(scene["seq"]), "--results", str(scene["A"]), "--results",
                 str(scene["B"]), "--out", str(out), "--scale", "2"]) == 0
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames == N and gif.size == (2 * W, 2 * H)
        gif.seek(1)
        rgb = np.asarray(gif.convert("RGB"))
    assert np.abs(rgb[170, 300].astype(int) - PALETTE[0][::-1]).max() <= 8
    assert np.abs(rgb[170, 80].astype(int) - PALETTE[1][::-1]).max() <= 8


def test_view_html_is_self_contained(scene):
    out = scene["root"] / "viewer" / "synth.html"
    assert main(["view", "--sequence", str(scene["seq"]), "--results", str(scene["A"]), "--label", "A",
                 "--out", str(out)]) == 0
    page = out.read_text()
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert data["name"] == "synth" and len(data["frames"]) == N and data["numbers"] == list(range(1, N + 1))
    assert all(f.startswith("data:image/jpeg;base64,") for f in data["frames"])
    assert data["gt"][0] == GT.tolist()
    assert data["tracks"][0]["label"] == "A" and data["tracks"][0]["colour"] == "#1f77b4"
    assert data["tracks"][0]["regions"][FAIL_AT:FAIL_AT + 4] == [2, 0, 0, 1]
    assert "http://" not in page and "https://" not in page


def test_view_reads_got10k_layout_with_nan_rows(scene):
    seq = resolve_sequence(scene["seq"])
    d = scene["root"] / "G" / "synth"
    d.mkdir(parents=True)
    (d / "synth_001.txt").write_text("1,2,3,4\nnan,nan,nan,nan\n5,6,7,8\n")
    track, notes = load_track(scene["root"] / "G", seq)
    assert track.label == "G" and track.regions[1] is None and track.regions[2].tolist() == [5, 6, 7, 8]
    assert track.kinds[:4].tolist() == [3, -1, 3, -1] and "3 entries for 10 frames" in notes[0]


def test_view_result_name_maps_the_sequence_to_the_files(scene, capsys):
    other = scene["root"] / "R" / "bag"
    other.mkdir(parents=True)
    shutil.copy(scene["A"] / "baseline" / "synth" / "synth_001.txt", other / "bag_001.txt")
    out = scene["root"] / "r.gif"
    assert main(["view", "--sequence", str(scene["seq"]), "--results", str(scene["root"] / "R"), "--result-name",
                 "bag", "--out", str(out), "--frames", "2:3"]) == 0
    assert str(other / "bag_001.txt") in capsys.readouterr().out


@pytest.mark.parametrize("case, needle", [
    ("missing", "folder not found"),
    ("labels", "2 --label for 1 --results"),
    ("range", "has 10 frames"),
    ("bad-range", "expected A:B"),
    ("suffix", "must end in .mp4, .gif or .html"),
    ("no-sequence-file", "--result-name NAME names the sequence as the result files do"),
])
def test_view_errors(scene, capsys, case, needle):
    args = ["view", "--sequence", str(scene["seq"]), "--results", str(scene["A"]), "--out",
            str(scene["root"] / "v.mp4")]
    if case == "missing":
        args[4] = str(scene["root"] / "nowhere")
    elif case == "labels":
        args += ["--label", "x", "--label", "y"]
    elif case == "range":
        args += ["--frames", "5:11"]
    elif case == "bad-range":
        args += ["--frames", "5-11"]
    elif case == "suffix":
        args[-1] = str(scene["root"] / "v.avi")
    elif case == "no-sequence-file":
        (scene["root"] / "E").mkdir()
        (scene["root"] / "E" / "other.txt").write_text("1,2,3,4\n")
        args[4] = str(scene["root"] / "E")
    if case == "bad-range":
        with pytest.raises(SystemExit):
            main(args)
    else:
        assert main(args) == 2
    err = capsys.readouterr().err
    assert needle in err
    if case in ("missing", "no-sequence-file"):
        assert args[4] in err
    assert not (scene["root"] / "v.mp4").exists()


# ----------------------------------------------------------------------------------------------- submissions
GOT_NAMES = ("GOT-10k_Test_000001", "GOT-10k_Test_000002")
GOT_FRAMES = {"GOT-10k_Test_000001": 4, "GOT-10k_Test_000002": 3}


@pytest.fixture
def got(tmp_path):
    """A GOT-10k test subset (first box only) and got10k-style results (2 runs, time file with 2 columns)."""
    test = tmp_path / "data" / "test"
    for name, n in GOT_FRAMES.items():
        frames = [np.full((24, 32, 3), 100, np.uint8)] * n
        write_got10k_sequence(test / name, frames, np.tile([4.0, 5.0, 10.0, 8.0], (n, 1)))
        (test / name / "groundtruth.txt").write_text("4,5,10,8\n")
    (test / "list.txt").write_text("\n".join(GOT_NAMES) + "\n")
    res = tmp_path / "results" / "GOT-10k" / "SiamRPN"
    for name, n in GOT_FRAMES.items():
        (res / name).mkdir(parents=True)
        for r in (1, 2):
            np.savetxt(res / name / f"{name}_{r:03d}.txt", np.tile([4.0 + r, 5.0, 10.0, 8.0], (n, 1)), fmt="%.3f",
                       delimiter=",")
        np.savetxt(res / name / f"{name}_time.txt", np.full((n, 2), 0.02), fmt="%.8f", delimiter=",")
    return {"test": test, "results": res, "root": tmp_path}


def test_submit_got10k_zip(got, capsys):
    out = got["root"] / "sub" / "SiamRPN.zip"
    rc = main(["submit", "got10k", "--results", str(got["results"]), "--out", str(out), "--annotations",
               str(got["test"])])
    assert rc == 0, capsys.readouterr().err
    assert "2 sequences, 6 files" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == sorted(f"{s}/{s}_{k}.txt" for s in GOT_NAMES for k in ("001", "002", "time"))
        for name in names:
            assert zf.read(name) == (got["results"] / name).read_bytes()
        assert zf.read(f"{GOT_NAMES[0]}/{GOT_NAMES[0]}_001.txt").decode().splitlines()[0] == \
            "5.000,5.000,10.000,8.000"
    # got10k 0.1.3's own packing (ExperimentGOT10k.report -> utils.ioutils.compress = shutil.make_archive of the
    # tracker's result folder) gives the same files, plus directory entries
    from got10k.utils.ioutils import compress

    compress(str(got["results"]), str(got["root"] / "g10"))
    with zipfile.ZipFile(got["root"] / "g10.zip") as zf:
        theirs = sorted(n for n in zf.namelist() if not n.endswith("/"))
    assert theirs == names
    first = out.read_bytes()
    assert main(["submit", "got10k", "--results", str(got["results"]), "--out", str(out)]) == 0
    assert out.read_bytes() == first  # deterministic bytes


def test_submit_got10k_check_without_annotations_compares_lengths(got):
    name = GOT_NAMES[1]
    (got["results"] / name / f"{name}_002.txt").write_text("1,2,3,4\n")
    with pytest.raises(SubmissionError) as exc:
        check_got10k(got["results"])
    assert len(exc.value.problems) == 1 and f"{name}_002.txt 1" in exc.value.problems[0]


def _break_got(got, case):
    res, a, b = got["results"], GOT_NAMES[0], GOT_NAMES[1]
    if case == "time":
        (res / a / f"{a}_time.txt").unlink()
        return res / a / f"{a}_time.txt"
    if case == "lines":
        (res / a / f"{a}_002.txt").write_text("5,5,10,8\n" * 3)
        return f"{res / a / f'{a}_002.txt'}: 3 lines but the sequence has 4 frames"
    if case == "text":
        (res / a / f"{a}_001.txt").write_text("5,5,10,8\n5,5,ten,8\n5,5,10,8\n5,5,10,8\n")
        return f"{res / a / f'{a}_001.txt'}:2:"
    if case == "negative":
        (res / b / f"{b}_001.txt").write_text("5,5,10,8\n5,5,-1,8\n5,5,10,8\n")
        return f"{res / b / f'{b}_001.txt'}:2: negative width"
    if case == "missing":
        shutil.rmtree(res / b)
        return f"{res / b / f'{b}_001.txt'}: missing"
    if case == "extra":
        shutil.copytree(res / b, res / "GOT-10k_Test_000003")
        return "'GOT-10k_Test_000003' is not a sequence of --annotations"
    if case == "gap":
        (res / a / f"{a}_002.txt").rename(res / a / f"{a}_003.txt")
        return f"{a}_002.txt missing"
    if case == "time-text":
        (res / b / f"{b}_time.txt").write_text("0.1,0.1\n0.1,x\n0.1,0.1\n")
        return f"{res / b / f'{b}_time.txt'}:2:"
    if case == "binary":
        (res / b / f"{b}_001.txt").write_bytes(b"\x00\x01\x02")
        return f"{res / b / f'{b}_001.txt'}:1: not a text result file"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["time", "lines", "text", "negative", "missing", "extra", "gap", "time-text",
                                  "binary"])
def test_submit_got10k_errors_name_the_file(got, capsys, case):
    needle = str(_break_got(got, case))
    out = got["root"] / "SiamRPN.zip"
    out.write_bytes(b"old")
    rc = main(["submit", "got10k", "--results", str(got["results"]), "--out", str(out), "--annotations",
               str(got["test"])])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and "nothing packed" in err
    assert out.read_bytes() == b"old"  # nothing written


@pytest.fixture
def tnet(tmp_path):
    """Three one-sequence TrackingNet-like results (<seq>.txt) and an OTB-layout test set giving frame counts."""
    data = tmp_path / "data"
    res = tmp_path / "res"
    res.mkdir()
    counts = {"Aa_1": 3, "Bb_2": 2, "Cc_3": 4}
    for name, n in counts.items():
        frames = [np.full((24, 32, 3), 90, np.uint8)] * n
        write_vot_sequence(data / name, frames, np.tile([1.0, 2.0, 5.0, 6.0], (n, 1)), polygon=False, ext="png")
        (res / f"{name}.txt").write_text("".join(f"{i}.5,2,5,6\n" for i in range(n)))
    (res / "Aa_1_time.txt").write_text("0.1\n" * 3)
    (res / "times").mkdir()
    return {"data": data, "results": res, "root": tmp_path, "counts": counts}


def test_submit_trackingnet_zip(tnet, capsys):
    out = tnet["root"] / "tnet.zip"
    rc = main(["submit", "trackingnet", "--results", str(tnet["results"]), "--out", str(out), "--annotations",
               str(tnet["data"])])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "Aa_1_time.txt" in captured.err and "times" in captured.err  # named as not packed
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["Aa_1.txt", "Bb_2.txt", "Cc_3.txt"]
        assert zf.read("Bb_2.txt") == b"0.5,2,5,6\n1.5,2,5,6\n"
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zf.infolist())


@pytest.mark.parametrize("case", ["lines", "spaces", "missing", "extra", "empty", "nan"])
def test_submit_trackingnet_errors_name_the_file(tnet, capsys, case):
    res = tnet["results"]
    if case == "lines":
        (res / "Cc_3.txt").write_text("1,2,5,6\n" * 5)
        needle = f"{res / 'Cc_3.txt'}: 5 lines but the sequence has 4 frames"
    elif case == "spaces":
        (res / "Bb_2.txt").write_text("1,2,5,6\n1 2 5 6\n")
        needle = f"{res / 'Bb_2.txt'}:2: '1 2 5 6' is not four comma-separated numbers"
    elif case == "missing":
        (res / "Bb_2.txt").unlink()
        needle = f"{res / 'Bb_2.txt'}: missing"
    elif case == "extra":
        (res / "Dd_4.txt").write_text("1,2,5,6\n")
        needle = f"{res / 'Dd_4.txt'}: 'Dd_4' is not a sequence of --annotations"
    elif case == "empty":
        (res / "Aa_1.txt").write_text("")
        needle = f"{res / 'Aa_1.txt'}: empty result file"
    else:
        (res / "Aa_1.txt").write_text("1,2,5,6\nnan,2,5,6\n1,2,5,6\n")
        needle = f"{res / 'Aa_1.txt'}:2:"
    out = tnet["root"] / "tnet.zip"
    rc = main(["submit", "trackingnet", "--results", str(res), "--out", str(out), "--annotations", str(tnet["data"])])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err, err
    assert not out.exists()


def test_submit_refuses_a_non_zip_output(tnet, capsys):
    assert main(["submit", "trackingnet", "--results", str(tnet["results"]), "--out",
                 str(tnet["root"] / "x.tar")]) == 2
    assert "must be a .zip file" in capsys.readouterr().err
