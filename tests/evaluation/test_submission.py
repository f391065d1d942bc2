"""tools/analysis/fashionai_eval.py on files built like real submissions,
against an image-by-image reference written here from the competition's
definition (not the package's code):

* NE pools ``d / s`` over the keypoints the answer marks visible (v = 1);
  ``s`` is the answer's armpit distance (blouse, outwear, dress) or
  waistband distance (skirt, trousers); an image whose pair is absent, or
  zero apart, is left out;
* only the cells of those keypoints are read from the prediction row: the
  cells of keypoints the category does not have, which joint 24-keypoint
  models fill, are never looked at;
* a missing prediction row, or a visible keypoint predicted ``-1_-1_-1``,
  scores error 1.
"""
import csv
import json
import math

import numpy as np
import pytest

from conftest import load_tool
from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS, CSV_HEADER,
                              KEYPOINT_NAMES, FashionAIRecord,
                              read_annotations, write_annotations)

K = KEYPOINT_NAMES.index
PAIRS = dict(blouse=('armpit_left', 'armpit_right'),
             outwear=('armpit_left', 'armpit_right'),
             dress=('armpit_left', 'armpit_right'),
             skirt=('waistband_left', 'waistband_right'),
             trousers=('waistband_left', 'waistband_right'))


@pytest.fixture(scope='module')
def evaluator():
    return load_tool('tools/analysis/fashionai_eval.py', 'eval_submission')


def reference(answers_csv, result_csv) -> dict:
    """The definition, image by image, from the two files' text."""

    def rows(path):
        with open(path, newline='') as f:
            out = [r for r in csv.reader(f) if r]
        return out[1:] if out and out[0][0] == 'image_id' else out

    def cell(text):
        x, y, v = text.split('_')
        return float(x), float(y), int(v)

    pred = {r[0]: r for r in rows(result_csv)}
    total, count, left_out, missing, invalid = 0.0, 0, 0, 0, 0
    per_cat = {c: [0.0, 0] for c in CATEGORIES}
    own = {}
    for row in rows(answers_csv):
        image_id, category, cells = row[0], row[1], row[2:]
        p = pred.get(image_id)
        missing += p is None  # counted whether the image is scored or not
        a, b = (cell(cells[K(name)]) for name in PAIRS[category])
        s = math.hypot(a[0] - b[0], a[1] - b[1])
        if a[2] == -1 or b[2] == -1 or s == 0:
            left_out += 1
            continue
        errors = []
        for k in range(24):
            gx, gy, gv = cell(cells[k])
            if gv != 1:
                continue
            if p is None:  # invalid: every keypoint with no prediction
                e, invalid = 1.0, invalid + 1
            else:
                px, py, pv = cell(p[2 + k])
                if pv == -1:
                    e, invalid = 1.0, invalid + 1
                else:
                    e = math.hypot(px - gx, py - gy) / s
            errors.append(e)
        total += sum(errors)
        count += len(errors)
        per_cat[category][0] += sum(errors)
        per_cat[category][1] += len(errors)
        if errors:
            own[image_id] = sum(errors) / len(errors)
    gross = sum(e > 0.5 for e in own.values())
    out = dict(NE=total / count, count=count, left_out=left_out,
               missing=missing, invalid=invalid, gross=gross / len(own),
               gross_count=gross)
    out.update({f'NE/{c}': e / n for c, (e, n) in per_cat.items() if n})
    worst = sorted(own.items(), key=lambda kv: -kv[1])[:10]
    return out, worst


