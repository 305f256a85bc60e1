"""What each dashboard page shows, as typed plain data: filters applied, labels resolved, small frames.

Pure functions over what ``store.load_current`` returns, a ``Plan`` and the ``Figures`` every view
shares (``ytsupport.figures``); no streamlit here, so the tests use the same numbers as the pages.
``dashboard/state.py`` caches each page's model keyed by (data version, filters, language). Every frame returned is an aggregate (at most
one row per unit, month, district, category…): no beneficiary's name or birth year ever leaves
this module.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import metrics
from ..states import STATE_STYLE, STATUS_STYLE, TIMELY_STATES, MonthState, ReportState, TargetStatus
from .. import formatting as fmt
from ..geo import short_labels
from ..privacy import hide_count, hide_small, too_few_to_break_down
from ..privacy import threshold as suppress_threshold
from ..i18n import t
from ..figures import Figures, checkup_rule, checkups_by_month, compute
from ..plan import Plan, month_end, report_pairs
from ..plan.status import within_plan
from ..plan.activities import COUNTED, as_days, counted, select_activities, with_counted
from ..settings import get_settings
from ..store.tables import DATE_COLUMNS
from ..vocab import reference
from ..store.conversion import Frames

MONTHLY_KINDS = ("monthly_threshold", "months_with_activity")


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; hashable, so they key the caches. Empty tuples mean "all"."""

    plan_file: str
    as_of: date
    units: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MonthCell:
    """A month of a monthly target on a card."""

    month: str
    state: MonthState


@dataclass(frozen=True)
class ModelStarted:
    label: str
    started: bool


@dataclass(frozen=True)
class ScorecardRow:
    """One target as the scorecard, the presentation and the pilot units' tasks show it."""

    id: str
    label: str
    clause: str
    responsible: str
    status: TargetStatus
    status_word: str
    icon: str
    colour: str
    actual: Any
    target: Any
    actual_text: str
    target_text: str | None
    expected_text: str | None
    bar: float | None
    marker: float | None
    interpretation: bool
    excused_text: str | None = None
    months: tuple[MonthCell, ...] | None = None
    models: tuple[ModelStarted, ...] | None = None
    previous_text: str | None = None  # the same period of the previous year's plan, when there is one


@dataclass(frozen=True)
class Reporting:
    """Reporting rates at the as-of date (``plan.status``'s ``reporting``)."""

    expected: int
    received: int
    on_time: int
    completeness: float | None
    timeliness: float | None


@dataclass(frozen=True)
class Gaps:
    """The last due month, and the units whose report for it is missing or late."""

    month: str | None
    due_on: date | None
    missing: tuple[str, ...]
    late: tuple[str, ...]
    missing_months: dict[str, list[str]]
    missing_names: tuple[str, ...] = ()
    late_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Headline:
    people_served: int
    activities: int
    threshold_people: int | None  # people at the check-up chart target's activities (None: no such target)
    resources_vnd: float
    reports_received: int
    reports_expected: int


@dataclass(frozen=True)
class Overview:
    as_of: date
    plan: str
    title: str
    scorecard: tuple[ScorecardRow, ...]
    reporting: Reporting
    headline: Headline
    attention: tuple[ScorecardRow, ...]
    gaps: Gaps
    has_data: bool
    supported_help: str = ""  # what "people supported" adds up: the plan's support activity types


@dataclass(frozen=True)
class Coverage:
    """The coverage page. Counts hidden by the small-count rule are None (NaN in frames)."""

    as_of: date
    people: int | None
    supported: int | None
    with_bhyt: int | None
    supported_share: float | None
    bhyt_share: float | None
    multi_unit: int
    by_district: pd.DataFrame
    suppress_below: int
    by_category: pd.DataFrame
    by_sex: pd.DataFrame
    by_age: pd.DataFrame
    steps: pd.DataFrame
    districts_reached: int
    districts_total: int
    has_data: bool
    breakdown: bool = True  # False: a filtered view of 1-4 people shows no breakdown at all


@dataclass(frozen=True)
class MonthStrip:
    id: str
    label: str
    actual: Any
    target: Any
    months: pd.DataFrame


@dataclass(frozen=True)
class Event:
    id: str
    label: str
    window: str
    count: int
    target: Any
    table: pd.DataFrame


