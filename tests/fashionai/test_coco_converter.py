"""The converter on the real FashionAI subset in ../shared and, everywhere,
on a synthetic split from the project's generator with a missing image."""
import csv
import importlib.util
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from conftest import REAL_IMAGES, REAL_MISSING, REAL_ROWS, REPO
from fashionai_format import KEYPOINT_NAMES, read_annotations

CONVERTER = f'{REPO}/tools/dataset_converters/fashionai2coco.py'

#: The README's per-category counts minus the missing outwear images.
REAL_PER_CATEGORY = dict(blouse=681, dress=564, outwear=510, skirt=678,
                         trousers=617)


def _expected(data) -> dict:
    """What the conversion of ``data`` (a ``fashionai_coco``) must report:
    the real subset's known numbers, or what the synthetic fixture derived
    from the generator's CSV."""
    if data['kind'] == 'real':
        return dict(rows=REAL_ROWS, images=REAL_IMAGES, missing=REAL_MISSING,
                    per_category=REAL_PER_CATEGORY,
                    out_of_image=1)  # a point on the image border
    exp = data['expected']
    return dict(exp, missing=len(data['missing']))


def test_counts_and_missing_images(fashionai_coco):
    coco, report = fashionai_coco['coco'], fashionai_coco['report']
    exp = _expected(fashionai_coco)
    assert report.rows == exp['rows']
    assert report.images == len(coco['images']) == exp['images']
    assert len(report.rejects) == exp['missing']
    assert {p.reason for p in report.rejects} == {'image file not found'}
    assert report.per_category == exp['per_category']
    assert len(report.out_of_image) == exp['out_of_image']
    if fashionai_coco['kind'] == 'synthetic':
        # exactly the deleted image is rejected, and the keypoint counts
        # are those of the rows that remain
        assert [p.image_id for p in report.rejects] == \
            fashionai_coco['missing']
        assert report.visibility.get('visible', 0) == exp['visible']
        assert report.visibility.get('occluded', 0) == exp['occluded']


def test_visibility_mapping_against_the_csv(fashionai_coco):
    split_dir = fashionai_coco['split_dir']
    recs = {
        r.image_id: r
        for r in read_annotations(split_dir +
                                  '/Annotations/train.csv').records
    }
    img_by_id = {i['id']: i for i in fashionai_coco['coco']['images']}
    # a sample of the 3050 real images; every one of the few synthetic ones
    step = 97 if fashionai_coco['kind'] == 'real' else 1
    for ann in fashionai_coco['coco']['annotations'][::step]:
        img = img_by_id[ann['image_id']]
        rec = recs[img['file_name']]
        kpts = np.array(ann['keypoints']).reshape(24, 3)
        raw = np.array(ann['fashionai_visibility'])
        np.testing.assert_array_equal(raw, rec.visibility)
        np.testing.assert_array_equal(kpts[:, 2], np.select(
            [raw == 1, raw == 0], [2, 1], 0))
        present = raw >= 0
        np.testing.assert_allclose(kpts[present, :2], rec.keypoints[present])
        assert ann['category'] == rec.category == img['category']
        assert ann['bbox'] == [0, 0, img['width'], img['height']]
        decoded = cv2.imread(f'{split_dir}/{img["file_name"]}')
        assert decoded.shape[:2] == (img['height'], img['width'])


def test_split_is_deterministic_and_stratified(fashionai_coco):
    from fashionai_format import split_coco
    data = fashionai_coco
    train, val = data['train'], data['val']
    assert len(train['images']) + len(val['images']) == \
        _expected(fashionai_coco)['images']
    assert not {i['id'] for i in train['images']} & \
        {i['id'] for i in val['images']}
    for cat in ('blouse', 'skirt'):
        n_val = sum(i['category'] == cat for i in val['images'])
        n_all = data['report'].per_category[cat]
        assert abs(n_val - 0.15 * n_all) <= 1
    again = split_coco(data['coco'], 0.15, seed=0)[1]
    assert again['images'] == val['images']
    other = split_coco(data['coco'], 0.15, seed=1)[1]
    assert other['images'] != val['images']


