from .functional import evaluate_submission, normalized_error
from .metrics import FashionAIMetric

__all__ = ['FashionAIMetric', 'evaluate_submission', 'normalized_error']
