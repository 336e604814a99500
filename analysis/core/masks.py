"""Mask regions and VOT's run-length encoding (VOT2020+ ground truth and tracker output).

Text form (a line of ``groundtruth.txt`` or of a text trajectory): ``m<x0>,<y0>,<w>,<h>,<r1>,<r2>,...``; the
``w x h`` pixel block has its top-left pixel at ``(x0, y0)`` of the image; the runs walk it row by row and
alternate, starting with zeros (a block that starts with a set pixel starts with a run of 0 zeros). Runs that
add up to less than ``w*h`` leave the rest unset, as vot-toolkit's decoder does; more is an error.

Binary form (vot-toolkit ``.bin`` trajectories, region type 3): ``<hhHHH`` = x0, y0 (int16), w, h (uint16),
run count (uint16), then the runs as uint16. A run longer than 65025 (= 255*255, the toolkit's ``maxstride``)
is split into ``65025, 0, rest`` so that every run fits its uint16 field; the decoder reads the 0 as an
empty run of the other value, so nothing changes.

Rules kept from vot-toolkit 0.7.4 (``vot/region/shapes.py::Mask``, ``vot/region/io.py``, ``raster.py``; see
``docs/conventions.md``, VOT2020-2022):

* **bounds** of a mask are the inclusive ``(left, top, right, bottom)`` of its set pixels in image
  coordinates; an empty mask has the bounds ``(x0, y0, x0, y0)`` of its offset (``mask_bounds`` returns
  ``(0, 0, 0, 0)`` inside the block).
* **reading optimises** (``Mask(..., optimize=True)``: ground truth and text trajectories, and every region a
  tracker sends over TraX): the block is cut to its set pixels, and a block whose set pixels all lie in its
  first column (local ``right == 0``, so also an empty one) becomes the empty block at ``(0, 0)``. Binary
  trajectories are read as stored.
* **is_empty** (the failure test's "target not visible") is true when the local right or bottom bound is 0,
  so a mask one pixel wide or high *at the left or top of its block* counts as empty.
* **box for a box-only tracker**: libtrax's ``region_convert`` gives the inclusive bounding box
  ``(left, top, right-left+1, bottom-top+1)`` (a 13-pixel disk becomes 13 x 13), which is what the TraX client
  hands a rectangle-only tracker. :func:`mask_box` computes it; vot-toolkit's own ``Mask.convert`` is
  exclusive (``right-left``) and is not what a tracker receives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Mask", "MAX_BINARY_RUN", "rle_encode", "rle_decode", "parse_mask", "format_mask", "mask_box",
           "mask_from_box", "encode_mask", "is_mask_text", "init_region"]

#: longest run of one binary record (vot-toolkit writes ``mask_to_rle(mask, maxstride=255*255)``)
MAX_BINARY_RUN = 255 * 255

_MASK_RE = re.compile(r"^\s*[mM]")


@dataclass(frozen=True, eq=False)
class Mask:
    """A binary pixel block ``pixels`` (``(h, w)`` uint8 of 0/1) whose top-left pixel sits at ``offset``
    ``(x0, y0)`` of the image."""

    pixels: np.ndarray
    offset: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        p = np.asarray(self.pixels)
        if p.ndim != 2:
            raise ValueError(f"a mask needs a 2-D pixel block, got shape {p.shape}")
        object.__setattr__(self, "pixels", (p != 0).astype(np.uint8))
        object.__setattr__(self, "offset", (int(self.offset[0]), int(self.offset[1])))

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def local_bounds(self) -> tuple[int, int, int, int]:
        """Inclusive ``(left, top, right, bottom)`` of the set pixels inside the block; ``(0, 0, 0, 0)`` when
        none is set (vot-toolkit ``mask_bounds``)."""
        rows = np.flatnonzero(self.pixels.any(axis=1))
        if rows.size == 0:
            return (0, 0, 0, 0)
        cols = np.flatnonzero(self.pixels.any(axis=0))
        return (int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1]))

    def bounds(self) -> tuple[int, int, int, int]:
        """Inclusive image bounds of the set pixels (the offset's point when the mask is empty)."""
        left, top, right, bottom = self.local_bounds()
        x0, y0 = self.offset
        return (left + x0, top + y0, right + x0, bottom + y0)

    def area(self) -> int:
        return int(self.pixels.sum())

    def is_empty(self) -> bool:
        """vot-toolkit's ``Mask.is_empty``: local right or bottom bound 0 (module docstring)."""
        _, _, right, bottom = self.local_bounds()
        return right == 0 or bottom == 0

    def optimized(self) -> Mask:
        """The block cut to its set pixels, as vot-toolkit reads masks (module docstring)."""
        left, top, right, bottom = self.local_bounds()
        if right == 0:
            return Mask(np.zeros((0, 0), np.uint8), (0, 0))
        x0, y0 = self.offset
        return Mask(self.pixels[top:bottom + 1, left:right + 1].copy(), (x0 + left, y0 + top))

    def box(self) -> np.ndarray:
        """The inclusive bounding box a box-only tracker receives (:func:`mask_box`)."""
        return mask_box(self)

    def full(self, width: int, height: int) -> np.ndarray:
        """The mask drawn on a ``height x width`` image (pixels outside it are cut)."""
        out = np.zeros((height, width), np.uint8)
        x0, y0 = self.offset
        xa, ya = max(x0, 0), max(y0, 0)
        xb, yb = min(x0 + self.width, width), min(y0 + self.height, height)
        if xb > xa and yb > ya:
            out[ya:yb, xa:xb] = self.pixels[ya - y0:yb - y0, xa - x0:xb - x0]
        return out

    def same_pixels(self, other: Mask) -> bool:
        """True when both masks set the same image pixels (offsets and blocks may differ)."""
        a, b = self.optimized(), other.optimized()
        if a.area() == 0 or b.area() == 0:
            return a.area() == b.area()
        return a.offset == b.offset and a.pixels.shape == b.pixels.shape and bool(np.array_equal(a.pixels, b.pixels))

    def __repr__(self) -> str:
        return f"Mask({self.width}x{self.height} at {self.offset}, {self.area()} px)"


def rle_encode(pixels: np.ndarray, max_run: int | None = None) -> list[int]:
    """Runs of a pixel block, row-major, alternating and starting with zeros; runs longer than ``max_run``
    are split into ``max_run, 0, rest`` (``None``: never split). An empty block gives ``[0]``."""
    v = (np.asarray(pixels).ravel() != 0).astype(np.int8)
    if v.size == 0:
        return [0]
    change = np.flatnonzero(v[1:] != v[:-1]) + 1
    edges = np.concatenate(([0], change, [v.size]))
    lengths = np.diff(edges).tolist()
    runs = [0] + lengths if v[0] else lengths
    if max_run is None or max(runs) <= max_run:
        return [int(r) for r in runs]
    out: list[int] = []
    for r in runs:
        while r > max_run:
            out += [max_run, 0]
            r -= max_run
        out.append(int(r))
    return out


def rle_decode(runs, width: int, height: int, where: str = "mask") -> np.ndarray:
    """The ``(height, width)`` uint8 block of ``runs`` (module docstring); runs beyond the block are an
    error naming ``where``."""
    r = np.asarray(runs, dtype=np.int64).ravel()
    if width < 0 or height < 0:
        raise ValueError(f"{where}: negative mask size {width}x{height}")
    if (r < 0).any():
        raise ValueError(f"{where}: negative run length {int(r[r < 0][0])}")
    total = width * height
    if int(r.sum()) > total:
        raise ValueError(f"{where}: the runs cover {int(r.sum())} pixels, the {width}x{height} block has {total}")
    v = np.zeros(total, np.uint8)
    ends = np.cumsum(r)
    starts = ends - r
    for s, e in zip(starts[1::2], ends[1::2]):
        v[s:e] = 1
    return v.reshape(height, width)


def is_mask_text(text: str) -> bool:
    """True when a region line is a mask (``m...``)."""
    return bool(_MASK_RE.match(text))


def parse_mask(text: str, where: str = "mask", optimize: bool = True) -> Mask:
    """A mask line ``m<x0>,<y0>,<w>,<h>,<runs>`` (the ``m`` optional); ``optimize`` as vot-toolkit reads
    text (module docstring). Errors name ``where``."""
    s = text.strip()
    if s[:1] in ("m", "M"):
        s = s[1:]
    tokens = [t for t in re.split(r"[,\s]+", s) if t]
    try:
        values = [int(t) for t in tokens]
    except ValueError:
        raise ValueError(f"{where}: a mask line needs integers 'm<x0>,<y0>,<w>,<h>,<runs>', got {text.strip()[:60]!r}"
                         ) from None
    if len(values) < 5:
        raise ValueError(f"{where}: a mask line needs x0,y0,w,h and at least one run, got {text.strip()[:60]!r}")
    x0, y0, w, h = values[:4]
    mask = Mask(rle_decode(values[4:], w, h, where), (x0, y0))
    return mask.optimized() if optimize else mask


def format_mask(mask: Mask) -> str:
    """``m<x0>,<y0>,<w>,<h>,<runs>`` of the block as it is (vot-toolkit ``str(Mask)``)."""
    x0, y0 = mask.offset
    runs = ",".join(str(r) for r in rle_encode(mask.pixels))
    return f"m{x0},{y0},{mask.width},{mask.height},{runs}"


def encode_mask(image_mask: np.ndarray) -> Mask:
    """A full-image mask cut to its set pixels, as vot-toolkit's ``encode_mask`` does: an empty one becomes the
    1x1 unset block at ``(0, 0)`` (text ``m0,0,1,1,1``)."""
    full = Mask(np.asarray(image_mask), (0, 0))
    left, top, right, bottom = full.local_bounds()
    return Mask(full.pixels[top:bottom + 1, left:right + 1].copy(), (left, top))


def mask_box(mask: Mask) -> np.ndarray:
    """Inclusive bounding box ``x, y, w, h`` of the set pixels (TraX ``region_convert`` mask -> rectangle);
    ``0, 0, 0, 0`` for an empty mask."""
    if mask.area() == 0:
        return np.zeros(4)
    left, top, right, bottom = mask.bounds()
    return np.array([left, top, right - left + 1, bottom - top + 1], dtype=np.float64)


def mask_from_box(box, width: int | None = None, height: int | None = None) -> Mask:
    """The pixels ``round(x) .. round(x)+round(w)-1`` (x and y alike) of a box as a mask, as vot-toolkit
    rasterises a rectangle; cut to the image when its size is given."""
    x, y, w, h = (int(np.round(np.float32(v))) for v in np.asarray(box, dtype=np.float64).ravel()[:4])
    m = Mask(np.ones((max(h, 0), max(w, 0)), np.uint8), (x, y))
    if width is None or height is None:
        return m
    return encode_mask(m.full(width, height))


def init_region(region, accepts_masks: bool = False):
    """What a tracker is initialised with on a ground-truth ``region`` (the runner and the TraX server alike):
    a mask itself when the tracker declares ``accepts_masks``, else its inclusive box (:func:`mask_box`, what
    the TraX client hands a rectangle tracker); rectangles and polygons as float64 arrays."""
    if isinstance(region, Mask):
        return region if accepts_masks else mask_box(region)
    return np.asarray(region, dtype=np.float64)
