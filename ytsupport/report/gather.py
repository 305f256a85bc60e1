"""Gathering a report's figures from the stored data: the plan's status plus the shared aggregates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from .. import metrics
from ..plan import Plan, report_pairs
from ..figures import Figures, checkup_rule, checkups_by_month, compute
from ..plan.activities import count_once
from ..plan.status import within_plan
from ..privacy import hide_small
from . import briefing, emulation
from .content import ReportContent, ReportSettings, records
from ..store.conversion import Frames


_RESOURCE_DETAIL = ["date", "unit", "period", "donor", "donor_type", "item", "description", "quantity",
                    "unit_of_measure", "value_vnd", "notes"]
_ACTIVITY_DETAIL = ["date", "unit", "period", "activity_type", "title", "location", "district", "people_served",
                    "volunteers", "cost_vnd", "notes", "times_reported"]


def _dated(frame: pd.DataFrame | None, column: str, plan: Plan, as_of: date) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        return pd.DataFrame()
    days = pd.to_datetime(frame[column])
    return frame[(days >= pd.Timestamp(plan.start)) & (days <= pd.Timestamp(as_of))]


def _detail(frame: pd.DataFrame, columns: list[str], limit: int) -> tuple[list[dict[str, Any]], int]:
    """The first ``limit`` rows (by date) of the given columns, and how many rows there were."""
    if len(frame) == 0:
        return [], 0
    chosen = frame.reindex(columns=columns).sort_values("date", kind="stable")
    return records(chosen.head(limit)), len(chosen)


def aggregates(data: Frames, plan: Plan, as_of: date, limit: int) -> tuple[dict[str, list], dict[str, int]]:
    """The report's tables (records) and, per detail table, its row count before truncation: the
    plan period's rows only (``within_plan``)."""
    data = within_plan(data, plan)
    checkups = checkups_by_month(data, plan, as_of, plan.months)
    tables = {
        "checkups_by_month": records(checkups),
        "activities_by_month_type": records(metrics.activities_by_month_type(data, as_of)),
        "resources_by_item": records(metrics.resources_by_item(data, as_of)),
        "resources_by_measure": records(metrics.resources_by_measure(data, as_of)),
        "resources_by_donor_type": records(metrics.resources_by_donor_type(data, as_of)),
        "resources_by_unit": records(metrics.resources_by_unit(data, as_of)),
        "resources_by_month": records(metrics.resources_by_month(data, as_of, plan.months)),
        "top_donors": records(metrics.top_donors(data, 10, as_of)),
        # below province level: small counts hidden here, so no format and no snapshot ever holds them
        "coverage_by_district": records(hide_small(metrics.beneficiaries_by_district(data, as_of, plan.districts),
                                                   ["people"])),
        "coverage_by_category": records(metrics.beneficiaries_by_category(data, as_of)),
        "unit_contribution": records(metrics.unit_contribution(data, as_of, [u.code for u in plan.units])),
        "reporting_pairs": records(report_pairs(data, plan, as_of)),
    }
    resources = _dated(data.get("resources"), "date", plan, as_of)
    activities = _dated(data.get("activities"), "date", plan, as_of)
    tables["resources_detail"], n_res = _detail(resources, _RESOURCE_DETAIL, limit)
    tables["activities_detail"], n_act = _detail(count_once(activities) if len(activities) else activities,
                                                 _ACTIVITY_DETAIL, limit)
    return tables, {"resources_detail": n_res, "activities_detail": n_act}


def collect(data: Frames, plan: Plan, as_of: date | datetime | str, *, data_version: int | None = None,
            unit_names: dict[str, str] | None = None, settings: ReportSettings | None = None,
            generated_at: datetime | None = None, figures: Figures | None = None) -> ReportContent:
    """Everything a meeting report shows at ``as_of`` (clipped to the plan period).

    ``data`` is what ``store.load_current`` returns; ``unit_names`` defaults to the plan's units.
    """
    settings = settings or ReportSettings()
    figures = figures or compute(data, plan, as_of)
    result, day = figures.status, figures.as_of
    tables, totals = aggregates(data, plan, day, settings.detail_limit)
    tables["emulation"] = emulation.scorecard(data, plan, day, tables["reporting_pairs"])
    reports = data.get("reports")
    known = sorted(int(v) for v in reports["report_version_id"]) if reports is not None and len(reports) else []
    rule = checkup_rule(plan)
    meta = {"plan": plan.number, "plan_title": dict(plan.title), "months": plan.months,
            "plan_start": plan.start.isoformat(), "plan_end": plan.end.isoformat(),
            "units": unit_names or {u.code: u.name_vi for u in plan.units},
            "reporting_units": [u.code for u in plan.reporting_units], "due_days": plan.due_days,
            "as_of": day.isoformat(), "data_version": data_version,
            "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
            "threshold": rule.threshold if rule else None, "headline": figures.headline,
            "sections": [{"id": s.id, "label": dict(s.label), "show": list(s.show)} for s in plan.sections],
            "totals": totals, "known_versions": known, "snapshot": None,
            "month": briefing.month_before(data, plan, day), "reasons": briefing.reasons(data, plan, day),
            "unsupported": briefing.unsupported(data, day, list(plan.districts)),
            "emulation_criteria": [{"id": c.id, "weight": c.weight, "label": dict(c.label)}
                                   for c in plan.emulation.criteria]}
    return ReportContent(status=result, tables=tables, meta=meta)


def current_content(engine: Engine, as_of: date | None = None, plan: Any = None,
                    settings: ReportSettings | None = None) -> ReportContent:
    """The figures now, at ``as_of`` (default today; clipped to the plan period)."""
    from ..plan import load_plan
    from ..settings import get_settings
    from ..store import data_version, load_current
    from ..formatting import today

    plan = plan or load_plan(get_settings().plan_file)
    for _ in range(3):  # the data version must describe the data read: read again if it moved meanwhile
        before = data_version(engine)
        data = load_current(engine)
        if data_version(engine) == before:
            break
    return collect(data, plan, as_of or today(), data_version=before, settings=settings)
