"""``tools/deploy/export_onnx.py`` in one call: export a checkpoint to
ONNX, then check ONNX Runtime against PyTorch on images and time both."""
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config

from mmpose_cloth.deploy import (DEFAULT_OPSET, compare_with_pytorch,
                                 export_onnx, time_pytorch_and_onnx)
from mmpose_cloth.predictors import InferenceInputError
from mmpose_cloth.utils import find_images, set_input_size
from .predictor import build_predictor

__all__ = ['export_and_check', 'sample_images']


def sample_images(inputs: Sequence[str], limit: int) -> List[str]:
    """At most ``limit`` image files from files and folders (searched
    recursively, sorted), spread evenly over them."""
    out = []
    for inp in inputs:
        out += find_images(inp) if osp.isdir(inp) else [inp]
    step = max(1, len(out) // limit)  # spread over the folders
    return out[::step][:limit]


def export_and_check(config: str,
                     checkpoint: str,
                     out: str,
                     opset: int = DEFAULT_OPSET,
                     input_size: Optional[Tuple[int, int]] = None,
                     static_batch: bool = False,
                     check: Sequence[str] = (),
                     max_images: int = 16,
                     benchmark: bool = False,
                     batch_size: int = 8,
                     runs: int = 10,
                     cfg_options: Optional[dict] = None) -> int:
    """Export ``checkpoint`` to ``out`` (``.onnx``) and print what was
    written; with ``check`` images compare the keypoints of ONNX Runtime
    and PyTorch on them, with ``benchmark`` time both on CPU. Both
    predictors come from :func:`build_predictor`.

    Args:
        config (str): the model config file.
        checkpoint (str): its ``.pth`` checkpoint.
        out (str): the ``.onnx`` file to write.
        opset (int): the ONNX opset.
        input_size (tuple[int, int], optional): (W, H) to export for
            instead of the config's; the stored config follows it.
        static_batch (bool): a batch size fixed at 1.
        check (Sequence[str]): image files or folders to compare on.
        max_images (int): at most this many images for the check and the
            benchmark.
        benchmark (bool): time the network and the whole prediction.
        batch_size (int): images per batch.
        runs (int): timed runs per measurement.
        cfg_options (dict, optional): config overrides.

    Returns:
        int: the exit status: 0 done, 2 a missing optional package or a
        model that cannot be exported.
    """
    try:
        import onnx  # noqa: F401  (optional)
    except ImportError:
        print('error: exporting needs onnx: pip install -r '
              'requirements/optional.txt', file=sys.stderr)
        return 2
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if input_size:
        cfg = set_input_size(cfg, input_size)
    try:
        reference = build_predictor(cfg, checkpoint, device='cpu',
                                    compile=False)
    except InferenceInputError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    try:
        info = export_onnx(reference.model, out, opset=opset,
                           dynamic_batch=not static_batch)
    except (ValueError, NotImplementedError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    (w, h), (hw, hh) = info['input_size'], info['heatmap_size']
    print(f'wrote {out} ({osp.getsize(out) / 2**20:.1f} MiB, '
          f'opset {info["opset"]}): input (B, 3, {h}, {w}) -> heatmaps '
          f'(B, {info["num_keypoints"]}, {hh}, {hw})'
          + (', category_logits (B, 5)' if 'category_logits'
             in info['outputs'] else ''))
    if not (check or benchmark):
        return 0

    threads = torch.get_num_threads()
    try:
        exported = build_predictor(None, out, device='cpu',
                                   onnx_threads=threads)
    except InferenceInputError:
        print('error: --check and --benchmark need onnxruntime: pip install '
              '-r requirements/optional.txt', file=sys.stderr)
        return 2
    images = sample_images(check, max_images)
    flip = exported.flip_test
    if images:
        d = compare_with_pytorch(reference, exported, images, batch_size)
        print(f'check on {len(images)} images x {d["keypoints"]} '
              f'keypoints (flip test {"on" if flip else "off"}): '
              f'max |PyTorch - ONNX Runtime| = {d["max_px"]:.4f} px, '
              f'mean {d["mean_px"]:.4f} px; heatmaps max '
              f'{d["heatmap_max"]:.2e}'
              + (f'; category probabilities max {d["category_max"]:.2e}'
                 if 'category_max' in d else ''))
    if benchmark:
        rows = time_pytorch_and_onnx(reference, exported, images, batch_size,
                                     (w, h), runs)
        print(f'CPU, {threads} threads, input {w}x{h}, median of {runs} '
              'runs')
        print(f'{"":<34}{"PyTorch":>12}{"ONNX Runtime":>14}{"speed-up":>10}')
        for name, t_pt, t_ort, n in rows:
            print(f'{name:<34}{t_pt:9.1f} ms{t_ort:11.1f} ms'
                  f'{t_pt / t_ort:9.2f}x')
            print(f'{"  per image":<34}{t_pt / n:9.1f} ms'
                  f'{t_ort / n:11.1f} ms')
    return 0
