"""The plan editor of the "Kế hoạch" page: copy a plan to another year, edit its period, targets,
excused months and due days, see each mistake at its field, preview the status on the current
data, and save a new version in the store (audited).

The draft is the plan's raw data (as read from YAML) in the session; each widget writes its value
into it, and each field is checked as it is drawn, with a Vietnamese message beside it.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from .. import formatting as fmt
from ..figures import compute
from ..i18n import t
from ..plan import PlanError
from ..plan.copying import copy_plan, dump_raw, read_raw
from ..plan.definition import ROLES
from ..plan.kinds import KINDS
from ..plan.stored import PLAN_ID, check_text, save_version, versions
from ..report.labels import status_label
from . import login, models, state

DRAFT, DRAFT_ID = "plan_draft", "plan_draft_id"


def source_files() -> dict[str, Path]:
    """The plans to start from, by id: the shipped ones and the stored ones (latest versions)."""
    return {p.stem: p for p in models.plan_files()}


def start_draft(path: Path, year: int | None) -> None:
    """Put a copy of ``path`` (moved to ``year`` when given) in the session as the draft."""
    raw = read_raw(path)
    old_year = raw["period"]["start"].year if isinstance(raw["period"]["start"], date) else None
    draft = copy_plan(raw, year) if year else raw
    st.session_state[DRAFT] = draft
    new_id = re.sub(str(old_year), str(year), path.stem) if year and old_year else path.stem
    st.session_state[DRAFT_ID] = new_id if new_id != path.stem or not year else f"{path.stem}_{year}"
    for key in [k for k in st.session_state if str(k).startswith("pe_")]:
        del st.session_state[key]  # the fields show the new draft, not the old one's values


def _field_error(message: str | None) -> bool:
    if message:
        st.error(message)
    return bool(message)


def period_fields(draft: dict[str, Any], lang: str) -> bool:
    """Start, end and due days; True when a field is wrong (its message is shown under it)."""
    period = draft["period"]
    cols = st.columns(3)
    period["start"] = cols[0].date_input(t("pe_start", lang), period["start"], key="pe_start", format="DD/MM/YYYY")
    period["end"] = cols[1].date_input(t("pe_end", lang), period["end"], key="pe_end", format="DD/MM/YYYY")
    draft["due_days_after_month_end"] = int(cols[2].number_input(
        t("pe_due_days", lang), min_value=0, max_value=60, value=int(draft.get("due_days_after_month_end", 10)),
        key="pe_due"))
    with cols[1]:
        return _field_error(t("pe_err_end_before_start", lang) if period["end"] < period["start"] else None)


def _value_error(text: str, kind: str, lang: str) -> tuple[Any, str | None]:
    """The target value typed (empty: a tracked line) and what is wrong with it."""
    text = text.strip().replace(",", ".")
    if not text:
        return None, None
    if KINDS[kind].pace == "none":
        return None, t("pe_err_no_value", lang)
    try:
        value = float(text)
    except ValueError:
        return None, t("pe_err_value", lang, value=text)
    if value <= 0:
        return None, t("pe_err_value", lang, value=text)
    return int(value) if value.is_integer() else value, None


def target_fields(draft: dict[str, Any], lang: str) -> bool:
    """The chosen target's value, window, clause, label, responsible units, section and roles;
    True when a field is wrong (a role taken twice is reported by the whole-plan check)."""
    targets = draft["targets"]
    names = {tg["id"]: f"{tg['id']} — {tg['label'].get('vi', '')}" for tg in targets}
    chosen = st.selectbox(t("pe_target", lang), list(names), format_func=names.get, key="pe_target")
    target = next(tg for tg in targets if tg["id"] == chosen)
    st.caption(t("pe_kind", lang, kind=target["kind"]))
    wrong = False
    cols = st.columns(2)
    shown = "" if target.get("target") is None else fmt.number(target["target"], "en", 4).replace(",", "")
    typed = cols[0].text_input(t("pe_value", lang), shown, key=f"pe_value_{chosen}", help=t("pe_value_help", lang))
    value, problem = _value_error(typed, target["kind"], lang)
    with cols[0]:
        wrong |= _field_error(problem)
    if problem is None:
        target["target"] = value
    target["clause"] = cols[1].text_input(t("pe_clause", lang), target.get("clause", ""), key=f"pe_clause_{chosen}")
    with cols[1]:
        wrong |= _field_error(None if target["clause"].strip() else t("pe_err_required", lang))
    window = (target.get("params") or {}).get("window")
    if window:
        cols = st.columns(2)
        window["from"] = cols[0].date_input(t("pe_window_from", lang), window["from"], key=f"pe_from_{chosen}",
                                            format="DD/MM/YYYY")
        window["to"] = cols[1].date_input(t("pe_window_to", lang), window["to"], key=f"pe_to_{chosen}",
                                          format="DD/MM/YYYY")
        with cols[1]:
            wrong |= _field_error(t("pe_err_window", lang) if window["to"] < window["from"] else None)
        if "expected_from" in target["params"]:
            target["params"]["expected_from"] = window["to"]
    for key in ("label", "responsible"):
        cols = st.columns(2)
        for col, code in zip(cols, ("vi", "en")):
            target[key][code] = col.text_input(t(f"pe_{key}", lang, lang_code=code), target[key].get(code, ""),
                                               key=f"pe_{key}_{code}_{chosen}")
            with col:
                wrong |= _field_error(None if target[key][code].strip() else t("pe_err_required", lang))
    sections = [None, *[s["id"] for s in draft.get("sections") or []], "reporting", "resources"]
    current = target.get("section") if target.get("section") in sections else None
    target["section"] = st.selectbox(t("pe_section", lang), sections, index=sections.index(current),
                                     format_func=lambda s: t("pe_no_section", lang) if s is None else s,
                                     key=f"pe_section_{chosen}")
    if target["section"] is None:
        target.pop("section", None)
    target["roles"] = st.multiselect(t("pe_roles", lang), list(ROLES), default=list(target.get("roles") or []),
                                     format_func=lambda r: t(f"pe_role_{r}", lang), key=f"pe_roles_{chosen}")
    if not target["roles"]:
        target.pop("roles")
    return wrong


def adjustment_fields(draft: dict[str, Any], lang: str) -> None:
    """Excused months of a monthly target, with the reason (added to the draft's adjustments)."""
    monthly = [tg["id"] for tg in draft["targets"] if KINDS[tg["kind"]].pace == "monthly"]
    start, end = draft["period"]["start"], draft["period"]["end"]
    months = [str(p) for p in pd.period_range(start, end, freq="M")] if start <= end else []
    adjustments = draft.setdefault("adjustments", [])
    if adjustments:
        st.dataframe(pd.DataFrame([{t("pe_target", lang): a["target"], t("pe_months", lang): ", ".join(a["months"]),
                                    t("pe_reason", lang): a["reason"].get("vi", "")} for a in adjustments]),
                     hide_index=True, width="stretch")
    with st.form("pe_adjust", clear_on_submit=True):
        target = st.selectbox(t("pe_target", lang), monthly, key="pe_adj_target")
        chosen = st.multiselect(t("pe_months", lang), months, key="pe_adj_months")
        reason_vi = st.text_input(t("pe_reason", lang), key="pe_adj_vi")
        reason_en = st.text_input(t("pe_reason_en", lang), key="pe_adj_en")
        if st.form_submit_button(t("pe_add_adjustment", lang)):
            if not chosen or not reason_vi.strip():
                st.error(t("pe_err_adjustment", lang))
            else:
                adjustments.append({"target": target, "months": chosen,
                                    "reason": {"vi": reason_vi.strip(), "en": reason_en.strip() or reason_vi.strip()}})
                st.rerun()


def check_draft(draft: dict[str, Any]) -> list[str]:
    """Every problem ``load_plan`` finds in the draft (none: it can be previewed and saved)."""
    try:
        check_text(dump_raw(draft))
    except PlanError as exc:
        return exc.errors
    return []


def preview(draft: dict[str, Any], lang: str) -> pd.DataFrame:
    """Each target's actual, target, expected and status on the current data with the draft plan."""
    plan = check_text(dump_raw(draft))
    result = compute(state.frames(), plan, fmt.today()).status
    return pd.DataFrame([{t("pe_col_label", lang): r["label"].get(lang) or r["label"]["vi"],
                          t("col_actual", lang): fmt.target_value(r["actual"], r["format"], lang),
                          t("col_target", lang): fmt.target_value(r["target"], r["format"], lang),
                          t("col_expected", lang): fmt.target_value(r["expected_by_now"], r["format"], lang),
                          t("col_status", lang): status_label(r["status"], lang)} for r in result["targets"]])


def save(draft: dict[str, Any], plan_id: str, lang: str) -> int | None:
    """Store the draft as the next version of ``plan_id`` as the current user (audited)."""
    try:
        return save_version(state.engine(), plan_id, dump_raw(draft), login.current_actor())
    except PlanError as exc:
        for error in exc.errors:
            st.error(error)
        return None


def versions_table(lang: str) -> pd.DataFrame:
    """The stored plans' versions, newest first."""
    return pd.DataFrame([{t("pe_plan_id", lang): v["plan_id"], t("pe_version", lang): v["version"],
                          t("audit_at", lang): fmt.stamp(v["created_at"]), t("audit_actor", lang): v["created_by"]}
                         for v in versions(state.engine())])


def valid_id(plan_id: str) -> bool:
    return bool(PLAN_ID.fullmatch(plan_id))
