"""The blank monthly report template (docs/data-contract.md §1): what `python -m ytsupport template` writes.

The workbook holds, in this order: ``ThongTin`` (unit and month), the three report sheets
``HoatDong``, ``DoiTuong`` and ``NguonLuc`` (an ``STT`` column, then the ``header_vi`` headers of
``reference/sheets.yaml``, and one example row whose STT is ``Ví dụ``), the instructions sheet
``HuongDan`` and the hidden sheet ``DanhMuc`` that holds the dropdown lists. Everything the
template offers comes from the reference YAML, so a new vocabulary entry reaches the template
without code changes.

Headers and the ThongTin labels stay Vietnamese in both languages (they are the data contract);
``lang`` only chooses the language of the instructions and hints.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .settings import REFERENCE_DIR

PLAN_YEAR = 2021
#: Fixed document timestamps, so that the same content always gives the same bytes.
FIXED_TIMESTAMP = datetime(2021, 1, 1, 0, 0, 0)
ZIP_DATE_TIME = (2021, 1, 1, 0, 0, 0)

KIND_ORDER = ("activities", "beneficiaries", "resources")
INFO_SHEET = "ThongTin"
LISTS_SHEET = "DanhMuc"
HELP_SHEET = "HuongDan"
STT = "STT"
EXAMPLE_MARK = "Ví dụ"
#: Rows covered by the dropdowns (data starts in row 2).
LAST_DATA_ROW = 1000

DATE_FORMAT = "dd/mm/yyyy"
NUMBER_FORMAT = "#,##0"
NUMERIC_TYPES = frozenset({"count", "money", "quantity"})
COLUMN_WIDTHS = {"date": 14, "text": 34, "place_text": 32, "district": 22, "count": 13, "money": 16,
                 "quantity": 11, "year": 10, "yes_no": 12, "categories": 30}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


# --------------------------------------------------------------------------- reference data
@lru_cache(maxsize=None)
def load_reference(name: str) -> Any:
    """One YAML file of ``reference/`` (``sheets``, ``vocabularies``, ``districts``, ``places``, ``units_2021``)."""
    with open(REFERENCE_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def sheet_columns(kind: str) -> list[dict[str, Any]]:
    """The column definitions of one sheet kind, in template order."""
    return list(load_reference("sheets")[kind]["columns"])


def template_sheet_name(kind: str) -> str:
    """The template's name for a sheet kind (``HoatDong``, ``DoiTuong``, ``NguonLuc``)."""
    return str(load_reference("sheets")[kind]["template_sheet"])


def info_fields() -> list[dict[str, Any]]:
    """The ThongTin fields (unit, period, prepared_by, prepared_on)."""
    return list(load_reference("sheets")["info"]["fields"])


def units() -> list[dict[str, Any]]:
    """All configured units of the 2021 plan, the Bloc first."""
    return list(load_reference("units_2021")["units"])


# --------------------------------------------------------------------------- dropdown lists
@dataclass(frozen=True)
class DropdownList:
    """One column of the hidden ``DanhMuc`` sheet."""

    key: str
    title: str
    values: tuple[str, ...]
    strict: bool = True  # False: a suggestion only (several categories may be typed, separated by ';')


def dropdown_lists(year: int = PLAN_YEAR) -> list[DropdownList]:
    """The lists behind the template's dropdowns, from the reference YAML."""
    vocab = load_reference("vocabularies")

    def labels(name: str) -> tuple[str, ...]:
        return tuple(entry["label_vi"] for entry in vocab[name])

    districts = tuple(d["label_vi"] for d in load_reference("districts")["districts"])
    return [
        DropdownList("activity_types", "Danh mục loại hoạt động", labels("activity_types")),
        DropdownList("categories", "Danh mục nhóm đối tượng", labels("beneficiary_categories"), strict=False),
        DropdownList("resource_items", "Danh mục loại hỗ trợ", labels("resource_items")),
        DropdownList("donor_types", "Danh mục loại nhà tài trợ", labels("donor_types")),
        DropdownList("district", "Danh mục huyện, thị xã, thành phố", districts),
        DropdownList("units", "Danh mục đơn vị", tuple(u["name_vi"] for u in units())),
        DropdownList("yes_no", "Danh mục có hoặc không", ("Có", "Không")),
        DropdownList("sex", "Danh mục giới tính", labels("sex")),
        DropdownList("months", "Danh mục tháng", tuple(f"{m}/{year}" for m in range(1, 13))),
    ]


