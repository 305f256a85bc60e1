"""Which unit and month a report is for: info sheet, then title blocks, then file name
(docs/data-contract.md §1, "Unit and month")."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..text import fold
from ..vocab import UnitRegistry, reference
from .issue_cap import IssueCollector
from .locate import cell_text, is_empty, kind_from_name, period_from_file_name, period_from_title, period_from_value, title_lines
from .records import RawSheet
from .columns import info_spec

_UNIT_WORDS = ("doan co so", "chi doan", "doan thanh nien")


@dataclass(frozen=True)
class Found:
    value: str
    source: str      # "info" | "title" | "file_name"
    written: str     # as written, for messages
    named: str = ""  # the unit named, when it had been merged into ``value`` by the report's month


def info_values(sheet: RawSheet) -> dict[str, Any]:
    """Label/value pairs of a ThongTin sheet (labels in column A, values in column B)."""
    labels = {fold(name): key for key, names in info_spec().fields.items() for name in names}
    found: dict[str, Any] = {}
    for row in sheet.top:
        cells = [v for v in row if not is_empty(v)]
        if len(cells) >= 2:
            key = labels.get(fold(str(cells[0]).rstrip(":")))
            if key and key not in found:
                found[key] = cells[1]
    return found


def _unit_candidates(sheets: list[RawSheet], stem: str, issues: IssueCollector, units: UnitRegistry,
                     period: str | None) -> list[Found]:
    found: list[Found] = []
    for sheet in sheets:
        if kind_from_name(sheet.name) == "info":
            value = info_values(sheet).get("unit")
            if value is not None:
                code = (units.match_name(str(value), period, follow=False)
                        or units.find_in_text(str(value), period, follow=False))
                if code is None:
                    issues.add("unknown_unit", sheet.name, None, None, value=cell_text(value),
                               accepted="; ".join(units.labels()))
                else:
                    found.append(_found(code, "info", cell_text(value), units, period))
    for sheet in sheets:
        code, line = _unit_in_title(sheet, units, period)
        if code:
            found.append(_found(code, "title", line, units, period))
        elif line:
            issues.add("unknown_unit", sheet.name, None, None, value=line, accepted="; ".join(units.labels()))
    code = units.find_in_text(stem.replace("_", " "), period, follow=False) or _unit_code_in(stem, units)
    if code:
        found.append(_found(code, "file_name", stem, units, period))
    return found


def _found(code: str, source: str, written: str, units: UnitRegistry, period: str | None) -> Found:
    """A unit named in ``source``; a unit merged before the report's month is read as the unit it
    merged into (docs/plan-file.md, units that change between years), and ``named`` keeps it."""
    current = units.successor(code, period)
    return Found(current, source, written, code if current != code else "")


def _unit_in_title(sheet: RawSheet, units: UnitRegistry, period: str | None) -> tuple[str | None, str | None]:
    """A unit named in the title block; the Bloc only when no unit is named. (code, line) or (None, unknown line)."""
    bloc = None
    for line in title_lines(sheet):
        code = units.find_in_text(line, period, follow=False)
        if code and code != "doan_khoi":
            return code, line
        bloc = bloc or (line if code == "doan_khoi" else None)
    if bloc:
        return "doan_khoi", bloc
    for line in title_lines(sheet):
        if fold(line).startswith(_UNIT_WORDS):
            return None, line
    return None, None


def _unit_code_in(stem: str, units: UnitRegistry) -> str | None:
    low = stem.lower()
    codes = sorted((u.code for u in units.units()), key=len, reverse=True)
    for code in codes:
        i = low.find(code)
        if i >= 0 and (i == 0 or not low[i - 1].isalpha()) and (i + len(code) == len(low) or not low[i + len(code)].isalpha()):
            return code
    return None


def _period_candidates(sheets: list[RawSheet], stem: str) -> list[Found]:
    found: list[Found] = []
    for sheet in sheets:
        if kind_from_name(sheet.name) == "info":
            value = info_values(sheet).get("period")
            period = period_from_value(value) if value is not None else None
            if period:
                found.append(Found(period, "info", cell_text(value)))
    for sheet in sheets:
        for line in title_lines(sheet):
            period = period_from_title(line)
            if period:
                found.append(Found(period, "title", line))
                break
    period = period_from_file_name(stem)
    if period:
        found.append(Found(period, "file_name", stem))
    return found


def _decide(found: list[Found], what: str, issues: IssueCollector, show) -> str | None:
    """The first source's value; a later source naming another value is a conflict.

    The Bloc (``doan_khoi``) is the umbrella of every unit: a file name or title naming it beside
    a unit is not a conflict, and the unit is taken.
    """
    units = [f for f in found if f.value != "doan_khoi"] if what == "unit" else []
    if units and found[0].value == "doan_khoi" and found[0].source != "info":
        found = units
    if not found:
        if not any(i.code == f"unknown_{what}" for i in issues.kept["error"]):
            issues.add(f"{what}_missing")
        return None
    first = found[0]
    for other in found[1:]:
        if other.value != first.value and "doan_khoi" not in (other.value, first.value):
            issues.add(f"{what}_conflict", first=show(first.value), second=show(other.value),
                       first_source=first.source, second_source=other.source)
            break
    return first.value


def _show_period(p: str) -> str:
    year, month = p.split("-")
    return f"{int(month)}/{year}"


def _may_name_the_report(sheet: RawSheet) -> bool:
    """Instruction and list sheets, and hidden sheets of no report kind, never name the unit or month."""
    named = kind_from_name(sheet.name)
    return named != "ignored" and (sheet.visible or named is not None)


def identify(sheets: list[RawSheet], path: Path, issues: IssueCollector,
             unit: str | None, period: str | None, units: UnitRegistry | None = None) -> tuple[str | None, str | None]:
    """The report's unit code and month ("YYYY-MM"); overrides silence detection and its errors.

    ``units``: the units a report may name (default: those of ``ytsupport/reference/``; the
    command line and the upload page add the plans' own units). The month is found first, so a
    name reused by two units in different years, or a merged unit's, resolves to the unit of that
    month."""
    stem = path.stem
    units = reference().units if units is None else units
    sheets = [s for s in sheets if _may_name_the_report(s)]
    if period is None:
        period = _decide(_period_candidates(sheets, stem), "period", issues, _show_period)
    if unit is None:
        found = _unit_candidates(sheets, stem, issues, units, period)
        unit = _decide(found, "unit", issues, units.name)
        merged = next((f.named for f in found if f.value == unit and f.named), None)
        if merged:
            issues.add("unit_merged", value=units.name(merged), unit=units.name(unit),
                       day=units.get(merged).valid_to.strftime("%d/%m/%Y"))
    return unit, period
