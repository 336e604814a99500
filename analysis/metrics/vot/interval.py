"""The sequence-length interval ``[N_lo, N_hi]`` over which the EAO curve is averaged.

Published stacks use fixed intervals (:data:`analysis.stacks.BENCHMARKS`). For a custom dataset the
MATLAB vot-toolkit (LEG ``analyze_average_expected_overlap.m::estimate_evaluation_interval`` with
``utilities/gmm_estimate.m``) derives it from the sequence lengths: a Gaussian KDE whose single bandwidth
comes from Kristan's AMISE estimator in whitened space, tabulated on ``1..max(N_s)``, normalised, then grown
from the mode one frame at a time toward the denser side until it holds ``threshold`` (0.5) of the mass.
:func:`estimate_interval` is a port of that procedure.
"""
from __future__ import annotations

import numpy as np

from analysis.stacks import EAOInterval


def kristan_bandwidth(lengths: np.ndarray) -> float:
    """Kernel standard deviation (in frames) of LEG's ``gmm_estimate`` for 1-D data.

    Whitening ``z = (x - mean) / std`` (population std), pilot variance ``G = (4 / (3 N))^(2/5)``,
    ``R(f'') = (1/N²) Σ_ij φ(z_i - z_j; 0, G) · G⁻² · (3 - 6m + m²)`` with ``m = (z_i - z_j)² / G``,
    ``h = (1 / (N · 2√π · R))^(1/5)``; the kernel std in data units is ``h · std``.
    """
    x = np.asarray(lengths, dtype=np.float64).ravel()
    n = x.size
    if n < 2:
        raise ValueError("the KDE interval needs at least two sequence lengths")
    sigma = float(np.sqrt(np.mean(x * x) - np.mean(x) ** 2))
    if not sigma > 0:
        raise ValueError("the KDE interval needs sequence lengths that are not all equal")
    z = (x - x.mean()) / sigma
    g = (4.0 / (3.0 * n)) ** (2.0 / 5.0)
    d2 = (z[:, None] - z[None, :]) ** 2
    m = d2 / g
    phi = np.exp(-0.5 * m) / np.sqrt(2.0 * np.pi * g)
    r_f2 = float(np.sum(phi * (3.0 - 6.0 * m + m * m)) / (g * g) / (n * n))
    h = (1.0 / (n * 2.0 * np.sqrt(np.pi) * r_f2)) ** (1.0 / 5.0)
    return h * sigma


def length_density(lengths: np.ndarray, bandwidth: float | None = None) -> np.ndarray:
    """Normalised KDE of the sequence lengths tabulated at ``x = 1..max(lengths)`` (``p[x-1]``, Σp = 1)."""
    x = np.asarray(lengths, dtype=np.float64).ravel()
    std = kristan_bandwidth(x) if bandwidth is None else float(bandwidth)
    grid = np.arange(1, int(x.max()) + 1, dtype=np.float64)
    p = np.exp(-0.5 * ((grid[:, None] - x[None, :]) / std) ** 2).sum(axis=1) / (x.size * std * np.sqrt(2 * np.pi))
    return p / p.sum()


def grow_range(p: np.ndarray, threshold: float = 0.5) -> tuple[int, int]:
    """LEG ``find_range``: 1-based ``(low, high)`` grown from ``argmax p`` until ``Σ p[low..high] >= threshold``.

    Each step extends toward the side whose next value is larger (ties extend ``high``); a side whose next
    index reaches the array end (``high + 1 >= len(p)``) or start stops and the other side grows.
    """
    p = np.asarray(p, dtype=np.float64)
    size = p.size
    low = high = int(np.argmax(p)) + 1
    for _ in range(size + 1):
        lo_t, hi_t = low - 1, high + 1
        sw_lo = sw_hi = False
        if lo_t <= 0:
            lo_t, sw_lo = 1, True
        if hi_t >= size:
            hi_t, sw_hi = size, True
        if sw_lo and sw_hi:
            return lo_t, hi_t
        if not sw_lo and not sw_hi:
            if p[lo_t - 1] > p[hi_t - 1]:
                low = lo_t
            else:
                high = hi_t
        elif not sw_lo:
            low = lo_t
        else:
            high = hi_t
        if p[low - 1:high].sum() >= threshold:
            return low, high
    return low, high


def estimate_interval(lengths: np.ndarray, threshold: float = 0.5) -> EAOInterval:
    """LEG's data-driven EAO interval for a dataset with the given sequence lengths."""
    p = length_density(lengths)
    low, high = grow_range(p, threshold)
    return EAOInterval(low, high, int(np.argmax(p)) + 1, f"KDE of {len(np.ravel(lengths))} sequence lengths (LEG)")


def fit_interval(lengths) -> EAOInterval:
    """EAO interval for a custom dataset: LEG's KDE estimate when it is defined, else a stated project rule.

    The KDE (:func:`estimate_interval`) needs at least two distinct sequence lengths. For a single length ``N``
    (one sequence, or all equally long) it is undefined and the interval is ``[ceil(N/2), N]``: the upper half
    of the fragment lengths the sequence can produce. This is a project convention, not a toolkit's; the
    ``source`` string says which rule was used so every printed EAO carries it.
    """
    arr = np.asarray(list(np.ravel(lengths)), dtype=np.int64)
    if arr.size == 0 or (arr < 1).any():
        raise ValueError(f"EAO interval needs positive sequence lengths, got {arr.tolist()}")
    if np.unique(arr).size >= 2:
        return estimate_interval(arr)
    n = int(arr[0])
    return EAOInterval(max(1, -(-n // 2)), n, n,
                       f"single length {n}: [ceil(N/2), N] (project rule; LEG's KDE needs two distinct lengths)")