def list_key_for(column_type: str) -> str | None:
    """Which DanhMuc list a column of this type draws from (None: free entry)."""
    if column_type.startswith("code:"):
        vocabulary = column_type.split(":", 1)[1]
        return vocabulary if vocabulary != "beneficiary_categories" else "categories"
    return {"district": "district", "yes_no": "yes_no", "categories": "categories"}.get(column_type)


def write_lists_sheet(ws: Worksheet, lists: list[DropdownList]) -> dict[str, str]:
    """Fill the hidden DanhMuc sheet; return each list's absolute range (``DanhMuc!$A$2:$A$13``)."""
    ranges: dict[str, str] = {}
    for col, dl in enumerate(lists, start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=dl.title).font = HEADER_FONT
        for row, value in enumerate(dl.values, start=2):
            ws.cell(row=row, column=col, value=value)
        ws.column_dimensions[letter].width = max(18, min(60, max(len(v) for v in dl.values) + 2))
        ranges[dl.key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(dl.values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def add_dropdown(ws: Worksheet, cells: str, source: str, strict: bool, prompt: str | None = None) -> None:
    """A list validation on ``cells`` drawing from ``source`` (written as Excel writes it: no leading "=").

    Typed values outside the list only raise a warning (or nothing, when not strict): the
    loaders also accept aliases, so Excel must not refuse them.
    """
    dv = DataValidation(type="list", formula1=source, allow_blank=True,
                        showErrorMessage=strict, errorStyle="warning", showDropDown=False)
    dv.error = "Giá trị không có trong danh mục. Xem sheet HuongDan."
    dv.errorTitle = "Kiểm tra giá trị"
    if prompt:
        dv.prompt, dv.showInputMessage = prompt, True
    dv.add(cells)
    ws.add_data_validation(dv)


# --------------------------------------------------------------------------- example rows
EXAMPLE_ROWS: dict[str, dict[str, Any]] = {
    "activities": {
        "date": date(PLAN_YEAR, 6, 15), "activity_type": "Khám bệnh, phát thuốc",
        "title": "Khám bệnh, cấp phát thuốc miễn phí cho người khuyết tật, trẻ mồ côi, người già neo đơn",
        "location": "Trung tâm Bảo trợ xã hội tỉnh", "district": None, "people_served": 105,
        "disabled": 40, "orphans": 25, "elderly": 30, "volunteers": 15, "cost_vnd": 12_500_000,
        "notes": "Phối hợp với y, bác sĩ tình nguyện",
    },
    "beneficiaries": {
        "person_id": None, "full_name": "Nguyễn Văn A", "birth_year": 2010, "sex": "Nam",
        "category": "Người khuyết tật; Trẻ em mồ côi", "district": "Càng Long",
        "commune": "Xã An Trường", "needs": "Khám bệnh định kỳ, xe lăn",
        "surveyed_on": date(PLAN_YEAR, 6, 10), "supported": "Có", "has_bhyt": "Có",
    },
    "resources": {
        "date": date(PLAN_YEAR, 6, 12), "donor": "Công ty TNHH Dược phẩm (ví dụ)",
        "donor_type": "Doanh nghiệp", "item": "Thuốc", "description": "Thuốc điều trị bệnh thông thường",
        "quantity": 100, "unit_of_measure": "suất", "value_vnd": 15_000_000,
        "recipient": "Trung tâm Bảo trợ xã hội tỉnh", "notes": None,
    },
}


# --------------------------------------------------------------------------- data sheets
def style_column(ws: Worksheet, col: int, column: dict[str, Any]) -> None:
    """Width and default number format of one data column (column-level, so no empty cells are written)."""
    letter = get_column_letter(col)
    dim = ws.column_dimensions[letter]
    kind = column["type"]
    dim.width = COLUMN_WIDTHS.get(kind, 26)
    if kind == "date":
        dim.number_format = DATE_FORMAT
    elif kind in NUMERIC_TYPES:
        dim.number_format = NUMBER_FORMAT


def write_header(ws: Worksheet, headers: list[str]) -> None:
    """Row 1: bold, wrapped, filled headers, frozen with the STT column."""
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=text)
        cell.font, cell.alignment, cell.fill = HEADER_FONT, WRAP, HEADER_FILL
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 7


def write_data_row(ws: Worksheet, row: int, stt: Any, columns: list[dict[str, Any]],
                   values: dict[str, Any]) -> None:
    """One row in template form: STT, then each column's value with its number format."""
    ws.cell(row=row, column=1, value=stt)
    for col, column in enumerate(columns, start=2):
        value = values.get(column["key"])
        if value is None:
            continue
        cell = ws.cell(row=row, column=col, value=value)
        if column["type"] == "date":
            cell.number_format = DATE_FORMAT
        elif column["type"] in NUMERIC_TYPES:
            cell.number_format = NUMBER_FORMAT


def write_data_sheet(ws: Worksheet, kind: str, ranges: dict[str, str], lists: dict[str, DropdownList]) -> None:
    """A report sheet: STT + headers, column formats, dropdowns and the ``Ví dụ`` example row."""
    columns = sheet_columns(kind)
    write_header(ws, [STT] + [c["header_vi"] for c in columns])
    for col, column in enumerate(columns, start=2):
        style_column(ws, col, column)
        key = list_key_for(column["type"])
        if key:
            letter = get_column_letter(col)
            add_dropdown(ws, f"{letter}2:{letter}{LAST_DATA_ROW}", ranges[key], lists[key].strict)
    write_data_row(ws, 2, EXAMPLE_MARK, columns, EXAMPLE_ROWS[kind])
    for cell in ws[2]:
        cell.font = EXAMPLE_FONT


# --------------------------------------------------------------------------- ThongTin
INFO_HINTS = {
    "vi": {"unit": "Chọn tên đơn vị trong danh sách", "period": "Chọn tháng báo cáo (tháng/năm)",
           "prepared_by": "Họ tên người lập báo cáo", "prepared_on": "Ngày lập, dạng dd/mm/yyyy"},
    "en": {"unit": "Pick the unit from the list", "period": "Pick the report month (month/year)",
           "prepared_by": "Name of the person preparing the report", "prepared_on": "Date prepared, dd/mm/yyyy"},
}


def write_info_sheet(ws: Worksheet, ranges: dict[str, str], lang: str) -> None:
    """ThongTin: labels in column A, values in column B (dropdowns for unit and month).

    Hints are input messages shown when a value cell is selected, not cells: a hint in column C
    would read as the value of an empty field.
    """
    hints = INFO_HINTS.get(lang, INFO_HINTS["vi"])
    for row, field in enumerate(info_fields(), start=1):
        ws.cell(row=row, column=1, value=field["label_vi"]).font = HEADER_FONT
    ws["B2"].number_format = "@"  # keep "6/2021" as typed text, not a date
    ws["B4"].number_format = DATE_FORMAT
    add_dropdown(ws, "B1", ranges["units"], strict=True, prompt=hints["unit"])
    add_dropdown(ws, "B2", ranges["months"], strict=False, prompt=hints["period"])
    for cell, key in (("B3", "prepared_by"), ("B4", "prepared_on")):
        add_prompt(ws, cell, hints[key])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 55


def add_prompt(ws: Worksheet, cells: str, prompt: str) -> None:
    """An input message on ``cells`` (a validation that accepts anything)."""
    dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=False, prompt=prompt)
    dv.add(cells)
    ws.add_data_validation(dv)


