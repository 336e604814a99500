"""Learning-rate schedule of the paper (Sec. 5.1): decreasing in log space from 1e-2 to 1e-6 over 50 epochs.

The run's ``total_steps`` are split into ``virtual_epochs`` equal parts (the paper's 50 epochs scaled to the run
length); within a virtual epoch the LR is constant, as with an epoch-wise schedule. Step 0 gets ``lr_start``; the
last step gets ``lr_end``.
"""
from __future__ import annotations

import numpy as np


def lr_at(step: int, total_steps: int, lr_start: float = 1e-2, lr_end: float = 1e-6, virtual_epochs: int = 50) -> float:
    """LR for a 0-based ``step`` of a ``total_steps`` run."""
    if total_steps <= 0 or not 0 <= step < total_steps:
        raise ValueError(f"step {step} outside a run of {total_steps} steps")
    epochs = max(1, min(virtual_epochs, total_steps))
    epoch = min(epochs - 1, step * epochs // total_steps)
    if step == total_steps - 1:
        epoch = epochs - 1
    lrs = np.logspace(np.log10(lr_start), np.log10(lr_end), epochs) if epochs > 1 else np.array([lr_start])
    return float(lrs[epoch])


def lr_table(total_steps: int, lr_start: float = 1e-2, lr_end: float = 1e-6, virtual_epochs: int = 50) -> np.ndarray:
    """The whole schedule as an array (for plotting and tests)."""
    return np.array([lr_at(s, total_steps, lr_start, lr_end, virtual_epochs) for s in range(total_steps)])


def scheduled_lr(step: int, total_steps: int, lr_start: float, lr_end: float, virtual_epochs: int = 50,
                 schedule: str = "log", warmup_steps: int = 0) -> float:
    """LR of ``step``: a linear warm-up from ``lr_start / 10`` over ``warmup_steps``, then the ``log`` schedule
    (:func:`lr_at`, the paper's) or a ``cosine`` decay from ``lr_start`` to ``lr_end`` over the remaining steps."""
    if step < warmup_steps:
        return lr_start * (0.1 + 0.9 * step / max(1, warmup_steps))
    if schedule == "log":
        return lr_at(step, total_steps, lr_start, lr_end, virtual_epochs)
    if schedule != "cosine":
        raise ValueError(f"unknown LR schedule {schedule!r} (log, cosine)")
    t = (step - warmup_steps) / max(1, total_steps - warmup_steps - 1)
    return float(lr_end + 0.5 * (lr_start - lr_end) * (1 + np.cos(np.pi * min(1.0, t))))
