"""Backbones of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .detnet import DetNet
from .efficientnet_lite import EfficientNetLite
from .efficientnet_lite_tail import EfficientNetLiteTail

__all__ = ['DetNet', 'EfficientNetLite', 'EfficientNetLiteTail']