# --------------------------------------------------------------------------- HuongDan
def type_hint(column: dict[str, Any], lists: dict[str, DropdownList], lang: str) -> str:
    """How a column is filled in, from its type (one line of the instructions)."""
    kind = column["type"]
    key = list_key_for(kind)
    if key:
        values = "; ".join(lists[key].values)
        if kind == "categories":
            return (f"Chọn trong danh sách; nhiều nhóm thì cách nhau bằng dấu chấm phẩy (;): {values}" if lang == "vi"
                    else f"Pick from the list; several groups separated by semicolons (;): {values}")
        if kind == "yes_no":
            return "Có / Không (để trống = Không)" if lang == "vi" else "Có (yes) / Không (no); blank = no"
        return f"Chọn trong danh sách: {values}" if lang == "vi" else f"Pick from the list: {values}"
    return TYPE_HINTS[lang if lang in TYPE_HINTS else "vi"].get(kind, "")


TYPE_HINTS = {
    "vi": {"date": "Ngày, dạng dd/mm/yyyy (ngày/tháng/năm), thuộc tháng báo cáo",
           "text": "Ghi tự do", "place_text": "Ghi tự do; hoạt động tại Trung tâm thì ghi rõ \"Trung tâm Bảo trợ xã hội tỉnh\"",
           "count": "Số nguyên, không âm", "money": "Số tiền bằng đồng (VNĐ), không âm; chỉ ghi số, ví dụ 1500000",
           "quantity": "Số lớn hơn 0", "year": "Năm sinh, 4 chữ số (ví dụ 1985)"},
    "en": {"date": "A date, dd/mm/yyyy (day first), inside the report month",
           "text": "Free text", "place_text": "Free text; at the Centre write \"Trung tâm Bảo trợ xã hội tỉnh\"",
           "count": "Whole number, not negative", "money": "Amount in đồng (VND), not negative; digits only, e.g. 1500000",
           "quantity": "A number greater than 0", "year": "Year of birth, 4 digits (e.g. 1985)"},
}

