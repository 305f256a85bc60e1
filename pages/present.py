"""Trình chiếu / Presentation: screen 1, the targets and the headline numbers in large type, with the month's
result, the change since the last snapshot and the office's comments; screen 2 (one button, or PageDown on
a presenter's clicker), next month's tasks and the units missing reports."""
from datetime import date
from html import escape

import streamlit as st

from ytsupport.dashboard import app, fmt, meeting, state, t, widgets

app.page_guard()
lang = state.current_language()


CSS = """
<style>
.pv-title { font-size: 2.3rem; font-weight: 700; margin: 0; line-height: 1.2; }
.pv-sub { font-size: 1.3rem; opacity: .8; margin-bottom: .6rem; }
.pv-head { display: grid; grid-template-columns: repeat(5, 1fr); gap: .8rem; margin-bottom: .9rem; }
.pv-num { border-radius: .6rem; background: rgba(128,128,128,.12); padding: .5rem .9rem; }
.pv-num b { display: block; font-size: 2.4rem; line-height: 1.1; white-space: nowrap; }
.pv-num span { font-size: 1.15rem; }
.pv-grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: .7rem; }
.pv-card { border-radius: .6rem; border-left: 12px solid var(--c); background: rgba(128,128,128,.08);
           padding: .5rem .8rem; }
.pv-label { font-size: 1.12rem; line-height: 1.25; min-height: 2.8rem; }
.pv-value { font-size: 2.3rem; font-weight: 700; line-height: 1.15; }
.pv-value small { font-size: 1.3rem; font-weight: 400; }
@media (max-width: 1100px) { .pv-grid { grid-template-columns: repeat(3, 1fr); }
                             .pv-head { grid-template-columns: repeat(3, 1fr); } }
.pv-delta { font-size: 1.05rem; opacity: .85; margin-top: .2rem; }
.pv-note { font-size: 1.0rem; font-style: italic; margin-top: .25rem; line-height: 1.25; }
.pv-steps { font-size: 1.55rem; line-height: 1.45; }
.pv-steps li { margin-bottom: .45rem; }
.pv-h2 { font-size: 1.8rem; font-weight: 700; margin: .6rem 0 .3rem 0; }
.pv-missing { font-size: 1.5rem; border-collapse: collapse; }
.pv-missing td { padding: .2rem 1.2rem .2rem 0; border-bottom: 1px solid rgba(128,128,128,.3); }
.pv-status { display: inline-block; font-size: 1.1rem; font-weight: 700; color: #fff; background: var(--c);
             border-radius: 1rem; padding: 0 .7rem; }
</style>
"""


def _as_of_param() -> date | None:
    """?as_of=YYYY-MM-DD in the URL (the overview's as-of), if valid."""
    try:
        return date.fromisoformat(st.query_params.get("as_of", ""))
    except ValueError:
        return None


def _since_text(now: float | None, then: float | None, form: str) -> str:
    if then is None or now is None:
        return ""
    return f'<div class="pv-delta">{escape(meeting.arrow(now - then, form, lang))} {escape(t("present_since", lang))}</div>'


def headline_html(content) -> str:
    head, rep = content.meta["headline"], content.meta["headline"]["reporting"]
    since = content.meta.get("since") or {}
    then = since.get("headline") or {}
    # the plan's `headline` targets (role declared in the plan file), each with its own label
    chosen = [(fmt.target_value(r["actual"], r.get("format", "count"), lang, short=True),
               r["label"].get(lang) or r["label"].get("vi", r["id"]),
               _since_text(r["actual"], (since.get("actuals") or {}).get(r["id"]), r.get("format", "count")))
              for r in content.targets if "headline" in (r.get("roles") or ())]
    numbers = [(f"{head['targets_met']}/{head['targets_total']}", t("targets_met", lang),
                _since_text(head["targets_met"], then.get("targets_met"), "count")),
               (f"{rep['received']}/{rep['expected']}", t("reports_received", lang),
                _since_text(rep["received"], (then.get("reporting") or {}).get("received"), "count")), *chosen,
               (fmt.money_short(head["resources_value_vnd"], lang), t("resources_total", lang),
                _since_text(head["resources_value_vnd"], then.get("resources_value_vnd"), "vnd")),
               (fmt.count(head["people_surveyed"], lang), t("people_surveyed", lang),
                _since_text(head["people_surveyed"], then.get("people_surveyed"), "count"))]
    return "".join(f'<div class="pv-num"><b>{escape(v)}</b><span>{escape(k)}</span>{d}</div>' for v, k, d in numbers)


