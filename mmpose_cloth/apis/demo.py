"""``tools/demo.py`` in one call: the whole FashionAI workflow on a small
split, with a console that shows the steps, training progress and results
(not MMEngine's environment, config and hook tables)."""
import json
import logging
import os
import os.path as osp
import time
from typing import Optional

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from fashionai_format import (CATEGORIES, convert_split, read_annotations,
                              read_test_list, split_coco, write_rejects,
                              write_submission)
from mmpose_cloth.baselines import fit_mean_shape, predict_mean_shape
from mmpose_cloth.evaluation import evaluate_submission, format_ne_table
from mmpose_cloth.testing import generate_fashionai
from mmpose_cloth.utils import fit_schedule
from mmpose_cloth.visualization import draw_garment, image_grid
from .predictor import build_predictor

__all__ = ['run_demo']


def _step(msg: str) -> None:
    print(f'\n==> {msg}', flush=True)


def _quiet_runner(cfg) -> Runner:
    """A runner that keeps MMEngine's environment, config and hook tables
    off the console (they are in the work folder: the config file), then
    logs training progress and metrics as usual."""
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    for handler in runner.logger.handlers:
        handler.setLevel(logging.INFO)
    return runner


def run_demo(config: str,
             split_dir: Optional[str] = None,
             work_dir: str = 'work_dirs/demo',
             epochs: int = 30,
             num_per_category: int = 40,
             test_per_category: int = 10,
             image_size: int = 160,
             val_ratio: float = 0.2,
             seed: int = 0,
             num_vis: int = 8) -> dict:
    """Generate (or read) a FashionAI split, convert it, train a small
    model, score it with the normalized error next to a guess that ignores
    the image, draw predictions, write and score a submission.

    Args:
        config (str): the model recipe (``tools/demo.py``: CPN on
            ImageNet-initialised EfficientNet-Lite0 at 192x192, for CPUs).
        split_dir (str, optional): a FashionAI split folder
            (``Annotations/train.csv`` + ``Images/``); default: generate a
            synthetic one in ``work_dir/data``.
        work_dir (str): where everything goes.
        epochs (int): training epochs (the recipe's schedule fitted to
            them, :func:`~mmpose_cloth.utils.fit_schedule`).
        num_per_category, test_per_category, image_size: the synthetic
            split's training and test images per category and their size.
        val_ratio (float): the share of validation images.
        seed (int): of the data, the split and training.
        num_vis (int): validation images drawn in ``predictions.png``.

    Returns:
        dict: the summary written to ``work_dir/summary.json``.
    """
    t0 = time.time()
    os.makedirs(work_dir, exist_ok=True)
    if split_dir:
        split_dir = osp.abspath(split_dir)
    else:
        split_dir = osp.join(work_dir, 'data')
        _step(f'generating a synthetic FashionAI split in {split_dir}')
        summary = generate_fashionai(
            split_dir, num_per_category=num_per_category,
            test_per_category=test_per_category,
            image_size=(image_size, image_size), seed=seed)
        print(f'   {summary["train"]["images"]} training and '
              f'{summary["test"]["images"]} test images, '
              f'{len(CATEGORIES)} categories')
        split_dir = osp.abspath(split_dir)

    _step('converting to COCO keypoint JSON (deterministic train/val split)')
    coco, report = convert_split(split_dir, progress=False)
    train, val = split_coco(coco, val_ratio, seed=seed)
    ann_dir = osp.join(work_dir, 'annotations')
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

    cfg = Config.fromfile(config)
    cfg.work_dir = osp.abspath(work_dir)
    for key, ann in (('train_dataloader', paths['train']),
                     ('val_dataloader', paths['val']),
                     ('test_dataloader', paths['val'])):
        cfg[key].dataset.update(
            data_root=split_dir, ann_file=ann, data_prefix=dict(img=''))
        cfg[key].num_workers = 0
        cfg[key].persistent_workers = False
    fit_schedule(cfg, epochs, -(-len(train['images']) //
                                cfg.train_dataloader.batch_size))
    cfg.default_hooks.logger.interval = 10
    cfg.randomness = dict(seed=seed)
    _step(f'training {osp.basename(config)} for {epochs} epochs')
    runner = _quiet_runner(cfg)
    runner.train()

    _step('evaluating on the val split (FashionAI normalized error)')
    metrics = runner.test()
    answers, guess = predict_mean_shape(fit_mean_shape(train), val)
    baseline = evaluate_submission(
        answers, [
            type(a)(a.image_id, a.category, g.astype(np.float32),
                    np.ones(24, np.int8), 0)
            for a, g in zip(answers, guess)
        ])
    model_name = osp.splitext(osp.basename(config))[0]
    print('\n' + format_ne_table(
        metrics, title=f'{model_name} on the val split, NE',
        prefix='fashionai/'))
    print(format_ne_table(
        baseline, title='Mean-shape guess (ignores the image) on the val '
        'split, NE'))

    predictor = build_predictor(
        cfg, osp.join(cfg.work_dir, f'epoch_{epochs}.pth'), device='cpu')
    _step('drawing predictions on validation images')
    picks = answers[::max(1, len(answers) // num_vis)][:num_vis]
    images = [cv2.imread(osp.join(split_dir, a.image_id)) for a in picks]
    preds = predictor.predict(images, categories=[a.category for a in picks])
    tiles = [
        draw_garment(img, p.keypoints, a.category, gt=a.keypoints,
                     title=a.category)
        for img, p, a in zip(images, preds, picks)
    ]
    png = osp.join(work_dir, 'predictions.png')
    cv2.imwrite(png, image_grid(tiles, cols=4))
    print(f'   wrote {png} (dots: prediction, white rings: ground truth)')

    submission = None
    test_csv = osp.join(split_dir, 'test.csv')
    if osp.isfile(test_csv):
        _step(f'predicting the test list {test_csv}')
        tests = read_test_list(test_csv)
        preds = predictor.predict([osp.join(split_dir, i) for i, _ in tests],
                                  categories=[c for _, c in tests])
        result_csv = osp.join(work_dir, 'result.csv')
        write_submission(result_csv, [i for i, _ in tests],
                         [c for _, c in tests],
                         np.stack([p.keypoints for p in preds]))
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

    summary = dict(val={k: v for k, v in metrics.items()},
                   mean_shape=baseline, test=submission,
                   seconds=round(time.time() - t0, 1))
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    _step(f'done in {summary["seconds"]:.0f} s; summary in '
          f'{work_dir}/summary.json')
    return summary
