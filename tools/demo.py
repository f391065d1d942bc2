"""The whole FashionAI workflow in one command, on 2 CPU cores.

Without arguments it needs no download: it generates a small synthetic
FashionAI-format dataset (all five categories, official layout), converts
it, fine-tunes CPN on ImageNet-initialised EfficientNet-Lite0 (the CPU
recipe, 192x192; the weights install with the package), scores it with the
FashionAI normalized error per category next to a guess that ignores the
image, draws predicted keypoints and skeletons on validation images, and
writes and scores a submission for the test list::

    python tools/demo.py                      # synthetic data, ~5 min on 2 cores
    python tools/demo.py data/fashionai/train # the same on a real split

Outputs go to ``--work-dir`` (default ``work_dirs/demo``): ``data/`` (the
generated split), ``annotations/``, the checkpoint and logs,
``predictions.png``, ``result.csv`` and ``summary.json``. The workflow is
:func:`mmpose_cloth.apis.demo.run_demo`.
"""
import argparse
import os.path as osp
import sys

ROOT = osp.join(osp.dirname(osp.abspath(__file__)), '..')
sys.path.insert(0, ROOT)

from mmpose_cloth.apis.demo import run_demo  # noqa: E402

DEFAULT_CONFIG = osp.join(
    ROOT, 'configs', 'cpn', 'td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-'
    '192x192_cpu.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate (or read) FashionAI data, train a small CPN, '
        'evaluate NE, draw predictions and write a submission.')
    parser.add_argument('split_dir', nargs='?', default=None,
                        help='a FashionAI split folder (Annotations/train.csv '
                        '+ Images/); default: generate a synthetic one')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--num-per-category', type=int, default=40,
                        help='synthetic training images per category')
    parser.add_argument('--test-per-category', type=int, default=10,
                        help='synthetic test images per category')
    parser.add_argument('--image-size', type=int, default=160,
                        help='synthetic image size')
    parser.add_argument('--val-ratio', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-vis', type=int, default=8,
                        help='validation images drawn in predictions.png')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    run_demo(args.config, args.split_dir, args.work_dir, args.epochs,
             args.num_per_category, args.test_per_category, args.image_size,
             args.val_ratio, args.seed, args.num_vis)
    return 0


if __name__ == '__main__':
    sys.exit(main())