def synthetic_answers(n=60, seed=0):
    """Answer rows shaped like the real ones: every keypoint of the category
    given, visible or occluded; a few normalizing pairs absent."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        cat = CATEGORIES[i % 5]
        vis = np.full(24, -1, np.int8)
        has = list(CATEGORY_KEYPOINTS[cat])
        vis[has] = rng.choice([0, 1], len(has), p=[0.2, 0.8])
        xy = np.where(vis[:, None] >= 0, rng.integers(0, 512, (24, 2)), -1)
        if i % 17 == 3:  # normalizing keypoint absent: left out
            k = K(PAIRS[cat][1])
            vis[k], xy[k] = -1, -1
        out.append(FashionAIRecord(f'Images/{cat}/{i:04d}.jpg', cat,
                                   xy.astype(np.float32), vis))
    return out


@pytest.fixture(params=['real', 'synthetic'])
def answers(request):
    """The real subset's annotations (skipped where ../shared is absent) or
    synthetic ones; either way, with one answer whose normalizing keypoints
    coincide (a zero-width normalizer) and one whose visible keypoint sits
    at x = 0, so that predictions near it are negative."""
    if request.param == 'real':
        split = request.getfixturevalue('real_split_dir')
        records = read_annotations(f'{split}/Annotations/train.csv').records
    else:
        records = synthetic_answers()
    blouse = next(r for r in records if r.category == 'blouse'
                  and (r.visibility[[K('armpit_left'), K('armpit_right')]]
                       == 1).all())
    blouse.keypoints[K('armpit_right')] = blouse.keypoints[K('armpit_left')]
    skirt = next(r for r in records if r.category == 'skirt'
                 and r.visibility[K('hemline_left')] == 1)
    skirt.keypoints[K('hemline_left'), 0] = 0
    return records


def joint_model_submission(answers, seed=0):
    """Rows as a joint 24-keypoint model writes them: no header, all 24
    cells ``x_y_1`` (also for keypoints the category lacks, some negative),
    coordinates with two decimals, rows shuffled, every 20th row missing,
    a few of the category's keypoints not predicted (``-1_-1_-1``)."""
    rng = np.random.default_rng(seed)
    lines, ignored, negative = [], 0, 0
    for i in rng.permutation(len(answers)):
        if i % 20 == 7:
            continue
        r = answers[i]
        has = set(CATEGORY_KEYPOINTS[r.category])
        noise = rng.normal(0, 12, (24, 2))
        cells = []
        for k in range(24):
            if k in has:
                if rng.random() < 0.02:
                    cells.append('-1_-1_-1')
                    continue
                x, y = r.keypoints[k] + noise[k]
                negative += min(x, y) < 0 and r.visibility[k] == 1
            else:  # a keypoint of another garment: anywhere, even outside
                x, y = rng.uniform(-40, 520, 2)
                ignored += 1
            cells.append(f'{x:.2f}_{y:.2f}_1')
        lines.append(','.join([r.image_id, r.category] + cells))
    return lines, ignored, negative


def run(evaluator, capsys, answers_csv, result_csv, *extra):
    rc = evaluator.main(['--gt', str(answers_csv), '--pred', str(result_csv),
                         *extra])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out, err


