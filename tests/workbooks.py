"""Factories for tiny report workbooks built in tmp_path, in the styles real branches send."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Sequence

import openpyxl

ACTIVITY_HEADERS = ["STT", "Ngày thực hiện", "Loại hoạt động", "Nội dung hoạt động", "Địa điểm",
                    "Huyện/Thị xã/Thành phố", "Số người được hỗ trợ", "Trong đó: Người khuyết tật",
                    "Trong đó: Trẻ mồ côi", "Trong đó: Người già neo đơn", "Số đoàn viên tham gia",
                    "Kinh phí (đồng)", "Ghi chú"]
BENEFICIARY_HEADERS = ["STT", "Mã đối tượng", "Họ và tên", "Năm sinh", "Giới tính", "Nhóm đối tượng",
                       "Huyện/Thị xã/Thành phố", "Xã/Phường/Thị trấn", "Nhu cầu hỗ trợ", "Ngày khảo sát",
                       "Đã được hỗ trợ", "Có thẻ BHYT"]
RESOURCE_HEADERS = ["STT", "Ngày tiếp nhận", "Nhà tài trợ", "Loại nhà tài trợ", "Loại hỗ trợ", "Mô tả",
                    "Số lượng", "Đơn vị tính", "Giá trị quy đổi (đồng)", "Đối tượng nhận", "Ghi chú"]


def activity(day: Any = date(2021, 6, 5), kind: Any = "Khám bệnh, phát thuốc", people: Any = 100,
             place: Any = "Trung tâm Bảo trợ xã hội tỉnh", district: Any = "TP Trà Vinh", disabled: Any = 40,
             orphans: Any = 20, elderly: Any = 30, volunteers: Any = 15, cost: Any = 5_000_000, n: Any = 1) -> list[Any]:
    return [n, day, kind, "Khám bệnh miễn phí", place, district, people, disabled, orphans, elderly, volunteers, cost, None]


def person(name: Any = "Thạch Thị Sa Rết", year: Any = 2010, category: Any = "Trẻ em mồ côi",
           district: Any = "Huyện Trà Cú", surveyed: Any = date(2021, 6, 10), n: Any = 1, sex: Any = "Nữ") -> list[Any]:
    return [n, None, name, year, sex, category, district, "Xã Phước Hưng", "Học bổng", surveyed, "Có", "x"]


def resource(day: Any = date(2021, 6, 12), item: Any = "Thuốc", quantity: Any = 100, value: Any = "1,5 triệu",
             donor: Any = "Công ty Dược Trà Vinh", n: Any = 1) -> list[Any]:
    return [n, day, donor, "Doanh nghiệp", item, "Thuốc thiết yếu", quantity, "hộp", value, "Trung tâm BTXH", None]


def write_report_workbook(path: Path, *, activities: Sequence[list[Any]] | None = None,
                          beneficiaries: Sequence[list[Any]] | None = None, resources: Sequence[list[Any]] | None = None,
                          unit: str | None = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh", period: Any = "6/2021",
                          info: bool = True, title: Sequence[str] | None = None, sheet_names: dict[str, str] | None = None,
                          headers: dict[str, list[str]] | None = None) -> Path:
    """A report workbook: optional ThongTin, optional title rows above each header, given rows."""
    names = {"activities": "HoatDong", "beneficiaries": "DoiTuong", "resources": "NguonLuc", **(sheet_names or {})}
    heads = {"activities": ACTIVITY_HEADERS, "beneficiaries": BENEFICIARY_HEADERS, "resources": RESOURCE_HEADERS,
             **(headers or {})}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if info:
        ws = wb.create_sheet("ThongTin")
        if unit is not None:
            ws.append(["Đơn vị", unit])
        if period is not None:
            ws.append(["Tháng báo cáo", period])
    for kind, rows in (("activities", activities), ("beneficiaries", beneficiaries), ("resources", resources)):
        if rows is None:
            continue
        ws = wb.create_sheet(names[kind])
        for line in title or []:
            ws.append([line])
        if title:
            ws.append([])
        ws.append(heads[kind])
        for row in rows:
            ws.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
