"""The reading and checking rules of docs/data-contract.md §1-3, one test per rule, on tiny workbooks."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import (
    ACTIVITY_HEADERS,
    activity,
    person,
    resource,
    write_report_workbook,
)
from ytsupport.ingest.validate import validate_file, with_person_keys

TITLE = ["ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH TRÀ VINH",
         "ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH",
         "Trà Vinh, ngày 05 tháng 7 năm 2021",
         "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THÁNG 6/2021",
         "Kính gửi: Ban Thường vụ Đoàn Khối các cơ quan và Doanh nghiệp tỉnh"]


def where(report, code: str) -> list[tuple]:
    return [(i.sheet, i.row, i.column) for i in report.issues if i.code == code]


def codes(report) -> set[str]:
    return {i.code for i in report.issues}


def test_clean_report_is_ok(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity(), activity(n=2, people=20, disabled=5, orphans=5, elderly=5)],
                                 beneficiaries=[person()], resources=[resource()])
    report = validate_file(path)
    assert report.status == "ok", [i.to_json() for i in report.issues]
    assert (report.unit, report.period) == ("bv_da_khoa", "2021-06")
    assert {s.kind: s.rows_read for s in report.sheets} == {"activities": 2, "beneficiaries": 1, "resources": 1}
    acts = report.frames["activities"]
    assert acts["people_served"].tolist() == [100, 20]
    assert acts["at_centre"].tolist() == [True, True]
    assert report.frames["resources"]["value_vnd"].tolist() == [1_500_000]
    assert not [i for i in report.issues if i.severity != "info"]


def test_unit_and_month_from_title_block(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "bao cao.xlsx", activities=[activity()], info=False, title=TITLE)
    report = validate_file(path)
    assert (report.unit, report.period) == ("bv_da_khoa", "2021-06")
    assert report.status == "ok", [i.to_json() for i in report.issues]
    assert report.sheets[0].header_row == len(TITLE) + 2


def test_bloc_alone_in_title_is_the_bloc(tmp_path: Path) -> None:
    title = ["ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH TRÀ VINH", "BÁO CÁO THÁNG 6 NĂM 2021"]
    report = validate_file(write_report_workbook(tmp_path / "x.xlsx", activities=[activity()], info=False, title=title))
    assert (report.unit, report.period) == ("doan_khoi", "2021-06")


def test_unit_and_month_from_file_name(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "2021-06_so_y_te.xlsx", activities=[activity()], info=False))
    assert (report.unit, report.period) == ("so_y_te", "2021-06")


def test_unit_conflict_between_info_and_file_name(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "2021-06_so_y_te.xlsx", activities=[activity()]))
    assert report.unit == "bv_da_khoa"
    assert "unit_conflict" in codes(report) and report.status == "invalid"


def test_period_conflict_between_info_and_title(tmp_path: Path) -> None:
    title = ["BÁO CÁO THÁNG 7/2021"]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], title=title))
    assert "period_conflict" in codes(report)


def test_unit_and_period_missing(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], info=False))
    assert {"unit_missing", "period_missing"} <= codes(report)
    assert report.status == "invalid"


def test_unknown_unit_lists_the_accepted_units(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], unit="Chi đoàn Sở Ngoại vụ"))
    issue = next(i for i in report.issues if i.code == "unknown_unit")
    assert "Bệnh viện Đa khoa" in issue.message("vi")
    assert "unit_missing" not in codes(report)


def test_overrides_silence_detection(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], info=False)
    report = validate_file(path, unit="bhxh", period="2021-06")
    assert (report.unit, report.period, report.status) == ("bhxh", "2021-06", "ok")


def test_negative_number_at_its_excel_row(tmp_path: Path) -> None:
    rows = [activity(), activity(n=2, people=-5, disabled=0, orphans=0, elderly=0)]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows, title=TITLE))
    header = len(TITLE) + 2
    assert where(report, "negative_number") == [("HoatDong", header + 2, "Số người được hỗ trợ")]
    assert report.status == "invalid"
    assert report.sheets[0].rows_read == 2 and report.sheets[0].rows_valid == 1


def test_totals_group_blank_and_example_rows_are_skipped(tmp_path: Path) -> None:
    rows = [["Ví dụ", *activity()[1:]], ["I. Huyện Càng Long"], activity(), [5], activity(n=3),
            ["Tổng cộng", None, None, None, None, None, 200], ["Cộng tháng 6", None, None, None, None, None, 200]]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows))
    assert report.status == "ok", [i.to_json() for i in report.issues]
    assert report.sheets[0].rows_read == 2
    skipped = [i.row for i in report.issues if i.code == "skipped_row"]
    assert skipped == [2, 3, 5, 7, 8]


def test_two_row_merged_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hoạt động"
    ws.append(["BÁO CÁO THÁNG 6/2021 - Đoàn cơ sở Bệnh viện Đa khoa tỉnh"])
    ws.append(["STT", "Ngày", "Hình thức", "Địa điểm", "Số người", "Trong đó", None, None, "Kinh phí (VNĐ)"])
    ws.append([None, None, None, None, None, "Khuyết tật", "Mồ côi", "Neo đơn", None])
    for col in "ABCDEI":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("F2:H2")
    ws.append([1, "05/06/2021", "KHAM BENH, PHAT THUOC", "TT BTXH tỉnh", "110 người", 50, 200, 30, "2.000.000 đ"])
    wb.save(tmp_path / "merged.xlsx")
    report = validate_file(tmp_path / "merged.xlsx")
    assert where(report, "breakdown_exceeds_total") == [("Hoạt động", 4, "Trong đó: Mồ côi")]
    frame_issue = [i for i in report.issues if i.severity == "error"]
    assert len(frame_issue) == 1


def test_headers_without_diacritics_upper_case_and_line_breaks(tmp_path: Path) -> None:
    heads = ["stt", "NGAY THUC HIEN", "Loai hoat\ndong", "  Dia   diem ", "SO NGUOI DUOC HO TRO", "Kinh phí (nghìn đồng)"]
    rows = [[1, "5/6/2021", "Vui chơi", "Xã Long Đức", "30", "2.500"]]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows, headers={"activities": heads}))
    assert report.status == "ok", [i.to_json() for i in report.issues]
    assert report.frames["activities"]["cost_vnd"].tolist() == [2_500_000]


def test_unknown_extra_column_is_info(tmp_path: Path) -> None:
    heads = ACTIVITY_HEADERS + ["Người phụ trách"]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity() + ["An"]], headers={"activities": heads}))
    assert report.status == "ok"
    assert [(i.column, i.severity) for i in report.issues if i.code == "unknown_column"] == [("Người phụ trách", "info")]


def test_breakdowns_overlap_is_a_warning(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity(people=50, disabled=30, orphans=30, elderly=0)]))
    assert report.status == "ok"
    assert where(report, "breakdowns_overlap") == [("HoatDong", 2, None)]


def test_dates_outside_month_year_and_impossible(tmp_path: Path) -> None:
    rows = [activity(day=date(2021, 7, 2)), activity(day="15/06/2020", n=2), activity(day="31/02/2021", n=3),
            activity(day="06/13/2021", n=4)]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows))
    assert where(report, "date_outside_month") == [("HoatDong", 2, "Ngày thực hiện")]
    assert where(report, "date_outside_plan_year") == [("HoatDong", 3, "Ngày thực hiện")]
    assert where(report, "invalid_date") == [("HoatDong", 4, "Ngày thực hiện"), ("HoatDong", 5, "Ngày thực hiện")]


def test_unknown_code_suggests_the_closest_label(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[activity(kind="Khám benh phat thuocc")]))
    issue = next(i for i in report.issues if i.code == "unknown_code")
    assert (issue.row, issue.column) == (2, "Loại hoạt động")
    assert "Khám bệnh, phát thuốc" in issue.message("vi")


def test_bare_duyen_hai_is_ambiguous(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=[person(district="Duyên Hải")]))
    assert where(report, "ambiguous_code") == [("DoiTuong", 2, "Huyện/Thị xã/Thành phố")]
    assert report.status == "ok"
    assert report.frames["beneficiaries"]["district"].tolist() == ["duyen_hai"]


def test_birth_year_range_and_duplicate_person(tmp_path: Path) -> None:
    rows = [person(), person(n=2), person(n=3, name="Kim Văn Thanh", year=1850), person(n=4, name="Sơn Thị Lan", year="12/03/1950")]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=rows))
    assert where(report, "duplicate_person") == [("DoiTuong", 3, None)]
    assert where(report, "birth_year_out_of_range") == [("DoiTuong", 4, "Năm sinh")]
    people = validate_file(write_report_workbook(tmp_path / "ok.xlsx", beneficiaries=rows[:2] + rows[3:])).frames["beneficiaries"]
    assert people["birth_year"].tolist()[-1] == 1950
    keyed = with_person_keys(people)
    assert "person_basis" not in keyed and keyed["person_key"].str.len().eq(32).all()
    assert keyed["person_key"].nunique() == 2 and "thach" not in "".join(keyed["person_key"]).lower()


def test_several_categories_separated_by_semicolon(tmp_path: Path) -> None:
    rows = [person(category="Người khuyết tật; Trẻ em mồ côi"), person(n=2, name="Lê Văn Tư", category="Khuyết tật; Người sao hỏa")]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=rows))
    assert where(report, "unknown_code") == [("DoiTuong", 3, "Nhóm đối tượng")]
    ok = validate_file(write_report_workbook(tmp_path / "ok.xlsx", beneficiaries=rows[:1]))
    assert ok.frames["beneficiaries"]["categories"].tolist() == ["khuyet_tat;mo_coi"]


def test_missing_required_value_and_column(tmp_path: Path) -> None:
    heads = [h for h in ACTIVITY_HEADERS if h != "Loại hoạt động"]
    row = activity()
    del row[2]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=[row], headers={"activities": heads}))
    assert where(report, "missing_column") == [("HoatDong", 1, "Loại hoạt động")]
    report = validate_file(write_report_workbook(tmp_path / "v.xlsx", activities=[activity(people=None)]))
    assert where(report, "missing_value") == [("HoatDong", 2, "Số người được hỗ trợ")]


def test_resource_quantity_must_be_positive(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", resources=[resource(quantity=0), resource(n=2, value="abc")]))
    assert where(report, "not_positive") == [("NguonLuc", 2, "Số lượng")]
    assert where(report, "invalid_number") == [("NguonLuc", 3, "Giá trị quy đổi (đồng)")]


def test_sheet_names_in_other_spellings_and_kind_from_headers(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], beneficiaries=[person()], resources=[resource()],
                                 sheet_names={"activities": "Sheet1", "beneficiaries": "DS đối tượng", "resources": "Vận động nguồn lực"})
    report = validate_file(path)
    assert sorted(s.kind for s in report.sheets) == ["activities", "beneficiaries", "resources"]


def test_nil_report_is_ok(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx"))
    assert report.status == "ok" and report.is_nil


def test_header_not_found_and_no_report_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "HoatDong"
    wb.active.append(["Một dòng chữ không phải tiêu đề"])
    wb.create_sheet("ThongTin").append(["Đơn vị", "Sở Y tế"])
    wb.save(tmp_path / "h.xlsx")
    report = validate_file(tmp_path / "h.xlsx", period="2021-06")
    assert where(report, "header_not_found") == [("HoatDong", None, None)]
    wb = openpyxl.Workbook()
    wb.active.append(["Xin chào"])
    wb.save(tmp_path / "n.xlsx")
    assert "no_report_sheet" in codes(validate_file(tmp_path / "n.xlsx", unit="bhxh", period="2021-06"))


def test_issues_are_capped(tmp_path: Path) -> None:
    rows = [activity(n=i, people=-1, disabled=0, orphans=0, elderly=0) for i in range(300)]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows))
    assert len(report.issues) == 201
    assert report.issues[-1].code == "too_many_issues" and report.issues[-1].params["more"] == 100


def test_csv_takes_unit_and_month_from_file_name(tmp_path: Path) -> None:
    lines = [",".join(ACTIVITY_HEADERS), '1,05/06/2021,"Khám bệnh, phát thuốc",,TTBTXH,Càng Long,"1.200",,,,,"1,5 triệu",']
    path = tmp_path / "2021-06_bhxh_hoatdong.csv"
    path.write_bytes("\n".join(lines).encode("utf-8-sig"))
    report = validate_file(path)
    assert (report.unit, report.period, report.status) == ("bhxh", "2021-06", "ok"), [i.to_json() for i in report.issues]
    assert report.frames["activities"]["people_served"].tolist() == [1200]


@pytest.mark.parametrize("name", ["empty.xlsx", "not_a_workbook.xlsx"])
def test_unreadable_files_give_a_result(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else b"hello, this is text")
    report = validate_file(path)
    assert report.status == "unreadable"
    assert report.issues and report.issues[0].row is None


def test_bloc_in_file_name_does_not_conflict_with_the_unit(tmp_path: Path) -> None:
    report = validate_file(write_report_workbook(tmp_path / "Doan Khoi - bao cao thang 6-2021.xlsx", activities=[activity()]))
    assert (report.unit, report.status) == ("bv_da_khoa", "ok")


def test_instruction_and_hidden_list_sheets_are_not_read(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity()])
    wb = openpyxl.load_workbook(path)
    lists = wb.create_sheet("Lists")
    lists.append(["Loại hoạt động", "Huyện/Thị xã/Thành phố", "Số người được hỗ trợ"])
    lists.append(["Khám bệnh", "Càng Long", "không phải số"])
    lists.sheet_state = "hidden"
    wb.create_sheet("HuongDan").append(["Ngày thực hiện", "Loại hoạt động", "Số người được hỗ trợ"])
    wb.save(path)
    report = validate_file(path)
    assert report.status == "ok" and [s.name for s in report.sheets] == ["HoatDong"]


# --------------------------------------------------------------------------- what real workbooks do

def test_a_workbook_that_is_not_a_report_gets_one_plain_message_first(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "TKB"
    for row in (["THỜI KHOÁ BIỂU HỌC KỲ I"], ["Thứ", "Tiết", "Lớp 6A", "Lớp 6B"], ["Hai", 1, "Toán", "Văn"]):
        wb.active.append(row)
    staff = wb.create_sheet("Danh bạ")  # an administrative list: names, posts, phones
    staff.append(["STT", "Họ và tên", "Chức vụ", "Số điện thoại"])
    staff.append([1, "Nguyễn Văn An", "Bí thư", 912345678])
    wb.save(tmp_path / "tkb.xlsx")
    report = validate_file(tmp_path / "tkb.xlsx")
    assert [(i.code, i.sheet, i.row) for i in report.issues] == [("no_report_sheet", None, None)]
    assert "'TKB', 'Danh bạ'" in report.issues[0].message("vi")
    assert report.issues[0].message("vi").startswith("Tệp này không giống báo cáo tháng của cơ sở Đoàn")


def test_non_breaking_and_padding_spaces_are_stripped_before_matching(tmp_path: Path) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx",
                                 activities=[activity(kind="Khám bệnh, phát thuốc\u00a0\u00a0", district="  TP Trà Vinh\u00a0")],
                                 beneficiaries=[person(name="Nguyễn Văn An\u00a0 ", category=" Trẻ em mồ côi ")],
                                 headers={"activities": [h + "\u00a0" for h in ACTIVITY_HEADERS]})
    report = validate_file(path)
    assert report.status == "ok", [(i.code, i.row, i.column) for i in report.errors]
    assert report.frames["activities"][["activity_type", "district"]].values.tolist() == [["kham_benh", "tp_tra_vinh"]]
    assert report.frames["beneficiaries"]["full_name"].tolist() == ["Nguyễn Văn An"]


def test_an_id_stored_as_a_number_is_kept_as_text(tmp_path: Path) -> None:
    row = person()
    row[1] = 912345678  # a phone number typed as an id: Excel kept it as a number
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=[row]))
    assert report.frames["beneficiaries"]["person_id"].tolist() == ["912345678"]


def test_three_decimals_in_a_column_that_also_holds_text_are_decimals(tmp_path: Path) -> None:
    # the text rows fill the peeked window; the numbers come far below it
    rows = [activity(n=i, cost="1.500.000") for i in range(1, 80)] + [activity(n=80, cost=2.125),
                                                                       activity(n=81, cost="2.125")]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows))
    assert report.status == "ok"
    assert report.frames["activities"]["cost_vnd"].tolist()[-2:] == [2, 2125]


@pytest.mark.parametrize("rows_before", [3, 80])
def test_true_false_in_a_number_column_is_an_error_at_its_cell(tmp_path: Path, rows_before: int) -> None:
    rows = [activity(n=i) for i in range(1, rows_before + 1)] + [activity(n=rows_before + 1, people=True)]
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", activities=rows))
    assert where(report, "invalid_number") == [("HoatDong", rows_before + 2, "Số người được hỗ trợ")]


def _xls_report(path: Path) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("HoatDong")
    for j, head in enumerate(ACTIVITY_HEADERS):
        ws.write(0, j, head)
    for j, value in enumerate(activity(day="05/06/2021")):
        if value is not None:
            ws.write(1, j, value)
    book.save(str(path))
    return path.read_bytes()


def _stream_size_off(data: bytes, delta: int) -> bytes:
    """The workbook stream's declared size (its directory entry, [MS-CFB]) moved by ``delta`` bytes."""
    import struct

    at = next(i for i in range(0, len(data), 128) if data[i:i + 16] == "Workbook".encode("utf-16-le"))
    fixed = bytearray(data)
    struct.pack_into("<I", fixed, at + 120, struct.unpack_from("<I", data, at + 120)[0] + delta)
    return bytes(fixed)


