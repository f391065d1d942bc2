"""Shared fixtures. Real FashionAI data is read from ../shared beside the
checkout; tests that need it skip with a reason where it is absent (as on a
user's machine)."""
import json
import os
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_SPLIT = os.environ.get(
    'FASHIONAI_TRAIN_DIR',
    osp.join(REPO, '..', 'shared', 'data', 'fashionai', 'train'))

#: What the real subset in ../shared holds (its README says so).
REAL_ROWS = 3114
REAL_IMAGES = 3050
REAL_MISSING = 64


def _has_real_data() -> bool:
    return osp.isfile(osp.join(SHARED_SPLIT, 'Annotations', 'train.csv'))


requires_real_data = pytest.mark.skipif(
    not _has_real_data(),
    reason=f'real FashionAI data not found at {osp.normpath(SHARED_SPLIT)} '
    '(set FASHIONAI_TRAIN_DIR to a FashionAI train split folder)')


@pytest.fixture(scope='session')
def real_split_dir() -> str:
    if not _has_real_data():
        pytest.skip('real FashionAI data not found at '
                    f'{osp.normpath(SHARED_SPLIT)}')
    return osp.abspath(SHARED_SPLIT)


@pytest.fixture(scope='session')
def real_coco(real_split_dir, tmp_path_factory):
    """The real subset converted once per session: (coco dict, report,
    path of the full JSON, train JSON, val JSON)."""
    from mmpose_cloth.fashionai import convert_split, split_coco
    out = tmp_path_factory.mktemp('real_coco')
    coco, report = convert_split(real_split_dir, progress=False)
    train, val = split_coco(coco, 0.15, seed=0)
    paths = {}
    for name, part in (('all', coco), ('train', train), ('val', val)):
        paths[name] = str(out / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(part, f)
    return dict(coco=coco, report=report, paths=paths, train=train, val=val)


def tiny_topdown_cfg(work_dir: str, data_root: str, train_ann: str,
                     val_ann: str, category=None, num_images: int = 8,
                     max_iters: int = 2, input_size=(64, 64)) -> dict:
    """A small SimpleBaseline-style config (ResNet-18, 64x64 input) over
    FashionAI annotations, for runner-level tests on 2 CPU cores."""
    from mmpose_cloth.fashionai import CATEGORY_KEYPOINTS, NUM_KEYPOINTS
    k = NUM_KEYPOINTS if category is None else \
        len(CATEGORY_KEYPOINTS[category])
    w, h = input_size
    codec = dict(type='MSRAHeatmap', input_size=(w, h),
                 heatmap_size=(w // 4, h // 4), sigma=2)
    train_pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomFlip', direction='horizontal'),
        dict(type='TopdownAffine', input_size=codec['input_size']),
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackPoseInputs'),
    ]
    val_pipeline = [
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=codec['input_size']),
        dict(type='PackPoseInputs'),
    ]
    ds = dict(type='FashionAIDataset', data_root=data_root, category=category,
              data_prefix=dict(img=''), indices=num_images)
    return dict(
        default_scope='mmpose',
        custom_imports=dict(imports=['mmpose_cloth'],
                            allow_failed_imports=False),
        work_dir=work_dir,
        randomness=dict(seed=0),
        model=dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(
                type='PoseDataPreprocessor', mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
            backbone=dict(type='ResNet', depth=18),
            head=dict(type='HeatmapHead', in_channels=512, out_channels=k,
                      deconv_out_channels=(32, 32, 32),
                      deconv_kernel_sizes=(4, 4, 4),
                      loss=dict(type='KeypointMSELoss',
                                use_target_weight=True),
                      decoder=codec),
            test_cfg=dict(flip_test=True, flip_mode='heatmap',
                          shift_heatmap=True)),
        train_dataloader=dict(
            batch_size=4, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(ds, ann_file=train_ann, pipeline=train_pipeline)),
        val_dataloader=dict(
            batch_size=4, num_workers=0, drop_last=False,
            sampler=dict(type='DefaultSampler', shuffle=False,
                         round_up=False),
            dataset=dict(ds, ann_file=val_ann, test_mode=True,
                         pipeline=val_pipeline)),
        test_dataloader=dict(
            batch_size=4, num_workers=0, drop_last=False,
            sampler=dict(type='DefaultSampler', shuffle=False,
                         round_up=False),
            dataset=dict(ds, ann_file=val_ann, test_mode=True,
                         pipeline=val_pipeline)),
        val_evaluator=dict(type='FashionAIMetric'),
        test_evaluator=dict(type='FashionAIMetric'),
        train_cfg=dict(by_epoch=False, max_iters=max_iters,
                       val_interval=max_iters),
        val_cfg=dict(),
        test_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=1e-3)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1,
                            by_epoch=False, save_best='fashionai/NE',
                            rule='less'),
            logger=dict(type='LoggerHook', interval=1)),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='WARNING',
    )


@pytest.fixture(scope='session')
def synthetic_split(tmp_path_factory):
    """A tiny synthetic FashionAI split (4 train images per category at
    256x256) converted to COCO: needs no download, so the tests that use it
    run everywhere."""
    from mmpose_cloth.fashionai import convert_split, generate_fashionai
    root = tmp_path_factory.mktemp('synthetic')
    generate_fashionai(str(root), num_per_category=4, test_per_category=2,
                       image_size=(256, 256), seed=0)
    coco, report = convert_split(str(root), progress=False)
    assert not report.rejects
    path = root / 'annotations.json'
    path.write_text(json.dumps(coco))
    return dict(root=str(root), ann_file=str(path), coco=coco)
