"""The VOT2020-2022 stacks as rows of analysis/stacks.py, and the commands on a generated multi-start set:
``siamrpn run vot --stack`` (SiamRPN, random weights), ``analyze vot --stack``, ``report``, ``vot-workspace``,
and the TraX server taking a mask on initialise."""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from analysis.core.masks import Mask, encode_mask
from analysis.io.trajectories import read_trajectory
from analysis.stacks import (
    BENCHMARKS,
    MULTISTART_STACKS,
    SUPERVISED_STACKS,
    TOOLKIT_STACKS,
    VOT_STACKS,
    stack_experiment,
    stack_interval,
)
from integration.cli import main as siamrpn
from integration.data.multistart import write_multistart_dataset


def test_stack_rows():
    assert set(MULTISTART_STACKS) == {"vot2020", "vot2021", "vot2022-sts", "vot2022-stb", "multistart-test"}
    assert not set(MULTISTART_STACKS) & set(SUPERVISED_STACKS) and set(VOT_STACKS) >= set(MULTISTART_STACKS)
    toolkit = {k: BENCHMARKS[k].toolkit_stack for k in MULTISTART_STACKS}
    assert toolkit == {"vot2020": "vot2020/shortterm", "vot2021": "vot2021/shortterm",
                       "vot2022-sts": "vot2022/shortterm", "vot2022-stb": "vot2022/shorttermbox",
                       "multistart-test": None}
    assert {k for k in MULTISTART_STACKS if toolkit[k]} <= set(TOOLKIT_STACKS)
    for k in ("vot2020", "vot2021", "vot2022-sts", "vot2022-stb"):
        assert stack_interval(k).as_tuple() == (115, 755) and BENCHMARKS[k].realtime_grace == 3
        assert [stack_experiment(k, e) for e in ("baseline", "realtime", "unsupervised")] == \
            ["multistart", "multistart-realtime", "unsupervised"]
    assert stack_experiment("vot2018", "baseline") == "baseline"
    with pytest.raises(ValueError, match="has no experiment 'longterm'"):
        stack_experiment("vot2020", "longterm")


def test_rows_match_the_toolkit_stack_files():
    pytest.importorskip("vot", reason="vot-toolkit is not installed (optional group `toolkits`)")
    import vot
    import yaml

    root = __import__("pathlib").Path(vot.__file__).parent / "stack"
    for key in MULTISTART_STACKS:
        spec = BENCHMARKS[key]
        if spec.toolkit_stack is None:
            continue
        stack = yaml.safe_load((root / f"{spec.toolkit_stack}.yaml").read_text())
        assert list(stack["experiments"]) == [e for e, _ in spec.experiments]
        for name in ("baseline", "realtime"):
            exp = stack["experiments"][name]
            assert exp["type"] == "multistart"
            score = next(a for a in exp["analyses"] if a["type"] == "multistart_eao_score")
            curve = next(a for a in exp["analyses"] if a["type"] == "multistart_eao_curve")
            assert (score["low"], score["high"], curve["high"]) == (*spec.eao_interval.as_tuple(), spec.eao_interval.high)
        assert stack["experiments"]["realtime"]["realtime"]["grace"] == spec.realtime_grace
        assert stack["experiments"]["unsupervised"]["type"] == "unsupervised"


