"""Generate a small synthetic FashionAI dataset in the official layout.

For trying the whole pipeline without the FashionAI download. Example::

    python tools/dataset_converters/make_synthetic_fashionai.py \
        data/fashionai_synthetic --num-per-category 60 \
        --test-per-category 20 --size 256 --seed 0

writes ``Images/<category>/*.jpg``, ``Annotations/train.csv``, ``test.csv``
and ``Annotations/test_answers.csv`` (the test split's ground truth) under
OUT_DIR. The same seed gives the same files. The train split then converts
like the real one::

    python tools/dataset_converters/fashionai2coco.py \
        data/fashionai_synthetic data/fashionai_synthetic/train.json
"""
import argparse
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.testing.synthetic import (  # noqa: E402
    DEFAULT_MAX_ROTATION, DEFAULT_SCALE_RANGE, generate_fashionai)
from fashionai_format.schema import CATEGORIES  # noqa: E402


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate a synthetic FashionAI dataset (official '
        'layout) for demos and tests')
    parser.add_argument('out_dir', help='dataset folder to write')
    parser.add_argument('--num-per-category', type=int, default=60,
                        help='train images per category (default 60)')
    parser.add_argument('--test-per-category', type=int, default=20,
                        help='test images per category (default 20)')
    parser.add_argument('--size', type=int, nargs='+', default=[256],
                        metavar='PX', help='image size: one number for a '
                        'square image or WIDTH HEIGHT (default 256)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--categories', nargs='+', choices=CATEGORIES,
                        default=list(CATEGORIES), metavar='CATEGORY',
                        help='categories to generate (default: all five)')
    parser.add_argument('--scale-range', type=float, nargs=2,
                        default=list(DEFAULT_SCALE_RANGE),
                        metavar=('LOW', 'HIGH'),
                        help='garment extent as a fraction of the frame '
                        '(default %(default)s; narrow it for an easier set)')
    parser.add_argument('--max-rotation', type=float,
                        default=DEFAULT_MAX_ROTATION,
                        help='largest rotation in degrees (default '
                        '%(default)s)')
    parser.add_argument('--no-occlusion', action='store_true',
                        help='draw no occluders (every keypoint visible)')
    parser.add_argument('--no-progress', action='store_true')
    args = parser.parse_args(argv)
    if len(args.size) not in (1, 2):
        parser.error('--size takes one number or WIDTH HEIGHT')
    return args


def format_summary(summary: Dict) -> str:
    """A human-readable report of :func:`generate_fashionai`'s summary."""
    w, h = summary['image_size']
    lines = [f'synthetic FashionAI in {summary["out_dir"]} (seed '
             f'{summary["seed"]}, {w}x{h})']
    for split in ('train', 'test'):
        s = summary[split]
        per_cat = ', '.join(f'{c} {n}' for c, n in s['per_category'].items())
        lines.append(f'  {split}: {s["images"]} images ({per_cat}); '
                     f'keypoints visible {s["visible"]}, occluded '
                     f'{s["occluded"]}, absent {s["absent"]}')
    lines.append(f'  wrote {summary["train_csv"]}')
    lines.append(f'  wrote {summary["test_csv"]} and '
                 f'{summary["answers_csv"]}')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    size = tuple(args.size) * 2 if len(args.size) == 1 else tuple(args.size)
    total = (args.num_per_category + args.test_per_category) * len(
        args.categories)
    pbar = None
    if not args.no_progress:
        from tqdm import tqdm
        pbar = tqdm(total=total, unit='img', desc='generating')
    start = time.perf_counter()
    try:
        summary = generate_fashionai(
            args.out_dir,
            num_per_category=args.num_per_category,
            test_per_category=args.test_per_category,
            image_size=size,
            seed=args.seed,
            categories=args.categories,
            scale_range=tuple(args.scale_range),
            max_rotation=args.max_rotation,
            occlusion=not args.no_occlusion,
            progress=pbar.update if pbar is not None else None)
    except ValueError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    finally:
        if pbar is not None:
            pbar.close()
    print(format_summary(summary))
    print(f'  {total} images in {time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
