"""The regression gate end to end on tiny generated sequences: unchanged tracker passes, degraded tracker fails
with the before/after table, missing reference exits 2 with the instruction, weights changes are announced,
absent cases are skipped; the SiamRPN default weights perturbed make the gate fail (when the weights exist).

The fast tests use a deterministic template matcher (``cv2.matchTemplate``) in place of SiamRPN, so the gate's
own logic is checked in ~2 s per run; the SiamRPN test runs the real network on 2 x 14 frames.
"""
from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from analysis.core.regions import area_preserving_rect
from integration.data.generated import GeneratedSet
from integration.jobs.regression.gate import gate
from integration.jobs.regression.measure import GateSettings
from integration.jobs.regression.reference import load_reference
from integration.jobs.scoring import fitted_interval

TINY = GeneratedSet(seeds=(1, 2, 3), lengths=(20, 26, 32))


class Matcher:
    """Fixed-size template matching in a window around the last box; ``shift`` moves the reported box by that
    fraction of its size (the deliberate degradation: the internal state is untouched)."""

    def __init__(self, shift: float = 0.0):
        self.shift = shift

    def init(self, img, region):
        x, y, w, h = np.round(area_preserving_rect(region)).astype(int)
        self.box = np.array([x, y, w, h], float)
        self.tpl = img[y:y + h, x:x + w].copy()

    def update(self, img):
        x, y, w, h = self.box.astype(int)
        H, W = img.shape[:2]
        x0, y0, x1, y1 = max(0, x - 24), max(0, y - 24), min(W, x + w + 24), min(H, y + h + 24)
        r = cv2.matchTemplate(img[y0:y1, x0:x1], self.tpl, cv2.TM_CCOEFF_NORMED)
        _, score, _, (bx, by) = cv2.minMaxLoc(r)
        self.box = np.array([x0 + bx, y0 + by, w, h], float)
        out = self.box.copy()
        out[:2] += self.shift * out[2:]
        return out, float(score)


def matcher(weights=None, **_):
    return Matcher(0.0)


def degraded_matcher(weights=None, **_):
    return Matcher(0.35)


