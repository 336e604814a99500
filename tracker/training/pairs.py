"""Training pairs: template/search frame sampling, augmentation and anchor targets, deterministic per index.

Sample ``idx`` is a pure function of ``(seed, idx)`` (its own ``numpy`` generator), so a run gives the same pairs
with any number of data-loader workers or DDP processes, and a resumed run continues with exactly the pairs an
uninterrupted run would have seen.

Positive pair: a source chosen by weight, a random track, template frame uniform over its annotated frames, search
frame uniform within ``frame_range`` annotated frames of it (may be the same frame; still images always are).
Negative pair (probability ``neg_prob``): the search crop is centred on a random track of a random source.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from tracker.training.augment import augment_pair
from tracker.training.config import AugmentConfig, TargetConfig
from tracker.training.datasets import TrackSet
from tracker.training.targets import anchor_targets


def sample_frames(rng: np.random.Generator, frames: np.ndarray, frame_range: int) -> tuple[int, int]:
    """Template and search frame keys: positions at most ``frame_range`` apart in the annotated-frame list."""
    t = int(rng.integers(len(frames)))
    lo, hi = max(0, t - frame_range), min(len(frames) - 1, t + frame_range)
    s = int(rng.integers(lo, hi + 1))
    return int(frames[t]), int(frames[s])


class PairDataset(Dataset):
    """Map-style dataset of ``length`` training pairs."""

    def __init__(
        self,
        sources: Sequence[TrackSet],
        weights: Sequence[float],
        anchors: np.ndarray,
        score_size: int,
        augment: AugmentConfig,
        targets: TargetConfig,
        seed: int,
        length: int,
    ):
        if not sources:
            raise ValueError("PairDataset needs at least one track set")
        self.sources = list(sources)
        w = np.asarray(weights, dtype=np.float64)
        self.p = w / w.sum()
        self.anchors = np.asarray(anchors, dtype=np.float64)
        self.score_size = score_size
        self.augment, self.targets, self.seed, self.length = augment, targets, seed, length

    def __len__(self) -> int:
        return self.length

    def raw_pair(self, idx: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, np.random.Generator]:
        rng = np.random.default_rng([self.seed, int(idx)])
        si = int(rng.choice(len(self.sources), p=self.p))
        src = self.sources[si]
        ti = int(rng.integers(len(src)))
        fz, fx = sample_frames(rng, src.frames(ti), src.frame_range)
        z_img, z_box = src.load(ti, fz)
        negative = rng.random() < self.augment.neg_prob
        if negative:
            sj = int(rng.choice(len(self.sources), p=self.p))
            other = self.sources[sj]
            tj = int(rng.integers(len(other)))
            if sj == si and tj == ti and len(other) > 1:
                tj = (tj + 1) % len(other)
            fr = other.frames(tj)
            x_img, x_box = other.load(tj, int(fr[int(rng.integers(len(fr)))]))
        else:
            x_img, x_box = src.load(ti, fx)
        z, x, box = augment_pair(z_img, z_box, x_img, x_box, self.augment, rng)
        return z, x, box, negative, rng

    def __getitem__(self, idx: int) -> dict[str, torch.Tensor]:
        z, x, box, negative, rng = self.raw_pair(idx)
        t = anchor_targets(self.anchors, box, negative, self.targets, rng, self.score_size)
        return {
            "z": torch.from_numpy(np.ascontiguousarray(z.transpose(2, 0, 1))).float(),
            "x": torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))).float(),
            "labels": torch.from_numpy(t.labels.astype(np.int64)),
            "deltas": torch.from_numpy(t.deltas),
            "reg_weight": torch.from_numpy(t.reg_weight),
            "box": torch.from_numpy(box.astype(np.float32)),
            "negative": torch.tensor(bool(negative)),
        }


class StepSampler(Sampler[int]):
    """Indices for steps ``start_step..total_steps-1``: step ``s`` uses global samples ``s*B .. s*B+B-1``, of which
    DDP process ``rank`` of ``world`` takes the contiguous slice ``rank*B/world .. (rank+1)*B/world - 1``."""

    def __init__(self, start_step: int, total_steps: int, global_batch: int, rank: int = 0, world: int = 1):
        if global_batch % world:
            raise ValueError(f"global batch {global_batch} not divisible by {world} processes")
        self.start, self.total, self.b, self.rank, self.world = start_step, total_steps, global_batch, rank, world

    def __iter__(self):
        local = self.b // self.world
        for s in range(self.start, self.total):
            base = s * self.b + self.rank * local
            yield from range(base, base + local)

    def __len__(self) -> int:
        return (self.total - self.start) * (self.b // self.world)
