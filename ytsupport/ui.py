"""Shared Streamlit widgets and cache wrappers. The only module of the package that imports streamlit."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from .i18n import LANGS, t


def language() -> str:
    """The UI language: ?lang= in the URL, else the browser's locale, else Vietnamese; a sidebar switch."""
    current = st.query_params.get("lang")
    if current not in LANGS:
        locale = (getattr(st.context, "locale", None) or "vi").lower()
        current = "en" if locale.startswith("en") else "vi"
    choice = st.sidebar.radio(t("language", current), LANGS, index=LANGS.index(current), horizontal=True,
                              format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code], key="lang_switch")
    if st.query_params.get("lang") != choice:
        st.query_params["lang"] = choice
    return choice


def current_language() -> str:
    lang = st.query_params.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def check_uploaded(name: str, data: bytes, unit: str | None, period: str | None):
    """Validate an uploaded file with the same function as the command line (in the worker process)."""
    from .ingest.validate import validate_file

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ytsupport-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return validate_file(path, unit=unit, period=period, file_name=name)


def issues_frame(report, lang: str) -> pd.DataFrame:
    """The issues of a report as a table for display (no personal data: issues cite rows, not names)."""
    return pd.DataFrame([{
        t("severity", lang): t(f"sev_{i.severity}", lang), t("sheet", lang): i.sheet or "",
        t("row", lang): i.row, t("column", lang): i.column or "", t("message", lang): i.message(lang),
        t("code", lang): i.code} for i in report.issues])
