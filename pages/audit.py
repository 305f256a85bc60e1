"""Nhật ký / Audit log (admin only): who uploaded, replaced, reverted, exported and logged in, and when."""
import streamlit as st

from ytsupport.dashboard import app, login, state, t

app.page_guard()
lang = state.current_language()
login.require("audit", lang)
login.audit_visit("audit_opened")
st.title(t("page_audit", lang))
entries = login.audit_log(limit=2000)
if not entries:
    st.info(t("audit_empty", lang))
else:
    actions = sorted({e["action"] for e in entries})
    chosen = st.multiselect(t("audit_filter", lang), actions, default=actions)
    st.dataframe(login.audit_frame(entries, lang, chosen), hide_index=True, width="stretch")
