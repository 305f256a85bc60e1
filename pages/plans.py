"""Kế hoạch / Plans (admin only): copy a plan to another year, edit the whole of it in tabs (period,
targets and their counting rules, reporting units, emulation, excused months) with each mistake
shown at its field, preview its status on the current data, and save it as a new version (audited)."""
import streamlit as st

from ytsupport.dashboard import app, login, plan_editor as editor, state, t

app.page_guard()
lang = state.current_language()
login.require("plan", lang)
st.title(t("page_plans", lang))
st.caption(t("pe_intro", lang))

sources = editor.source_files()
cols = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
source = cols[0].selectbox(t("pe_source", lang), list(sources), key="plans_source")
year = int(cols[1].number_input(t("pe_year", lang), min_value=2000, max_value=2100, value=2022, key="plans_year"))
if cols[2].button(t("pe_copy", lang), key="plans_copy"):
    editor.start_draft(sources[source], year)
if cols[3].button(t("pe_edit", lang), key="plans_edit"):
    editor.start_draft(sources[source], None)

draft = st.session_state.get(editor.DRAFT)
if draft is not None:
    slots = editor.Slots()
    plan_id = st.text_input(t("pe_plan_id", lang), st.session_state[editor.DRAFT_ID], key="pe_id",
                            help=t("pe_plan_id_help", lang))
    wrong = False
    if not editor.valid_id(plan_id):
        st.error(t("pe_err_id", lang))
        wrong = True
    slots.here("")
    tabs = st.tabs([t(title, lang) for title, _ in editor.TABS])
    with tabs[0]:
        wrong |= editor.period_fields(draft, lang, slots)
    with tabs[1]:
        wrong |= editor.target_fields(draft, lang, slots)
    with tabs[2]:
        editor.unit_fields(draft, lang, slots)
    with tabs[3]:
        editor.emulation_fields(draft, lang, slots)
    with tabs[4]:
        editor.adjustment_fields(draft, lang, slots)
    problems = [] if wrong else editor.check_draft(draft)
    slots.show(problems, lang)
    if wrong or problems:
        st.warning(t("pe_fix_first", lang, tabs=", ".join(editor.tabs_with_problems(problems, lang))
                     or t("pe_tab_fields", lang)))
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
