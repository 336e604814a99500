"""TraX server: serve any project tracker to the vot-toolkit (``protocol = traxpython``).

Run as ``python -m integration.cli.trax --tracker siamrpn [--weights PATH] [--device cpu]``, or with a
factory ``--factory package.module:callable`` (any zero-argument callable returning a tracker of
:mod:`tracker.contract`: ``init(image_bgr, region)`` and ``update(image_bgr)`` in any of its conventions).

vot-toolkit 0.7.4 runs a ``traxpython`` command only when it is a bare module name, so ``trackers.ini``
cannot pass arguments: every option also reads an environment variable (set with ``env_<NAME>`` keys in
``trackers.ini``); the command line wins over the environment:

=========================  ==============================  ===========================================
option                     environment                     meaning
=========================  ==============================  ===========================================
``--tracker``              ``SIAMRPN_TRAX_TRACKER``        name for ``integration.registry.create_tracker``
``--factory``              ``SIAMRPN_TRAX_FACTORY``        ``module:callable`` (overrides ``--tracker``)
``--weights``              ``SIAMRPN_TRAX_WEIGHTS``,       weights path or ``random:<seed>``; relative
                           then ``SIAMRPN_WEIGHTS``        paths are taken from the project root
``--device``               ``SIAMRPN_TRAX_DEVICE``         torch device string (default ``cpu``)
``--init``                 ``SIAMRPN_TRAX_INIT``           ``raw`` (default): polygons reach the tracker
                                                           as polygons (SiamRPN makes its own
                                                           area-preserving box, §5.4); ``box``: the
                                                           server converts to the area-preserving box
=========================  ==============================  ===========================================

Behaviour required by the toolkit (``docs/toolkits.md``): the tracker (and its model) is built **before** the
TraX handshake, so model loading is never charged to the first frame; polygon, rectangle and mask regions are
accepted (polygon preferred). A mask (VOT2020+ ground truth) reaches a tracker that declares
``accepts_masks = True`` as a :class:`~analysis.core.masks.Mask`, any other tracker (SiamRPN) gets its inclusive
bounding box, the box libtrax's ``region_convert`` would give (:func:`analysis.core.masks.mask_box`); a tracker
may answer a ``Mask``, which is sent back as a TraX mask; ``initialize`` may come any number of times and re-initialises in-process
(no restart); ``quit`` or a closed pipe ends the process with status 0. Any other failure (unreadable frame,
unusable region, tracker exception) prints one ``trax_server: ...`` line to stderr — the vot-toolkit merges
the tracker's stderr into its log and writes it to ``logs/`` — then sends TraX ``quit`` with the same text
(the toolkit shows it as "Server terminated the session: ...") and exits with status 1.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.core.frames import FrameReadError
from analysis.core.frames import read_frame as decode_frame
from analysis.core.masks import Mask, init_region, mask_box
from analysis.core.paths import env, in_repo
from analysis.core.regions import area_preserving_rect, polygon_bbox
from integration.registry import create_tracker, load_factory
from tracker.contract import Tracker, as_prediction

#: exit status when the session ended because of an error (0 = quit / closed connection).
EXIT_ERROR = 1
#: exit status when the tracker could not be built (before any handshake).
EXIT_SETUP = 2


class ServerError(RuntimeError):
    """A failure reported to the client (TraX ``quit`` reason) and to stderr."""


@dataclass(frozen=True)
class ServerSettings:
    """Resolved server options (see the module docstring for the environment variables)."""

    tracker: str = "siamrpn"
    factory: str | None = None
    weights: str | None = None
    device: str = "cpu"
    init: str = "raw"  #: ``raw`` or ``box``


def log(message: str) -> None:
    """One diagnostic line on stderr (the vot-toolkit merges it into the tracker log)."""
    print(f"trax_server: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------- regions
def validate_region(values: np.ndarray) -> np.ndarray:
    """Check a region sent by the client: ``x,y,w,h`` with ``w, h > 0`` or a polygon of >= 3 points."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 4:
        if not np.all(np.isfinite(values)) or values[2] <= 0 or values[3] <= 0:
            raise ServerError(f"cannot use the initial rectangle {values.tolist()}: needs finite x,y,w,h with w,h > 0")
        return values
    if values.size >= 6 and values.size % 2 == 0:
        if not np.all(np.isfinite(values)):
            raise ServerError(f"cannot use the initial polygon {values.tolist()}: non-finite coordinate")
        pts = values.reshape(-1, 2)
        if np.ptp(pts[:, 0]) <= 0 or np.ptp(pts[:, 1]) <= 0:
            raise ServerError(f"cannot use the initial polygon {values.tolist()}: it has zero width or height")
        return values
    raise ServerError(f"cannot use the initial region {values.tolist()}: expected 4 values or a polygon of >= 3 points")


