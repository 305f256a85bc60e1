"""Loading a plan file and checking it, with errors that name the target and what is wrong.

Every problem found is collected; ``PlanError`` lists them all at once.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .. import settings
from ..store.tables import FRAME_DTYPES
from .kinds import KINDS, UNIT_GROUPS
from .definition import (EMULATION_CRITERIA, OWN_SECTIONS, ROLES, SECTION_SHOWS, Adjustment, Criterion, Emulation,
                         Plan, Section, Target, Unit, plan_months)

FORMATS = ("count", "percent", "vnd")
_TARGET_KEYS = {"id", "clause", "label", "responsible", "kind", "target", "params", "interpretation", "format",
                "measure", "section", "roles", "quote", "previous"}


class PlanError(ValueError):
    """A plan file that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, path: Path | str, errors: list[str]) -> None:
        self.path, self.errors = Path(path), errors
        super().__init__(f"{path}: " + ("; ".join(errors) if len(errors) < 2
                                        else "\n  - " + "\n  - ".join(errors)))


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


# ---------------------------------------------------------------------------------------------
# Parameter checks, by parameter name. Each returns an error message or None.


def _check_activity_type(value: Any, vocab: _Vocab) -> str | None:
    if value not in vocab.activity_types:
        return f"unknown activity code {value!r} (known: {', '.join(sorted(vocab.activity_types))})"
    return None


def _check_place(value: Any, vocab: _Vocab) -> str | None:
    if value not in vocab.places:
        return f"unknown place {value!r} (known: {', '.join(sorted(vocab.places))})"
    return None


def _check_item(value: Any, vocab: _Vocab) -> str | None:
    if value not in vocab.items:
        return f"unknown resource item {value!r} (known: {', '.join(sorted(vocab.items))})"
    return None


def _check_positive(value: Any, _vocab: _Vocab) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return f"must be a positive number (got {value!r})"
    return None


def _check_date(value: Any, _vocab: _Vocab) -> str | None:
    return None if isinstance(value, date) else f"must be a date YYYY-MM-DD (got {value!r})"


def _check_window(value: Any, _vocab: _Vocab) -> str | None:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(k), date) for k in ("from", "to")):
        return "must be {from: YYYY-MM-DD, to: YYYY-MM-DD}"
    if value["from"] > value["to"]:
        return "window ends before it starts"
    return None


def _check_windows(value: Any, vocab: _Vocab) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a list of {from: YYYY-MM-DD, to: YYYY-MM-DD}"
    return next((p for p in (_check_window(w, vocab) for w in value) if p), None)


def _check_phrases(value: Any, _vocab: _Vocab) -> str | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        return "must be a non-empty list of texts"
    return None


def _check_unit_group(value: Any, _vocab: _Vocab) -> str | None:
    return None if value in UNIT_GROUPS else f"must be one of {', '.join(UNIT_GROUPS)} (got {value!r})"


def _check_activity_types(value: Any, vocab: _Vocab) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of activity codes"
    return next((p for p in (_check_activity_type(v, vocab) for v in value) if p), None)


def _check_frame(value: Any, _vocab: _Vocab) -> str | None:
    return None if value in FRAME_DTYPES else f"unknown frame {value!r} (known: {', '.join(FRAME_DTYPES)})"


def _check_steps(value: Any, _vocab: _Vocab) -> str | None:
    if not isinstance(value, list) or not value or not all(
            isinstance(s, Mapping) and isinstance(s.get("from"), date) and isinstance(s.get("value"), (int, float))
            for s in value):
        return "must be a list of {from: YYYY-MM-DD, value: number}"
    return None


def _check_condition(when: Any, vocab: _Vocab) -> str | None:
    if not isinstance(when, Mapping):
        return "`when` must be {activity_type, [place], [window], [at_least]} or {target, [at_least]}"
    if "target" in when:
        return None if when["target"] in vocab.target_ids else f"unknown target {when['target']!r}"
    if "activity_type" not in when:
        return "`when` needs `activity_type` or `target`"
    checks = [_check_activity_type(when["activity_type"], vocab)]
    checks += [_check_place(when["place"], vocab)] if "place" in when else []
    checks += [_check_window(when["window"], vocab)] if "window" in when else []
    return next((c for c in checks if c), None)


