"""Crop boxes out of a batch of images in the network, on MMPose's affine
grid, and map keypoints back: the crop stage's two ops."""
from typing import Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['crop_boxes', 'boxes_to_image']


def crop_boxes(images: Tensor, boxes: Tensor, out_size: Tuple[int, int],
               fill: Sequence[float]) -> Tensor:
    """Resample each image's box to ``out_size``, as ``TopdownAffine`` would.

    Output pixel ``(i, j)`` samples the image at ``x = x1 + j * w / W``,
    ``y = y1 + i * h / H`` (bilinear; MMPose's affine maps the box's corner
    to pixel 0 and ``x1 + w`` to pixel ``W``), so keypoints predicted in the
    crop map back with :func:`boxes_to_image`. Outside the image the crop
    is ``fill`` (the normalised value of the black border that
    ``TopdownAffine`` pads with).

    Args:
        images (Tensor): (B, C, Hi, Wi).
        boxes (Tensor): (B, 4) ``x1, y1, x2, y2`` in pixels of ``images``.
        out_size (tuple[int, int]): (W, H) of the crops.
        fill (Sequence[float]): (C,) the value outside the image.

    Returns:
        Tensor: (B, C, H, W).
    """
    b, c, hi, wi = images.shape
    w_out, h_out = out_size
    boxes = boxes.to(images)
    fill_t = torch.as_tensor(fill, dtype=images.dtype,
                             device=images.device).view(1, c, 1, 1)
    js = torch.arange(w_out, dtype=images.dtype, device=images.device)
    is_ = torch.arange(h_out, dtype=images.dtype, device=images.device)
    x = boxes[:, None, 0] + js[None] * ((boxes[:, 2] - boxes[:, 0]) /
                                        w_out)[:, None]  # (B, W)
    y = boxes[:, None, 1] + is_[None] * ((boxes[:, 3] - boxes[:, 1]) /
                                         h_out)[:, None]  # (B, H)
    gx = 2 * x / max(wi - 1, 1) - 1
    gy = 2 * y / max(hi - 1, 1) - 1
    grid = torch.stack(
        [gx[:, None, :].expand(b, h_out, w_out),
         gy[:, :, None].expand(b, h_out, w_out)], dim=-1)
    out = F.grid_sample(images - fill_t, grid, mode='bilinear',
                        padding_mode='zeros', align_corners=True)
    return out + fill_t


def boxes_to_image(keypoints: np.ndarray, boxes: np.ndarray,
                   crop_size: Tuple[int, int]) -> np.ndarray:
    """Keypoints in crops of ``crop_size`` back to the image the boxes are
    in (the inverse of :func:`crop_boxes`' grid).

    Args:
        keypoints (np.ndarray): (B, N, K, 2) in crop pixels.
        boxes (np.ndarray): (B, 4) ``x1, y1, x2, y2``.
        crop_size (tuple[int, int]): (W, H) of the crops.

    Returns:
        np.ndarray: (B, N, K, 2) in image pixels.
    """
    boxes = np.asarray(boxes, dtype=np.float64)
    origin = boxes[:, None, None, :2]
    scale = (boxes[:, 2:] - boxes[:, :2]) / np.asarray(crop_size, np.float64)
    return keypoints * scale[:, None, None] + origin
