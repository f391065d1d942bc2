"""Readers of benchmark results: the table and summary printed to the
terminal, the chart (PNG) and NE values matched to rows. They all read the
typed rows of :mod:`mmpose_cloth.analysis.results`."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from .results import BenchmarkResult, BenchmarkRow

__all__ = ['print_table', 'print_details', 'plot_benchmark', 'ne_of',
           'attach_ne']


def print_table(rows: Sequence[BenchmarkRow], batch: int, iters: int) -> None:
    """One line per config: params, GFLOPs, training and inference speeds
    with their ratios to the first config, memory and data pipeline."""
    ref = rows[0].name
    print(f'\nratios (x) are to {ref!r}: medians of the per-round ratios '
          f'(batch {batch}, {iters} rounds); "cpu" uses the '
          'process\'s CPU time instead of wall time')
    w = max(20, max(len(r.name) for r in rows) + 1)
    head = (f'{"model":<{w}}{"params":>7}{"GFLOPs":>7}{"train":>7}{"x":>6}'
            f'{"x cpu":>6}{"infer b1":>9}{"x":>6}{"infer bN":>9}{"x":>6}'
            f'{"mem":>7}{"pipe":>7}{"pipe/":>7}')
    unit = (f'{"":<{w}}{"(M)":>7}{"":>7}{"img/s":>7}{"":>6}{"":>6}'
            f'{"ms/img":>9}{"":>6}{"img/s":>9}{"":>6}{"(MB)":>7}'
            f'{"img/s":>7}{"train":>7}')
    print(head)
    print(unit)
    print('-' * len(head))
    for r in rows:
        mem_s = (f'{r.memory.train_step_mb:7.0f}' if r.memory
                 else f'{"-":>7}')
        gf = f'{r.gflops:7.2f}' if r.gflops is not None else f'{"-":>7}'
        pipe = r.pipeline
        pipe_s = (f'{pipe.img_per_s:7.1f}{pipe.vs_train:7.0f}'
                  if pipe else f'{"-":>7}{"-":>7}')
        t, i = r.train, r.infer
        print(f'{r.name:<{w}}{r.params_m:7.2f}{gf}'
              f'{t.img_per_s:7.2f}{t.ratio:6.2f}{t.cpu_ratio:6.2f}'
              f'{i.latency_ms:9.0f}{i.latency_ratio:6.2f}'
              f'{i.img_per_s:9.2f}{i.ratio:6.2f}{mem_s}{pipe_s}')


def print_details(result: BenchmarkResult) -> None:
    """Each config's pipeline time per transform, the compile time of
    ``::compile`` entries and the evaluation timing."""
    for r in result.results:
        steps = ', '.join(f'{k} {v:.2f}'
                          for k, v in r.pipeline.transforms_ms.items())
        print(f'pipeline {r.name}: {r.pipeline.ms_per_img:.1f} '
              f'ms/img ({steps} ms)')
    for r in result.results:
        c = r.compile
        if c is not None:
            print(f'torch.compile {r.name}: first training step '
                  f'{c.train_first_step_s:.2f} s (then {r.train.step_s:.3f}'
                  f' s), first inference {c.infer_first_b1_s:.2f} s at '
                  f'batch 1 (then {r.infer.latency_ms:.1f} ms) and '
                  f'{c.infer_first_batch_s:.2f} s at batch {r.batch} (then '
                  f'{r.batch / r.infer.img_per_s:.3f} s)')
    ev = result.evaluation
    if ev:
        print(f'evaluation of {ev.images} images: NE '
              f'{ev.normalized_error_s * 1e3:.1f} ms, metric '
              f'{ev.metric_compute_s * 1e3:.1f} ms, evaluate_submission '
              f'{ev.evaluate_submission_s * 1e3:.1f} ms, CSV read + '
              f'score {ev.offline_csv_s * 1e3:.1f} ms')


def ne_of(row: BenchmarkRow, ne: Dict[str, float]) -> Optional[float]:
    """The row's NE in ``{name: NE}``, looked up by its short name, full
    name, config name or config path; ``None`` if none is there."""
    for key in (row.name, row.full_name, row.config_name, row.config):
        if key in ne:
            return float(ne[key])
    return None


def attach_ne(rows: Sequence[BenchmarkRow], ne: Dict[str, float]) -> None:
    """Set every row's ``ne`` from ``{name: NE}`` (:func:`ne_of`)."""
    for r in rows:
        r.ne = ne_of(r, ne)
        r.has_ne = True


def plot_benchmark(rows: Sequence[BenchmarkRow], path: str,
                   ne: Optional[Dict[str, float]] = None) -> None:
    """A 2x2 chart: training and inference throughput ratios, GFLOPs vs
    training speed, and NE vs training speed (with ``ne``) or the data
    pipeline's images/s over training images/s."""
    # here, not on import: choosing a backend is this function's business
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = [r.name for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    ypos = np.arange(len(rows))

    def bars(ax, values: List[float], title: str, xlabel: str) -> None:
        ax.barh(ypos, values, color='tab:blue')
        ax.set_yticks(ypos)
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        for y, v in zip(ypos, values):
            ax.text(v, y, f' {v:.2f}', va='center', fontsize=8)

    bars(axes[0, 0], [r.train.ratio for r in rows],
         'training throughput, ratio to the first', 'x')
    bars(axes[0, 1], [r.infer.ratio for r in rows],
         f'inference throughput (batch {rows[0].batch}), ratio', 'x')
    ax = axes[1, 0]
    gfl = [r.gflops or 0 for r in rows]
    ips = [r.train.img_per_s for r in rows]
    ax.scatter(gfl, ips)
    for g, i, n in zip(gfl, ips, names):
        ax.annotate(n, (g, i), fontsize=7)
    ax.set_xlabel('GFLOPs per image')
    ax.set_ylabel('training images/s')
    ax.set_title('arithmetic vs training speed', fontsize=10)
    ax = axes[1, 1]
    if ne:
        pts = [(r.train.img_per_s, ne_of(r, ne), r.name) for r in rows]
        pts = [p for p in pts if p[1] is not None]
        ax.scatter([p[0] for p in pts], [p[1] * 100 for p in pts])
        for x, y, n in pts:
            ax.annotate(n, (x, y * 100), fontsize=7)
        ax.set_xlabel('training images/s')
        ax.set_ylabel('NE (%)')
        ax.set_title('NE vs training throughput', fontsize=10)
    else:
        pipe = [r.pipeline.vs_train if r.pipeline else 0 for r in rows]
        bars(ax, pipe, 'data pipeline images/s per worker / training '
             'images/s', 'x')
    fig.suptitle(rows[0].device_desc, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
