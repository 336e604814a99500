"""The one reader of box text files (``x,y,w,h`` per line, comma / space / tab separated) used for OTB and
GOT-10k ground truth and for one-pass result files; every error names the file and the line.

The line parser itself, :func:`analysis.core.boxtext.parse_box_lines`, lives in ``analysis.core`` (the tracker's
training loaders use it too); this module adds the binary / non-UTF-8 checks."""
from __future__ import annotations

from pathlib import Path

__all__ = ["read_text_file", "parse_key_values"]


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


def parse_key_values(text: str, path: str | Path, separator: str, skip: str) -> dict[str, str]:
    """``key<separator>value`` lines as ``{key: value}`` (both stripped; blank lines and lines starting with
    ``skip`` ignored); another line raises ``ValueError`` naming the file and the line. VOT ``sequence`` files
    (``=``, ``#`` comments) and GOT-10k ``meta_info.ini`` (``:``, the ``[METAINFO]`` header)."""
    out: dict[str, str] = {}
    form = f"key{separator}value" if separator == "=" else f"key{separator} value"
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(skip):
            continue
        if separator not in line:
            raise ValueError(f"{path}:{number}: expected {form!r}, got {line!r}")
        key, value = line.split(separator, 1)
        out[key.strip()] = value.strip()
    return out
