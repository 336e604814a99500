"""Hard-negative mining (tracker.training.mining): hand-built score maps with known answers."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tracker.training.config import TargetConfig, TrainConfig
from tracker.training.loop import train
from tracker.training.mining import mine_hard_negatives
from tracker.training.targets import anchor_targets


def _maps(fg_minus_bg: list[float]) -> torch.Tensor:
    """One pair, one anchor, a 1 x n score map whose foreground log-odds are the given values."""
    n = len(fg_minus_bg)
    cls = torch.zeros(1, 2, 1, n)
    cls[0, 1, 0] = torch.tensor(fg_minus_bg)
    return cls


def test_mines_the_highest_scoring_free_pool_anchors():
    cls = _maps([0.5, 3.0, -1.0, 2.0, 9.0, 1.0])
    labels = torch.tensor([[-1, -1, 0, -1, 1, -1]])
    pool = torch.tensor([[True, True, True, True, False, True]])
    out = mine_hard_negatives(cls, labels, pool, 2)
    # anchor 4 (the positive, outside the pool) and 2 (already negative) keep their labels; 1 and 3 score highest
    assert out.tolist() == [[-1, 0, 0, 0, 1, -1]]
    assert labels.tolist() == [[-1, -1, 0, -1, 1, -1]]  # input untouched


def test_never_labels_outside_the_pool_and_stops_when_the_pool_is_empty():
    cls = _maps([5.0, 4.0, 3.0])
    labels = torch.tensor([[-1, -1, -1]])
    pool = torch.tensor([[False, True, False]])
    assert mine_hard_negatives(cls, labels, pool, 3).tolist() == [[-1, 0, -1]]
    assert mine_hard_negatives(cls, labels, pool, 0) is labels


def test_pool_of_positive_pairs_is_the_low_iou_anchors():
    rng = np.random.default_rng(0)
    anchors = np.array([[0, 0, 64, 64], [0, 0, 60, 60], [100, 100, 64, 64]], dtype=np.float64)
    t = anchor_targets(anchors, np.array([0.0, 0.0, 64.0, 64.0]), False, TargetConfig(), rng, score_size=1)
    assert t.neg_pool.tolist() == [False, False, True]
    tn = anchor_targets(anchors, np.array([0.0, 0.0, 64.0, 64.0]), True, TargetConfig(), rng, score_size=1)
    assert tn.neg_pool.all()  # a negative pairing: every anchor may be negative


def test_pair_trainer_refuses_hard_negatives(tmp_path):
    cfg = TrainConfig(targets=TargetConfig(hard_negatives=4))
    with pytest.raises(ValueError, match="reuse trainer only"):
        train(cfg, tmp_path)
