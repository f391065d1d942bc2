"""Bar charts of the FashionAI normalized error per garment category
(``tools/analysis/plot_ne_bars.py``).

Reads any of the JSON files the project writes, and compares several side by
side (one bar colour per series):

* ``tools/test.py CONFIG CKPT --out metrics.json``:
  ``{"fashionai/NE": ..., "fashionai/NE/blouse": ..., ...}``;
* ``tools/analysis/fashionai_eval.py --json``: ``{"NE": ..., "NE/blouse":
  ...}``;
* ``tools/demo.py``'s ``summary.json``: each part that holds NE (``val``,
  ``mean_shape``, ``test``) becomes a series.
"""
import json
import math
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from fashionai_format.schema import CATEGORIES

__all__ = ['NESeries', 'read_ne_series', 'plot_ne_bars', 'plot_ne_files',
           'format_ne_series']

_NE_KEY = re.compile(r'^(?:.*/)?NE(?:/(?P<cat>\w+))?$')
_COUNT_KEY = re.compile(r'^(?:.*/)?count(?:/(?P<cat>\w+))?$')

#: ``(label, NE by category ('all' overall), keypoint counts by category)``
NESeries = Tuple[str, Dict[str, float], Dict[str, int]]


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


def read_ne_series(path: str, label: str) -> List[NESeries]:
    """The NE series in one JSON file: the file itself if it holds NE keys,
    else each of its parts that does (``label: part``).

    Raises:
        ValueError: the file is not a JSON object or holds no NE values.
    """
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


def plot_ne_bars(series: List[NESeries], out: str, title: str = '') -> None:
    """Grouped bars per category (and 'all'), one colour per series, the
    keypoint counts of the first series under the categories."""
    groups = [c for c in CATEGORIES if any(c in s[1] for s in series)]
    groups.append('all')
    n = len(series)
    width = 0.8 / n
    x = np.arange(len(groups))
    fig = Figure(figsize=(min(14, 2 + len(groups) * (0.5 + 0.35 * n)), 4.5))
    ax = fig.subplots()
    colors = matplotlib.rcParams['axes.prop_cycle'].by_key()['color']
    for i, (label, ne, _) in enumerate(series):
        vals = [100 * ne.get(g, math.nan) for g in groups]
        bars = ax.bar(x - 0.4 + width * (i + 0.5), vals, width, label=label,
                      color=colors[i % len(colors)])
        for b, v in zip(bars, vals):
            if math.isfinite(v):
                ax.annotate(f'{v:.2f}', (b.get_x() + b.get_width() / 2, v),
                            ha='center', va='bottom', fontsize=7,
                            xytext=(0, 2), textcoords='offset points')
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


def format_ne_series(series: NESeries) -> str:
    """One line: the label and NE per category in percent."""
    label, ne, _ = series
    return f'{label:<28}' + '  '.join(
        f'{c} {100 * ne[c]:.2f}%' for c in (*CATEGORIES, 'all') if c in ne)


def plot_ne_files(paths: Sequence[str], out: str,
                  labels: Optional[Sequence[str]] = None,
                  title: str = '') -> List[NESeries]:
    """Read every file's series and draw them in one chart: what
    ``tools/analysis/plot_ne_bars.py`` does.

    Args:
        paths (Sequence[str]): the JSON files.
        out (str): the PNG.
        labels (Sequence[str], optional): one per file; default the file
            names without extension.
        title (str): the chart's title.

    Returns:
        list[NESeries]: the series drawn.

    Raises:
        ValueError: labels and files differ in number, or a file holds no
            NE values.
        OSError: a file cannot be read.
    """
    if labels and len(labels) != len(paths):
        raise ValueError('give one label per JSON file')
    labels = labels or [osp.splitext(osp.basename(p))[0] for p in paths]
    series = []
    for path, label in zip(paths, labels):
        series += read_ne_series(path, label)
    plot_ne_bars(series, out, title)
    return series
