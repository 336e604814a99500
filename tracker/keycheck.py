"""One message for a state dict that does not fit a model: missing, unexpected and wrongly-shaped keys."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["key_mismatch", "shape_mismatches"]


def key_mismatch(header: str, missing: Sequence[str], unexpected: Sequence[str], shapes: Sequence[str],
                 unknown: Sequence[str] = (), limit: int | None = None) -> str | None:
    """``None`` when every list is empty, else ``header`` and one indented line per non-empty list
    (at most ``limit`` names each)."""
    groups = (("unknown keys", unknown, ", "), ("missing keys", missing, ", "),
              ("unexpected keys", unexpected, ", "), ("wrongly-shaped keys", shapes, "; "))
    parts = [header] + [f"{what} ({len(keys)}): {sep.join(list(keys)[:limit])}" for what, keys, sep in groups if keys]
    return None if len(parts) == 1 else "\n  ".join(parts)


def shape_mismatches(own: Mapping, given: Mapping) -> list[str]:
    """``"key: file (..) vs model (..)"`` for keys in both whose shapes differ."""
    return [f"{k}: file {tuple(given[k].shape)} vs model {tuple(own[k].shape)}"
            for k in given if k in own and tuple(given[k].shape) != tuple(own[k].shape)]
