"""The one interface of inference: images (files or BGR arrays), optional
boxes and optional garment categories in, one :class:`GarmentPrediction`
per image out. :class:`~.TorchGarmentPredictor` runs a PyTorch checkpoint,
:class:`~mmpose_cloth.deploy.OnnxGarmentPredictor` an ONNX file; both come
from :func:`mmpose_cloth.apis.build_predictor`."""
import time
from collections import Counter
from typing import (Iterable, List, NamedTuple, Optional, Sequence, Tuple,
                    Union)

import numpy as np

from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS
from mmpose_cloth.engine import StepTimes
from .topdown_pipeline import ImageInput, TopdownPipeline

__all__ = [
    'GarmentPrediction', 'GarmentPredictor', 'InferenceInputError',
    'ImageItem', 'check_predicted_categories', 'model_categories'
]

#: ``(image_id, category, path)``: an image to predict; the category is
#: ``None`` where it is to be predicted
ImageItem = Tuple[str, Optional[str], str]


class InferenceInputError(Exception):
    """Bad inputs to inference (no images, an unknown category, a missing
    optional package): a message for the user, not a bug."""


class GarmentPrediction(NamedTuple):
    """What a predictor says about one garment (one box of one image).

    Attributes:
        keypoints (np.ndarray): (24, 2) FashionAI keypoints in image pixels,
            NaN where the model predicts none.
        scores (np.ndarray): (24,) the keypoint head's scores (heatmap
            maxima; not masked by category), NaN where not predicted.
        bbox (np.ndarray): (4,) float32 xyxy, the box the keypoints were
            predicted in: the one given, else the whole image as the dataset
            crops it (:func:`~.whole_image_bbox`).
        category (str | None): the given category, else the predicted one;
            ``None`` when neither (no category given to a model without a
            category head).
        category_source (str | None): ``'given'``, ``'predicted'`` or
            ``None``.
        category_scores (np.ndarray | None): (5,) garment-category
            probabilities in ``CATEGORIES`` order from a model with a
            category head (also where the category was given), else
            ``None``.
    """
    keypoints: np.ndarray
    scores: np.ndarray
    bbox: np.ndarray
    category: Optional[str]
    category_source: Optional[str]
    category_scores: Optional[np.ndarray]


#: the raw outputs of one forward pass over B samples: keypoints (B, 24, 2),
#: scores (B, 24), category probabilities (B, 5) or ``None``
BatchOutputs = Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]


def model_categories(keypoint_ids: Iterable[int]) -> List[str]:
    """The categories all of whose keypoints a model predicts: all five
    for a 24-keypoint model, one for a per-category model (e.g. a skirt
    model's 4).

    Args:
        keypoint_ids (Iterable[int]): the FashionAI keypoints the model
            predicts (indices among the 24).
    """
    predicted = set(int(k) for k in keypoint_ids)
    return [c for c in CATEGORIES if set(CATEGORY_KEYPOINTS[c]) <= predicted]


def category_examples(items: Sequence[ImageItem],
                      categories: Sequence[str]) -> str:
    """``1 blouse (e.g. b.jpg), 3 dress (e.g. a.jpg)`` for the items of
    ``categories``."""
    counts = Counter(c for _, c, _ in items if c in categories)
    first = {}
    for _, c, path in items:
        first.setdefault(c, path)
    return ', '.join(f'{counts[c]} {c} (e.g. {first[c]})'
                     for c in CATEGORIES if counts[c])


def check_predicted_categories(items: Sequence[ImageItem],
                               keypoint_ids: Iterable[int],
                               model: str = 'the model') -> None:
    """Stop before predicting anything if an image's category has
    keypoints the model does not predict (a checkpoint trained for one
    category used on images of another). Images whose category is to be
    predicted (``None``) pass: a model that predicts the category predicts
    all 24 keypoints.

    Args:
        items (Sequence[tuple]): ``(image_id, category, path)``.
        keypoint_ids (Iterable[int]): the FashionAI keypoints the model
            predicts (indices among the 24).
        model (str): the checkpoint, to name in the message.

    Raises:
        InferenceInputError: naming the checkpoint's category, the images'
            categories and a file of each.
    """
    ids = list(keypoint_ids)
    covered = model_categories(ids)
    wrong = sorted({c for _, c, _ in items
                    if c is not None and c not in covered},
                   key=CATEGORIES.index)
    if not wrong:
        return
    trained = (f'the keypoints of {" and ".join(covered)} only '
               f'({len(ids)} of the 24)') if covered else \
        f'{len(ids)} keypoints that make up no whole category'
    raise InferenceInputError(
        f'{model} predicts {trained}, but the images are of another '
        f'category: {category_examples(items, wrong)}. Use a checkpoint '
        f'trained for {" and ".join(wrong)} (or for all 24 keypoints), or '
        f'give this one images of {" and ".join(covered) or "its keypoints"}'
        ' (check --category, the test list or the Images/<category>/ '
        'folders)')


def _describe(image: ImageInput, index: int) -> str:
    """How an image is named in messages: its file, or its place."""
    if isinstance(image, np.ndarray):
        return f'image {index} (an array)'
    return str(image)


