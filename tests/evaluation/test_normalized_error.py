"""NE on hand-computed cases, and the metric and the offline evaluator
agreeing on the same predictions."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from mmpose_cloth.evaluation import (FashionAIMetric, evaluate_submission,
                                     normalized_error)
from mmpose_cloth.evaluation.functional import category_indices
from fashionai_format import (CATEGORIES, KEYPOINT_NAMES,
                              FashionAIRecord, fashionai_metainfo,
                              read_annotations, write_annotations,
                              write_submission)

K = KEYPOINT_NAMES.index
BLOUSE, SKIRT = CATEGORIES.index('blouse'), CATEGORIES.index('skirt')


def blouse_gt():
    gt = np.full((24, 2), -1.0)
    vis = np.full(24, -1)
    gt[K('armpit_left')], gt[K('armpit_right')] = (0, 0), (10, 0)
    gt[K('neckline_left')], gt[K('neckline_right')] = (2, -5), (8, -5)
    vis[[K('armpit_left'), K('armpit_right')]] = 1
    vis[[K('neckline_left'), K('neckline_right')]] = (1, 0)
    return gt, vis


def test_hand_computed_single_image():
    gt, vis = blouse_gt()
    pred = gt.copy()
    pred[K('armpit_left')] += (3, 4)  # d = 5, s = 10 -> 0.5
    pred[K('neckline_right')] += (100, 0)  # occluded: not scored
    res = normalized_error(pred[None], gt[None], vis[None],
                           np.array([BLOUSE])).summary()
    # 3 visible keypoints: errors 0.5, 0, 0 (neckline_left exact)
    assert res['NE'] == pytest.approx(0.5 / 3)
    assert res['count'] == 3 and res['NE/blouse'] == pytest.approx(0.5 / 3)
    assert res['left_out'] == 0


def test_pooled_not_mean_of_means():
    gt, vis = blouse_gt()
    gt2, vis2 = gt.copy(), np.full(24, -1)
    vis2[[K('armpit_left'), K('armpit_right')]] = (1, 0)  # 1 scored kpt
    pred, pred2 = gt.copy(), gt2.copy()
    pred2[K('armpit_left')] += (0, 10)  # error 1.0 on the only keypoint
    res = normalized_error(np.stack([pred, pred2]), np.stack([gt, gt2]),
                           np.stack([vis, vis2]), np.array([BLOUSE, BLOUSE]))
    s = res.summary()
    assert s['count'] == 4
    assert s['NE'] == pytest.approx(1.0 / 4)  # a mean of means gives 0.5
    np.testing.assert_array_equal(res.count, [3, 1])


def test_image_without_norm_pair_is_left_out():
    gt = np.zeros((24, 2))
    vis = np.full(24, -1)
    gt[K('waistband_left')], gt[K('hemline_left')] = (1, 1), (1, 50)
    vis[[K('waistband_left'), K('hemline_left')]] = 1  # no waistband_right
    res = normalized_error(gt[None] + 7, gt[None], vis[None],
                           np.array([SKIRT])).summary()
    assert res['left_out'] == 1 and res['count'] == 0
    assert np.isnan(res['NE'])


def test_non_finite_predictions_score_as_error_one():
    gt, vis = blouse_gt()
    pred = gt.copy()
    pred[K('armpit_left')] = np.nan
    res = normalized_error(pred[None], gt[None], vis[None],
                           np.array([BLOUSE])).summary()
    assert res['invalid'] == 1 and res['NE'] == pytest.approx(1 / 3)


def record(image_id, category, kpts, vis):
    return FashionAIRecord(image_id, category, np.asarray(kpts, np.float32),
                           np.asarray(vis, np.int8))


def test_missing_prediction_row_counts_as_error_one():
    gt, vis = blouse_gt()
    gts = [record('a.jpg', 'blouse', gt, vis), record('b.jpg', 'blouse', gt,
                                                      vis)]
    preds = [record('a.jpg', 'blouse', gt, np.where(vis >= 0, 1, -1))]
    res = evaluate_submission(gts, preds)
    assert res['missing'] == 1
    assert res['count'] == 6 and res['NE'] == pytest.approx(3 / 6)


def _per_image_reference(pred: np.ndarray, gt: np.ndarray, vis: np.ndarray,
                         cat: np.ndarray) -> dict:
    """NE written out image by image and keypoint by keypoint, from the
    competition's definition (not the vectorised code): armpits normalize
    blouse, outwear and dress, waistband ends skirt and trousers; an image
    whose pair is absent or coincides is left out; a visible keypoint
    without a finite prediction counts as error 1."""
    pairs = {
        c: ('armpit_left', 'armpit_right')
        for c in ('blouse', 'outwear', 'dress')
    }
    pairs.update({
        c: ('waistband_left', 'waistband_right')
        for c in ('skirt', 'trousers')
    })
    total, count, left_out, invalid = 0.0, 0, 0, 0
    gross, rated = 0, 0
    per_cat = {c: [0.0, 0] for c in CATEGORIES}
    for i in range(len(gt)):
        name = CATEGORIES[cat[i]]
        a, b = (K(k) for k in pairs[name])
        s = math.hypot(*(gt[i, a] - gt[i, b]))
        if vis[i, a] == -1 or vis[i, b] == -1 or s == 0:
            left_out += 1
            continue
        own = []
        for k in range(24):
            if vis[i, k] != 1:
                continue
            if np.isfinite(pred[i, k]).all():
                e = math.hypot(*(pred[i, k] - gt[i, k])) / s
            else:
                e, invalid = 1.0, invalid + 1
            total, count = total + e, count + 1
            per_cat[name][0] += e
            per_cat[name][1] += 1
            own.append(e)
        if own:  # a gross failure: the image's own mean error over 0.5
            rated += 1
            gross += sum(own) / len(own) > 0.5
    out = dict(NE=total / count, count=count, left_out=left_out,
               invalid=invalid, gross=gross / rated, gross_count=gross)
    out.update({f'NE/{c}': e / n for c, (e, n) in per_cat.items() if n})
    return out


def test_ten_thousand_images_match_per_image_reference():
    """The vectorised NE at the size of a test set (10,000 images) equals
    an image-by-image loop. Its speed is measured by
    tools/analysis/benchmark.py (``--eval-images``), not asserted here: a
    wall-clock bound flakes on a shared machine."""
    rng = np.random.default_rng(0)
    n = 10_000
    gt = rng.uniform(0, 512, (n, 24, 2))
    vis = rng.choice([-1, 0, 1], (n, 24))
    cat = rng.integers(0, 5, n)
    pred = gt + rng.normal(0, 10, gt.shape)
    pred[rng.random((n, 24)) < 0.01] = np.nan  # some invalid predictions
    # blouses whose armpits coincide (s = 0): left out too
    cat[:10] = BLOUSE
    vis[:10, [K('armpit_left'), K('armpit_right')]] = 1
    gt[:10, K('armpit_right')] = gt[:10, K('armpit_left')]
    # a fifth of the images far off: gross failures
    far = rng.random(n) < 0.2
    pred[far] += rng.uniform(-400, 400, (int(far.sum()), 1, 2))
    got = normalized_error(pred, gt, vis, cat).summary()
    want = _per_image_reference(pred, gt, vis, cat)
    assert want['left_out'] > 1000 and want['invalid'] > 100  # both seen
    assert 0.05 < want['gross'] < 0.5  # some, not all
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key


def test_metric_and_offline_evaluator_agree(real_coco, real_split_dir,
                                            tmp_path):
    """Feed the same noisy predictions to FashionAIMetric (as the runner
    would) and, as a submission CSV, to tools/analysis/fashionai_eval.py."""
    rng = np.random.default_rng(0)
    coco = real_coco['val']
    img_by_id = {i['id']: i for i in coco['images']}
    metric = FashionAIMetric(outfile_prefix=str(tmp_path / 'metric'))
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    metric.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    samples, ids, cats, preds = [], [], [], []
    for ann in coco['annotations']:
        gt = np.array(ann['keypoints']).reshape(24, 3)[:, :2]
        pred = gt + rng.normal(0, 8, gt.shape)
        samples.append(dict(raw_ann_info=ann,
                            pred_instances=dict(keypoints=pred[None])))
        ids.append(img_by_id[ann['image_id']]['file_name'])
        cats.append(ann['category'])
        preds.append(pred)
    metric.process([], samples)
    ours = metric.evaluate(len(samples))
    assert ours['fashionai/NE'] > 0.01  # the noise is seen

    answers = tmp_path / 'answers.csv'
    all_recs = {
        r.image_id: r
        for r in read_annotations(real_split_dir +
                                  '/Annotations/train.csv').records
    }
    write_annotations(answers, [all_recs[i] for i in ids])
    result = tmp_path / 'result.csv'
    write_submission(result, ids, cats, np.stack(preds))
    out = subprocess.run([
        sys.executable, f'{REPO}/tools/analysis/fashionai_eval.py', '--gt',
        str(answers), '--pred',
        str(result), '--json'
    ], capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    assert theirs['NE'] == pytest.approx(ours['fashionai/NE'], rel=1e-4)
    for c in CATEGORIES:
        assert theirs[f'NE/{c}'] == pytest.approx(ours[f'fashionai/NE/{c}'],
                                                  rel=1e-4)
    assert theirs['count'] == ours['fashionai/count']
    assert theirs['missing'] == 0
    # the metric's own submission file scores the same
    own = evaluate_submission(
        read_annotations(answers).records,
        read_annotations(tmp_path / 'metric.result.csv').records)
    assert own['NE'] == pytest.approx(ours['fashionai/NE'], rel=1e-4)

    # drop 10 prediction rows: the evaluator says so and the score worsens
    lines = result.read_text().splitlines()
    result.write_text('\n'.join(lines[:1] + lines[11:]) + '\n')
    out = subprocess.run([
        sys.executable, f'{REPO}/tools/analysis/fashionai_eval.py', '--gt',
        str(answers), '--pred', str(result)
    ], capture_output=True, text=True, check=True)
    assert 'missing predictions: 10' in out.stdout


def test_category_names_are_checked():
    with pytest.raises(ValueError, match='unknown FashionAI category'):
        category_indices(['blouse', 'shirt'])


def test_predicted_category_ne_is_what_its_submission_scores(
        real_coco, real_split_dir, tmp_path):
    """With a predicted category (some wrong), the metric's
    NE_predicted_category equals the offline evaluator's score of the
    submission that writes the predicted categories' keypoints."""
    rng = np.random.default_rng(1)
    coco = real_coco['val']
    img_by_id = {i['id']: i for i in coco['images']}
    metric = FashionAIMetric()
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    metric.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    samples, ids, pred_cats, preds = [], [], [], []
    for ann in coco['annotations']:
        gt = np.array(ann['keypoints']).reshape(24, 3)[:, :2]
        pred = gt + rng.normal(0, 8, gt.shape)
        label = CATEGORIES.index(ann['category'])
        if rng.random() < 0.2:  # a fifth predicted as another garment
            label = (label + int(rng.integers(1, 5))) % 5
        samples.append(dict(raw_ann_info=ann, pred_instances=dict(
            keypoints=pred[None], category_labels=np.array([label]))))
        ids.append(img_by_id[ann['image_id']]['file_name'])
        pred_cats.append(CATEGORIES[label])
        preds.append(pred)
    metric.process([], samples)
    ours = metric.evaluate(len(samples))
    assert ours['fashionai/NE_predicted_category'] > \
        ours['fashionai/NE'] + 0.05  # wrong categories cost keypoints

    all_recs = {
        r.image_id: r
        for r in read_annotations(real_split_dir +
                                  '/Annotations/train.csv').records
    }
    answers, result = tmp_path / 'answers.csv', tmp_path / 'result.csv'
    write_annotations(answers, [all_recs[i] for i in ids])
    write_submission(result, ids, pred_cats, np.stack(preds))
    out = subprocess.run([
        sys.executable, f'{REPO}/tools/analysis/fashionai_eval.py', '--gt',
        str(answers), '--pred', str(result), '--json'
    ], capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    assert theirs['category_mismatch'] > 50
    assert theirs['NE'] == pytest.approx(
        ours['fashionai/NE_predicted_category'], rel=1e-5)  # CSV rounding
    for c in CATEGORIES:
        assert theirs[f'NE/{c}'] == pytest.approx(
            ours[f'fashionai/NE_predicted_category/{c}'], rel=1e-5), c
    assert theirs['gross'] == pytest.approx(
        ours['fashionai/gross_predicted_category'])
    assert ours['fashionai/gross_predicted_category'] > \
        ours['fashionai/gross']


def test_predicted_category_ne_is_withheld_when_the_given_one_helped(
        real_coco):
    """Keypoints predicted for the given category (a category-conditioned
    model or a crop stage) would flatter NE_predicted_category: it is left
    out, and reported where they follow the predicted category."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    coco = real_coco['val']
    rng = np.random.default_rng(2)

    def evaluate(conditioned_on_given: bool) -> dict:
        metric = FashionAIMetric()
        metric.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
        samples = []
        for ann in coco['annotations'][:40]:
            gt = np.array(ann['keypoints']).reshape(24, 3)[:, :2]
            true = CATEGORIES.index(ann['category'])
            label = (true + 1) % 5 if rng.random() < 0.3 else true
            samples.append(dict(raw_ann_info=ann, pred_instances=dict(
                keypoints=gt[None] + 1., category_labels=np.array([label]),
                conditioned_category_labels=np.array(
                    [true if conditioned_on_given else label]))))
        metric.process([], samples)
        return metric.evaluate(len(samples))

    helped, honest = evaluate(True), evaluate(False)
    assert 'fashionai/NE_predicted_category' not in helped
    assert helped['fashionai/NE'] == pytest.approx(honest['fashionai/NE'])
    assert honest['fashionai/NE_predicted_category'] > honest['fashionai/NE']
