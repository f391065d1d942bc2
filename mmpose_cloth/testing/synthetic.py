"""A deterministic synthetic FashionAI dataset, for demos and tests.

:func:`generate_fashionai` writes a small dataset in the official FashionAI
layout, so that a user without the FashionAI download can run the whole
pipeline (convert, train, test, score) in a few minutes::

    out_dir/
      Images/<category>/<md5>.jpg     train and test images
      Annotations/train.csv           26-column annotations (train split)
      Annotations/test_answers.csv    ground truth of the test images
      test.csv                        image_id,image_category (test split)

Each image shows one garment drawn from FashionAI keypoint geometry: a
per-category template of the keypoints (in units of the normalizing
distance, i.e. armpit to armpit for tops and dresses, waistband end to
waistband end for skirts and trousers), randomly deformed (sleeve angle and
length, widths, lengths), then scaled, rotated and translated into the
frame. The garment is a set of filled polygons (body, sleeves or legs)
whose corners are the keypoints, so the image determines the keypoints.
Textured garments, cluttered backgrounds, occluders (arms, bags, hair) that
turn the keypoints under them into ``v=0``, blur, noise and JPEG make the
task hard enough that a model that ignores the image scores badly: with the
defaults, guessing each category's mean keypoint positions gives a
normalized error (NE) of about 0.87. ``scale_range``, ``max_rotation`` and
``occlusion`` make easier sets.

Every image has its own random stream, derived from ``(seed, split,
category, index)``: the same seed gives byte-identical CSV files and the
same pixels, and any image can be regenerated on its own.
"""
import hashlib
import math
import os
import os.path as osp
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from fashionai_format.csv_io import (FashionAIRecord, write_annotations,
                                     write_test_list)
from fashionai_format.schema import (CATEGORIES, CATEGORY_KEYPOINTS,
                                     KEYPOINT_NAMES, NORM_PAIRS, NUM_KEYPOINTS,
                                     VIS_ABSENT, VIS_OCCLUDED, VIS_VISIBLE,
                                     check_category)

__all__ = [
    'SyntheticGarment', 'render_garment', 'generate_fashionai',
    'synthetic_image_id', 'sample_rng', 'DEFAULT_IMAGE_SIZE',
    'DEFAULT_SCALE_RANGE', 'DEFAULT_MAX_ROTATION'
]

#: Default (width, height) of generated images.
DEFAULT_IMAGE_SIZE: Tuple[int, int] = (256, 256)

#: Default range of the garment's extent as a fraction of the frame.
DEFAULT_SCALE_RANGE: Tuple[float, float] = (0.45, 0.9)
#: Default largest rotation of a garment, in degrees.
DEFAULT_MAX_ROTATION: float = 30.0

#: Split names and the number mixed into every per-image seed.
_SPLITS: Dict[str, int] = {'train': 0, 'test': 1}

#: Pixels kept free between the garment and the image border.
_MARGIN = 3

Point = np.ndarray  # (2, ) float64, local garment units


@dataclass
class SyntheticGarment:
    """One rendered garment.

    Attributes:
        image (np.ndarray): (H, W, 3) uint8 BGR image (before JPEG coding).
        keypoints (np.ndarray): (24, 2) float32 integer-valued x, y in
            pixels; ``-1`` where a keypoint is absent.
        visibility (np.ndarray): (24, ) int8 raw FashionAI visibility
            (1 visible, 0 occluded, -1 absent).
        mask (np.ndarray): (H, W) bool, the pixels the garment covers
            (occluders not taken out).
    """
    image: np.ndarray
    keypoints: np.ndarray
    visibility: np.ndarray
    mask: np.ndarray


@dataclass
class _Shape:
    """A garment in local units (or pixels, once placed).

    Attributes:
        keypoints (dict): keypoint name -> (2, ) point, for the keypoints
            this garment has.
        parts (list): filled polygons in drawing order (body first).
        shades (list): brightness factor of each part.
        bands (list): polygons filled with a darker shade on top of the
            parts (waistbands, the inside of a neck opening).
        lines (list): open polylines drawn as seams (front opening, fly).
    """
    keypoints: Dict[str, Point]
    parts: List[np.ndarray]
    shades: List[float]
    bands: List[np.ndarray] = field(default_factory=list)
    lines: List[np.ndarray] = field(default_factory=list)

    def map(self, fn: Callable[[np.ndarray], np.ndarray]) -> '_Shape':
        """Apply ``fn`` to every (N, 2) point array."""
        names = list(self.keypoints)
        kpts = fn(np.array([self.keypoints[n] for n in names]).reshape(-1, 2))
        return _Shape({n: p
                       for n, p in zip(names, kpts)},
                      [fn(p) for p in self.parts], list(self.shades),
                      [fn(p) for p in self.bands],
                      [fn(p) for p in self.lines])

    def all_points(self) -> np.ndarray:
        """Every vertex of the drawing, (N, 2)."""
        return np.concatenate(self.parts + self.bands + self.lines +
                              [np.array(list(self.keypoints.values()))])


