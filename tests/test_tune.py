"""``siamrpn tune`` and ``--preset-file``: the trials table holds each trial's sampled parameters and an objective
equal to a direct scoring of that trial's results, the best preset round-trips through ``--preset-file``, a study
resumes (completed trials are not recomputed, an interrupted or killed trial is re-run with the same parameters in
the same run folder), and preset files with a bad key are refused naming the file and the key.

Small generated VOT sequences and the default weights (Lite0, ~40 ms per frame on one core); runner workers 0
(in this process) except the command-line test, which uses one supervised worker.
"""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("optuna", reason="siamrpn tune needs the optional 'tune' extra (optuna)")

import optuna  # noqa: E402

import integration.jobs.tune as tune  # noqa: E402
from analysis.core.regions import area_preserving_rect  # noqa: E402
from integration.cli import main as siamrpn  # noqa: E402
from integration.data.sequences import load_dataset  # noqa: E402
from integration.data.synthetic import write_dataset  # noqa: E402
from integration.jobs.scoring import fitted_interval, score_otb, score_vot  # noqa: E402
from integration.jobs.tune import PARAMETERS, SearchSpace, TrialFailed, TuneError, TuneRequest, run_tune  # noqa: E402
from integration.registry import create_tracker  # noqa: E402
from tracker.preset_file import PresetFileError, load_preset_file, preset_file_data, preset_from_data  # noqa: E402
from tracker.presets import PRESETS, get_preset  # noqa: E402
from tracker.siamrpn import SiamRPNTracker  # noqa: E402


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("tune_data")
    write_dataset(root, layout="vot", n_sequences=2, n_frames=14, size=(96, 72), seed=3)
    return root


@pytest.fixture(scope="module")
def eao_study(data, tmp_path_factory):
    """2 trials, then the same study continued to 3 (EAO objective)."""
    out = tmp_path_factory.mktemp("tune_eao")
    first = run_tune(TuneRequest(out=out, dataset=data, objective="eao", trials=2, workers=0, seed=7))
    second = run_tune(TuneRequest(out=out, dataset=data, objective="eao", trials=3, workers=0, seed=7))
    return out, first, second


# ------------------------------------------------------------------------------------------------ preset files
def test_preset_file_forms_round_trip_and_errors(tmp_path):
    lite0 = PRESETS["lite0"]
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"base": "lite0", "penalty_k": 0.2, "ratios": [0.5, 1, 2, 3, 0.33]}))
    cfg = load_preset_file(f)
    assert cfg == dataclasses.replace(lite0, penalty_k=0.2, ratios=(0.5, 1.0, 2.0, 3.0, 0.33))
    # bare fields apply to the given base (a name, a config or a callable); TOML and YAML read the same
    (tmp_path / "p.toml").write_text("lr = 0.3\nwindow_influence = 0.5\n")
    (tmp_path / "p.yaml").write_text("lr: 0.3\nwindow_influence: 0.5\n")
    for name in ("p.toml", "p.yaml"):
        assert load_preset_file(tmp_path / name, "paper") == dataclasses.replace(PRESETS["paper"], lr=0.3,
                                                                                   window_influence=0.5)
        assert load_preset_file(tmp_path / name, lambda: lite0).lr == 0.3
    # the whole-preset form (what checkpoints store) and the writer's two forms round-trip
    whole = dataclasses.asdict(dataclasses.replace(PRESETS["dasiam_big"], lr=0.25))
    assert preset_from_data(json.loads(json.dumps(whole))) == dataclasses.replace(PRESETS["dasiam_big"], lr=0.25)
    tuned = dataclasses.replace(lite0, penalty_k=0.1, context_amount=0.45)
    data = preset_file_data(tuned, base="lite0", always=PARAMETERS, name="lite0-tuned")
    assert data["base"] == "lite0" and set(PARAMETERS) <= set(data) and "model" not in data
    assert preset_from_data(data) == dataclasses.replace(tuned, name="lite0-tuned")
    other = dataclasses.replace(lite0, model=dataclasses.replace(lite0.model, feature_out=64))
    assert preset_from_data(preset_file_data(other, base="lite0")) == other  # other model: the whole preset
    # errors name the file and the key
    cases = {
        "unknown.json": ('{"base": "lite0", "penalty": 0.1}', "unknown key 'penalty'"),
        "model.json": ('{"base": "lite0", "model": {"depth": 3}}', "unknown key 'model.depth'"),
        "type.json": ('{"base": "lite0", "lr": "fast"}', "key 'lr' must be a number"),
        "base.json": ('{"base": "nope"}', "key 'base' must name a preset"),
        "nobase.json": ('{"lr": 0.3}', "no 'base' preset"),
        "list.json": ("[1, 2]", "expected a mapping"),
        "broken.json": ('{"lr": ', "not valid JSON"),
        "check.json": ('{"base": "lite0", "ratios": [1, 2]}', "anchor_num"),
        "p.txt": ("lr = 1", "must end in"),
    }
    for name, (text, expect) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(PresetFileError) as err:
            load_preset_file(tmp_path / name)
        assert str(tmp_path / name) in str(err.value) and expect in str(err.value), str(err.value)
    with pytest.raises(PresetFileError, match="not found"):
        load_preset_file(tmp_path / "missing.json")


