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
import json

import numpy as np
import pytest

from mmpose_cloth.evaluation import evaluate_submission
from fashionai_format import (CATEGORY_KEYPOINTS, CSV_HEADER, KEYPOINT_NAMES,
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
    # the file holds the category's keypoints only (the format's rule; the
    # evaluator would ignore others, other scorers may not): the NaN one
    # and those the category lacks are -1_-1_-1
    rows = [line.split(',') for line in
            (tmp_path / 'm.result.csv').read_text().splitlines()[1:]]
    for n, (row, r) in enumerate(zip(rows, answers)):
        has = CATEGORY_KEYPOINTS[r.category]
        nan = K('waistband_left') if n == 0 else None
        assert [c == '-1_-1_-1' for c in row[2:]] == \
            [k not in has or k == nan for k in range(24)], row
    pred = read_annotations(tmp_path / 'm.result.csv', errors='collect')
    theirs = evaluate_submission(answers, pred.records, pred.problems)
    assert ours['NE'] == pytest.approx(1 / 16)
    assert theirs['NE'] == pytest.approx(ours['NE'])


# --------------------------------------------------------------------------
# Submissions as real users bring them: no header row, coordinates slightly
# outside the image. Scored as the competition's scorer would, not refused.


def _cli_json(tmp_path, answers, lines, capsys, name='result.csv'):
    """Run the offline evaluator on ``lines``; (rc, result, stderr)."""
    gt = tmp_path / 'answers.csv'
    write_annotations(gt, answers)
    sub = tmp_path / name
    sub.write_text('\n'.join(lines) + '\n')
    rc = fashionai_eval().main(['--gt', str(gt), '--pred', str(sub),
                                '--json'])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if rc == 0 else None), err, sub


def test_headerless_submission_scores_like_with_header(tmp_path, answers,
                                                       capsys):
    preds = [r.keypoints.astype(float) + (3.0, -4.0) for r in answers]
    lines = submission_lines(answers, preds)
    rc, with_header, err, _ = _cli_json(tmp_path, answers, lines, capsys)
    assert rc == 0 and err == ''
    rc, without, err, sub = _cli_json(tmp_path, answers, lines[1:], capsys,
                                      'headerless.csv')
    assert rc == 0
    assert without == with_header
    # every row scored: the first line was not lost as a "header"
    assert without['missing'] == 0 and without['unreadable'] == 0
    assert without['NE'] == pytest.approx((8 * 5 / 40 + 8 * 5 / 50) / 16)
    # said once, in one line, on stderr (stdout stays pure JSON)
    assert err.count('\n') == 1 and str(sub) in err
    assert 'no header row' in err


def test_negative_coordinates_are_scored(tmp_path, answers, capsys):
    """A prediction just outside the image (x < 0 or y < 0, v = 1) is a
    prediction: scored by its distance, not refused or counted invalid."""
    preds = [r.keypoints.astype(float) for r in answers]  # perfect
    # skirt 0's waistband_left is at (0, 0): predict (-3, -4), d = 5
    preds[0][K('waistband_left')] = (-3.0, -4.0)
    # blouse 2's armpit_left is at (0, 0): predict (-6, 8), d = 10
    preds[2][K('armpit_left')] = (-6.0, 8.0)
    lines = submission_lines(answers, preds)
    assert '-3_-4_1' in lines[1] and '-6_8_1' in lines[3]
    for rows in (lines, lines[1:]):  # with and without a header
        rc, res, _, _ = _cli_json(tmp_path, answers, rows, capsys)
        assert rc == 0
        assert (res['unreadable'], res['missing'], res['invalid']) == (0, 0,
                                                                      0)
        assert res['NE'] == pytest.approx((5 / 40 + 10 / 50) / 16)


def test_headerless_malformed_rows_still_name_file_line_and_column(
        tmp_path, answers, capsys):
    """Without a header, line 1 is data: a bad cell there or further down
    is reported with its own line and column and scored as a missing
    row."""
    preds = [r.keypoints.astype(float) for r in answers]
    lines = submission_lines(answers, preds)[1:]  # no header
    lines[0] = lines[0].replace('-5_60_1', 'a_60_1')  # hemline_left
    lines[2] = lines[2].rsplit(',', 1)[0]  # 25 columns
    rc, res, err, sub = _cli_json(tmp_path, answers, lines, capsys)
    assert rc == 0 and (res['unreadable'], res['missing']) == (2, 2)
    assert f"{sub}, line 1, column 'hemline_left': " in err
    assert f'{sub}, line 3: expected 26 columns, found 25' in err
    assert 'no header row' in err
    # a first line that is neither the header nor a data row is refused
    rc, _, err, sub = _cli_json(tmp_path, answers,
                                ['id,category,' + lines[0].split(',', 2)[2]] +
                                lines[1:], capsys)
    assert rc == 2
    assert f'{sub}, line 1: unexpected header' in err
