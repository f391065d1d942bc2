"""``--compile`` on tools/test.py, tools/train.py and tools/infer.py: a
real tools/test.py run compiles (its log gives the first, compiling
iteration apart from the steady state) and scores what the eager run
scores; tools/infer.py --compile writes eager's keypoints and reports the
first batch's time; train.py's flag and ``--cfg-options compile.*`` become
MMEngine's ``cfg.compile`` with the hook. A tiny model trained for two
iterations; its compiled graphs are the same in both compiling tests."""
import glob
import json
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, load_tool, train_tiny_checkpoint

pytestmark = pytest.mark.skipif(
    shutil.which('g++') is None and shutil.which('c++') is None,
    reason='torch.compile (inductor) on CPU needs a C++ compiler')


@pytest.fixture(scope='module')
def trained(synthetic_coco, tmp_path_factory):
    return train_tiny_checkpoint(synthetic_coco,
                                 str(tmp_path_factory.mktemp('compile')))


def _test_py(trained, work, *extra):
    metrics = work / 'metrics.json'
    proc = subprocess.run([
        sys.executable, f'{REPO}/tools/test.py', trained['cfg'],
        trained['ckpt'], '--work-dir', str(work), '--out', str(metrics),
        '--cfg-options', 'log_level=INFO', *extra
    ], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(metrics.read_text()), proc.stdout + proc.stderr


def test_test_py_compile_reaches_the_runner(trained, tmp_path):
    eager, eager_log = _test_py(trained, tmp_path / 'eager')
    compiled, log = _test_py(trained, tmp_path / 'compiled', '--compile')
    assert 'torch.compile' not in eager_log
    assert 'torch.compile (test): first iter' in log  # CompileHook ran
    assert 'then ' in log.split('torch.compile (test): first iter')[-1]
    assert compiled['fashionai/count'] == eager['fashionai/count'] > 0
    assert compiled['fashionai/NE'] == pytest.approx(eager['fashionai/NE'],
                                                     abs=1e-6)


def test_infer_py_compile_writes_eager_keypoints(trained, synthetic_coco,
                                                 tmp_path, capsys):
    infer = load_tool('tools/infer.py', 'infer_tool_compile')
    images = osp.join(synthetic_coco['split_dir'], 'Images', 'skirt')
    n = len(glob.glob(osp.join(images, '*.jpg')))
    assert n % 4  # the last batch is a partial one (compiled once more)
    out = {}
    for name, extra in (('eager', []), ('compiled', ['--compile'])):
        assert infer.main([
            trained['cfg'], trained['ckpt'], images, '--category', 'skirt',
            '--batch-size', '4', '--out-dir', str(tmp_path / name),
            '--no-vis', '--device', 'cpu', *extra
        ]) == 0
        out[name] = json.loads(
            (tmp_path / name / 'keypoints.json').read_text())['predictions']
    printed = capsys.readouterr().out
    assert printed.count('torch.compile: first batch') == 1
    assert len(out['compiled']) == len(out['eager']) == n
    for a, b in zip(out['compiled'], out['eager']):
        ka = np.array([k if k else [np.nan] * 2 for k in a['keypoints']],
                      float)
        kb = np.array([k if k else [np.nan] * 2 for k in b['keypoints']],
                      float)
        np.testing.assert_allclose(ka, kb, atol=1e-4)


def test_train_py_compile_flag_and_cfg_options(monkeypatch):
    from mmengine.config import Config
    train = load_tool('tools/train.py', 'train_tool_compile')
    cfg_path = osp.join(REPO, 'configs', 'cpn',
                        'td-hm_cpn-res18_1xb16-30min_fashionai-128x128_cpu.py')
    for argv, want in (([], None), (['--compile'], True),
                       (['--cfg-options', 'compile.mode=max-autotune'],
                        dict(mode='max-autotune'))):
        monkeypatch.setattr(sys, 'argv', ['train.py', cfg_path, *argv])
        cfg = train.merge_args(Config.fromfile(cfg_path), train.parse_args())
        assert cfg.get('compile') == want
        hooks = [h['type'] for h in cfg.custom_hooks]
        assert hooks.count('CompileHook') == (want is not None)
