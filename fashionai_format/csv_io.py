"""Reading and writing FashionAI CSV files, with validation.

Three kinds of file share the format:

* annotations (``Annotations/train.csv``, an answer file): the 26-column
  header from :data:`~fashionai_format.schema.CSV_HEADER`;
* test lists (``test.csv``): ``image_id,image_category``;
* submissions (``result.csv``): the 26-column header, every keypoint of the
  image's category as ``x_y_1`` and the others ``-1_-1_-1``. Real
  submissions also come without the header row; ``read_annotations(...,
  header='optional')`` reads those (the offline evaluator does).

Coordinates are any finite numbers that fit a 32-bit float (the type they
are stored in), negative ones included: a prediction slightly outside the
image is still a prediction.

Files are read as UTF-8 (a byte-order mark is fine) with any line ending;
spaces around cells are ignored. Every problem found in a file (including a
file that is not UTF-8, or not CSV) raises :class:`FashionAIFormatError`
naming the file, the line and the column, or (with ``errors='collect'``) is
returned as a :class:`RowProblem` so that callers such as the converter can
report rejects instead of dropping them silently.
"""
import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .schema import (CATEGORIES, CATEGORY_KEYPOINTS, CSV_HEADER, KEYPOINT_NAMES,
                     NUM_KEYPOINTS, TEST_CSV_HEADER, VIS_ABSENT, check_category)

PathLike = Union[str, os.PathLike]


