"""The string table (``ytsupport/i18n.py``): every key is reachable from the product, and every key
the product builds from a prefix and a state exists, in both languages."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from ytsupport.auth import ROLES
from ytsupport.plan.definition import ROLES as PLAN_ROLES
from ytsupport.plan.problems import CODES as PLAN_PROBLEMS
from ytsupport.plan.definition import EMULATION_CRITERIA
from ytsupport.plan.editing import EDIT_PROBLEMS, REFERRERS
from ytsupport.plan.kinds import KINDS as PLAN_KINDS, UNIT_GROUPS

PARAMS = sorted({name for spec in PLAN_KINDS.values() for name in (*spec.required, *spec.optional)})
from ytsupport.report.remarks import SECTIONS
from ytsupport.i18n import LANGS, STRINGS, t
from ytsupport.ingest.messages import Severity
from ytsupport.ingest.records import KINDS
from ytsupport.metrics import AGE_BANDS
from ytsupport.report.export import FORMATS
from ytsupport.states import MonthState, ReportState, TargetStatus
from ytsupport.store.compare import TOTALS
from ytsupport.store.storing import StoreStatus

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = sorted([*(ROOT / "ytsupport").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"])

# Keys the product builds as prefix + a value (t(f"status_{...}"), STRINGS.get(f"state_{...}"),
# widgets.legend(styles, "month_", lang), ...), with every value the prefix is completed with.
COMPUTED: dict[str, tuple[str, ...]] = {
    "status_": (*TargetStatus, "ok", "invalid", "unreadable"),  # a target's status; a checked file's status
    "state_": tuple(ReportState),
    "month_": tuple(MonthState),
    "sev_": get_args(Severity),
    "kind_": KINDS,
    "role_": ROLES,
    "result_": (*get_args(StoreStatus), "refused"),  # store_checked: a stored file's result, or refused
    "cmp_": tuple(measure for _, measure in TOTALS),
    "age_": AGE_BANDS,
    "download_": tuple(FORMATS),
    "map_title_": ("surveyed", "supported", "with_bhyt"),  # the coverage page's map measures
    "sheet_": ("act_detail", "res_detail"),  # the workbook's truncated detail tables: sheet_{key[:3]}_detail
    "pe_": ("label", "responsible"),  # the plan editor's bilingual fields
    "pe_role_": PLAN_ROLES,  # the plan editor's roles of a target
    "plan_err_": PLAN_PROBLEMS,  # a plan's problems, by code
    "pe_kind_": tuple(PLAN_KINDS),  # the plan editor's target kinds
    "pe_param_": (*PARAMS, *(f"{name}_help" for name in PARAMS)),  # each parameter's label and help
    "pe_group_": UNIT_GROUPS,  # a reporting_rate's or units_with_activity's units group
    "pe_crit_": EMULATION_CRITERIA,  # the help of an emulation criterion's weight
    "pe_err_": EDIT_PROBLEMS,  # why a target or unit cannot be added
    "pe_ref_": REFERRERS,  # what refers to a target that cannot be removed
    "sec_": SECTIONS,  # the meeting page's editable sections of the report
}


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]


def _constants(node: ast.AST) -> set[str]:
    """The strings an argument can be: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def _prefix(node: ast.AST) -> str | None:
    """The leading literal of ``f"prefix_{x}"`` or ``"prefix_" + x``."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant):
        return str(node.left.value)
    return None


def _uses() -> tuple[set[str], set[str]]:
    """Literal keys and computed prefixes the product passes to ``t`` (or reads from ``STRINGS``).

    A module that looks keys up through a variable (``for k in ("col_no", ...): t(k)``,
    ``key = "a" if c else "b"; t(key)``, a table of keys such as ``report.labels.AREAS``) counts
    the keys written in its tuples, lists, conditional expressions, dict values and parameter
    defaults (not dict keys or subscripts); a message passed to ``login.require`` is a key.
    """
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in PRODUCT:
        if path.name == "i18n.py" and path.parent.name == "ytsupport":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lookups = _calls(tree, "t") + [c for c in _calls(tree, "get") if getattr(c.func, "value", None)
                                       and getattr(c.func.value, "id", None) == "STRINGS"]
        for call in lookups:
            if call.args:
                literal |= _constants(call.args[0])
                prefixes |= {p for p in [_prefix(call.args[0])] if p}
        prefixes |= {a.value for c in _calls(tree, "legend") for a in c.args
                     if isinstance(a, ast.Constant) and isinstance(a.value, str)}
        indirect = "STRINGS" in {getattr(n, "id", None) for n in ast.walk(tree)} or any(
            call.args and isinstance(call.args[0], ast.Name) for call in lookups)
        # login.require(right, lang, message): the message is a key
        literal |= {s for c in _calls(tree, "require") if len(c.args) > 2 for s in _constants(c.args[2])}
        if indirect:
            for node in ast.walk(tree):
                if isinstance(node, (ast.Tuple, ast.List)):
                    literal |= {s for e in node.elts for s in _constants(e)}
                elif isinstance(node, ast.IfExp):
                    literal |= _constants(node)
                elif isinstance(node, ast.Dict):  # a table from codes to keys
                    literal |= {s for v in node.values for s in _constants(v)}
                elif isinstance(node, ast.arguments):  # a key as a parameter's default
                    literal |= {s for d in node.defaults for s in _constants(d)}
    return literal & set(STRINGS), prefixes


def test_every_key_is_reachable():
    literal, _ = _uses()
    computed = {prefix + value for prefix, values in COMPUTED.items() for value in values}
    dead = sorted(set(STRINGS) - literal - computed)
    assert dead == [], f"keys nothing looks up (remove them, or add the prefix to COMPUTED): {dead}"


def test_every_computed_prefix_is_listed():
    _, prefixes = _uses()
    assert prefixes == set(COMPUTED), "a key built from a prefix: list the values it is completed with in COMPUTED"


@pytest.mark.parametrize("prefix", sorted(COMPUTED))
def test_every_computed_key_exists(prefix):
    missing = [prefix + value for value in COMPUTED[prefix] if prefix + value not in STRINGS]
    assert missing == []


def test_both_languages_and_placeholders_agree():
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, (vi, en) in STRINGS.items():
        assert vi.strip() and en.strip(), key
        assert fields(vi) == fields(en), key
    assert LANGS == ("vi", "en")
    assert t("status_met", "en") == "Met" and t("status_met", "vi") == "Đạt"
    assert t("status_met", "fr") == "Đạt"  # an unknown language falls back to Vietnamese


def test_each_plan_problem_gives_what_its_message_names() -> None:
    """A plan problem made in ``plan/load.py`` or ``plan/stored.py`` (``problem(where, code, text,
    **params)``, or a parameter's ``_Bad(code, text, params)``) passes every field its message
    ``plan_err_<code>`` names, in both languages: a missing one would fail only when shown."""
    import string

    for name in ("load.py", "stored.py"):
        tree = ast.parse((ROOT / "ytsupport" / "plan" / name).read_text(encoding="utf-8"))
        made = [(c.args[1].value, {k.arg for k in c.keywords if k.arg}) for c in _calls(tree, "problem")
                if len(c.args) > 1 and isinstance(c.args[1], ast.Constant)]
        made += [(c.args[0].value, {"name", *(k.value for k in c.args[2].keys)} if len(c.args) > 2 else {"name"})
                 for c in _calls(tree, "_Bad") if isinstance(c.args[0], ast.Constant)]
        assert made
        for code, given in made:
            for text in STRINGS[f"plan_err_{code}"]:
                named = {field for _, field, _, _ in string.Formatter().parse(text) if field}
                assert named <= given | {"text"}, (code, named - given)
