"""The plan editor of the "Kế hoạch" page: copy a plan to another year and edit the whole of it —
period, targets (kind and counting rule, value, window, texts, section, roles), the reporting
units (joining, leaving, renamed, merged), the emulation weights and tasks, excused months — see
each mistake beside its field in the user's language, preview the status on the current data,
and save a new version in the store (audited).

The draft is the plan's raw data (as read from YAML) in the session; each widget writes its value
into it. A widget's own mistakes (a value that is not a number) are shown as it is drawn; then the
whole draft is checked by ``load_plan`` and each ``Problem`` is shown in the placeholder the field
its path names left for it (``Slots``), or at the top of its tab when that field is not on screen.
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
from ..plan.definition import EMULATION_CRITERIA, ROLES
from ..plan.editing import (Choices, add_target, add_unit, choices, inline_units, remove_target, rename_unit,
                            set_kind, set_optional)
from ..plan.kinds import KINDS, UNIT_GROUPS
from ..plan.problems import Problem, under
from ..plan.stored import PLAN_ID, check_text, save_version, versions
from ..report.labels import status_label
from ..store.tables import FRAME_DTYPES
from . import login, models, state

DRAFT, DRAFT_ID = "plan_draft", "plan_draft_id"
# the tabs of the editor: (i18n key of the title, the problem paths shown in it)
TABS = (("pe_tab_period", ("plan", "period", "due_days", "reference", "sections", "support_activity_types")),
        ("pe_tab_targets", ("targets",)), ("pe_tab_units", ("units",)), ("pe_tab_emulation", ("emulation",)),
        ("pe_tab_adjustments", ("adjustments",)))


class Slots:
    """Placeholders left beside the fields, by the problem path they show (see
    ``ytsupport/plan/problems.py``); filled once the whole draft is checked."""

    def __init__(self) -> None:
        self.places: dict[str, Any] = {}

    def here(self, where: str) -> None:
        """Leave the place for the problems at ``where`` (and inside it) at this point of the page."""
        self.places[where] = st.empty()

    def show(self, problems: list[Problem], lang: str) -> None:
        """Each problem in the deepest placeholder holding its path; named by its target or unit
        when shown at the top of a tab rather than at its field."""
        by_place: dict[str, list[str]] = {}
        for p in problems:
            place = max((w for w in self.places if p.where == w or p.where.startswith(w + ".") or not w),
                        key=len, default=None)
            if place is None:
                continue
            rest = p.where[len(place):].lstrip(".").split(".")[0] if place in {w for _, ws in TABS for w in ws} \
                else ""
            text = f"{rest}: {p.message(lang)}" if rest and not rest.isdigit() else p.message(lang)
            by_place.setdefault(place, [])
            if text not in by_place[place]:
                by_place[place].append(text)
        for place, texts in by_place.items():
            with self.places[place].container():
                for text in texts:
                    st.error(text)


def source_files() -> dict[str, Path]:
    """The plans to start from, by id: the shipped ones and the stored ones (latest versions)."""
    return {p.stem: p for p in models.plan_files()}


def start_draft(path: Path, year: int | None) -> None:
    """Put a copy of ``path`` (moved to ``year`` when given) in the session as the draft, with its
    units written inline (so a saved version carries them)."""
    raw = read_raw(path)
    old_year = raw["period"]["start"].year if isinstance(raw["period"]["start"], date) else None
    draft = copy_plan(raw, year) if year else raw
    inline_units(draft)
    st.session_state[DRAFT] = draft
    new_id = re.sub(str(old_year), str(year), path.stem) if year and old_year else path.stem
    st.session_state[DRAFT_ID] = new_id if new_id != path.stem or not year else f"{path.stem}_{year}"
    _forget("pe_")  # the fields show the new draft, not the old one's values


def _forget(prefix: str, suffix: str = "") -> None:
    """Drop the widgets' kept values whose keys start with ``prefix`` (and end with ``suffix``)."""
    for key in [k for k in st.session_state if str(k).startswith(prefix) and str(k).endswith(suffix)]:
        del st.session_state[key]


