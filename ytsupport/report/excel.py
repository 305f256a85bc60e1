"""The report as an Excel workbook (openpyxl): one sheet per table, real numbers and dates.

Each sheet has its header in row 1 (frozen, with a filter), set column widths, number and date
formats, and conditional fills for statuses and report states. Every text cell goes through
``safe.put`` so that text from uploaded files can never become a formula.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..i18n import t
from ..metrics import CONTRIBUTION_COLUMNS, JOINT
from .. import formatting as fmt
from ..plan.definition import month_end
from ..states import ReportState
from . import briefing
from .document import STATE_FILLS, STATUS_FILLS, emulation_table, target_note
from .labels import pick, state_label, status_label
from .content import ReportContent
from .safe import put

NUMBER_FORMATS = {"count": "#,##0", "int": "#,##0", "percent": "0.0%", "vnd": "#,##0", "date": "dd/mm/yyyy",
                  "month": "mm/yyyy", "text": "@", "decimal": "#,##0.0"}
HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")


@dataclass(frozen=True)
class Column:
    """A sheet column: the record key (or a function of the record), header, width and kind."""

    key: str | Callable[[dict[str, Any]], Any]
    header: str
    width: float = 14
    kind: str = "text"  # text | count | int | percent | vnd | date | month | decimal


def _value(column: Column, record: dict[str, Any]) -> Any:
    value = column.key(record) if callable(column.key) else record.get(column.key)
    if value is None:
        return None
    if column.kind == "date":
        return date.fromisoformat(str(value)[:10])
    if column.kind == "month":
        return date.fromisoformat(f"{str(value)[:7]}-01")
    return value


def number_format(kind: str, value: Any) -> str:
    """The cell format of a value of ``kind`` (counts are whole, percentages have one decimal)."""
    return NUMBER_FORMATS[kind]


def _expected(record: dict[str, Any]) -> Any:
    """The expected-by-now value as every view shows it: a count rounded half up to a whole number."""
    value = record.get("expected_by_now")
    if value is None or record.get("format", "count") != "count":
        return value
    return int(fmt.half_up(value))


def write_sheet(workbook: Workbook, title: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]],
                kinds: Sequence[Sequence[str | None]] | None = None) -> Worksheet:
    """A sheet with a frozen, filtered header row and one row per record.

    ``kinds`` may override, row by row, each column's kind (None: the column's own).
    """
    sheet = workbook.create_sheet(title[:31])
    for c, column in enumerate(columns, start=1):
        cell = put(sheet.cell(row=1, column=c), column.header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    for r, record in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            value = _value(column, record)
            cell = put(sheet.cell(row=r, column=c), value)
            kind = (kinds[r - 2][c - 1] if kinds else None) or column.kind
            if kind != "text":
                cell.number_format = number_format(kind, value)
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return sheet


def _fills(sheet: Worksheet, cells: str, labels: dict[str, str], fills: dict[str, str | None]) -> None:
    """Conditional fills: a cell equal to a label gets that label's fill."""
    for key, label in labels.items():
        fill = fills.get(key)
        if fill:
            sheet.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{label}"'],
                                                               fill=PatternFill("solid", bgColor=fill)))


# ---------------------------------------------------------------------------------------------


