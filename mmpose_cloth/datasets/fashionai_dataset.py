"""FashionAI Key Points Detection dataset, COCO style."""
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from ..fashionai.metainfo import fashionai_metainfo
from ..fashionai.schema import (KEYPOINT_NAMES, category_keypoint_names,
                                check_category)


@DATASETS.register_module()
class FashionAIDataset(BaseCocoStyleDataset):
    """FashionAI clothing keypoints (Alibaba Tianchi, 2018).

    "FashionAI: A Hierarchical Dataset for Fashion Understanding",
    CVPR Workshops'2019.

    Five garment categories share 24 keypoints; each category has a subset
    (blouse 13, outwear 14, dress 15, skirt 4, trousers 7)::

        0: neckline_left      8: waistline_right   16: waistband_right
        1: neckline_right     9: cuff_left_in      17: hemline_left
        2: center_front      10: cuff_left_out     18: hemline_right
        3: shoulder_left     11: cuff_right_in     19: crotch
        4: shoulder_right    12: cuff_right_out    20: bottom_left_in
        5: armpit_left       13: top_hem_left      21: bottom_left_out
        6: armpit_right      14: top_hem_right     22: bottom_right_in
        7: waistline_left    15: waistband_left    23: bottom_right_out

    By default one model sees all five categories with all 24 keypoints
    (those a garment lacks have ``keypoints_visible`` 0, so they carry no
    loss). With ``category='outwear'`` the dataset keeps only outwear images
    and only outwear's 14 keypoints, like the ``subset`` of MMPose's
    ``DeepFashionDataset``; the metainfo (names, flip pairs from ``swap``
    names, skeleton) is derived from :mod:`mmpose_cloth.fashionai.schema`.

    The annotation file is COCO keypoint JSON written by
    ``tools/dataset_converters/fashionai2coco.py``; ``data_root`` is the
    FashionAI split folder (the one holding ``Images/``).

    Args:
        ann_file (str): annotation file path. Default: ''.
        category (str, optional): one garment category (``'blouse'``,
            ``'outwear'``, ``'dress'``, ``'skirt'`` or ``'trousers'``), or
            ``None`` for all five with all 24 keypoints. Default: ``None``.
        metainfo (dict, optional): override the derived metainfo; its
            keypoint names must be FashionAI names (and exactly the
            category's, when ``category`` is given). Default: ``None``.
        Other arguments are those of
        :class:`mmpose.datasets.BaseCocoStyleDataset`.
    """

    METAINFO: dict = fashionai_metainfo()

    def __init__(self,
                 ann_file: str = '',
                 category: Optional[str] = None,
                 bbox_file: Optional[str] = None,
                 data_mode: str = 'topdown',
                 metainfo: Optional[dict] = None,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img=''),
                 filter_cfg: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 pipeline: List[Union[dict, Callable]] = [],
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 max_refetch: int = 1000):
        self.category = None if category is None else \
            check_category(category)
        if metainfo is None:
            metainfo = fashionai_metainfo(self.category)
        super().__init__(
            ann_file=ann_file,
            bbox_file=bbox_file,
            data_mode=data_mode,
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=data_prefix,
            filter_cfg=filter_cfg,
            indices=indices,
            serialize_data=serialize_data,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    @property
    def keypoint_ids(self) -> np.ndarray:
        """(K,) indices into the 24 FashionAI keypoints of this dataset's
        keypoints, taken from the metainfo names."""
        id2name = self.metainfo['keypoint_id2name']
        names = [id2name[i] for i in range(len(id2name))]
        unknown = [n for n in names if n not in KEYPOINT_NAMES]
        if unknown:
            raise ValueError(
                f'{type(self).__name__}: metainfo keypoints {unknown} are not '
                f'FashionAI keypoints (expected names from '
                f'mmpose_cloth.fashionai.KEYPOINT_NAMES)')
        if self.category is not None and \
                tuple(names) != category_keypoint_names(self.category):
            raise ValueError(
                f"{type(self).__name__}(category='{self.category}') needs "
                f'metainfo with exactly the {self.category} keypoints '
                f'{list(category_keypoint_names(self.category))}; got '
                f'{names}. Leave metainfo unset to derive it.')
        return np.array([KEYPOINT_NAMES.index(n) for n in names])

    def _load_annotations(self):
        self._kpt_ids = self.keypoint_ids
        instance_list, image_list = super()._load_annotations()
        if not instance_list:
            which = f" of category '{self.category}'" if self.category \
                else ''
            raise ValueError(f'{self.ann_file}: no annotated images{which} '
                             'were found')
        if self.category is not None:
            keep = {d['img_id'] for d in instance_list}
            image_list = [i for i in image_list if i['img_id'] in keep]
        return instance_list, image_list

    def parse_data_info(self, raw_data_info: dict) -> Optional[dict]:
        """Parse one instance; keep only this dataset's category and
        keypoints.

        Returns:
            dict | None: as in ``BaseCocoStyleDataset``, with
            ``keypoints`` (1, K, 2), ``keypoints_visible`` (1, K) and
            ``category`` added; ``None`` for another category's image.
        """
        ann = raw_data_info['raw_ann_info']
        if 'fashionai_visibility' not in ann or 'category' not in ann:
            raise KeyError(
                f'{self.ann_file}: annotation {ann.get("id")} lacks '
                "'fashionai_visibility'/'category'; convert the FashionAI CSV "
                'with tools/dataset_converters/fashionai2coco.py')
        if self.category is not None and ann['category'] != self.category:
            return None
        data_info = super().parse_data_info(raw_data_info)
        if data_info is None:
            return None
        ids = self._kpt_ids
        data_info['keypoints'] = data_info['keypoints'][:, ids]
        data_info['keypoints_visible'] = \
            data_info['keypoints_visible'][:, ids]
        data_info['num_keypoints'] = int(
            np.count_nonzero(data_info['keypoints_visible']))
        data_info['category'] = ann['category']
        return data_info
