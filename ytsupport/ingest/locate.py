"""Locating what a sheet holds: its header row(s), its kind, and the unit and month in its title."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from ..text import fold
from .records import KINDS, Kind, RawSheet
from .columns import NUMBERING_HEADERS, fold_header, match_header, sheet_name_index, sheet_specs

MAX_HEADER_SEARCH = 40
MAX_HEADER_WIDTH = 120  # report sheets have a dozen columns; a 9,000-column sheet is not searched in full
_TOTAL_WORDS = frozenset({"tong", "tong so", "tong cong", "cong"})


def is_empty(value: Any) -> bool:
    """A cell with nothing in it (None, NaN, or only spaces)."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str:
    """A header or title cell as the user wrote it (single spaces, no line breaks)."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _row(top: Sequence[Sequence[Any]], i: int, width: int) -> list[str]:
    row = list(top[i][:width]) if i < len(top) else []
    return [cell_text(v) for v in row] + [""] * (width - len(row))


def combine_header_rows(upper: list[str], lower: list[str]) -> list[str]:
    """Header labels of a two-row header: "Trong đó" above "Khuyết tật" gives "Trong đó: Khuyết tật".

    A group heading merged across several columns is only in its first cell: it carries to the
    right over columns that have a lower label and an empty upper one.
    """
    labels: list[str] = []
    group = ""
    for up, low in zip(upper, lower):
        if up and low:
            group = up
            labels.append(f"{up}: {low}")
        elif low and group:
            labels.append(f"{group}: {low}")
        else:
            group = ""
            labels.append(up or low)
    return labels


def _label_matches(label: str) -> tuple[tuple[Kind, str], ...]:
    hits = match_header(label)
    if hits or ": " not in label:
        return hits
    up, low = label.split(": ", 1)
    if fold(low) in _TOTAL_WORDS:
        return match_header(up)
    return match_header(low) or match_header(up)


def score_labels(labels: Sequence[str]) -> tuple[int, Kind | None]:
    """How many distinct columns of the best-fitting kind these labels name (0 if < 2 or no required one)."""
    best: tuple[int, Kind | None] = (0, None)
    for kind in KINDS:
        keys = {key for label in labels for k, key in _label_matches(label) if k == kind}
        required = {c.key for c in sheet_specs()[kind].required}
        score = len(keys) if len(keys) >= 2 and keys & required else 0
        if score > best[0]:
            best = (score, kind)
    return best


def find_header_rows(top: Sequence[Sequence[Any]]) -> tuple[int, ...]:
    """The 0-based indexes in ``top`` of the header row (one, or two for a two-row header); () if none."""
    width = min(max((len(r) for r in top), default=0), MAX_HEADER_WIDTH)
    best: tuple[int, tuple[int, ...]] = (0, ())
    for i in range(min(len(top), MAX_HEADER_SEARCH)):
        upper = _row(top, i, width)
        single, _ = score_labels(upper)
        double = 0
        if i + 1 < len(top) and any(upper):
            lower = _row(top, i + 1, width)
            double, _ = score_labels(combine_header_rows(upper, lower))
            double = double if double > score_labels(lower)[0] else 0
        score, rows = (double, (i, i + 1)) if double > single else (single, (i,))
        if score > best[0]:
            best = (score, rows)
    return best[1]


def header_labels(sheet: RawSheet) -> list[str]:
    """The header of each column as written (two rows joined with ": ")."""
    width = max((len(r) for r in sheet.top), default=0)
    if sheet.data is not None:
        width = max(width, sheet.data.shape[1])
    rows = sheet.header_rows
    if not rows:
        return [""] * width
    upper = _row(sheet.top, rows[0], width)
    return combine_header_rows(upper, _row(sheet.top, rows[1], width)) if len(rows) == 2 else upper


@dataclass(frozen=True)
class ColumnMap:
    """Which canonical key each column holds, and the columns nobody knows."""

    kind: Kind
    columns: dict[str, int]          # key -> column position
    labels: dict[str, str]           # key -> header as written
    unknown: list[tuple[int, str]]   # (position, header as written)
    numbering: int | None            # the STT column, if any


def map_columns(labels: Sequence[str], kind: Kind) -> ColumnMap:
    """Map header labels to the kind's keys; the first column naming a key wins."""
    columns: dict[str, int] = {}
    shown: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    numbering = None
    for pos, label in enumerate(labels):
        if not label:
            continue
        keys = [key for k, key in _label_matches(label) if k == kind and key not in columns]
        if keys:
            columns[keys[0]], shown[keys[0]] = pos, label
        elif fold_header(label) in NUMBERING_HEADERS and numbering is None:
            numbering = pos
        else:
            unknown.append((pos, label))
    return ColumnMap(kind, columns, shown, unknown, numbering)


