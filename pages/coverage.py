"""Bao phủ / Coverage: surveyed and supported people by district (map and bars), category, sex, age."""
import streamlit as st

from ytsupport.dashboard import app, charts, fmt, state, t, widgets

app.page_guard()
lang = state.current_language()
m = state.coverage_model(lang)
widgets.header(t("coverage_title", lang), lang, m)
st.caption(t("coverage_intro", lang))
if not m.has_data:
    st.info(t("no_beneficiaries", lang))
    st.stop()

cols = st.columns(4)
cols[0].metric(t("surveyed", lang), fmt.number(m.people, lang), border=True)
cols[1].metric(t("supported", lang), fmt.number(m.supported, lang),
               delta=fmt.percent(m.supported_share, lang), delta_color="off", delta_arrow="off", border=True)
cols[2].metric(t("with_bhyt", lang), fmt.number(m.with_bhyt, lang),
               delta=fmt.percent(m.bhyt_share, lang), delta_color="off", delta_arrow="off", border=True)
cols[3].metric(t("districts_reached", lang), f"{m.districts_reached} / {m.districts_total}", border=True)

if not m.breakdown:
    st.info(t("too_few_to_break_down", lang, n=m.suppress_below))
    st.stop()

measures = {"surveyed": t("surveyed", lang), "supported": t("supported", lang), "with_bhyt": t("with_bhyt", lang)}
left, right = st.columns([3, 2], gap="large")
with left:
    measure = st.segmented_control(t("map_measure", lang), list(measures), default="surveyed",
                                   format_func=measures.get, key="map_measure") or "surveyed"
    areas = state.boundaries()
    widgets.shared_chart(f"coverage/map/{measure}/{hash(areas)}", lambda: charts.district_map(
        m.by_district, measure, lang, areas=areas, title=t(f"map_title_{measure}", lang),
        sum_note=t("map_sum_note", lang)))
    st.caption(t("map_attribution", lang) if areas else t("map_tiles_note", lang))
    widgets.shared_chart("coverage/by_district", lambda: charts.grouped_hbar(
        m.by_district, "label", [("surveyed", t("surveyed", lang)), ("supported", t("supported", lang))],
        lang, title=t("by_district", lang)))
    st.caption(t("suppressed_note", lang, n=m.suppress_below))
with right:
    widgets.shared_chart("coverage/steps", lambda: charts.steps(m.steps, lang, title=t("steps_title", lang)))
    widgets.shared_chart("coverage/by_sex", lambda: charts.hbar(m.by_sex, "label", "people", lang, title=t("by_sex", lang),
                                                                colour=charts.OKABE_ITO["orange"]))
    widgets.shared_chart("coverage/by_age", lambda: charts.hbar(m.by_age, "label", "people", lang, title=t("by_age", lang),
                                                                colour=charts.OKABE_ITO["green"], sort=False))
    widgets.shared_chart("coverage/by_category", lambda: charts.hbar(
        m.by_category, "label", "people", lang, title=t("by_category", lang), colour=charts.OKABE_ITO["purple"]))
    st.caption(t("by_category_note", lang))
