"""Runner-side helpers of mmpose-cloth (hooks), registered in MMPose."""
from .hooks import KeypointCountCheckHook

__all__ = ['KeypointCountCheckHook']
