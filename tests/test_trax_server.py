"""TraX server (``integration.toolkits.trax_server``) driven by the real TraX client of ``vot-trax``.

The server runs as a subprocess exactly as vot-toolkit starts it (stdin/stdout pipes, stderr merged into the
log). Trackers here are small test doubles built by factories in this module; SiamRPN itself runs over TraX
in ``test_vot_toolkit_e2e.py``.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

trax = pytest.importorskip("trax", reason="vot-trax is not installed (optional group `toolkits`)")
from trax import FileImage, Polygon, Rectangle, TraxException  # noqa: E402
from trax.client import Client  # noqa: E402

from analysis.core.regions import area_preserving_rect  # noqa: E402
from integration.toolkits.trax_server import ServerError, resolve_settings, validate_region  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------ test trackers
class EchoTracker:
    """Reports the box it was initialised with; logs what it received on stderr (the TraX log)."""

    def __init__(self) -> None:
        print("ECHO-BUILT", file=sys.stderr, flush=True)
        self.inits = 0

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        self.inits += 1
        region = np.asarray(region, dtype=np.float64)
        print(f"ECHO-INIT n={self.inits} pid={os.getpid()} values={region.size} shape={image.shape} "
              f"pixel={image[0, 0].tolist()}", file=sys.stderr, flush=True)
        if region.size == 4:
            self.box = region
        else:
            pts = region.reshape(-1, 2)
            self.box = np.r_[pts.min(axis=0), pts.max(axis=0) - pts.min(axis=0)]

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        self.box = self.box + np.array([1.0, 0.0, 0.0, 0.0])
        return self.box, 0.25


class FailingTracker(EchoTracker):
    """Raises on the second update after each initialisation."""

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        self.updates = getattr(self, "updates", 0) + 1
        if self.updates >= 2:
            raise RuntimeError("synthetic tracker failure")
        return super().update(image)


def broken_factory() -> EchoTracker:
    raise OSError("weights file is unreadable")


# ------------------------------------------------------------------------------------------ helpers
def write_frames(folder: Path, n: int = 3) -> list[str]:
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        img = np.full((60, 80, 3), 40 * i, dtype=np.uint8)
        img[0, 0] = (255, 0, 0)  # pure blue in BGR at the corner, checked by EchoTracker
        p = folder / f"{i + 1:08d}.png"  # lossless, so the pixel survives
        cv2.imwrite(str(p), img)
        paths.append(str(p))
    return paths


class Session:
    """A server subprocess plus a TraX client, like vot-toolkit's TrackerProcess."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        environ = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        environ.update(env or {})
        self.proc = subprocess.Popen([sys.executable, "-m", "integration.cli.trax", *args], cwd="/",
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=environ)
        self.chunks: list[str] = []
        self.client = Client(stream=(self.proc.stdin.fileno(), self.proc.stdout.fileno()), log=self.chunks.append)

    @property
    def log(self) -> str:
        return "".join(self.chunks)

    def initialize(self, path: str, region) -> tuple[float, ...]:
        state, _ = self.client.initialize({"color": FileImage.create(path)}, [(region, {})], {})
        return state[0][0].bounds()

    def frame(self, path: str) -> tuple[tuple[float, ...], dict]:
        state, _ = self.client.frame({"color": FileImage.create(path)}, {}, [])
        return state[0][0].bounds(), state[0][1]

    def finish(self, timeout: float = 20) -> int:
        return self.proc.wait(timeout)


FACTORY = "tests.test_trax_server:EchoTracker"


