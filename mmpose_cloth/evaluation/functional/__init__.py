from .ne_table import format_ne_table
from .normalized_error import (GROSS_FAILURE_NE, NEResult, category_indices,
                               normalized_error)
from .submission import evaluate_submission

__all__ = [
    'GROSS_FAILURE_NE', 'NEResult', 'category_indices', 'normalized_error',
    'evaluate_submission', 'format_ne_table'
]
