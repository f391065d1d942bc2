"""CPNHead against the formulation as drawn (``cpn_reference.py``), and
the model under channels-last memory format and bf16 autocast against fp32.

CPNHead runs GlobalNet's upsampling 1x1 convolutions before the upsampling
and RefineNet's final bottleneck's first 1x1 convolution and 1x1 shortcut
on each level at its own resolution instead of on the concatenation of the
upsampled levels. Both are exact reformulations: outputs, gradients (inputs
and every parameter) and BN running statistics must match the plain
formulation to float rounding, in train and eval mode, with the same
``state_dict``.
"""
import mmpose_cloth  # noqa: F401  (compat layer first)

import copy
from typing import Dict, List, Sequence, Tuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

import mmpose_cloth.models  # noqa: F401  (registers CPNHead)
from mmengine.analysis import FlopAnalyzer
from mmengine.registry import init_default_scope
from mmpose.codecs.utils import gaussian_blur
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import MODELS
from mmpose_cloth.models import CPNHead
from mmpose_cloth.models.utils import resize_sum
from cpn_reference import PlainCPNHead
from keypoint_checks import assert_keypoints_agree_where_determined

TINY = (8, 16, 32, 64)
SIZES = ((16, 16), (8, 8), (4, 4), (2, 2))


def _randomise_norms(module: nn.Module, seed: int = 0) -> None:
    """Give every norm layer non-trivial affine parameters and running
    statistics, so that eval mode is not an identity."""
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(
                torch.rand(m.running_mean.shape, generator=g) - 0.5)
            m.running_var.copy_(
                torch.rand(m.running_var.shape, generator=g) + 0.5)


def _pair(dtype=torch.float64, seed: int = 0,
          **kwargs) -> Tuple[CPNHead, PlainCPNHead]:
    """A head and the plain reference with the same weights (loaded
    strictly from the head's ``state_dict``)."""
    torch.manual_seed(seed)
    cfg = dict(in_channels=TINY, out_channels=4, unit_channels=16)
    cfg.update(kwargs)
    head = CPNHead(**cfg).to(dtype)
    _randomise_norms(head, seed)
    plain = PlainCPNHead(**cfg).to(dtype)
    plain.load_state_dict(head.state_dict(), strict=True)
    return head, plain