# --------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------


def _pt(x: float, y: float) -> Point:
    return np.array([x, y], dtype=np.float64)


def _bezier(p0: Point, ctrl: Point, p1: Point, n: int = 6) -> np.ndarray:
    """Interior points (``n - 1`` of them) of a quadratic Bezier curve."""
    t = np.linspace(0, 1, n + 1)[1:-1, None]
    return (1 - t)**2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p1


def _poly(*pieces) -> np.ndarray:
    """Stack points and (N, 2) arrays into one (M, 2) polygon."""
    return np.concatenate([np.reshape(p, (-1, 2)) for p in pieces])


def _sleeve(shoulder: Point, armpit: Point, angle: float, length: float,
            cuff_width: float, side: int) -> Tuple[Point, Point]:
    """The cuff ends of a sleeve attached at ``shoulder``-``armpit``.

    Args:
        angle (float): radians between the sleeve axis and straight down;
            larger lifts the sleeve away from the body.
        length (float): from the middle of the sleeve root to the cuff.
        cuff_width (float): distance between the two cuff keypoints.
        side (int): -1 for the left sleeve (image left), +1 for the right.

    Returns:
        tuple: ``(cuff_out, cuff_in)``; ``cuff_out`` continues the shoulder
        edge, ``cuff_in`` the armpit edge.
    """
    axis = _pt(side * math.sin(angle), math.cos(angle))
    normal = _pt(-axis[1], axis[0])
    if np.dot(normal, shoulder - armpit) < 0:
        normal = -normal
    centre = (shoulder + armpit) / 2 + length * axis
    half = cuff_width / 2 * normal
    return centre + half, centre - half


def _jitter(rng: np.random.Generator, p: Point, amount: float) -> Point:
    return p + rng.uniform(-amount, amount, size=2)


# --------------------------------------------------------------------------
# Garment templates (local units: the normalizing distance is about 1)
# --------------------------------------------------------------------------


def _neck(rng: np.random.Generator, neck_l: Point, neck_r: Point,
          depth: float) -> Tuple[Point, np.ndarray, np.ndarray, np.ndarray]:
    """A V- or U-shaped neck opening between the two neckline keypoints.

    Returns:
        tuple: the front centre point, the curve points from ``neck_l`` to
        the centre and from the centre to ``neck_r`` (exclusive), and the
        polygon of the visible inside back of the neck.
    """
    top = (neck_l[1] + neck_r[1]) / 2
    centre = _pt((neck_l[0] + neck_r[0]) / 2, top + depth)
    u = rng.uniform(0, 1)  # 0: V neck, 1: round (U) neck
    ctrl_l = (1 - u) * (neck_l + centre) / 2 + u * _pt(neck_l[0], centre[1])
    ctrl_r = (1 - u) * (neck_r + centre) / 2 + u * _pt(neck_r[0], centre[1])
    left = _bezier(neck_l, ctrl_l, centre)
    right = _bezier(centre, ctrl_r, neck_r)
    back_ctrl = _pt(centre[0], top + depth * rng.uniform(0.2, 0.5))
    back = _poly(neck_l, left, centre, right, neck_r,
                 _bezier(neck_r, back_ctrl, neck_l))
    return centre, left, right, back


