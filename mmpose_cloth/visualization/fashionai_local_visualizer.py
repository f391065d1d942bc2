"""MMPose's visualizer with one skeleton per garment category."""
import contextlib
from typing import Iterator, List, Optional

import numpy as np
from mmengine.structures import InstanceData
from mmpose.registry import VISUALIZERS
from mmpose.structures import PoseDataSample
from mmpose.visualization import PoseLocalVisualizer

from fashionai_format.schema import (CATEGORIES, CATEGORY_KEYPOINTS,
                                     SKELETONS, keypoint_indices)

__all__ = ['FashionAIPoseLocalVisualizer', 'sample_category']


def sample_category(data_sample: PoseDataSample) -> Optional[str]:
    """The garment category a data sample names, if any: its
    ``category_id`` meta key (FashionAI's COCO ids, 1-based in
    ``CATEGORIES`` order, as ``FashionAIDataset`` and ``PackPoseInputs``
    pass it on); ``None`` where it has none (``MMPoseInferencer``'s
    samples) or names no FashionAI category."""
    cid = data_sample.metainfo.get('category_id')
    try:
        cid = int(np.asarray(cid).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        return None
    return CATEGORIES[cid - 1] if 1 <= cid <= len(CATEGORIES) else None


@VISUALIZERS.register_module()
class FashionAIPoseLocalVisualizer(PoseLocalVisualizer):
    """``PoseLocalVisualizer`` that draws each garment with its own
    category's keypoints and skeleton links.

    MMPose draws one skeleton per dataset; FashionAI's 24-keypoint metainfo
    holds the union of the five categories' links, so an outwear would also
    get blouse's armpit -> top hem links. Here each instance's category is

    1. ``pred_instances.category_labels`` (index into ``CATEGORIES``), where
       the model predicted it (``GarmentPoseEstimator`` with a category
       head);
    2. else the data sample's ``category_id`` meta key (the ground truth,
       e.g. in ``tools/test.py --show-dir``; see :func:`sample_category`);
    3. else unknown: the dataset's skeleton as ``PoseLocalVisualizer``
       draws it.

    With a category, only the links of
    :data:`fashionai_format.schema.SKELETONS` ``[category]`` and the
    category's keypoints are drawn, with the metainfo's colours; the
    model's K keypoints (all 24, or one category's) are matched to the
    schema by the names in ``dataset_meta`` (``keypoint_indices``). All
    arguments are ``PoseLocalVisualizer``'s; it is the visualizer of this
    project's configs (``configs/_base_/default_runtime.py``), so
    ``tools/test.py --show-dir`` and ``MMPoseInferencer(vis_out_dir=...)``
    use it.
    """

    _sample_category: Optional[str] = None

    def add_datasample(self, name: str, image: np.ndarray,
                       data_sample: PoseDataSample, *args,
                       **kwargs) -> np.ndarray:
        """``PoseLocalVisualizer.add_datasample``, each instance drawn with
        its category's skeleton (see the class docstring).

        Args:
            name (str): the image identifier.
            image (np.ndarray): (H, W, 3) RGB image.
            data_sample (PoseDataSample): ground truth and/or predictions.
            *args, **kwargs: as for ``PoseLocalVisualizer.add_datasample``.

        Returns:
            np.ndarray: the drawn (H, W', 3) RGB image.
        """
        self._sample_category = sample_category(data_sample)
        try:
            return super().add_datasample(name, image, data_sample, *args,
                                          **kwargs)
        finally:
            self._sample_category = None

    def _instance_categories(self,
                             instances: InstanceData) -> List[Optional[str]]:
        """(N,) each instance's category, or ``None`` where unknown."""
        n = len(instances.keypoints)
        if 'category_labels' in instances:
            return [CATEGORIES[int(c)] for c in instances.category_labels]
        return [self._sample_category] * n

    @contextlib.contextmanager
    def _category_style(self, category: str) -> Iterator[None]:
        """Draw only ``category``'s keypoints and links while inside: the
        others get the colour ``None``, which ``PoseLocalVisualizer``
        skips."""
        names = self.dataset_meta['keypoint_id2name']
        ids = keypoint_indices(
            names, source=f'{type(self).__name__}: dataset_meta keypoints')
        has = set(CATEGORY_KEYPOINTS[category])
        links = {frozenset(link) for link in SKELETONS[category]}
        saved = self.kpt_color, self.link_color, self.skeleton
        kpt_color = self.kpt_color
        if kpt_color is None or isinstance(kpt_color, str):
            kpt_color = [kpt_color] * len(ids)
        link_color = self.link_color
        if link_color is not None and isinstance(link_color, str):
            link_color = [link_color] * len(self.skeleton or ())
        try:
            self.kpt_color = [
                c if k in has else None for c, k in zip(kpt_color, ids)
            ]
            if self.skeleton is not None and link_color is not None:
                keep = [
                    frozenset((names[a], names[b])) in links
                    for a, b in self.skeleton
                ]
                self.skeleton = [
                    sk for sk, k in zip(self.skeleton, keep) if k
                ]
                self.link_color = [
                    c for c, k in zip(link_color, keep) if k
                ]
            yield
        finally:
            self.kpt_color, self.link_color, self.skeleton = saved

    def _draw_instances_kpts(self,
                             image: np.ndarray,
                             instances: InstanceData,
                             kpt_thr: float = 0.3,
                             show_kpt_idx: bool = False,
                             skeleton_style: str = 'mmpose') -> np.ndarray:
        """Draw each instance's keypoints and skeleton, with its category's
        links where its category is known.

        Args:
            image (np.ndarray): (H, W, 3) RGB image.
            instances (InstanceData): N instances with ``keypoints``
                (N, K, 2) and optionally ``keypoints_visible`` (N, K) and
                ``category_labels`` (N,).
            kpt_thr (float): minimum score of a keypoint (and of both ends
                of a link) to be drawn.
            show_kpt_idx (bool): write each keypoint's index.
            skeleton_style (str): ``'mmpose'``; ``'openpose'`` (COCO
                only) is drawn as MMPose does.

        Returns:
            np.ndarray: the drawn image (RGB).
        """
        categories = [] if 'keypoints' not in instances \
            else self._instance_categories(instances)
        if (skeleton_style == 'openpose' or not any(categories)
                or not self.dataset_meta.get('keypoint_id2name')):
            return super()._draw_instances_kpts(image, instances, kpt_thr,
                                                show_kpt_idx, skeleton_style)
        for i, category in enumerate(categories):
            style = contextlib.nullcontext() if category is None \
                else self._category_style(category)
            with style:
                image = super()._draw_instances_kpts(
                    image, instances[i], kpt_thr, show_kpt_idx,
                    skeleton_style)
        return image
