"""Parsing and checking one column at a time (docs/data-contract.md §2), whole columns at once.

Each parser takes the raw cells of the data rows and returns the typed values, with the issues
recorded in the collector. ``bad`` marks rows holding an error, so they are left out of the frame.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import text
from ..vocab import reference
from .issue_cap import IssueCollector
from .messages import severity_of
from .bytescan import tidy_mask
from .rows import as_arrow_text, nonempty


@dataclass
class Column:
    """The raw cells of one mapped column, where they are, and what they are called."""

    key: str
    label: str            # header as written
    values: pd.Series     # raw cells of the data rows (index 0..n-1)
    rows: np.ndarray      # Excel row numbers, aligned
    sheet: str
    required: bool
    filled: np.ndarray | None = None  # nonempty(values), when already known
    text: pa.Array | None = None      # values as Arrow strings, when the reader had them


@dataclass
class Context:
    """What checks need beyond the cells: the report month and the plan's period."""

    period: str | None         # "YYYY-MM"
    plan_start: pd.Timestamp
    plan_end: pd.Timestamp
    issues: IssueCollector
    bad: np.ndarray            # rows with an error so far (mutated)


def _flag(ctx: Context, code: str, col: Column, mask: np.ndarray, **params) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        ctx.issues.add_rows(code, col.sheet, col.rows[mask], col.label, col.values[mask], **params)
        if severity_of(code) == "error":
            ctx.bad |= mask


def check_required(ctx: Context, col: Column) -> np.ndarray:
    """Flags a missing required value; returns the mask of filled cells."""
    filled = nonempty(col.values) if col.filled is None else col.filled
    if col.required:
        missing = ~filled
        if missing.any():
            ctx.issues.add_rows("missing_value", col.sheet, col.rows[missing], col.label)
            ctx.bad |= missing
    return filled


def parse_date(ctx: Context, col: Column) -> pd.Series:
    filled = check_required(ctx, col)
    dates, reason = text.parse_dates(col.values)
    _flag(ctx, "invalid_date", col, filled & reason.notna().to_numpy())
    ok = dates.notna().to_numpy()
    outside_year = ok & ((dates < ctx.plan_start) | (dates > ctx.plan_end)).to_numpy()
    _flag(ctx, "date_outside_plan_year", col, outside_year,
          year=_plan_years(ctx))
    if ctx.period:
        _flag(ctx, "date_outside_month", col, ok & ~outside_year & _outside_month(dates, ctx.period),
              period=_period_label(ctx.period))
    return dates


def _outside_month(dates: pd.Series, period: str) -> np.ndarray:
    """Where a date's "YYYY-MM" is not ``period`` (NaT included); compared as numbers, not text."""
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", period)
    if match is None or not pd.api.types.is_datetime64_dtype(dates.dtype):
        return (dates.dt.strftime("%Y-%m").to_numpy() != period)
    days = dates.to_numpy(dtype="datetime64[M]")
    return days != np.datetime64(f"{match[1]}-{match[2]}", "M")


def _plan_years(ctx: Context) -> str:
    a, b = ctx.plan_start.year, ctx.plan_end.year
    return str(a) if a == b else f"{a}–{b}"


def _period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{int(month)}/{year}"


def parse_number(ctx: Context, col: Column, *, integer: bool, positive: bool = False) -> pd.Series:
    """Counts (integers ≥ 0), money (≥ 0, scaled by a header such as "(nghìn đồng)") or quantities (> 0)."""
    filled = check_required(ctx, col)
    numbers, reason = text.parse_numbers(col.values, scale=text.header_scale(col.label))
    reason = reason.to_numpy(dtype=object)
    invalid = filled & (reason == "invalid_number")
    if integer:
        invalid |= filled & numbers.notna().to_numpy() & (numbers.fillna(0) % 1 != 0).to_numpy()
    _flag(ctx, "invalid_number", col, invalid)
    negative = filled & (reason == "negative_number")
    _flag(ctx, "negative_number", col, negative)
    if positive:
        _flag(ctx, "not_positive", col, filled & ~invalid & ~negative & (numbers.fillna(1) <= 0).to_numpy())
    return numbers.where(~(invalid | negative))


def parse_code(ctx: Context, col: Column, vocabulary: str) -> pd.Series:
    filled = check_required(ctx, col)
    vocab = reference().vocabulary(vocabulary)
    match = vocab.match(col.values)
    _unknown(ctx, col, filled & match.unknown.to_numpy(), vocab)
    return match.codes


