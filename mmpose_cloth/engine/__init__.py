"""Runner-side helpers of mmpose-cloth: hooks (registered in MMPose),
``torch.compile`` from MMEngine's ``compile`` setting, the end of a
distributed run, publishing a checkpoint."""
from .compile import (STATIC_SHAPES, compile_options, compile_prediction,
                      eager_data_preprocessor, eager_prediction,
                      with_compile_hook)
from .hooks import CompileHook, KeypointCountCheckHook
from .publish import publish_checkpoint
from .step_times import StepTimes
from .teardown import teardown_distributed

__all__ = [
    'STATIC_SHAPES', 'CompileHook', 'KeypointCountCheckHook', 'StepTimes',
    'compile_options', 'compile_prediction', 'eager_data_preprocessor',
    'eager_prediction', 'publish_checkpoint', 'teardown_distributed',
    'with_compile_hook'
]
