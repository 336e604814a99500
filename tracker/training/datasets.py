"""Training track sets: a uniform view over video datasets for pair sampling.

A *track set* holds tracks (one object in one video). ``frames(i)`` gives the annotated frame keys of track ``i``
in temporal order; ``load(i, f)`` returns ``(BGR uint8 image, box x,y,w,h in image pixels)``. Layouts:

* ``GOT10kTracks``   GOT-10k: ``root/list.txt`` (optional) + ``<seq>/00000001.jpg.., groundtruth.txt, absence.label``
* ``VIDTracks``      ILSVRC2015 VID: ``Annotations/VID/train/**/<frame>.xml`` with ``<object><trackid>`` boxes,
                     images under ``Data/VID/train/**/<frame>.JPEG``
* ``PysotTracks``    pysot ``crop511`` folder + ``train.json`` (``{video: {track: {frame: [x1,y1,x2,y2]}}}``);
                     the box is mapped into the 511 crop as pysot's ``_get_bbox`` does
* ``FolderTracks``   VOT (``groundtruth.txt`` polygons/boxes; frames in ``color/`` or the folder) and OTB
                     (``img/`` + ``groundtruth_rect*.txt``, 1-based x,y,w,h) sequence folders under a root
* ``SyntheticTracks`` rendered videos (``synthetic_videos``); ``StillTracks`` still photographs, one frame each;
  ``CutoutTracks`` (``cutouts``) public-domain object cut-outs pasted into two scenes each
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Protocol

import numpy as np

from analysis.core.boxtext import iter_box_rows
from analysis.core.frames import read_frame
from analysis.core.regions import polygon_bbox
from tracker.training.cutouts import OPENCLIPART_ROOT, CutoutTracks
from tracker.training.synthetic_videos import SyntheticVideo, load_photos


class TrackSet(Protocol):
    frame_range: int

    def __len__(self) -> int: ...
    def frames(self, i: int) -> np.ndarray: ...
    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]: ...


def parse_box_file(path: Path) -> np.ndarray:
    """Boxes (N,4) x,y,w,h from a text file of ``x,y,w,h`` or 8-value polygons (comma/tab/space separated).

    Polygons become their axis-aligned bounding box; NaN rows (absent target) stay NaN. Errors name file and line.
    """
    rows = []
    for n, v in iter_box_rows(Path(path).read_text(), path, skip_blank=True, bad_numbers="not a list of numbers: {line!r}"):
        if len(v) == 4:
            rows.append(v)
        elif len(v) >= 6 and len(v) % 2 == 0:
            rows.append(polygon_bbox(v).tolist())
        elif len(v) == 1:  # VOT special code (0 = unknown): no box
            rows.append([np.nan] * 4)
        else:
            raise ValueError(f"{path}:{n}: expected 4 values (x,y,w,h) or a polygon, got {len(v)}")
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def _valid(boxes: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.all(np.isfinite(boxes), 1) & (boxes[:, 2] > 1) & (boxes[:, 3] > 1))


class _SequenceTracks:
    """Common base: per track a list of image paths and an (N,4) box array."""

    def __init__(self, frame_range: int):
        self.frame_range = frame_range
        self.images: list[list[Path]] = []
        self.boxes: list[np.ndarray] = []
        self.valid: list[np.ndarray] = []

    def _add(self, images: list[Path], boxes: np.ndarray, where: Path) -> None:
        if len(images) < len(boxes):
            boxes = boxes[: len(images)]  # e.g. OTB Football1 / UAV truck2: use the annotated prefix
        ok = _valid(boxes)
        if ok.size:
            self.images.append(images)
            self.boxes.append(boxes)
            self.valid.append(ok)

    def __len__(self) -> int:
        return len(self.images)

    def frames(self, i: int) -> np.ndarray:
        return self.valid[i]

    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]:
        # the project's one decoder; a truncated frame is decoded with a warning (as cv2.imread did) so that
        # one damaged image of a large training set does not stop training
        return read_frame(self.images[i][f], "training frame", accept_damaged=True), self.boxes[i][f].copy()


class GOT10kTracks(_SequenceTracks):
    def __init__(self, root: str | Path, frame_range: int = 100):
        super().__init__(frame_range)
        root = Path(root)
        listing = root / "list.txt"
        names = listing.read_text().split() if listing.exists() else sorted(p.name for p in root.iterdir() if (p / "groundtruth.txt").exists())
        for name in names:
            seq = root / name
            boxes = parse_box_file(seq / "groundtruth.txt")
            absent = seq / "absence.label"
            if absent.exists():
                flags = np.array([int(t) for t in absent.read_text().split()], dtype=bool)[: len(boxes)]
                boxes[np.flatnonzero(flags)] = np.nan
            self._add(sorted(seq.glob("*.jpg")), boxes, seq)
        if not self.images:
            raise FileNotFoundError(f"{root}: no GOT-10k sequences (folders with groundtruth.txt)")


class FolderTracks(_SequenceTracks):
    """VOT and OTB sequence folders under ``root`` (or ``root`` itself being one sequence)."""

    def __init__(self, root: str | Path, frame_range: int = 100):
        super().__init__(frame_range)
        root = Path(root)
        seqs = [root] if self._is_seq(root) else sorted(p for p in root.iterdir() if p.is_dir() and self._is_seq(p))
        for seq in seqs:
            for gt in sorted(seq.glob("groundtruth*.txt")):
                if gt.name == "groundtruth_rect.txt" and (seq / "groundtruth_rect.1.txt").exists():
                    continue  # OTB Jogging: the plain file duplicates .1
                boxes = parse_box_file(gt)
                if gt.name.startswith("groundtruth_rect"):
                    boxes[:, :2] -= 1.0  # OTB boxes are 1-based
                frames_dir = next((d for d in (seq / "color", seq / "img") if d.is_dir()), seq)
                images = sorted(p for p in frames_dir.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
                self._add(images, boxes, gt)
        if not self.images:
            raise FileNotFoundError(f"{root}: no VOT/OTB sequence folders (groundtruth*.txt)")

    @staticmethod
    def _is_seq(p: Path) -> bool:
        return any(p.glob("groundtruth*.txt"))


class VIDTracks(_SequenceTracks):
    """ILSVRC VID: one track per (snippet, trackid); frame keys are positions in that track's annotated frames."""

    def __init__(self, root: str | Path, frame_range: int = 100, split: str = "train"):
        super().__init__(frame_range)
        root = Path(root)
        anno_root = root / "Annotations" / "VID" / split
        for snippet in sorted({p.parent for p in anno_root.rglob("*.xml")}):
            tracks: dict[str, tuple[list[Path], list[list[float]]]] = {}
            for xml in sorted(snippet.glob("*.xml")):
                try:
                    tree = ET.parse(xml).getroot()
                except ET.ParseError as exc:
                    raise ValueError(f"{xml}: malformed XML: {exc}") from exc
                image = root / "Data" / "VID" / split / snippet.relative_to(anno_root) / (xml.stem + ".JPEG")
                for obj in tree.iter("object"):
                    tid = obj.findtext("trackid")
                    bb = obj.find("bndbox")
                    if tid is None or bb is None:
                        raise ValueError(f"{xml}: <object> without <trackid>/<bndbox>")
                    x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
                    paths, boxes = tracks.setdefault(tid, ([], []))
                    paths.append(image)
                    boxes.append([x1, y1, x2 - x1, y2 - y1])
            for paths, boxes in tracks.values():
                self._add(paths, np.array(boxes, dtype=np.float64), snippet)
        if not self.images:
            raise FileNotFoundError(f"{anno_root}: no VID annotations (*.xml with <object>)")


