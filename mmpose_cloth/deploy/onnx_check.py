"""Check an exported model against PyTorch: the keypoints and heatmaps
of both on images, and the speed of both on CPU
(``tools/deploy/export_onnx.py --check --benchmark``)."""
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch

from .onnx_export import HeatmapForward

__all__ = ['sample_images', 'compare_with_pytorch', 'time_pytorch_and_onnx']

#: the file endings of images searched in folders
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp')


def sample_images(inputs: Sequence[str], limit: int) -> List[str]:
    """At most ``limit`` image files from files and folders (searched
    recursively, sorted), spread evenly over them."""
    out = []
    for inp in inputs:
        if osp.isdir(inp):
            for d, _, names in sorted(os.walk(inp)):
                out += [osp.join(d, n) for n in sorted(names)
                        if n.lower().endswith(IMAGE_EXTS)]
        else:
            out.append(inp)
    step = max(1, len(out) // limit)  # spread over the folders
    return out[::step][:limit]


def compare_with_pytorch(model, ort_model, images: Sequence[str],
                         batch_size: int) -> Dict[str, float]:
    """The difference of PyTorch and ONNX Runtime on images.

    Args:
        model (nn.Module): the PyTorch top-down model.
        ort_model (OnnxGarmentPredictor): its export.
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
    from mmpose_cloth.apis import predict_garment_batch_with_category
    diffs, hm_diff, cat_diff = [], 0.0, 0.0
    net = HeatmapForward(model).eval()
    for s in range(0, len(images), batch_size):
        batch = images[s:s + batch_size]
        pt = predict_garment_batch_with_category(model, batch)
        ort = ort_model.predict_batch_with_category(batch)
        ok = np.isfinite(pt.keypoints).all(-1)
        diffs.append(np.abs(pt.keypoints - ort.keypoints)[ok].max(-1))
        if pt.category_scores is not None:
            cat_diff = max(cat_diff, float(np.abs(
                pt.category_scores - ort.category_scores).max()))
        inputs, _ = ort_model.preprocess(batch)
        with torch.no_grad():
            hm_pt = net(torch.from_numpy(inputs))
        if net.with_category:
            hm_pt = hm_pt[0]
        hm_diff = max(hm_diff, float(np.abs(
            hm_pt.numpy() - ort_model._run(inputs)).max()))
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


def time_pytorch_and_onnx(model, ort_model, images: Sequence[str],
                          batch_size: int, input_size: Tuple[int, int],
                          runs: int) -> List[Tuple[str, float, float, int]]:
    """Median milliseconds of PyTorch and ONNX Runtime: the network on a
    random (B, 3, H, W) batch and, with images, end to end (pre- and
    post-processing, flip test) on B images.

    Returns:
        list: ``(what, PyTorch ms, ONNX Runtime ms, images)`` rows.
    """
    from mmpose_cloth.apis import predict_garment_batch
    bs = batch_size
    w, h = input_size
    x = np.random.default_rng(0).standard_normal(
        (bs, 3, h, w)).astype(np.float32)
    net = HeatmapForward(model).eval()
    xt = torch.from_numpy(x)

    def torch_net():
        with torch.no_grad():
            net(xt)

    rows = [('network, batch %d' % bs, _median_ms(torch_net, runs),
             _median_ms(lambda: ort_model._run(x), runs), bs)]
    if images:
        batch = (list(images) * bs)[:bs]
        flip = ort_model.flip_test
        rows.append((
            f'end to end, {bs} images (flip {"on" if flip else "off"})',
            _median_ms(lambda: predict_garment_batch(model, batch), runs),
            _median_ms(lambda: ort_model.predict_batch(batch), runs), bs))
    return rows
