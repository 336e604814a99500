"""VOT accuracy / failures / robustness / intervals / per-attribute on hand-computed tiny cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.core.regions import FrameKind
from analysis.io.annotation import SequenceAnnotation
from analysis.metrics.vot.accuracy import (
    accuracy_valid_mask,
    burnin_mask,
    failure_counts,
    failure_rate_per_100,
    failures_per_sequence,
    fill_missing_runs,
    frame_mean_overlaps,
    length_weighted_mean,
    pooled_accuracy,
    pooled_failures,
    pyt_reliability,
    pyt_robustness,
    reliability,
    sequence_accuracy_leg,
    sequence_accuracy_pyt,
)
from analysis.metrics.vot.analysis import (
    SequenceRuns,
    VOTInputError,
    VOTSettings,
    analyze_runs,
    analyze_vot,
    analyze_vot_folder,
)
from analysis.metrics.vot.interval import (
    estimate_interval,
    fit_interval,
    grow_range,
    kristan_bandwidth,
    length_density,
)
from analysis.stacks import stack_interval

I, T, F, U = FrameKind.INIT, FrameKind.TRACKED, FrameKind.FAILURE, FrameKind.UNKNOWN
nan = np.nan


def test_burnin_mask_windows_after_every_init():
    kinds = np.array([[I, T, T, T, F, U, I, T, T, T, T]])
    # burn-in 3: frames 0,1,2 and 6,7,8 are masked (the INIT frame itself included)
    expected = np.array([[1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(burnin_mask(kinds, 3), expected)
    np.testing.assert_array_equal(burnin_mask(kinds, 0), np.zeros_like(expected))
    valid = accuracy_valid_mask(kinds, 3)
    np.testing.assert_array_equal(valid, np.array([[0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]], dtype=bool))


def test_burnin_mask_matches_reference_loop():
    """The vectorised mask equals the loop of PYT compute_accuracy / PST calculate_accuracy on random runs."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        kinds = rng.choice([I, T, T, T, F, U], size=(3, 40))
        for b in (1, 5, 10):
            ref = np.zeros(kinds.shape, dtype=bool)
            for r in range(kinds.shape[0]):
                for i in range(kinds.shape[1]):
                    if kinds[r, i] == I:
                        ref[r, i:i + b] = True
            np.testing.assert_array_equal(burnin_mask(kinds, b), ref)


def _toy():
    """Two sequences, burn-in 2 (hand-computed below).

    X (N=6, 2 runs): run 1 = INIT .2 .4 .6 .8 1.0 -> valid frames 2..5: .4 .6 .8 1.0
                     run 2 = INIT .3 .5 FAIL U U  -> valid frame 2: .5
      frame means: f2 = (.4+.5)/2 = .45, f3 = .6, f4 = .8, f5 = 1.0
    Y (N=3, 1 run):  INIT .7 .1 -> valid frame 2: .1
    pooled accuracy = (.45 + .6 + .8 + 1.0 + .1) / 5 = 0.59
    PYT: A_X = mean(.7, .5) = .6, A_Y = .1, length-weighted (6*.6 + 3*.1) / 9 = 0.4333...
    failures: X mean(0, 1) = .5, Y 0 -> F = .5, N = 9
    """
    kx = np.array([[I, T, T, T, T, T], [I, T, T, F, U, U]])
    ox = np.array([[nan, .2, .4, .6, .8, 1.0], [nan, .3, .5, nan, nan, nan]])
    ky = np.array([[I, T, T]])
    oy = np.array([[nan, .7, .1]])
    return (kx, ox), (ky, oy)


def test_accuracy_variants_hand_computed():
    (kx, ox), (ky, oy) = _toy()
    mx = frame_mean_overlaps(ox, kx, burnin=2)
    np.testing.assert_allclose(mx, [nan, nan, .45, .6, .8, 1.0])
    a, n = pooled_accuracy([mx, frame_mean_overlaps(oy, ky, burnin=2)])
    assert n == 5
    assert a == pytest.approx(0.59)
    ax, ay = sequence_accuracy_pyt(ox, kx, 2), sequence_accuracy_pyt(oy, ky, 2)
    assert (ax, ay) == (pytest.approx(0.6), pytest.approx(0.1))
    assert length_weighted_mean([ax, ay], [6, 3]) == pytest.approx(3.9 / 9)
    assert sequence_accuracy_leg(ox, kx, 2) == pytest.approx((.45 + .6 + .8 + 1.0) / 4)