@pytest.mark.parametrize(("damage", "warned"), [("cut_short", True), ("stream_size_short", True),
                                               ("stream_size_long", False)])  # read as it is: no repaired copy, no warning
def test_xls_with_sizes_slightly_off_is_read_with_a_warning_at_most(tmp_path: Path, damage: str, warned: bool) -> None:
    data = _xls_report(tmp_path / "ok.xls")
    damaged = {"cut_short": data[:-200], "stream_size_short": _stream_size_off(data, -7),
               "stream_size_long": _stream_size_off(data, 7)}[damage]
    path = tmp_path / "so_y_te_2021-06.xls"
    path.write_bytes(damaged)
    report = validate_file(path)
    assert report.status == "ok", [i.message() for i in report.errors]
    assert report.frames["activities"]["activity_type"].tolist() == ["kham_benh"]
    assert codes(report) - {"repaired_file", "skipped_row", "unknown_column"} == set()
    assert [i.severity for i in report.issues if i.code == "repaired_file"] == (["warning"] if warned else [])


def test_duplicate_people_beyond_the_issue_cap_stay_warnings() -> None:
    """With more repeated people than the cap of shown issues, the file is still valid: the ones not
    shown are counted as the warnings they are, not as errors."""
    import pandas as pd

    from ytsupport.ingest.issue_cap import IssueCollector
    from ytsupport.ingest.validate import PERSON_BASIS, _check_duplicate_people

    people = pd.DataFrame({"sheet": "DoiTuong", "row": [5, 6, 7, 8], "full_name": ["A", "A", "A", "A"],
                           "birth_year": [2010] * 4, PERSON_BASIS: ["k"] * 4})
    issues = IssueCollector(cap=2)
    _check_duplicate_people([people], issues)
    assert issues.total["error"] == 0 and issues.total["warning"] == 3
    assert len(issues.kept["warning"]) == 2


def test_a_unit_named_without_its_province_is_recognised() -> None:
    from ytsupport.vocab import reference

    assert reference().units.match_name("Đoàn cơ sở Bệnh viện Đa khoa") == "bv_da_khoa"


@pytest.mark.parametrize("values", [[3.0, None, 0.0, 12.0], [], [None, None], [2.0 ** 62, -5.0],
                                    [1.5, 2.0], [float("inf"), 1.0], [2.0 ** 64, 1.0]])
@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_nullable_numbers_are_what_astype_gives(values: list, dtype: str) -> None:
    """Counts, years and money become pandas' nullable types straight from numpy; the columns
    astype would refuse (a fraction, an infinity, beyond int64) still go through astype."""
    import pandas as pd

    from ytsupport.ingest.validate import _nullable

    numbers = pd.Series(values, dtype="float64", name="people_served")
    try:
        expected = numbers.astype(dtype)
    except (TypeError, ValueError, OverflowError) as refused:
        with pytest.raises(type(refused)):
            _nullable(numbers, dtype)
        return
    pd.testing.assert_series_equal(_nullable(numbers, dtype), expected)
