"""Shared check for tests that compare keypoints decoded from two heatmap
computations that differ by rounding (bf16/fp16 autocast, channels-last)."""
import numpy as np


def assert_keypoints_agree_where_determined(heatmaps: np.ndarray,
                                            kp_ref: np.ndarray,
                                            kp_out: np.ndarray, err: float,
                                            tol: float) -> int:
    """Where a reference heatmap's maximum beats every value outside its
    3x3 neighbourhood by more than ``2 * err`` (the largest change between
    the two computations), the two decoded keypoints must agree within
    ``tol`` pixels. Returns how many keypoints were checked (at least one).

    Args:
        heatmaps (np.ndarray): reference heatmaps, shape [N, H, W] (one per
            keypoint, as the decoder sees them)
        kp_ref (np.ndarray): keypoints decoded from the reference, [N, 2]
        kp_out (np.ndarray): keypoints decoded from the other run, [N, 2]
        err (float): the largest absolute heatmap difference
        tol (float): allowed keypoint difference in pixels
    """
    checked = 0
    for i, hm in enumerate(heatmaps):
        y, x = np.unravel_index(np.argmax(hm), hm.shape)
        rest = hm.copy()
        rest[max(0, y - 1):y + 2, max(0, x - 1):x + 2] = -np.inf
        if hm[y, x] - rest.max() > 2 * err:
            checked += 1
            assert np.all(np.abs(kp_ref[i] - kp_out[i]) <= tol), (
                i, kp_ref[i], kp_out[i])
    assert checked > 0, 'no keypoint was determined: make the test sharper'
    return checked