def trax_region_values(region: Any) -> np.ndarray | Mask:
    """Flat float64 values of a ``trax.Region``: ``x,y,w,h`` for rectangles, ``x1,y1,...`` for polygons; a
    :class:`~analysis.core.masks.Mask` (cut to its set pixels, as vot-toolkit reads masks) for masks."""
    from trax import Region  # lazy: vot-trax is an optional extra (toolkits)

    if region.type == Region.RECTANGLE:
        return np.asarray(region.bounds(), dtype=np.float64)
    if region.type == Region.POLYGON:
        return np.asarray([c for point in region for c in point], dtype=np.float64)
    if region.type == Region.MASK:
        return Mask(region.array(), region.offset()).optimized()
    raise ServerError(f"unsupported region type {region.type!r} (this server accepts polygon, rectangle and mask)")


def validate_mask(mask: Mask) -> Mask:
    """An initial mask must set at least one pixel."""
    if mask.area() == 0:
        raise ServerError("cannot use the initial mask: it sets no pixel (the target is not visible)")
    return mask


def trax_reply(answer: Any) -> Any:
    """The TraX region of a tracker's answer: a mask for a :class:`Mask` (an empty one as a 1x1 unset block at
    ``(0, 0)``, which the toolkit reads as the empty mask), else the rectangle of its first 4 values."""
    import trax  # lazy: vot-trax is an optional extra (toolkits)

    if isinstance(answer, Mask):
        m = answer.optimized()
        if m.area() == 0:
            return trax.Mask.create(np.zeros((1, 1), np.uint8), 0, 0)
        return trax.Mask.create(np.ascontiguousarray(m.pixels, dtype=np.uint8), *m.offset)
    return trax.Rectangle.create(*[float(v) for v in answer])


# --------------------------------------------------------------------------------------------------- frames
def read_frame(path: str) -> np.ndarray:
    """Load a frame with the project's one decoder (:func:`analysis.core.frames.read_frame`: BGR uint8, grey /
    16-bit / alpha frames as in the runner, damaged JPEG/PNG refused), or raise :class:`ServerError` naming
    the file."""

    if path.startswith("file://"):
        path = path[len("file://"):]
    if not os.path.isfile(path):
        raise ServerError(f"frame file does not exist: {path}")
    try:
        return decode_frame(path)
    except FrameReadError as exc:
        why = str(exc).removeprefix(f"{path}: ")
        raise ServerError(f"cannot decode frame (unreadable or corrupt image): {path} [{why}]") from None


# --------------------------------------------------------------------------------------------------- factory
def resolve_settings(args: argparse.Namespace | None = None, environ: dict[str, str] | None = None) -> ServerSettings:
    """Merge command-line options over the ``SIAMRPN_TRAX_*`` environment variables."""
    def pick(cli: str | None, *names: str, default: str | None = None) -> str | None:
        if cli:
            return cli
        return next((v for v in (env(n, environ) for n in names) if v), default)

    a = args if args is not None else argparse.Namespace()
    init = pick(getattr(a, "init", None), "SIAMRPN_TRAX_INIT", default="raw")
    if init not in ("raw", "box"):
        raise ServerError(f"--init / SIAMRPN_TRAX_INIT must be 'raw' or 'box', got {init!r}")
    return ServerSettings(
        tracker=pick(getattr(a, "tracker", None), "SIAMRPN_TRAX_TRACKER", default="siamrpn"),
        factory=pick(getattr(a, "factory", None), "SIAMRPN_TRAX_FACTORY"),
        weights=pick(getattr(a, "weights", None), "SIAMRPN_TRAX_WEIGHTS", "SIAMRPN_WEIGHTS"),
        device=pick(getattr(a, "device", None), "SIAMRPN_TRAX_DEVICE", default="cpu"),
        init=init,
    )