class PysotTracks(_SequenceTracks):
    """pysot ``crop511`` + JSON. Boxes in the JSON are original-image x1,y1,x2,y2 (or w,h); in the 511 crop the
    target is centred with size ``(w, h) * 127 / s_z`` (``s_z`` from Eq. 15), which is what ``load`` returns."""

    def __init__(self, crop_root: str | Path, anno: str | Path, frame_range: int = 100, context: float = 0.5):
        super().__init__(frame_range)
        crop_root, anno = Path(crop_root), Path(anno)
        try:
            meta = json.loads(anno.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{anno}:{exc.lineno}: malformed JSON: {exc.msg}") from exc
        for video, tracks in meta.items():
            for track, frames in tracks.items():
                keys = sorted(k for k in frames if k.isdigit())
                boxes = []
                for k in keys:
                    b = frames[k]
                    w, h = (b[2] - b[0], b[3] - b[1]) if len(b) == 4 else (b[0], b[1])
                    s_z = np.sqrt((w + context * (w + h)) * (h + context * (w + h)))
                    sw, sh = w * 127 / s_z, h * 127 / s_z
                    boxes.append([255.5 - sw / 2, 255.5 - sh / 2, sw, sh] if w > 0 and h > 0 else [np.nan] * 4)
                paths = [crop_root / video / f"{k}.{track}.x.jpg" for k in keys]
                self._add(paths, np.array(boxes, dtype=np.float64).reshape(-1, 4), anno)
        if not self.images:
            raise FileNotFoundError(f"{anno}: no tracks")


class SyntheticTracks:
    """``num_videos`` rendered videos (one target each); videos are built lazily and cached."""

    def __init__(self, num_videos: int, num_frames: int = 120, seed: int = 0, frame_range: int = 100):
        self.n, self.num_frames, self.seed, self.frame_range = num_videos, num_frames, seed, frame_range
        self._cache: dict[int, SyntheticVideo] = {}

    def __len__(self) -> int:
        return self.n

    def frames(self, i: int) -> np.ndarray:
        return np.arange(self.num_frames)

    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]:
        if i not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[i] = SyntheticVideo(self.seed, i, self.num_frames)
        return self._cache[i].frame(int(f))


