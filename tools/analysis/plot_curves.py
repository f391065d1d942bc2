"""Plot training curves (loss, validation NE) from an MMEngine work dir.

Reads ``<work_dir>/<timestamp>/vis_data/scalars.json`` (runs resumed in the
same work dir are joined) and draws the training loss above the validation
NE per category; see :mod:`mmpose_cloth.analysis.curves`::

    python tools/analysis/plot_curves.py work_dirs/my_cpn_run
    python tools/analysis/plot_curves.py WORK_DIR --out curves.png --x iter
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis.curves import plot_training_curves  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Plot loss and validation NE from a work dir\'s logs')
    parser.add_argument('work_dir',
                        help='an MMEngine work dir, one of its <timestamp> '
                        'folders, or a scalars.json file')
    parser.add_argument('--out', help='the PNG to write (default: '
                        'WORK_DIR/curves.png)')
    parser.add_argument('--x', choices=('auto', 'epoch', 'iter'),
                        default='auto', help='x axis (default: epoch for '
                        'epoch-based runs)')
    parser.add_argument('--title', help='figure title (default: the work '
                        'dir\'s name)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        curves, out = plot_training_curves(args.work_dir, args.out, args.x,
                                           args.title)
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(curves.summary(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
