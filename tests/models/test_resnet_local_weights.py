"""ResNet-50 configs keep ``torchvision://resnet50``; a user with the
ImageNet file of their own initialises them with no network, from torch's
cache folder or from a path (README, "ImageNet weights")."""
import os.path as osp
import socket

import pytest
import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import REPO
from mmpose.registry import MODELS

CONFIG = osp.join(REPO, 'configs', 'cpn',
                  'td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py')
#: The file name torchvision's IMAGENET1K_V1 ResNet-50 weights download as
#: (the URL MMEngine maps ``torchvision://resnet50`` to ends with it).
TORCHVISION_FILE = 'resnet50-0676ba61.pth'


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError('network access in a test that must not need it')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)


@pytest.fixture(scope='module')
def torchvision_weights(tmp_path_factory):
    """A torchvision-format ResNet-50 state dict (random but seeded: the
    test checks where tensors go, not what they are worth)."""
    torch.manual_seed(0)
    state = torchvision.models.resnet50().state_dict()
    path = tmp_path_factory.mktemp('weights') / TORCHVISION_FILE
    torch.save(state, path)
    return path, state


def _backbone(**init_cfg):
    init_default_scope('mmpose')
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.init_cfg.update(init_cfg)
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    return backbone


def _assert_loaded(backbone, state):
    own = backbone.state_dict()
    # every backbone tensor came from the file (the file's fc is not used)
    assert set(own) == {k for k in state if not k.startswith('fc.')}
    for key, value in own.items():
        torch.testing.assert_close(value, state[key], msg=key)


def test_torch_cache_folder(torchvision_weights, tmp_path, monkeypatch,
                            no_network):
    path, state = torchvision_weights
    cache = tmp_path / 'torch_home' / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    (cache / TORCHVISION_FILE).symlink_to(path)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    backbone = _backbone()  # the config's own torchvision://resnet50
    _assert_loaded(backbone, state)


def test_local_path(torchvision_weights, no_network):
    path, state = torchvision_weights
    _assert_loaded(_backbone(checkpoint=str(path)), state)


def test_without_the_file_it_tries_the_network(tmp_path, monkeypatch,
                                               no_network):
    """The check above can fail: with an empty cache, the config's init
    reaches for the network (refused here) rather than silently training
    from scratch."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'empty'))
    with pytest.raises(OSError, match='network access'):  # URLError too
        _backbone()
