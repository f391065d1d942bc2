"""FashionAIDataset through MMPose's top-down pipeline, on the real subset
in ../shared and, everywhere, on a synthetic split from the project's
generator."""
import numpy as np
import pytest

import mmpose_cloth  # noqa: F401
from mmengine.registry import init_default_scope

from mmpose.registry import DATASETS
from fashionai_format import CATEGORY_KEYPOINTS, KEYPOINT_NAMES

INPUT_SIZE = 96
PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal', prob=1.0),
    dict(type='TopdownAffine', input_size=(INPUT_SIZE, INPUT_SIZE)),
    dict(type='GenerateTarget',
         encoder=dict(type='MSRAHeatmap', input_size=(INPUT_SIZE, INPUT_SIZE),
                      heatmap_size=(24, 24), sigma=2)),
    dict(type='PackPoseInputs'),
]

#: Images per category in the real subset (outwear without the missing).
REAL_PER_CATEGORY = dict(blouse=681, dress=564, outwear=510, skirt=678,
                         trousers=617)


def _mirror(name: str) -> str:
    """The keypoint name on the other side (``cuff_left_in`` ->
    ``cuff_right_in``); a centre keypoint is its own mirror."""
    return name.replace('left', '\0').replace('right', 'left').replace(
        '\0', 'right')


def build(data, **kwargs):
    """A FashionAIDataset over ``data`` (a ``fashionai_coco``) as a whole."""
    init_default_scope('mmpose')
    cfg = dict(type='FashionAIDataset', ann_file=data['paths']['all'],
               data_root=data['split_dir'], data_prefix=dict(img=''))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def expected_counts(data):
    """(images, per-category images) the dataset must hold: the real
    subset's known numbers, or what the synthetic fixture derived from the
    generator's CSV and the deleted image."""
    if data['kind'] == 'real':
        return 3050, REAL_PER_CATEGORY
    return data['expected']['images'], data['expected']['per_category']


def test_all_categories_24_keypoints(fashionai_coco):
    ds = build(fashionai_coco, pipeline=PIPELINE)
    assert len(ds) == expected_counts(fashionai_coco)[0]
    assert ds.metainfo['num_keypoints'] == 24
    info = ds.get_data_info(0)
    assert info['keypoints'].shape == (1, 24, 2)
    # absent keypoints (FashionAI v=-1) are invisible, so they carry no loss
    raw = np.array(info['raw_ann_info']['fashionai_visibility'])
    np.testing.assert_array_equal(info['keypoints_visible'][0], raw >= 0)
    sample = ds[0]
    inputs, data_sample = sample['inputs'], sample['data_samples']
    assert tuple(inputs.shape) == (3, INPUT_SIZE, INPUT_SIZE)
    assert data_sample.gt_fields.heatmaps.shape == (24, 24, 24)
    weights = np.asarray(data_sample.gt_instance_labels.keypoint_weights[0])
    # the flip swapped left and right: weights follow the swapped visibility,
    # > 0 exactly where it says the keypoint exists (whole-image boxes keep
    # every keypoint inside the input; test_flip_swaps_the_keypoint_weights
    # checks that and the swap itself)
    flip = ds.metainfo['flip_indices']
    assert (weights[(raw < 0)[flip]] == 0).all()
    np.testing.assert_array_equal(weights > 0, (raw >= 0)[flip])


def test_flip_swaps_the_keypoint_weights(fashionai_coco):
    """After a horizontal flip a keypoint's weight is > 0 exactly where the
    swapped visibility says its mirror partner exists (and it lies inside
    the input). Left and right are usually both present, so one left
    keypoint is made absent first: otherwise a flip that forgot to swap
    would look the same."""
    ds = build(fashionai_coco, pipeline=PIPELINE)
    # mirror partners from the names, not from the metainfo under test
    flip = np.array([KEYPOINT_NAMES.index(_mirror(n)) for n in KEYPOINT_NAMES])
    assert ds.metainfo['flip_indices'] == flip.tolist()
    info = ds.get_data_info(0)
    exists = np.array(info['raw_ann_info']['fashionai_visibility']) >= 0
    pairs = [k for k in np.flatnonzero(exists & exists[flip])
             if flip[k] != k]
    assert pairs, 'the first image has no left/right pair to swap'
    left = pairs[0]
    exists[left] = False
    info['keypoints_visible'][0, left] = 0
    for transform in ds.pipeline.transforms[:-1]:  # all but packing
        info = transform(info)
    assert info['flip'] and info['flip_direction'] == 'horizontal'
    weights = np.asarray(info['keypoint_weights'][0])
    xy = info['transformed_keypoints'][0]
    inside = ((xy >= 0) & (xy < INPUT_SIZE)).all(1)
    expected = exists[flip] & inside
    # whole-image boxes keep every existing keypoint inside the input
    assert inside[exists[flip]].all()
    assert expected.sum() >= 2 and not expected[flip[left]]
    np.testing.assert_array_equal(weights > 0, expected)


@pytest.mark.parametrize('category', ['outwear', 'skirt'])
def test_one_category_keeps_its_keypoints(fashionai_coco, category):
    ds = build(fashionai_coco, category=category, pipeline=PIPELINE)
    k = len(CATEGORY_KEYPOINTS[category])
    assert ds.metainfo['num_keypoints'] == k
    assert len(ds) == expected_counts(fashionai_coco)[1][category]
    assert {ds.get_data_info(i)['category'] for i in range(len(ds))} == \
        {category}
    info = ds.get_data_info(3)
    full = np.array(info['raw_ann_info']['keypoints']).reshape(24, 3)
    np.testing.assert_allclose(info['keypoints'][0],
                               full[list(CATEGORY_KEYPOINTS[category]), :2])
    assert ds[0]['data_samples'].gt_fields.heatmaps.shape[0] == k
    names = [ds.metainfo['keypoint_id2name'][i] for i in range(k)]
    assert names == [KEYPOINT_NAMES[i] for i in CATEGORY_KEYPOINTS[category]]


def test_config_mistakes_name_the_fix(real_or_synthetic_coco):
    data = real_or_synthetic_coco
    with pytest.raises(ValueError, match="Did you mean 'outwear'"):
        build(data, category='outware')
    from fashionai_format import fashionai_metainfo
    with pytest.raises(ValueError, match='exactly the skirt keypoints'):
        build(data, category='skirt', metainfo=fashionai_metainfo('trousers'))
