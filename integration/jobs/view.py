"""Looking at results: several trackers' stored result files and the ground truth drawn over a sequence's frames
(the library behind ``siamrpn view``).

Result folders are read with the project's readers: VOT trajectories (text or vot-toolkit ``.bin``, rectangles,
polygons and the codes ``1`` init / ``2`` failure / ``0`` skipped; :mod:`analysis.io.trajectories`) from
``DIR/<experiment>/<seq>/<seq>_NNN.*``, ``DIR/<seq>/<seq>_NNN.*`` (also the GOT-10k layout) or ``DIR`` itself
when it is the sequence folder; one-pass OTB files ``DIR/<Seq>.txt`` (:func:`analysis.io.results.load_otb_results`,
names matched like the OTB analysis, wrong lengths fitted by the one-pass rule and warned). Frames come from
:func:`integration.data.sequences.load_dataset` (decoded by :func:`analysis.core.frames.read_frame`).

Drawing (:func:`render_frame`): the ground truth in white, each tracker in its own colour (:data:`PALETTE`), all as
closed outlines through the region's corners (``x, y`` to ``x+w, y+h`` in frame pixels times the scale, 8-connected
lines, no anti-aliasing, so colours are exact in the lossless frames). A legend in the top-left corner gives the
frame number (1-based) and one line per tracker; on a VOT failure frame the tracker's line reads ``FAIL`` in red and
a red ``FAIL`` marks its last box; on skipped frames (code ``0``) its line is grey and reads ``skipped``, with the
last box drawn in grey; on an initialisation frame it reads ``init``.

Outputs by suffix (:func:`write_view`): ``.mp4`` (OpenCV ``VideoWriter``, ``mp4v``; odd sizes padded to even with
black rows/columns, since the encoder drops the odd one), ``.gif`` (Pillow, looping) and ``.html`` (the
self-contained viewer of :func:`write_sequence_viewer`). Every file is written atomically.

GIF size (issue 22: 60 VOT frames of ``VOT_book``, 640x480, were 10.7 MB with a 256-colour palette per frame at
full size). A GIF is LZW-compressed palette images, so photographic frames barely compress; its size goes with
pixels x frames and with the palette's bit depth. Defaults (:data:`GIF_MAX_SIDE`, :data:`GIF_COLOURS`,
:data:`GIF_MAX_BYTES`): without ``scale`` the longer side is at most 320 px; one palette of 64 colours for the
whole file, made of the drawing colours (ground truth, trackers, FAIL, skipped, black; kept exact, so the boxes
keep their colours) and the rest from a montage of up to four frames, no dithering; and a budget of 2 MB: while
the encoded file is larger, the frame step doubles (unless ``step`` is given; each GIF frame is then shown
``step`` frame times, so it plays at the sequence's speed) down to :data:`GIF_MIN_FRAMES` frames, then the scale
shrinks by 3/4 (unless ``scale`` is given); what was chosen is in the result's warnings.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from analysis.core.atomic import atomic_target, write_text_atomic
from analysis.core.regions import FrameKind, Region, is_special
from analysis.io.result_layout import VOT_EXPERIMENT_FOLDERS
from analysis.io.results import load_otb_results, read_box_file
from analysis.io.trajectories import find_run_files, read_trajectory
from integration.data.sequences import Sequence as DataSequence
from integration.data.sequences import load_dataset

__all__ = ["ViewError", "ViewRequest", "ViewResult", "Track", "PALETTE", "GT_COLOUR", "FAIL_COLOUR",
           "SKIP_COLOUR", "parse_frame_range", "resolve_sequence", "load_track", "render_frame", "render_frames",
           "write_view", "write_sequence_viewer"]

#: tracker colours in BGR (matplotlib's tab10 without its red and grey, which mark failures and skipped frames)
PALETTE: tuple[tuple[int, int, int], ...] = (
    (180, 119, 31), (14, 127, 255), (44, 160, 44), (189, 103, 148), (207, 190, 23), (34, 189, 188),
    (194, 119, 227), (75, 86, 140))
GT_COLOUR = (255, 255, 255)
FAIL_COLOUR = (40, 39, 214)
SKIP_COLOUR = (127, 127, 127)
TEXT_COLOUR = (255, 255, 255)
#: GIF defaults (module docstring): longer side without --scale, palette size, size budget, fewest frames the
#: budget may leave before it shrinks the frames instead, and how many frames are rendered at most before encoding
GIF_MAX_SIDE = 320
GIF_COLOURS = 64
GIF_MAX_BYTES = 2_000_000
GIF_MIN_FRAMES = 10
GIF_MAX_RENDERED = 300
_FONT = cv2.FONT_HERSHEY_SIMPLEX


class ViewError(ValueError):
    """A user-facing failure of ``siamrpn view`` (missing sequence, result folder, bad option)."""


@dataclass(frozen=True)
class Track:
    """One tracker's regions on one sequence, one entry per frame (``None``: the file has no line for it)."""

    label: str
    regions: tuple[Region | None, ...]
    source: Path
    colour: tuple[int, int, int] = PALETTE[0]

    @property
    def kinds(self) -> np.ndarray:
        """``(N,) int8`` :class:`FrameKind` per frame; frames without a usable region are ``UNKNOWN`` (``-1`` where
        the file had no line or a one-pass box is NaN / empty, i.e. no answer, not a VOT skip)."""
        out = np.full(len(self.regions), -1, dtype=np.int8)
        for i, r in enumerate(self.regions):
            if r is None:
                continue
            out[i] = int(r) if is_special(r) else (FrameKind.TRACKED if _drawable(r) else -1)
        return out


