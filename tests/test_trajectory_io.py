"""Trajectory, time-file and result-folder I/O (analysis.io.trajectories).

Truth used: files written by vot-toolkit 0.7.4 itself (a committed fixture plus live round trips),
the raw published results in ``../shared/data/results`` (DaSiamRPN VOT2018: 60 sequences, 21,356 frames,
59 failures as published; SiamFC VOT2017: MATLAB toolkit layout with 3 runs and ``_time.txt``).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from analysis.core.regions import FrameKind
from analysis.io.trajectories import (
    find_run_files,
    format_region,
    load_tracker_results,
    load_tracker_times,
    parse_region,
    read_times,
    read_trajectory,
    trajectory_arrays,
    trajectory_kinds,
    write_times,
    write_trajectory,
)
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures" / "vot_io"

# the trajectory stored in fixtures/vot_io/written_by_vot074.{bin,txt} (written by vot.region.io.write_trajectory)
EXPECTED = [
    1,
    [10.5, 20.25, 30.0, 40.125],
    [1.0, 2.0, 3.5, 4.0, 5.0, 6.75, 0.5, 7.0],
    2, 0, 0, 0, 0, 1,
    [-3.0, 4.0, 0.0, 2.5],
]


def assert_traj_equal(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        if isinstance(e, int):
            assert isinstance(g, int) and g == e
        else:
            assert isinstance(g, np.ndarray) and g.dtype == np.float64
            np.testing.assert_array_equal(g, e)


# ---------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("text,expected", [
    ("1", 1), ("2", 2), ("0", 0), ("1.0", 1), ("2.0", 2), ("0.0", 0), (" 2 \r", 2),
    ("1,2,3,4", [1, 2, 3, 4]), ("1 2 3 4", [1, 2, 3, 4]), ("1\t2\t3\t4", [1, 2, 3, 4]),
    ("1.5, -2, 3e1, 4", [1.5, -2, 30, 4]), ("1,2,3,4,5,6", [1, 2, 3, 4, 5, 6]),
    ("0,0,10,0,10,10,0,10", [0, 0, 10, 0, 10, 10, 0, 10]),
])
def test_parse_region_accepts(text, expected):
    got = parse_region(text, "f.txt", 3)
    if isinstance(expected, int):
        assert got == expected and isinstance(got, int)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("text,message", [
    ("nan,1,2,3", "non-finite"), ("1,inf,2,3", "non-finite"), ("NaN", "non-finite"),
    ("abc", "not a list of numbers"), ("1,2,x,4", "not a list of numbers"),
    ("1,2,3", "3 values"), ("1,2,3,4,5", "5 values"), ("1,2,3,4,5,6,7", "7 values"),
    ("3", "unknown special code"), ("1.5", "unknown special code"), ("-1", "unknown special code"),
    ("m10,10,3", "mask line needs"), ("m1,2,3,1,9", "cover 9 pixels"), ("", "empty line"),
])
def test_parse_region_rejects_with_file_and_line(text, message):
    with pytest.raises(ValueError, match=message) as err:
        parse_region(text, "results/seq_001.txt", 17)
    assert "results/seq_001.txt:17" in str(err.value)


def test_format_region():
    assert format_region(2) == "2"
    assert format_region(np.array([1.0, 2.5, 3.25, 4.0])) == "1.0000,2.5000,3.2500,4.0000"
    assert format_region(np.array([0.1, 2.0 / 3, 3, 4]), precision=None) == f"0.1,{2.0 / 3!r},3.0,4.0"


# ---------------------------------------------------------------------------------------------- files


def test_read_vot_written_fixtures():
    """Binary and text files written by vot-toolkit 0.7.4 read back as the same trajectory."""
    assert_traj_equal(read_trajectory(FIXTURES / "written_by_vot074.bin"), EXPECTED)
    assert_traj_equal(read_trajectory(FIXTURES / "written_by_vot074.txt"), EXPECTED)


@pytest.mark.toolkit
def test_binary_round_trip_with_vot_toolkit(tmp_path):
    vio = pytest.importorskip("vot.region.io")
    from vot.region import Polygon, Rectangle, Special

    ours = tmp_path / "ours_001.bin"
    write_trajectory(ours, [np.asarray(e, float) if not isinstance(e, int) else e for e in EXPECTED])
    theirs = vio.read_trajectory(str(ours))
    assert [type(r).__name__ for r in theirs] == [
        "Special", "Rectangle", "Polygon", "Special", "Special", "Special", "Special", "Special", "Special",
        "Rectangle"]
    assert theirs[0].code == 1 and theirs[3].code == 2
    assert (theirs[1].x, theirs[1].y, theirs[1].width, theirs[1].height) == (10.5, 20.25, 30.0, 40.125)
    np.testing.assert_array_equal(np.asarray(theirs[2].points()).ravel(), EXPECTED[2])
    # and the reverse direction, with values that are not exact in float32
    src = [Special(1), Rectangle(0.1, 0.2, 10.3, 20.7), Polygon([(0.1, 0.2), (5.3, 0.2), (5.3, 7.9)]), Special(2)]
    path = tmp_path / "vot_001.bin"
    vio.write_trajectory(str(path), src)
    got = read_trajectory(path)
    np.testing.assert_array_equal(got[1], np.float32([0.1, 0.2, 10.3, 20.7]))
    np.testing.assert_array_equal(got[2], np.float32([0.1, 0.2, 5.3, 0.2, 5.3, 7.9]))
    assert got[0] == 1 and got[3] == 2
    # identical bytes to what vot writes for the same regions
    write_trajectory(tmp_path / "again.bin", got)
    assert (tmp_path / "again.bin").read_bytes() == path.read_bytes()


def test_text_round_trip_and_format(tmp_path):
    traj = [1, np.array([1.23456, 2.0, 3.0, 4.5]), np.array([0.5, 1, 2, 1, 2, 3.33333]), 2, 0]
    p = tmp_path / "seq_001.txt"
    write_trajectory(p, traj)
    assert p.read_text() == "1\n1.2346,2.0000,3.0000,4.5000\n0.5000,1.0000,2.0000,1.0000,2.0000,3.3333\n2\n0\n"
    exact = tmp_path / "exact.txt"
    write_trajectory(exact, traj, precision=None)
    got = read_trajectory(exact)
    assert_traj_equal(got, [1, traj[1], traj[2], 2, 0])
    assert not list(tmp_path.glob(".*.tmp"))


def test_text_quirks(tmp_path):
    """CRLF, BOM, trailing blank lines are fine; a blank line inside is an error naming the line."""
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeff1\r\n1,2,3,4\r\n\r\n\n".encode("utf-8"))
    assert_traj_equal(read_trajectory(p), [1, [1, 2, 3, 4]])
    p.write_text("1\n\n1,2,3,4\n")
    with pytest.raises(ValueError, match=r"a\.txt:2: empty line"):
        read_trajectory(p)
    p.write_text("1\n1,2,3,4\n1,2,nan,4\n")
    with pytest.raises(ValueError, match=r"a\.txt:3: non-finite"):
        read_trajectory(p)


def test_binary_errors(tmp_path):
    data = (FIXTURES / "written_by_vot074.bin").read_bytes()
    p = tmp_path / "cut_001.bin"
    p.write_bytes(data[:-3])
    with pytest.raises(ValueError, match=r"cut_001\.bin: truncated binary trajectory at region 10 of 10"):
        read_trajectory(p)
    p.write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match="unexpected bytes"):
        read_trajectory(p)
    import struct
    p.write_bytes(struct.pack("<hI", 1, 1) + struct.pack("<Bff", 4, 1.0, 2.0))
    with pytest.raises(ValueError, match="point regions are not supported"):
        read_trajectory(p)


def test_write_is_atomic(tmp_path, monkeypatch):
    p = tmp_path / "seq_001.txt"
    write_trajectory(p, [1, np.array([1.0, 2, 3, 4])])
    before = p.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_trajectory(p, [1, 2, 0])
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["seq_001.txt"]


def test_write_rejects_bad_regions(tmp_path):
    with pytest.raises(ValueError, match="frame 2: non-finite"):
        write_trajectory(tmp_path / "x.txt", [1, np.array([np.nan, 1, 2, 3])])
    with pytest.raises(ValueError, match="frame 1: unknown special code 7"):
        write_trajectory(tmp_path / "x.bin", [7])
    assert not (tmp_path / "x.txt").exists()


# ---------------------------------------------------------------------------------------------- times


def test_times_round_trip(tmp_path):
    t = np.array([[0.1, 0.2, 0.0], [np.nan, np.nan, 0.0], [0.123456789, 1.5, 0.0]])
    p = tmp_path / "seq_time.txt"
    write_times(p, t)
    assert p.read_text().splitlines()[1] == "NaN,NaN,0"
    np.testing.assert_array_equal(read_times(p), t)
    write_times(tmp_path / "one.value", np.array([0.5, 0.25]))
    np.testing.assert_array_equal(read_times(tmp_path / "one.value"), [[0.5], [0.25]])
    (tmp_path / "bad.txt").write_text("0.1,0.2\n0.3\n")
    with pytest.raises(ValueError, match=r"bad\.txt:2: 1 columns, expected 2"):
        read_times(tmp_path / "bad.txt")
    (tmp_path / "neg.txt").write_text("0.1\n-1\n")
    with pytest.raises(ValueError, match=r"neg\.txt:2"):
        read_times(tmp_path / "neg.txt")


# ---------------------------------------------------------------------------------------------- folders


def _make_results(root: Path) -> None:
    exp = root / "baseline"
    for seq, n in (("alpha", 5), ("beta", 3)):
        d = exp / seq
        for run in (1, 2, 10):
            traj = [1] + [np.array([run, i, 10.0, 10.0]) for i in range(1, n)]
            write_trajectory(d / f"{seq}_{run:03d}.{'bin' if seq == 'alpha' else 'txt'}", traj)
            write_times(d / f"{seq}_{run:03d}_time.value", np.full(n, run / 100))
    write_times(exp / "beta" / "beta_time.txt", np.tile([0.01, 0.02, 0.1, 0.0, 0.0], (3, 1)))


def test_load_tracker_results_layouts(tmp_path):
    _make_results(tmp_path)
    res = load_tracker_results(tmp_path, "baseline")
    assert list(res) == ["alpha", "beta"]
    assert [run[1][0] for run in res["alpha"]] == [1, 2, 10]  # numeric run order
    assert [len(r) for r in res["beta"]] == [3, 3, 3]
    same = load_tracker_results(tmp_path / "baseline", "baseline")  # pointing at the experiment folder
    assert list(same) == ["alpha", "beta"]
    assert list(load_tracker_results(tmp_path, "baseline", sequences=["beta", "gamma"])) == ["beta"]
    times = load_tracker_times(tmp_path, "baseline")
    np.testing.assert_array_equal(times["alpha"][0], [0.01, 0.02, 0.10])  # PYT .value files stacked
    np.testing.assert_array_equal(times["beta"][0], [0.01, 0.02, 0.1])  # LEG csv trimmed to 3 runs
    assert [p.name for p in find_run_files(tmp_path / "baseline" / "beta")] == [
        "beta_001.txt", "beta_002.txt", "beta_010.txt"]


def test_load_tracker_results_errors(tmp_path):
    _make_results(tmp_path)
    (tmp_path / "baseline" / "empty").mkdir()
    with pytest.raises(ValueError, match=r"empty: no result files named empty_001"):
        load_tracker_results(tmp_path, "baseline")
    (tmp_path / "baseline" / "empty").rmdir()
    write_trajectory(tmp_path / "baseline" / "beta" / "beta_002.bin", [1, 2, 0])
    with pytest.raises(ValueError, match="run 2 exists twice"):
        load_tracker_results(tmp_path, "baseline")
    with pytest.raises(FileNotFoundError, match="no 'realtime' folder"):
        load_tracker_results(tmp_path / "nothing", "realtime")


def test_kinds_and_arrays():
    traj = [1, np.zeros(4), np.zeros(8), 2, 0, 0, 0, 0, 1, np.zeros(4)]
    kinds = trajectory_kinds(traj)
    assert kinds.dtype == np.int8
    np.testing.assert_array_equal(kinds, [1, 3, 3, 2, 0, 0, 0, 0, 1, 3])
    assert kinds[1] == FrameKind.TRACKED and kinds[3] == FrameKind.FAILURE
    k2, regions = trajectory_arrays(traj, 10)
    np.testing.assert_array_equal(k2, kinds)
    with pytest.raises(ValueError, match="seq_001.txt: 10 frames in the trajectory, 11 in the ground truth"):
        trajectory_arrays(traj, 11, source="seq_001.txt")


# ---------------------------------------------------------------------------------------------- real data


@pytest.mark.shared
def test_dasiamrpn_vot2018_results():
    """pysot layout, one run per sequence; 59 failures over 21,356 frames (DaSiamRPN README)."""
    res = load_tracker_results(shared_path("results", "VOT2018", "DaSiamRPN"), "baseline")
    assert len(res) == 60 and all(len(runs) == 1 for runs in res.values())
    assert sum(len(runs[0]) for runs in res.values()) == 21356
    failures = sum(int((trajectory_kinds(runs[0]) == FrameKind.FAILURE).sum()) for runs in res.values())
    assert failures == 59
    np.testing.assert_array_equal(res["ants1"][0][1], [129.9982, 472.0081, 24.6704, 60.6127])


@pytest.mark.shared
def test_siamfc_vot2017_matlab_layout():
    root = shared_path("results", "VOT2017", "SiamFC")
    base = load_tracker_results(root, "baseline")
    assert len(base) == 60 and {len(r) for r in base.values()} == {3}
    rt = load_tracker_results(root / "realtime", "realtime")
    assert len(rt) == 60 and {len(r) for r in rt.values()} == {1}
    times = load_tracker_times(root, "baseline")
    t = times["ants1"]
    assert t.shape == (len(base["ants1"][0]), 3)
    np.testing.assert_array_equal(t[0], [0.21775, 0.21411, 0.2153])
    assert read_times(root / "baseline" / "ants1" / "ants1_time.txt").shape[1] == 15
    # the MATLAB toolkit writes NaN exactly for the frames a run skipped (code 0)
    for seq, runs in base.items():
        skipped = np.stack([trajectory_kinds(r) for r in runs], axis=1) == FrameKind.UNKNOWN
        np.testing.assert_array_equal(np.isnan(times[seq]), skipped, err_msg=seq)
    assert np.isnan(times["ants3"]).any()
