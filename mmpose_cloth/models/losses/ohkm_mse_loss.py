"""Online hard keypoint mining MSE loss that copes with absent keypoints and
with fewer keypoints than ``topk`` (CPN's RefineNet loss)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmpose.models.losses import KeypointOHKMMSELoss
from mmpose.registry import MODELS

__all__ = ['OHKMMSELoss']


@MODELS.register_module()
class OHKMMSELoss(KeypointOHKMMSELoss):
    """MSE loss with online hard keypoint mining that copes with absent
    keypoints and with fewer keypoints than ``topk``.

    MMPose's :class:`KeypointOHKMMSELoss` averages the ``topk`` largest
    per-keypoint losses of each sample. It raises an error when the heatmaps
    have fewer than ``topk`` channels (a skirt has 4 keypoints, CPN mines 8),
    and when a sample has fewer than ``topk`` annotated keypoints it fills the
    top-k with absent keypoints whose loss is zero, which dilutes the loss.

    Rule used here, per sample ``b``:

    * a keypoint *takes part* when its target weight is ``> 0`` (every
      keypoint does when ``use_target_weight=False``). Keypoints with weight
      ``0`` are never mined and never counted: changing the prediction at
      such a keypoint does not change the loss.
    * ``k_b = min(topk, number of keypoints that take part)``; the loss of
      the sample is the mean of its ``k_b`` largest per-keypoint losses.
      ``topk`` is thus an upper bound, and no error is raised when the head
      predicts fewer than ``topk`` keypoints.
    * The batch loss is the mean over samples with ``k_b > 0``. A batch in
      which no keypoint takes part gives a zero loss (still differentiable).

    The per-keypoint loss is MMPose's: the mean over the heatmap of
    ``(w * output - w * target) ** 2`` where ``w`` is the keypoint's target
    weight (``w = 1`` when ``use_target_weight=False``). When every sample
    has at least ``topk`` keypoints taking part, the result equals
    :class:`KeypointOHKMMSELoss`'s.

    Args:
        use_target_weight (bool): Weight each keypoint's heatmap by its
            target weight, and let only keypoints with a weight ``> 0`` take
            part. Defaults to ``False``
        topk (int): Most keypoints per sample kept by the mining. Defaults
            to 8
        loss_weight (float): Weight of the loss. Defaults to 1.0
    """

    def forward(self, output: Tensor, target: Tensor,
                target_weights: Optional[Tensor]) -> Tensor:
        """Forward function of loss.

        Note:
            - batch_size: B
            - num_keypoints: K
            - heatmaps height: H
            - heatmaps weight: W

        Args:
            output (Tensor): The output heatmaps with shape [B, K, H, W].
            target (Tensor): The target heatmaps with shape [B, K, H, W].
            target_weights (Tensor, optional): The target weights of
                different keypoints, with shape [B, K]. Only used when
                ``use_target_weight=True``.

        Returns:
            Tensor: The calculated loss, a scalar.
        """
        B, K = output.shape[:2]
        if self.use_target_weight:
            if target_weights is None or tuple(
                    target_weights.shape[:2]) != (B, K):
                got = None if target_weights is None else tuple(
                    target_weights.shape)
                raise ValueError(f'target_weights of shape (B, K) = '
                                 f'{(B, K)} expected, got {got}')
            weights = target_weights.reshape(B, K).to(output.dtype)
            w = weights[:, :, None, None]
            losses = F.mse_loss(
                output * w, target * w, reduction='none').mean(dim=(2, 3))
            valid = weights > 0
        else:
            losses = F.mse_loss(
                output, target, reduction='none').mean(dim=(2, 3))
            valid = torch.ones_like(losses, dtype=torch.bool)

        k = min(self.topk, K)
        # Losses are >= 0, so -1 ranks keypoints that do not take part last;
        # the mask below then drops them from the top-k.
        ranked = losses.masked_fill(~valid, -1.)
        topk_losses, _ = torch.topk(ranked, k=k, dim=1, sorted=True)
        num_valid = valid.sum(dim=1)  # [B]
        k_b = num_valid.clamp(max=k)  # [B]
        keep = torch.arange(k, device=output.device)[None] < k_b[:, None]
        per_sample = (topk_losses * keep).sum(dim=1) / k_b.clamp(min=1)
        has_valid = k_b > 0
        if not bool(has_valid.any()):
            return losses.sum() * 0.
        loss = per_sample[has_valid].mean()
        return loss * self.loss_weight
