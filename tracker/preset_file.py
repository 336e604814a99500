"""Tracking presets kept in a file (``--preset-file``): JSON, TOML or YAML, one mapping in one of three forms.

* ``{"base": "lite0", "penalty_k": 0.1, ...}``: the named preset (:data:`tracker.presets.PRESETS`) with the given
  fields replaced (what ``siamrpn tune`` writes as ``best_preset.json``);
* ``{"model": {...}, "name": ..., ...}`` (a ``"model"`` key and no ``"base"``): a whole :class:`TrackConfig` as
  ``dataclasses.asdict`` writes it (and our checkpoints store it); missing fields take the dataclass defaults;
* ``{"penalty_k": 0.1, ...}`` (neither): the fields replace those of the caller's ``base`` preset, i.e. the
  tracker's own one (``--preset``, else the preset stored with the weights).

A ``"model"`` mapping given with a ``"base"`` replaces only the model fields it names. Every key must be a
:class:`TrackConfig` field (or ``base``); values are checked against the field's type. Every problem is a
:class:`PresetFileError` naming the file and the key. Pure Python: importing this module does not import torch.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from analysis.core.atomic import write_text_atomic
from tracker.presets import PRESETS, ModelConfig, TrackConfig, get_preset

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10 has no tomllib: TOML files are then refused with a message
    tomllib = None  # type: ignore[assignment]

__all__ = ["PresetFileError", "PRESET_FILE_SUFFIXES", "read_preset_data", "preset_from_data", "load_preset_file",
           "preset_file_data", "write_preset_file"]

PRESET_FILE_SUFFIXES = (".json", ".toml", ".yaml", ".yml")

#: the base preset of a file without ``base`` / ``model``: a config, a preset name, or a callable giving one
Base = TrackConfig | str | Callable[[], TrackConfig] | None


class PresetFileError(ValueError):
    """A preset file that cannot be read or holds an unknown key or a bad value (the message names both)."""


def read_preset_data(path: str | Path) -> dict[str, Any]:
    """The mapping held by a ``.json``, ``.toml`` or ``.yaml``/``.yml`` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PRESET_FILE_SUFFIXES:
        raise PresetFileError(f"{path}: a preset file must end in {', '.join(PRESET_FILE_SUFFIXES)}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PresetFileError(f"{path}: preset file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetFileError(f"{path}: cannot read the preset file ({exc})") from None
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix == ".toml":
            if tomllib is None:
                raise PresetFileError(f"{path}: TOML preset files need Python >= 3.11; use JSON or YAML")
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except PresetFileError:
        raise
    except (ValueError, yaml.YAMLError) as exc:  # json/toml decode errors are ValueErrors
        raise PresetFileError(f"{path}: not valid {suffix[1:].upper()} ({exc})") from None
    if not isinstance(data, dict):
        raise PresetFileError(f"{path}: expected a mapping of preset fields, got {type(data).__name__}")
    return data


_TRACK_FIELDS = {f.name: f for f in dataclasses.fields(TrackConfig)}
_MODEL_FIELDS = {f.name: f for f in dataclasses.fields(ModelConfig)}


def _check_value(where: str, key: str, annotation: str, value: Any) -> Any:
    """``value`` converted to the field's type (lists -> tuples, ints -> floats), else :class:`PresetFileError`."""
    kinds = [k.strip() for k in annotation.split("|")]
    if not any(k in ("float", "int", "str", "bool", "None") or k.startswith("tuple[float") for k in kinds):
        return tuple(value) if isinstance(value, list) else value  # a field type this reader does not check
    if value is None:
        if "None" in kinds:
            return None
        raise PresetFileError(f"{where}: key {key!r} must not be null")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if "float" in kinds and number:
        return float(value)
    if "int" in kinds and isinstance(value, int) and not isinstance(value, bool):
        return value
    if "str" in kinds and isinstance(value, str):
        return value
    if "bool" in kinds and isinstance(value, bool):
        return value
    if any(k.startswith("tuple[float") for k in kinds) and isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    expected = " or ".join("null" if k == "None" else "a list of numbers" if k.startswith("tuple") else
                           "a number" if k == "float" else k for k in kinds)
    raise PresetFileError(f"{where}: key {key!r} must be {expected}, got {value!r}")


def _model_fields(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PresetFileError(f"{where}: key 'model' must be a mapping of model fields, got {value!r}")
    out = {}
    for key, v in value.items():
        if key not in _MODEL_FIELDS:
            raise PresetFileError(f"{where}: unknown key 'model.{key}' (model fields: {', '.join(_MODEL_FIELDS)})")
        out[key] = _check_value(where, f"model.{key}", str(_MODEL_FIELDS[key].type), v)
    return out


def _resolve_base(where: str, base: Base) -> TrackConfig:
    if base is None:
        raise PresetFileError(f"{where}: the file has no 'base' preset (one of {', '.join(PRESETS)}) and no whole "
                              "preset ('model' key), and no base preset was given to apply its fields to")
    if callable(base) and not isinstance(base, TrackConfig):
        return base()
    return get_preset(base)


def preset_from_data(data: Mapping[str, Any], base: Base = None, where: str = "preset") -> TrackConfig:
    """The :class:`TrackConfig` a preset-file mapping describes (the three forms of the module docstring);
    ``base`` is used only by the overrides-only form; ``where`` names the source in messages."""
    data = dict(data)
    for key in data:
        if key != "base" and key not in _TRACK_FIELDS:
            raise PresetFileError(f"{where}: unknown key {key!r} (known: base, {', '.join(_TRACK_FIELDS)})")
    fields = {k: _check_value(where, k, str(_TRACK_FIELDS[k].type), v) for k, v in data.items()
              if k not in ("base", "model")}
    model = _model_fields(where, data["model"]) if "model" in data else None
    try:
        if "base" in data:
            name = data["base"]
            if not isinstance(name, str) or name not in PRESETS:
                raise PresetFileError(f"{where}: key 'base' must name a preset ({', '.join(PRESETS)}), got {name!r}")
            cfg = PRESETS[name]
            if model is not None:
                fields["model"] = dataclasses.replace(cfg.model, **model)
            return dataclasses.replace(cfg, **fields)
        if model is not None:
            if "name" not in fields:
                raise PresetFileError(f"{where}: a whole preset (with 'model') needs a 'name'")
            return TrackConfig(model=ModelConfig(**model), **fields)
        cfg = _resolve_base(where, base)
        return dataclasses.replace(cfg, **fields)
    except PresetFileError:
        raise
    except ValueError as exc:  # TrackConfig / ModelConfig checks (anchor count, sizes, backbone names)
        raise PresetFileError(f"{where}: {exc}") from None


def load_preset_file(path: str | Path, base: Base = None) -> TrackConfig:
    """Read a preset file (:func:`read_preset_data`) and build its :class:`TrackConfig` (:func:`preset_from_data`).

    ``base`` (a config, a preset name, or a callable returning a config, called only when needed) is the
    preset an overrides-only file changes."""
    return preset_from_data(read_preset_data(path), base, where=str(path))


def preset_file_data(cfg: TrackConfig, base: str | None = None, always: tuple[str, ...] = (),
                     **extra: Any) -> dict[str, Any]:
    """The preset-file mapping of ``cfg`` with the ``extra`` fields (e.g. ``name``, ``source``) set:
    ``{"base": <base>, changed fields...}`` when the named preset ``base`` (default: the preset named like
    ``cfg``) has the same model, else the whole preset (``dataclasses.asdict``). The ``always`` fields are written
    even when unchanged. JSON-ready (tuples -> lists)."""
    named = PRESETS.get(base if base is not None else cfg.name)
    cfg = dataclasses.replace(cfg, **extra) if extra else cfg
    if named is None or named.model != cfg.model:
        data = dataclasses.asdict(cfg)
    else:
        data = {"base": named.name}
        for f in dataclasses.fields(TrackConfig):
            value = getattr(cfg, f.name)
            if f.name != "model" and (value != getattr(named, f.name) or f.name in always):
                data[f.name] = value
    return json.loads(json.dumps(data))


def write_preset_file(path: str | Path, cfg: TrackConfig, base: str | None = None, always: tuple[str, ...] = (),
                      **extra: Any) -> Path:
    """Write ``cfg`` as JSON in the form :func:`preset_file_data` gives (atomically); returns the path."""
    path = Path(path)
    write_text_atomic(path, json.dumps(preset_file_data(cfg, base, always, **extra), indent=1) + "\n")
    return path
