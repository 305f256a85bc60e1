"""Next year's plan from this year's: a plan file copied to another year.

Every date moves by the same number of years (29 February becomes 28 February), months of
adjustments too; the year written in the title, labels and section titles follows. Ids, kinds,
values, units and quotes of the plan text are kept: edit the copy for what changed.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml


def shift_date(day: date, years: int) -> date:
    """``day`` moved by ``years`` years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _shift_month(month: str, years: int) -> str:
    return f"{int(month[:4]) + years:04d}{month[4:]}"


def _shift(value: Any, years: int, key: str = "") -> Any:
    """Every date in a plan's raw data moved by ``years``; the years in texts (not in quotes of
    the plan text) and the months of adjustments moved too."""
    if isinstance(value, date):
        return shift_date(value, years)
    if isinstance(value, dict):
        return {k: _shift(v, years, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, years, key) for v in value]
    if isinstance(value, str) and key == "months" and re.fullmatch(r"\d{4}-\d{2}", value):
        return _shift_month(value, years)
    if isinstance(value, str) and key in ("vi", "en", "title"):
        return re.sub(r"\b(20\d\d)\b", lambda m: str(int(m.group(1)) + years), value)
    return value


def copy_plan(raw: dict[str, Any], year: int) -> dict[str, Any]:
    """The raw plan ``raw`` (as read from its YAML) moved to start in ``year``."""
    start = raw["period"]["start"]
    start = start if isinstance(start, date) else date.fromisoformat(str(start))
    return _shift(raw, year - start.year)


def read_raw(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def dump_raw(raw: dict[str, Any]) -> str:
    """A plan's raw data as YAML text (Unicode kept, keys in their order)."""
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=110)