def test_failure_measures_hand_computed():
    (kx, _), (ky, _) = _toy()
    fx, fy = failure_counts(kx), failure_counts(ky)
    np.testing.assert_array_equal(fx, [0, 1])
    total = pooled_failures([fx.mean(), fy.mean()])
    assert total == pytest.approx(0.5)
    assert failure_rate_per_100(total, 9) == pytest.approx(50 / 9)
    assert failures_per_sequence(total, 2) == pytest.approx(0.25)
    assert reliability(total, 9) == pytest.approx(math.exp(-30 * 0.5 / 9))
    assert pyt_robustness([0.5, 0.0], [6, 3]) == pytest.approx(3 / 9)
    # PYT AR abscissa: exp(-S * robustness / mean length) = exp(-30 * (1/3) / 4.5)
    assert pyt_reliability([0.5, 0.0], [6, 3]) == pytest.approx(math.exp(-30 * (1 / 3) / 4.5))
    # the published DaSiamRPN figure: 59 failures on 21356 frames -> 0.276 per 100 frames
    assert failure_rate_per_100(59, 21356) == pytest.approx(0.27627, abs=1e-5)


def test_leg_missing_run_fill_equals_mean_of_existing_runs():
    counts = np.array([[2, 4, nan], [1, nan, nan], [nan, nan, nan]])
    filled = fill_missing_runs(counts)
    np.testing.assert_allclose(filled[:2], [[2, 4, 3], [1, 1, 1]])
    assert np.isnan(filled[2]).all()
    # LEG average_failures = mean over repetitions of the column sums (rows without runs dropped)
    assert np.mean(np.sum(filled[:2], axis=0)) == pytest.approx(3 + 1)


def test_stack_intervals_and_errors():
    assert stack_interval("vot2016").as_tuple() == (108, 371)
    assert stack_interval("VOT2015").as_tuple() == (108, 371)
    assert stack_interval("vot2017").as_tuple() == (100, 356)
    assert stack_interval("vot2018").as_tuple() == (100, 356)
    assert stack_interval("vot2019").as_tuple() == (46, 291)
    assert stack_interval("vot2020").as_tuple() == (115, 755)  # vot-toolkit's vot2020 stack (multi-start)
    with pytest.raises(ValueError, match="vot2013"):
        stack_interval("vot2013")


def test_grow_range_hand_cases():
    # peak at 3; next candidates p[2]=.2 vs p[4]=.2: a tie extends high -> [3,4] holds .6
    assert grow_range(np.array([.1, .2, .4, .2, .1])) == (3, 4)
    # p[2]=.3 > p[4]=.1 -> extend low -> [2,3] holds .65
    assert grow_range(np.array([.05, .3, .35, .1, .2])) == (2, 3)
    # peak at the first element: the low side is clipped, so high grows -> [1,2] holds .55
    assert grow_range(np.array([.45, .1, .1, .1, .25])) == (1, 2)
    # LEG quirk: high + 1 == len(p) already counts as "at the boundary", so low grows instead of the
    # tie p[3] = p[5] = .2 extending high -> [3,4] (a plain comparison would give [4,5])
    assert grow_range(np.array([.1, .1, .2, .4, .2])) == (3, 4)


def test_kristan_bandwidth_two_points_by_hand():
    """N=2 lengths 100, 200: whitened z = -1, +1 (population std 50).

    G = (4/6)^(2/5); pairs i=j: m=0 -> term 3; i!=j: m = 4/G -> term 3 - 6m + m^2, weight exp(-m/2).
    R = [2*3 + 2*exp(-m/2)*(3-6m+m^2)] / (sqrt(2 pi G) * G^2 * 4);  h = (1/(2 * 2 sqrt(pi) R))^(1/5);
    kernel std = 50 h.
    """
    g = (4 / 6) ** 0.4
    m = 4 / g
    r = (2 * 3 + 2 * math.exp(-m / 2) * (3 - 6 * m + m * m)) / (math.sqrt(2 * math.pi * g) * g * g * 4)
    h = (1 / (2 * 2 * math.sqrt(math.pi) * r)) ** 0.2
    assert kristan_bandwidth(np.array([100, 200])) == pytest.approx(50 * h, rel=1e-12)


