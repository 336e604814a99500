"""Is a run's data the benchmark? The sequence lists behind the published numbers, and the like-for-like check.

A run is drawn among published numbers (EAO ranking, AR plot, OTB side panel, ...) only when its sequences are
the benchmark's: the same names (case and punctuation ignored: ``Jogging-1`` = ``jogging_1``) with the same frame
counts as the list in ``sequence_lists.json`` (VOT2017/2018: 60 sequences, sequence lengths; OTB-2015: 100
sequences, frames with valid ground truth, as the OTB scorer counts them). Anything else, a subset, other
sequences, or a VOT/OTB benchmark without an offline list, is not comparable (one-pass benchmarks whose lists
are not shipped, LaSOT, UAV123, NfS, TC128, TrackingNet, are checked on the number of sequences only,
:func:`match_count`): the report parts then draw the published
numbers apart, in a panel titled "published on <benchmark>, other data: not comparable", or leave them out, and
say so on the figure.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

_LISTS = Path(__file__).with_name("sequence_lists.json")


def sequence_key(name: str) -> str:
    """Name normalised for matching (case and punctuation ignored)."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


@lru_cache(maxsize=1)
def _lists() -> dict:
    return json.loads(_LISTS.read_text())


def benchmark_sequences(name: str) -> dict[str, int] | None:
    """``{sequence: frames}`` of benchmark/stack ``name`` (``vot2017``, ``otb2015`` ...), None when no list is known."""
    lists = _lists()
    entry = lists.get(name.lower())
    while isinstance(entry, dict) and "same_as" in entry:
        entry = lists.get(entry["same_as"])
    return dict(entry["sequences"]) if isinstance(entry, dict) and "sequences" in entry else None


@dataclass(frozen=True)
class BenchmarkMatch:
    """Whether a run's sequences are benchmark ``benchmark`` (``published`` key, e.g. ``VOT2017``) and why."""

    benchmark: str
    comparable: bool
    reason: str

    @property
    def panel_title(self) -> str:
        """Title of the panel that holds the published numbers when they are not comparable."""
        return f"published on {self.benchmark}, other data: not comparable"

    @property
    def note(self) -> str:
        """One line for the figure itself (empty when comparable)."""
        return "" if self.comparable else f"Not {self.benchmark} data: published {self.benchmark} scores not ranked with this run"


def match_benchmark(name: str, published: str, lengths: Mapping[str, int]) -> BenchmarkMatch:
    """Check ``lengths`` (``{sequence: frames}`` of the scored data) against benchmark ``name``'s list.

    ``published`` is the benchmark's published key (``analysis.stacks.BenchmarkSpec.published``) used in the texts.
    Comparable only when every listed sequence is there with its frame count and nothing else is.
    """
    reference = benchmark_sequences(name)
    n, frames = len(lengths), sum(int(v) for v in lengths.values())
    these = f"these {n} sequences ({frames} frames)"
    if reference is None:
        return BenchmarkMatch(published, False, f"no sequence list of {published} is known here, so {these} cannot "
                                                "be checked against it; treated as other data")
    ref = {sequence_key(k): (k, int(v)) for k, v in reference.items()}
    mine = {sequence_key(k): (k, int(v)) for k, v in lengths.items()}
    total = sum(v for _, v in ref.values())
    whole = f"{published} ({len(ref)} sequences, {total} frames)"
    extra = [k for key, (k, _) in mine.items() if key not in ref]
    missing = [k for key, (k, _) in ref.items() if key not in mine]
    differ = [f"{k} {v} vs {ref[key][1]}" for key, (k, v) in mine.items() if key in ref and v != ref[key][1]]
    if not (extra or missing or differ):
        return BenchmarkMatch(published, True, f"{these} are {whole}: names and frame counts match")
    parts = []
    if extra:
        parts.append(f"{len(extra)} not in {published} ({', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''})")
    if missing:
        parts.append(f"{len(missing)} of its sequences missing")
    if differ:
        parts.append(f"frame counts differ for {len(differ)} ({', '.join(differ[:3])}{' ...' if len(differ) > 3 else ''})")
    return BenchmarkMatch(published, False, f"{these} are not {whole}: " + "; ".join(parts))


def match_count(published: str, expected: int | None, counts: Sequence[int]) -> BenchmarkMatch:
    """The check for a benchmark whose sequence list is not shipped (LaSOT, UAV123, NfS, TC128, TrackingNet ...):
    comparable when every tracker covers the benchmark's number of sequences ``expected``; the reason says that
    names and frame counts could not be checked."""
    if expected is None or not counts:
        return BenchmarkMatch(published, False, f"neither a sequence list nor the size of {published} is known here; "
                                                "treated as other data")
    short = [n for n in counts if n != expected]
    if short:
        return BenchmarkMatch(published, False, f"{short[0]} sequences scored, {published} has {expected}")
    return BenchmarkMatch(published, True, f"{expected} sequences scored, as many as {published} has (its names and "
                                           "frame counts are not listed here, so only the count is checked)")


def match_reports(name: str, published: str, tables) -> BenchmarkMatch:
    """:func:`match_benchmark` of every per-sequence table in ``tables`` (index = sequence, column ``frames``):
    comparable only when all are; the first mismatch gives the reason."""
    first = None
    for table in tables:
        match = match_benchmark(name, published, {str(k): int(v) for k, v in table["frames"].items()})
        if not match.comparable:
            return match
        first = first or match
    return first or BenchmarkMatch(published, False, "no scored sequences")
