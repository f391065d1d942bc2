"""Crop boxes out of a batch of images in the network, on MMPose's affine
grid, and map keypoints back: the crop stage's two ops, and the crop stage
itself over any network (:func:`crop_stage_passes`: the PyTorch estimator
and the ONNX Runtime predictor run the same passes)."""
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ...structures import keypoint_bbox

__all__ = [
    'crop_boxes', 'boxes_to_image', 'crop_whole', 'crop_stage_passes',
    'PassFn'
]

#: One pass of a network on a batch of crops: the (B, 3, H, W) inputs and
#: the (B,) categories to condition on (``None``: the pass decides, from
#: the given ones or its own prediction), returning the keypoints (B, N, K,
#: 2) in input pixels, their scores (B, N, K) and the (B,) categories
#: decided (indices into ``CATEGORIES``).
PassFn = Callable[[Tensor, Optional[np.ndarray]],
                  Tuple[np.ndarray, np.ndarray, np.ndarray]]


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


def crop_whole(canvas: Tensor, input_size: Tuple[int, int],
               fill: Sequence[float]) -> Tuple[Tensor, np.ndarray]:
    """The crop stage's first input: each whole canvas resampled to the
    network's input size (:func:`crop_boxes` on the canvas box).

    Returns:
        tuple: the (B, 3, H, W) crops and the (B, 4) canvas boxes.
    """
    b, _, hc, wc = canvas.shape
    whole = np.tile(np.array([[0., 0., wc, hc]]), (b, 1))
    return crop_boxes(canvas, torch.from_numpy(whole), input_size,
                      fill), whole


def crop_stage_passes(canvas: Tensor,
                      run: PassFn,
                      input_size: Tuple[int, int],
                      fill: Sequence[float],
                      margins: Union[float, Sequence[float]],
                      fuse_first_pass: bool = False,
                      category_mask: Optional[np.ndarray] = None
                      ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The crop stage: the whole canvas, then the box around the garment's
    keypoints of that first pass, each resampled to the network's input.

    The box holds the keypoints of the category the first pass decided on
    (``category_mask``; all keypoints without it or for a model of fewer
    than its 24), grown by each margin (:func:`~mmpose_cloth.structures.
    keypoint_bbox`; the whole canvas where it has fewer than two); each
    margin makes one second pass, conditioned on that category, and
    ``fuse_first_pass`` averages the first pass in. Keypoints and scores
    are the mean over the passes, in canvas pixels.

    Args:
        canvas (Tensor): (B, 3, Hc, Wc), normalised.
        run (PassFn): the network's pass.
        input_size (tuple[int, int]): (W, H) of the network's input.
        fill (Sequence[float]): (3,) the normalised value outside the
            canvas.
        margins (float | Sequence[float]): one second pass per margin.
        fuse_first_pass (bool): average the first pass in. Default:
            ``False``.
        category_mask (np.ndarray, optional): (5, 24) bool, the keypoints
            of each category.

    Returns:
        tuple: keypoints (B, N, K, 2) in canvas pixels, scores (B, N, K)
        and the (B,) categories of the first pass.
    """
    margins = [margins] if np.isscalar(margins) else list(margins)
    if not margins:
        raise ValueError("test_cfg['crop_stage']['margin']: give at least "
                         'one margin')
    first_input, whole = crop_whole(canvas, input_size, fill)
    kpts, scores, labels = run(first_input, None)
    kpts = boxes_to_image(kpts, whole, input_size)
    mask = np.ones((len(kpts), kpts.shape[2]), dtype=bool)
    if category_mask is not None and \
            kpts.shape[2] == np.shape(category_mask)[1]:
        mask = np.asarray(category_mask, dtype=bool)[labels]
    passes = [(kpts, scores)] if fuse_first_pass else []
    for margin in margins:
        boxes = keypoint_bbox(kpts[:, 0], mask, margin,
                              input_size[0] / input_size[1])
        boxes = np.where(np.isfinite(boxes), boxes, whole)
        k, s, _ = run(
            crop_boxes(canvas, torch.from_numpy(boxes), input_size, fill),
            labels)
        passes.append((boxes_to_image(k, boxes, input_size), s))
    return (np.mean([k for k, _ in passes], axis=0),
            np.mean([s for _, s in passes], axis=0), labels)
