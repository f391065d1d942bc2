"""The converter on the real FashionAI subset in ../shared."""
import csv
import json
import subprocess
import sys

import cv2
import numpy as np

from conftest import REAL_IMAGES, REAL_MISSING, REAL_ROWS, REPO
from mmpose_cloth.fashionai import KEYPOINT_NAMES, read_annotations


def test_counts_and_missing_images(real_coco):
    coco, report = real_coco['coco'], real_coco['report']
    assert report.rows == REAL_ROWS
    assert report.images == len(coco['images']) == REAL_IMAGES
    assert len(report.rejects) == REAL_MISSING
    assert {p.reason for p in report.rejects} == {'image file not found'}
    # the README's per-category counts minus the missing outwear images
    assert report.per_category == dict(
        blouse=681, dress=564, outwear=510, skirt=678, trousers=617)
    assert len(report.out_of_image) == 1  # a point on the image border


def test_visibility_mapping_against_the_csv(real_coco, real_split_dir):
    recs = {
        r.image_id: r
        for r in read_annotations(real_split_dir +
                                  '/Annotations/train.csv').records
    }
    img_by_id = {i['id']: i for i in real_coco['coco']['images']}
    for ann in real_coco['coco']['annotations'][::97]:
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
        decoded = cv2.imread(f'{real_split_dir}/{img["file_name"]}')
        assert decoded.shape[:2] == (img['height'], img['width'])


def test_split_is_deterministic_and_stratified(real_coco):
    from mmpose_cloth.fashionai import split_coco
    train, val = real_coco['train'], real_coco['val']
    assert len(train['images']) + len(val['images']) == REAL_IMAGES
    assert not {i['id'] for i in train['images']} & \
        {i['id'] for i in val['images']}
    for cat in ('blouse', 'skirt'):
        n_val = sum(i['category'] == cat for i in val['images'])
        n_all = real_coco['report'].per_category[cat]
        assert abs(n_val - 0.15 * n_all) <= 1
    again = split_coco(real_coco['coco'], 0.15, seed=0)[1]
    assert again['images'] == val['images']
    other = split_coco(real_coco['coco'], 0.15, seed=1)[1]
    assert other['images'] != val['images']


def test_cli_category_rejects_and_strict(real_split_dir, tmp_path):
    out = tmp_path / 'outwear.json'
    cmd = [sys.executable, f'{REPO}/tools/dataset_converters/fashionai2coco.py',
           real_split_dir, str(out), '--category', 'outwear', '--bbox',
           'tight', '--no-progress']
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'rejected: 64' in proc.stdout
    coco = json.loads(out.read_text())
    assert len(coco['images']) == 510
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
    assert len(rows) == 64 and rows[0]['reason'] == 'image file not found'
    assert int(rows[0]['line']) > 1
    strict = subprocess.run(cmd + ['--strict'], capture_output=True, text=True)
    assert strict.returncode == 1 and '--strict' in strict.stderr


def test_unreadable_image_is_rejected_with_reason(tmp_path):
    from mmpose_cloth.fashionai import CSV_HEADER, convert_split
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
