"""Top-down inference on whole garment images, in FashionAI's 24 keypoints."""
from typing import Callable, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope

from fashionai_format.schema import (CATEGORIES, NUM_KEYPOINTS,
                                     keypoint_indices)

__all__ = [
    'predict_garments', 'predict_garment_batch', 'run_test_pipeline',
    'model_keypoint_ids', 'whole_image_bbox', 'GarmentBatch',
    'predict_garment_batch_with_category', 'model_predicts_category'
]


class GarmentBatch(NamedTuple):
    """Predictions for a batch of B boxes.

    Attributes:
        keypoints (np.ndarray): (B, 24, 2) in image pixels, NaN where not
            predicted.
        scores (np.ndarray): (B, 24) the keypoint head's scores (heatmap
            maxima; not masked by category), NaN where not predicted.
        category_scores (np.ndarray | None): (B, 5) garment-category
            probabilities in ``CATEGORIES`` order; ``None`` for a model
            without a category head.
    """
    keypoints: np.ndarray
    scores: np.ndarray
    category_scores: Optional[np.ndarray]


def model_predicts_category(model) -> bool:
    """Whether ``model`` has a garment-category head
    (:class:`~mmpose_cloth.models.GarmentPoseEstimator`)."""
    return getattr(model, 'category_head', None) is not None


def model_keypoint_ids(model) -> np.ndarray:
    """(K,) indices into the 24 FashionAI keypoints of a model's K
    keypoints, by the names in its ``dataset_meta``."""
    return np.array(keypoint_indices(model.dataset_meta['keypoint_id2name'],
                                     source='model keypoints'))