@dataclass(frozen=True)
class ViewRequest:
    """What to draw: the sequence (``sequence`` = one sequence folder, or ``annotations`` = a dataset folder / pysot
    JSON plus ``name``), result folders with optional ``labels``, the output (``.mp4``/``.gif``/``.html``),
    ``frames`` = 1-based inclusive ``(first, last)`` (``None`` ends: the sequence's), ``scale`` of the output,
    ``fps`` (``None``: the sequence's), ``run`` = which VOT/GOT run file (1-based), ``result_name`` = the
    sequence's name in the result folders when it differs from the sequence folder's (``VOT_book`` vs ``book``).
    ``scale`` ``None``: 1, for a GIF at most :data:`GIF_MAX_SIDE` px on the longer side; ``step`` draws every
    ``step``-th frame (``None``: 1; a GIF's grows to fit ``max_bytes``); ``colours`` is a GIF's palette size;
    ``max_bytes`` a GIF's size budget (``None``: none; module docstring)."""

    results: tuple[Path, ...]
    out: Path
    sequence: Path | None = None
    annotations: Path | None = None
    name: str | None = None
    image_root: Path | None = None
    labels: tuple[str, ...] = ()
    frames: tuple[int | None, int | None] | None = None
    scale: float | None = None
    fps: float | None = None
    run: int = 1
    experiment: str = "baseline"
    result_name: str | None = None
    step: int | None = None
    colours: int = 64
    max_bytes: int | None = 2_000_000


