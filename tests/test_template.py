"""The blank report template (`ytsupport.template`): sheets, headers, dropdowns, example rows, round trip."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.utils import get_column_letter, range_boundaries

from ytsupport.settings import REFERENCE_DIR
from ytsupport.template import write_template

DATA_SHEETS = {"activities": "HoatDong", "beneficiaries": "DoiTuong", "resources": "NguonLuc"}


def _yaml(name: str) -> Any:
    return yaml.safe_load((REFERENCE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "mau_bao_cao.xlsx")


@pytest.fixture(scope="module")
def wb(template_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_path)


def _list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """The values of a ``DanhMuc!$A$2:$A$13`` range."""
    sheet, ref = formula.lstrip("=").split("!")
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    ws = wb[sheet]
    return [ws.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def _validation_for(ws: Any, letter: str) -> Any:
    """The list validation covering row 2 of a column, or None."""
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and f"{letter}2" in dv.sqref:
            return dv
    return None


def test_sheets_in_order_with_hidden_lists(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["ThongTin", "HoatDong", "DoiTuong", "NguonLuc", "HuongDan", "DanhMuc"]
    assert wb["DanhMuc"].sheet_state == "hidden"
    assert all(wb[name].sheet_state == "visible" for name in wb.sheetnames if name != "DanhMuc")


@pytest.mark.parametrize("kind", list(DATA_SHEETS))
def test_headers_are_stt_then_reference_headers(wb: openpyxl.Workbook, kind: str) -> None:
    expected = ["STT"] + [c["header_vi"] for c in _yaml("sheets")[kind]["columns"]]
    ws = wb[DATA_SHEETS[kind]]
    assert [c.value for c in ws[1]] == expected


@pytest.mark.parametrize("sheet", list(DATA_SHEETS.values()))
def test_headers_bold_wrapped_and_frozen(wb: openpyxl.Workbook, sheet: str) -> None:
    ws = wb[sheet]
    assert all(c.font.bold and c.alignment.wrap_text for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert all((ws.column_dimensions[c.column_letter].width or 0) >= 7 for c in ws[1])


@pytest.mark.parametrize("sheet", list(DATA_SHEETS.values()))
def test_example_row_marked_vi_du(wb: openpyxl.Workbook, sheet: str) -> None:
    ws = wb[sheet]
    assert ws["A2"].value == "Ví dụ"
    assert ws.max_row == 2  # one example row, nothing else


def test_example_checkup_at_the_centre(wb: openpyxl.Workbook) -> None:
    ws = wb["HoatDong"]
    row = {h.value: c.value for h, c in zip(ws[1], ws[2])}
    assert row["Loại hoạt động"] == "Khám bệnh, phát thuốc"
    assert row["Địa điểm"] == "Trung tâm Bảo trợ xã hội tỉnh"
    assert row["Ngày thực hiện"] == datetime(2021, 6, 15)
    for key in ("Trong đó: Người khuyết tật", "Trong đó: Trẻ mồ côi", "Trong đó: Người già neo đơn"):
        assert row[key] <= row["Số người được hỗ trợ"]


@pytest.mark.parametrize("kind", list(DATA_SHEETS))
def test_example_row_fills_every_required_column(wb: openpyxl.Workbook, kind: str) -> None:
    ws = wb[DATA_SHEETS[kind]]
    row = {h.value: c.value for h, c in zip(ws[1], ws[2])}
    for column in _yaml("sheets")[kind]["columns"]:
        if column["required"]:
            assert row[column["header_vi"]] not in (None, ""), column["header_vi"]


LISTS = {"code:activity_types": "activity_types", "code:resource_items": "resource_items",
         "code:donor_types": "donor_types", "categories": "beneficiary_categories", "code:sex": "sex"}


@pytest.mark.parametrize("kind", list(DATA_SHEETS))
def test_coded_columns_have_dropdowns_from_danhmuc(wb: openpyxl.Workbook, kind: str) -> None:
    ws = wb[DATA_SHEETS[kind]]
    vocab, districts = _yaml("vocabularies"), _yaml("districts")["districts"]
    for col, column in enumerate(_yaml("sheets")[kind]["columns"], start=2):
        letter = get_column_letter(col)
        dv = _validation_for(ws, letter)
        kind_of = column["type"]
        if kind_of in LISTS:
            expected = [e["label_vi"] for e in vocab[LISTS[kind_of]]]
        elif kind_of == "district":
            expected = [d["label_vi"] for d in districts]
        elif kind_of == "yes_no":
            expected = ["Có", "Không"]
        else:
            assert dv is None, column["header_vi"]
            continue
        assert dv is not None, column["header_vi"]
        assert dv.formula1.lstrip("=").startswith("DanhMuc!")
        assert _list_values(wb, dv.formula1) == expected


def test_dropdowns_cover_many_rows(wb: openpyxl.Workbook) -> None:
    dv = _validation_for(wb["HoatDong"], "C")
    _, _, _, max_row = range_boundaries(str(dv.sqref))
    assert max_row >= 500


def test_thongtin_labels_and_unit_dropdown(wb: openpyxl.Workbook) -> None:
    ws = wb["ThongTin"]
    assert [ws.cell(row=r, column=1).value for r in range(1, 5)] == ["Đơn vị", "Tháng báo cáo", "Người lập", "Ngày lập"]
    assert all(ws.cell(row=r, column=2).value is None for r in range(1, 5))
    unit_dv = next(d for d in ws.data_validations.dataValidation if d.type == "list" and "B1" in d.sqref)
    names = [u["name_vi"] for u in _yaml("units_2021")["units"]]
    assert _list_values(wb, unit_dv.formula1) == names
    assert ws.max_column <= 2  # hints are input messages, not cells beside the values


def test_date_and_number_formats(wb: openpyxl.Workbook) -> None:
    acts = wb["HoatDong"]
    assert acts.column_dimensions["B"].number_format == "dd/mm/yyyy"
    assert acts["B2"].number_format == "dd/mm/yyyy"
    headers = {c.value: c.column_letter for c in acts[1]}
    for header in ("Số người được hỗ trợ", "Kinh phí (đồng)", "Trong đó: Trẻ mồ côi"):
        assert acts.column_dimensions[headers[header]].number_format == "#,##0"
    res = wb["NguonLuc"]
    headers = {c.value: c.column_letter for c in res[1]}
    assert res.column_dimensions[headers["Giá trị quy đổi (đồng)"]].number_format == "#,##0"
    assert res.column_dimensions[headers["Ngày tiếp nhận"]].number_format == "dd/mm/yyyy"
    assert wb["ThongTin"]["B4"].number_format == "dd/mm/yyyy"


def test_help_sheet_describes_every_column(wb: openpyxl.Workbook) -> None:
    ws = wb["HuongDan"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    listed = [row[0].value for row in ws.iter_rows()]
    for kind, sheet in DATA_SHEETS.items():
        assert sheet in text
        for column in _yaml("sheets")[kind]["columns"]:
            assert column["header_vi"] in listed
    for phrase in ("dd/mm/yyyy", "đồng", "Ví dụ", "ngày 10", "Bắt buộc", "Không bắt buộc", "Khám bệnh, phát thuốc"):
        assert phrase in text


def test_english_template_keeps_vietnamese_headers(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "template_en.xlsx", lang="en"))
    assert wb["HuongDan"]["A1"].value.startswith("HOW TO FILL IN")
    assert wb["HoatDong"]["B1"].value == "Ngày thực hiện"
    assert wb["HoatDong"]["B1"].comment.text == "Date"
    assert wb["ThongTin"]["A1"].value == "Đơn vị"


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_template(tmp_path / "x.xlsx", lang="fr")


def test_template_bytes_are_stable(tmp_path: Path, template_path: Path) -> None:
    again = write_template(tmp_path / "again.xlsx")
    assert again.read_bytes() == template_path.read_bytes()


def test_returns_the_path_and_creates_folders(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "t.xlsx"
    assert write_template(out) == out and out.is_file()


# --------------------------------------------------------------------------- round trip

def _fill(template: Path, out: Path) -> Path:
    """A unit's copy of the template: ThongTin filled, the example rows kept, a few data rows."""
    wb = openpyxl.load_workbook(template)
    info = wb["ThongTin"]
    info["B1"], info["B2"], info["B3"] = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh", "6/2021", "Nguyễn Văn Bình"
    info["B4"] = datetime(2021, 7, 3)
    rows = {
        "HoatDong": [[1, datetime(2021, 6, 12), "Khám bệnh, phát thuốc", "Khám, phát thuốc miễn phí",
                      "Trung tâm Bảo trợ xã hội tỉnh", None, 108, 40, 22, 31, 14, 9_500_000, None],
                     [2, datetime(2021, 6, 26), "Vui chơi, giải trí", "Sinh hoạt vui chơi", "TT BTXH tỉnh", None,
                      52, 20, 25, None, 8, 2_000_000, None]],
        "DoiTuong": [[1, None, "Trần Thị Hoa", 2011, "Nữ", "Người khuyết tật; Trẻ em mồ côi", "Càng Long",
                      "Xã An Trường", "Xe lăn", datetime(2021, 6, 9), "Có", "Có"],
                     [2, None, "Thạch Sô Phal", 1950, "Nam", "Người cao tuổi neo đơn", "Trà Cú", "Xã Đại An",
                      None, datetime(2021, 6, 9), "Không", "Có"]],
        "NguonLuc": [[1, datetime(2021, 6, 5), "Công ty TNHH Dược phẩm Phúc Hưng", "Doanh nghiệp", "Thuốc",
                      "Thuốc thông thường", 120, "suất", 12_000_000, "Trung tâm Bảo trợ xã hội tỉnh", None]],
    }
    for sheet, data in rows.items():
        for offset, row in enumerate(data):
            for col, value in enumerate(row, start=1):
                cell = wb[sheet].cell(row=3 + offset, column=col, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "dd/mm/yyyy"
    wb.save(out)
    return out


def test_filled_template_validates_without_errors_or_warnings(template_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SECRET", "test-secret")
    from ytsupport.ingest.validate import validate_file

    report = validate_file(_fill(template_path, tmp_path / "bao_cao.xlsx"))
    problems = [(i.sheet, i.row, i.column, i.code) for i in report.issues if i.severity in ("error", "warning")]
    assert problems == []
    assert report.status == "ok"
    assert (report.unit, report.period) == ("bv_da_khoa", "2021-06")
    rows = {s.name: s.rows_read for s in report.sheets}
    assert rows == {"HoatDong": 2, "DoiTuong": 2, "NguonLuc": 1}
    skipped = {(i.sheet, i.row) for i in report.issues if i.code == "skipped_row"}
    assert {("HoatDong", 2), ("DoiTuong", 2), ("NguonLuc", 2)} <= skipped  # the "Ví dụ" rows


def test_blank_template_with_unit_and_month_is_a_nil_report(template_path: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SECRET", "test-secret")
    from ytsupport.ingest.validate import validate_file

    wb = openpyxl.load_workbook(template_path)
    wb["ThongTin"]["B1"], wb["ThongTin"]["B2"] = "Chi đoàn Sở Y tế", "Tháng 8 năm 2021"
    wb.save(tmp_path / "nil.xlsx")
    report = validate_file(tmp_path / "nil.xlsx")
    assert [i.code for i in report.issues if i.severity != "info"] == []
    assert (report.status, report.unit, report.period) == ("ok", "so_y_te", "2021-08")
    assert all(s.rows_read == 0 for s in report.sheets)

