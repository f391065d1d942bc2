"""CPN's head as the paper draws it, the reference for the shipped one (not
a test module).

The shipped :class:`GlobalNet` convolves each coarser level before
upsampling it, and :class:`RefineNet` never builds the concatenation of
its upsampled levels; these functions compute the same function the plain
way, on the same modules (so with the same parameters and ``state_dict``):
GlobalNet upsamples the coarser level and then applies ``upsample_convs``;
RefineNet upsamples every level, concatenates them (coarse first, as the
original code) and runs ``final_block`` on the concatenation.
``test_cpn_equivalence.py`` proves that outputs, gradients and norm
statistics agree; this was ``CPNHead(fast=False)`` until the shipped code
kept one formulation.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpose_cloth.models import CPNHead
from mmpose_cloth.models.utils import GlobalNet, RefineNet


def plain_global_net(net: GlobalNet, feats: Sequence[Tensor],
                     out_shape: Tuple[int, int]
                     ) -> Tuple[List[Tensor], List[Tensor]]:
    """:meth:`GlobalNet.forward`, upsampling before ``upsample_convs``."""
    num_levels = len(net.lateral_convs)
    pyramid: List[Optional[Tensor]] = [None] * num_levels
    for i in range(num_levels - 1, -1, -1):
        feat = net.lateral_convs[i](feats[i])
        if i < num_levels - 1:
            up = F.interpolate(pyramid[i + 1], size=feat.shape[-2:],
                               mode='bilinear',
                               align_corners=net.align_corners)
            feat = feat + net.upsample_convs[i](up)
        pyramid[i] = feat
    heatmaps = [
        F.interpolate(predictor(feat), size=out_shape, mode='bilinear',
                      align_corners=net.align_corners)
        for predictor, feat in zip(net.predictors, pyramid)
    ]
    return pyramid, heatmaps


def plain_refine_net(net: RefineNet, pyramid: Sequence[Tensor],
                     out_shape: Tuple[int, int]) -> Tensor:
    """:meth:`RefineNet.forward` on the concatenated upsampled levels."""
    refined = []
    for blocks, feat in zip(net.level_blocks, pyramid):
        feat = blocks(feat)
        if tuple(feat.shape[-2:]) != tuple(out_shape):
            feat = F.interpolate(feat, size=out_shape, mode='bilinear',
                                 align_corners=net.align_corners)
        refined.append(feat)
    out = torch.cat(refined[::-1], dim=1)
    return net.final_layer(net.final_block(out))


class PlainCPNHead(CPNHead):
    """:class:`CPNHead` computing its forward the plain way: the same
    arguments, parameters (``load_state_dict`` of a :class:`CPNHead`
    checkpoint, strict), loss and prediction code."""

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        assert len(feats) == self.num_levels
        out_shape = self.out_shape or tuple(feats[0].shape[-2:])
        pyramid, global_heatmaps = plain_global_net(self.global_net, feats,
                                                    out_shape)
        refine_heatmaps = plain_refine_net(self.refine_net, pyramid,
                                           out_shape)
        return global_heatmaps[::-1] + [refine_heatmaps]

