"""End-to-end inference time of one checkpoint, its predictors side by side.

From image file to keypoints in image pixels (loading, the test pipeline,
the network with flip test, decoding), as ``tools/infer.py`` runs it, for:

* ``eager``: the PyTorch checkpoint (the reference of the ratios);
* ``compiled`` (``--compile``): the same with ``torch.compile``
  (``tools/infer.py --compile``; its first call compiles);
* ``onnx`` (``--onnx MODEL.onnx``, from ``tools/deploy/export_onnx.py``):
  ONNX Runtime with the same pre- and post-processing;
* ``tta`` (``--tta``): the config's ``tta_pipeline`` views;
* ``ensemble`` (``--ensemble CONFIG CKPT``, repeatable), and ``tta +
  ensemble`` when both are given.

Each predictor's first call is timed apart; then, interleaved round by
round, one image (batch 1) and a batch of ``--batch`` images. Medians and
median ratios to ``eager`` are reported::

    python tools/analysis/infer_speed.py CONFIG CKPT --compile \\
        --onnx work_dirs/cpn.onnx --images data/fashionai/train/Images

The measurement is :func:`mmpose_cloth.analysis.measure_predictors`.
"""
import argparse
import glob
import json
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

import mmpose_cloth  # noqa: E402,F401
from mmpose_cloth.analysis import (machine_description,  # noqa: E402
                                   measure_predictors)
from mmpose_cloth.apis import GarmentPredictor  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='End-to-end inference time of a checkpoint: eager, '
        'compiled, ONNX Runtime, TTA and ensembles side by side')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--images', required=True,
                        help='a folder of images (searched recursively)')
    parser.add_argument('--compile', action='store_true')
    parser.add_argument('--onnx', help='the same model exported to ONNX')
    parser.add_argument('--tta', action='store_true')
    parser.add_argument('--ensemble', nargs=2, action='append', default=[],
                        metavar=('CONFIG', 'CHECKPOINT'))
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch intra-op threads (default: torch\'s)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out-json')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    paths = sorted(
        p for p in glob.glob(osp.join(args.images, '**', '*'), recursive=True)
        if p.lower().endswith(('.jpg', '.jpeg', '.png')))
    need = args.batch + args.rounds
    if len(paths) < need:
        print(f'error: {args.images}: {len(paths)} images, need at least '
              f'{need} (--batch + --rounds)', file=sys.stderr)
        return 2
    paths = paths[::max(1, len(paths) // need)][:need]

    def load(**kwargs):
        return GarmentPredictor.from_checkpoint(
            args.config, kwargs.pop('checkpoint', args.checkpoint),
            device=args.device, **kwargs)

    predictors = {'eager': load()}
    if args.compile:
        predictors['compiled'] = load(compile=True)
    if args.onnx:
        predictors['onnx'] = load(checkpoint=args.onnx)
    if args.tta:
        predictors['tta'] = load(tta=True)
    if args.ensemble:
        predictors['ensemble'] = load(ensemble=args.ensemble)
    if args.tta and args.ensemble:
        predictors['tta + ensemble'] = load(tta=True, ensemble=args.ensemble)
    rows = measure_predictors(predictors, paths, args.batch, args.rounds,
                              progress=print)
    print(f'\n{machine_description(torch.device(args.device))}, flip '
          f'test on, batch {args.batch}, {args.rounds} rounds')
    print(f'| predictor | device | first call | 1 image | ratio | '
          f'per image at batch {args.batch} | ratio |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r.name} | {r.device} | {r.first_s:.2f} s | '
              f'{r.b1_ms:.0f} ms | {r.b1_ratio:.2f} | '
              f'{r.batch_ms_per_image:.0f} ms | {r.batch_ratio:.2f} |')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                           batch=args.batch, rounds=args.rounds,
                           threads=torch.get_num_threads(),
                           results=[r.to_dict() for r in rows]), f, indent=1)
        print(f'wrote {args.out_json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
