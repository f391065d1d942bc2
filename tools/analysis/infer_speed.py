"""End-to-end inference time of one checkpoint, its predictors side by side.

From image file to keypoints in image pixels (loading, the test pipeline,
the network with flip test, decoding), as ``tools/infer.py`` runs it, for:

* ``eager``: the PyTorch checkpoint (the reference of the ratios);
* ``compiled`` (``--compile``): the same with ``torch.compile``
  (``tools/infer.py --compile``; its first call compiles);
* ``onnx`` (``--onnx MODEL.onnx``, from ``tools/deploy/export_onnx.py``):
  ONNX Runtime with the same pre- and post-processing;
* ``tta`` (``--tta``): the config's ``tta_pipeline`` views;
* ``ensemble`` (``--ensemble CONFIG CKPT``, repeatable), and ``tta +
  ensemble`` when both are given.

Each predictor's first call is timed apart; then, interleaved round by
round, one image (batch 1) and a batch of ``--batch`` images. Medians and
median ratios to ``eager`` are reported::

    python tools/analysis/infer_speed.py CONFIG CKPT --compile \\
        --onnx work_dirs/cpn.onnx --images data/fashionai/train/Images

The measurement is :func:`mmpose_cloth.analysis.compare_predictor_speeds`.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis import compare_predictor_speeds  # noqa: E402
from mmpose_cloth.utils.cli import (add_compile_argument,  # noqa: E402
                                    add_tta_arguments)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='End-to-end inference time of a checkpoint: eager, '
        'compiled, ONNX Runtime, TTA and ensembles side by side')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--images', required=True,
                        help='a folder of images (searched recursively)')
    add_compile_argument(parser, help='also time the network compiled with '
                         'torch.compile')
    parser.add_argument('--onnx', help='the same model exported to ONNX')
    add_tta_arguments(parser)
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None,
                        help="torch's and ONNX Runtime's intra-op threads "
                        '(default: theirs)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out-json')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    return compare_predictor_speeds(
        args.config, args.checkpoint, args.images, compile=args.compile,
        onnx=args.onnx, tta=args.tta, ensemble=args.ensemble,
        batch=args.batch, rounds=args.rounds, threads=args.threads,
        device=args.device, out_json=args.out_json)


if __name__ == '__main__':
    sys.exit(main())
