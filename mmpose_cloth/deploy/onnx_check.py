"""Check an exported model against PyTorch: the keypoints and heatmaps of
both on images, and the speed of both on CPU
(``tools/deploy/export_onnx.py --check --benchmark``). Both predictors come
from :func:`mmpose_cloth.apis.build_predictor`."""
import time
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch

from mmpose_cloth.predictors import TorchGarmentPredictor
from .onnx_export import HeatmapForward
from .onnx_predictor import OnnxGarmentPredictor

__all__ = ['compare_with_pytorch', 'time_pytorch_and_onnx']


def compare_with_pytorch(reference: TorchGarmentPredictor,
                         exported: OnnxGarmentPredictor,
                         images: Sequence[str],
                         batch_size: int) -> Dict[str, float]:
    """The difference of PyTorch and ONNX Runtime on images.

    Args:
        reference (TorchGarmentPredictor): the PyTorch model.
        exported (OnnxGarmentPredictor): its export.
        images (Sequence[str]): image files (whole-image boxes).
        batch_size (int): images per batch.

    Returns:
        dict: ``max_px`` and ``mean_px``, the per-keypoint max over x, y of
        the keypoints' absolute difference (pixels); ``heatmap_max``, the
        largest heatmap difference; ``keypoints``, the keypoints compared
        per image (of the last batch); with a category head also
        ``category_max``, the largest difference of the category
        probabilities.
    """
    diffs, hm_diff, cat_diff = [], 0.0, 0.0
    net = HeatmapForward(reference.model).eval()
    for s in range(0, len(images), batch_size):
        batch = images[s:s + batch_size]
        pt = reference.predict(batch, batch_size=batch_size)
        ort = exported.predict(batch, batch_size=batch_size)
        k_pt = np.stack([p.keypoints for p in pt])
        ok = np.isfinite(k_pt).all(-1)
        diffs.append(np.abs(
            k_pt - np.stack([p.keypoints for p in ort]))[ok].max(-1))
        if net.with_category:
            cat_diff = max(cat_diff, float(np.abs(
                np.stack([p.category_scores for p in pt]) -
                np.stack([p.category_scores for p in ort])).max()))
        inputs = exported.network_input(exported.preprocess(batch)[0])
        with torch.no_grad():
            hm_pt = net(torch.from_numpy(inputs))
        if net.with_category:
            hm_pt = hm_pt[0]
        hm_diff = max(hm_diff, float(np.abs(
            hm_pt.numpy() - exported.run_network(inputs)[0]).max()))
    d = np.concatenate(diffs)
    out = dict(max_px=float(d.max()), mean_px=float(d.mean()),
               heatmap_max=hm_diff, keypoints=int(ok.sum(-1).max()))
    if net.with_category:
        out['category_max'] = cat_diff
    return out


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def time_pytorch_and_onnx(reference: TorchGarmentPredictor,
                          exported: OnnxGarmentPredictor,
                          images: Sequence[str], batch_size: int,
                          input_size: Tuple[int, int],
                          runs: int) -> List[Tuple[str, float, float, int]]:
    """Median milliseconds of PyTorch and ONNX Runtime: the network on a
    random (B, 3, H, W) batch and, with images, end to end (pre- and
    post-processing, flip test) on B images.

    Returns:
        list: ``(what, PyTorch ms, ONNX Runtime ms, images)`` rows.
    """
    bs = batch_size
    w, h = input_size
    x = np.random.default_rng(0).standard_normal(
        (bs, 3, h, w)).astype(np.float32)
    net = HeatmapForward(reference.model).eval()
    xt = torch.from_numpy(x)

    def torch_net():
        with torch.no_grad():
            net(xt)

    rows = [('network, batch %d' % bs, _median_ms(torch_net, runs),
             _median_ms(lambda: exported.run_network(x), runs), bs)]
    if images:
        batch = (list(images) * bs)[:bs]
        flip = exported.flip_test
        rows.append((
            f'end to end, {bs} images (flip {"on" if flip else "off"})',
            _median_ms(lambda: reference.predict(batch, batch_size=bs),
                       runs),
            _median_ms(lambda: exported.predict(batch, batch_size=bs),
                       runs), bs))
    return rows
