"""mmpose-cloth: clothing keypoints (FashionAI) for MMPose 1.x.

Importing the package registers its datasets, metrics, codecs, models,
hooks and visualizer into MMPose's registries (as ``custom_imports=dict(
imports=['mmpose_cloth'])`` in a config does). :mod:`mmpose_cloth.compat` runs first
so that MMPose works on mmcv-lite and MMEngine checkpoints load on
torch >= 2.6. The FashionAI format itself (schema, CSV, COCO conversion) is
the package :mod:`fashionai_format`, which imports without torch.
"""
from . import compat  # noqa: F401  (must come first)
from . import (codecs, datasets, engine, evaluation,  # noqa: F401
               model_zoo, models, registry, visualization)
from .version import __version__

__all__ = ['__version__']
