"""Tổng quan / Overview: every target of the plan, the headline numbers, and what needs attention."""
import streamlit as st

from ytsupport.dashboard import app, fmt, state, t, widgets

app.page_guard()
lang = state.current_language()
m = state.overview_model(lang)
widgets.header(t("overview_title", lang, plan=m.plan), lang, m)
st.caption(m.title)
if not m.has_data:
    st.info(t("no_data", lang))

h = m.headline
cols = st.columns([1.2, 1.2, 1.45, 1])
cols[0].metric(t("h_people_served", lang), fmt.number(h.people_served, lang), border=True,
               help=m.supported_help)
if h.threshold_people is not None:  # the plan has a check-up chart target
    cols[1].metric(t("h_checkups", lang), fmt.number(h.threshold_people, lang), border=True)
cols[2].metric(t("h_resources", lang), fmt.money_short(h.resources_vnd, lang), border=True,
               help=fmt.money(h.resources_vnd, lang))
cols[3].metric(t("h_reports", lang), t("h_reports_value", lang, received=fmt.number(h.reports_received, lang),
                                       expected=fmt.number(h.reports_expected, lang)), border=True)

st.header(t("attention", lang))
left, right = st.columns(2)
with left:
    st.subheader(t("attention_targets", lang))
    if m.attention:
        widgets.bullet_list([f"{r.icon} {r.status_word}: {r.label} — "
                        + t("actual_vs_expected", lang, actual=r.actual_text, expected=r.expected_text or "–")
                        for r in m.attention])
    else:
        st.success(t("attention_none", lang))
with right:
    gaps = m.gaps
    if not gaps.month:
        st.subheader(t("h_reports", lang))
        st.info(t("attention_no_due", lang))
    else:
        st.subheader(t("attention_units", lang, month=fmt.month(gaps.month, lang, in_sentence=True),
                       due=fmt.day(gaps.due_on, lang)))
        if gaps.missing_names:
            widgets.bullet_list([f"✖ {t('units_missing', lang)}: {name}" for name in gaps.missing_names])
        if gaps.late_names:
            widgets.bullet_list([f"◷ {t('units_late', lang)}: {name}" for name in gaps.late_names])
        if not gaps.missing_names and not gaps.late_names:
            st.success(t("attention_all_in", lang))

st.header(t("scorecard", lang))
widgets.legend(widgets.STATUS_STYLE, "status_", lang)
widgets.scorecard(m.scorecard, lang)