def info_sheet(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """What the workbook is: plan, as-of, when made, from which snapshot, reporting totals."""
    snap, meta = content.snapshot, content.meta
    reporting = meta["headline"]["reporting"]
    title = pick((meta["plan_title"].get("vi", ""), meta["plan_title"].get("en", "")), lang)
    rows: list[tuple[str, Any, str | None]] = [
        (t("info_plan", lang), f"{meta['plan']}: {title}", None),
        (t("info_as_of", lang), content.as_of, NUMBER_FORMATS["date"]),
        (t("info_generated", lang), fmt.stamp(meta.get("generated_at")), None),
        (t("info_snapshot", lang),
         f"{snap['name']} ({fmt.stamp(snap['created_at'])}, {snap['created_by']})" if snap else "-", None),
        (t("info_data_version", lang), meta.get("data_version"), None),
        (t("col_expected_reports", lang), reporting["expected"], NUMBER_FORMATS["int"]),
        (t("col_received", lang), reporting["received"], NUMBER_FORMATS["int"]),
        (t("on_time_reports", lang), reporting["on_time"], NUMBER_FORMATS["int"]),
    ]
    for key, total in meta.get("totals", {}).items():
        listed = len(content.tables.get(key) or [])
        if total > listed:
            note = t("info_truncated", lang, shown=listed, total=total)
            rows.append((t(f"sheet_{key[:3]}_detail", lang), note, None))
    sheet = workbook.create_sheet(t("sheet_info", lang))
    for r, (label, value, number_format) in enumerate(rows, start=1):
        put(sheet.cell(row=r, column=1), label).font = Font(bold=True)
        cell = put(sheet.cell(row=r, column=2), value)
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
        if number_format:
            cell.number_format = number_format
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 30, 90


def targets_sheet(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """id, label, clause, responsible, actual, target, expected by now, attainment, status, note."""
    kinds = {"count": "count", "percent": "percent", "vnd": "vnd"}
    columns = [Column(lambda r: r["_n"], t("col_no", lang), 6, "int"), Column("id", t("col_id", lang), 22),
               Column(lambda r: pick((r["label"]["vi"], r["label"].get("en", r["label"]["vi"])), lang),
                      t("col_target_label", lang), 50),
               Column("clause", t("col_clause", lang), 14),
               Column(lambda r: pick((r["responsible"].get("vi", ""), r["responsible"].get("en", "")), lang),
                      t("col_responsible", lang), 34),
               Column("actual", t("col_actual", lang), 14, "count"),
               Column("target", t("col_target", lang), 12, "count"),
               Column(_expected, t("col_expected", lang), 14, "count"),
               Column("attainment", t("col_attainment", lang), 11, "percent"),
               Column(lambda r: status_label(r["status"], lang), t("col_status", lang), 18),
               Column(lambda r: briefing.in_month(r, content), t("col_in_month", lang), 12, "count"),
               Column(lambda r: briefing.change(r, content), t("col_since", lang), 14, "count"),
               Column(lambda r: target_note(r, lang, content), t("col_note", lang), 60)]
    rows = [{**r, "_n": i} for i, r in enumerate(content.targets, start=1)]
    previous = any("previous_actual" in r for r in rows)  # the same period of the previous year's plan
    if previous:
        columns.append(Column(lambda r: r.get("previous_actual"), t("col_previous", lang), 16, "count"))
    overrides = [[None] * 5 + [kinds.get(r.get("format", "count"), "count")] * 3 + [None] * 2
                 + [kinds.get(r.get("format", "count"), "count")] * 2 + [None]
                 + ([kinds.get(r.get("format", "count"), "count")] if previous else []) for r in rows]
    sheet = write_sheet(workbook, t("sheet_targets", lang), columns, rows, overrides)
    _fills(sheet, f"J2:J{len(rows) + 1}", {k: status_label(k, lang) for k in STATUS_FILLS}, STATUS_FILLS)


def reporting_sheet(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """Units × months of report states, with received and due counts per unit."""
    months = content.meta["months"]
    pairs = {(p["unit"], p["period"]): p for p in content.tables.get("reporting_pairs") or []}
    rows = []
    for unit in content.meta["reporting_units"]:
        row: dict[str, Any] = {"unit": unit, "name": content.unit_name(unit)}
        for m in months:
            row[m] = state_label(pairs.get((unit, m), {}).get("state", ReportState.NOT_DUE), lang)
        own = [p for (u, _), p in pairs.items() if u == unit and p["is_due"]]
        row["received"], row["due"] = sum(bool(p["received"]) for p in own), len(own)
        rows.append(row)
    columns = [Column("unit", t("col_id", lang), 16), Column("name", t("col_unit", lang), 40),
               *[Column(m, fmt.month_number(m), 13) for m in months],
               Column("received", t("col_received", lang), 9, "int"),
               Column("due", t("col_expected_reports", lang), 9, "int")]
    sheet = write_sheet(workbook, t("sheet_reporting", lang), columns, rows)
    last = get_column_letter(2 + len(months))
    _fills(sheet, f"C2:{last}{len(rows) + 1}", {k: state_label(k, lang) for k in STATE_FILLS}, STATE_FILLS)


def activity_sheets(workbook: Workbook, content: ReportContent, lang: str) -> None:
    write_sheet(workbook, t("sheet_activities", lang), [
        Column("month", t("col_month", lang), 10, "month"), Column("activity_type", t("col_id", lang), 16),
        Column(lambda r: fmt.code_label("activity_types", r["activity_type"], lang), t("col_activity_type", lang), 32),
        Column("activities", t("col_activities", lang), 12, "int"),
        Column("people_served", t("col_people_served", lang), 14, "int")],
        content.tables.get("activities_by_month_type") or [])
    threshold = content.meta.get("threshold")
    if threshold is not None:
        as_of = date.fromisoformat(content.status["as_of"])
        rows = [{**r, "threshold": threshold, "reached": _reached(r, threshold, as_of, lang)}
                for r in content.tables.get("checkups_by_month") or []]
        sheet = write_sheet(workbook, t("sheet_checkups", lang), [
            Column("month", t("col_month", lang), 10, "month"),
            Column("activities", t("col_activities", lang), 12, "int"),
            Column("people_served", t("col_people_served", lang), 14, "int"),
            Column("threshold", t("col_threshold", lang), 12, "int"), Column("reached", t("col_reached", lang), 10)], rows)
        _fills(sheet, f"E2:E{len(rows) + 1}", {"met": t("yes", lang), "missing": t("no", lang)},
               {"met": STATUS_FILLS["met"], "missing": STATE_FILLS["missing"]})


def _reached(row: dict[str, Any], threshold: int, as_of: date, lang: str) -> str:
    """"Có" when the month's check-ups reached the threshold, "Không" when the month ended without,
    "—" while the month is not over at the as-of date."""
    if (row["people_served"] or 0) >= threshold:
        return t("yes", lang)
    return t("no", lang) if month_end(str(row["month"])[:7]) <= as_of else "—"


def resource_sheets(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """Value by item (one row per unit of measure, so each quantity adds like with like), by donor,
    donor type and unit (value only: quantities of different things do not add up)."""
    entries, value = Column("entries", t("col_entries", lang), 10, "int"), Column("value_vnd", t("col_value", lang), 18, "vnd")
    write_sheet(workbook, t("sheet_res_item", lang), [
        Column("item", t("col_id", lang), 14),
        Column(lambda r: fmt.code_label("resource_items", r["item"], lang), t("col_item", lang), 26),
        Column("unit_of_measure", t("col_uom", lang), 12), entries, Column("quantity", t("col_quantity", lang), 12, "count"),
        value], content.resource_measures())
    write_sheet(workbook, t("sheet_res_donor", lang), [
        Column("donor", t("col_donor", lang), 40),
        Column(lambda r: fmt.code_label("donor_types", r.get("donor_type"), lang), t("col_donor_type", lang), 26),
        entries, value], content.tables.get("top_donors") or [])
    write_sheet(workbook, t("sheet_res_donor_type", lang), [
        Column("donor_type", t("col_id", lang), 14),
        Column(lambda r: fmt.code_label("donor_types", r["donor_type"], lang), t("col_donor_type", lang), 30),
        entries, value],
        content.tables.get("resources_by_donor_type") or [])
    write_sheet(workbook, t("sheet_res_unit", lang), [
        Column("unit", t("col_id", lang), 16), Column(lambda r: content.unit_name(r["unit"]), t("col_unit", lang), 44),
        entries, value], content.tables.get("resources_by_unit") or [])


def contribution_sheet(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """Each unit's own rows, the joint-activity adjustment row and the total: each column adds up
    to the total, which is the figure counted once that the other sheets show."""
    rows = content.tables.get("unit_contribution") or []
    total = {"unit": "", "name": t("total", lang),
             **{c: sum(r.get(c) or 0 for r in rows) for c in CONTRIBUTION_COLUMNS}}
    named = [{**r, "name": t("contribution_joint", lang) if r["unit"] == JOINT else content.unit_name(r["unit"])}
             for r in rows]
    write_sheet(workbook, t("sheet_contribution", lang), [
        Column(lambda r: "" if r["unit"] == JOINT else r["unit"], t("col_id", lang), 16),
        Column("name", t("col_unit", lang), 44), Column("activities", t("col_activities", lang), 12, "int"),
        Column("people_served", t("col_people_served", lang), 14, "int"),
        Column("resources_value_vnd", t("col_resources_value", lang), 18, "vnd"),
        Column("beneficiaries", t("col_beneficiaries", lang), 14, "int")], [*named, total] if rows else [])


def detail_sheets(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """The rows behind the totals (text from the uploaded files, made inert)."""
    unit = Column(lambda r: content.unit_name(r["unit"]), t("col_unit", lang), 34)
    write_sheet(workbook, t("sheet_res_detail", lang), [
        Column("date", t("col_date", lang), 12, "date"), unit,
        Column("donor", t("col_donor", lang), 32),
        Column(lambda r: fmt.code_label("donor_types", r.get("donor_type"), lang), t("col_donor_type", lang), 22),
        Column(lambda r: fmt.code_label("resource_items", r["item"], lang), t("col_item", lang), 18),
        Column("description", t("col_description", lang), 36), Column("quantity", t("col_quantity", lang), 10, "count"),
        Column("unit_of_measure", t("col_uom", lang), 10), Column("value_vnd", t("col_value", lang), 16, "vnd"),
        Column("notes", t("col_note", lang), 30)], content.tables.get("resources_detail") or [])
    write_sheet(workbook, t("sheet_act_detail", lang), [
        Column("date", t("col_date", lang), 12, "date"), unit,
        Column(lambda r: fmt.code_label("activity_types", r["activity_type"], lang), t("col_activity_type", lang), 24),
        Column("title", t("col_title", lang), 40), Column("location", t("col_location", lang), 30),
        Column(lambda r: fmt.code_label("districts", r["district"], lang) if r.get("district") else None,
               t("col_district", lang), 20),
        Column("people_served", t("col_people_served", lang), 12, "int"),
        Column("volunteers", t("col_volunteers", lang), 12, "int"), Column("cost_vnd", t("col_cost", lang), 14, "vnd"),
        Column("notes", t("col_note", lang), 30)], content.tables.get("activities_detail") or [])


def coverage_sheets(workbook: Workbook, content: ReportContent, lang: str) -> None:
    write_sheet(workbook, t("sheet_coverage", lang), [
        Column("district", t("col_id", lang), 16),
        Column(lambda r: fmt.code_label("districts", r["district"], lang), t("col_district", lang), 30),
        Column(lambda r: fmt.MISSING if r["people"] is None else r["people"], t("col_people", lang), 12, "int")],
        content.tables.get("coverage_by_district") or [])
    write_sheet(workbook, t("sheet_categories", lang), [
        Column("category", t("col_id", lang), 20),
        Column(lambda r: fmt.code_label("beneficiary_categories", r["category"], lang), t("col_category", lang), 34),
        Column("people", t("col_people", lang), 12, "int")], content.tables.get("coverage_by_category") or [])


def emulation_sheet(workbook: Workbook, content: ReportContent, lang: str) -> None:
    """The units' emulation scores (the report's table, as numbers) and the drafted sections as edited."""
    made = emulation_table(content, lang, 0)
    if made is not None:
        columns = [Column(lambda r, i=i: r["_cells"][i], h, 40 if i == 1 else 14) for i, h in enumerate(made.header)]
        rows = [{"_cells": [int(row["rank"]), content.unit_name(row["unit"]),
                            *[row.get(f"value_{c['id']}") for c in content.meta["emulation_criteria"]],
                            row["score"]]} for row in content.tables["emulation"]]
        kinds = [["int", None, *["decimal"] * (len(made.header) - 2)] for _ in rows]
        write_sheet(workbook, t("sec_emulation", lang), columns, rows, kinds)
    texts = briefing.sections(content, lang)
    rows = [{"section": t(f"sec_{key}", lang), "text": texts[key]} for key in texts]
    write_sheet(workbook, t("sec_assessment", lang), [Column("section", t("col_title", lang), 36),
                                                      Column("text", t("col_description", lang), 120)], rows)


def render(content: ReportContent, lang: str = "vi") -> bytes:
    """The .xlsx file's bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for writer in (info_sheet, targets_sheet, reporting_sheet, activity_sheets, resource_sheets, coverage_sheets,
                   contribution_sheet, emulation_sheet, detail_sheets):
        writer(workbook, content, lang)
    workbook.active = 1
    workbook.properties.title = f"{content.meta['plan']} – {fmt.day(content.as_of)}"
    workbook.properties.creator = "ytsupport"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
