"""Every config in configs/ builds, takes a training step and predicts.

Each config runs with its own pipelines and model (pretrained init_cfg off,
since no weights can be downloaded here) on a tiny synthetic FashionAI split,
so this needs neither a download nor ../shared.
"""
import glob
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from conftest import REPO
from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS
from mmpose_cloth.engine.hooks import head_keypoint_count
from mmpose.registry import DATASETS, METRICS, MODELS

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)
#: The one-category configs: ``...-<category>-384x384.py``.
PER_CATEGORY = [
    p for p in CONFIGS
    if any(osp.basename(p).endswith(f'-{c}-384x384.py') for c in CATEGORIES)
]


def _category_of(config: str) -> str:
    return osp.basename(config)[:-len('-384x384.py')].rsplit('-', 1)[1]


def _family_config(config: str) -> str:
    """The 24-keypoint config a one-category config inherits from."""
    return config.replace(f'-{_category_of(config)}-384x384.py',
                          '-384x384.py')


#: One category per family takes the training step, each category once
#: (a family's one-category configs are its 24-keypoint config but for the
#: category and the keypoint count:
#: test_per_category_config_is_its_family_config_but_the_category).
STEPPED_PER_CATEGORY = {
    p
    for i, fam in enumerate(sorted({osp.dirname(p) for p in PER_CATEGORY}))
    for p in PER_CATEGORY if osp.dirname(p) == fam
    and _category_of(p) == CATEGORIES[i % len(CATEGORIES)]
}
STEPPED = [
    p for p in CONFIGS if p not in PER_CATEGORY or p in STEPPED_PER_CATEGORY
]