class FashionAIFormatError(ValueError):
    """A FashionAI file is malformed. The message names file, line, column."""

    def __init__(self, path: PathLike, line: Optional[int], reason: str,
                 column: Optional[str] = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = reason
        where = self.path
        if line is not None:
            where += f', line {line}'
        if column is not None:
            where += f', column {column!r}'
        super().__init__(f'{where}: {reason}')


@dataclass
class FashionAIRecord:
    """One row of an annotation or submission file.

    Attributes:
        image_id (str): ``Images/<category>/<name>.jpg``, relative to the
            split folder.
        category (str): the garment category.
        keypoints (np.ndarray): (24, 2) float32 x, y in pixels; absent
            keypoints are ``-1``.
        visibility (np.ndarray): (24,) int8 raw FashionAI visibility
            (1 visible, 0 occluded, -1 absent).
        line (int): the 1-based line number in the file (the header is line 1).
    """
    image_id: str
    category: str
    keypoints: np.ndarray
    visibility: np.ndarray
    line: int = 0


@dataclass
class RowProblem:
    """A row that could not be used: where it is and why."""
    line: int
    image_id: str
    reason: str
    column: Optional[str] = None

    def describe(self, path: PathLike) -> str:
        """``'<path>, line N[, column 'c']: <reason>'``, one line for a
        screen or a log."""
        col = f', column {self.column!r}' if self.column else ''
        return f'{path}, line {self.line}{col}: {self.reason}'


@dataclass
class ReadResult:
    """What :func:`read_annotations` found in a file.

    Attributes:
        records (list[FashionAIRecord]): the readable rows, in file order.
        problems (list[RowProblem]): the rows that could not be used.
        has_header (bool): False when the file had no header row (only
            with ``header='optional'``): its first line is a data row.
        ignored_cells (int): cells that gave a keypoint the row's category
            does not have (only with ``extra_keypoints='ignore'``): read,
            then left out of the record (it has ``-1`` there).
        ignored_rows (int): the records with such cells.
        first_ignored (RowProblem, optional): where the first such cell is
            (line, column) and what it held, for a message.
    """
    records: List[FashionAIRecord] = field(default_factory=list)
    problems: List[RowProblem] = field(default_factory=list)
    has_header: bool = True
    ignored_cells: int = 0
    ignored_rows: int = 0
    first_ignored: Optional[RowProblem] = None


def _open_text(path: PathLike) -> io.TextIOBase:
    # utf-8-sig drops a byte-order mark; newline='' lets csv handle CRLF.
    return open(path, newline='', encoding='utf-8-sig')


def _not_utf8_reason(path: PathLike, err: UnicodeDecodeError) -> str:
    with open(path, 'rb') as f:
        head = f.read(4)
    if head[:2] in (b'\xff\xfe', b'\xfe\xff'):
        what = 'UTF-16 text (as spreadsheet programs write "Unicode text")'
    else:
        what = f'not UTF-8 text ({err.reason})'
    return f'the file is {what}; save it as UTF-8 CSV'


class _Rows:
    """``csv.reader`` over a FashionAI file: yields ``(line, row)`` and turns
    the reader's own failures (a field over the csv module's size limit, a
    file that is not UTF-8) into :class:`FashionAIFormatError`."""

    def __init__(self, path: PathLike, f: io.TextIOBase):
        self.path = path
        self.reader = csv.reader(f)

    def __iter__(self):
        return self

    def __next__(self) -> Tuple[int, List[str]]:
        try:
            row = next(self.reader)
        except csv.Error as e:
            raise FashionAIFormatError(self.path, self.reader.line_num,
                                       f'not a readable CSV line: {e}') \
                from None
        except UnicodeDecodeError as e:
            raise FashionAIFormatError(self.path, None,
                                       _not_utf8_reason(self.path, e)) \
                from None
        return self.reader.line_num, row


# What a first cell that is an image id rather than the ``image_id`` column
# name looks like: ``Images/<category>/<name>.jpg`` in the official data, a
# bare file name in some tools' output.
_IMAGE_ID = re.compile(r'(?:Images/.*|.*\.(?:jpe?g|png|bmp))\Z',
                       re.IGNORECASE)


def _is_data_row(row: Sequence[str]) -> bool:
    """Whether a file's first line is a data row rather than a header: its
    first cell is an image id (e.g. ``Images/blouse/<md5>.jpg``), which no
    header has."""
    first = row[0].strip() if row else ''
    return first not in CSV_HEADER and _IMAGE_ID.match(first) is not None


def _check_header(path: PathLike, header: Optional[List[str]],
                  expected: Sequence[str], kind: str) -> List[str]:
    """Return the stripped ``header`` (line 1; ``None`` for an empty file)
    if it is ``expected``; raise :class:`FashionAIFormatError` saying what
    is wrong otherwise."""
    a_kind = ('an ' if kind[0] in 'aeiou' else 'a ') + kind
    if header is None:
        raise FashionAIFormatError(path, None,
                                   f'the file is empty; {a_kind} starts '
                                   f'with the header {",".join(expected)}')
    header = [h.strip() for h in header]
    if not any(header):
        raise FashionAIFormatError(
            path, 1, f'the first line is empty; {a_kind} starts with the '
            f'header {",".join(expected)}')
    if header == list(expected):
        return header
    if header == list(TEST_CSV_HEADER) and kind != 'test list':
        raise FashionAIFormatError(
            path, 1, f'this is a test list (image_id,image_category only), '
            f'not {a_kind} with keypoint columns')
    if sorted(header) == sorted(expected):
        raise FashionAIFormatError(
            path, 1, 'the header has the right columns in another order; '
            f'expected {",".join(expected)}')
    if _is_data_row(header):
        raise FashionAIFormatError(
            path, 1, f'no header row: line 1 is a data row ({header[0]!r});'
            f' {a_kind} starts with the header {",".join(expected[:3])},...')
    missing = [h for h in expected if h not in header]
    extra = [h for h in header if h not in expected]
    raise FashionAIFormatError(
        path, 1, f'unexpected header for {a_kind}: missing columns '
        f'{missing or "none"}, unknown columns {extra or "none"}')


#: The largest coordinate a float32 keypoint array holds.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


_VISIBILITY = {'-1': -1, '0': 0, '1': 1}
# per category: True where a keypoint must be absent (-1_-1_-1)
_NOT_IN_CATEGORY = {
    c: ~np.isin(np.arange(NUM_KEYPOINTS), CATEGORY_KEYPOINTS[c])
    for c in CATEGORIES
}

# What is wrong with a cell, in the order the checks apply: a cell gets the
# first that fails, a row the first bad cell in column order.
_OK, _FORM, _NUMBERS, _FINITE, _FLOAT32, _V_INT, _V_RANGE, _ABSENT, _EXTRA = \
    range(9)


def _cell_reason(code: int, cell: str, category: str, k: int,
                 v: Optional[int]) -> str:
    """The message for a bad cell (``code`` from the list above)."""
    if code == _FORM:
        return f'{cell!r} is not of the form x_y_v'
    if code == _NUMBERS:
        return f'{cell!r}: x and y must be numbers'
    if code == _FINITE:
        return f'{cell!r}: x and y must be finite'
    if code == _FLOAT32:  # stored as float32: larger would become inf
        return (f'{cell!r}: x and y must be finite numbers of at most '
                f'{_FLOAT32_MAX:.1e} in magnitude')
    if code == _V_INT:
        return f'{cell!r}: visibility must be an integer in {{-1, 0, 1}}'
    if code == _V_RANGE:
        return f'{cell!r}: visibility must be -1, 0 or 1, got {v}'
    if code == _ABSENT:
        return f'{cell!r}: an absent keypoint (v=-1) must be -1_-1_-1'
    return _extra_reason(category, k, cell) + ' (expected -1_-1_-1)'


def _extra_reason(category: str, k: int, cell: str) -> str:
    return (f'{category} has no keypoint {KEYPOINT_NAMES[k]}, but '
            f'{cell.strip()!r} was given')


def _floats(tokens: List[str]) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Python's ``float()`` of each token (what it accepts: signs,
    exponents, ``nan``, ``inf``, surrounding spaces), and a bool mask of
    the tokens it refuses (NaN in the values; ``None`` when there are
    none)."""
    try:
        return np.array(list(map(float, tokens)), dtype=np.float64), None
    except ValueError:  # rare: find the tokens that are not numbers
        values = np.empty(len(tokens))
        bad = np.zeros(len(tokens), dtype=bool)
        for i, t in enumerate(tokens):
            try:
                values[i] = float(t)
            except ValueError:
                values[i], bad[i] = np.nan, True
        return values, bad


def _parse_rows(rows: Sequence[List[str]], lines: Sequence[int],
                ignore_extra: bool = False
                ) -> List[Union[Tuple[FashionAIRecord, np.ndarray],
                                RowProblem]]:
    """Parse data rows: per row, ``(record, ignored)`` or the row's first
    problem (``ignored`` is ``None`` when no cell was ignored).

    A row has 26 columns, a non-empty ``image_id``, a known category and 24
    cells ``x_y_v``: ``x`` and ``y`` finite numbers (Python's ``float``,
    any sign) that fit a 32-bit float, ``v`` an integer in {-1, 0, 1}
    (Python's ``int``), ``-1_-1_-1`` when ``v`` is -1; spaces around a
    cell are ignored. A cell that gives a keypoint the category does not
    have (``v`` 0 or 1) is a problem, or with ``ignore_extra`` absent in the
    record and marked in ``ignored`` ((24,) bool).

    The checks run on all rows at once (one ``float`` conversion for every
    number, vectorised value checks; the evaluator reads 10,000-row files);
    a row's problem names the first bad cell in column order and the first
    check it fails.
    """
    out: List = [None] * len(rows)
    index, tokens, vis_list, form_bad, categories = [], [], [], [], []
    for i, (row, line) in enumerate(zip(rows, lines)):
        image_id = row[0].strip() if row else ''
        if len(row) != len(CSV_HEADER):
            out[i] = RowProblem(line, image_id, f'expected {len(CSV_HEADER)} '
                                f'columns, found {len(row)}')
            continue
        if not image_id:
            out[i] = RowProblem(line, image_id, 'empty image_id', 'image_id')
            continue
        category = row[1].strip()
        if category not in CATEGORIES:
            try:
                check_category(category)
            except ValueError as e:
                out[i] = RowProblem(line, image_id, str(e), 'image_category')
                continue
        bad, v_row = [], []
        for cell in row[2:]:
            parts = cell.strip().split('_')
            if len(parts) != 3:
                bad.append(True)
                parts = ['-1', '-1', '-1']
            else:
                bad.append(False)
            tokens += parts[:2]
            v = _VISIBILITY.get(parts[2])
            if v is None:  # '+1', ' 1', '01': int() says; None if not
                try:
                    v = int(parts[2])
                except ValueError:
                    pass
            v_row.append(v)
        vis_list.append(v_row)
        form_bad.append(bad)
        index.append(i)
        categories.append(category)
    if not index:
        return out
    n = len(index)
    xy, not_number = _floats(tokens)
    xy = xy.reshape(n, NUM_KEYPOINTS, 2)
    # visibilities: -1, 0, 1 as a rule; other integers (too large for
    # int64 too) and tokens int() refuses only in a bad cell
    vis = np.empty((n, NUM_KEYPOINTS), dtype=np.int64)
    v_not_int = np.zeros((n, NUM_KEYPOINTS), dtype=bool)
    v_huge = {}
    for j, v_row in enumerate(vis_list):
        try:
            vis[j] = v_row
        except (TypeError, OverflowError):  # None, or beyond int64
            for k, v in enumerate(v_row):
                if v is None:
                    v_not_int[j, k], vis[j, k] = True, 2
                elif -1 <= v <= 1:
                    vis[j, k] = v
                else:
                    v_huge[j, k], vis[j, k] = v, 2
    v_ok = np.isin(vis, (-1, 0, 1)) & ~v_not_int
    absent = v_ok & (vis == VIS_ABSENT)
    not_in = np.stack([_NOT_IN_CATEGORY[c] for c in categories])
    extra = v_ok & ~absent & not_in
    # the checks from the last to the first, each overwriting: a cell gets
    # the first one it fails
    code = np.zeros((n, NUM_KEYPOINTS), dtype=np.int8)
    if not ignore_extra:
        code[extra] = _EXTRA
    code[absent & (xy != -1).any(-1)] = _ABSENT
    code[~v_ok] = _V_RANGE
    code[v_not_int] = _V_INT
    with np.errstate(invalid='ignore'):
        code[(np.abs(xy) > _FLOAT32_MAX).any(-1)] = _FLOAT32
    code[~np.isfinite(xy).all(-1)] = _FINITE
    if not_number is not None:
        code[not_number.reshape(n, NUM_KEYPOINTS, 2).any(-1)] = _NUMBERS
    code[np.array(form_bad, dtype=bool).reshape(n, NUM_KEYPOINTS)] = _FORM
    failed = (code != _OK).any(1)
    first_bad = np.argmax(code != _OK, axis=1)
    # cast only the rows kept: no overflow / invalid-value RuntimeWarning;
    # an ignored cell is absent in the record
    ok = ~failed
    xy_ok, vis_ok, ignored = xy[ok].astype(np.float32), vis[ok], extra[ok]
    xy_ok[ignored] = -1
    vis_ok[ignored] = VIS_ABSENT
    vis_ok = vis_ok.astype(np.int8)
    any_ignored = ignored.any(1)
    m = 0
    for j, i in enumerate(index):
        row, line = rows[i], lines[i]
        if failed[j]:
            k = int(first_bad[j])
            v = v_huge.get((j, k), vis[j, k])
            out[i] = RowProblem(
                line, row[0].strip(),
                _cell_reason(int(code[j, k]), row[2 + k], categories[j], k,
                             v), KEYPOINT_NAMES[k])
        else:
            out[i] = (FashionAIRecord(row[0].strip(), categories[j],
                                      xy_ok[m], vis_ok[m], line),
                      ignored[m] if any_ignored[m] else None)
            m += 1
    return out


def read_annotations(path: PathLike,
                     errors: str = 'raise',
                     duplicates: str = 'error',
                     header: str = 'required',
                     extra_keypoints: str = 'error') -> ReadResult:
    """Read an annotation (or answer, or submission) CSV.

    Args:
        path (str | PathLike): the CSV file.
        errors (str): ``'raise'`` raises :class:`FashionAIFormatError` on the
            first bad row; ``'collect'`` returns bad rows in
            ``result.problems`` and keeps going. A bad header always raises.
        duplicates (str): what a second row with the same ``image_id`` gets:
            ``'error'`` (a bad row: raised with ``errors='raise'``, collected
            with ``errors='collect'``) or ``'first'`` (the first row wins and
            reading goes on, whatever ``errors`` says; each later row is
            still listed in ``result.problems``, so that nothing is dropped
            silently).
        header (str): ``'required'`` (annotation files) or ``'optional'``
            (submissions, some of which come without one): a first line
            whose first cell is an image id (``Images/<category>/...jpg``)
            rather than ``image_id`` is then read as data, and
            ``result.has_header`` is False. Any other first line must be
            the header either way.
        extra_keypoints (str): what a cell that gives a keypoint the row's
            category does not have (``x_y_0`` or ``x_y_1`` where
            ``-1_-1_-1`` belongs) gets: ``'error'`` (a bad row, as in
            annotation files) or ``'ignore'`` (submissions of joint
            24-keypoint models fill all 24 cells: the cell is checked like
            any other, then left out of the record and counted in
            ``result.ignored_cells``).

    Returns:
        ReadResult: the parsed records in file order and the problems.
    """
    if errors not in ('raise', 'collect'):
        raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
    if duplicates not in ('error', 'first'):
        raise ValueError("duplicates must be 'error' or 'first', "
                         f'got {duplicates!r}')
    if header not in ('required', 'optional'):
        raise ValueError("header must be 'required' or 'optional', "
                         f'got {header!r}')
    if extra_keypoints not in ('error', 'ignore'):
        raise ValueError("extra_keypoints must be 'error' or 'ignore', "
                         f'got {extra_keypoints!r}')
    ignore_extra = extra_keypoints == 'ignore'
    result = ReadResult()
    seen = {}
    with _open_text(path) as f:
        rows = _Rows(path, f)
        lines, data, read_error = [], [], None
        first_line, first = next(rows, (None, None))
        if (header == 'optional' and first is not None
                and _is_data_row(first)):
            # no header: line 1 is the first data row
            result.has_header = False
            lines.append(first_line)
            data.append(first)
        else:
            _check_header(path, first, CSV_HEADER, 'annotation file')
        # read every line first (a CSV-level error is raised after the rows
        # before it, as reading line by line would), then parse the keypoint
        # cells of all rows at once
        try:
            for line, row in rows:
                if not row or all(not c.strip() for c in row):
                    continue  # blank line (e.g. at the end of the file)
                lines.append(line)
                data.append(row)
        except FashionAIFormatError as e:
            read_error = e
        for line, row, parsed in zip(lines, data,
                                     _parse_rows(data, lines, ignore_extra)):
            if isinstance(parsed, RowProblem):
                problem = parsed
            elif parsed[0].image_id in seen:
                rec = parsed[0]
                problem = RowProblem(
                    line, rec.image_id, f'duplicate image_id (first seen on '
                    f'line {seen[rec.image_id]})', 'image_id')
                if duplicates == 'first':
                    problem.reason += '; the first row is used'
                    result.problems.append(problem)
                    continue
            else:
                rec, ignored = parsed
                seen[rec.image_id] = line
                result.records.append(rec)
                if ignored is not None:
                    if result.first_ignored is None:
                        k = int(np.argmax(ignored))
                        result.first_ignored = RowProblem(
                            line, rec.image_id,
                            _extra_reason(rec.category, k, row[2 + k]),
                            KEYPOINT_NAMES[k])
                    result.ignored_cells += int(ignored.sum())
                    result.ignored_rows += 1
                continue
            if errors == 'raise':
                raise FashionAIFormatError(path, problem.line, problem.reason,
                                           problem.column)
            result.problems.append(problem)
        if read_error is not None:
            raise read_error
    return result


def read_test_list(path: PathLike) -> List[Tuple[str, str]]:
    """Read a test list (``image_id,image_category``).

    A 26-column annotation file is accepted too (its keypoints are ignored).

    Returns:
        list[tuple[str, str]]: ``(image_id, category)`` in file order.
    """
    out = []
    seen = {}
    with _open_text(path) as f:
        rows = _Rows(path, f)
        try:
            header = [h.strip() for h in next(rows)[1]]
        except StopIteration:
            raise FashionAIFormatError(path, None, 'the file is empty')
        if header[:2] != list(TEST_CSV_HEADER) or len(header) not in (2, 26):
            raise FashionAIFormatError(
                path, 1, 'a test list starts with the header '
                f'image_id,image_category; found {",".join(header)[:80]}')
        for line, row in rows:
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise FashionAIFormatError(
                    path, line, f'expected {len(header)} columns, found '
                    f'{len(row)}')
            image_id, category = row[0].strip(), row[1].strip()
            try:
                check_category(category)
            except ValueError as e:
                raise FashionAIFormatError(path, line, str(e),
                                           'image_category') from None
            if image_id in seen:
                raise FashionAIFormatError(
                    path, line, f'duplicate image_id {image_id!r} (first seen'
                    f' on line {seen[image_id]})', 'image_id')
            seen[image_id] = line
            out.append((image_id, category))
    return out


def format_cell(x: float, y: float, v: int) -> str:
    """Format one ``x_y_v`` cell (integers where the values are whole)."""
    if v == VIS_ABSENT:
        return '-1_-1_-1'

    def num(a: float) -> str:
        a = float(a)
        return str(int(round(a))) if abs(a - round(a)) < 1e-6 else f'{a:.2f}'

    return f'{num(x)}_{num(y)}_{int(v)}'


def write_annotations(path: PathLike,
                      records: Iterable[FashionAIRecord]) -> None:
    """Write records as a 26-column FashionAI CSV (annotations)."""
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(CSV_HEADER)
        for r in records:
            w.writerow([r.image_id, r.category] + [
                format_cell(x, y, v)
                for (x, y), v in zip(r.keypoints.tolist(), r.visibility)
            ])


def write_submission(path: PathLike, image_ids: Sequence[str],
                     categories: Sequence[str],
                     keypoints: np.ndarray) -> None:
    """Write a competition submission (``result.csv``).

    Args:
        path (str | PathLike): output file.
        image_ids (Sequence[str]): N image ids.
        categories (Sequence[str]): N categories.
        keypoints (np.ndarray): (N, 24, 2) predicted x, y for all 24
            keypoints; only those of each image's category are written (as
            ``x_y_1``), the others as ``-1_-1_-1``. A keypoint with a
            non-finite coordinate (NaN, inf: no prediction) is written as
            ``-1_-1_-1`` too, which the evaluator scores as error 1 and counts
            as ``invalid``, as the metric does for the same prediction.
    """
    keypoints = np.asarray(keypoints, dtype=np.float64)
    if keypoints.shape != (len(image_ids), NUM_KEYPOINTS, 2):
        raise ValueError(f'keypoints must be ({len(image_ids)}, 24, 2), got '
                         f'{keypoints.shape}')
    if len(categories) != len(image_ids):
        raise ValueError('image_ids and categories differ in length')
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(CSV_HEADER)
        for image_id, cat, kpts in zip(image_ids, categories, keypoints):
            has = CATEGORY_KEYPOINTS[check_category(cat)]
            cells = [
                format_cell(x, y, 1)
                if k in has and math.isfinite(x) and math.isfinite(y) else
                '-1_-1_-1' for k, (x, y) in enumerate(kpts.tolist())
            ]
            w.writerow([image_id, cat] + cells)


def write_test_list(path: PathLike, image_ids: Sequence[str],
                    categories: Sequence[str]) -> None:
    """Write a test list (``image_id,image_category``)."""
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(TEST_CSV_HEADER)
        for image_id, cat in zip(image_ids, categories):
            w.writerow([image_id, check_category(cat)])
