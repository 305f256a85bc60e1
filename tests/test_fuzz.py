"""Property-based fuzzing of the loader with random workbooks (hypothesis + openpyxl).

Random sheets (real and junk names), title rows, headers drawn from the real header names and
junk, data cells of every type (text, long text, numbers, dates, booleans, blanks, formula text),
merged cells and blank rows go through ``validate_raw(read_in_process(path))`` (no worker, for
speed) and a few through ``validate_file``. Nothing may escape; the status is ok / invalid /
unreadable; every issue has a message in Vietnamese and English; every row number is a row of
its sheet. Bounded: ~60 examples, well under a minute. With ``CI=true`` the examples are
derandomised (the same every run); elsewhere each run explores new ones.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workbooks import ACTIVITY_HEADERS, BENEFICIARY_HEADERS, RESOURCE_HEADERS
from ytsupport.ingest.records import Report
from ytsupport.ingest.validate import validate_file, validate_raw
from ytsupport.ingest.worker import read_in_process
from ytsupport.settings import Limits

CI = os.environ.get("CI", "").strip().lower() == "true"
LIMITS = Limits(worker_timeout_s=20.0)
SHEET_NAMES = ["HoatDong", "DoiTuong", "NguonLuc", "ThongTin", "Hoạt động", "HOAT DONG", "DS đối tượng",
               "Nguồn lực", "Vận động nguồn lực", "Sheet1", "Huong dan", "Danh mục"]
HEADERS = ACTIVITY_HEADERS + BENEFICIARY_HEADERS + RESOURCE_HEADERS + [
    "Trong đó", "Khuyết tật", "Kinh phí (nghìn đồng)", "NGAY THUC HIEN", "so nguoi duoc ho tro", "Tổng cộng"]
WORDS = ["Khám bệnh, phát thuốc", "Tặng quà", "Huyện Trà Cú", "TP Trà Vinh", "Duyên Hải", "Thuốc", "x", "có",
         "không", "1.500.000", "1,5 triệu", "2,5", "100 người", "05/06/2021", "31/02/2021", "2021-06-05", "Cộng",
         "Tổng cộng", "Ví dụ", "Nam", "Nữ", "Trẻ em mồ côi; Khuyết tật", "Trung tâm BTXH", "Đoàn cơ sở Bệnh viện Đa khoa tỉnh",
         "THÁNG 6/2021", "tháng 13/2021", "#N/A", "=SUM(A1:A3)", "=1/0", "@x", "-5", "1e308", "NaN"]
SETTINGS = dict(max_examples=60, deadline=None, derandomize=CI, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

safe_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
cell_values = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    safe_text,
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=300, max_size=3000),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 12, 31)),
    st.booleans(),
    st.sampled_from(["=SUM(A1:A3)", "=HYPERLINK(\"http://x\",\"y\")", "=1/0", "=NOW()", "=A1"]),
)
sheet_titles = st.one_of(st.sampled_from(SHEET_NAMES),
                         st.text(st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")),
                                 min_size=1, max_size=31).filter(lambda s: s.strip() == s and s != "History"))


@st.composite
def sheet_specs(draw: Any) -> dict[str, Any]:
    width = draw(st.integers(min_value=1, max_value=14))
    header = draw(st.one_of(  # a real sheet's header (often), or a mix of real and junk labels
        st.sampled_from([ACTIVITY_HEADERS, BENEFICIARY_HEADERS, RESOURCE_HEADERS]).map(list),
        st.lists(st.one_of(st.sampled_from(HEADERS), safe_text, st.none()), min_size=width, max_size=width)))
    width = len(header)
    rows = draw(st.lists(st.lists(cell_values, min_size=0, max_size=width + 2), max_size=25))
    return {
        "title": draw(st.lists(st.sampled_from(WORDS + ["BÁO CÁO KẾT QUẢ THÁNG 6/2021", "Kính gửi: Ban Thường vụ"]),
                               max_size=3)),
        "blank_rows": draw(st.integers(min_value=0, max_value=2)),
        "header": header,
        "two_row_header": draw(st.booleans()),
        "rows": rows,
        "merges": draw(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 15), st.integers(0, 2), st.integers(0, 3)),
                                max_size=3)),
        "first_col": draw(st.integers(min_value=1, max_value=3)),
    }


@st.composite
def workbooks(draw: Any) -> list[tuple[str, dict[str, Any]]]:
    names = draw(st.lists(sheet_titles, min_size=1, max_size=3, unique_by=lambda s: s.lower()))
    return [(name, draw(sheet_specs())) for name in names]


def write_workbook(path: Path, sheets: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Write the drawn workbook; returns each sheet's last row (openpyxl's max_row)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, spec in sheets:
        ws = book.create_sheet(name)
        row = 1
        for line in spec["title"]:
            ws.cell(row=row, column=spec["first_col"], value=line)
            row += 1
        row += spec["blank_rows"]
        if spec["two_row_header"]:
            ws.cell(row=row, column=spec["first_col"], value="Trong đó")
            row += 1
        for j, label in enumerate(spec["header"]):
            ws.cell(row=row, column=spec["first_col"] + j, value=label)
        for values in spec["rows"]:
            row += 1
            for j, value in enumerate(values):
                ws.cell(row=row, column=spec["first_col"] + j, value=value)
        for r, c, down, across in spec["merges"]:
            if down or across:
                try:
                    ws.merge_cells(start_row=r, start_column=c, end_row=r + down, end_column=c + across)
                except ValueError:
                    pass
    book.save(path)
    return {ws.title: ws.max_row for ws in book.worksheets}


def check(report: Report, last_rows: dict[str, int]) -> None:
    assert report.status in ("ok", "invalid", "unreadable")
    if report.status != "ok":
        assert report.errors
    for issue in report.issues:
        assert issue.message("vi").strip() and issue.message("en").strip()
        if issue.row is not None:
            assert issue.sheet in last_rows, issue
            assert 1 <= issue.row <= last_rows[issue.sheet], (issue, last_rows)


@settings(**SETTINGS)
@given(workbooks())
def test_random_workbooks_read_in_process(sheets: list[tuple[str, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bv_da_khoa_2021_06.xlsx"
        last_rows = write_workbook(path, sheets)
        report = validate_raw(read_in_process(path, LIMITS), path, limits=LIMITS)
        check(report, last_rows)


@settings(**{**SETTINGS, "max_examples": 6})
@given(workbooks())
def test_random_workbooks_through_the_worker(sheets: list[tuple[str, dict[str, Any]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        last_rows = write_workbook(path, sheets)
        check(validate_file(path, unit="bv_da_khoa", period="2021-06", limits=LIMITS), last_rows)
