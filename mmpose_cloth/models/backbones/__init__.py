"""Backbones of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .detnet import DetNet

__all__ = ['DetNet']