# ------------------------------------------------------------------------------------------ protocol tests
def test_polygon_and_rectangle_regions_reinit_in_process_and_quit(tmp_path):
    frames = write_frames(tmp_path)
    s = Session("--factory", FACTORY)
    # the tracker was built before the handshake: its stderr line precedes the TraX hello in the log
    assert s.log.index("ECHO-BUILT") < s.log.index("@@TRAX:hello")
    assert "trax.region=rectangle;polygon;mask;" in s.log  # all three formats announced

    # polygon initialisation reaches the tracker as 8 values (raw mode); the reply is its bounding box
    poly = Polygon.create([(10.0, 10.0), (50.0, 10.0), (50.0, 30.0), (10.0, 30.0)])
    assert s.initialize(frames[0], poly) == pytest.approx((10, 10, 40, 20))
    box, props = s.frame(frames[1])
    assert box == pytest.approx((11, 10, 40, 20))
    assert float(props["confidence"]) == pytest.approx(0.25)

    # re-initialisation with a rectangle, in the same process
    assert s.initialize(frames[0], Rectangle.create(5, 6, 7, 8)) == pytest.approx((5, 6, 7, 8))
    assert s.frame(frames[2])[0] == pytest.approx((6, 6, 7, 8))
    s.client.quit()
    assert s.finish() == 0
    log = s.log
    inits = [ln for ln in log.splitlines() if ln.startswith("ECHO-INIT")]
    assert len(inits) == 2 and "n=1" in inits[0] and "n=2" in inits[1]
    assert "values=8" in inits[0] and "values=4" in inits[1]
    assert len({ln.split("pid=")[1].split()[0] for ln in inits}) == 1  # one process
    assert "pixel=[255, 0, 0]" in inits[0]  # BGR order as cv2 reads it


def test_box_mode_gives_area_preserving_box(tmp_path):
    frames = write_frames(tmp_path, 2)
    s = Session("--factory", FACTORY, env={"SIAMRPN_TRAX_INIT": "box"})
    # square of side 10 rotated 45 degrees around (50, 50): area 100, bounding box 14.142 wide
    r = 50 ** 0.5
    poly = Polygon.create([(50.0, 50.0 - r), (50.0 + r, 50.0), (50.0, 50.0 + r), (50.0 - r, 50.0)])
    s.initialize(frames[0], poly)
    # the tracker got [45, 45, 11, 11] (see the hand computation below) and moves it by +1 in x
    assert s.frame(frames[1])[0] == pytest.approx((46, 45, 11, 11), abs=1e-3)
    s.client.quit()
    assert s.finish() == 0
    assert "values=4" in s.log


def test_area_preserving_box_hand_computed():
    r = 50 ** 0.5
    poly = np.array([50, 50 - r, 50 + r, 50, 50, 50 + r, 50 - r, 50])
    # s = sqrt(100 / 200); w = h = s * 2r + 1 = 11; centred on (50, 50)
    assert area_preserving_rect(poly) == pytest.approx([45.0, 45.0, 11.0, 11.0])
    # an axis-aligned rectangle polygon keeps its size (+1: pysot's pixel-count convention)
    assert area_preserving_rect(np.array([10, 10, 50, 10, 50, 30, 10, 30])) == pytest.approx([10, 10, 41, 21])


def test_region_validation_messages():
    with pytest.raises(ServerError, match="w,h > 0"):
        validate_region(np.array([1, 2, 0, 5]))
    with pytest.raises(ServerError, match="non-finite"):
        validate_region(np.array([1, 2, np.nan, 5, 6, 7]))
    with pytest.raises(ServerError, match="4 values or a polygon"):
        validate_region(np.array([1, 2, 3]))
    assert validate_region(np.array([1, 2, 3, 4])).tolist() == [1, 2, 3, 4]


def test_settings_cli_over_environment():
    import argparse

    env = {"SIAMRPN_TRAX_TRACKER": "csrt", "SIAMRPN_WEIGHTS": "random:3", "SIAMRPN_TRAX_DEVICE": "cpu"}
    st = resolve_settings(argparse.Namespace(tracker=None, factory=None, weights=None, device=None, init=None), env)
    assert (st.tracker, st.weights, st.device, st.init) == ("csrt", "random:3", "cpu", "raw")
    st = resolve_settings(argparse.Namespace(tracker="kcf", factory=None, weights="w.pth", device=None, init="box"), env)
    assert (st.tracker, st.weights, st.init) == ("kcf", "w.pth", "box")
    with pytest.raises(ServerError, match="raw' or 'box"):
        resolve_settings(None, {"SIAMRPN_TRAX_INIT": "bbox"})


