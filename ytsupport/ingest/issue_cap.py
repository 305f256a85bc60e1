"""Collecting issues with a cap: errors are kept first, then warnings, then information."""
from __future__ import annotations

from typing import Any, Iterable

from .messages import severity_of
from .records import Issue

_ORDER = {"error": 0, "warning": 1, "info": 2}


class IssueCollector:
    """Gathers the issues of one file; keeps at most ``cap`` of each severity while counting all."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept: dict[str, list[Issue]] = {"error": [], "warning": [], "info": []}
        self.total: dict[str, int] = {"error": 0, "warning": 0, "info": 0}

    def add(self, code: str, sheet: str | None = None, row: int | None = None,
            column: str | None = None, **params: Any) -> None:
        severity = severity_of(code)
        self.total[severity] += 1
        if len(self.kept[severity]) < self.cap:
            self.kept[severity].append(Issue(sheet, row, column, code, severity, params))  # type: ignore[arg-type]

    def add_rows(self, code: str, sheet: str, rows: Iterable[int], column: str | None,
                 values: Iterable[Any] | None = None, **params: Any) -> None:
        """One issue per row; ``values`` (aligned with rows) fills the message's {value}."""
        rows = list(rows)
        vals = list(values) if values is not None else [None] * len(rows)
        severity = severity_of(code)
        room = max(0, self.cap - len(self.kept[severity]))
        for row, value in zip(rows[:room], vals[:room]):
            self.add(code, sheet, int(row), column, value=_shown(value), **params)
        self.total[severity] += max(0, len(rows) - room)

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.total[issue.severity] += 1
            if len(self.kept[issue.severity]) < self.cap:
                self.kept[issue.severity].append(issue)

    @property
    def has_errors(self) -> bool:
        return self.total["error"] > 0

    def issues(self, sheet_order: list[str]) -> list[Issue]:
        """The issues to show, at most ``cap`` in all (errors first), in sheet and row order."""
        shown: list[Issue] = []
        for severity in ("error", "warning", "info"):
            shown.extend(self.kept[severity][: self.cap - len(shown)])
        more = sum(self.total.values()) - len(shown)
        rank = {name: i for i, name in enumerate(sheet_order)}
        shown.sort(key=lambda i: (i.sheet is not None, rank.get(i.sheet or "", -1),
                                  i.row or 0, _ORDER[i.severity]))
        if more > 0:
            shown.append(Issue(None, None, None, "too_many_issues", "info", {"more": more}))
        return shown


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "strftime"):
        try:
            return value.strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value).strip()
