"""Tracker registry: ``create_tracker(name, weights=None, device="cpu", **kw)``.

Every tracker here follows :mod:`tracker.contract` (``init(image_bgr, region)``, ``update(image_bgr)`` returning
``(box xywh float64, score)`` or another of the contract's conventions). Registered names:

* ``siamrpn`` — :class:`tracker.siamrpn.SiamRPNTracker` (imported lazily so OpenCV-only runs skip torch);
  ``weights=None`` means the default trained weights, ``"random:<seed>"`` a randomly initialised network;
  ``preset`` a name or :class:`tracker.presets.TrackConfig`, ``preset_file`` a JSON/TOML/YAML preset file
  (:mod:`tracker.preset_file`, resolved by :func:`siamrpn_preset`).
* OpenCV baselines ``csrt``, ``kcf``, ``mil`` (``cv2.Tracker<X>_create`` or ``cv2.legacy``) and ``nano``
  (``cv2.TrackerNano`` with NanoTrack v2 ONNX files: ``weights`` = their folder, default
  ``$SIAMRPN_NANOTRACK_DIR`` or ``../shared/data/weights/nanotrack_v2``; never copied into the repo).
  A polygon region is converted to the pysot/DaSiamRPN area-preserving box; the OpenCV object is rebuilt on
  every ``init`` so a re-initialisation fully resets it; when OpenCV reports a lost target the last box is
  returned with score 0.
* ``module.path:Factory`` — any importable callable (a class, or a function) returning an object with
  ``init``/``update``; its answers may follow any convention of :mod:`tracker.contract` (OpenCV ``(ok, box)``,
  got10k ``box``, pysot ``{'bbox', 'best_score'}``, ``(box, score)``). Its results are labelled by
  :func:`default_label`: the class name (``mymil:MILTracker`` -> ``MILTracker``), else the module's
  (``mymil:factory`` -> ``mymil``).

A baseline that is missing from the installed OpenCV (or whose model files are absent) raises
:class:`TrackerUnavailable` with the reason; :func:`available_trackers` lists what works.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np

from analysis.core.paths import nanotrack_dir
from analysis.core.regions import area_preserving_rect
from tracker.contract import ContractError, check_tracker

__all__ = ["TrackerUnavailable", "OpenCVTracker", "create_tracker", "available_trackers", "TRACKERS",
           "load_factory", "siamrpn_preset", "default_label"]



class TrackerUnavailable(RuntimeError):
    """The tracker cannot be built here (module, OpenCV class or model file missing)."""


class OpenCVTracker:
    """Adapter for a ``cv2.Tracker`` (integer ``Rect`` in, ``(ok, Rect)`` out)."""

    deterministic = True
    accepts_polygons = True  #: converts a polygon itself (:func:`area_preserving_rect`)

    def __init__(self, name: str, factory: Callable[[], Any]):
        self.name = name
        self._factory = factory
        self._tracker: Any = None
        self._box = np.zeros(4)

    def init(self, image: np.ndarray, region: np.ndarray) -> None:
        box = area_preserving_rect(region)  # x,y,w,h itself, or the polygon's area-preserving box
        h, w = image.shape[:2]
        x0 = int(np.clip(np.floor(box[0]), 0, w - 1))
        y0 = int(np.clip(np.floor(box[1]), 0, h - 1))
        x1 = int(np.clip(np.ceil(box[0] + box[2]), x0 + 1, w))
        y1 = int(np.clip(np.ceil(box[1] + box[3]), y0 + 1, h))
        self._tracker = self._factory()
        try:
            self._tracker.init(image, (x0, y0, x1 - x0, y1 - y0))
        except Exception as exc:  # cv2.error: OpenCV's assertion text says neither tracker nor box
            raise RuntimeError(f"{self.name}: OpenCV could not initialise on the box x,y,w,h = "
                               f"{x0},{y0},{x1 - x0},{y1 - y0} in a {w}x{h} image "
                               f"({str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__})"
                               ) from exc
        self._box = box

    def update(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        if self._tracker is None:
            raise RuntimeError(f"{self.name}: update() before init()")
        try:
            ok, rect = self._tracker.update(image)
        except Exception as exc:  # cv2.error: name the tracker and the last box
            raise RuntimeError(f"{self.name}: OpenCV failed to update from the box {self._box.round(1).tolist()} "
                               f"({str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__})"
                               ) from exc
        if ok:
            self._box = np.asarray(rect, dtype=np.float64)
            return self._box.copy(), 1.0
        return self._box.copy(), 0.0


def _cv2_factory(kind: str) -> Callable[[], Any]:

    for owner in (cv2, getattr(cv2, "legacy", None)):
        if owner is None:
            continue
        make = getattr(owner, f"Tracker{kind}_create", None) or getattr(getattr(owner, f"Tracker{kind}", None), "create", None)
        if make is not None:
            return make
    raise TrackerUnavailable(f"OpenCV {cv2.__version__} has no Tracker{kind} (install opencv-contrib-python)")


def _nano_factory(weights: str | None) -> Callable[[], Any]:

    folder = Path(weights) if weights else nanotrack_dir()
    backbone, head = folder / "nanotrack_backbone_sim.onnx", folder / "nanotrack_head_sim.onnx"
    missing = [str(p) for p in (backbone, head) if not p.is_file()]
    if missing:
        raise TrackerUnavailable(f"nano: NanoTrack model files not found: {', '.join(missing)}")
    if not hasattr(cv2, "TrackerNano_Params"):
        raise TrackerUnavailable(f"nano: OpenCV {cv2.__version__} has no TrackerNano")

    def make():
        params = cv2.TrackerNano_Params()
        params.backbone = str(backbone)
        params.neckhead = str(head)
        return cv2.TrackerNano_create(params)

    return make


def _opencv(kind: str) -> Callable[..., OpenCVTracker]:
    def build(weights: str | None = None, device: str = "cpu", **kw: Any) -> OpenCVTracker:
        factory = _nano_factory(weights) if kind == "Nano" else _cv2_factory(kind)
        return OpenCVTracker(kind.lower(), factory)

    return build


def siamrpn_preset(weights: str | None = None, preset: Any = None, preset_file: str | os.PathLike | None = None) -> Any:
    """The :class:`tracker.presets.TrackConfig` a SiamRPN tracker built with these settings tracks with.

    ``preset_file`` (:mod:`tracker.preset_file`: JSON/TOML/YAML) wins; a file that only overrides fields
    applies them to ``preset`` (a name or config), else to the preset stored with ``weights`` (read from the
    checkpoint, no model built). Without a file: ``preset`` itself, else the weights' preset. Raises
    :class:`tracker.preset_file.PresetFileError` (a ``ValueError``) naming the file and the bad key."""
    from tracker.preset_file import load_preset_file  # lazy: the tracker package is imported only for SiamRPN
    from tracker.presets import get_preset  # lazy: the tracker package is imported only for SiamRPN

    def own():
        if preset is not None:
            return get_preset(preset)
        from tracker.siamrpn import preset_for_weights  # lazy: keeps torch off commands that do not track

        return preset_for_weights(weights)

    return load_preset_file(preset_file, own) if preset_file is not None else own()


def _siamrpn(weights: str | None = None, device: str = "cpu", preset_file: str | os.PathLike | None = None,
             **kw: Any) -> Any:
    try:
        from tracker.siamrpn import SiamRPNTracker  # lazy: keeps torch off the start-up of commands that do not track
    except ImportError as exc:  # pragma: no cover - only when the tracker package is broken
        raise TrackerUnavailable(f"siamrpn: cannot import tracker.siamrpn ({exc})") from exc
    if preset_file is not None:
        kw["preset"] = siamrpn_preset(weights, kw.get("preset"), preset_file)
    return SiamRPNTracker(weights=weights, device=device, **kw)


#: name -> builder(weights, device, **kw)
TRACKERS: dict[str, Callable[..., Any]] = {
    "siamrpn": _siamrpn,
    "csrt": _opencv("CSRT"),
    "kcf": _opencv("KCF"),
    "mil": _opencv("MIL"),
    "nano": _opencv("Nano"),
}


def load_factory(spec: str) -> Callable[..., Any]:
    """``package.module:callable`` (the attribute may be dotted: ``module:Class.build``) -> the callable.

    The one loader of ``module:callable`` specs (``create_tracker`` and the TraX server's ``--factory``);
    raises :class:`TrackerUnavailable` naming the spec and what is wrong with it."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise TrackerUnavailable(f"factory must look like 'package.module:callable', got {spec!r}")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise TrackerUnavailable(f"{spec}: cannot import module {module_name} ({exc})") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise TrackerUnavailable(f"{spec}: cannot import {attr!r}: {getattr(obj, '__name__', obj)!s} has no "
                                     f"attribute {part!r}") from None
    if not callable(obj):
        raise TrackerUnavailable(f"{spec}: {attr!r} is a {type(obj).__name__}, not a callable")
    return obj


