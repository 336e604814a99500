"""Run project trackers inside the got10k toolkit (0.1.3), offline.

* :class:`Got10kTracker` adapts any tracker of :mod:`tracker.contract` (``init(image_bgr, region)``,
  ``update(image_bgr)`` in any of its conventions) to ``got10k.trackers.Tracker``: got10k hands over PIL images (converted to RGB by
  ``Tracker.track``) and ``x, y, w, h`` boxes taken verbatim from the annotation file (OTB: 1-based numbers,
  GOT-10k: 0-based), and records whatever ``update`` returns. The adapter converts RGB -> BGR and passes
  boxes through unchanged, so result files stay in the annotation's own coordinate frame (as G10 and
  pysot-toolkit do).
* :func:`otb_dataset` builds ``got10k.datasets.OTB(root, version, download=False)`` (the stock
  ``ExperimentOTB`` constructor would try to download all 100 sequences), or :class:`LocalOTB` for folders
  whose names are not OTB sequence names; :class:`OfflineExperimentOTB` runs and reports on it.
* :func:`got10k_experiment` is the stock ``ExperimentGOT10k(subset='val')``, which is offline already when
  ``val/list.txt``, frames, ``groundtruth.txt``, ``meta_info.ini`` (``resolution``) and the ``absence``,
  ``cover``, ``cut_by_image`` ``.label`` files exist: :func:`write_got10k_layout` writes them.
* :func:`write_otb_layout` / :func:`write_got10k_layout` convert any :class:`SequenceAnnotation` (e.g. the
  VOT ``bag`` sequence) to those layouts; polygons become their axis-aligned bounding boxes.
"""
from __future__ import annotations

import contextlib
import glob
import io
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from analysis.core.atomic import write_text_atomic
from analysis.core.frames import read_frame
from analysis.core.regions import polygon_bbox
from analysis.io.annotation import SequenceAnnotation
from analysis.io.trajectories import format_region
from tracker.contract import Tracker, as_prediction

try:  # optional dependency group `toolkits`
    from got10k.datasets import OTB
    from got10k.experiments import ExperimentGOT10k, ExperimentOTB
    from got10k.trackers import Tracker as _Got10kBase
except ImportError as _exc:  # pragma: no cover - exercised only without the toolkit
    _IMPORT_ERROR: ImportError | None = _exc
    OTB = ExperimentOTB = ExperimentGOT10k = None  # type: ignore[assignment,misc]
    _Got10kBase = object  # type: ignore[assignment,misc]
else:
    _IMPORT_ERROR = None


def _require() -> None:
    if _IMPORT_ERROR is not None:
        raise ImportError("the got10k toolkit is not installed; pip install '.[toolkits]' (got10k==0.1.3)") from _IMPORT_ERROR


class Got10kTracker(_Got10kBase):  # type: ignore[misc,valid-type]
    """``got10k.trackers.Tracker`` around a project tracker; ``name`` names the results folder."""

    def __init__(self, tracker: Tracker, name: str, is_deterministic: bool = True) -> None:
        _require()
        super().__init__(name=name, is_deterministic=is_deterministic)
        self.tracker = tracker

    @staticmethod
    def to_bgr(image: Any) -> np.ndarray:
        """PIL image (RGB, or any mode) -> contiguous BGR ``uint8`` array."""
        if getattr(image, "mode", "RGB") != "RGB":
            image = image.convert("RGB")
        return np.ascontiguousarray(np.asarray(image, dtype=np.uint8)[:, :, ::-1])

    def init(self, image: Any, box: np.ndarray) -> None:
        self.tracker.init(self.to_bgr(image), np.asarray(box, dtype=np.float64))

    def update(self, image: Any) -> np.ndarray:
        box = as_prediction(self.tracker.update(self.to_bgr(image)), self.tracker).box
        return box if box.size == 4 else polygon_bbox(box)  # got10k stores x,y,w,h


# --------------------------------------------------------------------------------------------------- OTB
class LocalOTB(OTB if OTB is not None else object):  # type: ignore[misc]
    """``got10k.datasets.OTB`` over every ``<root>/<Name>/{img/*.jpg, groundtruth_rect*.txt}`` folder.

    The stock class only lists the official OTB sequence names; this one accepts any name (converted or
    generated sequences). Frame access, delimiters and the multi-target renaming are the stock code.
    """

    def __init__(self, root_dir: str | os.PathLike, version: int | str = 2015) -> None:  # noqa: D107
        _require()
        root = str(root_dir)
        if not os.path.isdir(root):
            raise FileNotFoundError(f"{root}: OTB folder does not exist")
        self.root_dir = root
        self.version = version
        files = sorted(glob.glob(os.path.join(root, "*", "groundtruth*.txt")))
        self.anno_files = self._filter_files([f for f in files if os.path.isdir(os.path.join(os.path.dirname(f), "img"))])
        if not self.anno_files:
            raise FileNotFoundError(f"{root}: no <Name>/img + groundtruth_rect.txt sequence folders")
        self.seq_dirs = [os.path.dirname(f) for f in self.anno_files]
        self.seq_names = self._rename_seqs([os.path.basename(d) for d in self.seq_dirs])


def otb_dataset(root: str | os.PathLike, version: int | str = 2015) -> Any:
    """Stock ``OTB(root, version, download=False)`` when every folder is an official sequence, else :class:`LocalOTB`."""
    _require()
    root = str(root)
    present = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))) if os.path.isdir(root) else []
    if not present:
        raise FileNotFoundError(f"{root}: OTB folder is missing or empty")
    official = set(OTB._OTB__version_dict[version])  # the stock class's own sequence list
    if set(present) <= official:

        with contextlib.redirect_stdout(io.StringIO()):  # silence one "sequence X not exists" per absent name
            return OTB(root, version, download=False)
    return LocalOTB(root, version)