def test_joint_model_submission_scores_the_definition(evaluator, answers,
                                                      tmp_path, capsys):
    answers_csv, result_csv = tmp_path / 'answers.csv', tmp_path / 'r.csv'
    write_annotations(answers_csv, answers)
    lines, ignored, negative = joint_model_submission(answers)
    result_csv.write_text('\n'.join(lines) + '\n')  # no header
    want, worst = reference(answers_csv, result_csv)
    # what this file exercises
    assert want['left_out'] >= 2 and want['missing'] > 0
    assert want['invalid'] > 0 and ignored > len(lines)
    assert negative > 0  # scored keypoints predicted outside the image

    out, err = run(evaluator, capsys, answers_csv, result_csv, '--json')
    got = json.loads(out)
    for key, value in want.items():
        assert abs(got[key] - value) <= 1e-6, (key, got[key], value)
    assert {k for k in got if k.startswith('NE/')} == \
        {k for k in want if k.startswith('NE/')}
    assert got['unreadable'] == got['extra'] == 0
    assert (got['ignored_cells'], got['ignored_rows']) == (ignored,
                                                           len(lines))
    assert [i for i, _ in got['worst']] == [i for i, _ in worst]
    np.testing.assert_allclose([e for _, e in got['worst']],
                               [e for _, e in worst], atol=1e-6)
    # stderr: the missing header and the ignored cells, one line each,
    # with where the first ignored cell is and what it held
    notes = err.splitlines()
    assert len(notes) == 2 and 'no header row' in notes[0]
    first = lines[0].split(',')
    k = next(k for k in range(24) if k not in CATEGORY_KEYPOINTS[first[1]])
    assert notes[1].startswith(
        f'note: {result_csv}: {len(lines)} rows give {ignored} cells for '
        'keypoints their category does not have; ignored')
    assert (f"e.g. {result_csv}, line 1, column '{KEYPOINT_NAMES[k]}': "
            f"{first[1]} has no keypoint {KEYPOINT_NAMES[k]}, but "
            f"'{first[2 + k]}' was given") in notes[1]

    # the table: the same numbers, the gross failures and the worst images
    out, _ = run(evaluator, capsys, answers_csv, result_csv)
    printed = out.splitlines()
    assert f'{want["NE"] * 100:6.2f}% over {want["count"]} keypoints' \
        in printed[-4]
    assert printed[-3].startswith('  gross failures') and \
        f'({want["gross_count"]})' in printed[-3]
    assert printed[-2] == 'worst 10 images (own NE): ' + ', '.join(
        f'{i} {e:.1%}' for i, e in worst)
    assert printed[-1].endswith(
        f'ignored cells: {ignored} in {len(lines)} rows')


def test_the_same_rows_with_a_header_and_only_the_category_cells(
        evaluator, tmp_path, capsys):
    """Cells of keypoints the category lacks change nothing: the joint
    model's file scores exactly what the same file cut down to the category's
    keypoints (as this project writes) scores."""
    answers = synthetic_answers(40, seed=1)
    answers_csv = tmp_path / 'answers.csv'
    write_annotations(answers_csv, answers)
    lines, _, _ = joint_model_submission(answers, seed=1)
    clean = []
    for line in lines:
        row = line.split(',')
        has = CATEGORY_KEYPOINTS[row[1]]
        clean.append(','.join(row[:2] + [
            c if k in has else '-1_-1_-1' for k, c in enumerate(row[2:])]))
    joint, tidy = tmp_path / 'joint.csv', tmp_path / 'tidy.csv'
    joint.write_text('\n'.join(lines) + '\n')
    tidy.write_text('\n'.join([','.join(CSV_HEADER)] + clean) + '\n')
    a = json.loads(run(evaluator, capsys, answers_csv, joint, '--json')[0])
    b, err = run(evaluator, capsys, answers_csv, tidy, '--json')
    b = json.loads(b)
    assert err == ''  # a clean file: nothing to say
    assert b.pop('ignored_cells') == b.pop('ignored_rows') == 0
    assert a.pop('ignored_cells') > 0 and a.pop('ignored_rows') == len(lines)
    assert a == b


