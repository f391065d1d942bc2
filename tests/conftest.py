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
    return _convert_and_split(real_split_dir,
                              tmp_path_factory.mktemp('real_coco'))


def tiny_topdown_cfg(work_dir: str, data_root: str, train_ann: str,
                     val_ann: str, category=None, num_images: int = 8,
                     max_iters: int = 2, input_size=(64, 64)) -> dict:
    """A small SimpleBaseline-style config (ResNet-18, 64x64 input) over
    FashionAI annotations, for runner-level tests on 2 CPU cores."""
    from fashionai_format import CATEGORY_KEYPOINTS, NUM_KEYPOINTS
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
        # read by MMPoseInferencer, as in the configs' base
        data_mode='topdown', dataset_type='FashionAIDataset',
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
            logger=dict(type='LoggerHook', interval=1),
            # off unless a test asks for pictures (tools/test.py --show-dir)
            visualization=dict(type='PoseVisualizationHook', enable=False)),
        visualizer=dict(type='FashionAIPoseLocalVisualizer',
                        name='visualizer',
                        vis_backends=[dict(type='LocalVisBackend')]),
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        log_level='WARNING',
    )


def load_tool(rel_path: str, name: str):
    """Import a program under ``tools/`` (not a package) as a module."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name,
                                                  osp.join(REPO, rel_path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_tiny_checkpoint(data: dict, work: str, category=None) -> dict:
    """Train :func:`tiny_topdown_cfg` for two iterations on a converted
    split (``data``: ``split_dir`` and ``paths``, as
    :func:`synthetic_coco` gives; no validation, one checkpoint without the
    optimizer: fast) and dump its config.

    Returns:
        dict: ``cfg`` (the config file) and ``ckpt`` (the checkpoint).
    """
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config(tiny_topdown_cfg(work, data['split_dir'],
                                  data['paths']['train'],
                                  data['paths']['val'], category=category))
    cfg.train_cfg.val_interval = 1000
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=2, by_epoch=False,
        save_optimizer=False, save_param_scheduler=False)
    Runner.from_cfg(cfg).train()
    cfg_path = osp.join(work, f'{category or "tiny"}.py')
    cfg.dump(cfg_path)
    return dict(cfg=cfg_path, ckpt=osp.join(work, 'iter_2.pth'))


@pytest.fixture(scope='session')
def synthetic_split(tmp_path_factory):
    """A tiny synthetic FashionAI split (4 train images per category at
    256x256) converted to COCO: needs no download, so the tests that use it
    run everywhere."""
    from fashionai_format import convert_split
    from mmpose_cloth.testing import generate_fashionai
    root = tmp_path_factory.mktemp('synthetic')
    generate_fashionai(str(root), num_per_category=4, test_per_category=2,
                       image_size=(256, 256), seed=0)
    coco, report = convert_split(str(root), progress=False)
    assert not report.rejects
    path = root / 'annotations.json'
    path.write_text(json.dumps(coco))
    return dict(root=str(root), ann_file=str(path), coco=coco)


#: Train images per category of :func:`synthetic_coco` (tiny, so cheap).
SYNTHETIC_PER_CATEGORY = 5


def _convert_and_split(split_dir: str, out) -> dict:
    """Convert a split folder, split it 85/15 (seed 0, the converter's
    ``--val-ratio 0.15 --seed 0``) and write the three JSON files (all,
    train, val) under ``out``."""
    from fashionai_format import convert_split, split_coco
    coco, report = convert_split(split_dir, progress=False)
    train, val = split_coco(coco, 0.15, seed=0)
    paths = {}
    for name, part in (('all', coco), ('train', train), ('val', val)):
        paths[name] = str(out / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(part, f)
    return dict(coco=coco, report=report, paths=paths, train=train, val=val)


@pytest.fixture(scope='session')
def synthetic_coco(tmp_path_factory):
    """A synthetic stand-in for the real subset, for machines without it.

    The project's generator writes 5 train images per category (128x128),
    then the first outwear image is deleted: like the real subset (a
    partial download), one row names an image that is not there. Converted
    and split like :func:`real_coco`.

    Returns:
        dict: the keys of :func:`real_coco`, plus ``kind`` ('synthetic'),
        ``split_dir``, ``summary`` (the generator's), ``missing`` (the
        deleted image ids) and ``expected``: ``rows``, ``images``,
        ``per_category`` and ``out_of_image``, derived from the CSV the
        generator wrote and the deleted file, not typed in.
    """
    from fashionai_format import read_annotations
    from mmpose_cloth.testing import generate_fashionai
    root = tmp_path_factory.mktemp('synthetic_split')
    summary = generate_fashionai(
        str(root), num_per_category=SYNTHETIC_PER_CATEGORY,
        test_per_category=0, image_size=(128, 128), seed=0)
    _move_one_keypoint_outside(summary['train_csv'], summary['image_size'])
    records = read_annotations(summary['train_csv']).records
    missing = [next(r.image_id for r in records if r.category == 'outwear')]
    os.remove(osp.join(str(root), missing[0]))
    kept = [r for r in records if r.image_id not in missing]
    per_category = dict(summary['train']['per_category'])
    for r in records:
        per_category[r.category] -= r.image_id in missing
    # the one keypoint moved just outside its image (the generator puts none
    # there); the converter keeps it and reports it
    out_of_image = 1
    expected = dict(rows=len(records), images=len(kept),
                    per_category=per_category, out_of_image=out_of_image,
                    visible=int(sum((r.visibility == 1).sum() for r in kept)),
                    occluded=int(sum((r.visibility == 0).sum()
                                     for r in kept)))
    assert expected['rows'] == summary['train']['images']
    out = tmp_path_factory.mktemp('synthetic_coco')
    return dict(_convert_and_split(str(root), out), kind='synthetic',
                split_dir=str(root), summary=summary, missing=missing,
                expected=expected)


def _move_one_keypoint_outside(csv_path: str, image_size) -> None:
    """Put the first visible keypoint of the last row of a generated CSV
    one pixel beyond the image's right edge (x = width), as real data has
    such a point."""
    import csv
    with open(csv_path, newline='') as f:
        rows = list(csv.reader(f))
    for i, cell in enumerate(rows[-1][2:], start=2):
        x, y, v = cell.split('_')
        if v == '1':
            assert 0 <= float(x) <= image_size[0] - 1  # none outside yet
            rows[-1][i] = f'{image_size[0]}_{y}_1'
            break
    else:
        raise AssertionError(f'{csv_path}: no visible keypoint in its last row')
    with open(csv_path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)


@pytest.fixture(params=['real', 'synthetic'])
def fashionai_coco(request):
    """The converted split of each kind in turn: the real subset (skipped
    where ../shared is absent) and :func:`synthetic_coco` (everywhere).
    Both carry ``kind`` and ``split_dir``; tests check the real subset's
    own numbers only where ``kind == 'real'``."""
    if request.param == 'synthetic':
        return request.getfixturevalue('synthetic_coco')
    real = request.getfixturevalue('real_coco')
    return dict(real, kind='real',
                split_dir=request.getfixturevalue('real_split_dir'))


@pytest.fixture(scope='session')
def real_or_synthetic_coco(request):
    """The real subset where ../shared has it, else :func:`synthetic_coco`:
    for the slow fixtures (training a model) that should run once, on the
    best data at hand. Same keys as :func:`fashionai_coco`."""
    if not _has_real_data():
        return request.getfixturevalue('synthetic_coco')
    real = request.getfixturevalue('real_coco')
    return dict(real, kind='real',
                split_dir=request.getfixturevalue('real_split_dir'))