@dataclass(frozen=True)
class Visits:
    as_of: date
    checkups: pd.DataFrame
    threshold: int | None  # None: the plan has no check-up chart target (role checkup_chart)
    checkup_id: str | None
    excused: tuple[str, ...]
    elapsed: int
    strips: tuple[MonthStrip, ...]
    matrix: pd.DataFrame
    events: tuple[Event, ...]
    activities: int
    people_served: int
    threshold_people: int
    has_data: bool
    supported_help: str = ""

    @property
    def checkup_strip(self) -> MonthStrip | None:
        """The month strip of the check-up target, if the plan has one."""
        return next((s for s in self.strips if s.id == self.checkup_id), None)


@dataclass(frozen=True)
class InKind:
    """An in-kind item mobilised: its label and quantity (one unit of measure)."""

    label: str
    quantity: float
    unit_of_measure: str
    value_vnd: float


@dataclass(frozen=True)
class Resources:
    as_of: date
    total_vnd: float
    entries: int
    donors: int
    by_item: pd.DataFrame
    by_donor_type: pd.DataFrame
    by_unit: pd.DataFrame
    by_month: pd.DataFrame
    top_donors: pd.DataFrame
    top_donor_value: float
    in_kind: tuple[InKind, ...]
    has_data: bool


@dataclass(frozen=True)
class PilotTasks:
    unit: str
    name: str
    tasks: tuple[ScorecardRow, ...]


@dataclass(frozen=True)
class Units:
    as_of: date
    matrix: pd.DataFrame
    matrix_states: pd.DataFrame
    reporting: Reporting
    state_counts: dict[str, int]
    gaps: Gaps
    missing_names: tuple[str, ...]
    late_names: tuple[str, ...]
    reminder: str
    pilots: tuple[PilotTasks, ...]
    contribution: pd.DataFrame
    has_units: bool
    emulation: pd.DataFrame = field(default_factory=pd.DataFrame)  # see ``emulation_table``


def _reporting(record: dict[str, Any]) -> Reporting:
    return Reporting(expected=record["expected"], received=record["received"], on_time=record["on_time"],
                     completeness=record["completeness"], timeliness=record["timeliness"])


# ---------------------------------------------------------------------------------------------
# Plans, filters, dates


def plan_files() -> list[Path]:
    """The plan files to choose from: the configured one first, then the others in ``ytsupport/plans``,
    then the latest versions of the plans saved in the app (``plan.catalogue.plan_paths``)."""
    from ..plan.catalogue import plan_paths

    configured = get_settings().plan_file
    others = [p for p in plan_paths() if p.resolve() != configured.resolve()]
    return [configured, *others] if configured.is_file() else others


def apply_filters(data: Frames, units: Sequence[str] = (), districts: Sequence[str] = ()) -> Frames:
    """The frames limited to the chosen units (all kinds, reports included) and districts.

    Districts limit surveyed beneficiaries and the activities that record a district; activities
    without one (at the Centre) then drop out. Resources record no district and are kept.
    """
    out = dict(data)
    for kind, frame in data.items():
        if frame is None or kind == COUNTED:
            continue
        if units and "unit" in frame:
            frame = frame[frame["unit"].isin(list(units))]
        if districts and kind in ("activities", "beneficiaries") and "district" in frame:
            frame = frame[frame["district"].isin(list(districts))]
        out[kind] = frame
    if (units or districts) and COUNTED in data:  # merging across reports depends on which rows are in
        out = with_counted(out)
    return out


def restrict_plan(plan: Plan, units: Sequence[str] = ()) -> Plan:
    """The plan with only the chosen units (so reporting expects reports from those alone)."""
    if not units:
        return plan
    return dataclasses.replace(plan, units=tuple(u for u in plan.units if u.code in set(units)))


def last_data_day(data: Frames) -> date | None:
    """The latest date of any activity, survey or resource (None with no data)."""
    days = [as_days(data[k][c]).max() for k, c in DATE_COLUMNS.items()
            if data.get(k) is not None and len(data[k])]
    days = [d for d in days if pd.notna(d)]
    return max(days).date() if days else None


