"""The mean-shape guess (ignores the image) and its command line."""
import importlib.util
import json
import os.path as osp

import numpy as np

from conftest import REPO
from fashionai_format import CATEGORIES, NUM_KEYPOINTS
from mmpose_cloth.baselines import fit_mean_shape, predict_mean_shape
from mmpose_cloth.evaluation import evaluate_submission, format_ne_table


def _tool():
    spec = importlib.util.spec_from_file_location(
        'mean_shape_tool',
        osp.join(REPO, 'tools', 'analysis', 'mean_shape_baseline.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_fit_and_predict(synthetic_coco):
    means = fit_mean_shape(synthetic_coco['train'])
    assert sorted(means) == sorted(CATEGORIES)
    assert all(m.shape == (NUM_KEYPOINTS, 2) for m in means.values())
    # relative to the image size: inside the image
    assert all(((m >= 0) & (m <= 1)).all() for m in means.values())
    answers, preds = predict_mean_shape(means, synthetic_coco['val'])
    assert len(answers) == len(synthetic_coco['val']['images'])
    assert preds.shape == (len(answers), NUM_KEYPOINTS, 2)
    res = evaluate_submission(answers, [
        type(a)(a.image_id, a.category, p.astype(np.float32),
                np.ones(NUM_KEYPOINTS, np.int8), 0)
        for a, p in zip(answers, preds)
    ])
    assert res['NE'] > 0.3  # the synthetic images are not that easy


def test_command_line_prints_the_ne_table(synthetic_coco, tmp_path, capsys):
    tool = _tool()
    paths = synthetic_coco['paths']
    out = tmp_path / 'mean_shape'
    args = [paths['train'], paths['val'], '--out-dir', str(out)]
    assert tool.main(args + ['--json']) == 0
    res = json.loads(capsys.readouterr().out)
    assert tool.main(args) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(format_ne_table(
        res, title='Mean-shape guess (ignores the image), FashionAI '
        'normalized error') + '\n')
    assert (out / 'result.csv').is_file() and (out / 'answers.csv').is_file()
