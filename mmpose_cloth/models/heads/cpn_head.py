"""Cascaded Pyramid Network head (GlobalNet + RefineNet) for MMPose 1.x.

`CPN`_ (Chen et al., CVPR 2018) predicts heatmaps in two steps on top of a
ResNet-style backbone:

* **GlobalNet**, a feature pyramid over the backbone levels C2-C5. Unlike FPN,
  the coarser level is upsampled *and passed through a 1x1 conv* before it is
  added to the finer level's lateral feature. Every pyramid level predicts
  ``K`` heatmaps, supervised with L2 losses on Gaussian targets whose size
  shrinks from the coarse to the fine level.
* **RefineNet** runs 3, 2, 1 and 0 bottleneck blocks on the C5, C4, C3 and C2
  GlobalNet features, upsamples them all to the output size, concatenates
  them and predicts the final heatmaps, supervised with an L2 loss with
  online hard keypoint mining (:class:`OHKMMSELoss`).

Layer widths follow the authors' TensorFlow code (chenyilun95/tf-cpn) and
its PyTorch port (GengDavid/pytorch-cpn), so that CPN-ResNet-50 has the
published number of parameters (27.0M).

Exact fast path (``fast=True``, the default): two 1x1 convolutions are moved
in front of the bilinear upsampling they follow, which they commute with (a
1x1 convolution mixes channels at each pixel, bilinear resizing mixes pixels
within each channel; both are linear, and the resize weights sum to one so a
bias passes through unchanged):

* GlobalNet's ``upsample_convs`` run on the coarser level at its own
  resolution, then the result is upsampled; the BN after the convolution
  still normalises the upsampled, full-size tensor, so its statistics are
  those of the plain formulation.
* RefineNet's final bottleneck takes the concatenation of the four upsampled
  levels (``L * unit_channels`` channels at the output size). Its first 1x1
  convolution and its 1x1 projection shortcut are linear in that
  concatenation, so ``conv(cat(up(x_i))) = sum_i up(conv_i(x_i))``, where
  ``conv_i`` uses the slice of the weight that sees level ``i``; each level
  is convolved at its own resolution, upsampled, and the levels are summed
  before the BN. The concatenated tensor is never built.

At 384x384 with ResNet-50 this removes about 3 of the head's 10 GFLOPs and
the largest activation of the network, with the same parameters (the
``state_dict`` keys and shapes do not change: the fast path reuses the plain
modules' weights). The outputs and gradients agree with the plain
formulation to float rounding; ``fast=False`` (or ``head.fast = False``)
runs the plain formulation, e.g. to check that.

.. _`CPN`: https://arxiv.org/abs/1711.07319
"""
import copy
import functools
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule, build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from mmengine.structures import PixelData
from torch import Tensor, nn

from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.backbones.resnet import Bottleneck
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.losses import KeypointOHKMMSELoss

from ..losses import OHKMMSELoss  # noqa: F401  (registers the default loss)
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures import MultilevelPixelData
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import (ConfigType, Features, OptConfigType,
                                 OptMultiConfig, OptSampleList, Predictions)

__all__ = ['CPNHead']

# Channel expansion of RefineNet's bottlenecks: 256 -> 128 -> 128 -> 256, as
# in the original CPN (not ResNet's 4).
REFINE_EXPANSION = 2


def _refine_bottleneck(in_channels: int, out_channels: int,
                       norm_cfg: ConfigType) -> Bottleneck:
    """RefineNet's bottleneck: MMPose's ResNet :class:`Bottleneck` with a
    width of ``out_channels // 2`` and, as in the original CPN, a 1x1
    projection shortcut even when the numbers of channels match."""
    downsample = nn.Sequential(
        build_conv_layer(
            None, in_channels, out_channels, kernel_size=1, bias=False),
        build_norm_layer(norm_cfg, out_channels)[1])
    return Bottleneck(
        in_channels=in_channels,
        out_channels=out_channels,
        expansion=REFINE_EXPANSION,
        downsample=downsample,
        norm_cfg=norm_cfg)


