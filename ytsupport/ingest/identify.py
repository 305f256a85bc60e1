"""Which unit and month a report is for: info sheet, then title blocks, then file name
(docs/data-contract.md §1, "Unit and month")."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..text import fold
from ..vocab import reference
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


def _unit_candidates(sheets: list[RawSheet], stem: str, issues: IssueCollector) -> list[Found]:
    units = reference().units
    found: list[Found] = []
    for sheet in sheets:
        if kind_from_name(sheet.name) == "info":
            value = info_values(sheet).get("unit")
            if value is not None:
                code = units.match_name(str(value)) or units.find_in_text(str(value))
                if code is None:
                    issues.add("unknown_unit", sheet.name, None, None, value=cell_text(value),
                               accepted="; ".join(units.labels()))
                else:
                    found.append(Found(code, "info", cell_text(value)))
    for sheet in sheets:
        code, line = _unit_in_title(sheet)
        if code:
            found.append(Found(code, "title", line))
        elif line:
            issues.add("unknown_unit", sheet.name, None, None, value=line, accepted="; ".join(units.labels()))
    code = units.find_in_text(stem.replace("_", " ")) or _unit_code_in(stem)
    if code:
        found.append(Found(code, "file_name", stem))
    return found


def _unit_in_title(sheet: RawSheet) -> tuple[str | None, str | None]:
    """A unit named in the title block; the Bloc only when no unit is named. (code, line) or (None, unknown line)."""
    units = reference().units
    bloc = None
    for line in title_lines(sheet):
        code = units.find_in_text(line)
        if code and code != "doan_khoi":
            return code, line
        bloc = bloc or (line if code == "doan_khoi" else None)
    if bloc:
        return "doan_khoi", bloc
    for line in title_lines(sheet):
        if fold(line).startswith(_UNIT_WORDS):
            return None, line
    return None, None


def _unit_code_in(stem: str) -> str | None:
    low = stem.lower()
    codes = sorted((u.code for u in reference().units.units()), key=len, reverse=True)
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
             unit: str | None, period: str | None) -> tuple[str | None, str | None]:
    """The report's unit code and month ("YYYY-MM"); overrides silence detection and its errors."""
    stem = path.stem
    sheets = [s for s in sheets if _may_name_the_report(s)]
    if unit is None:
        label = lambda code: reference().units.name(code)  # noqa: E731
        unit = _decide(_unit_candidates(sheets, stem, issues), "unit", issues, label)
    if period is None:
        period = _decide(_period_candidates(sheets, stem), "period", issues, _show_period)
    return unit, period
