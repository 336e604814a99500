"""EAO: hand-computed toy examples, an independent loop port of LEG, and the PST/PYT differences."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.regions import FrameKind
from analysis.metrics.vot.eao import eao, eao_curves, eao_fragments, eao_over_interval, eao_score, tag_weights

I, T, F, U = FrameKind.INIT, FrameKind.TRACKED, FrameKind.FAILURE, FrameKind.UNKNOWN
nan = np.nan


def _toy():
    """Two sequences, one run each, skip = 2 (re-init 2 frames after a failure).

    A (N=6): INIT .8 FAIL U INIT .6   -> failure at frame 3 (1-based), re-init at 3+2 = 5 <= 6
    B (N=4): INIT .5 .7 .9            -> no failure
    LEG fragments (L = 6 = longest sequence):
      F1 = A[1..5] NaN->0, zero-padded   = [0, .8, 0, 0, 0, 0]     (ended in a failure)
      F2 = A[5..6] NaN->0, NaN-padded    = [0, .6, -, -, -, -]
      F3 = B kept with NaN, NaN-padded   = [-, .5, .7, .9, -, -]
    Φ(1) = 1
    Φ(2) = (.8 + .6 + .5) / 3                       = 0.633333
    Φ(3) = (mean(.8,0) + mean(.5,.7)) / 2 = (.4+.6)/2 = 0.5
    Φ(4) = (mean(.8,0,0) + mean(.5,.7,.9)) / 2       = (.266667 + .7) / 2 = 0.483333
    Φ(5) = mean(.8,0,0,0)                            = 0.2
    Φ(6) = mean(.8,0,0,0,0)                          = 0.16
    EAO over [2, 4] = (0.633333 + 0.5 + 0.483333) / 3 = 0.538889
    PYT: same curve shifted by one index (c[j] = Φ(j+1)), 4 columns (longest segment = B);
         score mean(c[2:5]) = mean(Φ(3), Φ(4)) (c[4] does not exist) = 0.491667
    """
    ka = np.array([[I, T, F, U, I, T]])
    oa = np.array([[nan, .8, nan, nan, nan, .6]])
    kb = np.array([[I, T, T, T]])
    ob = np.array([[nan, .5, .7, .9]])
    return [ka, kb], [oa, ob]


def test_leg_curve_and_score_by_hand():
    kinds, overlaps = _toy()
    frags = eao_fragments(kinds, overlaps, "leg", skip=2)
    expected = np.array([[0, .8, 0, 0, 0, 0], [0, .6, nan, nan, nan, nan], [nan, .5, .7, .9, nan, nan]])
    np.testing.assert_array_equal(np.isnan(frags.matrix), np.isnan(expected))
    np.testing.assert_allclose(np.nan_to_num(frags.matrix), np.nan_to_num(expected))
    curve = eao_curves(frags, tag_weights(frags, None))
    np.testing.assert_allclose(curve, [1, 1.9 / 3, .5, (.8 / 3 + .7) / 2, .2, .16])
    assert eao_score(curve, 2, 4) == pytest.approx((1.9 / 3 + .5 + (.8 / 3 + .7) / 2) / 3)
    assert eao_score(curve, 2, 4) == pytest.approx(0.538889, abs=1e-6)
    # the interval is inclusive and NaN lengths are skipped
    assert eao_score(np.array([1, .5, nan, .3]), 2, 4) == pytest.approx(.4)


def test_pyt_curve_and_off_by_one_by_hand():
    kinds, overlaps = _toy()
    frags = eao_fragments(kinds, overlaps, "pyt")
    assert frags.matrix.shape == (3, 4)
    curve = eao_curves(frags, tag_weights(frags, None))
    np.testing.assert_allclose(curve[1:], [1.9 / 3, .5, (.8 / 3 + .7) / 2])
    assert eao_score(curve, 2, 4, "pyt") == pytest.approx((.5 + (.8 / 3 + .7) / 2) / 2)


def _near_end():
    """Failure within the last `skip` frames (skip = 2).

    C (N=5): INIT .9 .7 FAIL U   -> re-init would be frame 4+2 = 6 > 5
    D (N=8): INIT .5 .5 .5 .5 .5 .5 .5
    LEG drops that failure: C's only fragment is [0,.9,.7,0,0] NaN-padded beyond 5, so at length 6 only D
    counts: Φ(6) = .5. PST (0-based 3+2 <= 5) and PYT count C as failed, zero-padded:
    Φ(6) = (mean(.9,.7,0,0,0) + .5) / 2 = (.32 + .5) / 2 = .41. Up to length 5 all three agree:
    Φ(5) = (mean(.9,.7,0,0) + .5)/2 = (.4 + .5)/2 = .45.
    """
    kc = np.array([[I, T, T, F, U]])
    oc = np.array([[nan, .9, .7, nan, nan]])
    kd = np.array([[I] + [T] * 7])
    od = np.array([[nan] + [.5] * 7])
    return [kc, kd], [oc, od]


@pytest.mark.parametrize("rule, phi6", [("leg", .5), ("pst", .41), ("pyt", .41)])
def test_failure_near_the_end(rule, phi6):
    kinds, overlaps = _near_end()
    frags = eao_fragments(kinds, overlaps, rule, skip=2)
    curve = eao_curves(frags, tag_weights(frags, None))
    assert curve[4] == pytest.approx(.45)
    assert curve[5] == pytest.approx(phi6)


def test_run_weights_leg_vs_pst():
    """Sequence P has 2 runs, Q has 1 run (listed last).

    P run 1: INIT .4 .4 (no failure), run 2: INIT .8 .8; Q: INIT .1 .1
    LEG: weights 1/2, 1/2, 1 -> Φ(2) = (.5*.4 + .5*.8 + 1*.1) / 2 = 0.35
    PST: every fragment weighs 1/#runs of the last sequence (= 1) -> Φ(2) = (.4 + .8 + .1) / 3 = 0.43333
    PYT: weights 1 -> same as PST here.
    """
    kinds = [np.array([[I, T, T], [I, T, T]]), np.array([[I, T, T]])]
    overlaps = [np.array([[nan, .4, .4], [nan, .8, .8]]), np.array([[nan, .1, .1]])]
    for rule, phi2 in (("leg", .35), ("pst", 1.3 / 3), ("pyt", 1.3 / 3)):
        frags = eao_fragments(kinds, overlaps, rule)
        assert eao_curves(frags, tag_weights(frags, None))[1] == pytest.approx(phi2), rule


def test_tag_weights_fraction_of_fragment_frames():
    """Tag on frames 2..4 (1-based) of A: F1 = A[1..5] has 3 of 5 frames tagged, F2 = A[5..6] none, B none.

    With those weights only F1 counts: Φ(2) = .8, Φ(3) = .4; B is usable but weighs 0.
    """
    kinds, overlaps = _toy()
    frags = eao_fragments(kinds, overlaps, "leg", skip=2)
    tag_a = np.array([0, 1, 1, 1, 0, 0], bool)
    w = tag_weights(frags, [tag_a, np.zeros(4, bool)])
    np.testing.assert_allclose(w, [3 / 5, 0, 0])
    curves = eao_curves(frags, np.stack([tag_weights(frags, None), w]))
    np.testing.assert_allclose(curves[1, 1:3], [.8, .4])
    scores, _ = eao(kinds, overlaps, 2, 3, "leg", skip=2, tags={"t": [tag_a, np.zeros(4, bool)]})
    assert scores["t"] == pytest.approx(.6)
    assert scores["all"] == pytest.approx((1.9 / 3 + .5) / 2)


def _leg_reference(kinds, overlaps, skip):
    """Direct loop transcription of LEG estimate_expected_overlap.m (1-based arithmetic kept)."""
    L = max(k.shape[1] for k in kinds)
    frags, weights = [], []
    for k, o in zip(kinds, overlaps):
        R = k.shape[0]
        for r in range(R):
            seg = o[r]
            n = seg.size
            fails = [i + 1 for i in range(n) if k[r, i] == F]
            if fails:
                points = [1] + [f + skip for f in fails if f + skip <= n]
                for j in range(len(points) - 1):
                    x = seg[points[j] - 1:points[j + 1]].copy()
                    x[np.isnan(x)] = 0
                    row = np.zeros(L)
                    row[:x.size] = x
                    frags.append(row)
                    weights.append(1 / R)
                x = seg[points[-1] - 1:].copy()
                x[np.isnan(x)] = 0
                row = np.full(L, nan)
                row[:x.size] = x
                frags.append(row)
                weights.append(1 / R)
            else:
                row = np.full(L, nan)
                row[:n] = seg
                frags.append(row)
                weights.append(1 / R)
    frags, weights = np.array(frags), np.array(weights)
    curve = np.ones(L)
    for length in range(2, L + 1):
        usable = ~np.isnan(frags[:, length - 1])
        curve[length - 1] = (np.sum(np.mean(frags[usable, 1:length], axis=1) * weights[usable])
                             / np.sum(weights[usable])) if usable.any() else nan
    return curve


def _simulate(rng, n, runs, p_fail, skip):
    """Random reset-based runs following the VOT baseline protocol (failure -> UNKNOWN -> re-init)."""
    kinds = np.full((runs, n), U, dtype=np.int8)
    ov = np.full((runs, n), nan)
    for r in range(runs):
        f = 0
        while f < n:
            kinds[r, f] = I
            f += 1
            while f < n:
                if rng.random() < p_fail:
                    kinds[r, f] = F
                    f += skip
                    break
                kinds[r, f] = T
                ov[r, f] = rng.uniform(0.05, 1.0)
                f += 1
    return kinds, ov


def test_vectorised_leg_equals_loop_reference_on_random_runs():
    rng = np.random.default_rng(7)
    for _ in range(5):
        kinds, overlaps = [], []
        for _ in range(12):
            k, o = _simulate(rng, int(rng.integers(20, 120)), int(rng.integers(1, 4)), 0.03, 5)
            kinds.append(k)
            overlaps.append(o)
        frags = eao_fragments(kinds, overlaps, "leg")
        ours = eao_curves(frags, tag_weights(frags, None))
        np.testing.assert_allclose(ours, _leg_reference(kinds, overlaps, 5), rtol=1e-12, atol=1e-12)


def test_eao_score_rejects_bad_interval():
    with pytest.raises(ValueError, match="low <= high"):
        eao_score(np.ones(10), 5, 3)
    with pytest.raises(ValueError, match="unknown EAO rule"):
        eao_fragments([np.array([[I, T]])], [np.array([[nan, 1.0]])], "matlab")


# ------------------------------------------------- interval vs short data: one rule (issue 12)
def test_interval_beyond_the_longest_sequence_is_refused():
    kinds, overlaps = _toy()  # longest sequence: 6 frames
    for rule, (lo, hi) in (("leg", (2, 7)), ("pst", (3, 7)), ("pyt", (2, 6))):  # pyt averages lo+1..hi+1
        frags = eao_fragments(kinds, overlaps, rule, skip=2)
        with pytest.raises(ValueError, match=r"beyond the longest sequence \(6 frames\).*fit_interval"):
            eao_over_interval(frags, tag_weights(frags, None), lo, hi, rule, 6)
    frags = eao_fragments(kinds, overlaps, "leg", skip=2)
    score, _, note = eao_over_interval(frags, tag_weights(frags, None), 2, 6, "leg", 6)
    assert score == pytest.approx((1.9 / 3 + .5 + (.8 / 3 + .7) / 2 + .2 + .16) / 5) and note == ""


def test_short_pyt_curve_is_continued_not_partially_averaged():
    """PYT curve of the toy ends at length 4 (longest segment = B). Lengths 3..5 (interval [2, 4]):
    vot-toolkit's mean(c[2:5]) averages Φ(3), Φ(4) only (0.491667, see test_pyt_curve_and_off_by_one_by_hand).
    Continued: beyond length 4 only the failed segment A[0..1] = (0, .8) is usable, zero-padded:
    Φ(5) = .8 / 4 = .2, Φ(6) = .8 / 5 = .16 (LEG's values too) ->
    EAO = (.5 + .483333 + .2) / 3 = 0.394444; interval [2, 5] -> (.5 + .483333 + .2 + .16) / 4 = 0.335833."""
    kinds, overlaps = _toy()
    frags = eao_fragments(kinds, overlaps, "pyt")
    w = tag_weights(frags, None)
    score, curve, note = eao_over_interval(frags, w, 2, 4, "pyt", 6)
    np.testing.assert_allclose(curve, [1, 1.9 / 3, .5, (.8 / 3 + .7) / 2, .2, .16])
    assert score == pytest.approx((.5 + (.8 / 3 + .7) / 2 + .2) / 3) and score == pytest.approx(0.394444, abs=1e-6)
    assert "continued from 4 to 6" in note
    assert eao_over_interval(frags, w, 2, 5, "pyt", 6)[0] == pytest.approx(0.335833, abs=1e-6)
    # an interval inside the curve is untouched: toolkit score, no note
    score, curve, note = eao_over_interval(frags, w, 1, 2, "pyt", 6)
    assert score == pytest.approx((1.9 / 3 + .5) / 2) and curve.size == 4 and note == ""


def test_fitted_pyt_interval_stays_inside_and_report_states_the_rule():
    from analysis.metrics.vot.analysis import SequenceRuns, VOTSettings, analyze_runs

    # one length N = 6: fit_interval gives [ceil(6/2), 6] = [3, 6]; PYT would average 4..7 -> high lowered to 5
    iv = VOTSettings(variant="pyt").resolve_interval([6])
    assert (iv.low, iv.high) == (3, 5) and "high lowered to 5" in iv.source
    assert VOTSettings(variant="leg").resolve_interval([6]).as_tuple() == (3, 6)
    kinds, overlaps = _toy()
    seqs = [SequenceRuns(name, k, o, o, {}) for name, k, o in zip("AB", kinds, overlaps)]
    rep = analyze_runs(seqs, VOTSettings(variant="leg", skip=2, interval=(2, 4)))
    assert rep.eao == pytest.approx(0.538889, abs=1e-6)
    assert "longest sequence (6 frames)" in rep.convention["interval"]["rule"]
    with pytest.raises(ValueError, match="beyond the longest sequence"):
        analyze_runs(seqs, VOTSettings(variant="leg", skip=2, stack="vot2018"))  # 100-356 on 6 frames: refused


@pytest.mark.parametrize("rule", ["leg", "pst", "pyt"])
def test_blocked_computation_equals_the_whole_matrix_bit_for_bit(rule):
    """Issue 15: the fragment matrix is consumed in column blocks (curves) and row blocks (tail sums); any
    block size, down to one column / one row, gives exactly the bits of the whole matrix at once."""
    from analysis.metrics.vot.eao import eao, eao_curves, extend_curve

    rng = np.random.default_rng(11)
    kinds, overlaps, tags = [], [], []
    for _ in range(9):
        n = int(rng.integers(8, 90))
        k, o = _simulate(rng, n, int(rng.integers(1, 4)), 0.08, 5)
        o[rng.random(o.shape) < 0.01] = nan  # an undefined frame here and there (kept NaN without failures)
        kinds.append(k)
        overlaps.append(o)
        tags.append(rng.random(n) < 0.4)
    frags = eao_fragments(kinds, overlaps, rule)
    assert frags.failed.any()
    weights = np.stack([tag_weights(frags, None), tag_weights(frags, tags),
                        tag_weights(frags, [~t for t in tags])])
    whole = 1 << 62  # one block: the whole matrix at once
    ref = eao_curves(frags, weights, block_bytes=whole)
    ref_ext = extend_curve(frags, weights, frags.width + 30, block_bytes=whole)
    ref_scores, _ = eao(kinds, overlaps, 5, 60, rule, tags={"t": tags}, block_bytes=whole)
    for block_bytes in (1, 8 * len(frags) * 3, 8 * frags.width * 2, 4000, None):
        np.testing.assert_array_equal(eao_curves(frags, weights, block_bytes=block_bytes), ref)
        np.testing.assert_array_equal(eao_curves(frags, weights[0], block_bytes=block_bytes), ref[0])
        np.testing.assert_array_equal(extend_curve(frags, weights, frags.width + 30, block_bytes=block_bytes),
                                      ref_ext)
        scores, _ = eao(kinds, overlaps, 5, 60, rule, tags={"t": tags}, block_bytes=block_bytes)
        np.testing.assert_equal(scores, ref_scores)  # NaN equals NaN here, any other difference fails
        score, curve, _ = eao_over_interval(frags, weights[0], 5, 40, rule, frags.width + 30,
                                            block_bytes=block_bytes)
        ref_score, ref_curve, _ = eao_over_interval(frags, weights[0], 5, 40, rule, frags.width + 30,
                                                    block_bytes=whole)
        np.testing.assert_array_equal(curve, ref_curve)
        np.testing.assert_equal(score, ref_score)
    # the lazy matrix, its column and row blocks agree
    m = frags.matrix
    assert m.shape == (len(frags), frags.width)
    np.testing.assert_array_equal(frags.columns(3, 17), m[:, 3:17])
    np.testing.assert_array_equal(frags.rows(2, 5), m[2:5])


def test_default_blocks_stay_within_the_memory_budget():
    from analysis.metrics.vot.eao import DEFAULT_BLOCK_BYTES, _block_count

    for n_frag in (1, 2857, 10 ** 6, 10 ** 8):
        cols = _block_count(None, n_frag)
        assert cols >= 1 and (cols == 1 or cols * n_frag * 8 <= DEFAULT_BLOCK_BYTES)
