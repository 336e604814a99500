"""The tracker contract: what every part of the project asks of a tracker, and the one adapter of its answers.

A tracker is any object with

* ``init(image, box)``: ``image`` a BGR ``uint8`` array (H, W, 3), ``box`` the first region as float64
  ``x, y, w, h`` (0-based); the return value is ignored. A VOT polygon becomes its area-preserving box
  (:func:`analysis.core.regions.area_preserving_rect`, the pysot rule the built-in OpenCV trackers use), as
  vot-toolkit hands rectangles to a tracker that does not announce polygons; a tracker with
  ``accepts_polygons = True`` gets the polygon ``x1, y1, ..., xn, yn`` itself (:func:`init_region_for`), one with
  ``accepts_masks = True`` a VOT2020+ :class:`~analysis.core.masks.Mask`;
* ``update(image)``: the next frame's answer, a :class:`Prediction` or one of the return conventions of the
  common toolkits, all read by :func:`as_prediction`:

  =====================================  ===========================  =========================================
  returned                               convention                   read as
  =====================================  ===========================  =========================================
  ``Prediction(box, score)``             this contract                itself
  ``(box, score)``                       this project, pysot-toolkit  ``Prediction(box, score)``
  ``(ok, box)`` with ``ok`` a bool       OpenCV ``cv2.Tracker``       ``Prediction(box, 1.0 if ok else 0.0)``
  ``box`` (4 numbers, a polygon, Mask)   got10k ``Tracker.update``    ``Prediction(box, nan)``
  ``{'bbox': box, 'best_score': s}``     pysot ``tracker.track``      ``Prediction(box, s)`` (nan without s)
  =====================================  ===========================  =========================================

OpenCV's ``(False, box)`` means "target lost": the box is kept and reported with score 0. The supervised VOT
protocols score that box like any other (its overlap with the ground truth decides a failure; a tracker's own
flag never resets it, as in the VOT toolkits), the one-pass protocols store it, and the long-term experiment
records confidence 0 (so the frame counts as "target absent" at every threshold above 0).

The :class:`Tracker` protocol, :class:`Prediction` and :func:`as_prediction` are used by the benchmark
protocols (:mod:`integration.protocols`), the TraX server, the got10k adapter and the tracker registry
(:mod:`integration.registry`); ``docs/extending.md`` ("Adding a tracker") shows a tracker written to it.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Union, runtime_checkable

import numpy as np

from analysis.core.masks import Mask
from analysis.core.regions import area_preserving_rect

__all__ = ["Prediction", "Tracker", "TrackerOutput", "ContractError", "as_prediction", "check_tracker",
           "init_region_for", "CONTRACT"]

#: one line naming the accepted answers, quoted by every contract error
CONTRACT = ("the tracker contract (tracker/contract.py) expects update(image) to return Prediction(box, score), "
            "(box, score), OpenCV's (ok, box), a box of 4 numbers (got10k) or pysot's "
            "{'bbox': box, 'best_score': score}, where box is x,y,w,h, a polygon x1,y1,...,xn,yn or a Mask")


class ContractError(TypeError, ValueError):
    """A tracker does not follow the contract (message: the tracker's class, what it returned, the contract);
    a ``ValueError`` too, as the region checks it replaces raised."""


@dataclass(frozen=True, eq=False)  # eq on an array field would be ambiguous: compare .box / .score
class Prediction:
    """One frame's answer: ``box`` (float64 ``x, y, w, h``, a polygon's ``x1, y1, ...``, or a
    :class:`~analysis.core.masks.Mask`) and ``score`` (the tracker's confidence; NaN when it gives none)."""

    box: np.ndarray | Mask
    score: float = math.nan


#: what ``update`` may return (see the module docstring's table)
TrackerOutput = Union[Prediction, tuple, list, np.ndarray, Mask, Mapping]


@runtime_checkable
class Tracker(Protocol):
    """What the protocols, the TraX server and the got10k adapter need from a tracker."""

    def init(self, image: np.ndarray, box: np.ndarray) -> Any: ...

    def update(self, image: np.ndarray) -> TrackerOutput: ...


def _who(source: Any) -> str:
    if source is None:
        return "tracker"
    if isinstance(source, str):
        return source
    return f"{type(source).__module__}.{type(source).__qualname__}"


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 120 else text[:117] + '...'}"


