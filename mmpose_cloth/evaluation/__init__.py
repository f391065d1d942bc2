from .functional import evaluate_submission, format_ne_table, normalized_error
from .metrics import FashionAIMetric, GarmentCategoryMetric

__all__ = [
    'FashionAIMetric', 'GarmentCategoryMetric', 'evaluate_submission',
    'format_ne_table', 'normalized_error'
]
