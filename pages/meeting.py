"""Họp giao ban / Meeting: freeze the figures under a name, compare now with a snapshot, write the office's
comments and edit the drafted assessment and next steps (editors, admins), download the report."""
from datetime import date

import streamlit as st

from ytsupport.dashboard import app, fmt, login, meeting, state, t, widgets

app.page_guard()
lang = state.current_language()
actor = login.current_actor()


@st.cache_data(show_spinner=False, max_entries=32)
def _compare(url: str, version: int, snapshot_id: int, as_of: date) -> dict:
    return meeting.compare(state.engine(), snapshot_id, now=state.report_content(as_of))


url, version = state.store_state()
engine = state.engine()
st.title(t("meeting_title", lang))
st.caption(t("meeting_intro", lang))

plan_file = state.selected_plan_file()
plan = state.plan(plan_file)
as_of = st.date_input(t("as_of", lang), value=state.chosen_as_of(plan_file), min_value=plan.start, max_value=plan.end,
                      format="DD/MM/YYYY", key="meeting_as_of")
content = state.report_content(as_of)
if not content.meta["known_versions"]:
    st.info(t("meeting_no_data", lang))

# --- Freeze the figures (editors and admins; checked again when the button is pressed)
st.header(t("snapshot_section", lang))
if login.allowed_now("snapshot"):
    with st.form("snapshot_form", clear_on_submit=False, border=True):
        name = st.text_input(t("snapshot_name", lang), value=t("snapshot_default_name", lang, day=fmt.day(fmt.today())),
                             max_chars=meeting.MAX_NAME)
        if st.form_submit_button(t("snapshot_button", lang), type="primary", icon=":material/push_pin:"):
            login.require("snapshot", lang, "not_allowed_action")
            try:
                snap = meeting.create_snapshot(engine, name, as_of, created_by=login.current_actor(), content=content)
                st.success(t("snapshot_created", lang, name=widgets.plain(snap.name), day=fmt.day(snap.as_of)))
            except meeting.SnapshotError as exc:
                keys = {"name_taken": "snapshot_exists", "name_empty": "snapshot_name_empty",
                        "name_too_long": "snapshot_name_too_long", "too_many": "snapshot_too_many"}
                key = keys.get(exc.code, keys["too_many"])
                st.error(t(key, lang, name=widgets.plain(name.strip()), n=meeting.MAX_NAME if exc.code == "name_too_long" else meeting.MAX_SNAPSHOTS))
else:
    st.caption(t("snapshot_viewer_note", lang))

snapshots = meeting.list_snapshots(engine)
st.subheader(t("snapshot_list", lang))
if snapshots:
    st.dataframe(([{t("snapshot_name", lang): s.name, t("as_of", lang): fmt.day(s.as_of),
                                t("snapshot_created_at", lang): fmt.stamp(s.created_at),
                                t("snapshot_created_by", lang): s.created_by} for s in snapshots]),
                 hide_index=True, width="stretch")
else:
    st.caption(t("snapshot_none", lang))

# --- Compare now with a snapshot
if snapshots:
    st.header(t("compare_section", lang))
    by_id = {s.id: s for s in snapshots}
    chosen = st.selectbox(t("compare_pick", lang), list(by_id), key="compare_pick",
                          format_func=lambda i: f"{widgets.plain(by_id[i].name)} ({fmt.day(by_id[i].as_of)})")
    result = _compare(url, version, chosen, as_of)
    st.subheader(t("targets_changed", lang))
    if result["targets"]:
        st.dataframe(([{
            t("col_target_label", lang): r["label"].get(lang) or r["label"].get("vi", r["id"]),
            f"{t('col_status', lang)} ({t('before', lang).lower()})": meeting.status_label(r["status_then"] or "", lang),
            f"{t('col_status', lang)} ({t('now', lang).lower()})": meeting.status_label(r["status_now"], lang),
            t("before", lang): fmt.target_value(r["actual_then"], r["format"], lang, short=True),
            t("now", lang): fmt.target_value(r["actual_now"], r["format"], lang, short=True),
        } for r in result["targets"]]), hide_index=True, width="stretch")
    else:
        st.caption(t("targets_unchanged", lang))
    st.subheader(t("received_between", lang, then=fmt.day(result["as_of_then"]), now=fmt.day(result["as_of_now"])))
    if result["received_since"]:
        st.dataframe(([{
            t("col_unit", lang): r["unit_name"], t("col_month", lang): fmt.month_number(r["period"]),
            t("report_kind", lang): t("correction" if r["correction"] else "first_version", lang),
            t("received_on_short", lang): fmt.day(r["received_on"]), t("due_on", lang): fmt.day(r["due_on"]),
            t("late_flag", lang): "⚠ " + t("late_flag", lang) if r["late"] else "",
            t("uploaded_at", lang): fmt.stamp(r["uploaded_at"]),
        } for r in result["received_since"]]), hide_index=True, width="stretch")
    else:
        st.caption(t("received_none", lang))
    st.subheader(t("newly_missing", lang))
    if result["newly_missing"]:
        st.dataframe(([{t("col_unit", lang): u["unit_name"], t("months", lang): fmt.month_list(u["months"]),
                                    t("col_status", lang): meeting.state_label("missing", lang)}
                                   for u in result["newly_missing"]]), hide_index=True, width="stretch")
    else:
        st.caption(t("newly_missing_none", lang))

