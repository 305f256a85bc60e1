"""Which plan: a plan named by id (a file of ``ytsupport/plans`` by its stem) or by file, and the
plans a report month may belong to.

``--plan`` of ``ingest`` and ``status`` and the ``YTSUPPORT_PLAN`` setting take either form.
"""
from __future__ import annotations

from pathlib import Path

from .. import formatting as fmt
from ..settings import PLANS_DIR, get_settings
from ..vocab import UnitRegistry, merge_unit_lists, reference
from .definition import Plan
from .load import PlanError, load_plan
from .stored import stored_dir


def resolve_plan(ref: str | Path | None = None) -> Path:
    """The plan file for ``ref``: an existing file, else the plan of ``ytsupport/plans`` whose
    file stem is ``ref`` (e.g. ``plan_2021_114``); None: the configured plan. ``PlanError`` names
    the plans that exist when nothing matches."""
    ref = ref if ref is not None else get_settings().plan_file
    path = Path(ref)
    if path.is_file():
        return path
    stored = PLANS_DIR / f"{path.stem if path.suffix in ('.yaml', '.yml') else path.name}.yaml"
    if stored.is_file():
        return stored
    known = ", ".join(p.stem for p in sorted(PLANS_DIR.glob("*.yaml"))) or "-"
    raise PlanError(path, [f"no plan file or plan id {str(ref)!r} (plan ids: {known})"])


def load_ref(ref: str | Path | None = None) -> Plan:
    """``load_plan`` of ``resolve_plan(ref)``."""
    return load_plan(resolve_plan(ref))


def plan_paths() -> list[Path]:
    """The plan files of ``ytsupport/plans``, then the latest version of each plan saved in the
    app (``plan.stored``)."""
    return [*sorted(PLANS_DIR.glob("*.yaml")), *sorted(stored_dir().glob("*.yaml"))]


def known_plans(chosen: Plan | None = None) -> list[Plan]:
    """The plans a report may belong to: ``chosen`` first, then every loadable plan of
    ``plan_paths()`` (one that does not load is left out here; ``plan check`` reports it)."""
    plans = [chosen] if chosen else []
    for path in plan_paths():
        if chosen and chosen.source and path.resolve() == Path(chosen.source).resolve():
            continue
        try:
            plans.append(load_plan(path))
        except PlanError:
            continue
    return plans


def plan_of_month(period: str, plans: list[Plan]) -> Plan | None:
    """The first of ``plans`` whose period holds the month "YYYY-MM", or None."""
    return next((p for p in plans if period in p.months), None)


def periods_text(plans: list[Plan]) -> str:
    """"114-KH/ĐTN: 01/01/2021 – 31/12/2021; …": the plans and their periods, for a message."""
    return "; ".join(f"{p.number}: {fmt.day(p.start)} – {fmt.day(p.end)}" for p in plans) or "-"


def recognised_units(plans: list[Plan]) -> UnitRegistry:
    """The units a report may name: those of every units file of ``ytsupport/reference/``, then
    those of ``plans`` (oldest plan first, so the newest plan gives a unit's current name and its
    validity; older names stay aliases). A name reused by units of different years resolves by the
    report's month (``vocab.UnitRegistry``)."""
    lists = [reference().units.units()]
    for plan in sorted(plans, key=lambda p: p.start):
        lists.append([u.as_known() for u in plan.units])
    return UnitRegistry(merge_unit_lists(lists), source="plans", strict=False)
