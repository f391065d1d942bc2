"""DetNet backbone (Li et al., 2018) built from MMPose's ResNet blocks."""
import copy
from typing import Sequence

from mmcv.cnn import build_conv_layer, build_norm_layer
from mmengine.model import constant_init, kaiming_init
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmpose.models.backbones.resnet import Bottleneck, ResNet
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptMultiConfig

__all__ = ['DetNet']


@MODELS.register_module()
class DetNet(ResNet):
    """DetNet backbone.

    `DetNet: A Backbone network for Object Detection`_ (Li et al., ECCV 2018).
    DetNet-59 keeps stages 1-4 of ResNet-50 (the stem and res2-res4, i.e.
    MMPose ResNet's ``conv1`` and ``layer1``-``layer3``) and replaces res5
    by two stages that keep stride 16: stages 5 and 6 (``layer4`` and
    ``layer5``), each of 3 dilated bottlenecks (3x3 convs with dilation 2)
    of fixed width 256 (``1x1, 256 -> 3x3, 256, dilation 2 -> 1x1``). The
    first bottleneck of each of them (the paper's type B) has a 1x1
    projection shortcut, the others (type A) an identity shortcut. That is
    3 + 4 + 6 + 3 + 3 = 19 bottlenecks, 57 convs + the stem conv + the
    classifier = 59 layers.

    Output channels of stages 5 and 6: by default 1024 (``extra_channels=
    1024, extra_expansion=4``, the bottleneck expanding 256 -> 1024 as
    ResNet's res4 does), as in the public PyTorch implementation
    (guoruoqian/DetNet_pytorch, FPN ``in_channels=[256, 512, 1024, 1024,
    1024]``). This is the variant that reproduces the paper's cost:
    ImageNet DetNet-59 costs 4.8 GFLOPs against ResNet-50's 3.8 (x1.26);
    measured with MMEngine's counter at 224x224 (with a 1000-class
    classifier) this variant gives 5.03 vs 4.11 GFLOPs (x1.22), whereas a
    256-channel output (``extra_channels=256, extra_expansion=1``, also
    supported) gives only 4.25 GFLOPs (x1.03). The paper does not publish a
    parameter count; this backbone has 17.35M parameters (18.37M with the
    ImageNet classifier), the 256-channel variant 13.40M.

    The five stage outputs, selected by ``out_indices``:

    ======  =====  ========  ==================================
    index   name   stride    channels
    ======  =====  ========  ==================================
    0       C2     4         256
    1       C3     8         512
    2       C4     16        1024
    3       C5     16        ``extra_channels`` (default 1024)
    4       C6     16        ``extra_channels`` (default 1024)
    ======  =====  ========  ==================================

    For :class:`~mmpose_cloth.models.heads.CPNHead` use
    ``out_indices=(0, 1, 2, 4)`` (C2, C3, C4, C6) with
    ``in_channels=(256, 512, 1024, 1024)``: C2 gives the stride-4 heatmaps,
    C6 is the deepest map, and C5, at the same stride 16 as C6, adds little.
    All five levels (``out_indices=(0, 1, 2, 3, 4)``) work too, with a
    5-level head and 5 target levels.

    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')``
    initialises the stem and stages 2-4 from ImageNet ResNet-50; the ResNet
    checkpoint's ``layer4`` does not fit stage 5 (the loader warns about the
    size mismatch and skips it), and stages 5 and 6 keep a Kaiming init.

    Args:
        depth (int): DetNet depth, from {59}. Defaults to 59
        in_channels (int): Number of input image channels. Defaults to 3
        stem_channels (int): Output channels of the stem layer. Defaults to
            64
        base_channels (int): Middle channels of the first ResNet stage.
            Defaults to 64
        extra_channels (int): Output channels of stages 5 and 6. Defaults
            to 1024
        extra_expansion (int): Ratio of output to middle (bottleneck)
            channels in stages 5 and 6; the width is
            ``extra_channels // extra_expansion``. Defaults to 4 (width 256)
        extra_dilation (int): Dilation of the 3x3 convs of stages 5 and 6.
            Defaults to 2
        out_indices (Sequence[int]): Output from which stages (0-4, see
            above). Defaults to ``(4, )``
        style (str): ``'pytorch'`` or ``'caffe'`` (where the stride-2 layer
            of the ResNet stages is). Defaults to ``'pytorch'``
        deep_stem (bool): Replace the 7x7 stem conv with three 3x3 convs.
            Defaults to ``False``
        avg_down (bool): Use AvgPool instead of stride conv when
            downsampling in the bottleneck. Defaults to ``False``
        frozen_stages (int): Stages to be frozen (stop grad and set eval
            mode): 0 freezes the stem, ``i`` the stem and ``layer1`` to
            ``layer{i}`` (at most 5). -1 freezes nothing. Defaults to -1
        conv_cfg (dict, optional): Config of the conv layers. Defaults to
            ``None``
        norm_cfg (dict): Config of the norm layers. Defaults to
            ``dict(type='BN', requires_grad=True)``
        norm_eval (bool): Whether to set norm layers to eval mode (freeze
            running stats). Defaults to ``False``
        with_cp (bool): Use checkpointing to save memory. Defaults to
            ``False``
        zero_init_residual (bool): Zero-init the last norm layer of each
            bottleneck. Defaults to ``True``
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to Kaiming for convs and 1 for norm layers

    Example:
        >>> import torch
        >>> from mmpose_cloth.models import DetNet
        >>> self = DetNet(out_indices=(0, 1, 2, 3, 4)).eval()
        >>> for out in self(torch.rand(1, 3, 64, 64)):
        ...     print(tuple(out.shape))
        (1, 256, 16, 16)
        (1, 512, 8, 8)
        (1, 1024, 4, 4)
        (1, 1024, 4, 4)
        (1, 1024, 4, 4)

    .. _`DetNet: A Backbone network for Object Detection`:
        https://arxiv.org/abs/1804.06215
    """

    #: depth: (ResNet depth of stages 1-4, blocks of each dilated stage)
    detnet_arch_settings = {
        59: (50, (3, 3)),
    }

    def __init__(self,
                 depth: int = 59,
                 in_channels: int = 3,
                 stem_channels: int = 64,
                 base_channels: int = 64,
                 extra_channels: int = 1024,
                 extra_expansion: int = 4,
                 extra_dilation: int = 2,
                 out_indices: Sequence[int] = (4, ),
                 style: str = 'pytorch',
                 deep_stem: bool = False,
                 avg_down: bool = False,
                 frozen_stages: int = -1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 zero_init_residual: bool = True,
                 init_cfg: OptMultiConfig = [
                     dict(type='Kaiming', layer=['Conv2d']),
                     dict(
                         type='Constant',
                         val=1,
                         layer=['_BatchNorm', 'GroupNorm'])
                 ]):
        if depth not in self.detnet_arch_settings:
            raise KeyError(f'invalid depth {depth} for DetNet, choose from '
                           f'{sorted(self.detnet_arch_settings)}')
        resnet_depth, extra_blocks = self.detnet_arch_settings[depth]
        norm_cfg = copy.deepcopy(norm_cfg)
        # ResNet stages 1-4 (stem + res2..res4); freezing is applied below,
        # once the dilated stages exist.
        super().__init__(
            depth=resnet_depth,
            in_channels=in_channels,
            stem_channels=stem_channels,
            base_channels=base_channels,
            num_stages=3,
            strides=(1, 2, 2),
            dilations=(1, 1, 1),
            out_indices=(2, ),
            style=style,
            deep_stem=deep_stem,
            avg_down=avg_down,
            frozen_stages=-1,
            conv_cfg=conv_cfg,
            norm_cfg=norm_cfg,
            norm_eval=norm_eval,
            with_cp=with_cp,
            zero_init_residual=zero_init_residual,
            init_cfg=init_cfg)
        self.depth = depth
        if extra_channels % extra_expansion:
            raise ValueError(
                f'extra_channels ({extra_channels}) must be a multiple of '
                f'extra_expansion ({extra_expansion})')
        self.extra_channels = extra_channels
        self.extra_expansion = extra_expansion
        self.extra_dilation = extra_dilation

        _in_channels = self.feat_dim
        for i, num_blocks in enumerate(extra_blocks):
            layer = self._make_dilated_layer(_in_channels, num_blocks)
            layer_name = f'layer{len(self.res_layers) + 1}'
            self.add_module(layer_name, layer)
            self.res_layers.append(layer_name)
            _in_channels = extra_channels
        self.num_stages = len(self.res_layers)
        self.stage_blocks = tuple(self.stage_blocks) + tuple(extra_blocks)

        out_indices = tuple(out_indices)
        if not out_indices or not all(0 <= i < self.num_stages
                                      for i in out_indices):
            raise ValueError(f'out_indices {out_indices} must be in '
                             f'[0, {self.num_stages - 1}]')
        self.out_indices = out_indices
        if frozen_stages > self.num_stages:
            raise ValueError(f'frozen_stages ({frozen_stages}) must be at '
                             f'most {self.num_stages}')
        self.frozen_stages = frozen_stages
        self._freeze_stages()
        self.feat_dim = extra_channels

    def _make_dilated_layer(self, in_channels: int,
                            num_blocks: int) -> nn.Sequential:
        """Make a DetNet stage: a type-B dilated bottleneck (1x1 projection
        shortcut) followed by ``num_blocks - 1`` type-A ones."""
        projection = nn.Sequential(
            build_conv_layer(
                self.conv_cfg,
                in_channels,
                self.extra_channels,
                kernel_size=1,
                bias=False),
            build_norm_layer(self.norm_cfg, self.extra_channels)[1])
        blocks = []
        for i in range(num_blocks):
            blocks.append(
                Bottleneck(
                    in_channels=in_channels if i == 0 else
                    self.extra_channels,
                    out_channels=self.extra_channels,
                    expansion=self.extra_expansion,
                    stride=1,
                    dilation=self.extra_dilation,
                    downsample=projection if i == 0 else None,
                    style=self.style,
                    with_cp=self.with_cp,
                    conv_cfg=self.conv_cfg,
                    norm_cfg=self.norm_cfg))
        return nn.Sequential(*blocks)

    def train(self, mode: bool = True) -> 'DetNet':
        """Set training mode (keeping frozen stages and, with ``norm_eval``,
        norm layers in eval mode) and return ``self``."""
        super().train(mode)
        return self

    def init_weights(self):
        """Initialize the weights.

        With a ``Pretrained`` ``init_cfg`` (an ImageNet ResNet), stages 5 and
        6 are not in the checkpoint: give them the default init first.
        """
        if (isinstance(self.init_cfg, dict)
                and self.init_cfg.get('type') == 'Pretrained'):
            for layer_name in self.res_layers[3:]:
                for m in getattr(self, layer_name).modules():
                    if isinstance(m, nn.Conv2d):
                        kaiming_init(m)
                    elif isinstance(m, (_BatchNorm, nn.GroupNorm)):
                        constant_init(m, 1)
                if self.zero_init_residual:
                    for m in getattr(self, layer_name).modules():
                        if isinstance(m, Bottleneck):
                            constant_init(m.norm3, 0)
        super().init_weights()
