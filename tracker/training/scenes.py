"""Photographic composites for training: a template crop and a larger search canvas of one scene, rendered with
what real video does to a target between two frames.

A scene is a pure function of ``(seed, index)``. Its target is a photographic cut-out (alpha mask) drawn from
:class:`tracker.training.photos.PhotoIndex`; the background is a crop of a background photograph. Between the
template frame and the search frame the generator applies, each with its probability in :class:`SceneConfig`:
scale and aspect change, in-plane rotation, perspective change, motion blur of the target, defocus blur of the
frame, a lighting change (frame and target separately), partial occlusion by another object, look-alike
distractors (copies of the same cut-out or cut-outs of the same category), and camera motion of the background
(pan and zoom). The target's box is the extent of its alpha mask after the transform (the transformed contour of
the mask), in output pixels.

Geometry. The template crop is ``exemplar_size`` square with the target's centre at its centre and the context
rule of Eq. 15 (``sqrt((w+p)(h+p)) = exemplar_size``, ``p = context (w+h)``), as the tracker crops it. The search
canvas is ``canvas`` square (``instance_size + 2*shift`` px) at the scale the tracker would crop the next frame
with, up to the size change: the target's context size is ``exemplar_size * r`` with ``r`` the drawn size change.
The target's centre is placed ``shift`` px from the canvas edge of the central window, so every window of
``instance_size`` px cut at a multiple of ``window_step`` px holds the target within ``shift`` px of its centre
(the search-shift augmentation of pysot, done by cutting windows, see ``tracker.training.reuse``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from tracker.training.photos import PhotoIndex, load_background, load_cutout

__all__ = ["SceneConfig", "Scene", "SceneGenerator", "box_for_context", "contact_sheet"]


@dataclass(frozen=True)
class SceneConfig:
    """What the generator varies, and how much (probabilities and log-uniform half-ranges)."""

    exemplar_size: int = 127
    instance_size: int = 255
    shift: int = 64  # max displacement of the target from a window centre, px (= pysot's search shift)
    context_amount: float = 0.5
    scale_change: float = 0.25  # search-frame target size x exp(U(-a, a)) (true change + the tracker's size error)
    aspect_change: float = 0.2  # aspect x exp(U(-a, a)) between the frames
    aspect_spread: float = 1.0  # the cut-out's own aspect x exp(U(-a, a)) (tall and wide targets)
    rotation_deg: float = 10.0  # in-plane rotation of the target in the search frame, U(-a, a)
    base_rotation_deg: float = 15.0  # the cut-out's rotation in both frames
    perspective: float = 0.15  # projective distortion, both frames, changing between them
    motion_blur_prob: float = 0.25
    defocus_prob: float = 0.15
    lighting: float = 0.3  # frame gain x exp(U(-a, a)); the target's own gain changes by half of it
    gray_prob: float = 0.1  # both frames grey (thermal / monochrome video)
    occlusion_prob: float = 0.25  # another object covers 10-45 % of the target's box in the search frame
    distractors: tuple[int, int] = (1, 5)  # how many other objects (uniform, inclusive)
    same_object_prob: float = 0.3  # a distractor is a copy of the target's cut-out
    same_category_prob: float = 0.35  # ... else a cut-out of the same category
    camera_pan: float = 0.25  # background moves by up to this x the exemplar size between frames
    camera_zoom: float = 0.15  # background zoom changes by exp(U(-a, a))
    region_target_prob: float = 0.15  # the target is a region of a photograph (soft ellipse or box) instead

    @property
    def canvas(self) -> int:
        return self.instance_size + 2 * self.shift


@dataclass(frozen=True)
class Scene:
    """One rendered pair: ``template`` (E x E x 3 BGR uint8), ``canvas`` (C x C x 3), the target box in each
    (``cx, cy, w, h`` in pixels of that image), and the ids of the cut-out and background used."""

    template: np.ndarray
    template_box: np.ndarray
    canvas: np.ndarray
    canvas_box: np.ndarray
    target: int
    background: int


def box_for_context(aspect: float, context_size: float, context_amount: float = 0.5) -> tuple[float, float]:
    """``(w, h)`` with ``w / h = aspect`` whose Eq. 15 context size is ``context_size``."""
    q = aspect
    p = context_amount
    h = context_size / np.sqrt((q + p * (q + 1)) * (1 + p * (q + 1)))
    return q * h, h


@lru_cache(maxsize=512)
def _cutout(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut-out pixels, alpha, and its mask's outer contour points (N, 2) in cut-out pixels (pixel centres)."""
    rgb, alpha = load_cutout(path)
    return rgb, alpha, _contour_points(alpha)


