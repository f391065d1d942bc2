"""The one per-category NE table: its format, and that the metric and the
offline evaluator print it."""
import importlib.util
import json
import os.path as osp

import numpy as np

from conftest import REPO
from fashionai_format import (CATEGORY_KEYPOINTS, FashionAIRecord,
                              fashionai_metainfo, write_annotations,
                              write_submission)
from mmpose_cloth.evaluation import FashionAIMetric, format_ne_table

SUMMARY = {
    'NE': 0.56086, 'NE/blouse': 0.534729, 'count/blouse': 1078,
    'NE/skirt': 0.75449, 'count/skirt': 348, 'count': 1426, 'images': 456,
    'left_out': 2, 'invalid': 0
}


def test_format():
    assert format_ne_table(SUMMARY) == '\n'.join([
        'FashionAI normalized error (lower is better):',
        '  blouse    NE  53.47% over 1078 keypoints',
        '  skirt     NE  75.45% over 348 keypoints',
        '  all       NE  56.09% over 1426 keypoints in 456 images; left out '
        '(no normalizing keypoints): 2',
    ])
    prefixed = {f'fashionai/{k}': v for k, v in SUMMARY.items()}
    assert format_ne_table(prefixed, title='CPN', prefix='fashionai/') == \
        format_ne_table(SUMMARY, title='CPN')
    gross = dict(SUMMARY, gross=0.0274, gross_count=12)
    assert format_ne_table(gross).splitlines()[-1] == (
        "  gross failures (an image's own NE over 50%):   2.74% of the "
        'images (12)')
    empty = dict(NE=float('nan'), count=0, images=0, left_out=3)
    assert format_ne_table(empty).splitlines()[1] == (
        '  all       NE     n/a over 0 keypoints in 0 images; left out (no '
        'normalizing keypoints): 3')


def _records(n=4):
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        cat = ('blouse', 'skirt')[i % 2]
        vis = np.full(24, -1, np.int8)
        vis[list(CATEGORY_KEYPOINTS[cat])] = 1
        xy = np.where(vis[:, None] >= 0, rng.integers(10, 90, (24, 2)), -1)
        out.append(FashionAIRecord(f'Images/{cat}/{i}.jpg', cat,
                                   xy.astype(np.float32), vis, i + 2))
    return out


def test_the_metric_and_the_evaluator_print_it(tmp_path, monkeypatch,
                                               capsys):
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose_cloth.evaluation.metrics import fashionai_metric
    records = _records()
    preds = [r.keypoints + 3.0 for r in records]
    logged = []
    monkeypatch.setattr(fashionai_metric, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    metric = FashionAIMetric()
    metric.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    coco_vis = {1: 2, 0: 1, -1: 0}
    metric.process([], [
        dict(raw_ann_info=dict(
            keypoints=np.concatenate(
                [r.keypoints, [[coco_vis[v]] for v in r.visibility]],
                1).ravel().tolist(),
            fashionai_visibility=r.visibility.tolist(),
            category=r.category, fashionai_image_id=r.image_id),
            pred_instances=dict(keypoints=p[None]))
        for r, p in zip(records, preds)
    ])
    summary = metric.compute_metrics(metric.results)
    assert logged[0] == format_ne_table(summary)
    # then the worst images by name, worst first, with their own NE
    assert len(logged) == 2 and logged[1].startswith('worst 4 images')
    named = [part.split()[-2:] for part in
             logged[1].split(': ', 1)[1].split(', ')]
    own = [float(ne.rstrip('%')) for _, ne in named]
    assert own == sorted(own, reverse=True)
    assert {name for name, _ in named} == {r.image_id for r in records}

    gt, sub = tmp_path / 'answers.csv', tmp_path / 'result.csv'
    write_annotations(gt, records)
    write_submission(sub, [r.image_id for r in records],
                     [r.category for r in records], np.stack(preds))
    spec = importlib.util.spec_from_file_location(
        'ne_table_eval_tool',
        osp.join(REPO, 'tools', 'analysis', 'fashionai_eval.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(['--gt', str(gt), '--pred', str(sub), '--json']) == 0
    res = json.loads(capsys.readouterr().out)
    assert tool.main(['--gt', str(gt), '--pred', str(sub)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(format_ne_table(res) + '\n')
    assert format_ne_table(res) == format_ne_table(summary)  # same numbers
