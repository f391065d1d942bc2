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


def parse_cell(cell: str) -> Tuple[float, float, int]:
    """Parse one ``x_y_v`` cell.

    Returns:
        tuple: ``(x, y, v)`` with float coordinates and ``v`` in {-1, 0, 1}.

    Raises:
        ValueError: the cell is not ``x_y_v`` with integer ``v`` in
            {-1, 0, 1} and finite numbers ``x`` and ``y`` that fit a 32-bit
            float (any sign).
    """
    parts = cell.strip().split('_')
    if len(parts) != 3:
        raise ValueError(f'{cell!r} is not of the form x_y_v')
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f'{cell!r}: x and y must be numbers')
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f'{cell!r}: x and y must be finite')
    if abs(x) > _FLOAT32_MAX or abs(y) > _FLOAT32_MAX:
        # stored as float32: a larger number would silently become inf
        raise ValueError(f'{cell!r}: x and y must be finite numbers of at '
                         f'most {_FLOAT32_MAX:.1e} in magnitude')
    try:
        v = int(parts[2])
    except ValueError:
        raise ValueError(f'{cell!r}: visibility must be an integer '
                         'in {-1, 0, 1}')
    if v not in (-1, 0, 1):
        raise ValueError(f'{cell!r}: visibility must be -1, 0 or 1, got {v}')
    if v == VIS_ABSENT and (x, y) != (-1, -1):
        raise ValueError(f'{cell!r}: an absent keypoint (v=-1) must be '
                         '-1_-1_-1')
    return x, y, v


_FAST_CELLS = re.compile(r'(?:[^_,]*_[^_,]*_(?:-1|0|1),){%d}'
                         r'[^_,]*_[^_,]*_(?:-1|0|1)\Z' % (NUM_KEYPOINTS - 1))
# per category: True where a keypoint must be absent (-1_-1_-1)
_NOT_IN_CATEGORY = {
    c: ~np.isin(np.arange(NUM_KEYPOINTS), CATEGORY_KEYPOINTS[c])
    for c in CATEGORIES
}


