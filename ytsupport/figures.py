"""Today's figures: one computed object per (data, plan, as-of) that every view and export reads.

``compute`` runs the plan's status once and derives the headline numbers from it and from the
same data limited to the plan period and the as-of date. The dashboard's pages (through a cache
keyed by data version, plan, as-of and filters), the presentation, the meeting report in every
format, the snapshots and ``status --json`` all take their figures from a ``Figures``, so a
number can only differ between two views if their data, plan, date or filters do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from . import metrics
from .plan import Plan, status
from .plan.activities import counted as counted_once
from .plan.status import dated_within
from .states import TargetStatus
from .store.conversion import Frames, rows_of



@dataclass(frozen=True)
class Figures:
    """``status``: the plan's status JSON (targets, reporting with its matrix); ``headline``: the
    few numbers shown first (see ``headline``)."""

    status: dict[str, Any]
    headline: dict[str, Any]

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.status["as_of"])


@dataclass(frozen=True)
class CheckupRule:
    """The monthly chart with its threshold line: the plan's target with role ``checkup_chart``."""

    target_id: str
    activity_type: str
    threshold: int
    place: str | None


def checkup_rule(plan: Plan) -> CheckupRule | None:
    """The rule of the plan's ``checkup_chart`` target (a monthly_threshold); None when the plan
    declares none (no check-up chart, table or headline figure is shown then)."""
    chart = plan.with_role("checkup_chart")
    if not chart:
        return None
    params = chart[0].params
    return CheckupRule(chart[0].id, str(params["activity_type"]), int(params["threshold"]), params.get("place"))


def checkups_by_month(data: Frames, plan: Plan, as_of: date | None,
                      months: list[str] | None = None) -> pd.DataFrame:
    """People at the ``checkup_chart`` target's activities per month (columns month, activities,
    people_served); an empty table when the plan has no such target."""
    rule = checkup_rule(plan)
    if rule is None:
        return pd.DataFrame({"month": pd.Series(dtype=object), "activities": pd.Series(dtype="int64"),
                             "people_served": pd.Series(dtype="int64")})
    return metrics.checkups_by_month(data, rule.activity_type, as_of, months, place=rule.place, places=plan.places)


def _dated(data: Frames, kind: str, column: str, plan: Plan, as_of: date) -> pd.DataFrame:
    frame = rows_of(data, kind)
    return frame if len(frame) == 0 else dated_within(frame, column, plan.start, as_of)


def _people(frame: pd.DataFrame) -> int:
    return int(pd.to_numeric(frame["people_served"]).fillna(0).sum()) if len(frame) else 0


def headline(data: Frames, plan: Plan, as_of: date, result: dict[str, Any]) -> dict[str, Any]:
    """Targets met (of those with a number) and by status; activities held and the people they
    served (each activity once); people supported (activities of the plan's
    ``support_activity_types`` only: training and surveys are not support); people at the Centre's
    check-ups (``threshold_people``: people at the activities of the plan's ``checkup_chart`` target);
    resources mobilised; people surveyed and districts reached; reporting rates. All
    from the plan's start through ``as_of``."""
    once = counted_once(data, plan.start, as_of)  # the activities counted once for every reader, cut by date
    support = once[once["activity_type"].isin(plan.support_activity_types)] if len(once) else once
    res = _dated(data, "resources", "date", plan, as_of)
    surveyed = metrics.unique_beneficiaries(data, as_of)
    checkups = checkups_by_month(data, plan, as_of)
    targets = result["targets"]
    counted = [t for t in targets if t["status"] != TargetStatus.NO_TARGET]
    return {"targets_total": len(counted), "targets_met": sum(t["status"] == TargetStatus.MET for t in counted),
            "by_status": {str(s): sum(t["status"] == s for t in targets) for s in TargetStatus},
            "activities": len(once), "people_served": _people(once), "people_supported": _people(support),
            "threshold_people": int(checkups["people_served"].sum()) if checkup_rule(plan) else None,
            "resources_value_vnd": float(pd.to_numeric(res["value_vnd"]).fillna(0).sum()) if len(res) else 0.0,
            "resources_entries": len(res), "people_surveyed": len(surveyed),
            "districts_covered": int(surveyed["district"].dropna().nunique()) if len(surveyed) else 0,
            "districts_total": len(plan.districts), "reporting": result["reporting"]}


def compute(data: Frames, plan: Plan, as_of: date | datetime | str) -> Figures:
    """The figures at ``as_of`` (clipped to the plan period). When a plan's period ends the day
    before this one starts, each target matching one of it (by id, or ``previous``) also gets
    ``previous_actual`` and ``previous_as_of``: its value over the same part of that year."""
    result = status_with_previous(data, plan, as_of)
    return Figures(status=result, headline=headline(data, plan, date.fromisoformat(result["as_of"]), result))


def status_with_previous(data: Frames, plan: Plan, as_of: date | datetime | str) -> dict[str, Any]:
    """``compute(...).status`` alone (what ``status --json`` prints), without the headline figures."""
    result = status(data, plan, as_of)
    add_previous_year(data, plan, result)
    return result


def add_previous_year(data: Frames, plan: Plan, result: dict[str, Any]) -> None:
    """``previous_actual`` / ``previous_as_of`` on the targets of ``result`` that the previous
    year's plan also has (nothing when there is no such plan)."""
    from .plan.previous import matching_ids, previous_plan, same_period_as_of

    before = previous_plan(plan)
    if before is None:
        return
    day = before.clip(same_period_as_of(plan, before, date.fromisoformat(result["as_of"])))
    then = {r["id"]: r for r in status(data, before, day)["targets"]}
    matches = matching_ids(plan, before)
    for record in result["targets"]:
        match = matches.get(record["id"])
        if match is not None:
            record["previous_actual"], record["previous_as_of"] = then[match]["actual"], day.isoformat()
