"""Runner-side helpers of mmpose-cloth: hooks (registered in MMPose) and
the end of a distributed run, publishing a checkpoint."""
from .hooks import KeypointCountCheckHook
from .publish import publish_checkpoint
from .teardown import teardown_distributed

__all__ = [
    'KeypointCountCheckHook', 'publish_checkpoint', 'teardown_distributed'
]