def _is_pointwise(conv: nn.Module) -> bool:
    """Whether ``conv`` is a plain 1x1 convolution (stride 1, no padding, no
    groups), which commutes with a bilinear resize."""
    return (type(conv) is nn.Conv2d and conv.kernel_size == (1, 1)
            and conv.stride == (1, 1) and conv.padding == (0, 0)
            and conv.groups == 1)


def _after_conv(module: ConvModule, x: Tensor) -> Tensor:
    """Apply what a :class:`ConvModule` does after its convolution (norm and
    activation, in the module's order) to ``x``."""
    for layer in module.order[module.order.index('conv') + 1:]:
        if layer == 'norm' and module.with_norm:
            x = module.norm(x)
        elif layer == 'act' and module.with_activation:
            x = module.activate(x)
    return x


def _output_free(module: ConvModule) -> bool:
    """Whether the backward pass of ``module`` after its convolution does
    not use the module's output, so that the output may be changed in
    place: a batch or group norm and no activation."""
    return (module.with_norm and not module.with_activation and isinstance(
        module.norm, (nn.modules.batchnorm._BatchNorm, nn.GroupNorm)))


@functools.lru_cache(maxsize=64)
def _interp_matrix(out_size: int, in_size: int, align_corners: bool,
                   dtype: torch.dtype, device: torch.device) -> Tensor:
    """The matrix ``A`` of shape [out_size, in_size] of 1-D linear
    interpolation as ``F.interpolate(mode='bilinear')`` computes it along one
    axis (the same source coordinates and weights), so that a bilinear
    resize of ``x`` [..., h, w] is ``A_h @ x @ A_w.T``."""
    dst = torch.arange(out_size, dtype=torch.float64)
    if align_corners:
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.
        src = dst * scale
    else:
        src = ((dst + 0.5) * (in_size / out_size) - 0.5).clamp(min=0)
    i0 = src.floor().long().clamp(max=in_size - 1)
    i1 = (i0 + 1).clamp(max=in_size - 1)
    w1 = src - i0
    rows = torch.arange(out_size)
    mat = torch.zeros(out_size, in_size, dtype=torch.float64)
    mat.index_put_((rows, i0), 1 - w1, accumulate=True)
    mat.index_put_((rows, i1), w1, accumulate=True)
    return mat.to(dtype=dtype, device=device)


def _resize_sum(xs: Sequence[Tensor], size: Tuple[int, int],
                align_corners: bool) -> Tensor:
    """``sum(_resize(x, size) for x in xs)`` for tensors of the same
    [B, C] and any sizes.

    In the contiguous (NCHW) layout the resizes are written as matrix
    products, ``sum_i A_h,i @ x_i @ A_w,i.T``: each level is resized along
    its width, the results are stacked along the height, and one product
    with the side-by-side height matrices resizes and sums all levels at
    once. The same weights as ``F.interpolate`` (float rounding aside),
    without a full-size tensor per level, and a backward pass of matrix
    products instead of a scatter. Channels-last inputs, where PyTorch's
    bilinear kernel is fast, are resized one by one.
    """
    out = [x for x in xs if tuple(x.shape[-2:]) == tuple(size)]
    rest = [x for x in xs if tuple(x.shape[-2:]) != tuple(size)]
    if rest and all(_layout(x) == torch.channels_last for x in rest):
        out += [_resize(x, size, align_corners) for x in rest]
        rest = []
    if rest:
        height, width = size
        cols = [
            torch.matmul(
                x,
                _interp_matrix(width, x.shape[-1], align_corners, x.dtype,
                               x.device).t()) for x in rest
        ]
        rows = torch.cat([
            _interp_matrix(height, x.shape[-2], align_corners, x.dtype,
                           x.device) for x in rest
        ], dim=1)
        out.append(torch.matmul(rows, torch.cat(cols, dim=-2)))
    acc = out[0]
    for y in out[1:]:
        if any(acc is x for x in xs):  # never write into an input
            acc = acc + y
        else:  # a fresh result the backward pass does not need: in place
            acc = acc.add_(y)
    return acc


def _layout(x: Tensor) -> torch.memory_format:
    """The memory format ``x`` is dense in: channels-last or contiguous."""
    if (x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last)
            and not x.is_contiguous()):
        return torch.channels_last
    return torch.contiguous_format