def _default_preset():
    from tracker.siamrpn import preset_for_weights

    return preset_for_weights(None)


def test_registry_and_run_options_take_a_preset_file(tmp_path, capsys):
    f = tmp_path / "best.json"
    from tracker.siamrpn import preset_for_weights

    f.write_text(json.dumps({"base": "lite0_dw", "penalty_k": 0.3, "context_amount": 0.4}))
    trk = create_tracker("siamrpn", preset_file=str(f))
    assert trk.cfg == dataclasses.replace(get_preset("lite0_dw"), penalty_k=0.3, context_amount=0.4)
    # bare fields apply to the weights' own preset (the one stored in the default weights)
    (tmp_path / "bare.yaml").write_text("lr: 0.2\n")
    assert create_tracker("siamrpn", preset_file=str(tmp_path / "bare.yaml")).cfg == dataclasses.replace(
        preset_for_weights(None), lr=0.2)
    (tmp_path / "bad.json").write_text('{"base": "lite0_dw", "penality_k": 0.3}')
    args = ["run", "otb", "--dataset", str(tmp_path / "d"), "--tracker", "siamrpn", "--out", str(tmp_path / "o")]
    write_dataset(tmp_path / "d", layout="vot", n_sequences=1, n_frames=3, size=(64, 48))
    assert siamrpn(args + ["--preset-file", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "unknown key 'penality_k'" in err
    assert siamrpn(["run", "otb", "--dataset", str(tmp_path / "d"), "--tracker",
                    f"csrt:preset_file={f}", "--out", str(tmp_path / "o")]) == 2
    assert "preset_file is a siamrpn setting" in capsys.readouterr().err


def test_search_space_and_request_are_checked():
    assert SearchSpace().bounds() == {"penalty_k": (0.0, 0.5), "window_influence": (0.1, 0.7), "lr": (0.1, 0.8),
                                      "context_amount": (0.3, 0.7)}
    for bad in ({"lr": (0.5, 0.2)}, {"window_influence": (0.1, 1.5)}, {"context_amount": (0.0, 0.5)},
                {"penalty_k": (0.0, math.nan)}):
        with pytest.raises(ValueError):
            SearchSpace(**bad)
    with pytest.raises(ValueError, match="objective"):
        TuneRequest(out="x", objective="f1")


# ------------------------------------------------------------------------------------------------ the study
def test_table_rows_equal_direct_scoring_and_resume_adds_one_trial(data, eao_study):
    out, first, second = eao_study
    assert first.new_trials == 2 and second.new_trials == 1
    table = pd.read_csv(out / "trials.csv")
    assert list(table["trial"]) == [0, 1, 2] and set(table["state"]) == {"COMPLETE"}
    pd.testing.assert_frame_equal(table.iloc[:2][["trial", "eao", *PARAMETERS, "seconds"]],
                                  first.table[["trial", "eao", *PARAMETERS, "seconds"]], check_dtype=False)
    # trial 0 is the base preset (the one stored in the default weights), the others lie in the space
    base = _default_preset()
    assert table.loc[0, list(PARAMETERS)].tolist() == pytest.approx([getattr(base, k) for k in PARAMETERS])
    space = SearchSpace()
    assert all(space.contains(row) for row in table[list(PARAMETERS)].to_dict("records"))
    assert len({tuple(r) for r in table[list(PARAMETERS)].to_numpy()}) == 3  # the resumed sampler drew new points
    seqs = load_dataset(data)
    ann = {n: s.annotation for n, s in seqs.items()}
    interval = fitted_interval([len(a.groundtruth) for a in ann.values()])
    assert len(set(table["run_dir"])) == 3
    for row in table.itertuples():
        tdir = out / row.run_dir / "siamrpn"
        assert score_vot(ann, tdir, "baseline", interval).eao == pytest.approx(row.eao, abs=1e-12)
        record = json.loads((out / row.run_dir / "_runner" / "siamrpn" / "baseline" / "synth00.done.json")
                            .read_text())
        preset = dict(record["content"]["tracker"]["options"])["preset"]
        assert [preset[p] for p in PARAMETERS] == pytest.approx([getattr(row, p) for p in PARAMETERS], abs=0)
    assert (out / "history.png").stat().st_size > 0 and (out / "parameters.png").stat().st_size > 0
    # the study already has 3: nothing recomputed
    again = run_tune(TuneRequest(out=out, dataset=data, objective="eao", trials=3, workers=0, seed=7))
    assert again.new_trials == 0 and again.best_trial == second.best_trial


def test_best_preset_round_trips_through_preset_file(data, eao_study, tmp_path, capsys):
    out, _, result = eao_study
    best = load_preset_file(out / "best_preset.json")
    table = result.table
    row = table.loc[table["eao"].idxmax()]
    assert int(row["trial"]) == result.best_trial
    assert [getattr(best, p) for p in PARAMETERS] == [row[p] for p in PARAMETERS]
    base = _default_preset()
    assert dataclasses.replace(best, name=base.name, source="") == dataclasses.replace(
        base, **{p: row[p] for p in PARAMETERS}, source="")
    assert json.loads((out / "best.json").read_text())["trial"] == result.best_trial
    rc = siamrpn(["run", "vot", "--dataset", str(data), "--tracker", "siamrpn", "--deterministic", "--workers", "0",
                  "--preset-file", str(out / "best_preset.json"), "--quiet", "--out", str(tmp_path)])
    assert rc == 0, capsys.readouterr().err
    ann = {n: s.annotation for n, s in load_dataset(data).items()}
    interval = fitted_interval([len(a.groundtruth) for a in ann.values()])
    assert score_vot(ann, tmp_path / "siamrpn", "baseline", interval).eao == pytest.approx(result.best_value,
                                                                                          abs=1e-12)
    # siamrpn track --preset-file tracks with the file's settings
    seq = load_dataset(data)["synth00"]
    init = area_preserving_rect(seq.region(0))
    boxes_file = tmp_path / "boxes.txt"
    assert siamrpn(["track", "--frames", str(data / "synth00"), "--init", ",".join(f"{v:.4f}" for v in init),
                    "--preset-file", str(out / "best_preset.json"), "--output", str(boxes_file)]) == 0
    direct = SiamRPNTracker(preset=best)
    direct.init(seq.frame(0), np.round(init, 4))
    expect = [direct.update(seq.frame(i))[0] for i in range(1, len(seq))]
    assert np.allclose(np.loadtxt(boxes_file, delimiter=",")[1:], expect, atol=1e-4)


def test_interrupted_and_killed_trials_are_rerun_in_their_folder(data, tmp_path, monkeypatch):
    real = tune.run_experiment
    calls = []

    def interrupt_second_trial(specs, exp, seqs, out, **kw):
        calls.append(out)
        if len(calls) == 2:  # trial 1: the first sequence finishes, then Ctrl-C
            real(specs, exp, dict(list(seqs.items())[:1]), out, **kw)
            raise KeyboardInterrupt
        return real(specs, exp, seqs, out, **kw)

    request = TuneRequest(out=tmp_path, dataset=data, objective="auc", trials=2, workers=0, seed=1,
                          start_from_base=False)
    monkeypatch.setattr(tune, "run_experiment", interrupt_second_trial)
    with pytest.raises(KeyboardInterrupt):
        run_tune(request)
    monkeypatch.setattr(tune, "run_experiment", real)
    table = pd.read_csv(tmp_path / "trials.csv")
    assert list(table["state"]) == ["COMPLETE", "FAIL"]
    assert (tmp_path / "best_preset.json").is_file()  # outputs written after the interrupt
    done_file = tmp_path / table.loc[1, "run_dir"] / "_runner" / "siamrpn" / "otb" / "synth00.done.json"
    stamp = done_file.stat().st_mtime_ns
    result = run_tune(request)
    assert result.new_trials == 1
    retry = result.table.iloc[2]
    assert retry["state"] == "COMPLETE" and retry["retry_of"] == 1 and retry["run_dir"] == table.loc[1, "run_dir"]
    assert [retry[p] for p in PARAMETERS] == [table.loc[1, p] for p in PARAMETERS]
    assert done_file.stat().st_mtime_ns == stamp  # the sequence finished before the interrupt was kept
    ann = {n: s.annotation for n, s in load_dataset(data).items()}
    assert score_otb(ann, tmp_path / retry["run_dir"] / "siamrpn").auc == pytest.approx(retry["auc"], abs=1e-12)
    # a tuner killed during a trial leaves it RUNNING: the next run fails it and re-runs its parameters
    study = optuna.load_study(study_name=tune.STUDY_NAME, storage=f"sqlite:///{tmp_path / 'study.sqlite'}")
    killed = study.ask()
    params = {n: killed.suggest_float(n, lo, hi) for n, (lo, hi) in SearchSpace().bounds().items()}
    killed.set_user_attr("run_key", killed.number)
    result = run_tune(dataclasses.replace(request, trials=3))
    rows = result.table.set_index("trial")
    assert rows.loc[killed.number, "state"] == "FAIL" and rows.loc[4, "retry_of"] == killed.number
    assert [rows.loc[4, p] for p in PARAMETERS] == [params[p] for p in PARAMETERS]
    # a study refuses other settings
    with pytest.raises(TuneError, match="objective"):
        run_tune(dataclasses.replace(request, objective="eao", trials=5))


def test_failed_trial_is_kept_and_reported(data, tmp_path, monkeypatch):
    def broken(*_args, **_kw):
        raise ValueError("results unreadable")

    monkeypatch.setattr(tune, "_score", broken)
    with pytest.raises(TrialFailed, match="results unreadable"):
        run_tune(TuneRequest(out=tmp_path, dataset=data, objective="auc", trials=1, workers=0,
                             sequences=("synth00",)))
    table = pd.read_csv(tmp_path / "trials.csv")
    assert table["state"].tolist() == ["FAIL"] and "results unreadable" in table.loc[0, "error"]


def test_command_line(data, tmp_path, capsys):
    out = tmp_path / "t"
    rc = siamrpn(["tune", "--dataset", str(data), "--sequences", "synth01", "--objective", "auc", "--trials", "1",
                  "--workers", "1", "--lr", "0.1,0.6", "--quiet", "--json", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    best = json.loads(captured.out)
    assert best["trial"] == 0 and best["new_trials"] == 1 and best["completed_trials"] == 1
    base = _default_preset()
    assert best["params"] == pytest.approx({k: getattr(base, k) for k in PARAMETERS})  # the base preset's values first
    assert "objective AUC" in captured.err and "trial 0:" in captured.err
    assert np.isclose(pd.read_csv(out / "trials.csv")["auc"].iloc[0], best["value"])
    assert siamrpn(["tune", "--dataset", str(data), "--lr", "0.9,0.1", "--out", str(out)]) == 2
    assert "lr needs finite low < high" in capsys.readouterr().err
