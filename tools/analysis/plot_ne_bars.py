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
"""
import argparse
import json
import math
import os.path as osp
import re
import sys
from typing import Dict, List, Tuple

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format.schema import CATEGORIES  # noqa: E402

_NE_KEY = re.compile(r'^(?:.*/)?NE(?:/(?P<cat>\w+))?$')
_COUNT_KEY = re.compile(r'^(?:.*/)?count(?:/(?P<cat>\w+))?$')

Series = Tuple[str, Dict[str, float], Dict[str, int]]


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


def _flat(d: dict) -> Tuple[Dict[str, float], Dict[str, int]]:
    """NE and keypoint counts by category ('all' for the overall)."""
    ne, count = {}, {}
    for k, v in d.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        m = _NE_KEY.match(k)
        if m and (m['cat'] in CATEGORIES or m['cat'] is None):
            ne[m['cat'] or 'all'] = float(v)
        m = _COUNT_KEY.match(k)
        if m and (m['cat'] in CATEGORIES or m['cat'] is None):
            count[m['cat'] or 'all'] = int(v)
    return ne, count


def read_series(path: str, label: str) -> List[Series]:
    """The NE series in one JSON file: the file itself if it holds NE keys,
    else each of its parts that does (``label:part``)."""
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a JSON object')
    ne, count = _flat(data)
    if ne:
        return [(label, ne, count)]
    out = []
    for key, part in data.items():
        if isinstance(part, dict):
            ne, count = _flat(part)
            if ne:
                out.append((f'{label}: {key}', ne, count))
    if not out:
        raise ValueError(f'{path}: no NE values found (keys like '
                         '"fashionai/NE/blouse" or "NE/blouse")')
    return out


def plot(series: List[Series], out: str, title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    groups = [c for c in CATEGORIES if any(c in s[1] for s in series)]
    groups.append('all')
    n = len(series)
    width = 0.8 / n
    x = np.arange(len(groups))
    fig, ax = plt.subplots(
        figsize=(min(14, 2 + len(groups) * (0.5 + 0.35 * n)), 4.5))
    colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for i, (label, ne, _) in enumerate(series):
        vals = [100 * ne.get(g, math.nan) for g in groups]
        bars = ax.bar(x - 0.4 + width * (i + 0.5), vals, width, label=label,
                      color=colors[i % len(colors)])
        for b, v in zip(bars, vals):
            if math.isfinite(v):
                ax.annotate(f'{v:.2f}', (b.get_x() + b.get_width() / 2, v),
                            ha='center', va='bottom', fontsize=7,
                            xytext=(0, 2), textcoords='offset points')
    # the keypoint counts under each category, from the first series
    counts = series[0][2]
    ax.set_xticks(x)
    ax.set_xticklabels([
        f'{g}\n({counts[g]} kpts)' if g in counts else g for g in groups
    ])
    ax.set_ylabel('NE (%)')
    ax.grid(axis='y', alpha=0.3)
    ax.set_axisbelow(True)
    top = np.nanmax([100 * v for _, ne, _ in series for v in ne.values()])
    if np.isfinite(top) and top > 0:
        ax.set_ylim(0, top * 1.12)  # room for the value labels
    if series:  # below the bars, where it hides none
        ax.legend(fontsize=8, loc='upper center', ncol=min(n, 4),
                  bbox_to_anchor=(0.5, -0.16))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100, bbox_inches='tight')
    plt.close(fig)


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
    plot(series, args.out, args.title)
    for label, ne, _ in series:
        print(f'{label:<28}' + '  '.join(
            f'{c} {100 * ne[c]:.2f}%' for c in (*CATEGORIES, 'all')
            if c in ne))
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
