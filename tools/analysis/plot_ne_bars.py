"""Bar chart of the FashionAI normalized error per garment category.

Reads the JSON files the project writes (``tools/test.py --out``,
``tools/analysis/fashionai_eval.py --json``, ``tools/demo.py``'s
``summary.json``) and compares them side by side, one bar colour per model;
see :mod:`mmpose_cloth.analysis.ne_bars`::

    python tools/analysis/plot_ne_bars.py work_dirs/demo/summary.json
    python tools/analysis/plot_ne_bars.py cpn.json simplebaseline.json \\
        --labels CPN SimpleBaseline --out ne.png
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis.ne_bars import (format_ne_series,  # noqa: E402
                                           plot_ne_files)


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
    try:
        series = plot_ne_files(args.json, args.out, args.labels, args.title)
    except (OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    for s in series:
        print(format_ne_series(s))
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
