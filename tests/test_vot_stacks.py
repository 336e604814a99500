"""VOT2018 / VOT2019 short-term stacks end to end on generated data (no VOT2019 annotations exist offline):
runner -> report under each stack's EAO interval -> vot-toolkit workspace naming the built-in stack."""
from __future__ import annotations

import pytest

from integration.cli import main as siamrpn
from integration.data.synthetic import write_dataset


@pytest.fixture(scope="module")
def long_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("stacks")
    write_dataset(root / "data", layout="vot", n_sequences=1, n_frames=360, size=(64, 48), seed=4)
    assert siamrpn(["run", "vot", "--dataset", str(root / "data"), "--tracker",
                    "tests.protocol_helpers:TemplateTracker", "--deterministic", "--quiet", "--workers", "0",
                    "--out", str(root / "run")]) == 0
    return root


@pytest.mark.parametrize("stack, interval, toolkit", [("vot2018", "[100, 356]", "vot2018/shortterm"),
                                                       ("vot2019", "[46, 291]", "vot2019/shortterm")])
def test_report_and_workspace(long_run, stack, interval, toolkit, capsys):
    out = long_run / f"report_{stack}"
    assert siamrpn(["report", "--results", str(long_run / "run" / "TemplateTracker"), "--benchmark", stack,
                    "--annotations", str(long_run / "data"), "--out", str(out), "--no-embed"]) == 0
    text = (out / "report.md").read_text()
    assert f"interval {interval}" in text and stack.upper() in text
    ws = long_run / f"ws_{stack}"
    assert siamrpn(["vot-workspace", str(ws), "--dataset", str(long_run / "data"), "--stack", stack]) == 0
    assert (ws / "config.yaml").read_text().splitlines()[0] == f"stack: {toolkit}"
    assert "exceeds the longest sequence" not in capsys.readouterr().err