def _settings(tracker: str, weights: str) -> GateSettings:
    return GateSettings(weights=weights, tracker=f"tests.test_regression_gate:{tracker}", generated=TINY,
                        include_bag=False, workers=1, progress=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One reference made with the matcher and weights file A (shared by the tests; copied before use)."""
    root = tmp_path_factory.mktemp("gate")
    weights = root / "weights_a.bin"
    weights.write_bytes(b"weights A")
    ref = root / "ref" / "tiny.json"
    rc = gate(_settings("matcher", str(weights)), ref, root / "out_ref", update=True, instrument=False).status
    assert rc == 0 and ref.is_file()
    return weights, ref


@pytest.fixture()
def weights_file(made):
    return made[0]


@pytest.fixture()
def reference(made, tmp_path):
    copy = tmp_path / "tiny.json"
    copy.write_text(made[1].read_text())
    return copy


def test_reference_contents(reference, weights_file):
    import hashlib

    data = load_reference(reference)
    case = data["cases"]["generated"]
    assert data["weights"]["sha256"] == hashlib.sha256(b"weights A").hexdigest()
    assert set(case["overall"]) == {"eao", "accuracy", "failures", "robustness", "auc", "precision"}
    assert sorted(case["sequences"]) == ["gen1", "gen2", "gen3"]
    assert case["info"]["lengths"] == {"gen1": 20, "gen2": 26, "gen3": 32}
    iv = fitted_interval([20, 26, 32])
    assert case["info"]["eao_interval"] == [iv.low, iv.high]
    assert data["tolerances"]["eao"] == 0.02 and data["tolerances"]["per_sequence_factor"] == 2.5
    o = case["overall"]
    # robustness is failures per 100 frames of the same run
    assert o["robustness"] == pytest.approx(100 * o["failures"] / 78)
    assert 0 < o["accuracy"] <= 1 and 0 < o["auc"] <= 1 and 0 < o["eao"] <= 1


def test_unchanged_tracker_passes(reference, weights_file, tmp_path, capsys):
    result = gate(_settings("matcher", str(weights_file)), reference, tmp_path / "out", instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 0, out
    assert "no regression" in out and out.rstrip().endswith("siamrpn regress: passed")
    assert "weights differ" not in out
    table = (tmp_path / "out" / "comparison.csv").read_text().splitlines()
    assert table[0] == "case,scope,metric,before,after,delta,tolerance,status"
    assert all(line.endswith(",ok") for line in table[1:])
    assert len(table) - 1 == 6 + 3 * 4  # overall metrics + per-sequence metrics
    # the library prints nothing; its result carries the table, the measurement and the files written
    assert capsys.readouterr() == ("", "")
    assert result.passed and result.errors == () and len(result.table) == len(table) - 1
    assert result.current["cases"]["generated"]["overall"]["eao"] > 0
    assert result.written == (tmp_path / "out" / "current.json", tmp_path / "out" / "comparison.csv")


def test_degraded_tracker_fails_with_table(reference, weights_file, tmp_path):
    result = gate(_settings("degraded_matcher", str(weights_file)), reference, tmp_path / "out", instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 1, out
    assert "siamrpn regress: REGRESSION:" in out
    assert "FAILED — the tracker regressed" in out and "--update" in out
    before = load_reference(reference)["cases"]["generated"]["overall"]
    after = json.loads((tmp_path / "out" / "current.json").read_text())["cases"]["generated"]["overall"]
    for metric in ("eao", "accuracy", "auc"):
        assert after[metric] < before[metric] - 0.1  # the shifted boxes overlap far less
        line = f"generated/overall: {metric} {before[metric]:.4f} -> {after[metric]:.4f}"
        assert line in out
    import pandas as pd

    table = pd.read_csv(tmp_path / "out" / "comparison.csv")
    row = table[(table.scope == "overall") & (table.metric == "eao")].iloc[0]
    assert row.status == "REGRESSION" and row.delta == pytest.approx(after["eao"] - before["eao"])


def test_weights_change_is_announced(reference, tmp_path):
    other = tmp_path / "weights_b.bin"
    other.write_bytes(b"weights B")
    result = gate(_settings("matcher", str(other)), reference, tmp_path / "out", instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 0  # same behaviour: the metrics pass, but the gate says the weights are not the reference's
    import hashlib

    assert "NOTE: the weights differ from the reference's" in out
    assert hashlib.sha256(b"weights A").hexdigest()[:12] in out and hashlib.sha256(b"weights B").hexdigest()[:12] in out


def test_absent_case_skipped_and_kept_on_update(reference, weights_file, tmp_path):
    data = load_reference(reference)
    data["cases"]["bag"] = {"overall": {"eao": 0.5}, "sequences": {}, "info": {}}
    reference.write_text(json.dumps(data))
    result = gate(_settings("matcher", str(weights_file)), reference, tmp_path / "out", instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 0, out
    assert "NOTE: reference case 'bag' skipped: left out on request (--no-bag)" in out
    result = gate(_settings("matcher", str(weights_file)), reference, tmp_path / "out", update=True, instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 0 and "case(s) bag kept from the previous reference" in out
    assert load_reference(reference)["cases"]["bag"]["overall"] == {"eao": 0.5}


def test_missing_reference_gives_instruction(tmp_path, capsys):
    from integration.cli import main

    missing = tmp_path / "nope.json"
    rc = main(["regress", "--reference", str(missing), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert f"no regression reference at {missing}" in err
    assert f"siamrpn regress --reference {missing} --update" in err
    assert not (tmp_path / "out").exists()  # nothing was run


def test_missing_weights_exit_2(tmp_path, reference):
    result = gate(_settings("matcher", str(tmp_path / "absent.pth")), reference, tmp_path / "out", instrument=False)
    rc, err = result.status, result.stderr
    assert rc == 2 and "absent.pth" in err and "--weights" in err


def test_fitted_interval_rules():
    from analysis.metrics.vot.interval import estimate_interval

    assert fitted_interval([196]).as_tuple() == (98, 196)
    assert fitted_interval([7, 7]).as_tuple() == (4, 7)
    assert fitted_interval([40, 55, 70, 85]) == estimate_interval(np.array([40, 55, 70, 85]))
    with pytest.raises(ValueError):
        fitted_interval([])


# ------------------------------------------------------------------------------ the real tracker, perturbed


def _default_weights():
    from analysis.core.paths import default_weights_path

    path = default_weights_path()
    if not path.is_file():
        pytest.skip(f"default SiamRPN weights not present ({path}); the matcher tests above cover the gate logic")
    return path


def test_siamrpn_unchanged_passes_perturbed_weights_fail(tmp_path):
    import torch

    from tracker.network import SiamRPN
    from tracker.weights import load_checkpoint, load_into, save_checkpoint

    path = _default_weights()
    tiny = GeneratedSet(seeds=(7, 8), lengths=(14, 18))
    settings = GateSettings(weights=str(path), generated=tiny, include_bag=False, workers=1, progress=False)
    ref = tmp_path / "ref.json"
    assert gate(settings, ref, tmp_path / "o1", update=True, instrument=False).status == 0
    # unchanged weights in 2 spawned workers (1 torch thread each): bit-identical numbers, the gate passes
    two = GateSettings(weights=str(path), generated=tiny, include_bag=False, workers=2, progress=False)
    same_run = gate(two, ref, tmp_path / "o_same", instrument=False)
    assert same_run.status == 0
    assert "weights differ" not in same_run.stdout
    same = json.loads((tmp_path / "o_same" / "current.json").read_text())["cases"]
    assert same["generated"]["overall"] == load_reference(ref)["cases"]["generated"]["overall"]
    assert same["generated"]["sequences"] == load_reference(ref)["cases"]["generated"]["sequences"]
    # degrade: scale every conv weight by (1 + 0.5 N(0,1)) noise, seeded
    ckpt = load_checkpoint(path)
    model = load_into(SiamRPN(ckpt.model_config), ckpt.state_dict, str(path))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 4:
                p.mul_(1 + 0.5 * torch.randn(p.shape, generator=gen))
    bad = save_checkpoint(tmp_path / "perturbed.pth", model, ckpt.preset, {"note": "test: perturbed"})
    result = gate(GateSettings(weights=str(bad), generated=tiny, include_bag=False, workers=1, progress=False),
                  ref, tmp_path / "o2", instrument=False)
    rc, out = result.status, result.stdout
    assert rc == 1, out
    assert "REGRESSION" in out and "NOTE: the weights differ from the reference's" in out
    before = load_reference(ref)["cases"]["generated"]["overall"]
    after = json.loads((tmp_path / "o2" / "current.json").read_text())["cases"]["generated"]["overall"]
    assert after["eao"] < before["eao"] or after["failures"] > before["failures"]
    assert math.isfinite(after["auc"])