def _contour_points(alpha: np.ndarray) -> np.ndarray:
    """Corners of the pixels on the outer contour of ``alpha > 0.5`` (N, 2): their transform bounds the mask."""
    m = (alpha > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pts = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    # pixel (i, j) covers [j, j+1) x [i, i+1): its corners bound the mask's extent
    return np.concatenate([pts, pts + [1, 0], pts + [0, 1], pts + [1, 1]])


@lru_cache(maxsize=128)
def _background(path: str) -> np.ndarray:
    return load_background(path)


def _region(rng: np.random.Generator, photo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A region of a photograph as a cut-out: random size and aspect, a soft ellipse or rounded-box mask."""
    H, W = photo.shape[:2]
    side = float(np.exp(rng.uniform(np.log(48), np.log(min(H, W) * 0.6))))
    asp = float(np.exp(rng.uniform(-0.9, 0.9)))
    w, h = int(max(16, min(W - 1, side * np.sqrt(asp)))), int(max(16, min(H - 1, side / np.sqrt(asp))))
    x, y = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
    rgb = np.ascontiguousarray(photo[y:y + h, x:x + w])
    m = np.zeros((h, w), np.uint8)
    if rng.random() < 0.5:
        cv2.ellipse(m, (w // 2, h // 2), (max(1, w // 2 - 1), max(1, h // 2 - 1)), 0, 0, 360, 255, -1)
    else:
        r = int(min(w, h) * rng.uniform(0, 0.3))
        cv2.rectangle(m, (r, 0), (w - 1 - r, h - 1), 255, -1)
        cv2.rectangle(m, (0, r), (w - 1, h - 1 - r), 255, -1)
        for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
            cv2.circle(m, (cx, cy), r, 255, -1)
    alpha = cv2.GaussianBlur(m.astype(np.float32) / 255.0, (0, 0), float(rng.uniform(0.5, 1.5)))
    return rgb, alpha, _contour_points(alpha)


def _homography(rng: np.random.Generator, shape: tuple[int, int], aspect: float, rot_deg: float,
                persp: np.ndarray) -> np.ndarray:
    """Cut-out px -> a unit-scale frame centred at 0: stretch, rotation, perspective (no final scale/offset)."""
    h, w = shape
    n = np.sqrt(h * w)
    centre = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]], dtype=np.float64)
    norm = np.diag([1 / n, 1 / n, 1.0])
    stretch = np.diag([np.sqrt(aspect), 1 / np.sqrt(aspect), 1.0])
    t = np.deg2rad(rot_deg)
    rot = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    proj = np.array([[1, 0, 0], [0, 1, 0], [persp[0], persp[1], 1]])
    return proj @ rot @ stretch @ norm @ centre


def _apply(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[pts, np.ones(len(pts))] @ hm.T
    return p[:, :2] / p[:, 2:3]


def _place(hm: np.ndarray, pts: np.ndarray, box_wh: tuple[float, float] | None, scale: float | None,
           centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Final homography cut-out px -> output px and the box (cx, cy, w, h) of the transformed mask contour.

    The mask's box gets size ``box_wh`` (both sides scaled independently, keeping the drawn aspect) or is scaled
    by ``scale``, and its centre goes to ``centre``.
    """
    q = _apply(hm, pts)
    lo, hi = q.min(0), q.max(0)
    size = hi - lo
    if box_wh is not None:
        sx, sy = box_wh[0] / size[0], box_wh[1] / size[1]
    else:
        sx = sy = float(scale)
    mid = (lo + hi) / 2
    final = np.array([[sx, 0, centre[0] - sx * mid[0]], [0, sy, centre[1] - sy * mid[1]], [0, 0, 1]]) @ hm
    box = np.array([centre[0], centre[1], sx * size[0], sy * size[1]])
    return final, box


def _paste(canvas: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, hm: np.ndarray, gain: np.ndarray,
           blur: np.ndarray | None = None) -> None:
    """Warp the cut-out by ``hm`` into ``canvas`` (float32, in place), only over its bounding region."""
    h, w = alpha.shape
    corners = _apply(hm, np.array([[0, 0], [w, 0], [0, h], [w, h]], dtype=np.float64))
    x0, y0 = np.floor(corners.min(0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    H, W = canvas.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if x1 <= x0 or y1 <= y0:
        return
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64) @ hm
    size = (x1 - x0, y1 - y0)
    # pixel centres: the homography maps continuous coordinates, cv2 samples at integer ones
    half = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]]) @ shift @ np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    obj = cv2.warpPerspective(rgb, half, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpPerspective(alpha, half, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    obj = obj.astype(np.float32) * gain[None, None, :]
    if blur is not None:
        obj = cv2.filter2D(obj, -1, blur)
        a = cv2.filter2D(a, -1, blur)
    roi = canvas[y0:y1, x0:x1]
    roi[:] = roi * (1 - a[..., None]) + obj * a[..., None]


def _motion_kernel(rng: np.random.Generator, max_len: int = 15) -> np.ndarray:
    n = int(rng.integers(2, max_len // 2 + 1)) * 2 + 1
    k = np.zeros((n, n), np.float32)
    ang = rng.uniform(0, np.pi)
    c = (n - 1) / 2
    for t in np.linspace(-1, 1, 3 * n):
        k[int(round(c + t * c * np.sin(ang))), int(round(c + t * c * np.cos(ang)))] = 1
    return k / k.sum()


class SceneGenerator:
    """Renders :class:`Scene` ``index`` of ``seed`` from the cut-outs and backgrounds of ``index``."""

    def __init__(self, photos: PhotoIndex, cfg: SceneConfig = SceneConfig(), seed: int = 0) -> None:
        if not photos.targets or not photos.backgrounds:
            raise ValueError("SceneGenerator needs at least one target cut-out and one background photograph")
        self.photos, self.cfg, self.seed = photos, cfg, seed
        self.by_category: dict[str, list[int]] = {}
        for i, (_, _, cat) in enumerate(photos.targets):
            self.by_category.setdefault(cat, []).append(i)

    def _background_view(self, rng: np.random.Generator, bg: np.ndarray, out: int, to_bg: np.ndarray) -> np.ndarray:
        """Render the background for an output whose pixels map to background pixels by the affine ``to_bg``."""
        img = cv2.warpAffine(bg, to_bg[:2], (out, out), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REFLECT_101)
        return img.astype(np.float32)

    def _draw(self, index: int) -> tuple[np.ndarray, int, int]:
        rng = np.random.default_rng([self.seed, int(index), 7727])
        ti = int(rng.integers(len(self.photos.targets)))
        bi = int(rng.integers(len(self.photos.backgrounds)))
        return rng, ti, bi

    def drawn(self, index: int) -> tuple[int, int]:
        """The (cut-out, background) indices scene ``index`` is built on, without rendering it (a region target
        still counts its cut-out draw)."""
        _, ti, bi = self._draw(index)
        return ti, bi

    def render(self, index: int) -> Scene:
        cfg = self.cfg
        rng, ti, bi = self._draw(index)
        rgb, alpha, pts = _cutout(self.photos.targets[ti][0])
        if rng.random() < cfg.region_target_prob:  # a textured region of another photograph as the target
            ti = -1
            rgb, alpha, pts = _region(rng, _background(self.photos.backgrounds[int(rng.integers(
                len(self.photos.backgrounds)))][0]))
        bg = _background(self.photos.backgrounds[bi][0])
        e, c = cfg.exemplar_size, cfg.canvas

        def u(a: float) -> float:
            return float(rng.uniform(-a, a))

        # the target in both frames: own aspect spread, base rotation and perspective, then the change
        aspect0 = float(np.exp(u(cfg.aspect_spread)))
        rot0 = u(cfg.base_rotation_deg)
        persp0 = rng.uniform(-cfg.perspective, cfg.perspective, 2)
        hm0 = _homography(rng, alpha.shape, aspect0, rot0, persp0)
        q0 = _apply(hm0, pts)
        box_aspect0 = float(np.ptp(q0[:, 0]) / np.ptp(q0[:, 1]))
        hm1 = _homography(rng, alpha.shape, aspect0 * float(np.exp(u(cfg.aspect_change))), rot0 + u(cfg.rotation_deg),
                          persp0 + rng.uniform(-cfg.perspective / 2, cfg.perspective / 2, 2))
        size_change = float(np.exp(u(cfg.scale_change)))

        # template frame: box fits the context rule at the exemplar size, centre at the crop centre (+-2 px)
        w0, h0 = box_for_context(box_aspect0, e, cfg.context_amount)
        zc = np.array([(e - 1) / 2 + u(2.0), (e - 1) / 2 + u(2.0)]) + 0.5  # continuous coords of the pixel centre
        zh, zbox = _place(hm0, pts, (w0, h0), None, zc)
        # search canvas: the target's context size is e * size_change (its own new aspect), centred at the canvas
        # centre +- half a cell
        q1 = _apply(hm1, pts)
        box_aspect1 = float(np.ptp(q1[:, 0]) / np.ptp(q1[:, 1]))
        w1, h1 = box_for_context(box_aspect1, e * size_change, cfg.context_amount)
        xc = np.array([(c - 1) / 2 + u(4.0), (c - 1) / 2 + u(4.0)]) + 0.5
        xh, xbox = _place(hm1, pts, (w1, h1), None, xc)

        # background: template px -> background px; the search frame sees the same place, panned and zoomed
        scale_z = float(np.exp(rng.uniform(np.log(0.6), np.log(3.0))))  # background px per template px
        span = np.array(bg.shape[1::-1], dtype=np.float64)
        anchor = rng.uniform(0.15, 0.85, 2) * span  # where the target stands in the background photo
        to_bg_z = np.array([[scale_z, 0, anchor[0] - scale_z * zc[0]], [0, scale_z, anchor[1] - scale_z * zc[1]],
                            [0, 0, 1]])
        pan = rng.uniform(-cfg.camera_pan, cfg.camera_pan, 2) * e * scale_z
        s_x = scale_z / size_change * float(np.exp(u(cfg.camera_zoom)))  # background px per canvas px
        to_bg_x = np.array([[s_x, 0, anchor[0] + pan[0] - s_x * xc[0]], [0, s_x, anchor[1] + pan[1] - s_x * xc[1]],
                            [0, 0, 1]])
        zimg = self._background_view(rng, bg, e, to_bg_z)
        ximg = self._background_view(rng, bg, c, to_bg_x)

        # distractors: the same positions relative to the background in both frames (moving a little)
        n_dis = int(rng.integers(cfg.distractors[0], cfg.distractors[1] + 1))
        cat = self.photos.targets[ti][2] if ti >= 0 else ""
        for _ in range(n_dis):
            r = rng.random()
            if r < cfg.same_object_prob:
                di = ti
            elif r < cfg.same_object_prob + cfg.same_category_prob and len(self.by_category.get(cat, ())) > 1:
                di = int(rng.choice(self.by_category[cat]))
            else:
                di = int(rng.integers(len(self.photos.targets)))
            d_rgb, d_alpha, d_pts = (rgb, alpha, pts) if di == -1 else _cutout(self.photos.targets[di][0])
            dh = _homography(rng, d_alpha.shape, float(np.exp(u(cfg.aspect_spread))), u(cfg.base_rotation_deg),
                             rng.uniform(-cfg.perspective, cfg.perspective, 2))
            rel = float(np.exp(u(0.5)))  # size relative to the target
            qd = _apply(dh, d_pts)
            dw, dhh = box_for_context(float(np.ptp(qd[:, 0]) / np.ptp(qd[:, 1])), e * size_change * rel,
                                      cfg.context_amount)
            # position in canvas px: anywhere in the canvas, but not on top of the target's centre
            for _ in range(20):
                pos = rng.uniform(0, c, 2)
                if np.any(np.abs(pos - xc) > 0.6 * (np.array([w1, h1]) + np.array([dw, dhh])) / 2):
                    break
            gain = rng.uniform(0.75, 1.25) * rng.uniform(0.9, 1.1, 3)
            hx, _ = _place(dh, d_pts, (dw, dhh), None, pos)
            _paste(ximg, d_rgb, d_alpha, hx, gain.astype(np.float32))
            # the same object in the template frame: map canvas px -> template px through the background
            to_z = np.linalg.inv(to_bg_z) @ to_bg_x
            _paste(zimg, d_rgb, d_alpha, to_z @ hx, gain.astype(np.float32))

        gain0 = np.exp(rng.uniform(-cfg.lighting / 2, cfg.lighting / 2, 3)).astype(np.float32)
        gain1 = (gain0 * np.exp(rng.uniform(-cfg.lighting / 2, cfg.lighting / 2, 3))).astype(np.float32)
        _paste(zimg, rgb, alpha, zh, gain0)
        blur = _motion_kernel(rng) if rng.random() < cfg.motion_blur_prob else None
        _paste(ximg, rgb, alpha, xh, gain1, blur)

        if rng.random() < cfg.occlusion_prob:  # another object over part of the target's box
            oi = int(rng.integers(len(self.photos.targets)))
            o_rgb, o_alpha, o_pts = _cutout(self.photos.targets[oi][0])
            oh = _homography(rng, o_alpha.shape, float(np.exp(u(0.5))), u(30), np.zeros(2))
            cover = rng.uniform(0.3, 0.7)
            side = np.array([w1, h1]) * cover
            ang = rng.uniform(0, 2 * np.pi)
            pos = xc + np.array([np.cos(ang) * w1, np.sin(ang) * h1]) * (1 - cover) / 2 * 1.2
            hx, _ = _place(oh, o_pts, (float(side[0]), float(side[1])), None, pos)
            _paste(ximg, o_rgb, o_alpha, hx, rng.uniform(0.8, 1.2, 3).astype(np.float32))

        # frame-level lighting, defocus, grey
        for img in (zimg, ximg):
            img *= float(np.exp(u(cfg.lighting))) * np.exp(rng.uniform(-0.05, 0.05, 3)).astype(np.float32)
        if rng.random() < cfg.defocus_prob:
            ximg = cv2.GaussianBlur(ximg, (0, 0), rng.uniform(0.8, 2.5))
        z8 = np.clip(zimg, 0, 255).astype(np.uint8)
        x8 = np.clip(ximg, 0, 255).astype(np.uint8)
        if rng.random() < cfg.gray_prob:
            z8 = cv2.cvtColor(cv2.cvtColor(z8, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            x8 = cv2.cvtColor(cv2.cvtColor(x8, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        # boxes in pixel-index coordinates (pixel i spans [i, i+1): its centre is i + 0.5 -> index i)
        zb = zbox - np.array([0.5, 0.5, 0, 0])
        xb = xbox - np.array([0.5, 0.5, 0, 0])
        return Scene(z8, zb, x8, xb, ti, bi)


def contact_sheet(gen: SceneGenerator, indices: list[int], columns: int = 4, thumb: int = 192) -> np.ndarray:
    """One BGR image of template | canvas pairs with their boxes drawn (green), for a person to look at."""
    tiles = []
    for i in indices:
        s = gen.render(i)
        z = s.template.copy()
        x = s.canvas.copy()
        for img, b in ((z, s.template_box), (x, s.canvas_box)):
            x0, y0 = b[0] - b[2] / 2, b[1] - b[3] / 2
            cv2.rectangle(img, (int(round(x0)), int(round(y0))), (int(round(x0 + b[2])), int(round(y0 + b[3]))),
                          (0, 255, 0), 1)
        zt = cv2.resize(z, (thumb // 2, thumb // 2), interpolation=cv2.INTER_AREA)
        xt = cv2.resize(x, (thumb, thumb), interpolation=cv2.INTER_AREA)
        col = np.zeros((thumb, thumb // 2, 3), np.uint8)
        col[: thumb // 2] = zt
        tiles.append(np.hstack([col, xt]))
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)]
    return np.vstack(rows)