def _top(rng: np.random.Generator, category: str) -> _Shape:
    """Blouse, outwear or dress: neck, shoulders, sleeves, body."""
    j = 0.03  # per-keypoint jitter
    armpit_r = _jitter(rng, _pt(0.5, 0.0), 0.02)
    armpit_l = _jitter(rng, _pt(-0.5, 0.0), 0.02)
    sleeveless = category == 'dress' and rng.uniform() < 0.3
    if sleeveless:
        sw = rng.uniform(0.28, 0.42)
        nw = rng.uniform(0.1, sw - 0.1)
    else:
        sw = rng.uniform(0.48, 0.64)
        nw = rng.uniform(0.14, 0.3)
    sh = rng.uniform(0.45, 0.7)
    neck_y = -sh - rng.uniform(0.08, 0.3) * (sw - nw) - 0.05
    shoulder_r = _jitter(rng, _pt(sw, -sh), j)
    shoulder_l = _jitter(rng, _pt(-sw, -sh), j)
    neck_r = _jitter(rng, _pt(nw, neck_y), j)
    neck_l = _jitter(rng, _pt(-nw, neck_y), j)
    depth = rng.uniform(0.08, 0.6 if category == 'outwear' else 0.45)
    centre, neck_curve_l, neck_curve_r, neck_back = _neck(
        rng, neck_l, neck_r, depth)

    kpts = dict(neckline_left=neck_l, neckline_right=neck_r,
                shoulder_left=shoulder_l, shoulder_right=shoulder_r,
                armpit_left=armpit_l, armpit_right=armpit_r)
    if category != 'outwear':
        kpts['center_front'] = centre

    # Lower body: optional waist, then the hem.
    if category == 'blouse':
        hem_y, hem_w = rng.uniform(0.75, 1.4), rng.uniform(0.45, 0.64)
        waist = None
    elif category == 'outwear':
        hem_y, hem_w = rng.uniform(1.1, 2.4), rng.uniform(0.5, 0.75)
        waist = (rng.uniform(0.38, 0.46), rng.uniform(0.45, 0.8)) \
            if rng.uniform() < 0.65 else None
    else:  # dress
        waist = (rng.uniform(0.33, 0.45), rng.uniform(0.45, 0.85))
        hem_y = waist[1] + rng.uniform(0.8, 2.2)
        hem_w = rng.uniform(0.5, 1.25)
    hem_r = _jitter(rng, _pt(hem_w, hem_y), j)
    hem_l = _jitter(rng, _pt(-hem_w, hem_y), j)
    hem_name = 'hemline' if category == 'dress' else 'top_hem'
    kpts[f'{hem_name}_left'], kpts[f'{hem_name}_right'] = hem_l, hem_r
    side_r, side_l = [armpit_r], [armpit_l]
    if waist is not None:
        waist_r = _jitter(rng, _pt(waist[0], waist[1]), j)
        waist_l = _jitter(rng, _pt(-waist[0], waist[1]), j)
        kpts['waistline_left'], kpts['waistline_right'] = waist_l, waist_r
        side_r.append(waist_r)
        side_l.insert(0, waist_l)
    hem_ctrl = _pt(0, (hem_l[1] + hem_r[1]) / 2 +
                   rng.uniform(-0.05, 0.15) * hem_w)
    body = _poly(shoulder_l, neck_l, neck_curve_l, centre, neck_curve_r,
                 neck_r, shoulder_r, side_r, hem_r,
                 _bezier(hem_r, hem_ctrl, hem_l), hem_l, side_l)
    if sleeveless:
        # An armhole curving in between the strap and the armpit.
        body = _poly(
            shoulder_l, neck_l, neck_curve_l, centre, neck_curve_r, neck_r,
            shoulder_r,
            _bezier(shoulder_r, _pt(shoulder_r[0], armpit_r[1]), armpit_r),
            side_r, hem_r, _bezier(hem_r, hem_ctrl, hem_l), hem_l, side_l,
            _bezier(armpit_l, _pt(shoulder_l[0], armpit_l[1]), shoulder_l))

    shape = _Shape(kpts, [body], [1.0], bands=[neck_back])
    if category == 'outwear':
        shape.lines.append(_poly(centre, _pt(centre[0], hem_y)))
    if not sleeveless:
        _add_sleeves(rng, category, shape)
    return shape


def _add_sleeves(rng: np.random.Generator, category: str,
                 shape: _Shape) -> None:
    """Sample both sleeves and add their keypoints and polygons."""
    long_prob = {'blouse': 0.65, 'outwear': 0.9, 'dress': 0.4}[category]
    long = rng.uniform() < long_prob
    for side, name in ((-1, 'left'), (1, 'right')):
        shoulder = shape.keypoints[f'shoulder_{name}']
        armpit = shape.keypoints[f'armpit_{name}']
        if long:
            angle = math.radians(rng.uniform(22, 80))
            length = rng.uniform(0.9, 1.7)
            width = rng.uniform(0.22, 0.38)
        else:
            angle = math.radians(rng.uniform(35, 80))
            length = rng.uniform(0.3, 0.55)
            width = rng.uniform(0.34, 0.5)
        cuff_out, cuff_in = _sleeve(shoulder, armpit, angle, length, width,
                                    side)
        shape.keypoints[f'cuff_{name}_out'] = cuff_out
        shape.keypoints[f'cuff_{name}_in'] = cuff_in
        shape.parts.append(_poly(shoulder, cuff_out, cuff_in, armpit))
        shape.shades.append(rng.uniform(0.85, 1.0))


def _waistband(rng: np.random.Generator, wb_l: Point, wb_r: Point,
               below_l: Point, below_r: Point) -> np.ndarray:
    """The waistband strip along the top edge of a skirt or trousers."""
    t = rng.uniform(0.06, 0.2)
    return _poly(wb_l, wb_r, wb_r + t / np.linalg.norm(below_r - wb_r) *
                 (below_r - wb_r), wb_l + t /
                 np.linalg.norm(below_l - wb_l) * (below_l - wb_l))


def _skirt(rng: np.random.Generator) -> _Shape:
    """A skirt: waistband ends and hemline ends."""
    wb_l = _jitter(rng, _pt(-0.5, 0), 0.02)
    wb_r = _jitter(rng, _pt(0.5, 0), 0.02)
    length = rng.uniform(0.6, 2.2)
    hem_w = rng.uniform(0.55, 0.6 + 0.45 * length)
    hem_l = _jitter(rng, _pt(-hem_w, length), 0.04)
    hem_r = _jitter(rng, _pt(hem_w, length), 0.04)
    ctrl = _pt(0, length + rng.uniform(0.0, 0.2) * hem_w)
    body = _poly(wb_l, wb_r, hem_r, _bezier(hem_r, ctrl, hem_l), hem_l)
    shape = _Shape(
        dict(waistband_left=wb_l, waistband_right=wb_r, hemline_left=hem_l,
             hemline_right=hem_r), [body], [1.0],
        bands=[_waistband(rng, wb_l, wb_r, hem_l, hem_r)])
    if rng.uniform() < 0.5:  # pleats
        for t in np.linspace(0, 1, int(rng.integers(3, 8)))[1:-1]:
            top = wb_l + t * (wb_r - wb_l) + _pt(0, 0.2)
            shape.lines.append(_poly(top, hem_l + t * (hem_r - hem_l)))
    return shape


