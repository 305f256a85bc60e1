"""Generic target kinds: how each one's actual value and expected pace are computed.

A kind is declared once here (its parameters, its pace and its ``actual`` function); a plan file
uses it by name with parameters. Paces:

- ``monthly``: target spread evenly over the plan's months; expected = target ÷ months × months
  elapsed. Excused months (adjustments) leave both the target and expected_by_now.
- ``year_fraction``: expected = target × fraction of the year elapsed.
- ``from_date``: expected = target from ``expected_from`` (default: the window's last day), else 0.
- ``steps``: expected = the value of the last of ``expected_steps`` whose date has come, else 0.
- ``constant``: expected = target once anything is expected (reporting rates).
- ``none``: tracked value, no target.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..states import RECEIVED_STATES
from ..text import fold
from .activities import as_days, month_of, select_activities
from .definition import Plan, Target

Pace = Literal["monthly", "year_fraction", "from_date", "steps", "constant", "none"]
Number = int | float


@dataclass
class Context:
    """What every target is measured against: data already limited to the plan period and as-of."""

    plan: Plan
    as_of: date
    activities: pd.DataFrame  # counted once
    beneficiaries: pd.DataFrame
    resources: pd.DataFrame
    reporting: dict[str, Any]
    actuals: dict[str, Any] = field(default_factory=dict)
    # every unit's own activity rows (not counted once): who did something, for unit counts
    reported: pd.DataFrame | None = None

    _by_type: dict[Any, np.ndarray] | None = field(default=None, repr=False)

    def of_type(self, activity_type: str) -> pd.DataFrame:
        """The (counted) activities of one type, in their order. The rows are grouped by type once
        per context: comparing every row's type for each target costs tens of ms at 1M rows."""
        if self._by_type is None:
            codes, types = pd.factorize(self.activities["activity_type"])
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(types) + 1))
            self._by_type = {kind: order[bounds[i]:bounds[i + 1]] for i, kind in enumerate(types)}
        return self.activities.iloc[self._by_type.get(activity_type, np.empty(0, dtype=np.intp))]

    def actual_of(self, target_id: str) -> Any:
        """The actual value of another target (computed once)."""
        if target_id not in self.actuals:
            target = self.plan.target(target_id)
            self.actuals[target_id] = KINDS[target.kind].actual(target, self)[0]
        return self.actuals[target_id]


Actual = tuple[Any, dict[str, Any]]  # the value, and extra keys for the status record


@dataclass(frozen=True)
class KindSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    pace: Pace
    actual: Callable[[Target, Context], Actual]
    doc: str = ""


def _window(params: dict[str, Any] | Any) -> tuple[date, date] | None:
    window = params.get("window")
    return (window["from"], window["to"]) if window else None


def _activities(target: Target, ctx: Context, params: Any = None) -> pd.DataFrame:
    """The target's activities: of its type, at its place, in its window, outside its
    ``exclude_windows`` (e.g. other holidays besides those with their own target)."""
    p = params if params is not None else target.params
    chosen = select_activities(ctx.of_type(p["activity_type"]), p["activity_type"], ctx.plan.places, p.get("place"),
                               _window(p))
    return _outside(chosen, p.get("exclude_windows") or ())


def _outside(activities: pd.DataFrame, windows: Any) -> pd.DataFrame:
    """The activities not dated within any of the windows {from, to} (a window's both ends included)."""
    if not windows or len(activities) == 0:
        return activities
    days = as_days(activities["date"])
    inside = pd.Series(False, index=activities.index)
    for window in windows:
        inside |= (days >= pd.Timestamp(window["from"])) & (days <= pd.Timestamp(window["to"]))
    return activities[~inside.to_numpy()]


def _monthly_people(target: Target, ctx: Context) -> pd.Series:
    chosen = _activities(target, ctx)
    people = chosen["people_served"].astype("Float64").fillna(0)
    return people.groupby(month_of(chosen["date"])).sum()


