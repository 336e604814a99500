"""analysis.core.plain.to_plain: the one converter to plain data (JSON output, checkpoint provenance)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

from analysis.core.plain import to_plain


def test_numbers_containers_and_paths():
    data = {"a": np.float32(1.5), 2: (np.int64(3), np.bool_(True)), "p": Path("x/y"), "t": torch.tensor(4),
            "arr": np.array([[1, 2], [3, 4]]), "s": "text", "n": None}
    out = to_plain(data)
    assert out == {"a": 1.5, "2": [3, True], "p": "x/y", "t": 4, "arr": [[1, 2], [3, 4]], "s": "text", "n": None}
    assert type(out["2"][0]) is int and type(out["2"][1]) is bool and type(out["a"]) is float


def test_nan_kept_unless_strict_json():
    assert math.isnan(to_plain({"x": float("nan")})["x"])
    strict = to_plain({"x": np.float64("nan"), "y": [float("inf"), -float("inf"), 0.5]}, strict_json=True)
    assert strict == {"x": None, "y": [None, None, 0.5]}
    assert json.loads(json.dumps(strict, allow_nan=False)) == strict


def test_other_objects_become_text():
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert to_plain({"k": Thing()}) == {"k": "thing"}
