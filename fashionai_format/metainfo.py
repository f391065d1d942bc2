"""MMPose dataset metainfo (``dataset_info``) derived from the schema.

``fashionai_metainfo()`` gives the 24-keypoint metainfo used when one model
covers all five categories; ``fashionai_metainfo('skirt')`` gives the 4
keypoints of one category, with the same names, so flip pairs (from the
``swap`` names) and skeletons come out right for every subset without being
written down again. ``configs/_base_/datasets/fashionai.py`` is this
function's output, written by ``tools/dataset_converters/gen_fashionai_metainfo.py``
(a test checks the two agree).
"""
from typing import Dict, Optional

from .schema import (CATEGORIES, CATEGORY_KEYPOINTS, KEYPOINT_NAMES,
                     SKELETONS, check_category, keypoint_side, swap_name)

#: BGR-free RGB colours by side, as MMPose's COCO metainfo uses them.
SIDE_COLORS: Dict[str, list] = {
    'left': [0, 255, 0],
    'right': [255, 128, 0],
    'center': [51, 153, 255],
}

PAPER_INFO = dict(
    author='Zou, Xingxing and Kong, Xiangheng and Wong, Waikeung and '
    'Wang, Congde and Liu, Yuguang and Cao, Yang',
    title='FashionAI: A Hierarchical Dataset for Fashion Understanding',
    container='CVPR Workshops',
    year='2019',
    homepage='https://tianchi.aliyun.com/competition/entrance/231648',
)


def fashionai_metainfo(category: Optional[str] = None) -> dict:
    """Build MMPose ``dataset_info`` for FashionAI.

    Args:
        category (str, optional): one garment category for its own keypoints
            only; ``None`` (default) for all 24 keypoints.

    Returns:
        dict: with ``dataset_name``, ``paper_info``, ``keypoint_info``,
        ``skeleton_info``, ``joint_weights`` and ``sigmas``, as
        :func:`mmpose.datasets.datasets.utils.parse_pose_metainfo` expects.
    """
    if category is None:
        ids = tuple(range(len(KEYPOINT_NAMES)))
        links = []
        for cat in CATEGORIES:  # union of the categories' skeletons
            links += [lk for lk in SKELETONS[cat] if lk not in links]
        name = 'fashionai'
    else:
        ids = CATEGORY_KEYPOINTS[check_category(category)]
        links = list(SKELETONS[category])
        name = f'fashionai_{category}'
    names = [KEYPOINT_NAMES[i] for i in ids]
    keypoint_info = {
        i: dict(
            name=n,
            id=i,
            color=SIDE_COLORS[keypoint_side(n)],
            type='lower' if KEYPOINT_NAMES.index(n) >= 15 else 'upper',
            swap=swap_name(n) if swap_name(n) != n else '')
        for i, n in enumerate(names)
    }
    skeleton_info = {}
    for i, (a, b) in enumerate(links):
        sides = {keypoint_side(a), keypoint_side(b)}
        side = sides.pop() if len(sides) == 1 else 'center'
        skeleton_info[i] = dict(link=(a, b), id=i, color=SIDE_COLORS[side])
    return dict(
        dataset_name=name,
        paper_info=dict(PAPER_INFO),
        keypoint_info=keypoint_info,
        skeleton_info=skeleton_info,
        joint_weights=[1.0] * len(names),
        # FashionAI has no OKS sigmas; a uniform value keeps MMPose's
        # OKS-based tools usable.
        sigmas=[0.025] * len(names),
    )