def _resize(x: Tensor, size: Tuple[int, int], align_corners: bool) -> Tensor:
    """Bilinear resize to ``size``; no copy when ``x`` has that size already
    (a same-size bilinear resize is the identity)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(
        x, size=size, mode='bilinear', align_corners=align_corners)


class GlobalNet(BaseModule):
    """GlobalNet of CPN: a top-down feature pyramid with a heatmap predictor
    on every level.

    Levels are given from fine to coarse, in the order in which MMPose
    backbones return them (C2, C3, C4, C5 for a ResNet with
    ``out_indices=(0, 1, 2, 3)``). Two neighbouring levels may have the same
    spatial size (DetNet's strides 16, 16): the coarser level is resized to
    the finer level's size, never by a fixed factor.

    Args:
        in_channels (Sequence[int]): Channels of the input levels, fine to
            coarse.
        unit_channels (int): Channels of the pyramid features.
        out_channels (int): Number of heatmaps (keypoints).
        norm_cfg (Config): Config of the norm layers.
        align_corners (bool): ``align_corners`` of the bilinear resizes.
        fast (bool): Run each ``upsample_convs`` 1x1 convolution before the
            upsampling instead of after it (exact; see the module
            docstring). Defaults to ``True``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 unit_channels: int,
                 out_channels: int,
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True,
                 fast: bool = True):
        super().__init__()
        norm_cfg = copy.deepcopy(norm_cfg)
        self.align_corners = align_corners
        self.fast = fast
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
        if self.fast:
            return self._forward_fast(feats, out_shape)
        num_levels = len(self.lateral_convs)
        pyramid: List[Optional[Tensor]] = [None] * num_levels
        for i in range(num_levels - 1, -1, -1):
            feat = self.lateral_convs[i](feats[i])
            if i < num_levels - 1:
                up = F.interpolate(
                    pyramid[i + 1],
                    size=feat.shape[-2:],
                    mode='bilinear',
                    align_corners=self.align_corners)
                feat = feat + self.upsample_convs[i](up)
            pyramid[i] = feat
        heatmaps = [
            F.interpolate(
                predictor(feat),
                size=out_shape,
                mode='bilinear',
                align_corners=self.align_corners)
            for predictor, feat in zip(self.predictors, pyramid)
        ]
        return pyramid, heatmaps

    def _forward_fast(
        self, feats: Sequence[Tensor], out_shape: Tuple[int, int]
    ) -> Tuple[List[Tensor], List[Tensor]]:
        """:meth:`forward` with each ``upsample_convs`` convolution applied
        at the coarser level's resolution, before the upsampling (it is 1x1,
        so it commutes with the resize); its norm then sees the same
        upsampled tensor as in the plain formulation."""
        num_levels = len(self.lateral_convs)
        pyramid: List[Optional[Tensor]] = [None] * num_levels
        for i in range(num_levels - 1, -1, -1):
            feat = self.lateral_convs[i](feats[i])
            if i < num_levels - 1:
                up_conv = self.upsample_convs[i]
                up = _resize(
                    up_conv.conv(pyramid[i + 1]), feat.shape[-2:],
                    self.align_corners)
                up = _after_conv(up_conv, up)
                # add in place into the norm's output when its backward
                # does not need it (BN / GN, no activation): one large
                # temporary less
                feat = up.add_(feat) if _output_free(up_conv) else feat + up
            pyramid[i] = feat
        heatmaps = [
            _resize(predictor(feat), out_shape, self.align_corners)
            for predictor, feat in zip(self.predictors, pyramid)
        ]
        return pyramid, heatmaps


