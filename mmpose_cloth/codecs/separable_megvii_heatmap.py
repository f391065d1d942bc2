"""MMPose's ``MegviiHeatmap`` targets without a blur per keypoint."""
from functools import lru_cache
from typing import Optional

import cv2
import numpy as np

from mmpose.codecs import MegviiHeatmap
from mmpose.codecs.utils import get_heatmap_maximum, refine_keypoints_dark
from mmpose.registry import KEYPOINT_CODECS


@lru_cache(maxsize=32)
def _blurred_deltas(size: int, kernel_size: int) -> np.ndarray:
    """Row ``p`` is the 1-D Gaussian blur, as ``cv2.GaussianBlur`` computes
    it (its kernel for ``kernel_size`` and sigma 0, border
    ``BORDER_REFLECT_101``), of a unit impulse at ``p``; shape
    [size, size], float32, read-only."""
    kernel = cv2.getGaussianKernel(kernel_size, 0, cv2.CV_32F)
    rows = cv2.sepFilter2D(
        np.eye(size, dtype=np.float32), cv2.CV_32F, kernel,
        np.ones((1, 1), np.float32), borderType=cv2.BORDER_REFLECT_101)
    rows.setflags(write=False)
    return rows


@KEYPOINT_CODECS.register_module()
class SeparableMegviiHeatmap(MegviiHeatmap):
    """:class:`mmpose.codecs.MegviiHeatmap` (CPN's and MSPN's targets),
    encoded with one outer product per keypoint instead of a 2-D
    ``cv2.GaussianBlur`` of a full heatmap.

    A Gaussian blur is separable, and the blur of a unit impulse at
    ``(kx, ky)`` is the outer product of the 1-D blurs of impulses at ``ky``
    and ``kx`` (including OpenCV's reflected border), which are precomputed
    once per heatmap size and kernel. The heatmaps equal MegviiHeatmap's to
    float32 rounding (``tests/codecs/test_separable_megvii_heatmap.py``).
    A drop-in for the ``encoder`` of ``GenerateTarget``: CPN's four target
    levels are the most expensive transform of its training pipeline with
    MegviiHeatmap.

    Decoding is MegviiHeatmap's by default (``decode_mode='megvii'``: blur,
    maximum, a quarter-bin step towards the higher neighbour, plus half a bin
    since the targets sit at ``floor(x / stride)``). ``decode_mode='dark'``
    refines the maximum with DARK's distribution-aware Taylor step (Zhang et
    al., CVPR 2020; MMPose's ``refine_keypoints_dark``, modulation kernel
    ``kernel_size``) and adds the same half bin: with random sub-pixel
    shifts in training, the floor-quantised targets average to a Gaussian
    centred half a bin before the keypoint, which the Taylor step locates
    below the quarter-bin grid. Unlike MegviiHeatmap, which adds the half bin
    only to maxima inside the border ring, ``'dark'`` adds it everywhere.

    Args:
        input_size (tuple): Image size in [w, h]
        heatmap_size (tuple): Heatmap size in [W, H]
        kernel_size (int): The kernel size of the heatmap Gaussian
        decode_mode (str): ``'megvii'`` or ``'dark'``. Defaults to
            ``'megvii'``.
    """

    decode_modes = ('megvii', 'dark')

    def __init__(self,
                 input_size,
                 heatmap_size,
                 kernel_size: int,
                 decode_mode: str = 'megvii') -> None:
        super().__init__(input_size, heatmap_size, kernel_size)
        if decode_mode not in self.decode_modes:
            raise ValueError(f'{self.__class__.__name__}: decode_mode '
                             f'{decode_mode!r} is not one of '
                             f'{self.decode_modes}')
        self.decode_mode = decode_mode

    def decode(self, encoded: np.ndarray):
        """Decode keypoints from heatmaps (see the class docstring).

        Args:
            encoded (np.ndarray): heatmaps, shape (K, H, W)

        Returns:
            tuple:
            - keypoints (np.ndarray): shape (1, K, 2), in the input image
              space
            - scores (np.ndarray): shape (1, K), MegviiHeatmap's
              ``max / 255 + 0.5``
        """
        if self.decode_mode == 'megvii':
            return super().decode(encoded)
        heatmaps = encoded.copy()
        keypoints, scores = get_heatmap_maximum(heatmaps)
        keypoints = refine_keypoints_dark(
            keypoints[None], heatmaps, blur_kernel_size=self.kernel_size)
        keypoints = (keypoints + 0.5) * self.scale_factor
        return keypoints, scores[None] / 255.0 + 0.5

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints into heatmaps.

        Args:
            keypoints (np.ndarray): Keypoint coordinates in the input image
                space, shape (1, K, D)
            keypoints_visible (np.ndarray): Keypoint visibilities, shape
                (1, K)

        Returns:
            dict:
            - heatmaps (np.ndarray): shape (K, H, W), each visible keypoint's
              Gaussian scaled to 255 at its centre, zeros elsewhere
            - keypoint_weights (np.ndarray): shape (1, K); 0 for keypoints
              that are not visible or fall outside the heatmap
        """
        N, K, _ = keypoints.shape
        W, H = self.heatmap_size
        assert N == 1, (
            f'{self.__class__.__name__} only support single-instance '
            'keypoint encoding')
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)

        heatmaps = np.zeros((K, H, W), dtype=np.float32)
        keypoint_weights = keypoints_visible.copy()
        # the same integer centres and tests as MegviiHeatmap
        centres = (keypoints[0] / self.scale_factor).astype(np.int64)
        kx, ky = centres[:, 0], centres[:, 1]
        labelled = keypoints_visible[0] >= 0.5
        inside = (kx >= 0) & (kx < W) & (ky >= 0) & (ky < H)
        keypoint_weights[0, labelled & ~inside] = 0
        ks = np.flatnonzero(labelled & inside)
        if len(ks):
            rows_x = _blurred_deltas(W, self.kernel_size)[kx[ks]]  # (n, W)
            rows_y = _blurred_deltas(H, self.kernel_size)[ky[ks]]  # (n, H)
            n = np.arange(len(ks))
            # scale each Gaussian to 255 at its centre (a row factor)
            peak = rows_y[n, ky[ks]] * rows_x[n, kx[ks]]
            rows_y = rows_y * (255. / peak)[:, None]
            if len(ks) == K:  # all keypoints: write in place
                np.multiply(rows_y[:, :, None], rows_x[:, None, :],
                            out=heatmaps)
            else:
                heatmaps[ks] = rows_y[:, :, None] * rows_x[:, None, :]
        return dict(heatmaps=heatmaps, keypoint_weights=keypoint_weights)
