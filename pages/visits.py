"""Khám bệnh & thăm hỏi / Visits: check-ups at the Centre per month, monthly targets, activities by
month and type, and the dated events (Children's Day, Mid-Autumn)."""
import streamlit as st

from ytsupport.dashboard import app, charts, fmt, state, t, widgets

app.page_guard()
lang = state.current_language()
m = state.visits_model(lang)
widgets.header(t("visits_title", lang), lang, m)
if not m.has_data:
    st.info(t("no_activities", lang))
    st.stop()

month_names = {s: t(f"month_{s}", lang) for s in widgets.MONTH_STYLE}
checkup = m.checkup_strip
cols = st.columns(4)
if m.threshold is not None:  # the plan has a check-up chart target
    cols[0].metric(t("h_checkups", lang), fmt.number(m.threshold_people, lang), border=True)
if checkup:
    cols[1].metric(t("months_met_checkups", lang, threshold=fmt.number(m.threshold, lang)),
                   f"{checkup.actual} / {fmt.number(checkup.target, lang)}", border=True)
cols[2].metric(t("activities", lang), fmt.number(m.activities, lang), border=True)
cols[3].metric(t("h_people_served", lang), fmt.number(m.people_served, lang), border=True, help=m.supported_help)

if m.threshold is not None:
    widgets.shared_chart("visits/checkups", lambda: charts.checkups_by_month(
        m.checkups, m.threshold, lang, excused=m.excused, elapsed=m.elapsed,
        names={**month_names, "line": t("line", lang)}, title=t("checkups_title", lang)))
if m.excused:
    st.caption(t("excused_months", lang, months=", ".join(fmt.month(x, lang) for x in m.excused)))

widgets.legend(widgets.MONTH_STYLE, "month_", lang)
for strip in m.strips:
    st.markdown(f"**{strip.label}** — {t('months_met', lang).lower()}: "
                f"{strip.actual}" + ("" if strip.target is None else f" / {fmt.number(strip.target, lang)}"))
    widgets.shared_chart(f"visits/strip/{strip.id}", lambda: charts.month_strip(strip.months, lang, names=month_names),
                         key=f"strip-{strip.id}")

st.subheader(t("heatmap_title", lang))
widgets.shared_chart("visits/heatmap", lambda: charts.activity_heatmap(m.matrix, lang))

st.header(t("events_title", lang))
for event in m.events:
    with st.container(border=True):
        st.subheader(event.label)
        st.caption(t("event_window", lang, window=event.window) + " · " + t("event_count", lang, count=event.count))
        if event.count:
            st.dataframe(event.table, hide_index=True, width="stretch")
        else:
            st.warning(t("event_none", lang))