def create_tracker(name: str, weights: str | None = None, device: str = "cpu", **kw: Any) -> Any:
    """Build a tracker by registry name or ``module:Factory``; raises :class:`TrackerUnavailable` with the reason."""
    if name in TRACKERS:
        tracker = TRACKERS[name](weights=weights, device=device, **kw)
    elif ":" in name:
        factory = load_factory(name)
        kwargs = dict(kw)
        if weights is not None:
            kwargs["weights"] = weights
        tracker = factory(**kwargs)
    else:
        raise TrackerUnavailable(f"unknown tracker {name!r} (known: {', '.join(TRACKERS)}, or 'module:Factory')")
    try:
        return check_tracker(tracker, name)
    except ContractError as exc:
        raise TrackerUnavailable(str(exc)) from None


def default_label(name: str) -> str:
    """The results label of a tracker named ``name`` (no import): a registry name itself; for
    ``module.path:attr`` the last CapWords part of ``attr`` (a class: ``mymil:MILTracker`` and
    ``mymil:MILTracker.create`` -> ``MILTracker``), else the module's last part (a function:
    ``pkg.mymil:factory`` -> ``mymil``), never the factory function's name."""
    module, sep, attr = name.partition(":")
    if not sep:
        return name
    classes = [part for part in attr.split(".") if part[:1].isupper()]
    return classes[-1] if classes else (module.rsplit(".", 1)[-1] or attr)


def available_trackers(names: list[str] | None = None) -> dict[str, str | None]:
    """``{name: None}`` for trackers that build here, ``{name: reason}`` for those that do not.

    SiamRPN is checked by import only (building it loads weights)."""
    out: dict[str, str | None] = {}
    for name in names or list(TRACKERS):
        try:
            if name == "siamrpn":
                importlib.import_module("tracker.siamrpn")
            else:
                create_tracker(name)
            out[name] = None
        except Exception as exc:  # noqa: BLE001 - any failure is a reason to report
            out[name] = f"{type(exc).__name__}: {exc}"
    return out
