"""CSV trouble: each gets a specific message (FashionAIFormatError naming
the file, line and column), or is read as meant. Complements
tests/fashionai/test_csv_io.py."""
import os.path as osp
import warnings

import pytest

from fashionai_format import (CSV_HEADER, FashionAIFormatError,
                              convert_split, read_annotations,
                              read_test_list)
from reliability_helpers import fashionai_eval

ABSENT = '-1_-1_-1'
HEADER = ','.join(CSV_HEADER)


def row(image_id='Images/skirt/a.jpg', category='skirt', sep=','):
    cells = [ABSENT] * 24
    cells[15:19] = ['10_20_1', '50_20_1', '5_90_0', '60_90_1']
    return sep.join([image_id, category] + cells)


def write(tmp_path, text, name='a.csv', encoding='utf-8'):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_bom_alone_and_crlf_alone(tmp_path):
    bom = write(tmp_path, '\ufeff' + HEADER + '\n' + row() + '\n', 'bom.csv')
    crlf = write(tmp_path, HEADER + '\r\n' + row() + '\r\n', 'crlf.csv')
    for p in (bom, crlf):
        (rec, ) = read_annotations(p).records
        assert rec.image_id == 'Images/skirt/a.jpg' and rec.line == 2


def test_extra_spaces_are_ignored(tmp_path):
    header = ', '.join(CSV_HEADER) + ' '
    p = write(tmp_path, header + '\n' + row(sep=' , ').replace(
        'Images', '  Images') + '  \n')
    (rec, ) = read_annotations(p).records
    assert rec.image_id == 'Images/skirt/a.jpg' and rec.category == 'skirt'
    assert tuple(rec.keypoints[15]) == (10, 20) and rec.visibility[17] == 0


def test_blank_lines_and_quoted_cells(tmp_path):
    quoted = ','.join(f'"{c}"' for c in row('Images/skirt/b.jpg').split(','))
    p = write(tmp_path, f'{HEADER}\n\n{row()}\n \n{quoted}\n\n')
    recs = read_annotations(p).records
    assert [(r.image_id, r.line) for r in recs] == [
        ('Images/skirt/a.jpg', 3), ('Images/skirt/b.jpg', 5)]


def test_header_problems_name_what_is_wrong(tmp_path):
    cases = {
        # columns in another order: not silently re-mapped
        ','.join(CSV_HEADER[:2] + CSV_HEADER[3:4] + CSV_HEADER[2:3] +
                 CSV_HEADER[4:]): 'right columns in another order',
        HEADER + ',score': "unknown columns ['score']",
        HEADER.replace(',crotch', ''): "missing columns ['crotch']",
        HEADER.replace('image_id', 'Image_ID'):
        "missing columns ['image_id'], unknown columns ['Image_ID']",
    }
    for header, message in cases.items():
        p = write(tmp_path, header + '\n' + row() + '\n')
        with pytest.raises(FashionAIFormatError) as e:
            read_annotations(p)
        assert e.value.line == 1 and message in str(e.value), header


def test_header_only_is_an_empty_result_not_an_error(tmp_path):
    res = read_annotations(write(tmp_path, HEADER + '\n'))
    assert res.records == [] and res.problems == []


def test_trailing_comma_names_the_count(tmp_path):
    p = write(tmp_path, f'{HEADER}\n{row()},\n')
    with pytest.raises(FashionAIFormatError,
                       match='line 2: expected 26 columns, found 27'):
        read_annotations(p)


@pytest.mark.parametrize('encoding, message', [
    ('utf-16', 'UTF-16 text'),
    ('latin-1', 'not UTF-8 text'),
])
def test_not_utf8(tmp_path, encoding, message):
    text = HEADER + '\n' + row('Images/skirt/caf\u00e9.jpg') + '\n'
    p = write(tmp_path, text, encoding=encoding)
    with pytest.raises(FashionAIFormatError, match=message) as e:
        read_annotations(p)
    assert 'save it as UTF-8' in str(e.value) and str(p) in str(e.value)
    with pytest.raises(FashionAIFormatError, match=message):
        read_test_list(p)


