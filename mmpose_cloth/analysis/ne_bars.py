"""Per-category NE as grouped bars, one colour per model
(``tools/analysis/plot_ne_bars.py`` and the head comparison's chart).

A *series* is ``(label, {category or 'all': NE}, {category or 'all':
keypoint count})``; :func:`ne_and_counts` makes the two dicts from any of
the project's metrics files (``tools/test.py --out``: ``fashionai/NE/<cat>``;
``fashionai_eval.py --json``: ``NE/<cat>``).
"""
import json
import math
import re
from typing import Dict, List, Tuple

from fashionai_format.schema import CATEGORIES

__all__ = ['Series', 'ne_and_counts', 'read_series', 'draw_ne_bars',
           'plot_ne_bars']

_NE_KEY = re.compile(r'^(?:.*/)?NE(?:/(?P<cat>\w+))?$')
_COUNT_KEY = re.compile(r'^(?:.*/)?count(?:/(?P<cat>\w+))?$')

Series = Tuple[str, Dict[str, float], Dict[str, int]]


def ne_and_counts(d: dict) -> Tuple[Dict[str, float], Dict[str, int]]:
    """NE and keypoint counts by category ('all' for the overall) of a
    metrics dict."""
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
    else each of its parts that does (``label: part``).

    Raises:
        ValueError: no NE values in the file.
    """
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a JSON object')
    ne, count = ne_and_counts(data)
    if ne:
        return [(label, ne, count)]
    out = []
    for key, part in data.items():
        if isinstance(part, dict):
            ne, count = ne_and_counts(part)
            if ne:
                out.append((f'{label}: {key}', ne, count))
    if not out:
        raise ValueError(f'{path}: no NE values found (keys like '
                         '"fashionai/NE/blouse" or "NE/blouse")')
    return out


def draw_ne_bars(ax, series: List[Series]) -> None:
    """Grouped bars on a matplotlib axis: the categories (those any series
    has) and 'all', one bar per series, its value in percent above it."""
    import numpy as np
    import matplotlib.pyplot as plt
    groups = [c for c in CATEGORIES if any(c in s[1] for s in series)]
    groups.append('all')
    n = max(1, len(series))
    width = 0.8 / n
    x = np.arange(len(groups))
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
    counts = series[0][2] if series else {}
    ax.set_xticks(x)
    ax.set_xticklabels([
        f'{g}\n({counts[g]} kpts)' if g in counts else g for g in groups
    ])
    ax.set_ylabel('NE (%)')
    ax.grid(axis='y', alpha=0.3)
    ax.set_axisbelow(True)
    values = [100 * v for _, ne, _ in series for v in ne.values()
              if math.isfinite(v)]
    if values and max(values) > 0:
        ax.set_ylim(0, max(values) * 1.12)  # room for the value labels
    if series:  # below the bars, where it hides none
        ax.legend(fontsize=8, loc='upper center', ncol=min(n, 4),
                  bbox_to_anchor=(0.5, -0.16))


def plot_ne_bars(series: List[Series], out: str, title: str = '') -> None:
    """:func:`draw_ne_bars` alone in a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    groups = 1 + len({c for s in series for c in s[1] if c != 'all'})
    n = len(series)
    fig, ax = plt.subplots(
        figsize=(min(14, 2 + groups * (0.5 + 0.35 * n)), 4.5))
    draw_ne_bars(ax, series)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100, bbox_inches='tight')
    plt.close(fig)
