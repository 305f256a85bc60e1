"""What is wrong in a plan, as data: where (a path in the plan), a code, and the message.

``load_plan`` collects ``Problem`` records; ``PlanError.errors`` keeps their English texts (what
``plan check --lang en`` prints), and ``Problem.message(lang)`` gives the text of the code in the
interface's language (``plan_err_<code>`` in ``ytsupport/i18n.py``), which the plan editor shows
beside the field the path names and ``plan check`` prints in Vietnamese by default.

Paths are dotted: ``period``, ``due_days``, ``targets.<id>.<field>`` (``targets.<id>.params.<name>``
for a parameter), ``units.<code>.<field>``, ``emulation.criteria.<id>.weight``,
``emulation.tasks.<unit>``, ``adjustments.<n>``, ``sections.<id>``, ``reference.<key>``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import t

# Every problem code; each has its message ``plan_err_<code>`` in both languages.
CODES: tuple[str, ...] = (
    "unreadable", "not_mapping", "plan_number", "period", "due_days", "targets_empty", "reference_missing",
    "reference_not_found", "target_shape", "missing_key", "text_pair", "unknown_key", "unknown_kind",
    "params_shape", "missing_param", "unknown_param", "unknown_activity", "unknown_place", "unknown_item",
    "positive", "date", "window_shape", "window_order", "windows_shape", "phrases", "unit_group",
    "activity_types", "frame", "steps", "models", "condition", "condition_target", "column", "no_target_value",
    "target_value", "format", "duplicate_id", "composite_cycle", "adjustment_shape", "adjustment_target",
    "adjustment_not_monthly", "adjustment_months", "adjustment_reason", "support_types_shape",
    "support_types_unknown", "section_shape", "section_duplicate", "section_show", "unknown_section",
    "unknown_role", "role_twice", "role_kind", "emulation_shape", "criterion_id", "weight", "criterion_label",
    "criteria_empty", "criteria_twice", "weights_sum", "tasks_shape", "task_unit", "task_targets", "units_shape",
    "unit_shape", "unit_duplicate", "unit_dates", "unit_merge_unknown", "unit_merge_end", "unit_name_shared", "plan_id", "other",
)


@dataclass(frozen=True)
class Problem:
    """One problem of a plan: ``where`` it is (a dotted path, see the module's docstring), its
    ``code`` (one of ``CODES``) with the ``params`` its message needs, and its English ``text``."""

    where: str
    code: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        """The problem in ``lang`` (``vi`` or ``en``)."""
        # formatted here, not by t(): a parameter may be called ``key``, as t()'s own argument is
        return t(f"plan_err_{self.code}", lang).format(**{**self.params, "text": self.text})

    def __str__(self) -> str:
        return self.text


def problem(where: str, code: str, text: str, **params: Any) -> Problem:
    """A ``Problem``; ``params`` fill the message of ``code``."""
    return Problem(where, code, text, params)


def under(problems: list[Problem], prefix: str) -> list[Problem]:
    """The problems at ``prefix`` or inside it (``targets.a`` holds ``targets.a.roles``, not ``targets.ab``)."""
    return [p for p in problems if p.where == prefix or p.where.startswith(prefix + ".")]
