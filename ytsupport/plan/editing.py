"""Editing a plan's raw data (as read from its YAML): what the plan editor does besides setting a
field. A new target of a kind with that kind's default parameters, a target removed unless
something refers to it, the plan's units written inline so a saved version carries them, a unit
added or renamed (its old name kept as an alias); its other fields (validity, merge) are set with
``set_optional``. Each function changes the raw data it is given and returns what went wrong as
data (None or an empty list: done).

The choices the editor offers (activity types, places, resource items with their Vietnamese and
English labels) come from the plan's reference files (``docs/plan-file.md``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from ..settings import REFERENCE_DIR
from ..store.tables import FRAME_DTYPES
from .kinds import KINDS
from .load import resolve_reference

TARGET_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
UNIT_CODE = TARGET_ID
# the fields of a unit entry, in the order a units file writes them
UNIT_FIELDS = ("code", "name_vi", "aliases", "kind", "pilot", "counts_for_reporting", "valid_from", "valid_to",
               "merged_into", "note")
# why a target or a unit cannot be added (the editor's message: pe_err_<code>)
EDIT_PROBLEMS = ("target_id", "target_taken", "unit_code", "unit_taken", "unit_name")
# what may refer to a target (the editor's words for it: pe_ref_<kind>)
REFERRERS = ("task", "adjustment", "model", "role")


@dataclass(frozen=True)
class Choices:
    """The codes a plan's targets may use, each with its labels {code: (vi, en)}."""

    activity_types: dict[str, tuple[str, str]]
    places: dict[str, tuple[str, str]]
    items: dict[str, tuple[str, str]]

    @staticmethod
    def columns(frame: str) -> list[str]:
        """The columns of one of the stored tables (``activities``, ``beneficiaries``, ``resources``)."""
        return [c for c in FRAME_DTYPES.get(frame, {}) if c not in ("sheet", "row")]


