"""What the monthly briefing needs beyond the status: the month's result, the change since the last
meeting, the reasons units gave, and the drafted assessment and next steps.

Gathered with the figures (``gather.collect``), so a snapshot freezes them too:

- ``month_before``: each target's actual at the end of the month before the as-of month; the
  result "in the month" is the actual now minus that;
- ``reasons``: the notes units wrote on the activities a target counts, in the as-of month and the
  month before (e.g. "Giãn cách xã hội do dịch COVID-19" against the check-ups);
- ``unsupported``: people surveyed and not yet supported, by unit and by district (suppressed).

At export the report gains ``since`` (the actuals of the snapshot it is compared with) and
``texts`` (the office's comments and edited drafts). ``draft`` writes the assessment, next steps
and proposals from the data, in the report's language; what the office edited replaces it.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from .. import formatting as fmt
from ..i18n import t
from ..metrics import unique_beneficiaries
from ..plan import Plan
from ..plan.activities import select_activities
from ..plan.definition import month_end
from ..plan.status import status
from ..privacy import hide_small
from ..states import UNCOUNTED_STATES
from ..store.conversion import rows_of
from .content import ReportContent, records
from .labels import pick, status_label

AHEAD = ("met", "on_track")
LAGGING = ("behind", "not_started", "not_met")


def previous_month_end(as_of: date) -> date:
    """The last day of the month before ``as_of``'s month."""
    return as_of.replace(day=1) - timedelta(days=1)


def month_before(data: dict[str, pd.DataFrame], plan: Plan, as_of: date) -> dict[str, Any]:
    """{period: the as-of month, actuals: {target id: actual at the previous month's end}} (no
    actuals when the as-of month is the plan's first: the month's result is then the whole)."""
    before = previous_month_end(as_of)
    actuals = ({} if before < plan.start else
               {r["id"]: r["actual"] for r in status(data, plan, before)["targets"]})
    return {"period": as_of.isoformat()[:7], "actuals": actuals}


