"""A Unicode copy of a workbook typed in TCVN3 (ABC) or VNI-Windows: ``python -m ytsupport convert``.

Every text cell typed in a legacy encoding is converted to Unicode (``ytsupport.legacy``) and its
font becomes a Unicode one; every other value stays as it was (a formula, as in the marked-up
copy, by its last computed value: nothing in a copy runs). An .xlsx/.xlsm keeps its layout
(styles, merged cells, widths: it is the user's own workbook, opened with openpyxl, and its
fonts serve as hints); an .xls/.ods/.csv becomes an .xlsx of its cells. The file is first
pre-checked and read in a reader process, as an upload is, so a file that cannot be read comes
back as ``unreadable`` with the same message as ``validate`` gives.
"""
from __future__ import annotations

import io
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine
from openpyxl.workbook.workbook import Workbook

from .ingest.encoding import convert_all_rows
from .ingest.records import Issue, RawSheet, RawWorkbook
from .ingest.precheck import precheck
from .ingest.read import (EXCEL_FORMATS, csv_rows, decode_text, file_format, is_catchable, size_issue,
                          unreadable_issue)
from .ingest.repair import read_with_repair
from .ingest.worker import ReaderPool
from .legacy import SheetConverter, Tally
from .markup import open_copy, rebuilt_workbook, unicode_font
from .settings import Limits, get_settings

OPENPYXL_FORMATS = frozenset({"xlsx", "xlsm"})


@dataclass
class Converted:
    """The outcome of a conversion: ``status`` "ok" or "unreadable", the copy's bytes when ok,
    what was converted per sheet, and the issues that stopped it."""

    status: str
    content: bytes | None = None
    sheets: dict[str, Tally] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return sum(t.converted for t in self.sheets.values())


# --------------------------------------------------------------------------- in the reader process

def read_all_cells(path: Path, limits: Limits) -> RawWorkbook:
    """Every cell of every sheet (``RawSheet.top`` holds all rows), legacy text converted.

    Runs in the reader process; never raises for a bad file (an ``unreadable`` issue instead).
    """
    return read_with_repair(Path(path), lambda p: _all_cells(p, limits))


def _all_cells(path: Path, limits: Limits) -> RawWorkbook:
    fmt = file_format(path)
    try:
        if fmt == "csv":
            rows = csv_rows(decode_text(path.read_bytes())[0], limits)
            too_big = size_issue(path.stem, len(rows), max((len(r) for r in rows), default=0), limits)
            if too_big is not None:
                return RawWorkbook(str(path), fmt, issues=[too_big])
            legacy = convert_all_rows(rows)
            return RawWorkbook(str(path), fmt, sheets=[RawSheet(path.stem, [list(r) for r in rows], legacy=legacy)])
        if fmt in EXCEL_FORMATS:
            return _excel_cells(path, fmt, limits)
        issue = Issue(None, None, None, "unsupported_format", "error", {"extension": f".{fmt}",
                      "detail": f"files ending in .{fmt} are not accepted"})
    except BaseException as exc:  # noqa: BLE001 - as read_workbook_rows: Rust panics are BaseExceptions
        if not is_catchable(exc):
            raise
        issue = unreadable_issue(exc)
    return RawWorkbook(str(path), fmt, issues=[issue])


def _excel_cells(path: Path, fmt: str, limits: Limits) -> RawWorkbook:
    book = calamine.CalamineWorkbook.from_path(str(path))
    result = RawWorkbook(str(path), fmt)
    try:
        for meta in book.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.start is None:
                result.sheets.append(RawSheet(meta.name, []))
                continue
            too_big = size_issue(meta.name, sheet.height, sheet.width, limits)
            if too_big is not None:
                result.issues.append(too_big)
                continue
            rows = [list(r) for r in sheet.to_python(skip_empty_area=True)]
            first_row, first_col = sheet.start[0] + 1, sheet.start[1]
            legacy = convert_all_rows(rows, first_row, first_col)
            result.sheets.append(RawSheet(meta.name, rows, first_row=first_row, first_col=first_col, legacy=legacy))
    finally:
        book.close()
    return result


# --------------------------------------------------------------------------- in the caller's process

_pool: ReaderPool | None = None
_pool_lock = threading.Lock()


def _reader() -> ReaderPool:
    """The reader processes of conversions (one at a time), started on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            import atexit

            _pool = ReaderPool(1, target=read_all_cells)
            atexit.register(_pool.close)
        return _pool


def convert_file(path: Path, limits: Limits | None = None) -> Converted:
    """The Unicode copy of ``path`` as .xlsx bytes (see the module docstring); never raises for a bad file."""
    path = Path(path)
    limits = limits or get_settings().limits
    issues = precheck(path, limits)
    if any(i.severity == "error" for i in issues):
        return Converted("unreadable", issues=issues)
    raw = _reader().read(path, limits)
    issues = issues + raw.issues
    if any(i.severity == "error" for i in issues):
        return Converted("unreadable", issues=issues)
    if file_format(path) in OPENPYXL_FORMATS:
        try:
            wb = open_copy(path)
            sheets = convert_openpyxl(wb)
            return Converted("ok", _saved(wb), sheets, issues)
        except Exception:  # noqa: BLE001 - a workbook openpyxl cannot open is rebuilt from its cells
            pass
    wb = rebuilt_workbook(raw)
    sheets = {s.name: s.legacy for s in raw.sheets if s.legacy is not None}
    for name, tally in sheets.items():
        for row, col in tally.cells:
            cell = wb[name[:31]].cell(row=row, column=col)
            cell.font = unicode_font(cell.font)
    return Converted("ok", _saved(wb), sheets, issues)


def convert_openpyxl(wb: Workbook) -> dict[str, Tally]:
    """Convert the legacy text cells of an openpyxl workbook in place, their fonts made Unicode.

    Each cell's font name is the converter's hint (`.VnTimeH` also restores capitals). Returns
    what was converted, per sheet that had any.
    """
    done: dict[str, Tally] = {}
    for ws in wb.worksheets:
        cells = [c for row in ws.iter_rows() for c in row if c.data_type == "s" and isinstance(c.value, str) and c.value]
        converter = SheetConverter()
        out = converter.convert([c.value for c in cells], [(c.row, c.column) for c in cells],
                                [c.font.name if c.font is not None else None for c in cells])
        for cell, text in zip(cells, out):
            if text is not None:
                cell.value = text
                cell.font = unicode_font(cell.font)
        if converter.tally.converted:
            done[ws.title] = converter.tally
    return done


def _saved(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def converted_upload(name: str, data: bytes) -> tuple[str, bytes] | None:
    """The Unicode copy of an uploaded file: (download name, .xlsx bytes), or None when unreadable."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ytsupport-convert-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        result = convert_file(path)
    if result.content is None:
        return None
    return f"{Path(name).stem} - Unicode.xlsx", result.content
