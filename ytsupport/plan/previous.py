"""Year over year: the plan whose period ends the day before this plan starts, and each target's
value over the same part of that period.

A target matches its predecessor by id, or by the id its plan entry names under ``previous``
(when the id changed). The same period: from the previous plan's start through the as-of date
moved back by the distance between the two starts.
"""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..settings import PLANS_DIR, get_settings
from .copying import shift_date
from .definition import Plan
from .load import PlanError, load_plan


def plan_files() -> list[Path]:
    """Every plan file the app knows: the configured one, ``ytsupport/plans`` and the stored plans."""
    from .stored import stored_dir

    files = [get_settings().plan_file, *sorted(PLANS_DIR.glob("*.yaml")), *sorted(stored_dir().glob("*.yaml"))]
    return [p for p in files if p.is_file()]


def _period_of(path: Path) -> tuple[Any, Any] | None:
    """(start, end) written in a plan file, read without checking the whole plan."""
    try:
        return _period_cached(str(path), path.stat().st_mtime_ns)
    except Exception:  # noqa: BLE001 - an unreadable file is no predecessor
        return None


@lru_cache(maxsize=64)
def _period_cached(path: str, _mtime_ns: int) -> tuple[Any, Any]:
    from .copying import read_raw

    period = read_raw(Path(path)).get("period") or {}
    return period.get("start"), period.get("end")


def previous_plan(plan: Plan) -> Plan | None:
    """The plan whose period ends the day before ``plan`` starts (loaded and checked), or None."""
    day_before = plan.start - timedelta(days=1)
    for path in plan_files():
        period = _period_of(path)
        if period and period[1] == day_before:
            try:
                return load_plan(path)
            except PlanError:
                continue
    return None


def same_period_as_of(plan: Plan, previous: Plan, as_of: Any) -> Any:
    """``as_of`` moved back into the previous plan (by whole years when the starts are whole years apart)."""
    years = plan.start.year - previous.start.year
    if shift_date(previous.start, years) == plan.start:
        return shift_date(as_of, -years)
    return as_of - (plan.start - previous.start)


def matching_ids(plan: Plan, previous: Plan) -> dict[str, str]:
    """Target id of ``plan`` -> the id of its predecessor in ``previous`` (its own id, or the one
    named under ``previous`` in the plan file), for the targets that have one."""
    known = {t.id for t in previous.targets}
    out = {}
    for target in plan.targets:
        before = target.previous or target.id
        if before in known:
            out[target.id] = before
    return out
