"""Reading workbooks into RawWorkbook (ytsupport.ingest.read), in this process.

Header detection is replaced by a stand-in (the first row whose first cell is "Name", or the
rows listed in ``HEADER_AT``), so that these tests pin the reader's own contract: exact row and
column numbering, nothing vanishing, all formats and encodings.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests.hostile import cp1258_form
from ytsupport.ingest import read
from ytsupport.ingest.records import RawSheet, RawWorkbook
from ytsupport.settings import Limits

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "public"
LIMITS = Limits()


def stand_in_header(top: list[list[Any]]) -> tuple[int, ...]:
    """Stand-in for locate.find_header_rows: the row whose first non-empty cell is "Name" (and the
    row below when its first non-empty cell is "(sub)": a two-row header)."""
    for i, row in enumerate(top):
        cells = [v for v in row if v not in ("", None)]
        if cells and cells[0] == "Name":
            below = [v for v in top[i + 1] if v not in ("", None)] if i + 1 < len(top) else []
            return (i, i + 1) if below[:1] == ["(sub)"] else (i,)
    return ()


@pytest.fixture(autouse=True)
def header_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "find_header_rows", stand_in_header)


def only_sheet(book: RawWorkbook) -> RawSheet:
    assert book.issues == [], book.issues
    assert len(book.sheets) == 1
    return book.sheets[0]


# --------------------------------------------------------------------------- grids in three formats

# A sheet whose used range starts at C3: title, blank row, header, data with a blank row inside
# it, and a text cell late in a numeric column. None is an empty cell.
GRID: list[list[Any]] = [
    [None, None, None, None, None, None],
    [None, None, None, None, None, None],
    [None, None, "Title", None, None, None],
    [None, None, None, None, None, None],
    [None, None, "Name", "Amount", "Note", None],
    [None, None, "a", 1, "x", None],
    [None, None, None, None, None, None],
    [None, None, "b", 2.5, None, None],
    [None, None, "c", "late text", "z", None],
]
FIRST_ROW, FIRST_COL, HEADER_EXCEL_ROW = 3, 2, 5


def write_xlsx(path: Path, grid: list[list[Any]], merge: str | None = "C3:E3") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def write_xls(path: Path, grid: list[list[Any]]) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    sheet.merge(2, 2, 2, 4)
    book.save(str(path))
    return path


def write_ods(path: Path, grid: list[list[Any]]) -> Path:
    pytest.importorskip("odf")
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Data")
    for row in grid:
        table_row = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, str):
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            else:
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}


def excel_cell(grid: list[list[Any]], excel_row: int, col0: int) -> Any:
    """The value written at an Excel row (1-based) and a 0-based column of GRID."""
    row = grid[excel_row - 1] if excel_row - 1 < len(grid) else []
    return row[col0] if col0 < len(row) else None


def same(value: Any, expected: Any) -> bool:
    """Equal up to the reader's documented representation (numbers as text in a text column)."""
    if expected is None:
        return value is None or value == "" or (isinstance(value, float) and value != value)
    if isinstance(value, str) and not isinstance(expected, str):
        return float(value) == float(expected)
    return value == expected


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_offsets_and_every_cell_round_trip(tmp_path: Path, fmt: str) -> None:
    """fastexcel's rows and columns line up with calamine's start: every data cell sits at its Excel address."""
    sheet = only_sheet(read.read_workbook(WRITERS[fmt](tmp_path / f"c3.{fmt}", GRID), LIMITS))
    assert (sheet.first_row, sheet.first_col) == (FIRST_ROW, FIRST_COL)
    assert sheet.top[0][0] == "Title" and sheet.top[2][:3] == ["Name", "Amount", "Note"]
    assert sheet.header_rows == (2,)
    assert sheet.data_first_row == HEADER_EXCEL_ROW + 1
    data = sheet.data
    assert data is not None and list(data.columns) == [0, 1, 2]
    assert len(data) == len(GRID) - HEADER_EXCEL_ROW
    for i in range(len(data)):
        for j in data.columns:
            expected = excel_cell(GRID, sheet.data_first_row + i, sheet.first_col + j)
            assert same(data.iat[i, j], expected), (fmt, i, j, data.iat[i, j], expected)
    assert data.iloc[1].isna().all(), "the blank row inside the data is kept"
    assert data.iat[3, 1] == "late text"


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_merged_ranges_are_absolute_zero_based(tmp_path: Path, fmt: str) -> None:
    sheet = only_sheet(read.read_workbook(WRITERS[fmt](tmp_path / f"m.{fmt}", GRID), LIMITS))
    assert sheet.merged == [(2, 2, 2, 4)]  # C3:E3


