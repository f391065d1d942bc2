"""Score a FashionAI submission against an answer file (the competition's
check), on top of :func:`normalized_error`."""
from typing import Dict, List, Sequence

import numpy as np

from fashionai_format.csv_io import FashionAIRecord, RowProblem
from fashionai_format.schema import VIS_ABSENT
from .normalized_error import category_indices, normalized_error


def evaluate_submission(gt: Sequence[FashionAIRecord],
                        pred: Sequence[FashionAIRecord],
                        pred_problems: Sequence[RowProblem] = ()) -> Dict:
    """NE of predicted rows against ground-truth rows, matched by image_id.

    Every ground-truth image is scored. Where its prediction row is missing
    (or was unreadable: ``pred_problems``), each of its visible keypoints
    counts as error 1; so does a visible keypoint predicted as ``-1_-1_-1``.
    Nothing makes the score better silently: such cases are counted in the
    result.

    Args:
        gt: the answer file's records.
        pred: the submission's readable records.
        pred_problems: the submission's unreadable rows.

    Returns:
        dict: the keys of :meth:`NEResult.summary` plus ``missing`` (images
        without a usable prediction row), ``unreadable`` (submission rows
        that could not be parsed), ``extra`` (predicted images not in the
        answers) and ``category_mismatch`` (rows whose category differs from
        the answer's; the answer's category is used).
    """
    by_id = {r.image_id: r for r in pred}
    n = len(gt)
    gt_xy = np.stack([r.keypoints for r in gt]) if n else np.zeros((0, 24, 2))
    vis = np.stack([r.visibility for r in gt]) if n else np.zeros((0, 24))
    cat = category_indices([r.category for r in gt])
    pred_xy = np.full((n, 24, 2), np.nan)
    pred_valid = np.zeros((n, 24), dtype=bool)
    missing: List[str] = []
    mismatch = 0
    for i, r in enumerate(gt):
        p = by_id.get(r.image_id)
        if p is None:
            missing.append(r.image_id)
            continue
        mismatch += p.category != r.category
        pred_xy[i] = p.keypoints
        pred_valid[i] = p.visibility != VIS_ABSENT
    gt_ids = {r.image_id for r in gt}
    result = normalized_error(pred_xy, gt_xy, vis, cat, pred_valid)
    out = result.summary()
    out.update(
        missing=len(missing),
        unreadable=len(pred_problems),
        extra=sum(1 for r in pred if r.image_id not in gt_ids),
        category_mismatch=int(mismatch))
    return out