class StillTracks:
    """Still-image "tracks": ``per_image`` boxes per photograph (one frame each), drawn once from ``seed``;
    a pair is the same image cropped twice with different augmentation (like pysot's COCO/DET)."""

    frame_range = 0

    def __init__(self, images: tuple[np.ndarray, ...] | None = None, per_image: int = 50, seed: int = 0,
                 aspect: float = 2.0):
        self.images = load_photos() if images is None else images
        rng = np.random.default_rng([seed, 104729])
        self.items: list[tuple[int, np.ndarray]] = []
        for k, img in enumerate(self.images):
            h, w = img.shape[:2]
            for _ in range(per_image):
                size = np.exp(rng.uniform(np.log(0.05), np.log(0.4))) * min(w, h)
                asp = np.exp(rng.uniform(-np.log(aspect), np.log(aspect)))
                bw, bh = size * np.sqrt(asp), size / np.sqrt(asp)
                x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
                self.items.append((k, np.array([x, y, bw, bh])))

    def __len__(self) -> int:
        return len(self.items)

    def frames(self, i: int) -> np.ndarray:
        return np.zeros(1, dtype=np.int64)

    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]:
        k, box = self.items[i]
        return self.images[k], box.copy()


class SceneTracks:
    """The photographic scenes of :mod:`tracker.training.scenes` as two-frame tracks for the per-pair trainer:
    frame 0 is the template crop, frame 1 the search canvas (boxes x, y, w, h), so both trainers can be fed the
    same data (``benchmarks/train_speed.py``)."""

    frame_range = 1

    def __init__(self, generator, num_scenes: int) -> None:
        self.gen, self.n = generator, num_scenes
        self._last: tuple[int, object] | None = None

    def __len__(self) -> int:
        return self.n

    def frames(self, i: int) -> np.ndarray:
        return np.arange(2)

    def load(self, i: int, f: int) -> tuple[np.ndarray, np.ndarray]:
        if self._last is None or self._last[0] != i:
            self._last = (i, self.gen.render(i))
        scene = self._last[1]
        img, b = (scene.template, scene.template_box) if f == 0 else (scene.canvas, scene.canvas_box)
        return img, np.array([b[0] - b[2] / 2, b[1] - b[3] / 2, b[2], b[3]])


def build_trackset(source, seed: int) -> TrackSet:
    """Instantiate a ``config.DataSource``."""
    kind = source.kind
    if kind == "synthetic":
        return SyntheticTracks(source.num_videos, source.num_frames, seed, source.frame_range)
    if kind == "stills":
        return StillTracks(seed=seed, aspect=source.aspect or 2.0)
    if kind == "cutouts":

        return CutoutTracks(source.root or OPENCLIPART_ROOT, seed, stretch=source.aspect or 1.25)
    if kind == "got10k":
        return GOT10kTracks(source.root, source.frame_range)
    if kind == "vid":
        return VIDTracks(source.root, source.frame_range)
    if kind == "pysot":
        return PysotTracks(source.root, source.anno, source.frame_range)
    if kind in ("vot", "otb", "folder"):
        return FolderTracks(source.root, source.frame_range)
    raise ValueError(f"unknown data source kind {kind!r} (synthetic, stills, cutouts, got10k, vid, pysot, vot, otb)")
