"""Shipped checkpoints are named by their hash, checked before loading,
refused when a byte changed, and loaded weights-only."""
import os.path as osp
from datetime import date

import pytest
import torch

import mmpose_cloth  # noqa: F401  (registers the mmpose-cloth:// scheme)
from mmengine.runner import CheckpointLoader
from mmpose_cloth.engine import publish_checkpoint
from mmpose_cloth.model_zoo import (SCHEME, ChecksumError, file_sha256,
                                    verify_checkpoint, weights_path)


def _published(tmp_path, fp16=False):
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    raw = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=net.state_dict(), meta=dict(epoch=1),
                    optimizer=dict(state={})), raw)
    out = publish_checkpoint(str(raw), str(tmp_path / 'tiny.pth'),
                             today=date(2026, 12, 3), fp16=fp16)
    return net, out


def test_publish_records_the_hash_and_keeps_weights_only(tmp_path):
    net, path = _published(tmp_path, fp16=True)
    sha = file_sha256(path)
    assert osp.basename(path) == f'tiny-{sha[:8]}_20261203.pth'
    with open(path + '.sha256') as f:
        assert f.read() == f'{sha}  {osp.basename(path)}\n'
    assert verify_checkpoint(path) == sha
    ckpt = torch.load(path, weights_only=True)
    assert set(ckpt) == {'meta', 'state_dict'}  # no optimizer state
    sd = ckpt['state_dict']
    assert sd['0.weight'].dtype == torch.float16
    assert sd['1.num_batches_tracked'].dtype == torch.int64
    torch.testing.assert_close(sd['0.weight'].float(),
                               net.state_dict()['0.weight'], atol=1e-3,
                               rtol=1e-3)


def test_a_changed_byte_is_refused_naming_the_file_and_both_hashes(
        tmp_path):
    _, path = _published(tmp_path)
    recorded = file_sha256(path)
    data = bytearray(open(path, 'rb').read())
    data[len(data) // 2] ^= 0x01
    open(path, 'wb').write(bytes(data))
    with pytest.raises(ChecksumError) as e:
        verify_checkpoint(path)
    msg = str(e.value)
    assert path in msg and recorded in msg and file_sha256(path) in msg


def test_the_name_must_carry_the_hash_and_a_record_must_exist(tmp_path):
    _, path = _published(tmp_path)
    wrong = osp.join(tmp_path, 'tiny-00000000.pth')
    open(wrong, 'wb').write(open(path, 'rb').read())
    open(wrong + '.sha256', 'w').write(open(path + '.sha256').read())
    with pytest.raises(ChecksumError, match='first 8 hex digits'):
        verify_checkpoint(wrong)
    bare = osp.join(tmp_path, 'bare.pth')
    open(bare, 'wb').write(open(path, 'rb').read())
    with pytest.raises(FileNotFoundError, match='no checksum record'):
        verify_checkpoint(bare)


def test_unknown_shipped_file_lists_what_ships():
    with pytest.raises(FileNotFoundError, match='shipped:'):
        weights_path(SCHEME + 'nothing-12345678.pth')
    with pytest.raises(FileNotFoundError):
        weights_path(SCHEME + '../checkpoint.py')  # not a path outside
    assert SCHEME in CheckpointLoader._schemes
