"""The one table of issue codes: severity and message templates in Vietnamese and English.

Templates are ``str.format`` strings over the issue's fields (sheet, row, column) and params.
A message says what is wrong, where, and how to fix it; it never cites a person's name.
"""
from __future__ import annotations

from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

# code: (severity, vi, en)
MESSAGES: dict[str, tuple[str, str, str]] = {
    "unreadable": ("error",
        "Không đọc được tệp: {detail_vi}. Hãy mở tệp bằng Excel, kiểm tra rồi lưu lại dạng .xlsx và gửi lại.",
        "The file cannot be read: {detail_en}. Open it in Excel, check it, save it as .xlsx and send it again."),
    "unsupported_format": ("error",
        "Định dạng tệp không được hỗ trợ ({detail_vi}). Chỉ nhận .xlsx, .xlsm, .xls, .ods, .csv; hãy lưu lại bằng Excel dạng .xlsx.",
        "Unsupported file format ({detail_en}). Only .xlsx, .xlsm, .xls, .ods and .csv are accepted; save it as .xlsx in Excel."),
    "too_large": ("error",
        "Tệp vượt giới hạn ({detail_vi}). Hãy chia nhỏ tệp hoặc xoá các trang, dòng thừa rồi gửi lại.",
        "The file exceeds a limit ({detail_en}). Split it or remove unused sheets and rows, then send it again."),
    "encrypted": ("error",
        "Tệp có mật khẩu. Hãy gỡ mật khẩu trong Excel (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
        "The file is password-protected. Remove the password in Excel (File > Info > Protect Workbook) and send it again."),
    "no_report_sheet": ("error",
        "Tệp này không giống báo cáo tháng của cơ sở Đoàn: không có trang hoạt động, đối tượng hay nguồn lực (các trang: {sheets}). Hãy dùng mẫu báo cáo.",
        "This file does not look like a unit's monthly report: it has no activities, beneficiaries or resources sheet (its sheets: {sheets}). Use the report template."),
    "repaired_file": ("warning",
        "Tệp .xls có kích thước bên trong hơi lệch (lưu chưa trọn hoặc do phần mềm khác tạo) nên được đọc từ một bản sửa. Hãy kiểm tra lại số liệu, rồi mở bằng Excel và lưu lại.",
        "The .xls file's internal sizes are slightly off (saved incompletely or by another program), so it was read from a repaired copy. Check the figures, then open it in Excel and save it again."),
    "legacy_encoding": ("warning",
        "Trang “{sheet}”: {count} ô được gõ bằng bảng mã {encoding} đã được chuyển sang Unicode, ví dụ “{before}” → “{after}”. Hãy kiểm tra lại, và lưu tệp bằng Unicode (nút “Bản Unicode” hoặc lệnh convert).",
        "Sheet '{sheet}': {count} cells typed in the {encoding} encoding were converted to Unicode, e.g. '{before}' → '{after}'. Please check them, and save the file in Unicode (the 'Unicode copy' button or the convert command)."),
    "header_not_found": ("error",
        "Trang “{sheet}”: không tìm thấy dòng tiêu đề cột. Cần các cột như: {expected}.",
        "Sheet '{sheet}': no header row found. Expected columns such as: {expected}."),
    "missing_column": ("error",
        "Trang “{sheet}”: thiếu cột bắt buộc “{column}” (dòng tiêu đề {row}). Hãy thêm cột này.",
        "Sheet '{sheet}': required column '{column}' is missing (header row {row}). Add this column."),
    "unknown_column": ("info",
        "Trang “{sheet}”: cột “{column}” không thuộc mẫu nên được bỏ qua.",
        "Sheet '{sheet}': column '{column}' is not part of the template and is ignored."),
    "unit_missing": ("error",
        "Không xác định được đơn vị báo cáo. Hãy ghi tên đơn vị ở trang ThongTin (ô B của dòng “Đơn vị”) hoặc ở tiêu đề báo cáo, hoặc chọn đơn vị khi tải lên.",
        "The reporting unit cannot be found. Write it on the ThongTin sheet (cell B of the 'Đơn vị' row) or in the report's title, or choose it when uploading."),
    "unit_conflict": ("error",
        "Đơn vị không thống nhất: {first_source} ghi “{first}”, nhưng {second_source} ghi “{second}”. Hãy sửa cho đúng một đơn vị.",
        "Conflicting units: {first_source_en} says '{first}', but {second_source_en} says '{second}'. Correct it to one unit."),
    "unit_merged": ("info",
        "Đơn vị “{value}” đã sáp nhập vào “{unit}” (đến ngày {day}): báo cáo này được tính cho “{unit}”.",
        "Unit '{value}' was merged into '{unit}' (on {day}): this report counts for '{unit}'."),
    "unknown_unit": ("error",
        "Đơn vị “{value}” không có trong danh sách. Các đơn vị được chấp nhận: {accepted}.",
        "Unit '{value}' is not in the list. Accepted units: {accepted}."),
    "period_missing": ("error",
        "Không xác định được tháng báo cáo. Hãy ghi “Tháng báo cáo” ở trang ThongTin (ví dụ 6/2021) hoặc “THÁNG 6/2021” ở tiêu đề, hoặc chọn tháng khi tải lên.",
        "The report month cannot be found. Write 'Tháng báo cáo' on the ThongTin sheet (e.g. 6/2021) or 'THÁNG 6/2021' in the title, or choose the month when uploading."),
    "period_conflict": ("error",
        "Tháng báo cáo không thống nhất: {first_source} ghi {first}, nhưng {second_source} ghi {second}. Hãy sửa cho đúng một tháng.",
        "Conflicting report months: {first_source_en} says {first}, but {second_source_en} says {second}. Correct it to one month."),
    "period_outside_plans": ("error",
        "Tháng báo cáo {period} nằm ngoài thời gian của mọi kế hoạch đã có ({plans}). Hãy kiểm tra lại tháng báo cáo, hoặc chọn kế hoạch của năm đó (--plan) hay tạo kế hoạch mới (lệnh plan new).",
        "The report month {period} lies outside every plan's period ({plans}). Check the report month, or choose that year's plan (--plan) or make a new plan (the plan new command)."),
    "too_many_issues": ("info",
        "Còn {more} vấn đề khác không hiển thị. Hãy sửa các lỗi trên rồi kiểm tra lại.",
        "{more} more issues are not shown. Fix the ones above and check again."),
    "missing_value": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: thiếu giá trị bắt buộc.",
        "Sheet '{sheet}', row {row}, column '{column}': a required value is missing."),
    "invalid_date": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: “{value}” không phải ngày hợp lệ. Ghi theo dạng ngày/tháng/năm, ví dụ 05/06/2021.",
        "Sheet '{sheet}', row {row}, column '{column}': '{value}' is not a valid date. Write it day/month/year, e.g. 05/06/2021."),
    "date_outside_month": ("warning",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: ngày {value} không thuộc tháng báo cáo {period}. Kiểm tra lại ngày hoặc tháng báo cáo.",
        "Sheet '{sheet}', row {row}, column '{column}': date {value} is outside the report month {period}. Check the date or the report month."),
    "date_outside_plan_year": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: ngày {value} nằm ngoài năm kế hoạch {year}. Hãy sửa lại năm.",
        "Sheet '{sheet}', row {row}, column '{column}': date {value} is outside the plan year {year}. Correct the year."),
    "invalid_number": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: “{value}” không phải số hợp lệ. Chỉ ghi số, ví dụ 1.500.000 hoặc 1,5 triệu.",
        "Sheet '{sheet}', row {row}, column '{column}': '{value}' is not a valid number. Write a number, e.g. 1.500.000 or 1,5 triệu."),
    "negative_number": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: số âm ({value}) không hợp lệ. Hãy ghi số từ 0 trở lên.",
        "Sheet '{sheet}', row {row}, column '{column}': a negative number ({value}) is not allowed. Write 0 or more."),
    "not_positive": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: số lượng phải lớn hơn 0 (đang ghi {value}).",
        "Sheet '{sheet}', row {row}, column '{column}': the quantity must be greater than 0 (found {value})."),
    "unknown_code": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: “{value}” không có trong danh mục.{suggestion_vi} Các giá trị được chấp nhận: {accepted}.",
        "Sheet '{sheet}', row {row}, column '{column}': '{value}' is not in the list.{suggestion_en} Accepted values: {accepted}."),
    "ambiguous_code": ("warning",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: “{value}” chưa rõ ràng, đã hiểu là “{chosen}”. Hãy ghi rõ, ví dụ {examples}.",
        "Sheet '{sheet}', row {row}, column '{column}': '{value}' is ambiguous and was read as '{chosen}'. Write it in full, e.g. {examples}."),
    "breakdown_exceeds_total": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: số trong đó ({value}) lớn hơn tổng số người được hỗ trợ ({total}). Hãy sửa lại.",
        "Sheet '{sheet}', row {row}, column '{column}': the breakdown ({value}) is larger than the people served ({total}). Correct it."),
    "breakdowns_overlap": ("warning",
        "Trang “{sheet}”, dòng {row}: tổng các cột “Trong đó” ({value}) lớn hơn tổng số người ({total}). Được chấp nhận nếu một người thuộc nhiều nhóm; hãy kiểm tra lại.",
        "Sheet '{sheet}', row {row}: the 'of whom' columns add up to {value}, more than the people served ({total}). Fine if one person is in several groups; please check."),
    "birth_year_out_of_range": ("error",
        "Trang “{sheet}”, dòng {row}, cột “{column}”: năm sinh {value} không hợp lệ (phải từ {min} đến {max}).",
        "Sheet '{sheet}', row {row}, column '{column}': birth year {value} is not valid (must be {min} to {max})."),
    "duplicate_person": ("warning",
        "Trang “{sheet}”, dòng {row}: đối tượng này trùng với dòng {first_row} (cùng họ tên, năm sinh và địa bàn). Hãy xoá dòng trùng nếu là một người.",
        "Sheet '{sheet}', row {row}: this person repeats row {first_row} (same name, birth year and district). Remove the duplicate if it is one person."),
    "skipped_row": ("info",
        "Trang “{sheet}”, dòng {row}: {reason_vi}, bỏ qua.",
        "Sheet '{sheet}', row {row}: {reason_en}, skipped."),
}

