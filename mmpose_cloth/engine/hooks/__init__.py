from .channels_last_hook import ChannelsLastHook
from .compile_hook import CompileHook
from .keypoint_count_check_hook import (KeypointCountCheckHook,
                                        head_keypoint_count)

__all__ = [
    'ChannelsLastHook', 'CompileHook', 'KeypointCountCheckHook',
    'head_keypoint_count'
]
