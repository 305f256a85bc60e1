"""Plain records passed between the reading, checking and storing steps."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from ..legacy import Tally
from .arrow_rows import ArrowRows
from .messages import Severity, render

Kind = Literal["activities", "beneficiaries", "resources"]
KINDS: tuple[Kind, ...] = ("activities", "beneficiaries", "resources")
FileStatus = Literal["ok", "invalid", "unreadable", "stored", "unchanged", "replaced"]


@dataclass(frozen=True)
class Issue:
    """One problem found in a file: where it is, a stable code, and what to do about it.

    ``row`` is the row number Excel shows (None for file-level issues); ``column`` is the header
    as written in the file (None when there is none). ``params`` fill the message templates of
    ``messages.py``; the message is rendered in the user's language on demand.
    """

    sheet: str | None
    row: int | None
    column: str | None
    code: str
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, self.params, self.sheet, self.row, self.column, lang)

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code,
                "severity": self.severity, "message": self.message(lang)}


@dataclass
class RawSheet:
    """A sheet as read from the file, before any interpretation of its values.

    ``top`` holds the first rows (up to ``PEEK_ROWS``) as Python values, starting at the Excel
    row ``first_row`` (1-based) and column ``first_col`` (0-based). ``data`` holds the rows below
    the header (positional columns, aligned with ``top``'s columns), the first of them at Excel
    row ``data_first_row``; it is None when no header was found. ``header_rows`` are the 0-based
    indexes into ``top`` of the header row(s). Straight from the reader, an Excel sheet's rows
    are still Arrow (``pending``): :meth:`materialise` makes them ``data``, and keeps the text
    columns as Arrow strings too (``texts``, by column position) for the checks.
    """

    name: str
    top: list[list[Any]]
    first_row: int = 1
    first_col: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: tuple[int, ...] = ()
    data: pd.DataFrame | None = None
    data_first_row: int | None = None
    visible: bool = True
    pending: ArrowRows | None = None
    texts: dict[int, pa.Array] = field(default_factory=dict, repr=False)
    legacy: Tally | None = None  # legacy-encoded text converted while reading (ytsupport.legacy)

    def materialise(self) -> "RawSheet":
        """Turn ``pending`` Arrow rows into the pandas ``data`` (a no-op when there are none)."""
        if self.pending is not None:
            self.data, self.texts, self.pending = self.pending.to_frame(), self.pending.texts(), None
        return self

    def release(self) -> None:
        """Let go of the rows (once checked)."""
        self.data, self.texts, self.pending = None, {}, None


@dataclass
class RawWorkbook:
    """What the worker returns: the sheets, or the file-level issues that stopped reading."""

    path: str
    file_format: str
    sheets: list[RawSheet] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def materialise(self) -> "RawWorkbook":
        """Every sheet's rows as pandas (see :meth:`RawSheet.materialise`)."""
        for sheet in self.sheets:
            sheet.materialise()
        return self


@dataclass
class SheetResult:
    name: str
    kind: Kind
    rows_read: int
    rows_valid: int
    header_row: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "rows_read": self.rows_read, "rows_valid": self.rows_valid}


@dataclass
class Report:
    """One branch report, read and checked.

    ``frames`` maps a sheet kind to its rows in canonical columns (the keys of
    ``reference/sheets.yaml`` plus ``sheet`` and ``row``), typed; rows with an error are left
    out. Several sheets of one kind are concatenated.
    """

    path: str
    file_name: str
    sha256: str
    unit: str | None
    period: str | None  # "YYYY-MM"
    sheets: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    status: FileStatus = "ok"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def is_nil(self) -> bool:
        """A nil report: no data rows on any sheet (nothing happened this month)."""
        return all(len(f) == 0 for f in self.frames.values())

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {"path": self.path, "unit": self.unit, "period": self.period, "status": self.status,
                "sheets": [s.to_json() for s in self.sheets],
                "issues": [i.to_json(lang) for i in self.issues]}


def exit_code(statuses: list[str]) -> int:
    """The command line's exit code over files' statuses: 2 if some file is unreadable, else 1 if
    some file is invalid, else 0 (docs/data-contract.md §5, exit codes)."""
    if "unreadable" in statuses:
        return 2
    return 1 if "invalid" in statuses else 0
