"""Plot training curves (loss, validation NE) from an MMEngine work dir.

MMEngine writes one JSON record per line to
``<work_dir>/<timestamp>/vis_data/scalars.json``: training records
(``loss``, ``loss_*``, ``lr``, ``epoch``, ``iter``, ``step``) every
``logger.interval`` iterations and a validation record (``fashionai/NE``,
``fashionai/NE/<category>``) after each validation. Runs resumed in the same
work dir are joined in time order::

    python tools/analysis/plot_curves.py work_dirs/my_cpn_run
    python tools/analysis/plot_curves.py WORK_DIR --out curves.png --x iter

The top panel is the training loss (each ``loss*`` key, log scale), the
bottom one the validation NE in percent (all categories, and each category
as a thin line). The x axis is the epoch for epoch-based runs, the iteration
otherwise (``--x`` chooses).
"""
import argparse
import math
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format.schema import CATEGORIES  # noqa: E402
# the work dir's records, read as the head comparison reads them
from mmpose_cloth.analysis.work_dirs import (find_scalars,  # noqa: E402,F401
                                             read_records, split_records)

#: One colour per category (matplotlib's first five), in schema order.
CATEGORY_COLORS = dict(
    zip(CATEGORIES, ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd')))


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


def curves(records: List[dict], x_axis: str = 'auto'):
    """The plotted series: ``(xlabel, {loss key: (xs, ys)},
    {NE key: (xs, ys)})``."""
    train, val = split_records(records)
    by_epoch = len({r.get('epoch') for r in train}) > 1 or any(
        r.get('step', 0) > 0 and r['step'] != r['_iter'] for r in val)
    if x_axis == 'auto':
        x_axis = 'epoch' if by_epoch else 'iter'
    iters_per_epoch = None
    if x_axis == 'epoch':
        # a training record's 'iter' is global; one epoch is about the
        # largest iter / epoch seen (exact at the last record of an epoch)
        ratios = [r['iter'] / r['epoch'] for r in train if r.get('epoch')]
        iters_per_epoch = max(ratios) if ratios else None

    def tx(r):
        if x_axis == 'epoch' and iters_per_epoch:
            return r['iter'] / iters_per_epoch
        return r['iter']

    def vx(r):
        if x_axis == 'epoch':
            if by_epoch and r.get('step'):
                return r['step']  # MMEngine logs the epoch as the step
            return r['_iter'] / iters_per_epoch if iters_per_epoch else 0
        return r['_iter']

    loss_keys = sorted({k for r in train for k in r if k.startswith('loss')})
    losses = {
        k: ([tx(r) for r in train if k in r], [r[k] for r in train if k in r])
        for k in loss_keys
    }
    # a model with one loss logs it twice ('loss' and e.g. 'loss_kpt')
    for k in loss_keys:
        if k != 'loss' and losses[k] == losses.get('loss'):
            del losses[k]
    ne_keys = sorted({k for r in val for k in r
                      if '/NE' in k and isinstance(r[k], (int, float))})
    nes = {
        k: ([vx(r) for r in val if k in r],
            [100 * r[k] for r in val if k in r])
        for k in ne_keys
    }
    return ('epoch' if x_axis == 'epoch' else 'iteration'), losses, nes


def plot(xlabel: str, losses: Dict[str, tuple], nes: Dict[str, tuple],
         out: str, title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for k, (xs, ys) in losses.items():
        ax1.plot(xs, ys, label=k, lw=2 if k == 'loss' else 1,
                 alpha=1 if k == 'loss' else 0.7)
    pos = [y for _, ys in losses.values() for y in ys if y > 0]
    if pos and max(pos) > 10 * min(pos):
        ax1.set_yscale('log')
    ax1.set_ylabel('training loss')
    ax1.grid(alpha=0.3, which='both')
    if losses:
        ax1.legend(fontsize=8)
    else:
        ax1.text(0.5, 0.5, 'no training records', ha='center',
                 transform=ax1.transAxes)
    overall = [k for k in nes if k.endswith('/NE')]
    for k, (xs, ys) in nes.items():
        cat = k.rsplit('/', 1)[-1]
        if k in overall:
            ax2.plot(xs, ys, 'k-o', lw=2, ms=4, label='all', zorder=3)
            if ys:
                ax2.annotate(f'{ys[-1]:.2f}%', (xs[-1], ys[-1]),
                             textcoords='offset points', xytext=(4, 4))
        else:
            ax2.plot(xs, ys, '-', marker='.', lw=1, label=cat,
                     color=CATEGORY_COLORS.get(cat))
    ax2.set_ylabel('validation NE (%)')
    ax2.set_xlabel(xlabel)
    ax2.grid(alpha=0.3)
    if nes:
        ax2.legend(fontsize=8, ncol=3)
    else:
        ax2.text(0.5, 0.5, 'no validation records', ha='center',
                 transform=ax2.transAxes)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    files = find_scalars(args.work_dir)
    if not files:
        print(f'error: no vis_data/scalars.json under {args.work_dir} (is it '
              'an MMEngine work dir, with LocalVisBackend?)', file=sys.stderr)
        return 2
    records = read_records(files)
    xlabel, losses, nes = curves(records, args.x)
    if not losses and not nes:
        print(f'error: {", ".join(files)} hold no loss or NE records',
              file=sys.stderr)
        return 2
    work = args.work_dir if osp.isdir(args.work_dir) else \
        osp.dirname(args.work_dir)
    out = args.out or osp.join(work, 'curves.png')
    title = args.title if args.title is not None else \
        osp.basename(osp.normpath(work))
    plot(xlabel, losses, nes, out, title)
    n_train = len(next(iter(losses.values()), ([], []))[0])
    n_val = len(next(iter(nes.values()), ([], []))[0])
    last = nes.get('fashionai/NE', ([], []))[1]
    best = f', best NE {min(last):.2f}%, last {last[-1]:.2f}%' \
        if last and all(map(math.isfinite, last)) else ''
    print(f'{len(files)} run(s): {n_train} training and {n_val} validation '
          f'records{best}; wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