@dataclass(frozen=True)
class ViewResult:
    """What :func:`write_view` wrote: the file, its frame count and ``(width, height)``, the tracks' labels and
    sources, and warnings (files of the wrong length, first-line quirks)."""

    out: Path
    frames: int
    size: tuple[int, int]
    labels: tuple[str, ...]
    sources: tuple[Path, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


# ----------------------------------------------------------------------------------------------- inputs
def parse_frame_range(text: str) -> tuple[int | None, int | None]:
    """``"A:B"`` (1-based, inclusive; either end may be empty) -> ``(A, B)``; :class:`ViewError` otherwise."""
    m = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if not m:
        raise ViewError(f"--frames {text!r}: expected A:B (1-based, inclusive, e.g. 1:100, 50: or :20)")
    first, last = (int(g) if g else None for g in m.groups())
    if first is not None and first < 1:
        raise ViewError(f"--frames {text!r}: frames are numbered from 1")
    if first is not None and last is not None and last < first:
        raise ViewError(f"--frames {text!r}: the last frame comes before the first")
    return first, last


def _frame_indices(span: tuple[int | None, int | None] | None, n: int, name: str) -> np.ndarray:
    first, last = span or (None, None)
    first, last = first or 1, n if last is None else last
    if first > n or last > n:
        raise ViewError(f"--frames {first}:{last}: sequence {name!r} has {n} frames")
    return np.arange(first - 1, last)


def resolve_sequence(sequence: Path | None = None, annotations: Path | None = None, name: str | None = None,
                     image_root: Path | None = None) -> DataSequence:
    """The one sequence of ``sequence`` (a sequence folder; ``name`` picks one when it holds several), or
    ``name`` in ``annotations`` (dataset folder or pysot JSON, frames under ``image_root``)."""
    if (sequence is None) == (annotations is None):
        raise ViewError("give exactly one of --sequence DIR and --annotations PATH --name NAME")
    path = sequence if sequence is not None else annotations
    try:
        found = load_dataset(path, image_root)
    except (OSError, ValueError) as exc:
        raise ViewError(str(exc)) from None
    if name is None:
        if len(found) == 1:
            return next(iter(found.values()))
        raise ViewError(f"{path}: {len(found)} sequences ({', '.join(list(found)[:5])} ...); choose one with --name")
    if name not in found:
        close = [k for k in found if k.lower() == name.lower()]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ViewError(f"{path}: no sequence {name!r}{hint}")
    return found[name]


def _label_of(results: Path) -> str:
    results = results.resolve()
    return results.parent.name if results.name in VOT_EXPERIMENT_FOLDERS else results.name


def _run_folder(results: Path, name: str, experiment: str) -> Path | None:
    for cand in (results / experiment / name, results / name):
        if cand.is_dir():
            return cand
    if results.name == name and any(results.glob(f"{name}_[0-9]*")):
        return results
    return None


def _read_run(path: Path) -> list[Region | None]:
    try:
        return list(read_trajectory(path))
    except ValueError as first:
        if path.suffix != ".txt":
            raise
        try:  # one-pass boxes (GOT-10k layout) may hold NaN rows (no answer), which trajectories refuse
            boxes = read_box_file(path)
        except ValueError:
            raise first from None
        return [b if np.all(np.isfinite(b)) else None for b in boxes]


def load_track(results: str | os.PathLike, sequence: DataSequence, label: str | None = None, run: int = 1,
               experiment: str = "baseline", colour: tuple[int, int, int] = PALETTE[0],
               result_name: str | None = None) -> tuple[Track, list[str]]:
    """One tracker's regions on ``sequence`` from a result folder (layouts in the module docstring; files named
    after ``result_name``, default the sequence's name), fitted to the sequence's length (missing last entries
    ``None``, extra ones dropped, both warned), and the warnings."""
    results = Path(results)
    if not results.is_dir():
        raise ViewError(f"--results {results}: folder not found")
    name, n = result_name or sequence.name, len(sequence)
    label = label or _label_of(results)
    notes: list[str] = []
    seq_dir = _run_folder(results, name, experiment)
    if seq_dir is not None:
        try:
            files = find_run_files(seq_dir, name)
        except ValueError as exc:
            raise ViewError(str(exc)) from None
        if not 1 <= run <= len(files):
            raise ViewError(f"{seq_dir}: run {run} requested, {len(files)} run file(s) there")
        source = files[run - 1]
        try:
            regions = _read_run(source)
        except ValueError as exc:
            raise ViewError(str(exc)) from None
        if len(regions) != n:
            notes.append(f"{source}: {len(regions)} entries for {n} frames; "
                         + ("extra entries ignored" if len(regions) > n else "the last frames have no region"))
        regions = (regions + [None] * n)[:n]
    else:
        try:
            loaded = load_otb_results(results, {name: sequence.annotation})
        except ValueError as exc:
            hint = "" if result_name else "; --result-name NAME names the sequence as the result files do"
            raise ViewError(f"--results {results}: no result folder {name}/ (VOT/GOT-10k layout) and no one-pass "
                            f"file for {name!r} ({exc}){hint}") from None
        notes += [w for w in loaded.warnings if "without annotation" not in w]
        if loaded.corner_first_line:
            notes.append(f"{loaded.files[name]}: line 1 looks like x1,y1,x2,y2 (drawn as written)")
        source = loaded.files[name]
        regions = [b if np.all(np.isfinite(b)) else None for b in loaded.boxes[name]]
    return Track(label=label, regions=tuple(regions), source=source, colour=colour), notes


# ----------------------------------------------------------------------------------------------- drawing
def _drawable(region: Region | None) -> bool:
    if region is None or is_special(region):
        return False
    v = np.asarray(region, dtype=np.float64).ravel()
    if not np.all(np.isfinite(v)):
        return False
    return bool(v[2] > 0 and v[3] > 0) if v.size == 4 else v.size >= 6


def _corners(region: Region, scale: float) -> np.ndarray:
    v = np.asarray(region, dtype=np.float64).ravel()
    if v.size == 4:
        x, y, w, h = v
        v = np.array([x, y, x + w, y, x + w, y + h, x, y + h])
    return np.round(v.reshape(-1, 2) * scale).astype(np.int32)


def _draw_region(img: np.ndarray, region: Region, colour: tuple[int, int, int], scale: float, thickness: int) -> None:
    cv2.polylines(img, [_corners(region, scale)], True, colour, thickness, cv2.LINE_8)


def _text(img: np.ndarray, text: str, org: tuple[int, int], colour: tuple[int, int, int], font: float) -> None:
    cv2.putText(img, text, org, _FONT, font, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(img, text, org, _FONT, font, colour, 1, cv2.LINE_AA)


def _last_drawn(kinds: np.ndarray) -> np.ndarray:
    """Per frame, the last frame at or before it with a drawn region (``-1``: none yet); vectorised."""
    idx = np.arange(kinds.size)
    return np.maximum.accumulate(np.where(kinds == FrameKind.TRACKED, idx, -1)) if kinds.size else idx


def render_frame(image: np.ndarray, frame: int, n_frames: int, groundtruth: np.ndarray | None,
                 tracks: Sequence[Track], scale: float = 1.0, thickness: int = 2,
                 last: Sequence[np.ndarray] | None = None, kinds: Sequence[np.ndarray] | None = None) -> np.ndarray:
    """Frame ``frame`` (0-based) of ``n_frames`` with the ground truth, the tracks and the legend drawn (BGR copy).

    ``kinds`` / ``last`` (per track: :attr:`Track.kinds`, :func:`_last_drawn`) may be passed precomputed."""
    img = np.ascontiguousarray(image)
    if scale != 1.0:
        h, w = img.shape[:2]
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_LINEAR)
    else:
        img = img.copy()
    kinds = [t.kinds for t in tracks] if kinds is None else kinds
    last = [_last_drawn(k) for k in kinds] if last is None else last
    if groundtruth is not None and _drawable(groundtruth):
        _draw_region(img, groundtruth, GT_COLOUR, scale, thickness)
    lines: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = [
        (f"frame {frame + 1}/{n_frames}", TEXT_COLOUR, TEXT_COLOUR), ("ground truth", TEXT_COLOUR, GT_COLOUR)]
    fails: list[Region] = []
    for track, k, lst in zip(tracks, kinds, last):
        kind = int(k[frame])
        prev = track.regions[lst[frame]] if lst[frame] >= 0 else None
        text, colour = track.label, TEXT_COLOUR
        if kind == FrameKind.TRACKED:
            _draw_region(img, track.regions[frame], track.colour, scale, thickness)
        elif kind == FrameKind.FAILURE:
            text, colour = f"{track.label}  FAIL", FAIL_COLOUR
            if prev is not None:
                _draw_region(img, prev, FAIL_COLOUR, scale, thickness)
                fails.append(prev)
        elif kind == FrameKind.UNKNOWN:
            text, colour = f"{track.label}  skipped", SKIP_COLOUR
            if prev is not None:
                _draw_region(img, prev, SKIP_COLOUR, scale, 1)
        elif kind == FrameKind.INIT:
            text = f"{track.label}  init"
        lines.append((text, colour, SKIP_COLOUR if kind == FrameKind.UNKNOWN else track.colour))
    font = 0.4 * max(1.0, min(scale, 3.0))
    for box in fails:
        x, y = _corners(box, scale).min(axis=0)
        _text(img, "FAIL", (int(x), max(10, int(y) - 3)), FAIL_COLOUR, font)
    step = int(round(14 * font / 0.4))
    width = max(cv2.getTextSize(t, _FONT, font, 1)[0][0] for t, _, _ in lines) + step + 8
    height = step * len(lines) + 6
    backdrop = img[:height, :width]
    backdrop //= 2  # darken the legend's background in place (a view of img)
    for i, (text, colour, swatch) in enumerate(lines):
        y = 4 + step * (i + 1) - 3
        if i > 0:
            cv2.rectangle(img, (4, y - step + 5), (4 + step - 6, y - 1), swatch, -1)
        _text(img, text, (4 + step if i > 0 else 4, y), colour, font)
    return img


def render_frames(sequence: DataSequence, tracks: Sequence[Track], frames: Iterable[int], scale: float = 1.0,
                  thickness: int = 2) -> Iterator[np.ndarray]:
    """The drawn frames (BGR ``uint8``) of ``sequence`` at the 0-based indices ``frames``, lazily."""
    kinds = [t.kinds for t in tracks]
    last = [_last_drawn(k) for k in kinds]
    gt = np.asarray(sequence.groundtruth, dtype=np.float64)
    for i in frames:
        yield render_frame(sequence.frame(int(i)), int(i), len(sequence), gt[i] if i < len(gt) else None, tracks,
                           scale, thickness, last, kinds)


# ----------------------------------------------------------------------------------------------- writers
def _write_mp4(frames: Iterable[np.ndarray], out: Path, fps: float) -> tuple[int, tuple[int, int]]:
    count, size, writer = 0, (0, 0), None
    with atomic_target(out, suffix=".mp4") as tmp:
        try:
            for img in frames:
                if writer is None:
                    h, w = img.shape[:2]
                    size = (w + w % 2, h + h % 2)
                    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), size)
                    if not writer.isOpened():
                        raise ViewError(f"{out}: OpenCV cannot open an mp4v video writer")
                if img.shape[1] != size[0] or img.shape[0] != size[1]:
                    img = cv2.copyMakeBorder(img, 0, size[1] - img.shape[0], 0, size[0] - img.shape[1],
                                             cv2.BORDER_CONSTANT, value=(0, 0, 0))
                writer.write(img)
                count += 1
        finally:
            if writer is not None:
                writer.release()
        if count == 0:
            raise ViewError(f"{out}: no frames to write")
    return count, size