def _check_models(value: Any, vocab: _Vocab) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a list of {id, label {vi, en}, when}"
    for i, model in enumerate(value, start=1):
        if not isinstance(model, Mapping) or "id" not in model or "when" not in model:
            return f"model {i} needs `id` and `when`"
        problem = _check_condition(model["when"], vocab)
        if problem:
            return f"model {model['id']!r}: {problem}"
    return None


_PARAM_CHECKS: dict[str, Callable[[Any, _Vocab], str | None]] = {
    "activity_type": _check_activity_type, "place": _check_place, "item": _check_item,
    "threshold": _check_positive, "window": _check_window, "expected_from": _check_date,
    "expected_steps": _check_steps, "models": _check_models, "frame": _check_frame,
    "exclude_windows": _check_windows, "recipient": _check_phrases, "units": _check_unit_group,
    "activity_types": _check_activity_types,
}


def _check_columns(params: Mapping[str, Any], kind: str) -> list[str]:
    defaults = {"distinct_count": "beneficiaries", "tracked_value": "resources"}
    if kind not in defaults or "column" not in params:
        return []
    frame = params.get("frame", defaults[kind])
    columns = FRAME_DTYPES.get(frame, {})
    problems = [] if params["column"] in columns else [f"unknown column {params['column']!r} of {frame}"]
    if "date_column" in params and params["date_column"] not in columns:
        problems.append(f"unknown date_column {params['date_column']!r} of {frame}")
    return problems


def _param_errors(params: Mapping[str, Any], kind: str, vocab: _Vocab) -> list[str]:
    spec = KINDS[kind]
    errors = [f"missing parameter `{name}` (kind {kind} needs {', '.join(spec.required)})"
              for name in spec.required if name not in params]
    allowed = set(spec.required) | set(spec.optional)
    errors += [f"unknown parameter `{name}` for kind {kind} (allowed: {', '.join(sorted(allowed)) or 'none'})"
               for name in params if name not in allowed]
    for name, value in params.items():
        check = _PARAM_CHECKS.get(name)
        problem = check(value, vocab) if check and name in allowed else None
        if problem:
            errors.append(f"parameter `{name}`: {problem}")
    return errors + _check_columns(params, kind)


# ---------------------------------------------------------------------------------------------
# Targets


