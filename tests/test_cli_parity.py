"""The analysis commands added later have the options of ``siamrpn analyze vot|otb|got10k`` with the same
meaning and output shape: several trackers (``--results`` repeated, ``--results-root``, ``--baseline``) give one
ranking whose values equal the single-tracker analyses, ``--bootstrap N --json`` gives intervals holding the
point estimates, a tracker against a copy of itself gives difference 0 and p = 1, ``--strict`` refuses result
files of the wrong length. Checked on a one-pass benchmark (LaSOT) and on VOT long-term (``votlt``)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from integration.cli import main
from integration.data.synthetic import generate, write_vot_sequence
from tests.test_onepass_benchmarks import _boxes, _random_boxes, _write

TRACKERS = {"A": 5.0, "B": 12.0}  #: tracker -> centre noise (px); A is the better one


def _json(capsys, args: list[str]) -> dict:
    assert main(args) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _check_parity(capsys, base: list[str], root: Path, scores: tuple[str, ...]) -> None:
    """Ranking values = single analyses; intervals contain the points; a copy of a tracker: difference 0, p 1."""
    single = {t: _json(capsys, base + ["--results", str(root / t)]) for t in TRACKERS}
    out = _json(capsys, base + ["--results-root", str(root)])
    assert out["ranking"] == sorted(single, key=lambda t: -single[t][scores[0]]) == ["A", "B"]
    assert out["baseline"] == "A" and out["ranked_by"] == scores[0]
    for t, alone in single.items():
        mine = out["trackers"][t]
        assert {k: mine[k] for k in alone} == alone  # values, conventions and intervals as for one tracker
        assert mine["rank"] == out["ranking"].index(t) + 1
        for score in scores:
            ci = alone["ci"][score]
            assert ci["value"] == pytest.approx(alone[score]) and ci["resamples"] == 200 and ci["seed"] == 5
            assert ci["low"] - 1e-12 <= alone[score] <= ci["high"] + 1e-12, (t, score, ci)
            assert ci["low"] < ci["high"], (t, score, ci)
    paired = out["trackers"]["B"]["paired"]
    for score in scores:
        assert paired[score]["difference"] == pytest.approx(single["B"][score] - single["A"][score])
        assert 0.0 < paired[score]["p_value"] <= 1.0
    assert "paired" not in out["trackers"]["A"]

    shutil.copytree(root / "B", root.parent / "copy" / "B")
    out = _json(capsys, base + ["--results", str(root / "A"), "--results", str(root / "B"), "--results",
                                str(root.parent / "copy" / "B"), "--baseline", "B"])
    assert out["baseline"] == "B" and out["trackers"]["B (copy)"]["rank"] in (2, 3)
    for score in scores:
        test = out["trackers"]["B (copy)"]["paired"][score]
        assert test["difference"] == 0.0 and test["p_value"] == 1.0

    # the table: one row per tracker in ranking order with interval and paired columns
    assert main([a for a in base if a != "--json"] + ["--results-root", str(root)]) == 0
    text = capsys.readouterr().out
    assert f"2 trackers ranked by {scores[0]}" in text and f"{scores[0]}_low" in text and f"{scores[0]}_p" in text
    assert [line.split()[0] for line in text.splitlines() if line[:2] in ("A ", "B ")] == ["A", "B"]


# ---------------------------------------------------------------------------------------------- one-pass (LaSOT)
def _lasot(tmp_path: Path) -> tuple[Path, Path]:
    """Twelve 30-frame LaSOT sequences (frames 10-13 of each fully occluded) and two trackers' result files."""
    rng = np.random.default_rng(7)
    data, root = tmp_path / "LaSOT", tmp_path / "res"
    for i in range(12):
        name = f"cat-{i + 1}"
        gt = _random_boxes(rng, 30)
        seq = data / "cat" / name
        _write(seq / "groundtruth.txt", _boxes(gt))
        _write(seq / "full_occlusion.txt", ",".join("1" if 10 <= k < 14 else "0" for k in range(30)) + "\n")
        _write(seq / "out_of_view.txt", ",".join("0" * 30) + "\n")
        for tracker, noise in TRACKERS.items():
            pred = gt + np.hstack([rng.normal(0, noise * (1 + i % 3), (30, 2)), np.zeros((30, 2))])
            _write(root / tracker / f"{name}.txt", _boxes(pred))
    (root / "_runner" / "A").mkdir(parents=True)  # a run's records folder is not a tracker
    return data, root


def test_onepass_several_trackers_and_bootstrap(tmp_path, capsys):
    data, root = _lasot(tmp_path)
    base = ["analyze", "lasot", "--annotations", str(data), "--split", "all", "--json", "--bootstrap", "200",
            "--seed", "5"]
    _check_parity(capsys, base, root, ("auc", "precision", "norm_precision"))
    # without --bootstrap, one tracker's output is unchanged (no interval keys)
    alone = _json(capsys, base[:-4] + ["--results", str(root / "A")])
    assert "ci" not in alone and alone["variant"] == "lasot"


