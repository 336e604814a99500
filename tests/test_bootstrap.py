"""Bootstrap intervals and paired tests over sequences (analysis.metrics.bootstrap) on data with a known answer,
and ``siamrpn analyze ... --bootstrap N``."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.core.regions import FrameKind
from analysis.io.annotation import SequenceAnnotation
from analysis.metrics import bootstrap as bs
from analysis.metrics.got10k import evaluate_got10k
from analysis.metrics.otb import evaluate_otb
from analysis.metrics.vot.analysis import SequenceRuns, VOTSettings, analyze_runs
from analysis.metrics.vot.eao import eao_fragments, eao_over_interval, tag_weights


# ---------------------------------------------------------------------------------------------- known answers
def test_mean_interval_covers_the_true_mean_at_about_the_nominal_rate():
    rng = np.random.default_rng(123)
    trials, n, hits = 300, 30, 0
    for t in range(trials):
        x = rng.normal(5.0, 2.0, size=n)
        iv = bs.bootstrap(bs.mean_statistic(x), n, resamples=400, seed=t)
        hits += iv.contains(5.0)
    # nominal 0.95; the percentile interval of a mean of 30 normals covers ~0.91 (it is too narrow for small n)
    assert 0.85 <= hits / trials <= 0.99


def test_width_scales_like_the_analytic_standard_error():
    rng = np.random.default_rng(7)
    widths = {}
    for n in (25, 100, 400):
        x = rng.normal(0.0, 1.0, size=n)
        iv = bs.bootstrap(bs.mean_statistic(x), n, resamples=4000, seed=1)
        se = np.std(x, ddof=1) / np.sqrt(n)
        widths[n] = iv.high - iv.low
        assert widths[n] == pytest.approx(2 * 1.959964 * se, rel=0.15)
    assert widths[25] / widths[100] == pytest.approx(2.0, rel=0.25)
    assert widths[100] / widths[400] == pytest.approx(2.0, rel=0.25)


def test_result_records_its_settings_and_is_reproducible():
    x = np.random.default_rng(0).uniform(size=40)
    a = bs.bootstrap(bs.mean_statistic(x), 40, resamples=300, seed=11, level=0.9)
    b = bs.bootstrap(bs.mean_statistic(x), 40, resamples=300, seed=11, level=0.9)
    c = bs.bootstrap(bs.mean_statistic(x), 40, resamples=300, seed=12, level=0.9)
    assert a == b and a.low != c.low
    assert (a.resamples, a.seed, a.level, a.sequences) == (300, 11, 0.9, 40) and "percentile" in a.method
    assert a.value == pytest.approx(x.mean()) and a.low < a.value < a.high
    assert set(a.as_dict()) == {"value", "low", "high", "level", "resamples", "seed", "method", "sequences"}
    with pytest.raises(ValueError, match="level"):
        bs.bootstrap(bs.mean_statistic(x), 40, level=1.5)


def test_indices_counts_and_fast_paths_on_the_identity_resample():
    idx = bs.resample_indices(7, 50, seed=3)
    assert idx.shape == (50, 7) and idx.min() >= 0 and idx.max() <= 6
    counts = bs.resample_counts(idx, 7)
    assert (counts.sum(axis=1) == 7).all()
    np.testing.assert_array_equal(counts[0], np.bincount(idx[0], minlength=7))
    ident = bs.identity_indices(4)
    num, den = np.array([1.0, 2.0, 0.0, 3.0]), np.array([2.0, 2.0, 0.0, 4.0])
    assert bs.ratio_statistic(num, den)(ident)[0] == pytest.approx(6 / 8)
    assert bs.ratio_statistic(num, den, scale=100)(ident)[0] == pytest.approx(75.0)
    assert bs.sum_statistic(num)(ident)[0] == 6.0 and bs.mean_statistic(num)(ident)[0] == 1.5
    # a resample drawing only the empty sequence has no frames: `empty`
    assert np.isnan(bs.ratio_statistic(num, den)(np.array([[2, 2, 2, 2]]))[0])
    assert bs.ratio_statistic(num, den, empty=0.0)(np.array([[2, 2, 2, 2]]))[0] == 0.0


def test_paired_tests_identical_trackers_and_a_large_shift():
    rng = np.random.default_rng(5)
    a = rng.uniform(0.3, 0.8, size=40)
    same = bs.paired_bootstrap(bs.mean_statistic(a), bs.mean_statistic(a), 40, resamples=1000, seed=0)
    assert same.difference == 0.0 and same.low == 0.0 and same.high == 0.0 and same.p_value == 1.0
    flip = bs.sign_flip_test(a, a, resamples=1000, seed=0)
    assert flip.difference == 0.0 and flip.p_value == 1.0
    b = a - 0.1 + rng.normal(0, 0.02, size=40)
    shifted = bs.paired_bootstrap(bs.mean_statistic(a), bs.mean_statistic(b), 40, resamples=1000, seed=0)
    assert shifted.difference == pytest.approx(np.mean(a - b)) and shifted.p_value < 0.01
    assert 0 < shifted.low < shifted.difference < shifted.high
    flip = bs.sign_flip_test(a, b, resamples=1000, seed=0)
    assert flip.p_value < 0.01 and flip.difference == pytest.approx(shifted.difference)
    assert (flip.resamples, flip.seed, flip.sequences) == (1000, 0, 40) and "sign-flip" in flip.method
    # ratio scores (pooled frames): the permutation swaps numerator and denominator together
    frames = rng.integers(50, 500, size=40).astype(float)
    r = bs.sign_flip_test(a * frames, b * frames, frames, frames, resamples=500, seed=1)
    assert r.difference == pytest.approx(np.sum(a * frames) / frames.sum() - np.sum(b * frames) / frames.sum())
    assert r.p_value < 0.01
    # no real difference: p is not small
    c = a + rng.normal(0, 0.05, size=40)
    c -= c.mean() - a.mean()
    assert bs.paired_bootstrap(bs.mean_statistic(a), bs.mean_statistic(c), 40, seed=0).p_value > 0.5
    assert bs.sign_flip_test(a, c, seed=0).p_value > 0.5


# ---------------------------------------------------------------------------------------------- per benchmark
def _box_ann(name, n):
    return SequenceAnnotation(name, np.array([[10, 10, 20, 20]] * n, float), 100, 100, source="toy")


def test_otb_and_got10k_statistics_equal_the_point_estimates():
    rng = np.random.default_rng(2)
    ann = {f"s{i}": _box_ann(f"s{i}", int(rng.integers(5, 40))) for i in range(12)}
    res = {k: a.groundtruth + rng.normal(0, 6, size=a.groundtruth.shape) for k, a in ann.items()}
    otb = evaluate_otb(ann, res)
    ivs = bs.otb_intervals(otb, resamples=300, seed=4)
    assert set(ivs) == {"auc", "precision", "norm_precision.g10", "norm_precision.pst", "success_rate"}
    table = otb.per_sequence
    for key, col, value in (("auc", "auc", otb.auc), ("precision", "precision", otb.precision),
                            ("norm_precision.g10", "norm_precision_g10", otb.norm_precision_g10),
                            ("norm_precision.pst", "norm_precision_pst", otb.norm_precision_pst),
                            ("success_rate", "success_rate", otb.success_rate)):
        assert bs.mean_statistic(table[col])(bs.identity_indices(12))[0] == pytest.approx(value, abs=1e-12)
        assert ivs[key].value == value and ivs[key].low <= value <= ivs[key].high

    runs = {k: [a.groundtruth + rng.normal(0, 4, size=a.groundtruth.shape) for _ in range(2)] for k, a in ann.items()}
    got = evaluate_got10k(ann, runs)
    ivs = bs.got10k_intervals(got, resamples=300, seed=4)
    frames = got.per_sequence["frames"].to_numpy(float)
    for key in ("ao", "sr50", "sr75"):
        stat = bs.ratio_statistic(got.per_sequence[key].to_numpy() * frames, frames)
        assert stat(bs.identity_indices(12))[0] == pytest.approx(getattr(got, key), abs=1e-12)
        assert ivs[key].low <= ivs[key].value <= ivs[key].high
    # pooled, not sequence-averaged: a resample of one long and one short sequence weighs frames
    a, b = got.per_sequence.iloc[0], got.per_sequence.iloc[1]
    pooled = (a["ao"] * a["frames"] + b["ao"] * b["frames"]) / (a["frames"] + b["frames"])
    assert bs.ratio_statistic(got.per_sequence["ao"].to_numpy() * frames, frames)(np.array([[0, 1]]))[0] == \
        pytest.approx(pooled)


def _vot_sequences(seed=1, count=14):
    rng = np.random.default_rng(seed)
    seqs = []
    for i in range(count):
        n, runs = int(rng.integers(150, 600)), int(rng.integers(1, 4))
        kinds = np.full((runs, n), FrameKind.TRACKED, dtype=np.int8)
        for r in range(runs):
            kinds[r, 0] = FrameKind.INIT
            t = 0
            while True:
                t += int(rng.integers(30, 250))
                if t + 6 >= n:
                    break
                kinds[r, t] = FrameKind.FAILURE
                kinds[r, t + 1:t + 5] = FrameKind.UNKNOWN
                kinds[r, t + 5] = FrameKind.INIT
                t += 5
        ov = np.where(kinds == FrameKind.TRACKED, rng.uniform(0.2, 0.9, size=(runs, n)), np.nan)
        seqs.append(SequenceRuns(f"s{i}", kinds, ov, ov.copy()))
    return seqs


@pytest.mark.parametrize("variant", ["leg", "pst", "pyt"])
def test_vot_statistics_equal_the_report_and_eao_equals_a_recompute(variant):
    seqs = _vot_sequences()
    rep = analyze_runs(seqs, VOTSettings(variant=variant, interval=(100, 140)))
    stats = bs.vot_statistics(rep)
    ident = bs.identity_indices(len(seqs))
    for key, (stat, value, _) in stats.items():
        assert stat(ident)[0] == pytest.approx(getattr(rep, key), rel=1e-12, abs=1e-12), key
        assert value == getattr(rep, key)
    # a sequence drawn k times weighs k times: the same EAO as recomputing on the resampled sequence list
    idx = bs.resample_indices(len(seqs), 6, seed=9)
    fast = stats["eao"][0](idx)
    for r in range(len(idx)):
        sub = [seqs[i] for i in idx[r]]
        frags = eao_fragments([s.kinds for s in sub], [s.overlaps_eao for s in sub], variant)
        ref, _, _ = eao_over_interval(frags, tag_weights(frags, None), 100, 140, variant, max(s.length for s in sub))
        assert fast[r] == pytest.approx(ref, rel=1e-12)
    ivs = bs.vot_intervals(rep, resamples=300, seed=0)
    assert list(ivs) == ["eao", "accuracy", "robustness", "failures", "failures_per_sequence", "reliability"]
    assert ivs["eao"].resamples == bs.DEFAULT_EAO_RESAMPLES and ivs["accuracy"].resamples == 300
    for key, iv in ivs.items():
        assert iv.low <= iv.value <= iv.high, key
    assert bs.vot_intervals(rep, resamples=300, seed=0) == ivs


def test_vot_report_without_sequences_is_refused():
    rep = analyze_runs(_vot_sequences(count=3), VOTSettings(interval=(100, 140)))
    import dataclasses

    with pytest.raises(ValueError, match="sequence_runs"):
        bs.vot_intervals(dataclasses.replace(rep, sequence_runs=()))


# ---------------------------------------------------------------------------------------------- CLI
def _check_ci(ci: dict, out: dict, keys: list[str], resamples=200):
    assert list(ci) == keys
    for key in keys:
        point = out
        for part in key.split("."):
            point = point[part]
        entry = ci[key]
        assert entry["value"] == pytest.approx(point)
        assert entry["low"] <= entry["value"] <= entry["high"], key
        assert entry["resamples"] == resamples and entry["seed"] == 3 and entry["level"] == 0.95


def test_cli_otb_and_got10k_bootstrap(tmp_path, capsys):
    from integration.cli import main

    rng = np.random.default_rng(4)
    names = [f"Seq{i}" for i in range(8)]
    data = {k: {"name": k, "image_files": [f"{j:04d}.jpg" for j in range(1, 11)], "gt_rect": [[20, 20, 30, 30]] * 10}
            for k in names}
    (tmp_path / "otb.json").write_text(json.dumps(data))
    res = tmp_path / "res"
    res.mkdir()
    for k in names:
        boxes = np.array([[20, 20, 30, 30]] * 10, float) + rng.normal(0, 8, size=(10, 4)) * [1, 1, 0, 0]
        np.savetxt(res / f"{k}.txt", boxes, fmt="%.2f", delimiter=",")
    args = ["analyze", "otb", "--annotations", str(tmp_path / "otb.json"), "--results", str(res), "--json"]
    assert main(args) == 0
    plain = json.loads(capsys.readouterr().out)
    assert "ci" not in plain  # default --bootstrap 0: output unchanged
    assert main(args + ["--bootstrap", "200", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    _check_ci(out["ci"], out, ["auc", "precision", "norm_precision.g10", "norm_precision.pst", "success_rate"])
    assert {k: v for k, v in out.items() if k != "ci"} == plain
    assert main(args[:-1] + ["--bootstrap", "200", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "intervals: 95% percentile bootstrap over 8 sequences, 200 resamples, seed 3" in text
    assert "low" in text and "high" in text

    from tests.test_got10k_metrics import _write_got10k

    gt = np.array([[10, 10, 20, 20]] * 6, float)
    seqs = {f"v{i}": {"gt": gt, "size": (100, 100), "cover": [8] * 6} for i in range(6)}
    runs = {k: [gt + rng.normal(0, 5, size=gt.shape) * [1, 1, 0, 0] for _ in range(2)] for k in seqs}
    val, got = _write_got10k(tmp_path / "g", seqs, runs)
    assert main(["analyze", "got10k", "--annotations", str(val), "--results", str(got), "--json",
                 "--bootstrap", "200", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    _check_ci(out["ci"], out, ["ao", "sr50", "sr75"])


BOX, HALF, FAR = "10,10,20,20", "10,10,10,20", "14,12,20,20"


def test_cli_vot_bootstrap(tmp_path, capsys):
    from integration.cli import main

    n, names = 12, [f"s{i}" for i in range(6)]
    ann = {s: {"video_dir": s, "init_rect": [10, 10, 20, 20], "img_names": [f"{s}/{i:08d}.jpg" for i in range(n)],
               "gt_rect": [[10, 10, 20, 20]] * n, "width": 100, "height": 100} for s in names}
    (tmp_path / "ann.json").write_text(json.dumps(ann))
    lines = {"s0": ["1"] + [BOX] * 11, "s1": ["1", BOX, HALF, "2", "0", "0", "0", "0", "1", BOX, HALF, BOX],
             "s2": ["1"] + [HALF] * 11, "s3": ["1", FAR, FAR, FAR, FAR, BOX, BOX, HALF, HALF, FAR, BOX, BOX],
             "s4": ["1", BOX, "2", "0", "0", "0", "0", "1", FAR, FAR, FAR, FAR], "s5": ["1"] + [FAR] * 11}
    for s, run in lines.items():
        d = tmp_path / "T" / "baseline" / s
        d.mkdir(parents=True)
        (d / f"{s}_001.txt").write_text("".join(f"{x}\n" for x in run))
    args = ["analyze", "vot", "--annotations", str(tmp_path / "ann.json"), "--results", str(tmp_path / "T"),
            "--interval", "1", "3", "--burnin", "2", "--json"]
    assert main(args) == 0
    plain = json.loads(capsys.readouterr().out)
    assert "ci" not in plain
    assert main(args + ["--bootstrap", "200", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    _check_ci(out["ci"], out, ["eao", "accuracy", "robustness", "failures", "failures_per_sequence", "reliability"])
    assert out["ci"]["failures"]["value"] == 2.0 and out["ci"]["failures"]["high"] > 2.0
    assert main(args[:-1] + ["--bootstrap", "200", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "intervals: 95% percentile bootstrap over 6 sequences, 200 resamples, seed 3" in text
