"""Inference, step 3 of 3 (plan, predict, write): ``keypoints.json``
(streamed, one prediction at a time), pictures with the keypoints drawn and
a FashionAI submission ``result.csv``.

``keypoints.json`` is ``{<header>, "keypoint_names": [24 names],
"predictions": [{"image_id", "image_path", "category", "category_source"
("given" or "predicted"), "category_confidence" (the model's probability of
that category; null from a model without a category head),
"category_scores" ({category: probability}, from a model with a category
head), "mean_keypoint_score" (over the category's keypoints), "bbox",
"bbox_score", "keypoints": 24 x [x, y] (null for keypoints the category
does not have), "keypoint_scores": 24 x score | null}, ...]}``; with a
detector each prediction also has ``"bbox_source"`` and every detected
garment in ``"instances"`` (each with its own category; the top-level
fields are the best box's).

A given category (``--category``, a test list, the ``Images/<category>/``
layout) wins over the predicted one; low confidences (a photo with no
garment in it) are written as they are, not hidden.
"""
import json
import os
import os.path as osp
from typing import List, Optional

import cv2
import mmcv
import numpy as np

from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                              KEYPOINT_NAMES, write_submission)
from mmpose_cloth.predictors import GarmentPrediction
from mmpose_cloth.visualization import draw_garment
from .infer_predict import ImagePrediction

__all__ = ['InferenceWriter', 'JsonArrayStream', 'format_instance',
           'draw_instances', 'vis_path']


def _round(a, nd=2):
    return [None if not np.isfinite(v) else round(float(v), nd) for v in a]


def format_instance(pred: GarmentPrediction, box_score: float = 1.0) -> dict:
    """One garment as JSON: its category, its box, and the 24 keypoints and
    scores (rounded; ``None`` for those the category does not have), with
    the mean score of the category's keypoints.

    Args:
        pred (GarmentPrediction): the garment; its category probabilities
            (a model with a category head) give the JSON
            ``category_scores`` and ``category_confidence``, the
            probability of its category.
        box_score (float): the box's score (1 for a whole image).

    Raises:
        ValueError: a prediction without a category (none given and none
            predicted).
    """
    cat = pred.category
    if cat is None:
        raise ValueError('no category given and none predicted')
    kpts, scores, category_scores = pred.keypoints, pred.scores, \
        pred.category_scores
    has = set(CATEGORY_KEYPOINTS[cat])
    out = dict(category=cat, category_source=pred.category_source,
               category_confidence=None)
    if category_scores is not None:
        out['category_confidence'] = round(
            float(category_scores[CATEGORIES.index(cat)]), 4)
        out['category_scores'] = {
            c: round(float(p), 4)
            for c, p in zip(CATEGORIES, category_scores)
        }
    own = [scores[k] for k in sorted(has)]
    return dict(
        out,
        mean_keypoint_score=_round([np.mean(own)], 4)[0],
        bbox=_round(pred.bbox),
        bbox_score=round(float(box_score), 4),
        keypoints=[_round(kpts[k]) if k in has else None
                   for k in range(len(KEYPOINT_NAMES))],
        keypoint_scores=[
            _round([scores[k]], 4)[0] if k in has else None
            for k in range(len(KEYPOINT_NAMES))
        ])


def draw_instances(img: np.ndarray, cat: str, instances: List[dict],
                   with_boxes: bool) -> np.ndarray:
    """The image (BGR, H x W x 3) with each instance's
    (:func:`format_instance`) keypoints, skeleton (and box) drawn, each
    with its own category's skeleton (``cat`` where an instance names
    none); a predicted category is titled with its confidence."""
    img = img.copy()
    for n, inst in enumerate(instances):
        inst_cat = inst.get('category', cat)
        title = inst_cat
        if inst.get('category_source') == 'predicted':
            title = f'{inst_cat} {inst["category_confidence"]:.2f}'

        kpts = np.array([k if k is not None else (np.nan, np.nan)
                         for k in inst['keypoints']], dtype=np.float64)
        if with_boxes:
            x1, y1, x2, y2 = (int(round(v)) for v in inst['bbox'])
            thick = max(1, round(max(img.shape[:2]) / 256))
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 200, 255), thick)
            cv2.putText(img, f'{inst["bbox_score"]:.2f}', (x1 + 3, y2 - 5),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick, (0, 200, 255),
                        thick, cv2.LINE_AA)
        img = draw_garment(img, kpts, inst_cat, title=None if n else title)
    return img


def vis_path(out_dir: str, image_id: str) -> str:
    """``OUT_DIR/vis/<image_id>`` as a ``.jpg``, kept inside ``vis``."""
    rel = osp.normpath(image_id.replace('/', os.sep)).lstrip(os.sep)
    rel = rel.replace('..' + os.sep, '')
    return osp.join(out_dir, 'vis', osp.splitext(rel)[0] + '.jpg')


class JsonArrayStream:
    """A JSON object written as it grows: ``header``'s keys, then ``key``
    holding a list whose items are written one at a time, so that a long
    run's predictions are on disk as they come; the file is valid JSON once
    :meth:`close` has run.

    Args:
        path (str): the file.
        header (dict): the leading keys (at least one).
        key (str): the list's key.
    """

    def __init__(self, path: str, header: dict, key: str):
        assert header, 'JsonArrayStream needs at least one header key'
        self._f = open(path, 'w', encoding='utf-8')
        self._f.write(json.dumps(header)[:-1] + f', {json.dumps(key)}: [\n')
        self.count = 0

    def write(self, item: dict) -> None:
        """Append one item to the list."""
        self._f.write((',\n' if self.count else '') + json.dumps(item))
        self.count += 1

    def close(self) -> None:
        """End the list and the object (idempotent)."""
        if not self._f.closed:
            self._f.write('\n]}\n')
            self._f.close()