def test_onepass_strict_refuses_a_short_file(tmp_path, capsys):
    data, root = _lasot(tmp_path)
    path = root / "A" / "cat-1.txt"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-2]))
    base = ["analyze", "lasot", "--annotations", str(data), "--split", "all", "--results", str(root / "A")]
    out = _json(capsys, base + ["--json"])
    assert any("cat-1" in w and "28 result lines for 30 frames" in w for w in out["warnings"])
    assert main(base + ["--strict"]) == 2
    assert "28 result lines but the sequence has 30 frames (--strict" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- VOT long-term
def _votlt(tmp_path: Path) -> tuple[Path, Path]:
    """Six generated 24-frame sequences (the target absent on frames 8-11 of the even ones) and two trackers'
    long-term results: a box near the target with a high confidence, a far box with a low one when absent."""
    rng = np.random.default_rng(11)
    data, root = tmp_path / "data", tmp_path / "lt"
    names = []
    for k in range(6):
        s = generate(20 + k, 24, (96, 72))
        boxes = s.boxes.copy()
        if k % 2 == 0:
            boxes[8:12] = np.nan
        write_vot_sequence(data / f"lt{k}", s.frames, boxes, polygon=False, layout="color")
        names.append(f"lt{k}")
        for tracker, noise in TRACKERS.items():
            lines, conf = ["1"], [""]
            for t in range(1, 24):
                absent = np.isnan(boxes[t]).any()
                box = [2.0, 2.0, 8.0, 8.0] if absent else boxes[t] + np.r_[rng.normal(0, noise * (1 + k % 3), 2), 0, 0]
                lines.append(",".join(f"{v:.3f}" for v in box))
                conf.append(f"{rng.uniform(0.0, 0.3) if absent else rng.uniform(0.4, 1.0):.3f}")
            seq_dir = root / tracker / "longterm" / f"lt{k}"
            _write(seq_dir / f"lt{k}_001.txt", "\n".join(lines) + "\n")
            _write(seq_dir / f"lt{k}_001_confidence.value", "\n".join(conf) + "\n")
    (data / "list.txt").write_text("\n".join(names) + "\n")
    return data, root


def test_votlt_several_trackers_and_bootstrap(tmp_path, capsys):
    data, root = _votlt(tmp_path)
    base = ["analyze", "votlt", "--annotations", str(data), "--json", "--bootstrap", "200", "--seed", "5"]
    _check_parity(capsys, base, root, ("fscore", "precision", "recall"))
    alone = _json(capsys, base[:-4] + ["--results", str(root / "A")])
    assert "ci" not in alone and alone["sequences_scored"] == 6 and alone["convention"]["variant"] == "pyt"


def test_votlt_bootstrap_identity_and_recompute(tmp_path):
    """The long-term statistic recomputes F from the drawn sequences: the identity resample gives the report's
    F, and a resample drawing each sequence twice gives the same F (a mean of curves)."""
    from analysis.io.longterm import load_longterm_annotations, load_longterm_results
    from analysis.metrics.bootstrap import longterm_statistics
    from analysis.metrics.vot.longterm import score_longterm_runs

    data, root = _votlt(tmp_path)
    ann = load_longterm_annotations(data)
    runs, _ = load_longterm_results(root / "A", ann)
    report = score_longterm_runs(ann, runs)
    stats = longterm_statistics(report)
    n = len(runs)
    for score in ("fscore", "precision", "recall"):
        statistic, value, _ = stats[score]
        assert value == getattr(report, score)
        assert statistic(np.arange(n)[None, :])[0] == pytest.approx(value, abs=1e-12)
        assert statistic(np.repeat(np.arange(n), 2)[None, :])[0] == pytest.approx(value, abs=1e-12)
    # a subset of sequences, as the paired test uses it: F of those sequences' mean curves
    sub = longterm_statistics(report, ["lt1", "lt3"])
    pr = report.sequence_pr[[1, 3]].mean(0)
    re = report.sequence_re[[1, 3]].mean(0)
    f = 2 * pr * re / np.where(pr + re > 0, pr + re, 1)
    assert sub["fscore"][1] == pytest.approx(f.max(), abs=1e-12)


def test_votlt_strict_refuses_a_short_file(tmp_path, capsys):
    data, root = _votlt(tmp_path)
    path = root / "A" / "longterm" / "lt1" / "lt1_001_confidence.value"
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-3]))
    base = ["analyze", "votlt", "--annotations", str(data), "--results", str(root / "A")]
    out = _json(capsys, base + ["--json"])
    assert any("21 confidence lines for 24 frames; the last 3 frame(s) have no confidence" in w
               for w in out["warnings"])
    assert main(base + ["--strict"]) == 2
    assert "21 confidence lines but the sequence has 24 frames (--strict" in capsys.readouterr().err


def test_analyze_usage_names_every_benchmark(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    usage = capsys.readouterr().out.splitlines()
    assert "{vot,otb,got10k,lasot,uav,trackingnet,nfs,tc128,votlt}" in " ".join(usage[:3])