# ------------------------------------------------------------------------------------------ bad input
def test_missing_frame_reported_to_client_and_log(tmp_path):
    frames = write_frames(tmp_path, 1)
    s = Session("--factory", FACTORY)
    s.initialize(frames[0], Rectangle.create(5, 6, 7, 8))
    missing = str(tmp_path / "00000099.png")
    with pytest.raises(TraxException, match="frame file does not exist: .*00000099.png"):
        s.frame(missing)
    assert s.finish() == 1
    assert f"trax_server: frame file does not exist: {missing}" in s.log


def test_corrupt_frame_reported(tmp_path):
    write_frames(tmp_path, 1)
    bad = tmp_path / "corrupt.jpg"
    bad.write_bytes(b"this is not a jpeg")
    s = Session("--factory", FACTORY)
    with pytest.raises(TraxException, match="cannot decode frame.*corrupt.jpg"):
        s.initialize(str(bad), Rectangle.create(5, 6, 7, 8))
    assert s.finish() == 1
    assert "trax_server: cannot decode frame" in s.log


def test_unusable_region_reported(tmp_path):
    frames = write_frames(tmp_path, 1)
    s = Session("--factory", FACTORY)
    with pytest.raises(TraxException, match="cannot use the initial rectangle"):
        s.initialize(frames[0], Rectangle.create(5, 6, 0, 8))
    assert s.finish() == 1
    assert "trax_server: cannot use the initial rectangle" in s.log


def test_tracker_exception_reported_with_traceback(tmp_path):
    frames = write_frames(tmp_path, 3)
    s = Session("--factory", "tests.test_trax_server:FailingTracker")
    s.initialize(frames[0], Rectangle.create(5, 6, 7, 8))
    s.frame(frames[1])
    with pytest.raises(TraxException, match="tracker failed: RuntimeError: synthetic tracker failure"):
        s.frame(frames[2])
    assert s.finish() == 1
    assert "Traceback" in s.log and "trax_server: tracker failed: RuntimeError" in s.log


def test_broken_pipe_exits_cleanly(tmp_path):
    """The client vanishes mid-session without ``quit`` (plain-text TraX, so no client object holds the pipe)."""
    frames = write_frames(tmp_path, 1)
    proc = subprocess.Popen([sys.executable, "-m", "integration.cli.trax", "--factory", FACTORY], cwd="/",
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1"))
    seen = b""
    while b"@@TRAX:hello" not in seen:
        line = proc.stdout.readline()
        assert line, f"server exited before the handshake: {seen!r}"
        seen += line
    # TraX 4 as vot-trax writes it: the objects, then the image list of the initialisation frame
    proc.stdin.write(f'@@TRAX:initialize "5,6,7,8" \n@@TRAX:frame "file://{frames[0]}" \n'.encode())
    proc.stdin.flush()
    while b"@@TRAX:state" not in seen:
        line = proc.stdout.readline()
        assert line, f"server exited before answering: {seen!r}"
        seen += line
    proc.stdin.close()
    rest = proc.stdout.read().decode()
    assert proc.wait(20) == 0
    assert "connection to the client closed" in rest


def test_factory_failure_before_handshake():
    proc = subprocess.run([sys.executable, "-m", "integration.cli.trax", "--factory",
                           "tests.test_trax_server:broken_factory"], cwd="/", capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "could not build the tracker: OSError: weights file is unreadable" in proc.stderr
    assert "@@TRAX:hello" not in proc.stdout  # no handshake: the toolkit reports "Unable to connect"


def test_bad_factory_spec():
    proc = subprocess.run([sys.executable, "-m", "integration.cli.trax", "--factory", "nocolon"], cwd="/",
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "package.module:callable" in proc.stderr