@pytest.fixture(scope='module')
def converter():
    """The converter script as a module: main() in this process saves the
    seconds a fresh interpreter spends importing torch and MMPose."""
    spec = importlib.util.spec_from_file_location('fashionai2coco', CONVERTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_category_rejects_and_strict(fashionai_coco, converter, tmp_path,
                                         capsys):
    split_dir = fashionai_coco['split_dir']
    exp = _expected(fashionai_coco)
    out = tmp_path / 'outwear.json'
    argv = [split_dir, str(out), '--category', 'outwear', '--bbox', 'tight',
            '--no-progress']
    rc = converter.main(argv)
    printed = capsys.readouterr()
    assert rc == 0, printed.err
    # the missing images are all outwear ones, in both kinds of data
    assert f'rejected: {exp["missing"]}' in printed.out
    coco = json.loads(out.read_text())
    assert len(coco['images']) == exp['per_category']['outwear']
    assert {a['category'] for a in coco['annotations']} == {'outwear'}
    # tight boxes lie inside the image and contain the present keypoints
    for ann, img in zip(coco['annotations'], coco['images']):
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= img['width'] + 1e-6
        k = np.array(ann['keypoints']).reshape(24, 3)
        k = k[k[:, 2] > 0, :2]
        assert (k[:, 0] >= x - 1e-3).all() and (k[:, 0] <= x + w + 1e-3).all()
    with open(tmp_path / 'outwear.rejects.csv') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == exp['missing']
    assert rows[0]['reason'] == 'image file not found'
    assert int(rows[0]['line']) > 1
    rc = converter.main(argv + ['--strict'])
    strict = capsys.readouterr()
    assert rc == 1 and '--strict' in strict.err
    # the first rejected rows are on the screen, the rest counted
    shown = [ln for ln in strict.err.splitlines()
             if ln.startswith(f'  {split_dir}/Annotations/train.csv, line ')]
    assert shown == [
        f'  {split_dir}/Annotations/train.csv, line {r["line"]}: '
        f'image file not found [{r["image_id"]}]' for r in rows[:5]
    ]
    more = [ln for ln in strict.err.splitlines() if 'more in' in ln]
    assert more == ([f'  ... and {len(rows) - 5} more in '
                     f'{tmp_path}/outwear.rejects.csv'] if len(rows) > 5
                    else [])


def test_strict_shows_the_first_rejected_rows(tmp_path):
    """--strict on a generated split with five broken rows and two missing
    images: the first five rejects (by line) with file, line, column and
    reason, then how many more, and exit status 1 (a real process, to
    cover the script's entry point)."""
    from fashionai_format import CSV_HEADER
    from mmpose_cloth.testing import generate_fashionai
    split = tmp_path / 'split'
    summary = generate_fashionai(str(split), num_per_category=2,
                                 test_per_category=0, image_size=(64, 64),
                                 seed=0)
    csv_path = summary['train_csv']
    records = read_annotations(csv_path).records
    for r in (records[0], records[4]):  # a partial download
        (split / r.image_id).unlink()
    with open(csv_path) as f:
        lines = f.read().splitlines()
    good = lines[1].split(',')
    broken = []  # (cells, column to blame, reason)
    for col, value, reason in (
            (2, 'abc', "'abc' is not of the form x_y_v"),
            (1, 'shirt', "Unknown FashionAI category 'shirt'"),
            (None, None, 'expected 26 columns, found 10'),
            (5, '3_4_2', "'3_4_2': visibility must be -1, 0 or 1, got 2"),
            (7, '1_2', "'1_2' is not of the form x_y_v")):
        row = list(good)
        if col is None:
            row = row[:10]
        else:
            row[col] = value
        broken.append((row, col, reason))
    with open(csv_path, 'a') as f:
        for row, _, _ in broken:
            f.write(','.join(row) + '\n')
    n_lines = len(lines)
    out = tmp_path / 'out.json'
    proc = subprocess.run([sys.executable, CONVERTER, str(split), str(out),
                           '--strict', '--no-progress'],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert 'rejected: 7' in proc.stdout
    err = proc.stderr.splitlines()
    at = next(i for i, ln in enumerate(err) if ln.startswith('--strict: 7 '))
    where = f'  {csv_path}, line'
    expected = [
        f'{where} {records[0].line}: image file not found '
        f'[{records[0].image_id}]',
        f'{where} {records[4].line}: image file not found '
        f'[{records[4].image_id}]',
    ]
    for n, (row, col, reason) in enumerate(broken[:3]):
        column = '' if col is None else f', column {CSV_HEADER[col]!r}'
        expected.append(f'{where} {n_lines + 1 + n}{column}: {reason}')
    shown = err[at + 1:at + 6]
    assert len(shown) == 5
    for line, want in zip(shown, expected):
        assert line.startswith(want), (line, want)
    # a broken row still names its image
    assert all(ln.endswith(f' [{good[0]}]') for ln in shown[2:])
    assert err[at + 6] == f'  ... and 2 more in {tmp_path}/out.rejects.csv'


def test_unreadable_image_is_rejected_with_reason(tmp_path):
    from fashionai_format import CSV_HEADER, convert_split
    (tmp_path / 'Annotations').mkdir()
    (tmp_path / 'Images' / 'skirt').mkdir(parents=True)
    (tmp_path / 'Images' / 'skirt' / 'empty.jpg').write_bytes(b'')
    (tmp_path / 'Images' / 'skirt' / 'text.jpg').write_text('not an image')
    cells = ['-1_-1_-1'] * 24
    cells[15:19] = ['1_1_1', '5_1_1', '1_9_1', '5_9_1']
    lines = [','.join(CSV_HEADER)] + [
        ','.join([f'Images/skirt/{n}.jpg', 'skirt'] + cells)
        for n in ('empty', 'text')
    ]
    (tmp_path / 'Annotations' / 'train.csv').write_text('\n'.join(lines))
    coco, report = convert_split(str(tmp_path), progress=False)
    assert coco['images'] == []
    reasons = [p.reason for p in report.rejects]
    assert 'empty (0 bytes)' in reasons[0]
    assert 'cannot read image header' in reasons[1]
    assert KEYPOINT_NAMES[15] == 'waistband_left'