HELP_TEXT = {
    "vi": {
        "title": "HƯỚNG DẪN ĐIỀN BÁO CÁO THÁNG (Kế hoạch 114-KH/ĐTN)",
        "general": [
            "Mỗi đơn vị gửi một tệp cho mỗi tháng, chậm nhất ngày 10 của tháng sau.",
            "Sheet ThongTin: chọn Đơn vị và Tháng báo cáo trong danh sách; ghi Người lập, Ngày lập.",
            "Tháng không phát sinh hoạt động: vẫn gửi báo cáo (điền ThongTin, để trống các sheet khác).",
            "Mỗi sheet có một dòng \"Ví dụ\" (cột STT ghi \"Ví dụ\"): có thể giữ lại hoặc xóa; dòng này không được tính.",
            "Ghi dữ liệu từ dòng 2 trở xuống, mỗi dòng một hoạt động / một đối tượng / một lần tiếp nhận; "
            "không đổi tên, không xóa cột.",
            "Ngày ghi dạng dd/mm/yyyy (ngày/tháng/năm) và phải thuộc tháng báo cáo.",
            "Tiền ghi bằng đồng (VNĐ); số người, số lượng ghi bằng số.",
            "Các ô có danh sách thả xuống: chọn trong danh sách (danh mục ở sheet ẩn DanhMuc).",
            "Sheet DoiTuong chứa thông tin cá nhân: chỉ gửi qua kênh nội bộ.",
        ],
        "sheets": {"activities": "Sheet HoatDong: các hoạt động hỗ trợ đã thực hiện trong tháng.",
                   "beneficiaries": "Sheet DoiTuong: đối tượng được khảo sát, rà soát trong tháng (mỗi người một dòng).",
                   "resources": "Sheet NguonLuc: nguồn lực vận động được trong tháng "
                                "(thuốc, xe đạp, quà, nhu yếu phẩm, tiền...)."},
        "table": ("Cột", "Bắt buộc", "Cách ghi, giá trị chấp nhận"),
        "required": ("Bắt buộc", "Không bắt buộc"),
        "breakdown": " Không lớn hơn \"Số người được hỗ trợ\".",
    },
    "en": {
        "title": "HOW TO FILL IN THE MONTHLY REPORT (Plan 114-KH/ĐTN)",
        "general": [
            "One file per unit per month, sent by the 10th of the next month.",
            "Sheet ThongTin: pick the unit (Đơn vị) and the report month (Tháng báo cáo); add who prepared it and when.",
            "Nothing happened this month: still send the report (ThongTin filled, other sheets empty).",
            "Each sheet has one example row (STT \"Ví dụ\"): keep it or delete it; it is never counted.",
            "Enter data from row 2 down, one activity / person / donation per row; do not rename or delete columns.",
            "Dates as dd/mm/yyyy (day first), inside the report month.",
            "Money in đồng (VND); people and quantities as numbers.",
            "Cells with a dropdown: pick from the list (the lists are on the hidden sheet DanhMuc).",
            "Sheet DoiTuong holds personal data: send it only through internal channels.",
        ],
        "sheets": {"activities": "Sheet HoatDong: support activities carried out this month.",
                   "beneficiaries": "Sheet DoiTuong: people surveyed or screened this month (one row per person).",
                   "resources": "Sheet NguonLuc: resources mobilised this month "
                                "(medicine, bicycles, gifts, necessities, cash...)."},
        "table": ("Column", "Required", "How to fill it in"),
        "required": ("Required", "Optional"),
        "breakdown": " Not more than \"Số người được hỗ trợ\".",
    },
}
BREAKDOWN_KEYS = frozenset({"disabled", "orphans", "elderly"})


