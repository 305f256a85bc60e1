"""Kế hoạch / Plans (admin only): copy a plan to another year, edit it with each mistake shown at
its field, preview its status on the current data, and save it as a new version (audited)."""
import streamlit as st

from ytsupport.dashboard import app, login, plan_editor as editor, state, t

app.page_guard()
lang = state.current_language()
login.require("plan", lang)
st.title(t("page_plans", lang))

sources = editor.source_files()
cols = st.columns([2, 1, 1, 1])
source = cols[0].selectbox(t("pe_source", lang), list(sources), key="plans_source")
year = int(cols[1].number_input(t("pe_year", lang), min_value=2000, max_value=2100, value=2022, key="plans_year"))
if cols[2].button(t("pe_copy", lang), key="plans_copy"):
    editor.start_draft(sources[source], year)
if cols[3].button(t("pe_edit", lang), key="plans_edit"):
    editor.start_draft(sources[source], None)

draft = st.session_state.get(editor.DRAFT)
if draft is not None:
    plan_id = st.text_input(t("pe_plan_id", lang), st.session_state[editor.DRAFT_ID], key="pe_id")
    wrong = False
    if not editor.valid_id(plan_id):
        st.error(t("pe_err_id", lang))
        wrong = True
    st.subheader(t("pe_period", lang))
    wrong |= editor.period_fields(draft, lang)
    st.subheader(t("pe_targets", lang))
    wrong |= editor.target_fields(draft, lang)
    st.subheader(t("pe_adjustments", lang))
    editor.adjustment_fields(draft, lang)
    problems = [] if wrong else editor.check_draft(draft)
    for problem in problems:
        st.error(problem)
    ready = not wrong and not problems
    cols = st.columns(2)
    if cols[0].button(t("pe_preview", lang), disabled=not ready, key="plans_preview"):
        st.dataframe(editor.preview(draft, lang), hide_index=True, width="stretch")
    if cols[1].button(t("pe_save", lang), disabled=not ready, type="primary", key="plans_save"):
        version = editor.save(draft, plan_id, lang)
        if version is not None:
            st.success(t("pe_saved", lang, plan=plan_id, version=version))

st.subheader(t("pe_versions", lang))
table = editor.versions_table(lang)
if len(table):
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.info(t("pe_no_versions", lang))
