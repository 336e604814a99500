"""The project's own deterministic generated sequences: the embedded default of the main job and the
always-available case of the regression gate (no third-party files; everything is a function of the seeds).

Lengths differ on purpose: the EAO interval is estimated from them (LEG KDE, :func:`integration.jobs.scoring.fitted_interval`),
which needs at least two distinct lengths.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.core.atomic import write_text_atomic
from analysis.core.paths import shared_data_dir
from integration.data.sequences import Sequence, from_arrays
from integration.data.synthetic import generate, write_vot_sequence

__all__ = ["GeneratedSet", "MAIN_SET", "MAIN_REAL", "REGRESSION_SET", "bag_path", "real_sequence_paths"]


@dataclass(frozen=True)
class GeneratedSet:
    """Seeds, lengths and look of a set of synthetic sequences (:func:`integration.data.synthetic.generate`)."""

    seeds: tuple[int, ...] = (101, 102, 103, 104)
    lengths: tuple[int, ...] = (40, 55, 70, 85)
    size: tuple[int, int] = (320, 240)  #: frame ``(width, height)``
    target_size: tuple[int, int] = (48, 40)
    speed: float = 2.5
    prefix: str = "gen"

    def __post_init__(self) -> None:
        if len(self.seeds) != len(self.lengths) or not self.seeds:
            raise ValueError(f"GeneratedSet: {len(self.seeds)} seeds for {len(self.lengths)} lengths")
        if min(self.lengths) < 2:
            raise ValueError(f"GeneratedSet: every sequence needs >= 2 frames, got {self.lengths}")

    @property
    def names(self) -> list[str]:
        return [f"{self.prefix}{s}" for s in self.seeds]

    def describe(self) -> dict:
        """JSON-ready description (stored in the regression reference to recognise a changed set)."""
        return {"generator": "integration.data.synthetic.generate", "seeds": list(self.seeds),
                "lengths": list(self.lengths), "size": list(self.size), "target_size": list(self.target_size),
                "speed": self.speed}

    def _generate(self, seed: int, n: int):

        return generate(seed, n, self.size, target_size=self.target_size, speed=self.speed)

    def sequences(self) -> dict[str, Sequence]:
        """In-memory sequences (exact pixels, ``x, y, w, h`` ground truth, VOT-style tags)."""
        out = {}
        for name, seed, n in zip(self.names, self.seeds, self.lengths):
            seq = self._generate(seed, n)
            out[name] = from_arrays(name, seq.frames, seq.boxes, tags=seq.tags)
        return out

    def write_vot(self, root: str | os.PathLike) -> Path:
        """Write the set as a VOT dataset (legacy ``00000001.jpg`` folders, polygon ground truth, ``*.tag``
        files, ``list.txt``) under ``root``; returns ``root``. Rewrites nothing that is already complete."""

        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        for name, seed, n in zip(self.names, self.seeds, self.lengths):
            folder = root / name
            if (folder / "groundtruth.txt").is_file() and (folder / f"{n:08d}.jpg").is_file():
                continue
            seq = self._generate(seed, n)
            write_vot_sequence(folder, seq.frames, seq.boxes, tags=seq.tags)

        write_text_atomic(root / "list.txt", "".join(f"{n}\n" for n in self.names))
        return root


#: the main job's generated part: 6 sequences, 420 frames
MAIN_SET = GeneratedSet(seeds=(201, 202, 203, 204, 205, 206), lengths=(50, 60, 70, 80, 70, 90), prefix="gen")

#: the regression gate's generated case: 4 sequences, 250 frames (with ``bag``: ~1-2 min on 2 CPU cores)
REGRESSION_SET = GeneratedSet()


#: real VOT sequences of ``../shared/data/sequences`` in the main job's default group (VOT2016-2018 sequences:
#: 196 + 105 + 175 = 476 frames), chosen so that the job with SiamRPN, CSRT, KCF and NanoTrack stays under 4 minutes
#: on 2 cores (README, "The main job": an estimate from per-frame timings)
MAIN_REAL = ("bag", "VOT_ball1", "VOT_book")


def real_sequence_paths(names: tuple[str, ...] = MAIN_REAL) -> tuple[list[Path], list[str]]:
    """The folders ``<shared data>/sequences/<name>`` that exist (with a ``groundtruth.txt``), and the missing names."""
    found: list[Path] = []
    missing: list[str] = []
    for name in names:
        path = shared_data_dir() / "sequences" / name
        if (path / "groundtruth.txt").is_file():
            found.append(path)
        else:
            missing.append(name)
    return found, missing


def bag_path() -> Path | None:
    """``<shared data>/sequences/bag`` when it exists (the real VOT sequence of the default set)."""
    path = shared_data_dir() / "sequences" / "bag"
    return path if (path / "groundtruth.txt").is_file() else None
