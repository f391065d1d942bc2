"""Train the crop stage: garment boxes around the keypoints."""
from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmpose.registry import TRANSFORMS
from ...structures import keypoint_bbox

__all__ = ['RandomKeypointBBox']


@TRANSFORMS.register_module()
class RandomKeypointBBox(BaseTransform):
    """With probability ``prob``, replace the whole-image box by a box around
    the garment's keypoints, with a random margin.

    The crop stage (``GarmentPoseEstimator``'s ``test_cfg['crop_stage']``)
    runs the model a second time on the box around its first prediction's
    keypoints, so that a small garment in a large frame (an outfit photo, a
    skirt under a long top) is seen at the network's full resolution. This
    transform shows the model such boxes in training: the tight box around
    the garment's keypoints (all of them that exist: visible or occluded),
    made ``aspect_ratio`` wide and grown by a margin drawn from ``margin``,
    as :func:`mmpose_cloth.structures.keypoint_bbox` makes it at test time.
    ``RandomBBoxTransform`` after it adds its shift, scale and rotation
    jitter, so the boxes are no more exact than the first pass's. The other
    samples keep the whole image, so the same model serves both passes.

    Put it before ``GetBBoxCenterScale``.

    Required Keys: ``keypoints`` (1, K, 2), ``keypoints_visible`` (1, K),
    ``bbox`` (1, 4). Modified Keys: ``bbox``.

    Args:
        prob (float): probability of the keypoint box. Default: 0.5.
        margin (tuple[float, float]): range of the margin (uniform).
            Default: ``(0.1, 0.4)``.
        aspect_ratio (float): width / height of the box (the input's).
            Default: 1.
    """

    def __init__(self,
                 prob: float = 0.5,
                 margin: Tuple[float, float] = (0.1, 0.4),
                 aspect_ratio: float = 1.0) -> None:
        super().__init__()
        if not 0 <= prob <= 1:
            raise ValueError(f'RandomKeypointBBox: prob must be in [0, 1]; '
                             f'got {prob}')
        if len(margin) != 2 or not 0 <= margin[0] <= margin[1]:
            raise ValueError(f'RandomKeypointBBox: margin must be a range '
                             f'(low, high) with 0 <= low <= high; got '
                             f'{margin}')
        self.prob = prob
        self.margin = tuple(float(m) for m in margin)
        self.aspect_ratio = aspect_ratio

    def transform(self, results: Dict) -> Optional[Dict]:
        if np.random.rand() >= self.prob:
            return results
        kpts = np.asarray(results['keypoints'], dtype=np.float64)
        exists = np.asarray(results['keypoints_visible']) > 0
        if exists.ndim == 3:  # (N, K, 1) in some MMPose versions
            exists = exists[..., 0]
        box = keypoint_bbox(kpts, exists, np.random.uniform(*self.margin),
                            self.aspect_ratio)
        if np.isfinite(box).all():
            results['bbox'] = box.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'margin={self.margin}, aspect_ratio={self.aspect_ratio})')