def test_what_is_still_refused_names_file_line_and_column(
        evaluator, tmp_path, capsys):
    """In a joint model's rows: a cell that is not ``x_y_v`` or holds a
    non-finite number makes its row unreadable, in a column the category
    lacks too (scored as a missing row); a row for an image not in the
    answers is named and not scored; a row whose category differs from the
    answer's is named and scored with the answer's category."""
    answers = synthetic_answers(10, seed=2)
    answers_csv = tmp_path / 'answers.csv'
    write_annotations(answers_csv, answers)
    lines, _, _ = joint_model_submission(answers, seed=2)
    by_id = {line.split(',')[0]: n for n, line in enumerate(lines)}
    skirt = by_id['Images/skirt/0003.jpg']
    blouse = by_id['Images/blouse/0000.jpg']
    dress = by_id['Images/dress/0002.jpg']

    def set_cell(n, name, text):
        row = lines[n].split(',')
        row[2 + K(name)] = text
        lines[n] = ','.join(row)

    set_cell(skirt, 'neckline_left', '178_-27')  # not x_y_v, not scored
    set_cell(blouse, 'crotch', 'nan_5_1')  # non-finite, not scored
    lines[dress] = lines[dress].replace(',dress,', ',outwear,', 1)
    lines.append(lines[0].replace(lines[0].split(',')[0],
                                  'Images/skirt/unknown.jpg'))
    result_csv = tmp_path / 'result.csv'
    result_csv.write_text('\n'.join([','.join(CSV_HEADER)] + lines) + '\n')
    out, err = run(evaluator, capsys, answers_csv, result_csv, '--json')
    got = json.loads(out)
    assert (got['unreadable'], got['extra'], got['category_mismatch']) == \
        (2, 1, 1)
    line = {n: n + 2 for n in range(len(lines))}  # the header is line 1
    assert (f"{result_csv}, line {line[skirt]}, column 'neckline_left': "
            "'178_-27' is not of the form x_y_v (scored as a missing "
            'prediction)') in err
    assert (f"{result_csv}, line {line[blouse]}, column 'crotch': "
            "'nan_5_1': x and y must be finite") in err
    assert (f"{result_csv}, line {line[dress]}, column 'image_category': "
            "category 'outwear', but the answer says 'dress'") in err
    assert (f"{result_csv}, line {len(lines) + 1}, column 'image_id': image "
            'not in the answers; not scored') in err
    # the two unreadable rows are scored as missing: the same NE as the
    # file without them (and without the unknown image's row); the dress
    # row labelled outwear holds only outwear's keypoints: the dress's
    # others score 1, as if predicted -1_-1_-1
    outwear = CATEGORY_KEYPOINTS['outwear']
    for k in range(24):
        if k not in outwear:
            set_cell(dress, KEYPOINT_NAMES[k], '-1_-1_-1')
    kept = [ln for n, ln in enumerate(lines[:-1]) if n not in (skirt, blouse)]
    without = tmp_path / 'without.csv'
    without.write_text('\n'.join(kept) + '\n')
    want, _ = reference(answers_csv, without)
    for key, value in want.items():
        assert abs(got[key] - value) <= 1e-6, key
    assert got['missing'] == want['missing'] >= 2


def test_zero_width_normalizer_is_left_out(evaluator, tmp_path, capsys):
    """An answer whose normalizing keypoints coincide cannot be scored
    (d / 0): left out and counted, whatever its prediction; the other
    image's NE is d / s by hand."""
    skirt = np.full((24, 2), -1.0)
    vis = np.full(24, -1, np.int8)
    for name, xy in (('waistband_left', (10, 10)),
                     ('waistband_right', (50, 40)),  # s = 50
                     ('hemline_left', (0, 90)), ('hemline_right', (60, 90))):
        skirt[K(name)], vis[K(name)] = xy, 1
    flat = skirt.copy()
    flat[K('waistband_right')] = flat[K('waistband_left')]  # s = 0
    answers = [FashionAIRecord('Images/skirt/a.jpg', 'skirt',
                               skirt.astype(np.float32), vis),
               FashionAIRecord('Images/skirt/b.jpg', 'skirt',
                               flat.astype(np.float32), vis.copy())]
    answers_csv = tmp_path / 'answers.csv'
    write_annotations(answers_csv, answers)
    cells = ['-3_4_1'] * 24  # every keypoint, (-3, 4)
    result_csv = tmp_path / 'result.csv'
    result_csv.write_text('\n'.join(
        ','.join([r.image_id, 'skirt'] + cells) for r in answers) + '\n')
    got = json.loads(run(evaluator, capsys, answers_csv, result_csv,
                         '--json')[0])
    d = [math.hypot(-3 - x, 4 - y) for x, y in ((10, 10), (50, 40), (0, 90),
                                                 (60, 90))]
    assert got['left_out'] == 1 and got['images'] == 1 and got['count'] == 4
    assert abs(got['NE'] - sum(d) / 50 / 4) <= 1e-9
    assert got['ignored_cells'] == 2 * 20
    want, _ = reference(answers_csv, result_csv)
    assert abs(got['NE'] - want['NE']) <= 1e-9
