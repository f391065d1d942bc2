import os.path as osp

from mmengine import Config

from conftest import REPO
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                              category_keypoint_names)
from fashionai_format.metainfo import fashionai_metainfo


def test_config_file_is_the_generated_one():
    """configs/_base_/datasets/fashionai.py must be what the schema gives;
    regenerate it with tools/dataset_converters/gen_fashionai_metainfo.py."""
    path = osp.join(REPO, 'configs', '_base_', 'datasets', 'fashionai.py')
    from_file = Config.fromfile(path).dataset_info.to_dict()
    expected = fashionai_metainfo()
    # Config turns tuples into lists
    for sk in expected['skeleton_info'].values():
        sk['link'] = list(sk['link'])
    for sk in from_file['skeleton_info'].values():
        sk['link'] = list(sk['link'])
    assert from_file == expected
    # what the per-category configs read for their out_channels
    assert Config.fromfile(path).category_num_keypoints.to_dict() == {
        c: len(CATEGORY_KEYPOINTS[c]) for c in CATEGORIES}


def test_per_category_flip_indices_come_from_swap_names():
    for cat in CATEGORIES:
        meta = parse_pose_metainfo(fashionai_metainfo(cat))
        names = category_keypoint_names(cat)
        assert meta['num_keypoints'] == len(names)
        for i, j in enumerate(meta['flip_indices']):
            a, b = names[i], names[j]
            assert b == a.replace('left', 'T').replace('right', 'left') \
                .replace('T', 'right')
    skirt = parse_pose_metainfo(fashionai_metainfo('skirt'))
    assert skirt['flip_indices'] == [1, 0, 3, 2]
    assert skirt['num_skeleton_links'] == 4