def _per_image(value, n: int, what: str) -> list:
    """``None`` -> n ``None``; a sequence of n -> a list."""
    if value is None:
        return [None] * n
    value = list(value)
    if len(value) != n:
        raise InferenceInputError(f'{len(value)} {what} for {n} images')
    return value


class GarmentPredictor:
    """A model that predicts FashionAI keypoints in images: the interface
    every inference caller uses (``tools/infer.py``, videos, the demo, the
    ONNX parity check, the speed benchmark).

    Subclasses run the network (:meth:`_forward`); this class takes the
    inputs, runs the model's test pipeline on each box, batches, and gives
    the category: the given one wins over a predicted one.

    Args:
        pipeline (TopdownPipeline): the model's test pipeline.
        keypoint_ids (np.ndarray): (K,) the FashionAI keypoints the model
            predicts (indices among the 24).
        predicts_category (bool): whether it predicts the garment category
            (a model with a category head); without it every image needs
            its category given.
        device (str): where it runs, in words (``cpu``, ``CPU (ONNX
            Runtime)``).
        name (str): what to call it in messages (the checkpoint file).
        batch_times (StepTimes, optional): collects the seconds of every
            forward batch (a compiled model compiles in the first one);
            ``None``: not timed.
    """

    def __init__(self,
                 pipeline: TopdownPipeline,
                 keypoint_ids: np.ndarray,
                 predicts_category: bool,
                 device: str,
                 name: str = 'the model',
                 batch_times: Optional[StepTimes] = None):
        self.pipeline = pipeline
        self.keypoint_ids = np.asarray(keypoint_ids)
        self.predicts_category = predicts_category
        self.device = device
        self.name = name
        self.batch_times = batch_times

    def predict(self,
                images: Union[ImageInput, Sequence[ImageInput]],
                boxes: Optional[Sequence[Optional[np.ndarray]]] = None,
                categories: Union[str, Sequence[Optional[str]],
                                  None] = None,
                batch_size: int = 16) -> List[GarmentPrediction]:
        """Predict the garment in each image (or box).

        Args:
            images (str | np.ndarray | Sequence): N image files or (H, W, 3)
                BGR arrays (as ``cv2.imread`` gives them), or one (N, H, W,
                3) array; one image alone is taken as a list of one. An
                image may appear more than once, with different boxes.
            boxes (Sequence[np.ndarray | None], optional): one (4,) xyxy
                box per image; the whole image where ``None`` (default).
            categories (str | Sequence[str | None], optional): one garment
                category for all images, or one per image; ``None`` (for
                all or an image): the model predicts it, if it can.
            batch_size (int): boxes per forward pass.

        Returns:
            list[GarmentPrediction]: one per image, in order.

        Raises:
            InferenceInputError: an unknown category, one whose keypoints
                the model does not predict, or lengths that do not match.
        """
        if isinstance(images, str) or hasattr(images, '__fspath__') or (
                isinstance(images, np.ndarray) and images.ndim < 4):
            images = [images]
        images = list(images)  # an (N, H, W, 3) array: N images
        n = len(images)
        boxes = _per_image(boxes, n, 'boxes')
        categories = [categories] * n if isinstance(categories, str) \
            else _per_image(categories, n, 'categories')
        unknown = sorted({c for c in categories
                          if c is not None and c not in CATEGORIES})
        if unknown:
            raise InferenceInputError(
                f'unknown garment category {unknown[0]!r}; the categories '
                f'are {", ".join(CATEGORIES)}')
        check_predicted_categories(
            [(str(i), c, _describe(im, i))
             for i, (im, c) in enumerate(zip(images, categories))],
            self.keypoint_ids, self.name)
        if batch_size < 1:
            raise InferenceInputError(f'batch size {batch_size}: must be '
                                      'at least 1')
        out: List[GarmentPrediction] = []
        for s in range(0, n, batch_size):
            e = min(s + batch_size, n)
            t0 = time.perf_counter()
            samples, used = [], []
            for image, box, category in zip(images[s:e], boxes[s:e],
                                            categories[s:e]):
                sample, bbox = self.pipeline(image, box, category)
                samples.append(sample)
                used.append(bbox)
            kpts, scores, probs = self._forward(samples)
            if self.batch_times is not None:
                self.batch_times.add(time.perf_counter() - t0)
            for j in range(e - s):
                out.append(self._prediction(
                    kpts[j], scores[j], used[j], categories[s + j],
                    None if probs is None else probs[j]))
        return out

    @staticmethod
    def _prediction(keypoints: np.ndarray, scores: np.ndarray,
                    bbox: np.ndarray, given: Optional[str],
                    probs: Optional[np.ndarray]) -> GarmentPrediction:
        if given is not None:
            category, source = given, 'given'
        elif probs is not None:
            category = CATEGORIES[int(np.argmax(probs))]
            source = 'predicted'
        else:
            category = source = None
        return GarmentPrediction(keypoints, scores, bbox, category, source,
                                 probs)

    def _forward(self, samples: List[dict]) -> BatchOutputs:
        """Run the network on B samples of :attr:`pipeline`.

        Returns:
            tuple: keypoints (B, 24, 2) in image pixels and scores (B, 24),
            NaN where the model predicts none, and the (B, 5) category
            probabilities or ``None`` (a model without a category head).
        """
        raise NotImplementedError
