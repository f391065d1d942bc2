"""One submission from several ``result.csv`` files: the paper's way (one
model per garment category), or any split of a test list between models."""
import os
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

from .csv_io import (FashionAIRecord, read_annotations, read_test_list,
                     write_annotations)
from .schema import NUM_KEYPOINTS, VIS_ABSENT

PathLike = Union[str, os.PathLike]

__all__ = ['MergeReport', 'merge_submissions']


@dataclass
class MergeReport:
    """What :func:`merge_submissions` found.

    Attributes:
        rows_per_file (dict): path -> rows used from that file.
        missing (list): test-list images no file predicts.
        duplicated (list): ``(image_id, [paths])`` for images more than one
            file predicts.
        wrong_category (list): ``(image_id, path, found, expected)``.
        extra (list): ``(image_id, path)`` rows for images not in the test
            list.
        written (bool): whether the merged file was written (complete, or
            with missing images where ``allow_missing`` said so).
    """
    rows_per_file: Dict[str, int] = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)
    duplicated: List[Tuple[str, List[str]]] = field(default_factory=list)
    wrong_category: List[Tuple[str, str, str, str]] = field(
        default_factory=list)
    extra: List[Tuple[str, str]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        """No image missing, duplicated or of another category (rows for
        images outside the test list are left out and only warned about)."""
        return not (self.missing or self.duplicated or self.wrong_category)


    def problems(self, limit: int = 5) -> List[str]:
        """What stops the merge, one line per kind, naming the first
        ``limit``."""
        out = []
        if self.missing:
            out.append(f'{len(self.missing)} test images have no prediction '
                       f'in any file: {_first(self.missing, limit)}')
        if self.duplicated:
            out.append(f'{len(self.duplicated)} images are predicted by more '
                       'than one file: ' + _first(
                           [f'{i} in {" and ".join(p)}'
                            for i, p in self.duplicated], limit))
        if self.wrong_category:
            out.append(f'{len(self.wrong_category)} rows have another '
                       'category than the test list: ' + _first(
                           [f'{i} ({p}: {f}, test list: {e})'
                            for i, p, f, e in self.wrong_category], limit))
        return out

    def warnings(self, limit: int = 5) -> List[str]:
        """What the merge leaves out and says so."""
        if not self.extra:
            return []
        return [f'{len(self.extra)} rows are for images not in the test list '
                'and are left out: ' +
                _first([f'{i} ({p})' for i, p in self.extra], limit)]


def _first(items: Sequence, limit: int) -> str:
    more = f' (+{len(items) - limit} more)' if len(items) > limit else ''
    return ', '.join(str(i) for i in items[:limit]) + more


def merge_submissions(test_list: PathLike, submissions: Sequence[PathLike],
                      out_file: PathLike,
                      allow_missing: bool = False) -> MergeReport:
    """Merge submissions into one for ``test_list``, in its order.

    Every test image must be predicted by exactly one file, with the test
    list's category. Nothing is written unless that holds (with
    ``allow_missing``, images no file predicts are written as all
    ``-1_-1_-1``, which the evaluator scores as missed keypoints; they are
    still listed in the report).

    Args:
        test_list (str | PathLike): ``image_id,image_category`` CSV (an
            answer or submission file works too).
        submissions (Sequence): ``result.csv`` files (header optional).
        out_file (str | PathLike): the merged submission.
        allow_missing (bool): write even if some images are missing.

    Returns:
        MergeReport: counts and problems; ``report.written`` tells whether
        the file was written, ``report.ok`` whether it is complete.

    Raises:
        FashionAIFormatError: a file that cannot be read (names file and
            line), or a file with one image twice.
    """
    wanted = read_test_list(test_list)
    category = dict(wanted)
    report = MergeReport()
    found: Dict[str, List[Tuple[str, FashionAIRecord]]] = {}
    for path in submissions:
        path = str(path)
        records = read_annotations(path, header='optional').records
        used = 0
        for r in records:
            if r.image_id not in category:
                report.extra.append((r.image_id, path))
                continue
            if r.category != category[r.image_id]:
                report.wrong_category.append(
                    (r.image_id, path, r.category, category[r.image_id]))
                continue
            found.setdefault(r.image_id, []).append((path, r))
            used += 1
        report.rows_per_file[path] = used
    merged = []
    for image_id, cat in wanted:
        hits = found.get(image_id, [])
        if not hits:
            report.missing.append(image_id)
            merged.append(FashionAIRecord(
                image_id, cat, np.full((NUM_KEYPOINTS, 2), -1.0,
                                       np.float32),
                np.full(NUM_KEYPOINTS, VIS_ABSENT, np.int8)))
        else:
            if len(hits) > 1:
                report.duplicated.append((image_id, [p for p, _ in hits]))
            merged.append(hits[0][1])
    if report.duplicated or report.wrong_category or \
            (report.missing and not allow_missing):
        return report
    write_annotations(out_file, merged)
    report.written = True
    return report
