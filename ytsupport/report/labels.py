"""Strings of the meeting report, the meeting page and the presentation view, as (vi, en) pairs.

Kept here until they are merged into ``ytsupport/i18n.py``; :func:`t` looks a key up here first,
then in ``i18n.STRINGS``, so the pages keep working before and after the merge.
"""
from __future__ import annotations

from typing import Any

STATUS: dict[str, tuple[str, str]] = {
    "met": ("Đạt", "Met"),
    "on_track": ("Đúng tiến độ", "On track"),
    "behind": ("Chậm tiến độ", "Behind"),
    "not_started": ("Chưa thực hiện", "Not started"),
    "no_target": ("Theo dõi", "Tracked"),
}

REPORT_STATES: dict[str, tuple[str, str]] = {
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Trễ hạn", "Late"),
    "missing": ("Chưa nộp", "Missing"),
    "not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "received_early": ("Nộp trước hạn", "Received early"),
}

# One letter per state for the unit × month grid of the printed report (legend printed below it).
STATE_MARKS: dict[str, tuple[str, str]] = {
    "on_time": ("Đ", "O"), "late": ("T", "L"), "missing": ("X", "X"),
    "not_yet_due": ("", ""), "received_early": ("S", "E"),
}

STRINGS: dict[str, tuple[str, str]] = {
    # --- pages
    "page_meeting": ("Họp giao ban: chốt số liệu và báo cáo", "Meeting: snapshots and reports"),
    "page_present": ("Trình chiếu", "Presentation"),
    "meeting_intro": ("Chốt số liệu trước cuộc họp, so sánh với hiện tại và tải báo cáo "
                      "(Excel, Word, PDF, HTML).",
                      "Freeze the figures before a meeting, compare them with now, and download the "
                      "report (Excel, Word, PDF, HTML)."),
    "as_of": ("Tính đến ngày", "As of"),
    "snapshot_section": ("Chốt số liệu cho cuộc họp", "Freeze the figures for a meeting"),
    "snapshot_name": ("Tên lần chốt số liệu", "Snapshot name"),
    "snapshot_default_name": ("Họp giao ban ngày {day}", "Meeting of {day}"),
    "snapshot_button": ("Chốt số liệu cho cuộc họp", "Freeze the figures"),
    "snapshot_created": ("Đã chốt số liệu «{name}» tính đến ngày {day}.",
                         "Snapshot «{name}» as of {day} saved."),
    "snapshot_exists": ("Đã có lần chốt số liệu tên «{name}»: hãy đặt tên khác.",
                        "A snapshot named «{name}» exists already: choose another name."),
    "snapshot_name_empty": ("Hãy đặt tên cho lần chốt số liệu.", "Give the snapshot a name."),
    "snapshot_list": ("Các lần chốt số liệu", "Snapshots"),
    "snapshot_none": ("Chưa có lần chốt số liệu nào.", "No snapshot yet."),
    "snapshot_created_at": ("Thời điểm chốt", "Frozen at"),
    "snapshot_created_by": ("Người chốt", "By"),
    "compare_section": ("So sánh hiện tại với lần chốt", "Compare now with a snapshot"),
    "compare_pick": ("Chọn lần chốt số liệu", "Snapshot"),
    "targets_changed": ("Chỉ tiêu thay đổi", "Targets that changed"),
    "targets_unchanged": ("Không chỉ tiêu nào thay đổi.", "No target changed."),
    "received_since": ("Báo cáo nhận được sau khi chốt", "Reports received since"),
    "received_none": ("Chưa nhận thêm báo cáo nào.", "No report received since."),
    "newly_missing": ("Đơn vị mới thiếu báo cáo", "Units newly missing a report"),
    "newly_missing_none": ("Không có đơn vị nào mới thiếu báo cáo.", "No unit is newly missing a report."),
    "before": ("Khi chốt", "Then"),
    "now": ("Hiện tại", "Now"),
    "change": ("Thay đổi", "Change"),
    "late_flag": ("Trễ hạn", "Late"),
    "correction": ("Bản sửa", "Correction"),
    "first_version": ("Lần đầu", "First"),
    "report_kind": ("Loại", "Kind"),
    "uploaded_at": ("Thời điểm tải lên", "Uploaded at"),
    "received_on": ("Ngày nhận", "Received on"),
    "due_on": ("Hạn nộp", "Due on"),
    "months": ("Các tháng", "Months"),
    "downloads": ("Tải báo cáo", "Download the report"),
    "source": ("Số liệu", "Figures"),
    "source_now": ("Hiện tại", "Now"),
    "source_snapshot": ("Lần chốt «{name}»", "Snapshot «{name}»"),
    "download_xlsx": ("Excel (.xlsx)", "Excel (.xlsx)"),
    "download_docx": ("Word (.docx)", "Word (.docx)"),
    "download_pdf": ("PDF", "PDF"),
    "download_html": ("HTML (in được)", "HTML (printable)"),
    "no_data": ("Chưa có số liệu: hãy tải báo cáo của các cơ sở lên trước.",
                "No data yet: upload the branches' reports first."),
    "present_title": ("Kết quả thực hiện Kế hoạch {plan}", "Plan {plan}: where we stand"),
    "targets_met": ("Chỉ tiêu đã đạt", "Targets met"),
    "reports_received": ("Báo cáo tháng đã nhận", "Monthly reports received"),
    "people_at_centre": ("Lượt khám tại Trung tâm", "Check-up visits at the Centre"),
    "resources_total": ("Nguồn lực vận động", "Resources mobilised"),
    "people_surveyed": ("Đối tượng được khảo sát", "People surveyed"),
    # --- the report (all formats)
    "party": ("ĐOÀN TNCS HỒ CHÍ MINH", "ĐOÀN TNCS HỒ CHÍ MINH"),
    "report_word": ("BÁO CÁO", "REPORT"),
    "report_subtitle": ("Kết quả thực hiện Kế hoạch số {plan} về {topic}, tính đến ngày {day}",
                        "Results of Plan {plan} ({topic}) as of {day}"),
    "snapshot_note": ("(Số liệu chốt ngày {created}: «{name}»)", "(Figures frozen on {created}: «{name}»)"),
    "intro": ("Thực hiện Kế hoạch số {plan} của Ban Thường vụ Đoàn Khối các cơ quan và Doanh nghiệp tỉnh "
              "về {topic}; Ban Thường vụ Đoàn Khối báo cáo kết quả thực hiện tính đến ngày {day} như sau:",
              "Under Plan {plan} of the Standing Committee of the Bloc Youth Union ({topic}), the Standing "
              "Committee reports the results as of {day}:"),
    "sec_overall": ("KẾT QUẢ CHUNG", "OVERALL RESULTS"),
    "sec_areas": ("KẾT QUẢ THEO TỪNG NỘI DUNG", "RESULTS BY PROGRAMME AREA"),
    "sec_reporting": ("CÔNG TÁC BÁO CÁO", "REPORTING"),
    "sec_resources": ("CÔNG TÁC VẬN ĐỘNG NGUỒN LỰC", "RESOURCES MOBILISED"),
    "sec_proposals": ("PHƯƠNG HƯỚNG, ĐỀ XUẤT, KIẾN NGHỊ", "NEXT STEPS AND PROPOSALS"),
    "overall_counts": ("Tính đến ngày {day}, có {met}/{total} chỉ tiêu đã đạt; {on_track} chỉ tiêu đúng tiến độ; "
                       "{behind} chỉ tiêu chậm tiến độ; {not_started} chỉ tiêu chưa thực hiện.",
                       "As of {day}, {met} of {total} targets are met; {on_track} on track; {behind} behind; "
                       "{not_started} not started."),
    "overall_activity": ("Các cơ sở Đoàn đã tổ chức {activities} hoạt động, hỗ trợ {people} lượt người; "
                         "vận động nguồn lực trị giá {value}; khảo sát, rà soát {surveyed} đối tượng tại "
                         "{districts} huyện, thị xã, thành phố.",
                         "The units held {activities} activities serving {people} people; mobilised "
                         "resources worth {value}; surveyed {surveyed} people in {districts} districts."),
    "targets_table": ("Bảng 1. Kết quả thực hiện các chỉ tiêu", "Table 1. Targets"),
    "col_no": ("STT", "No."),
    "col_target_label": ("Chỉ tiêu", "Target"),
    "col_id": ("Mã", "Id"),
    "col_clause": ("Điều khoản", "Clause"),
    "col_responsible": ("Đơn vị phụ trách", "Responsible"),
    "col_actual": ("Kết quả", "Actual"),
    "col_target": ("Chỉ tiêu", "Target"),
    "col_expected": ("Tiến độ yêu cầu", "Expected by now"),
    "col_attainment": ("Tỷ lệ đạt", "Attained"),
    "col_status": ("Đánh giá", "Status"),
    "col_note": ("Ghi chú", "Note"),
    "interpretation": ("chỉ tiêu do Đoàn Khối diễn giải từ kế hoạch", "our reading of the plan"),
    "excused": ("không tính tháng {months}: {reason}", "months {months} excused: {reason}"),
    "area_health": ("Chăm sóc sức khỏe, khám bệnh, phát thuốc, thẻ BHYT",
                    "Health: check-ups, medicine, health-insurance cards"),
    "area_spirit": ("Giao lưu, vui chơi, thăm hỏi, tặng quà, câu lạc bộ",
                    "Recreation, visits and gifts, clubs"),
    "area_solutions": ("Rà soát đối tượng, tập huấn cán bộ", "Screening beneficiaries, training staff"),
    "area_models": ("Hai mô hình của Đoàn Khối năm 2021", "The Bloc's two models in 2021"),
    "area_other": ("Các chỉ tiêu khác", "Other targets"),
    "target_line": ("{label}: {actual}/{target} ({attainment}) – {status}.",
                    "{label}: {actual} of {target} ({attainment}) – {status}."),
    "target_line_no_target": ("{label}: {actual}.", "{label}: {actual}."),
    "months_met": ("Các tháng đạt: {months}.", "Months achieved: {months}."),
    "model_started": ("đã triển khai", "started"),
    "model_not_started": ("chưa triển khai", "not started"),
    "checkups_chart": ("Số người được khám bệnh, phát thuốc tại Trung tâm theo tháng (mức {threshold} người)",
                       "People at the Centre's check-ups by month (line: {threshold})"),
    "attainment_chart": ("Tỷ lệ đạt các chỉ tiêu", "Attainment of the targets"),
    "resources_chart": ("Giá trị nguồn lực vận động theo loại hỗ trợ (triệu đồng)",
                        "Resources mobilised by item (million VND)"),
    "coverage_table": ("Bảng {n}. Đối tượng được khảo sát theo huyện, thị xã, thành phố",
                       "Table {n}. People surveyed by district"),
    "col_district": ("Huyện, thị xã, thành phố", "District"),
    "col_category": ("Nhóm đối tượng", "Category"),
    "col_people": ("Số người", "People"),
    "reporting_text": ("Tính đến ngày {day}, đã nhận {received}/{expected} báo cáo tháng đến hạn "
                       "(đạt {completeness}); {on_time} báo cáo nộp đúng hạn (đạt {timeliness}).",
                       "As of {day}, {received} of {expected} monthly reports due were received "
                       "({completeness}); {on_time} on time ({timeliness})."),
    "reporting_missing": ("Các đơn vị còn thiếu báo cáo: {units}.", "Units with missing reports: {units}."),
    "reporting_all_in": ("Tất cả các đơn vị đã nộp đủ báo cáo đến hạn.", "Every unit has sent every report due."),
    "month_short": ("tháng {months}", "months {months}"),
    "reporting_table": ("Bảng {n}. Tình hình nộp báo cáo tháng của các cơ sở Đoàn",
                        "Table {n}. Monthly reports by unit"),
    "reporting_legend": ("Đ: đúng hạn; T: trễ hạn; X: chưa nộp; S: nộp trước hạn; để trống: chưa đến hạn.",
                         "O: on time; L: late; X: missing; E: received early; blank: not yet due."),
    "col_unit": ("Đơn vị", "Unit"),
    "resources_text": ("Tổng giá trị nguồn lực vận động được: {value} ({entries} lượt hỗ trợ).",
                       "Resources mobilised: {value} ({entries} entries)."),
    "resources_none": ("Chưa ghi nhận nguồn lực vận động.", "No resources recorded yet."),
    "resources_table": ("Bảng {n}. Nguồn lực vận động theo loại hỗ trợ", "Table {n}. Resources by item"),
    "resources_unit_table": ("Bảng {n}. Nguồn lực vận động theo đơn vị", "Table {n}. Resources by unit"),
    "col_item": ("Loại hỗ trợ", "Item"),
    "col_entries": ("Số lượt", "Entries"),
    "col_quantity": ("Số lượng", "Quantity"),
    "col_value": ("Giá trị (đồng)", "Value (VND)"),
    "col_donor_type": ("Loại nhà tài trợ", "Donor type"),
    "col_donor": ("Nhà tài trợ", "Donor"),
    "proposals_hint": ("(Ban Thường vụ bổ sung nội dung.)", "(To be completed by the Standing Committee.)"),
    "closing": ("Trên đây là báo cáo kết quả thực hiện Kế hoạch số {plan} tính đến ngày {day} của "
                "Ban Thường vụ Đoàn Khối các cơ quan và Doanh nghiệp tỉnh./.",
                "This is the Standing Committee's report on Plan {plan} as of {day}./."),
    "receivers": ("Nơi nhận:", "Copies to:"),
    "on_behalf": ("TM. BAN THƯỜNG VỤ", "TM. BAN THƯỜNG VỤ"),
    "secretary": ("BÍ THƯ", "BÍ THƯ"),
    "vnd": ("{value} đồng", "{value} VND"),
    "page": ("Trang", "Page"),
    # --- the workbook
    "sheet_info": ("Thông tin", "About"),
    "sheet_targets": ("Chỉ tiêu", "Targets"),
    "sheet_reporting": ("Báo cáo tháng", "Monthly reports"),
    "sheet_activities": ("Hoạt động theo tháng", "Activities by month"),
    "sheet_checkups": ("Khám bệnh tại Trung tâm", "Centre check-ups"),
    "sheet_res_item": ("Nguồn lực theo loại", "Resources by item"),
    "sheet_res_donor": ("Nguồn lực theo nhà tài trợ", "Resources by donor"),
    "sheet_res_unit": ("Nguồn lực theo đơn vị", "Resources by unit"),
    "sheet_res_detail": ("Nguồn lực chi tiết", "Resources, detail"),
    "sheet_act_detail": ("Hoạt động chi tiết", "Activities, detail"),
    "sheet_coverage": ("Bao phủ theo huyện", "Coverage by district"),
    "sheet_categories": ("Bao phủ theo nhóm đối tượng", "Coverage by category"),
    "sheet_res_donor_type": ("Nguồn lực theo loại nhà tài trợ", "Resources by donor type"),
    "on_time_reports": ("Nộp đúng hạn", "On time"),
    "col_month": ("Tháng", "Month"),
    "col_activity_type": ("Loại hoạt động", "Activity type"),
    "col_activities": ("Số hoạt động", "Activities"),
    "col_people_served": ("Số người được hỗ trợ", "People served"),
    "col_threshold": ("Mức yêu cầu", "Threshold"),
    "col_reached": ("Đạt mức", "Reached"),
    "col_received": ("Đã nhận", "Received"),
    "col_expected_reports": ("Đến hạn", "Due"),
    "col_date": ("Ngày", "Date"),
    "col_title": ("Nội dung", "Title"),
    "col_location": ("Địa điểm", "Place"),
    "col_volunteers": ("Đoàn viên tham gia", "Volunteers"),
    "col_cost": ("Kinh phí (đồng)", "Cost (VND)"),
    "col_description": ("Mô tả", "Description"),
    "col_uom": ("Đơn vị tính", "Unit of measure"),
    "col_period": ("Tháng báo cáo", "Report month"),
    "col_beneficiaries": ("Đối tượng khảo sát", "People surveyed"),
    "col_resources_value": ("Giá trị nguồn lực (đồng)", "Resources (VND)"),
    "info_plan": ("Kế hoạch", "Plan"),
    "info_as_of": ("Tính đến ngày", "As of"),
    "info_generated": ("Thời điểm lập", "Generated at"),
    "info_snapshot": ("Lần chốt số liệu", "Snapshot"),
    "info_data_version": ("Phiên bản dữ liệu", "Data version"),
    "info_truncated": ("Chỉ ghi {shown}/{total} dòng đầu.", "Only the first {shown} of {total} rows."),
    "total": ("Tổng cộng", "Total"),
    "figure_caption": ("Biểu đồ {n}. {caption}", "Figure {n}. {caption}"),
    "million_vnd": ("triệu đồng", "million VND"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "unknown": ("Chưa rõ", "Unknown"),
}

# Which programme area each target of the 2021 plan belongs to (other plans: "other").
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("area_health", ("checkup_monthly", "checkup_people", "bhyt_disabled_students")),
    ("area_spirit", ("children_day_gifts", "mid_autumn_gifts", "recreation_monthly", "disability_club")),
    ("area_solutions", ("district_coverage", "staff_training")),
    ("area_models", ("two_models",)),
)
# Targets reported in their own sections, not among the programme areas.
OWN_SECTION_TARGETS = ("reporting_completeness", "resources_value")