def default_as_of(data: Frames, plan: Plan, today: date | None = None) -> date:
    """The last date with data, inside the plan period (the plan's end, or today, without data)."""
    return plan.clip(last_data_day(data) or today or date.today())


def last_due_month(plan: Plan, as_of: date) -> str | None:
    """The latest plan month whose report was due on or before ``as_of``."""
    due = [m for m in plan.months if plan.due_date(m) <= as_of]
    return due[-1] if due else None


# ---------------------------------------------------------------------------------------------
# Labels


def unit_short_name(name: str, aliases: Sequence[str] = (), limit: int = 36) -> str:
    """A unit's name for charts and tables: without its organisational prefix ("Bệnh viện Đa khoa
    tỉnh", "Sở Y tế"); when still longer than ``limit``, its longest alias that fits."""
    def strip(text: str) -> str:
        return re.sub(r"^(Đoàn cơ sở|Chi đoàn)\s+", "", text).strip() or text

    short = strip(name)
    if len(short) <= limit:
        return short
    fitting = sorted((strip(a) for a in aliases if len(strip(a)) <= limit), key=len, reverse=True)
    return fitting[0] if fitting else short


def unit_names(plan: Plan, short: bool = True) -> dict[str, str]:
    """Unit code -> name (short form by default); units of the data not in the plan keep their code."""
    if not short:
        return {u.code: u.name_vi for u in plan.units}
    registry = reference().units
    return {u.code: unit_short_name(u.name_vi, registry.get(u.code).aliases if registry.get(u.code) else ())
            for u in plan.units}


def _labels(vocabulary: str, lang: str) -> dict[str, str]:
    vocab = reference().vocabulary(vocabulary)
    return {code: vocab.label(code, lang) for code in vocab.codes()}


def _label_column(codes: pd.Series, labels: dict[str, str], lang: str) -> pd.Series:
    unknown = t("unknown", lang)
    return codes.map(lambda c: unknown if c in (None, "unknown") or pd.isna(c) else labels.get(c, c))


def month_states(plan: Plan, target_id: str, months_met: Sequence[str], as_of: date) -> pd.DataFrame:
    """One row per plan month of a monthly target: met, excused, missed (over, not met) or pending."""
    excused, met = plan.excused_months(target_id), set(months_met)
    rows = [{"month": m, "state": MonthState.MET if m in met else MonthState.EXCUSED if m in excused
             else MonthState.MISSED if month_end(m) <= as_of else MonthState.PENDING} for m in plan.months]
    return pd.DataFrame(rows, columns=["month", "state"])


def scorecard_row(target: dict[str, Any], plan: Plan, as_of: date, lang: str) -> ScorecardRow:
    """One target as the scorecard shows it: texts, status (icon, word, colour), bar and marker."""
    form, goal, expected, actual = target["format"], target["target"], target["expected_by_now"], target["actual"]
    status = TargetStatus(target["status"])
    icon, colour = STATUS_STYLE[status]
    excused, excused_text, months, started = target.get("excused"), None, None, None
    if excused:
        listed = ", ".join(fmt.month(m, lang, short=True) for m in excused["months"])
        excused_text = t("excused_note", lang, months=listed, reason=excused["reason"].get(lang, ""))
    if target["kind"] in MONTHLY_KINDS:
        frame = month_states(plan, target["id"], target.get("months_met") or [], as_of)
        months = tuple(MonthCell(m, MonthState(state)) for m, state in zip(frame["month"], frame["state"]))
    if target.get("models"):
        started = tuple(ModelStarted(m["label"].get(lang) or m["id"], bool(m["started"])) for m in target["models"])
    return ScorecardRow(
        id=target["id"], label=target["label"].get(lang) or target["label"]["vi"], clause=target["clause"],
        responsible=target["responsible"].get(lang, ""), status=status, status_word=t(f"status_{status}", lang),
        icon=icon, colour=colour, actual=actual, target=goal,
        actual_text=fmt.measured(actual, form, target.get("measure"), lang),
        target_text=None if goal is None else fmt.target_value(goal, form, lang),
        expected_text=None if expected is None else fmt.target_value(expected, form, lang),
        bar=None if goal in (None, 0) else min(1.0, (actual or 0) / goal),
        marker=None if goal in (None, 0) or expected is None else min(1.0, expected / goal),
        interpretation=bool(target.get("interpretation")), excused_text=excused_text, months=months, models=started,
        previous_text=None if "previous_actual" not in target else t(
            "report_previous", lang, value=fmt.measured(target["previous_actual"], form, target.get("measure"), lang),
            day=fmt.day(target["previous_as_of"], lang)))