def card_html(record: dict, content) -> str:
    form = record.get("format", "count")
    label = record["label"].get(lang) or record["label"].get("vi", record["id"])
    value = fmt.target_value(record["actual"], form, lang, short=True)
    goal = ("" if record["target"] is None
            else f"<small> / {escape(fmt.target_value(record['target'], form, lang))}</small>")
    share = "" if record["attainment"] is None else f" · {fmt.percent(record['attainment'], lang)}"
    colour = widgets.STATUS_STYLE[record["status"]][1]
    month, since = meeting.in_month(record, content), meeting.arrow(meeting.change(record, content), form, lang)
    deltas = [part for part in (
        t("present_month", lang, value=fmt.target_value(month, form, lang, short=True)) if month is not None else "",
        f"{since} {t('present_since', lang)}" if since else "") if part]
    remark = meeting.comment(record, content)
    return (f'<div class="pv-card" style="--c:{colour}"><div class="pv-label">{escape(label)}</div>'
            f'<div class="pv-value">{escape(value)}{goal}</div>'
            f'<span class="pv-status">{escape(meeting.status_label(record["status"], lang))}{escape(share)}</span>'
            + (f'<div class="pv-delta">{escape(" · ".join(deltas))}</div>' if deltas else "")
            + (f'<div class="pv-note">{escape(remark)}</div>' if remark else "") + "</div>")


def tasks_html(content) -> str:
    """Screen 2: next month's tasks (as the office edited them) and the units missing reports."""
    steps = [line.strip()[2:] if line.strip().startswith(("- ", "+ ")) else line.strip()
             for line in meeting.sections(content, lang)["next_steps"].splitlines() if line.strip()]
    missing = meeting.missing_by_unit(content)
    rows = "".join(f"<tr><td>{escape(content.unit_name(u))}</td><td>{escape(fmt.month_list(ms))}</td></tr>"
                   for u, ms in missing.items())
    return (f'<div class="pv-h2">{escape(t("sec_next_steps", lang))}</div>'
            f'<ul class="pv-steps">{"".join(f"<li>{escape(s)}</li>" for s in steps)}</ul>'
            f'<div class="pv-h2">{escape(t("present_missing", lang))}</div>'
            + (f'<table class="pv-missing">{rows}</table>' if rows
               else f'<p class="pv-steps">{escape(t("reporting_all_in", lang))}</p>'))


plan_file = state.selected_plan_file()
plan = state.plan(plan_file)
as_of = plan.clip(_as_of_param() or state.chosen_as_of(plan_file))
content = meeting.prepared(state.engine(), state.report_content(as_of))
if "present_screen" not in st.session_state:
    st.session_state["present_screen"] = 2 if st.query_params.get("screen") == "2" else 1
first, second, _ = st.columns([1.2, 1.6, 2.2])
if first.button(t("present_screen_1", lang), key="present_1", shortcut="PageUp", icon=":material/grid_view:"):
    st.session_state["present_screen"] = 1
if second.button(t("present_screen_2", lang), key="present_2", shortcut="PageDown", icon=":material/checklist:"):
    st.session_state["present_screen"] = 2
st.html(CSS)
title = (f'<p class="pv-title">{escape(t("present_title", lang, plan=content.meta["plan"]))}</p>'
         f'<div class="pv-sub">{escape(t("as_of", lang))} {escape(fmt.day(content.as_of))}</div>')
if st.session_state["present_screen"] == 2:
    st.html(title + tasks_html(content))
else:
    st.html(title + f'<div class="pv-head">{headline_html(content)}</div>'
            f'<div class="pv-grid">{"".join(card_html(r, content) for r in content.targets)}</div>')
