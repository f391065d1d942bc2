"""The one CSV row parser (``csv_io._parse_rows``, vectorised over all rows
of a file) against a reference that reads one row cell by cell, written
plainly from the format's rules: the same records, the same problems (line,
column, message), on arbitrary rows (hypothesis) and on the cells that once
reached numpy casts. The reference was the shipped slow path until the two
were merged; it lives here to prove that the fast one accepts exactly the
same input."""
import math
import warnings
from typing import List, Optional, Tuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS, KEYPOINT_NAMES,
                              FashionAIRecord, RowProblem, check_category)
from fashionai_format.csv_io import _parse_rows

FLOAT32_MAX = float(np.finfo(np.float32).max)


# ---------------------------------------------------------------- reference

def parse_cell(cell: str) -> Tuple[float, float, int]:
    """One ``x_y_v`` cell; ValueError with the message the reader gives."""
    parts = cell.strip().split('_')
    if len(parts) != 3:
        raise ValueError(f'{cell!r} is not of the form x_y_v')
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f'{cell!r}: x and y must be numbers')
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f'{cell!r}: x and y must be finite')
    if abs(x) > FLOAT32_MAX or abs(y) > FLOAT32_MAX:
        raise ValueError(f'{cell!r}: x and y must be finite numbers of at '
                         f'most {FLOAT32_MAX:.1e} in magnitude')
    try:
        v = int(parts[2])
    except ValueError:
        raise ValueError(f'{cell!r}: visibility must be an integer '
                         'in {-1, 0, 1}')
    if v not in (-1, 0, 1):
        raise ValueError(f'{cell!r}: visibility must be -1, 0 or 1, got {v}')
    if v == -1 and (x, y) != (-1, -1):
        raise ValueError(f'{cell!r}: an absent keypoint (v=-1) must be '
                         '-1_-1_-1')
    return x, y, v


def parse_row(row: List[str], line: int, ignore_extra: bool = False):
    """One row: ``(record, ignored)`` or the first problem."""
    image_id = row[0].strip() if row else ''
    if len(row) != 26:
        return RowProblem(line, image_id,
                          f'expected 26 columns, found {len(row)}')
    if not image_id:
        return RowProblem(line, image_id, 'empty image_id', 'image_id')
    category = row[1].strip()
    try:
        check_category(category)
    except ValueError as e:
        return RowProblem(line, image_id, str(e), 'image_category')
    kpts = np.full((24, 2), -1, dtype=np.float32)
    vis = np.full(24, -1, dtype=np.int8)
    ignored = np.zeros(24, dtype=bool)
    for k, cell in enumerate(row[2:]):
        name = KEYPOINT_NAMES[k]
        try:
            x, y, v = parse_cell(cell)
        except ValueError as e:
            return RowProblem(line, image_id, str(e), name)
        if v != -1 and k not in CATEGORY_KEYPOINTS[category]:
            if ignore_extra:
                ignored[k] = True
                continue
            return RowProblem(
                line, image_id, f'{category} has no keypoint {name}, but '
                f'{cell.strip()!r} was given (expected -1_-1_-1)', name)
        kpts[k] = (x, y)
        vis[k] = v
    return FashionAIRecord(image_id, category, kpts, vis, line), ignored


def assert_same(rows, ignore_extra):
    lines = list(range(2, len(rows) + 2))
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no numpy RuntimeWarning either
        got = _parse_rows(rows, lines, ignore_extra)
    for row, line, g in zip(rows, lines, got):
        want = parse_row(row, line, ignore_extra)
        if isinstance(want, RowProblem):
            assert g == want, row
            continue
        assert not isinstance(g, RowProblem), (row, g)
        (rec, ignored), (ref, ref_ignored) = g, want
        assert (rec.image_id, rec.category, rec.line) == (
            ref.image_id, ref.category, ref.line)
        assert rec.keypoints.dtype == np.float32
        assert rec.visibility.dtype == np.int8
        np.testing.assert_array_equal(rec.keypoints, ref.keypoints)
        np.testing.assert_array_equal(rec.visibility, ref.visibility)
        if ref_ignored.any():
            np.testing.assert_array_equal(ignored, ref_ignored)
        else:
            assert ignored is None
    return got


# ---------------------------------------------------------------- rows

numbers = st.one_of(
    st.integers(-5, 600).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(['nan', 'inf', '-inf', '1e999', '1e39', '3.4e38', '',
                     ' 3 ', '0x10', '1,5', '1_2', '\u0661', '+4', '-1',
                     '1 0']))
