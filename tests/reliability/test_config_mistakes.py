"""Config mistakes fail early, with a message that names the fix."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmpose_cloth  # noqa: F401
from conftest import REPO
from mmpose.registry import DATASETS, MODELS
from reliability_helpers import narrow_cfg


def test_category_typo_in_a_config(synthetic_split, tmp_path):
    init_default_scope('mmpose')
    cfg = narrow_cfg(str(tmp_path), synthetic_split['root'],
                     synthetic_split['ann_file'], category='skirt')
    ds = dict(cfg['train_dataloader']['dataset'], category='skrit')
    with pytest.raises(ValueError, match="Did you mean 'skirt'"):
        DATASETS.build(ds)


def test_ohkm_topk_larger_than_the_keypoints():
    """The skirt config (4 keypoints) with MMPose's KeypointOHKMMSELoss and
    topk=8: refused when the head is built, naming both fixes."""
    init_default_scope('mmpose')
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'cpn',
        'td-hm_cpn-res50_8xb32-50e_fashionai-skirt-384x384.py'))
    head = cfg.model.head
    head.loss[-1] = dict(type='KeypointOHKMMSELoss', use_target_weight=True,
                         topk=8)
    with pytest.raises(ValueError) as e:
        MODELS.build(head)
    msg = str(e.value)
    assert 'KeypointOHKMMSELoss(topk=8)' in msg and 'out_channels=4' in msg
    assert 'type="OHKMMSELoss"' in msg and 'topk <= 4' in msg
    # the config as shipped (OHKMMSELoss: topk is an upper bound) builds
    MODELS.build(Config.fromfile(osp.join(
        REPO, 'configs', 'cpn',
        'td-hm_cpn-res50_8xb32-50e_fashionai-skirt-384x384.py')).model.head)


def test_head_and_dataset_keypoint_counts_differ(synthetic_split, tmp_path):
    from mmengine.runner import Runner
    cfg = narrow_cfg(str(tmp_path), synthetic_split['root'],
                     synthetic_split['ann_file'], max_iters=1, num_images=4)
    cfg['model']['head']['out_channels'] = 4  # the dataset has 24
    # as configs/_base_/default_runtime.py enables it for every config
    cfg['custom_hooks'] = [dict(type='KeypointCountCheckHook')]
    cfg['val_cfg'] = cfg['val_dataloader'] = cfg['val_evaluator'] = None
    cfg['default_hooks']['checkpoint'] = dict(type='CheckpointHook',
                                              interval=-1)
    runner = Runner.from_cfg(Config(cfg))
    with pytest.raises(ValueError, match='out_channels'):
        runner.train()


def test_regression_head_and_dataset_keypoint_counts_differ(synthetic_split,
                                                            tmp_path):
    """MMPose's regression heads (RLEHead, DSNTHead, ...) name their
    keypoint count num_joints: the check reads it there and names it."""
    from mmengine.runner import Runner
    cfg = narrow_cfg(str(tmp_path), synthetic_split['root'],
                     synthetic_split['ann_file'], max_iters=1, num_images=4)
    codec = dict(type='RegressionLabel', input_size=(64, 64))
    for t in cfg['train_dataloader']['dataset']['pipeline']:
        if t['type'] == 'GenerateTarget':
            t['encoder'] = codec
    cfg['model']['neck'] = dict(type='GlobalAveragePooling')
    cfg['model']['head'] = dict(
        type='RLEHead', in_channels=128, num_joints=4,  # the dataset has 24
        loss=dict(type='RLELoss', use_target_weight=True), decoder=codec)
    cfg['custom_hooks'] = [dict(type='KeypointCountCheckHook')]
    cfg['val_cfg'] = cfg['val_dataloader'] = cfg['val_evaluator'] = None
    cfg['default_hooks']['checkpoint'] = dict(type='CheckpointHook',
                                              interval=-1)
    runner = Runner.from_cfg(Config(cfg))
    with pytest.raises(ValueError, match=r'model\.head\.num_joints=4, but '
                       r'train_dataloader.* has 24 keypoints'):
        runner.train()