def _select_pending(key: str) -> None:
    """Choose in the select ``key`` what was just added (kept under ``<key>_pending`` by the form
    that added it, since a drawn widget's value cannot be set)."""
    if f"{key}_pending" in st.session_state:
        st.session_state[key] = st.session_state.pop(f"{key}_pending")


def _field_error(message: str | None) -> bool:
    if message:
        st.error(message)
    return bool(message)


def period_fields(draft: dict[str, Any], lang: str, slots: Slots) -> bool:
    """The plan's number and title, start, end and due days; True when a field is wrong (its
    message is shown under it)."""
    period = draft["period"]
    draft["plan"] = st.text_input(t("pe_number", lang), str(draft.get("plan") or ""), key="pe_number",
                                  help=t("pe_number_help", lang)).strip()
    slots.here("plan")
    title = draft.setdefault("title", {})
    cols = st.columns(2)
    for col, code in zip(cols, ("vi", "en")):
        title[code] = col.text_input(t("pe_title", lang, lang_code=code), title.get(code, ""), key=f"pe_title_{code}")
    cols = st.columns(3)
    period["start"] = cols[0].date_input(t("pe_start", lang), period["start"], key="pe_start", format="DD/MM/YYYY")
    period["end"] = cols[1].date_input(t("pe_end", lang), period["end"], key="pe_end", format="DD/MM/YYYY")
    draft["due_days_after_month_end"] = int(cols[2].number_input(
        t("pe_due_days", lang), min_value=0, max_value=60, value=int(draft.get("due_days_after_month_end", 10)),
        key="pe_due", help=t("pe_due_days_help", lang)))
    with cols[1]:
        slots.here("period")
        wrong = _field_error(t("pe_err_end_before_start", lang) if period["end"] < period["start"] else None)
    with cols[2]:
        slots.here("due_days")
    return wrong


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


def _window_fields(window: dict[str, Any], key: str, lang: str) -> bool:
    """A window's first and last day side by side; True when it ends before it starts."""
    cols = st.columns(2)
    window["from"] = cols[0].date_input(t("pe_window_from", lang), window["from"], key=f"{key}_from",
                                        format="DD/MM/YYYY")
    window["to"] = cols[1].date_input(t("pe_window_to", lang), window["to"], key=f"{key}_to", format="DD/MM/YYYY")
    with cols[1]:
        return _field_error(t("pe_err_window", lang) if window["to"] < window["from"] else None)


def _pick(label: str, options: list[Any], current: Any, key: str, names: dict[Any, str], help_key: str | None,
          lang: str) -> Any:
    """A select of ``options`` shown by ``names``, starting at ``current`` (the first when unknown)."""
    index = options.index(current) if current in options else 0
    return st.selectbox(label, options, index=index, format_func=lambda o: names.get(o, str(o)), key=key,
                        help=t(help_key, lang) if help_key else None)