class OfflineExperimentOTB(ExperimentOTB if ExperimentOTB is not None else object):  # type: ignore[misc]
    """``ExperimentOTB`` on an attached dataset object: no download, same run/report code (0.1.3)."""

    def __init__(self, dataset: Any, version: int | str = 2015, result_dir: str | os.PathLike = "results",
                 report_dir: str | os.PathLike = "reports") -> None:  # noqa: D107
        _require()
        # the attributes ExperimentOTB.__init__ sets in got10k 0.1.3, without its OTB(download=True)
        self.dataset = dataset
        self.result_dir = os.path.join(str(result_dir), "OTB" + str(version))
        self.report_dir = os.path.join(str(report_dir), "OTB" + str(version))
        self.nbins_iou = 21
        self.nbins_ce = 51


def got10k_experiment(root: str | os.PathLike, result_dir: str | os.PathLike = "results",
                      report_dir: str | os.PathLike = "reports", subset: str = "val") -> Any:
    """Stock ``ExperimentGOT10k`` (offline on a local ``<root>/<subset>`` folder with ``list.txt``)."""
    _require()
    if not os.path.isfile(os.path.join(str(root), subset, "list.txt")):
        raise FileNotFoundError(f"{os.path.join(str(root), subset, 'list.txt')}: GOT-10k list file not found")
    return ExperimentGOT10k(str(root), subset=subset, result_dir=str(result_dir), report_dir=str(report_dir))


# --------------------------------------------------------------------------------------------------- layouts
def _place_jpg(src: Path, dst: Path) -> None:
    """Hard link (copy across file systems) a JPEG; re-encode other formats (got10k globs ``*.jpg``)."""
    if dst.exists():
        dst.unlink()
    if src.suffix.lower() in (".jpg", ".jpeg"):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return

    img = read_frame(src)  # FrameReadError (an OSError) naming the file
    cv2.imwrite(str(dst), img, [cv2.IMWRITE_JPEG_QUALITY, 95])


def _rows(boxes: np.ndarray) -> str:
    return "".join(format_region(row) + "\n" for row in boxes)


def write_otb_layout(seq: SequenceAnnotation, root: str | os.PathLike) -> Path:
    """``<root>/<name>/img/0001.jpg ...`` + ``groundtruth_rect.txt`` (coordinates unchanged)."""
    folder = Path(root) / seq.name
    (folder / "img").mkdir(parents=True, exist_ok=True)
    for i, src in enumerate(seq.frames, start=1):
        _place_jpg(Path(src), folder / "img" / f"{i:04d}.jpg")
    write_text_atomic(folder / "groundtruth_rect.txt", _rows(polygon_bbox(seq.groundtruth)))
    return folder


def write_got10k_layout(sequences: Iterable[SequenceAnnotation], root: str | os.PathLike, subset: str = "val") -> Path:
    """GOT-10k ``<root>/<subset>/list.txt`` and per sequence frames, ``groundtruth.txt``, ``meta_info.ini``
    (``resolution: (W, H)``), ``absence.label`` (0), ``cover.label`` (8 = fully visible) and
    ``cut_by_image.label`` (1 where the box leaves the image)."""
    base = Path(root) / subset
    names = []
    for seq in sequences:
        folder = base / seq.name
        folder.mkdir(parents=True, exist_ok=True)
        for i, src in enumerate(seq.frames, start=1):
            _place_jpg(Path(src), folder / f"{i:08d}.jpg")
        boxes = polygon_bbox(seq.groundtruth)
        n = len(boxes)
        cut = (boxes[:, 0] < 0) | (boxes[:, 1] < 0) | (boxes[:, 0] + boxes[:, 2] > seq.width) | (boxes[:, 1] + boxes[:, 3] > seq.height)
        write_text_atomic(folder / "groundtruth.txt", _rows(boxes))
        write_text_atomic(folder / "absence.label", "0\n" * n)
        write_text_atomic(folder / "cover.label", "8\n" * n)
        write_text_atomic(folder / "cut_by_image.label", "".join(f"{int(c)}\n" for c in cut))
        write_text_atomic(folder / "meta_info.ini", f"[METAINFO]\nurl: {seq.source or 'local'}\nobject_class: unknown\n"
                      f"motion_class: unknown\nresolution: ({seq.width}, {seq.height})\n")
        names.append(seq.name)
    write_text_atomic(base / "list.txt", "\n".join(names) + "\n")
    return Path(root)


# --------------------------------------------------------------------------------------------------- runs
def run_otb(tracker: Got10kTracker, root: str | os.PathLike, result_dir: str | os.PathLike,
            report_dir: str | os.PathLike, version: int | str = 2015) -> dict:
    """Run and report an OTB experiment offline; returns got10k's ``performance`` dict."""
    exp = OfflineExperimentOTB(otb_dataset(root, version), version, result_dir, report_dir)
    exp.run(tracker)
    return exp.report([tracker.name])


def run_got10k(tracker: Got10kTracker, root: str | os.PathLike, result_dir: str | os.PathLike,
               report_dir: str | os.PathLike) -> dict:
    """Run and report a GOT-10k ``val`` experiment offline; returns got10k's ``performance`` dict."""
    exp = got10k_experiment(root, result_dir, report_dir)
    exp.run(tracker)
    return exp.report([tracker.name])


def adapt(factory: Callable[[], Any], name: str, is_deterministic: bool = True) -> Got10kTracker:
    """``Got10kTracker(factory(), name)``: e.g. ``adapt(lambda: create_tracker('siamrpn'), 'SiamRPN')``."""
    return Got10kTracker(factory(), name, is_deterministic)
