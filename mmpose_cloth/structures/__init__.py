"""Geometry shared by the data pipeline and the models (as MMPose's
``structures``): the box around a garment's keypoints."""
from .keypoint_bbox import keypoint_bbox

__all__ = ['keypoint_bbox']
