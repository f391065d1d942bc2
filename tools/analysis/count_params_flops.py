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
    python tools/analysis/count_params_flops.py --input-size 384x384 \\
        --num-keypoints 24

The models and the counter are in :mod:`mmpose_cloth.analysis.flops`.
"""
import argparse
import logging
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis.flops import (PUBLISHED,  # noqa: E402
                                         STANDARD_MODELS, count_params_flops)
from mmpose_cloth.utils.cli import add_input_size_argument  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of CPN-ResNet-50, '
        'SimpleBaseline-ResNet-50 and CPN-DetNet-59 (no config needed)')
    parser.add_argument(
        '--models',
        nargs='+',
        default=list(STANDARD_MODELS),
        choices=list(STANDARD_MODELS))
    add_input_size_argument(
        parser, default=(192, 256),
        help='input size, width x height (default: 192x256, the pose '
        "papers' 256x192: 256 high, 192 wide)")
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
    w, h = args.input_size
    input_shape = (h, w)
    standard = input_shape == (256, 192) and args.num_keypoints == 17
    rows = []
    for name in args.models:
        res = count_params_flops(name, input_shape, args.num_keypoints,
                                 not args.no_flops)
        published = PUBLISHED.get(name) if standard else None
        rows.append((name, res['params'], res['gflops'], published))

    print(f'input {w}x{h} (width x height), {args.num_keypoints} keypoints '
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
