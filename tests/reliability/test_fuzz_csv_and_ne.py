"""Property-based tests (hypothesis).

* The CSV readers, on arbitrary text and bytes shaped like FashionAI files,
  either parse or raise FashionAIFormatError, never anything else; what they
  return is well-formed, and with ``errors='collect'`` every data row is
  either a record or a problem: nothing is dropped silently.
* NE is non-negative, zero for perfect predictions, does not depend on the
  order of the rows, and FashionAIMetric and the offline evaluator
  (evaluate_submission on the written CSV files) give the same numbers.
"""
import csv
import io
import math
import os.path as osp

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmpose_cloth.evaluation import normalized_error
from mmpose_cloth.evaluation.functional import category_indices
from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                              CSV_HEADER, FashionAIFormatError,
                              read_annotations, read_test_list)
from reliability_helpers import csv_summary, metric_summary, record

SETTINGS = dict(deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------- CSV text

numbers = st.one_of(
    st.integers(-5, 600).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(['nan', 'inf', '-inf', '1e999', '', ' 3 ', '0x10', '1,5',
                     '1_2', '\u0661']))
visibilities = st.sampled_from(['1', '0', '-1', '2', '', 'x', ' 1', '1.0'])
junk = st.text(alphabet='0123456789-_.,"\' \r\tnaifxe\u00e9\x00', max_size=12)
cells = st.one_of(
    st.just('-1_-1_-1'),
    st.builds(lambda x, y, v: f'{x}_{y}_{v}', numbers, numbers, visibilities),
    junk)
categories = st.one_of(st.sampled_from(CATEGORIES),
                       st.sampled_from(['Skirt', 'skirts', '', ' dress ']))
image_ids = st.sampled_from(
    [f'Images/x/{i}.jpg' for i in range(6)] + ['', ' ', 'a,b', '"q"'])


@st.composite
def valid_row(draw):
    cat = draw(st.sampled_from(CATEGORIES))
    row = ['-1_-1_-1'] * 24
    for k in CATEGORY_KEYPOINTS[cat]:
        if draw(st.booleans()):
            row[k] = (f'{draw(st.integers(0, 512))}_'
                      f'{draw(st.integers(0, 512))}_'
                      f'{draw(st.sampled_from([0, 1]))}')
    return [draw(image_ids), cat] + row


@st.composite
def any_row(draw):
    kind = draw(st.sampled_from(['valid', 'valid', 'cells', 'short']))
    if kind == 'valid':
        return draw(valid_row())
    if kind == 'short':
        return draw(st.lists(junk, max_size=30))
    return [draw(image_ids), draw(categories)] + draw(
        st.lists(cells, min_size=24, max_size=24))


headers = st.one_of(
    st.just(list(CSV_HEADER)), st.just(list(CSV_HEADER[:2])),
    st.permutations(list(CSV_HEADER)), st.just([' ' + h for h in CSV_HEADER]),
    st.lists(junk, max_size=4))


@st.composite
def csv_files(draw) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=draw(st.sampled_from(['\n', '\r\n'])))
    if draw(st.booleans()):
        w.writerow(draw(headers))
    for r in draw(st.lists(any_row(), max_size=6)):
        w.writerow(r)
    text = buf.getvalue() + draw(st.sampled_from(['', '\n', '\n\n', ' ']))
    if draw(st.booleans()):
        text = '\ufeff' + text
    data = text.encode(draw(st.sampled_from(['utf-8'] * 4 + ['utf-16',
                                                             'latin-1'])),
                       errors='replace')
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))
    return data


def _data_rows(data: bytes):
    text = data.decode('utf-8-sig')
    rows = list(csv.reader(io.StringIO(text, newline='')))[1:]
    return [r for r in rows if r and any(c.strip() for c in r)]


@pytest.fixture(scope='module')
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp('fuzz')


@settings(max_examples=150, **SETTINGS)
@given(data=csv_files(), errors=st.sampled_from(['raise', 'collect']),
       duplicates=st.sampled_from(['error', 'first']))
