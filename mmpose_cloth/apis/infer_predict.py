"""Inference, step 2 of 3 (plan, predict, write): garment boxes from an
optional MMDetection detector, then keypoints for every box, batch by
batch."""
from typing import Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .garment_predictor import GarmentPredictor
from .infer_plan import (ImageItem, InferenceInputError,
                         check_predicted_categories)

__all__ = ['ImagePrediction', 'load_detector', 'detect_boxes',
           'predict_batches']


class ImagePrediction(NamedTuple):
    """The predictions for one image: one instance per box.

    Attributes:
        item (tuple): ``(image_id, category, path)``.
        keypoints (list[np.ndarray]): per instance (24, 2) in image pixels,
            NaN where not predicted.
        scores (list[np.ndarray]): per instance (24,).
        boxes (list[np.ndarray | None]): per instance the (4,) xyxy box,
            ``None`` for the whole image.
        box_scores (list[float]): per instance, 1 for the whole image.
        detected (bool | None): whether the detector found boxes (``None``
            without a detector). The first instance is the best one.
        category_scores (list[np.ndarray | None]): per instance the (5,)
            garment-category probabilities, ``None`` from a model without a
            category head (or when not given).
    """
    item: ImageItem
    keypoints: List[np.ndarray]
    scores: List[np.ndarray]
    boxes: List[Optional[np.ndarray]]
    box_scores: List[float]
    detected: Optional[bool]
    category_scores: Optional[List[Optional[np.ndarray]]] = None


def load_detector(config: str, checkpoint: str, device: str):
    """An MMDetection model (``mmdet.apis.init_detector``).

    Raises:
        InferenceInputError: MMDetection is not installed.
    """
    try:
        from mmdet.apis import init_detector
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
    from mmdet.apis import inference_detector
    from mmengine.registry import DefaultScope
    from mmpose.evaluation.functional import nms
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
    flat_paths: List[str] = []
    flat_boxes: List[Optional[np.ndarray]] = []
    flat_scores: List[float] = []
    owner: List[int] = []
    for i, ((_, _, p), d) in enumerate(zip(chunk, dets)):
        if len(d):
            flat_paths += [p] * len(d)
            flat_boxes += list(d[:, :4])
            flat_scores += [float(s) for s in d[:, 4]]
            owner += [i] * len(d)
        else:
            flat_paths.append(p)
            flat_boxes.append(None)
            flat_scores.append(1.0)
            owner.append(i)
    results: List[Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]] = []
    for b in range(0, len(flat_paths), batch_size):
        k, sc, cat = predictor.predict_batch(flat_paths[b:b + batch_size],
                                             flat_boxes[b:b + batch_size])
        results += list(zip(k, sc, [None] * len(k) if cat is None else cat))
    out = []
    for i, item in enumerate(chunk):
        idx = [j for j, o in enumerate(owner) if o == i]
        out.append(ImagePrediction(
            item=item,
            keypoints=[results[j][0] for j in idx],
            scores=[results[j][1] for j in idx],
            boxes=[flat_boxes[j] for j in idx],
            box_scores=[flat_scores[j] for j in idx],
            detected=bool(len(dets[i])) if with_detector else None,
            category_scores=[results[j][2] for j in idx]))
    return out


def predict_batches(items: Sequence[ImageItem],
                    predictor: GarmentPredictor,
                    batch_size: int = 16,
                    detector=None,
                    bbox_thr: float = 0.3,
                    cat_ids: Optional[Sequence[int]] = None,
                    nms_thr: float = 0.3
                    ) -> Iterator[List[ImagePrediction]]:
    """Predict the items ``batch_size`` images at a time (one detector
    call per batch, then forward passes of at most ``batch_size`` boxes);
    yield each batch's predictions, in the items' order.

    Without a detector every box is the whole image.

    Raises:
        InferenceInputError: at once, before anything is predicted, if an
            item's category has keypoints the model does not predict
            (:func:`~.infer_plan.check_predicted_categories`).
    """
    check_predicted_categories(items, predictor.keypoint_ids, predictor.name)
    return _predict_batches(items, predictor, batch_size, detector,
                            bbox_thr, cat_ids, nms_thr)


def _predict_batches(items, predictor, batch_size, detector, bbox_thr,
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
