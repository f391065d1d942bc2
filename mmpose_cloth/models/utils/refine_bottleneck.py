"""RefineNet's bottleneck block, split after its two 1x1 input
projections so that :class:`RefineNet` can compute them on
its own."""
import copy

import torch
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpose.utils.typing import ConfigType

__all__ = ['RefineBottleneck']


class RefineBottleneck(BaseModule):
    """The bottleneck of CPN's RefineNet, with a 1x1 projection shortcut.

    ``conv1`` (1x1) + norm + ReLU, ``conv2`` (3x3) + norm + ReLU, ``conv3``
    (1x1) + norm, plus the shortcut ``downsample`` (1x1 conv + norm), then
    ReLU; width ``out_channels // expansion`` with :attr:`expansion` 2
    (256 -> 128 -> 128 -> 256 as in the original CPN, not ResNet's 4) and a
    projection shortcut even when the numbers of channels match, as in the
    original code.

    The same layers, names (``conv1``, ``bn1`` ..., ``downsample.0/1``;
    ``gn1`` ... with GroupNorm) and arithmetic as MMPose's ResNet
    ``Bottleneck`` at stride 1, which earlier versions used, so their
    checkpoints load unchanged. Owned here because both 1x1 layers that read
    the input are linear in it: :meth:`forward_projected` runs the rest of
    the block on their outputs, which :class:`RefineNet` computes per
    pyramid level without building the concatenated input. :meth:`forward`
    is the same method on the projections of ``x``, so the two paths share
    one copy of the block's arithmetic.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels, a multiple of
            :attr:`expansion`.
        norm_cfg (Config): Config of the norm layers. Defaults to
            ``dict(type='BN')``
    """

    #: ``out_channels / mid_channels``
    expansion: int = 2

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 norm_cfg: ConfigType = dict(type='BN')):
        super().__init__()
        norm_cfg = copy.deepcopy(norm_cfg)
        if out_channels % self.expansion:
            raise ValueError(f'out_channels ({out_channels}) must be a '
                             f'multiple of {self.expansion}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.mid_channels = out_channels // self.expansion
        # built in the order of the earlier code (shortcut first), so that a
        # seeded model draws the same initial weights
        downsample = nn.Sequential(
            build_conv_layer(
                None, in_channels, out_channels, kernel_size=1, bias=False),
            build_norm_layer(norm_cfg, out_channels)[1])
        self.norm1_name, norm1 = build_norm_layer(
            norm_cfg, self.mid_channels, postfix=1)
        self.norm2_name, norm2 = build_norm_layer(
            norm_cfg, self.mid_channels, postfix=2)
        self.norm3_name, norm3 = build_norm_layer(
            norm_cfg, out_channels, postfix=3)
        self.conv1 = build_conv_layer(
            None, in_channels, self.mid_channels, kernel_size=1, bias=False)
        self.add_module(self.norm1_name, norm1)
        self.conv2 = build_conv_layer(
            None,
            self.mid_channels,
            self.mid_channels,
            kernel_size=3,
            padding=1,
            bias=False)
        self.add_module(self.norm2_name, norm2)
        self.conv3 = build_conv_layer(
            None, self.mid_channels, out_channels, kernel_size=1, bias=False)
        self.add_module(self.norm3_name, norm3)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    @property
    def norm1(self) -> nn.Module:
        """nn.Module: The norm after ``conv1``."""
        return getattr(self, self.norm1_name)

    @property
    def norm2(self) -> nn.Module:
        """nn.Module: The norm after ``conv2``."""
        return getattr(self, self.norm2_name)

    @property
    def norm3(self) -> nn.Module:
        """nn.Module: The norm after ``conv3``."""
        return getattr(self, self.norm3_name)

    def projection_weight(self) -> Tensor:
        """The weights of the two 1x1 convolutions that read the input.

        Returns:
            Tensor: ``conv1``'s weight stacked on the shortcut convolution's,
            of shape [mid_channels + out_channels, in_channels, 1, 1]: one
            convolution with it gives both projections.
        """
        return torch.cat([self.conv1.weight, self.downsample[0].weight],
                         dim=0)

    def forward_projected(self, main: Tensor, shortcut: Tensor) -> Tensor:
        """Run the block after its 1x1 projections of the input.

        Args:
            main (Tensor): ``conv1(x)``, of shape [B, mid_channels, H, W].
            shortcut (Tensor): The shortcut convolution of ``x``,
                ``downsample[0](x)``, of shape [B, out_channels, H, W].

        Returns:
            Tensor: ``forward(x)``, of shape [B, out_channels, H, W].
        """
        out = self.relu(self.norm1(main))
        out = self.relu(self.norm2(self.conv2(out)))
        out = self.norm3(self.conv3(out))
        out += self.downsample[1](shortcut)
        return self.relu(out)

    def forward(self, x: Tensor) -> Tensor:
        """Forward the block.

        Args:
            x (Tensor): Input of shape [B, in_channels, H, W].

        Returns:
            Tensor: Shape [B, out_channels, H, W].
        """
        return self.forward_projected(self.conv1(x), self.downsample[0](x))
