"""The upload page's glue: checking a file in the reader worker, the session's checked files and
marked copies, and the tables the page shows (issues, sheets, the dry run, results, history)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from .. import formatting as fmt
from ..i18n import t
from ..settings import get_settings


def check_uploaded(name: str, data: bytes, unit: str | None, period: str | None):
    """Validate an uploaded file with the same function as the command line (in the worker process):
    the plan chosen in the sidebar first holds its month, as ``--plan`` does for ``ingest``."""
    from ..ingest.validate import validate_file
    from .state import selected_plan_file

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ytsupport-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return validate_file(path, unit=unit, period=period, file_name=name, units=known_units(),
                             plan_file=selected_plan_file())


def issues_frame(report, lang: str, severities: list[str] | None = None) -> pd.DataFrame:
    """The issues of a report as a table for display (no personal data: issues cite rows, not names),
    only those of ``severities`` ("error", "warning", "info") when given."""
    return pd.DataFrame([{
        t("severity", lang): t(f"sev_{i.severity}", lang), t("sheet", lang): i.sheet or "",
        t("row", lang): i.row, t("column", lang): i.column or "", t("message", lang): i.message(lang),
        t("code", lang): i.code} for i in report.issues if severities is None or i.severity in severities])


def max_upload_mb() -> int:
    return int(get_settings().limits.max_file_mb)


@st.cache_data(show_spinner=False)
def uploader_css(lang: str) -> str:
    """CSS that writes the file picker's own texts (Streamlit's "Upload" button and "50MB per file"
    line, in English only) in the user's language; the drop zone and its behaviour are unchanged."""
    button = t("uploader_button", lang)
    limit = t("uploader_limit", lang, mb=max_upload_mb())
    return (
        "<style>"
        '[data-testid="stFileUploaderDropzone"] button { font-size: 0; }'
        f'[data-testid="stFileUploaderDropzone"] button::after {{ content: "{button}"; font-size: 1rem; }}'
        '[data-testid="stFileUploaderDropzoneInstructions"] * { font-size: 0; }'
        f'[data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: "{limit}"; font-size: .875rem; }}'
        "</style>")


def template_bytes() -> bytes:
    """The blank report template (the ``template`` command's workbook)."""
    from ..template import write_template

    with tempfile.TemporaryDirectory(prefix="ytsupport-tpl-") as tmp:
        return write_template(Path(tmp) / "mau.xlsx").read_bytes()


def checked(file_id: str, name: str, data: bytes, unit: str | None, period: str | None):
    """The checked report of an uploaded file, kept per (file, unit, month) for the session."""
    cache = st.session_state.setdefault("_checked", {})
    key = (file_id, unit, period)
    if key not in cache:
        cache[key] = check_uploaded(name, data, unit, period)
    return cache[key]


def marked_copy_download(name: str, data: bytes, report, lang: str):
    """The download callable of an uploaded file's marked-up copy: made when the browser asks for
    it, for a session still allowed to upload, and audited (``download_marked``)."""
    from ..markup import marked_copy_of_upload
    from . import login

    return login.download("upload", lambda: marked_copy_of_upload(name, data, report, lang)[1], "download_marked",
                          {"file": name, "unit": report.unit, "period": report.period})


def sheets_frame(report, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{t("sheet", lang): s.name, t("kind", lang): t(f"kind_{s.kind}", lang),
                          t("rows_read", lang): s.rows_read, t("rows_valid", lang): s.rows_valid}
                         for s in report.sheets])


def comparison_frame(comparison, lang: str) -> pd.DataFrame:
    """Rows added / removed per sheet and the totals before -> after, for the dry run."""
    rows = [{t("cmp_what", lang): t(f"kind_{r['kind']}", lang) + " — " + t("cmp_rows", lang),
             t("cmp_before", lang): r["before"], t("cmp_after", lang): r["after"],
             t("cmp_change", lang): f"+{r['added']} / −{r['removed']}"} for r in comparison.rows if r["before"] or r["after"]]
    rows += [{t("cmp_what", lang): t(f"cmp_{x['measure']}", lang), t("cmp_before", lang): fmt.number(x["before"], lang),
              t("cmp_after", lang): fmt.number(x["after"], lang), t("cmp_change", lang): ""}
             for x in comparison.totals if x["before"] or x["after"]]
    return pd.DataFrame(rows)


def results_frame(results: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{t("file", lang): r["file"], t("status", lang): t(f"result_{r['status']}", lang),
                          t("unit", lang): r.get("unit") or "?", t("period", lang): r.get("period") or "?"}
                         for r in results])


def history_frame(versions: list[dict[str, Any]], lang: str, units: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{t("unit", lang): units.get(v["unit"], v["unit"]), t("period", lang): v["period"],
                          t("version", lang): v["version"], t("file", lang): v["file_name"],
                          t("received_on", lang): v["received_on"], t("uploaded_by", lang): v["uploaded_by"],
                          t("current", lang): "✓" if v["is_current"] else ""} for v in versions])


def cached_unicode_copy(file_id: str, name: str, data: bytes) -> tuple[str, bytes] | None:
    """The uploaded file with its TCVN3/VNI text converted to Unicode (``convert``), made once per
    file and session; None when it cannot be made."""
    from ..convert import converted_upload

    cache = st.session_state.setdefault("_unicode_copies", {})
    if file_id not in cache:
        cache[file_id] = converted_upload(name, data)
    return cache[file_id]


# ---------------------------------------------------------------------------------------------
# What the upload page reads and does, on the store of this server process


@st.cache_resource(show_spinner=False, max_entries=4)
def _known_units(files: tuple[tuple[str, float], ...]):
    from ..plan import PlanError
    from ..plan.catalogue import recognised_units
    from .state import plan

    plans = []
    for path, _mtime in files:
        try:
            plans.append(plan(path))
        except (PlanError, OSError):
            continue  # a plan file that does not load names no unit (the plans page says why)
    return recognised_units(plans)


def known_units():
    """The units an uploaded report may name: the reference units files' and every plan's own
    (``plan.catalogue.recognised_units``), rebuilt when a plan file changes."""
    from .models import plan_files

    return _known_units(tuple((str(p), p.stat().st_mtime) for p in plan_files()))


def unit_choices() -> dict[str, str]:
    """Every known unit, code -> full name (the unit select of a file that does not say)."""
    return {u.code: u.name_vi for u in known_units().units()}


def plan_months() -> list[str]:
    """The months of the plan chosen in the sidebar ("YYYY-MM")."""
    from .state import plan, selected_plan_file

    return plan(selected_plan_file()).months


def marked_name(file_name: str, lang: str) -> str:
    """The marked-up copy's file name."""
    from ..markup import marked_copy_name

    return marked_copy_name(file_name, lang)


def compare_with_stored(report):
    """The dry run: what storing ``report`` would change."""
    from ..store.compare import compare_with_stored as compare
    from .state import engine

    return compare(engine(), report)


def store_checked(reports: list, received_on, actor: str) -> list[dict[str, Any]]:
    """Store the checked reports (each in one transaction), as ``actor``."""
    from ..store.compare import store_checked as store
    from .state import engine

    return store(engine(), reports, received_on, actor)


def history(unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
    """The stored versions, newest first (optionally of one unit and month)."""
    from ..store import history as versions
    from .state import engine

    return versions(engine(), unit=unit, period=period)


def revert(version_id: int, actor: str) -> None:
    """Make the version before ``version_id`` current again (audited)."""
    from ..store import revert as go_back
    from .state import engine

    go_back(engine(), version_id, actor=actor)