visibilities = st.sampled_from(['1', '0', '-1', '2', '', 'x', ' 1', '1.0',
                                '+1', '01', '-0', '1 ', '9' * 30, '-7',
                                '\u0661'])
junk = st.text(alphabet='0123456789-_.,"\' \r\tnaifxe\u00e9\x00', max_size=12)
cells = st.one_of(
    st.just('-1_-1_-1'), st.just(' -1_-1_-1 '),
    st.sampled_from(['1_2_1_0', '1_2', '', '_1_1', '1_1_1_', '-1_-1_-1_']),
    st.builds(lambda x, y, v: f'{x}_{y}_{v}', numbers, numbers, visibilities),
    junk)


@st.composite
def rows(draw):
    kind = draw(st.sampled_from(['valid', 'valid', 'cells', 'short']))
    if kind == 'short':
        return draw(st.lists(junk, max_size=30))
    cat = draw(st.sampled_from(CATEGORIES))
    category = draw(st.sampled_from([cat, cat, cat, ' dress ', 'Skirt', '']))
    image_id = draw(st.sampled_from(['Images/x/1.jpg', ' Images/x/2.jpg',
                                     '', ' ']))
    if kind == 'cells':
        return [image_id, category] + draw(
            st.lists(cells, min_size=24, max_size=24))
    row = ['-1_-1_-1'] * 24  # a valid row, now and then one cell changed
    for k in range(24):
        if k in CATEGORY_KEYPOINTS[cat] or draw(st.integers(0, 9)) == 0:
            if draw(st.booleans()):
                row[k] = (f'{draw(st.integers(-20, 512))}_'
                          f'{draw(st.integers(-20, 512))}_'
                          f'{draw(st.sampled_from([0, 1]))}')
    if draw(st.booleans()):
        row[draw(st.integers(0, 23))] = draw(cells)
    return [image_id, category] + row


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(rows(), min_size=1, max_size=6),
       ignore_extra=st.booleans())
def test_the_parser_agrees_with_the_reference(batch, ignore_extra):
    """Rows in one batch, as a file gives them: a bad row does not change
    what its neighbours read as."""
    assert_same(batch, ignore_extra)


# cells that reached numpy casts in an earlier vectorised parser: NaN from
# an unparsable token cast to int8, finite numbers beyond float32 cast to
# float32 (silently inf); visibilities beyond int64
TROUBLE = ['a_20_1', '0x10_20_1', 'nan_20_1', 'inf_20_1', '1e39_20_1',
           '-1e39_20_1', '20_1e308_1', '1e39_1e39_-1', '10_20_' + '9' * 30,
           '10_20_-' + '9' * 30, '10_20_1.0', '10_20_+1 ', ' 10_20_01',
           '3.4e38_0_1', '-1_-1_-0', '5_5_-1', '1_2_1_0', '1_2', '',
           '1_1_1_']


@pytest.mark.parametrize('ignore_extra', [False, True])
def test_trouble_cells_in_one_batch(ignore_extra):
    good = ['-1_-1_-1'] * 15 + ['10_20_1', '50_20_1', '5_90_0',
                                '60_90_1'] + ['-1_-1_-1'] * 5
    batch = [['Images/skirt/0.jpg', 'skirt'] + good]
    for cell in TROUBLE:
        for k in (15, 0):  # the category's keypoint, another's
            cells = list(good)
            cells[k] = cell
            batch.append([f'Images/skirt/{cell}.jpg', 'skirt'] + cells)
    got = assert_same(batch, ignore_extra)
    assert not isinstance(got[0], RowProblem)
    # the largest float32 is still a (finite) coordinate
    (rec, _) = got[1 + 2 * TROUBLE.index('3.4e38_0_1')]
    assert np.isfinite(rec.keypoints).all()


def test_the_problem_names_the_first_bad_cell_and_check():
    cells = ['-1_-1_-1'] * 24
    cells[3] = '1_2_1'  # shoulder_left: a blouse keypoint, fine
    cells[5], cells[9] = 'nan_1_x', 'a_b'  # two bad cells
    (got, ) = _parse_rows([['Images/blouse/a.jpg', 'blouse'] + cells], [7])
    assert got == RowProblem(7, 'Images/blouse/a.jpg',
                             "'nan_1_x': x and y must be finite",
                             'armpit_left')