def cli(argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = siamrpn(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("msstack")
    write_multistart_dataset(root / "data", lengths=(30, 24))
    return root


def test_siamrpn_run_analyze_report_on_a_generated_set(generated):
    pytest.importorskip("torch", reason="SiamRPN needs torch")
    data, out = generated / "data", generated / "run"
    code, text = cli(["run", "vot", "--stack", "vot2022-stb", "--dataset", str(data), "--tracker", "siamrpn",
                      "--weights", "random:0", "--workers", "0", "--quiet", "--out", str(out)])
    assert code == 0, text
    assert "stack vot2022-stb, vot-toolkit layout .bin" in text
    traj = read_trajectory(out / "siamrpn" / "baseline" / "ms00" / "ms00_00000000.bin")
    assert traj[0] == 1 and len(traj) == 30 and traj[1].size == 4  # SiamRPN answers boxes
    code, text = cli(["analyze", "vot", "--stack", "vot2022-stb", "--annotations", str(data), "--results",
                      str(out / "siamrpn"), "--json", "--curve"])
    assert code == 0, text
    report = json.loads(text)
    assert report["protocol"] == "multistart" and report["variant"] == "vot-toolkit 0.7.4"
    assert 0 <= report["accuracy"] <= 1 and 0 <= report["robustness"] <= 1 and len(report["eao_curve"]) == 755
    assert "box output scored against mask ground truth" in report["note"]
    code, text = cli(["analyze", "vot", "--stack", "multistart-test", "--corrected", "--annotations", str(data),
                      "--results", str(out / "siamrpn")])
    assert code == 0 and "corrected" in text and "EAO" in text, text
    code, text = cli(["report", "--benchmark", "multistart-test", "--annotations", str(data), "--results",
                      str(out / "siamrpn"), "--out", str(generated / "report"), "--no-embed"])
    assert code == 0, text
    md = (generated / "report" / "report.md").read_text()
    assert "multistart-test baseline (multi-start)" in md and "box output scored against mask ground truth" in md
    assert (generated / "report" / "figures" / "multistart_test_baseline_eao_curve.png").is_file()


def test_run_refuses_sequences_without_anchors(generated, tmp_path, capsys):
    (generated / "data" / "ms01" / "anchor.value").rename(tmp_path / "anchor.value")
    try:
        assert siamrpn(["run", "vot", "--stack", "vot2020", "--dataset", str(generated / "data"), "--tracker",
                        "csrt", "--workers", "0", "--quiet", "--out", str(tmp_path / "o")]) == 2
    finally:
        (tmp_path / "anchor.value").rename(generated / "data" / "ms01" / "anchor.value")
    assert "no anchor.value file" in capsys.readouterr().err
    assert siamrpn(["analyze", "vot", "--stack", "vot2020", "--annotations", str(generated / "data"),
                    "--results", str(tmp_path / "nothing")]) == 2


def test_workspace_for_a_multistart_stack(generated, tmp_path):
    assert siamrpn(["vot-workspace", "--dataset", str(generated / "data"), "--stack", "vot2022-stb",
                    str(tmp_path / "ws")]) == 0
    seq = tmp_path / "ws" / "sequences" / "ms00"
    assert (tmp_path / "ws" / "config.yaml").read_text().startswith("stack: vot2022/shorttermbox")
    assert (seq / "anchor.value").read_text() == (generated / "data" / "ms00" / "anchor.value").read_text()
    assert (seq / "groundtruth.txt").read_text().startswith("m")
    assert siamrpn(["vot-workspace", "--dataset", str(generated / "data"), "--stack", "multistart-test",
                    str(tmp_path / "ws2")]) == 0
    stack = (tmp_path / "ws2" / "stack.yaml").read_text()
    assert "type: multistart" in stack and "low: 5" in stack and "high: 30" in stack and "grace: 3" in stack
    pytest.importorskip("vot", reason="vot-toolkit is not installed (optional group `toolkits`)")
    from vot.workspace import Workspace

    for ws, experiments in ((tmp_path / "ws", ["baseline", "realtime", "unsupervised"]),
                            (tmp_path / "ws2", ["baseline", "realtime", "unsupervised"])):
        loaded = Workspace.load(str(ws))
        assert list(loaded.stack.experiments) == experiments
        assert isinstance(loaded.dataset["ms00"].groundtruth(0), __import__("vot.region.shapes").region.shapes.Mask)


# ------------------------------------------------------------------------------------------ TraX: mask on init
class MaskEcho:
    """Logs what it was initialised with; answers the mask (or a box) it got."""

    def __init__(self, accepts_masks: bool = True) -> None:
        self.accepts_masks = accepts_masks

    def init(self, image, region):
        import sys

        kind = f"mask {region.offset} {region.area()}" if isinstance(region, Mask) else f"box {np.asarray(region).tolist()}"
        print(f"MASK-INIT {kind}", file=sys.stderr, flush=True)
        self.region = region

    def update(self, image):
        return self.region, 1.0


def box_echo() -> MaskEcho:
    return MaskEcho(accepts_masks=False)


def test_trax_server_takes_a_mask_on_initialise(tmp_path):
    trax = pytest.importorskip("trax", reason="vot-trax is not installed (optional group `toolkits`)")
    from tests.test_trax_server import Session, write_frames

    frames = write_frames(tmp_path, 2)
    disk = np.zeros((60, 80), np.uint8)
    yy, xx = np.mgrid[:60, :80]
    disk[(xx - 30) ** 2 + (yy - 20) ** 2 <= 36] = 1  # a 13-pixel-wide disk
    m = encode_mask(disk)
    for factory, expect in (("tests.test_multistart_stacks:box_echo", "box [24.0, 14.0, 13.0, 13.0]"),
                            ("tests.test_multistart_stacks:MaskEcho", f"mask {m.offset} {m.area()}")):
        s = Session("--factory", factory)
        assert "mask" in s.log.split("trax.region=")[1].split()[0]  # masks announced
        state, _ = s.client.initialize({"color": trax.FileImage.create(frames[0])},
                                       [(trax.Mask.create(m.pixels, *m.offset), {})], {})
        assert state[0][0].bounds() == pytest.approx((24, 14, 13, 13))  # the echo: the inclusive box
        state, _ = s.client.frame({"color": trax.FileImage.create(frames[1])}, {}, [])
        reply = state[0][0]
        if factory.endswith("MaskEcho"):
            assert reply.type == trax.Region.MASK and tuple(reply.offset()) == m.offset
            assert np.array_equal(reply.array(), m.pixels)
        else:
            assert reply.bounds() == pytest.approx((24, 14, 13, 13))
        s.client.quit()
        assert s.finish() == 0
        assert f"MASK-INIT {expect}" in s.log, s.log
