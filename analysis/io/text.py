"""The one reader of box text files (``x,y,w,h`` per line, comma / space / tab separated) used for OTB and
GOT-10k ground truth and for one-pass result files; every error names the file and the line.

The line parser itself, :func:`analysis.core.boxtext.parse_box_lines`, lives in ``analysis.core`` (the tracker's
training loaders use it too); this module adds the binary / non-UTF-8 checks."""
from __future__ import annotations

from pathlib import Path

__all__ = ["read_text_file"]


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
