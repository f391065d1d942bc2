"""Bar chart of the FashionAI normalized error per garment category.

Reads any of the JSON files the project writes, and compares several side by
side (one bar colour per model):

* ``tools/test.py CONFIG CKPT --out metrics.json``:
  ``{"fashionai/NE": ..., "fashionai/NE/blouse": ..., ...}``;
* ``tools/analysis/fashionai_eval.py --json``: ``{"NE": ..., "NE/blouse":
  ...}``;
* ``tools/demo.py``'s ``summary.json``: each part that holds NE (``val``,
  ``mean_shape``, ``test``) becomes a series::

    python tools/analysis/plot_ne_bars.py work_dirs/demo/summary.json
    python tools/analysis/plot_ne_bars.py cpn.json simplebaseline.json \\
        --labels CPN SimpleBaseline --out ne.png

The reading and drawing are in :mod:`mmpose_cloth.analysis.ne_bars`.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format.schema import CATEGORIES  # noqa: E402
from mmpose_cloth.analysis.ne_bars import (plot_ne_bars,  # noqa: E402
                                           read_series)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Per-category NE bar chart from metrics JSON files')
    parser.add_argument('json', nargs='+',
                        help='metrics.json (tools/test.py --out), '
                        'fashionai_eval.py --json output, or a demo '
                        'summary.json')
    parser.add_argument('--labels', nargs='+',
                        help='a name per file (default: the file names)')
    parser.add_argument('--out', default='ne_bars.png',
                        help='the PNG to write (default: ne_bars.png)')
    parser.add_argument('--title', default='FashionAI normalized error')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.labels and len(args.labels) != len(args.json):
        print('error: give one label per JSON file', file=sys.stderr)
        return 2
    labels = args.labels or [
        osp.splitext(osp.basename(p))[0] for p in args.json
    ]
    series = []
    try:
        for path, label in zip(args.json, labels):
            series += read_series(path, label)
    except (OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    plot_ne_bars(series, args.out, args.title)
    for label, ne, _ in series:
        print(f'{label:<28}' + '  '.join(
            f'{c} {100 * ne[c]:.2f}%' for c in (*CATEGORIES, 'all')
            if c in ne))
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