def test_kristan_bandwidth_matches_quadrature_of_the_squared_hessian():
    """Independent check of R(f''): Kristan's pairwise sum with total variance G equals
    the integral of (f_hat'')^2 where f_hat is the KDE of the whitened data with kernel variance G/2
    (two G/2 Gaussians convolve to variance G). Integrate on a fine grid, then h = (1/(N 2 sqrt(pi) R))^(1/5).
    """
    x = np.array([41.0, 76, 100, 113, 131, 131, 160, 175, 240, 292, 350, 366, 402, 558, 725, 999])
    n = x.size
    sigma = x.std()
    z = (x - x.mean()) / sigma
    g = (4 / (3 * n)) ** 0.4
    v = g / 2
    grid = np.linspace(z.min() - 12, z.max() + 12, 400001)
    d = grid[:, None] - z[None, :]
    f2 = np.sum((d * d / v - 1) / v * np.exp(-0.5 * d * d / v) / np.sqrt(2 * np.pi * v), axis=1) / n
    r = np.trapezoid(f2 * f2, grid)
    h = (1 / (n * 2 * np.sqrt(np.pi) * r)) ** 0.2
    assert kristan_bandwidth(x) == pytest.approx(h * sigma, rel=1e-6)


def test_kde_interval_is_symmetric_for_symmetric_lengths():
    lengths = np.array([90, 95, 100, 100, 105, 110])
    iv = estimate_interval(np.asarray(lengths))
    lo, hi, peak = iv.low, iv.high, iv.peak
    assert peak == 100
    assert lo < peak < hi
    assert abs((peak - lo) - (hi - peak)) <= 1
    p = length_density(lengths)
    assert p.sum() == pytest.approx(1.0)
    assert p[lo - 1:hi].sum() >= 0.5
    assert p[lo:hi].sum() < 0.5 or p[lo - 1:hi - 1].sum() < 0.5  # one step less would not reach the mass
    with pytest.raises(ValueError):
        estimate_interval(np.array([100, 100, 100]))


def test_fit_interval_kde_or_single_length_rule():
    """Custom datasets: the KDE when defined (same as estimate_interval), else [ceil(N/2), N], stated."""
    lengths = [90, 95, 100, 100, 105, 110]
    assert fit_interval(lengths) == estimate_interval(np.array(lengths))
    one = fit_interval([196])
    assert (one.low, one.high) == (98, 196) and "single length" in one.source
    assert fit_interval([7, 7]).as_tuple() == (4, 7)
    with pytest.raises(ValueError):
        fit_interval([])
    # the analysis falls back to it when neither --interval nor --stack is given
    assert VOTSettings().resolve_interval([196]).as_tuple() == (98, 196)


def _runs(name, kinds, overlaps, tags=None):
    kinds = np.asarray(kinds, dtype=np.int8)
    overlaps = np.asarray(overlaps, dtype=np.float64)
    tags = {k: np.asarray(v, dtype=bool) for k, v in (tags or {}).items()}
    if tags:
        tags["empty"] = ~np.any(np.stack(list(tags.values())), axis=0)
    return SequenceRuns(name, kinds, overlaps, overlaps, tags)


