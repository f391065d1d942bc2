"""Faulty predictions and submissions: NaN or infinite coordinates, missing
rows, a missing category, wrong categories, extra rows. The evaluator
reports each, and never returns a silently better score.

The rule (the competition's, for a missing prediction): a keypoint with no
usable prediction scores error 1, the largest error a prediction within the
garment's scale would get, and is counted:

* a submission row that cannot be read (a ``nan``/``inf`` cell, a bad cell)
  is reported with its line and column (``unreadable``) and scored as a
  missing row (``missing``): each visible keypoint of that image error 1;
* a ``-1_-1_-1`` cell where the category has the keypoint, or a NaN/inf
  coordinate in the metric, scores error 1 for that keypoint (``invalid``).
"""
import numpy as np
import pytest

from mmpose_cloth.evaluation import evaluate_submission
from mmpose_cloth.fashionai import (CSV_HEADER, KEYPOINT_NAMES,
                                    read_annotations, write_annotations)
from reliability_helpers import (csv_summary, fashionai_eval, metric_summary,
                                 record)

K = KEYPOINT_NAMES.index


def skirt(i, dx=0.0):
    """A skirt: waistband 0..40 (s = 40), hems visible, all exact + dx."""
    kpts = np.full((24, 2), -1.0)
    vis = np.full(24, -1)
    for name, xy in (('waistband_left', (0, 0)), ('waistband_right', (40, 0)),
                     ('hemline_left', (-5, 60)), ('hemline_right',
                                                  (45, 60))):
        kpts[K(name)] = xy
        vis[K(name)] = 1
    return record(f'Images/skirt/{i}.jpg', 'skirt', kpts, vis)


def blouse(i):
    kpts = np.full((24, 2), -1.0)
    vis = np.full(24, -1)
    for k, name in enumerate(('armpit_left', 'armpit_right', 'neckline_left',
                              'cuff_left_in')):
        kpts[K(name)] = (10 * k, 5 * k * k)
        vis[K(name)] = 1
    kpts[K('armpit_right')] = (50, 0)  # s = 50
    return record(f'Images/blouse/{i}.jpg', 'blouse', kpts, vis)


@pytest.fixture
def answers():
    return [skirt(0), skirt(1), blouse(2), blouse(3)]


def submission_lines(answers, preds):
    lines = [','.join(CSV_HEADER)]
    for r, p in zip(answers, preds):
        cells = ['-1_-1_-1' if v < 0 else f'{x:g}_{y:g}_1'
                 for (x, y), v in zip(p, r.visibility)]
        lines.append(','.join([r.image_id, r.category] + cells))
    return lines


def score(tmp_path, answers, lines):
    gt = tmp_path / 'answers.csv'
    write_annotations(gt, answers)
    sub = tmp_path / 'result.csv'
    sub.write_text('\n'.join(lines) + '\n')
    pred = read_annotations(sub, errors='collect')
    return evaluate_submission(read_annotations(gt).records, pred.records,
                               pred.problems), pred


@pytest.mark.parametrize('cell', ['nan_nan_1', 'nan_10_1', 'inf_0_1',
                                  '-inf_0_1', '1e999_0_1'])
def test_non_finite_cell_scores_as_a_missing_row(tmp_path, answers, cell):
    preds = [r.keypoints.astype(float) + 4.0 for r in answers]  # all off
    lines = submission_lines(answers, preds)
    clean, _ = score(tmp_path, answers, lines)
    bad = lines.copy()
    cells = bad[1].split(',')
    cells[2 + K('hemline_left')] = cell
    bad[1] = ','.join(cells)
    res, pred = score(tmp_path, answers, bad)
    (problem, ) = pred.problems
    assert (problem.line, problem.column) == (2, 'hemline_left')
    assert 'finite' in problem.reason or 'numbers' in problem.reason
    assert (res['unreadable'], res['missing']) == (1, 1)
    # the same as leaving the row out ...
    without, _ = score(tmp_path, answers, lines[:1] + lines[2:])
    assert res['NE'] == pytest.approx(without['NE'])
    # ... which is: each of the image's 4 visible keypoints scores 1
    d = np.hypot(4, 4)
    expected = (4 * 1.0 + 4 * d / 40 + 8 * d / 50) / 16
    assert res['NE'] == pytest.approx(expected) and res['count'] == 16
    assert res['NE'] > clean['NE']


