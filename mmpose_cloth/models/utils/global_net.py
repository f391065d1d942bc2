"""GlobalNet, the feature pyramid of CPN, with a heatmap predictor on every
level."""
import copy
from typing import List, Optional, Sequence, Tuple

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpose.utils.typing import ConfigType
from .conv_module_ops import forward_after_conv, output_writable
from .resize import resize

__all__ = ['GlobalNet']


class GlobalNet(BaseModule):
    """GlobalNet of `CPN`_: a top-down feature pyramid with a heatmap
    predictor on every level.

    Unlike FPN, the coarser level is upsampled *and passed through a 1x1
    conv + norm* (``upsample_convs``) before it is added to the finer
    level's lateral feature. Levels are given from fine to coarse, in the
    order in which MMPose backbones return them (C2, C3, C4, C5 for a ResNet
    with ``out_indices=(0, 1, 2, 3)``). Two neighbouring levels may have the
    same spatial size (DetNet's strides 16, 16): the coarser level is
    resized to the finer level's size, never by a fixed factor.

    As computed: each ``upsample_convs`` convolution runs on the coarser
    level at its own resolution and the result is upsampled (a 1x1
    convolution commutes with a bilinear resize, see
    :mod:`~mmpose_cloth.models.utils.resize`), fewer multiply-adds than
    convolving the upsampled level as drawn; its norm still normalises the
    upsampled, full-size tensor, so its statistics are those of the
    formulation as drawn. ``tests/models/cpn_reference.py`` keeps that
    formulation and the tests prove that outputs, gradients and norm
    statistics agree to float rounding.

    Args:
        in_channels (Sequence[int]): Channels of the input levels, fine to
            coarse.
        unit_channels (int): Channels of the pyramid features.
        out_channels (int): Number of heatmaps (keypoints).
        norm_cfg (Config): Config of the norm layers.
        align_corners (bool): ``align_corners`` of the bilinear resizes.

    .. _`CPN`: https://arxiv.org/abs/1711.07319
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 unit_channels: int,
                 out_channels: int,
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True):
        super().__init__()
        norm_cfg = copy.deepcopy(norm_cfg)
        self.align_corners = align_corners
        # lateral 1x1 conv + BN + ReLU on every level
        self.lateral_convs = nn.ModuleList([
            ConvModule(c, unit_channels, 1, norm_cfg=norm_cfg)
            for c in in_channels
        ])
        # 1x1 conv + BN on the upsampled coarser level (CPN, not FPN); entry
        # i merges level i + 1 into level i
        self.upsample_convs = nn.ModuleList([
            ConvModule(
                unit_channels, unit_channels, 1, norm_cfg=norm_cfg,
                act_cfg=None) for _ in range(len(in_channels) - 1)
        ])
        # 1x1 conv + BN + ReLU, 3x3 conv to K + BN, on every level
        self.predictors = nn.ModuleList([
            nn.Sequential(
                ConvModule(
                    unit_channels, unit_channels, 1, norm_cfg=norm_cfg),
                ConvModule(
                    unit_channels,
                    out_channels,
                    3,
                    padding=1,
                    norm_cfg=norm_cfg,
                    act_cfg=None)) for _ in in_channels
        ])

    def forward(
        self, feats: Sequence[Tensor], out_shape: Tuple[int, int]
    ) -> Tuple[List[Tensor], List[Tensor]]:
        """Forward the pyramid.

        Args:
            feats (Sequence[Tensor]): Backbone levels, fine to coarse, level
                ``i`` of shape [B, C_i, H_i, W_i].
            out_shape (tuple[int, int]): (H, W) of the output heatmaps.

        Returns:
            tuple:
            - pyramid (List[Tensor]): Pyramid features, fine to coarse, each
              of shape [B, unit_channels, H_i, W_i].
            - heatmaps (List[Tensor]): Heatmaps, fine to coarse, each of shape
              [B, K, H, W].
        """
        num_levels = len(self.lateral_convs)
        pyramid: List[Optional[Tensor]] = [None] * num_levels
        for i in range(num_levels - 1, -1, -1):
            feat = self.lateral_convs[i](feats[i])
            if i < num_levels - 1:
                up_conv = self.upsample_convs[i]
                up = resize(
                    up_conv.conv(pyramid[i + 1]), feat.shape[-2:],
                    self.align_corners)
                up = forward_after_conv(up_conv, up)
                # add in place into the norm's output when its backward
                # does not need it (BN / GN, no activation): one large
                # temporary less
                feat = up.add_(feat) if output_writable(up_conv) else (
                    feat + up)
            pyramid[i] = feat
        heatmaps = [
            resize(predictor(feat), out_shape, self.align_corners)
            for predictor, feat in zip(self.predictors, pyramid)
        ]
        return pyramid, heatmaps
