"""The one parser of box text: one ``x,y,w,h`` (or other list of numbers) per line, comma / space / tab
separated, CRLF tolerated; every error names the source and the 1-based line.

In ``analysis.core`` so that the tracker's training loaders (which may import only ``analysis.core``) and the
analysis readers (:mod:`analysis.io.text`, which adds the binary / non-UTF-8 file checks) share it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["BOX_SEPARATORS", "split_fields", "iter_box_rows", "parse_box_lines"]

#: separators between the numbers of one line (commas, spaces, tabs, any mix)
BOX_SEPARATORS = re.compile(r"[,\s]+")


def split_fields(line: str) -> list[str]:
    """The non-empty fields of one line (``"1, 2\\t3"`` -> ``["1", "2", "3"]``)."""
    return [f for f in BOX_SEPARATORS.split(line.strip()) if f]


def iter_box_rows(text: str, source: str | Path, *, skip_blank: bool = False,
                  bad_numbers: str = "cannot parse {line!r} as numbers") -> Iterator[tuple[int, list[float]]]:
    """``(line number, values)`` per line, in order; trailing blank lines are ignored.

    A blank line inside raises ``ValueError`` unless ``skip_blank``; a line that is not numbers raises
    ``ValueError("<source>:<n>: " + bad_numbers)`` (``{line}`` = the stripped line; the training loaders keep
    their historical wording ``"not a list of numbers: {line!r}"``)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    for number, line in enumerate(lines, start=1):
        fields = split_fields(line)
        if not fields:
            if skip_blank:
                continue
            raise ValueError(f"{source}:{number}: empty line inside the box list")
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise ValueError(f"{source}:{number}: " + bad_numbers.format(line=line.strip())) from None
        yield number, values


def parse_box_lines(text: str, source: str | Path, columns: int | None = 4) -> np.ndarray:
    """Parse one box per line (comma / space / tab separated, CRLF tolerated) into ``(N, columns)`` float64.

    Blank lines at the end are ignored; any other malformed line raises ``ValueError`` naming
    ``source`` and the 1-based line number. ``columns=None``: any count, the same on every line.
    """
    rows: list[list[float]] = []
    for number, values in iter_box_rows(text, source):
        if columns is not None and len(values) != columns:
            line = text.splitlines()[number - 1].strip()
            raise ValueError(f"{source}:{number}: expected {columns} values, got {len(values)} ({line!r})")
        rows.append(values)
    if not rows:
        raise ValueError(f"{source}: no boxes")
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"{source}:{number}: expected {width} values like line 1, got {len(row)}")
    return np.asarray(rows, dtype=np.float64)
