"""VOT2020-2022 multi-start analysis: hand-computed cases for failure, accuracy, robustness, the EAO curve and
score (vot-toolkit 0.7.4's rules and quirks, and the corrected variant), plus vot-toolkit's own
``compute_eao_partial`` on random runs where it is installed."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.core.masks import Mask, encode_mask
from analysis.io.annotation import SequenceAnnotation
from analysis.metrics.vot.multistart import (
    MultiStartInputError,
    MultiStartSettings,
    RunScore,
    aggregate_ar,
    analyze_multistart,
    eao_curve,
    eao_partial,
    eao_score,
    failure_progress,
    find_anchors,
    sequence_ar,
    unsupervised_accuracy,
)

LOW = 0.05  # <= 0.1: a low frame
HI = 0.8


def run(overlaps, anchor=0, empty=None, **kw):
    o = np.asarray(overlaps, dtype=np.float64)
    e = np.zeros(o.size, bool) if empty is None else np.asarray(empty, bool)
    return RunScore(anchor, False, o, failure_progress(o, e, **kw))


# ---------------------------------------------------------------------------------------------- failure
def test_failure_exactly_on_the_tenth_low_frame():
    o = [0, HI, HI] + [LOW] * 10 + [HI] * 3  # lows at 3..12: the 10th is frame 12, p = 12 + 1 - 10 = 3
    assert failure_progress(np.array(o), np.zeros(len(o), bool)) == 3
    o9 = [0, HI, HI] + [LOW] * 9 + [HI] * 4  # nine are not enough
    assert failure_progress(np.array(o9), np.zeros(len(o9), bool)) == len(o9)
    at_threshold = [0, HI] + [0.1] * 10  # overlap == threshold counts as low
    assert failure_progress(np.array(at_threshold), np.zeros(12, bool)) == 2


def test_the_initialisation_frame_counts_as_a_low_frame():
    o = np.array([0] + [LOW] * 9 + [HI] * 5)  # the init overlap 0 + nine lows: a failure at progress 0
    assert failure_progress(o, np.zeros(o.size, bool)) == 0
    assert failure_progress(o, np.zeros(o.size, bool), skip_first=True) == o.size  # corrected: nine lows only


def test_low_streaks_broken_by_empty_ground_truth():
    o = np.array([0, HI] + [LOW] * 6 + [0.0] + [LOW] * 6 + [HI])
    empty = np.zeros(o.size, bool)
    empty[8] = True  # target not visible: resets the counter whatever the overlap
    assert failure_progress(o, empty) == o.size
    assert failure_progress(o, np.zeros(o.size, bool)) == 2  # without it: 13 lows from frame 2
    assert failure_progress(np.array([0.0] + [LOW] * 12), np.ones(13, bool)) == 13  # all empty: never


# ---------------------------------------------------------------------------------------------- A / R
def test_accuracy_and_robustness_by_hand():
    # sequence A (length 20): a failed run (progress 3 of 16) and a successful one of length 5
    a1 = run([0, HI, 0.6] + [LOW] * 10 + [HI] * 3)
    a2 = run([0, 0.5, 0.5, 0.5, 0.5])
    assert (a1.progress, a1.failed, a2.progress, a2.failed) == (3, True, 5, False)
    acc, rob, p, total = sequence_ar([a1, a2])
    assert (p, total) == (8, 21)
    assert acc == pytest.approx((0 + 0.8 + 0.6 + 0 + 0.5 * 4) / 8)  # init zeros included
    assert rob == pytest.approx(8 / 21)
    # sequence B (length 10): one run of length 1 (anchor on the last frame)
    b = run([0.0])
    assert sequence_ar([b]) == (0.0, 1.0, 1, 1)
    A, R = aggregate_ar([(acc, rob, 8, 20), (0.0, 1.0, 1, 10)])
    assert A == pytest.approx((acc * 8 + 0) / 9)  # weighted by sum p
    assert R == pytest.approx((8 / 21 * 20 + 1.0 * 10) / 30)  # weighted by the sequence length
    # corrected: init frames out of accuracy
    acc_c, _, w_c, _ = sequence_ar([a1, a2], corrected=True)
    assert w_c == 2 + 4 and acc_c == pytest.approx((0.8 + 0.6 + 0.5 * 4) / 6)


def test_all_runs_successful():
    runs = [run([0, HI, HI, HI]), run([0, 0.5, 0.5])]
    acc, rob, p, total = sequence_ar(runs)
    assert rob == 1.0 and p == total == 7
    curve, active = eao_partial(runs, 6)
    np.testing.assert_allclose(curve, [0, (0.8 + 0.5) / 2, (0.8 + 0.5) / 2, 0.8, 0, 0])
    np.testing.assert_array_equal(active, [0, 2, 2, 1, 0, 0])  # successful runs stop counting at their length


# ---------------------------------------------------------------------------------------------- EAO
def test_eao_curve_of_a_failed_run_shorter_than_the_interval():
    # failed run of length 12 (lows 2..11 -> progress 2), curve high 16: zeroed from frame 2, then
    # j < 12: mean(o[1..j]); j >= 12: sum(o[1:]) / (j - 1)  (the toolkit's divisor; corrected: j)
    r = run([0, 0.6] + [LOW] * 10)
    assert r.progress == 2 and r.failed
    curve, active = eao_partial([r], 16)
    expected = [0.0] + [0.6 / j for j in range(1, 12)] + [0.6 / (j - 1) for j in range(12, 16)]
    np.testing.assert_allclose(curve, expected)
    assert active.tolist() == [0] + [1] * 15
    corrected, _ = eao_partial([r], 16, corrected=True)
    np.testing.assert_allclose(corrected, [0.0] + [0.6 / j for j in range(1, 16)])
    assert eao_score(curve, 3, 16) == pytest.approx(np.mean(expected[3:16]))
    assert eao_score(curve, 3, 10) == pytest.approx(np.mean(expected[3:11]))  # low..high inclusive


def test_runs_of_length_one_and_unequal_run_counts():
    # sequence A: three runs; sequence B: one run of length 1 (never counts in the curve) and one failed run
    a = [run([0, 0.9, 0.9, 0.9]), run([0, 0.3, 0.3]), run([0, 0.6, 0.6, 0.6, 0.6])]
    b = [run([0.0]), run([0, 0.2] + [LOW] * 10)]
    high = 8
    pa, pb = eao_partial(a, high), eao_partial(b, high)
    assert pb[1].tolist() == [0] + [1] * 7  # the length-1 run is never active
    curve = eao_curve([pa, pb])
    # every counted run weighs the same: j = 1, 2 -> 4 runs; j = 3 -> 3 runs (A's 0.3-run has length 3)
    b_fail = lambda j: 0.2 / j if j < 12 else 0.2 / (j - 1)  # noqa: E731
    assert curve[1] == pytest.approx((0.9 + 0.3 + 0.6 + b_fail(1)) / 4)
    assert curve[3] == pytest.approx((0.9 + 0.6 + b_fail(3)) / 3)
    assert curve[5] == pytest.approx(b_fail(5))  # only B's failed run reaches 5
    assert curve[0] == 0.0


def test_eao_partial_equals_the_toolkit_on_random_runs():
    pytest.importorskip("vot.analysis.multistart", reason="vot-toolkit is not installed (optional group `toolkits`)")
    from vot.analysis.multistart import compute_eao_partial

    rng = np.random.default_rng(0)
    for _ in range(20):
        runs = []
        for _ in range(int(rng.integers(1, 5))):
            n = int(rng.integers(1, 40))
            o = rng.uniform(0, 1, n)
            o[0] = 0
            if rng.random() < 0.5 and n > 12:
                start = int(rng.integers(1, n - 10))
                o[start:start + 10] = 0.01
            runs.append(run(o))
        zeroed = []
        for r in runs:
            o = r.overlaps.copy()
            o[r.progress:] = 0
            zeroed.append(list(o))
        phi, active = compute_eao_partial(zeroed, [not r.failed for r in runs], 30)
        ours, ours_active = eao_partial(runs, 30)
        np.testing.assert_allclose(ours, phi, atol=1e-12)
        np.testing.assert_array_equal(ours_active, active)


# ---------------------------------------------------------------------------------------------- whole analysis
def disk_mask(cx, cy, r=5, w=60, h=40):
    yy, xx = np.mgrid[:h, :w]
    return encode_mask(((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r).astype(np.uint8))


def annotation(name, n, anchors, hidden=()):
    masks = tuple(Mask(np.zeros((1, 1), np.uint8)).optimized() if i in hidden else disk_mask(10 + i, 20)
                  for i in range(n))
    values = {"anchor": np.asarray(anchors, float)} if anchors is not None else {}
    return SequenceAnnotation(name, np.zeros((n, 4)), 60, 40, regions=masks, values=values, source=f"{name}/gt")


def test_whole_analysis_with_masks_and_boxes():
    ann = {"s": annotation("s", 14, [1] + [0] * 12 + [-1], hidden=(6,))}
    gt = ann["s"].region_list()
    perfect = {0: [1, *gt[1:]], 13: [1, *gt[12::-1]]}
    rep = analyze_multistart(ann, {"s": perfect}, MultiStartSettings(low=1, high=5))
    assert rep.robustness == 1.0 and not rep.box_on_masks
    # 13 tracked frames of 14 overlap 1 (the hidden frame: empty vs empty = 1); the init frames overlap 0
    assert rep.accuracy == pytest.approx(26 / 28)
    boxes = {0: [1, *(g.box() for g in gt[1:])], 13: [1, *(g.box() for g in gt[12::-1])]}
    rep_b = analyze_multistart(ann, {"s": boxes}, MultiStartSettings(low=1, high=5))
    assert rep_b.box_on_masks and rep_b.accuracy < rep.accuracy and "note" in rep_b.summary()
    with pytest.raises(MultiStartInputError, match="no run for anchor 13"):
        analyze_multistart(ann, {"s": {0: perfect[0]}}, MultiStartSettings(low=1, high=5))
    with pytest.raises(MultiStartInputError, match="1 regions, the run of anchor 0"):
        analyze_multistart(ann, {"s": {0: [1], 13: perfect[13]}}, MultiStartSettings(low=1, high=5))


def test_no_anchors_is_a_clear_error():
    with pytest.raises(MultiStartInputError, match="s/gt: anchor.value marks no anchor"):
        analyze_multistart({"s": annotation("s", 5, [0] * 5)}, {"s": {}}, MultiStartSettings(low=1, high=4))
    with pytest.raises(MultiStartInputError, match="no anchor.value"):
        find_anchors(None, "s/gt")


def test_unsupervised_average_accuracy():
    ann = {"s": annotation("s", 4, None), "t": annotation("t", 2, None)}
    gt_s, gt_t = ann["s"].region_list(), ann["t"].region_list()
    res = {"s": [[1, gt_s[1], 0, np.array([-9.0, -9, 2, 2])]], "t": [[1, gt_t[1]], [1, 2]]}
    acc, table = unsupervised_accuracy(ann, res)
    # s: frames 1 (1.0) and 3 (0.0) count, the code 0 does not -> 0.5; t: run 1 -> 1.0, run 2 has none -> 0.5
    assert table.loc["s", "accuracy"] == pytest.approx(0.5) and table.loc["t", "accuracy"] == pytest.approx(0.5)
    assert acc == pytest.approx((0.5 * 4 + 0.5 * 2) / 6)