def _gif_palette(images: Sequence[Image.Image], colours: int) -> Image.Image:
    """A ``P`` image carrying one palette for the whole GIF: the drawing colours (exact) and ``colours`` minus
    those from a montage of up to four of ``images`` (median cut)."""
    fixed = list(dict.fromkeys([(0, 0, 0), GT_COLOUR, TEXT_COLOUR, FAIL_COLOUR, SKIP_COLOUR, *PALETTE]))
    fixed_rgb = [tuple(reversed(c)) for c in fixed]
    picks = [images[int(k)] for k in np.linspace(0, len(images) - 1, min(4, len(images)))]
    w, h = picks[0].size
    montage = Image.new("RGB", (w, h * len(picks)))
    for k, im in enumerate(picks):
        montage.paste(im, (0, h * k))
    own = max(2, min(256, colours) - len(fixed_rgb))
    found = montage.quantize(own, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).getpalette()[:3 * own]
    # Pillow maps pixels to a palette through a coarse colour cache: a found colour next to a drawing colour could
    # take its pixels, so found colours within 12 per channel of one are dropped (the drawing colours stay exact)
    near = np.asarray(fixed_rgb, dtype=np.int16)
    found = [c for k in range(0, len(found), 3) for c in found[k:k + 3]
             if np.abs(near - np.asarray(found[k:k + 3], dtype=np.int16)).max(axis=1).min() >= 12]
    entries = [c for rgb in fixed_rgb for c in rgb] + list(found)
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries + [0] * (768 - len(entries)))
    return palette