def _unknown(ctx: Context, col: Column, mask: np.ndarray, vocab, values: pd.Series | None = None) -> None:
    if not mask.any():
        return
    shown = (values if values is not None else col.values)[mask]
    accepted = "; ".join(vocab.labels("vi"))
    for row, value in zip(col.rows[mask][: ctx.issues.cap], shown[: ctx.issues.cap]):
        hint = vocab.suggest(str(value))
        ctx.issues.add("unknown_code", col.sheet, int(row), col.label, value=str(value).strip(), accepted=accepted,
                       suggestion_pair=(f" Có phải '{hint}'?" if hint else "", f" Did you mean '{hint}'?" if hint else ""))
    ctx.issues.total["error"] += max(0, int(mask.sum()) - ctx.issues.cap)
    ctx.bad |= mask


def parse_district(ctx: Context, col: Column) -> pd.Series:
    filled = check_required(ctx, col)
    vocab = reference().districts
    match = vocab.match(col.values)
    _unknown(ctx, col, filled & match.unknown.to_numpy(), vocab)
    ambiguous = filled & match.ambiguous.to_numpy()
    if ambiguous.any():
        for code in pd.unique(match.codes[ambiguous]):
            these = ambiguous & (match.codes == code).to_numpy()
            _flag(ctx, "ambiguous_code", col, these, chosen=vocab.label(code, "vi"),
                  examples=vocab.examples_for(code) if hasattr(vocab, "examples_for") else "")
    return match.codes


def parse_categories(ctx: Context, col: Column) -> pd.Series:
    """One or more beneficiary categories separated by ";": codes joined with ";"."""
    filled = check_required(ctx, col)
    vocab = reference().beneficiary_categories
    codes, unknown, first_unknown = reference().categories(col.values)
    _unknown(ctx, col, filled & unknown.to_numpy(), vocab, values=first_unknown)
    return _joined(codes)


def _joined(codes: pd.Series) -> pd.Series:
    """Each tuple of codes joined with ";" (None for an empty tuple or no tuple), once per distinct tuple."""
    try:
        positions, uniques = pd.factorize(codes.to_numpy(dtype=object), use_na_sentinel=True)
    except TypeError:  # something unhashable: cell by cell
        return codes.map(lambda t: ";".join(t) if isinstance(t, tuple) and t else None)
    table = np.array([";".join(t) if isinstance(t, tuple) and t else None for t in uniques] + [None], dtype=object)
    return pd.Series(table[positions], index=codes.index, name=codes.name, dtype=object)


def parse_yes_no(ctx: Context, col: Column) -> pd.Series:
    filled = check_required(ctx, col)
    values, reason = text.parse_yes_no(col.values)
    bad = filled & reason.notna().to_numpy()
    if bad.any():
        ctx.issues.add_rows("unknown_code", col.sheet, col.rows[bad], col.label, col.values[bad],
                            accepted="Có, Không (hoặc x / để trống)")
        ctx.bad |= bad
    return values.astype(bool)


def parse_year(ctx: Context, col: Column) -> pd.Series:
    filled = check_required(ctx, col)
    years, reason = text.parse_years(col.values)
    invalid = filled & reason.notna().to_numpy()
    _flag(ctx, "invalid_number", col, invalid)
    top = ctx.plan_end.year
    out = filled & ~invalid & years.notna().to_numpy() & ((years < 1900) | (years > top)).fillna(False).to_numpy()
    _flag(ctx, "birth_year_out_of_range", col, out, min=1900, max=top)
    return years


def _clean_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) or None


def parse_text(ctx: Context, col: Column) -> pd.Series:
    """Free text, with spacing tidied; computed once per distinct value."""
    check_required(ctx, col)
    values = col.values.to_numpy(dtype=object)
    strings = col.text if col.text is not None else as_arrow_text(values)
    if strings is not None:  # text only: tidy cells stay as they are, the others are cleaned
        cleaned = np.where(strings.is_null().to_numpy(zero_copy_only=False), None, values)
        for i in np.flatnonzero(strings.is_valid().to_numpy(zero_copy_only=False) & ~tidy_mask(strings)):
            cleaned[i] = _clean_text(values[i])
        return pd.Series(cleaned, index=col.values.index, name=col.values.name, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([_clean_text(u) for u in uniques] + [None], dtype=object)
    return pd.Series(table[codes], index=col.values.index, name=col.values.name, dtype=object)
