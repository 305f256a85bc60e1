"""The marked-up copy: the user's workbook with each issue's cell filled and commented.

For .xlsx/.xlsm the copy is the user's own workbook (opened with openpyxl on a copy, formulas
replaced by their last computed values, so nothing in the copy runs); for .xls/.ods/.csv it is an
.xlsx rebuilt from the file's cells. Either way, a last sheet lists every issue.
"""
from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Iterable

import openpyxl
import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .i18n import t
from .legacy import UNICODE_FONT
from .ingest.locate import header_labels
from .ingest.records import Issue, RawSheet, RawWorkbook, Report
from .report.safe import put, put_text_as_written

FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
CONVERTED_FILL = PatternFill("solid", fgColor="DDEBF7")  # a cell whose TCVN3/VNI text was converted
ISSUES_SHEET = {"vi": "Các vấn đề", "en": "Issues"}
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
MAX_MARKED_ROWS = 50_000  # larger files get only the list of issues: marking them would hold the server


def marked_copy(path: Path, report: Report, raw: RawWorkbook, lang: str = "vi") -> bytes:
    """The marked-up workbook as .xlsx bytes (the same layout as the user's file).

    A file of more than ``MAX_MARKED_ROWS`` rows gets a workbook with the issue list only.
    """
    rows = sum(len(s.data) if s.data is not None else len(s.top) for s in raw.sheets)
    if rows > MAX_MARKED_ROWS:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        add_issue_sheet(wb, report.issues, lang)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    if Path(report.file_name).suffix.lower() in OPENPYXL_SUFFIXES and raw.sheets:
        wb = open_copy(path)
    else:
        wb = rebuilt_workbook(raw)
    sheets = {s.name: s for s in raw.sheets}
    for sheet in raw.sheets:
        if sheet.legacy is not None and sheet.name in wb.sheetnames:
            mark_converted(wb[sheet.name], sheet)
    for issue in report.issues:
        if issue.severity in FILLS and issue.sheet in sheets and issue.sheet in wb.sheetnames:
            mark(wb[issue.sheet], sheets[issue.sheet], issue, lang)
    add_issue_sheet(wb, report.issues, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def mark_converted(ws: Worksheet, sheet: RawSheet) -> None:
    """Show the Unicode text of the cells converted from TCVN3/VNI (see ``ytsupport.legacy``), in
    a Unicode font, filled blue; an issue's colour, marked afterwards, takes precedence."""
    for row, col in sheet.legacy.cells if sheet.legacy is not None else []:
        value = converted_value(sheet, row, col)
        if value is None:
            continue
        cell = ws.cell(row=row, column=col)
        put_text_as_written(cell, value)
        cell.font = unicode_font(cell.font)
        cell.fill = CONVERTED_FILL


def unicode_font(font: Font) -> Font:
    """``font`` (size, bold, colour...) in a Unicode typeface, for text converted from TCVN3/VNI."""
    changed = copy.copy(font)
    changed.name = UNICODE_FONT
    return changed


def converted_value(sheet: RawSheet, row: int, col: int) -> str | None:
    """The text the reader holds for Excel cell (``row``, ``col``), 1-based; None if it holds none."""
    j = col - sheet.first_col - 1
    if sheet.data is not None and sheet.data_first_row is not None and row >= sheet.data_first_row:
        i = row - sheet.data_first_row
        value = sheet.data.iat[i, j] if i < len(sheet.data) and 0 <= j < sheet.data.shape[1] else None
    else:
        i = row - sheet.first_row
        value = sheet.top[i][j] if 0 <= i < len(sheet.top) and 0 <= j < len(sheet.top[i]) else None
    return value if isinstance(value, str) else None


def open_copy(path: Path) -> Workbook:
    """The user's .xlsx/.xlsm opened to make a copy of: formulas replaced by their last computed
    values (nothing in the copy runs), no macros, no external links. Only after the file was read
    in the reader process."""
    return openpyxl.load_workbook(path, data_only=True, keep_vba=False, keep_links=False)


def marked_cells(sheet: RawSheet, issue: Issue) -> list[tuple[int, int]]:
    """The (row, column) cells, 1-based, that show ``issue``: its cell, or its row, or the header."""
    labels = header_labels(sheet)
    header_row = sheet.first_row + (sheet.header_rows[0] if sheet.header_rows else 0)
    first = sheet.first_col + 1
    if issue.column and issue.column in labels:
        col = first + labels.index(issue.column)
        return [(issue.row or header_row, col)]
    if issue.row is not None:
        width = max(len([l for l in labels if l]), 1)
        return [(issue.row, first + i) for i in range(width)]
    return [(header_row, first)]


def mark(ws: Worksheet, sheet: RawSheet, issue: Issue, lang: str) -> None:
    """Fill the issue's cells (red for errors, yellow for warnings) and comment the first one."""
    cells = marked_cells(sheet, issue)
    for row, col in cells:
        cell = ws.cell(row=row, column=col)
        if issue.severity == "error" or cell.fill != FILLS["error"]:
            cell.fill = FILLS[issue.severity]
    row, col = cells[0]
    cell = ws.cell(row=row, column=col)
    text = issue.message(lang)
    previous = cell.comment.text + "\n" if cell.comment else ""
    cell.comment = Comment(previous + text, "ytsupport", width=320, height=120)


def add_issue_sheet(wb: Workbook, issues: Iterable[Issue], lang: str) -> None:
    """A last sheet listing every issue: severity, sheet, row, column, code, message."""
    ws = wb.create_sheet(ISSUES_SHEET.get(lang, ISSUES_SHEET["vi"]))
    heads = [t(k, lang) for k in ("severity", "sheet", "row", "column", "code", "message")]
    for col, head in enumerate(heads, start=1):
        put(ws.cell(row=1, column=col), head).font = Font(bold=True)
    for r, issue in enumerate(issues, start=2):
        values = [t(f"sev_{issue.severity}", lang), issue.sheet, issue.row, issue.column, issue.code, issue.message(lang)]
        for col, value in enumerate(values, start=1):
            cell = put(ws.cell(row=r, column=col), value)
            if col == 1 and issue.severity in FILLS:
                cell.fill = FILLS[issue.severity]
    for col, width in enumerate((12, 18, 8, 28, 22, 100), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def rebuilt_workbook(raw: RawWorkbook) -> Workbook:
    """An .xlsx holding the cells of a .xls/.ods/.csv file at their original places."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in raw.sheets:
        ws = wb.create_sheet(sheet.name[:31])
        for i, row in enumerate(sheet.top):
            for j, value in enumerate(row):
                _write(ws, sheet.first_row + i, sheet.first_col + j + 1, value)
        if sheet.data is not None and sheet.data_first_row:
            for i, row in enumerate(sheet.data.itertuples(index=False)):
                for j, value in enumerate(row):
                    _write(ws, sheet.data_first_row + i, sheet.first_col + j + 1, value)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb


def _write(ws: Worksheet, row: int, col: int, value: object) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    put_text_as_written(ws.cell(row=row, column=col), value)


def marked_copy_of_upload(name: str, data: bytes, report: Report, lang: str = "vi") -> tuple[str, bytes]:
    """The marked-up copy of an uploaded file: (download name, .xlsx bytes). Reads in the worker."""
    import tempfile

    from .ingest.worker import read_isolated

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ytsupport-mark-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        content = marked_copy(path, report, read_isolated(path), lang)
    return marked_copy_name(name, lang), content


def marked_copy_name(name: str, lang: str = "vi") -> str:
    """The download name of the marked-up copy of the uploaded file ``name``."""
    return f"{Path(name).stem} - {'danh dau loi' if lang == 'vi' else 'marked'}.xlsx"