def test_cli_warns_with_line_and_column(tmp_path, answers, capsys):
    preds = [r.keypoints.astype(float) for r in answers]
    lines = submission_lines(answers, preds)
    lines[3] = lines[3].replace('0_0_1', 'nan_nan_1', 1)
    gt = tmp_path / 'answers.csv'
    write_annotations(gt, answers)
    sub = tmp_path / 'result.csv'
    sub.write_text('\n'.join(lines) + '\n')
    assert fashionai_eval().main(['--gt', str(gt), '--pred', str(sub)]) == 0
    out, err = capsys.readouterr()
    assert f'{sub}, line 4, column ' in err
    assert 'scored as a missing prediction' in err
    assert 'missing predictions: 1, unreadable rows: 1' in out


def test_missing_rows_and_a_missing_category(tmp_path, answers):
    preds = [r.keypoints.astype(float) for r in answers]  # perfect
    lines = submission_lines(answers, preds)
    res, _ = score(tmp_path, answers, lines[:2] + lines[3:])  # drop skirt 1
    assert res['missing'] == 1 and res['NE'] == pytest.approx(4 / 16)
    res, _ = score(tmp_path, answers, lines[:1] + lines[3:])  # no skirts
    assert res['missing'] == 2
    assert res['NE/skirt'] == 1.0 and res['NE/blouse'] == 0.0
    assert res['NE'] == pytest.approx(8 / 16)
    res, _ = score(tmp_path, answers, lines[:1])  # header only
    assert res['missing'] == 4 and res['NE'] == 1.0


def test_absent_cell_wrong_category_and_extra_rows(tmp_path, answers):
    preds = [r.keypoints.astype(float) for r in answers]
    lines = submission_lines(answers, preds)
    # a category keypoint predicted as absent: error 1 for it alone
    lines[1] = lines[1].replace('-5_60_1', '-1_-1_-1')
    # a skirt row labelled blouse: the answer's category is used; the blouse
    # row cannot hold skirt keypoints, so they are absent: error 1 each
    blouse_cells = ['-1_-1_-1'] * 24
    blouse_cells[K('armpit_left')] = '1_1_1'
    lines[2] = ','.join([answers[1].image_id, 'blouse'] + blouse_cells)
    lines.append(lines[3].replace('Images/blouse/2.jpg', 'Images/x/9.jpg'))
    res, _ = score(tmp_path, answers, lines)
    assert res['invalid'] == 1 + 4 and res['category_mismatch'] == 1
    assert res['extra'] == 1 and res['missing'] == 0
    assert res['NE'] == pytest.approx(5 / 16)


def test_nan_predictions_metric_and_submission_agree(tmp_path, answers):
    """NaN in the model's output: the metric scores each such keypoint 1;
    write_submission writes it as -1_-1_-1, which the evaluator scores the
    same way, so the two numbers agree."""
    preds = np.stack([r.keypoints.astype(float) for r in answers])
    preds[0, K('hemline_left')] = np.nan
    preds[2, K('armpit_left'), 0] = np.inf
    ours = metric_summary(answers, preds)
    theirs = csv_summary(tmp_path, answers, preds)
    assert ours['invalid'] == theirs['invalid'] == 2
    assert ours['NE'] == pytest.approx(2 / 16)
    assert theirs['NE'] == pytest.approx(ours['NE'])
    written = read_annotations(tmp_path / 'result.csv').records
    assert written[0].visibility[K('hemline_left')] == -1
    assert written[2].visibility[K('armpit_left')] == -1


def test_metric_outfile_scores_like_the_metric(tmp_path, answers):
    preds = np.stack([r.keypoints.astype(float) for r in answers])
    preds[0, K('waistband_left')] = np.nan  # gt (0, 0): next to (-1, -1)
    ours = metric_summary(answers, preds, str(tmp_path / 'm'))
    pred = read_annotations(tmp_path / 'm.result.csv', errors='collect')
    theirs = evaluate_submission(answers, pred.records, pred.problems)
    assert ours['NE'] == pytest.approx(1 / 16)
    assert theirs['NE'] == pytest.approx(ours['NE'])
