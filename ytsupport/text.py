"""Vietnamese-aware text folding and cell value parsing (docs/data-contract.md §2).

Every ``parse_*`` function takes a whole column and returns ``(values, reasons)``: the parsed
values (blank or missing where a cell is blank or bad) and, aligned with them, ``None`` for a
good or blank cell or a stable issue code (``invalid_date``, ``invalid_number``,
``negative_number``, ``invalid_yes_no``). Nothing raises on bad data. Each distinct cell value
is parsed once and the results are mapped back, so a column of a million cells costs about as
much as its few thousand distinct values.

A cell is *blank* when it is missing (None, NaN, NaT, NA), empty or spaces only, or a lone
dash (``-``, ``–``, ``—``: how Vietnamese tables write "none"); see :func:`is_blank`.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Callable

import numpy as np
import pandas as pd

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def fold(value: object) -> str:
    """Fold a cell for matching: lower case, no diacritics (đ -> d), punctuation as spaces, single spaces.

    ``fold("  KHÁM BỆNH,\\nphát thuốc ") == "kham benh phat thuoc"``.
    """
    if value is None:
        return ""
    text = str(value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _PUNCT.sub(" ", text.lower()).replace("_", " ")
    return " ".join(text.split())


# --------------------------------------------------------------------------- blanks and plain text

_DASHES = frozenset({"-", "–", "—", "−"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f\ufeff]+")


def is_blank(value: object) -> bool:
    """True for a missing value (None, NaN, NaT, NA), an empty or all-space string, or a lone dash."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    if isinstance(value, str):
        text = _SPACES.sub("", value)
        return text == "" or text in _DASHES
    return False


def _plain(text: str) -> str:
    """Lower case, no diacritics (đ -> d), all kinds of spaces as one space; punctuation kept."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


# --------------------------------------------------------------------------- headers

_BRACKET_SUFFIX = re.compile(r"\s*[(\[][^()\[\]]*[)\]]?\s*$")
_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]?")
_SCALE_PREFIX = re.compile(r"^(?:dvt|don vi tinh|don vi)\s+")
_CURRENCY_TAIL = r"(?:\s?(?:dong|d|vnd))?"
_SCALES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"(?:nghin|ngan|k|1\s?000){_CURRENCY_TAIL}"), 1_000),
    (re.compile(rf"(?:trieu|tr|1\s?000\s?000){_CURRENCY_TAIL}"), 1_000_000),
    (re.compile(rf"(?:ty|ti|1\s?000\s?000\s?000){_CURRENCY_TAIL}"), 1_000_000_000),
)


def fold_header(value: object) -> str:
    """Fold a column header, first dropping trailing bracketed suffixes and line breaks.

    ``fold_header("Kinh phí\\n(nghìn đồng)") == "kinh phi"``. A header that is nothing but a
    bracket (``"(1)"``) keeps its content: ``"1"``.
    """
    if value is None:
        return ""
    text = _SPACES.sub(" ", str(value)).strip()
    while True:
        stripped = _BRACKET_SUFFIX.sub("", text)
        if stripped == text or not fold(stripped):
            break
        text = stripped
    return fold(text)


def header_scale(header: object) -> int:
    """The multiplier a header states for its column's money values; 1 when it states none.

    ``(nghìn đồng)``, ``(ngàn đồng)``, ``(1.000 đ)``, ``(nghìn)`` -> 1,000; ``(triệu đồng)``,
    ``(tr.đ)``, ``(triệu)`` -> 1,000,000; ``(tỷ đồng)`` -> 1,000,000,000. An ``ĐVT:`` inside
    the bracket is allowed (``(ĐVT: nghìn đồng)``). ``(đồng)`` or ``(VNĐ)`` -> 1.
    """
    if header is None:
        return 1
    for content in _BRACKETED.findall(str(header)):
        folded = _SCALE_PREFIX.sub("", fold(content))
        for pattern, scale in _SCALES:
            if pattern.fullmatch(folded):
                return scale
    return 1


# --------------------------------------------------------------------------- column machinery

def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def _may_hide_bool(value: object) -> bool:
    """True when ``value`` hashes like True or False, so factorize may have merged a bool into it."""
    return isinstance(value, (bool, np.bool_, int, float, np.integer, np.floating)) and value in (0, 1)


def factorize_cells(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the distinct non-missing cells (-1 for missing) and those distinct cells (object array).

    ``uniques[codes]`` rebuilds the column (missing cells aside); parse ``uniques`` once, then
    index the results with ``codes`` to map them back to every row.

    Python hashes ``True == 1``, so plain factorizing would merge a bool cell into a number;
    when that can have happened, the bools are split off into their own distinct values.
    """
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if not any(_may_hide_bool(u) for u in uniques):
        return codes, uniques
    bools = np.fromiter(map(_is_bool, arr), dtype=bool, count=len(arr))
    if not bools.any():
        return codes, uniques
    codes = np.full(len(arr), -1, dtype=np.intp)
    other_codes, other = pd.factorize(arr[~bools], use_na_sentinel=True)
    codes[~bools] = other_codes
    codes[bools] = len(other) + arr[bools].astype(bool).astype(np.intp)
    return codes, np.concatenate([other, np.array([False, True], dtype=object)])


