"""Unit emulation (thi đua): each reporting unit's scorecard, with its breakdown, from the plan's
``emulation:`` block (criteria and weights; the targets assigned to each unit).

Each criterion gives a unit a value in [0, 1]:

- ``completeness``: reports received ÷ reports due; ``timeliness``: received early or on time ÷ due;
- ``tasks``: mean over the unit's assigned targets of its own attainment against the pace expected
  by now (actual ÷ expected, at most 1; 1 when nothing is expected yet), counting its own rows only;
- ``activities``, ``people`` (people of the plan's support activity types), ``resources`` (đồng):
  the unit's own figure ÷ the largest unit's.

The score is 100 × the weighted mean over the criteria that apply to the unit (``tasks`` applies to
units with assigned targets only; a unit with no report due yet has no reporting criteria). Units
are ranked by score, then by name. See ``ytsupport/plans/plan_2021_114.yaml`` for the weights.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from ..plan import Plan
from ..plan.status import status
from ..states import UNCOUNTED_STATES
from ..store.conversion import rows_of
from ..store.tables import DATE_COLUMNS

RECEIVED = ("early", "on_time", "late")
TIMELY = ("early", "on_time")


def _dated(data: dict[str, pd.DataFrame], kind: str, plan: Plan, as_of: date) -> pd.DataFrame:
    rows = rows_of(data, kind)
    if len(rows) == 0:
        return rows
    days = pd.to_datetime(rows[DATE_COLUMNS[kind]])
    return rows[(days >= pd.Timestamp(plan.start)) & (days <= pd.Timestamp(as_of))]


def _own_data(data: dict[str, pd.DataFrame], unit: str) -> dict[str, pd.DataFrame]:
    """The frames of ``data`` limited to one unit's rows (derived frames dropped: they are rebuilt)."""
    return {k: v[v["unit"] == unit] for k, v in data.items()
            if isinstance(v, pd.DataFrame) and "unit" in v.columns}


def task_score(data: dict[str, pd.DataFrame], plan: Plan, as_of: date, unit: str) -> float | None:
    """The unit's ``tasks`` value (None when no target is assigned to it)."""
    assigned = plan.emulation.tasks.get(unit)
    if not assigned:
        return None
    records = {r["id"]: r for r in status(_own_data(data, unit), plan, as_of)["targets"]}
    shares = []
    for target_id in assigned:
        record = records[target_id]
        expected, actual = record["expected_by_now"], record["actual"] or 0
        shares.append(1.0 if not expected else min(1.0, actual / expected))
    return sum(shares) / len(shares)


def raw_measures(data: dict[str, pd.DataFrame], plan: Plan, as_of: date,
                 pairs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per reporting unit: due, received, timely reports; activities, people, resources (own rows)."""
    acts, res = _dated(data, "activities", plan, as_of), _dated(data, "resources", plan, as_of)
    support = acts[acts["activity_type"].isin(plan.support_activity_types)] if len(acts) else acts
    out = {}
    for unit in plan.reporting_units:
        mine = [p for p in pairs if p["unit"] == unit.code and p["state"] not in UNCOUNTED_STATES]
        out[unit.code] = {
            "due": len(mine), "received": sum(p["state"] in RECEIVED for p in mine),
            "timely": sum(p["state"] in TIMELY for p in mine),
            "activities": int((acts["unit"] == unit.code).sum()) if len(acts) else 0,
            "people": int(support.loc[support["unit"] == unit.code, "people_served"].astype("Float64").fillna(0).sum())
            if len(support) else 0,
            "resources": float(pd.to_numeric(res.loc[res["unit"] == unit.code, "value_vnd"]).fillna(0).sum())
            if len(res) else 0.0,
            "tasks": task_score(data, plan, as_of, unit.code),
        }
    return out


def criterion_values(measures: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Per unit, each criterion's value in [0, 1] (None: the criterion does not apply to the unit)."""
    largest = {k: max((m[k] for m in measures.values()), default=0) for k in ("activities", "people", "resources")}
    out = {}
    for unit, m in measures.items():
        values: dict[str, float | None] = {
            "completeness": m["received"] / m["due"] if m["due"] else None,
            "timeliness": m["timely"] / m["due"] if m["due"] else None,
            "tasks": m["tasks"],
        }
        for key in ("activities", "people", "resources"):
            values[key] = m[key] / largest[key] if largest[key] else 0.0
        out[unit] = values
    return out


def scorecard(data: dict[str, pd.DataFrame], plan: Plan, as_of: date,
              pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranked scorecard: one record per reporting unit with rank, unit, score (0-100, None when
    no criterion applies), the raw measures and, per criterion, its value (0-1 or None).
    Empty when the plan declares no emulation criteria."""
    criteria = plan.emulation.criteria
    if not criteria:
        return []
    measures = raw_measures(data, plan, as_of, pairs)
    values = criterion_values(measures)
    rows = []
    for unit, per in values.items():
        applied = [(c.weight, per[c.id]) for c in criteria if per[c.id] is not None]
        weight = sum(w for w, _ in applied)
        score = 100 * sum(w * v for w, v in applied) / weight if weight else None
        rows.append({"unit": unit, "score": score, **{f"value_{k}": v for k, v in per.items()},
                     **{f"raw_{k}": v for k, v in measures[unit].items()}})
    names = {u.code: u.name_vi for u in plan.units}
    rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), names.get(r["unit"], r["unit"])))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
