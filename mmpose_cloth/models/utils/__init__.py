"""Building blocks of the heads (as MMPose's ``models/utils``): CPN's
GlobalNet and RefineNet, RefineNet's bottleneck, and the resize and
ConvModule ops of CPN's reordered 1x1 convolutions (not registered: the heads build
them), and :class:`CategoryFiLM`, which the estimator builds from its
config (registered)."""
from .category_film import CategoryFiLM
from .crop import (PassFn, boxes_to_image, crop_boxes, crop_stage_passes,
                   crop_whole)
from .conv_module_ops import forward_after_conv, output_writable
from .global_net import GlobalNet
from .refine_bottleneck import RefineBottleneck
from .refine_net import RefineNet
from .resize import (interp_matrix, memory_format_of, resize, resize_heatmaps,
                     resize_sum)

__all__ = [
    'CategoryFiLM', 'PassFn', 'boxes_to_image', 'crop_boxes',
    'crop_stage_passes', 'crop_whole', 'GlobalNet', 'RefineNet', 'RefineBottleneck',
    'forward_after_conv', 'output_writable', 'interp_matrix',
    'memory_format_of', 'resize', 'resize_heatmaps', 'resize_sum'
]
