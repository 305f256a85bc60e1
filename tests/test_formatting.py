"""One way to write a number, an amount of money, a percentage and a date, in both languages."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ytsupport import formatting as fmt


def test_numbers_money_and_percentages_in_vietnamese_and_english() -> None:
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(1234567, "en") == "1,234,567"
    assert fmt.number(8.666, decimals=1) == "8,7"
    assert fmt.money(1234567) == "1.234.567 đồng"
    assert fmt.money(1234567, "en") == "1,234,567 VND"
    assert fmt.money_short(379_123_456) == "379,1 triệu đồng"
    assert fmt.money_compact(12_500_000) == "12,5 triệu"
    assert fmt.money_compact(1_200_000_000, "en") == "1.2 bn"
    assert fmt.number(None) == fmt.percent(None) == fmt.money(None) == "–"


@pytest.mark.parametrize(("value", "vi", "en"), [(0.99, "1", "1"), (4.46, "4", "4"), (0.5, "1", "1"),
                                                 (2.5, "3", "3"), (1270, "1.270", "1,270")])
def test_counts_are_whole_numbers_rounded_half_up(value: float, vi: str, en: str) -> None:
    """An expected value of 0.99 cards reads 1 everywhere (not 0,99 in one place and 1 in another)."""
    assert fmt.count(value) == fmt.target_value(value, "count") == vi
    assert fmt.count(value, "en") == en


@pytest.mark.parametrize(("value", "vi", "en"), [(0.84, "84,0%", "84.0%"), (0.7878, "78,8%", "78.8%"),
                                                 (0.04455, "4,5%", "4.5%"), (3.5, "350,0%", "350.0%"),
                                                 (1, "100,0%", "100.0%")])
def test_percentages_have_one_decimal(value: float, vi: str, en: str) -> None:
    assert fmt.percent(value) == fmt.target_value(value, "percent") == vi
    assert fmt.percent(value, "en") == en


def test_dates_are_day_month_year_with_two_digits() -> None:
    assert fmt.day("2021-12-19") == fmt.day(date(2021, 12, 19)) == "19/12/2021"
    assert fmt.day(date(2022, 1, 5)) == fmt.day(datetime(2022, 1, 5, 8, 0)) == "05/01/2022"
    assert fmt.day(None) == ""
    assert fmt.stamp(datetime(2021, 6, 30, 7, 5, tzinfo=timezone.utc)) == "30/06/2021 14:05"
    assert fmt.issue_date(date(2022, 1, 5), "Trà Vinh") == "Trà Vinh, ngày 05 tháng 01 năm 2022"


def test_months() -> None:
    assert fmt.month("2021-06") == "Tháng 6/2021"
    assert fmt.month("2021-06", in_sentence=True) == "tháng 6/2021"
    assert fmt.month("2021-06", short=True) == "T6"
    assert fmt.month("2021-06", "en") == "Jun 2021"
    assert fmt.month("2021-06", "en", short=True) == "Jun"
    assert fmt.month_number("2021-06") == "6/2021"
    assert fmt.month_list(["2021-01", "2021-02", "2021-08"]) == "1, 2, 8/2021"


def test_money_targets_in_full_and_short() -> None:
    assert fmt.target_value(12_500_000, "vnd") == "12.500.000 đồng"
    assert fmt.target_value(12_500_000, "vnd", "en", short=True) == "12.5 million VND"


def test_chart_labels_keep_their_decimal_in_the_language() -> None:
    assert fmt.fixed(84, "vi") == "84,0" and fmt.fixed(84, "en") == "84.0"
    assert fmt.fixed(1234.56, "vi") == "1.234,6"