def _feats(channels: Sequence[int] = TINY,
           sizes: Sequence[Tuple[int, int]] = SIZES, batch: int = 2,
           dtype=torch.float64, seed: int = 1) -> List[Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [
        torch.randn(batch, c, h, w, generator=g, dtype=dtype)
        for c, (h, w) in zip(channels, sizes)
    ]


def _run(head: CPNHead, feats: List[Tensor],
         grads: List[Tensor]) -> Dict[str, object]:
    """Forward + backward with fixed output gradients; everything that must
    agree between the two formulations."""
    xs = [f.clone().requires_grad_(True) for f in feats]
    head.zero_grad(set_to_none=True)
    outs = head(xs)
    sum((o * g).sum() for o, g in zip(outs, grads)).backward()
    return dict(
        outs=[o.detach() for o in outs],
        input_grads=[x.grad for x in xs],
        param_grads={
            n: p.grad
            for n, p in head.named_parameters() if p.grad is not None
        },
        buffers={n: b.clone()
                 for n, b in head.named_buffers()})


def _close(a: Tensor, b: Tensor, tol: float, what: str) -> None:
    """``a`` and ``b`` agree to ``tol`` relative to the size of ``b``'s
    entries (sums over many pixels in float32 round at that scale)."""
    scale = max(1.0, b.abs().max().item())
    torch.testing.assert_close(
        a.double(), b.double(), rtol=tol, atol=tol * scale,
        msg=lambda m: f'{what}: {m}')


def _assert_same(a: Dict, b: Dict, tol: float) -> None:
    for i, (x, y) in enumerate(zip(a['outs'], b['outs'])):
        _close(x, y, tol, f'output {i}')
    for i, (x, y) in enumerate(zip(a['input_grads'], b['input_grads'])):
        _close(x, y, tol, f'gradient of input level {i}')
    assert a['param_grads'].keys() == b['param_grads'].keys()
    for name in a['param_grads']:
        _close(a['param_grads'][name], b['param_grads'][name], tol,
               f'gradient of {name}')
    for name in a['buffers']:
        _close(a['buffers'][name], b['buffers'][name], tol, name)


def _compare(mode: str, dtype=torch.float64, feats_kwargs=None, **kwargs):
    head, plain = _pair(dtype=dtype, **kwargs)
    getattr(head, mode)()
    getattr(plain, mode)()
    feats = _feats(dtype=dtype, **(feats_kwargs or {}))
    with torch.no_grad():  # on a copy: train mode updates BN statistics
        shapes = [o.shape for o in copy.deepcopy(plain)(feats)]
    g = torch.Generator().manual_seed(2)
    grads = [torch.randn(s, generator=g, dtype=dtype) for s in shapes]
    # train mode updates BN running stats: both start from the same values
    _assert_same(_run(head, feats, grads), _run(plain, feats, grads),
                 tol=1e-10 if dtype == torch.float64 else 1e-4)
    return head, plain


@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
def test_head_matches_plain(mode, dtype):
    _compare(mode, dtype)


@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_head_matches_plain_variants(mode):
    # output size larger than the finest level: every level is upsampled
    _compare(mode, out_shape=(24, 20))
    # no align_corners
    _compare(mode, align_corners=False)
    # more refine blocks, GroupNorm (statistics per sample and group)
    _compare(mode, num_refine_blocks=(1, 1, 2, 2),
             norm_cfg=dict(type='GN', num_groups=4))
    # DetNet-like levels: strides 4, 8, 16, 16, non-square
    _compare(mode, in_channels=(8, 16, 32, 32),
             feats_kwargs=dict(channels=(8, 16, 32, 32),
                               sizes=((16, 12), (8, 6), (4, 3), (4, 3))))
    # a single level
    _compare(mode, in_channels=(8, ), num_refine_blocks=(1, ),
             feats_kwargs=dict(channels=(8, ), sizes=((8, 8), )))


def test_state_dict_identical_and_interchangeable():
    """The reference has the shipped head's parameters: a checkpoint of
    either loads into the other (strict) and gives the same outputs."""
    head, plain = _pair()
    assert [(k, v.shape) for k, v in head.state_dict().items()] == \
        [(k, v.shape) for k, v in plain.state_dict().items()]
    other = CPNHead(in_channels=TINY, out_channels=4,
                    unit_channels=16).double()
    other.load_state_dict(plain.state_dict(), strict=True)
    other.eval()
    plain.eval()
    feats = _feats()
    with torch.no_grad():
        for a, b in zip(other(feats), plain(feats)):
            torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9)


def _data_samples(batch: int = 2, k: int = 4, seed: int = 0) -> list:
    rng = np.random.RandomState(seed)
    codecs = [
        dict(type='MegviiHeatmap', input_size=(64, 64),
             heatmap_size=(16, 16), kernel_size=ks) for ks in (9, 7, 5, 3)
    ]
    generate = GenerateTarget(multilevel=True, encoder=codecs)
    pack = PackPoseInputs()
    out = []
    for _ in range(batch):
        results = dict(
            img=np.zeros((64, 64, 3), np.uint8),
            keypoints=rng.uniform(4, 60, (1, k, 2)).astype(np.float32),
            keypoints_visible=np.ones((1, k), np.float32),
            bbox=np.array([[0, 0, 64, 64]], np.float32),
            bbox_score=np.ones(1, np.float32), input_size=(64, 64),
            input_center=np.array([32, 32], np.float32),
            input_scale=np.array([64, 64], np.float32),
            flip_indices=list(range(k)))
        out.append(pack(generate(results))['data_samples'])
    return out


def test_loss_and_training_step_match():
    """The losses, and the weights after an SGD step, are the same."""
    head, plain = _pair(dtype=torch.float32)
    feats = _feats(dtype=torch.float32)
    samples = _data_samples()
    params = []
    for h in (head, plain):
        h.train()
        opt = torch.optim.SGD(h.parameters(), lr=0.1, momentum=0.9)
        losses = h.loss(feats, samples, train_cfg=dict(compute_acc=False))
        losses['loss_kpt'].backward()
        opt.step()
        params.append((losses['loss_kpt'].detach(),
                       copy.deepcopy(h.state_dict())))
    torch.testing.assert_close(params[0][0], params[1][0], rtol=1e-5,
                               atol=1e-6)
    for k in params[0][1]:
        torch.testing.assert_close(params[0][1][k].double(),
                                   params[1][1][k].double(), rtol=1e-4,
                                   atol=1e-5, msg=lambda m: f'{k}: {m}')


