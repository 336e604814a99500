"""VOT long-term precision / recall / F-score (analysis.metrics.vot.longterm): hand-computed cases with absent
frames, vot-toolkit 0.7.4's own functions, the result reader, the runner's long-term layout and the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.io.longterm import load_longterm_annotations, load_longterm_results, read_confidence
from analysis.metrics.vot.longterm import (
    LongTermFrames,
    evaluate_longterm,
    frame_overlaps,
    longterm_thresholds,
    score_longterm_runs,
)
from analysis.stacks import BENCHMARKS, TOOLKIT_STACKS
from integration.cli import main as siamrpn
from integration.data.synthetic import generate, write_vot_sequence

BOX = np.array([10.0, 10.0, 20.0, 20.0])
NAN = np.full(4, np.nan)


def _case():
    """6 frames: GT visible, visible, absent, absent, visible, visible; predictions: init code, exact box,
    box on an absent frame, nothing (absent GT), exact box, nothing (visible GT); confidences below."""
    gt = np.array([BOX, BOX, NAN, NAN, BOX, BOX])
    pred = [1, BOX, BOX, 0, BOX, 0]
    conf = np.array([0.0, 0.9, 0.8, 0.3, 0.6, 0.7])
    return gt, pred, conf


@pytest.mark.parametrize("variant, f, pr, re, tau", [
    # PYT: f3 (target absent, no region) has overlap 1 ("both empty"): Pr 3/5, Re 3/4 at tau 0.3
    ("pyt", 2 / 3, 0.6, 0.75, 0.3),
    # LEG: absent GT gives 0 whatever is reported: best at tau 0.6 with Pr 2/4, Re 2/4
    ("leg", 0.5, 0.5, 0.5, 0.6),
    # published formula: Pr over frames with a region (f1, f2, f4), Re over visible frames: 4/7 at tau 0.6
    ("pub", 4 / 7, 2 / 3, 0.5, 0.6),
])
def test_hand_computed_absent_frames(variant, f, pr, re, tau):
    gt, pred, conf = _case()
    ov, vis, have = frame_overlaps(pred, gt, (100, 100), variant)
    assert vis.tolist() == [True, True, False, False, True, True]
    assert have.tolist() == [False, True, True, False, True, False]
    assert ov.tolist() == [0, 1, 0, 1 if variant == "pyt" else 0, 1, 0]
    rep = evaluate_longterm({"a": [LongTermFrames(ov, conf, vis, have)]}, variant)
    assert rep.fscore == pytest.approx(f) and rep.precision == pytest.approx(pr)
    assert rep.recall == pytest.approx(re) and rep.threshold == pytest.approx(tau)
    assert rep.thresholds.tolist() == [np.inf, 0.9, 0.8, 0.7, 0.6, 0.3, 0.0, -np.inf]
    assert rep.pr_curve[0] == 1.0 and rep.re_curve[0] == 0.0  # no frame passes +inf: Pr 1, Re 0


def test_sequence_average_and_nan_confidence():
    """Curves averaged over sequences (not pooled frames); a NaN confidence never passes a threshold."""
    a = LongTermFrames(np.array([0.0, 1.0]), np.array([np.nan, 0.5]), np.ones(2, bool), np.ones(2, bool))
    b = LongTermFrames(np.array([0.0, 0.5, 0.5, 0.5]), np.array([np.nan, 0.5, 0.5, 0.5]), np.ones(4, bool),
                       np.ones(4, bool))
    rep = evaluate_longterm({"a": [a], "b": [b]})
    # tau = 0.5: a: Pr 1, Re 1/2; b: Pr 0.5, Re 1.5/4 -> mean Pr 0.75, Re 0.4375
    assert rep.precision == pytest.approx(0.75) and rep.recall == pytest.approx(0.4375)
    assert rep.fscore == pytest.approx(2 * 0.75 * 0.4375 / 1.1875)


def test_threshold_rules():
    c = np.arange(1.0, 201.0)
    idx = np.round(np.linspace(2, 198, 98)).astype(int)  # delta = 200 // 98 = 2
    assert longterm_thresholds(c, 100, "leg")[1:-1].tolist() == sorted(idx.tolist(), reverse=True)  # 1-based
    assert longterm_thresholds(c, 100, "pyt")[1:-1].tolist() == (200 - idx).tolist()  # 0-based, descending
    # 99 values: vot-toolkit subsamples (n > resolution - 2), the legacy toolkit keeps all (n <= resolution)
    assert len(longterm_thresholds(np.arange(99.0), 100, "pyt")) == 100
    assert len(longterm_thresholds(np.arange(99.0), 100, "leg")) == 101
    assert longterm_thresholds([], 5, "leg").tolist() == [np.inf, 1, 1, 1, -np.inf]
    assert longterm_thresholds([], 5, "pyt").tolist() == [np.inf, -np.inf]


def _random_sequences(seed: int, n_seq: int = 3, n: int = 150):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_seq):
        gt = np.column_stack([rng.uniform(5, 60, n), rng.uniform(5, 40, n), rng.uniform(8, 30, (n, 2))])
        gt[rng.random(n) < 0.2] = np.nan
        gt[0] = [20, 20, 15, 15]
        pred: list = [1]
        for t in range(1, n):
            r = rng.random()
            if r < 0.1:
                pred.append(0)
            else:
                base = gt[t] if not np.isnan(gt[t]).any() else np.array([30.0, 30.0, 10.0, 10.0])
                pred.append(base + rng.normal(0, 4, 4) * [1, 1, 0.3, 0.3])
        conf = np.round(rng.random(n), 2)  # ties included
        conf[0] = 0.0
        out.append((gt, pred, conf))
    return out


def test_agrees_with_vot_toolkit():
    lt = pytest.importorskip("vot.analysis.longterm")
    from vot.region import Special
    from vot.region.shapes import Rectangle

    size = (100, 80)
    data = _random_sequences(7)

    class Seq:
        def __init__(self, gt):
            self._gt = [Special(0) if np.isnan(g).any() else Rectangle(*g) for g in gt]
            self.size = size

        def groundtruth(self):
            return self._gt

    def regions(pred):
        return [Special(p) if isinstance(p, int) else Rectangle(*p) for p in pred]

    thresholds = lt.determine_thresholds(np.concatenate([c for _, _, c in data]).tolist(), 100)
    prs, res = [], []
    for gt, pred, conf in data:
        pr, re = lt.compute_tpr_curves(regions(pred), conf.tolist(), Seq(gt), thresholds)
        prs.append(pr)
        res.append(re)
    pr, re = np.mean(prs, axis=0), np.mean(res, axis=0)
    f = 2 * pr * re / (pr + re)
    k = int(np.argmax(f))
    frames = {}
    for i, (gt, pred, conf) in enumerate(data):
        ov, vis, have = frame_overlaps(pred, gt, size, "pyt")
        frames[f"s{i}"] = [LongTermFrames(ov, conf, vis, have)]
    rep = evaluate_longterm(frames, "pyt")
    np.testing.assert_array_equal(rep.thresholds, thresholds)
    np.testing.assert_allclose(rep.pr_curve, pr, atol=1e-12)
    np.testing.assert_allclose(rep.re_curve, re, atol=1e-12)
    assert rep.fscore == pytest.approx(f[k], abs=1e-12)
    assert (rep.precision, rep.recall) == pytest.approx((pr[k], re[k]), abs=1e-12)


def _write_lt_dataset(root: Path, n_frames: int = 24) -> Path:
    """Two generated sequences; the target is marked absent (NaN lines) on frames 8-11 of the first."""
    names = []
    for k in range(2):
        s = generate(11 + k, n_frames, (96, 72))
        boxes = s.boxes.copy()
        if k == 0:
            boxes[8:12] = np.nan
        write_vot_sequence(root / f"lt{k}", s.frames, boxes, polygon=False, layout="color")
        names.append(f"lt{k}")
    (root / "list.txt").write_text("\n".join(names) + "\n")
    return root


def test_annotations_reader_and_errors(tmp_path):
    root = _write_lt_dataset(tmp_path / "data")
    ann = load_longterm_annotations(root)
    assert np.isnan(ann["lt0"].groundtruth[8:12]).all() and not np.isnan(ann["lt1"].groundtruth).any()
    bad = tmp_path / "c.value"
    bad.write_text("\n0.5\nhigh\n")
    with pytest.raises(ValueError, match=r"c.value:3: not a number"):
        read_confidence(bad)
    bad.write_text("\n0.5\nnan\n")
    assert read_confidence(bad)[0] == 0.0 and np.isnan(read_confidence(bad)[2])
    with pytest.raises(ValueError, match="3 confidence lines but the sequence has 4 frames"):
        read_confidence(bad, 4)


def test_runner_writes_confidences_then_cli_json(tmp_path, capsys):
    data = _write_lt_dataset(tmp_path / "data")
    out = tmp_path / "run"
    rc = siamrpn(["run", "longterm", "--dataset", str(data), "--tracker", "tests.protocol_helpers:TemplateTracker",
                  "--quiet", "--workers", "0", "--out", str(out)])
    assert rc == 0, capsys.readouterr()
    seq_dir = out / "TemplateTracker" / "longterm" / "lt0"
    regions = (seq_dir / "lt0_001.txt").read_text().splitlines()
    conf_lines = (seq_dir / "lt0_001_confidence.value").read_text().split("\n")[:-1]
    assert regions[0] == "1" and len(regions) == 24 and (seq_dir / "lt0_001_time.value").is_file()
    assert conf_lines[0] == "" and len(conf_lines) == 24
    conf = np.array([float(v) for v in conf_lines[1:]])
    assert np.all((conf >= -1) & (conf <= 1)) and conf.max() > 0.5  # TM_CCOEFF_NORMED scores
    capsys.readouterr()
    rc = siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(out / "TemplateTracker"),
                  "--json", "--per-sequence", "--plots", str(tmp_path / "fig")])
    assert rc == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["sequences_scored"] == 2 and rep["frames"] == 48
    assert rep["convention"]["variant"] == "pyt" and 0 < rep["fscore"] <= 1
    assert rep["sequences"]["lt0"]["visible"] == 20
    assert any(f.endswith("longterm_pr.png") for f in rep["figures"])
    # the library on the same files gives the same numbers
    ann = load_longterm_annotations(data)
    runs, _ = load_longterm_results(out / "TemplateTracker", ann)
    assert score_longterm_runs(ann, runs).fscore == pytest.approx(rep["fscore"])
    # a missing confidence file is an error naming it
    (seq_dir / "lt0_001_confidence.value").unlink()
    assert siamrpn(["analyze", "votlt", "--annotations", str(data), "--results", str(out / "TemplateTracker")]) == 2
    assert "lt0_001_confidence.value: confidence file missing" in capsys.readouterr().err


def test_runner_refuses_absent_first_frame(tmp_path, capsys):
    s = generate(3, 6, (64, 48))
    boxes = s.boxes.copy()
    boxes[0] = np.nan
    write_vot_sequence(tmp_path / "x", s.frames, boxes, polygon=False, layout="color")
    assert siamrpn(["run", "longterm", "--dataset", str(tmp_path / "x"), "--tracker", "csrt",
                    "--out", str(tmp_path / "o")]) == 2
    assert "groundtruth.txt:1: sequence x: the target is absent in frame 1" in capsys.readouterr().err


def test_stack_rows():
    assert BENCHMARKS["vot2018"].toolkit_stack == "vot2018/shortterm"
    assert BENCHMARKS["vot2019"].toolkit_stack == "vot2019/shortterm"
    assert BENCHMARKS["vot2019"].eao_interval.as_tuple() == (46, 291)
    assert BENCHMARKS["vot-lt2018"].kind == BENCHMARKS["vot-lt2019"].kind == "votlt"
    assert "vot2019" in TOOLKIT_STACKS and "vot-lt2018" not in TOOLKIT_STACKS
    vot = pytest.importorskip("vot")
    stacks = Path(vot.__file__).parent / "stack"
    for name in ("vot2018", "vot2019", "vot-lt2018", "vot-lt2019"):
        assert (stacks / f"{BENCHMARKS[name].toolkit_stack}.yaml").is_file()
    text = (stacks / "vot2019" / "shortterm.yaml").read_text()
    assert "low: 46" in text and "high: 291" in text