def predict_garment_batch(
        model,
        image_paths: Sequence[str],
        bboxes: Optional[Sequence[np.ndarray]] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Predict FashionAI keypoints for one batch (one forward pass): the
    keypoints and scores of :func:`predict_garment_batch_with_category`.
"""
    batch = predict_garment_batch_with_category(model, image_paths, bboxes)
    return batch.keypoints, batch.scores


def predict_garment_batch_with_category(
        model,
        image_paths: Sequence[str],
        bboxes: Optional[Sequence[np.ndarray]] = None,
        pipeline: Optional[Sequence[dict]] = None,
        test_step: Optional[Callable] = None) -> GarmentBatch:
    """Predict FashionAI keypoints, and the garment category where the
    model has a category head, for one batch (one forward pass).

    Args:
        model (nn.Module): a top-down model from
            :func:`mmpose.apis.init_model`, trained on FashionAI.
        image_paths (Sequence[str]): B image files (a file may appear more
            than once, with different boxes).
        bboxes (Sequence[np.ndarray | None], optional): one (4,) xyxy box
            per image; the whole image by default (or where an entry is
            ``None``).
        pipeline (Sequence[dict], optional): the transforms; default the
            model's test pipeline (``tta_pipeline`` for test-time
            augmentation).
        test_step (Callable, optional): what predicts the collated batch;
            default ``model.test_step`` (a ``HeatmapTTAModel``'s for
            test-time augmentation and ensembles).

    Returns:
        GarmentBatch: keypoints (B, 24, 2), scores (B, 24) and
        category_scores (B, 5) or ``None``.
    """
    if pipeline is None:
        pipeline = model.cfg.test_dataloader.dataset.pipeline
    if test_step is None:
        test_step = model.test_step
    ids = model_keypoint_ids(model)
    # The pipeline's transforms are MMPose's, whatever scope a detector
    # (MMDetection) left as the default.
    with DefaultScope.overwrite_default_scope(
            model.cfg.get('default_scope', 'mmpose')):
        batch = [
            run_test_pipeline(
                pipeline, path,
                None if bboxes is None else bboxes[i], model.dataset_meta)
            for i, path in enumerate(image_paths)
        ]
    kpts = np.full((len(batch), NUM_KEYPOINTS, 2), np.nan)
    scores = np.full((len(batch), NUM_KEYPOINTS), np.nan)
    with_cat = model_predicts_category(model)
    cat_scores = np.zeros((len(batch), len(CATEGORIES))) if with_cat \
        else None
    if not batch:
        return GarmentBatch(kpts, scores, cat_scores)
    with torch.no_grad():
        results = test_step(pseudo_collate(batch))
    for j, res in enumerate(results):
        inst = res.pred_instances
        kpts[j, ids] = inst.keypoints[0]
        # the head's own scores: a given category may differ from the
        # predicted one, whose mask zeroed the others' keypoint_scores
        raw = inst.raw_keypoint_scores if 'raw_keypoint_scores' in inst \
            else inst.keypoint_scores
        scores[j, ids] = raw[0]
        if with_cat:
            cat_scores[j] = inst.category_scores[0]
    return GarmentBatch(kpts, scores, cat_scores)


def predict_garments(model,
                     image_paths: Sequence[str],
                     batch_size: int = 8,
                     bboxes: Optional[Sequence[np.ndarray]] = None,
                     progress: bool = False) -> np.ndarray:
    """Predict FashionAI keypoints for whole images, in batches.

    The model's own test pipeline (``cfg.test_dataloader.dataset.pipeline``)
    and test-time settings (flip test) are used, as in
    :func:`mmpose.apis.inference_topdown`. Only one batch of images is held
    in memory at a time.

    Args:
        model (nn.Module): a top-down model from
            :func:`mmpose.apis.init_model`, trained on FashionAI.
        image_paths (Sequence[str]): N image files.
        batch_size (int): images per forward pass.
        bboxes (Sequence[np.ndarray], optional): one (4,) xyxy box per image;
            the whole image by default.
        progress (bool): show a progress bar.

    Returns:
        np.ndarray: (N, 24, 2) keypoints in image pixels; keypoints the
        model does not predict are NaN.
    """
    out = np.full((len(image_paths), NUM_KEYPOINTS, 2), np.nan)
    starts = range(0, len(image_paths), batch_size)
    if progress:
        from tqdm import tqdm
        starts = tqdm(starts, desc='inference', unit='batch')
    for s in starts:
        e = min(s + batch_size, len(image_paths))
        out[s:e], _ = predict_garment_batch(
            model, image_paths[s:e], None if bboxes is None else bboxes[s:e])
    return out


def whole_image_bbox(width: int, height: int) -> np.ndarray:
    """The box a whole image is seen through in validation and testing.

    The converter writes the COCO box ``[0, 0, w, h]`` (x, y, width,
    height), and MMPose's COCO-style datasets (``parse_data_info``) clip its
    far corner to the last pixel, ``x2 = min(x + w, w - 1)``: so
    ``tools/test.py`` crops ``[0, 0, w - 1, h - 1]``. Inference uses the
    same box, so that a submission is exactly what validation measured
    (``tests/apis/test_one_prediction_path.py``).

    Args:
        width (int): image width in pixels.
        height (int): image height in pixels.

    Returns:
        np.ndarray: (4,) float32 xyxy box.
    """
    return np.array([0, 0, width - 1, height - 1], dtype=np.float32)


def run_test_pipeline(pipeline_cfg: Sequence[dict],
                      image_path: str,
                      bbox: Optional[np.ndarray] = None,
                      meta: Optional[dict] = None) -> dict:
    """Run a top-down test pipeline on one image and one box.

    Without a box the whole image is the box (:func:`whole_image_bbox`, as
    the dataset makes it), measured on the image as loaded (the pipeline's
    first step, ``LoadImage``), so that it matches what the model sees also
    where EXIF orientation turns the image.

    Args:
        pipeline_cfg (Sequence[dict]): the transforms' configs.
        image_path (str): the image file.
        bbox (np.ndarray, optional): a (4,) xyxy box.
        meta (dict, optional): dataset metainfo added to the data.

    Returns:
        dict: the pipeline's output.
    """
    steps = list(pipeline_cfg)
    data = dict(img_path=image_path)
    loads = bool(steps) and steps[0]['type'].split('.')[-1] in (
        'LoadImage', 'LoadImageFromFile')
    if loads:
        data = Compose(steps[:1])(data)
        steps = steps[1:]
    if bbox is not None:
        data['bbox'] = np.asarray(bbox, np.float32).reshape(1, 4)
    else:
        if loads:
            h, w = data['img'].shape[:2]
        else:
            from PIL import Image
            with Image.open(image_path) as im:
                w, h = im.size
        data['bbox'] = whole_image_bbox(w, h)[None]
    data['bbox_score'] = np.ones(1, dtype=np.float32)
    if meta:
        data.update(meta)
    return Compose(steps)(data)