def _encode_gif(images: Sequence[Image.Image], palette: Image.Image, duration_ms: float) -> bytes:
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=max(20, round(duration_ms)), disposal=1)
    return buffer.getvalue()


def _write_gif(render: Callable[[float, np.ndarray], Iterable[np.ndarray]], indices: np.ndarray, out: Path,
               fps: float, scale: float, scale_fixed: bool, step: int | None, colours: int,
               max_bytes: int | None) -> tuple[int, tuple[int, int], list[str]]:
    """Encode the frames ``render(scale, indices)`` draws as a GIF within ``max_bytes`` (module docstring);
    returns the frame count, the size and notes on the step / scale chosen."""
    if not len(indices):
        raise ViewError(f"{out}: no frames to write")
    fixed_step = step is not None
    step = int(step or max(1, math.ceil(len(indices) / GIF_MAX_RENDERED)))
    notes: list[str] = []
    while True:
        images = [Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)) for img in render(scale, indices[::step])]
        palette = _gif_palette(images, colours)
        stride = 1
        data = _encode_gif(images, palette, 1000.0 * step / fps)
        while (max_bytes and len(data) > max_bytes and not fixed_step
               and math.ceil(len(images) / (2 * stride)) >= GIF_MIN_FRAMES):
            stride *= 2
            data = _encode_gif(images[::stride], palette, 1000.0 * step * stride / fps)
        if not max_bytes or len(data) <= max_bytes or scale_fixed or min(images[0].size) < 32:
            break
        scale *= 0.75
    step *= stride
    count = math.ceil(len(images) / stride)
    if max_bytes and len(data) > max_bytes:
        notes.append(f"{out}: {len(data) / 1e6:.2f} MB, over the {max_bytes / 1e6:g} MB budget (the fixed --step / "
                     "--scale leave nothing to adjust)")
    if step > 1:
        notes.append(f"{out}: every {step}th frame ({count} of {len(indices)}), each shown {step} frame times, to "
                     f"stay under {max_bytes / 1e6 if max_bytes else 0:g} MB; --step 1 --max-mb 0 for all of them")
    with atomic_target(out, suffix=".gif") as tmp:
        Path(tmp).write_bytes(data)
    return count, images[0].size, notes