# Receivers of the report (after the plan's "Nơi nhận", without personal names).
RECEIVERS: tuple[tuple[str, str], ...] = (
    ("- Ban Thường vụ Tỉnh đoàn (để b/c);", "- Provincial Youth Union Standing Committee (to report);"),
    ("- Thường trực Đảng ủy Khối CCQ-DN tỉnh (để b/c);", "- Bloc Party Committee (to report);"),
    ("- Ban Phong trào Tỉnh đoàn (để b/c);", "- Provincial Youth Union, Movements Department (to report);"),
    ("- Ủy viên BTV Đoàn Khối CCQ-DN (để biết);", "- Members of the Standing Committee (for information);"),
    ("- Các cơ sở Đoàn trực thuộc (để biết);", "- Grassroots units (for information);"),
    ("- Lưu VP.", "- Office file."),
)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English member of a (vi, en) pair for ``lang == "en"``, else the Vietnamese one."""
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = "vi", **params: Any) -> str:
    """The string ``key`` in ``lang`` (here first, then ``ytsupport.i18n``), with ``params`` filled in."""
    pair = STRINGS.get(key)
    if pair is None:
        from ..i18n import STRINGS as SHARED

        pair = SHARED[key]
    text = pick(pair, lang)
    return text.format(**params) if params else text


def status_label(status: str, lang: str = "vi") -> str:
    return pick(STATUS.get(status, (status, status)), lang)


def state_label(state: str, lang: str = "vi") -> str:
    return pick(REPORT_STATES.get(state, (state, state)), lang)


def state_mark(state: str, lang: str = "vi") -> str:
    return pick(STATE_MARKS.get(state, ("?", "?")), lang)
