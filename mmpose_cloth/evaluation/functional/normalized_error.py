"""The FashionAI normalized error (NE), vectorised over images.

NE = sum over images, over keypoints whose ground truth is visible (v=1), of
``d_k / s``, divided by the number of such keypoints, pooled over all images
(not a mean of per-image means). ``d_k`` is the Euclidean distance between
prediction and ground truth, ``s`` the ground-truth distance between the
category's normalizing keypoints (armpits for blouse, outwear and dress; the
waistband ends for skirt and trousers). An image whose normalizing keypoints
are absent (or coincide) cannot be scored; it is left out and counted.

A keypoint that should have been predicted but was not (a missing prediction
row, a ``-1`` cell, or a NaN/infinite coordinate) counts as error 1, as the
competition scored a missing prediction, and is counted so the caller can
report it.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence

import numpy as np

from fashionai_format.schema import (CATEGORIES, VIS_ABSENT, VIS_VISIBLE,
                                     norm_pair_indices)

#: An image whose own NE (its keypoints' mean ``d / s``) is over this is a
#: gross failure: the keypoints are on another garment or nowhere near it.
GROSS_FAILURE_NE = 0.5

#: (5, 2) indices of each category's normalizing keypoints, by category index.
_NORM_IDS = np.array([norm_pair_indices(c) for c in CATEGORIES])


@dataclass
class NEResult:
    """Per-image parts of the normalized error.

    Attributes:
        error_sum (np.ndarray): (N,) sum of normalized errors over the
            image's scored keypoints (0 for images left out).
        count (np.ndarray): (N,) number of scored keypoints.
        scored (np.ndarray): (N,) bool, False for images left out.
        invalid (np.ndarray): (N,) number of scored keypoints with no valid
            prediction (counted as error 1).
        category (np.ndarray): (N,) category index into ``CATEGORIES``.
    """
    error_sum: np.ndarray
    count: np.ndarray
    scored: np.ndarray
    invalid: np.ndarray
    category: np.ndarray

    def per_image(self) -> np.ndarray:
        """(N,) each image's own NE (the mean ``d / s`` of its scored
        keypoints); NaN for images left out or without a visible
        keypoint."""
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.where(self.count > 0,
                            self.error_sum / np.maximum(self.count, 1),
                            np.nan)

    def gross_failures(self) -> np.ndarray:
        """(N,) bool: images whose own NE is over :data:`GROSS_FAILURE_NE`.
        """
        ne = self.per_image()
        return np.nan_to_num(ne, nan=0.) > GROSS_FAILURE_NE

    def worst(self, k: int = 10) -> np.ndarray:
        """Indices of the ``k`` images with the highest own NE (scored
        images only), worst first."""
        ne = self.per_image()
        order = np.argsort(-np.nan_to_num(ne, nan=-1.), kind='stable')
        return order[:min(k, int(np.isfinite(ne).sum()))]

    def summary(self) -> Dict[str, float]:
        """Pool the per-image parts into the reported numbers.

        Returns:
            dict: ``NE`` (a fraction), ``NE/<category>`` for each category
            with scored keypoints, ``count`` (keypoints scored),
            ``count/<category>``, ``images`` (scored), ``left_out`` (images
            that could not be scored), ``invalid`` (keypoints with no
            valid prediction), ``gross`` (the share of scored images that
            are gross failures, see :meth:`gross_failures`) and
            ``gross_count``. ``NE`` is NaN when nothing was scored.
        """
        out: Dict[str, float] = {}
        total = int(self.count.sum())
        out['NE'] = float(self.error_sum.sum() / total) if total else \
            float('nan')
        for c, name in enumerate(CATEGORIES):
            sel = self.category == c
            n = int(self.count[sel].sum())
            if n:
                out[f'NE/{name}'] = float(self.error_sum[sel].sum() / n)
                out[f'count/{name}'] = n
        out['count'] = total
        out['images'] = int(self.scored.sum())
        out['left_out'] = int((~self.scored).sum())
        out['invalid'] = int(self.invalid.sum())
        gross = int(self.gross_failures().sum())
        rated = int((self.count > 0).sum())
        out['gross'] = gross / rated if rated else float('nan')
        out['gross_count'] = gross
        return out


def category_indices(categories: Sequence[str]) -> np.ndarray:
    """Map category names to indices into ``CATEGORIES``."""
    lookup = {c: i for i, c in enumerate(CATEGORIES)}
    try:
        return np.array([lookup[c] for c in categories], dtype=np.int64)
    except KeyError as e:
        raise ValueError(f'unknown FashionAI category {e.args[0]!r}; '
                         f'expected one of {", ".join(CATEGORIES)}') from None


def normalized_error(pred: np.ndarray,
                     gt: np.ndarray,
                     visibility: np.ndarray,
                     category: np.ndarray,
                     pred_valid: Optional[np.ndarray] = None) -> NEResult:
    """Per-image FashionAI normalized error parts.

    Args:
        pred (np.ndarray): (N, 24, 2) predicted x, y.
        gt (np.ndarray): (N, 24, 2) ground-truth x, y.
        visibility (np.ndarray): (N, 24) raw FashionAI visibility of the
            ground truth (1 visible, 0 occluded, -1 absent).
        category (np.ndarray): (N,) category index into ``CATEGORIES``.
        pred_valid (np.ndarray, optional): (N, 24) bool, False where there is
            no prediction (missing row or ``-1`` cell). Non-finite predicted
            coordinates are treated as invalid too.

    Returns:
        NEResult: per-image error sums and counts; see
        :meth:`NEResult.summary` for the pooled NE.
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    vis = np.asarray(visibility)
    cat = np.asarray(category, dtype=np.int64)
    n = gt.shape[0]
    if pred.shape != gt.shape or gt.shape[1:] != (24, 2):
        raise ValueError(f'pred and gt must both be (N, 24, 2); got '
                         f'{pred.shape} and {gt.shape}')
    if vis.shape != (n, 24) or cat.shape != (n, ):
        raise ValueError(f'visibility must be ({n}, 24) and category ({n},);'
                         f' got {vis.shape} and {cat.shape}')
    valid = np.isfinite(pred).all(-1)
    if pred_valid is not None:
        valid &= np.asarray(pred_valid, dtype=bool)

    rows = np.arange(n)
    a, b = _NORM_IDS[cat, 0], _NORM_IDS[cat, 1]
    norm = np.linalg.norm(gt[rows, a] - gt[rows, b], axis=-1)
    scored = (vis[rows, a] != VIS_ABSENT) & (vis[rows, b] != VIS_ABSENT) & \
        (norm > 0)

    mask = (vis == VIS_VISIBLE) & scored[:, None]
    with np.errstate(invalid='ignore', divide='ignore'):
        dist = np.linalg.norm(pred - gt, axis=-1) / norm[:, None]
    dist = np.where(valid, dist, 1.0)
    err = np.where(mask, dist, 0.0)
    return NEResult(
        error_sum=err.sum(1),
        count=mask.sum(1),
        scored=scored,
        invalid=(mask & ~valid).sum(1),
        category=cat)
