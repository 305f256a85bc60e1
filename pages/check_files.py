"""Kiểm tra tệp báo cáo / Check report files: upload workbooks and see what is wrong, row by row."""
import pandas as pd
import streamlit as st

from ytsupport import ui
from ytsupport.i18n import t
from ytsupport.vocab import reference

lang = ui.current_language()
st.title(t("page_check", lang))
st.caption(t("check_intro", lang))

units = {u.code: u.name_vi for u in reference().units.units()}
col1, col2 = st.columns(2)
unit = col1.selectbox(t("override_unit", lang), [None, *units], format_func=lambda c: t("auto", lang) if c is None else units[c])
months = [f"2021-{m:02d}" for m in range(1, 13)]
period = col2.selectbox(t("override_period", lang), [None, *months], format_func=lambda m: t("auto", lang) if m is None else m)

files = st.file_uploader(t("uploader", lang), type=["xlsx", "xlsm", "xls", "ods", "csv"], accept_multiple_files=True)
if not files:
    st.info(t("empty_state", lang))

for upload in files or []:
    with st.spinner(t("checking", lang, name=upload.name)):
        report = ui.check_uploaded(upload.name, upload.getvalue(), unit, period)
    with st.container(border=True):
        st.subheader(upload.name)
        a, b, c = st.columns(3)
        a.metric(t("status", lang), t(f"status_{report.status}", lang))
        b.metric(t("unit", lang), units.get(report.unit, "?") if report.unit else "?")
        c.metric(t("period", lang), report.period or "?")
        if report.sheets:
            st.dataframe(pd.DataFrame([{t("sheet", lang): s.name, t("kind", lang): t(f"kind_{s.kind}", lang),
                                        t("rows_read", lang): s.rows_read, t("rows_valid", lang): s.rows_valid}
                                       for s in report.sheets]), hide_index=True)
        if report.status == "ok" and report.is_nil:
            st.caption(t("nil_report", lang))
        table = ui.issues_frame(report, lang)
        if table.empty:
            st.success(t("no_issues", lang))
            continue
        levels = [t("sev_error", lang), t("sev_warning", lang), t("sev_info", lang)]
        shown = st.multiselect(t("show_severity", lang), levels, default=levels[:2], key=f"sev-{upload.file_id}")
        st.dataframe(table[table[t("severity", lang)].isin(shown)], hide_index=True, use_container_width=True)
