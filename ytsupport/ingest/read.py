"""Reading a workbook into :class:`RawWorkbook`: runs inside the isolated worker process.

Excel and OpenDocument files: each sheet's first ``PEEK_ROWS`` rows are peeked (typed Python
values) so that :func:`locate.find_header_rows` can find the header; fastexcel then bulk-reads
the rows below the header into a DataFrame. For .xlsx/.xlsm the peek streams the sheet's XML
(``peek.py``: a few ms at any size) and the bulk reads run on a small thread pool; python-calamine
peeks at .xls/.ods, and at any .xlsx whose result the streaming peek cannot promise to be
python-calamine's exactly (it then parses the whole sheet, ~0.65 s at 100k rows, before the bulk
read). CSV files are decoded (UTF-8 with or without BOM, UTF-16, Windows-1258) and split the same
way, all strings.

Two promises hold for every sheet:

* Row numbers are exact: ``data.iloc[i]`` is Excel row ``data_first_row + i`` (blank rows inside
  the data are kept), and data column ``j`` is Excel column ``first_col + j`` (0-based), the
  same column as ``top[r][j]``. A cross-check against the peeked rows guards this at run time.
* No cell vanishes: a column keeps a number/date/bool dtype only when fastexcel could convert
  every cell; a column with a cell that does not fit is re-read as text, and an Excel error
  cell (``#DIV/0!``, ``#N/A``...) comes back as that text; in a text column, a number cell
  that would read two ways as text (``1.234``) comes back as the number (``load_rows``).
  A TRUE/FALSE cell in an otherwise numeric column (which fastexcel turns into 1/0) comes back
  as the text "TRUE"/"FALSE".

:func:`read_workbook` never raises for a bad file; it returns an ``unreadable`` issue instead.
A native crash (abort, segfault) cannot be caught here: that is what the worker is for.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import threading
import unicodedata
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine as calamine

from ..legacy import ENCODINGS, vietnamese_words
from ..settings import Limits
from .arrow_rows import ArrowRows, arrow_rows
from .bytescan import pairs_holding
from .encoding import convert_all_rows, convert_sheet, converted_rows
from .locate import find_header_rows
from .records import Issue, RawSheet, RawWorkbook
from .peek import Peek, SheetEntry, Unsupported, XlsxBook, iter_worksheets, merged_in_tail, scan_part
from .repair import read_with_repair

PEEK_ROWS = 60
DETAIL_MAX_CHARS = 300
CSV_SNIFF_LINES = 50
CSV_SNIFF_CHARS = 256 * 1024
CSV_DELIMITERS = (",", ";", "\t")
EXCEL_FORMATS = frozenset({"xlsx", "xlsm", "xls", "ods"})
STREAMED_FORMATS = frozenset({"xlsx", "xlsm"})
READ_THREADS = max(1, min(2, os.cpu_count() or 1))

# How fastexcel names an error cell in a CellError detail, and how Excel shows it.
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
    "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA",
}
_ERROR_IN_DETAIL = re.compile(r"Error\((\w+)\)")


class ReadError(Exception):
    """A sheet that cannot be read faithfully (the message is the English detail)."""


# --------------------------------------------------------------------------- public entry points

def file_format(path: Path) -> str:
    """The format named by the extension ("xlsx", "csv", ...); "" when there is none."""
    return Path(path).suffix.lower().lstrip(".")


def read_workbook(path: Path, limits: Limits) -> RawWorkbook:
    """Read every sheet of ``path``: peek, find the header, bulk-read the data below it.

    The sheets' ``data`` are pandas frames; :func:`read_workbook_rows` leaves them as Arrow.
    """
    return read_workbook_rows(path, limits).materialise()


def read_workbook_rows(path: Path, limits: Limits) -> RawWorkbook:
    """:func:`read_workbook` with each Excel sheet's rows left as Arrow (``RawSheet.pending``).

    What the reader worker runs: the rows cross to the checking process without a copy. Never
    raises for a bad file: an exception (also a Rust panic surfacing as ``PanicException``)
    becomes a file-level ``unreadable`` issue; a password-protected file becomes ``encrypted``. An
    .xls whose sizes are slightly off is read from a repaired copy, with a warning (``repair.py``).
    """
    return read_with_repair(Path(path), lambda p: _read_any(p, limits))


def _read_any(path: Path, limits: Limits) -> RawWorkbook:
    """:func:`read_workbook_rows` without the second chance of a repaired .xls."""
    fmt = file_format(path)
    try:
        if fmt == "csv":
            return read_csv(path, limits)
        if fmt in EXCEL_FORMATS:
            return read_excel(path, fmt, limits)
        issue = _file_issue("unsupported_format", extension=f".{fmt}",
                            detail=f"files ending in .{fmt} are not accepted")
    except calamine.PasswordError:
        issue = _file_issue("encrypted", detail="the workbook is password protected")
    except MemoryError:
        issue = _file_issue("unreadable", reason="out_of_memory",
                            detail="the file needs more memory than allowed")
    except BaseException as exc:  # noqa: BLE001 - see is_catchable: Rust panics are BaseExceptions
        if not is_catchable(exc):
            raise
        issue = unreadable_issue(exc)
    return RawWorkbook(str(path), fmt, issues=[issue])


def unreadable_issue(exc: BaseException, sheet: str | None = None) -> Issue:
    """An ``unreadable`` error whose detail is the exception's class and (truncated) message."""
    return Issue(sheet, None, None, "unreadable", "error", {"reason": "error", "detail": describe(exc)})


