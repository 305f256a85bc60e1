"""The dashboard's entry and router: page config, language, the registered pages, shared filters."""
import streamlit as st

from ytsupport import ui
from ytsupport.i18n import t

st.set_page_config(page_title="Kế hoạch 114-KH/ĐTN", page_icon="📊", layout="wide", initial_sidebar_state="expanded")
lang = ui.current_language()
pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overview",
            default=True),
    st.Page("pages/coverage.py", title=t("page_coverage", lang), icon=":material/map:", url_path="coverage"),
    st.Page("pages/visits.py", title=t("page_visits", lang), icon=":material/medical_services:", url_path="visits"),
    st.Page("pages/resources.py", title=t("page_resources", lang), icon=":material/volunteer_activism:",
            url_path="resources"),
    st.Page("pages/units.py", title=t("page_units", lang), icon=":material/groups:", url_path="units"),
    st.Page("pages/check_files.py", title=t("page_check", lang), icon=":material/fact_check:", url_path="check"),
]
ui.leave_pages_folder_mode(pages)
lang = ui.language()
page = st.navigation(pages)
ui.style()
if page.url_path != "check":  # the check page reads files, not the store: no filters there
    ui.sidebar_filters(lang)
ui.run_page(page)
