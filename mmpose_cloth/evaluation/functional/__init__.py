from .ne_table import format_ne_table, format_worst
from .normalized_error import (GROSS_FAILURE_NE, NEResult, category_indices,
                               normalized_error)
from .submission import (SubmissionScore, evaluate_submission,
                         score_submission)

__all__ = [
    'GROSS_FAILURE_NE', 'NEResult', 'category_indices', 'normalized_error',
    'SubmissionScore', 'evaluate_submission', 'format_ne_table',
    'format_worst', 'score_submission'
]
