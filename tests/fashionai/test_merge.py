"""fashionai_format.merge_submissions and tools/misc/merge_submissions.py:
per-category result.csv files into one submission for a test list, checked
for missing, duplicated, wrong-category and extra images."""
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS, FashionAIRecord,
                              merge_submissions, read_annotations,
                              write_annotations, write_test_list)


def _records(per_category=3, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for cat in CATEGORIES:
        for i in range(per_category):
            kpts = np.full((24, 2), -1.0, np.float32)
            vis = np.full(24, -1, np.int8)
            has = list(CATEGORY_KEYPOINTS[cat])
            kpts[has] = rng.integers(0, 512, (len(has), 2))
            vis[has] = 1
            out.append(FashionAIRecord(f'Images/{cat}/{cat}{i}.jpg', cat,
                                       kpts, vis))
    return out


@pytest.fixture
def split(tmp_path):
    """A test list over five categories and one result.csv per category
    (the paper's one model per category), in another order."""
    records = _records()
    test_list = tmp_path / 'test.csv'
    write_test_list(test_list, [r.image_id for r in records],
                    [r.category for r in records])
    files = []
    for cat in CATEGORIES:
        f = tmp_path / f'result_{cat}.csv'
        write_annotations(f, [r for r in records if r.category == cat][::-1])
        files.append(f)
    return dict(records=records, test_list=test_list, files=files,
                out=tmp_path / 'merged.csv')


def _read(path):
    return read_annotations(path, header='optional').records


def test_per_category_files_merge_into_the_test_list_order(split):
    report = merge_submissions(split['test_list'], split['files'],
                               split['out'])
    assert report.ok and report.written
    assert list(report.rows_per_file.values()) == [3] * 5
    merged = _read(split['out'])
    assert [r.image_id for r in merged] == \
        [r.image_id for r in split['records']]
    for got, want in zip(merged, split['records']):
        np.testing.assert_array_equal(got.keypoints, want.keypoints)
        np.testing.assert_array_equal(got.visibility, want.visibility)


def test_missing_images_stop_the_merge_unless_allowed(split):
    files = split['files'][1:]  # no blouse file (CATEGORIES[0])
    report = merge_submissions(split['test_list'], files, split['out'])
    assert not report.written and not split['out'].exists()
    assert report.missing == [f'Images/blouse/blouse{i}.jpg' for i in
                              range(3)]
    assert 'no prediction in any file: Images/blouse/blouse0.jpg' in \
        report.problems()[0]
    report = merge_submissions(split['test_list'], files, split['out'],
                               allow_missing=True)
    assert report.written and not report.ok
    blouse = [r for r in _read(split['out']) if r.category == 'blouse']
    assert len(blouse) == 3 and (blouse[0].visibility == -1).all()


def test_an_image_in_two_files_stops_the_merge(split, tmp_path):
    twice = tmp_path / 'again.csv'
    write_annotations(twice, [split['records'][0]])
    report = merge_submissions(split['test_list'], split['files'] + [twice],
                               split['out'])
    assert not report.written and not split['out'].exists()
    assert report.duplicated == [
        (split['records'][0].image_id,
         [str(split['files'][0]), str(twice)])]


def test_wrong_category_and_extra_rows(split, tmp_path):
    rec = next(r for r in split['records'] if r.category == 'skirt')
    # a skirt image predicted as trousers by another model: only the
    # waistband, which both categories have
    kpts, vis = rec.keypoints.copy(), rec.visibility.copy()
    shared = set(CATEGORY_KEYPOINTS['skirt']) & set(
        CATEGORY_KEYPOINTS['trousers'])
    for k in set(CATEGORY_KEYPOINTS['skirt']) - shared:
        kpts[k], vis[k] = -1, -1
    other = tmp_path / 'other.csv'
    write_annotations(other, [
        FashionAIRecord(rec.image_id, 'trousers', kpts, vis),
    ])
    report = merge_submissions(split['test_list'], split['files'] + [other],
                               split['out'])
    assert report.wrong_category == [(rec.image_id, str(other), 'trousers',
                                      'skirt')]
    assert not report.written
    # rows outside the test list alone are left out with a warning
    write_annotations(other, [FashionAIRecord(
        'Images/skirt/unlisted.jpg', 'skirt', rec.keypoints, rec.visibility)])
    report = merge_submissions(split['test_list'], split['files'] + [other],
                               split['out'])
    assert report.written and report.extra == [('Images/skirt/unlisted.jpg',
                                                str(other))]
    assert 'left out' in report.warnings()[0]


def test_the_tool(split):
    tool = f'{REPO}/tools/misc/merge_submissions.py'
    ok = subprocess.run([sys.executable, tool, str(split['test_list']),
                         *map(str, split['files']), '--out',
                         str(split['out'])], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert 'wrote' in ok.stdout and '15 predicted images' in ok.stdout
    bad = subprocess.run([sys.executable, tool, str(split['test_list']),
                          *map(str, split['files'][1:]), '--out',
                          str(split['out']) + '.2'], capture_output=True,
                         text=True)
    assert bad.returncode == 1
    assert 'error: 3 test images have no prediction' in bad.stderr
    assert 'nothing written' in bad.stderr
