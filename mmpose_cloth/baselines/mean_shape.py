"""The guess that ignores the image: each category's mean keypoint position,
relative to the image size. A model that learns must beat it widely."""
from typing import Dict, List, Tuple

import numpy as np

from fashionai_format.coco import coco_to_records
from fashionai_format.csv_io import FashionAIRecord
from fashionai_format.schema import CATEGORIES, NUM_KEYPOINTS


def fit_mean_shape(train_coco: dict) -> Dict[str, np.ndarray]:
    """Per category, the (24, 2) mean of ``x / width`` and ``y / height``
    over the present keypoints of a COCO dict."""
    sizes = {i['file_name']: (i['width'], i['height'])
             for i in train_coco['images']}
    sums = {c: np.zeros((NUM_KEYPOINTS, 2)) for c in CATEGORIES}
    counts = {c: np.zeros((NUM_KEYPOINTS, 1)) for c in CATEGORIES}
    for r in coco_to_records(train_coco):
        wh = np.array(sizes[r.image_id], dtype=np.float64)
        present = (r.visibility >= 0)[:, None]
        sums[r.category] += np.where(present, r.keypoints / wh, 0)
        counts[r.category] += present
    return {c: sums[c] / np.maximum(counts[c], 1) for c in CATEGORIES}


def predict_mean_shape(
        means: Dict[str, np.ndarray],
        eval_coco: dict) -> Tuple[List[FashionAIRecord], np.ndarray]:
    """The eval COCO's answer records and the (N, 24, 2) mean-shape guess for
    each of them."""
    sizes = {i['file_name']: (i['width'], i['height'])
             for i in eval_coco['images']}
    answers = coco_to_records(eval_coco)
    preds = np.stack([
        means[r.category] * np.array(sizes[r.image_id]) for r in answers
    ]) if answers else np.zeros((0, NUM_KEYPOINTS, 2))
    return answers, preds
