"""Finding the header, the sheet kind, and the month in titles and file names."""
from __future__ import annotations

from datetime import date

import pytest

from ytsupport.ingest.locate import (combine_header_rows, find_header_rows, kind_from_name, period_from_file_name,
                                     period_from_title, period_from_value)


def test_header_found_below_title_block_and_kinh_gui() -> None:
    top = [["ĐOÀN KHỐI CÁC CƠ QUAN", None, "ĐOÀN TNCS HỒ CHÍ MINH"], [], ["BÁO CÁO THÁNG 6/2021"],
           ["Kính gửi: Ban Thường vụ Đoàn Khối"], [],
           ["STT", "Ngày thực hiện", "Loại hoạt động", "Số người được hỗ trợ"], [1, date(2021, 6, 1), "Khám bệnh", 100]]
    assert find_header_rows(top) == (5,)


def test_two_row_header_is_detected() -> None:
    top = [["STT", "Ngày", "Hình thức", "Số người", "Trong đó", None, None],
           [None, None, None, None, "Khuyết tật", "Mồ côi", "Neo đơn"],
           [1, "05/06/2021", "Khám bệnh", 100, 10, 10, 10]]
    assert find_header_rows(top) == (0, 1)


def test_combine_header_rows_carries_a_merged_group() -> None:
    labels = combine_header_rows(["STT", "Trong đó", "", "", "Ghi chú"], ["", "Khuyết tật", "Mồ côi", "Neo đơn", ""])
    assert labels == ["STT", "Trong đó: Khuyết tật", "Trong đó: Mồ côi", "Trong đó: Neo đơn", "Ghi chú"]


def test_no_header_in_free_text() -> None:
    assert find_header_rows([["Báo cáo"], ["Nội dung tự do"], ["Ngày"]]) == ()


@pytest.mark.parametrize("name,kind", [("HoatDong", "activities"), ("Hoạt động", "activities"), ("HOAT DONG", "activities"),
                                       ("Danh sách đối tượng", "beneficiaries"), ("DS đối tượng", "beneficiaries"),
                                       ("Vận động nguồn lực", "resources"), ("Nguồn lực", "resources"),
                                       ("ThongTin", "info"), ("Sheet1", None)])
def test_sheet_name_aliases(name: str, kind: str | None) -> None:
    assert kind_from_name(name) == kind


@pytest.mark.parametrize("line,period", [("BÁO CÁO KẾT QUẢ THÁNG 6/2021", "2021-06"), ("tháng 6 năm 2021", "2021-06"),
                                         ("THÁNG 06 NĂM 2021", "2021-06"), ("Trà Vinh, ngày 05 tháng 7 năm 2021", None),
                                         ("Báo cáo hoạt động", None)])
def test_period_in_title(line: str, period: str | None) -> None:
    assert period_from_title(line) == period


@pytest.mark.parametrize("value,period", [("6/2021", "2021-06"), ("06/2021", "2021-06"), ("tháng 6/2021", "2021-06"),
                                          ("Tháng 6 năm 2021", "2021-06"), (date(2021, 6, 15), "2021-06"),
                                          ("15/06/2021", "2021-06"), ("2021-06", "2021-06"), ("13/2021", None)])
def test_period_in_info_sheet(value: object, period: str | None) -> None:
    assert period_from_value(value) == period


@pytest.mark.parametrize("stem,period", [("2021-06_bv_da_khoa", "2021-06"), ("BC thang 6-2021 - Doan co so BV", "2021-06"),
                                         ("T6_2021_so_y_te", "2021-06"), ("bao cao 06.2021", "2021-06"), ("bao cao", None)])
def test_period_in_file_name(stem: str, period: str | None) -> None:
    assert period_from_file_name(stem) == period
