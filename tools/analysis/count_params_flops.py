"""Parameters and FLOPs of CPN and SimpleBaseline, without a config file.

Builds standard top-down models (MMPose ``TopdownPoseEstimator``) and
measures them with MMEngine's FLOP counter, as MMPose's
``tools/analysis_tools/get_flops.py`` does (one multiply-add counts as one
FLOP, the convention of the pose papers):

* ``cpn-res50``: ResNet-50 (C2-C5) + :class:`CPNHead` (GlobalNet + RefineNet)
* ``simplebaseline-res50``: ResNet-50 + ``HeatmapHead`` (3 deconvs of 256)
* ``cpn-detnet59``: DetNet-59 (C2, C3, C4, C6) + :class:`CPNHead`

Published numbers at 256x192 with 17 keypoints (HRNet paper, Table 1):
CPN-ResNet-50 27.0M parameters, 6.20 GFLOPs; SimpleBaseline-ResNet-50 34.0M,
8.90 GFLOPs.

Example::

    python tools/analysis/count_params_flops.py
    python tools/analysis/count_params_flops.py --input-shape 384 384 \\
        --num-keypoints 24
"""
import argparse
import logging
from typing import Dict, Optional, Tuple

import torch

import mmpose_cloth  # noqa: F401  (compat layer: mmpose on mmcv-lite)
import mmpose_cloth.models  # noqa: F401  (registers CPNHead, DetNet)
from mmpose.registry import MODELS

#: published (params in M, GFLOPs) at 256x192 with 17 keypoints
PUBLISHED = {
    'cpn-res50': (27.0, 6.20),
    'simplebaseline-res50': (34.0, 8.90),
}


def model_cfg(name: str, num_keypoints: int) -> dict:
    """The config dict of a standard model (no pretrained weights)."""
    if name == 'cpn-res50':
        backbone = dict(type='ResNet', depth=50, out_indices=(0, 1, 2, 3))
        head = dict(
            type='CPNHead',
            in_channels=(256, 512, 1024, 2048),
            out_channels=num_keypoints)
    elif name == 'cpn-detnet59':
        backbone = dict(type='DetNet', depth=59, out_indices=(0, 1, 2, 4))
        head = dict(
            type='CPNHead',
            in_channels=(256, 512, 1024, 1024),
            out_channels=num_keypoints)
    elif name == 'simplebaseline-res50':
        backbone = dict(type='ResNet', depth=50)
        head = dict(
            type='HeatmapHead',
            in_channels=2048,
            out_channels=num_keypoints,
            deconv_out_channels=(256, 256, 256),
            deconv_kernel_sizes=(4, 4, 4))
    else:
        raise KeyError(f'unknown model {name!r}')
    return dict(type='TopdownPoseEstimator', backbone=backbone, head=head)


def measure(name: str,
            input_shape: Tuple[int, int],
            num_keypoints: int,
            with_flops: bool = True) -> Dict[str, Optional[float]]:
    """Return ``params`` (M) and ``gflops`` of one model."""
    model = MODELS.build(model_cfg(name, num_keypoints))
    model.eval()
    params = sum(p.numel() for p in model.parameters()) / 1e6
    gflops = None
    if with_flops:
        model.forward = model._forward
        gflops = count_gflops(model, input_shape)
    return dict(params=params, gflops=gflops)


def count_gflops(model: torch.nn.Module,
                 input_shape: Tuple[int, int]) -> float:
    """GFLOPs of ``model`` on one 3-channel image of ``input_shape`` (H, W)
    by MMEngine's counter (one multiply-add is one FLOP); the model should
    be in eval mode, its ``forward`` taking the image tensor alone."""
    from mmengine.analysis import get_model_complexity_info
    with torch.no_grad():
        info = get_model_complexity_info(
            model, (3, ) + tuple(input_shape),
            show_table=False,
            show_arch=False)
    return info['flops'] / 1e9


def parse_args():
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of CPN-ResNet-50, '
        'SimpleBaseline-ResNet-50 and CPN-DetNet-59 (no config needed)')
    parser.add_argument(
        '--models',
        nargs='+',
        default=['cpn-res50', 'simplebaseline-res50', 'cpn-detnet59'],
        choices=['cpn-res50', 'simplebaseline-res50', 'cpn-detnet59'])
    parser.add_argument(
        '--input-shape',
        type=int,
        nargs=2,
        default=[256, 192],
        metavar=('H', 'W'),
        help='input image size, height then width (default: 256 192)')
    parser.add_argument(
        '--num-keypoints',
        type=int,
        default=17,
        help='number of keypoints (default: 17, COCO)')
    parser.add_argument(
        '--no-flops',
        action='store_true',
        help='count parameters only (no forward pass)')
    parser.add_argument(
        '--verbose',
        action='store_true',
        help="show the FLOP counter's warnings (unsupported ops such as "
        'batch norm and bilinear resizes, uncounted modules such as losses)')
    return parser.parse_args()


def main():
    args = parse_args()
    if not args.verbose:
        from mmengine.logging import MMLogger
        MMLogger.get_current_instance().setLevel(logging.ERROR)
    input_shape = tuple(args.input_shape)
    standard = input_shape == (256, 192) and args.num_keypoints == 17
    rows = []
    for name in args.models:
        res = measure(name, input_shape, args.num_keypoints,
                      not args.no_flops)
        published = PUBLISHED.get(name) if standard else None
        rows.append((name, res['params'], res['gflops'], published))

    h, w = input_shape
    print(f'input {h}x{w}, {args.num_keypoints} keypoints '
          '(MMEngine counter, 1 multiply-add = 1 FLOP)')
    header = (f'{"model":<22} {"params (M)":>10} {"GFLOPs":>8} '
              f'{"published params":>17} {"published GFLOPs":>17}')
    print(header)
    print('-' * len(header))
    for name, params, gflops, published in rows:
        flops_str = f'{gflops:8.2f}' if gflops is not None else f'{"-":>8}'
        if published is not None:
            pub_p = f'{published[0]:.1f} ({params / published[0] - 1:+.1%})'
            pub_f = (f'{published[1]:.2f} ({gflops / published[1] - 1:+.1%})'
                     if gflops is not None else f'{published[1]:.2f}')
        else:
            pub_p = pub_f = '-'
        print(f'{name:<22} {params:10.2f} {flops_str} {pub_p:>17} '
              f'{pub_f:>17}')


if __name__ == '__main__':
    main()
