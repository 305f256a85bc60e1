"""The marked-up copy: fills and comments exactly where the issues are, plus a sheet listing them."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from tests.workbooks import ACTIVITY_HEADERS, activity, write_report_workbook
from ytsupport.ingest.validate import validate_file
from ytsupport.ingest.worker import read_isolated
from ytsupport.markup import marked_copy


def copy_of(path: Path, lang: str = "vi") -> openpyxl.Workbook:
    report = validate_file(path)
    return openpyxl.load_workbook(io.BytesIO(marked_copy(path, report, read_isolated(path), lang))), report


def test_error_and_warning_cells_are_filled_and_commented(tmp_path: Path) -> None:
    rows = [activity(), activity(n=2, people=-5, disabled=0, orphans=0, elderly=0), activity(n=3, day="02/07/2021")]
    path = write_report_workbook(tmp_path / "r.xlsx", activities=rows, title=["BÁO CÁO THÁNG 6/2021"])
    wb, report = copy_of(path)
    ws = wb["HoatDong"]
    people_col = ACTIVITY_HEADERS.index("Số người được hỗ trợ") + 1
    date_col = ACTIVITY_HEADERS.index("Ngày thực hiện") + 1
    bad, late = ws.cell(row=5, column=people_col), ws.cell(row=6, column=date_col)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "số âm" in bad.comment.text
    assert late.fill.fgColor.rgb.endswith("FFEB9C") and late.comment is not None
    clean = ws.cell(row=4, column=people_col)
    assert clean.comment is None and not clean.fill.fgColor.rgb.endswith("FFC7CE")
    listed = [row for row in wb["Các vấn đề"].iter_rows(min_row=2, values_only=True)]
    assert ("Lỗi", "HoatDong", 5, "Số người được hỗ trợ", "negative_number") in [r[:5] for r in listed]
    assert len(listed) == len(report.issues)


def test_csv_copy_is_rebuilt_as_xlsx_with_marks(tmp_path: Path) -> None:
    path = tmp_path / "2021-06_bhxh.csv"
    path.write_text(",".join(ACTIVITY_HEADERS) + "\n1,31/02/2021,Vui chơi,,,,10,,,,,,\n", encoding="utf-8")
    wb, _ = copy_of(path, "en")
    ws = wb[wb.sheetnames[0]]
    assert ws.cell(row=1, column=2).value == "Ngày thực hiện"
    cell = ws.cell(row=2, column=2)
    assert cell.value == "31/02/2021" and cell.fill.fgColor.rgb.endswith("FFC7CE") and "not a valid date" in cell.comment.text
    assert "Issues" in wb.sheetnames


def test_formulas_in_the_upload_do_not_survive_into_the_copy(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity(people=-1, disabled=0, orphans=0, elderly=0)])
    wb = openpyxl.load_workbook(path)
    wb["HoatDong"]["M2"] = '=HYPERLINK("http://example.invalid","x")'
    wb.save(path)
    copy, _ = copy_of(path)
    assert all(c.data_type != "f" for ws in copy.worksheets for row in ws.iter_rows() for c in row)