def test_per_attribute_hand_computed():
    """One run, burn-in 2, tag 'occlusion' on frames 3..6 (0-based), no other tag.

    kinds    I  T  T  T  F  U  I  T  T  T
    overlap  -  .9 .8 .7 -  -  -  .5 .4 .3
    tagged            x  x  x  x
    all frames: valid = 1,2? no: burn-in 2 masks 0,1 and 6,7 -> valid 2,3,8,9 -> (.8+.7+.4+.3)/4 = .55
    occlusion: filtered trajectory = [T .7, F, U, I] -> no INIT before .7 inside the filter, so .7 counts;
               the failure is on a tagged frame -> 1 failure over 4 frames
    empty: frames 0,1,2,7,8,9 -> filtered [I, T .9, T .8, T .5, T .4, T .3]; burn-in masks I and .9
           -> (.8+.5+.4+.3)/4 = .5; 0 failures
    """
    occ = np.zeros(10, bool)
    occ[3:7] = True
    seq = _runs("s", [[I, T, T, T, F, U, I, T, T, T]], [[nan, .9, .8, .7, nan, nan, nan, .5, .4, .3]],
                {"occlusion": occ})
    rep = analyze_runs([seq], VOTSettings(burnin=2, skip=2, interval=(2, 5)), per_attribute=True)
    assert rep.accuracy == pytest.approx(.55)
    table = rep.per_attribute
    assert table.loc["occlusion", "accuracy"] == pytest.approx(.7)
    assert table.loc["occlusion", "failures"] == 1
    assert table.loc["occlusion", "frames"] == 4
    assert table.loc["occlusion", "robustness"] == pytest.approx(25.0)
    assert table.loc["empty", "accuracy"] == pytest.approx(.5)
    assert table.loc["empty", "failures"] == 0
    # LEG weighted accuracy over selectors: (.7*4 + .5*6) / 10
    assert rep.accuracy_variants["leg_weighted"] == pytest.approx((.7 * 4 + .5 * 6) / 10)
    assert rep.failures == 1 and rep.frames == 10


def _annotation(name, n, w=100, h=100, source="toy.json"):
    gt = np.tile([10.0, 10.0, 20.0, 20.0], (n, 1))
    return SequenceAnnotation(name, gt, w, h, source=source)


def test_bad_input_errors_name_file_and_sequence():
    ann = {"a": _annotation("a", 5), "b": _annotation("b", 4)}
    good = [1] + [np.array([10.0, 10.0, 20.0, 20.0])] * 4
    with pytest.raises(VOTInputError, match=r"res/baseline: no results for sequence 'b'"):
        analyze_vot(ann, {"a": [good]}, VOTSettings(interval=(1, 3)), results_source="res/baseline")
    with pytest.raises(VOTInputError, match=r"res/a/a_001\.txt\|\.bin: trajectory has 4 frames, ground truth of 'a' has 5"):
        analyze_vot(ann, {"a": [good[:4]], "b": [good[:4]]}, VOTSettings(interval=(1, 3)), results_source="res")
    bad_gt = _annotation("a", 5)
    bad_gt.groundtruth[2] = np.nan
    with pytest.raises(VOTInputError, match=r"toy.json: sequence 'a': ground truth is NaN on frame 3"):
        analyze_vot({"a": bad_gt}, {"a": [good]}, VOTSettings(interval=(1, 3)))
    with pytest.raises(VOTInputError, match=r"a_001\.txt\|\.bin: frame 2: unknown special code 7"):
        analyze_vot({"a": _annotation("a", 5)}, {"a": [[1, 7] + good[2:]]}, VOTSettings(interval=(1, 3)))
    rep = analyze_vot(ann, {"a": [good]}, VOTSettings(interval=(1, 3)), allow_missing=True)
    assert rep.sequences == 1 and "no results for sequence 'b'" in rep.warnings[0]


def test_analyze_vot_on_exact_boxes():
    """A tracker that reports the ground truth exactly: accuracy 1, no failures, EAO 1."""
    ann = {"a": _annotation("a", 30), "b": _annotation("b", 20)}
    box = np.array([10.0, 10.0, 20.0, 20.0])
    res = {k: [[1] + [box] * (len(v) - 1)] * 3 for k, v in ann.items()}
    rep = analyze_vot(ann, res, VOTSettings(interval=(5, 15)))
    assert rep.accuracy == pytest.approx(1.0)
    assert rep.failures == 0 and rep.robustness == 0 and rep.reliability == 1
    assert rep.eao == pytest.approx(1.0)
    assert rep.summary()["runs"] == 3
    assert rep.per_sequence.loc["a", "frames"] == 30


