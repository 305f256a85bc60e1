"""The beneficiary list with personal data: for the admin page and its audited export only.

No other module shows names or birth years; aggregates come from ``metrics``.
"""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from .report.safe import put
from .text import fold
from .vocab import reference

COLUMNS = ("full_name", "birth_year", "sex", "categories", "district", "commune", "needs", "surveyed_on",
           "supported", "has_bhyt", "unit", "period")
HEADERS = {"vi": ("Họ và tên", "Năm sinh", "Giới tính", "Nhóm đối tượng", "Huyện/TX/TP", "Xã/Phường/TT",
                  "Nhu cầu hỗ trợ", "Ngày khảo sát", "Đã được hỗ trợ", "Có thẻ BHYT", "Đơn vị khảo sát", "Tháng"),
           "en": ("Full name", "Birth year", "Sex", "Categories", "District", "Commune", "Needs", "Surveyed on",
                  "Supported", "BHYT card", "Surveyed by", "Month")}


def _labels(codes: object, vocabulary: str, lang: str) -> str:
    if not isinstance(codes, str) or not codes:
        return ""
    vocab = reference().vocabulary(vocabulary)
    return "; ".join(vocab.label(code, lang) for code in codes.split(";"))


def people_table(beneficiaries: pd.DataFrame, query: str = "", lang: str = "vi", limit: int = 2000) -> pd.DataFrame:
    """Beneficiaries matching ``query`` (name, district, commune or category; diacritics ignored), readable."""
    frame = beneficiaries.reindex(columns=list(COLUMNS))
    districts = reference().districts
    units = reference().units
    shown = pd.DataFrame({
        "full_name": frame["full_name"], "birth_year": frame["birth_year"],
        "sex": frame["sex"].map(lambda c: reference().sex.label(c, lang) if isinstance(c, str) else ""),
        "categories": frame["categories"].map(lambda c: _labels(c, "beneficiary_categories", lang)),
        "district": frame["district"].map(lambda c: districts.label(c, lang) if isinstance(c, str) else ""),
        "commune": frame["commune"], "needs": frame["needs"],
        "surveyed_on": pd.to_datetime(frame["surveyed_on"]).dt.date,
        "supported": frame["supported"], "has_bhyt": frame["has_bhyt"],
        "unit": frame["unit"].map(lambda c: units.name(c) if isinstance(c, str) else ""), "period": frame["period"]})
    if query.strip():
        needle = fold(query)
        haystack = shown[["full_name", "district", "commune", "categories", "unit"]].astype(str).agg(" ".join, axis=1)
        shown = shown[haystack.map(fold).str.contains(needle, regex=False)]
    shown = shown.sort_values(["district", "full_name"], na_position="last").head(limit)
    return shown.rename(columns=dict(zip(COLUMNS, HEADERS.get(lang, HEADERS["vi"]))))


def people_xlsx(table: pd.DataFrame) -> bytes:
    """The shown list as .xlsx; every text cell written inert (no formula can run)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DoiTuong"
    for col, head in enumerate(table.columns, start=1):
        put(ws.cell(row=1, column=col), head).font = Font(bold=True)
    for r, row in enumerate(table.itertuples(index=False), start=2):
        for col, value in enumerate(row, start=1):
            put(ws.cell(row=r, column=col), None if pd.isna(value) else value)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