def describe(exc: BaseException) -> str:
    """``ClassName: first line of the message``, at most DETAIL_MAX_CHARS characters."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= DETAIL_MAX_CHARS else text[: DETAIL_MAX_CHARS - 1] + "…"


def is_catchable(exc: BaseException) -> bool:
    """Exceptions and pyo3's ``PanicException`` (a BaseException) are; KeyboardInterrupt, SystemExit not."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _file_issue(code: str, **params: Any) -> Issue:
    return Issue(None, None, None, code, "error", params)


# --------------------------------------------------------------------------- Excel / ODS

def read_excel(path: Path, fmt: str, limits: Limits) -> RawWorkbook:
    """Read an .xlsx/.xlsm/.xls/.ods workbook (see the module docstring).

    .xlsx/.xlsm take the fast path (:func:`read_xlsx_streamed`); whatever it is not sure to
    read exactly as python-calamine does, and .xls/.ods, take :func:`read_excel_calamine`.
    """
    if fmt in STREAMED_FORMATS:
        try:
            book = XlsxBook(str(path))
        except Exception:  # noqa: BLE001 - not a workbook the fast path knows: calamine decides
            book = None
        if book is not None:
            try:
                with book:
                    return read_xlsx_streamed(path, fmt, book, limits)
            except MemoryError:
                raise
            except BaseException as exc:  # noqa: BLE001 - Unsupported, a reader's error or panic: the exact path
                if not is_catchable(exc):
                    raise
    return read_excel_calamine(path, fmt, limits)


def read_excel_calamine(path: Path, fmt: str, limits: Limits) -> RawWorkbook:
    """Read a workbook with python-calamine's peek (which parses each whole sheet) and fastexcel."""
    book = calamine.CalamineWorkbook.from_path(str(path))
    reader: fastexcel.ExcelReader | None = None
    result = RawWorkbook(str(path), fmt)
    try:
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets hold no cells
            sheet, issue = _peek_sheet(book, meta, limits)
            if sheet is not None and sheet.header_rows:
                reader = reader or fastexcel.read_excel(str(path))
                issue = _fill_data(reader, sheet, path)
            if issue is not None:
                result.issues.append(issue)
            elif sheet is not None:
                result.sheets.append(sheet)
    finally:
        book.close()
    return _with_file_issue(_converted(result))


def header_rows(top: list[list[Any]]) -> tuple[int, ...]:
    """The header rows of a sheet's first rows, found on their text converted from TCVN3/VNI."""
    return tuple(find_header_rows(converted_rows(top)))


def _converted(result: RawWorkbook) -> RawWorkbook:
    """Every sheet's legacy-encoded text (TCVN3, VNI-Windows) converted to Unicode (``encoding.py``)."""
    for sheet in result.sheets:
        convert_sheet(sheet)
    return result


def _with_file_issue(result: RawWorkbook) -> RawWorkbook:
    if not result.sheets and result.issues:  # nothing left to check: say so at file level
        first = result.issues[0]
        detail = f"no sheet could be read ({first.params.get('detail', first.code)})"
        result.issues.insert(0, _file_issue(first.code, **{**first.params, "detail": detail}))
    return result