def write_view(request: ViewRequest) -> ViewResult:
    """Draw the request's tracks over its sequence and write ``request.out`` (``.mp4``, ``.gif`` or ``.html``)."""
    out = Path(request.out)
    suffix = out.suffix.lower()
    if suffix not in (".mp4", ".gif", ".html"):
        raise ViewError(f"--out {out}: the output must end in .mp4, .gif or .html")
    if not request.results:
        raise ViewError("give at least one --results DIR")
    if request.labels and len(request.labels) != len(request.results):
        raise ViewError(f"{len(request.labels)} --label for {len(request.results)} --results: give one label per "
                        "result folder, or none")
    if request.scale is not None and not (request.scale > 0 and math.isfinite(request.scale)):
        raise ViewError(f"--scale {request.scale}: must be a positive number")
    if request.step is not None and request.step < 1:
        raise ViewError(f"--step {request.step}: must be at least 1")
    if not 2 <= request.colours <= 256:
        raise ViewError(f"--colours {request.colours}: a GIF palette has 2 to 256 colours")
    seq = resolve_sequence(request.sequence, request.annotations, request.name, request.image_root)
    indices = _frame_indices(request.frames, len(seq), seq.name)
    tracks: list[Track] = []
    notes: list[str] = []
    for k, folder in enumerate(request.results):
        label = request.labels[k] if request.labels else None
        track, warn = load_track(folder, seq, label, request.run, request.experiment, PALETTE[k % len(PALETTE)],
                                 request.result_name)
        tracks.append(track)
        notes += warn
    fps = float(request.fps or seq.fps or 30.0)
    scale = request.scale
    if scale is None:
        scale = min(1.0, GIF_MAX_SIDE / max(seq.size)) if suffix == ".gif" else 1.0
    step = request.step or 1
    if suffix == ".html":
        indices = indices[::step]
        write_sequence_viewer(out, seq, tracks, frames=indices, scale=scale, fps=fps / step)
        count, size = len(indices), (round(seq.size[0] * scale), round(seq.size[1] * scale))
    elif suffix == ".mp4":
        count, size = _write_mp4(render_frames(seq, tracks, indices[::step], scale), out, fps / step)
    else:
        count, size, gif_notes = _write_gif(lambda sc, idx: render_frames(seq, tracks, idx, sc), indices, out, fps,
                                            scale, request.scale is not None, request.step, request.colours,
                                            request.max_bytes)
        notes += gif_notes
    return ViewResult(out=out, frames=count, size=size, labels=tuple(t.label for t in tracks),
                      sources=tuple(t.source for t in tracks), warnings=tuple(notes))


