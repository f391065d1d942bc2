"""A model's test pipeline on one image (a file or a BGR array) and one
box, as validation and testing see it."""
import os
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from PIL import Image

from fashionai_format.schema import category_id

__all__ = ['ImageInput', 'TopdownPipeline', 'whole_image_bbox']

#: an image file, or an image as ``cv2.imread`` gives it (H, W, 3) BGR uint8
ImageInput = Union[str, os.PathLike, np.ndarray]

_LOADERS = ('LoadImage', 'LoadImageFromFile')


def whole_image_bbox(width: int, height: int) -> np.ndarray:
    """The box a whole image is seen through in validation and testing.

    The converter writes the COCO box ``[0, 0, w, h]`` (x, y, width,
    height), and MMPose's COCO-style datasets (``parse_data_info``) clip its
    far corner to the last pixel, ``x2 = min(x + w, w - 1)``: so
    ``tools/test.py`` crops ``[0, 0, w - 1, h - 1]``. Inference uses the
    same box, so that a submission is exactly what validation measured
    (``tests/tools/test_infer.py::
    test_submission_scores_what_validation_measured``).

    Args:
        width (int): image width in pixels.
        height (int): image height in pixels.

    Returns:
        np.ndarray: (4,) float32 xyxy box.
    """
    return np.array([0, 0, width - 1, height - 1], dtype=np.float32)


class TopdownPipeline:
    """A top-down test pipeline (``LoadImage``, ``GetBBoxCenterScale``,
    ``TopdownAffine``, ..., ``PackPoseInputs``; or a ``tta_pipeline``),
    built once, run on one image and one box.

    Without a box the whole image is the box (:func:`whole_image_bbox`, as
    the dataset makes it), measured on the image as loaded (the pipeline's
    first step, ``LoadImage``), so that it matches what the model sees also
    where EXIF orientation turns the image. An array goes through the same
    ``LoadImage`` step, which takes an image already in memory as it is.

    Args:
        pipeline_cfg (Sequence[dict]): the transforms' configs.
        meta (dict, optional): dataset metainfo added to every sample (the
            PyTorch model's flip test reads its flip indices there).
        scope (str): the registry scope the transforms are built in
            (MMPose's, whatever scope a detector left as the default).
    """

    def __init__(self,
                 pipeline_cfg: Sequence[dict],
                 meta: Optional[dict] = None,
                 scope: str = 'mmpose'):
        steps = list(pipeline_cfg)
        self.loads = bool(steps) and \
            steps[0]['type'].split('.')[-1] in _LOADERS
        with DefaultScope.overwrite_default_scope(scope):
            self._load = Compose(steps[:1]) if self.loads else None
            self._rest = Compose(steps[1:] if self.loads else steps)
        self.meta = meta

    def __call__(self, image: ImageInput,
                 bbox: Optional[np.ndarray] = None,
                 category: Optional[str] = None) -> Tuple[dict, np.ndarray]:
        """The model's input for one box of one image.

        Args:
            image (str | PathLike | np.ndarray): an image file, or an
                (H, W, 3) BGR array.
            bbox (np.ndarray, optional): a (4,) xyxy box; the whole image
                by default.
            category (str, optional): the garment category, where known:
                the sample's ``category_id`` meta key, as the dataset gives
                it in testing, so that a category-conditioned model (and
                its crop stage) predicts that garment.

        Returns:
            tuple: the pipeline's output (one sample) and the (4,) float32
            xyxy box it was cropped from.
        """
        if isinstance(image, np.ndarray):
            data = dict(img=image)
        else:
            data = dict(img_path=os.fspath(image))
        if self._load is not None:
            data = self._load(data)
        if bbox is not None:
            box = np.asarray(bbox, np.float32).reshape(4)
        elif 'img' in data:
            h, w = data['img'].shape[:2]
            box = whole_image_bbox(w, h)
        else:  # a pipeline that does not load the image itself
            with Image.open(data['img_path']) as im:
                box = whole_image_bbox(*im.size)
        data['bbox'] = box[None].copy()  # the transforms may change it
        data['bbox_score'] = np.ones(1, dtype=np.float32)
        if category is not None:
            data['category_id'] = category_id(category)
        if self.meta:
            data.update(self.meta)
        return self._rest(data), box
