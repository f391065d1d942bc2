"""Models of mmpose-cloth: the CPN head, the garment-category head, the
estimator that carries it, and the DetNet and EfficientNet-Lite backbones;
``utils/`` holds the blocks the heads are built from (CPN's GlobalNet and
RefineNet) and their ops.

Importing this package registers :class:`CPNHead`,
:class:`GarmentCategoryHead`, :class:`GarmentPoseEstimator`,
:class:`OHKMMSELoss`, :class:`DetNet` and :class:`EfficientNetLite` in
MMPose's ``MODELS`` registry.
"""
from .backbones import DetNet, EfficientNetLite
from .heads import CPNHead, GarmentCategoryHead
from .losses import OHKMMSELoss
from .pose_estimators import GarmentPoseEstimator

__all__ = [
    'DetNet', 'EfficientNetLite', 'CPNHead', 'GarmentCategoryHead',
    'GarmentPoseEstimator', 'OHKMMSELoss'
]
