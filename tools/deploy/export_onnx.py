"""Export a trained top-down model to ONNX; check it against PyTorch.

The network (backbone, neck, head: for CPN the RefineNet heatmaps, for a
``HeatmapHead`` its single output) becomes ``OUT.onnx`` with a variable batch
size. Pre- and post-processing (affine warp, normalisation, flip test,
decoding) stay in Python: ``mmpose_cloth.deploy.OnnxGarmentPredictor`` does
them exactly as the PyTorch model does, reading the config stored in the
file::

    python tools/deploy/export_onnx.py CONFIG CHECKPOINT cpn.onnx
    # compare keypoints with PyTorch on images, and time both on CPU
    python tools/deploy/export_onnx.py CONFIG CHECKPOINT cpn.onnx \\
        --check data/fashionai/train/Images/skirt --max-images 16 --benchmark

Needs ``onnx`` and ``onnxruntime`` (``pip install -r
requirements/optional.txt``). The export and the checks are
:func:`mmpose_cloth.apis.export.export_and_check`.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.apis.export import export_and_check  # noqa: E402
from mmpose_cloth.deploy import DEFAULT_OPSET  # noqa: E402
from mmpose_cloth.utils.cli import (add_cfg_options_argument,  # noqa: E402
                                    add_input_size_argument)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export a top-down heatmap model to ONNX')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='model checkpoint file')
    parser.add_argument('out', help='the .onnx file to write')
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET,
                        help=f'ONNX opset (default {DEFAULT_OPSET})')
    add_input_size_argument(parser, help='export for another input size, '
                            'width x height (default: the config\'s); the '
                            'stored config follows it')
    parser.add_argument('--static-batch', action='store_true',
                        help='a fixed batch size of 1 instead of a variable '
                        'one')
    parser.add_argument('--check', nargs='+', metavar='IMAGE', default=[],
                        help='image files or folders: compare the '
                        'keypoints of ONNX Runtime and PyTorch on them')
    parser.add_argument('--max-images', type=int, default=16,
                        help='at most this many images for --check and '
                        '--benchmark')
    parser.add_argument('--benchmark', action='store_true',
                        help='time PyTorch and ONNX Runtime on CPU')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--runs', type=int, default=10,
                        help='timed runs per measurement')
    add_cfg_options_argument(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    return export_and_check(
        args.config, args.checkpoint, args.out, opset=args.opset,
        input_size=args.input_size, static_batch=args.static_batch,
        check=args.check, max_images=args.max_images,
        benchmark=args.benchmark, batch_size=args.batch_size, runs=args.runs,
        cfg_options=args.cfg_options)


if __name__ == '__main__':
    sys.exit(main())