class InferenceWriter:
    """Write predictions to ``out_dir``: ``keypoints.json`` as they come,
    pictures in ``vis/`` and, at the end, ``result.csv``.

    Args:
        out_dir (str): the folder (made if missing).
        header (dict): the JSON's leading keys (config, checkpoint, ...).
        vis (bool): draw pictures.
        vis_max (int, optional): draw at most this many.
        draw_boxes (bool): draw the boxes too (detector boxes).
        low_confidence (float): a predicted category below this
            probability makes an image low-confidence.
        low_keypoint_score (float): so does a mean keypoint score (over
            the category's keypoints) below this. The default suits
            heatmap maxima (``MSRAHeatmap``: SimpleBaseline-Lite0 at
            192x192 gave 0.46-0.96 on 40 real garments, 0.06-0.34 on four
            photos with no garment); ``MegviiHeatmap`` (CPN) adds 0.5 to
            every score, so there the category confidence is what tells.

    Attributes:
        image_ids (list[str]), categories (list[str]): those written.
        n_predicted (int): images whose category was predicted.
        low_confidence_ids (list[str]): images with a predicted category
            below ``low_confidence`` or a mean keypoint score below
            ``low_keypoint_score`` (e.g. no garment in the photo); they are
            written all the same, and :meth:`low_confidence_report` names
            them.
        n_vis (int): pictures drawn.
    """

    def __init__(self,
                 out_dir: str,
                 header: dict,
                 vis: bool = True,
                 vis_max: Optional[int] = None,
                 draw_boxes: bool = False,
                 low_confidence: float = 0.5,
                 low_keypoint_score: float = 0.35):
        os.makedirs(out_dir, exist_ok=True)
        self.out_dir = out_dir
        self.vis, self.vis_max, self.draw_boxes = vis, vis_max, draw_boxes
        self.json_path = osp.join(out_dir, 'keypoints.json')
        self.csv_path = osp.join(out_dir, 'result.csv')
        self._json = JsonArrayStream(
            self.json_path, dict(header, keypoint_names=list(KEYPOINT_NAMES)),
            'predictions')
        self.image_ids: List[str] = []
        self.categories: List[str] = []
        self._keypoints: List[np.ndarray] = []
        self.n_vis = 0
        self.low_confidence = low_confidence
        self.low_keypoint_score = low_keypoint_score
        self.n_predicted = 0
        self.low_confidence_ids: List[str] = []
        self._low_why: List[str] = []

    def _note_confidence(self, image_id: str, inst: dict) -> None:
        """Count an image (its best instance, :func:`format_instance`) as
        low-confidence if its predicted category or its mean keypoint
        score is below the thresholds."""
        why = []
        if inst['category_source'] == 'predicted':
            self.n_predicted += 1
            if inst['category_confidence'] < self.low_confidence:
                why.append(f'{inst["category"]} '
                           f'{inst["category_confidence"]:.2f}')
        score = inst['mean_keypoint_score']
        if score is None or score < self.low_keypoint_score:
            why.append('keypoints ' +
                       ('n/a' if score is None else f'{score:.2f}'))
        if why:
            self.low_confidence_ids.append(image_id)
            self._low_why.append(f'{image_id} ({", ".join(why)})')

    def low_confidence_report(self, listed: int = 3) -> str:
        """One line for the end of a run: how many images fall under the
        thresholds, and the first ``listed`` of them with their
        confidences."""
        what = (f'category confidence below {self.low_confidence} or mean '
                f'keypoint score below {self.low_keypoint_score}')
        low = self._low_why
        if not low:
            return f'no image with a {what}'
        more = f' and {len(low) - listed} more' if len(low) > listed else ''
        return (f'{len(low)} of {len(self.image_ids)} images with a {what} '
                f'(no garment in the photo?): {", ".join(low[:listed])}'
                f'{more}')

    def write(self, pred: ImagePrediction) -> None:
        """Add one image's predictions to the JSON (and its picture)."""
        image_id, _, path = pred.item
        insts = [format_instance(p, score)
                 for p, score in zip(pred.instances, pred.box_scores)]
        cat = insts[0]['category']
        self._note_confidence(image_id, insts[0])
        record = dict(image_id=image_id, image_path=osp.abspath(path),
                      **insts[0])
        if pred.detected is not None:
            record['bbox_source'] = 'detector' if pred.detected \
                else 'whole image (nothing detected)'
            record['instances'] = insts
        self._json.write(record)
        self.image_ids.append(image_id)
        self.categories.append(cat)
        self._keypoints.append(pred.instances[0].keypoints)
        if self.vis and (self.vis_max is None or self.n_vis < self.vis_max):
            # decoded as the pipeline's LoadImage does (EXIF turns too)
            img = mmcv.imread(path, backend='cv2')
            out = vis_path(self.out_dir, image_id)
            os.makedirs(osp.dirname(out), exist_ok=True)
            cv2.imwrite(out, draw_instances(img, cat, insts,
                                            self.draw_boxes),
                        [cv2.IMWRITE_JPEG_QUALITY, 90])
            self.n_vis += 1

    def close(self) -> None:
        """End ``keypoints.json`` (a valid file with what was written)."""
        self._json.close()

    def write_submission(self) -> str:
        """Write ``result.csv`` for the images written; return its path."""
        write_submission(self.csv_path, self.image_ids, self.categories,
                         np.asarray(self._keypoints))
        return self.csv_path
