import numpy as np
import pytest

from fashionai_format import (CSV_HEADER, FashionAIFormatError,
                              read_annotations, read_test_list,
                              write_submission)

ABSENT = '-1_-1_-1'


def row(image_id='Images/skirt/a.jpg', category='skirt', cells=None):
    cells = cells or {}
    values = [ABSENT] * 24
    if category == 'skirt' and not cells:
        cells = {15: '10_20_1', 16: '50_20_1', 17: '5_90_0', 18: '60_90_1'}
    for k, v in cells.items():
        values[k] = v
    return ','.join([image_id, category] + values)


def write(tmp_path, lines, name='a.csv', header=True):
    p = tmp_path / name
    text = (','.join(CSV_HEADER) + '\n' if header else '') + \
        '\n'.join(lines) + '\n'
    p.write_text(text)
    return p


def test_reads_a_valid_row(tmp_path):
    res = read_annotations(write(tmp_path, [row()]))
    (rec, ) = res.records
    assert rec.category == 'skirt' and rec.line == 2
    np.testing.assert_array_equal(rec.keypoints[15], [10, 20])
    assert rec.visibility[17] == 0 and rec.visibility[0] == -1


@pytest.mark.parametrize(
    'line, column, message',
    [
        (row().rsplit(',', 1)[0], None, 'expected 26 columns, found 25'),
        (row(cells={15: '10_20'}), 'waistband_left', 'not of the form'),
        (row(cells={15: '10_20_2'}), 'waistband_left', 'must be -1, 0 or 1'),
        (row(cells={15: '10_20_x'}), 'waistband_left', 'must be an integer'),
        (row(cells={15: 'a_20_1'}), 'waistband_left', 'must be numbers'),
        (row(category='skirts'), 'image_category', "Did you mean 'skirt'"),
        (row(cells={0: '1_2_1', 15: '1_1_1', 16: '2_2_1'}), 'neckline_left',
         'skirt has no keypoint neckline_left'),
    ])
def test_bad_rows_name_file_line_and_column(tmp_path, line, column, message):
    p = write(tmp_path, [row(image_id='Images/skirt/ok.jpg'), line])
    with pytest.raises(FashionAIFormatError) as e:
        read_annotations(p)
    assert e.value.line == 3
    assert e.value.column == column
    assert str(p) in str(e.value) and 'line 3' in str(e.value)
    assert message in str(e.value)


def test_collect_mode_keeps_going(tmp_path):
    p = write(tmp_path, [row(cells={15: 'bad'}), row('Images/skirt/b.jpg')])
    res = read_annotations(p, errors='collect')
    assert [r.image_id for r in res.records] == ['Images/skirt/b.jpg']
    assert [(q.line, q.column) for q in res.problems] == [(2,
                                                            'waistband_left')]


def test_duplicates(tmp_path):
    p = write(tmp_path, [row(), row()])
    with pytest.raises(FashionAIFormatError, match='duplicate image_id'):
        read_annotations(p)


def test_header_problems(tmp_path):
    empty = tmp_path / 'empty.csv'
    empty.write_text('')
    with pytest.raises(FashionAIFormatError, match='the file is empty'):
        read_annotations(empty)
    with pytest.raises(FashionAIFormatError, match='first line is empty'):
        read_annotations(write(tmp_path, [], header=False))
    p = tmp_path / 't.csv'
    p.write_text('image_id,image_category\nImages/skirt/a.jpg,skirt\n')
    with pytest.raises(FashionAIFormatError, match='this is a test list'):
        read_annotations(p)
    swapped = list(CSV_HEADER)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    p.write_text(','.join(swapped) + '\n')
    with pytest.raises(FashionAIFormatError, match='another order'):
        read_annotations(p)


def test_bom_and_crlf(tmp_path):
    p = tmp_path / 'bom.csv'
    p.write_bytes(('\ufeff' + ','.join(CSV_HEADER) + '\r\n' + row() +
                   '\r\n').encode('utf-8'))
    assert len(read_annotations(p).records) == 1


def test_submission_round_trip(tmp_path):
    kpts = np.random.default_rng(0).uniform(0, 100, (2, 24, 2)).round(1)
    p = tmp_path / 'result.csv'
    write_submission(p, ['Images/skirt/a.jpg', 'Images/blouse/b.jpg'],
                     ['skirt', 'blouse'], kpts)
    recs = read_annotations(p).records
    assert [r.category for r in recs] == ['skirt', 'blouse']
    assert (recs[0].visibility == 1).sum() == 4
    assert (recs[1].visibility == 1).sum() == 13
    np.testing.assert_allclose(recs[0].keypoints[15], kpts[0, 15], atol=0.01)
    assert (recs[0].keypoints[0] == -1).all()