def _reference(raw: dict[str, Any], key: str, default: str) -> Any:
    name = str((raw.get("reference") or {}).get(key) or default)
    with resolve_reference(name, REFERENCE_DIR / "plan.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def choices(raw: dict[str, Any]) -> Choices:
    """The activity types, places and resource items of the plan's reference files."""
    vocab = _reference(raw, "vocabularies", "vocabularies.yaml")
    places = _reference(raw, "places", "places.yaml")

    def labelled(entries: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        return {e["code"]: (e.get("label_vi", e["code"]), e.get("label_en", e["code"])) for e in entries}

    return Choices(labelled(vocab.get("activity_types", [])), labelled(places.get("places", [])),
                   labelled(vocab.get("resource_items", [])))


def default_params(kind: str, raw: dict[str, Any], where: Choices) -> dict[str, Any]:
    """The parameters a new target of ``kind`` starts with: each required one set to the first
    choice (the plan's period for a window, 1 for a threshold); optional ones left out."""
    start, end = raw["period"]["start"], raw["period"]["end"]
    first_type = next(iter(where.activity_types), "")
    defaults: dict[str, Any] = {
        "activity_type": first_type, "threshold": 1, "window": {"from": start, "to": end},
        "item": next(iter(where.items), ""), "column": {"distinct_count": "district"}.get(kind, "value_vnd"),
        "models": [{"id": "model_1", "label": {"vi": "Mô hình 1", "en": "Model 1"},
                    "when": {"activity_type": first_type}}],
        "expected_steps": [{"from": start, "value": 1}],
    }
    return {name: defaults[name] for name in KINDS[kind].required}


def new_target_problem(raw: dict[str, Any], target_id: str) -> str | None:
    """Why ``target_id`` cannot be a new target's id (one of ``EDIT_PROBLEMS``), or None."""
    if not TARGET_ID.fullmatch(target_id):
        return "target_id"
    if any(t.get("id") == target_id for t in raw["targets"]):
        return "target_taken"
    return None


def add_target(raw: dict[str, Any], target_id: str, kind: str, where: Choices) -> str | None:
    """Append a new target of ``kind`` (default parameters, no value: a tracked line until one is
    given, texts to fill in); why it cannot be added (one of ``EDIT_PROBLEMS``), or None."""
    wrong = new_target_problem(raw, target_id)
    if wrong:
        return wrong
    raw["targets"].append({"id": target_id, "clause": "", "label": {"vi": "", "en": ""},
                           "responsible": {"vi": "", "en": ""}, "kind": kind, "target": None,
                           "params": default_params(kind, raw, where)})
    return None


def set_kind(target: dict[str, Any], kind: str, raw: dict[str, Any], where: Choices) -> None:
    """Give ``target`` another kind: its parameters become that kind's defaults (the old ones
    mean something else), and a kind with no target value (tracked_value) drops the value."""
    target["kind"] = kind
    target["params"] = default_params(kind, raw, where)
    if KINDS[kind].pace == "none":
        target["target"] = None


def references(raw: dict[str, Any], target_id: str) -> list[tuple[str, str]]:
    """What in the plan refers to ``target_id``, as (one of ``REFERRERS``, name) pairs: the units whose
    emulation tasks list it, its excused months, composite targets whose models depend on it,
    and the roles it holds (another target must take them first)."""
    found = [("task", unit) for unit, ids in ((raw.get("emulation") or {}).get("tasks") or {}).items()
             if target_id in (ids or [])]
    found += [("adjustment", ", ".join(a.get("months") or [])) for a in raw.get("adjustments") or []
              if a.get("target") == target_id]
    for t in raw["targets"]:
        models = (t.get("params") or {}).get("models") or [] if t.get("kind") == "composite" else []
        found += [("model", t["id"]) for m in models if (m.get("when") or {}).get("target") == target_id]
    target = next((t for t in raw["targets"] if t.get("id") == target_id), {})
    found += [("role", role) for role in target.get("roles") or []]
    return found


def remove_target(raw: dict[str, Any], target_id: str) -> list[tuple[str, str]]:
    """Remove ``target_id`` unless something refers to it; what refers to it (nothing: removed)."""
    found = references(raw, target_id)
    if not found:
        raw["targets"] = [t for t in raw["targets"] if t.get("id") != target_id]
    return found


# ---------------------------------------------------------------------------------------------
# Units


def inline_units(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's own ``units:`` list, made from the units file ``reference.units`` names when the
    plan has none yet (then ``reference.units`` is dropped: the list is what the plan uses)."""
    if "units" not in raw:
        refs = raw.get("reference") or {}
        with resolve_reference(str(refs.get("units")), REFERENCE_DIR / "plan.yaml").open(encoding="utf-8") as handle:
            listed = (yaml.safe_load(handle) or {}).get("units") or []
        raw["units"] = [{k: u[k] for k in UNIT_FIELDS if k in u} for u in listed]
        refs.pop("units", None)
    return raw["units"]


def rename_unit(unit: dict[str, Any], name: str) -> None:
    """Give ``unit`` the name ``name``; its old name stays among its aliases so that reports
    written with it still match."""
    name = name.strip()
    old = str(unit.get("name_vi") or "").strip()
    if not name or name == old:
        return
    aliases = list(unit.get("aliases") or [])
    if old and old not in aliases:
        aliases.append(old)
    unit["aliases"] = [a for a in aliases if a != name]
    unit["name_vi"] = name


def new_unit_problem(units: list[dict[str, Any]], code: str, name: str) -> str | None:
    """Why a unit ``code`` named ``name`` cannot be added (one of ``EDIT_PROBLEMS``), or None."""
    if not UNIT_CODE.fullmatch(code):
        return "unit_code"
    if any(u.get("code") == code for u in units):
        return "unit_taken"
    return None if name.strip() else "unit_name"


def add_unit(units: list[dict[str, Any]], code: str, name: str, valid_from: date | None, pilot: bool = False) -> \
        str | None:
    """Append a unit that reports from ``valid_from`` (None: from the start); why it cannot be
    added (one of ``EDIT_PROBLEMS``), or None."""
    wrong = new_unit_problem(units, code, name)
    if wrong:
        return wrong
    unit: dict[str, Any] = {"code": code, "name_vi": name.strip(), "aliases": [], "pilot": pilot,
                            "counts_for_reporting": True}
    if valid_from:
        unit["valid_from"] = valid_from
    units.append(unit)
    return None


def set_optional(unit: dict[str, Any], key: str, value: Any) -> None:
    """Set ``unit[key]``, or leave the key out when ``value`` is empty (an open validity, no merge)."""
    if value in (None, "", []):
        unit.pop(key, None)
    else:
        unit[key] = value