SKIP_REASONS = {
    "blank": ("dòng trống", "blank row"),
    "total": ("dòng tổng cộng", "totals row"),
    "group": ("dòng tiêu đề nhóm", "group heading"),
    "example": ("dòng ví dụ của mẫu", "the template's example row"),
}

# Vietnamese wording of the file-level details (the English detail comes with the issue).
DETAILS_VI = {
    "max_file_mb": "tệp nặng {value} MB, giới hạn là {max} MB",
    "max_unzipped_mb": "tệp giải nén ra {value} MB, giới hạn là {max} MB",
    "max_compression_ratio": "một phần của tệp bị nén {value} lần, giới hạn là {max} lần (nghi là tệp độc hại)",
    "max_zip_members": "tệp có {value} thành phần, giới hạn là {max}",
    "max_rows_per_sheet": "một trang có {value} dòng, giới hạn là {max} dòng",
    "max_cells": "một trang có {value} ô, giới hạn là {max} ô",
    "worker_timeout_s": "đọc tệp quá {max} giây",
    "worker_memory_mb": "đọc tệp cần quá {max} MB bộ nhớ",
    "empty": "tệp rỗng (0 byte)",
    "corrupt_zip": "tệp bị hỏng hoặc không đầy đủ",
    "corrupt_ole": "tệp .xls bị hỏng (cấu trúc bên trong lặp vòng hoặc khai báo sai kích thước)",
    "dtd": "tệp chứa khai báo DTD/thực thể XML, không được phép",
    "out_of_memory": "đọc tệp cần quá nhiều bộ nhớ",
    "crashed": "trình đọc tệp bị dừng đột ngột (tệp hỏng hoặc độc hại)",
    "timeout": "đọc tệp quá lâu",
    "extension": "phần mở rộng của tệp không được chấp nhận",
    "content": "nội dung tệp không khớp với phần mở rộng",
}