def test_ods_without_merges_reads(tmp_path: Path) -> None:
    sheet = only_sheet(read.read_workbook(write_ods(tmp_path / "m.ods", GRID), LIMITS))
    assert sheet.merged == []  # write_ods merges nothing
    assert (sheet.first_row, sheet.first_col) == (FIRST_ROW, FIRST_COL)
    assert sheet.top[0][0] == "Title" and sheet.top[2][:3] == ["Name", "Amount", "Note"]


def test_real_xls_from_corpus_reads(tmp_path: Path) -> None:
    source = CORPUS / "python-calamine" / "tests" / "data" / "base.xls"
    if not source.exists():
        pytest.skip("corpus not present")
    copy = shutil.copy(source, tmp_path / "sample.xls")
    book = read.read_workbook(Path(copy), LIMITS)
    assert book.issues == [] and book.sheets and book.file_format == "xls"


# --------------------------------------------------------------------------- nothing vanishes

def test_late_text_in_numeric_column_comes_back_as_text(tmp_path: Path) -> None:
    grid = [["Name", "Amount"]] + [[f"n{i}", i] for i in range(3000)] + [["last", "12,5 triệu"]]
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "late.xlsx", grid, merge=None), LIMITS))
    amounts = sheet.data[1]
    assert amounts.notna().all(), "no cell vanished"
    assert amounts.iloc[-1] == "12,5 triệu"
    assert sheet.data_first_row + len(amounts) - 1 == len(grid)


def test_pure_columns_keep_their_types(tmp_path: Path) -> None:
    grid = [["Name", "Amount", "Day", "Done"]] + \
           [[f"n{i}", i + 0.5, dt.datetime(2021, 6, i + 1), i % 2 == 0] for i in range(5)]
    data = only_sheet(read.read_workbook(write_xlsx(tmp_path / "t.xlsx", grid, merge=None), LIMITS)).data
    assert pd.api.types.is_float_dtype(data[1])
    assert pd.api.types.is_datetime64_any_dtype(data[2])
    assert data[3].tolist() == [True, False, True, False, True]


def test_null_like_strings_and_error_cells_are_kept_as_text(tmp_path: Path) -> None:
    """fastexcel treats "N/A", "None"... as missing when guessing a numeric type, and error cells
    as missing or fatal: the reader re-reads such columns as text, and writes error cells as Excel shows them."""
    path = write_xlsx(tmp_path / "e.xlsx", [["Name", "Amount", "Formula", "Other"],
                                            ["a", 1, 1, 1], ["b", "N/A", 2, "None"], ["c", 3, 3, 3]], merge=None)
    book = openpyxl.load_workbook(path)
    for ref, error in (("C3", "#DIV/0!"), ("C4", "#NAME?")):
        book.active[ref] = error
        book.active[ref].data_type = "e"
    book.save(path)
    data = only_sheet(read.read_workbook(path, LIMITS)).data
    assert data[1].tolist()[1] == "N/A"
    assert data[2].tolist()[1:] == ["#DIV/0!", "#NAME?"]
    assert data[3].tolist()[1] == "None"


def test_trailing_empty_columns_are_dropped_inner_ones_kept(tmp_path: Path) -> None:
    grid = [[None, None, None, None, "stamp"],
            ["Name", None, "Amount", None, None],
            ["a", None, 1, None, None]]
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "w.xlsx", grid, merge=None), LIMITS))
    assert len(sheet.top[0]) == 5
    assert list(sheet.data.columns) == [0, 1, 2]
    assert sheet.data[1].isna().all()


def test_two_row_header(tmp_path: Path) -> None:
    grid = [["Name", "Count", None], ["(sub)", "Total", "Disabled"], ["a", 3, 1]]
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "h2.xlsx", grid, merge=None), LIMITS))
    assert sheet.header_rows == (0, 1)
    assert sheet.data_first_row == 3
    assert sheet.data.iloc[0].tolist() == ["a", 3.0, 1.0]


def test_header_on_the_last_row_gives_empty_data(tmp_path: Path) -> None:
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "h.xlsx", [["Title"], ["Name", "Amount"]],
                                                     merge=None), LIMITS))
    assert sheet.data is not None and len(sheet.data) == 0 and sheet.data_first_row == 3


