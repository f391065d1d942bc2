"""Heads of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .cpn_head import CPNHead

__all__ = ['CPNHead']
