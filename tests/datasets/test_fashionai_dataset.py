"""FashionAIDataset on the real subset through MMPose's top-down pipeline."""
import numpy as np
import pytest

import mmpose_cloth  # noqa: F401
from mmengine.registry import init_default_scope

from mmpose.registry import DATASETS
from mmpose_cloth.fashionai import CATEGORY_KEYPOINTS, KEYPOINT_NAMES

PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal', prob=1.0),
    dict(type='TopdownAffine', input_size=(96, 96)),
    dict(type='GenerateTarget',
         encoder=dict(type='MSRAHeatmap', input_size=(96, 96),
                      heatmap_size=(24, 24), sigma=2)),
    dict(type='PackPoseInputs'),
]


def build(real_coco, real_split_dir, **kwargs):
    init_default_scope('mmpose')
    cfg = dict(type='FashionAIDataset', ann_file=real_coco['paths']['all'],
               data_root=real_split_dir, data_prefix=dict(img=''))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_all_categories_24_keypoints(real_coco, real_split_dir):
    ds = build(real_coco, real_split_dir, pipeline=PIPELINE)
    assert len(ds) == 3050
    assert ds.metainfo['num_keypoints'] == 24
    info = ds.get_data_info(0)
    assert info['keypoints'].shape == (1, 24, 2)
    # absent keypoints (FashionAI v=-1) are invisible, so they carry no loss
    raw = np.array(info['raw_ann_info']['fashionai_visibility'])
    np.testing.assert_array_equal(info['keypoints_visible'][0], raw >= 0)
    sample = ds[0]
    inputs, data_sample = sample['inputs'], sample['data_samples']
    assert tuple(inputs.shape) == (3, 96, 96)
    assert data_sample.gt_fields.heatmaps.shape == (24, 24, 24)
    weights = data_sample.gt_instance_labels.keypoint_weights[0]
    # the flip swapped left and right: weights follow the swapped visibility
    flip = ds.metainfo['flip_indices']
    np.testing.assert_array_equal(
        np.asarray(weights) > 0, (raw >= 0)[flip] & (np.asarray(weights) > 0))
    assert (np.asarray(weights)[(raw < 0)[flip]] == 0).all()


@pytest.mark.parametrize('category', ['outwear', 'skirt'])
def test_one_category_keeps_its_keypoints(real_coco, real_split_dir,
                                          category):
    ds = build(real_coco, real_split_dir, category=category,
               pipeline=PIPELINE)
    k = len(CATEGORY_KEYPOINTS[category])
    assert ds.metainfo['num_keypoints'] == k
    assert len(ds) == {'outwear': 510, 'skirt': 678}[category]
    assert {ds.get_data_info(i)['category'] for i in range(len(ds))} == \
        {category}
    info = ds.get_data_info(3)
    full = np.array(info['raw_ann_info']['keypoints']).reshape(24, 3)
    np.testing.assert_allclose(info['keypoints'][0],
                               full[list(CATEGORY_KEYPOINTS[category]), :2])
    assert ds[0]['data_samples'].gt_fields.heatmaps.shape[0] == k
    names = [ds.metainfo['keypoint_id2name'][i] for i in range(k)]
    assert names == [KEYPOINT_NAMES[i] for i in CATEGORY_KEYPOINTS[category]]


def test_config_mistakes_name_the_fix(real_coco, real_split_dir):
    with pytest.raises(ValueError, match="Did you mean 'outwear'"):
        build(real_coco, real_split_dir, category='outware')
    from mmpose_cloth.fashionai import fashionai_metainfo
    with pytest.raises(ValueError, match='exactly the skirt keypoints'):
        build(real_coco, real_split_dir, category='skirt',
              metainfo=fashionai_metainfo('trousers'))
