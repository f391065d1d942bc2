"""Test-time augmentation (MMEngine's ``tta_model``, ``tools/test.py
--tta``): multi-scale test and checkpoint ensembles merged as heatmaps."""
from .heatmap_tta_model import HeatmapTTAModel

__all__ = ['HeatmapTTAModel']
