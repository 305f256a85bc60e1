"""Old office files: TCVN3 / VNI-Windows workbooks read as Unicode, the convert command, and the
marked-up copy. The workbooks are written with the published tables of ``tests/legacy_text.py``."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pandas as pd
import pytest
import xlwt
from openpyxl.styles import Font

from tests.hostile import cp1258
from tests.legacy_text import ENCODERS
from tests.workbooks import (
    ACTIVITY_HEADERS,
    BENEFICIARY_HEADERS,
    RESOURCE_HEADERS,
    activity,
    person,
    resource,
    write_report_workbook,
)
from ytsupport.convert import convert_file, converted_upload
from ytsupport.ingest.records import Report
from ytsupport.ingest.validate import validate_file
from ytsupport.legacy import UNICODE_FONT
from ytsupport.markup import CONVERTED_FILL, marked_copy_of_upload
from ytsupport.template import write_template

ROOT = Path(__file__).resolve().parent.parent
FONTS = {"tcvn3": ".VnTime", "vni": "VNI-Times"}

# A free layout: a list an office keeps, not a report (title, a table, notes, numbers, dates).
FREE_LAYOUT = [
    ["DANH SÁCH HỘ NGHÈO XÃ PHƯỚC HƯNG NĂM 2021"],
    [],
    ["STT", "Họ và tên chủ hộ", "Địa chỉ", "Số khẩu", "Ngày điều tra", "Ghi chú"],
    [1, "Thạch Thị Sa Rết", "Ấp Chợ, xã Phước Hưng", 4, datetime(2021, 3, 2), "Hộ có người khuyết tật"],
    [2, "Nguyễn Văn Cường", "Khóm 3, thị trấn Trà Cú", 5, datetime(2021, 3, 4), "Được hỗ trợ 1.500.000 đồng"],
    [3, "Lê Thị Hương", "Ấp Trà Sất, xã Long Hiệp", 2, datetime(2021, 3, 9), "Người già neo đơn, sống một mình"],
    [4, "Trần Quốc Thắng", "Ấp Giồng Lớn", 6, datetime(2021, 3, 12), "Cần thẻ bảo hiểm y tế"],
    [],
    ["Người lập biểu", None, None, "Trà Cú, ngày 15 tháng 3 năm 2021"],
]


def _encoded(rows: list[list[Any]], encode: Callable[[str], str]) -> list[list[Any]]:
    return [[encode(v) if isinstance(v, str) else v for v in row] for row in rows]


def legacy_report(path: Path, encoding: str) -> Path:
    """The monthly report in the template's layout, every text typed in ``encoding``."""
    enc = ENCODERS[encoding]
    e = lambda row: [enc(v) if isinstance(v, str) else v for v in row]  # noqa: E731
    return write_report_workbook(
        path, activities=[e(activity()), e(activity(kind="Thăm, tặng quà", cost="1.500.000 đ", day="07/06/2021",
                                                   place="Xã Phước Hưng", district="Huyện Trà Cú", n=2))],
        beneficiaries=[e(person())], resources=[e(resource())],
        unit=enc("Đoàn cơ sở Bệnh viện Đa khoa tỉnh"), period=enc("Tháng 6 năm 2021"),
        title=[enc("BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THÁNG 6/2021")],
        headers={"activities": e(ACTIVITY_HEADERS), "beneficiaries": e(BENEFICIARY_HEADERS),
                 "resources": e(RESOURCE_HEADERS)})


def _same_text(got: Any, want: Any, encoding: str) -> bool:
    if isinstance(want, str) and isinstance(got, str) and encoding == "tcvn3":
        return got.lower() == want.lower()  # TCVN3 has no capital toned letters
    return got == want


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_report_reads_like_its_unicode_original(tmp_path: Path, encoding: str) -> None:
    report = validate_file(legacy_report(tmp_path / f"{encoding}.xlsx", encoding))
    assert report.status == "ok", [i.message() for i in report.errors]
    assert (report.unit, report.period) == ("bv_da_khoa", "2021-06")
    acts = report.frames["activities"]
    assert acts["activity_type"].tolist() == ["kham_benh", "tham_tang_qua"]
    assert [d.date() for d in pd.to_datetime(acts["date"])] == [date(2021, 6, 5), date(2021, 6, 7)]
    assert acts["cost_vnd"].tolist() == [5_000_000, 1_500_000]
    assert acts["district"].tolist() == ["tp_tra_vinh", "tra_cu"] and acts["at_centre"].tolist() == [True, False]
    assert report.frames["resources"]["value_vnd"].tolist() == [1_500_000]
    assert report.frames["beneficiaries"]["categories"].tolist() == ["mo_coi"]
    legacy = [i for i in report.issues if i.code == "legacy_encoding"]
    assert sorted(i.sheet for i in legacy) == ["DoiTuong", "HoatDong", "NguonLuc", "ThongTin"]
    assert all(i.severity == "warning" and i.row is None for i in legacy)
    message = next(i for i in legacy if i.sheet == "HoatDong").message("vi")
    assert ("TCVN3" if encoding == "tcvn3" else "VNI-Windows") in message and "Unicode" in message