#: The head comparison (docs/benchmarks.md, "Heads"): MMPose's heads on
#: the CPU recipe's ImageNet EfficientNet-Lite0 at 192x192.
HEAD_CONFIGS = [
    osp.join(REPO, 'configs', *p) for p in (
        ('cpn', 'td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('simplebaseline', 'td-hm_efficientnet-lite0_1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('rtmpose', 'rtmpose_efficientnet-lite0_1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('simcc', 'simcc_efficientnet-lite0_wo-deconv-1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('topdown_regression', 'td-reg_efficientnet-lite0_rle-1xb16-8e_'
         'fashionai-192x192_cpu.py'),
        ('integral_regression', 'ipr_efficientnet-lite0_dsnt-1xb16-8e_'
         'fashionai-192x192_cpu.py'))
]


def _no_pretrained(cfg: dict) -> None:
    for key in ('backbone', 'head'):
        if key in cfg and isinstance(cfg[key], dict):
            cfg[key].pop('init_cfg', None)


def _dataset(cfg, split, loader_key):
    ds_cfg = cfg[loader_key]['dataset']
    ds_cfg.update(data_root=split['root'], ann_file=split['ann_file'],
                  data_prefix=dict(img=''))
    ds = DATASETS.build(ds_cfg)
    return ds


def test_there_are_configs_for_every_family():
    families = {osp.basename(osp.dirname(p)) for p in CONFIGS}
    assert {'cpn', 'cpm', 'hourglass', 'simplebaseline', 'hrnet'} <= families
    names = [osp.basename(p) for p in CONFIGS]
    for needed in ('td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py',
                   'td-hm_cpn-seres50_8xb32-50e_fashionai-384x384.py',
                   'td-hm_cpn-detnet59_8xb32-50e_fashionai-384x384.py'):
        assert needed in names


def _without_targets(pipeline) -> list:
    return [t for t in pipeline if t['type'] != 'GenerateTarget']


def test_head_configs_differ_only_in_head_and_codec():
    """The head comparison's configs share everything but the head, its
    codec (the GenerateTarget step, the head's decoder) and the backbone
    levels it reads: backbone and weights, normalisation, data and
    augmentation, input size, schedule, optimizer, batch and seed."""
    cfgs = [Config.fromfile(p) for p in HEAD_CONFIGS]
    heads = [c.model.head.type for c in cfgs]
    assert heads == ['CPNHead', 'HeatmapHead', 'RTMCCHead', 'SimCCHead',
                     'RLEHead', 'DSNTHead']
    ref = cfgs[0]

    def shared(c):
        backbone = dict(c.model.backbone)
        backbone.pop('out_indices')
        return dict(
            backbone=backbone, preprocessor=c.model.data_preprocessor,
            train=_without_targets(c.train_dataloader.dataset.pipeline),
            train_loader={k: v for k, v in c.train_dataloader.items()
                          if k != 'dataset'},
            train_data={k: v for k, v in c.train_dataloader.dataset.items()
                        if k != 'pipeline'},
            val=c.val_dataloader, test=c.test_dataloader,
            evaluator=c.val_evaluator, optim=c.optim_wrapper,
            schedule=c.param_scheduler, train_cfg=c.train_cfg,
            seed=c.randomness, hooks=c.default_hooks,
            custom_hooks=c.custom_hooks)

    for path, c in zip(HEAD_CONFIGS[1:], cfgs[1:]):
        assert shared(c) == shared(ref), osp.basename(path)
        # one level, the 1280-channel stride-32 one, for every other head
        assert tuple(c.model.backbone.out_indices) == (4, )
        assert c.model.test_cfg.flip_test is True
    assert tuple(ref.model.backbone.out_indices) == (1, 2, 3, 4)
    assert ref.input_size == (192, 192)


def test_every_family_has_a_config_per_category():
    families = {osp.basename(osp.dirname(p)) for p in PER_CATEGORY}
    assert families == {'cpn', 'cpm', 'hourglass', 'simplebaseline', 'hrnet'}
    assert len(PER_CATEGORY) == len(families) * len(CATEGORIES)


def test_every_config_draws_each_garment_with_its_skeleton():
    """tools/test.py --show-dir and MMPoseInferencer build the config's
    visualizer: the one that draws each category's own skeleton."""
    for config in CONFIGS:
        assert Config.fromfile(config).visualizer.type == \
            'FashionAIPoseLocalVisualizer', config


@pytest.mark.parametrize(
    'config', PER_CATEGORY, ids=[osp.relpath(p, REPO) for p in PER_CATEGORY])
def test_per_category_out_channels_are_the_schemas(config):
    """A one-category model predicts exactly its category's keypoints: the
    number comes from the schema (through the generated
    configs/_base_/datasets/fashionai.py), not typed into the config."""
    cfg = Config.fromfile(config)
    category = cfg.category
    assert osp.basename(config).endswith(f'-{category}-384x384.py')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.category == category
    num = len(CATEGORY_KEYPOINTS[category])
    assert cfg.model.head.out_channels == num
    if cfg.model.backbone.type == 'CPM':  # its stages predict heatmaps too
        assert cfg.model.backbone.out_channels == num
        assert cfg.model.head.in_channels == num


def _flat(node, prefix: str = '') -> dict:
    """A config dict as {'model.head.out_channels': 13, ...}."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = ((f'[{i}]', v) for i, v in enumerate(node))
    else:
        return {prefix: node}
    out = {}
    for k, v in items:
        out.update(_flat(v, f'{prefix}.{k}' if prefix else str(k)))
    return out


#: What a one-category config may change in its family's config (the
#: datasets base it adds, dataset_info and category_num_keypoints, only
#: feeds these); CPM's stages predict the heatmaps, so its backbone's
#: output and its head's input are the keypoints too.
CATEGORY_KEYS = {
    'model.head.out_channels', 'model.backbone.out_channels',
    'model.head.in_channels', 'train_dataloader.dataset.category',
    'val_dataloader.dataset.category', 'test_dataloader.dataset.category'
}


@pytest.mark.parametrize(
    'config', PER_CATEGORY, ids=[osp.relpath(p, REPO) for p in PER_CATEGORY])
def test_per_category_config_is_its_family_config_but_the_category(config):
    """What the one training step of one category per family checks holds
    for the family's other categories too."""
    ignored = ('dataset_info', 'category_num_keypoints', 'category',
               'num_keypoints')

    def runtime(path):
        return _flat({
            k: v
            for k, v in Config.fromfile(path).to_dict().items()
            if k not in ignored
        })

    family, own = runtime(_family_config(config)), runtime(config)
    changed = {
        k
        for k in set(family) | set(own)
        if family.get(k, '<absent>') != own.get(k, '<absent>')
    }
    assert changed and changed <= CATEGORY_KEYS, sorted(changed -
                                                        CATEGORY_KEYS)


def test_one_category_per_family_trains_a_step():
    families = {osp.dirname(p) for p in PER_CATEGORY}
    assert len(STEPPED_PER_CATEGORY) == len(families)
    assert {_category_of(p) for p in STEPPED_PER_CATEGORY} == set(CATEGORIES)


@pytest.mark.parametrize(
    'config', STEPPED, ids=[osp.relpath(p, REPO) for p in STEPPED])
def test_config_trains_one_step_and_predicts(config, synthetic_split):
    init_default_scope('mmpose')
    torch.manual_seed(0)
    cfg = Config.fromfile(config)
    # the category models (named '-category_' or '-category-joint_': a
    # head on a frozen keypoint model, whose NE does not change, or one
    # fine-tuned onto a keypoint checkpoint, where the category is what it
    # is for) keep their best checkpoint by category accuracy; every other
    # config, the zoo recipe with its jointly trained head included, by NE
    with_category = 'category_head' in cfg.model
    by_category = with_category and any(
        f'-category{s}_' in osp.basename(config) for s in ('', '-joint'))
    assert cfg.default_hooks.checkpoint.save_best == (
        'category/accuracy' if by_category else 'fashionai/NE')
    assert cfg.default_hooks.checkpoint.rule == (
        'greater' if by_category else 'less')
    if 'cpu' not in osp.basename(config):
        # full configs keep their real ImageNet initialisation
        backbone = cfg.model.backbone
        assert 'init_cfg' in backbone or backbone.type in ('CPM',
                                                           'HourglassNet')
    _no_pretrained(cfg.model)
    model = MODELS.build(cfg.model)
    model.init_weights()

    train_ds = _dataset(cfg, synthetic_split, 'train_dataloader')
    val_ds = _dataset(cfg, synthetic_split, 'val_dataloader')
    num_kpts = train_ds.metainfo['num_keypoints']
    # out_channels, or num_joints for MMPose's regression heads
    assert head_keypoint_count(cfg.model.head)[1] == num_kpts
    batch = pseudo_collate([train_ds[0]])  # one sample: fast on CPU
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    losses = model.train_step(batch, optim_wrapper)
    # frozen: the category loss alone; jointly: both
    frozen = cfg.model.get('freeze_keypoint_model', False)
    assert ('loss_kpt' in losses) is not frozen
    assert ('loss_category' in losses) is with_category
    assert all(math.isfinite(v.item()) for v in losses.values())

    model.eval()
    with torch.no_grad():
        outputs = model.val_step(pseudo_collate([val_ds[0]]))
    assert len(outputs) == 1
    kpts = outputs[0].pred_instances.keypoints
    assert kpts.shape == (1, num_kpts, 2) and np.isfinite(kpts).all()
    evaluators = cfg.val_evaluator if isinstance(
        cfg.val_evaluator, (list, tuple)) else [cfg.val_evaluator]
    result = {}
    for ev in evaluators:
        metric = METRICS.build(ev)
        metric.dataset_meta = val_ds.metainfo
        metric.process([], [o.to_dict() for o in outputs])
        result.update(metric.evaluate(1))
    assert result['fashionai/count'] > 0
    if 'category_head' in cfg.model:
        assert result['category/images'] == 1