# ----------------------------------------------------------------------------------------------- viewer page
def _hex(colour: tuple[int, int, int]) -> str:
    b, g, r = colour
    return f"#{r:02x}{g:02x}{b:02x}"


def _json_region(region: Region | None) -> list[float] | int | None:
    if region is None:
        return None
    if is_special(region):
        return int(region)
    v = np.asarray(region, dtype=np.float64).ravel()
    return [round(float(x), 2) for x in v] if np.all(np.isfinite(v)) else None


_VIEWER_SCRIPT = """
const D = JSON.parse(document.getElementById('data').textContent);
const cv = document.getElementById('view'), cx = cv.getContext('2d');
const slider = document.getElementById('pos'), label = document.getElementById('num');
const imgs = D.frames.map(src => { const im = new Image(); im.src = src; return im; });
let cur = 0, timer = null;
function poly(r) { return r.length === 4 ? [r[0], r[1], r[0] + r[2], r[1], r[0] + r[2], r[1] + r[3], r[0], r[1] + r[3]] : r; }
function stroke(r, colour, width) {
  const p = poly(r).map(v => v * D.scale);
  cx.strokeStyle = colour; cx.lineWidth = width; cx.beginPath(); cx.moveTo(p[0], p[1]);
  for (let i = 2; i < p.length; i += 2) cx.lineTo(p[i], p[i + 1]);
  cx.closePath(); cx.stroke(); return p;
}
function lastBox(t, i) { for (let j = i; j >= 0; j--) { const r = t.regions[j]; if (Array.isArray(r)) return r; } return null; }
function draw(i) {
  cur = i; slider.value = i; label.textContent = 'frame ' + D.numbers[i] + '/' + D.length;
  cx.drawImage(imgs[i], 0, 0, cv.width, cv.height);
  const gt = D.gt[i]; if (Array.isArray(gt)) stroke(gt, '#ffffff', 2);
  const legend = [['ground truth', '#ffffff', '#ffffff']];
  for (const t of D.tracks) {
    const r = t.regions[i]; let text = t.label, colour = '#ffffff', swatch = t.colour;
    if (Array.isArray(r)) stroke(r, t.colour, 2);
    else if (r === 2) { text += '  FAIL'; colour = '#d62728';
      const b = lastBox(t, i); if (b) { const p = stroke(b, '#d62728', 2); cx.fillStyle = '#d62728';
        cx.font = 'bold 12px sans-serif'; cx.fillText('FAIL', Math.min(...p.filter((_, k) => k % 2 === 0)),
        Math.max(12, Math.min(...p.filter((_, k) => k % 2 === 1)) - 3)); } }
    else if (r === 0) { text += '  skipped'; colour = swatch = '#7f7f7f'; const b = lastBox(t, i); if (b) stroke(b, '#7f7f7f', 1); }
    else if (r === 1) text += '  init';
    legend.push([text, colour, swatch]);
  }
  cx.font = '12px sans-serif'; cx.fillStyle = 'rgba(0,0,0,0.5)'; cx.fillRect(0, 0, 170, 16 * legend.length + 6);
  legend.forEach(([text, colour, swatch], k) => { cx.fillStyle = swatch; cx.fillRect(4, 8 + 16 * k, 10, 10);
    cx.fillStyle = colour; cx.fillText(text, 20, 17 + 16 * k); });
}
function play() { if (timer) { clearInterval(timer); timer = null; return; }
  timer = setInterval(() => draw((cur + 1) % imgs.length), 1000 / D.fps); }
slider.max = imgs.length - 1; slider.oninput = () => draw(+slider.value);
document.getElementById('play').onclick = play;
document.addEventListener('keydown', e => { if (e.key === 'ArrowRight') draw(Math.min(cur + 1, imgs.length - 1));
  if (e.key === 'ArrowLeft') draw(Math.max(cur - 1, 0)); if (e.key === ' ') { e.preventDefault(); play(); } });
imgs[0].onload = () => draw(0);
"""