def reasons(data: dict[str, pd.DataFrame], plan: Plan, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """Target id -> the distinct notes (date, unit, text) written on the activities it counts, dated
    in the as-of month or the month before; targets without notes are left out."""
    activities = rows_of(data, "activities")
    if len(activities) == 0 or "notes" not in activities:
        return {}
    days = pd.to_datetime(activities["date"])
    start = pd.Timestamp(previous_month_end(as_of).replace(day=1))
    noted = activities[(days >= start) & (days <= pd.Timestamp(as_of))
                       & activities["notes"].fillna("").astype(str).str.strip().ne("")]
    out: dict[str, list[dict[str, Any]]] = {}
    for target in plan.targets:
        kind = target.params.get("activity_type")
        if not kind or len(noted) == 0:
            continue
        chosen = select_activities(noted, kind, plan.places, target.params.get("place"))
        seen: set[str] = set()
        for row in chosen.sort_values("date", kind="stable").to_dict("records"):
            text = " ".join(str(row["notes"]).split())
            if text not in seen:
                seen.add(text)
                out.setdefault(target.id, []).append({"date": pd.Timestamp(row["date"]).date().isoformat(),
                                                      "unit": row.get("unit"), "text": text})
    return out


def unsupported(data: dict[str, pd.DataFrame], as_of: date, districts: list[str]) -> dict[str, list[dict]]:
    """People surveyed and not (yet) supported in any report: {by_unit, by_district}, each person
    once per row, counts below the threshold hidden (None) as in every view below province level."""
    rows = rows_of(data, "beneficiaries")
    if len(rows) == 0:
        return {"by_unit": [], "by_district": []}
    people = unique_beneficiaries(data, as_of)
    waiting = set(people.loc[~people["supported"].astype(bool), "person_key"])
    mine = rows[rows["person_key"].isin(waiting) & (pd.to_datetime(rows["surveyed_on"]) <= pd.Timestamp(as_of))]
    by_unit = mine.groupby("unit")["person_key"].nunique().rename("people").reset_index()
    in_district = people[people["person_key"].isin(waiting)]["district"].fillna("unknown").value_counts()
    by_district = in_district.reindex([d for d in districts if d in in_district.index]
                                      + [d for d in in_district.index if d not in districts])
    by_district = by_district.rename_axis("district").reset_index(name="people")
    total = float(len(waiting))
    return {"by_unit": records(hide_small(by_unit, ["people"], totals={"people": total})),
            "by_district": records(hide_small(by_district, ["people"], totals={"people": total})),
            "total": int(total)}


def with_baseline(content: ReportContent, then: ReportContent | None, name: str | None) -> ReportContent:
    """``content`` compared with the snapshot ``then`` (its name and actuals in ``meta["since"]``)."""
    if then is None:
        return replace(content, meta={**content.meta, "since": None})
    since = {"name": name, "as_of": then.status["as_of"], "actuals": {r["id"]: r["actual"] for r in then.targets},
             "headline": then.meta.get("headline")}
    return replace(content, meta={**content.meta, "since": since})


def with_texts(content: ReportContent, texts: dict[str, str]) -> ReportContent:
    """``content`` with the office's comments and edited drafts (``remarks.load_texts``)."""
    return replace(content, meta={**content.meta, "texts": dict(texts)})


def _minus(now: Any, then: Any) -> Any:
    if now is None:
        return None
    return now - (then or 0)


def in_month(record: dict[str, Any], content: ReportContent) -> Any:
    """A target's result in the as-of month (the actual now minus at the previous month's end);
    None for a percentage (a rate is not added month by month) or when the report has no month data."""
    month = content.meta.get("month")
    if month is None or record.get("format") == "percent":
        return None
    return _minus(record["actual"], month["actuals"].get(record["id"]))


def change(record: dict[str, Any], content: ReportContent) -> Any:
    """A target's change since the compared snapshot; None without one."""
    since = content.meta.get("since")
    if not since or record["id"] not in since["actuals"]:
        return None
    return _minus(record["actual"], since["actuals"][record["id"]])


def arrow(delta: Any, form: str, lang: str) -> str:
    """"▲ 3", "▼ 2,5%", "= 0" ("" when unknown): a change with its direction."""
    if delta is None:
        return ""
    mark = "▲" if delta > 0 else "▼" if delta < 0 else "="
    return f"{mark} {fmt.target_value(abs(delta), form, lang, short=True)}"


def label(record: dict[str, Any], lang: str) -> str:
    names = record.get("label") or {}
    return pick((names.get("vi", record["id"]), names.get("en", names.get("vi", record["id"]))), lang)


def reason_texts(record: dict[str, Any], content: ReportContent, lang: str) -> list[str]:
    """The reasons against a target: its excused months, then the notes units wrote (with the month)."""
    out = []
    excused = record.get("excused")
    if excused:
        out.append(t("excused", lang, months=fmt.month_list(excused["months"]),
                     reason=excused["reason"].get(lang) or excused["reason"].get("vi", "")))
    for note in (content.meta.get("reasons") or {}).get(record["id"], []):
        out.append(t("reason_note", lang, month=fmt.month(note["date"][:7], lang, in_sentence=True),
                     unit=content.unit_name(note["unit"]), text=note["text"]))
    return out


def comment(record: dict[str, Any], content: ReportContent) -> str:
    """The office's comment on a target ("" when none)."""
    return (content.meta.get("texts") or {}).get(f"comment:{record['id']}", "")


# ---------------------------------------------------------------------------------------------
# The drafted sections


def _names(records_: list[dict[str, Any]], lang: str) -> str:
    return "; ".join(f"“{label(r, lang)}”" for r in records_)


def units_in_full(content: ReportContent) -> list[str]:
    """Reporting units with every due report received on time or early (at least one due)."""
    by_unit: dict[str, list[str]] = {}
    for pair in content.tables.get("reporting_pairs") or []:
        if pair["state"] not in UNCOUNTED_STATES:
            by_unit.setdefault(pair["unit"], []).append(pair["state"])
    return [u for u, states in by_unit.items() if states and all(s in ("on_time", "early") for s in states)]


def missing_by_unit(content: ReportContent) -> dict[str, list[str]]:
    """Unit code -> months whose report is due and missing."""
    missing: dict[str, list[str]] = {}
    for pair in content.tables.get("reporting_pairs") or []:
        if pair["state"] == "missing":
            missing.setdefault(pair["unit"], []).append(pair["period"])
    return missing


def _assessment(content: ReportContent, lang: str) -> str:
    ahead = [r for r in content.targets if r["status"] in AHEAD]
    lagging = [r for r in content.targets if r["status"] in LAGGING]
    full = units_in_full(content)
    missing = missing_by_unit(content)
    waiting = (content.meta.get("unsupported") or {}).get("total", 0)
    lines = [t("draft_strengths", lang)]
    if ahead:
        lines.append("- " + t("draft_ahead", lang, n=len(ahead), names=_names(ahead, lang)))
    if full:
        lines.append("- " + t("draft_full_reporting", lang, units="; ".join(content.unit_name(u) for u in full)))
    lines.append(t("draft_limits", lang))
    if lagging:
        lines.append("- " + t("draft_lagging", lang, n=len(lagging), names="; ".join(
            f"“{label(r, lang)}” ({status_label(r['status'], lang).lower()})" for r in lagging)))
    if missing:
        lines.append("- " + t("draft_missing", lang, units=_missing_list(content, missing, lang)))
    if waiting:
        lines.append("- " + t("draft_waiting", lang, n=fmt.count(waiting, lang)))
    if len(lines) == 2 and not ahead and not full:
        lines.insert(1, "- " + t("draft_none", lang))
    lines.append(t("draft_causes", lang))
    causes = [f"- “{label(r, lang)}”: {'; '.join(reason_texts(r, content, lang))}."
              for r in content.targets if reason_texts(r, content, lang)]
    lines.extend(causes or ["- " + t("draft_no_causes", lang)])
    return "\n".join(lines)


def _missing_list(content: ReportContent, missing: dict[str, list[str]], lang: str) -> str:
    return "; ".join(f"{content.unit_name(u)} ({t('month_short', lang, months=fmt.month_list(ms))})"
                     for u, ms in missing.items())


def catch_up(record: dict[str, Any], content: ReportContent) -> tuple[Any, int] | None:
    """(what remains to reach the target, months left after the as-of month) for a lagging target
    with a number; None otherwise."""
    if record["target"] is None or record["status"] not in LAGGING or record.get("format") == "percent":
        return None
    remaining = record["target"] - (record["actual"] or 0)
    months_left = sum(1 for m in content.meta.get("months") or [] if month_end(m) > content.as_of)
    return (remaining, months_left) if remaining > 0 else None


def windows_ahead(content: ReportContent, months: int = 2) -> list[dict[str, Any]]:
    """Targets whose dated window (1/6, Trung thu, Tết…) opens within ``months`` months after the as-of date."""
    horizon = content.as_of + timedelta(days=31 * months)
    out = []
    for record in content.targets:
        window = record.get("window")
        if not window:
            continue
        opens = date.fromisoformat(str(window["from"]))
        if content.as_of < opens <= horizon:
            out.append({**record, "_from": opens, "_to": date.fromisoformat(str(window["to"]))})
    return out


def _per_month(remaining: float, months: int, form: str) -> float:
    """What is needed each month: whole things rounded up (4 in 3 months is 2 a month, not 1,33)."""
    return math.ceil(remaining / months) if form == "count" else remaining / months


def _next_steps(content: ReportContent, lang: str) -> str:
    lines = []
    for record in content.targets:
        gap = catch_up(record, content)
        if gap is None:
            continue
        remaining, left = gap
        form = record.get("format", "count")
        if left:
            lines.append("- " + t("draft_catch_up", lang, name=label(record, lang),
                                  remaining=fmt.target_value(remaining, form, lang), months=left,
                                  per_month=fmt.target_value(_per_month(remaining, left, form), form, lang)))
        else:
            lines.append("- " + t("draft_catch_up_last", lang, name=label(record, lang),
                                  remaining=fmt.target_value(remaining, form, lang)))
    for record in windows_ahead(content):
        lines.append("- " + t("draft_window", lang, name=label(record, lang), start=fmt.day(record["_from"]),
                              end=fmt.day(record["_to"])))
    missing = missing_by_unit(content)
    if missing:
        lines.append("- " + t("draft_chase", lang, units=_missing_list(content, missing, lang)))
    waiting = content.meta.get("unsupported") or {}
    if waiting.get("total"):
        units = "; ".join(f"{content.unit_name(r['unit'])}: {fmt.count(r['people'], lang) if r['people'] is not None else '–'}"
                          for r in waiting["by_unit"])
        districts = "; ".join(f"{fmt.code_label('districts', r['district'], lang)}: "
                              f"{fmt.count(r['people'], lang) if r['people'] is not None else '–'}"
                              for r in waiting["by_district"])
        lines.append("- " + t("draft_support", lang, n=fmt.count(waiting["total"], lang), units=units,
                              districts=districts))
    return "\n".join(lines or ["- " + t("draft_keep_on", lang)])


def draft(content: ReportContent, lang: str = "vi") -> dict[str, str]:
    """The drafted sections from the data: assessment, next_steps, proposals (the last left empty:
    the office writes its own proposals)."""
    return {"assessment": _assessment(content, lang), "next_steps": _next_steps(content, lang), "proposals": ""}


def sections(content: ReportContent, lang: str = "vi") -> dict[str, str]:
    """What the report prints for each drafted section: the office's edited text when it saved one,
    else the draft."""
    texts = content.meta.get("texts") or {}
    drafted = draft(content, lang)
    return {key: texts[key] if key in texts else drafted[key] for key in drafted}
