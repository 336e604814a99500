"""Paired tests on 1, 2 and 3 sequences (issue 22 item 3): exact sign-flip p-values worked out by hand, no paired
bootstrap below ``MIN_BOOTSTRAP_SEQUENCES`` (marked "too few sequences" in the test, the comparison notes, the
CLI table and JSON, and the report), and p-values never below the exact minimum ``2 / 2^n``."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.metrics import bootstrap as bs
from analysis.metrics.compare import compare_trackers
from analysis.metrics.otb import evaluate_otb
from integration.cli import main
from tests.test_bootstrap import _box_ann


def _nan(x: float) -> bool:
    return isinstance(x, float) and math.isnan(x)


# ---------------------------------------------------------------------------------------------- sign-flip, by hand
def test_sign_flip_one_sequence_is_exact_and_p_is_one():
    # n = 1, A - B = 0.6 - 0.4 = +0.2. The 2^1 = 2 patterns: identity d* = +0.2, swapped d* = -0.2;
    # both have |d*| >= 0.2, so p = 2/2 = 1 (no test on one sequence can say anything)
    t = bs.sign_flip_test([0.6], [0.4])
    assert t.difference == pytest.approx(0.2) and t.p_value == 1.0 and t.exact
    assert _nan(t.low) and _nan(t.high) and t.too_few and "too few sequences (1 < 6)" in t.note
    assert "all 2^1 = 2 sign patterns" in t.method and t.resamples == 0 and t.sequences == 1


def test_sign_flip_two_sequences_by_hand():
    # n = 2, per-sequence A - B = (0.2, 0.1), d = mean = 0.15. The 4 patterns (sign of each difference):
    # (+,+) 0.15, (-,+) (-0.2 + 0.1)/2 = -0.05, (+,-) 0.05, (-,-) -0.15 -> |d*| >= 0.15 twice: p = 2/4 = 0.5,
    # the smallest p possible on 2 sequences
    t = bs.sign_flip_test([0.6, 0.7], [0.4, 0.6])
    assert t.difference == pytest.approx(0.15) and t.p_value == 0.5 == bs.min_p_value(2)
    assert _nan(t.low) and _nan(t.high) and t.too_few
    # a ratio score (frame-pooled, GOT-10k style), frames f = (1, 3), per-sequence A - B = (0.2, 0.1):
    # d = (0.2*1 + 0.1*3) / 4 = 0.125; patterns (0.2 + 0.3)/4 = 0.125, (-0.2 + 0.3)/4 = 0.025,
    # (0.2 - 0.3)/4 = -0.025, -0.125 -> p = 2/4 = 0.5
    r = bs.sign_flip_test([0.9, 3 * 0.5], [0.7, 3 * 0.4], [1, 3], [1, 3])
    assert r.difference == pytest.approx(0.125) and r.p_value == 0.5
    # differences (0.2, -0.1) with f = (1, 3): d = (0.2 - 0.3)/4 = -0.025; |d*| of the 4 patterns = 0.025, 0.125,
    # 0.125, 0.025 -> all >= 0.025: p = 4/4 = 1
    r = bs.sign_flip_test([0.9, 3 * 0.3], [0.7, 3 * 0.4], [1, 3], [1, 3])
    assert r.difference == pytest.approx(-0.025) and r.p_value == 1.0


def test_sign_flip_three_sequences_by_hand():
    # n = 3, differences (0.3, 0.1, 0.05), all favouring A: sum 0.45. Sums over the 8 patterns: ±0.45, ±0.35,
    # ±0.25, ±0.15; only ±0.45 reach |0.45| -> p = 2/8 = 0.25, the exact minimum for n = 3 (issue 22: the Monte
    # Carlo test reported 0.226 here)
    t = bs.sign_flip_test([0.5, 0.3, 0.25], [0.2, 0.2, 0.2])
    assert t.difference == pytest.approx(0.15) and t.p_value == 0.25 == bs.min_p_value(3)
    # differences (0.3, 0.1, -0.05): sum 0.35. Pattern sums ±0.35, ±0.45, ±0.15, ±0.25 -> |sum| >= 0.35 for
    # ±0.35 and ±0.45: p = 4/8 = 0.5
    t = bs.sign_flip_test([0.5, 0.3, 0.25], [0.2, 0.2, 0.3])
    assert t.difference == pytest.approx(0.35 / 3) and t.p_value == 0.5
    # identical trackers: every pattern gives 0 = |d|: p = 1
    assert bs.sign_flip_test([0.5, 0.3, 0.25], [0.5, 0.3, 0.25]).p_value == 1.0


def test_exact_p_never_below_minimum_and_monte_carlo_clamped():
    rng = np.random.default_rng(0)
    for n in range(1, 9):
        a = rng.uniform(0.5, 0.9, size=n)
        t = bs.sign_flip_test(a, a - 0.3)  # A better on every sequence: the most extreme pattern
        assert t.p_value == pytest.approx(2 / 2 ** n) and t.exact
        assert t.too_few == (n < bs.MIN_BOOTSTRAP_SEQUENCES)
        assert _nan(t.low) == (n < bs.MIN_BOOTSTRAP_SEQUENCES)
    # n = 6: first n with an interval; the exact p 2/64 is kept
    t = bs.sign_flip_test(np.full(6, 0.8), np.full(6, 0.5) + np.arange(6) * 0.01)
    assert t.p_value == pytest.approx(2 / 64) and t.low > 0 and not t.too_few and t.note == ""
    # beyond EXACT_SIGN_FLIP_MAX: Monte Carlo, p = (1 + hits) / (R + 1), never below 2 / 2^n
    n = bs.EXACT_SIGN_FLIP_MAX + 1
    t = bs.sign_flip_test(np.full(n, 0.8), np.full(n, 0.5), resamples=50)
    assert not t.exact and t.p_value == pytest.approx(1 / 51) and "sign-flip" in t.method
    assert [bs.min_p_value(n) for n in (0, 1, 2, 3, 5, 6)] == [1.0, 1.0, 0.5, 0.25, 0.0625, 0.03125]


# ---------------------------------------------------------------------------------------------- paired bootstrap
def test_paired_bootstrap_refused_below_the_minimum():
    # issue 22: one sequence gave the interval [0.224, 0.224] with p = 0.010; now no interval and no p
    for n in (1, 2, 3, 5):
        a, b = np.linspace(0.5, 0.7, n), np.linspace(0.3, 0.4, n)
        t = bs.paired_bootstrap(bs.mean_statistic(a), bs.mean_statistic(b), n)
        assert t.difference == pytest.approx(np.mean(a - b))
        assert _nan(t.low) and _nan(t.high) and _nan(t.p_value) and t.too_few and t.resamples == 0
        assert f"too few sequences ({n} < 6)" in t.note and "no bootstrap p" in t.note
    # from 6 sequences on: an interval, and p clamped to 2 / 2^6 (the bootstrap alone would give 2/1001)
    a, b = np.linspace(0.5, 0.7, 6), np.linspace(0.3, 0.4, 6)
    t = bs.paired_bootstrap(bs.mean_statistic(a), bs.mean_statistic(b), 6, resamples=1000)
    assert t.low > 0 and t.p_value == pytest.approx(2 / 64) and not t.too_few


# ---------------------------------------------------------------------------------------------- compare / CLI
def _otb_reports(n: int):
    rng = np.random.default_rng(3)
    ann = {f"s{i}": _box_ann(f"s{i}", 20) for i in range(n)}
    good = evaluate_otb(ann, {k: a.groundtruth + rng.normal(0, 1, a.groundtruth.shape) for k, a in ann.items()})
    bad = evaluate_otb(ann, {k: a.groundtruth + rng.normal(0, 6, a.groundtruth.shape) for k, a in ann.items()})
    return good, bad


def test_compare_trackers_marks_too_few_sequences():
    good, bad = _otb_reports(3)
    cmp = compare_trackers({"bad": bad, "good": good}, bootstrap=100, seed=0)
    test = cmp.paired["good"]["auc"]
    assert test.exact and test.p_value >= 0.25 and _nan(test.low)
    assert any(n.startswith("good vs bad: too few sequences (3 < 6)") and "exact over all 8 sign patterns" in n
               for n in cmp.notes)
    table = cmp.table()
    assert np.isnan(table.loc["good", "auc_diff_low"]) and table.loc["good", "auc_p"] >= 0.25
    good, bad = _otb_reports(8)
    assert not any("too few" in n for n in compare_trackers({"bad": bad, "good": good}).notes)


def _otb_folder(tmp_path, n: int):
    rng = np.random.default_rng(4)
    names = [f"Seq{i}" for i in range(n)]
    data = {k: {"name": k, "image_files": [f"{j:04d}.jpg" for j in range(1, 11)], "gt_rect": [[20, 20, 30, 30]] * 10}
            for k in names}
    ann = tmp_path / "otb.json"
    ann.write_text(json.dumps(data))
    for t, sd in (("T1", 2.0), ("T2", 12.0)):
        (tmp_path / "trackers" / t).mkdir(parents=True)
        for k in names:
            boxes = np.array([[20, 20, 30, 30]] * 10, float) + rng.normal(0, sd, size=(10, 4)) * [1, 1, 0, 0]
            np.savetxt(tmp_path / "trackers" / t / f"{k}.txt", boxes, fmt="%.2f", delimiter=",")
    return ann, tmp_path / "trackers"


def test_cli_shows_too_few_sequences(tmp_path, capsys):
    ann, root = _otb_folder(tmp_path, 3)
    args = ["analyze", "otb", "--annotations", str(ann), "--results-root", str(root), "--bootstrap", "100"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "too few sequences for a paired bootstrap (fewer than 6)" in text
    assert "note: T2 vs T1: too few sequences (3 < 6)" in text
    assert main(args + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    test = out["trackers"]["T2"]["paired"]["auc"]
    # T1 beats T2 on all 3 sequences: the exact p is the minimum 2/8 = 0.25
    assert test["p_value"] == 0.25 and test["low"] is None and test["high"] is None and test["exact"] is True
    assert test["note"].startswith("too few sequences (3 < 6)")
    assert any("too few sequences" in n for n in out["notes"])


def test_paired_bootstrap_zero_difference_keeps_p_one():
    # a tracker against a copy of itself on 2 sequences: d = 0, and every permutation gives |d*| >= 0: p = 1
    t = bs.paired_bootstrap(bs.mean_statistic([0.5, 0.7]), bs.mean_statistic([0.5, 0.7]), 2)
    assert t.difference == 0.0 and t.p_value == 1.0 and _nan(t.low) and t.too_few and "p = 1" in t.note


def test_single_tracker_intervals_on_few_sequences_are_marked(tmp_path, capsys):
    # one tracker's intervals stay (descriptive), the output says they rest on too few sequences
    ann, root = _otb_folder(tmp_path, 3)
    assert main(["analyze", "otb", "--annotations", str(ann), "--results", str(root / "T1"), "--bootstrap", "50"]) == 0
    assert "over 3 sequences" in (out := capsys.readouterr().out) and "too few sequences (< 6)" in out
    good, bad = _otb_reports(3)
    cmp = compare_trackers({"bad": bad, "good": good}, bootstrap=50)
    assert any(n.startswith("bad, good: too few sequences (< 6) for a meaningful bootstrap interval") for n in cmp.notes)
    good, bad = _otb_reports(6)
    assert not any("too few" in n for n in compare_trackers({"bad": bad, "good": good}, bootstrap=50).notes)


def test_vot_paired_test_on_three_sequences_is_refused_not_overconfident():
    # issue 22: three VOT sequences gave p = 0.010 from the paired bootstrap; now no p and no interval (the exact
    # minimum of any paired test on 3 sequences is 2/8 = 0.25), and the comparison says so
    from analysis.metrics.vot.analysis import VOTSettings, analyze_runs
    from tests.test_bootstrap import _vot_sequences

    a_runs, b_runs = _vot_sequences(seed=1, count=3), _vot_sequences(seed=2, count=3)
    settings = VOTSettings(variant="leg", interval=(100, 140))
    a, b = analyze_runs(a_runs, settings), analyze_runs(b_runs, settings)
    cmp = compare_trackers({"B": b, "A": a}, baseline="B")
    for score in ("eao", "accuracy", "robustness"):
        test = cmp.paired["A"][score]
        assert test.difference == pytest.approx(getattr(a, score) - getattr(b, score))
        assert _nan(test.p_value) and _nan(test.low) and _nan(test.high) and test.too_few
    assert any(n.startswith("A vs B: too few sequences (3 < 6)") for n in cmp.notes)
