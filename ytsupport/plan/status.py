"""Where the plan stands at a date: each target's actual, expected_by_now and status, and reporting.

``status`` returns exactly the JSON of ``status --json`` (docs/data-contract.md §5; plus extra
keys per target: label, clause, responsible, kind, format, interpretation, excused, and details
by kind). Numbers are kept unrounded; whole numbers are ints.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from ..store.conversion import rows_of
from ..store.tables import DATE_COLUMNS
from .activities import as_days, counted
from .kinds import KINDS, Context, target_and_expected
from ..states import RECEIVED_STATES, TIMELY_STATES, ReportState, TargetStatus
from .definition import Plan, Target, month_end



def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _plain(value: Any) -> Any:
    """A JSON-friendly number: None stays None, whole floats become ints."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def decide_status(actual: Any, target: Any, expected: Any, plan_over: bool = False) -> TargetStatus:
    """In this order: no_target, met, not_met (the plan period is over), upcoming (nothing expected
    yet and nothing done), not_started, on_track, behind. A null actual counts as 0."""
    if target is None:
        return TargetStatus.NO_TARGET
    value = actual or 0
    if value >= target:
        return TargetStatus.MET
    if plan_over:
        return TargetStatus.NOT_MET
    if value == 0:
        return TargetStatus.NOT_STARTED if (expected or 0) > 0 else TargetStatus.UPCOMING
    if value >= (expected or 0):
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND


# ---------------------------------------------------------------------------------------------
# The data, limited to the plan period and as-of


def dated_within(frame: pd.DataFrame, column: str, start: date, as_of: date) -> pd.DataFrame:
    """Rows dated from ``start`` through ``as_of`` (both included); undated rows are left out."""
    days = as_days(frame[column])
    keep = ((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(as_of))).to_numpy()
    return frame if keep.all() else frame[keep]


def context(data: dict[str, pd.DataFrame], plan: Plan, as_of: date) -> Context:
    """The data as of ``as_of`` (already clipped), activities counted once, and reporting."""
    def dated(kind: str) -> pd.DataFrame:
        return dated_within(rows_of(data, kind), DATE_COLUMNS[kind], plan.start, as_of)

    return Context(plan=plan, as_of=as_of, activities=counted(data, plan.start, as_of),
                   beneficiaries=dated("beneficiaries"), resources=dated("resources"),
                   reporting=reporting(data, plan, as_of), reported=dated("activities"))


def _excused(plan: Plan, target: Target) -> dict[str, Any] | None:
    months = sorted(plan.excused_months(target.id))
    if not months:
        return None
    reasons = plan.excuse_reasons(target.id)
    return {"months": months, "reason": {lang: "; ".join(r.get(lang, "") for r in reasons) for lang in ("vi", "en")}}


def evaluate(target: Target, ctx: Context) -> dict[str, Any]:
    """One target's record of the ``status`` JSON."""
    actual, details = KINDS[target.kind].actual(target, ctx)
    ctx.actuals[target.id] = actual
    goal, expected = target_and_expected(target, ctx)
    attainment = None if goal is None or actual is None else actual / goal
    record = {"id": target.id, "actual": _plain(actual), "target": _plain(goal),
              "expected_by_now": _plain(expected), "attainment": attainment,
              "status": decide_status(actual, goal, expected, plan_over=ctx.as_of >= ctx.plan.end),
              "label": dict(target.label), "clause": target.clause, "responsible": dict(target.responsible),
              "kind": target.kind, "format": target.format, "measure": dict(target.measure),
              "interpretation": target.interpretation, "section": target.section, "roles": list(target.roles),
              "excused": _excused(ctx.plan, target)}
    return {**record, **details}


def status(data: dict[str, pd.DataFrame], plan: Plan, as_of: date | datetime | str) -> dict[str, Any]:
    """Target attainment and reporting at ``as_of`` (clipped to the plan period).

    ``data`` is what ``store.load_current`` returns (a kind may be missing).
    """
    day = plan.clip(_as_date(as_of))
    ctx = context(data, plan, day)
    return {"plan": plan.number, "as_of": day.isoformat(),
            "targets": [evaluate(t, ctx) for t in plan.targets], "reporting": ctx.reporting}


