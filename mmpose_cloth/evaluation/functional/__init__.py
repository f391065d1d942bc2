from .mean_shape import fit_mean_shape, predict_mean_shape
from .normalized_error import NEResult, category_indices, normalized_error
from .submission import evaluate_submission

__all__ = [
    'NEResult', 'category_indices', 'normalized_error', 'evaluate_submission',
    'fit_mean_shape', 'predict_mean_shape'
]
