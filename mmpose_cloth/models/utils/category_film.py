"""Feature-wise modulation of backbone levels by the garment category."""
from typing import List, Sequence

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpose.registry import MODELS
from fashionai_format.schema import CATEGORIES

__all__ = ['CategoryFiLM']


@MODELS.register_module()
class CategoryFiLM(BaseModule):
    """Tell the keypoint head which garment to look at: FiLM (Perez et al.,
    AAAI 2018) of every backbone level by the garment category.

    An outfit photo shows several garments, and a joint 24-keypoint model
    is told only afterwards (by picking the category's channels) which of
    them the label is about, so on a coat over trousers the trousers'
    keypoints can land on the coat. Here each level ``i`` is modulated
    channel by channel before the keypoint head,

    ``x_i' = x_i * (1 + gamma_i[c]) + beta_i[c]``,

    with one learned ``gamma_i``, ``beta_i`` per category ``c`` and channel.
    Both start at zero, so the module starts as the identity and an
    unconditioned checkpoint loads into a conditioned model unchanged
    (``strict=False`` for the new parameters). The category is the
    sample's label in training, and the given or the predicted one at test
    time (:class:`~mmpose_cloth.models.GarmentPoseEstimator` decides).

    Args:
        in_channels (Sequence[int]): channels of the levels it modulates
            (the keypoint head's ``in_channels``).
        num_categories (int): Default: 5 (``CATEGORIES``).

    Shape:
        - feats: ``L`` levels, level ``i`` (B, in_channels[i], H_i, W_i)
        - labels: (B,) category indices into ``CATEGORIES``
        - output: the ``L`` levels, shapes unchanged

    Example:
        >>> import torch
        >>> film = CategoryFiLM(in_channels=(8, 16))
        >>> feats = (torch.rand(2, 8, 4, 4), torch.rand(2, 16, 2, 2))
        >>> out = film(feats, torch.tensor([0, 3]))
        >>> all(torch.equal(a, b) for a, b in zip(out, feats))  # identity
        True
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 num_categories: int = len(CATEGORIES),
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = tuple(int(c) for c in in_channels)
        self.num_categories = num_categories
        self.gamma = nn.ParameterList(
            nn.Parameter(torch.zeros(num_categories, c))
            for c in self.in_channels)
        self.beta = nn.ParameterList(
            nn.Parameter(torch.zeros(num_categories, c))
            for c in self.in_channels)

    def init_weights(self) -> None:
        """Keep the identity start (MMEngine's default inits skip raw
        parameters, but a config's ``init_cfg`` must not move them)."""

    def forward(self, feats: Sequence[Tensor], labels: Tensor) -> List[Tensor]:
        """Modulate each level by its category's scale and shift.

        Args:
            feats (Sequence[Tensor]): ``L`` levels (B, C_i, H_i, W_i).
            labels (Tensor): (B,) category indices.

        Returns:
            List[Tensor]: the ``L`` modulated levels.
        """
        if len(feats) != len(self.in_channels):
            raise ValueError(
                f'CategoryFiLM has {len(self.in_channels)} levels '
                f'(in_channels={self.in_channels}) but got {len(feats)}')
        labels = labels.to(device=feats[0].device, dtype=torch.long)
        out = []
        for x, gamma, beta, c in zip(feats, self.gamma, self.beta,
                                     self.in_channels):
            if x.shape[1] != c:
                raise ValueError(f'CategoryFiLM expects {c} channels at this '
                                 f'level; got {tuple(x.shape)}')
            g = gamma[labels].to(x.dtype)[:, :, None, None]
            b = beta[labels].to(x.dtype)[:, :, None, None]
            out.append(x * (1 + g) + b)
        return out