def resolve_weights(weights: str | None) -> str | None:
    """Relative weight paths are taken from the project root (the toolkit runs trackers in a temp dir)."""
    if not weights or weights.startswith("random:") or os.path.isabs(weights):
        return weights
    return str(in_repo(weights))


def tracker_factory(settings: ServerSettings) -> Callable[[], Tracker]:
    """Zero-argument callable that builds the configured tracker."""
    if settings.factory:
        return load_factory(settings.factory)

    def build() -> Tracker:
        weights = resolve_weights(settings.weights)
        return create_tracker(settings.tracker, weights=weights, device=settings.device)

    return build


# --------------------------------------------------------------------------------------------------- server
def serve(factory: Callable[[], Tracker], init_mode: str = "raw", name: str = "siamrpn-bench") -> int:
    """Build the tracker, then answer TraX requests on stdin/stdout until ``quit``; returns the exit status."""
    try:
        tracker = factory()  # model loaded BEFORE the handshake
    except Exception as exc:  # noqa: BLE001 - any failure must reach the toolkit log
        log(f"could not build the tracker: {type(exc).__name__}: {exc}")
        traceback.print_exc(file=sys.stderr)
        return EXIT_SETUP

    import trax  # lazy: vot-trax is an optional extra (toolkits)
    from trax import Image, Region, TraxStatus  # lazy: vot-trax is an optional extra (toolkits)

    try:
        server = trax.Server([Region.POLYGON, Region.RECTANGLE, Region.MASK], [Image.PATH], ["color"], tracker_name=name,
                             tracker_family="siamrpn-bench")
    except trax.TraxException as exc:
        log(f"TraX handshake failed (is this process run by a TraX client?): {exc}")
        return EXIT_SETUP

    initialized = False
    frame_index = 0
    while True:
        try:
            request = server.wait()
        except trax.TraxException as exc:
            log(f"connection to the client closed ({exc}); exiting")
            return 0
        if request.type == TraxStatus.QUIT:
            return 0
        try:
            if "color" not in request.image:
                raise ServerError("request carries no 'color' image channel")
            path = str(request.image["color"].path())
            if request.type == TraxStatus.INITIALIZE:
                if not request.objects:
                    raise ServerError("initialize request carries no object region")
                values = trax_region_values(request.objects[0][0])
                frame_index = 0
                image = read_frame(path)
                if isinstance(values, Mask):  # VOT2020+: the mask itself, or its inclusive box
                    region = validate_mask(values)
                    given = init_region(region, bool(getattr(tracker, "accepts_masks", False)))
                    reply = mask_box(region)
                else:
                    region = validate_region(values)
                    # --init box: the pysot area-preserving box behind the published SiamRPN/DaSiamRPN VOT numbers
                    given = area_preserving_rect(region) if (init_mode == "box" and region.size > 4) else region
                    reply = polygon_bbox(region)  # the echo after initialize: the bounding box
                tracker.init(image, given)
                initialized = True
                props: dict[str, str] = {}
            else:
                if not initialized:
                    raise ServerError("frame request before any initialize request")
                frame_index += 1
                image = read_frame(path)
                answer = as_prediction(tracker.update(image), tracker)  # any tracker.contract convention
                box, score = answer.box, answer.score
                if isinstance(box, Mask):
                    reply = box
                else:
                    reply = np.asarray(box, dtype=np.float64).ravel()[:4]
                    if reply.size != 4 or not np.all(np.isfinite(reply)):
                        log(f"tracker returned an unusable box {np.asarray(box).tolist()} at frame {path}; "
                            "reporting 0,0,0,0")
                        reply = np.zeros(4)
                props = {"confidence": f"{float(score):.6f}"} if score is not None and np.isfinite(score) else {}
        except Exception as exc:  # noqa: BLE001 - report every failure to both logs, then quit
            what = exc if isinstance(exc, ServerError) else f"tracker failed: {type(exc).__name__}: {exc}"
            where = f" (frame {frame_index} since the last initialize)" if request.type == TraxStatus.FRAME else ""
            message = f"{what}{where}"
            log(message)
            if not isinstance(exc, ServerError):
                traceback.print_exc(file=sys.stderr)
            try:
                server.quit(reason=message)
            except trax.TraxException:
                pass
            return EXIT_ERROR
        try:
            server.status([(trax_reply(reply), props)])
        except trax.TraxException as exc:
            log(f"connection to the client closed while replying ({exc}); exiting")
            return 0
