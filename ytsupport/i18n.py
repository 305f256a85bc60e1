"""UI strings in Vietnamese (first) and English. One table; pages look strings up by key."""
from __future__ import annotations

LANGS = ("vi", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Theo dõi Kế hoạch 114-KH/ĐTN", "Plan 114-KH/ĐTN tracker"),
    "app_subtitle": ("Đoàn Khối các cơ quan và Doanh nghiệp tỉnh Trà Vinh — hỗ trợ thanh, thiếu niên yếu thế",
                     "Youth Union of the Bloc of Agencies and Enterprises of Trà Vinh — support for disadvantaged children and youth"),
    "language": ("Ngôn ngữ", "Language"),
    "page_check": ("Kiểm tra tệp báo cáo", "Check report files"),
    "check_intro": ("Tải lên các tệp báo cáo tháng của cơ sở Đoàn (.xlsx, .xlsm, .xls, .ods, .csv) để kiểm tra. "
                    "Trang này chỉ kiểm tra, không lưu gì.",
                    "Upload the branches' monthly report files (.xlsx, .xlsm, .xls, .ods, .csv) to check them. "
                    "This page only checks; nothing is stored."),
    "uploader": ("Chọn hoặc kéo thả tệp báo cáo", "Choose or drop report files"),
    "override_unit": ("Đơn vị (nếu tệp không ghi rõ)", "Unit (when the file does not say)"),
    "override_period": ("Tháng báo cáo (nếu tệp không ghi rõ)", "Report month (when the file does not say)"),
    "auto": ("Tự nhận biết", "Detect"),
    "unit": ("Đơn vị", "Unit"),
    "period": ("Tháng", "Month"),
    "status": ("Kết quả", "Result"),
    "sheets": ("Các trang đã đọc", "Sheets read"),
    "sheet": ("Trang", "Sheet"),
    "kind": ("Loại", "Kind"),
    "rows_read": ("Số dòng", "Rows"),
    "rows_valid": ("Dòng hợp lệ", "Valid rows"),
    "issues": ("Các vấn đề", "Issues"),
    "severity": ("Mức độ", "Severity"),
    "row": ("Dòng", "Row"),
    "column": ("Cột", "Column"),
    "message": ("Nội dung", "Message"),
    "code": ("Mã", "Code"),
    "show_severity": ("Hiện mức độ", "Show severity"),
    "no_issues": ("Không có vấn đề nào.", "No issues."),
    "status_ok": ("✅ Hợp lệ", "✅ Valid"),
    "status_invalid": ("❌ Có lỗi — cần sửa trước khi lưu", "❌ Has errors — fix before storing"),
    "status_unreadable": ("⛔ Không đọc được", "⛔ Unreadable"),
    "sev_error": ("Lỗi", "Error"),
    "sev_warning": ("Cảnh báo", "Warning"),
    "sev_info": ("Thông tin", "Info"),
    "kind_activities": ("Hoạt động", "Activities"),
    "kind_beneficiaries": ("Đối tượng", "Beneficiaries"),
    "kind_resources": ("Nguồn lực", "Resources"),
    "nil_report": ("Báo cáo không có số liệu (vẫn tính là đã nộp).", "Nil report (no data rows; still counts as received)."),
    "checking": ("Đang kiểm tra {name}…", "Checking {name}…"),
    "template_download": ("Tải mẫu báo cáo (.xlsx)", "Download the report template (.xlsx)"),
    "empty_state": ("Chưa có tệp nào. Kéo thả tệp báo cáo vào ô trên, hoặc tải mẫu báo cáo để gửi cho cơ sở.",
                    "No file yet. Drop report files above, or download the template to send to the branches."),
}


def t(key: str, lang: str = "vi", **params: object) -> str:
    """The string ``key`` in ``lang`` (Vietnamese when unknown), with ``params`` filled in."""
    vi, en = STRINGS[key]
    text = en if lang == "en" else vi
    return text.format(**params) if params else text
