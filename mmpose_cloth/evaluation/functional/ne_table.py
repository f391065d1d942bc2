"""The per-category NE table, as the metric logs it and the tools print it."""
import math
from typing import Mapping, Sequence

from fashionai_format.schema import CATEGORIES
from .normalized_error import GROSS_FAILURE_NE, NEResult

#: The title of :func:`format_ne_table` unless told otherwise.
NE_TITLE = 'FashionAI normalized error (lower is better)'


def _percent(value: float) -> str:
    return f'{"n/a":>7}' if math.isnan(value) else f'{value * 100:6.2f}%'


def format_ne_table(summary: Mapping[str, float],
                    title: str = NE_TITLE,
                    prefix: str = '') -> str:
    """Lines of NE per category and overall, with what they were pooled
    over.

    Example::

        FashionAI normalized error (lower is better):
          blouse    NE  53.47% over 1078 keypoints
          ...
          all       NE  56.09% over 3654 keypoints in 456 images; left out
          (no normalizing keypoints): 2    <- one line

    Args:
        summary (Mapping[str, float]): the keys of
            :meth:`~mmpose_cloth.evaluation.functional.NEResult.summary`
            (``NE``, ``NE/<category>``, ``count``, ``count/<category>``,
            ``images``, ``left_out``), as :class:`FashionAIMetric` and
            :func:`evaluate_submission` return them.
        title (str): the first line, without its colon.
        prefix (str): the keys' prefix, e.g. ``'fashionai/'`` for what
            ``runner.test()`` returns.

    Returns:
        str: the table, lines joined by newlines (no trailing newline).
    """
    lines = [f'{title}:']
    for c in CATEGORIES:
        if f'{prefix}NE/{c}' in summary:
            lines.append(f'  {c:<9} NE {_percent(summary[f"{prefix}NE/{c}"])}'
                         f' over {summary[f"{prefix}count/{c}"]} keypoints')
    lines.append(f'  {"all":<9} NE {_percent(summary[f"{prefix}NE"])} over '
                 f'{summary[f"{prefix}count"]} keypoints in '
                 f'{summary[f"{prefix}images"]} images; left out (no '
                 f'normalizing keypoints): {summary[f"{prefix}left_out"]}')
    if f'{prefix}gross' in summary:
        lines.append(
            f'  gross failures (an image\'s own NE over '
            f'{GROSS_FAILURE_NE:.0%}): {_percent(summary[f"{prefix}gross"])}'
            f' of the images ({summary[f"{prefix}gross_count"]})')
    return '\n'.join(lines)


def format_worst(ne: NEResult, image_ids: Sequence[str], k: int = 10) -> str:
    """One line naming the ``k`` images with the highest own NE, worst
    first: ``'worst 3 images (own NE): Images/a.jpg 81.2%, ...'``; ``''``
    when no image was scored.

    Args:
        ne (NEResult): per-image parts, one per image id.
        image_ids (Sequence[str]): the images' names, in ``ne``'s order.
        k (int): how many to name.
    """
    worst = ne.worst(k)
    if not len(worst):
        return ''
    own = ne.per_image()
    return f'worst {len(worst)} images (own NE): ' + ', '.join(
        f'{image_ids[i]} {own[i]:.1%}' for i in worst)
