"""Đối tượng / Beneficiaries (admin only): the list with personal data, search, and an audited export."""
import streamlit as st

from ytsupport.dashboard import app, login, state
from ytsupport.i18n import t
from ytsupport.people import people_table, people_xlsx

app.page_guard()
lang = state.current_language()
login.require("personal_data", lang)
st.title(t("page_people", lang))
st.warning(t("people_notice", lang))
query = st.text_input(t("people_search", lang), placeholder=t("people_search_hint", lang))
table = people_table(state.frames()["beneficiaries"], query, lang)
if table.empty:
    st.info(t("people_empty", lang))
else:
    st.caption(t("people_count", lang, n=len(table)))
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(t("people_export", lang), lambda: people_xlsx(table), "doi_tuong.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click=login.audit, args=("export_people", {"rows": len(table), "query": query}))
