"""Drawing FashionAI keypoints and skeletons (BGR images, OpenCV)."""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from fashionai_format.metainfo import SIDE_COLORS
from fashionai_format.schema import (CATEGORY_KEYPOINTS, KEYPOINT_NAMES,
                                     SKELETONS, keypoint_side)

__all__ = ['draw_garment', 'image_grid']


def _bgr(rgb: Sequence[int]) -> tuple:
    return tuple(int(c) for c in rgb[::-1])


def draw_garment(image: np.ndarray,
                 keypoints: np.ndarray,
                 category: str,
                 gt: Optional[np.ndarray] = None,
                 title: Optional[str] = None) -> np.ndarray:
    """Draw a category's predicted keypoints and skeleton on a copy.

    Args:
        image (np.ndarray): (H, W, 3) BGR image.
        keypoints (np.ndarray): (24, 2) predicted x, y.
        category (str): the garment category (which keypoints and lines).
        gt (np.ndarray, optional): (24, 2) ground truth, drawn as small
            white rings with a line to the prediction.
        title (str, optional): text drawn at the top left.

    Returns:
        np.ndarray: the annotated BGR image.
    """
    out = image.copy()
    scale = max(out.shape[:2]) / 256
    thick = max(1, int(round(2 * scale)))
    radius = max(2, int(round(3 * scale)))
    name2xy = {
        KEYPOINT_NAMES[k]: tuple(int(round(v)) for v in keypoints[k])
        for k in CATEGORY_KEYPOINTS[category]
    }
    for a, b in SKELETONS[category]:
        sides = {keypoint_side(a), keypoint_side(b)}
        color = SIDE_COLORS[sides.pop() if len(sides) == 1 else 'center']
        cv2.line(out, name2xy[a], name2xy[b], _bgr(color), thick,
                 cv2.LINE_AA)
    for k in CATEGORY_KEYPOINTS[category]:
        name = KEYPOINT_NAMES[k]
        if gt is not None and (gt[k] >= 0).all():
            g = tuple(int(round(v)) for v in gt[k])
            cv2.line(out, g, name2xy[name], (255, 255, 255), 1, cv2.LINE_AA)
            cv2.circle(out, g, radius, (255, 255, 255), 1, cv2.LINE_AA)
        cv2.circle(out, name2xy[name], radius,
                   _bgr(SIDE_COLORS[keypoint_side(name)]), -1, cv2.LINE_AA)
    if title:
        _put_title(out, title, scale, thick)
    return out


def _put_title(image: np.ndarray, title: str, scale: float,
               thick: int) -> None:
    """White text with a black halo in the top-left corner, in place. The
    halo is the text's own mask grown, so that it lines up with the text
    (OpenCV's glyphs advance further the thicker they are drawn, so a
    thick black copy under a thin white one drifts apart)."""
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.putText(mask, title, (4 + thick, int(16 * scale)),
                cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, 255,
                max(1, thick // 2), cv2.LINE_AA)
    halo = cv2.dilate(mask, np.ones((3, 3), np.uint8),
                      iterations=max(1, thick // 2))
    for alpha, value in ((halo, 0.), (mask, 255.)):
        a = (alpha.astype(np.float32) / 255.)[..., None]
        image[:] = (image * (1. - a) + value * a).round().astype(image.dtype)


def image_grid(images: List[np.ndarray], cols: int = 4,
               cell: int = 256) -> np.ndarray:
    """Tile images (letterboxed to ``cell`` x ``cell``) into one BGR image."""
    if not images:
        raise ValueError('image_grid needs at least one image')
    rows = (len(images) + cols - 1) // cols
    grid = np.full((rows * cell, min(cols, len(images)) * cell, 3), 32,
                   np.uint8)
    for i, img in enumerate(images):
        h, w = img.shape[:2]
        s = cell / max(h, w)
        small = cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))),
                           interpolation=cv2.INTER_AREA)
        r, c = divmod(i, cols)
        y0 = r * cell + (cell - small.shape[0]) // 2
        x0 = c * cell + (cell - small.shape[1]) // 2
        grid[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return grid
