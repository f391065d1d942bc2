"""Export a trained top-down model to ONNX; check it against PyTorch.

The network (backbone, neck, head: for CPN the RefineNet heatmaps, for a
``HeatmapHead`` its single output) becomes ``OUT.onnx`` with a variable batch
size. Pre- and post-processing (affine warp, normalisation, flip test,
decoding) stay in Python: ``mmpose_cloth.deploy.OnnxGarmentPredictor`` does
them exactly as the PyTorch model does, reading the config stored in the
file::

    python tools/deploy/export_onnx.py CONFIG CHECKPOINT cpn.onnx
    # compare keypoints with PyTorch on images, and time both on CPU
    python tools/deploy/export_onnx.py CONFIG CHECKPOINT cpn.onnx \\
        --check data/fashionai/train/Images/skirt --max-images 16 --benchmark

Needs ``onnx`` and ``onnxruntime`` (``pip install -r
requirements/optional.txt``). The export and the checks are in
:mod:`mmpose_cloth.deploy`.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.config import DictAction  # noqa: E402

import mmpose_cloth  # noqa: E402,F401


def parse_args(argv=None):
    from mmpose_cloth.deploy.onnx_export import DEFAULT_OPSET
    parser = argparse.ArgumentParser(
        description='Export a top-down heatmap model to ONNX')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='model checkpoint file')
    parser.add_argument('out', help='the .onnx file to write')
    parser.add_argument('--opset', type=int, default=DEFAULT_OPSET,
                        help=f'ONNX opset (default {DEFAULT_OPSET})')
    parser.add_argument('--input-size', type=int, nargs=2, metavar=('W', 'H'),
                        help='export for another input size (default: the '
                        'config\'s); the stored config follows it')
    parser.add_argument('--static-batch', action='store_true',
                        help='a fixed batch size of 1 instead of a variable '
                        'one')
    parser.add_argument('--check', nargs='+', metavar='IMAGE',
                        help='image files or folders: compare the '
                        'keypoints of ONNX Runtime and PyTorch on them')
    parser.add_argument('--max-images', type=int, default=16,
                        help='at most this many images for --check and '
                        '--benchmark')
    parser.add_argument('--benchmark', action='store_true',
                        help='time PyTorch and ONNX Runtime on CPU')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--runs', type=int, default=10,
                        help='timed runs per measurement')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import onnx  # noqa: F401
    except ImportError:
        print('error: exporting needs onnx: pip install -r '
              'requirements/optional.txt', file=sys.stderr)
        return 2
    import torch
    from mmengine.config import Config
    from mmpose.apis import init_model

    from mmpose_cloth.deploy import export_onnx
    from mmpose_cloth.utils import set_input_size
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.input_size:
        cfg = set_input_size(cfg, args.input_size)
    model = init_model(cfg, args.checkpoint, device='cpu')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    try:
        info = export_onnx(model, args.out, opset=args.opset,
                           dynamic_batch=not args.static_batch)
    except (ValueError, NotImplementedError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    (w, h), (hw, hh) = info['input_size'], info['heatmap_size']
    print(f'wrote {args.out} ({osp.getsize(args.out) / 2**20:.1f} MiB, '
          f'opset {info["opset"]}): input (B, 3, {h}, {w}) -> heatmaps '
          f'(B, {info["num_keypoints"]}, {hh}, {hw})'
          + (', category_logits (B, 5)' if 'category_logits'
             in info['outputs'] else ''))
    if not (args.check or args.benchmark):
        return 0

    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print('error: --check and --benchmark need onnxruntime: pip install '
              '-r requirements/optional.txt', file=sys.stderr)
        return 2
    from mmpose_cloth.deploy import (OnnxGarmentPredictor,
                                     compare_with_pytorch, sample_images,
                                     time_pytorch_and_onnx)
    threads = torch.get_num_threads()
    ort_model = OnnxGarmentPredictor(args.out, num_threads=threads)
    images = sample_images(args.check or [], args.max_images)
    flip = ort_model.flip_test

    if images:
        d = compare_with_pytorch(model, ort_model, images, args.batch_size)
        print(f'check on {len(images)} images x {d["keypoints"]} '
              f'keypoints (flip test {"on" if flip else "off"}): '
              f'max |PyTorch - ONNX Runtime| = {d["max_px"]:.4f} px, '
              f'mean {d["mean_px"]:.4f} px; heatmaps max '
              f'{d["heatmap_max"]:.2e}'
              + (f'; category probabilities max {d["category_max"]:.2e}'
                 if 'category_max' in d else ''))

    if args.benchmark:
        rows = time_pytorch_and_onnx(model, ort_model, images,
                                     args.batch_size, (w, h), args.runs)
        print(f'CPU, {threads} threads, input {w}x{h}, median of '
              f'{args.runs} runs')
        print(f'{"":<34}{"PyTorch":>12}{"ONNX Runtime":>14}{"speed-up":>10}')
        for name, t_pt, t_ort, n in rows:
            print(f'{name:<34}{t_pt:9.1f} ms{t_ort:11.1f} ms'
                  f'{t_pt / t_ort:9.2f}x')
            print(f'{"  per image":<34}{t_pt / n:9.1f} ms'
                  f'{t_ort / n:11.1f} ms')
    return 0


if __name__ == '__main__':
    sys.exit(main())
