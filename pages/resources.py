"""Nguồn lực / Resources: value mobilised by item, donor type, unit and month; top donors; in-kind."""
import streamlit as st

from ytsupport.dashboard import app, charts, fmt, state, t, widgets

app.page_guard()
lang = state.current_language()
m = state.resources_model(lang)
widgets.header(t("resources_title", lang), lang, m)
if not m.has_data:
    st.info(t("no_resources", lang))
    st.stop()

cols = st.columns(3)
cols[0].metric(t("total_value", lang), fmt.money(m.total_vnd, lang), border=True)
cols[1].metric(t("entries", lang), fmt.number(m.entries, lang), border=True)
cols[2].metric(t("donors", lang), fmt.number(m.donors, lang), border=True)

st.subheader(t("in_kind", lang))
kinds = m.in_kind
for start in range(0, len(kinds), 4):
    for col, item in zip(st.columns(4), kinds[start:start + 4]):
        col.metric(item.label, f"{fmt.number(item.quantity, lang, 1)} {widgets.plain(item.unit_of_measure)}".strip(),
                   border=True)

widgets.shared_chart("resources/by_month", lambda: charts.cumulative_by_month(
    m.by_month, lang, names={"monthly": t("monthly", lang), "axis": t("million_vnd", lang),
                             "cumulative": t("cumulative", lang)}, title=t("cumulative_title", lang)))
a, b = st.columns(2)
with a:
    widgets.shared_chart("resources/by_item", lambda: charts.hbar(m.by_item, "label", "value_vnd", lang, money=True,
                                                                  title=t("by_item", lang)))
    widgets.shared_chart("resources/by_donor_type", lambda: charts.hbar(
        m.by_donor_type, "label", "value_vnd", lang, money=True, title=t("by_donor_type", lang),
        colour=charts.OKABE_ITO["orange"]))
with b:
    widgets.shared_chart("resources/by_unit", lambda: charts.hbar(m.by_unit, "label", "value_vnd", lang, money=True,
                                                                  title=t("by_unit", lang), colour=charts.OKABE_ITO["green"]))

st.subheader(t("top_donors", lang))
donors = m.top_donors
st.dataframe(donors, hide_index=True, width="stretch", column_order=["donor", "donor_type_label", "entries", "value_vnd"],
             column_config={"donor": t("donor", lang), "donor_type_label": t("donor_type", lang),
                            "entries": st.column_config.NumberColumn(t("entries", lang)),
                            "value_vnd": st.column_config.ProgressColumn(
                                t("value_vnd", lang), format="localized", min_value=0,
                                max_value=m.top_donor_value or 1)})
