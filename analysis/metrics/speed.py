"""Tracking speed from the per-frame times stored with the results (``_time.txt`` / ``_time.value``).

The pooled rate below is the project's; GOT-10k's own speed (mean of ``1/t``, G10) is
:func:`analysis.metrics.got10k.speed_fps`.
"""
from __future__ import annotations

import numpy as np


def run_speed(times: dict[str, np.ndarray]) -> float:
    """Frames per second over all timed frames (``t > 0``): ``count / Σt``; NaN without times."""
    if not times:
        return float("nan")
    t = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in times.values()])
    t = t[np.isfinite(t) & (t > 0)]
    return float(t.size / t.sum()) if t.size else float("nan")