def test_folder_errors_name_the_real_file(tmp_path):
    """Results read from disk: the wrong-length error names the actual run file."""
    import json

    ann = {"a": {"video_dir": "a", "init_rect": [10, 10, 20, 20], "img_names": [f"a/{i:08d}.jpg" for i in range(5)],
                 "gt_rect": [[10, 10, 20, 20]] * 5, "width": 100, "height": 100}}
    (tmp_path / "ann.json").write_text(json.dumps(ann))
    run_dir = tmp_path / "T" / "baseline" / "a"
    run_dir.mkdir(parents=True)
    (run_dir / "a_001.txt").write_text("1\n10,10,20,20\n10,10,20,20\n10,10,20,20\n")
    with pytest.raises(VOTInputError, match=r"baseline/a/a_001\.txt: trajectory has 4 frames, ground truth of 'a' has 5"):
        analyze_vot_folder(tmp_path / "ann.json", tmp_path / "T", "baseline", VOTSettings(interval=(1, 3)))
    with pytest.raises(VOTInputError, match=r"realtime: no such experiment folder \(tracker folder has: baseline\)"):
        analyze_vot_folder(tmp_path / "ann.json", tmp_path / "T", "realtime", VOTSettings(interval=(1, 3)))
    (run_dir / "a_001.txt").write_text("1\n10,10,20,20\n10,10,20,20\n10,10,20,20\n10,10,20,20\n")
    rep = analyze_vot_folder(tmp_path / "ann.json", tmp_path / "T", "baseline",
                                VOTSettings(interval=(1, 3), burnin=2))
    assert rep.accuracy == pytest.approx(1.0) and rep.frames == 5
    # with the default burn-in of 10 no frame of a 5-frame run is valid: LEG reports accuracy 0, we report it
    # undefined and say why (issue 23)
    rep = analyze_vot_folder(tmp_path / "ann.json", tmp_path / "T", "baseline", VOTSettings(interval=(1, 3)))
    assert np.isnan(rep.accuracy) and any("no longer than the burn-in" in w for w in rep.warnings)


def test_cli_bad_input_returns_2_with_a_clear_message(tmp_path, capsys):
    import json

    from integration.cli import main

    ann = {"a": {"video_dir": "a", "init_rect": [10, 10, 20, 20], "img_names": [f"a/{i:08d}.jpg" for i in range(5)],
                 "gt_rect": [[10, 10, 20, 20]] * 5, "width": 100, "height": 100}}
    (tmp_path / "ann.json").write_text(json.dumps(ann))
    run_dir = tmp_path / "T" / "baseline" / "a"
    run_dir.mkdir(parents=True)
    (run_dir / "a_001.txt").write_text("1\n10,10,20,20\n")
    rc = main(["analyze", "vot", "--annotations", str(tmp_path / "ann.json"), "--results", str(tmp_path / "T"),
               "--interval", "1", "3", "--json"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "a_001.txt: trajectory has 2 frames, ground truth of 'a' has 5" in err
    rc = main(["analyze", "vot", "--annotations", str(tmp_path / "missing.json"), "--results", str(tmp_path / "T")])
    assert rc == 2 and "missing.json" in capsys.readouterr().err


def test_threaded_preparation_gives_identical_results_and_first_error():
    rng = np.random.default_rng(5)
    ann = {f"s{i}": _annotation(f"s{i}", 40) for i in range(6)}
    res = {}
    for k in ann:
        boxes = [np.array([10.0, 10.0, 20.0, 20.0]) + rng.normal(0, 2, 4) for _ in range(39)]
        res[k] = [[1] + boxes, [1] + boxes[:20] + [2, 0, 0, 0, 0, 1] + boxes[26:]]
    s = VOTSettings(interval=(5, 30), burnin=3)
    one = analyze_vot(ann, res, s, per_attribute=False)
    two = analyze_vot(ann, res, s, workers=2)
    assert (one.eao, one.accuracy, one.failures) == (two.eao, two.accuracy, two.failures)
    np.testing.assert_array_equal(one.eao_curve, two.eao_curve)
    res["s2"] = [res["s2"][0][:30]]
    res["s4"] = [res["s4"][0][:31]]
    with pytest.raises(VOTInputError, match="s2_001"):
        analyze_vot(ann, res, s, workers=2)


# ---------------------------------------------------------------- issue 15: unknown codes, missing/extra, sizes

def _vot_json(tmp_path, names, n=12, width=100, height=100):
    import json

    ann = {}
    for s in names:
        entry = {"video_dir": s, "init_rect": [10, 10, 20, 20], "img_names": [f"{s}/{i:08d}.jpg" for i in range(n)],
                 "gt_rect": [[10, 10, 20, 20]] * n}
        if width is not None:
            entry["width"] = width
        if height is not None:
            entry["height"] = height
        ann[s] = entry
    (tmp_path / "ann.json").write_text(json.dumps(ann))
    return tmp_path / "ann.json"


def _write_run(folder, name, lines, run=1):
    d = folder / name
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}_{run:03d}.txt").write_text("".join(f"{x}\n" for x in lines))


BOX = "10,10,20,20"
HALF = "10,10,10,20"  # LEG/TraX raster covers x..x+w: 11x21 of the ground truth's 21x21 pixels
H = 11 / 21


def test_unknown_code_inside_trajectory_warned_with_file_and_frame(tmp_path):
    """A 0 after a tracked frame is warned (file, frame, treatment); 0s after a failure are not."""
    ann = _vot_json(tmp_path, ["bag"])
    exp = tmp_path / "T" / "baseline"
    # frame 5: 0 inside the trajectory; frame 8: failure, frames 9-11 skipped (expected), 12 init
    _write_run(exp, "bag", ["1", BOX, BOX, BOX, "0", HALF, HALF, "2", "0", "0", "0", "1"])
    rep = analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(interval=(1, 3), burnin=2))
    notes = [w for w in rep.warnings if "code 0" in w]
    assert len(notes) == 1
    assert f"{exp / 'bag' / 'bag_001.txt'} frame 5: code 0 (unknown) inside the trajectory (after a tracked frame" in notes[0]
    assert "counted as a skipped frame: left out of accuracy, not a failure, EAO overlap 0" in notes[0]
    # valid accuracy frames (burn-in 2): 3, 4, 6, 7 (frame 5 left out) -> (1 + 1 + H + H) / 4
    assert rep.accuracy == pytest.approx((2 + 2 * H) / 4)
    assert rep.failures == 1


def test_unknown_code_in_failure_free_run_says_how_eao_uses_it(tmp_path):
    ann = _vot_json(tmp_path, ["a"], n=8)
    exp = tmp_path / "T" / "baseline"
    _write_run(exp, "a", ["1", "0", BOX, BOX, "0", "0", BOX, BOX])
    rep = analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(interval=(1, 3), burnin=1))
    (note,) = [w for w in rep.warnings if "code 0" in w]
    assert "a_001.txt frames 2, 5, 6 (3 frames): code 0 (unknown) inside the trajectory (after the initialisation" in note
    assert "counts for EAO lengths below 2 only" in note
    assert rep.accuracy == pytest.approx(1.0) and rep.failures == 0
    # the only fragment is undefined from length 2 on: the curve has no value in [2, 3], EAO from length 1 only
    assert rep.eao == pytest.approx(1.0)
    pyt = analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(variant="pyt", interval=(1, 3)))
    assert "EAO overlap 0" in [w for w in pyt.warnings if "code 0" in w][0]


def test_unexpected_unknown_frames_rule():
    from analysis.io.trajectories import unexpected_unknown_frames

    kinds = np.array([U, I, T, U, T, F, U, U, U, U, I, U, T, F, U])
    np.testing.assert_array_equal(unexpected_unknown_frames(kinds), [0, 3, 11])
    assert unexpected_unknown_frames(np.array([], dtype=np.int8)).size == 0


