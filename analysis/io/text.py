"""The one reader of box text files (``x,y,w,h`` per line, comma / space / tab separated) used for OTB and
GOT-10k ground truth and for one-pass result files; every error names the file and the line."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

_SPLIT = re.compile(r"[,\s]+")


def read_text_file(path: str | Path, what: str = "box file", expected: str = "one x,y,w,h per line") -> str:
    """Text of a box / ground-truth file; a binary or non-UTF-8 file raises ``ValueError`` naming it and the
    line of the first bad byte (instead of a bare ``UnicodeDecodeError``)."""
    path = Path(path)
    data = path.read_bytes()
    nul = data.find(b"\x00")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not a text {what} (byte 0x{data[exc.start]:02x} at offset {exc.start} "
                         f"is not UTF-8; a binary file?); expected {expected}") from None
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not a text {what} (NUL byte at offset {nul}: a binary file?); "
                         f"expected {expected}")
    return text


def parse_box_lines(text: str, source: str | Path, columns: int | None = 4) -> np.ndarray:
    """Parse one box per line (comma / space / tab separated, CRLF tolerated) into ``(N, columns)`` float64.

    Blank lines at the end are ignored; any other malformed line raises ``ValueError`` naming
    ``source`` and the 1-based line number.
    """
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    rows: list[list[float]] = []
    for number, line in enumerate(lines, start=1):
        fields = [f for f in _SPLIT.split(line.strip()) if f]
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise ValueError(f"{source}:{number}: cannot parse {line.strip()!r} as numbers") from None
        if not values:
            raise ValueError(f"{source}:{number}: empty line inside the box list")
        if columns is not None and len(values) != columns:
            raise ValueError(f"{source}:{number}: expected {columns} values, got {len(values)} ({line.strip()!r})")
        rows.append(values)
    if not rows:
        raise ValueError(f"{source}: no boxes")
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"{source}:{number}: expected {width} values like line 1, got {len(row)}")
    return np.asarray(rows, dtype=np.float64)
