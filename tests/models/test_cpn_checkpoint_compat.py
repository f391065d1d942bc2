"""Checkpoints of the earlier single-file CPNHead keep loading.

``fixtures/cpn_head_v1_state_dict.json`` was written by that code (commit
49a9b97: GlobalNet, RefineNet and MMPose ``Bottleneck`` blocks in
``heads/cpn_head.py``): the state_dict key names, shapes and dtypes of a
tiny head and of the head of the EfficientNet-Lite0 CPU config, and the
float64 eval outputs of the tiny head after loading the values that
:func:`_old_state_dict` derives from those keys alone. No checkpoint file
is committed: the weights are regenerated from the key list.
"""
import mmpose_cloth  # noqa: F401  (compat layer first)

import json
from pathlib import Path
from typing import Dict, List

import pytest
import torch
from mmengine.config import Config
from torch import Tensor

from mmpose_cloth.models import CPNHead
from cpn_reference import PlainCPNHead

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / 'fixtures' / 'cpn_head_v1_state_dict.json'


@pytest.fixture(scope='module')
def old() -> dict:
    with open(FIXTURE) as f:
        return json.load(f)


def _layout(head: CPNHead) -> List[list]:
    return [[k, list(v.shape), str(v.dtype).replace('torch.', '')]
            for k, v in head.state_dict().items()]


def _old_state_dict(keys: List[list]) -> Dict[str, Tensor]:
    """Values for the old keys by a fixed rule (the one the fixture's
    outputs were computed with): seeded, fan-in scaled conv weights, norm
    weights in [0.5, 1.5), biases and means in [-0.5, 0.5), variances in
    [0.5, 1.5)."""
    g = torch.Generator().manual_seed(0)
    state_dict = {}
    for name, shape, dtype in keys:
        if dtype == 'int64':
            value = torch.tensor(7)
        elif name.endswith('running_var'):
            value = torch.rand(shape, generator=g, dtype=torch.float64) + 0.5
        elif len(shape) == 4:
            fan_in = shape[1] * shape[2] * shape[3]
            value = torch.randn(
                shape, generator=g, dtype=torch.float64) / fan_in**0.5
        elif name.endswith('weight'):
            value = torch.rand(shape, generator=g, dtype=torch.float64) + 0.5
        else:
            value = torch.rand(shape, generator=g, dtype=torch.float64) - 0.5
        state_dict[name] = value
    return state_dict


def test_tiny_head_has_the_old_layout(old):
    head = CPNHead(**old['tiny']['config']).double()
    assert _layout(head) == old['tiny']['keys']


@pytest.mark.parametrize('head_type', [CPNHead, PlainCPNHead])
def test_old_state_dict_loads_and_gives_the_old_outputs(old, head_type):
    """The shipped head and the plain formulation (the old code's) both
    give the old outputs."""
    tiny = old['tiny']
    head = head_type(**tiny['config']).double()
    result = head.load_state_dict(
        _old_state_dict(tiny['keys']), strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == []
    head.eval()
    g = torch.Generator().manual_seed(1)
    feats = [
        torch.randn(1, c, h, w, generator=g, dtype=torch.float64)
        for c, (h, w) in zip(tiny['config']['in_channels'],
                             tiny['feat_sizes'])
    ]
    with torch.no_grad():
        outs = head(feats)
    assert len(outs) == len(tiny['outputs'])
    for i, (out, ref) in enumerate(zip(outs, tiny['outputs'])):
        assert list(out.shape) == tiny['output_shape']
        ref = torch.tensor(ref, dtype=torch.float64).view(out.shape)
        torch.testing.assert_close(
            out, ref, rtol=1e-9, atol=1e-11, msg=lambda m: f'output {i}: {m}')


def test_config_head_has_the_old_layout(old):
    """The head of a shipped config (24 keypoints, 128 units, 1280-channel
    C5) has the old key names and shapes."""
    cfg = Config.fromfile(str(ROOT / old['lite0_config']['config']))
    head_cfg = cfg.model.head.to_dict()
    assert head_cfg.pop('type') == 'CPNHead'
    head = CPNHead(**head_cfg)
    names = [k for k, _, _ in old['tiny']['keys']]
    assert [[k, list(v.shape)] for k, v in head.state_dict().items()
            ] == [[k, s] for k, s in zip(names, old['lite0_config']['shapes'])]