def _target_errors(raw: Mapping[str, Any], vocab: _Vocab) -> list[str]:
    errors = [f"missing `{key}`" for key in ("id", "clause", "kind") if not raw.get(key)]
    errors += [f"`{key}` needs non-empty `vi` and `en` texts" for key in ("label", "responsible")
               if not _text_pair(raw.get(key))]
    errors += [f"unknown key `{key}`" for key in raw if key not in _TARGET_KEYS]
    kind = raw.get("kind")
    if kind and kind not in KINDS:
        errors.append(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    elif kind:
        params = raw.get("params") or {}
        errors += _param_errors(params, kind, vocab) if isinstance(params, Mapping) else ["`params` must be a mapping"]
        errors += _target_value_errors(raw.get("target"), kind)
    if raw.get("format", "count") not in FORMATS:
        errors.append(f"unknown format {raw.get('format')!r} (known: {', '.join(FORMATS)})")
    return errors


def _target_value_errors(value: Any, kind: str) -> list[str]:
    """A positive number, or null: a tracked line with no number ("Theo dõi")."""
    if KINDS[kind].pace == "none":
        return [] if value is None else [f"kind {kind} has no target: set `target: null`"]
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return [f"`target` must be a positive number (got {value!r})"]
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


def _composite_cycles(raw_targets: list[Mapping[str, Any]]) -> list[str]:
    kinds = {t.get("id"): t.get("kind") for t in raw_targets}
    errors = []
    for t in raw_targets:
        for model in ((t.get("params") or {}).get("models") or []) if t.get("kind") == "composite" else []:
            ref = model.get("when", {}).get("target") if isinstance(model, Mapping) else None
            if ref is not None and kinds.get(ref) == "composite":
                errors.append(f"target {t.get('id')!r}: a model cannot depend on another composite target {ref!r}")
    return errors


# ---------------------------------------------------------------------------------------------
# References and the whole file


def _load_units(path: Path) -> tuple[Unit, ...]:
    raw = _read_yaml(path)
    return tuple(Unit(code=u["code"], name_vi=u.get("name_vi", u["code"]), pilot=bool(u.get("pilot", False)),
                      counts_for_reporting=bool(u.get("counts_for_reporting", True)),
                      valid_from=_as_date(u["valid_from"]) if u.get("valid_from") else None,
                      valid_to=_as_date(u["valid_to"]) if u.get("valid_to") else None,
                      merged_into=u.get("merged_into"))
                 for u in raw["units"])


def unit_errors(units: tuple[Unit, ...]) -> list[str]:
    """Validity periods that end before they start, duplicate codes, merges into unknown units."""
    codes = [u.code for u in units]
    errors = [f"units: duplicate code {c!r}" for c in sorted({c for c in codes if codes.count(c) > 1})]
    errors += [f"unit {u.code!r}: valid_to {u.valid_to} is before valid_from {u.valid_from}" for u in units
               if u.valid_from and u.valid_to and u.valid_to < u.valid_from]
    errors += [f"unit {u.code!r}: merged_into {u.merged_into!r} is not a unit of the list" for u in units
               if u.merged_into and u.merged_into not in codes]
    errors += [f"unit {u.code!r}: merged_into needs valid_to (the day it ended)" for u in units
               if u.merged_into and not u.valid_to]
    return errors


def _load_references(raw: Mapping[str, Any], path: Path, errors: list[str]) -> dict[str, Any]:
    refs = raw.get("reference") or {}
    names = {"units": refs.get("units"), "districts": refs.get("districts"),
             "places": refs.get("places", "places.yaml"), "vocabularies": refs.get("vocabularies", "vocabularies.yaml")}
    out: dict[str, Any] = {}
    for key, name in names.items():
        if not name:
            errors.append(f"reference: missing `{key}` (a reference file name, e.g. {key}.yaml)")
            continue
        file = resolve_reference(str(name), path)
        if not file.is_file():
            errors.append(f"reference `{key}`: file {name!r} not found beside the plan or in {settings.REFERENCE_DIR}")
            continue
        out[key] = _load_units(file) if key == "units" else _read_yaml(file)
    return out


def _vocab(refs: dict[str, Any], raw_targets: list[Mapping[str, Any]]) -> _Vocab:
    vocabularies = refs.get("vocabularies") or {}
    places = {p["code"]: tuple(p.get("aliases", [])) for p in (refs.get("places") or {}).get("places", [])}
    return _Vocab({a["code"] for a in vocabularies.get("activity_types", [])},
                  {i["code"] for i in vocabularies.get("resource_items", [])}, places,
                  {t.get("id") for t in raw_targets if isinstance(t, Mapping)})


def _period(raw: Mapping[str, Any], errors: list[str]) -> tuple[date, date]:
    period = raw.get("period") or {}
    start, end = _as_date(period.get("start")), _as_date(period.get("end"))
    if start is None or end is None or start > end:
        errors.append("`period` must be {start: YYYY-MM-DD, end: YYYY-MM-DD} with start <= end")
        return date(2000, 1, 1), date(2000, 12, 31)
    return start, end


def _adjustments(raw: list[Any], targets: Mapping[str, Mapping[str, Any]], months: list[str],
                 errors: list[str]) -> tuple[Adjustment, ...]:
    out = []
    for i, adj in enumerate(raw, start=1):
        where = f"adjustment {i}"
        if not isinstance(adj, Mapping):
            errors.append(f"{where}: must be {{target, months, reason {{vi, en}}}}")
            continue
        target = targets.get(adj.get("target"))
        if target is None:
            errors.append(f"{where}: unknown target {adj.get('target')!r}")
        elif KINDS.get(target.get("kind"), KINDS["tracked_value"]).pace != "monthly":
            errors.append(f"{where}: target {adj.get('target')!r} is not paced by month; only monthly targets "
                          "can have months excused")
        bad = [m for m in adj.get("months") or [] if str(m) not in months]
        if not adj.get("months") or bad:
            errors.append(f"{where}: `months` must list months of the plan as \"YYYY-MM\" (bad: {bad or 'none given'})")
        if not _text_pair(adj.get("reason")):
            errors.append(f"{where}: `reason` needs non-empty `vi` and `en` texts")
        out.append(Adjustment(str(adj.get("target")), tuple(str(m) for m in adj.get("months") or []),
                              dict(adj.get("reason") or {})))
    return tuple(out)


def _targets(raw_targets: list[Any], vocab: _Vocab, errors: list[str]) -> tuple[Target, ...]:
    seen: set[str] = set()
    targets = []
    for i, raw in enumerate(raw_targets, start=1):
        if not isinstance(raw, Mapping):
            errors.append(f"target {i}: must be a mapping")
            continue
        name = f"target {raw.get('id', i)!r}"
        problems = _target_errors(raw, vocab)
        if raw.get("id") in seen:
            problems.append("duplicate id")
        seen.add(raw.get("id"))
        errors += [f"{name}: {p}" for p in problems]
        if not problems:
            targets.append(_target(raw))
    errors += _composite_cycles([t for t in raw_targets if isinstance(t, Mapping)])
    return tuple(targets)


def _support_types(raw: Mapping[str, Any], vocab: Any, errors: list[str]) -> tuple[str, ...]:
    """``support_activity_types``: the activity types whose people are "people supported" (every
    type of the vocabulary when the plan does not say)."""
    known = sorted(vocab.activity_types)
    listed = raw.get("support_activity_types")
    if listed is None:
        return tuple(known)
    if not isinstance(listed, list) or not listed:
        errors.append("`support_activity_types` must be a non-empty list of activity types")
        return ()
    unknown = [str(c) for c in listed if c not in known]
    if unknown:
        errors.append(f"`support_activity_types`: unknown activity type(s) {', '.join(unknown)} "
                      f"(known: {', '.join(known)})")
    return tuple(str(c) for c in listed if c in known)


# ---------------------------------------------------------------------------------------------
# Layout: the report's sections and the targets' roles (what code would otherwise know by id)


def _sections(raw: Mapping[str, Any], errors: list[str]) -> tuple[Section, ...]:
    """``sections``: [{id, label {vi, en}, [show: [checkups_chart, coverage_table]]}] (may be absent)."""
    listed = raw.get("sections") or []
    if not isinstance(listed, list):
        errors.append("`sections` must be a list of {id, label {vi, en}, [show]}")
        return ()
    out, seen = [], set(OWN_SECTIONS)
    for i, sec in enumerate(listed, start=1):
        if not isinstance(sec, Mapping) or not sec.get("id") or not _text_pair(sec.get("label")):
            errors.append(f"section {i}: needs `id` and `label` with non-empty `vi` and `en` texts")
            continue
        if sec["id"] in seen:
            errors.append(f"section {sec['id']!r}: duplicate id (or a reserved one: {', '.join(OWN_SECTIONS)})")
        seen.add(sec["id"])
        show = sec.get("show") or []
        bad = [s for s in show if s not in SECTION_SHOWS] if isinstance(show, list) else [show]
        if bad:
            errors.append(f"section {sec['id']!r}: unknown `show` {bad} (known: {', '.join(SECTION_SHOWS)})")
        out.append(Section(str(sec["id"]), dict(sec["label"]), tuple(s for s in show if s in SECTION_SHOWS)))
    return tuple(out)


def _layout_errors(targets: tuple[Target, ...], sections: tuple[Section, ...]) -> list[str]:
    """Every target's section declared, roles known, and at most one check-up chart (a
    monthly_threshold target)."""
    known = {s.id for s in sections} | set(OWN_SECTIONS)
    errors = [f"target {t.id!r}: unknown section {t.section!r} (declared: {', '.join(sorted(known))})"
              for t in targets if t.section is not None and t.section not in known]
    errors += [f"target {t.id!r}: unknown role {r!r} (known: {', '.join(ROLES)})"
               for t in targets for r in t.roles if r not in ROLES]
    charts = [t for t in targets if "checkup_chart" in t.roles]
    if len(charts) > 1:
        errors.append(f"role checkup_chart: at most one target (got {', '.join(t.id for t in charts)})")
    errors += [f"target {t.id!r}: role checkup_chart needs kind monthly_threshold" for t in charts
               if t.kind != "monthly_threshold"]
    return errors


def _emulation(raw: Any, targets: Mapping[str, Any], units: set[str], errors: list[str]) -> Emulation:
    """The ``emulation:`` block: ``criteria`` [{id, weight, label {vi, en}}] (ids from
    ``EMULATION_CRITERIA``, weights > 0) and ``tasks`` {unit code: [target ids]}; none: no scorecard."""
    if raw is None:
        return Emulation()
    if not isinstance(raw, Mapping):
        errors.append("`emulation` must be a mapping with `criteria` and `tasks`")
        return Emulation()
    criteria = []
    for i, item in enumerate(raw.get("criteria") or [], start=1):
        where = f"emulation criterion {i}"
        if not isinstance(item, Mapping) or item.get("id") not in EMULATION_CRITERIA:
            errors.append(f"{where}: `id` must be one of {', '.join(EMULATION_CRITERIA)}")
            continue
        weight = item.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            errors.append(f"{where} ({item['id']}): `weight` must be a number > 0")
            continue
        if not _text_pair(item.get("label")):
            errors.append(f"{where} ({item['id']}): `label` needs non-empty `vi` and `en` texts")
            continue
        criteria.append(Criterion(str(item["id"]), float(weight), dict(item["label"])))
    if not criteria:
        errors.append("`emulation.criteria` must list at least one criterion")
    if len({c.id for c in criteria}) != len(criteria):
        errors.append("`emulation.criteria`: each criterion at most once")
    tasks: dict[str, tuple[str, ...]] = {}
    raw_tasks = raw.get("tasks") or {}
    if not isinstance(raw_tasks, Mapping):
        errors.append("`emulation.tasks` must map unit codes to lists of target ids")
        raw_tasks = {}
    for unit, ids in raw_tasks.items():
        if unit not in units:
            errors.append(f"`emulation.tasks`: unknown unit {unit!r}")
        unknown = [str(i) for i in ids or [] if i not in targets] if isinstance(ids, list) else ["(not a list)"]
        if unknown or not ids:
            errors.append(f"`emulation.tasks.{unit}`: unknown target(s) {', '.join(unknown) or '(none given)'}")
        tasks[str(unit)] = tuple(str(i) for i in ids or [] if i in targets) if isinstance(ids, list) else ()
    return Emulation(tuple(criteria), tasks)


def load_plan(path: str | Path | None = None) -> Plan:
    """Load and check a plan file (default: ``settings.plan_file``); ``PlanError`` lists every problem."""
    path = Path(path or settings.get_settings().plan_file)
    try:
        raw = _read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(path, [f"cannot read the plan file: {exc}"]) from None
    if not isinstance(raw, Mapping):
        raise PlanError(path, ["the plan file must be a mapping"])
    errors: list[str] = []
    refs = _load_references(raw, path, errors)
    raw_targets = raw.get("targets") or []
    if not isinstance(raw_targets, list) or not raw_targets:
        errors.append("`targets` must be a non-empty list")
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
        errors.append("`due_days_after_month_end` must be a whole number of days >= 0")
    if not raw.get("plan"):
        errors.append("missing `plan` (the plan's number, e.g. 114-KH/ĐTN)")
    sections = _sections(raw, errors)
    errors += _layout_errors(targets, sections)
    errors += unit_errors(refs.get("units") or ())
    if errors:
        raise PlanError(path, errors)
    districts = tuple(d["code"] for d in (refs.get("districts") or {}).get("districts", []))
    return Plan(number=str(raw["plan"]), title=dict(raw.get("title") or {}), start=start, end=end,
                due_days=due_days, units=refs["units"], districts=districts, places=vocab.places,
                targets=targets, adjustments=adjustments, source=path, support_activity_types=support,
                sections=sections, emulation=emulation)
