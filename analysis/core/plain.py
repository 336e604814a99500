"""Plain Python data from results and settings: the one converter used before writing JSON or a checkpoint."""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["to_plain"]


def to_plain(obj: Any, strict_json: bool = False) -> Any:
    """``obj`` as dicts (string keys), lists, str, int, float, bool and None, recursively.

    numpy/torch scalars become Python numbers, arrays lists, paths their text, anything else its ``str``. With ``strict_json`` NaN and
    infinities become ``None`` (strict JSON has no NaN); without it they stay floats (``torch.save`` with
    ``weights_only`` loading accepts them).
    """
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v, strict_json) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v, strict_json) for v in obj]
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, PurePath):
        return str(obj)
    if not isinstance(obj, (int, float)) and hasattr(obj, "tolist") and getattr(obj, "ndim", 0) > 0:
        return to_plain(obj.tolist(), strict_json)  # numpy / torch array
    if not isinstance(obj, (int, float)) and hasattr(obj, "item") and getattr(obj, "ndim", 0) == 0:
        obj = obj.item()  # numpy / torch scalar
    if isinstance(obj, (bool, int)):
        return obj
    if isinstance(obj, float):
        return None if strict_json and not math.isfinite(obj) else obj
    return str(obj)
