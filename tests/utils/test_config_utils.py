"""mmpose_cloth.utils.config: config variants (``PATH::key=value::flag``)
and the one input-size rewrite the benchmark and the ONNX export share."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config

from conftest import REPO
from mmpose_cloth.utils import (ConfigVariant, config_input_size,
                                load_config, parse_input_size,
                                set_input_size)

CPN_R50 = osp.join(REPO, 'configs', 'cpn',
                   'td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py')
SB_R18 = osp.join(REPO, 'configs', 'simplebaseline',
                  'td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py')


def test_variant_parse():
    v = ConfigVariant.parse(
        CPN_R50 + '::model.head.align_corners=False::train_cfg.max_epochs=3'
        '::amp',
        flags=('amp', 'channels-last'))
    assert v.path == CPN_R50
    assert v.overrides == {'model.head.align_corners': False,
                           'train_cfg.max_epochs': 3}
    assert v.flags == {'amp'}
    assert v.text.endswith('::amp')
    assert ConfigVariant.parse(CPN_R50) == ConfigVariant(CPN_R50, CPN_R50)
    with pytest.raises(ValueError, match="unknown variant 'amp'"):
        ConfigVariant.parse(CPN_R50 + '::amp')  # no flags allowed


def test_load_config_applies_overrides_and_size():
    cfg = load_config(CPN_R50 + '::model.head.align_corners=False')
    assert cfg.model.head.align_corners is False
    assert config_input_size(cfg) == (384, 384)
    cfg = load_config(ConfigVariant.parse(SB_R18), (64, 96))
    assert config_input_size(cfg) == (64, 96)


def _sizes(node, found):
    """Every dict holding an input_size, as (path-free) pairs."""
    if isinstance(node, dict):
        if isinstance(node.get('input_size'), (list, tuple)):
            found.append((tuple(node['input_size']),
                          tuple(node['heatmap_size'])
                          if 'heatmap_size' in node else None))
        for v in node.values():
            _sizes(v, found)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _sizes(v, found)
    return found


def test_set_input_size_changes_every_place():
    cfg = Config.fromfile(CPN_R50)
    before = _sizes(cfg.to_dict(), [])
    new = set_input_size(cfg, (128, 96))
    # the original is not changed
    assert _sizes(cfg.to_dict(), []) == before
    after = _sizes(new.to_dict(), [])
    assert len(after) == len(before) > 10
    for (size, heatmap), (old_size, old_heatmap) in zip(after, before):
        assert size == (128, 96)
        if old_heatmap is not None:  # the codec keeps its ratio (4)
            assert heatmap == (32, 24)
    # each place by name, as both former copies changed them
    assert tuple(new.input_size) == (128, 96)
    assert tuple(new.model.head.decoder.input_size) == (128, 96)
    assert tuple(new.model.head.decoder.heatmap_size) == (32, 24)
    for codec in new.codec:
        assert tuple(codec.heatmap_size) == (32, 24)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        affine = [t for t in new[key].dataset.pipeline
                  if t['type'] == 'TopdownAffine']
        assert affine and all(
            tuple(t['input_size']) == (128, 96) for t in affine), key
    target = [t for t in new.train_dataloader.dataset.pipeline
              if t['type'] == 'GenerateTarget'][0]
    assert [tuple(c['heatmap_size']) for c in target['encoder']] == \
        [(32, 24)] * 4


def test_set_input_size_needs_a_multiple_of_the_codec_ratio():
    cfg = Config.fromfile(CPN_R50)
    with pytest.raises(ValueError, match='ratio 4x4'):
        set_input_size(cfg, (130, 96))


#: heads built for the backbone's output size (in_featuremap_size)
FEATUREMAP_HEADS = [
    osp.join(REPO, 'configs', *p) for p in (
        ('rtmpose', 'rtmpose_efficientnet-lite0_1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('simcc', 'simcc_efficientnet-lite0_wo-deconv-1xb16-8e_fashionai-'
         '192x192_cpu.py'),
        ('integral_regression', 'ipr_efficientnet-lite0_dsnt-1xb16-8e_'
         'fashionai-192x192_cpu.py'))
]


@pytest.mark.parametrize('config', FEATUREMAP_HEADS,
                         ids=[osp.basename(osp.dirname(p))
                              for p in FEATUREMAP_HEADS])
def test_set_input_size_rebuilds_heads_for_the_feature_map(config):
    """SimCC, RTMPose and DSNT heads size their layers for the backbone's
    output: at another input size their in_featuremap_size follows, and
    the model predicts at the new size (a stale 6x6 fails to build or to
    run: a linear layer or a fixed heatmap grid of the wrong size)."""
    import torch
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    cfg = load_config(config, (128, 96))
    head = cfg.model.head
    assert tuple(head.in_featuremap_size) == (4, 3)  # (W, H) / 32
    if 'input_size' in head:
        assert tuple(head.input_size) == (128, 96)
    cfg.model.backbone.pop('init_cfg')
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 96, 128), None, mode='tensor')
    if isinstance(out, tuple) and out[0].shape[-1] == 2:  # DSNT: coords
        assert out[1].shape[-2:] == (24, 32)  # its heatmaps, a quarter
    else:  # SimCC x and y vectors, 2 bins per pixel
        assert out[0].shape[-1] == 256 and out[1].shape[-1] == 192
    with pytest.raises(ValueError, match='feature map ratio 32x32'):
        load_config(config, (100, 96))


def test_parse_input_size():
    assert parse_input_size('384x288') == (384, 288)
    assert parse_input_size('64X64') == (64, 64)
    for bad in ('100x100', '16x32', 'big'):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_input_size(bad)
