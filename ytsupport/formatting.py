"""Numbers, money, percentages, dates and labels: the one way every page, chart and export writes them.

Vietnamese: ``1.234.567``, ``84,0%``, ``12.500.000 đồng``, ``30/06/2021``; English: ``1,234,567``,
``84.0%``, ``12,500,000 VND``, the same dates. Numbers go through Babel (``vi_VN``, ``en_US``).
Counts of things are whole numbers (an expected value of 4.46 cards is written 4; attainment is
computed on the exact value); percentages have one decimal; money is whole đồng. A missing
number is ``–``.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import format_decimal

from .i18n import t
from .vocab import reference
from .settings import get_settings

MISSING = "–"


def _locale(lang: str) -> str:
    return "en_US" if lang == "en" else "vi_VN"


def _missing(value: Any) -> bool:
    if value is None or value == "":
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return False


def half_up(value: Any, decimals: int = 0) -> Decimal:
    """``value`` rounded half up (0.5 -> 1, 4.45 -> 4.5 with one decimal), as people round by hand."""
    return Decimal(str(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: Any, lang: str = "vi", decimals: int = 0) -> str:
    """``1.234.567`` (vi) or ``1,234,567`` (en), rounded half up to at most ``decimals`` places
    (trailing zeros dropped); ``–`` for a missing value."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(half_up(value, decimals), format=pattern, locale=_locale(lang), decimal_quantization=False)


def fixed(value: Any, lang: str = "vi", decimals: int = 1) -> str:
    """A measure with exactly ``decimals`` places, as chart labels write it: ``84,0`` (vi), ``84.0`` (en)."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(half_up(value, decimals), format=pattern, locale=_locale(lang), decimal_quantization=False)


def count(value: Any, lang: str = "vi") -> str:
    """A count of things (cards, clubs, districts, events, people): a whole number, rounded half up."""
    return number(value, lang, 0)


def percent(value: Any, lang: str = "vi", decimals: int = 1) -> str:
    """A fraction as a percentage with one decimal: ``84,0%`` (vi), ``84.0%`` (en); ``–`` when unknown."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    scaled = half_up(float(value) * 100, decimals)
    return format_decimal(scaled, format=pattern, locale=_locale(lang), decimal_quantization=False) + "%"


def money(value: Any, lang: str = "vi") -> str:
    """Money in đồng, whole: ``12.500.000 đồng`` (vi) or ``12,500,000 VND`` (en)."""
    if _missing(value):
        return MISSING
    return t("vnd", lang, value=number(value, lang))


def money_short(value: Any, lang: str = "vi") -> str:
    """Money for large type: ``379,1 triệu đồng`` (vi) or ``379.1 million VND``."""
    if _missing(value):
        return MISSING
    return f"{number(float(value) / 1e6, lang, 1)} {t('million_vnd', lang)}"


def money_compact(value: Any, lang: str = "vi") -> str:
    """Money for chart labels: ``12,5 triệu`` / ``1,2 tỷ`` (vi), ``12.5 M`` / ``1.2 bn`` (en)."""
    if _missing(value):
        return MISSING
    for size, vi, en in ((1e9, "tỷ", "bn"), (1e6, "triệu", "M"), (1e3, "nghìn", "k")):
        if abs(float(value)) >= size:
            return f"{number(float(value) / size, lang, 1)} {en if lang == 'en' else vi}"
    return number(value, lang)


def measured(value: Any, form: str, measure: dict[str, str] | None, lang: str = "vi") -> str:
    """A target's value with what it counts: ``7 thẻ``, ``11 tháng``; percentages and money as
    ``target_value`` writes them."""
    text = target_value(value, form, lang)
    noun = (measure or {}).get(lang) or (measure or {}).get("vi", "")
    return f"{text} {noun}" if noun and form == "count" and text != MISSING else text


def target_value(value: Any, form: str, lang: str = "vi", short: bool = False) -> str:
    """A target's actual, target or expected value in its format: a count (whole), a percentage
    (one decimal) or money (``short``: in millions)."""
    if _missing(value):
        return MISSING
    if form == "percent":
        return percent(value, lang)
    if form == "vnd":
        return money_short(value, lang) if short else money(value, lang)
    return count(value, lang)


def day(value: date | datetime | str | None, lang: str = "vi") -> str:
    """``30/06/2021``: day, month, year (dd/mm/yyyy) in both languages, as in Vietnamese documents."""
    if _missing(value):
        return ""
    d = value.date() if isinstance(value, datetime) else value if isinstance(value, date) \
        else date.fromisoformat(str(value)[:10])
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def issue_date(value: date, place: str) -> str:
    """"Trà Vinh, ngày 05 tháng 01 năm 2022": days below 10 and months 1-2 get a leading zero."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"


def month(period: str, lang: str = "vi", short: bool = False, in_sentence: bool = False) -> str:
    """A month "YYYY-MM": ``Tháng 6/2021`` (vi; ``tháng 6/2021`` inside a sentence; ``T6`` short),
    ``Jun 2021`` (en; ``Jun`` short)."""
    year, mon = (int(p) for p in str(period)[:7].split("-"))
    if lang == "en":
        name = calendar.month_abbr[mon]
        return name if short else f"{name} {year}"
    if short:
        return f"T{mon}"
    return f"{'tháng' if in_sentence else 'Tháng'} {mon}/{year}"


def month_number(period: str) -> str:
    """A month "YYYY-MM" as ``6/2021`` (a table's compact column head, both languages)."""
    year, mon = str(period)[:7].split("-")
    return f"{int(mon)}/{year}"


def month_list(periods: list[str]) -> str:
    """Months of one year as ``1, 2, 3/2021``; of several years each in full."""
    if not periods:
        return ""
    years = {p[:4] for p in periods}
    if len(years) == 1:
        return ", ".join(str(int(p[5:7])) for p in periods) + f"/{periods[0][:4]}"
    return ", ".join(month_number(p) for p in periods)


def code_label(kind: str, code: Any, lang: str = "vi") -> str:
    """The label of a vocabulary code (activity_types, resource_items, donor_types, districts, ...)."""
    if code is None or code == "" or code == "unknown":
        return t("report_unknown", lang)
    vocabulary = getattr(reference(), kind)
    return vocabulary.label(str(code), lang)


def local_time(value: datetime | str | None) -> datetime | None:
    """A timestamp (ISO text or datetime; naive means UTC) in the local time zone
    (env ``YTSUPPORT_TIMEZONE``, default Asia/Ho_Chi_Minh)."""
    if value is None or value == "":
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(local_zone())


def local_zone() -> tzinfo:
    try:
        return ZoneInfo(get_settings().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=7))


def today() -> date:
    """Today's date in the local time zone."""
    return datetime.now(local_zone()).date()


def stamp(value: datetime | str | None) -> str:
    """A timestamp as ``30/06/2021 14:05`` in local time."""
    moment = local_time(value)
    return "" if moment is None else f"{day(moment.date())} {moment:%H:%M}"
