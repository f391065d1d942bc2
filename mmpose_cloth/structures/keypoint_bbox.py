"""The box around a garment's keypoints, for the crop stage: trained on
such boxes (``RandomKeypointBBox``) and predicted on them
(``GarmentPoseEstimator``'s ``test_cfg['crop_stage']``)."""
import numpy as np

__all__ = ['keypoint_bbox']


def keypoint_bbox(keypoints: np.ndarray,
                  mask: np.ndarray,
                  margin: float,
                  aspect_ratio: float = 1.0,
                  min_size: float = 16.) -> np.ndarray:
    """Boxes around each sample's keypoints, with a margin.

    The tight box around the keypoints that ``mask`` selects is widened or
    heightened about its centre to ``aspect_ratio`` (the network input's
    width / height, so that ``TopdownAffine`` or the crop stage needs no
    further padding), then grown by ``1 + margin``. A sample with fewer
    than two selected keypoints has no box (a row of NaN).

    Args:
        keypoints (np.ndarray): (N, K, 2) x, y in pixels.
        mask (np.ndarray): (N, K) bool, the keypoints the box must hold.
        margin (float): growth of the box, e.g. 0.25 for a quarter more
            width and height.
        aspect_ratio (float): width / height of the box. Default: 1.
        min_size (float): the smallest height in pixels. Default: 16.

    Returns:
        np.ndarray: (N, 4) boxes ``x1, y1, x2, y2``.

    Example:
        >>> kpts = np.array([[[10., 20.], [30., 60.]]])
        >>> keypoint_bbox(kpts, np.ones((1, 2), bool), margin=0.5).tolist()
        [[-10.0, 10.0, 50.0, 70.0]]
    """
    kpts = np.asarray(keypoints, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool) & np.isfinite(kpts).all(-1)
    out = np.full((len(kpts), 4), np.nan)
    for i, (k, m) in enumerate(zip(kpts, mask)):
        if m.sum() < 2:
            continue
        lo, hi = k[m].min(0), k[m].max(0)
        center = (lo + hi) / 2
        w, h = hi - lo
        h = max(h, w / aspect_ratio, min_size)
        h *= 1 + margin
        w = h * aspect_ratio
        out[i] = [center[0] - w / 2, center[1] - h / 2,
                  center[0] + w / 2, center[1] + h / 2]
    return out
