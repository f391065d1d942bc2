"""Heads of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .category_head import GarmentCategoryHead
from .cpn_head import CPNHead

__all__ = ['CPNHead', 'GarmentCategoryHead']
