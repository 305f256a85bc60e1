"""Đơn vị & báo cáo / Units and reporting: the unit × month matrix, completeness and timeliness, a
reminder to paste, the pilot units' tasks, each unit's contribution, and the emulation scorecard."""
import streamlit as st

from ytsupport.dashboard import app, fmt, state, t, widgets

app.page_guard()
lang = state.current_language()
m = state.units_model(lang)
widgets.header(t("units_title", lang), lang, m)
rep = m.reporting

cols = st.columns(4)
cols[0].metric(t("h_reports", lang), f"{rep.received} / {rep.expected}", border=True)
cols[1].metric(t("completeness", lang), fmt.percent(rep.completeness, lang, 1), border=True)
cols[2].metric(t("timeliness", lang), fmt.percent(rep.timeliness, lang, 1), border=True)
cols[3].metric(t("state_missing", lang), fmt.number(m.state_counts[widgets.ReportState.MISSING], lang), border=True)

st.subheader(t("matrix_title", lang))
if m.has_units:
    widgets.legend(widgets.STATE_STYLE, "state_", lang)
    widgets.matrix_table(m.matrix_states, m.matrix, lang)
    st.caption(t("matrix_note", lang, days=state.plan(state.filters().plan_file).due_days))
else:
    st.info(t("no_reporting_units", lang))

st.subheader(t("reminder_title", lang))
if m.reminder:
    st.caption(t("reminder_help", lang))
    st.code(m.reminder, language=None, wrap_lines=True)
elif m.gaps.month:
    st.success(t("reminder_none", lang, month=fmt.month(m.gaps.month, lang, in_sentence=True)))
else:
    st.info(t("attention_no_due", lang))
if m.state_counts[widgets.ReportState.MISSING] > len(m.gaps.missing):
    st.warning(t("earlier_missing", lang, n=m.state_counts[widgets.ReportState.MISSING] - len(m.gaps.missing)))

st.subheader(t("pilots_title", lang))
for pilot in m.pilots:
    st.markdown(f"##### {pilot.name}")
    if pilot.tasks:
        widgets.scorecard(pilot.tasks, lang)
    else:
        st.caption(t("pilot_no_tasks", lang))

st.subheader(t("contribution_title", lang))
st.caption(t("contribution_note", lang))
frame = m.contribution
# Plain numbers, not bars: the adjustment row is negative and the total row the largest.
st.dataframe(frame, hide_index=True, width="stretch", height=38 + 35 * len(frame),
             column_order=["label", "activities", "people_served", "resources_value_vnd", "beneficiaries"],
             column_config={"label": t("unit", lang),
                            **{c: st.column_config.NumberColumn(t(key, lang), format="localized")
                               for c, key in (("activities", "activities"), ("people_served", "people_served"),
                                              ("resources_value_vnd", "resources_vnd"),
                                              ("beneficiaries", "beneficiaries"))}})

st.subheader(t("sec_emulation", lang))
if len(m.emulation):
    st.caption(t("emulation_page_note", lang))
    score = t("col_score", lang)
    st.dataframe(m.emulation, hide_index=True, width="stretch", height=38 + 35 * len(m.emulation),
                 column_config={c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="%.2f")
                                for c in m.emulation.columns[2:-1]}
                 | {score: st.column_config.NumberColumn(score, format="%.1f")})
else:
    st.info(t("emulation_none", lang))
