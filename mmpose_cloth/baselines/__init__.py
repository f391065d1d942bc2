"""Baselines that a trained model must beat: guesses that ignore the
image."""
from .mean_shape import fit_mean_shape, predict_mean_shape

__all__ = ['fit_mean_shape', 'predict_mean_shape']
