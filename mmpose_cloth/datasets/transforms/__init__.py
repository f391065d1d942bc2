from .random_keypoint_bbox import RandomKeypointBBox

__all__ = ['RandomKeypointBBox']