def _trousers(rng: np.random.Generator) -> _Shape:
    """Trousers or shorts: waistband, crotch and both leg openings."""
    wb_l = _jitter(rng, _pt(-0.5, 0), 0.02)
    wb_r = _jitter(rng, _pt(0.5, 0), 0.02)
    crotch_y = rng.uniform(0.6, 0.95)
    crotch = _jitter(rng, _pt(0, crotch_y), 0.03)
    shorts = rng.uniform() < 0.3
    bottom_y = crotch_y + (rng.uniform(0.3, 0.8) if shorts else
                           rng.uniform(1.4, 2.6))
    kpts = dict(waistband_left=wb_l, waistband_right=wb_r, crotch=crotch)
    outline: Dict[str, List[Point]] = {}
    for side, name in ((-1, 'left'), (1, 'right')):
        spread = math.radians(rng.uniform(0, 16 if shorts else 10))
        # The legs' inner edges end at least ~0.1 units apart.
        width = rng.uniform(0.3, 0.46) if shorts else rng.uniform(0.24, 0.4)
        centre = _pt(side * (0.32 + (bottom_y - crotch_y) * math.tan(spread)),
                     bottom_y)
        across = _pt(math.cos(spread), side * math.sin(spread)) * width / 2
        b_out = _jitter(rng, centre + side * across, 0.02)
        b_in = _jitter(rng, centre - side * across, 0.02)
        kpts[f'bottom_{name}_out'] = b_out
        kpts[f'bottom_{name}_in'] = b_in
        hip = _pt(side * rng.uniform(0.5, 0.58), rng.uniform(0.3, 0.5))
        outline[name] = [hip, b_out, b_in]
    hip_l, out_l, in_l = outline['left']
    hip_r, out_r, in_r = outline['right']
    body = _poly(wb_l, wb_r, hip_r, out_r, in_r, crotch, in_l, out_l, hip_l)
    fly = _poly(_pt(0.05, 0.1), _pt(0.05, crotch_y * 0.7),
                _pt(0, crotch_y * 0.8))
    return _Shape(kpts, [body], [1.0],
                  bands=[_waistband(rng, wb_l, wb_r, hip_l, hip_r)],
                  lines=[fly])


def _garment_shape(rng: np.random.Generator, category: str) -> _Shape:
    if category == 'skirt':
        return _skirt(rng)
    if category == 'trousers':
        return _trousers(rng)
    return _top(rng, category)


def _place(rng: np.random.Generator, shape: _Shape, size: Tuple[int, int],
           scale_range: Tuple[float, float], max_rotation: float) -> _Shape:
    """Stretch, rotate, scale and translate a shape into the image.

    The whole drawing (not only the keypoints) ends up inside the frame, its
    extent covering a fraction in ``scale_range`` of the frame along the
    tighter axis. Coordinates are rounded to whole pixels so that the drawn
    corners and the written keypoints agree.
    """
    w, h = size
    stretch = np.diag([rng.uniform(0.85, 1.15), 1.0])
    angle = math.radians(rng.uniform(-max_rotation, max_rotation))
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]]) @ stretch
    pts = shape.all_points() @ rot.T
    lo, hi = pts.min(0), pts.max(0)
    room = np.array([w - 1 - 2 * _MARGIN, h - 1 - 2 * _MARGIN], float)
    fit = float(np.min(room / np.maximum(hi - lo, 1e-6)))
    scale = fit * rng.uniform(*scale_range)
    free = room - scale * (hi - lo)
    offset = _MARGIN - scale * lo + rng.uniform(0, 1, size=2) * free

    def transform(p: np.ndarray) -> np.ndarray:
        return np.round(p @ rot.T * scale + offset)

    return shape.map(transform)


# --------------------------------------------------------------------------
# Colours, textures, backgrounds
# --------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _grid(w: int, h: int) -> Tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return xs, ys