def test_readers_parse_or_raise_format_error(fuzz_dir, data, errors,
                                             duplicates):
    path = osp.join(str(fuzz_dir), 'fuzz.csv')
    with open(path, 'wb') as f:
        f.write(data)
    try:
        res = read_annotations(path, errors=errors, duplicates=duplicates)
    except FashionAIFormatError as e:
        assert e.path == path and e.reason
    else:
        for rec in res.records:
            assert rec.category in CATEGORIES and rec.image_id
            assert np.isfinite(rec.keypoints).all()
            assert set(rec.visibility.tolist()) <= {-1, 0, 1}
            absent = rec.visibility == -1
            assert (rec.keypoints[absent] == -1).all()
            others = np.ones(24, bool)
            others[list(CATEGORY_KEYPOINTS[rec.category])] = False
            assert absent[others].all()
        ids = [r.image_id for r in res.records]
        assert len(ids) == len(set(ids))
        if errors == 'collect' or duplicates == 'first':
            n = len(_data_rows(data))
            assert len(res.records) + len(res.problems) == n
        else:
            assert not res.problems
    try:
        tests = read_test_list(path)
    except FashionAIFormatError:
        pass
    else:
        assert all(c in CATEGORIES for _, c in tests)


# ---------------------------------------------------------------- NE

@st.composite
def scored_images(draw):
    """Ground truth with integer coordinates and predictions on a 0.25 grid,
    so that CSV files hold them exactly; some predictions NaN."""
    n = draw(st.integers(1, 6))
    gts, preds = [], []
    for i in range(n):
        cat = draw(st.sampled_from(CATEGORIES))
        kpts = np.full((24, 2), -1.0)
        vis = np.full(24, -1)
        for k in CATEGORY_KEYPOINTS[cat]:
            vis[k] = draw(st.sampled_from([1, 1, 1, 0, -1]))
            if vis[k] >= 0:
                kpts[k] = (draw(st.integers(0, 300)),
                           draw(st.integers(0, 300)))
        gts.append(record(f'Images/{cat}/{i}.jpg', cat, kpts, vis))
        noise = np.array(draw(st.lists(st.integers(-80, 80), min_size=48,
                                       max_size=48))).reshape(24, 2) / 4
        pred = kpts + noise
        for k in draw(st.lists(st.integers(0, 23), max_size=2)):
            pred[k] = np.nan
        preds.append(pred)
    return gts, np.stack(preds), draw(st.permutations(range(n)))


@settings(max_examples=100, **SETTINGS)
@given(case=scored_images())
def test_ne_properties_and_metric_equals_evaluator(fuzz_dir, case):
    gts, preds, order = case
    ours = metric_summary(gts, preds)
    theirs = csv_summary(fuzz_dir, gts, preds)
    shuffled = csv_summary(fuzz_dir, gts, preds, order=order)
    if ours['count']:
        assert ours['NE'] >= 0
    else:
        assert math.isnan(ours['NE'])
    for key in ('NE', 'count', 'images', 'left_out', 'invalid'):
        assert theirs[key] == pytest.approx(ours[key], rel=1e-9,
                                            nan_ok=True), key
        assert shuffled[key] == pytest.approx(ours[key], rel=1e-9,
                                              nan_ok=True), key
    for c in CATEGORIES:
        assert (f'NE/{c}' in ours) == (f'NE/{c}' in theirs)
        if f'NE/{c}' in ours:
            assert theirs[f'NE/{c}'] == pytest.approx(ours[f'NE/{c}'],
                                                      rel=1e-9)
    assert theirs['missing'] == theirs['unreadable'] == 0

    # perfect predictions score 0, whatever the order
    gt_xy = np.stack([r.keypoints for r in gts]).astype(float)
    vis = np.stack([r.visibility for r in gts])
    cat = category_indices([r.category for r in gts])
    perfect = normalized_error(gt_xy, gt_xy, vis, cat).summary()
    assert perfect['invalid'] == 0
    assert perfect['NE'] == 0 or (perfect['count'] == 0 and
                                  math.isnan(perfect['NE']))
    # rows in another order: the same pooled numbers
    o = list(order)
    again = normalized_error(preds[o], gt_xy[o], vis[o], cat[o]).summary()
    assert again['NE'] == pytest.approx(ours['NE'], rel=1e-12, nan_ok=True)
    assert again['invalid'] == ours['invalid']
