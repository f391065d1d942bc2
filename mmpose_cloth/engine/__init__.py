"""Runner-side helpers of mmpose-cloth: hooks (registered in MMPose) and
the end of a distributed run."""
from .hooks import KeypointCountCheckHook
from .teardown import teardown_distributed

__all__ = ['KeypointCountCheckHook', 'teardown_distributed']