def test_test_list(tmp_path):
    p = tmp_path / 'test.csv'
    p.write_text('image_id,image_category\nImages/skirt/a.jpg,skirt\n'
                 'Images/dress/b.jpg,dres\n')
    with pytest.raises(FashionAIFormatError, match=r"line 3.*'dress'"):
        read_test_list(p)


def test_headerless_file(tmp_path):
    """A submission without its header row: with header='optional' the
    first line is data (line 1); required (annotations), it is refused
    with a message that says what is wrong."""
    lines = [row('Images/skirt/a.jpg'), row('Images/skirt/b.jpg')]
    p = write(tmp_path, lines, header=False)
    res = read_annotations(p, header='optional')
    assert not res.has_header
    assert [(r.image_id, r.line) for r in res.records] == [
        ('Images/skirt/a.jpg', 1), ('Images/skirt/b.jpg', 2)]
    with_header = read_annotations(write(tmp_path, lines, 'h.csv'),
                                   header='optional')
    assert with_header.has_header and [r.line for r in with_header.records
                                       ] == [2, 3]
    for a, b in zip(res.records, with_header.records):
        np.testing.assert_array_equal(a.keypoints, b.keypoints)
        np.testing.assert_array_equal(a.visibility, b.visibility)
    with pytest.raises(FashionAIFormatError,
                       match=r"line 1: no header row: line 1 is a data row "
                       r"\('Images/skirt/a.jpg'\)"):
        read_annotations(p)
    # a bad first data row names line 1 and its column
    bad = write(tmp_path, [row(cells={15: '10_20'})] + lines[1:], 'bad.csv',
                header=False)
    with pytest.raises(FashionAIFormatError) as e:
        read_annotations(bad, header='optional')
    assert (e.value.line, e.value.column) == (1, 'waistband_left')
    # only an image id makes a first line data; anything else is a header
    odd = write(tmp_path, ['id,' + row().split(',', 1)[1]], 'odd.csv',
                header=False)
    with pytest.raises(FashionAIFormatError, match='line 1: unexpected head'):
        read_annotations(odd, header='optional')
    with pytest.raises(ValueError, match="header must be 'required' or"):
        read_annotations(p, header='auto')


@pytest.mark.parametrize('cell', ['-3_20_1', '-0.5_-2.25_1', ' -3_20_1 ',
                                  '-1_-1_1', '-3_-4_0'])
def test_negative_coordinates_are_read(tmp_path, cell):
    """Slightly outside the image (x or y < 0) with v = 0 or 1 is a point
    like any other, spaces around the cell or not."""
    line = row(cells={15: cell, 16: '50_20_1', 17: '5_90_0', 18: '60_90_1'})
    (rec, ) = read_annotations(write(tmp_path, [line])).records
    x, y, v = (float(t) for t in cell.split('_'))
    assert tuple(rec.keypoints[15]) == (x, y) and rec.visibility[15] == v


@pytest.mark.parametrize('spaces', [False, True])
def test_extra_keypoints_ignored_in_submissions(tmp_path, spaces):
    """A joint model's row gives keypoints the category lacks: annotation
    files refuse it, submissions read with extra_keypoints='ignore' drop
    those cells (absent in the record) and count them, spaces around the
    cell or not."""
    pad = ' ' if spaces else ''
    extra = {0: f'178_-27_1{pad}', 23: '5_6_0', 15: '10_20_1', 16: '50_20_1',
             17: '5_90_0', 18: '60_90_1'}
    lines = [row('Images/skirt/a.jpg'), row('Images/skirt/b.jpg',
                                             cells=extra)]
    p = write(tmp_path, lines)
    with pytest.raises(FashionAIFormatError) as e:
        read_annotations(p)
    assert (e.value.line, e.value.column) == (3, 'neckline_left')
    res = read_annotations(p, extra_keypoints='ignore')
    clean = read_annotations(write(tmp_path, [row('Images/skirt/b.jpg')],
                                   'clean.csv')).records[0]
    rec = res.records[1]
    np.testing.assert_array_equal(rec.keypoints, clean.keypoints)
    np.testing.assert_array_equal(rec.visibility, clean.visibility)
    assert (res.ignored_cells, res.ignored_rows) == (2, 1)
    first = res.first_ignored
    assert (first.line, first.column, first.image_id) == (
        3, 'neckline_left', 'Images/skirt/b.jpg')
    assert first.reason == ("skirt has no keypoint neckline_left, but "
                            "'178_-27_1' was given")
    # still checked like any other cell
    bad = write(tmp_path, [row(cells={**extra, 0: '178_-27'})],
                'bad.csv')
    res = read_annotations(bad, errors='collect', extra_keypoints='ignore')
    assert not res.records and res.ignored_cells == 0
    assert (res.problems[0].line, res.problems[0].column) == (
        2, 'neckline_left')
    with pytest.raises(ValueError, match="extra_keypoints must be 'error'"):
        read_annotations(p, extra_keypoints='keep')