def _reporting_gaps(plan: Plan, data: Frames, as_of: date) -> Gaps:
    """The last due month and the units missing or late for it (codes and full names), with all
    missing months of each unit."""
    pairs = report_pairs(data, plan, as_of)
    month = last_due_month(plan, as_of)
    latest = pairs[pairs["period"] == month]
    missing_months = (pairs[pairs["state"] == ReportState.MISSING].groupby("unit")["period"].apply(list).to_dict())
    missing = tuple(latest.loc[latest["state"] == ReportState.MISSING, "unit"])
    late = tuple(latest.loc[latest["state"] == ReportState.LATE, "unit"])
    names = unit_names(plan, short=False)
    return Gaps(month=month, due_on=plan.due_date(month) if month else None, missing=missing, late=late,
                missing_months=missing_months, missing_names=tuple(names.get(u, u) for u in missing),
                late_names=tuple(names.get(u, u) for u in late))


def overview(data: Frames, plan: Plan, as_of: date, lang: str = "vi", figures: Figures | None = None) -> Overview:
    """The scorecard of every target, the headline numbers and what needs attention (from
    ``figures``, the one computation every view shares; computed here when not given)."""
    as_of = plan.clip(as_of)
    figures = figures or compute(data, plan, as_of)
    result, head = figures.status, figures.headline
    rows = [scorecard_row(target, plan, as_of, lang) for target in result["targets"]]
    headline = Headline(people_served=head["people_supported"], activities=head["activities"],
                        threshold_people=head["threshold_people"], resources_vnd=head["resources_value_vnd"],
                        reports_received=result["reporting"]["received"],
                        reports_expected=result["reporting"]["expected"])
    attention = (TargetStatus.BEHIND, TargetStatus.NOT_STARTED, TargetStatus.NOT_MET)
    return Overview(as_of=as_of, plan=plan.number, title=plan.title.get(lang) or plan.title.get("vi", ""),
                    scorecard=tuple(rows), reporting=_reporting(result["reporting"]), headline=headline,
                    attention=tuple(r for r in rows if r.status in attention), gaps=_reporting_gaps(plan, data, as_of),
                    has_data=any(len(data.get(k, ())) for k in DATE_COLUMNS), supported_help=supported_help(plan, lang))


def supported_help(plan: Plan, lang: str) -> str:
    """The definition of "people supported" for its tooltip: the plan's support activity types."""
    labels = _labels("activity_types", lang)
    return t("h_people_served_help", lang, types="; ".join(labels.get(c, c) for c in plan.support_activity_types))


# ---------------------------------------------------------------------------------------------
# Coverage


def _coverage_frames(data: Frames, plan: Plan, as_of: date, lang: str) -> dict[str, Any]:
    """Surveyed people (each once across units) by district, category, sex and age band, and the
    surveyed → supported → holding a BHYT card steps: every count as it is, nothing hidden yet."""
    people = metrics.unique_beneficiaries(data, as_of)
    short = short_labels(lang)
    by_district = (people.assign(n=1).groupby("district")
                   .agg(surveyed=("n", "size"), supported=("supported", "sum"), with_bhyt=("has_bhyt", "sum"))
                   .reindex(list(plan.districts), fill_value=0).rename_axis("district").reset_index())
    by_district = by_district.astype({"surveyed": "int64", "supported": "int64", "with_bhyt": "int64"})
    by_district.insert(1, "label", by_district["district"].map(lambda c: short.get(c, c)))
    categories = people["categories"].str.split(";").explode()
    by_category = _counts(categories[categories.fillna("") != ""], "category", _labels("beneficiary_categories", lang), lang)
    ages = (as_of.year - people["birth_year"].astype("Float64")).astype("float64")
    bands = {b: t(f"age_{b}", lang) for b in metrics.AGE_BANDS}
    by_age = _counts(metrics.age_band(ages), "age_band", bands, lang, order=metrics.AGE_BANDS)
    counts = {"surveyed": len(people), "supported": int(people["supported"].sum()),
              "with_bhyt": int(people["has_bhyt"].sum())}
    steps = pd.DataFrame([{"step": k, "label": t(k, lang), "people": n} for k, n in counts.items()])
    return {"counts": counts, "by_district": by_district, "by_category": by_category,
            "by_sex": _counts(people["sex"], "sex", _labels("sex", lang), lang), "by_age": by_age, "steps": steps,
            "multi_unit": int((people["units"] > 1).sum()) if len(people) else 0}


