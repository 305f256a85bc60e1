"""The plan as plain records, and its calendar (months elapsed, fraction of the year, due dates)."""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .. import vocab
from ..vocab import exists_in


@dataclass(frozen=True)
class Unit:
    """A unit of the plan's unit list; ``counts_for_reporting``: expected to report monthly."""

    code: str
    name_vi: str
    pilot: bool = False
    counts_for_reporting: bool = True
    # the unit exists from valid_from through valid_to (None: open); a unit merged into another
    # names it (its old reports keep their code, its aliases still match)
    valid_from: date | None = None
    valid_to: date | None = None
    merged_into: str | None = None
    aliases: tuple[str, ...] = ()  # older and other names a report may use (a renamed unit's old name)
    kind: str = ""  # ``khoi`` for the Bloc, named above the unit in most title blocks

    def active_between(self, start: date, end: date) -> bool:
        """Whether the unit exists on some day from ``start`` through ``end``."""
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or self.valid_to >= start)

    def exists_in(self, period: str) -> bool:
        """Whether the unit exists on some day of the month "YYYY-MM" (so its report for that
        month is expected: a unit joining on 15/7 reports for July, one leaving on 15/9 for September)."""
        return exists_in(self.valid_from, self.valid_to, period)

    def as_known(self) -> vocab.Unit:
        """The unit as the report recogniser knows it (``vocab.UnitRegistry``)."""
        return vocab.Unit(code=self.code, name_vi=self.name_vi, aliases=self.aliases, kind=self.kind, pilot=self.pilot,
                          counts_for_reporting=self.counts_for_reporting, valid_from=self.valid_from,
                          valid_to=self.valid_to, merged_into=self.merged_into)


@dataclass(frozen=True)
class Adjustment:
    """Months excused from a monthly target, with the reason shown beside it."""

    target: str
    months: tuple[str, ...]
    reason: Mapping[str, str]


# The measures a unit's emulation (thi đua) score can use; the plan file picks them and their weights.
EMULATION_CRITERIA: tuple[str, ...] = ("completeness", "timeliness", "tasks", "activities", "people", "resources")


@dataclass(frozen=True)
class Criterion:
    """One emulation criterion: which measure (``EMULATION_CRITERIA``), its weight, its label {vi, en}."""

    id: str
    weight: float
    label: Mapping[str, str]


@dataclass(frozen=True)
class Emulation:
    """The plan's emulation (thi đua) scorecard: criteria with weights, and each unit's assigned targets."""

    criteria: tuple[Criterion, ...] = ()
    tasks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """One target of the plan: what it is, who answers for it, and how it is measured."""

    id: str
    clause: str
    label: Mapping[str, str]
    responsible: Mapping[str, str]
    kind: str
    target: float | None
    params: Mapping[str, Any] = field(default_factory=dict)
    interpretation: bool = False
    format: str = "count"
    measure: Mapping[str, str] = field(default_factory=dict)  # what is counted: {"vi": "thẻ", "en": "cards"}
    section: str | None = None  # the report section it is listed in (None: "other targets")
    roles: tuple[str, ...] = ()  # what else it feeds (ROLES): the check-up chart, the headline figures
    quote: str = ""  # the sentence of the plan it comes from, verbatim
    previous: str | None = None  # the id of this target in the previous year's plan, when it changed


# What a target can feed besides its own line (declared in the plan file, never by id in code):
# ``checkup_chart``: the monthly chart with its threshold line, the visits page, the report's
#   check-up table and the "people at the check-ups" headline (one monthly_threshold target);
# ``headline``: a headline figure of the presentation (its actual, with its label).
ROLES = ("checkup_chart", "headline")
# Report sections that are the report's own (reporting, resources), besides the plan's sections.
OWN_SECTIONS = ("reporting", "resources")
# What a plan section may show besides its targets' lines.
SECTION_SHOWS = ("checkups_chart", "coverage_table")


@dataclass(frozen=True)
class Section:
    """A programme area of the report: its title and what it shows besides its targets."""

    id: str
    label: Mapping[str, str]
    show: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A plan file, loaded and checked (see ``ytsupport/plans/plan_2021_114.yaml``)."""

    number: str
    title: Mapping[str, str]
    start: date
    end: date
    due_days: int
    units: tuple[Unit, ...]
    districts: tuple[str, ...]
    places: Mapping[str, tuple[str, ...]]
    targets: tuple[Target, ...]
    adjustments: tuple[Adjustment, ...] = ()
    source: Path | None = None
    # activity types whose people count as "people supported" (training and surveys are not support)
    support_activity_types: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    emulation: Emulation = field(default_factory=Emulation)

    def with_role(self, role: str) -> list[Target]:
        """The targets that declare ``role`` (see ``ROLES``), in plan order."""
        return [t for t in self.targets if role in t.roles]

    @property
    def months(self) -> list[str]:
        """The plan's months as "YYYY-MM", in order."""
        return plan_months(self.start, self.end)

    @property
    def reporting_units(self) -> list[Unit]:
        """Units expected to send one report a month: those that count for reporting and exist
        during the plan period (a unit that left before it or joins after it is not expected)."""
        return [u for u in self.units if u.counts_for_reporting and u.active_between(self.start, self.end)]

    def target(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(target_id)

    def excused_months(self, target_id: str) -> frozenset[str]:
        """Months excused from ``target_id`` by the plan's adjustments."""
        return frozenset(m for a in self.adjustments if a.target == target_id for m in a.months)

    def excuse_reasons(self, target_id: str) -> list[Mapping[str, str]]:
        return [a.reason for a in self.adjustments if a.target == target_id]

    def clip(self, as_of: date) -> date:
        """``as_of`` moved into the plan period."""
        return min(max(as_of, self.start), self.end)

    def due_date(self, period: str) -> date:
        """The day a month's report is due: the month's last day + ``due_days``."""
        return month_end(period) + timedelta(days=self.due_days)

    def months_elapsed(self, as_of: date) -> list[str]:
        """Months of the plan whose last day is on or before ``as_of``."""
        return [m for m in self.months if month_end(m) <= as_of]

    def fraction_elapsed(self, as_of: date) -> float:
        """Days from the plan's start through ``as_of`` (inclusive) ÷ days in the plan, in [0, 1]."""
        days = (as_of - self.start).days + 1
        total = (self.end - self.start).days + 1
        return min(1.0, max(0.0, days / total))


def month_end(period: str) -> date:
    """The last day of the month "YYYY-MM"."""
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def plan_months(start: date, end: date) -> list[str]:
    """Every month touched by [start, end], as "YYYY-MM"."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
