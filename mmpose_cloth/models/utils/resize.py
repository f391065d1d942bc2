"""Bilinear resizes for CPN's reordered 1x1 convolutions: a resize that
skips same-size inputs, and a resize-and-sum of several levels written as
matrix products.

A 1x1 convolution mixes channels at each pixel and a bilinear resize mixes
pixels within each channel; both are linear and the resize weights sum to
one, so the two commute (bias included). :class:`GlobalNet` and
:class:`RefineNet` use that to convolve a level at its own resolution and
resize afterwards; these functions do the resizing.
"""
import functools
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'interp_matrix', 'memory_format_of', 'resize', 'resize_heatmaps',
    'resize_sum'
]


@functools.lru_cache(maxsize=64)
def interp_matrix(out_size: int, in_size: int, align_corners: bool,
                  dtype: torch.dtype, device: torch.device) -> Tensor:
    """The matrix of 1-D linear interpolation along one axis.

    The same source coordinates and weights as
    ``F.interpolate(mode='bilinear')``, so that a bilinear resize of ``x``
    [..., h, w] is ``A_h @ x @ A_w.T``.

    Args:
        out_size (int): Length of the axis after the resize.
        in_size (int): Length of the axis before the resize.
        align_corners (bool): ``align_corners`` of the resize.
        dtype (torch.dtype): dtype of the matrix.
        device (torch.device): Device of the matrix.

    Returns:
        Tensor: ``A`` of shape [out_size, in_size].
    """
    dst = torch.arange(out_size, dtype=torch.float64)
    if align_corners:
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.
        src = dst * scale
    else:
        src = ((dst + 0.5) * (in_size / out_size) - 0.5).clamp(min=0)
    return _linear_weights(src, in_size).to(dtype=dtype, device=device)


def _linear_weights(src: Tensor, in_size: int) -> Tensor:
    """[len(src), in_size] float64 weights of linear interpolation at the
    source coordinates ``src`` (clamped to the last pixel)."""
    out_size = len(src)
    src = src.clamp(max=in_size - 1)
    i0 = src.floor().long().clamp(max=in_size - 1)
    i1 = (i0 + 1).clamp(max=in_size - 1)
    w1 = src - i0
    rows = torch.arange(out_size)
    mat = torch.zeros(out_size, in_size, dtype=torch.float64)
    mat.index_put_((rows, i0), 1 - w1, accumulate=True)
    mat.index_put_((rows, i1), w1, accumulate=True)
    return mat


def resize_heatmaps(heatmaps: Tensor, size: Tuple[int, int]) -> Tensor:
    """Resize heatmaps on the keypoint codecs' grid, so that a peak keeps
    its place relative to the input crop.

    MMPose's heatmap codecs put heatmap pixel ``j`` at input coordinate
    ``j * input_size / heatmap_size`` (no half-pixel offset), i.e. at the
    fraction ``j / h`` of the crop. Output pixel ``k`` of an ``H``-pixel
    heatmap therefore samples the input at ``k * h / H`` (linear
    interpolation, clamped at the last pixel): heatmaps of the same crop
    predicted at different input sizes (multi-scale test) or by models of
    different heatmap sizes (ensembles) line up and can be averaged.

    Args:
        heatmaps (Tensor): [B, K, h, w].
        size (tuple[int, int]): (H, W) of the output.

    Returns:
        Tensor: [B, K, H, W]; ``heatmaps`` itself when ``(h, w) == size``.
    """
    h, w = heatmaps.shape[-2:]
    if (h, w) == tuple(size):
        return heatmaps
    mat_h, mat_w = (_codec_grid_matrix(int(out), int(n), heatmaps.dtype,
                                       heatmaps.device)
                    for out, n in zip(size, (h, w)))
    return mat_h @ heatmaps @ mat_w.T


@functools.lru_cache(maxsize=64)
def _codec_grid_matrix(out_size: int, in_size: int, dtype: torch.dtype,
                       device: torch.device) -> Tensor:
    """[out_size, in_size]: output pixel k samples the input at
    ``k * in_size / out_size`` (see :func:`resize_heatmaps`)."""
    src = torch.arange(out_size, dtype=torch.float64) * (in_size / out_size)
    return _linear_weights(src, in_size).to(dtype=dtype, device=device)


def memory_format_of(x: Tensor) -> torch.memory_format:
    """The memory format ``x`` is dense in.

    Args:
        x (Tensor): Any tensor; [B, C, H, W] for channels-last.

    Returns:
        torch.memory_format: ``torch.channels_last`` for a 4-D tensor that is
        channels-last and not contiguous, else ``torch.contiguous_format``.
    """
    if (x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last)
            and not x.is_contiguous()):
        return torch.channels_last
    return torch.contiguous_format


def resize(x: Tensor, size: Tuple[int, int], align_corners: bool) -> Tensor:
    """Bilinear resize, with no copy when ``x`` has that size already (a
    same-size bilinear resize is the identity).

    Args:
        x (Tensor): Input of shape [B, C, h, w].
        size (tuple[int, int]): (H, W) of the output.
        align_corners (bool): ``align_corners`` of the resize.

    Returns:
        Tensor: Shape [B, C, H, W]; ``x`` itself when ``(h, w) == size``.
    """
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(
        x, size=size, mode='bilinear', align_corners=align_corners)


def resize_sum(xs: Sequence[Tensor], size: Tuple[int, int],
               align_corners: bool) -> Tensor:
    """``sum(resize(x, size) for x in xs)``, without a full-size tensor per
    input in the NCHW layout.

    In the contiguous (NCHW) layout the resizes are written as matrix
    products, ``sum_i A_h,i @ x_i @ A_w,i.T``: each input is resized along
    its width, the results are stacked along the height, and one product
    with the side-by-side height matrices resizes and sums all of them at
    once. The same weights as ``F.interpolate`` (float rounding aside), and a
    backward pass of matrix products instead of a scatter. Channels-last
    inputs, where PyTorch's bilinear kernel is fast, are resized one by one.
    The inputs are never written to.

    Args:
        xs (Sequence[Tensor]): Inputs of shape [B, C, h_i, w_i], the same
            [B, C] and any sizes.
        size (tuple[int, int]): (H, W) of the output.
        align_corners (bool): ``align_corners`` of the resizes.

    Returns:
        Tensor: The sum, of shape [B, C, H, W].
    """
    out = [x for x in xs if tuple(x.shape[-2:]) == tuple(size)]
    rest = [x for x in xs if tuple(x.shape[-2:]) != tuple(size)]
    if rest and all(memory_format_of(x) == torch.channels_last for x in rest):
        out += [resize(x, size, align_corners) for x in rest]
        rest = []
    if rest:
        height, width = size
        cols = [
            torch.matmul(
                x,
                interp_matrix(width, x.shape[-1], align_corners, x.dtype,
                              x.device).t()) for x in rest
        ]
        rows = torch.cat([
            interp_matrix(height, x.shape[-2], align_corners, x.dtype,
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
