"""Profile a config's training data pipeline with cProfile.

Runs the config's ``train_dataloader.dataset.pipeline`` (JPEG decoding
through target generation and packing) in one thread, as one dataloader
worker, over synthetic FashionAI images (no dataset needed), and prints the
functions that take the most time. ``tools/analysis/benchmark.py`` gives the
images/s and the time of every transform; this says where inside them the
time goes.

Example::

    python tools/analysis/profile_pipeline.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py
    python tools/analysis/profile_pipeline.py CONFIG --passes 20 --top 40 \\
        --sort tottime

The profiling is :func:`mmpose_cloth.analysis.profile_pipeline`.
"""
import argparse
import os.path as osp
import pstats
import sys
import tempfile

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.utils.cli import add_input_size_argument  # noqa: E402
from mmpose_cloth.utils.config import parse_input_size  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='cProfile of a config\'s training data pipeline on '
        'synthetic images')
    parser.add_argument('config')
    parser.add_argument('--images', type=int, default=2,
                        help='synthetic images per category (default 2)')
    parser.add_argument('--image-size', type=parse_input_size,
                        default=(512, 512), metavar='WxH',
                        help='size of the synthetic JPEGs (default 512x512)')
    add_input_size_argument(parser)
    parser.add_argument('--passes', type=int, default=10,
                        help='passes over the images (default 10)')
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--sort', default='cumulative',
                        choices=['cumulative', 'tottime', 'ncalls'])
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import cv2
    import torch
    import mmpose_cloth  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpose_cloth.analysis import (BenchmarkEntry, make_synthetic_split,
                                       profile_pipeline)
    from mmpose_cloth.utils import load_config
    init_default_scope('mmpose')
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    entry = BenchmarkEntry.parse(args.config)
    cfg = load_config(entry.variant, args.input_size)
    with tempfile.TemporaryDirectory() as root:
        ann = make_synthetic_split(root, args.images, args.image_size)
        n, dt, prof = profile_pipeline(cfg, root, ann, args.passes)
    print(f'{entry.name}: {n} images in {dt:.2f} s under cProfile '
          f'({n / dt:.1f} images/s; the profiler slows Python code, '
          'benchmark.py gives the true rate)')
    pstats.Stats(prof).strip_dirs().sort_stats(args.sort).print_stats(
        args.top)


if __name__ == '__main__':
    main()