def _xlsx(rows: list[list[Any]], path: Path, font: str | None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DanhSach"
    for row in rows:
        ws.append(row)
    if font:
        for line in ws.iter_rows():
            for cell in line:
                cell.font = Font(name=font, size=12, bold=cell.row == 1)
    wb.save(path)
    return path


def _xls(rows: list[list[Any]], path: Path, font: str | None) -> Path:
    book = xlwt.Workbook()
    ws = book.add_sheet("DanhSach")
    dates = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write(i, j, value, dates)
            elif value is not None:
                ws.write(i, j, value)
    book.save(str(path))
    return path


def _texts(ws: Any) -> dict[tuple[int, int], Any]:
    return {(c.row, c.column): c.value for line in ws.iter_rows() for c in line if c.value is not None}


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("writer", [_xlsx, _xls], ids=["xlsx", "xls"])
def test_convert_gives_back_every_text_of_a_free_layout(tmp_path: Path, encoding: str, writer: Callable) -> None:
    suffix = ".xlsx" if writer is _xlsx else ".xls"
    source = writer(_encoded(FREE_LAYOUT, ENCODERS[encoding]), tmp_path / f"list{suffix}", FONTS[encoding])
    result = convert_file(source)
    assert result.status == "ok"
    ws = openpyxl.load_workbook(io.BytesIO(result.content))["DanhSach"]
    want = _texts(openpyxl.load_workbook(_xlsx(FREE_LAYOUT, tmp_path / "original.xlsx", None)).active)
    got = _texts(ws)
    assert got.keys() == want.keys()
    for at, value in want.items():
        assert _same_text(got[at], value, encoding), (at, got[at], value)
    texts = [at for at, v in want.items() if isinstance(v, str) and not v.isascii()]
    assert all(ws.cell(*at).font.name == UNICODE_FONT for at in texts)
    assert result.sheets["DanhSach"].encoding == encoding and result.sheets["DanhSach"].converted == len(texts)


def test_vntimeh_title_comes_back_in_capitals(tmp_path: Path) -> None:
    rows = _encoded(FREE_LAYOUT, ENCODERS["tcvn3"])
    source = _xlsx(rows, tmp_path / "h.xlsx", ".VnTime")
    wb = openpyxl.load_workbook(source)
    wb.active["A1"].font = Font(name=".VnTimeH", size=14)
    wb.active["A1"].value = ENCODERS["tcvn3"](FREE_LAYOUT[0][0].lower())  # stored lower-case, shown in capitals
    wb.save(source)
    ws = openpyxl.load_workbook(io.BytesIO(convert_file(source).content)).active
    assert ws["A1"].value == FREE_LAYOUT[0][0] and ws["A1"].font.size == 14


def test_unicode_workbook_declaring_vntime_is_left_exactly_as_it_is(tmp_path: Path) -> None:
    rows = FREE_LAYOUT + [["Có", "Tôi có", "Công tác xã hội", "Bà Rịa", "Cô", "Chú ý", "Ghi chú"]]
    source = _xlsx(rows, tmp_path / "school.xlsx", ".VnTime")
    result = convert_file(source)
    assert result.status == "ok" and result.sheets == {}
    got = _texts(openpyxl.load_workbook(io.BytesIO(result.content)).active)
    assert got == _texts(openpyxl.load_workbook(source).active)
    report = validate_file(source)
    assert "legacy_encoding" not in {i.code for i in report.issues}


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_csv_bytes_are_read_as_unicode(tmp_path: Path, encoding: str) -> None:
    header = ";".join(ACTIVITY_HEADERS[1:7])
    line = ";".join(["05/06/2021", "Thăm, tặng quà", "Thăm hỏi người già", "Xã Phước Hưng", "Huyện Trà Cú", "12"])
    path = tmp_path / "bv_da_khoa_2021-06.csv"
    path.write_bytes(ENCODERS[encoding](f"{header}\n{line}\n").encode("latin-1"))
    report = validate_file(path)
    assert report.status == "ok", [i.message() for i in report.errors]
    assert report.frames["activities"]["activity_type"].tolist() == ["tham_tang_qua"]
    assert report.frames["activities"]["title"].tolist() == ["Thăm hỏi người già"]
    assert [i.code for i in report.issues if i.code == "legacy_encoding"] == ["legacy_encoding"]


def test_windows_1258_csv_stays_windows_1258(tmp_path: Path) -> None:
    header = ";".join(ACTIVITY_HEADERS[1:7])
    path = tmp_path / "bv_da_khoa_2021-06.csv"
    path.write_bytes(cp1258(f"{header}\n05/06/2021;Thăm, tặng quà;Thăm hỏi;Xã Phước Hưng;Huyện Trà Cú;12\n"))
    report = validate_file(path)
    assert report.status == "ok" and report.frames["activities"]["title"].tolist() == ["Thăm hỏi"]
    assert "legacy_encoding" not in {i.code for i in report.issues}


def test_marked_copy_shows_converted_text_and_marks_it(tmp_path: Path) -> None:
    path = legacy_report(tmp_path / "r.xlsx", "tcvn3")
    report: Report = validate_file(path)
    _, content = marked_copy_of_upload("r.xlsx", path.read_bytes(), report)
    ws = openpyxl.load_workbook(io.BytesIO(content))["HoatDong"]
    cells = {c.value: c for line in ws.iter_rows() for c in line if isinstance(c.value, str)}
    for text in ("Ngày thực hiện", "Thăm, tặng quà", "Huyện Trà Cú"):
        assert cells[text].fill.fgColor.rgb.endswith(CONVERTED_FILL.fgColor.rgb[-6:])
        assert cells[text].font.name == UNICODE_FONT
    assert not any("¸" in v or "µ" in v for v in cells)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ytsupport", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_convert_command_exit_codes(tmp_path: Path) -> None:
    source = legacy_report(tmp_path / "old.xlsx", "vni")
    done = _cli("convert", str(source), str(tmp_path / "new.xlsx"))
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "new.xlsx")["HoatDong"]["B3"].value == "Ngày thực hiện"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    done = _cli("convert", str(broken), str(tmp_path / "out.xlsx"))
    assert done.returncode == 2 and "unreadable" in done.stderr and not (tmp_path / "out.xlsx").exists()
    assert _cli("convert", str(source), str(tmp_path / "out.pdf")).returncode == 64


