"""The dashboard's entry and router: page config, language, login, the registered pages, shared filters."""
import streamlit as st

from ytsupport.dashboard import app, login, state, t, widgets

st.set_page_config(page_title="Kế hoạch 114-KH/ĐTN", page_icon="📊", layout="wide", initial_sidebar_state="expanded")
lang = state.current_language()
pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path=app.DEFAULT_PAGE,
            default=True),
    st.Page("pages/coverage.py", title=t("page_coverage", lang), icon=":material/map:", url_path="coverage"),
    st.Page("pages/visits.py", title=t("page_visits", lang), icon=":material/medical_services:", url_path="visits"),
    st.Page("pages/resources.py", title=t("page_resources", lang), icon=":material/volunteer_activism:",
            url_path="resources"),
    st.Page("pages/units.py", title=t("page_units", lang), icon=":material/groups:", url_path="units"),
    st.Page("pages/meeting.py", title=t("page_meeting", lang), icon=":material/event_note:", url_path="meeting"),
    st.Page("pages/present.py", title=t("page_present", lang), icon=":material/slideshow:", url_path="present"),
]
EDITOR_PAGES = [st.Page("pages/upload.py", title=t("page_upload", lang), icon=":material/upload_file:", url_path="upload")]
ADMIN_PAGES = [
    st.Page("pages/people.py", title=t("page_people", lang), icon=":material/badge:", url_path="people"),
    st.Page("pages/audit.py", title=t("page_audit", lang), icon=":material/history:", url_path="audit"),
    st.Page("pages/plans.py", title=t("page_plans", lang), icon=":material/edit_calendar:", url_path="plans"),
]
app.open_default_page_by_name(app.DEFAULT_PAGE)
app.leave_pages_folder_mode(pages + EDITOR_PAGES + ADMIN_PAGES, hidden=login.logins_configured())
lang = state.language()
user = login.login_gate(lang, pages + EDITOR_PAGES + ADMIN_PAGES)
pages += EDITOR_PAGES if login.can(user.role, "upload") else []
pages += ADMIN_PAGES if login.can(user.role, "personal_data") else []
page = st.navigation(pages)
widgets.style()
if page.url_path not in ("upload", "people", "audit", "meeting", "present", "plans"):  # these read files or the log, not filters
    state.sidebar_filters(lang)
login.note_page(page.url_path)
app.run_page(page)
