"""Real photographs for training, from Debian packages whose licences allow redistribution and modification.

One table, :data:`PHOTO_SOURCES`, names each package, what it gives (``targets``: photographs of objects with an
alpha channel; ``backgrounds``: large photographs), where its files are and its licence (the package's
``/usr/share/doc/<package>/copyright``). Files are found through dpkg's own list of the package's files
(``/var/lib/dpkg/info/<package>.list``), so nothing is guessed from folder names and nothing is copied into the
repository. A missing package is an error that prints the ``apt-get install`` line.

Filters (measured, not by name):

* targets: Tux Paint stamps outside ``cartoon/`` and ``symbols/`` with an alpha channel, at least
  :data:`MIN_TARGET_SIDE` px, and *photographic*: at most :data:`MAX_FLAT_FRACTION` of the object's inner pixels
  have a Sobel gradient below 2 grey levels (drawings are mostly flat colour; photographs almost never are);
* backgrounds: wallpapers of at least 640 px, photographic by the same measure on a 512 px thumbnail (abstract
  gradients and flat art are mostly flat), one file per wallpaper (Plasma ships several resolutions of each).

The index of what passed is cached in a JSON file keyed by each file's size and mtime.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.core.atomic import write_text_atomic

__all__ = ["PhotoSource", "PHOTO_SOURCES", "MissingPackageError", "PhotoIndex", "package_files", "flat_fraction",
           "build_photo_index", "load_cutout", "load_background"]

#: minimum side (px) of a target cut-out's opaque extent
MIN_TARGET_SIDE = 40
#: above this fraction of flat inner pixels an image counts as a drawing
MAX_FLAT_FRACTION = 0.12
#: background photographs: minimum side and flatness limit (wallpapers have sky and smooth bokeh: a looser limit)
MIN_BACKGROUND_SIDE = 640
MAX_BACKGROUND_FLAT = 0.55
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True)
class PhotoSource:
    """A Debian package of photographs: ``kind`` ``targets`` or ``backgrounds``; ``exclude`` path parts skipped."""

    package: str
    kind: str
    licence: str
    prefix: str = "/usr/share"
    exclude: tuple[str, ...] = ()


#: every package the training data may come from, with its licence (all allow redistribution and modification)
PHOTO_SOURCES: tuple[PhotoSource, ...] = (
    PhotoSource("tuxpaint-stamps-default", "targets", "GPL-2", "/usr/share/tuxpaint/stamps",
                exclude=("cartoon", "symbols")),
    PhotoSource("mate-backgrounds", "backgrounds", "GPL-2+ (two files CC-BY-SA-4.0)", "/usr/share/backgrounds"),
    PhotoSource("plasma-workspace-wallpapers", "backgrounds", "GPL-2+ (KDE Visual Design Group)",
                "/usr/share/wallpapers", exclude=("screenshot",)),
    PhotoSource("lomiri-wallpapers-16.04", "backgrounds", "CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 per file "
                "(copyright of lomiri-wallpapers)", "/usr/share/backgrounds"),
    PhotoSource("lomiri-wallpapers-20.04", "backgrounds", "CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 per file "
                "(copyright of lomiri-wallpapers)", "/usr/share/backgrounds"),
    PhotoSource("ukui-wallpapers", "backgrounds", "CC-BY-SA-3.0", "/usr/share/backgrounds"),
    PhotoSource("desktop-base", "backgrounds", "GPL-2+ / GPL-2 / CC-BY-SA-3.0 per theme", "/usr/share/desktop-base"),
)

DPKG_INFO = Path("/var/lib/dpkg/info")


class MissingPackageError(FileNotFoundError):
    """A package of :data:`PHOTO_SOURCES` is not installed; the message holds the ``apt-get install`` line."""


def package_files(package: str, prefix: str = "/usr/share", dpkg_info: Path = DPKG_INFO) -> list[Path]:
    """Image files an installed Debian package owns under ``prefix`` (dpkg's file list), sorted."""
    lists = [dpkg_info / f"{package}.list", *sorted(dpkg_info.glob(f"{package}:*.list"))]
    found = [p for p in lists if p.is_file()]
    if not found:
        raise MissingPackageError(f"Debian package {package!r} is not installed (training photographs): "
                                  f"apt-get install {package}")
    out = set()
    for lst in found:
        for line in lst.read_text().splitlines():
            if line.startswith(prefix) and line.lower().endswith(IMAGE_SUFFIXES):
                p = Path(line)
                if p.is_file():
                    out.add(p)
    return sorted(out)


def flat_fraction(bgr: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Fraction of (masked) pixels whose Sobel gradient magnitude is below 2 grey levels (0 = all textured)."""
    g = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    mag = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    sel = mag[mask] if mask is not None else mag.ravel()
    return float((sel < 2.0).mean()) if sel.size else 1.0


def _target_ok(path: Path) -> dict | None:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)  # not read_frame: the alpha channel is needed
    if img is None or img.ndim != 3 or img.shape[2] != 4:
        return None
    opaque = img[:, :, 3] > 128
    ys, xs = np.nonzero(opaque)
    if ys.size < 400:
        return None
    h, w = int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)
    if min(h, w) < MIN_TARGET_SIDE:
        return None
    inner = cv2.erode(opaque.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if inner.sum() < 200:
        return None
    flat = flat_fraction(img[:, :, :3], inner)
    return {"w": w, "h": h, "flat": round(flat, 4)} if flat <= MAX_FLAT_FRACTION else None


def _background_ok(path: Path) -> dict | None:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None or min(img.shape[:2]) < MIN_BACKGROUND_SIDE:
        return None
    s = 512 / max(img.shape[:2])
    thumb = cv2.resize(img, (int(img.shape[1] * s), int(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    flat = flat_fraction(thumb)
    return {"w": int(img.shape[1]), "h": int(img.shape[0]), "flat": round(flat, 4)} if flat <= MAX_BACKGROUND_FLAT \
        else None


def _wallpaper_key(path: Path) -> str:
    """Plasma lays out ``<Name>/contents/images[_dark]/<W>x<H>.jpg``: one key per picture, not per resolution."""
    parts = path.parts
    if "contents" in parts:
        i = parts.index("contents")
        return "/".join(parts[: i + 2])
    return re.sub(r"_\d+x\d+$", "", str(path.with_suffix("")))  # MATE: Elephants.jpg, Elephants_3840x2160.jpg


@dataclass(frozen=True)
class PhotoIndex:
    """What the generator draws from: ``targets`` and ``backgrounds`` as ``(path, package, category)`` rows."""

    targets: tuple[tuple[str, str, str], ...]
    backgrounds: tuple[tuple[str, str, str], ...]

    def licences(self) -> dict[str, dict]:
        """Per package: how many targets/backgrounds it gives and its licence."""
        lic = {s.package: s.licence for s in PHOTO_SOURCES}
        out: dict[str, dict] = {}
        for kind in ("targets", "backgrounds"):
            for _, pkg, _ in getattr(self, kind):
                row = out.setdefault(pkg, {"licence": lic.get(pkg, "?"), "targets": 0, "backgrounds": 0})
                row[kind] += 1
        return out


def build_photo_index(cache: Path | None = None, sources: tuple[PhotoSource, ...] = PHOTO_SOURCES,
                      dpkg_info: Path = DPKG_INFO) -> PhotoIndex:
    """Scan the sources' files, keep what passes the filters (module docstring); ``cache`` keeps the verdicts."""
    cached: dict = {}
    if cache is not None and cache.is_file():
        try:
            cached = json.loads(cache.read_text())
        except json.JSONDecodeError:
            cached = {}
    verdicts: dict = {}
    targets, backgrounds = [], []
    best_bg: dict[str, tuple[int, tuple[str, str, str]]] = {}
    missing = []
    for src in sources:
        try:
            files = package_files(src.package, src.prefix, dpkg_info)
        except MissingPackageError:
            missing.append(src.package)
            continue
        for path in files:
            rel = path.relative_to(src.prefix)
            if any(part in src.exclude or part.startswith(src.exclude) for part in rel.parts):
                continue
            st = path.stat()
            key = f"{path}|{st.st_size}|{int(st.st_mtime)}"
            verdict = cached.get(key, "unset")
            if verdict == "unset":
                verdict = (_target_ok if src.kind == "targets" else _background_ok)(path)
            verdicts[key] = verdict
            if verdict is None:
                continue
            category = rel.parts[0] if len(rel.parts) > 1 else src.package
            row = (str(path), src.package, category)
            if src.kind == "targets":
                targets.append(row)
            else:
                k = _wallpaper_key(path)
                area = verdict["w"] * verdict["h"]
                if k not in best_bg or area > best_bg[k][0]:
                    best_bg[k] = (area, row)
    backgrounds = [row for _, row in sorted(best_bg.values(), key=lambda v: v[1][0])]
    if missing:
        raise MissingPackageError("training photographs: missing Debian package(s); install them with\n"
                                  f"  apt-get install {' '.join(missing)}")
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(cache, json.dumps(verdicts))
    return PhotoIndex(tuple(targets), tuple(backgrounds))


def load_cutout(path: str, max_side: int = 320) -> tuple[np.ndarray, np.ndarray]:
    """``(BGR uint8, alpha float32 0..1)`` of a cut-out, cropped to its opaque extent, longest side <= max_side."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None or img.ndim != 3 or img.shape[2] != 4:
        raise ValueError(f"{path}: not an image with an alpha channel")
    ys, xs = np.nonzero(img[:, :, 3] > 128)
    img = img[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    s = min(1.0, max_side / max(img.shape[:2]))
    if s < 1.0:
        img = cv2.resize(img, (max(1, int(img.shape[1] * s)), max(1, int(img.shape[0] * s))),
                         interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img[:, :, :3]), img[:, :, 3].astype(np.float32) / 255.0


def load_background(path: str, max_side: int = 1280) -> np.ndarray:
    """BGR uint8 background photograph, longest side <= max_side."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"{path}: cannot decode the background photograph")
    s = min(1.0, max_side / max(img.shape[:2]))
    if s < 1.0:
        img = cv2.resize(img, (int(img.shape[1] * s), int(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    return img