def _hidden_against(frame: pd.DataFrame, province: pd.DataFrame, key: str, column: str) -> pd.DataFrame:
    """A filtered view's breakdown with each count hidden against the same row at province level."""
    totals = frame[key].map(dict(zip(province[key], province[column]))).fillna(0)
    return hide_small(frame, [column], totals={column: totals})


def coverage(data: Frames, plan: Plan, as_of: date, lang: str = "vi", whole: Frames | None = None) -> Coverage:
    """Surveyed people by district, category, sex and age band; surveyed → supported → holding a
    BHYT card. ``whole`` is the unfiltered data when ``data`` is filtered to some units or
    districts: every count of the view is then below province level and hidden by the one rule
    (``privacy``) against the province's figures, and a view of fewer than 5 people shows no
    breakdown at all."""
    as_of, data = plan.clip(as_of), within_plan(data, plan)
    whole = None if whole is None else within_plan(whole, plan)
    view = _coverage_frames(data, plan, as_of, lang)
    counts, columns = view["counts"], ["surveyed", "supported", "with_bhyt"]
    filtered = whole is not None
    if filtered:
        province = _coverage_frames(whole, plan, as_of, lang)
        shown = {k: hide_count(n, province["counts"][k]) for k, n in counts.items()}
        by_district = hide_small(view["by_district"], columns,
                                 totals={c: view["by_district"]["district"].map(
                                     dict(zip(province["by_district"]["district"], province["by_district"][c])))
                                     for c in columns})
        # a district the province view hides stays hidden in every view of it
        hidden = hide_small(province["by_district"], columns).set_index("district")[columns].isna()
        rows = hidden.reindex(by_district["district"]).fillna(False).to_numpy()
        by_district[columns] = by_district[columns].mask(rows)
        parts = {k: _hidden_against(view[k], province[k], key, "people")
                 for k, key in (("by_category", "category"), ("by_sex", "sex"), ("by_age", "age_band"))}
        steps = _hidden_against(view["steps"], province["steps"], "step", "people")
    else:
        shown = dict(counts)
        by_district = hide_small(view["by_district"], columns)
        parts = {k: view[k] for k in ("by_category", "by_sex", "by_age")}
        steps = view["steps"]
    breakdown = not (filtered and too_few_to_break_down(counts["surveyed"]))
    surveyed = shown["surveyed"]
    share = (lambda n: n / surveyed if surveyed and n is not None else None)
    steps = steps.assign(share=[None, share(shown["supported"]), share(shown["with_bhyt"])])
    by_age = parts["by_age"]
    by_age = by_age[(by_age["age_band"] != "unknown") | (by_age["people"].fillna(1) > 0)].reset_index(drop=True)
    return Coverage(as_of=as_of, people=surveyed, supported=shown["supported"], with_bhyt=shown["with_bhyt"],
                    supported_share=share(shown["supported"]), bhyt_share=share(shown["with_bhyt"]),
                    multi_unit=view["multi_unit"], by_district=by_district, suppress_below=suppress_threshold(),
                    by_category=parts["by_category"], by_sex=parts["by_sex"], by_age=by_age, steps=steps,
                    districts_reached=int((view["by_district"]["surveyed"] > 0).sum()),
                    districts_total=len(view["by_district"]), has_data=counts["surveyed"] > 0, breakdown=breakdown)


def _counts(values: pd.Series, name: str, labels: dict[str, str], lang: str,
            order: Sequence[str] | None = None) -> pd.DataFrame:
    counts = values.fillna("unknown").value_counts().rename_axis(name).reset_index(name="people")
    if order is not None:
        counts = counts.set_index(name).reindex(list(order), fill_value=0).reset_index()
    counts.insert(1, "label", _label_column(counts[name], labels, lang))
    return counts


