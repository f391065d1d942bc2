from .functional import (evaluate_submission, format_ne_table, format_worst,
                         normalized_error, score_submission)
from .metrics import FashionAIMetric, GarmentCategoryMetric

__all__ = [
    'FashionAIMetric', 'GarmentCategoryMetric', 'evaluate_submission',
    'format_ne_table', 'format_worst', 'normalized_error', 'score_submission'
]
