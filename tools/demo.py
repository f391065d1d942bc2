"""The whole FashionAI workflow in one command, on 2 CPU cores.

Without arguments it needs no download: it generates a small synthetic
FashionAI-format dataset (all five categories, official layout), converts
it, fine-tunes CPN on ImageNet-initialised EfficientNet-Lite0 (the CPU
recipe, 192x192; the weights install with the package), scores it with the
FashionAI normalized error per category next to a guess that ignores the
image, draws predicted keypoints and skeletons on validation images, and
writes and scores a submission for the test list::

    python tools/demo.py                      # synthetic data, ~5 min on 2 cores
    python tools/demo.py data/fashionai/train # the same on a real split

Outputs go to ``--work-dir`` (default ``work_dirs/demo``): ``data/`` (the
generated split), ``annotations/``, the checkpoint and logs,
``predictions.png``, ``result.csv`` and ``summary.json``.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.join(osp.dirname(osp.abspath(__file__)), '..')
sys.path.insert(0, ROOT)

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from fashionai_format import (CATEGORIES, convert_split,  # noqa: E402
                              read_annotations, read_test_list,
                              split_coco, write_rejects,
                              write_submission)
import mmpose_cloth  # noqa: E402,F401
from mmpose_cloth.baselines import (fit_mean_shape,  # noqa: E402
                                    predict_mean_shape)
from mmpose_cloth.evaluation import (evaluate_submission,  # noqa: E402
                                     format_ne_table)
from mmpose_cloth.testing import generate_fashionai  # noqa: E402

DEFAULT_CONFIG = osp.join(
    ROOT, 'configs', 'cpn', 'td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-'
    '192x192_cpu.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate (or read) FashionAI data, train a small CPN, '
        'evaluate NE, draw predictions and write a submission.')
    parser.add_argument('split_dir', nargs='?', default=None,
                        help='a FashionAI split folder (Annotations/train.csv '
                        '+ Images/); default: generate a synthetic one')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--num-per-category', type=int, default=40,
                        help='synthetic training images per category')
    parser.add_argument('--test-per-category', type=int, default=10,
                        help='synthetic test images per category')
    parser.add_argument('--image-size', type=int, default=160,
                        help='synthetic image size')
    parser.add_argument('--val-ratio', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-vis', type=int, default=8,
                        help='validation images drawn in predictions.png')
    return parser.parse_args(argv)


def step(msg: str) -> None:
    print(f'\n==> {msg}', flush=True)


def prepare_data(args) -> str:
    if args.split_dir:
        return osp.abspath(args.split_dir)
    split_dir = osp.join(args.work_dir, 'data')
    step(f'generating a synthetic FashionAI split in {split_dir}')
    summary = generate_fashionai(
        split_dir,
        num_per_category=args.num_per_category,
        test_per_category=args.test_per_category,
        image_size=(args.image_size, args.image_size),
        seed=args.seed)
    print(f'   {summary["train"]["images"]} training and '
          f'{summary["test"]["images"]} test images, '
          f'{len(CATEGORIES)} categories')
    return osp.abspath(split_dir)


def convert(args, split_dir: str):
    step('converting to COCO keypoint JSON (deterministic train/val split)')
    coco, report = convert_split(split_dir, progress=False)
    train, val = split_coco(coco, args.val_ratio, seed=args.seed)
    ann_dir = osp.join(args.work_dir, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    paths = {}
    for name, part in (('train', train), ('val', val)):
        paths[name] = osp.abspath(osp.join(ann_dir, f'{name}.json'))
        with open(paths[name], 'w') as f:
            json.dump(part, f)
    write_rejects(osp.join(ann_dir, 'train.rejects.csv'), report.rejects)
    print(f'   {len(train["images"])} train / {len(val["images"])} val '
          f'images; rejected rows: {len(report.rejects)} '
          f'(see {ann_dir}/train.rejects.csv)')
    return train, val, paths


def build_cfg(args, split_dir: str, paths: dict, train: dict):
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.abspath(args.work_dir)
    for key, ann in (('train_dataloader', paths['train']),
                     ('val_dataloader', paths['val']),
                     ('test_dataloader', paths['val'])):
        cfg[key].dataset.update(
            data_root=split_dir, ann_file=ann, data_prefix=dict(img=''))
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = args.epochs
    # the recipe's schedule, stretched or shrunk to --epochs; an iteration
    # warm-up takes at most a fifth of the run
    iters = args.epochs * -(-len(train['images']) //
                            cfg.train_dataloader.batch_size)
    for sched in cfg.param_scheduler:
        if sched.get('by_epoch', True):
            sched.end = args.epochs
        elif sched.type == 'LinearLR':
            sched.end = min(sched.end, max(1, iters // 5))
        if sched.type == 'MultiStepLR':
            sched.milestones = [int(args.epochs * 0.8)]
    cfg.default_hooks.logger.interval = 10
    cfg.default_hooks.checkpoint.interval = args.epochs
    cfg.randomness = dict(seed=args.seed)
    return cfg


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.time()
    os.makedirs(args.work_dir, exist_ok=True)
    split_dir = prepare_data(args)
    train, val, paths = convert(args, split_dir)

    from mmengine.runner import Runner
    cfg = build_cfg(args, split_dir, paths, train)
    step(f'training {osp.basename(args.config)} for {args.epochs} epochs')
    runner = Runner.from_cfg(cfg)
    runner.train()

    step('evaluating on the val split (FashionAI normalized error)')
    metrics = runner.test()
    answers, guess = predict_mean_shape(fit_mean_shape(train), val)
    baseline = evaluate_submission(
        answers, [
            type(a)(a.image_id, a.category, g.astype(np.float32),
                    np.ones(24, np.int8), 0)
            for a, g in zip(answers, guess)
        ])
    model_name = osp.splitext(osp.basename(args.config))[0]
    print('\n' + format_ne_table(
        metrics, title=f'{model_name} on the val split, NE',
        prefix='fashionai/'))
    print(format_ne_table(
        baseline, title='Mean-shape guess (ignores the image) on the val '
        'split, NE'))

    from mmpose.apis import init_model
    from mmpose_cloth.apis import predict_garments
    from mmpose_cloth.visualization import draw_garment, image_grid
    ckpt = osp.join(cfg.work_dir, f'epoch_{args.epochs}.pth')
    model = init_model(cfg, ckpt, device='cpu')

    step('drawing predictions on validation images')
    picks = answers[::max(1, len(answers) // args.num_vis)][:args.num_vis]
    picks_paths = [osp.join(split_dir, a.image_id) for a in picks]
    preds = predict_garments(model, picks_paths)
    tiles = [
        draw_garment(cv2.imread(p), k, a.category, gt=a.keypoints,
                     title=a.category)
        for p, k, a in zip(picks_paths, preds, picks)
    ]
    png = osp.join(args.work_dir, 'predictions.png')
    cv2.imwrite(png, image_grid(tiles, cols=4))
    print(f'   wrote {png} (dots: prediction, white rings: ground truth)')

    submission = None
    test_csv = osp.join(split_dir, 'test.csv')
    if osp.isfile(test_csv):
        step(f'predicting the test list {test_csv}')
        tests = read_test_list(test_csv)
        kpts = predict_garments(
            model, [osp.join(split_dir, i) for i, _ in tests],
            progress=True)
        result_csv = osp.join(args.work_dir, 'result.csv')
        write_submission(result_csv, [i for i, _ in tests],
                         [c for _, c in tests], kpts)
        print(f'   wrote {result_csv}')
        answers_csv = osp.join(split_dir, 'Annotations', 'test_answers.csv')
        if osp.isfile(answers_csv):
            submission = evaluate_submission(
                read_annotations(answers_csv).records,
                read_annotations(result_csv).records)
            print(f'   test NE {submission["NE"] * 100:.2f}% over '
                  f'{submission["count"]} keypoints (python '
                  f'tools/analysis/fashionai_eval.py --gt {answers_csv} '
                  f'--pred {result_csv})')

    summary = dict(
        val={k: v for k, v in metrics.items()},
        mean_shape=baseline,
        test=submission,
        seconds=round(time.time() - t0, 1))
    with open(osp.join(args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    step(f'done in {summary["seconds"]:.0f} s; summary in '
         f'{args.work_dir}/summary.json')
    return 0


if __name__ == '__main__':
    sys.exit(main())