def test_a_huge_field_is_a_format_error(tmp_path):
    p = write(tmp_path, f'{HEADER}\n{row()}\n{"x" * 200_000},skirt\n')
    with pytest.raises(FashionAIFormatError,
                       match='line 3: not a readable CSV line: field larger'):
        read_annotations(p)


def test_duplicates_first_row_wins_and_later_rows_are_reported(tmp_path):
    first = row()
    second = row().replace('10_20_1', '11_21_1')
    p = write(tmp_path, f'{HEADER}\n{first}\n{second}\n')
    for errors in ('raise', 'collect'):
        res = read_annotations(p, errors=errors, duplicates='first')
        (rec, ) = res.records
        assert rec.line == 2 and tuple(rec.keypoints[15]) == (10, 20)
        (prob, ) = res.problems
        assert (prob.line, prob.column) == (3, 'image_id')
        assert 'first seen on line 2' in prob.reason
        assert 'the first row is used' in prob.reason
    # duplicates='error': a bad row, raised or collected like any other
    with pytest.raises(FashionAIFormatError,
                       match=r'line 3, column .image_id.: duplicate'):
        read_annotations(p, duplicates='error')
    res = read_annotations(p, errors='collect', duplicates='error')
    assert len(res.records) == 1 and res.problems[0].line == 3
    with pytest.raises(ValueError, match="duplicates must be 'error' or"):
        read_annotations(p, duplicates='last')


def test_empty_file_everywhere(tmp_path):
    p = write(tmp_path, b'')
    for read in (read_annotations, read_test_list):
        with pytest.raises(FashionAIFormatError, match='the file is empty'):
            read(p)


def test_test_list_where_annotations_are_expected(capsys, synthetic_split):
    """The converter and the evaluator both say what the file is."""
    test_csv = osp.join(synthetic_split['root'], 'test.csv')
    assert read_test_list(test_csv)  # it is a valid test list
    with pytest.raises(FashionAIFormatError,
                       match='line 1: this is a test list'):
        convert_split(synthetic_split['root'], csv=test_csv, progress=False)
    answers = osp.join(synthetic_split['root'], 'Annotations',
                       'test_answers.csv')
    rc = fashionai_eval().main(['--gt', answers, '--pred', test_csv,
                                '--json'])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ''
    assert 'this is a test list' in err and test_csv in err


def test_test_list_problems(tmp_path):
    p = write(tmp_path, 'image_id,image_category\nImages/skirt/a.jpg,skirt\n'
              'Images/skirt/a.jpg,skirt\n')
    with pytest.raises(FashionAIFormatError,
                       match='line 3.*duplicate image_id'):
        read_test_list(p)
    p = write(tmp_path, 'image,category\nImages/skirt/a.jpg,skirt\n')
    with pytest.raises(FashionAIFormatError,
                       match='line 1: a test list starts with the header'):
        read_test_list(p)
    # an annotation file works as a test list (its keypoints are ignored)
    p = write(tmp_path, f'{HEADER}\n{row()}\n')
    assert read_test_list(p) == [('Images/skirt/a.jpg', 'skirt')]


# cells that used to reach numpy casts in the vectorised parser: NaN from an
# unparsable token cast to int8 ('invalid value encountered in cast'), and
# finite numbers beyond float32 cast to float32 ('overflow encountered in
# cast', silently becoming inf)
NUMPY_TROUBLE = ['a_20_1', '0x10_20_1', 'nan_20_1', 'inf_20_1', '1e39_20_1',
                 '-1e39_20_1', '20_1e308_1', '1e39_1e39_-1']


@pytest.mark.parametrize('cell', NUMPY_TROUBLE)
def test_no_numpy_runtime_warning_reaches_the_user(tmp_path, cell):
    """Such a cell is a bad cell, named with line and column like any
    other, and reading it warns nothing (warnings are errors here)."""
    bad = row('Images/skirt/b.jpg').replace('10_20_1', cell)
    p = write(tmp_path, f'{HEADER}\n{row()}\n{bad}\n')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        res = read_annotations(p, errors='collect')
        with pytest.raises(FashionAIFormatError) as e:
            read_annotations(p)
    assert [r.image_id for r in res.records] == ['Images/skirt/a.jpg']
    (prob, ) = res.problems
    assert (prob.line, prob.column) == (3, 'waistband_left')
    assert (e.value.line, e.value.column) == (3, 'waistband_left')
