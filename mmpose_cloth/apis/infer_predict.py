"""Inference, step 2 of 3 (plan, predict, write): garment boxes from an
optional MMDetection detector, then keypoints for every box, batch by
batch."""
from typing import Iterator, List, NamedTuple, Optional, Sequence

import numpy as np
from mmengine.registry import DefaultScope
from mmpose.evaluation.functional import nms

from mmpose_cloth.predictors import (GarmentPrediction, GarmentPredictor,
                                     ImageItem, InferenceInputError,
                                     check_predicted_categories)

__all__ = ['ImagePrediction', 'load_detector', 'detect_boxes',
           'predict_images']


class ImagePrediction(NamedTuple):
    """The predictions for one image: one instance per box.

    Attributes:
        item (tuple): ``(image_id, category, path)``.
        instances (list[GarmentPrediction]): per box, the best first.
        box_scores (list[float]): per box, 1 for the whole image.
        detected (bool | None): whether the detector found boxes (``None``
            without a detector).
    """
    item: ImageItem
    instances: List[GarmentPrediction]
    box_scores: List[float]
    detected: Optional[bool] = None


def load_detector(config: str, checkpoint: str, device: str):
    """An MMDetection model (``mmdet.apis.init_detector``).

    Raises:
        InferenceInputError: MMDetection is not installed.
    """
    try:
        from mmdet.apis import init_detector  # optional
    except ImportError as e:
        raise InferenceInputError(
            f'--det-config needs MMDetection (mmdet 3.x): {e}')
    return init_detector(config, checkpoint, device=device)


def detect_boxes(detector,
                 paths: Sequence[str],
                 bbox_thr: float = 0.3,
                 cat_ids: Optional[Sequence[int]] = None,
                 nms_thr: float = 0.3) -> List[np.ndarray]:
    """Garment boxes per image: (M, 5) xyxy + score, best first, those
    above ``bbox_thr`` of the classes ``cat_ids`` (all by default) after an
    NMS over all kept classes at ``nms_thr``; M=0 where nothing is
    found."""
    from mmdet.apis import inference_detector  # optional
    with DefaultScope.overwrite_default_scope(
            detector.cfg.get('default_scope', 'mmdet')):
        results = inference_detector(detector, paths)
    out = []
    for res in results:
        inst = res.pred_instances.cpu().numpy()
        keep = inst.scores > bbox_thr
        if cat_ids is not None:
            keep &= np.isin(inst.labels, cat_ids)
        dets = np.concatenate([inst.bboxes[keep], inst.scores[keep, None]],
                              axis=1).astype(np.float32)
        if len(dets):
            dets = dets[nms(dets, nms_thr)]
            dets = dets[np.argsort(-dets[:, 4])]
        out.append(dets)
    return out


def _predict_chunk(predictor: GarmentPredictor, chunk: Sequence[ImageItem],
                   dets: Sequence[np.ndarray], batch_size: int,
                   with_detector: bool) -> List[ImagePrediction]:
    # one entry per box (a whole-image box where none was found)
    paths: List[str] = []
    boxes: List[Optional[np.ndarray]] = []
    categories: List[Optional[str]] = []
    box_scores: List[float] = []
    owner: List[int] = []
    for i, ((_, cat, p), d) in enumerate(zip(chunk, dets)):
        n = max(1, len(d))
        paths += [p] * n
        categories += [cat] * n
        owner += [i] * n
        if len(d):
            boxes += list(d[:, :4])
            box_scores += [float(s) for s in d[:, 4]]
        else:
            boxes.append(None)
            box_scores.append(1.0)
    preds = predictor.predict(paths, boxes, categories, batch_size)
    out = []
    for i, item in enumerate(chunk):
        idx = [j for j, o in enumerate(owner) if o == i]
        out.append(ImagePrediction(
            item=item,
            instances=[preds[j] for j in idx],
            box_scores=[box_scores[j] for j in idx],
            detected=bool(len(dets[i])) if with_detector else None))
    return out


def predict_images(items: Sequence[ImageItem],
                   predictor: GarmentPredictor,
                   batch_size: int = 16,
                   detector=None,
                   bbox_thr: float = 0.3,
                   cat_ids: Optional[Sequence[int]] = None,
                   nms_thr: float = 0.3) -> Iterator[List[ImagePrediction]]:
    """Predict the items ``batch_size`` images at a time (one detector
    call per batch, then forward passes of at most ``batch_size`` boxes);
    yield each batch's predictions, in the items' order.

    Without a detector every box is the whole image. An item's category is
    given to the predictor (``None``: predicted).

    Raises:
        InferenceInputError: at once, before anything is predicted, if an
            item's category has keypoints the model does not predict
            (:func:`~mmpose_cloth.predictors.check_predicted_categories`).
    """
    check_predicted_categories(items, predictor.keypoint_ids, predictor.name)
    return _predict_images(items, predictor, batch_size, detector, bbox_thr,
                           cat_ids, nms_thr)


def _predict_images(items, predictor, batch_size, detector, bbox_thr,
                    cat_ids, nms_thr) -> Iterator[List[ImagePrediction]]:
    for s in range(0, len(items), batch_size):
        chunk = items[s:s + batch_size]
        paths = [p for _, _, p in chunk]
        if detector is not None:
            dets = detect_boxes(detector, paths, bbox_thr, cat_ids, nms_thr)
        else:
            dets = [np.zeros((0, 5), np.float32)] * len(chunk)
        yield _predict_chunk(predictor, chunk, dets, batch_size,
                             detector is not None)