# ---------------------------------------------------------------------------------------------
# Visits


def _events(acts: pd.DataFrame, plan: Plan, lang: str) -> tuple[Event, ...]:
    """For each dated-window target (Children's Day, Mid-Autumn): the activities it counted."""
    names, types = unit_names(plan), _labels("activity_types", lang)
    out = []
    for target in plan.targets:
        if target.kind != "events_in_window":
            continue
        p = target.params
        window = (p["window"]["from"], p["window"]["to"])
        chosen = select_activities(acts, p["activity_type"], plan.places, p.get("place"), window)
        table = pd.DataFrame({
            t("date", lang): chosen["date"].map(lambda d: fmt.day(d, lang)),
            t("unit", lang): chosen["unit"].map(lambda u: names.get(u, u)) if "unit" in chosen else "",
            t("activity_type", lang): chosen["activity_type"].map(lambda c: types.get(c, c)),
            t("location", lang): chosen["location"].fillna(""),
            t("people_served", lang): chosen["people_served"].astype("Float64").fillna(0).astype("int64")})
        out.append(Event(id=target.id, label=target.label.get(lang) or target.label["vi"],
                         window=f"{fmt.day(window[0], lang)} – {fmt.day(window[1], lang)}",
                         count=len(chosen), target=target.target, table=table.head(200)))
    return tuple(out)


def visits(data: Frames, plan: Plan, as_of: date, lang: str = "vi", figures: Figures | None = None) -> Visits:
    """Check-ups at the Centre per month against the line, monthly targets month by month,
    activities by month × type, and the dated events (the plan period's only)."""
    as_of, data = plan.clip(as_of), within_plan(data, plan)
    figures = figures or compute(data, plan, as_of)
    result = {target["id"]: target for target in figures.status["targets"]}
    rule = checkup_rule(plan)
    monthly = checkups_by_month(data, plan, as_of, plan.months)
    strips = tuple(MonthStrip(id=target.id, label=target.label.get(lang) or target.label["vi"],
                              actual=result[target.id]["actual"], target=result[target.id]["target"],
                              months=month_states(plan, target.id, result[target.id].get("months_met") or [], as_of))
                   for target in plan.targets if target.kind in MONTHLY_KINDS)
    by_type = metrics.activities_by_month_type(data, as_of)
    types = _labels("activity_types", lang)
    matrix = (by_type.pivot_table(index="activity_type", columns="month", values="activities", aggfunc="sum", fill_value=0)
              .reindex(columns=plan.months, fill_value=0))
    order = [c for c in reference().activity_types.codes() if c in matrix.index] + \
            [c for c in matrix.index if c not in types]
    matrix = matrix.reindex(order).rename(index=lambda c: types.get(c, c)).astype("int64")
    acts = counted(data, None, as_of)
    return Visits(as_of=as_of, checkups=monthly, threshold=rule.threshold if rule else None,
                  checkup_id=rule.target_id if rule else None,
                  excused=tuple(sorted(plan.excused_months(rule.target_id))) if rule else (),
                  elapsed=plan.months_elapsed(as_of), strips=strips, matrix=matrix,
                  events=_events(acts, plan, lang), activities=figures.headline["activities"],
                  people_served=figures.headline["people_supported"],
                  threshold_people=int(monthly["people_served"].sum()), has_data=len(acts) > 0,
                  supported_help=supported_help(plan, lang))


# ---------------------------------------------------------------------------------------------
# Resources