def test_missing_sequences_refused_listing_all_and_allowed_with_warning(tmp_path):
    ann = _vot_json(tmp_path, ["a", "b", "c"], n=6)
    exp = tmp_path / "T" / "baseline"
    _write_run(exp, "a", ["1", BOX, BOX, BOX, HALF, HALF])
    _write_run(exp, "zzz", ["1", BOX])  # results without annotation
    with pytest.raises(VOTInputError) as err:
        analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(interval=(1, 3)))
    msg = str(err.value)
    assert f"{exp}: no results for 2 sequences: 'b', 'c' of the annotations" in msg and "--allow-missing" in msg
    rep = analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(interval=(1, 3), burnin=2),
                                allow_missing=True)
    assert rep.sequences == 1 and rep.frames == 6
    assert rep.accuracy == pytest.approx((2 + 2 * H) / 4)
    assert any("no results for 2 sequences ('b', 'c'); skipped (--allow-missing): scores cover 1 of the 3" in w
               for w in rep.warnings)
    assert any("1 result sequence(s) without annotation, ignored: 'zzz'" in w for w in rep.warnings)


def test_cli_allow_missing_vot(tmp_path, capsys):
    import json

    from integration.cli import main

    ann = _vot_json(tmp_path, ["a", "b"], n=6)
    _write_run(tmp_path / "T" / "baseline", "a", ["1", BOX, BOX, BOX, HALF, HALF])
    args = ["analyze", "vot", "--annotations", str(ann), "--results", str(tmp_path / "T"), "--interval", "1", "3",
            "--burnin", "2", "--json"]
    assert main(args) == 2
    assert "no results for sequence 'b'" in capsys.readouterr().err
    assert main(args + ["--allow-missing"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sequences"] == 1 and out["accuracy"] == pytest.approx((2 + 2 * H) / 4)
    assert any("no results for sequence 'b'; skipped" in w for w in out["warnings"])


def test_missing_image_size_refused_where_the_overlap_is_bounded(tmp_path):
    ann = _vot_json(tmp_path, ["a"], n=6, width=None, height=None)
    _write_run(tmp_path / "T" / "baseline", "a", ["1", BOX, BOX, BOX, HALF, HALF])
    with pytest.raises(VOTInputError, match=r"ann\.json: sequence 'a' has no image size \(width/height missing"):
        analyze_vot_folder(ann, tmp_path / "T", "baseline", VOTSettings(interval=(1, 3)))
    # the unbounded VOT2015 overlap does not need it
    rep = analyze_vot_folder(ann, tmp_path / "T", "baseline",
                                VOTSettings(interval=(1, 3), burnin=2, bounded=False))
    assert rep.accuracy == pytest.approx((2 + 2 * H) / 4)


def test_score_vot_and_score_otb_missing_and_extra(tmp_path):
    from analysis.io.load import load_annotations
    from analysis.stacks import EAOInterval
    from integration.jobs.scoring import score_otb, score_vot

    anns = load_annotations(_vot_json(tmp_path, ["a", "b"], n=6))
    exp = tmp_path / "T" / "baseline"
    _write_run(exp, "a", ["1", BOX, BOX, BOX, HALF, HALF])
    iv = EAOInterval(1, 3, 0, "given")
    with pytest.raises(VOTInputError, match=r"no results for sequence 'b'"):
        score_vot(anns, tmp_path / "T", "baseline", iv)
    _write_run(exp, "b", ["1", BOX, BOX, BOX, BOX, BOX])
    _write_run(exp, "old", ["1", BOX])
    rep = score_vot(anns, tmp_path / "T", "baseline", iv)
    assert rep.sequences == 2 and any("without annotation, ignored: 'old'" in w for w in rep.warnings)
    otb = tmp_path / "otb"
    otb.mkdir()
    (otb / "a.txt").write_text("10,10,20,20\n" * 6)
    with pytest.raises(FileNotFoundError, match=r"no one-pass result for 1 of the 2 annotated sequences: b"):
        score_otb(anns, otb)
    (otb / "b.txt").write_text("10,10,20,20\n" * 3 + "10,10,5,20\n" * 3)
    (otb / "c.txt").write_text("10,10,20,20\n")
    rep = score_otb(anns, otb)
    assert rep.sequences == 2 and any("1 result file(s) without annotation, ignored: c" in w for w in rep.warnings)
    # b: IoU 1,1,1 then about 1/4 -> success at thr 0.5 is 0.5; a: 1
    assert rep.success_rate == pytest.approx(0.75)