def _hsv_colour(h: float, s: float, v: float) -> np.ndarray:
    """An OpenCV HSV triple (H in [0, 180)) as a BGR float32 colour."""
    hsv = np.uint8([[[int(h) % 180, int(s), int(v)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    return _hsv_colour(
        rng.uniform(0, 180), rng.uniform(0, 255), rng.uniform(30, 255))


def _smooth_noise(rng: np.random.Generator, size: Tuple[int, int],
                  cells: int, channels: int = 1) -> np.ndarray:
    """Low-frequency noise in [0, 1], (H, W) or (H, W, C), float32."""
    w, h = size
    small = rng.uniform(0, 1, size=(cells, cells, channels)).astype(
        np.float32)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    big = np.clip(big, 0, 1).reshape(h, w, channels)
    return big[..., 0] if channels == 1 else big


def _texture(rng: np.random.Generator, size: Tuple[int, int],
             base: np.ndarray) -> np.ndarray:
    """A (H, W, 3) float32 fabric: solid, stripes, checks, dots or noise."""
    w, h = size
    xs, ys = _grid(w, h)
    second = _random_colour(rng)
    kind = rng.choice(['solid', 'stripes', 'checks', 'dots', 'noise'],
                      p=[0.3, 0.2, 0.15, 0.15, 0.2])
    period = rng.uniform(5, 22)
    theta = rng.uniform(0, math.pi)
    if kind in ('stripes', 'checks', 'dots'):
        c, s = math.cos(theta) / period, math.sin(theta) / period
        u = xs * c + ys * s
        v = ys * c - xs * s
    if kind == 'solid':
        mix = np.zeros((h, w), np.float32)
    elif kind == 'stripes':
        duty = rng.uniform(0.2, 0.6)
        mix = (u % 1.0 < duty).astype(np.float32)
    elif kind == 'checks':
        a = u % 1.0 < 0.5
        b = v % 1.0 < 0.5
        mix = (a ^ b).astype(np.float32) * rng.uniform(0.4, 1.0)
    elif kind == 'dots':
        du = u % 1.0 - 0.5
        dv = v % 1.0 - 0.5
        mix = (du * du + dv * dv < rng.uniform(0.02, 0.1)).astype(np.float32)
    else:
        mix = _smooth_noise(rng, size, int(rng.integers(4, 24)))
    # Keep the pattern subtle enough that the base colour dominates.
    mix = mix[..., None] * rng.uniform(0.3, 0.7)
    shading = 0.8 + 0.4 * _smooth_noise(rng, size, 3)[..., None]
    return (base + mix * (second - base)) * shading


def _background(rng: np.random.Generator,
                size: Tuple[int, int]) -> np.ndarray:
    """A (H, W, 3) float32 background: solid, gradient, noise, clutter."""
    w, h = size
    kind = rng.choice(['solid', 'gradient', 'noise', 'clutter'],
                      p=[0.25, 0.25, 0.2, 0.3])
    if rng.uniform() < 0.4:  # a light studio backdrop
        base = _hsv_colour(rng.uniform(0, 180), rng.uniform(0, 40),
                           rng.uniform(200, 255))
    else:
        base = _random_colour(rng)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    if kind == 'gradient':
        xs, ys = _grid(w, h)
        theta = rng.uniform(0, 2 * math.pi)
        t = (xs * math.cos(theta) + ys * math.sin(theta))
        t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
        img = img * (1 - t[..., None]) + _random_colour(rng) * t[..., None]
    elif kind == 'noise':
        img = 0.5 * img + 255 * 0.5 * _smooth_noise(
            rng, size, int(rng.integers(3, 16)), 3)
    elif kind == 'clutter':
        img = np.ascontiguousarray(img)
        for _ in range(int(rng.integers(3, 10))):
            _clutter_shape(rng, img, size)
    return img


def _clutter_shape(rng: np.random.Generator, img: np.ndarray,
                   size: Tuple[int, int]) -> None:
    """Draw one random rectangle, circle, line or polygon on ``img``."""
    w, h = size
    colour = tuple(float(c) for c in _random_colour(rng))
    x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
    r = int(rng.integers(5, max(w, h) // 4))
    kind = rng.integers(0, 4)
    if kind == 0:
        cv2.rectangle(img, (x, y), (x + r, y + int(rng.integers(5, r + 6))),
                      colour, -1)
    elif kind == 1:
        cv2.circle(img, (x, y), r // 2, colour, -1, cv2.LINE_AA)
    elif kind == 2:
        cv2.line(img, (x, y), (int(rng.integers(0, w)), int(
            rng.integers(0, h))), colour, int(rng.integers(1, 6)),
                 cv2.LINE_AA)
    else:
        pts = rng.uniform(-r, r, size=(int(rng.integers(3, 7)), 2)) + (x, y)
        cv2.fillPoly(img, [pts.astype(np.int32)], colour, cv2.LINE_AA)


def _garment_colour(rng: np.random.Generator,
                    background: np.ndarray) -> np.ndarray:
    """A garment colour that stands out from the mean background colour."""
    ref = np.array(cv2.mean(background)[:3], np.float32)
    colour = _random_colour(rng)
    for _ in range(20):
        if np.linalg.norm(colour - ref) > 90:
            break
        colour = _random_colour(rng)
    else:
        colour = 255 - ref
    return colour


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


def _paint(img: np.ndarray, mask: np.ndarray, paint: np.ndarray,
           gain: Union[float, np.ndarray] = 1.0) -> None:
    """Alpha-blend ``paint * gain`` into ``img`` where ``mask`` (uint8
    coverage, 0-255) is set; only the mask's bounding box is touched.

    Args:
        img (np.ndarray): (H, W, 3) float32, changed in place.
        mask (np.ndarray): (H, W) uint8.
        paint (np.ndarray): (H, W, 3) image or (3, ) colour.
        gain (float | np.ndarray): a factor or an (H, W) shading map.
    """
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return
    roi = (slice(y, y + h), slice(x, x + w))
    alpha = mask[roi].astype(np.float32)[..., None] * (1 / 255)
    src = paint[roi] if paint.ndim == 3 else paint
    if isinstance(gain, np.ndarray):
        src = src * gain[roi][..., None]
    else:
        src = src * gain
    img[roi] += alpha * (src - img[roi])


def _draw_shape(img: np.ndarray, shape: _Shape, fabric: np.ndarray,
                seam: Tuple[float, float, float]) -> np.ndarray:
    """Draw the garment parts, bands and seams onto ``img`` in place.

    Returns:
        np.ndarray: (H, W) bool mask of the pixels the garment covers.
    """
    mask = np.zeros(img.shape[:2], np.uint8)
    coverage = np.zeros(img.shape[:2], bool)
    polys = list(zip(shape.parts, shape.shades)) + [(b, 0.6)
                                                    for b in shape.bands]
    for poly, shade in polys:
        mask[:] = 0
        cv2.fillPoly(mask, [poly.astype(np.int32)], 255, cv2.LINE_AA)
        _paint(img, mask, fabric, shade)
        cv2.polylines(img, [poly.astype(np.int32)], True, seam, 1,
                      cv2.LINE_AA)
        coverage |= mask >= 128
    for line in shape.lines:
        cv2.polylines(img, [line.astype(np.int32)], False, seam, 1,
                      cv2.LINE_AA)
    return coverage


def _draw_occluders(rng: np.random.Generator, img: np.ndarray,
                    keypoints: Dict[str, Point], unit: float) -> np.ndarray:
    """Draw 0-2 occluders, each over one of the garment's keypoints.

    Occluders are arms (skin-coloured bars with a hand), bags (shaded
    rotated rectangles) and hair (dark ellipses, only near a neckline).

    Args:
        keypoints (dict): keypoint name -> pixel position.
        unit (float): the normalizing distance in pixels, for sizes.

    Returns:
        np.ndarray: (H, W) bool mask of the occluded pixels, grown by one
        pixel to take in the occluders' soft edges: a keypoint on the edge
        of an occluder counts as occluded.
    """
    h, w = img.shape[:2]
    occluded = np.zeros((h, w), np.uint8)
    count = rng.choice([0, 1, 2], p=[0.4, 0.4, 0.2])
    names = sorted(keypoints)
    for _ in range(count):
        target = keypoints[names[int(rng.integers(0, len(names)))]]
        target = target + rng.uniform(-0.1, 0.1, size=2) * unit
        mask = np.zeros((h, w), np.uint8)
        kind = rng.integers(0, 3)
        if kind == 2 and any(n.startswith('neckline') for n in names):
            centre = keypoints[rng.choice(['neckline_left',
                                           'neckline_right'])]
            axes = (int(rng.uniform(0.15, 0.3) * unit) + 2,
                    int(rng.uniform(0.4, 0.8) * unit) + 2)
            cv2.ellipse(mask, (int(centre[0]), int(centre[1] + axes[1] / 2)),
                        axes, float(rng.uniform(-20, 20)), 0, 360, 255, -1)
            colour = _hsv_colour(rng.uniform(0, 25), rng.uniform(50, 200),
                                 rng.uniform(10, 90))
        elif kind == 1:
            half = rng.uniform(0.15, 0.4, size=2) * unit + 2
            box = ((float(target[0]), float(target[1])),
                   (float(2 * half[0]), float(2 * half[1])),
                   float(rng.uniform(0, 90)))
            corners = cv2.boxPoints(box).astype(np.int32)
            cv2.fillPoly(mask, [corners], 255)
            colour = _random_colour(rng)
        else:
            direction = rng.uniform(0, 2 * math.pi)
            d = np.array([math.cos(direction), math.sin(direction)])
            start = target + d * rng.uniform(0.8, 2.0) * unit
            end = target - d * rng.uniform(0.05, 0.3) * unit
            thick = int(rng.uniform(0.15, 0.3) * unit) + 2
            cv2.line(mask, tuple(int(v) for v in start),
                     tuple(int(v) for v in end), 255, thick)
            cv2.circle(mask, tuple(int(v) for v in end), int(thick * 0.8),
                       255, -1)
            colour = _hsv_colour(rng.uniform(5, 20), rng.uniform(60, 160),
                                 rng.uniform(120, 240))
        shading = 0.85 + 0.3 * _smooth_noise(rng, (w, h), 4)
        _paint(img, cv2.GaussianBlur(mask, (3, 3), 0), colour, shading)
        occluded |= mask
    return cv2.dilate(occluded, np.ones((3, 3), np.uint8)) > 0


def _degrade(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Blur and sensor noise, returning a uint8 image."""
    if rng.uniform() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.1))
    if rng.uniform() < 0.3:
        sigma = rng.uniform(2, 7)
        img = img + sigma * rng.standard_normal(img.shape, np.float32)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _check_args(image_size: Tuple[int, int], scale_range: Tuple[float, float],
                max_rotation: float) -> Tuple[int, int]:
    """Validate the rendering options; return ``(width, height)``."""
    w, h = int(image_size[0]), int(image_size[1])
    if w < 32 or h < 32:
        raise ValueError(f'image_size must be at least 32x32, got {w}x{h}')
    lo, hi = scale_range
    if not 0 < lo <= hi <= 1:
        raise ValueError('scale_range must satisfy 0 < low <= high <= 1, '
                         f'got {tuple(scale_range)}')
    if not 0 <= max_rotation <= 180:
        raise ValueError(f'max_rotation must be in [0, 180] degrees, got '
                         f'{max_rotation}')
    return w, h


def sample_rng(seed: int, split: str, category: str,
               index: int) -> np.random.Generator:
    """The random stream of one image: independent of every other image,
    so images can be generated in any order, in parallel or alone."""
    if split not in _SPLITS:
        raise ValueError(f'split must be one of {sorted(_SPLITS)}, got '
                         f'{split!r}')
    cat = CATEGORIES.index(check_category(category))
    return np.random.default_rng([int(seed), _SPLITS[split], cat, int(index)])


def synthetic_image_id(seed: int, split: str, category: str,
                       index: int) -> str:
    """The ``Images/<category>/<md5>.jpg`` id of a synthetic image."""
    check_category(category)
    key = f'mmpose-cloth-synthetic:{int(seed)}:{split}:{category}:{index}'
    return f'Images/{category}/{hashlib.md5(key.encode()).hexdigest()}.jpg'


def render_garment(
        category: str,
        rng: np.random.Generator,
        image_size: Tuple[int, int] = DEFAULT_IMAGE_SIZE,
        scale_range: Tuple[float, float] = DEFAULT_SCALE_RANGE,
        max_rotation: float = DEFAULT_MAX_ROTATION,
        occlusion: bool = True) -> SyntheticGarment:
    """Draw one random garment of ``category`` and its keypoints.

    Args:
        category (str): one of the five FashionAI categories.
        rng (np.random.Generator): the random stream (see
            :func:`sample_rng`); the result depends on nothing else.
        image_size (tuple[int, int]): ``(width, height)`` in pixels.
        scale_range (tuple[float, float]): the garment's extent as a
            fraction of the frame (along the tighter axis) is drawn
            uniformly from this range; within (0, 1].
        max_rotation (float): the garment is rotated by a uniform angle in
            ``[-max_rotation, max_rotation]`` degrees.
        occlusion (bool): draw occluders. Without them the image is the
            same except where the occluders would have been, and every
            present keypoint is visible.

    Returns:
        SyntheticGarment: the image, (24, 2) keypoints, (24, ) visibility
        and the garment's mask. The category's keypoints are visible (1)
        or, where an occluder covers them, occluded (0); a sleeveless dress
        has no cuffs and a straight coat no waistline (-1, as in the real
        data); the keypoints of other categories are -1. The normalizing
        pair is always present and every present keypoint lies inside the
        image.
    """
    check_category(category)
    size = _check_args(image_size, scale_range, max_rotation)
    background = _background(rng, size)
    fabric = _texture(rng, size, _garment_colour(rng, background))
    seam = tuple(float(c) for c in rng.uniform(0, 0.5) *
                 np.array(cv2.mean(fabric)[:3]))
    shape = _place(rng, _garment_shape(rng, category), size, scale_range,
                   max_rotation)
    img = np.ascontiguousarray(background)
    coverage = _draw_shape(img, shape, fabric, seam)

    kpts = shape.keypoints
    pair = [kpts[n] for n in NORM_PAIRS[category]]
    unit = float(np.linalg.norm(pair[0] - pair[1]))
    # Occluders draw from their own stream so that turning them off leaves
    # everything else as it was.
    occluder_rng = np.random.default_rng(int(rng.integers(0, 2**63)))
    if occlusion:
        occluder = _draw_occluders(occluder_rng, img, kpts, unit)
    else:
        occluder = np.zeros(img.shape[:2], bool)
    img = _degrade(rng, img)

    keypoints = np.full((NUM_KEYPOINTS, 2), -1, np.float32)
    visibility = np.full((NUM_KEYPOINTS, ), VIS_ABSENT, np.int8)
    for name, p in kpts.items():
        k = KEYPOINT_NAMES.index(name)
        assert k in CATEGORY_KEYPOINTS[category], (category, name)
        keypoints[k] = p
        hidden = occluder[int(p[1]), int(p[0])]
        visibility[k] = VIS_OCCLUDED if hidden else VIS_VISIBLE
    return SyntheticGarment(img, keypoints, visibility, coverage)


def _write_split(out_dir: str, split: str, seed: int,
                 categories: Sequence[str], num_per_category: int,
                 render_kwargs: Dict,
                 progress: Optional[Callable[[], None]]) -> Dict:
    """Render and write one split; return its records and counts."""
    records: List[FashionAIRecord] = []
    stats = dict(images=0, per_category={c: 0 for c in categories},
                 visible=0, occluded=0, absent=0)
    for category in categories:
        for index in range(num_per_category):
            rng = sample_rng(seed, split, category, index)
            sample = render_garment(category, rng, **render_kwargs)
            quality = int(rng.integers(70, 96))
            image_id = synthetic_image_id(seed, split, category, index)
            ok, buf = cv2.imencode('.jpg', sample.image,
                                   [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise RuntimeError(f'could not encode {image_id}')
            with open(osp.join(out_dir, image_id), 'wb') as f:
                f.write(buf.tobytes())
            records.append(
                FashionAIRecord(image_id, category, sample.keypoints,
                                sample.visibility))
            own = sample.visibility[list(CATEGORY_KEYPOINTS[category])]
            stats['images'] += 1
            stats['per_category'][category] += 1
            stats['visible'] += int((own == VIS_VISIBLE).sum())
            stats['occluded'] += int((own == VIS_OCCLUDED).sum())
            stats['absent'] += int((own == VIS_ABSENT).sum())
            if progress is not None:
                progress()
    stats['records'] = records
    return stats


def generate_fashionai(
        out_dir: Union[str, os.PathLike],
        num_per_category: int = 60,
        test_per_category: int = 20,
        image_size: Tuple[int, int] = DEFAULT_IMAGE_SIZE,
        seed: int = 0,
        categories: Sequence[str] = CATEGORIES,
        scale_range: Tuple[float, float] = DEFAULT_SCALE_RANGE,
        max_rotation: float = DEFAULT_MAX_ROTATION,
        occlusion: bool = True,
        progress: Optional[Callable[[], None]] = None) -> Dict:
    """Write a synthetic FashionAI dataset in the official layout.

    Files written under ``out_dir`` (existing files of the same names are
    overwritten; nothing else is touched):

    * ``Images/<category>/<md5>.jpg`` for train and test images;
    * ``Annotations/train.csv``: the train split, 26 columns;
    * ``test.csv``: the test split as ``image_id,image_category``;
    * ``Annotations/test_answers.csv``: the test split's ground truth, 26
      columns, for scoring a submission.

    Args:
        out_dir (str | PathLike): the dataset folder (created if needed).
        num_per_category (int): train images per category.
        test_per_category (int): test images per category (0 for none;
            ``test.csv`` and the answers are then written empty).
        image_size (tuple[int, int]): ``(width, height)`` of every image.
        seed (int): the same seed gives byte-identical CSV files and the
            same pixels.
        categories (Sequence[str]): which categories to generate.
        scale_range (tuple[float, float]): see :func:`render_garment`;
            narrow it (e.g. ``(0.7, 0.9)``) for an easier dataset.
        max_rotation (float): see :func:`render_garment`.
        occlusion (bool): draw occluders (see :func:`render_garment`).
        progress (Callable, optional): called once after every image (e.g.
            ``tqdm(...).update``).

    Returns:
        dict: ``out_dir``, ``seed``, ``image_size``, ``scale_range``,
        ``max_rotation``, ``occlusion``, the written paths
        (``train_csv``, ``test_csv``, ``answers_csv``) and per split
        (``train``, ``test``) ``images``, ``per_category`` counts and the
        ``visible``, ``occluded`` and ``absent`` counts over the keypoints
        that each image's category has.
    """
    if num_per_category < 0 or test_per_category < 0:
        raise ValueError('num_per_category and test_per_category must be '
                         '>= 0')
    categories = tuple(check_category(c) for c in categories)
    if len(set(categories)) != len(categories):
        raise ValueError(f'categories repeat: {categories}')
    size = _check_args(image_size, scale_range, max_rotation)
    render_kwargs = dict(image_size=size, scale_range=tuple(scale_range),
                         max_rotation=float(max_rotation),
                         occlusion=bool(occlusion))
    out_dir = str(out_dir)
    for category in categories:
        os.makedirs(osp.join(out_dir, 'Images', category), exist_ok=True)
    os.makedirs(osp.join(out_dir, 'Annotations'), exist_ok=True)

    summary: Dict = dict(
        out_dir=out_dir,
        seed=int(seed),
        **render_kwargs,
        train_csv=osp.join(out_dir, 'Annotations', 'train.csv'),
        test_csv=osp.join(out_dir, 'test.csv'),
        answers_csv=osp.join(out_dir, 'Annotations', 'test_answers.csv'))
    for split, n in (('train', num_per_category),
                     ('test', test_per_category)):
        stats = _write_split(out_dir, split, seed, categories, n,
                             render_kwargs, progress)
        records = stats.pop('records')
        if split == 'train':
            write_annotations(summary['train_csv'], records)
        else:
            write_test_list(summary['test_csv'],
                            [r.image_id for r in records],
                            [r.category for r in records])
            write_annotations(summary['answers_csv'], records)
        summary[split] = stats
    return summary
