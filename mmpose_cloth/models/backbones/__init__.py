"""Backbones of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .detnet import DetNet
from .efficientnet_lite import EfficientNetLite

__all__ = ['DetNet', 'EfficientNetLite']
