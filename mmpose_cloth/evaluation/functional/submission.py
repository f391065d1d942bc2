"""Score a FashionAI submission against an answer file (the competition's
check), on top of :func:`normalized_error`."""
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import numpy as np

from fashionai_format.csv_io import FashionAIRecord, RowProblem
from fashionai_format.schema import VIS_ABSENT
from .normalized_error import NEResult, category_indices, normalized_error


@dataclass
class SubmissionScore:
    """A submission scored against the answers.

    Attributes:
        ne (NEResult): per answer row, in the answer file's order.
        image_ids (list[str]): the answer rows' image ids, in that order.
        missing (int): answer images without a usable prediction row.
        unreadable (int): submission rows that could not be parsed.
        extra (int): submission rows for images not in the answers (not
            scored).
        category_mismatch (int): submission rows whose category differs
            from the answer's (scored with the answer's category).
        flagged (list[RowProblem]): those extra and mismatched rows, with
            line, column and what happened to them, in file order.
    """
    ne: NEResult
    image_ids: List[str]
    missing: int = 0
    unreadable: int = 0
    extra: int = 0
    category_mismatch: int = 0
    flagged: List[RowProblem] = field(default_factory=list)

    def summary(self) -> Dict:
        """The keys of :meth:`NEResult.summary` plus ``missing``,
        ``unreadable``, ``extra`` and ``category_mismatch``."""
        out = self.ne.summary()
        out.update(missing=self.missing, unreadable=self.unreadable,
                   extra=self.extra, category_mismatch=self.category_mismatch)
        return out


def score_submission(gt: Sequence[FashionAIRecord],
                     pred: Sequence[FashionAIRecord],
                     pred_problems: Sequence[RowProblem] = ()
                     ) -> SubmissionScore:
    """NE of predicted rows against ground-truth rows, matched by image_id.

    Every ground-truth image is scored over the keypoints its answer marks
    visible, with the answer's category; nothing else in a prediction row is
    read. Where the prediction row is missing (or was unreadable:
    ``pred_problems``), each visible keypoint counts as error 1; so does a
    visible keypoint predicted as ``-1_-1_-1``. Nothing makes the score
    better silently: such cases are counted in the result.

    Args:
        gt: the answer file's records.
        pred: the submission's readable records.
        pred_problems: the submission's unreadable rows.

    Returns:
        SubmissionScore: per-image parts and the counts.
    """
    by_id = {r.image_id: r for r in pred}
    gt_by_id = {r.image_id: r for r in gt}
    n = len(gt)
    gt_xy = np.stack([r.keypoints for r in gt]) if n else np.zeros((0, 24, 2))
    vis = np.stack([r.visibility for r in gt]) if n else np.zeros((0, 24))
    cat = category_indices([r.category for r in gt])
    pred_xy = np.full((n, 24, 2), np.nan)
    pred_valid = np.zeros((n, 24), dtype=bool)
    missing = 0
    for i, r in enumerate(gt):
        p = by_id.get(r.image_id)
        if p is None:
            missing += 1
            continue
        pred_xy[i] = p.keypoints
        pred_valid[i] = p.visibility != VIS_ABSENT
    flagged: List[RowProblem] = []
    extra = mismatch = 0
    for p in pred:
        answer = gt_by_id.get(p.image_id)
        if answer is None:
            extra += 1
            flagged.append(RowProblem(p.line, p.image_id,
                                      'image not in the answers; not scored',
                                      'image_id'))
        elif p.category != answer.category:
            mismatch += 1
            flagged.append(RowProblem(
                p.line, p.image_id,
                f'category {p.category!r}, but the answer says '
                f'{answer.category!r}; scored as {answer.category} (its '
                'keypoints that this row lacks score 1)', 'image_category'))
    return SubmissionScore(
        ne=normalized_error(pred_xy, gt_xy, vis, cat, pred_valid),
        image_ids=[r.image_id for r in gt], missing=missing,
        unreadable=len(pred_problems), extra=extra,
        category_mismatch=mismatch, flagged=flagged)


def evaluate_submission(gt: Sequence[FashionAIRecord],
                        pred: Sequence[FashionAIRecord],
                        pred_problems: Sequence[RowProblem] = ()) -> Dict:
    """:func:`score_submission`'s numbers as one dict
    (:meth:`SubmissionScore.summary`): NE overall and per category,
    ``missing``, ``unreadable``, ``extra``, ``category_mismatch``, ...
    """
    return score_submission(gt, pred, pred_problems).summary()
