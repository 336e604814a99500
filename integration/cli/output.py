"""Output helpers shared by the subcommands (JSON-safe conversion of numpy and pandas values)."""
from __future__ import annotations

import numpy as np


def _jsonable(obj):
    """NaN/inf -> None and numpy scalars -> Python numbers, recursively (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj
