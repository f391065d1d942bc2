from .functional import evaluate_submission, format_ne_table, normalized_error
from .metrics import FashionAIMetric

__all__ = [
    'FashionAIMetric', 'evaluate_submission', 'format_ne_table',
    'normalized_error'
]