def test_no_header_leaves_data_none(tmp_path: Path) -> None:
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "n.xlsx", [["just", "text"], [1, 2]],
                                                     merge=None), LIMITS))
    assert sheet.header_rows == () and sheet.data is None and sheet.data_first_row is None
    assert sheet.top == [["just", "text"], [1.0, 2.0]]


def test_hidden_and_empty_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Shown"
    book.active["A1"] = "x"
    hidden = book.create_sheet("Hidden")
    hidden["B2"] = "y"
    hidden.sheet_state = "hidden"
    book.create_sheet("Empty")
    book.save(tmp_path / "v.xlsx")
    result = read.read_workbook(tmp_path / "v.xlsx", LIMITS)
    assert [(s.name, s.visible, s.top) for s in result.sheets] == [
        ("Shown", True, [["x"]]), ("Hidden", False, [["y"]]), ("Empty", True, [])]
    assert result.sheets[1].first_row == 2 and result.sheets[1].first_col == 1


def test_peek_is_bounded(tmp_path: Path) -> None:
    grid = [["Name", "Amount"]] + [[f"n{i}", i] for i in range(200)]
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "p.xlsx", grid, merge=None), LIMITS))
    assert len(sheet.top) == read.PEEK_ROWS and len(sheet.data) == 200


def test_sheet_over_the_cell_limit_is_refused(tmp_path: Path) -> None:
    grid = [["Name", "Amount"]] + [[f"n{i}", i] for i in range(20)]
    path = write_xlsx(tmp_path / "big.xlsx", grid, merge=None)
    result = read.read_workbook(path, Limits(max_cells=30))
    assert result.sheets == []
    sheet_issue = [i for i in result.issues if i.sheet == "Data"]
    assert sheet_issue[0].code == "too_large" and sheet_issue[0].params["limit"] == "max_cells"
    assert any(i.sheet is None and i.code == "too_large" for i in result.issues)
    rows = read.read_workbook(path, Limits(max_rows_per_sheet=10))
    assert rows.issues[0].params["limit"] == "max_rows_per_sheet"


# --------------------------------------------------------------------------- CSV

VIETNAMESE = [["Name", "Số người", "Ghi chú"],
              ["Thạch Thị Sa Rết", "100", "Khám bệnh, phát thuốc"],
              ["", "", ""],
              ["Nguyễn Văn Đức", "NA", "Trà Cú"]]


def write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def check_vietnamese_csv(sheet: RawSheet) -> None:
    assert sheet.first_row == 1 and sheet.first_col == 0 and sheet.header_rows == (0,)
    assert sheet.top[0] == VIETNAMESE[0]
    assert sheet.data_first_row == 2
    assert sheet.data.iloc[0].tolist() == VIETNAMESE[1]
    assert sheet.data.iloc[1].isna().all(), "the blank row is kept, its cells empty"
    assert sheet.data.iloc[2].tolist() == ["Nguyễn Văn Đức", "NA", "Trà Cú"], "NA stays text"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    result = read.read_workbook(write_csv(tmp_path / "bao_cao.csv", VIETNAMESE, encoding), LIMITS)
    sheet = only_sheet(result)
    assert sheet.name == "bao_cao" and result.file_format == "csv"
    check_vietnamese_csv(sheet)


def test_csv_windows_1258_with_combining_tone_marks(tmp_path: Path) -> None:
    """cp1258 writes tone marks as combining characters; the reader returns NFC text."""
    rows = [[cp1258_form(cell) for cell in row] for row in VIETNAMESE]
    assert rows[1][0] != VIETNAMESE[1][0]
    path = tmp_path / "cp.csv"
    with open(path, "w", encoding="cp1258", errors="strict", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    check_vietnamese_csv(only_sheet(read.read_workbook(path, LIMITS)))


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "d.csv", VIETNAMESE, "utf-8", delimiter)
    check_vietnamese_csv(only_sheet(read.read_workbook(path, LIMITS)))