def resources(data: Frames, plan: Plan, as_of: date, lang: str = "vi") -> Resources:
    """Value mobilised by item, donor type, unit and month (cumulated), top donors, and in-kind
    quantities, one per item and unit of measure (quantities in different measures never add up)."""
    as_of, data = plan.clip(as_of), within_plan(data, plan)
    items, donor_types, names = _labels("resource_items", lang), _labels("donor_types", lang), unit_names(plan)
    by_item = metrics.resources_by_item(data, as_of)
    by_item.insert(1, "label", _label_column(by_item["item"], items, lang))
    by_donor_type = metrics.resources_by_donor_type(data, as_of)
    by_donor_type.insert(1, "label", _label_column(by_donor_type["donor_type"], donor_types, lang))
    by_unit = metrics.resources_by_unit(data, as_of)
    by_unit.insert(1, "label", by_unit["unit"].map(lambda u: names.get(u, u)))
    by_month = metrics.resources_by_month(data, as_of, months=[m for m in plan.months if m <= f"{as_of:%Y-%m}"])
    donors = metrics.top_donors(data, 10, as_of)
    donors.insert(2, "donor_type_label", _label_column(donors["donor_type"], donor_types, lang))
    by_measure = metrics.resources_by_measure(data, as_of)
    in_kind = by_measure[(by_measure["item"] != "tien_mat") & (by_measure["quantity"] > 0)].copy()
    in_kind.insert(1, "label", _label_column(in_kind["item"], items, lang))
    kinds = tuple(InKind(label=r.label, quantity=float(r.quantity), unit_of_measure=r.unit_of_measure,
                         value_vnd=float(r.value_vnd)) for r in in_kind.itertuples(index=False))
    return Resources(as_of=as_of, total_vnd=float(by_item["value_vnd"].sum()), entries=int(by_item["entries"].sum()),
                     donors=int(metrics.rows_until(data, "resources", as_of)["donor"].nunique()),
                     by_item=by_item, by_donor_type=by_donor_type, by_unit=by_unit, by_month=by_month,
                     top_donors=donors, top_donor_value=float(donors["value_vnd"].max()) if len(donors) else 0.0,
                     in_kind=kinds, has_data=len(by_item) > 0)


# ---------------------------------------------------------------------------------------------
# Units and reporting


def reminder_text(plan: Plan, gaps: Gaps, as_of: date) -> str:
    """A Vietnamese reminder, ready to paste into a message, naming the units whose report for the
    last due month is missing (with their other missing months). Empty when none is missing."""
    if not gaps.month or not gaps.missing:
        return ""
    names = unit_names(plan, short=False)
    pilots = {u.code for u in plan.units if u.pilot}
    month = fmt.month(gaps.month, "vi", in_sentence=True)
    lines = ["Kính gửi: Ban Chấp hành các cơ sở Đoàn trực thuộc,", "",
             f"Đến ngày {fmt.day(as_of)}, Ban Thường vụ Đoàn Khối chưa nhận được báo cáo {month} "
             f"(hạn nộp {fmt.day(gaps.due_on)}) theo Kế hoạch {plan.number} của các đơn vị sau:"]
    for i, unit in enumerate(gaps.missing, start=1):
        others = [m for m in gaps.missing_months.get(unit, []) if m != gaps.month]
        extra = f" (còn thiếu cả {', '.join(fmt.month(m, 'vi', in_sentence=True) for m in others)})" if others else ""
        lines.append(f"{i}. {names.get(unit, unit)}{extra}")
    lines += ["", "Đề nghị các đơn vị khẩn trương gửi báo cáo tháng"
              + (" (đơn vị điểm chỉ đạo gửi kèm báo cáo chuyên đề)" if pilots & set(gaps.missing) else "")
              + " về Văn phòng Đoàn Khối.", "", "Trân trọng."]
    return "\n".join(lines)