# --- The report: which figures, compared with which snapshot, the office's comments and drafts
st.header(t("downloads", lang))
sources = [None, *[s.id for s in snapshots]]
names = {s.id: s.name for s in snapshots}
source = st.radio(t("source", lang), sources, horizontal=True, key="report_source",
                  format_func=lambda i: t("source_now", lang) if i is None
                  else t("source_snapshot", lang, name=widgets.plain(names[i])))
since_options = [meeting.LATEST, *[s.id for s in snapshots if s.id != source], None]
since = st.selectbox(t("since_pick", lang), since_options, key="report_since",
                     format_func=lambda i: t("since_latest", lang) if i == meeting.LATEST
                     else t("since_nothing", lang) if i is None else widgets.plain(names[i]))
base = content if source is None else meeting.get_snapshot(engine, source).content
since_key = since if since in (meeting.LATEST, None) else f"#{since}"
report = meeting.prepared(engine, base, snapshot_id=source, since=since_key)
scope = meeting.scope_of(report.as_of, source)
editable = login.allowed_now("comment")

st.subheader(t("texts_section", lang))
st.caption(t("texts_intro" if editable else "texts_read_only", lang))
printed = meeting.sections(report, lang)
with st.form(f"texts_{scope}", border=True):
    comments = {}
    with st.expander(t("comments_title", lang), expanded=True):
        for record in report.targets:
            comments[record["id"]] = st.text_area(
                meeting.label(record, lang), value=meeting.comment(record, report), key=f"comment_{scope}_{record['id']}",
                height=68, max_chars=meeting.MAX_TEXT, disabled=not editable,
                help="; ".join(meeting.reason_texts(record, report, lang)) or None)
    drafts = {key: st.text_area(t(f"sec_{key}", lang), value=printed[key], key=f"draft_{scope}_{key}",
                                height=260 if key != "proposals" else 120, max_chars=meeting.MAX_TEXT, disabled=not editable)
              for key in meeting.SECTIONS}
    if st.form_submit_button(t("texts_save", lang), type="primary", disabled=not editable, icon=":material/save:"):
        login.require("comment", lang, "not_allowed_action")  # checked when the button runs, not when drawn
        saved = sum(meeting.save_text(engine, scope, meeting.comment_key(i), text, actor) for i, text in comments.items())
        saved += sum(meeting.save_text(engine, scope, key, text, actor) for key, text in drafts.items()
                     if text.strip() != printed[key].strip())
        st.success(t("texts_saved", lang, n=saved))

stem = f"bao-cao-114-{as_of.isoformat()}" if source is None else f"bao-cao-114-chot-{source}"
columns = st.columns(len(meeting.FORMATS))
for column, kind in zip(columns, meeting.FORMATS):
    def produce(kind: str = kind, source: int | None = source) -> bytes:
        return meeting.report_bytes(engine, kind, as_of=as_of, snapshot=None if source is None else f"#{source}",
                            lang=lang, actor=actor, file_name=f"{stem}.{kind}",
                            content=content if source is None else None,
                            since=since_key)

    # checked (login, expiry, connection) and made when the browser asks; report_bytes audits the export
    column.download_button(t(f"download_{kind}", lang), data=login.download("report", produce), file_name=f"{stem}.{kind}", mime=meeting.FORMATS[kind],
                           key=f"download_{kind}", icon=":material/download:", on_click="ignore", width="stretch")
