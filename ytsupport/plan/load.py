"""Loading a plan file and checking it, with errors that name the target and what is wrong.

Every problem found is collected; ``PlanError`` lists them all at once.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .. import settings
from ..store.tables import FRAME_DTYPES
from ..vocab import UnitRegistry
from .kinds import KINDS, UNIT_GROUPS
from .definition import (EMULATION_CRITERIA, OWN_SECTIONS, ROLES, SECTION_SHOWS, Adjustment, Criterion, Emulation,
                         Plan, Section, Target, Unit, plan_months)
from .problems import Problem, problem

FORMATS = ("count", "percent", "vnd")
_TARGET_KEYS = {"id", "clause", "label", "responsible", "kind", "target", "params", "interpretation", "format",
                "measure", "section", "roles", "quote", "previous"}


class PlanError(ValueError):
    """A plan file that cannot be used; ``problems`` lists every problem found (``Problem``: where,
    code, message in either language), ``errors`` their English texts."""

    def __init__(self, path: Path | str, errors: list[str] | list[Problem]) -> None:
        self.problems = [e if isinstance(e, Problem) else Problem("plan", "other", str(e)) for e in errors]
        # a problem said at several fields (a role taken twice) is one line of text
        self.path, self.errors = Path(path), list(dict.fromkeys(p.text for p in self.problems))
        super().__init__(f"{path}: " + ("; ".join(self.errors) if len(self.errors) < 2
                                        else "\n  - " + "\n  - ".join(self.errors)))


class _Vocab:
    """The codes a plan may refer to, from its reference files."""

    def __init__(self, activity_types: set[str], items: set[str], places: Mapping[str, tuple[str, ...]],
                 target_ids: set[str]) -> None:
        self.activity_types, self.items, self.places, self.target_ids = activity_types, items, places, target_ids


# libyaml's safe loader where PyYAML was built with it: the same documents, ten times faster (a
# plan and its reference files are read by every command; pure Python takes a few hundred ms)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def resolve_reference(name: str, plan_path: Path) -> Path:
    """A reference file named in the plan: beside the plan file first, then ``ytsupport/reference``."""
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate
    for folder in (plan_path.parent, settings.REFERENCE_DIR):
        if (folder / candidate).is_file():
            return folder / candidate
    return settings.REFERENCE_DIR / candidate


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _text_pair(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(value.get(k), str) and value.get(k) for k in ("vi", "en"))


class _Bad(NamedTuple):
    """A parameter's value that is wrong: the problem's code, English text and message params."""

    code: str
    text: str
    params: dict[str, Any] = {}


# ---------------------------------------------------------------------------------------------
# Parameter checks, by parameter name. Each returns what is wrong (``_Bad``) or None.


def _check_activity_type(value: Any, vocab: _Vocab) -> _Bad | None:
    if value not in vocab.activity_types:
        known = ", ".join(sorted(vocab.activity_types))
        return _Bad("unknown_activity", f"unknown activity code {value!r} (known: {known})", {"value": value})
    return None


def _check_place(value: Any, vocab: _Vocab) -> _Bad | None:
    if value not in vocab.places:
        return _Bad("unknown_place", f"unknown place {value!r} (known: {', '.join(sorted(vocab.places))})",
                    {"value": value})
    return None


def _check_item(value: Any, vocab: _Vocab) -> _Bad | None:
    if value not in vocab.items:
        return _Bad("unknown_item", f"unknown resource item {value!r} (known: {', '.join(sorted(vocab.items))})",
                    {"value": value})
    return None


def _check_positive(value: Any, _vocab: _Vocab) -> _Bad | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return _Bad("positive", f"must be a positive number (got {value!r})", {"value": value})
    return None


def _check_date(value: Any, _vocab: _Vocab) -> _Bad | None:
    return None if isinstance(value, date) else _Bad("date", f"must be a date YYYY-MM-DD (got {value!r})",
                                                      {"value": value})


def _check_window(value: Any, _vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(k), date) for k in ("from", "to")):
        return _Bad("window_shape", "must be {from: YYYY-MM-DD, to: YYYY-MM-DD}")
    if value["from"] > value["to"]:
        return _Bad("window_order", "window ends before it starts")
    return None


def _check_windows(value: Any, vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, list) or not value:
        return _Bad("windows_shape", "must be a list of {from: YYYY-MM-DD, to: YYYY-MM-DD}")
    return next((p for p in (_check_window(w, vocab) for w in value) if p), None)


def _check_phrases(value: Any, _vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        return _Bad("phrases", "must be a non-empty list of texts")
    return None


def _check_unit_group(value: Any, _vocab: _Vocab) -> _Bad | None:
    return None if value in UNIT_GROUPS else _Bad(
        "unit_group", f"must be one of {', '.join(UNIT_GROUPS)} (got {value!r})", {"value": value})


def _check_activity_types(value: Any, vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, list) or not value:
        return _Bad("activity_types", "must be a non-empty list of activity codes")
    return next((p for p in (_check_activity_type(v, vocab) for v in value) if p), None)


def _check_frame(value: Any, _vocab: _Vocab) -> _Bad | None:
    return None if value in FRAME_DTYPES else _Bad(
        "frame", f"unknown frame {value!r} (known: {', '.join(FRAME_DTYPES)})", {"value": value})


def _check_steps(value: Any, _vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, list) or not value or not all(
            isinstance(s, Mapping) and isinstance(s.get("from"), date) and isinstance(s.get("value"), (int, float))
            for s in value):
        return _Bad("steps", "must be a list of {from: YYYY-MM-DD, value: number}")
    return None


def _check_condition(when: Any, vocab: _Vocab) -> _Bad | None:
    if not isinstance(when, Mapping):
        return _Bad("condition",
                    "`when` must be {activity_type, [place], [window], [at_least]} or {target, [at_least]}")
    if "target" in when:
        return None if when["target"] in vocab.target_ids else _Bad(
            "condition_target", f"unknown target {when['target']!r}", {"value": when["target"]})
    if "activity_type" not in when:
        return _Bad("condition", "`when` needs `activity_type` or `target`")
    checks = [_check_activity_type(when["activity_type"], vocab)]
    checks += [_check_place(when["place"], vocab)] if "place" in when else []
    checks += [_check_window(when["window"], vocab)] if "window" in when else []
    return next((c for c in checks if c), None)


def _check_models(value: Any, vocab: _Vocab) -> _Bad | None:
    if not isinstance(value, list) or not value:
        return _Bad("models", "must be a list of {id, label {vi, en}, when}")
    for i, model in enumerate(value, start=1):
        if not isinstance(model, Mapping) or "id" not in model or "when" not in model:
            return _Bad("models", f"model {i} needs `id` and `when`")
        bad = _check_condition(model["when"], vocab)
        if bad:
            return _Bad(bad.code, f"model {model['id']!r}: {bad.text}", bad.params)
    return None


_PARAM_CHECKS: dict[str, Callable[[Any, _Vocab], _Bad | None]] = {
    "activity_type": _check_activity_type, "place": _check_place, "item": _check_item,
    "threshold": _check_positive, "window": _check_window, "expected_from": _check_date,
    "expected_steps": _check_steps, "models": _check_models, "frame": _check_frame,
    "exclude_windows": _check_windows, "recipient": _check_phrases, "units": _check_unit_group,
    "activity_types": _check_activity_types,
}


def _check_columns(params: Mapping[str, Any], kind: str, where: str) -> list[Problem]:
    defaults = {"distinct_count": "beneficiaries", "tracked_value": "resources"}
    if kind not in defaults or "column" not in params:
        return []
    frame = params.get("frame", defaults[kind])
    columns = FRAME_DTYPES.get(frame, {})
    problems = [] if params["column"] in columns else [
        problem(f"{where}.column", "column", f"unknown column {params['column']!r} of {frame}",
                value=params["column"], frame=frame)]
    if "date_column" in params and params["date_column"] not in columns:
        problems.append(problem(f"{where}.date_column", "column",
                                f"unknown date_column {params['date_column']!r} of {frame}",
                                value=params["date_column"], frame=frame))
    return problems


def _param_errors(params: Mapping[str, Any], kind: str, vocab: _Vocab, where: str) -> list[Problem]:
    """Every problem of a target's ``params`` for ``kind``; ``where``: the target's ``params`` path."""
    spec = KINDS[kind]
    errors = [problem(f"{where}.{name}", "missing_param",
                      f"missing parameter `{name}` (kind {kind} needs {', '.join(spec.required)})",
                      name=name, kind=kind) for name in spec.required if name not in params]
    allowed = set(spec.required) | set(spec.optional)
    errors += [problem(f"{where}.{name}", "unknown_param",
                       f"unknown parameter `{name}` for kind {kind} (allowed: {', '.join(sorted(allowed)) or 'none'})",
                       name=name, kind=kind, allowed=", ".join(sorted(allowed)) or "-")
               for name in params if name not in allowed]
    for name, value in params.items():
        check = _PARAM_CHECKS.get(name)
        bad = check(value, vocab) if check and name in allowed else None
        if bad:
            errors.append(problem(f"{where}.{name}", bad.code, f"parameter `{name}`: {bad.text}", name=name,
                                  **bad.params))
    return errors + _check_columns(params, kind, where)


# ---------------------------------------------------------------------------------------------
# Targets


def _target_errors(raw: Mapping[str, Any], vocab: _Vocab, where: str) -> list[Problem]:
    """Every problem of one target entry (texts without the "target 'id': " prefix, added by the caller)."""
    errors = [problem(f"{where}.{key}", "missing_key", f"missing `{key}`", key=key)
              for key in ("id", "clause", "kind") if not raw.get(key)]
    errors += [problem(f"{where}.{key}", "text_pair", f"`{key}` needs non-empty `vi` and `en` texts", key=key)
               for key in ("label", "responsible") if not _text_pair(raw.get(key))]
    errors += [problem(f"{where}.{key}", "unknown_key", f"unknown key `{key}`", key=key)
               for key in raw if key not in _TARGET_KEYS]
    kind = raw.get("kind")
    if kind and kind not in KINDS:
        errors.append(problem(f"{where}.kind", "unknown_kind", f"unknown kind {kind!r} (known: {', '.join(KINDS)})",
                              value=kind))
    elif kind:
        params = raw.get("params") or {}
        errors += (_param_errors(params, kind, vocab, f"{where}.params") if isinstance(params, Mapping)
                   else [problem(f"{where}.params", "params_shape", "`params` must be a mapping")])
        errors += _target_value_errors(raw.get("target"), kind, f"{where}.target")
    if raw.get("format", "count") not in FORMATS:
        errors.append(problem(f"{where}.format", "format",
                              f"unknown format {raw.get('format')!r} (known: {', '.join(FORMATS)})",
                              value=raw.get("format")))
    return errors


def _target_value_errors(value: Any, kind: str, where: str) -> list[Problem]:
    """A positive number, or null: a tracked line with no number ("Theo dõi")."""
    if KINDS[kind].pace == "none":
        return [] if value is None else [problem(where, "no_target_value",
                                                 f"kind {kind} has no target: set `target: null`", kind=kind)]
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return [problem(where, "target_value", f"`target` must be a positive number (got {value!r})", value=value)]
    return []


def _target(raw: Mapping[str, Any]) -> Target:
    params = dict(raw.get("params") or {})
    if "expected_steps" in params:
        params["expected_steps"] = sorted(params["expected_steps"], key=lambda s: s["from"])
    default_format = {"reporting_rate": "percent", "tracked_value": "vnd"}.get(raw["kind"], "count")
    return Target(id=raw["id"], clause=str(raw["clause"]), label=dict(raw["label"]),
                  responsible=dict(raw["responsible"]), kind=raw["kind"], target=raw.get("target"),
                  params=params, interpretation=bool(raw.get("interpretation", False)),
                  format=raw.get("format", default_format), measure=dict(raw.get("measure") or {}),
                  section=raw.get("section"), roles=tuple(raw.get("roles") or ()), quote=str(raw.get("quote") or ""),
                  previous=raw.get("previous"))


def _composite_cycles(raw_targets: list[Mapping[str, Any]]) -> list[Problem]:
    kinds = {t.get("id"): t.get("kind") for t in raw_targets}
    errors = []
    for t in raw_targets:
        for model in ((t.get("params") or {}).get("models") or []) if t.get("kind") == "composite" else []:
            ref = model.get("when", {}).get("target") if isinstance(model, Mapping) else None
            if ref is not None and kinds.get(ref) == "composite":
                errors.append(problem(f"targets.{t.get('id')}.params.models", "composite_cycle",
                                      f"target {t.get('id')!r}: a model cannot depend on another composite target "
                                      f"{ref!r}", value=ref))
    return errors


# ---------------------------------------------------------------------------------------------
# Units: a units file named by ``reference.units``, or the plan's own ``units:`` list


def _units(entries: Any, where: str, errors: list[Problem]) -> tuple[Unit, ...]:
    """The units of a units list ({code, name_vi, [aliases], [kind], [pilot], [counts_for_reporting],
    [valid_from], [valid_to], [merged_into], [note]}); an entry without a code is a problem."""
    if not isinstance(entries, list) or not entries:
        errors.append(problem(where, "units_shape", f"{where}: must be a non-empty list of units {{code, name_vi, …}}"))
        return ()
    out = []
    for i, u in enumerate(entries, start=1):
        if not isinstance(u, Mapping) or not u.get("code") or not str(u.get("name_vi") or u.get("code")).strip():
            errors.append(problem(f"{where}.{i}", "unit_shape", f"unit {i}: needs `code` and `name_vi`", number=i))
            continue
        dates = {key: _as_date(u[key]) if u.get(key) else None for key in ("valid_from", "valid_to")}
        for key in [k for k, v in dates.items() if u.get(k) and v is None]:
            errors.append(problem(f"units.{u['code']}.{key}", "date", f"unit {u['code']!r}: `{key}` must be a "
                                  f"date YYYY-MM-DD (got {u[key]!r})", value=u[key]))
        out.append(Unit(code=str(u["code"]), name_vi=str(u.get("name_vi") or u["code"]),
                        pilot=bool(u.get("pilot", False)),
                        counts_for_reporting=bool(u.get("counts_for_reporting", True)),
                        valid_from=dates["valid_from"], valid_to=dates["valid_to"], merged_into=u.get("merged_into"),
                        aliases=tuple(str(a) for a in u.get("aliases") or ()), kind=str(u.get("kind") or "")))
    return tuple(out)


def unit_problems(units: tuple[Unit, ...]) -> list[Problem]:
    """Validity periods that end before they start, duplicate codes, merges into unknown units."""
    codes = [u.code for u in units]
    errors = [problem(f"units.{c}.code", "unit_duplicate", f"units: duplicate code {c!r}", unit=c)
              for c in sorted({c for c in codes if codes.count(c) > 1})]
    errors += [problem(f"units.{u.code}.valid_to", "unit_dates",
                       f"unit {u.code!r}: valid_to {u.valid_to} is before valid_from {u.valid_from}",
                       unit=u.code, valid_to=u.valid_to.strftime("%d/%m/%Y"),
                       valid_from=u.valid_from.strftime("%d/%m/%Y"))
               for u in units if u.valid_from and u.valid_to and u.valid_to < u.valid_from]
    errors += [problem(f"units.{u.code}.merged_into", "unit_merge_unknown",
                       f"unit {u.code!r}: merged_into {u.merged_into!r} is not a unit of the list",
                       unit=u.code, value=u.merged_into)
               for u in units if u.merged_into and (u.merged_into not in codes or u.merged_into == u.code)]
    errors += [problem(f"units.{u.code}.valid_to", "unit_merge_end",
                       f"unit {u.code!r}: merged_into needs valid_to (the day it ended)", unit=u.code)
               for u in units if u.merged_into and not u.valid_to]
    if not errors:  # one name for two units that exist at the same time: a report naming it is ambiguous
        try:
            UnitRegistry([u.as_known() for u in units], source="units")
        except ValueError as exc:
            errors.append(problem("units", "unit_name_shared", str(exc), detail=str(exc)))
    return errors


def unit_errors(units: tuple[Unit, ...]) -> list[str]:
    """The English texts of ``unit_problems``."""
    return [p.text for p in unit_problems(units)]


def _load_references(raw: Mapping[str, Any], path: Path, errors: list[Problem]) -> dict[str, Any]:
    """The reference files' contents by key; the units from the plan's own ``units:`` list when it
    has one (then ``reference.units`` is not needed), else from the units file it names."""
    refs = raw.get("reference") or {}
    inline = "units" in raw
    names = {"units": None if inline else refs.get("units"), "districts": refs.get("districts"),
             "places": refs.get("places", "places.yaml"), "vocabularies": refs.get("vocabularies", "vocabularies.yaml")}
    out: dict[str, Any] = {"units": _units(raw["units"], "units", errors)} if inline else {}
    for key, name in names.items():
        if key == "units" and inline:
            continue
        if not name:
            errors.append(problem(f"reference.{key}", "reference_missing",
                                  f"reference: missing `{key}` (a reference file name, e.g. {key}.yaml)", key=key))
            continue
        file = resolve_reference(str(name), path)
        if not file.is_file():
            errors.append(problem(f"reference.{key}", "reference_not_found",
                                  f"reference `{key}`: file {name!r} not found beside the plan or in "
                                  f"{settings.REFERENCE_DIR}", key=key, name=name))
            continue
        out[key] = _units(_read_yaml(file).get("units"), f"reference.{key}", errors) if key == "units" \
            else _read_yaml(file)
    return out


def _vocab(refs: dict[str, Any], raw_targets: list[Mapping[str, Any]]) -> _Vocab:
    vocabularies = refs.get("vocabularies") or {}
    places = {p["code"]: tuple(p.get("aliases", [])) for p in (refs.get("places") or {}).get("places", [])}
    return _Vocab({a["code"] for a in vocabularies.get("activity_types", [])},
                  {i["code"] for i in vocabularies.get("resource_items", [])}, places,
                  {t.get("id") for t in raw_targets if isinstance(t, Mapping)})


def _period(raw: Mapping[str, Any], errors: list[Problem]) -> tuple[date, date]:
    period = raw.get("period") or {}
    start, end = _as_date(period.get("start")), _as_date(period.get("end"))
    if start is None or end is None or start > end:
        errors.append(problem("period", "period", "`period` must be {start: YYYY-MM-DD, end: YYYY-MM-DD} with "
                              "start <= end"))
        return date(2000, 1, 1), date(2000, 12, 31)
    return start, end


def _adjustments(raw: list[Any], targets: Mapping[str, Mapping[str, Any]], months: list[str],
                 errors: list[Problem]) -> tuple[Adjustment, ...]:
    out = []
    for i, adj in enumerate(raw, start=1):
        where, at = f"adjustment {i}", f"adjustments.{i}"
        if not isinstance(adj, Mapping):
            errors.append(problem(at, "adjustment_shape", f"{where}: must be {{target, months, reason {{vi, en}}}}",
                                  number=i))
            continue
        target = targets.get(adj.get("target"))
        if target is None:
            errors.append(problem(at, "adjustment_target", f"{where}: unknown target {adj.get('target')!r}",
                                  number=i, value=adj.get("target")))
        elif KINDS.get(target.get("kind"), KINDS["tracked_value"]).pace != "monthly":
            errors.append(problem(at, "adjustment_not_monthly", f"{where}: target {adj.get('target')!r} is not paced "
                                  "by month; only monthly targets can have months excused",
                                  number=i, value=adj.get("target")))
        bad = [m for m in adj.get("months") or [] if str(m) not in months]
        if not adj.get("months") or bad:
            errors.append(problem(at, "adjustment_months", f"{where}: `months` must list months of the plan as "
                                  f"\"YYYY-MM\" (bad: {bad or 'none given'})", number=i,
                                  value=", ".join(map(str, bad)) or "-"))
        if not _text_pair(adj.get("reason")):
            errors.append(problem(at, "adjustment_reason", f"{where}: `reason` needs non-empty `vi` and `en` texts",
                                  number=i))
        out.append(Adjustment(str(adj.get("target")), tuple(str(m) for m in adj.get("months") or []),
                              dict(adj.get("reason") or {})))
    return tuple(out)


def _targets(raw_targets: list[Any], vocab: _Vocab, errors: list[Problem]) -> tuple[Target, ...]:
    seen: set[str] = set()
    targets = []
    for i, raw in enumerate(raw_targets, start=1):
        if not isinstance(raw, Mapping):
            errors.append(problem(f"targets.{i}", "target_shape", f"target {i}: must be a mapping", number=i))
            continue
        name, where = f"target {raw.get('id', i)!r}", f"targets.{raw.get('id', i)}"
        problems = _target_errors(raw, vocab, where)
        if raw.get("id") in seen:
            problems.append(problem(f"{where}.id", "duplicate_id", "duplicate id", value=raw.get("id")))
        seen.add(raw.get("id"))
        errors += [Problem(p.where, p.code, f"{name}: {p.text}", p.params) for p in problems]
        if not problems:
            targets.append(_target(raw))
    errors += _composite_cycles([t for t in raw_targets if isinstance(t, Mapping)])
    return tuple(targets)


def _support_types(raw: Mapping[str, Any], vocab: Any, errors: list[Problem]) -> tuple[str, ...]:
    """``support_activity_types``: the activity types whose people are "people supported" (every
    type of the vocabulary when the plan does not say)."""
    known = sorted(vocab.activity_types)
    listed = raw.get("support_activity_types")
    if listed is None:
        return tuple(known)
    if not isinstance(listed, list) or not listed:
        errors.append(problem("support_activity_types", "support_types_shape",
                              "`support_activity_types` must be a non-empty list of activity types"))
        return ()
    unknown = [str(c) for c in listed if c not in known]
    if unknown:
        errors.append(problem("support_activity_types", "support_types_unknown",
                              f"`support_activity_types`: unknown activity type(s) {', '.join(unknown)} "
                              f"(known: {', '.join(known)})", value=", ".join(unknown)))
    return tuple(str(c) for c in listed if c in known)


# ---------------------------------------------------------------------------------------------
# Layout: the report's sections and the targets' roles (what code would otherwise know by id)


def _sections(raw: Mapping[str, Any], errors: list[Problem]) -> tuple[Section, ...]:
    """``sections``: [{id, label {vi, en}, [show: [checkups_chart, coverage_table]]}] (may be absent)."""
    listed = raw.get("sections") or []
    if not isinstance(listed, list):
        errors.append(problem("sections", "section_shape", "`sections` must be a list of {id, label {vi, en}, [show]}"))
        return ()
    out, seen = [], set(OWN_SECTIONS)
    for i, sec in enumerate(listed, start=1):
        if not isinstance(sec, Mapping) or not sec.get("id") or not _text_pair(sec.get("label")):
            errors.append(problem(f"sections.{i}", "section_shape",
                                  f"section {i}: needs `id` and `label` with non-empty `vi` and `en` texts"))
            continue
        if sec["id"] in seen:
            errors.append(problem(f"sections.{sec['id']}", "section_duplicate", f"section {sec['id']!r}: duplicate id "
                                  f"(or a reserved one: {', '.join(OWN_SECTIONS)})", value=sec["id"]))
        seen.add(sec["id"])
        show = sec.get("show") or []
        bad = [s for s in show if s not in SECTION_SHOWS] if isinstance(show, list) else [show]
        if bad:
            errors.append(problem(f"sections.{sec['id']}", "section_show", f"section {sec['id']!r}: unknown `show` "
                                  f"{bad} (known: {', '.join(SECTION_SHOWS)})", value=", ".join(map(str, bad))))
        out.append(Section(str(sec["id"]), dict(sec["label"]), tuple(s for s in show if s in SECTION_SHOWS)))
    return tuple(out)


def _layout_errors(targets: tuple[Target, ...], sections: tuple[Section, ...]) -> list[Problem]:
    """Every target's section declared, roles known, and at most one check-up chart (a
    monthly_threshold target)."""
    known = {s.id for s in sections} | set(OWN_SECTIONS)
    errors = [problem(f"targets.{t.id}.section", "unknown_section", f"target {t.id!r}: unknown section "
                      f"{t.section!r} (declared: {', '.join(sorted(known))})", value=t.section)
              for t in targets if t.section is not None and t.section not in known]
    errors += [problem(f"targets.{t.id}.roles", "unknown_role", f"target {t.id!r}: unknown role {r!r} "
                       f"(known: {', '.join(ROLES)})", value=r)
               for t in targets for r in t.roles if r not in ROLES]
    charts = [t for t in targets if "checkup_chart" in t.roles]
    if len(charts) > 1:
        # said at each target that takes the role, so the editor shows it beside every one of them
        text = f"role checkup_chart: at most one target (got {', '.join(t.id for t in charts)})"
        errors += [problem(f"targets.{t.id}.roles", "role_twice", text, role="checkup_chart",
                           targets=", ".join(c.id for c in charts)) for t in charts]
    errors += [problem(f"targets.{t.id}.roles", "role_kind", f"target {t.id!r}: role checkup_chart needs kind "
                       "monthly_threshold", role="checkup_chart", kind="monthly_threshold") for t in charts
               if t.kind != "monthly_threshold"]
    return errors


def _criteria(raw: Any, errors: list[Problem]) -> tuple[Criterion, ...]:
    """``emulation.criteria``: ids from ``EMULATION_CRITERIA``, each at most once, weights >= 0
    whose sum is > 0 (a weight of 0 keeps a criterion listed without counting it)."""
    criteria = []
    for i, item in enumerate(raw or [], start=1):
        where = f"emulation criterion {i}"
        if not isinstance(item, Mapping) or item.get("id") not in EMULATION_CRITERIA:
            errors.append(problem(f"emulation.criteria.{i}", "criterion_id", f"{where}: `id` must be one of "
                                  f"{', '.join(EMULATION_CRITERIA)}", known=", ".join(EMULATION_CRITERIA)))
            continue
        weight, at = item.get("weight"), f"emulation.criteria.{item['id']}"
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            errors.append(problem(f"{at}.weight", "weight", f"{where} ({item['id']}): `weight` must be a number >= 0",
                                  value=weight))
            continue
        if not _text_pair(item.get("label")):
            errors.append(problem(f"{at}.label", "criterion_label",
                                  f"{where} ({item['id']}): `label` needs non-empty `vi` and `en` texts"))
            continue
        criteria.append(Criterion(str(item["id"]), float(weight), dict(item["label"])))
    if not criteria:
        errors.append(problem("emulation.criteria", "criteria_empty", "`emulation.criteria` must list at least one "
                              "criterion"))
    elif not sum(c.weight for c in criteria):
        errors.append(problem("emulation.criteria", "weights_sum", "`emulation.criteria`: the weights must not all "
                              "be 0"))
    if len({c.id for c in criteria}) != len(criteria):
        errors.append(problem("emulation.criteria", "criteria_twice", "`emulation.criteria`: each criterion at most "
                              "once"))
    return tuple(criteria)


def _emulation(raw: Any, targets: Mapping[str, Any], units: set[str], errors: list[Problem]) -> Emulation:
    """The ``emulation:`` block: ``criteria`` [{id, weight, label {vi, en}}] (see ``_criteria``) and
    ``tasks`` {unit code: [target ids]}; none: no scorecard."""
    if raw is None:
        return Emulation()
    if not isinstance(raw, Mapping):
        errors.append(problem("emulation", "emulation_shape", "`emulation` must be a mapping with `criteria` and "
                              "`tasks`"))
        return Emulation()
    criteria = _criteria(raw.get("criteria"), errors)
    tasks: dict[str, tuple[str, ...]] = {}
    raw_tasks = raw.get("tasks") or {}
    if not isinstance(raw_tasks, Mapping):
        errors.append(problem("emulation.tasks", "tasks_shape", "`emulation.tasks` must map unit codes to lists of "
                              "target ids"))
        raw_tasks = {}
    for unit, ids in raw_tasks.items():
        if unit not in units:
            errors.append(problem(f"emulation.tasks.{unit}", "task_unit", f"`emulation.tasks`: unknown unit {unit!r}",
                                  unit=unit))
        unknown = [str(i) for i in ids or [] if i not in targets] if isinstance(ids, list) else ["(not a list)"]
        if unknown or not ids:
            errors.append(problem(f"emulation.tasks.{unit}", "task_targets", f"`emulation.tasks.{unit}`: unknown "
                                  f"target(s) {', '.join(unknown) or '(none given)'}", unit=unit,
                                  value=", ".join(unknown) or "-"))
        tasks[str(unit)] = tuple(str(i) for i in ids or [] if i in targets) if isinstance(ids, list) else ()
    return Emulation(criteria, tasks)


def plan_problems(raw: Any, path: Path) -> tuple[Plan | None, list[Problem]]:
    """The plan the raw data (as read from a plan file at ``path``, whose folder reference files are
    looked up in) describes, and every problem found; the plan is None when there is any."""
    if not isinstance(raw, Mapping):
        return None, [problem("plan", "not_mapping", "the plan file must be a mapping")]
    errors: list[Problem] = []
    refs = _load_references(raw, path, errors)
    raw_targets = raw.get("targets") or []
    if not isinstance(raw_targets, list) or not raw_targets:
        errors.append(problem("targets", "targets_empty", "`targets` must be a non-empty list"))
        raw_targets = []
    start, end = _period(raw, errors)
    vocab = _vocab(refs, raw_targets)
    targets = _targets(raw_targets, vocab, errors)
    by_id = {t.get("id"): t for t in raw_targets if isinstance(t, Mapping)}
    adjustments = _adjustments(raw.get("adjustments") or [], by_id, plan_months(start, end), errors)
    support = _support_types(raw, vocab, errors)
    emulation = _emulation(raw.get("emulation"), by_id, {u.code for u in refs.get("units") or ()}, errors)
    due_days = raw.get("due_days_after_month_end", 10)
    if isinstance(due_days, bool) or not isinstance(due_days, int) or due_days < 0:
        errors.append(problem("due_days", "due_days", "`due_days_after_month_end` must be a whole number of days >= 0"))
    if not raw.get("plan"):
        errors.append(problem("plan", "plan_number", "missing `plan` (the plan's number, e.g. 114-KH/ĐTN)"))
    sections = _sections(raw, errors)
    errors += _layout_errors(targets, sections)
    errors += unit_problems(refs.get("units") or ())
    if errors:
        return None, errors
    districts = tuple(d["code"] for d in (refs.get("districts") or {}).get("districts", []))
    return Plan(number=str(raw["plan"]), title=dict(raw.get("title") or {}), start=start, end=end,
                due_days=due_days, units=refs["units"], districts=districts, places=vocab.places,
                targets=targets, adjustments=adjustments, source=path, support_activity_types=support,
                sections=sections, emulation=emulation), []


def load_plan(path: str | Path | None = None) -> Plan:
    """Load and check a plan file (default: ``settings.plan_file``); ``PlanError`` lists every problem."""
    path = Path(path or settings.get_settings().plan_file)
    try:
        raw = _read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(path, [problem("plan", "unreadable", f"cannot read the plan file: {exc}",
                                       detail=str(exc))]) from None
    plan, problems = plan_problems(raw, path)
    if plan is None:
        raise PlanError(path, problems)
    return plan
