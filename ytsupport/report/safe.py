"""Writing text from uploaded files into spreadsheets without it ever becoming a formula.

OWASP "CSV injection": a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula by Excel or LibreOffice (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``).
Such text is prefixed with a single quote and written as a string cell. Use :func:`inert` for every
text value that reaches a spreadsheet cell (our own labels included: one rule, no exceptions).
"""
from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """``value`` unchanged unless it is text that a spreadsheet could run: then ``"'" + value``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def is_inert(value: Any) -> bool:
    """True when ``value`` (as written) cannot start a formula."""
    return not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS))


def put(cell: Any, value: Any) -> Any:
    """Set an openpyxl cell to ``value``, text made inert and forced to a string cell."""
    safe = inert(value)
    cell.value = safe
    if isinstance(safe, str):
        cell.data_type = "s"  # openpyxl would otherwise treat text starting with "=" as a formula
    return cell


def put_text_as_written(cell: Any, value: Any) -> Any:
    """Set a cell to the user's own value unchanged; text is forced to a string cell, so it never runs.

    For copies of the user's own workbook, where a quote added to their text would change it.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
