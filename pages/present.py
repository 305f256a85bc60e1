"""Trình chiếu / Presentation: every target of the plan and the headline numbers in large type, on one screen."""
from datetime import date
from html import escape

import streamlit as st

from ytsupport.dashboard import app, state, widgets
from ytsupport.i18n import t
from ytsupport import formatting as fmt
from ytsupport.report.labels import status_label
from ytsupport.settings import get_settings

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


def headline_html(content) -> str:
    head, rep = content.meta["headline"], content.meta["headline"]["reporting"]
    # the plan's `headline` targets (role declared in the plan file), each with its own label
    chosen = [(fmt.target_value(r["actual"], r.get("format", "count"), lang, short=True),
               r["label"].get(lang) or r["label"].get("vi", r["id"]))
              for r in content.targets if "headline" in (r.get("roles") or ())]
    numbers = [(f"{head['targets_met']}/{head['targets_total']}", t("targets_met", lang)),
               (f"{rep['received']}/{rep['expected']}", t("reports_received", lang)), *chosen,
               (fmt.money_short(head["resources_value_vnd"], lang), t("resources_total", lang)),
               (fmt.count(head["people_surveyed"], lang), t("people_surveyed", lang))]
    return "".join(f'<div class="pv-num"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in numbers)


def card_html(record: dict) -> str:
    form = record.get("format", "count")
    label = record["label"].get(lang) or record["label"].get("vi", record["id"])
    value = fmt.target_value(record["actual"], form, lang, short=True)
    goal = ("" if record["target"] is None
            else f"<small> / {escape(fmt.target_value(record['target'], form, lang))}</small>")
    share = "" if record["attainment"] is None else f" · {fmt.percent(record['attainment'], lang)}"
    colour = widgets.STATUS_STYLE[record["status"]][1]
    return (f'<div class="pv-card" style="--c:{colour}"><div class="pv-label">{escape(label)}</div>'
            f'<div class="pv-value">{escape(value)}{goal}</div>'
            f'<span class="pv-status">{escape(status_label(record["status"], lang))}{escape(share)}</span></div>')


plan_file = get_settings().plan_file
plan = state.plan(plan_file)
as_of = plan.clip(_as_of_param() or state.chosen_as_of(plan_file))
content = state.report_content(as_of)
st.html(CSS)
st.html(f'<p class="pv-title">{escape(t("present_title", lang, plan=content.meta["plan"]))}</p>'
        f'<div class="pv-sub">{escape(t("as_of", lang))} {escape(fmt.day(content.as_of))}</div>'
        f'<div class="pv-head">{headline_html(content)}</div>'
        f'<div class="pv-grid">{"".join(card_html(r) for r in content.targets)}</div>')