def _over_uniques(
    values: pd.Series, parse: Callable[[object], tuple[object, str | None]], blank: object, dtype: object
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``parse`` once per distinct cell and map ``(value, reason)`` back to every row.

    Missing cells get ``(blank, None)``. Returns two arrays aligned with ``values``.
    """
    codes, uniques = factorize_cells(values)
    parsed = [parse(u) for u in uniques]
    parsed_values = pd.Series([p[0] for p in parsed] + [blank], dtype=dtype).to_numpy()
    reasons = np.array([p[1] for p in parsed] + [None], dtype=object)
    return parsed_values[codes], reasons[codes]


def _reasons(values: pd.Series, bad: np.ndarray, code: str) -> pd.Series:
    """An object Series of ``code`` where ``bad`` and None elsewhere, on ``values``' index."""
    return pd.Series(np.where(bad, code, None).astype(object), index=values.index, name=values.name)


# --------------------------------------------------------------------------- dates

_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
FIRST_DATE = pd.Timestamp("1900-01-01")
LAST_DATE = pd.Timestamp("2100-12-31")
_TIME = r"(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(rf"(\d{{1,2}})([/.\-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_YEAR_FIRST = re.compile(rf"(\d{{4}})([/.\-])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_VIETNAMESE_DATE = re.compile(r"(?:ngay )?(\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_INVALID_DATE = "invalid_date"


def _checked_date(year: int, month: int, day: int) -> pd.Timestamp | None:
    """The date if it exists and lies in 1900..2100, else None (31/02 and 13th months too)."""
    try:
        stamp = pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        return None
    return stamp if FIRST_DATE <= stamp <= LAST_DATE else None


def _serial_date(serial: float) -> pd.Timestamp | None:
    """An Excel serial day number (1899-12-30 origin; a time fraction is dropped), or None."""
    if not math.isfinite(serial) or not 0 < serial < 80_000:
        return None
    stamp = _EXCEL_ORIGIN + pd.Timedelta(days=math.floor(serial))
    return stamp if FIRST_DATE <= stamp <= LAST_DATE else None


def _text_date(text: str) -> pd.Timestamp | None:
    """A day-first, year-first (ISO, optionally with a time) or spelled-out Vietnamese date."""
    plain = re.sub(r"\s*([/.\-])\s*", r"\1", _plain(text))
    plain = re.sub(r"^ngay\s*", "", plain)
    if m := _DAY_FIRST.fullmatch(plain):
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        return _checked_date(year, int(m[3]), int(m[1]))
    if m := _YEAR_FIRST.fullmatch(plain):
        return _checked_date(int(m[1]), int(m[3]), int(m[4]))
    if m := _VIETNAMESE_DATE.fullmatch(fold(text)):
        return _checked_date(int(m[3]), int(m[2]), int(m[1]))
    if _SERIAL_TEXT.fullmatch(plain):
        return _serial_date(float(plain))
    return None


def _date_value(value: object) -> tuple[object, str | None]:
    """Parse one distinct cell into ``(Timestamp or NaT, reason)``."""
    if is_blank(value):
        return pd.NaT, None
    stamp: pd.Timestamp | None = None
    if _is_bool(value):
        stamp = None
    elif isinstance(value, (dt.datetime, np.datetime64)):
        stamp = pd.Timestamp(value)
        stamp = (stamp.tz_localize(None) if stamp.tzinfo is not None else stamp).normalize()
        stamp = stamp if FIRST_DATE <= stamp <= LAST_DATE else None
    elif isinstance(value, dt.date):
        stamp = _checked_date(value.year, value.month, value.day)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        stamp = _serial_date(float(value))
    elif isinstance(value, str):
        stamp = _text_date(value)
    return (pd.NaT, _INVALID_DATE) if stamp is None else (stamp, None)


def _dates_from_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Fast path for a datetime64 column: drop the time zone and time, reject years outside 1900..2100."""
    stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
    bad = (stamps.notna() & ((stamps < FIRST_DATE) | (stamps >= LAST_DATE + pd.Timedelta(days=1)))).to_numpy()
    dates = stamps.where(~bad).astype("datetime64[ns]").dt.normalize()
    return dates.rename(values.name), _reasons(values, bad, _INVALID_DATE)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates, day-first, never month-first (docs/data-contract.md §2).

    Accepts date/datetime/Timestamp/datetime64 cells, Excel serial numbers (1900-01-01..2100-12-31,
    also as 5-digit text), and text ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``,
    ``dd/mm/yy`` (20yy), ISO ``yyyy-mm-dd`` (optionally with a time, as the reader writes date
    cells of mixed columns), and ``ngày 5 tháng 6 năm 2021``. Returns ``(dates, reasons)``:
    datetime64[ns] at midnight (NaT where blank or bad) and ``"invalid_date"`` where a non-blank
    cell is not a real date in 1900..2100 (``06/13/2021`` and ``31/02/2021`` both are).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _dates_from_datetimes(values)
    dates, reasons = _over_uniques(values, _date_value, pd.NaT, "datetime64[ns]")
    return (pd.Series(dates, index=values.index, name=values.name, dtype="datetime64[ns]"),
            pd.Series(reasons, index=values.index, name=values.name, dtype=object))


# --------------------------------------------------------------------------- numbers

_MULTIPLIERS: dict[str, int] = {
    "nghin": 1_000, "ngan": 1_000, "k": 1_000,
    "trieu": 1_000_000, "tr": 1_000_000,
    "ty": 1_000_000_000, "ti": 1_000_000_000,
}
_CURRENCY_WORDS = frozenset({"d", "dong", "vnd"})
_SPACE_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])")
_NUMBER_PART = re.compile(r"(\d+(?:[.,]\d+)*)\s*([^\d]*)")
_TAIL = re.compile(r"[a-z\s./]*")
_INVALID_NUMBER = "invalid_number"
_NEGATIVE_NUMBER = "negative_number"


def _grouped(groups: list[str]) -> bool:
    """True when ``groups`` are thousands groups: 1-3 digits without a leading zero, then 3 digits each."""
    head = groups[0]
    return 1 <= len(head) <= 3 and not (len(head) > 1 and head[0] == "0") and \
        all(len(g) == 3 for g in groups[1:])


def _digits(number: str) -> Decimal | None:
    """Read ``1.500.000``, ``1,500,000``, ``2,5``, ``2.5``, ``1.234,5`` (Vietnamese and English style).

    A separator followed by exactly three digits groups thousands; followed by another count of
    digits it is the decimal mark. With both ``.`` and ``,`` present, the last one is the decimal
    mark. ``0.500`` is a decimal (a thousands group never follows a lone 0); ``1500.000`` and
    ``1.500.00`` are ambiguous and so invalid.
    """
    separators = re.findall(r"[.,]", number)
    groups = re.split(r"[.,]", number)
    if not separators:
        return Decimal(number)
    last = separators[-1]
    if len(set(separators)) == 2:
        if separators.count(last) != 1 or not _grouped(groups[:-1]):
            return None
        return Decimal("".join(groups[:-1]) + "." + groups[-1])
    if len(separators) == 1 and (len(groups[1]) != 3 or groups[0] == "0"):
        return Decimal(groups[0] + "." + groups[1])
    return Decimal("".join(groups)) if _grouped(groups) else None


def _words_multiplier(words: list[str]) -> tuple[int, bool] | None:
    """``(multiplier, states_unit)`` for the words after a number, or None when they cannot follow one.

    The first word may be a multiplier; currency and unit words (``đồng``, ``người``) are dropped.
    ``states_unit`` is True when the words say what the number is in (a multiplier or a currency).
    """
    multiplier = _MULTIPLIERS.get(words[0], 1) if words else 1
    rest = words[1:] if multiplier != 1 else words
    if any(w in _MULTIPLIERS for w in rest):
        return None
    return multiplier, multiplier != 1 or any(w in _CURRENCY_WORDS for w in rest)


def _text_number(text: str) -> tuple[Decimal, bool] | None:
    """``(value, states_unit)`` for a non-negative number written as text, or None.

    Several ``number multiplier`` parts add up when the multipliers decrease
    (``1 triệu 500 nghìn``).
    """
    text = _SPACE_GROUPS.sub(lambda m: m.group().replace(" ", ""), text)
    parts = _NUMBER_PART.findall(text)
    total, states_unit, previous = Decimal(0), False, None
    for number, tail in parts:
        value = _digits(number)
        words = re.findall(r"[a-z]+", tail)
        read = _words_multiplier(words) if _TAIL.fullmatch(tail) else None
        if value is None or read is None:
            return None
        multiplier, says_unit = read
        if len(parts) > 1 and (multiplier == 1 or (previous is not None and multiplier >= previous)):
            return None
        total, states_unit, previous = total + value * multiplier, states_unit or says_unit, multiplier
    return total, states_unit


def _signed_text_number(text: str, scale: int) -> tuple[float, str | None]:
    """Parse a text cell: an optional leading minus or surrounding brackets make it negative."""
    plain = _plain(text)
    negative = False
    if len(plain) > 2 and plain[0] == "(" and plain[-1] == ")":
        plain, negative = plain[1:-1].strip(), True
    elif plain[:1] in _DASHES or plain[:1] == "+":
        plain, negative = plain[1:].strip(), plain[0] != "+"
    read = _text_number(plain) if plain[:1].isdigit() else None
    if read is None:
        return math.nan, _INVALID_NUMBER
    value, states_unit = read
    number = float(value * (1 if states_unit else scale))
    if not math.isfinite(number):
        return math.nan, _INVALID_NUMBER
    if negative and number != 0:
        return -number, _NEGATIVE_NUMBER
    return number, None


def _number_value(value: object, scale: int) -> tuple[float, str | None]:
    """Parse one distinct cell into ``(float, reason)``."""
    if is_blank(value):
        return math.nan, None
    if _is_bool(value):
        return math.nan, _INVALID_NUMBER
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)):
        number = float(value) * scale
        if not math.isfinite(number):
            return math.nan, _INVALID_NUMBER
        return number, (_NEGATIVE_NUMBER if number < 0 else None)
    if isinstance(value, str):
        try:
            return _signed_text_number(value, scale)
        except (InvalidOperation, OverflowError):
            return math.nan, _INVALID_NUMBER
    return math.nan, _INVALID_NUMBER


def _numbers_from_numeric(values: pd.Series, scale: int) -> tuple[pd.Series, pd.Series]:
    """Fast path for a numeric column."""
    numbers = values.to_numpy(dtype="float64", na_value=np.nan) * scale
    infinite = np.isinf(numbers)
    numbers[infinite] = np.nan
    reasons = np.where(infinite, _INVALID_NUMBER, np.where(numbers < 0, _NEGATIVE_NUMBER, None))
    return (pd.Series(numbers, index=values.index, name=values.name),
            pd.Series(reasons.astype(object), index=values.index, name=values.name))


def parse_numbers(values: pd.Series, scale: int = 1) -> tuple[pd.Series, pd.Series]:
    """Parse a column of counts or money written as numbers or Vietnamese-style text
    (docs/data-contract.md §2).

    Numbers pass through. Text: ``.``/``,``/space followed by exactly three digits groups
    thousands, followed by one or two digits is the decimal mark; currency words (``đ``,
    ``đồng``, ``VNĐ``, ``VND``) and unit words after a count (``100 người``) are dropped;
    ``nghìn``/``ngàn``/``k``, ``triệu``/``tr``, ``tỷ``/``tỉ`` multiply. A leading minus or
    brackets make the value negative: kept, with reason ``"negative_number"``. Anything else
    (also True/False) is ``"invalid_number"`` with NaN. Blank cells (a lone dash too) are NaN
    with no reason.

    ``scale`` (from :func:`header_scale`) multiplies every value, except text that states its own
    unit (a multiplier or a currency word: ``1,5 triệu``, ``500.000 đ``).
    """
    if pd.api.types.is_bool_dtype(values):
        blank = values.isna().to_numpy()
        return (pd.Series(np.nan, index=values.index, name=values.name, dtype="float64"),
                _reasons(values, ~blank, _INVALID_NUMBER))
    if pd.api.types.is_numeric_dtype(values):
        return _numbers_from_numeric(values, scale)
    numbers, reasons = _over_uniques(values, lambda v: _number_value(v, scale), math.nan, "float64")
    return (pd.Series(numbers, index=values.index, name=values.name, dtype="float64"),
            pd.Series(reasons, index=values.index, name=values.name, dtype=object))


# --------------------------------------------------------------------------- yes / no

_YES = frozenset({"co", "x", "1", "yes", "y", "true", "da", "da co", "roi", "co roi", "ok"})
_NO = frozenset({"khong", "ko", "k", "0", "no", "n", "false", "chua", "chua co", "khong co"})
_CHECK_MARKS = frozenset({"✓", "✔", "☑", "✅"})
_INVALID_YES_NO = "invalid_yes_no"


def _yes_no_value(value: object) -> tuple[bool, str | None]:
    """Parse one distinct cell into ``(bool, reason)``; blank is no."""
    if is_blank(value):
        return False, None
    if _is_bool(value):
        return bool(value), None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return (bool(value), None) if value in (0, 1) else (False, _INVALID_YES_NO)
    text = str(value).strip()
    if text in _CHECK_MARKS:
        return True, None
    folded = fold(re.sub(r"^([01])\.0+$", r"\1", text))
    if folded in _YES:
        return True, None
    if folded in _NO:
        return False, None
    return False, _INVALID_YES_NO


def parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a yes/no column: ``có``/``không``/``ko``/``k``, ``x``/blank, ``1``/``0``, ``yes``/``no``,
    ``true``/``false``, ``đã``/``chưa``, ``đã có``/``chưa có``, ``rồi``, a check mark (✓).

    Returns ``(bool Series, reasons)``: blank is False; anything else is False with
    ``"invalid_yes_no"``.
    """
    answers, reasons = _over_uniques(values, _yes_no_value, False, bool)
    return (pd.Series(answers, index=values.index, name=values.name, dtype=bool),
            pd.Series(reasons, index=values.index, name=values.name, dtype=object))


# --------------------------------------------------------------------------- years

_YEAR_TEXT = re.compile(r"(?:nam )?(\d{4})(?: 0+)?")
_MONTH_YEAR_TEXT = re.compile(r"(?:thang )?\d{1,2} (\d{4})")


def _year_value(value: object) -> tuple[object, str | None]:
    """Parse one distinct cell into ``(year or NA, reason)``.

    A whole number below 10,000 is a year; a larger one is an Excel serial date. Text: ``1985``,
    ``năm 1985``, ``5/1985``, or any date :func:`parse_dates` accepts.
    """
    if is_blank(value):
        return pd.NA, None
    if _is_bool(value):
        return pd.NA, _INVALID_NUMBER
    if isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value):
        if 0 < value < 10_000:
            return (int(value), None) if float(value).is_integer() else (pd.NA, _INVALID_NUMBER)
    elif isinstance(value, str):
        folded = fold(value)
        if m := (_YEAR_TEXT.fullmatch(folded) or _MONTH_YEAR_TEXT.fullmatch(folded)):
            return int(m[1]), None
    stamp, reason = _date_value(value)
    return (pd.NA, _INVALID_NUMBER) if reason else (stamp.year, None)


def parse_years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a birth-year column: a year (number or text) or a full date, whose year is taken.

    Returns ``(Int64 years, reasons)``; ``"invalid_number"`` where a non-blank cell gives no
    year. The plausible range is the caller's check.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        dates, reasons = parse_dates(values)
        return dates.dt.year.astype("Int64"), reasons.where(reasons.isna(), _INVALID_NUMBER)
    years, reasons = _over_uniques(values, _year_value, pd.NA, object)
    return (pd.Series(pd.array(years, dtype="Int64"), index=values.index, name=values.name),
            pd.Series(reasons, index=values.index, name=values.name, dtype=object))
