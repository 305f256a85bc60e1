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
from .plan.activities import count_once
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


def checkup_rule(plan: Plan) -> tuple[str, int] | None:
    """(activity type, people threshold) of the plan's first monthly-threshold target, if any."""
    for target in plan.targets:
        if target.kind == "monthly_threshold":
            return str(target.params["activity_type"]), int(target.params["threshold"])
    return None


def _dated(data: Frames, kind: str, column: str, plan: Plan, as_of: date) -> pd.DataFrame:
    frame = rows_of(data, kind)
    return frame if len(frame) == 0 else dated_within(frame, column, plan.start, as_of)


def _people(frame: pd.DataFrame) -> int:
    return int(pd.to_numeric(frame["people_served"]).fillna(0).sum()) if len(frame) else 0


def headline(data: Frames, plan: Plan, as_of: date, result: dict[str, Any]) -> dict[str, Any]:
    """Targets met (of those with a number) and by status; activities held and the people they
    served (each activity once); people supported (activities of the plan's
    ``support_activity_types`` only: training and surveys are not support); people at the Centre's
    check-ups; resources mobilised; people surveyed and districts reached; reporting rates. All
    from the plan's start through ``as_of``."""
    acts = _dated(data, "activities", "date", plan, as_of)
    once = count_once(acts) if len(acts) else acts
    support = once[once["activity_type"].isin(plan.support_activity_types)] if len(once) else once
    res = _dated(data, "resources", "date", plan, as_of)
    surveyed = metrics.unique_beneficiaries(data, as_of)
    rule = checkup_rule(plan)
    checkups = metrics.centre_checkups_by_month(data, rule[0], as_of) if rule else pd.DataFrame()
    targets = result["targets"]
    counted = [t for t in targets if t["status"] != TargetStatus.NO_TARGET]
    return {"targets_total": len(counted), "targets_met": sum(t["status"] == TargetStatus.MET for t in counted),
            "by_status": {str(s): sum(t["status"] == s for t in targets) for s in TargetStatus},
            "activities": len(once), "people_served": _people(once), "people_supported": _people(support),
            "checkup_people": int(checkups["people_served"].sum()) if len(checkups) else 0,
            "resources_value_vnd": float(pd.to_numeric(res["value_vnd"]).fillna(0).sum()) if len(res) else 0.0,
            "resources_entries": len(res), "people_surveyed": len(surveyed),
            "districts_covered": int(surveyed["district"].dropna().nunique()) if len(surveyed) else 0,
            "districts_total": len(plan.districts), "reporting": result["reporting"]}


def compute(data: Frames, plan: Plan, as_of: date | datetime | str) -> Figures:
    """The figures at ``as_of`` (clipped to the plan period)."""
    result = status(data, plan, as_of)
    return Figures(status=result, headline=headline(data, plan, date.fromisoformat(result["as_of"]), result))
