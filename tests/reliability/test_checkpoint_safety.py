"""Checkpoints load with torch's weights-only unpickler and the allow-list in
mmpose_cloth/compat.py: a crafted checkpoint runs no code, in this process or
through tools/test.py, and a type outside the list is refused by name."""
import argparse
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer

import mmpose_cloth  # noqa: F401  (installs the allow-list)
from conftest import REPO
from reliability_helpers import narrow_cfg, subprocess_env


class _RunsCode:
    """Unpickling this runs a shell command, unless the loader refuses."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class _GetattrEscape:
    """Reaches for a HistoryBuffer attribute other than its statistics
    methods through the allow-listed ``getattr``."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def _load(path):
    from mmengine.runner import load_checkpoint
    return load_checkpoint(torch.nn.Linear(1, 1), str(path),
                           map_location='cpu')


def test_code_in_a_checkpoint_does_not_run(tmp_path):
    marker = tmp_path / 'pwned'
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {}, 'meta': _RunsCode(marker)}, bad)
    with pytest.raises(pickle.UnpicklingError) as e:
        _load(bad)
    assert 'system' in str(e.value)  # names what it refused
    assert not marker.exists()


def test_getattr_is_limited_to_history_buffer_statistics(tmp_path):
    bad = tmp_path / 'getattr.pth'
    torch.save({'state_dict': {}, 'meta': _GetattrEscape()}, bad)
    with pytest.raises(pickle.UnpicklingError, match='Refusing getattr'):
        _load(bad)
    ok = tmp_path / 'ok.pth'
    buf = HistoryBuffer()
    buf.update(1.0)
    torch.save({'state_dict': {}, 'meta': {'hb': buf}}, ok)
    assert torch.load(ok, weights_only=True)['meta']['hb'].mean() == 1.0


def test_a_type_outside_the_list_is_refused_by_name(tmp_path):
    ckpt = tmp_path / 'args.pth'
    torch.save({'state_dict': {}, 'args': argparse.Namespace(lr=0.1)}, ckpt)
    with pytest.raises(pickle.UnpicklingError) as e:
        _load(ckpt)
    msg = str(e.value)
    assert 'argparse.Namespace' in msg and 'add_safe_globals' in msg


def test_tools_test_py_refuses_a_crafted_checkpoint(tmp_path,
                                                    synthetic_split):
    """A fresh process, as a user runs it: the allow-list is installed by
    importing mmpose_cloth, and nothing switches weights-only off."""
    marker = tmp_path / 'pwned'
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {}, 'meta': _RunsCode(marker)}, bad)
    cfg = narrow_cfg(str(tmp_path / 'work'), synthetic_split['root'],
                     synthetic_split['ann_file'], num_images=4)
    cfg_path = str(tmp_path / 'cfg.py')
    Config(cfg).dump(cfg_path)
    env = subprocess_env()
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    proc = subprocess.run(
        [sys.executable, f'{REPO}/tools/test.py', cfg_path, str(bad)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert proc.returncode != 0
    assert 'Weights only load failed' in proc.stderr
    assert 'system' in proc.stderr
    assert not marker.exists() and not osp.exists('pwned')
