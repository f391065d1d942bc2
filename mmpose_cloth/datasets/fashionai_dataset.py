"""FashionAI Key Points Detection dataset, COCO style."""
import logging
from typing import Any, Callable, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.logging import print_log

from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from fashionai_format.image_check import verify_image
from fashionai_format.metainfo import fashionai_metainfo
from fashionai_format.schema import (category_keypoint_names, check_category,
                                     keypoint_indices)

BAD_IMAGE_MODES = ('error', 'skip')


class BadImageError(ValueError):
    """An image of a :class:`FashionAIDataset` is missing or cannot be
    decoded. The message names the file, the reason and the fix.

    It takes a single message argument, so that a DataLoader worker can
    re-raise it in the main process with its type intact.

    Attributes:
        path (str | None): the image file.
        reason (str | None): why it cannot be used.
    """

    def __init__(self, message: str, path: Optional[str] = None,
                 reason: Optional[str] = None):
        super().__init__(message)
        self.path = path
        self.reason = reason


def image_problem(path: str) -> Optional[str]:
    """Why the image at ``path`` cannot be loaded, or ``None`` if it loads.

    Decodes the file as training does (OpenCV, BGR); used only after loading
    failed, to tell a bad image from a failing transform.
    """
    if '://' in str(path):
        return None  # a remote file: nothing to check locally
    try:
        verify_image(path)
    except FileNotFoundError:
        return 'file not found'
    except ValueError as e:
        # verify_image ends its messages with ': <path>'; keep the reason
        return str(e).rsplit(': ', 1)[0]
    return None


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
    names, skeleton) is derived from :mod:`fashionai_format.schema`.

    The annotation file is COCO keypoint JSON written by
    ``tools/dataset_converters/fashionai2coco.py``; ``data_root`` is the
    FashionAI split folder (the one holding ``Images/``).

    An image that is missing or cannot be decoded when a sample is loaded
    (deleted after conversion, a partial download, a truncated file) is
    handled as ``bad_image`` says:

    * ``'error'`` (default): raise :class:`BadImageError`, naming the file,
      the reason, its annotation (CSV line) and the fix, instead of a
      traceback from inside OpenCV or mmcv.
    * ``'skip'``: log a warning (once per file and process), count it in
      :attr:`bad_image_count` and return another, random sample, through
      MMEngine's refetch (at most ``max_refetch`` tries). Only in training:
      in ``test_mode`` a bad image always raises, since evaluating without
      an image would change the score silently.

    Either way a failure whose image decodes fine (a bug in a transform) is
    never skipped: it is raised as it is, with a note naming the image.
    Grayscale, CMYK and PNG data in a ``.jpg`` file load fine, as 3-channel
    BGR like any other image. Converting with ``--verify`` finds all such
    files before training.

    Args:
        ann_file (str): annotation file path. Default: ''.
        category (str, optional): one garment category (``'blouse'``,
            ``'outwear'``, ``'dress'``, ``'skirt'`` or ``'trousers'``), or
            ``None`` for all five with all 24 keypoints. Default: ``None``.
        metainfo (dict, optional): override the derived metainfo; its
            keypoint names must be FashionAI names (and exactly the
            category's, when ``category`` is given). Default: ``None``.
        bad_image (str): ``'error'`` or ``'skip'``: what an image that is
            missing or cannot be decoded gets (see above). Default:
            ``'error'``.
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
                 max_refetch: int = 1000,
                 bad_image: str = 'error'):
        self.category = None if category is None else \
            check_category(category)
        if bad_image not in BAD_IMAGE_MODES:
            raise ValueError(f"{type(self).__name__}: bad_image must be "
                             f"'error' or 'skip', got {bad_image!r}")
        self.bad_image = bad_image
        # Shared memory, so that skips in DataLoader worker processes are
        # counted where the dataset was built.
        self._bad_image_count = torch.zeros(1, dtype=torch.int64)
        self._bad_image_count.share_memory_()
        self._warned_bad_images = set()
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
    def bad_image_count(self) -> int:
        """How many times a bad image was skipped (``bad_image='skip'``),
        summed over DataLoader worker processes; an image met in several
        epochs counts each time."""
        return int(self._bad_image_count.item())

    def prepare_data(self, idx: int) -> Any:
        """Run the pipeline on sample ``idx``; handle a bad image as
        ``bad_image`` says.

        Returns:
            Any: the pipeline's output, or ``None`` (training with
            ``bad_image='skip'``: MMEngine then fetches another sample).
        """
        try:
            return super().prepare_data(idx)
        except Exception as e:
            try:
                info = self.get_data_info(idx)
            except Exception:
                raise e from None
            path = info.get('img_path')
            reason = image_problem(path) if path else None
            if reason is None:
                if path:
                    e.add_note(f'{type(self).__name__}: while loading sample '
                               f'{idx}, image {path}')
                raise
            raw = info.get('raw_ann_info') or {}
            where = f'image {path}'
            if raw.get('line'):
                where += (f' (annotation line {raw["line"]}, '
                          f'{raw.get("fashionai_image_id", "")})')
            if self.bad_image == 'skip' and not self.test_mode:
                self._bad_image_count += 1
                if path not in self._warned_bad_images:
                    self._warned_bad_images.add(path)
                    print_log(
                        f'{type(self).__name__}: skipped {where}: {reason}. '
                        f'Skipped {self.bad_image_count} time(s) so far '
                        "(bad_image='skip').",
                        logger='current', level=logging.WARNING)
                return None
            if self.test_mode:
                fix = ('Evaluation cannot skip images (the score would '
                       'leave it out silently): restore the file or '
                       'reconvert without it')
            else:
                fix = ("Restore the file, or reconvert the annotations with "
                       "tools/dataset_converters/fashionai2coco.py --verify "
                       "to leave out such images, or set bad_image='skip' "
                       'in the dataset config to skip them during training')
            raise BadImageError(
                f'{type(self).__name__}: cannot load {where}: {reason}. '
                f'{fix}.', path=path, reason=reason) from None

    @property
    def keypoint_ids(self) -> np.ndarray:
        """(K,) indices into the 24 FashionAI keypoints of this dataset's
        keypoints, taken from the metainfo names."""
        id2name = self.metainfo['keypoint_id2name']
        names = [id2name[i] for i in range(len(id2name))]
        ids = keypoint_indices(
            names, source=f'{type(self).__name__}: metainfo keypoints')
        if self.category is not None and \
                tuple(names) != category_keypoint_names(self.category):
            raise ValueError(
                f"{type(self).__name__}(category='{self.category}') needs "
                f'metainfo with exactly the {self.category} keypoints '
                f'{list(category_keypoint_names(self.category))}; got '
                f'{names}. Leave metainfo unset to derive it.')
        return np.array(ids)

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