SOURCES = {
    "info": ("trang ThongTin", "the ThongTin sheet"),
    "title": ("tiêu đề báo cáo", "the report title"),
    "file_name": ("tên tệp", "the file name"),
}


def severity_of(code: str) -> Severity:
    return MESSAGES[code][0]  # type: ignore[return-value]


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(code: str, params: dict[str, Any], sheet: str | None, row: int | None, column: str | None,
           lang: str = "vi") -> str:
    """An issue's message in ``lang`` ("vi" or "en"), filled from its location and ``params``."""
    _, vi, en = MESSAGES.get(code, ("error", "{code}", "{code}"))
    given = params
    params = _Params(given)
    params.update(sheet=sheet or "", row=row if row is not None else "", column=column or "", code=code)
    for key in ("detail", "reason", "suggestion"):
        pair = given.get(key + "_pair")
        if pair:
            params[key + "_vi"], params[key + "_en"] = pair
    if "detail" in given and not params.get("detail_vi"):
        params["detail_en"] = given["detail"]
        key = given.get("limit") or given.get("reason")
        params["detail_vi"] = DETAILS_VI[key].format_map(params) if key in DETAILS_VI else given["detail"]
    for key in ("first_source", "second_source"):
        src = SOURCES.get(given.get(key, ""), (given.get(key, ""),) * 2)
        params[key], params[key + "_en"] = src
    template = vi if lang == "vi" else en
    return template.format_map(params)
