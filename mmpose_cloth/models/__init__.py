"""Models of mmpose-cloth: the CPN head, the garment-category head, the
estimator that carries it, the DetNet and EfficientNet-Lite backbones, and
the test-time augmentation models (``test_time_augs/``); ``utils/`` holds
the blocks the heads are built from (CPN's GlobalNet and RefineNet) and
their ops.

Importing this package registers :class:`CPNHead`,
:class:`GarmentCategoryHead`, :class:`GarmentPoseEstimator`,
:class:`OHKMMSELoss`, :class:`DetNet`, :class:`EfficientNetLite`,
:class:`HeatmapTTAModel` and :class:`CropStageTTAModel` in
MMPose's ``MODELS`` registry.
"""
from .backbones import DetNet, EfficientNetLite
from .heads import CPNHead, GarmentCategoryHead
from .losses import OHKMMSELoss
from .pose_estimators import GarmentPoseEstimator
from .test_time_augs import CropStageTTAModel, HeatmapTTAModel

__all__ = [
    'DetNet', 'EfficientNetLite', 'CPNHead', 'GarmentCategoryHead',
    'CropStageTTAModel', 'GarmentPoseEstimator', 'HeatmapTTAModel',
    'OHKMMSELoss'
]
