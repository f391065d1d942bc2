"""Training curves (loss, validation NE) from an MMEngine work dir
(``tools/analysis/plot_curves.py``).

MMEngine writes one JSON record per line to
``<work_dir>/<timestamp>/vis_data/scalars.json``: training records
(``loss``, ``loss_*``, ``lr``, ``epoch``, ``iter``, ``step``) every
``logger.interval`` iterations and a validation record (``fashionai/NE``,
``fashionai/NE/<category>``) after each validation. Runs resumed in the same
work dir are joined in time order.

The figure's top panel is the training loss (each ``loss*`` key, log scale
when it spans more than a decade), the bottom one the validation NE in
percent (all categories, and each category as a thin line). The x axis is
the epoch for epoch-based runs, the iteration otherwise.
"""
import glob
import json
import math
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from matplotlib.figure import Figure

from fashionai_format.schema import CATEGORIES
from .work_dirs import find_scalars, read_records, split_records

__all__ = ['Curves', 'find_scalars', 'read_records', 'training_curves',
           'plot_curves', 'plot_training_curves']

#: One colour per category (matplotlib's first five), in schema order.
CATEGORY_COLORS = dict(
    zip(CATEGORIES, ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd')))

#: ``(xs, ys)`` of one plotted line.
Series = Tuple[List[float], List[float]]


@dataclass
class Curves:
    """The plotted series of a work dir.

    Attributes:
        xlabel (str): ``'epoch'`` or ``'iteration'``.
        losses (dict[str, Series]): training loss per ``loss*`` key (a key
            equal to ``loss`` point for point is left out).
        nes (dict[str, Series]): validation NE in percent per ``*/NE*`` key.
        files (list[str]): the ``scalars.json`` files read.
    """
    xlabel: str
    losses: Dict[str, Series]
    nes: Dict[str, Series]
    files: List[str]

    def summary(self, out: str) -> str:
        """One line: runs, records, best and last NE, the file written."""
        n_train = len(next(iter(self.losses.values()), ([], []))[0])
        n_val = len(next(iter(self.nes.values()), ([], []))[0])
        last = self.nes.get('fashionai/NE', ([], []))[1]
        best = f', best NE {min(last):.2f}%, last {last[-1]:.2f}%' \
            if last and all(map(math.isfinite, last)) else ''
        return (f'{len(self.files)} run(s): {n_train} training and {n_val} '
                f'validation records{best}; wrote {out}')





def training_curves(records: List[dict], x_axis: str = 'auto',
                    files: Optional[List[str]] = None) -> Curves:
    """The series to plot from MMEngine's scalar records.

    Args:
        records (list[dict]): :func:`read_records`' output.
        x_axis (str): ``'epoch'``, ``'iter'`` or ``'auto'`` (epoch for
            epoch-based runs).
        files (list[str], optional): where the records came from.
    """
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
    return Curves('epoch' if x_axis == 'epoch' else 'iteration', losses, nes,
                  list(files or []))


def plot_curves(curves: Curves, out: str, title: str = '') -> None:
    """Draw :class:`Curves` into a PNG at ``out`` (two panels: training
    loss, validation NE)."""
    fig = Figure(figsize=(8, 7))
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    for k, (xs, ys) in curves.losses.items():
        ax1.plot(xs, ys, label=k, lw=2 if k == 'loss' else 1,
                 alpha=1 if k == 'loss' else 0.7)
    pos = [y for _, ys in curves.losses.values() for y in ys if y > 0]
    if pos and max(pos) > 10 * min(pos):
        ax1.set_yscale('log')
    ax1.set_ylabel('training loss')
    ax1.grid(alpha=0.3, which='both')
    if curves.losses:
        ax1.legend(fontsize=8)
    else:
        ax1.text(0.5, 0.5, 'no training records', ha='center',
                 transform=ax1.transAxes)
    for k, (xs, ys) in curves.nes.items():
        cat = k.rsplit('/', 1)[-1]
        if k.endswith('/NE'):
            ax2.plot(xs, ys, 'k-o', lw=2, ms=4, label='all', zorder=3)
            if ys:
                ax2.annotate(f'{ys[-1]:.2f}%', (xs[-1], ys[-1]),
                             textcoords='offset points', xytext=(4, 4))
        else:
            ax2.plot(xs, ys, '-', marker='.', lw=1, label=cat,
                     color=CATEGORY_COLORS.get(cat))
    ax2.set_ylabel('validation NE (%)')
    ax2.set_xlabel(curves.xlabel)
    ax2.grid(alpha=0.3)
    if curves.nes:
        ax2.legend(fontsize=8, ncol=3)
    else:
        ax2.text(0.5, 0.5, 'no validation records', ha='center',
                 transform=ax2.transAxes)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def plot_training_curves(work_dir: str, out: Optional[str] = None,
                         x_axis: str = 'auto',
                         title: Optional[str] = None) -> Tuple[Curves, str]:
    """Read a work dir's logs and draw its curves: what
    ``tools/analysis/plot_curves.py`` does.

    Args:
        work_dir (str): an MMEngine work dir, one of its ``<timestamp>``
            folders, or a ``scalars.json`` file.
        out (str, optional): the PNG; default ``<work_dir>/curves.png``.
        x_axis (str): ``'auto'``, ``'epoch'`` or ``'iter'``.
        title (str, optional): default the work dir's name.

    Returns:
        tuple: the :class:`Curves` drawn and the PNG's path.

    Raises:
        FileNotFoundError: no ``vis_data/scalars.json`` under ``work_dir``.
        ValueError: the files hold no loss or NE records.
    """
    files = find_scalars(work_dir)
    if not files:
        raise FileNotFoundError(
            f'no vis_data/scalars.json under {work_dir} (is it an MMEngine '
            'work dir, with LocalVisBackend?)')
    curves = training_curves(read_records(files), x_axis, files)
    if not curves.losses and not curves.nes:
        raise ValueError(f'{", ".join(files)} hold no loss or NE records')
    work = work_dir if osp.isdir(work_dir) else osp.dirname(work_dir)
    out = out or osp.join(work, 'curves.png')
    if title is None:
        title = osp.basename(osp.normpath(work))
    plot_curves(curves, out, title)
    return curves, out
