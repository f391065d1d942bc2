"""RefineNet, the second stage of CPN: bottlenecks per pyramid level, then
one bottleneck on all levels at the output size."""
import copy
from typing import Sequence, Tuple

import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpose.utils.typing import ConfigType
from .refine_bottleneck import RefineBottleneck
from .resize import memory_format_of, resize_sum

__all__ = ['RefineNet']


class RefineNet(BaseModule):
    """RefineNet of `CPN`_.

    Level ``i`` of the pyramid (fine to coarse) goes through
    ``num_blocks[i]`` :class:`RefineBottleneck` blocks and is upsampled to
    the output size; the levels are concatenated (coarse first, as in the
    original code), pass one more bottleneck (``final_block``) and a 3x3
    conv + BN to ``K`` heatmaps.

    As computed, the concatenation of the upsampled levels
    (``L * unit_channels`` channels at the output size, the largest
    activation of CPN) is never built. ``final_block``'s first 1x1
    convolution and its 1x1 projection shortcut are linear in that
    concatenation, so ``conv(cat(up(x_i))) = sum_i up(conv_i(x_i))``, where
    ``conv_i`` uses the slice of the weight that sees level ``i``: each
    level is convolved at its own resolution, upsampled, and the levels are
    summed (:func:`~mmpose_cloth.models.utils.resize.resize_sum`) before the
    norms (:meth:`RefineBottleneck.forward_projected`).
    ``tests/models/cpn_reference.py`` keeps the formulation with the
    concatenation and the tests prove that outputs, gradients and norm
    statistics agree to float rounding.

    Args:
        num_levels (int): Number of pyramid levels.
        unit_channels (int): Channels of the pyramid features.
        out_channels (int): Number of heatmaps (keypoints).
        num_blocks (Sequence[int]): Bottlenecks per level, fine to coarse.
        norm_cfg (Config): Config of the norm layers.
        align_corners (bool): ``align_corners`` of the bilinear resizes.

    .. _`CPN`: https://arxiv.org/abs/1711.07319
    """

    def __init__(self,
                 num_levels: int,
                 unit_channels: int,
                 out_channels: int,
                 num_blocks: Sequence[int],
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True):
        super().__init__()
        norm_cfg = copy.deepcopy(norm_cfg)
        self.align_corners = align_corners
        self.unit_channels = unit_channels
        self.level_blocks = nn.ModuleList([
            nn.Sequential(*[
                RefineBottleneck(
                    unit_channels, unit_channels, norm_cfg=norm_cfg)
                for _ in range(n)
            ]) for n in num_blocks
        ])
        self.final_block = RefineBottleneck(
            unit_channels * num_levels, unit_channels, norm_cfg=norm_cfg)
        self.final_layer = ConvModule(
            unit_channels,
            out_channels,
            3,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=None)

    def forward(self, pyramid: Sequence[Tensor],
                out_shape: Tuple[int, int]) -> Tensor:
        """Forward RefineNet.

        Args:
            pyramid (Sequence[Tensor]): GlobalNet features, fine to coarse,
                each of shape [B, unit_channels, H_i, W_i].
            out_shape (tuple[int, int]): (H, W) of the output heatmaps.

        Returns:
            Tensor: Heatmaps of shape [B, K, H, W].
        """
        block = self.final_block
        num_levels = len(self.level_blocks)
        c = self.unit_channels
        # conv1 and the shortcut conv read the same input: one convolution
        # with both weights (one larger matrix product), split at the end
        weight = block.projection_weight()
        levels = []
        for i, (blocks, feat) in enumerate(zip(self.level_blocks, pyramid)):
            feat = blocks(feat)
            # final_block reads the levels concatenated coarse first (the
            # original code's order, which its weights follow): level i is
            # its input channels [k * c, (k + 1) * c), k = num_levels - 1 - i
            k = num_levels - 1 - i
            levels.append(F.conv2d(feat, weight[:, k * c:(k + 1) * c]))
        acc = resize_sum(levels, out_shape, self.align_corners)
        # a channel slice of a channels-last tensor is dense in neither
        # layout, which sends the norms to a slow strided path: copy each
        # part into the layout of the sum (free for NCHW, where a channel
        # slice is already dense)
        layout = memory_format_of(acc)
        main, shortcut = (
            part.contiguous(memory_format=layout) for part in acc.split(
                [block.mid_channels, block.out_channels], dim=1))
        return self.final_layer(block.forward_projected(main, shortcut))