def monthly_threshold(target: Target, ctx: Context) -> Actual:
    """Months whose activities of the type (at the place) served >= threshold people in total."""
    monthly = _monthly_people(target, ctx)
    met = sorted(m for m, people in monthly.items() if people >= target.params["threshold"]
                 and m in ctx.plan.months)
    return len(met), {"months_met": met}


def sum_people(target: Target, ctx: Context) -> Actual:
    """People served by the activities of the type (at the place)."""
    chosen = _activities(target, ctx)
    return int(chosen["people_served"].astype("Float64").fillna(0).sum()), {}


def events_in_window(target: Target, ctx: Context) -> Actual:
    """Activities of the type (at the place) dated within the window (given in the record: the
    meeting report names the windows opening soon)."""
    start, end = _window(target.params) or (None, None)
    return len(_activities(target, ctx)), {"window": {"from": str(start), "to": str(end)}}


def sum_resource_quantity(target: Target, ctx: Context) -> Actual:
    """Total quantity of one resource item; with ``recipient`` (phrases), only the rows whose
    recipient or description names one of them (e.g. cards given to students, "học sinh")."""
    chosen = ctx.resources[ctx.resources["item"] == target.params["item"]]
    phrases = target.params.get("recipient")
    if phrases:
        chosen = chosen[_names_any(chosen, ("recipient", "description"), phrases)]
    return float(pd.to_numeric(chosen["quantity"]).fillna(0).sum()), {}


def _names_any(frame: pd.DataFrame, columns: tuple[str, ...], phrases: Any) -> pd.Series:
    """Rows whose text in any of ``columns`` holds one of ``phrases`` as a whole phrase (case,
    accents and punctuation folded)."""
    wanted = [f" {fold(str(p))} " for p in phrases]
    hit = pd.Series(False, index=frame.index)
    for column in columns:
        if column in frame:
            hit |= frame[column].map(lambda v: isinstance(v, str) and any(w in f" {fold(v)} " for w in wanted))
    return hit.astype(bool)


def activity_count(target: Target, ctx: Context) -> Actual:
    """Activities of the type (at the place)."""
    return len(_activities(target, ctx)), {}


def months_with_activity(target: Target, ctx: Context) -> Actual:
    """Months of the plan with at least one activity of the type (at the place)."""
    months = sorted(set(month_of(_activities(target, ctx)["date"])) & set(ctx.plan.months))
    return len(months), {"months_met": months}


def _condition_holds(condition: dict[str, Any], ctx: Context) -> bool:
    at_least = condition.get("at_least", 1)
    if "target" in condition:
        value = ctx.actual_of(condition["target"])
        return value is not None and value >= at_least
    chosen = select_activities(ctx.of_type(condition["activity_type"]), condition["activity_type"], ctx.plan.places,
                               condition.get("place"), _window(condition))
    return len(chosen) >= at_least


def composite(target: Target, ctx: Context) -> Actual:
    """How many of the models have started (each model's ``when`` condition holds)."""
    models = [{"id": m["id"], "label": dict(m.get("label", {})), "started": _condition_holds(m["when"], ctx)}
              for m in target.params["models"]]
    return sum(m["started"] for m in models), {"models": models}


def distinct_count(target: Target, ctx: Context) -> Actual:
    """Distinct values of a column (e.g. districts of surveyed beneficiaries)."""
    frame = getattr(ctx, target.params.get("frame", "beneficiaries"))
    return int(frame[target.params["column"]].dropna().nunique()), {}


def reporting_rate(target: Target, ctx: Context) -> Actual:
    """Monthly reports received ÷ expected (null while nothing is expected yet); with ``units``
    (pilot | others), the reports of those units only."""
    group = target.params.get("units")
    if not group:
        return ctx.reporting["completeness"], {}
    codes = set(unit_group(ctx.plan, group))
    due = [p for p in ctx.reporting["matrix"] if p["unit"] in codes and p["due_on"] <= ctx.as_of.isoformat()]
    received = sum(p["state"] in RECEIVED_STATES for p in due)
    return (received / len(due) if due else None), {"reports_expected": len(due), "reports_received": received}


