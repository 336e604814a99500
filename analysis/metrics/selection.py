"""Which annotated sequences a one-pass score covers: those with results, in annotation order; the others are
refused (naming them) unless the caller allows missing results, and then named in a note."""
from __future__ import annotations

from typing import Mapping


def _listed(names: list[str], limit: int = 10) -> str:
    return ", ".join(names[:limit]) + (" ..." if len(names) > limit else "")


def scored_sequences(annotations: Mapping[str, object], results: Mapping[str, object], allow_missing: bool,
                     hint: str = "--allow-missing scores the others") -> tuple[list[str], list[str]]:
    """``(names, missing)``: annotated sequences with and without results. Raises ``ValueError`` when none has
    results, or when some have none and ``allow_missing`` is false (the message names them and ends with
    ``hint``)."""
    names = [k for k in annotations if k in results]
    missing = [k for k in annotations if k not in results]
    if not names:
        raise ValueError("no sequence has both ground truth and results")
    if missing and not allow_missing:
        raise ValueError(f"no results for {len(missing)} of the {len(annotations)} annotated sequences: "
                         f"{_listed(missing)} ({hint})")
    return names, missing


def missing_note(missing: list[str]) -> str:
    """The note of a score made without some annotated sequences (``--allow-missing``)."""
    return f"no results for {len(missing)} annotated sequence(s), not scored (--allow-missing): {_listed(missing)}"
