"""CPN on a CUDA device: the head against the plain formulation, and
mixed precision (fp16 autocast) and channels-last against fp32 keypoints.
Skipped where no CUDA device is available (CI); run on a GPU machine with
``pytest tests/models/test_cpn_cuda.py``."""
import copy

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmpose_cloth  # noqa: F401
from mmpose.registry import MODELS
from mmpose_cloth.models import CPNHead
from cpn_reference import PlainCPNHead
from keypoint_checks import assert_keypoints_agree_where_determined

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason='needs a CUDA device')


def _tiny_model():
    init_default_scope('mmpose')
    codec = dict(type='SeparableMegviiHeatmap', input_size=(128, 128),
                 heatmap_size=(32, 32), kernel_size=5)
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='TopdownPoseEstimator',
             data_preprocessor=dict(type='PoseDataPreprocessor'),
             backbone=dict(type='ResNet', depth=18, out_indices=(0, 1, 2, 3)),
             head=dict(type='CPNHead', in_channels=(64, 128, 256, 512),
                       out_channels=24, unit_channels=64, decoder=codec),
             test_cfg=dict(flip_test=False)))
    return model.cuda().eval()


def test_head_matches_plain_on_cuda():
    """In float64 (cuDNN and cuBLAS use TF32 for float32 on Ampere and
    later, which rounds at 1e-3): the two formulations agree to float64
    rounding on the GPU too, matrix-product upsampling included."""
    torch.manual_seed(0)
    cfg = dict(in_channels=(64, 128, 256, 512), out_channels=24,
               unit_channels=64)
    head = CPNHead(**cfg).cuda().double().train()
    plain = PlainCPNHead(**cfg).cuda().double().train()
    plain.load_state_dict(head.state_dict(), strict=True)
    sizes = (32, 16, 8, 4)
    feats = [
        torch.randn(2, c, s, s, device='cuda', dtype=torch.float64)
        for c, s in zip((64, 128, 256, 512), sizes)
    ]
    results = []
    for h in (head, plain):
        xs = [f.clone().requires_grad_(True) for f in feats]
        outs = h(xs)
        sum(o.square().mean() for o in outs).backward()
        results.append(([o.detach() for o in outs], [x.grad for x in xs]))
    for a, b in zip(results[0][0] + results[0][1],
                    results[1][0] + results[1][1]):
        scale = max(1.0, b.abs().max().item())
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9 * scale)


def _keypoints(model, heatmaps):
    return np.stack(
        [p.keypoints[0] for p in model.head.decode(heatmaps.float().cpu())])


@pytest.mark.parametrize('variant', ['fp16', 'channels-last',
                                     'channels-last+fp16'])
def test_amp_and_channels_last_keypoints(variant):
    """Keypoints of fp16 autocast / channels-last inference agree with fp32
    where the heatmap maximum is clear."""
    model = _tiny_model()
    x = torch.randn(8, 3, 128, 128, device='cuda',
                    generator=torch.Generator('cuda').manual_seed(1))
    with torch.no_grad():
        ref = model(x, None, mode='tensor')[-1]
        other = copy.deepcopy(model)
        inp = x
        if 'channels-last' in variant:
            other = other.to(memory_format=torch.channels_last)
            inp = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast('cuda', dtype=torch.float16,
                            enabled='fp16' in variant):
            out = other(inp, None, mode='tensor')[-1].float()
    err = (out - ref).abs().max().item()
    assert err <= 0.02 * ref.abs().max().item(), err
    kp_ref = _keypoints(model, ref).reshape(-1, 2)
    kp_out = _keypoints(model, out).reshape(-1, 2)
    hm = ref.float().cpu().numpy().reshape(-1, 32, 32)
    assert_keypoints_agree_where_determined(hm, kp_ref, kp_out, err, 1.5 * 4)
