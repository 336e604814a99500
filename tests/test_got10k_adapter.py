"""got10k toolkit (0.1.3) with project trackers, offline: adapter conventions, OTB and GOT-10k experiments on
generated folders and on ``bag`` converted to each layout, and agreement with ``siamrpn analyze``."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("got10k", reason="got10k is not installed (optional group `toolkits`)")
from PIL import Image  # noqa: E402

from analysis.core.regions import polygon_bbox  # noqa: E402
from integration.cli import main as siamrpn  # noqa: E402
from integration.data.synthetic import write_dataset, write_otb_sequence  # noqa: E402
from integration.toolkits.got10k_adapter import (
    Got10kTracker,
    LocalOTB,
    otb_dataset,
    run_got10k,
    run_otb,
    write_got10k_layout,
    write_otb_layout,
)
from integration.toolkits.workspace import discover_sequences, truncate  # noqa: E402
from tests.conftest import shared_path  # noqa: E402

pytestmark = pytest.mark.toolkit


class StaticTracker:
    """Reports its initial box forever (deterministic, cheap, non-trivial scores on moving targets)."""

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
        self.box = np.asarray(region, dtype=np.float64)[:4].copy()

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        return self.box, 1.0


class Recorder:
    def init(self, image, region):
        self.seen = (image, np.asarray(region))

    def update(self, image):
        return np.array([1.0, 2.0, 3.0, 4.0]), 0.5


def analyze(*argv: str, capsys) -> dict:
    capsys.readouterr()
    assert siamrpn(["analyze", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------------------------------ adapter
def test_adapter_gives_bgr_and_passes_boxes_through():
    rgb = np.zeros((4, 5, 3), dtype=np.uint8)
    rgb[1, 2] = (255, 10, 0)  # red in RGB
    inner = Recorder()
    t = Got10kTracker(inner, "rec")
    t.init(Image.fromarray(rgb), np.array([1.5, 2.5, 3.0, 4.0]))
    image, box = inner.seen
    assert image[1, 2].tolist() == [0, 10, 255]  # BGR
    assert box.tolist() == [1.5, 2.5, 3.0, 4.0]  # unchanged (no 1-based shift)
    assert t.update(Image.fromarray(rgb).convert("L")).tolist() == [1, 2, 3, 4]  # non-RGB input accepted
    assert t.name == "rec" and t.is_deterministic


def test_bounding_boxes_of_polygons():
    poly = np.array([[10, 10, 50, 12, 48, 30, 8, 28]], dtype=float)
    assert polygon_bbox(poly).tolist() == [[8, 10, 42, 20]]
    rect = np.array([[1, 2, 3, 4]], dtype=float)
    assert polygon_bbox(rect).tolist() == rect.tolist()


# ------------------------------------------------------------------------------------------ OTB
def test_otb_stock_dataset_without_download(tmp_path):
    """Official names -> the stock got10k OTB class, built with download=False (no network touched)."""
    from got10k.datasets import OTB

    frames = [np.full((40, 50, 3), 100, np.uint8) for _ in range(6)]
    write_otb_sequence(tmp_path / "Couple", frames, np.tile([5.0, 6.0, 10.0, 12.0], (6, 1)))
    ds = otb_dataset(tmp_path)
    assert type(ds) is OTB and ds.seq_names == ["Couple"]
    img_files, anno = ds[0]
    assert len(img_files) == 6 and anno.shape == (6, 4)


def test_otb_hand_computed_static_target(tmp_path, capsys):
    """Target never moves, static tracker: IoU 1 everywhere, so success (IoU > thr, 21 thresholds) is 1 for
    20 of 21 thresholds (not at thr = 1): AUC = 20/21; centre error 0: precision@20 = 1."""
    frames = [np.full((40, 50, 3), 100, np.uint8) for _ in range(8)]
    write_otb_sequence(tmp_path / "otb" / "Still", frames, np.tile([5.0, 6.0, 10.0, 12.0], (8, 1)))
    perf = run_otb(Got10kTracker(StaticTracker(), "static"), tmp_path / "otb", tmp_path / "res", tmp_path / "rep")
    overall = perf["static"]["overall"]
    assert overall["success_score"] == pytest.approx(20 / 21)
    assert overall["precision_score"] == pytest.approx(1.0)
    ours = analyze("otb", "--annotations", str(tmp_path / "otb"), "--results",
                   str(tmp_path / "res" / "OTB2015" / "static"), capsys=capsys)
    assert ours["auc"] == pytest.approx(20 / 21)


def test_otb_generated_agrees_with_siamrpn_analyze(tmp_path, capsys):
    write_dataset(tmp_path / "otb", layout="otb", n_sequences=2, n_frames=25)
    ds = otb_dataset(tmp_path / "otb")
    assert isinstance(ds, LocalOTB) and ds.seq_names == ["Synth00", "Synth01"]
    perf = run_otb(Got10kTracker(StaticTracker(), "static"), tmp_path / "otb", tmp_path / "res", tmp_path / "rep")
    result_dir = tmp_path / "res" / "OTB2015" / "static"
    assert sorted(p.name for p in result_dir.glob("*.txt")) == ["Synth00.txt", "Synth01.txt"]
    overall = perf["static"]["overall"]
    assert 0.05 < overall["success_score"] < 0.95  # the target moves away from the static box
    ours = analyze("otb", "--annotations", str(tmp_path / "otb"), "--results", str(result_dir), capsys=capsys)
    assert ours["auc"] == pytest.approx(overall["success_score"], abs=1e-9)
    assert ours["precision"] == pytest.approx(overall["precision_score"], abs=1e-9)
    assert ours["success_rate"] == pytest.approx(overall["success_rate"], abs=1e-9)


def test_otb_bag_converted_agrees(tmp_path, capsys):
    bag = truncate(discover_sequences(shared_path("sequences", "bag"))[0], 40)
    folder = write_otb_layout(bag, tmp_path / "otb")
    assert len(list((folder / "img").glob("*.jpg"))) == 40
    gt = np.loadtxt(folder / "groundtruth_rect.txt", delimiter=",")
    assert gt.shape == (40, 4) and gt[0] == pytest.approx(polygon_bbox(bag.groundtruth[:1])[0], abs=1e-4)
    perf = run_otb(Got10kTracker(StaticTracker(), "static"), tmp_path / "otb", tmp_path / "res", tmp_path / "rep")
    ours = analyze("otb", "--annotations", str(tmp_path / "otb"), "--results",
                   str(tmp_path / "res" / "OTB2015" / "static"), capsys=capsys)
    assert ours["auc"] == pytest.approx(perf["static"]["overall"]["success_score"], abs=1e-9)
    assert ours["precision"] == pytest.approx(perf["static"]["overall"]["precision_score"], abs=1e-9)


# ------------------------------------------------------------------------------------------ GOT-10k
def test_got10k_generated_agrees_with_siamrpn_analyze(tmp_path, capsys):
    write_dataset(tmp_path / "got" / "val", layout="got10k", n_sequences=2, n_frames=25)
    perf = run_got10k(Got10kTracker(StaticTracker(), "static"), tmp_path / "got", tmp_path / "res", tmp_path / "rep")
    result_dir = tmp_path / "res" / "GOT-10k" / "static"
    assert (result_dir / "synth00" / "synth00_001.txt").is_file()
    assert not (result_dir / "synth00" / "synth00_002.txt").exists()  # deterministic: one repetition
    overall = perf["static"]["overall"]
    assert 0.05 < overall["ao"] < 0.95
    ours = analyze("got10k", "--annotations", str(tmp_path / "got" / "val"), "--results", str(result_dir),
                   capsys=capsys)
    assert ours["ao"] == pytest.approx(overall["ao"], abs=1e-9)
    assert ours["sr50"] == pytest.approx(overall["sr"], abs=1e-9)


def test_got10k_bag_converted_layout_and_agreement(tmp_path, capsys):
    bag = truncate(discover_sequences(shared_path("sequences", "bag"))[0], 40)
    root = write_got10k_layout([bag], tmp_path / "got")
    seq = root / "val" / "bag"
    assert (root / "val" / "list.txt").read_text().split() == ["bag"]
    meta = (seq / "meta_info.ini").read_text()
    assert "resolution: (480, 360)" in meta
    for label, value in (("absence", 0), ("cover", 8)):
        assert set(np.loadtxt(seq / f"{label}.label").tolist()) == {value}
    assert len(list(seq.glob("*.jpg"))) == 40
    perf = run_got10k(Got10kTracker(StaticTracker(), "static"), root, tmp_path / "res", tmp_path / "rep")
    ours = analyze("got10k", "--annotations", str(root / "val"), "--results",
                   str(tmp_path / "res" / "GOT-10k" / "static"), capsys=capsys)
    assert ours["ao"] == pytest.approx(perf["static"]["overall"]["ao"], abs=1e-9)
    assert ours["sr50"] == pytest.approx(perf["static"]["overall"]["sr"], abs=1e-9)


def test_got10k_missing_list_is_a_clear_error(tmp_path):
    from integration.toolkits.got10k_adapter import got10k_experiment

    with pytest.raises(FileNotFoundError, match="val/list.txt"):
        got10k_experiment(tmp_path)


# ------------------------------------------------------------------------------------------ SiamRPN
def test_siamrpn_random_weights_through_got10k(tmp_path, capsys):
    siamrpn_mod = pytest.importorskip("tracker.siamrpn", reason="SiamRPN tracker not available")
    import torch

    torch.set_num_threads(1)
    write_dataset(tmp_path / "got" / "val", layout="got10k", n_sequences=1, n_frames=8)
    t = Got10kTracker(siamrpn_mod.SiamRPNTracker(weights="random:0", device="cpu"), "siamrpn")
    perf = run_got10k(t, tmp_path / "got", tmp_path / "res", tmp_path / "rep")
    boxes = np.loadtxt(tmp_path / "res" / "GOT-10k" / "siamrpn" / "synth00" / "synth00_001.txt", delimiter=",")
    assert boxes.shape == (8, 4) and np.all(np.isfinite(boxes)) and np.all(boxes[:, 2:] > 0)
    ours = analyze("got10k", "--annotations", str(tmp_path / "got" / "val"), "--results",
                   str(tmp_path / "res" / "GOT-10k" / "siamrpn"), capsys=capsys)
    assert ours["ao"] == pytest.approx(perf["siamrpn"]["overall"]["ao"], abs=1e-9)
