"""ChannelsLastHook: a config switch that trains and predicts in NHWC with
the same keypoints as the default layout."""
import copy

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import tiny_topdown_cfg


def _is_channels_last(t: torch.Tensor) -> bool:
    return t.is_contiguous(memory_format=torch.channels_last) and \
        not t.is_contiguous()


def test_channels_last_hook_trains_and_predicts_same_keypoints(
        synthetic_split, tmp_path):
    cfg = tiny_topdown_cfg(str(tmp_path / 'work'), synthetic_split['root'],
                           synthetic_split['ann_file'],
                           synthetic_split['ann_file'], max_iters=2)
    cfg['custom_hooks'] = [dict(type='ChannelsLastHook')]
    runner = Runner.from_cfg(Config(cfg))
    runner.train()
    model = runner.model
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(_is_channels_last(m.weight) for m in convs
                         if m.weight.shape[-1] > 1 or m.weight.shape[-2] > 1)
    # the weights it trained are finite and the optimizer kept stepping
    assert all(torch.isfinite(p).all() for p in model.parameters())

    # the same weights in the default layout give the same keypoints
    plain = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    assert not _is_channels_last(plain.backbone.conv1.weight)
    model.eval()
    plain.eval()
    batch = next(iter(runner.val_dataloader))
    with torch.no_grad():
        got = model.test_step(batch)
        want = plain.test_step(batch)
        feats = model.extract_feat(
            model.data_preprocessor(batch, False)['inputs'])
    assert _is_channels_last(feats[-1])  # the network really ran in NHWC
    a = np.stack([s.pred_instances.keypoints for s in got])
    b = np.stack([s.pred_instances.keypoints for s in want])
    assert a.shape == b.shape and np.isfinite(a).all()
    np.testing.assert_allclose(a, b, atol=1e-2)