UNIT_GROUPS = ("all", "pilot", "others")


def unit_group(plan: Plan, group: str) -> list[str]:
    """Codes of the plan's reporting units in ``group``: all, pilot (the plan's pilot units) or
    others (the reporting units that are not pilot units)."""
    units = plan.reporting_units
    if group == "pilot":
        return [u.code for u in units if u.pilot]
    if group == "others":
        return [u.code for u in units if not u.pilot]
    return [u.code for u in units]


def units_with_activity(target: Target, ctx: Context) -> Actual:
    """How many units of the group (``units``: all | pilot | others) reported at least one
    activity of ``activity_types`` (default: the plan's support activity types); the units are
    listed under ``units_met``. Every unit that reported the activity counts, joint ones too."""
    rows = ctx.reported if ctx.reported is not None else ctx.activities
    types = target.params.get("activity_types") or ctx.plan.support_activity_types
    group = unit_group(ctx.plan, target.params.get("units", "all"))
    chosen = rows["activity_type"].isin(types).to_numpy()
    done = set(pd.unique(rows["unit"].to_numpy()[chosen])) if "unit" in rows else set()
    met = [code for code in group if code in done]
    return len(met), {"units_met": met, "units_total": len(group)}


def tracked_value(target: Target, ctx: Context) -> Actual:
    """A sum with no target (e.g. the value of mobilised resources)."""
    frame = getattr(ctx, target.params.get("frame", "resources"))
    return float(pd.to_numeric(frame[target.params["column"]]).fillna(0).sum()), {}


KINDS: dict[str, KindSpec] = {spec.name: spec for spec in (
    KindSpec("monthly_threshold", ("activity_type", "threshold"), ("place",), "monthly", monthly_threshold),
    KindSpec("sum_people", ("activity_type",), ("place",), "monthly", sum_people),
    KindSpec("events_in_window", ("activity_type", "window"), ("place", "expected_from"), "from_date",
             events_in_window),
    KindSpec("sum_resource_quantity", ("item",), ("recipient",), "year_fraction", sum_resource_quantity),
    KindSpec("activity_count", ("activity_type",), ("place", "window", "exclude_windows"), "year_fraction",
             activity_count),
    KindSpec("months_with_activity", ("activity_type",), ("place",), "monthly", months_with_activity),
    KindSpec("composite", ("models", "expected_steps"), (), "steps", composite),
    KindSpec("distinct_count", ("column",), ("frame", "date_column"), "year_fraction", distinct_count),
    KindSpec("reporting_rate", (), ("units",), "constant", reporting_rate),
    KindSpec("units_with_activity", (), ("activity_types", "units"), "year_fraction", units_with_activity),
    KindSpec("tracked_value", ("column",), ("frame",), "none", tracked_value),
)}


def target_and_expected(target: Target, ctx: Context) -> tuple[Number | None, Number | None]:
    """The effective target (after adjustments) and expected_by_now at ``ctx.as_of``."""
    pace, plan, value = KINDS[target.kind].pace, ctx.plan, target.target
    if value is None or pace == "none":
        return None, None
    if pace == "monthly":
        per_month = value / len(plan.months)
        excused = plan.excused_months(target.id)
        counted = [m for m in plan.months if m not in excused]
        elapsed = [m for m in plan.months_elapsed(ctx.as_of) if m not in excused]
        return per_month * len(counted), per_month * len(elapsed)
    if pace == "year_fraction":
        return value, value * plan.fraction_elapsed(ctx.as_of)
    if pace == "from_date":
        start = target.params.get("expected_from") or target.params["window"]["to"]
        return value, value if ctx.as_of >= start else 0
    if pace == "steps":
        reached = [s["value"] for s in target.params["expected_steps"] if s["from"] <= ctx.as_of]
        return value, reached[-1] if reached else 0
    return value, value if ctx.reporting["expected"] > 0 else 0