def _region(box: Any, output: Any, source: Any) -> np.ndarray | Mask:
    if isinstance(box, Mask):
        return box
    try:
        region = np.asarray(box, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ContractError(f"{_who(source)}.update returned {_describe(output)}: {CONTRACT}") from None
    if region.size != 4 and (region.size < 6 or region.size % 2):
        raise ContractError(f"{_who(source)}.update returned a region with {region.size} values (expected 4 or an "
                            f"even number >= 6) in {_describe(output)}: {CONTRACT}")
    return region


def _score(value: Any, output: Any, source: Any) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ContractError(f"{_who(source)}.update returned the score {_describe(value)} in "
                            f"{_describe(output)}: {CONTRACT}") from None


def _is_flag(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_scalar(value: Any) -> bool:
    return value is None or (not isinstance(value, Mask) and np.ndim(value) == 0)


def as_prediction(output: Any, source: Any = None) -> Prediction:
    """Any accepted answer of ``update`` (module docstring) -> :class:`Prediction`.

    ``source`` (the tracker, or a name) names it in the error. Raises :class:`ContractError` (a ``TypeError``)
    naming the tracker's class, what it returned and the contract when the answer fits no convention."""
    if isinstance(output, Prediction):
        return output
    if isinstance(output, Mask):
        return Prediction(output)
    if isinstance(output, Mapping):
        if "bbox" not in output:
            raise ContractError(f"{_who(source)}.update returned a mapping without 'bbox' "
                                f"({_describe(output)}): {CONTRACT}")
        return Prediction(_region(output["bbox"], output, source),
                          _score(output.get("best_score", output.get("score")), output, source))
    if isinstance(output, (tuple, list)) and len(output) == 2:
        first, second = output
        if _is_flag(first) and not _is_scalar(second):  # OpenCV: (ok, box)
            return Prediction(_region(second, output, source), 1.0 if first else 0.0)
        if not _is_scalar(first) and _is_scalar(second):  # (box, score)
            return Prediction(_region(first, output, source), _score(second, output, source))
        raise ContractError(f"{_who(source)}.update returned {_describe(output)}: {CONTRACT}")
    if output is None or isinstance(output, (str, bytes)):
        raise ContractError(f"{_who(source)}.update returned {_describe(output)}: {CONTRACT}")
    return Prediction(_region(output, output, source))


def init_region_for(tracker: Any, region: Any) -> Any:
    """What ``tracker.init`` receives for the first region ``region``: a polygon (more than 4 values) becomes
    its area-preserving ``x, y, w, h`` box unless the tracker declares ``accepts_polygons = True``; boxes and
    masks are passed as they are."""
    if isinstance(region, Mask) or getattr(tracker, "accepts_polygons", False):
        return region
    values = np.asarray(region, dtype=np.float64).ravel()
    return area_preserving_rect(values) if values.size > 4 else region


def check_tracker(obj: Any, name: str) -> Any:
    """``obj`` itself when it has callable ``init`` and ``update``; else :class:`ContractError` naming ``name``,
    the object's class and the contract."""
    missing = [m for m in ("init", "update") if not callable(getattr(obj, m, None))]
    if missing:
        raise ContractError(f"{name}: built object {type(obj).__name__} has no init/update ({' and '.join(missing)} "
                            "missing): the tracker contract (tracker/contract.py) needs init(image, box) and "
                            "update(image) -> Prediction(box, score)")
    return obj