def _matrix_table(pairs: pd.DataFrame, plan: Plan, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit × month: the states (codes) and the table shown (each cell "icon word", plus received
    and on-time counts of the due months). Both indexed by unit name, columns in plan month order."""
    names = unit_names(plan)
    words = {s: f"{STATE_STYLE[s][0]} {t(f'state_{s}', lang)}" for s in STATE_STYLE}
    states = pairs.pivot(index="unit", columns="period", values="state").reindex(
        index=[u.code for u in plan.reporting_units], columns=plan.months)
    due = pairs[pairs["is_due"].astype(bool)].groupby("unit").agg(expected=("is_due", "size"), received=("received", "sum"),
                                                     on_time=("state", lambda s: int(s.isin(TIMELY_STATES).sum())))
    due = due.reindex(states.index, fill_value=0)
    table = states.apply(lambda column: column.map(words))
    table[t("received", lang)] = [f"{r}/{e}" for r, e in zip(due["received"], due["expected"])]
    table[t("on_time", lang)] = [f"{o}/{e}" for o, e in zip(due["on_time"], due["expected"])]
    labels = [names.get(u, u) for u in states.index]
    states.index, table.index = labels, labels
    states.index.name = table.index.name = t("unit", lang)
    return states, table


def pilot_tasks(plan: Plan, targets: Sequence[dict[str, Any]], as_of: date, lang: str) -> tuple[PilotTasks, ...]:
    """Each pilot unit with the plan's targets that name it as responsible, and their status."""
    registry = reference().units
    out = []
    for unit in (u for u in plan.units if u.pilot):
        rows = []
        for target in targets:
            parts = [p.strip() for p in target["responsible"].get("vi", "").split(";")]
            if unit.code in {registry.match_name(p) for p in parts if p}:
                rows.append(scorecard_row(target, plan, as_of, lang))
        out.append(PilotTasks(unit=unit.code, name=unit.name_vi, tasks=tuple(rows)))
    return tuple(out)


TOTAL = "total"  # the ``unit`` of the contribution table's total row


def contribution_table(data: Frames, plan: Plan, as_of: date, lang: str = "vi") -> pd.DataFrame:
    """Each unit's own rows, the joint-activity adjustment and the total (what the other pages show),
    with a ``label`` column: the units' column sums reconcile with the totals on the same table."""
    names = {**unit_names(plan), metrics.JOINT: t("contribution_joint", lang), TOTAL: t("total", lang)}
    rows = metrics.unit_contribution(data, as_of, units=[u.code for u in plan.units])
    total = pd.DataFrame([{"unit": TOTAL, **rows[list(metrics.CONTRIBUTION_COLUMNS)].sum().to_dict()}])
    table = pd.concat([rows, total], ignore_index=True).astype(rows.dtypes.to_dict())
    table.insert(1, "label", table["unit"].map(lambda u: names.get(u, u)))
    return table


def emulation_table(data: Frames, plan: Plan, as_of: date, pairs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The units' emulation scorecard (``report.emulation.scorecard``) for the page: rank, unit name,
    one column per criterion of the plan (its value 0-1, NaN when it does not apply), score; the
    columns are named by the criteria's labels with their weights."""
    from ..report.content import records
    from ..report.emulation import scorecard

    rows = scorecard(data, plan, as_of, records(pairs))
    names = {u.code: u.name_vi for u in plan.units}
    columns = {f"value_{c.id}": f"{c.label.get(lang) or c.label['vi']} ({fmt.number(c.weight, lang)})"
               for c in plan.emulation.criteria}
    table = pd.DataFrame([{t("col_rank", lang): r["rank"], t("col_unit", lang): names.get(r["unit"], r["unit"]),
                           **{label: r[key] for key, label in columns.items()}, t("col_score", lang): r["score"]}
                          for r in rows])
    return table


def units(data: Frames, plan: Plan, as_of: date, lang: str = "vi", figures: Figures | None = None) -> Units:
    """The reporting matrix, completeness and timeliness, the reminder, pilot tasks and contributions."""
    as_of, data = plan.clip(as_of), within_plan(data, plan)
    pairs = report_pairs(data, plan, as_of)
    result = (figures or compute(data, plan, as_of)).status
    gaps = _reporting_gaps(plan, data, as_of)
    contribution = contribution_table(data, plan, as_of, lang)
    counts = pairs.loc[pairs["is_due"].astype(bool), "state"].value_counts().reindex(list(STATE_STYLE), fill_value=0)
    states, table = _matrix_table(pairs, plan, lang)
    return Units(as_of=as_of, matrix=table, matrix_states=states, reporting=_reporting(result["reporting"]),
                 state_counts={str(s): int(n) for s, n in counts.items()}, gaps=gaps,
                 missing_names=gaps.missing_names, late_names=gaps.late_names,
                 reminder=reminder_text(plan, gaps, as_of), pilots=pilot_tasks(plan, result["targets"], as_of, lang),
                 contribution=contribution, has_units=bool(plan.reporting_units),
                 emulation=emulation_table(data, plan, as_of, pairs, lang))


__all__ = ["Filters", "apply_filters", "coverage", "default_as_of", "last_due_month", "overview", "plan_files",
           "reminder_text", "resources", "restrict_plan", "units", "visits"]