def _peek_sheet(book: calamine.CalamineWorkbook, meta: calamine.SheetMetadata,
                limits: Limits) -> tuple[RawSheet | None, Issue | None]:
    """The sheet's first rows, merged ranges and header rows, or a sheet-level issue."""
    name = meta.name
    visible = meta.visible == calamine.SheetVisibleEnum.Visible
    try:
        sheet = book.get_sheet_by_name(name)
    except calamine.PasswordError:
        raise
    except calamine.CalamineError as exc:
        return None, unreadable_issue(exc, sheet=name)
    start = sheet.start
    if start is None:  # an empty sheet: calamine's iterators would panic on it
        return RawSheet(name=name, top=[], visible=visible), None
    too_big = size_issue(name, sheet.height, sheet.width, limits)
    if too_big is not None:
        return None, too_big
    top = [list(row) for row in sheet.to_python(skip_empty_area=True, nrows=PEEK_ROWS)]
    raw = RawSheet(name=name, top=top, first_row=start[0] + 1, first_col=start[1],
                   merged=merged_ranges(sheet.merged_cell_ranges), visible=visible)
    raw.header_rows = header_rows(top)
    return raw, None


def size_issue(sheet: str, height: int, width: int, limits: Limits) -> Issue | None:
    """A ``too_large`` issue when a sheet has more rows or cells than the limits allow."""
    if height > limits.max_rows_per_sheet:
        return Issue(sheet, None, None, "too_large", "error", {
            "limit": "max_rows_per_sheet", "value": height, "max": limits.max_rows_per_sheet,
            "detail": f"sheet {sheet!r} has {height:,} rows, the limit is {limits.max_rows_per_sheet:,}"})
    if height * width > limits.max_cells:
        return Issue(sheet, None, None, "too_large", "error", {
            "limit": "max_cells", "value": height * width, "max": limits.max_cells,
            "detail": f"sheet {sheet!r} spans {height:,} rows x {width:,} columns, "
                      f"more than {limits.max_cells:,} cells"})
    return None


def merged_ranges(ranges: Iterable[Any] | None) -> list[tuple[int, int, int, int]]:
    """calamine's ``((r0, c0), (r1, c1))`` merged ranges (absolute, 0-based, inclusive) as flat tuples."""
    return [(int(a[0]), int(a[1]), int(b[0]), int(b[1])) for a, b in (ranges or [])]


def _fill_data(reader: fastexcel.ExcelReader, sheet: RawSheet, path: Path) -> Issue | None:
    """Bulk-read the rows below the header into ``sheet.pending``; an issue when that fails."""
    data_offset = max(sheet.header_rows) + 1
    first_data_row = sheet.first_row + data_offset
    try:
        rows = load_rows(reader, path, sheet.name, first_data_row - 1, sheet.first_col)
        check_alignment(sheet.top[data_offset:], rows)
    except (fastexcel.FastExcelError, ReadError, pa.ArrowException) as exc:
        return unreadable_issue(exc, sheet=sheet.name)
    sheet.pending, sheet.data_first_row = rows, first_data_row
    return None


# --------------------------------------------------------------------------- .xlsx/.xlsm fast path

class _Fallback(Exception):
    """The fast path cannot promise read_excel_calamine's exact result for this workbook."""


class _TooLarge(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.params.get("detail", ""))
        self.issue = issue


@dataclass
class _Planned:
    """One worksheet on the fast path: its peek, its sheet so far, and its pending reads."""

    entry: SheetEntry
    peek: Peek
    sheet: RawSheet | None = None
    issue: Issue | None = None
    part: _PartScan | None = None
    load: Future | None = None
    merged: Future | None = None


_BOOLEAN_CELL = b't="b"'  # how a TRUE/FALSE cell is written in a sheet's XML


class _PartScan:
    """A sheet's part inflated once for the two things read from it besides its cells: whether it
    holds a TRUE/FALSE cell (asked by the bulk read) and its merged ranges (after its cells).
    Whichever asks first inflates it (about 50 ms for a 100,000-row sheet, saved the second time)."""

    def __init__(self, path: Path, member: str) -> None:
        self._path, self._member = str(path), member
        self._lock = threading.Lock()
        self._scanned: tuple[bool, bytes | None] | Exception | None = None

    def _scan(self) -> tuple[bool, bytes | None] | Exception:
        with self._lock:
            if self._scanned is None:
                try:
                    self._scanned = scan_part(self._path, self._member, _BOOLEAN_CELL)
                except Exception as exc:  # noqa: BLE001 - each question answers a failure its own way
                    self._scanned = exc
            return self._scanned

    def has_booleans(self) -> bool:
        """Whether the part may hold a TRUE/FALSE cell (when it cannot be inflated, python-calamine looks)."""
        scanned = self._scan()
        return True if isinstance(scanned, Exception) else scanned[0]

    def merged(self) -> list[tuple[int, int, int, int]]:
        """The part's merged ranges; raises where the fast path cannot be sure of them."""
        scanned = self._scan()
        if isinstance(scanned, Exception):
            raise scanned
        if scanned[1] is None:
            raise Unsupported("no </sheetData>")
        return merged_in_tail(scanned[1])