def write_sequence_viewer(out: str | os.PathLike, sequence: DataSequence, tracks: Sequence[Track],
                          frames: Iterable[int] | None = None, max_frames: int = 60, scale: float = 1.0,
                          fps: float | None = None, quality: int = 85) -> Path:
    """Write a self-contained HTML viewer of one sequence: the frames (JPEG data URIs, ``frames`` 0-based, default
    the first ``max_frames``), the ground truth and the tracks as JSON, and a canvas script (play/pause, slider,
    arrow keys; same colours and FAIL / skipped / init marks as :func:`render_frame`). Returns ``out``.

    The page needs no other file and no network, so a report can link it as it is: write it into the report's
    folder (e.g. ``<report dir>/viewers/<sequence>.html``, with ``tracks`` from :func:`load_track`) and link the
    relative path ``viewers/<sequence>.html`` from the report's Markdown (``[bag](viewers/bag.html)``) or HTML
    (``<a href="viewers/bag.html">``); the link stays valid when the report folder is moved. Size: about one
    JPEG per frame (``quality``), so keep ``max_frames`` small for long sequences.
    """
    idx = np.arange(min(max_frames, len(sequence))) if frames is None else np.asarray(list(frames), dtype=int)
    if idx.size == 0:
        raise ViewError(f"{out}: no frames for the viewer of {sequence.name!r}")
    uris = []
    for i in idx:
        img = sequence.frame(int(i))
        if scale != 1.0:
            img = cv2.resize(img, (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale))),
                             interpolation=cv2.INTER_LINEAR)
        ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise ViewError(f"{out}: cannot encode frame {i + 1} of {sequence.name!r} as JPEG")
        uris.append("data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii"))
    height, width = sequence.frame(int(idx[0])).shape[:2]
    gt = np.asarray(sequence.groundtruth, dtype=np.float64)
    payload = {
        "name": sequence.name, "length": len(sequence), "numbers": [int(i) + 1 for i in idx], "scale": scale,
        "fps": float(fps or sequence.fps or 30.0), "frames": uris,
        "gt": [_json_region(gt[i]) if i < len(gt) else None for i in idx],
        "tracks": [{"label": t.label, "colour": _hex(t.colour), "source": str(t.source),
                    "regions": [_json_region(t.regions[i]) for i in idx]} for t in tracks],
    }
    data = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    title = html.escape(f"{sequence.name}: {', '.join(t.label for t in tracks) or 'ground truth'}")
    page = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\n"
            "<style>body{font-family:sans-serif;background:#222;color:#eee}canvas{display:block;margin:8px 0}"
            "</style></head><body>\n"
            f"<h3>{title}</h3>\n<canvas id=\"view\" width=\"{max(1, round(width * scale))}\" "
            f"height=\"{max(1, round(height * scale))}\"></canvas>\n"
            "<button id=\"play\">play / pause</button> <input id=\"pos\" type=\"range\" min=\"0\" value=\"0\"> "
            "<span id=\"num\"></span>\n"
            f"<script type=\"application/json\" id=\"data\">{data}</script>\n"
            f"<script>{_VIEWER_SCRIPT}</script>\n</body></html>\n")
    return write_text_atomic(out, page)
