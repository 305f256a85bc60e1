"""Formula injection through the marked-up copy (``ytsupport.markup.marked_copy``) and ``inert``.

Donor names, notes and activity titles of an uploaded file carry spreadsheet payloads. The copy
sent back to the user must hold no formula cell: the user's own cells keep their text as the
user wrote it, written as strings; a formula the user's file really held is replaced by its cached
value; our own cells (the issues sheet) go through ``inert``. Other exports (report
xlsx/docx/html/pdf) are tested in tests/test_report.py.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import RESOURCE_HEADERS, activity, resource, write_report_workbook
from ytsupport.ingest.validate import validate_file
from ytsupport.ingest.worker import read_isolated
from ytsupport.markup import marked_copy
from ytsupport.report.safe import FORMULA_TRIGGERS, inert, is_inert, put

PAYLOADS = ("=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "@SUM(1,1)", "+1+1", "-1+1",
            "\t=1+1", "\r=1+1", "=1+1\n=2+2")
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[\s>/]")


# --------------------------------------------------------------------------- inert and put

@pytest.mark.parametrize("payload", PAYLOADS)
def test_inert_prefixes_every_trigger(payload: str) -> None:
    safe = inert(payload)
    assert safe == "'" + payload and is_inert(safe) and not is_inert(payload)


@pytest.mark.parametrize("value", ["Công ty A", "1.500.000", 12, 3.5, None, date(2021, 6, 5), "", "'=x"])
def test_inert_leaves_harmless_values_alone(value: object) -> None:
    assert inert(value) == value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_put_writes_a_string_cell_that_stays_one(payload: str) -> None:
    book = openpyxl.Workbook()
    cell = put(book.active.cell(row=1, column=1), payload)
    assert cell.data_type == "s"
    data = _saved(book)
    assert not _formula_cells(data)
    again = openpyxl.load_workbook(io.BytesIO(data)).active["A1"]
    assert again.data_type == "s" and again.value.startswith("'")
    if "\r" not in payload:  # a CR is written as a line break by openpyxl
        assert again.value == "'" + payload


# --------------------------------------------------------------------------- the marked-up copy

def _saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formula_cells(xlsx: bytes) -> list[str]:
    """Every cell openpyxl sees as a formula, and any <f> element in the sheet XML."""
    found = [f"{ws.title}!{c.coordinate}" for ws in openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets
             for row in ws.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        found += [n for n in archive.namelist() if n.startswith("xl/worksheets/") and FORMULA_XML.search(archive.read(n))]
    return found


def _texts(xlsx: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _as_text(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    """Make every text cell that openpyxl took for a formula a string cell again (as a user's typed text is)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def payload_report(path: Path, real_formulas: bool = False) -> Path:
    """A report whose donors, notes and titles are the payloads, with one error so that cells get marked.

    With ``real_formulas`` the donor cells are real formulas (no cached value) instead of text.
    """
    resources = [resource(donor=p, n=i + 1) for i, p in enumerate(PAYLOADS)]
    for row, payload in zip(resources, PAYLOADS):
        row[-1] = payload  # Ghi chú (notes)
    resources.append(resource(quantity=-5, n=len(PAYLOADS) + 1))  # an error: the copy marks it
    activities = [activity(n=i + 1) for i in range(len(PAYLOADS))]
    for row, payload in zip(activities, PAYLOADS):
        row[3] = payload  # Nội dung hoạt động (title)
        row[-1] = payload  # Ghi chú
    write_report_workbook(path, activities=activities, resources=resources)
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        _as_text(ws)
    if real_formulas:
        donor = RESOURCE_HEADERS.index("Nhà tài trợ") + 1
        for r in range(2, 2 + len(PAYLOADS)):
            cell = book["NguonLuc"].cell(row=r, column=donor)
            if cell.value.startswith("="):
                cell.data_type = "f"
    book.save(path)
    return path


def _copy(path: Path) -> bytes:
    report = validate_file(path)
    assert report.status == "invalid", [i.code for i in report.errors]
    return marked_copy(path, report, read_isolated(path))


def test_xlsx_copy_keeps_the_users_text_as_strings(tmp_path: Path) -> None:
    copy = _copy(payload_report(tmp_path / "bv_da_khoa_2021_06.xlsx"))
    assert _formula_cells(copy) == []
    assert set(PAYLOADS) - {"\r=1+1"} <= _texts(copy)  # openpyxl itself reads a lone CR back as a line break


def test_xlsx_copy_replaces_real_formulas_by_their_cached_values(tmp_path: Path) -> None:
    path = payload_report(tmp_path / "bv_da_khoa_2021_06.xlsx", real_formulas=True)
    assert any(c.data_type == "f" for row in openpyxl.load_workbook(path)["NguonLuc"].iter_rows() for c in row)
    copy = _copy(path)
    assert _formula_cells(copy) == []


def test_rebuilt_copy_of_a_csv_holds_no_formula(tmp_path: Path) -> None:
    path = tmp_path / "bv_da_khoa_2021_06.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(RESOURCE_HEADERS)
        for i, payload in enumerate(PAYLOADS, start=1):
            row = resource(donor=payload, n=i)
            row[-1] = payload
            writer.writerow(row)
        writer.writerow(resource(quantity=-5, n=99))
    report = validate_file(path, unit="bv_da_khoa", period="2021-06")
    copy = marked_copy(path, report, read_isolated(path))
    assert _formula_cells(copy) == []
    texts = _texts(copy)
    for payload in PAYLOADS:
        assert payload in texts, payload  # the user's text exactly, no quote added


def test_rebuilt_copy_keeps_the_users_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "bv_da_khoa_2021_06.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(RESOURCE_HEADERS)
        for i, payload in enumerate(PAYLOADS[:5], start=1):
            writer.writerow(resource(donor=payload, n=i))
    report = validate_file(path, unit="bv_da_khoa", period="2021-06")
    texts = _texts(marked_copy(path, report, read_isolated(path)))
    assert set(PAYLOADS[:5]) <= texts


def test_issue_sheet_cells_are_inert(tmp_path: Path) -> None:
    """Our own cells (the issues sheet) quote what the user wrote: none may start a formula."""
    copy = _copy(payload_report(tmp_path / "bv_da_khoa_2021_06.xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(copy))
    issues = book.worksheets[-1]
    assert issues.max_row > 1
    for row in issues.iter_rows():
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS)), cell.value
