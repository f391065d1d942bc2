"""Pose estimators of mmpose-cloth, registered in MMPose's ``MODELS``
registry."""
from .garment_pose_estimator import GarmentPoseEstimator

__all__ = ['GarmentPoseEstimator']