def write_help_sheet(ws: Worksheet, lists: dict[str, DropdownList], lang: str) -> None:
    """HuongDan: general rules, then one line per column of each report sheet."""
    text = HELP_TEXT.get(lang, HELP_TEXT["vi"])
    ws.append([text["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for line in text["general"]:
        ws.append([f"• {line}"])
    for kind in KIND_ORDER:
        ws.append([])
        ws.append([text["sheets"][kind]])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
        ws.append(list(text["table"]))
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for column in sheet_columns(kind):
            hint = type_hint(column, lists, lang) + (text["breakdown"] if column["key"] in BREAKDOWN_KEYS else "")
            ws.append([column["header_vi"], text["required"][0 if column["required"] else 1], hint])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 110
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# --------------------------------------------------------------------------- assembly
def build_template(lang: str = "vi", year: int = PLAN_YEAR) -> Workbook:
    """The template as an openpyxl workbook (not saved), with fixed document properties."""
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    data_sheets = [wb.create_sheet(template_sheet_name(kind)) for kind in KIND_ORDER]
    help_ws = wb.create_sheet(HELP_SHEET)
    lists_ws = wb.create_sheet(LISTS_SHEET)
    all_lists = dropdown_lists(year)
    by_key = {dl.key: dl for dl in all_lists}
    ranges = write_lists_sheet(lists_ws, all_lists)
    write_info_sheet(info, ranges, lang)
    for kind, ws in zip(KIND_ORDER, data_sheets):
        write_data_sheet(ws, kind, ranges, by_key)
    write_help_sheet(help_ws, by_key, lang)
    fix_properties(wb)
    return wb


def fix_properties(wb: Workbook) -> None:
    """Fixed creator and timestamps: reruns give identical files."""
    wb.properties.creator = "ytsupport"
    wb.properties.lastModifiedBy = "ytsupport"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx, ods) with fixed member timestamps, keeping order and compression.

    openpyxl stamps ``dcterms:modified`` with the time of saving; it is reset here too.
    """
    fixed = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE_TIME)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", content)
            dst.writestr(member, content)
    return out.getvalue()


def save_workbook(wb: Workbook, out: Path) -> Path:
    """Save an openpyxl workbook byte-stably (fixed properties and zip timestamps)."""
    fix_properties(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(stable_zip(buffer.getvalue()))
    return out


def write_template(out: Path, lang: str = "vi") -> Path:
    """Write the blank report template to ``out`` (an .xlsx path) and return the path.

    ``lang`` ("vi" or "en") chooses the language of the instructions sheet and hints; headers
    and ThongTin labels stay Vietnamese, as the data contract requires.
    """
    if lang not in HELP_TEXT:
        raise ValueError(f"unsupported language: {lang!r} (use 'vi' or 'en')")
    wb = build_template(lang)
    if lang == "en":
        add_english_comments(wb)
    return save_workbook(wb, Path(out))


def add_english_comments(wb: Workbook) -> None:
    """In the English template, each header carries its English name as a cell comment."""
    for kind in KIND_ORDER:
        ws = wb[template_sheet_name(kind)]
        for col, column in enumerate(sheet_columns(kind), start=2):
            ws.cell(row=1, column=col).comment = Comment(column["header_en"], "ytsupport")
