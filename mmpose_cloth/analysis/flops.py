"""Parameters and FLOPs: MMEngine's counter, and standard models to count
without a config file.

One multiply-add counts as one FLOP (MMEngine's counter, the convention of
the pose papers and of MMPose's ``tools/analysis_tools/get_flops.py``).
The standard models are MMPose ``TopdownPoseEstimator``s:

* ``cpn-res50``: ResNet-50 (C2-C5) + :class:`CPNHead` (GlobalNet + RefineNet)
* ``simplebaseline-res50``: ResNet-50 + ``HeatmapHead`` (3 deconvs of 256)
* ``cpn-detnet59``: DetNet-59 (C2, C3, C4, C6) + :class:`CPNHead`
"""
import copy
from typing import Dict, Optional, Tuple

import torch
from mmengine.analysis import get_model_complexity_info

from mmpose.registry import MODELS

__all__ = [
    'STANDARD_MODELS', 'PUBLISHED', 'standard_model_cfg', 'count_gflops',
    'count_params_flops'
]

#: backbone and head (without its output channels) of each standard model
_STANDARD = {
    'cpn-res50': (dict(type='ResNet', depth=50, out_indices=(0, 1, 2, 3)),
                  dict(type='CPNHead', in_channels=(256, 512, 1024, 2048))),
    'simplebaseline-res50': (dict(type='ResNet', depth=50),
                             dict(type='HeatmapHead', in_channels=2048,
                                  deconv_out_channels=(256, 256, 256),
                                  deconv_kernel_sizes=(4, 4, 4))),
    'cpn-detnet59': (dict(type='DetNet', depth=59, out_indices=(0, 1, 2, 4)),
                     dict(type='CPNHead', in_channels=(256, 512, 1024, 1024))),
}
#: the models :func:`standard_model_cfg` builds
STANDARD_MODELS = tuple(_STANDARD)

#: published (params in M, GFLOPs) at 256x192 with 17 keypoints (HRNet
#: paper, Table 1)
PUBLISHED = {
    'cpn-res50': (27.0, 6.20),
    'simplebaseline-res50': (34.0, 8.90),
}


def standard_model_cfg(name: str, num_keypoints: int) -> dict:
    """The config dict of a standard model (no pretrained weights).

    Args:
        name (str): one of :data:`STANDARD_MODELS`.
        num_keypoints (int): K, the head's output channels.

    Raises:
        KeyError: an unknown name.
    """
    if name not in _STANDARD:
        raise KeyError(f'unknown model {name!r}')
    backbone, head = copy.deepcopy(_STANDARD[name])
    head['out_channels'] = num_keypoints
    return dict(type='TopdownPoseEstimator', backbone=backbone, head=head)


def count_gflops(model: torch.nn.Module,
                 input_shape: Tuple[int, int]) -> float:
    """GFLOPs of ``model`` on one 3-channel image of ``input_shape`` (H, W)
    by MMEngine's counter (one multiply-add is one FLOP); the model should
    be in eval mode, its ``forward`` taking the image tensor alone."""
    with torch.no_grad():
        info = get_model_complexity_info(
            model, (3, ) + tuple(input_shape),
            show_table=False,
            show_arch=False)
    return info['flops'] / 1e9


def count_params_flops(name: str,
                       input_shape: Tuple[int, int],
                       num_keypoints: int,
                       with_flops: bool = True) -> Dict[str, Optional[float]]:
    """``params`` (M) and ``gflops`` (``None`` without ``with_flops``) of a
    standard model (:func:`standard_model_cfg`) on an (H, W) input."""
    model = MODELS.build(standard_model_cfg(name, num_keypoints))
    model.eval()
    params = sum(p.numel() for p in model.parameters()) / 1e6
    gflops = None
    if with_flops:
        model.forward = model._forward
        gflops = count_gflops(model, input_shape)
    return dict(params=params, gflops=gflops)