# ---------------------------------------------------------------------------------------------
# Reporting (after DHIS2's reporting rates)


def _first_received(data: dict[str, pd.DataFrame]) -> dict[tuple[str, str], pd.Timestamp]:
    """(unit, month) -> the day its first version was received, for every stored report."""
    reports = data.get("reports")
    if reports is None or len(reports) == 0:
        return {}
    column = "first_received_on" if "first_received_on" in reports else "received_on"
    firsts = pd.to_datetime(reports[column]).fillna(pd.to_datetime(reports["received_on"]))
    grouped = firsts.groupby([reports["unit"], reports["period"]]).min()
    return {key: value for key, value in grouped.items()}


def report_state(period: str, due: date, as_of: date, received_on: date | None) -> ReportState:
    """A (unit, month) report's state as known on ``as_of``: it counts as received only when it was
    received on or before ``as_of``; early = before the month ended, late = after the due date."""
    if received_on is None or received_on > as_of:
        return ReportState.MISSING if due <= as_of else ReportState.NOT_DUE
    if received_on <= month_end(period):
        return ReportState.EARLY
    return ReportState.ON_TIME if received_on <= due else ReportState.LATE


def report_pairs(data: dict[str, pd.DataFrame], plan: Plan, as_of: date) -> pd.DataFrame:
    """One row per reporting unit × plan month, as known on ``as_of``: due date, whether due,
    whether received by ``as_of`` and when (null when not, or later), and the state."""
    received = _first_received(data)
    rows = []
    for unit in plan.reporting_units:
        for month in plan.months:
            due = plan.due_date(month)
            first = received.get((unit.code, month))
            day = first.date() if first is not None else None
            state = report_state(month, due, as_of, day)
            rows.append({"unit": unit.code, "period": month, "due_on": due, "is_due": due <= as_of,
                         "received": state in RECEIVED_STATES,
                         "first_received_on": first if state in RECEIVED_STATES else None, "state": state})
    return pd.DataFrame(rows, columns=["unit", "period", "due_on", "is_due", "received",
                                       "first_received_on", "state"])


def matrix_records(pairs: pd.DataFrame) -> list[dict[str, Any]]:
    """``reporting.matrix`` of ``status --json``: {unit, period, state, due_on, received_on} per pair."""
    return [{"unit": r.unit, "period": r.period, "state": str(r.state), "due_on": r.due_on.isoformat(),
             "received_on": None if r.first_received_on is None or pd.isna(r.first_received_on)
             else pd.Timestamp(r.first_received_on).date().isoformat()}
            for r in pairs.itertuples(index=False)]


def reporting(data: dict[str, pd.DataFrame], plan: Plan, as_of: date | datetime | str) -> dict[str, Any]:
    """expected, received, on_time, completeness and timeliness at ``as_of`` (clipped).

    expected = reporting units × months due by as-of; received = those pairs with a report received
    by as-of (any version; a nil report counts); on_time = received pairs whose first version came by
    the due date (early ones included). The rates are null while nothing is expected. ``matrix``
    lists every unit × month pair with its state (``matrix_records``).
    """
    pairs = report_pairs(data, plan, plan.clip(_as_date(as_of)))
    due = pairs[pairs["is_due"].astype(bool)]
    expected, received = len(due), int(due["received"].sum())
    on_time = int(due["state"].isin(TIMELY_STATES).sum())
    return {"expected": expected, "received": received, "on_time": on_time,
            "completeness": received / expected if expected else None,
            "timeliness": on_time / expected if expected else None, "matrix": matrix_records(pairs)}


def reporting_matrix(data: dict[str, pd.DataFrame], plan: Plan, as_of: date | datetime | str) -> pd.DataFrame:
    """Unit × month table of ``ReportState``s at ``as_of``.

    Rows are the reporting units (plan order, index ``unit``), columns the plan's months.
    """
    pairs = report_pairs(data, plan, plan.clip(_as_date(as_of)))
    matrix = pairs.pivot(index="unit", columns="period", values="state")
    matrix = matrix.reindex(index=[u.code for u in plan.reporting_units], columns=plan.months)
    matrix.columns.name = "period"
    return matrix