def test_upload_page_copy_is_the_converted_workbook(tmp_path: Path) -> None:
    source = legacy_report(tmp_path / "old.xlsx", "tcvn3")
    name, content = converted_upload("bao cao thang 6.xlsx", source.read_bytes())
    assert name == "bao cao thang 6 - Unicode.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(content))["ThongTin"]["B1"].value == "Đoàn cơ sở Bệnh viện Đa khoa tỉnh"
    assert converted_upload("broken.xlsx", b"PK\x03\x04 not really a zip") is None


def _template_report(path: Path) -> Path:
    """The real template (``python -m ytsupport template``) filled in: unit, month, two activities."""
    wb = openpyxl.load_workbook(write_template(path))
    wb["ThongTin"]["B1"], wb["ThongTin"]["B2"] = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh", "Tháng 6/2021"
    rows = [[1, datetime(2021, 6, 5), "Khám bệnh, phát thuốc", "Khám bệnh miễn phí", "Trung tâm Bảo trợ xã hội tỉnh",
             None, 100, 40, 20, 30, 15, "5.000.000 đ", "Đoàn viên tình nguyện"],
            [2, "18/06/2021", "Thăm, tặng quà", "Thăm hỏi gia đình khó khăn", "Ấp Chợ, xã Phước Hưng",
             "Huyện Trà Cú", 12, 2, 1, 3, 6, "1,5 triệu đồng", None]]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            wb["HoatDong"].cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def _typed_in(path: Path, out: Path, encoding: str) -> Path:
    """Every text cell of the workbook as a `.VnTime`/`VNI-Times` user would have typed it."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.value = ENCODERS[encoding](cell.value)
                    cell.font = Font(name=FONTS[encoding], size=cell.font.size, bold=cell.font.bold)
    wb.save(out)
    return out


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_the_template_typed_in_a_legacy_encoding(tmp_path: Path, encoding: str) -> None:
    original = _template_report(tmp_path / "unicode.xlsx")
    legacy = _typed_in(original, tmp_path / f"bv_da_khoa_{encoding}.xlsx", encoding)
    report = validate_file(legacy)
    assert report.status == "ok", [i.message() for i in report.errors]
    assert (report.unit, report.period) == ("bv_da_khoa", "2021-06")
    acts = report.frames["activities"]
    assert acts["activity_type"].tolist() == ["kham_benh", "tham_tang_qua"]
    assert [d.date() for d in pd.to_datetime(acts["date"])] == [date(2021, 6, 5), date(2021, 6, 18)]
    assert acts["cost_vnd"].tolist() == [5_000_000, 1_500_000] and acts["district"].tolist()[1] == "tra_cu"
    assert {"HoatDong", "ThongTin"} <= {i.sheet for i in report.issues if i.code == "legacy_encoding"}
    converted = openpyxl.load_workbook(io.BytesIO(convert_file(legacy).content))
    want = openpyxl.load_workbook(original)
    for ws in want.worksheets:
        got = _texts(converted[ws.title])
        for at, value in _texts(ws).items():
            assert _same_text(got.get(at), value, encoding), (ws.title, at, got.get(at), value)