def _named(codes: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    return {code: f"{pair[1 if lang == 'en' else 0]} ({code})" for code, pair in codes.items()}


def _list_fields(rows: list[dict[str, Any]], key: str, lang: str, draw: Any, blank: Any) -> bool:
    """A list edited row by row (``draw(row, key)`` draws one, True when wrong), with a button to
    remove each row and one to add a row (``blank()``); True when a row is wrong."""
    wrong = False
    for i, row in enumerate(list(rows)):
        cols = st.columns([6, 1])
        with cols[0]:
            wrong |= draw(row, f"{key}_{i}")
        if len(rows) > 1 and cols[1].button(t("pe_remove_row", lang), key=f"{key}_{i}_del"):
            rows.pop(i)
            _forget(f"{key}_")
            st.rerun()
    if st.button(t("pe_add_row", lang), key=f"{key}_add"):
        rows.append(blank())
        st.rerun()
    return wrong


def _model_fields(model: dict[str, Any], key: str, lang: str, where: Choices, target_ids: list[str]) -> bool:
    """One model of a composite target: its names and its condition (activities or a target's value)."""
    cols = st.columns(2)
    model["label"]["vi"] = cols[0].text_input(t("pe_model_label", lang), model["label"].get("vi", ""),
                                              key=f"{key}_vi")
    model["label"]["en"] = cols[1].text_input(t("pe_model_label_en", lang), model["label"].get("en", ""),
                                              key=f"{key}_en")
    when = model["when"]
    by_target = st.toggle(t("pe_model_by_target", lang), "target" in when, key=f"{key}_by")
    cols = st.columns(2)
    with cols[0]:
        if by_target:
            chosen = _pick(t("pe_target", lang), target_ids, when.get("target"), f"{key}_t", {}, None, lang)
            model["when"] = when = {"target": chosen, "at_least": when.get("at_least", 1)}
        else:
            chosen = _pick(t("pe_activity_type", lang), list(where.activity_types), when.get("activity_type"),
                           f"{key}_a", _named(where.activity_types, lang), None, lang)
            place = _pick(t("pe_place", lang), ["", *where.places], when.get("place", ""), f"{key}_p",
                          {"": t("pe_anywhere", lang), **_named(where.places, lang)}, None, lang)
            model["when"] = when = {"activity_type": chosen, "at_least": when.get("at_least", 1),
                                    **({"place": place} if place else {})}
    when["at_least"] = int(cols[1].number_input(t("pe_at_least", lang), min_value=1, value=int(when["at_least"]),
                                                key=f"{key}_n"))
    return not (model["label"]["vi"].strip() and model["label"]["en"].strip())


def param_fields(target: dict[str, Any], draft: dict[str, Any], lang: str, where: Choices, slots: Slots) -> bool:
    """The widgets of the target's kind's parameters (required ones always, optional ones with an
    empty choice); each parameter's whole-plan problems go beside it. True when a field is wrong."""
    spec, params, tid = KINDS[target["kind"]], target.setdefault("params", {}), target["id"]
    wrong = False
    for name in (*spec.required, *spec.optional):
        key, label, required = f"pe_p_{name}_{tid}", t(f"pe_param_{name}", lang), name in spec.required
        if name in ("activity_type", "place", "item", "units", "frame", "column", "date_column"):
            names = {"activity_type": _named(where.activity_types, lang), "place": _named(where.places, lang),
                     "item": _named(where.items, lang),
                     "units": {g: t(f"pe_group_{g}", lang) for g in UNIT_GROUPS}}.get(name, {})
            frame = params.get("frame", {"distinct_count": "beneficiaries"}.get(target["kind"], "resources"))
            options: list[Any] = {"activity_type": list(where.activity_types), "place": list(where.places),
                                  "item": list(where.items), "units": list(UNIT_GROUPS), "frame": list(FRAME_DTYPES),
                                  "column": Choices.columns(frame), "date_column": Choices.columns(frame)}[name]
            options = options if required else ["", *options]  # "": left out (None cannot be chosen in tests)
            names = {"": t("pe_param_none" if name != "place" else "pe_anywhere", lang), **names}
            set_optional(params, name, _pick(label, options, params.get(name), key, names, f"pe_param_{name}_help",
                                             lang))
        elif name == "threshold":
            params[name] = int(st.number_input(label, min_value=1, value=int(params.get(name) or 1), key=key,
                                               help=t("pe_param_threshold_help", lang)))
        elif name == "window":
            if not required and not st.toggle(label, name in params, key=f"{key}_on"):
                params.pop(name, None)
            else:
                params.setdefault(name, {"from": draft["period"]["start"], "to": draft["period"]["end"]})
                if required:
                    st.caption(label)
                wrong |= _window_fields(params[name], key, lang)
                if "expected_from" in params and target["kind"] == "events_in_window":
                    params["expected_from"] = params[name]["to"]
        elif name == "expected_from":
            set_optional(params, name, st.date_input(label, params.get(name), key=key, format="DD/MM/YYYY",
                                                     help=t("pe_param_expected_from_help", lang)))
        elif name == "exclude_windows":
            if st.toggle(label, bool(params.get(name)), key=f"{key}_on", help=t("pe_param_exclude_windows_help", lang)):
                rows = params.setdefault(name, [{"from": draft["period"]["start"], "to": draft["period"]["end"]}])
                wrong |= _list_fields(rows, key, lang, lambda w, k: _window_fields(w, k, lang),
                                      lambda: {"from": draft["period"]["start"], "to": draft["period"]["end"]})
            else:
                params.pop(name, None)
        elif name == "recipient":
            typed = st.text_input(label, ", ".join(params.get(name) or []), key=key,
                                  help=t("pe_param_recipient_help", lang))
            set_optional(params, name, [p.strip() for p in typed.split(",") if p.strip()])
        elif name == "activity_types":
            set_optional(params, name, st.multiselect(
                label, list(where.activity_types), default=[c for c in params.get(name) or []
                                                            if c in where.activity_types],
                format_func=_named(where.activity_types, lang).get, key=key,
                help=t("pe_param_activity_types_help", lang)))
        elif name == "expected_steps":
            st.caption(label)
            wrong |= _list_fields(params[name], key, lang, lambda s, k: _step_fields(s, k, lang),
                                  lambda: {"from": draft["period"]["end"], "value": 1})
        elif name == "models":
            st.caption(label)
            ids = [tg["id"] for tg in draft["targets"] if tg["id"] != tid]
            wrong |= _list_fields(params[name], key, lang, lambda m, k: _model_fields(m, k, lang, where, ids),
                                  lambda: {"id": f"model_{len(params[name]) + 1}",
                                           "label": {"vi": "", "en": ""},
                                           "when": {"activity_type": next(iter(where.activity_types))}})
        slots.here(f"targets.{tid}.params.{name}")
    return wrong


def _step_fields(step: dict[str, Any], key: str, lang: str) -> bool:
    cols = st.columns(2)
    step["from"] = cols[0].date_input(t("pe_step_from", lang), step["from"], key=f"{key}_d", format="DD/MM/YYYY")
    step["value"] = int(cols[1].number_input(t("pe_step_value", lang), min_value=0, value=int(step["value"]),
                                             key=f"{key}_v"))
    return False


def kind_field(target: dict[str, Any], draft: dict[str, Any], lang: str, where: Choices) -> None:
    """The target's kind; a new kind starts from its default parameters (said in a note)."""
    kinds = list(KINDS)
    kind = st.selectbox(t("pe_kind_select", lang), kinds, index=kinds.index(target["kind"]),
                        format_func=lambda k: f"{t(f'pe_kind_{k}', lang)} ({k})", key=f"pe_kind_{target['id']}",
                        help=t("pe_kind_help", lang))
    if kind != target["kind"]:
        set_kind(target, kind, draft, where)
        _forget("pe_p_", f"_{target['id']}")
        st.session_state.pop(f"pe_value_{target['id']}", None)  # a tracked_value has no value to show
        st.session_state["pe_kind_note"] = target["id"]
    if st.session_state.get("pe_kind_note") == target["id"]:
        st.info(t("pe_kind_reset", lang, kind=t(f"pe_kind_{kind}", lang)))


def target_fields(draft: dict[str, Any], lang: str, slots: Slots) -> bool:
    """The chosen target's kind and counting rule, value, clause, texts, section and roles, and
    the forms that add a target and remove the chosen one; True when a field is wrong."""
    where = choices(draft)
    slots.here("targets")
    targets = draft["targets"]
    names = {tg["id"]: f"{tg['id']} — {tg['label'].get('vi', '')}" for tg in targets}
    _select_pending("pe_target")
    chosen = st.selectbox(t("pe_target", lang), list(names), format_func=names.get, key="pe_target")
    target = next(tg for tg in targets if tg["id"] == chosen)
    kind_field(target, draft, lang, where)
    wrong = False
    cols = st.columns(2)
    shown = "" if target.get("target") is None else fmt.number(target["target"], "en", 4).replace(",", "")
    typed = cols[0].text_input(t("pe_value", lang), shown, key=f"pe_value_{chosen}", help=t("pe_value_help", lang))
    value, problem = _value_error(typed, target["kind"], lang)
    with cols[0]:
        wrong |= _field_error(problem)
        slots.here(f"targets.{chosen}.target")
    if problem is None:
        target["target"] = value
    target["clause"] = cols[1].text_input(t("pe_clause", lang), target.get("clause", ""), key=f"pe_clause_{chosen}",
                                          help=t("pe_clause_help", lang))
    with cols[1]:
        wrong |= _field_error(None if target["clause"].strip() else t("pe_err_required", lang))
    with st.container(border=True):
        st.markdown(f"**{t('pe_rule', lang)}**")
        wrong |= param_fields(target, draft, lang, where, slots)
        slots.here(f"targets.{chosen}.params")
    for key in ("label", "responsible"):
        cols = st.columns(2)
        for col, code in zip(cols, ("vi", "en")):
            target[key][code] = col.text_input(t(f"pe_{key}", lang, lang_code=code), target[key].get(code, ""),
                                               key=f"pe_{key}_{code}_{chosen}")
            with col:
                wrong |= _field_error(None if target[key][code].strip() else t("pe_err_required", lang))
    titles = {s["id"]: (s.get("label") or {}).get(lang) or s["id"] for s in draft.get("sections") or []}
    sections = [None, *titles, "reporting", "resources"]
    current = target.get("section") if target.get("section") in sections else None
    target["section"] = st.selectbox(t("pe_section", lang), sections, index=sections.index(current),
                                     format_func=lambda s: t("pe_no_section", lang) if s is None
                                     else f"{titles.get(s, s)} ({s})", key=f"pe_section_{chosen}")
    if target["section"] is None:
        target.pop("section", None)
    slots.here(f"targets.{chosen}.section")
    target["roles"] = st.multiselect(t("pe_roles", lang), list(ROLES), default=list(target.get("roles") or []),
                                     format_func=lambda r: t(f"pe_role_{r}", lang), key=f"pe_roles_{chosen}",
                                     help=t("pe_roles_help", lang))
    if not target["roles"]:
        target.pop("roles")
    slots.here(f"targets.{chosen}.roles")
    slots.here(f"targets.{chosen}")
    _remove_target(draft, chosen, lang)
    _add_target(draft, lang, where)
    return wrong


def _remove_target(draft: dict[str, Any], chosen: str, lang: str) -> None:
    if st.button(t("pe_remove_target", lang), key="pe_remove_target"):
        refs = remove_target(draft, chosen)
        if refs:
            st.error(t("pe_err_referenced", lang, target=chosen,
                       refs="; ".join(t(f"pe_ref_{kind}", lang, name=name) for kind, name in refs)))
        else:
            _forget("pe_target")
            st.rerun()


def _add_target(draft: dict[str, Any], lang: str, where: Choices) -> None:
    with st.expander(t("pe_new_target", lang)):
        with st.form("pe_new_target_form", clear_on_submit=False):
            cols = st.columns(2)
            new_id = cols[0].text_input(t("pe_new_target_id", lang), key="pe_new_id", help=t("pe_new_target_id_help",
                                                                                                lang))
            kind = cols[1].selectbox(t("pe_kind_select", lang), list(KINDS), key="pe_new_kind",
                                     format_func=lambda k: f"{t(f'pe_kind_{k}', lang)} ({k})")
            if st.form_submit_button(t("pe_add_target", lang)):
                _added(add_target(draft, new_id.strip(), kind, where), new_id, "pe_target_pending", lang)


def _added(wrong: str | None, value: str, pending_key: str, lang: str) -> None:
    """After an add form: the refusal's message, or the new item chosen (``pending_key``) and a rerun."""
    if wrong:
        st.error(t(f"pe_err_{wrong}", lang, value=value))
    else:
        st.session_state[pending_key] = value.strip()
        st.rerun()


def unit_fields(draft: dict[str, Any], lang: str, slots: Slots) -> None:
    """The plan's reporting units: a table of all, the chosen unit's fields (a new name keeps the
    old one as an alias), and a form that adds a unit joining on a given day."""
    units = inline_units(draft)
    slots.here("units")
    st.dataframe(units_table(units, lang), hide_index=True, width="stretch")
    names = {u["code"]: f"{u['code']} — {u.get('name_vi', '')}" for u in units}
    _select_pending("pe_unit")
    code = st.selectbox(t("pe_unit", lang), list(names), format_func=names.get, key="pe_unit")
    unit = next(u for u in units if u["code"] == code)
    name = st.text_input(t("pe_unit_name", lang), unit.get("name_vi", ""), key=f"pe_u_name_{code}",
                         help=t("pe_unit_name_help", lang))
    if name.strip() != unit.get("name_vi", "") and name.strip():
        rename_unit(unit, name)
        st.session_state[f"pe_u_aliases_{code}"] = "\n".join(unit["aliases"])
    aliases = st.text_area(t("pe_unit_aliases", lang), "\n".join(unit.get("aliases") or []),
                           key=f"pe_u_aliases_{code}", help=t("pe_unit_aliases_help", lang))
    unit["aliases"] = [a.strip() for a in aliases.splitlines() if a.strip()]
    cols = st.columns(3)
    set_optional(unit, "kind", cols[0].text_input(t("pe_unit_kind", lang), unit.get("kind", ""),
                                                  key=f"pe_u_kind_{code}", help=t("pe_unit_kind_help", lang)).strip())
    unit["pilot"] = cols[1].checkbox(t("pe_unit_pilot", lang), bool(unit.get("pilot")), key=f"pe_u_pilot_{code}",
                                     help=t("pe_unit_pilot_help", lang))
    unit["counts_for_reporting"] = cols[2].checkbox(
        t("pe_unit_counts", lang), bool(unit.get("counts_for_reporting", True)), key=f"pe_u_counts_{code}",
        help=t("pe_unit_counts_help", lang))
    cols = st.columns(3)
    set_optional(unit, "valid_from", cols[0].date_input(t("pe_unit_from", lang), unit.get("valid_from"),
                                                        key=f"pe_u_from_{code}", format="DD/MM/YYYY",
                                                        help=t("pe_unit_from_help", lang)))
    set_optional(unit, "valid_to", cols[1].date_input(t("pe_unit_to", lang), unit.get("valid_to"),
                                                      key=f"pe_u_to_{code}", format="DD/MM/YYYY",
                                                      help=t("pe_unit_to_help", lang)))
    with cols[1]:
        slots.here(f"units.{code}.valid_to")
    others = ["", *[u["code"] for u in units if u["code"] != code]]
    current = unit.get("merged_into") if unit.get("merged_into") in others else ""
    set_optional(unit, "merged_into", cols[2].selectbox(
        t("pe_unit_merged", lang), others, index=others.index(current), key=f"pe_u_merged_{code}",
        format_func=lambda c: names[c] if c else t("pe_unit_not_merged", lang),
        help=t("pe_unit_merged_help", lang)))
    with cols[2]:
        slots.here(f"units.{code}.merged_into")
    slots.here(f"units.{code}")
    _add_unit(units, lang)


def units_table(units: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The units as a table: code, name, aliases, kind, pilot, reporting, valid from/to, merged into."""
    yes, no = t("yes", lang), t("no", lang)
    return pd.DataFrame([{t("pe_unit_code", lang): u["code"], t("pe_unit_name", lang): u.get("name_vi", ""),
                          t("pe_unit_aliases", lang): "; ".join(u.get("aliases") or []),
                          t("pe_unit_kind", lang): u.get("kind", ""),
                          t("pe_unit_pilot", lang): yes if u.get("pilot") else no,
                          t("pe_unit_counts", lang): yes if u.get("counts_for_reporting", True) else no,
                          t("pe_unit_from", lang): fmt.day(u["valid_from"]) if u.get("valid_from") else "",
                          t("pe_unit_to", lang): fmt.day(u["valid_to"]) if u.get("valid_to") else "",
                          t("pe_unit_merged", lang): u.get("merged_into") or ""} for u in units])


def _add_unit(units: list[dict[str, Any]], lang: str) -> None:
    with st.expander(t("pe_new_unit", lang)):
        with st.form("pe_new_unit_form"):
            cols = st.columns(2)
            code = cols[0].text_input(t("pe_unit_code", lang), key="pe_nu_code", help=t("pe_unit_code_help", lang))
            name = cols[1].text_input(t("pe_unit_name", lang), key="pe_nu_name")
            cols = st.columns(2)
            joined = cols[0].date_input(t("pe_unit_from", lang), None, key="pe_nu_from", format="DD/MM/YYYY",
                                        help=t("pe_unit_from_help", lang))
            pilot = cols[1].checkbox(t("pe_unit_pilot", lang), key="pe_nu_pilot")
            if st.form_submit_button(t("pe_add_unit", lang)):
                _added(add_unit(units, code.strip(), name, joined, pilot), code, "pe_unit_pending", lang)


def emulation_fields(draft: dict[str, Any], lang: str, slots: Slots) -> None:
    """The emulation (thi đua) criteria's weights and the units' assigned targets."""
    slots.here("emulation")
    block = draft.get("emulation")
    if not block:
        st.info(t("pe_no_emulation", lang))
        return
    st.caption(t("pe_weights_help", lang))
    slots.here("emulation.criteria")
    for item in block.get("criteria") or []:
        cid = item.get("id")
        label = (item.get("label") or {}).get(lang) or (item.get("label") or {}).get("vi") or cid
        value = st.number_input(label, value=float(item.get("weight") or 0), step=5.0, format="%g", key=f"pe_w_{cid}",
                                help=t(f"pe_crit_{cid}", lang) if cid in EMULATION_CRITERIA else None)
        item["weight"] = int(value) if float(value).is_integer() else value
        slots.here(f"emulation.criteria.{cid}")
    st.markdown(f"**{t('pe_tasks', lang)}**")
    st.caption(t("pe_tasks_help", lang))
    tasks = block.setdefault("tasks", {})
    units = inline_units(draft)
    shown = [u["code"] for u in units if u.get("pilot") or u["code"] in tasks]
    shown += [code for code in tasks if code not in shown]  # a unit no longer in the list: its error shows
    names = {u["code"]: u.get("name_vi", u["code"]) for u in units}
    ids = [tg["id"] for tg in draft["targets"]]
    for code in shown:
        chosen = st.multiselect(names.get(code, code), ids, default=[i for i in tasks.get(code) or [] if i in ids],
                                key=f"pe_tasks_{code}")
        if chosen:
            tasks[code] = chosen
        else:
            tasks.pop(code, None)
        slots.here(f"emulation.tasks.{code}")


def adjustment_fields(draft: dict[str, Any], lang: str, slots: Slots) -> None:
    """Excused months of a monthly target, with the reason (added to the draft's adjustments)."""
    slots.here("adjustments")
    monthly = [tg["id"] for tg in draft["targets"] if KINDS[tg["kind"]].pace == "monthly"]
    start, end = draft["period"]["start"], draft["period"]["end"]
    months = [str(p) for p in pd.period_range(start, end, freq="M")] if start <= end else []
    adjustments = draft.setdefault("adjustments", [])
    if adjustments:
        st.dataframe(pd.DataFrame([{t("pe_target", lang): a["target"], t("pe_months", lang): ", ".join(a["months"]),
                                    t("pe_reason", lang): a["reason"].get("vi", "")} for a in adjustments]),
                     hide_index=True, width="stretch")
        cols = st.columns([3, 1], vertical_alignment="bottom")
        gone = cols[0].selectbox(t("pe_adjustment", lang), range(len(adjustments)), key="pe_adj_gone",
                                 format_func=lambda i: f"{i + 1}. {adjustments[i]['target']}: "
                                                       f"{', '.join(adjustments[i]['months'])}")
        if cols[1].button(t("pe_remove_adjustment", lang), key="pe_adj_remove"):
            adjustments.pop(gone)
            st.rerun()
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


def check_draft(draft: dict[str, Any]) -> list[Problem]:
    """Every problem ``load_plan`` finds in the draft (none: it can be previewed and saved)."""
    try:
        check_text(dump_raw(draft))
    except PlanError as exc:
        return exc.problems
    return []


def tabs_with_problems(problems: list[Problem], lang: str) -> list[str]:
    """The titles of the tabs that show some of ``problems``."""
    return [t(title, lang) for title, paths in TABS if any(under(problems, p) for p in paths)]


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
        for problem in exc.problems:
            st.error(problem.message(lang))
        return None


def versions_table(lang: str) -> pd.DataFrame:
    """The stored plans' versions, newest first."""
    return pd.DataFrame([{t("pe_plan_id", lang): v["plan_id"], t("pe_version", lang): v["version"],
                          t("audit_at", lang): fmt.stamp(v["created_at"]), t("audit_actor", lang): v["created_by"]}
                         for v in versions(state.engine())])


def valid_id(plan_id: str) -> bool:
    return bool(PLAN_ID.fullmatch(plan_id))
