"""``siamrpn vot-workspace`` registers the current checkout's ``trackers.ini``; the registry lists every
tracker the TraX server offers, ``nano`` included, in a form vot-toolkit 0.7.4 reads."""
from __future__ import annotations

from pathlib import Path

import pytest

from integration.toolkits.trax_server import resolve_settings
from integration.toolkits.workspace import DEFAULT_REGISTRY, checkout_registry

REPO = Path(__file__).resolve().parents[1]


def test_checkout_registry_is_the_one_of_the_folder_you_stand_in(tmp_path, monkeypatch):
    other = tmp_path / "other_clone"
    (other / "sub" / "deeper").mkdir(parents=True)
    (other / "trackers.ini").write_text("[x]\n")
    (other / "pyproject.toml").write_text("")
    monkeypatch.chdir(other / "sub" / "deeper")
    assert checkout_registry() == (other / "trackers.ini").resolve()
    # a trackers.ini without a project beside it is not a checkout; nothing found -> the installed one
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "trackers.ini").write_text("[y]\n")
    assert checkout_registry(lone) == DEFAULT_REGISTRY


def test_workspace_config_registers_the_checkout_registry(tmp_path, monkeypatch):
    from integration.data.synthetic import write_dataset
    from integration.toolkits.workspace import build_workspace, discover_sequences

    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "trackers.ini").write_text((REPO / "trackers.ini").read_text())
    (clone / "pyproject.toml").write_text("")
    write_dataset(tmp_path / "data", layout="vot", n_sequences=1, n_frames=6, size=(32, 24), seed=1)
    monkeypatch.chdir(clone)
    ws = build_workspace(tmp_path / "ws", discover_sequences(tmp_path / "data"), stack="vot2017")
    config = (ws / "config.yaml").read_text()
    assert f"- {(clone / 'trackers.ini').resolve()}\n" in config and str(DEFAULT_REGISTRY) not in config


def test_registry_has_nano_and_the_toolkit_reads_it():
    tracker_mod = pytest.importorskip("vot.tracker", reason="vot-toolkit 0.7.4 not installed")
    registry = tracker_mod.Registry([str(REPO / "trackers.ini")])
    ids = set(registry.identifiers())
    assert {"siamrpn", "csrt", "kcf", "nano"} <= ids
    assert registry["nano"].label == "NanoTrack (OpenCV)"
    # what the TraX server makes of nano's environment, with a siamrpn weights file set in the shell
    import configparser

    ini = configparser.ConfigParser()
    ini.read(REPO / "trackers.ini")
    environ = {"SIAMRPN_WEIGHTS": "results/weights/siamrpn.pth"}
    environ.update({k[4:].upper(): v for k, v in ini["nano"].items() if k.startswith("env_")})
    s = resolve_settings(environ=environ)
    assert (s.tracker, s.init, s.weights) == ("nano", "box", None)  # nano's own default folder, not the .pth
