"""Value parsing rules of docs/data-contract.md §2: one test per rule."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ytsupport.text import (
    factorize_cells,
    fold,
    fold_header,
    header_scale,
    is_blank,
    parse_dates,
    parse_numbers,
    parse_years,
    parse_yes_no,
)

FAST = settings(max_examples=60, deadline=None)


def col(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def one_number(value: object, scale: int = 1) -> tuple[float, str | None]:
    numbers, reasons = parse_numbers(col(value), scale)
    return numbers.iloc[0], reasons.iloc[0]


def one_date(value: object) -> tuple[pd.Timestamp, str | None]:
    dates, reasons = parse_dates(col(value))
    return dates.iloc[0], reasons.iloc[0]


def assert_number(text: object, expected: float, scale: int = 1) -> None:
    value, reason = one_number(text, scale)
    assert reason is None, (text, reason)
    assert value == pytest.approx(expected), text


# --------------------------------------------------------------------------- fold and headers

def test_fold_keeps_its_behaviour() -> None:
    assert fold("  KHÁM BỆNH,\nphát thuốc ") == "kham benh phat thuoc"
    assert fold("Đoàn_cơ sở") == "doan co so"
    assert fold(None) == ""


def test_blank_cells() -> None:
    assert all(is_blank(v) for v in (None, np.nan, pd.NA, pd.NaT, "", "  ", "-", "–", "\u00a0"))
    assert not any(is_blank(v) for v in (0, "0", "x", False))


def test_header_bracket_suffix_dropped() -> None:
    assert fold_header("Kinh phí (nghìn đồng)") == "kinh phi"
    assert fold_header("Giá trị quy đổi [VNĐ]") == "gia tri quy doi"


def test_header_line_breaks() -> None:
    assert fold_header("Kinh phí\n(nghìn\nđồng)") == "kinh phi"
    assert fold_header("Trong đó:\r\nKhuyết tật") == "trong do khuyet tat"


def test_header_that_is_only_a_bracket_keeps_it() -> None:
    assert fold_header("(1)") == "1"


@pytest.mark.parametrize("header", ["Kinh phí (nghìn đồng)", "Kinh phí (ngàn đồng)", "Giá trị (1.000 đ)",
                                    "Kinh phí (nghìn)", "Kinh phí\n(ĐVT: nghìn đồng)"])
def test_header_scale_in_thousands(header: str) -> None:
    assert header_scale(header) == 1_000


@pytest.mark.parametrize("header", ["Kinh phí (triệu đồng)", "Kinh phí (tr.đ)", "Giá trị (triệu)"])
def test_header_scale_in_millions(header: str) -> None:
    assert header_scale(header) == 1_000_000


@pytest.mark.parametrize("header", ["Kinh phí (đồng)", "Kinh phí (VNĐ)", "Kinh phí", "Ngân sách (ngân hàng)", None])
def test_header_without_scale(header: str | None) -> None:
    assert header_scale(header) == 1


# --------------------------------------------------------------------------- dates

def test_day_first_slash() -> None:
    assert one_date("05/06/2021") == (pd.Timestamp("2021-06-05"), None)


def test_day_first_single_digits() -> None:
    assert one_date("5/6/2021") == (pd.Timestamp("2021-06-05"), None)


@pytest.mark.parametrize("text", ["05-06-2021", "05.06.2021"])
def test_dash_and_dot_separators(text: str) -> None:
    assert one_date(text) == (pd.Timestamp("2021-06-05"), None)


def test_two_digit_year_is_20yy() -> None:
    assert one_date("05/06/21") == (pd.Timestamp("2021-06-05"), None)


def test_iso_date() -> None:
    assert one_date("2021-06-05") == (pd.Timestamp("2021-06-05"), None)


@pytest.mark.parametrize("text", ["2021-06-01 00:00:00", "2021-06-01T08:30:00", "2021-06-01 08:30"])
def test_iso_with_time(text: str) -> None:
    assert one_date(text) == (pd.Timestamp("2021-06-01"), None)


def test_surrounding_spaces() -> None:
    assert one_date("  05/06/2021 \n") == (pd.Timestamp("2021-06-05"), None)


@pytest.mark.parametrize("text", ["ngày 5 tháng 6 năm 2021", "Ngày 05 tháng 06 năm 2021", "ngay 5 thang 6 nam 2021",
                                  "Ngày 05/06/2021"])
def test_vietnamese_spelled_date(text: str) -> None:
    assert one_date(text) == (pd.Timestamp("2021-06-05"), None)


def test_month_first_is_rejected() -> None:
    date, reason = one_date("06/13/2021")
    assert pd.isna(date) and reason == "invalid_date"


@pytest.mark.parametrize("text", ["31/02/2021", "29/02/2021", "00/06/2021", "31/04/2021"])
def test_impossible_date(text: str) -> None:
    date, reason = one_date(text)
    assert pd.isna(date) and reason == "invalid_date"


def test_leap_day_is_possible() -> None:
    assert one_date("29/02/2020") == (pd.Timestamp("2020-02-29"), None)


@pytest.mark.parametrize("text", ["abc", "tháng 6", "2021", "05/06", "1/1/1", True])
def test_unparseable_date(text: object) -> None:
    date, reason = one_date(text)
    assert pd.isna(date) and reason == "invalid_date"


def test_blank_date_has_no_reason() -> None:
    dates, reasons = parse_dates(col(None, np.nan, "", "  ", pd.NaT, "-"))
    assert dates.isna().all() and reasons.isna().all()


def test_excel_serial() -> None:
    assert one_date(44352) == (pd.Timestamp("2021-06-05"), None)
    assert one_date(44352.75) == (pd.Timestamp("2021-06-05"), None)
    assert one_date("44352") == (pd.Timestamp("2021-06-05"), None)


@pytest.mark.parametrize("serial", [0, 1, -5, 10_000_000, float("inf")])
def test_excel_serial_out_of_range(serial: float) -> None:
    assert one_date(serial)[1] == "invalid_date"


def test_date_objects() -> None:
    cells = [dt.date(2021, 6, 5), dt.datetime(2021, 6, 5, 13, 2), pd.Timestamp("2021-06-05 10:00"),
             np.datetime64("2021-06-05T12:00"), pd.Timestamp("2021-06-05 08:00", tz="Asia/Ho_Chi_Minh")]
    dates, reasons = parse_dates(col(*cells))
    assert (dates == pd.Timestamp("2021-06-05")).all() and reasons.isna().all()
    assert dates.dtype == "datetime64[ns]"


def test_datetime_column_is_normalised() -> None:
    values = pd.Series(pd.to_datetime(["2021-06-05 10:00", None]), index=[7, 8], name="Ngày")
    dates, reasons = parse_dates(values)
    assert dates.iloc[0] == pd.Timestamp("2021-06-05") and pd.isna(dates.iloc[1])
    assert list(dates.index) == [7, 8] and dates.name == "Ngày" and reasons.isna().all()


def test_dates_outside_1900_2100_are_invalid() -> None:
    assert one_date(dt.date(1500, 1, 1))[1] == "invalid_date"
    assert one_date(np.datetime64("9999-01-01"))[1] == "invalid_date"


def test_dates_keep_index_and_name() -> None:
    dates, reasons = parse_dates(pd.Series(["05/06/2021", "x"], index=[10, 11], name="Ngày"))
    assert list(dates.index) == [10, 11] and dates.name == "Ngày" and list(reasons) == [None, "invalid_date"]


DATE_FORMATS = ["{d:02d}/{m:02d}/{y}", "{d}/{m}/{y}", "{d:02d}-{m:02d}-{y}", "{d:02d}.{m:02d}.{y}",
                "{d:02d}/{m:02d}/{yy:02d}", "{y}-{m:02d}-{d:02d}", "{y}-{m:02d}-{d:02d} 00:00:00",
                "ngày {d} tháng {m} năm {y}"]


@FAST
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_random_dates_round_trip(day: dt.date) -> None:
    texts = [f.format(d=day.day, m=day.month, y=day.year, yy=day.year % 100) for f in DATE_FORMATS]
    dates, reasons = parse_dates(col(*texts))
    assert reasons.isna().all(), texts
    assert (dates == pd.Timestamp(day)).all(), texts


@FAST
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_random_month_first_dates_are_rejected_or_day_first(day: dt.date) -> None:
    date, reason = one_date(f"{day.month:02d}/{day.day:02d}/{day.year}")
    if day.day > 12:
        assert reason == "invalid_date"
    else:
        assert date == pd.Timestamp(day.year, day.day, day.month)


# --------------------------------------------------------------------------- numbers

def test_thousands_dot() -> None:
    assert_number("1.500.000", 1_500_000)
    assert_number("1.500", 1_500)


def test_thousands_comma() -> None:
    assert_number("1,500,000", 1_500_000)


def test_thousands_space() -> None:
    assert_number("1 500 000", 1_500_000)
    assert_number("1\u00a0500\u00a0000", 1_500_000)
    assert_number("1\u202f500", 1_500)


def test_decimal_comma() -> None:
    assert_number("2,5", 2.5)
    assert_number("2,55", 2.55)


def test_decimal_dot() -> None:
    assert_number("2.5", 2.5)
    assert_number("0.500", 0.5)


def test_thousands_dot_and_decimal_comma() -> None:
    assert_number("1.234,5", 1234.5)
    assert_number("1,234.56", 1234.56)
    assert_number("1.500.000,00", 1_500_000)


def test_ambiguous_grouping_is_invalid() -> None:
    for text in ("1500.000", "1.500.00", "1.2.3", "1.234,5,6"):
        assert one_number(text)[1] == "invalid_number", text


@pytest.mark.parametrize("text", ["500.000đ", "500.000 đ", "500.000 đồng", "500.000 VNĐ", "500.000 VND",
                                  "500.000 vnđ", "500.000 Đồng"])
def test_currency_words_dropped(text: str) -> None:
    assert_number(text, 500_000)


@pytest.mark.parametrize("text", ["1,5 triệu", "1.5 triệu", "1,5 TRIỆU", "1,5tr", "1,5 tr.đ", "1.500 nghìn"])
def test_money_in_trieu(text: str) -> None:
    assert_number(text, 1_500_000)


@pytest.mark.parametrize("text", ["500 nghìn", "500 ngàn", "500k", "500K", "500 nghìn đồng"])
def test_money_in_nghin(text: str) -> None:
    assert_number(text, 500_000)


def test_money_in_tr_short() -> None:
    assert_number("2tr", 2_000_000)


def test_money_in_ty() -> None:
    assert_number("3 tỷ", 3e9)
    assert_number("2 tỉ", 2e9)


def test_money_in_parts() -> None:
    assert_number("1 triệu 500 nghìn", 1_500_000)
    assert_number("1 tỷ 200 triệu", 1_200_000_000)
    assert one_number("500 nghìn 1 triệu")[1] == "invalid_number"


@pytest.mark.parametrize("text,expected", [("100 người", 100), ("12 lượt", 12), ("5 chiếc", 5), ("3 thẻ", 3),
                                           ("5 kg", 5), ("1.200 suất quà", 1200)])
def test_unit_word_dropped(text: str, expected: float) -> None:
    assert_number(text, expected)


def test_negative_minus() -> None:
    assert one_number("-500") == (-500, "negative_number")
    assert one_number("- 1.500") == (-1500, "negative_number")
    assert one_number(-3) == (-3, "negative_number")


def test_negative_brackets() -> None:
    assert one_number("(123)") == (-123, "negative_number")
    assert one_number("(1.500.000 đ)") == (-1_500_000, "negative_number")


@pytest.mark.parametrize("text", ["-", "–", "—", "", "   ", None, np.nan])
def test_dash_is_blank(text: object) -> None:
    value, reason = one_number(text)
    assert np.isnan(value) and reason is None


@pytest.mark.parametrize("value", [True, False, np.True_])
def test_bool_is_invalid_number(value: object) -> None:
    number, reason = one_number(value)
    assert np.isnan(number) and reason == "invalid_number"


def test_bool_is_not_merged_with_one() -> None:
    numbers, reasons = parse_numbers(col(1, True, 0, False, 1.0))
    assert list(reasons) == [None, "invalid_number", None, "invalid_number", None]
    assert list(numbers.fillna(-1)) == [1, -1, 0, -1, 1]


@pytest.mark.parametrize("text", ["abc", "50%", "khoảng 100", "1e5", "1/2", "x", "một trăm", "nghìn"])
def test_garbage_is_invalid_number(text: str) -> None:
    value, reason = one_number(text)
    assert np.isnan(value) and reason == "invalid_number"


def test_numbers_pass_through() -> None:
    assert_number(1500, 1500)
    assert_number(2.5, 2.5)
    assert_number(np.int64(7), 7)


def test_header_scale_applies() -> None:
    numbers, reasons = parse_numbers(col(500, "1.500", "2,5"), scale=1_000)
    assert list(numbers) == [500_000, 1_500_000, 2_500] and reasons.isna().all()


def test_cell_stating_its_own_unit_ignores_the_header_scale() -> None:
    numbers, _ = parse_numbers(col("1,5 triệu", "500.000 đ"), scale=1_000)
    assert list(numbers) == [1_500_000, 500_000]


def test_numeric_column() -> None:
    numbers, reasons = parse_numbers(pd.Series([1.0, -2.0, np.nan, np.inf]), scale=10)
    assert numbers.iloc[0] == 10 and numbers.iloc[1] == -20 and numbers.iloc[2:].isna().all()
    assert list(reasons) == [None, "negative_number", None, "invalid_number"]


def test_nullable_integer_column() -> None:
    numbers, reasons = parse_numbers(pd.Series([1, None], dtype="Int64"))
    assert numbers.iloc[0] == 1 and np.isnan(numbers.iloc[1]) and reasons.isna().all()


def test_bool_column_is_invalid() -> None:
    _, reasons = parse_numbers(pd.Series([True, False]))
    assert list(reasons) == ["invalid_number", "invalid_number"]


def _grouped(n: int, separator: str) -> str:
    return f"{n:,}".replace(",", separator)


@FAST
@given(n=st.integers(min_value=0, max_value=10**12), separator=st.sampled_from([".", ",", " ", "\u00a0"]))
def test_grouped_integers_round_trip(n: int, separator: str) -> None:
    assert_number(_grouped(n, separator), n)
    assert_number(_grouped(n, separator) + " đồng", n)


@FAST
@given(whole=st.integers(min_value=0, max_value=10**9), cents=st.integers(min_value=0, max_value=99),
       two=st.booleans())
def test_decimal_comma_round_trip(whole: int, cents: int, two: bool) -> None:
    fraction = f"{cents:02d}" if two else str(cents % 10)
    expected = whole + int(fraction) / 10 ** len(fraction)
    assert_number(f"{_grouped(whole, '.')},{fraction}", expected)
    assert_number(f"{_grouped(whole, ',')}.{fraction}", expected)


@FAST
@given(n=st.integers(min_value=-10**9, max_value=-1))
def test_random_negatives_are_reported(n: int) -> None:
    value, reason = one_number(_grouped(n, "."))
    assert value == n and reason == "negative_number"


def test_parse_keeps_index() -> None:
    numbers, reasons = parse_numbers(pd.Series(["1", "x"], index=[5, 9], name="Số người"))
    assert list(numbers.index) == [5, 9] and numbers.name == "Số người" and reasons.loc[9] == "invalid_number"


# --------------------------------------------------------------------------- yes / no

@pytest.mark.parametrize("value", ["có", "Có", "co", "x", "X", "1", 1, 1.0, "1.0", "yes", "true", "TRUE", "đã",
                                   "đã có", "rồi", True, "✓"])
def test_yes_words(value: object) -> None:
    answers, reasons = parse_yes_no(col(value))
    assert answers.iloc[0] is np.True_ and reasons.iloc[0] is None


@pytest.mark.parametrize("value", ["không", "Không", "khong", "ko", "k", "0", 0, 0.0, "no", "false", "chưa",
                                   "chưa có", False])
def test_no_words(value: object) -> None:
    answers, reasons = parse_yes_no(col(value))
    assert answers.iloc[0] is np.False_ and reasons.iloc[0] is None


def test_blank_is_no() -> None:
    answers, reasons = parse_yes_no(col(None, "", np.nan, "-"))
    assert not answers.any() and reasons.isna().all() and answers.dtype == bool


@pytest.mark.parametrize("value", ["có lẽ", "maybe", 2, "abc", "?"])
def test_invalid_yes_no(value: object) -> None:
    answers, reasons = parse_yes_no(col(value))
    assert not answers.iloc[0] and reasons.iloc[0] == "invalid_yes_no"


# --------------------------------------------------------------------------- years

@pytest.mark.parametrize("value", [1985, 1985.0, np.int64(1985), "1985", " 1985 ", "1985.0", "năm 1985", "5/1985"])
def test_year_as_year(value: object) -> None:
    years, reasons = parse_years(col(value))
    assert years.iloc[0] == 1985 and reasons.iloc[0] is None


@pytest.mark.parametrize("value", ["05/06/1985", "1985-06-05", "1985-06-05 00:00:00", dt.date(1985, 6, 5),
                                   pd.Timestamp("1985-06-05"), "ngày 5 tháng 6 năm 1985", 31203])
def test_year_from_date(value: object) -> None:
    years, reasons = parse_years(col(value))
    assert years.iloc[0] == 1985 and reasons.iloc[0] is None


def test_year_from_datetime_column() -> None:
    years, reasons = parse_years(pd.Series(pd.to_datetime(["1985-06-05", None])))
    assert years.iloc[0] == 1985 and pd.isna(years.iloc[1]) and reasons.isna().all()


@pytest.mark.parametrize("value", ["abc", 1985.5, True, "31/02/1985", "85"])
def test_invalid_year(value: object) -> None:
    years, reasons = parse_years(col(value))
    assert pd.isna(years.iloc[0]) and reasons.iloc[0] == "invalid_number"


def test_blank_year() -> None:
    years, reasons = parse_years(col(None, ""))
    assert years.isna().all() and reasons.isna().all() and str(years.dtype) == "Int64"


def test_years_out_of_range_are_the_callers_check() -> None:
    years, reasons = parse_years(col(1850, 2030))
    assert list(years) == [1850, 2030] and reasons.isna().all()


# --------------------------------------------------------------------------- machinery

def test_factorize_cells_keeps_bools_apart() -> None:
    codes, uniques = factorize_cells(col(1, True, None, 1, False, 0))
    rebuilt = [None if c < 0 else uniques[c] for c in codes]
    assert [type(v) for v in rebuilt] == [int, bool, type(None), int, bool, int]


def test_large_column_is_parsed_over_unique_values() -> None:
    values = col(*(["1.500.000", "2,5 triệu", None, "x"] * 50_000))
    numbers, reasons = parse_numbers(values)
    assert numbers.iloc[4] == 1_500_000 and (reasons == "invalid_number").sum() == 50_000