def kind_from_name(name: str) -> str | None:
    """The kind ("activities", "beneficiaries", "resources", "info", or "ignored") a sheet name announces."""
    folded = fold(name)
    exact = sheet_name_index().get(folded) or sheet_name_index().get(folded.replace(" ", ""))
    if exact:
        return exact
    if not folded or any(fold(n) in folded for n in ("huong dan", "danh muc")):
        return "ignored" if folded else None
    for needle, kind in (("hoat dong", "activities"), ("doi tuong", "beneficiaries"),
                         ("nguon luc", "resources"), ("thong tin", "info")):
        if needle in folded:
            return kind
    return None


def sheet_kind(sheet: RawSheet) -> Kind | None:
    """The kind of a report sheet: its name's, unless its headers clearly say another kind."""
    named = kind_from_name(sheet.name)
    if named == "ignored" or (named is None and not sheet.visible):
        return None
    _, by_headers = score_labels(header_labels(sheet)) if sheet.header_rows else (0, None)
    if named in KINDS and not (by_headers and by_headers != named and _kind_score(sheet, named) < 2):
        return named  # type: ignore[return-value]
    return by_headers


def _kind_score(sheet: RawSheet, kind: str) -> int:
    labels = header_labels(sheet)
    return len({key for label in labels for k, key in _label_matches(label) if k == kind})


# --- unit and month in titles, info sheets and file names ---------------------------------

_DATED_LINE = re.compile(r"ngay \d{1,2} thang \d{1,2} nam \d{4}")
_MONTH_IN_TITLE = re.compile(r"\bthang (\d{1,2}) (?:nam )?((?:19|20)\d{2})\b")
_MONTH_VALUE = re.compile(r"^(?:thang )?(\d{1,2}) (?:nam )?((?:19|20)\d{2})$")
_ISO_MONTH = re.compile(r"^((?:19|20)\d{2}) (\d{1,2})(?: \d{1,2})?(?: 00 00 00)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) (\d{1,2}) ((?:19|20)\d{2})$")
_MONTH_IN_NAME = (re.compile(r"(?:^|\D)((?:19|20)\d{2})[ _.-](\d{1,2})(?:\D|$)"),
                  re.compile(r"(?:thang|t)[ _.-]?(\d{1,2})[ _./-]+((?:19|20)\d{2})"),
                  re.compile(r"(?:^|\D)(\d{1,2})[_.-]((?:19|20)\d{2})(?:\D|$)"))


def _period(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def period_from_value(value: Any) -> str | None:
    """A report month from an info-sheet cell: 6/2021, 06/2021, tháng 6/2021, Tháng 6 năm 2021, a date."""
    if isinstance(value, (date, datetime)):
        return _period(value.year, value.month)
    folded = fold(value)
    for pattern, order in ((_MONTH_VALUE, (2, 1)), (_ISO_MONTH, (1, 2))):
        m = pattern.match(folded)
        if m:
            return _period(int(m.group(order[0])), int(m.group(order[1])))
    m = _DAY_MONTH_YEAR.match(folded)
    return _period(int(m.group(3)), int(m.group(2))) if m else None


def period_from_title(line: str) -> str | None:
    """The report month named in a title line ("BÁO CÁO THÁNG 6/2021"), ignoring dated lines."""
    folded = _DATED_LINE.sub(" ", fold(line))
    m = _MONTH_IN_TITLE.search(folded)
    return _period(int(m.group(2)), int(m.group(1))) if m else None


def period_from_file_name(stem: str) -> str | None:
    """The report month in a file name: 2021-06_x, BC thang 6-2021, T6_2021, 06.2021."""
    low = fold(stem.replace("_", " ").replace("-", " ").replace(".", " "))
    raw = stem.lower()
    for text in (raw, low):
        for i, pattern in enumerate(_MONTH_IN_NAME):
            m = pattern.search(text)
            if m:
                year, month = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
                found = _period(int(year), int(month))
                if found:
                    return found
    return None


def title_lines(sheet: RawSheet) -> list[str]:
    """The text rows above the header (or the first rows of a sheet with no header)."""
    end = sheet.header_rows[0] if sheet.header_rows else min(len(sheet.top), 12)
    lines = []
    for row in sheet.top[:end]:
        text = " ".join(cell_text(v) for v in row if not is_empty(v))
        if text:
            lines.append(text)
    return lines