def _parse_rows_fast(
        rows: Sequence[List[str]],
        ignore_extra: bool = False
) -> List[Optional[Tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Parse the keypoint cells of many data rows at once: string checks per
    row, one numpy conversion for all numbers, vectorised value checks.

    Returns, per row, ``(keypoints (24, 2) float32, visibility (24,) int8,
    ignored (24,) bool)`` or ``None`` where anything is off (column count,
    image_id, category, a cell), so that :func:`_parse_row` reports the
    exact problem. ``ignored`` marks the cells that gave a keypoint the
    category does not have; with ``ignore_extra`` such a row is accepted and
    those keypoints are absent (``-1``) in the arrays, otherwise it is
    ``None``. Accepts exactly what :func:`_parse_row` accepts; it exists
    for the evaluator's 10,000-row files.
    """
    out: List[Optional[Tuple[np.ndarray, np.ndarray,
                             np.ndarray]]] = [None] * len(rows)
    n_tokens = 3 * NUM_KEYPOINTS
    index, tokens, categories = [], [], []
    for i, row in enumerate(rows):
        if len(row) != len(CSV_HEADER) or not row[0].strip():
            continue
        category = row[1].strip()
        if category not in _NOT_IN_CATEGORY:
            continue
        joined = ','.join(row[2:])
        # 24 cells x_y_v with v in {-1, 0, 1} and no ',' inside a cell:
        # anything else (spaces around v included) is left to _parse_row
        if _FAST_CELLS.match(joined) is None:
            continue
        index.append(i)
        tokens.extend(joined.replace(',', '_').split('_'))
        categories.append(category)
    if not index:
        return out
    try:  # Python's float(), as parse_cell: the same numbers accepted
        values = np.array(list(map(float, tokens)), dtype=np.float64)
    except ValueError:  # a token that is not a number: find its rows
        values = np.full(len(tokens), np.nan)
        for j in range(len(index)):
            try:
                values[j * n_tokens:(j + 1) * n_tokens] = list(
                    map(float, tokens[j * n_tokens:(j + 1) * n_tokens]))
            except ValueError:
                pass  # stays NaN: not finite, so left to _parse_row
    values = values.reshape(len(index), NUM_KEYPOINTS, 3)
    xy = values[..., :2]
    # v is -1, 0 or 1 by the pattern, except in a row with an unparsable
    # token (all NaN); comparisons, unlike a cast, do not warn on NaN
    absent = values[..., 2] == VIS_ABSENT
    # finite and within float32 (as parse_cell): NaN compares False
    ok = (np.abs(xy) <= _FLOAT32_MAX).all(axis=(1, 2))
    ok &= ~((xy != -1).any(axis=-1) & absent).any(axis=1)
    not_in = np.stack([_NOT_IN_CATEGORY[c] for c in categories])
    extra = ~absent & not_in
    if not ignore_extra:
        ok &= ~extra.any(axis=1)
    extra = extra[ok]
    # cast only the rows kept: no overflow / invalid-value RuntimeWarning
    xy = xy[ok].astype(np.float32)
    vis = values[ok, :, 2].astype(np.int8)
    xy[extra] = -1
    vis[extra] = VIS_ABSENT
    for j, i in enumerate(np.asarray(index)[ok]):
        out[i] = (xy[j], vis[j], extra[j])
    return out


def _parse_row(row: List[str], line: int, ignore_extra: bool = False
               ) -> Tuple[FashionAIRecord, np.ndarray]:
    """Parse one data row cell by cell; raise ``_RowError`` on the first
    problem. Returns the record and the (24,) bool mask of the cells that
    gave a keypoint the category does not have (with ``ignore_extra`` they
    are absent in the record, otherwise the first of them is a problem)."""
    image_id = row[0].strip() if row else ''
    if len(row) != len(CSV_HEADER):
        raise _RowError(line, image_id, f'expected {len(CSV_HEADER)} '
                        f'columns, found {len(row)}')
    if not image_id:
        raise _RowError(line, image_id, 'empty image_id', 'image_id')
    category = row[1].strip()
    if category not in CATEGORIES:
        try:
            check_category(category)
        except ValueError as e:
            raise _RowError(line, image_id, str(e), 'image_category')
    # the exact path: rows that :func:`_parse_rows_fast` did not take come
    # here, and the first bad cell is named
    kpts = np.full((NUM_KEYPOINTS, 2), -1, dtype=np.float32)
    vis = np.full((NUM_KEYPOINTS, ), VIS_ABSENT, dtype=np.int8)
    ignored = np.zeros(NUM_KEYPOINTS, dtype=bool)
    has = CATEGORY_KEYPOINTS[category]
    for k, cell in enumerate(row[2:]):
        name = KEYPOINT_NAMES[k]
        try:
            x, y, v = parse_cell(cell)
        except ValueError as e:
            raise _RowError(line, image_id, str(e), name)
        if v != VIS_ABSENT and k not in has:
            if ignore_extra:
                ignored[k] = True
                continue
            raise _RowError(line, image_id, _extra_reason(category, k, cell) +
                            ' (expected -1_-1_-1)', name)
        kpts[k] = (x, y)
        vis[k] = v
    return FashionAIRecord(image_id, category, kpts, vis, line), ignored


def _extra_reason(category: str, k: int, cell: str) -> str:
    return (f'{category} has no keypoint {KEYPOINT_NAMES[k]}, but '
            f'{cell.strip()!r} was given')


class _RowError(Exception):

    def __init__(self, line: int, image_id: str, reason: str,
                 column: Optional[str] = None):
        super().__init__(reason)
        self.problem = RowProblem(line, image_id, reason, column)


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
        parsed = _parse_rows_fast(data, ignore_extra)
        for line, row, fast in zip(lines, data, parsed):
            try:
                if fast is not None:
                    rec = FashionAIRecord(row[0].strip(), row[1].strip(),
                                          fast[0], fast[1], line)
                    ignored = fast[2]
                else:
                    rec, ignored = _parse_row(row, line, ignore_extra)
                if rec.image_id in seen:
                    reason = (f'duplicate image_id (first seen on line '
                              f'{seen[rec.image_id]})')
                    if duplicates == 'first':
                        result.problems.append(
                            RowProblem(line, rec.image_id,
                                       reason + '; the first row is used',
                                       'image_id'))
                        continue
                    raise _RowError(line, rec.image_id, reason, 'image_id')
            except _RowError as e:
                if errors == 'raise':
                    p = e.problem
                    raise FashionAIFormatError(path, p.line, p.reason,
                                               p.column) from None
                result.problems.append(e.problem)
                continue
            seen[rec.image_id] = line
            result.records.append(rec)
            if ignored.any():
                if result.first_ignored is None:
                    k = int(np.argmax(ignored))
                    result.first_ignored = RowProblem(
                        line, rec.image_id,
                        _extra_reason(rec.category, k, row[2 + k]),
                        KEYPOINT_NAMES[k])
                result.ignored_cells += int(ignored.sum())
                result.ignored_rows += 1
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
