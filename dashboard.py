"""The dashboard's entry and router: page config, language, then the registered pages."""
import streamlit as st

from ytsupport import ui
from ytsupport.i18n import t

st.set_page_config(page_title="Kế hoạch 114-KH/ĐTN", page_icon="📊", layout="wide")
lang = ui.language()

pages = [
    st.Page("pages/check_files.py", title=t("page_check", lang), icon="🔎", url_path="check", default=True),
]
st.navigation(pages).run()