class RefineNet(BaseModule):
    """RefineNet of CPN.

    Level ``i`` of the pyramid (fine to coarse) goes through
    ``num_blocks[i]`` bottlenecks and is upsampled to the output size; the
    levels are concatenated (coarse first, as in the original code), pass
    one more bottleneck and a 3x3 conv + BN to ``K`` heatmaps.

    Args:
        num_levels (int): Number of pyramid levels.
        unit_channels (int): Channels of the pyramid features.
        out_channels (int): Number of heatmaps (keypoints).
        num_blocks (Sequence[int]): Bottlenecks per level, fine to coarse.
        norm_cfg (Config): Config of the norm layers.
        align_corners (bool): ``align_corners`` of the bilinear resizes.
        fast (bool): Run the final bottleneck's first 1x1 convolution and
            its 1x1 projection shortcut on each level at its own resolution
            and sum the upsampled results, instead of convolving the
            concatenation of the upsampled levels (exact; see the module
            docstring). Defaults to ``True``.
    """

    def __init__(self,
                 num_levels: int,
                 unit_channels: int,
                 out_channels: int,
                 num_blocks: Sequence[int],
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True,
                 fast: bool = True):
        super().__init__()
        norm_cfg = copy.deepcopy(norm_cfg)
        self.align_corners = align_corners
        self.fast = fast
        self.unit_channels = unit_channels
        self.level_blocks = nn.ModuleList([
            nn.Sequential(*[
                _refine_bottleneck(unit_channels, unit_channels, norm_cfg)
                for _ in range(n)
            ]) for n in num_blocks
        ])
        self.final_block = _refine_bottleneck(unit_channels * num_levels,
                                              unit_channels, norm_cfg)
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
        if self.fast and self._fast_applies():
            return self._forward_fast(pyramid, out_shape)
        refined = []
        for blocks, feat in zip(self.level_blocks, pyramid):
            feat = blocks(feat)
            if tuple(feat.shape[-2:]) != tuple(out_shape):
                feat = F.interpolate(
                    feat,
                    size=out_shape,
                    mode='bilinear',
                    align_corners=self.align_corners)
            refined.append(feat)
        out = torch.cat(refined[::-1], dim=1)
        return self.final_layer(self.final_block(out))

    def _fast_applies(self) -> bool:
        """Whether the final bottleneck has the structure the fast path
        relies on: 1x1 ``conv1`` and a (1x1 conv, norm) shortcut."""
        block = self.final_block
        down = block.downsample
        return (not block.with_cp and _is_pointwise(block.conv1)
                and isinstance(down, nn.Sequential) and len(down) == 2
                and _is_pointwise(down[0]))

    def _forward_fast(self, pyramid: Sequence[Tensor],
                      out_shape: Tuple[int, int]) -> Tensor:
        """:meth:`forward` without the concatenation: the final bottleneck's
        ``conv1`` and shortcut convolution are applied to each level at its
        own resolution with their weight slice for that level, upsampled and
        summed (then normalised, as in the plain formulation)."""
        block = self.final_block
        conv1, short_conv, short_norm = (block.conv1, block.downsample[0],
                                         block.downsample[1])
        num_levels = len(self.level_blocks)
        c = self.unit_channels
        mid = conv1.out_channels
        # conv1 and the shortcut conv read the same input: one convolution
        # with both weights (one larger matrix product), split at the end
        weight = torch.cat([conv1.weight, short_conv.weight], dim=0)
        levels = []
        for i, (blocks, feat) in enumerate(zip(self.level_blocks, pyramid)):
            feat = blocks(feat)
            # levels are concatenated coarse first: level i holds the input
            # channels [k * c, (k + 1) * c) with k = num_levels - 1 - i
            k = num_levels - 1 - i
            levels.append(F.conv2d(feat, weight[:, k * c:(k + 1) * c]))
        acc = _resize_sum(levels, out_shape, self.align_corners)
        # a channel slice of a channels-last tensor is dense in neither
        # layout, which sends the norms to a slow strided path: copy each
        # part into the layout of the sum (free for NCHW, where a channel
        # slice is already dense)
        layout = _layout(acc)
        main, shortcut = (
            part.contiguous(memory_format=layout)
            for part in acc.split([mid, acc.shape[1] - mid], dim=1))
        if conv1.bias is not None:
            main = main + conv1.bias.view(1, -1, 1, 1)
        if short_conv.bias is not None:
            shortcut = shortcut + short_conv.bias.view(1, -1, 1, 1)
        # the rest of mmpose's Bottleneck.forward
        out = block.relu(block.norm1(main))
        out = block.relu(block.norm2(block.conv2(out)))
        out = block.norm3(block.conv3(out))
        out += short_norm(shortcut)
        return self.final_layer(block.relu(out))