def test_csv_multiline_cell_is_one_row_and_ragged_rows_pad(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('Title\nName,Amount\n"a\nb",1\nc,2,extra\n', encoding="utf-8")
    sheet = only_sheet(read.read_workbook(path, LIMITS))
    assert sheet.header_rows == (1,) and sheet.data_first_row == 3
    assert sheet.data.values.tolist() == [["a\nb", "1", None], ["c", "2", "extra"]]


def test_csv_undecodable_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Name,Amount\n\x81\x8d\x8f,1\n")
    result = read.read_workbook(path, LIMITS)
    assert result.sheets == [] and result.issues[0].code == "unreadable"
    assert "Windows-1258" in result.issues[0].params["detail"]


# --------------------------------------------------------------------------- bad files never raise

def test_garbage_workbook_is_unreadable_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "junk.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = read.read_workbook(path, LIMITS)
    assert result.sheets == []
    assert [(i.code, i.sheet) for i in result.issues] == [("unreadable", None)]
    assert result.issues[0].params["detail"]


def test_rust_panic_becomes_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class PanicException(BaseException):  # what pyo3 raises: not an Exception
        pass

    def panic(*_: Any) -> RawWorkbook:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(read, "read_excel", panic)
    result = read.read_workbook(write_xlsx(tmp_path / "p.xlsx", GRID), LIMITS)
    assert result.issues[0].code == "unreadable"
    assert result.issues[0].params["detail"] == "PanicException: index out of bounds"


def test_keyboard_interrupt_is_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: Any) -> RawWorkbook:
        raise KeyboardInterrupt

    monkeypatch.setattr(read, "read_excel", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read.read_workbook(write_xlsx(tmp_path / "k.xlsx", GRID), LIMITS)


def test_long_exception_detail_is_truncated() -> None:
    detail = read.describe(ValueError("x" * 1000 + "\nsecond line"))
    assert detail.startswith("ValueError: xxx") and len(detail) <= read.DETAIL_MAX_CHARS


@pytest.mark.parametrize("name", ["python-calamine/tests/data/password.xls", "calamine/tests/pass_protected.ods"])
def test_password_protected_is_encrypted(name: str) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("corpus not present")
    result = read.read_workbook(CORPUS / name, LIMITS)
    assert [i.code for i in result.issues] == ["encrypted"]


def test_alignment_check_catches_an_offset() -> None:
    frame = pd.DataFrame([["b", 2.0], ["c", 3.0]])
    read.check_alignment([["b", 2.0], ["c", 3.0]], frame)
    with pytest.raises(read.ReadError):
        read.check_alignment([["a", 1.0], ["b", 2.0]], frame)
    with pytest.raises(read.ReadError):
        read.check_alignment([["b", 2.0], ["c", 3.0], ["d", ""]], frame)


def test_csv_over_the_limits_is_refused_at_file_level(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [["Name", "Amount"]] + [[f"n{i}", str(i)] for i in range(50)], "utf-8")
    for limits, limit in ((Limits(max_rows_per_sheet=10), "max_rows_per_sheet"), (Limits(max_cells=20), "max_cells")):
        result = read.read_workbook(path, limits)
        assert result.sheets == []
        assert [(i.sheet, i.code, i.params["limit"]) for i in result.issues] == [(None, "too_large", limit)]


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_numbers_in_a_text_column_stay_numbers(tmp_path: Path, fmt: str) -> None:
    """fastexcel writes a mixed column's numbers out as text: 1.234 would then read as 1234 (a
    Vietnamese thousands group). Such number cells come back as the numbers they are."""
    grid = [["Name", "Amount", "Note"], ["a", 1.234, "x"], ["b", "12,5 triệu", "y"], ["c", 2.5, "1.500"],
            ["d", None, None], ["e", 1_500_000, 7]]
    path = tmp_path / f"mixed.{fmt}"
    sheet = only_sheet(read.read_workbook(write_xlsx(path, grid, merge=None) if fmt == "xlsx" else WRITERS[fmt](path, grid),
                                          LIMITS))
    assert sheet.data[1].tolist() == [1.234, "12,5 triệu", 2.5, None, 1_500_000.0]
    assert sheet.data[2].tolist() == ["x", "y", "1.500", None, 7.0], "text typed as text stays text"
    assert 0 in sheet.texts and 1 not in sheet.texts and 2 not in sheet.texts


def test_three_decimals_below_the_peek_in_a_column_re_read_as_text(tmp_path: Path) -> None:
    grid = [["Name", "Amount"]] + [[f"n{i}", i + 0.5] for i in range(3000)] + [["x", 2.125], ["last", "12,5 triệu"]]
    sheet = only_sheet(read.read_workbook(write_xlsx(tmp_path / "late3.xlsx", grid, merge=None), LIMITS))
    amounts = sheet.data[1].tolist()
    assert amounts[-2:] == [2.125, "12,5 triệu"] and amounts[0] == 0.5