def test_the_shipped_head_computes_less():
    """Why the shipped head reorders the 1x1 convolutions: fewer
    multiply-adds than the plain formulation (MMEngine's counter)."""
    head, plain = _pair(dtype=torch.float32)
    head.eval()
    plain.eval()
    feats = tuple(_feats(dtype=torch.float32, batch=1))

    class Wrap(nn.Module):

        def __init__(self, head):
            super().__init__()
            self.head = head

        def forward(self, *xs):
            return self.head(list(xs))

    flops = [
        FlopAnalyzer(Wrap(h), feats).unsupported_ops_warnings(False).total()
        for h in (head, plain)
    ]
    assert flops[0] < flops[1]


# --------------------------------------------------------------------------
# channels-last memory format and bf16 autocast, on a tiny full model


def _tiny_model():
    init_default_scope('mmpose')
    codecs = [
        dict(type='MegviiHeatmap', input_size=(64, 64),
             heatmap_size=(16, 16), kernel_size=ks) for ks in (9, 7, 5, 3)
    ]
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='TopdownPoseEstimator',
            data_preprocessor=dict(type='PoseDataPreprocessor'),
            backbone=dict(type='ResNet', depth=18, out_indices=(0, 1, 2, 3)),
            head=dict(type='CPNHead', in_channels=(64, 128, 256, 512),
                      out_channels=4, unit_channels=32,
                      decoder=codecs[-1]),
            test_cfg=dict(flip_test=False)))
    _randomise_norms(model)
    model.eval()
    return model


def _decode(model, heatmaps: Tensor) -> np.ndarray:
    return np.stack([
        p.keypoints[0] for p in model.head.decode(heatmaps.float())
    ])


def test_channels_last_same_outputs_and_keypoints():
    model = _tiny_model()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        ref = model(x, None, mode='tensor')
        cl = copy.deepcopy(model).to(memory_format=torch.channels_last)
        out = cl(x.contiguous(memory_format=torch.channels_last), None,
                 mode='tensor')
    for a, b in zip(ref, out):
        torch.testing.assert_close(a, b.contiguous(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        _decode(model, out[-1]), _decode(model, ref[-1]), atol=1e-3)


def test_bf16_autocast_close_and_same_keypoints_where_determined():
    """bf16 autocast (CPU mixed precision) changes heatmaps by about bf16's
    resolution (3 significant digits). A keypoint is decoded from the
    heatmap's maximum (after the codec's Gaussian blur, which cannot enlarge
    a perturbation); where the maximum exceeds every value outside its
    3x3 neighbourhood by more than twice the largest change, bf16 must
    decode the keypoint within one heatmap pixel (plus the codec's quarter
    pixel shift) of fp32."""
    model = _tiny_model()
    x = torch.randn(4, 3, 64, 64, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        ref = model(x, None, mode='tensor')[-1]
        with torch.autocast('cpu', dtype=torch.bfloat16):
            out = model(x, None, mode='tensor')[-1].float()
    err = (out - ref).abs().max().item()
    scale = ref.abs().max().item()
    assert err <= 0.05 * scale, (err, scale)

    blurred = gaussian_blur(ref.numpy().reshape(-1, 16, 16).copy(), 3)
    kp_ref = _decode(model, ref).reshape(-1, 2)
    kp_bf16 = _decode(model, out).reshape(-1, 2)
    stride = 64 / 16
    assert_keypoints_agree_where_determined(blurred, kp_ref, kp_bf16, err,
                                            1.5 * stride)


@pytest.mark.parametrize('align_corners', [True, False])
@pytest.mark.parametrize('channels_last', [False, True])
def test_resize_sum_matches_interpolate(align_corners, channels_last):
    """RefineNet sums its upsampled levels with matrix products (NCHW) or
    PyTorch's bilinear kernel (channels-last): the same values and
    gradients as summing ``F.interpolate`` outputs, inputs untouched."""
    g = torch.Generator().manual_seed(5)
    size = (13, 11)
    shapes = [(13, 11), (7, 5), (3, 4), (1, 1), (20, 9)]  # incl. a downsize
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    xs = [
        torch.randn(2, 3, h, w, generator=g, dtype=torch.float64).contiguous(
            memory_format=fmt).requires_grad_(True) for h, w in shapes
    ]
    before = [x.detach().clone() for x in xs]
    grad = torch.randn(2, 3, *size, generator=g, dtype=torch.float64)
    out = resize_sum(xs, size, align_corners)
    ref = sum(
        F.interpolate(x, size=size, mode='bilinear',
                      align_corners=align_corners) for x in xs)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    got = torch.autograd.grad(out, xs, grad)
    want = torch.autograd.grad(ref, xs, grad)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    for x, b in zip(xs, before):
        assert torch.equal(x, b)
