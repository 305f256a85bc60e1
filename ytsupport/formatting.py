"""Numbers, dates and labels written the Vietnamese way (1.234.567; 91,7 %; 30/6/2021) or the English way."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .i18n import t
from .vocab import reference
from .settings import get_settings


def number(value: Any, lang: str = "vi", digits: int = 0) -> str:
    """``1.234.567`` (vi) or ``1,234,567`` (en); ``-`` for a missing value."""
    if value is None:
        return "-"
    text = f"{float(value):,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def count(value: Any, lang: str = "vi") -> str:
    """A count or quantity: whole numbers without decimals, others with up to two."""
    if value is None:
        return "-"
    value = float(value)
    if value.is_integer():
        return number(value, lang, 0)
    return number(value, lang, 2).rstrip("0").rstrip("." if lang == "en" else ",")


def percent(value: Any, lang: str = "vi", digits: int = 1) -> str:
    """``91,7%`` (vi) or ``91.7%`` (en); ``-`` when missing."""
    if value is None:
        return "-"
    text = number(float(value) * 100, lang, digits)
    zero = ("." if lang == "en" else ",") + "0" * digits
    return (text[: -len(zero)] if digits and text.endswith(zero) else text) + "%"


def money(value: Any, lang: str = "vi") -> str:
    """``12.500.000 đồng`` (vi) or ``12,500,000 VND``."""
    return t("vnd", lang, value=number(value or 0, lang))


def money_short(value: Any, lang: str = "vi") -> str:
    """``379,1 triệu đồng`` (vi) or ``379.1 million VND``: money for large type."""
    if value is None:
        return "-"
    return f"{number(float(value) / 1e6, lang, 1)} {t('million_vnd', lang)}"


def target_value(value: Any, fmt: str, lang: str = "vi", short: bool = False) -> str:
    """A target's actual, target or expected value in its format (count, percent or vnd)."""
    if value is None:
        return "-"
    if fmt == "percent":
        return percent(value, lang)
    if fmt == "vnd":
        return money_short(value, lang) if short else money(value, lang)
    return count(value, lang)


def day(value: date | datetime | str | None) -> str:
    """``30/6/2021`` (day and month without leading zeros, as in Vietnamese prose)."""
    if value is None or value == "":
        return ""
    d = date.fromisoformat(str(value)[:10])
    return f"{d.day}/{d.month}/{d.year}"


def issue_date(value: date, place: str) -> str:
    """"Trà Vinh, ngày 05 tháng 01 năm 2022": days below 10 and months 1-2 get a leading zero."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"


def month(period: str, lang: str = "vi") -> str:
    """"YYYY-MM" as ``6/2021``."""
    year, mon = period.split("-")
    return f"{int(mon)}/{year}"


def month_list(periods: list[str]) -> str:
    """Months of one year as ``1, 2, 3/2021``; of several years each in full."""
    if not periods:
        return ""
    years = {p[:4] for p in periods}
    if len(years) == 1:
        return ", ".join(str(int(p[5:])) for p in periods) + f"/{periods[0][:4]}"
    return ", ".join(month(p) for p in periods)


def code_label(kind: str, code: Any, lang: str = "vi") -> str:
    """The label of a vocabulary code (activity_types, resource_items, donor_types, districts, ...)."""
    if code is None or code == "" or code == "unknown":
        return t("report_unknown", lang)
    vocabulary = getattr(reference(), kind)
    return vocabulary.label(str(code), lang)


def categories_label(codes: Any, lang: str = "vi") -> str:
    """"khuyet_tat;mo_coi" as their labels."""
    parts = [c for c in str(codes or "").split(";") if c]
    return "; ".join(code_label("beneficiary_categories", c, lang) for c in parts)


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
    """A timestamp as ``30/6/2021 14:05`` in local time."""
    moment = local_time(value)
    return "" if moment is None else f"{day(moment.date())} {moment:%H:%M}"