@MODELS.register_module()
class CPNHead(BaseHead):
    """Cascaded Pyramid Network head: GlobalNet + RefineNet, introduced in
    `CPN`_ by Chen et al. (2018).

    Use it in a :class:`TopdownPoseEstimator` after a ResNet-like backbone
    that returns several levels (e.g. ``ResNet(depth=50,
    out_indices=(0, 1, 2, 3))``, giving C2-C5 at strides 4, 8, 16, 32, or
    :class:`~mmpose_cloth.models.backbones.DetNet`).

    The head returns ``L + 1`` heatmap sets for ``L`` input levels: the
    GlobalNet heatmaps of every level from **coarse to fine** (C5, C4, C3,
    C2: the order of MSPN's units and of the multilevel targets, whose
    Gaussians shrink from coarse to fine), then the RefineNet heatmaps.
    ``level_indices[i]`` says which target level supervises output ``i``;
    the default ``[0, 1, ..., L-1, L-1]`` matches a
    ``GenerateTarget(multilevel=True, encoder=[codec_0, ..., codec_{L-1}])``
    with kernels from large to small, RefineNet sharing the finest target.
    A single-level target (``GenerateTarget(encoder=codec)``) is also
    accepted: every output is then supervised by it.

    Online hard keypoint mining on the RefineNet output uses
    :class:`OHKMMSELoss` by default: per sample, the mean of the
    ``min(topk, number of keypoints with weight > 0)`` largest keypoint
    losses. Keypoints with weight 0 (absent from the garment, or outside the
    crop) are never mined, and ``out_channels < topk`` is allowed (e.g. a
    skirt's 4 keypoints with ``topk=8``): ``topk`` is an upper bound.
    MMPose's :class:`KeypointOHKMMSELoss` may be configured instead; it then
    needs ``out_channels >= topk``, which is checked when the head is built.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels, fine to
            coarse. Defaults to ``(256, 512, 1024, 2048)`` (ResNet-50 C2-C5)
        out_channels (int): Number of keypoints ``K``. Defaults to 17
        out_shape (tuple[int, int], optional): (H, W) of the output heatmaps.
            ``None`` (default) uses the size of the finest input level
            (stride 4 for C2), which must then equal the codec's heatmap size
        unit_channels (int): Channels of GlobalNet's pyramid and RefineNet.
            Defaults to 256
        num_refine_blocks (Sequence[int]): RefineNet bottlenecks per level,
            fine to coarse. Defaults to ``(0, 1, 2, 3)`` (C2: 0 ... C5: 3)
        norm_cfg (Config): Config of the norm layers. Defaults to
            ``dict(type='BN')``
        align_corners (bool): ``align_corners`` of the bilinear resizes.
            Defaults to ``True`` (as in the original code and MSPN)
        level_indices (Sequence[int], optional): Target level for each of the
            ``L + 1`` outputs. Defaults to ``[0, 1, ..., L-1, L-1]``
        loss (Config | List[Config], optional): Loss of each output (a list
            of ``L + 1`` configs, GlobalNet coarse to fine then RefineNet),
            or one config for all of them. Defaults to
            ``KeypointMSELoss(use_target_weight=True, loss_weight=0.5)`` on
            every GlobalNet level (the original halves each global L2 loss)
            and ``OHKMMSELoss(use_target_weight=True, topk=8)`` on RefineNet
        decoder (Config, optional): The decoder config that controls decoding
            keypoint coordinates from the network output (the codec of the
            finest level). Defaults to ``None``
        init_cfg (Config, optional): Config to control the initialization. See
            :attr:`default_init_cfg` for default settings
        fast (bool): Use the exact fast formulation of GlobalNet's upsampling
            convolutions and of RefineNet's final bottleneck (see the module
            docstring); ``False`` runs the plain formulation. Same
            parameters and ``state_dict`` either way; can be changed later
            through :attr:`fast`. Defaults to ``True``

    Example:
        >>> import torch
        >>> from mmpose_cloth.models import CPNHead
        >>> head = CPNHead(in_channels=(8, 16, 32, 64), out_channels=4,
        ...                unit_channels=16)
        >>> feats = [torch.rand(1, c, 16 // 2**i, 16 // 2**i)
        ...          for i, c in enumerate((8, 16, 32, 64))]
        >>> [tuple(h.shape) for h in head(feats)] == [(1, 4, 16, 16)] * 5
        True

    .. _`CPN`: https://arxiv.org/abs/1711.07319
    """

    def __init__(self,
                 in_channels: Sequence[int] = (256, 512, 1024, 2048),
                 out_channels: int = 17,
                 out_shape: Optional[Tuple[int, int]] = None,
                 unit_channels: int = 256,
                 num_refine_blocks: Sequence[int] = (0, 1, 2, 3),
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True,
                 level_indices: Optional[Sequence[int]] = None,
                 loss: OptMultiConfig = None,
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None,
                 fast: bool = True):
        if init_cfg is None:
            init_cfg = self.default_init_cfg
        super().__init__(init_cfg)

        self.in_channels = tuple(in_channels)
        self.num_levels = len(self.in_channels)
        if self.num_levels < 1:
            raise ValueError('CPNHead needs at least one input level')
        self.out_channels = out_channels
        self.out_shape = tuple(out_shape) if out_shape is not None else None
        self.unit_channels = unit_channels
        if unit_channels % REFINE_EXPANSION:
            raise ValueError(f'unit_channels ({unit_channels}) must be a '
                             f'multiple of {REFINE_EXPANSION}')
        if len(num_refine_blocks) != self.num_levels:
            raise ValueError(
                f'The length of num_refine_blocks ({len(num_refine_blocks)})'
                f' did not match the number of input levels '
                f'({self.num_levels}, from in_channels)')
        self.num_refine_blocks = tuple(num_refine_blocks)
        self.align_corners = align_corners
        num_outputs = self.num_levels + 1

        if level_indices is None:
            level_indices = list(range(self.num_levels)) + [
                self.num_levels - 1
            ]
        if len(level_indices) != num_outputs:
            raise ValueError(
                f'The length of level_indices ({len(level_indices)}) did not'
                f' match the number of outputs ({num_outputs}: '
                f'{self.num_levels} GlobalNet levels + RefineNet)')
        self.level_indices = list(level_indices)

        if loss is None:
            loss = [
                dict(
                    type='KeypointMSELoss',
                    use_target_weight=True,
                    loss_weight=0.5)
            ] * self.num_levels + [
                dict(type='OHKMMSELoss', use_target_weight=True, topk=8)
            ]
        if isinstance(loss, (list, tuple)):
            if len(loss) != num_outputs:
                raise ValueError(
                    f'The length of loss_module ({len(loss)}) did not match'
                    f' the number of outputs ({num_outputs}: '
                    f'{self.num_levels} GlobalNet levels + RefineNet)')
            self.loss_module = nn.ModuleList(
                MODELS.build(_loss) for _loss in loss)
            loss_modules = list(self.loss_module)
        else:
            self.loss_module = MODELS.build(loss)
            loss_modules = [self.loss_module]
        for module in loss_modules:
            if (type(module) is KeypointOHKMMSELoss
                    and module.topk > out_channels):
                raise ValueError(
                    f'KeypointOHKMMSELoss(topk={module.topk}) needs at least '
                    f'topk keypoints, but out_channels={out_channels}. Use '
                    f'type="OHKMMSELoss" (topk becomes an upper bound) or '
                    f'set topk <= {out_channels}.')

        if decoder is not None:
            self.decoder = KEYPOINT_CODECS.build(decoder)
        else:
            self.decoder = None

        self.global_net = GlobalNet(
            self.in_channels,
            unit_channels,
            out_channels,
            norm_cfg=norm_cfg,
            align_corners=align_corners,
            fast=fast)
        self.refine_net = RefineNet(
            self.num_levels,
            unit_channels,
            out_channels,
            self.num_refine_blocks,
            norm_cfg=norm_cfg,
            align_corners=align_corners,
            fast=fast)

    @property
    def fast(self) -> bool:
        """Whether the exact fast formulation is used (see the module
        docstring); assign to switch both GlobalNet and RefineNet."""
        return self.global_net.fast and self.refine_net.fast

    @fast.setter
    def fast(self, value: bool) -> None:
        self.global_net.fast = bool(value)
        self.refine_net.fast = bool(value)

    @property
    def default_init_cfg(self):
        """Default config for weight initialization."""
        init_cfg = [
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', layer='BatchNorm2d', val=1),
        ]
        return init_cfg

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """Forward the network.

        Note:
            - batch_size: B
            - num_input_levels: L
            - num_keypoints: K
            - heatmaps height / width: H, W (``out_shape``, or the size of
              the finest input level)

        Args:
            feats (Sequence[Tensor]): ``L`` backbone levels, fine to coarse,
                level ``i`` of shape [B, in_channels[i], H_i, W_i], with
                ``H_i >= H_{i+1}``.

        Returns:
            List[Tensor]: ``L + 1`` heatmaps of shape [B, K, H, W]: the
            GlobalNet outputs from coarse to fine, then the RefineNet output.
        """
        assert len(feats) == self.num_levels, (
            f'{self.__class__.__name__} got {len(feats)} feature maps but '
            f'in_channels has {self.num_levels} levels: set the backbone '
            f'out_indices to return {self.num_levels} levels')
        for i, (feat, channels) in enumerate(zip(feats, self.in_channels)):
            assert feat.shape[1] == channels, (
                f'The number of channels of feature level {i} '
                f'({feat.shape[1]}) did not match in_channels[{i}] '
                f'({channels}) in {self.__class__.__name__}')
        out_shape = self.out_shape or tuple(feats[0].shape[-2:])
        pyramid, global_heatmaps = self.global_net(feats, out_shape)
        refine_heatmaps = self.refine_net(pyramid, out_shape)
        return global_heatmaps[::-1] + [refine_heatmaps]

    def predict(self,
                feats: Features,
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Predict results from the RefineNet heatmaps.

        Args:
            feats (Sequence[Tensor] | List[Sequence[Tensor]]): Backbone
                levels (see :meth:`forward`), or in flip test
                (``test_cfg['flip_test']``) a list of the levels of the
                original and of the horizontally flipped images
            batch_data_samples (List[:obj:`PoseDataSample`]): The batch
                data samples; flip test reads ``metainfo['flip_indices']``
            test_cfg (dict): The runtime config for testing process, e.g.
                ``dict(flip_test=True, flip_mode='heatmap',
                shift_heatmap=False, output_heatmaps=False)``. Defaults to
                ``{}``

        Returns:
            Union[InstanceList | Tuple[InstanceList | PixelDataList]]: If
            ``test_cfg['output_heatmaps']==True``, return both pose and
            heatmap prediction; otherwise only return the pose prediction.

            The pose prediction is a list of ``InstanceData``, each contains
            the following fields:

                - keypoints (np.ndarray): predicted keypoint coordinates in
                    shape (num_instances, K, D) where K is the keypoint number
                    and D is the keypoint dimension
                - keypoint_scores (np.ndarray): predicted keypoint scores in
                    shape (num_instances, K)

            The heatmap prediction is a list of ``PixelData``, each contains
            the following fields:

                - heatmaps (Tensor): The predicted heatmaps in shape (K, h, w)
        """
        if test_cfg.get('flip_test', False):
            # TTA: flip test -> feats = [orig, flipped]
            assert isinstance(feats, list) and len(feats) == 2
            flip_indices = batch_data_samples[0].metainfo['flip_indices']
            _feats, _feats_flip = feats
            _batch_heatmaps = self.forward(_feats)[-1]
            _batch_heatmaps_flip = flip_heatmaps(
                self.forward(_feats_flip)[-1],
                flip_mode=test_cfg.get('flip_mode', 'heatmap'),
                flip_indices=flip_indices,
                shift_heatmap=test_cfg.get('shift_heatmap', False))
            batch_heatmaps = (_batch_heatmaps + _batch_heatmaps_flip) * 0.5
        else:
            batch_heatmaps = self.forward(feats)[-1]

        preds = self.decode(batch_heatmaps)

        if test_cfg.get('output_heatmaps', False):
            pred_fields = [
                PixelData(heatmaps=hm) for hm in batch_heatmaps.detach()
            ]
            return preds, pred_fields
        else:
            return preds

    def _get_level_targets(self, batch_data_samples: OptSampleList,
                           level: int) -> Tuple[Tensor, Tensor]:
        """Stack the target heatmaps and keypoint weights of one level.

        Multilevel targets come from ``GenerateTarget(multilevel=True)``:
        ``gt_fields`` is a :class:`MultilevelPixelData` and
        ``keypoint_weights`` of each sample has shape [L, N, K] (the
        ``[N, L, K]`` layout of :func:`mmpose.testing.get_packed_inputs` is
        recognised too). Single-level targets (a :class:`PixelData` and
        weights [N, K]) serve every level.

        Returns:
            tuple:
            - heatmaps (Tensor): [B, K, H, W]
            - keypoint_weights (Tensor): [B*N, K]
        """
        heatmaps, weights = [], []
        for d in batch_data_samples:
            gt_fields = d.gt_fields
            w = d.gt_instance_labels.keypoint_weights
            if isinstance(gt_fields, MultilevelPixelData):
                nlevel = gt_fields.nlevel
                if level >= nlevel:
                    raise ValueError(
                        f'level_indices asks for target level {level} but '
                        f'the data has {nlevel} levels: give '
                        f'GenerateTarget(multilevel=True) one encoder per '
                        f'level, or change level_indices')
                heatmaps.append(gt_fields[level].heatmaps)
                if w.ndim == 3:
                    if w.shape[0] == nlevel:  # PackPoseInputs: [L, N, K]
                        w = w[level]
                    elif w.shape[1] == nlevel:  # [N, L, K]
                        w = w[:, level]
                    else:
                        raise ValueError(
                            f'keypoint_weights of shape {tuple(w.shape)} do '
                            f'not match {nlevel} target levels')
            else:
                heatmaps.append(gt_fields.heatmaps)
                if w.ndim == 3:
                    w = w[min(level, w.shape[0] - 1)]
            weights.append(w)
        return torch.stack(heatmaps), torch.cat(weights, dim=0)

    def loss(self,
             feats: Sequence[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Calculate losses from a batch of inputs and data samples.

        Note:
            - batch_size: B
            - num_output_heatmap_levels: L + 1
            - num_keypoints: K
            - heatmaps height: H
            - heatmaps weight: W
            - num_instances: N (1 in top-down heatmap heads)

        Args:
            feats (Sequence[Tensor]): Backbone levels, fine to coarse
            batch_data_samples (List[:obj:`PoseDataSample`]): The Data
                Samples, with ``gt_fields.heatmaps`` (per level) and
                ``gt_instance_labels.keypoint_weights``
            train_cfg (dict): The runtime config for training process;
                ``compute_acc`` (default ``True``) adds ``acc_pose``

        Returns:
            dict: ``loss_kpt``, the sum of the GlobalNet and RefineNet losses,
            and ``acc_pose``, the PCK accuracy of the RefineNet heatmaps.
        """
        pred_heatmaps = self.forward(feats)

        losses = dict()
        for i, pred in enumerate(pred_heatmaps):
            if isinstance(self.loss_module, nn.ModuleList):
                loss_func = self.loss_module[i]
            else:
                loss_func = self.loss_module
            gt_heatmaps, keypoint_weights = self._get_level_targets(
                batch_data_samples, self.level_indices[i])
            loss_i = loss_func(pred, gt_heatmaps, keypoint_weights)
            if 'loss_kpt' not in losses:
                losses['loss_kpt'] = loss_i
            else:
                losses['loss_kpt'] = losses['loss_kpt'] + loss_i

        if train_cfg.get('compute_acc', True):
            # the last gt_heatmaps / keypoint_weights are RefineNet's
            _, avg_acc, _ = pose_pck_accuracy(
                output=to_numpy(pred_heatmaps[-1]),
                target=to_numpy(gt_heatmaps),
                mask=to_numpy(keypoint_weights) > 0)
            acc_pose = torch.tensor(avg_acc, device=gt_heatmaps.device)
            losses.update(acc_pose=acc_pose)

        return losses

