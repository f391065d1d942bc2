"""torch.compile from MMEngine's ``compile`` setting
(mmpose_cloth.engine.compile, CompileHook): a compiled tiny model predicts
the eager model's heatmaps and keypoints (flip test on) through a real
runner's test loop, whose log gives the compile time apart from the steady
state; the setting's values and its hook in a config. One compile (CPU,
inductor with the machine's C++ compiler)."""
import glob
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import tiny_topdown_cfg
from mmpose_cloth.engine import (StepTimes, compile_options,
                                 compile_prediction, eager_prediction,
                                 with_compile_hook)

requires_compiler = pytest.mark.skipif(
    shutil.which('g++') is None and shutil.which('c++') is None,
    reason='torch.compile (inductor) on CPU needs a C++ compiler')


def _predict(model, batch):
    """(keypoints (B, K, 2), heatmaps (B, K, h, w)) of the batch, flip
    test on for the keypoints."""
    with torch.no_grad():
        kpts = np.stack([s.pred_instances.keypoints[0]
                         for s in model.test_step(batch)])
        inputs = model.data_preprocessor(batch, False)['inputs']
        heatmaps = model.head.forward(model.extract_feat(inputs))
    return kpts, heatmaps


@requires_compiler
def test_compiled_test_loop_predicts_eager_keypoints(synthetic_split,
                                                     tmp_path):
    cfg = tiny_topdown_cfg(str(tmp_path / 'work'), synthetic_split['root'],
                           synthetic_split['ann_file'],
                           synthetic_split['ann_file'], num_images=8)
    cfg.update(compile=True, log_level='INFO')
    runner = Runner.from_cfg(with_compile_hook(Config(cfg)))
    assert [h['type'] for h in runner.cfg.custom_hooks] == ['CompileHook']
    model = runner.model
    model.eval()
    batch = next(iter(runner.test_dataloader))
    want_kpts, want_heatmaps = _predict(model, batch)  # eager

    graphs = torch._dynamo.utils.counters['stats']['unique_graphs']
    runner.test()  # two batches of 4, flip test: one shape to compile
    assert 'extract_feat' in vars(model)  # compiled by the hook
    assert torch._dynamo.utils.counters['stats']['unique_graphs'] >= \
        graphs + 2  # backbone and head really went through dynamo
    got_kpts, got_heatmaps = _predict(model, batch)
    torch.testing.assert_close(got_heatmaps, want_heatmaps, rtol=1e-4,
                               atol=1e-5)
    assert np.isfinite(got_kpts).all()
    np.testing.assert_allclose(got_kpts, want_kpts, atol=1e-4)

    # the log gives the first (compiling) iteration apart from the rest
    log = open(glob.glob(osp.join(runner.log_dir, '*.log'))[0]).read()
    assert 'torch.compile (test): first iter' in log
    assert 'then ' in log.split('torch.compile (test): first iter')[-1]

    eager_prediction(model)
    assert 'extract_feat' not in vars(model)
    assert 'forward' not in vars(model.head)


def test_compile_options_read_as_mmengine_does():
    assert compile_options(None) is None and compile_options(False) is None
    assert compile_options(True) == {}
    assert compile_options(dict(mode='max-autotune')) == dict(
        mode='max-autotune')
    with pytest.raises(TypeError, match='compile=.*dict'):
        compile_options("dict(mode='max-autotune')")


def test_compile_hook_added_once_and_only_when_on():
    cfg = Config(dict(custom_hooks=[dict(type='KeypointCountCheckHook')]))
    assert with_compile_hook(cfg).custom_hooks == [
        dict(type='KeypointCountCheckHook')]
    cfg.compile = dict(backend='inductor')
    hooks = [h['type'] for h in with_compile_hook(cfg).custom_hooks]
    assert hooks == ['KeypointCountCheckHook', 'CompileHook']
    assert len(with_compile_hook(cfg).custom_hooks) == 2


def test_compile_refuses_a_model_without_the_prediction_network():
    with pytest.raises(ValueError, match='has no model.extract_feat'):
        compile_prediction(torch.nn.Linear(2, 2), {})


def test_step_times_keep_the_first_step_apart():
    times = StepTimes([30.0, 0.1, 0.3, 0.2, 15.0])  # a recompile at the end
    assert times.first == 30.0
    assert times.steady == pytest.approx(0.25)
    assert times.describe() == ('first iter 30.00 s, then 0.250 s/iter '
                                '(median of 4)')
    assert StepTimes([2.0]).describe('batch') == 'first batch 2.00 s'
