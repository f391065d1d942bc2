"""The top levels of EfficientNet-Lite alone, run on the features of the
level below them."""
from typing import Sequence, Tuple, Union

import torch.nn as nn
from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import OptMultiConfig
from .efficientnet_lite import EfficientNetLite


@MODELS.register_module()
class EfficientNetLiteTail(EfficientNetLite):
    """EfficientNet-Lite from level ``start_level`` to the last (with the
    1280-channel head convolution), fed with level ``start_level - 1``'s
    output: a task's own copy of the backbone's top.

    The garment-category head uses it on a frozen keypoint backbone's
    stride-16 features: the keypoints stay exactly as trained, and the
    category gets stride-32 features of its own (ImageNet-initialised, so
    they start semantic) at the cost of the top levels only. The weights
    keep the backbone's names (``blocks.5.0...``, ``conv_head``), so
    ``init_cfg=dict(type='Pretrained', checkpoint='efficientnet-lite://
    lite0')`` loads ImageNet weights into them; the levels below
    ``start_level`` are left out (their weights in the file are skipped).

    Args:
        arch (str): ``'lite0'``, ``'lite1'`` or ``'lite2'``.
        start_level (int): the first level run (1..4). Default: 4 (stride
            32, the last).
        drop_path_rate (float): stochastic depth rate of the blocks.
        init_cfg (dict, optional): e.g. the ImageNet weights as above.

    Shape:
        - input: level ``start_level - 1`` (B, C, H, W), e.g. Lite0's
          (B, 112, H, W) at stride 16 for the default; or a tuple whose
          last entry is it
        - output: a one-tuple of the last level (B, 1280, H', W')
    """

    def __init__(self,
                 arch: str = 'lite0',
                 start_level: int = 4,
                 drop_path_rate: float = 0.,
                 init_cfg: OptMultiConfig = None):
        super().__init__(arch=arch, out_indices=(self.num_levels - 1, ),
                         drop_path_rate=drop_path_rate, init_cfg=init_cfg)
        if not 1 <= start_level < self.num_levels:
            raise ValueError(f'EfficientNetLiteTail: start_level '
                             f'{start_level} must be in '
                             f'1..{self.num_levels - 1}')
        self.start_level = start_level
        self.conv_stem = nn.Identity()
        self.bn1 = nn.Identity()
        for stage in range(self.level_ends[start_level - 1] + 1):
            self.blocks[stage] = nn.Identity()

    @property
    def in_channels(self) -> int:
        """Channels of the input (level ``start_level - 1``)."""
        return self.level_channels[self.start_level - 1]

    def forward(self, x: Union[Tensor, Sequence[Tensor]]
                ) -> Tuple[Tensor, ...]:
        """Run levels ``start_level`` .. last on ``x`` (B, C, H, W)."""
        if isinstance(x, (list, tuple)):
            x = x[-1]
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'EfficientNetLiteTail(start_level={self.start_level}) '
                f'expects (B, {self.in_channels}, H, W); got '
                f'{tuple(x.shape)}')
        for level in range(self.start_level, self.num_levels):
            for module in self._level_modules(level):
                x = module(x)
        return (x, )
