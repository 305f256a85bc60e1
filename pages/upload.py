"""Tải lên báo cáo / Upload reports: check several files, see what is wrong, store the valid ones."""
from datetime import date

import streamlit as st

from ytsupport.dashboard import app, login, state, t, upload
from ytsupport.dashboard.widgets import plain

app.page_guard()
lang = state.current_language()
units = upload.unit_choices()
months = upload.plan_months()

login.require("upload", lang)
st.title(t("page_upload", lang))
st.caption(t("upload_intro", lang))
left, right = st.columns([2, 1])
received_on = right.date_input(t("received_on", lang), value=date.today(), format="DD/MM/YYYY",
                               help=t("received_on_help", lang))
right.download_button(t("template_download", lang), upload.template_bytes(), "mau_bao_cao_thang.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.html(upload.uploader_css(lang))
files = left.file_uploader(t("uploader", lang), type=["xlsx", "xlsm", "xls", "ods", "csv"],
                           accept_multiple_files=True, help=t("uploader_help", lang, mb=upload.max_upload_mb()))


def identity_selects(uploaded, report) -> tuple[str | None, str | None]:
    """Selects for unit and month, shown when the file does not say them clearly (or one was chosen)."""
    unit_key, period_key = f"unit-{uploaded.file_id}", f"period-{uploaded.file_id}"
    codes = {i.code for i in report.issues}
    unit, period = st.session_state.get(unit_key), st.session_state.get(period_key)
    a, b = st.columns(2)
    if unit or codes & {"unit_missing", "unit_conflict", "unknown_unit"}:
        unit = a.selectbox(t("choose_unit", lang), [None, *units], key=unit_key,
                           format_func=lambda c: t("auto", lang) if c is None else units[c])
    if period or codes & {"period_missing", "period_conflict"}:
        period = b.selectbox(t("choose_period", lang), [None, *months], key=period_key,
                             format_func=lambda m: t("auto", lang) if m is None else m)
    return unit, period


def show_comparison(comparison) -> None:
    if comparison.identical:
        st.info(t("cmp_identical", lang, version=comparison.version))
    elif comparison.replaces:
        st.warning(t("cmp_replaces", lang, version=comparison.version))
        st.dataframe(upload.comparison_frame(comparison, lang), hide_index=True)


def show_file(uploaded) -> object:
    data = uploaded.getvalue()
    with st.spinner(t("checking", lang, name=plain(uploaded.name))):
        report = upload.checked(uploaded.file_id, uploaded.name, data, None, None)
    unit, period = identity_selects(uploaded, report)
    if unit or period:
        report = upload.checked(uploaded.file_id, uploaded.name, data, unit, period)
    a, b, c = st.columns(3)
    a.metric(t("status", lang), t(f"status_{report.status}", lang))
    b.metric(t("unit", lang), units.get(report.unit, "?") if report.unit else "?")
    c.metric(t("period", lang), report.period or "?")
    if report.sheets:
        st.dataframe(upload.sheets_frame(report, lang), hide_index=True)
    if report.status == "ok" and report.is_nil:
        st.caption(t("nil_report", lang))
    comparison = upload.compare_with_stored(report) if report.status == "ok" else None
    if comparison is not None:
        show_comparison(comparison)
    if not report.issues:
        st.success(t("no_issues", lang))
    else:
        levels = ["error", "warning", "info"]
        shown = st.multiselect(t("show_severity", lang), levels, default=levels[:2], key=f"sev-{uploaded.file_id}",
                               format_func=lambda level: t(f"sev_{level}", lang))
        st.dataframe(upload.issues_frame(report, lang, shown), hide_index=True, width="stretch")
    if any(i.severity in ("error", "warning") for i in report.issues) and report.status != "unreadable":
        # made when asked for, after checking the login (the copy holds the file's rows: personal data)
        st.download_button(t("download_marked", lang), upload.marked_copy_download(uploaded.name, data, report, lang),
                           upload.marked_name(uploaded.name, lang), key=f"mark-{uploaded.file_id}",
                           on_click="ignore", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.caption(t("marked_note", lang))
    if any(i.code == "legacy_encoding" for i in report.issues):
        unicode_copy_button(uploaded, data)
    return report, comparison


def unicode_copy_button(uploaded, data: bytes) -> None:
    """The file converted to Unicode (made once per upload), for a file with TCVN3/VNI text."""
    copy = upload.cached_unicode_copy(uploaded.file_id, uploaded.name, data)
    if copy is not None:
        name, content = copy
        st.download_button(t("download_unicode", lang), content, name, key=f"unicode-{uploaded.file_id}",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.caption(t("unicode_note", lang))


if not files:
    st.info(t("upload_empty", lang))

checked = []
progress = st.progress(0.0, text=t("checking_n", lang, n=len(files))) if files and len(files) > 1 else None
for n, uploaded in enumerate(files or [], start=1):
    with st.container(border=True):
        st.subheader(plain(uploaded.name), anchor=False)
        checked.append(show_file(uploaded))
    if progress:
        progress.progress(n / len(files), text=t("checked_n", lang, n=n, total=len(files)))

valid = [(r, c) for r, c in checked if r.status == "ok"]
if files:
    st.divider()
    st.subheader(t("store_heading", lang))
    refused = len(checked) - len(valid)
    if refused:
        st.error(t("refused_n", lang, n=refused))
    replacing = [r for r, c in valid if c is not None and c.replaces]
    confirmed = True
    if replacing:
        names = ", ".join(f"{units.get(r.unit, r.unit)} {r.period}" for r in replacing)
        confirmed = st.checkbox(t("confirm_replace", lang, names=names), key="confirm-replace")
    if st.button(t("store_button", lang, n=len(valid)), type="primary", disabled=not valid or not confirmed):
        login.require("upload", lang, "not_allowed_action")
        results = upload.store_checked([r for r, _ in valid], received_on, login.current_actor())
        state.data_changed()
        st.session_state["store_results"] = results
    if st.session_state.get("store_results"):
        st.success(t("stored_done", lang))
        st.dataframe(upload.results_frame(st.session_state["store_results"], lang), hide_index=True)

st.divider()
st.subheader(t("history_heading", lang))
h1, h2 = st.columns(2)
h_unit = h1.selectbox(t("unit", lang), [None, *units], key="hist-unit",
                      format_func=lambda c: t("all", lang) if c is None else units[c])
h_period = h2.selectbox(t("period", lang), [None, *months], key="hist-period",
                        format_func=lambda m: t("all", lang) if m is None else m)
versions = upload.history(unit=h_unit, period=h_period)
if not versions:
    st.info(t("history_empty", lang))
else:
    st.dataframe(upload.history_frame(versions, lang, units), hide_index=True, width="stretch")
    revertible = [v for v in versions if v["is_current"] and v["version"] > 1]
    if revertible:
        choice = st.selectbox(t("revert_pick", lang), revertible, key="revert-pick",
                              format_func=lambda v: f"{units.get(v['unit'], v['unit'])} — {v['period']} (v{v['version']})")

        @st.dialog(t("revert_title", lang))
        def confirm_revert(version: dict) -> None:
            st.write(t("revert_confirm", lang, unit=units.get(version["unit"], version["unit"]),
                       period=version["period"], version=version["version"], previous=version["version"] - 1))
            if st.button(t("revert_button", lang), type="primary"):
                login.require("revert", lang, "not_allowed_action")  # a dialog's button reruns the dialog alone, not the login gate
                upload.revert(version["id"], actor=login.current_actor())
                state.data_changed()
                st.rerun()

        if st.button(t("revert_open", lang)):
            confirm_revert(choice)
