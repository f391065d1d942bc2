from .channels_last_hook import ChannelsLastHook
from .keypoint_count_check_hook import KeypointCountCheckHook

__all__ = ['ChannelsLastHook', 'KeypointCountCheckHook']