class _BulkReads:
    """A small thread pool for the bulk reads, with one fastexcel reader per thread.

    fastexcel releases the GIL while it parses, so a sheet's read overlaps the peek of the next
    sheet and the read of another sheet (a reader cannot be shared by two threads at once).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="ytsupport-read")

    def __enter__(self) -> "_BulkReads":
        return self

    def __exit__(self, *_: Any) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def reader(self) -> fastexcel.ExcelReader:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = fastexcel.read_excel(str(self.path))
        return reader

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(fn, *args)


def read_xlsx_streamed(path: Path, fmt: str, book: XlsxBook, limits: Limits) -> RawWorkbook:
    """Read an .xlsx/.xlsm with the streaming peek: the same RawWorkbook as read_excel_calamine.

    Each sheet's first rows are peeked (a few ms at any size) and its header found while the
    bulk reads of the sheets before it run on :class:`_BulkReads`. A long sheet's range (first
    and last column, last row: what its size limits and the width of ``top`` depend on) comes
    from fastexcel's read, and its merged ranges from a scan of the XML after its cells. Raises
    (``_Fallback``, ``peek.Unsupported``, a reader's error) where the result could differ.
    """
    names = [s.name for s in book.sheets]
    if len(set(names)) != len(names):
        raise _Fallback("two sheets with one name")
    result = RawWorkbook(str(path), fmt)
    with _BulkReads(path) as bulk:
        planned = [_plan_sheet(book, entry, limits, bulk) for entry in iter_worksheets(book)]
        for plan in planned:  # after the bulk reads, which the pool runs first
            if plan.load is not None and not plan.peek.complete:
                plan.merged = bulk.submit(plan.part.merged)
        for plan in planned:
            sheet, issue = _finish_sheet(plan)
            if issue is not None:
                result.issues.append(issue)
            elif sheet is not None:
                result.sheets.append(sheet)
                # as soon as the sheet is read: its legacy-text search overlaps the reads of the
                # sheets after it (here, not on the pool: a pool thread's allocations would widen
                # the reader's address space, which a 500,000-row workbook fills to its limit)
                convert_sheet(sheet)
    return _with_file_issue(result)


def _plan_sheet(book: XlsxBook, entry: SheetEntry, limits: Limits, bulk: _BulkReads) -> _Planned:
    """Peek at a sheet, find its header, and start the bulk read of the rows below it."""
    peek = book.peek(entry, PEEK_ROWS)
    plan = _Planned(entry, peek, part=_PartScan(bulk.path, entry.member))
    if peek.first_row is None:  # an empty sheet
        plan.sheet = RawSheet(name=entry.name, top=[], visible=entry.visible)
        return plan
    if peek.complete:
        plan.issue = size_issue(entry.name, peek.last_row - peek.first_row + 1,
                                peek.last_col - peek.first_col + 1, limits)
        if plan.issue is not None:
            return plan
    top = peek.rows(peek.first_col, peek.last_col, peek.last_row, PEEK_ROWS)
    sheet = RawSheet(name=entry.name, top=top, first_row=peek.first_row + 1, first_col=peek.first_col,
                     merged=list(peek.merged), visible=entry.visible)
    sheet.header_rows = header_rows(top)
    plan.sheet = sheet
    if not sheet.header_rows:
        if not peek.complete:  # no data to read, but its size and width need the whole range
            plan.load = bulk.submit(_range_only, bulk, entry.name, _size_check(entry.name, peek.first_row, limits))
        return plan
    skip_rows = sheet.first_row + max(sheet.header_rows)  # 0-based absolute row of the first data row
    first_col = peek.first_col if peek.complete else None
    check = None if peek.complete else _size_check(entry.name, peek.first_row, limits)
    plan.load = bulk.submit(_bulk_load, bulk, entry.name, skip_rows, first_col, check, plan.part.has_booleans)
    return plan


def _size_check(name: str, first_row: int, limits: Limits) -> Callable[[Any], tuple[int, int, int]]:
    """What the bulk read checks before converting a long sheet: its range against the limits."""
    def check(loaded: Any) -> tuple[int, int, int]:
        absolute = [c.absolute_index for c in loaded.selected_columns]
        first_col, last_col, last_row = min(absolute), max(absolute), loaded.total_height - 1
        issue = size_issue(name, last_row - first_row + 1, last_col - first_col + 1, limits)
        if issue is not None:
            raise _TooLarge(issue)
        return first_col, last_col, last_row
    return check


def _bulk_load(bulk: _BulkReads, name: str, skip_rows: int, first_col: int | None,
               check: Callable[[Any], tuple[int, int, int]] | None,
               booleans: Callable[[], bool]) -> tuple[ArrowRows, Any]:
    """Runs on a pool thread: the rows below the header, and the range ``check`` returned."""
    ranges: list[Any] = []
    on_load = None if check is None else (lambda loaded: ranges.append(check(loaded)))
    rows = load_rows(bulk.reader(), bulk.path, name, skip_rows, first_col, on_load=on_load, booleans=booleans)
    return rows, (ranges[0] if ranges else None)


def _range_only(bulk: _BulkReads, name: str,
                check: Callable[[Any], tuple[int, int, int]]) -> tuple[None, tuple[int, int, int]]:
    """Runs on a pool thread: the range of a long sheet without a header (no cells converted)."""
    loaded = bulk.reader().load_sheet(name, header_row=None, n_rows=1, dtypes="string")
    return None, check(loaded)


def _finish_sheet(plan: _Planned) -> tuple[RawSheet | None, Issue | None]:
    """Wait for a sheet's reads, settle its range and ``top``, and check the two readers agree."""
    sheet, peek = plan.sheet, plan.peek
    if plan.load is None or sheet is None:
        return sheet, plan.issue
    try:
        rows, ranges = plan.load.result()
    except _TooLarge as too_large:
        return None, too_large.issue
    if ranges is not None:
        _settle_long_sheet(sheet, peek, ranges)
        sheet.merged = plan.merged.result() if plan.merged is not None else []
    if rows is None:
        return sheet, None
    data_offset = max(sheet.header_rows) + 1
    check_alignment(sheet.top[data_offset:], rows)
    sheet.pending, sheet.data_first_row = rows, sheet.first_row + data_offset
    return sheet, None


def _settle_long_sheet(sheet: RawSheet, peek: Peek, ranges: tuple[int, int, int]) -> None:
    """Give a long sheet the first column and width of its whole range, as python-calamine does."""
    first_col, last_col, last_row = ranges
    if first_col > peek.first_col or last_col < peek.last_col or last_row < peek.last_row:
        raise _Fallback("fastexcel's range does not hold the peeked cells")
    top = peek.rows(first_col, last_col, last_row, PEEK_ROWS)
    if top != sheet.top:
        if header_rows(top) != sheet.header_rows:
            raise _Fallback("the header moves with the sheet's full width")
        sheet.top = top
    sheet.first_col = first_col


# --------------------------------------------------------------------------- fastexcel bulk read

def load_rows(reader: fastexcel.ExcelReader, path: Path, name: str, skip_rows: int, first_col: int | None,
              on_load: Callable[[Any], None] | None = None,
              booleans: Callable[[], bool] | None = None) -> ArrowRows:
    """The sheet's rows from the 0-based absolute row ``skip_rows`` on, columns aligned on ``first_col``.

    With ``header_row=None`` fastexcel counts ``skip_rows`` from the sheet's first row (Excel
    row 1), whatever the used range; its columns span the used range, whose first column's
    absolute index is checked against ``first_col`` (None: the range's first column).
    ``on_load`` sees the loaded sheet before its cells are converted (it may raise). ``booleans``
    says whether the sheet may hold a TRUE/FALSE cell (asked only when a numeric column holds a 0
    or 1; see ``_boolean_cells``).

    A column mixing numbers and text comes back from fastexcel as text, its numbers written out
    ("1.234"), which Vietnamese reading takes for thousands, wherever the numbers are (fastexcel
    reads every row to settle a column's type; the peek sees only the first rows). A text column
    holding text that reads two ways (three decimals, an exponent) has its number cells read
    again from ``path`` with python-calamine: they come back as numbers (``ArrowRows.numbers``),
    and text typed as "2.125" stays text. Other text columns cost nothing here.
    """
    absolute, batch, errors = _load_faithfully(reader, name, skip_rows, on_load)
    start = min(absolute, default=0) if first_col is None else first_col
    positions = [a - start for a in absolute]
    if any(p < 0 for p in positions):
        raise ReadError(f"fastexcel starts at column {min(absolute)}, calamine at {start}")
    ambiguous = [j for j in range(batch.num_columns) if _has_ambiguous_numbers(batch.column(j))]
    numbers = _number_cells(path, name, skip_rows, {j: absolute[j] for j in ambiguous}, batch.num_rows) \
        if ambiguous else {}
    true_false = _boolean_cells(path, name, skip_rows, batch, absolute, booleans)
    return arrow_rows(batch, positions, error_cells(errors) + true_false, numbers)


# A number as fastexcel writes it into a text column that Vietnamese reading would take otherwise:
# three decimals (read as a thousands group) or an exponent.
_AMBIGUOUS_NUMBER = r"^-?[0-9]+([.][0-9]{3}|([.][0-9]+)?e[-+]?[0-9]+)$"


def _has_ambiguous_numbers(column: pa.Array) -> bool:
    if not pa.types.is_string(column.type):
        return False
    # such a number has a digit right before "." or "e": most text columns have none, and this
    # look at the column's bytes costs a fraction of the pattern over every cell
    if not pairs_holding(column, _DIGIT_THEN_POINT).any():
        return False
    return bool(pc.any(pc.match_substring_regex(column, pattern=_AMBIGUOUS_NUMBER)).as_py())


_DIGIT_THEN_POINT = (("0123456789", ".e"),)


def _number_cells(path: Path, name: str, skip_rows: int, columns: dict[int, int],
                  n_rows: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The number cells (int or float, not bool) of the given columns (batch column: absolute
    column) of rows ``skip_rows`` .. ``skip_rows + n_rows - 1``, streamed with python-calamine.

    None at all when python-calamine cannot read the sheet: the cells then stay as text.
    """
    found = _typed_cells(path, name, skip_rows, columns, n_rows, (int, float))
    return {j: (np.asarray(rows, dtype=np.int64), np.asarray(values, dtype=np.float64))
            for j, (rows, values) in found.items()}


def _boolean_cells(path: Path, name: str, skip_rows: int, batch: pa.RecordBatch, absolute: list[int],
                   booleans: Callable[[], bool] | None) -> list[tuple[int, int, str]]:
    """The TRUE/FALSE cells that fastexcel turned into 1/0 in a numeric column, as ``(row, batch
    column, "TRUE"/"FALSE")``: they come back as that text (see ``ArrowRows.errors``), which a
    number column reports at its cell and a yes/no column reads.

    Only numeric columns holding a 0 or 1 are looked at, and only in a sheet that has a boolean
    cell at all (``booleans``, else :func:`_has_boolean_cells`: cheap beside a re-read).
    """
    suspects = {j: absolute[j] for j in range(batch.num_columns) if _may_hide_booleans(batch.column(j))}
    if not suspects or not (booleans() if booleans is not None else _has_boolean_cells(path)):
        return []
    found = _typed_cells(path, name, skip_rows, suspects, batch.num_rows, (bool,))
    return [(row, j, "TRUE" if value else "FALSE") for j, (rows, values) in found.items()
            for row, value in zip(rows, values)]


def _may_hide_booleans(column: pa.Array) -> bool:
    if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        return False
    return bool(pc.any(pc.is_in(column, value_set=pa.array([0, 1], type=column.type))).as_py())


def _has_boolean_cells(path: Path) -> bool:
    """Whether a workbook may hold a TRUE/FALSE cell: an .xlsx/.xlsm's worksheets are searched for
    one (``t="b"``), streamed; any other format is assumed to."""
    if file_format(path) not in STREAMED_FORMATS:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.startswith("xl/worksheets/") and m.endswith(".xml")]
        return any(scan_part(str(path), m, _BOOLEAN_CELL)[0] for m in members)
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return True  # fastexcel read it: let python-calamine look


def _typed_cells(path: Path, name: str, skip_rows: int, columns: dict[int, int], n_rows: int,
                 types: tuple[type, ...]) -> dict[int, tuple[list[int], list[Any]]]:
    """The cells whose Python type is one of ``types`` (exactly: a bool is no int here) in the
    given columns (batch column: absolute column) of rows ``skip_rows`` .. ``skip_rows + n_rows - 1``,
    streamed with python-calamine; {} when it cannot read the sheet."""
    try:
        sheet = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
    except Exception:  # noqa: BLE001 - fastexcel read the sheet; this second reading only refines it
        return {}
    if sheet.start is None:
        return {}
    first_row, first_col = sheet.start
    found: dict[int, tuple[list[int], list[Any]]] = {j: ([], []) for j in columns}
    for i, cells in enumerate(sheet.iter_rows()):
        row = first_row + i - skip_rows
        if row >= n_rows:
            break
        if row < 0:
            continue
        for j, col in columns.items():
            at = col - first_col
            value = cells[at] if 0 <= at < len(cells) else None
            if type(value) in types:
                found[j][0].append(row)
                found[j][1].append(value)
    return {j: cells for j, cells in found.items() if cells[0]}


def _load_faithfully(reader: fastexcel.ExcelReader, name: str, skip_rows: int,
                     on_load: Callable[[Any], None] | None = None
                     ) -> tuple[list[int], pa.RecordBatch, Any]:
    """Load with guessed types, then re-load as text the columns where a cell did not fit its type.

    Returns ``(absolute column indexes, batch, errors)`` (the loaded
    sheet, which holds every cell, is let go before the caller converts the batch); the errors
    left are Excel error cells (``#N/A``...), which no type can hold. When type guessing itself fails (a ``#NAME?`` cell, durations mixed with
    dates), every column is read as text.
    """
    options: dict[str, Any] = {"header_row": None, "skip_rows": skip_rows, "schema_sample_rows": None,
                               "dtype_coercion": "coerce"}
    dtypes: str | dict[int, str] | None = None
    for _ in range(3):
        try:
            loaded = reader.load_sheet(name, **options, dtypes=dtypes)
            if on_load is not None:
                on_load(loaded)
                on_load = None
            batch, errors = loaded.to_arrow_with_errors()
        except (fastexcel.UnsupportedColumnTypeCombinationError, fastexcel.CalamineCellError):
            dtypes = "string"
            continue
        bad = [c for c in _error_columns(errors) if dtypes != "string" and c not in (dtypes or {})]
        if not bad:
            return [c.absolute_index for c in loaded.selected_columns], batch, errors
        dtypes = {**(dtypes if isinstance(dtypes, dict) else {}), **{c: "string" for c in bad}}
    raise ReadError("fastexcel could not settle the column types")


def _error_columns(errors: Any) -> list[int]:
    """The (0-based, within the selection) columns where fastexcel could not convert a cell."""
    return sorted({e.offset_position[1] for e in (errors.errors if errors else [])})


def error_cells(errors: Any) -> list[tuple[int, int, str]]:
    """The cells fastexcel could not represent (Excel error cells like ``#N/A``) as ``(row, column, text)``."""
    cells = []
    for error in errors.errors if errors else []:
        row, col = error.offset_position
        match = _ERROR_IN_DETAIL.search(error.detail)
        text = _EXCEL_ERRORS.get(match.group(1), f"#{match.group(1).upper()}") if match else \
            f"#UNREADABLE ({error.detail})"
        cells.append((int(row), int(col), text))
    return cells


def strip_empty_tail_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop trailing columns with no cell at all (null or empty text); keep inner empty columns."""
    keep = frame.shape[1]
    while keep and _all_empty(frame.iloc[:, keep - 1]):
        keep -= 1
    return frame.iloc[:, :keep] if keep < frame.shape[1] else frame


def _all_empty(column: pd.Series) -> bool:
    empty = column.isna()
    if column.dtype == object:
        empty |= column.eq("")
    return bool(empty.all())


def check_alignment(top_rows: list[list[Any]], rows: ArrowRows | pd.DataFrame) -> None:
    """Raise ReadError unless the peeked rows below the header match the bulk-read rows.

    A text cell must come back as the same text and any other filled cell filled; this catches
    a row or column offset between the two readers (it would misnumber every issue).
    """
    head = rows.to_frame(len(top_rows)) if isinstance(rows, ArrowRows) else rows.iloc[: len(top_rows)]
    bulk = head.astype(object).to_numpy().tolist()
    for i, row in enumerate(top_rows):
        got_row = bulk[i] if i < len(bulk) else []
        for j, value in enumerate(row):
            if value is None or value == "":
                continue
            got = got_row[j] if j < len(got_row) else None
            if got is None or got is pd.NaT or (isinstance(got, float) and got != got):
                raise ReadError(f"bulk read lost the value {value!r} (data row {i}, column {j})")
            if isinstance(value, str) and isinstance(got, str) and got != value:
                raise ReadError(f"bulk read gives {got!r} where the peek gives {value!r} "
                                f"(data row {i}, column {j})")


# --------------------------------------------------------------------------- CSV

def read_csv(path: Path, limits: Limits) -> RawWorkbook:
    """Read a CSV file as one sheet named after the file stem; every cell a string (empty -> None)."""
    text, _ = decode_text(path.read_bytes())
    rows = csv_rows(text, limits)
    del text  # the rows hold every cell now: tens of MB given back before the cells are converted
    width = max((len(r) for r in rows), default=0)
    too_big = size_issue(path.stem, len(rows), width, limits)
    if too_big is not None:
        return RawWorkbook(str(path), "csv", issues=[_file_issue(too_big.code, **too_big.params)])
    legacy = convert_all_rows(rows)
    top = [_pad(r, width, "") for r in rows[:PEEK_ROWS]]
    sheet = RawSheet(name=path.stem, top=top, first_row=1, first_col=0, legacy=legacy)
    sheet.header_rows = tuple(find_header_rows(top))
    if sheet.header_rows:
        start = max(sheet.header_rows) + 1
        del rows[:start]  # the rows below the header, in place: no copy of half a million rows
        sheet.data = csv_frame(rows, width)
        sheet.data_first_row = 1 + start
    return RawWorkbook(str(path), "csv", sheets=[sheet])


def csv_rows(text: str, limits: Limits) -> list[list[str]]:
    """The CSV records (a quoted line break stays inside its cell), delimiter sniffed.

    Reading stops just past ``max_rows_per_sheet`` rows or ``max_cells`` cells, enough for
    :func:`size_issue` to refuse the file without holding all of it.
    """
    rows: list[list[str]] = []
    cells = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)):
        rows.append(row)
        cells += len(row)
        if len(rows) > limits.max_rows_per_sheet or cells > limits.max_cells:
            break
    return rows


def csv_frame(rows: list[list[str]], width: int) -> pd.DataFrame:
    """An object DataFrame of the rows padded to ``width``: empty cells None, trailing empty columns dropped.

    Built straight from the rows (short rows are padded with None by pandas) and emptied column by
    column: a second list of lists would cost ~70 bytes a cell, in a reader limited to 1 GB.
    """
    frame = pd.DataFrame(rows, columns=range(width), dtype=object) if rows else \
        pd.DataFrame(columns=range(width), dtype=object)
    for j in range(width):
        column = frame[j]
        empty = column.eq("").to_numpy()
        if empty.any():
            frame[j] = column.mask(empty, None)
    return strip_empty_tail_columns(frame)


def _pad(row: list[str], width: int, fill: Any) -> list[Any]:
    return row + [fill] * (width - len(row))


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns ``(NFC text, encoding)``.

    A BOM decides (UTF-8, UTF-16 LE/BE); else a NUL-byte pattern means BOM-less UTF-16; else
    strict UTF-8; else Windows-1258, whose Vietnamese text often uses combining tone marks, so
    the text is NFC-normalised (for every encoding, so that equal words compare equal); or, when
    the bytes read as more Vietnamese words so, TCVN3 / VNI-Windows bytes (returned as Latin-1).
    """
    encoding = _bom_encoding(raw) or _utf16_by_nuls(raw)
    if encoding is None:
        try:
            return unicodedata.normalize("NFC", raw.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            encoding = _single_byte_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"the text is neither UTF-8, UTF-16 nor Windows-1258 (byte {exc.start})") from exc
    return unicodedata.normalize("NFC", text.lstrip("\ufeff")), encoding


def _single_byte_encoding(raw: bytes) -> str:
    """Windows-1258, or Latin-1 when the bytes read as more Vietnamese as TCVN3 or VNI-Windows
    (then the cells are converted one by one, as an Excel sheet's are: ``encoding.py``)."""
    sample = raw[:CSV_SNIFF_CHARS]
    try:
        as_1258 = vietnamese_words(unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace")))
    except LookupError:  # pragma: no cover - every CPython has cp1258
        as_1258 = 0
    latin1 = sample.decode("latin-1")
    as_legacy = max(vietnamese_words(latin1, encoding) for encoding in ENCODINGS)
    return "latin-1" if as_legacy > as_1258 else "cp1258"


def _bom_encoding(raw: bytes) -> str | None:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return None


def _utf16_by_nuls(raw: bytes) -> str | None:
    """UTF-16 without BOM: ASCII characters (digits, separators, line breaks) leave NULs on one side."""
    head = raw[:4096]
    if len(head) < 4 or head.count(b"\x00") < len(head) // 8:
        return None
    even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
    if odd > 3 * even:
        return "utf-16-le"
    if even > 3 * odd:
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that splits the first lines most consistently into >1 fields."""
    sample = "\n".join(text[:CSV_SNIFF_CHARS].splitlines()[:CSV_SNIFF_LINES])
    best, best_score = ",", (0, 0)
    for delimiter in CSV_DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        usual = max(set(counts), key=counts.count) if counts else 1
        score = (counts.count(usual), usual) if usual > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
