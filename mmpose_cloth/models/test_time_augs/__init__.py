"""Test-time augmentation (MMEngine's ``tta_model``, ``tools/test.py
--tta``): multi-scale test and checkpoint ensembles merged as heatmaps, and
the crop stage's extra second passes."""
from .crop_stage_tta_model import CropStageTTAModel
from .heatmap_tta_model import HeatmapTTAModel

__all__ = ['CropStageTTAModel', 'HeatmapTTAModel']
