"""Đối tượng / Beneficiaries (admin only): the list with personal data, search, and an audited export."""
import streamlit as st

from ytsupport.dashboard import app, login, state, t

app.page_guard()
lang = state.current_language()
login.require("personal_data", lang)
login.audit_visit("people_opened")
st.title(t("page_people", lang))
st.warning(t("people_notice", lang))
query = st.text_input(t("people_search", lang), placeholder=t("people_search_hint", lang))
if query.strip() and st.session_state.get("_people_query") != query:
    login.audit("people_search", {"query": query[:200]})
st.session_state["_people_query"] = query
table = login.people_table(query, lang)
if table.empty:
    st.info(t("people_empty", lang))
else:
    st.caption(t("people_count", lang, n=len(table)))
    st.dataframe(table, hide_index=True, width="stretch")
    # made, checked (login, role, expiry, connection) and audited when the browser asks for the file
    export = login.download("personal_data", lambda: login.people_export(query, lang),
                            "export_people", {"rows": len(table), "query": query[:200]})
    st.download_button(t("people_export", lang), export, "doi_tuong.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
