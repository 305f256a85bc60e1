"""Aggregates shared by the pages and the reports, on hand-made data."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import activity, beneficiary, make_data, make_report, resource, sample_year
from ytsupport import metrics
from ytsupport.dashboard import models
from ytsupport.plan import load_plan


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    centre = {"centre": True}
    return make_data([
        (make_report("bv_da_khoa", "2021-01", activities=[
            activity("2021-01-15", "kham_benh", 100, **centre), activity("2021-01-20", "vui_choi", 20)],
            resources=[resource("2021-01-15", "thuoc", 100, 5_000_000, donor="Nhà thuốc B", donor_type="doanh_nghiep")],
            beneficiaries=[beneficiary("An", district="cang_long", birth_year=2010, categories="mo_coi",
                                       surveyed_on="2021-01-10"),
                           beneficiary("Bình", district="tra_cu", birth_year=1950, sex="nu",
                                       categories="gia_neo_don;khuyet_tat", has_bhyt=True)]), "2021-02-05"),
        (make_report("ldtbxh", "2021-01", activities=[
            activity("2021-01-15", "kham_benh", 90, location="TT BTXH", **centre)],  # the same check-up
            resources=[resource("2021-01-18", "qua", 50, 2_000_000, donor="Ông C", donor_type="ca_nhan"),
                       resource("2021-01-19", "qua", 10, 1_000_000, donor="Ông C", donor_type="ca_nhan")],
            beneficiaries=[beneficiary("An", district="cang_long", birth_year=2010, categories="khuyet_tat",
                                       surveyed_on="2021-01-12", supported=True)]), "2021-02-06"),
        (make_report("bhxh", "2021-03", activities=[activity("2021-03-02", "tap_huan", 15, location="Hội trường")],
                     resources=[resource("2021-03-10", "the_bhyt", 2, 1_400_000, donor="Chi đoàn BHXH",
                                         donor_type=None)],
                     beneficiaries=[beneficiary("Cường", district="cau_ke", birth_year=2005, sex=None)]),
         "2021-04-05"),
    ])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


def test_activities_by_month_and_type_count_each_activity_once(data: dict[str, pd.DataFrame]) -> None:
    assert _records(metrics.activities_by_month_type(data)) == [
        {"month": "2021-01", "activity_type": "kham_benh", "activities": 1, "people_served": 100},
        {"month": "2021-01", "activity_type": "vui_choi", "activities": 1, "people_served": 20},
        {"month": "2021-03", "activity_type": "tap_huan", "activities": 1, "people_served": 15}]


def test_checkups_by_month_fill_every_month(data: dict[str, pd.DataFrame]) -> None:
    out = metrics.checkups_by_month(data, "kham_benh", months=["2021-01", "2021-02", "2021-03"])
    assert _records(out) == [{"month": "2021-01", "activities": 1, "people_served": 100},
                             {"month": "2021-02", "activities": 0, "people_served": 0},
                             {"month": "2021-03", "activities": 0, "people_served": 0}]


def test_resources_by_item_donor_type_and_unit(data: dict[str, pd.DataFrame]) -> None:
    assert metrics.resources_by_item(data).values.tolist() == [
        ["thuoc", 1, 5_000_000.0], ["qua", 2, 3_000_000.0], ["the_bhyt", 1, 1_400_000.0]]
    assert metrics.resources_by_donor_type(data)[["donor_type", "value_vnd"]].values.tolist() == [
        ["doanh_nghiep", 5_000_000.0], ["ca_nhan", 3_000_000.0], ["unknown", 1_400_000.0]]
    assert metrics.resources_by_unit(data)[["unit", "value_vnd"]].values.tolist() == [
        ["bv_da_khoa", 5_000_000.0], ["ldtbxh", 3_000_000.0], ["bhxh", 1_400_000.0]]


def test_resources_by_month_are_cumulative(data: dict[str, pd.DataFrame]) -> None:
    out = metrics.resources_by_month(data, months=["2021-01", "2021-02", "2021-03"])
    assert out[["month", "value_vnd", "cumulative_value_vnd"]].values.tolist() == [
        ["2021-01", 8_000_000.0, 8_000_000.0], ["2021-02", 0.0, 8_000_000.0], ["2021-03", 1_400_000.0, 9_400_000.0]]


def test_top_donors(data: dict[str, pd.DataFrame]) -> None:
    out = metrics.top_donors(data, n=2)
    assert _records(out) == [
        {"donor": "Nhà thuốc B", "donor_type": "doanh_nghiep", "entries": 1, "value_vnd": 5_000_000.0},
        {"donor": "Ông C", "donor_type": "ca_nhan", "entries": 2, "value_vnd": 3_000_000.0}]


def test_a_person_surveyed_by_two_units_is_one_person(data: dict[str, pd.DataFrame]) -> None:
    people = metrics.unique_beneficiaries(data).set_index("person_key")
    assert len(people) == 3
    an = people.loc[people["district"] == "cang_long"].iloc[0]
    assert (an["categories"], bool(an["supported"]), an["units"]) == ("khuyet_tat;mo_coi", True, 2)


def _people_the_plain_way(rows: pd.DataFrame) -> pd.DataFrame:
    """``unique_beneficiaries`` as pandas spells it directly: grouped by the key texts."""
    rows = rows.sort_values("surveyed_on", kind="stable")
    people = rows.groupby("person_key").agg(
        district=("district", "last"), sex=("sex", "last"), birth_year=("birth_year", "last"),
        surveyed_on=("surveyed_on", "last"), supported=("supported", "any"), has_bhyt=("has_bhyt", "any"),
        units=("unit", "nunique"))
    split = rows.assign(c=rows["categories"].fillna("").str.split(";")).explode("c")
    split["c"] = split["c"].str.strip()
    cats = split[split["c"] != ""].groupby("person_key")["c"].agg(lambda s: ";".join(sorted(set(s))))
    people["categories"] = cats.reindex(people.index).fillna("")
    return people.reset_index()


_person_rows = st.lists(st.tuples(
    st.sampled_from(["k1", "k2", "Đ3", "a4", "b5", None]), st.sampled_from(["u1", "u2", "u3"]),
    st.sampled_from(["cang_long", "tra_cu", None]), st.sampled_from(["nam", "nu", None]),
    st.integers(1950, 2015), st.dates(date(2021, 1, 1), date(2021, 12, 31)), st.booleans(), st.booleans(),
    st.sampled_from(["", "khuyet_tat", "mo_coi;khuyet_tat", " gia_neo_don ; mo_coi", None])), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_person_rows)
def test_people_are_counted_as_grouping_by_their_keys_would(rows: list[tuple]) -> None:
    """One row per person key (rows without a key are nobody's); each field the latest survey's
    that has one; supported / BHYT in any row; categories the union; units counted."""
    frame = pd.DataFrame(rows, columns=["person_key", "unit", "district", "sex", "birth_year", "surveyed_on",
                                        "supported", "has_bhyt", "categories"])
    frame["surveyed_on"] = pd.to_datetime(frame["surveyed_on"])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    got = metrics.unique_beneficiaries({"beneficiaries": frame})
    expected = _people_the_plain_way(frame)
    pd.testing.assert_frame_equal(got[expected.columns.tolist()], expected, check_dtype=False)


def test_beneficiaries_by_district_category_and_sex(data: dict[str, pd.DataFrame]) -> None:
    by_district = metrics.beneficiaries_by_district(data, districts=["cang_long", "cau_ke", "tra_cu", "tra_cu_x"])
    assert by_district.values.tolist() == [["cang_long", 1], ["cau_ke", 1], ["tra_cu", 1], ["tra_cu_x", 0]]
    assert dict(metrics.beneficiaries_by_category(data).values.tolist()) == {
        "khuyet_tat": 3, "mo_coi": 1, "gia_neo_don": 1}


def _coverage(data: dict[str, pd.DataFrame], as_of: date = date(2021, 12, 31)) -> models.Coverage:
    """The coverage page's model, which counts people by sex and age band and the shares."""
    return models.coverage(data, load_plan(), as_of, "vi")


def test_coverage_by_sex(data: dict[str, pd.DataFrame]) -> None:
    by_sex = _coverage(data).by_sex
    assert dict(zip(by_sex["sex"], by_sex["people"])) == {"nam": 1, "nu": 1, "unknown": 1}


@pytest.mark.parametrize(("born", "band"), [(2006, "children"), (2005, "youth"), (1991, "youth"), (1990, "others"),
                                            (1962, "others"), (1961, "elderly")])
def test_age_bands_at_the_as_of_year(born: int, band: str) -> None:
    data = make_data([(make_report("bhxh", "2021-03", beneficiaries=[beneficiary("X", birth_year=born)]),
                       "2021-04-01")])
    by_age = _coverage(data).by_age
    out = dict(zip(by_age["age_band"], by_age["people"]))
    assert list(out) == ["children", "youth", "others", "elderly"]  # "unknown" only when someone has no birth year
    assert out[band] == 1 and sum(out.values()) == 1


def test_age_band_unknown_without_a_birth_year() -> None:
    data = make_data([(make_report("bhxh", "2021-03", beneficiaries=[beneficiary("X", birth_year=None)]),
                       "2021-04-01")])
    by_age = _coverage(data).by_age
    assert dict(zip(by_age["age_band"], by_age["people"])) == {
        "children": 0, "youth": 0, "others": 0, "elderly": 0, "unknown": 1}


def test_surveyed_supported_and_bhyt_share(data: dict[str, pd.DataFrame]) -> None:
    m = _coverage(data)
    assert {k: getattr(m, k) for k in ("people", "supported", "with_bhyt", "supported_share", "bhyt_share")} == {
        "people": 3, "supported": 1, "with_bhyt": 1, "supported_share": 1 / 3, "bhyt_share": 1 / 3}


def test_unit_contribution_credits_every_unit_with_its_own_rows(data: dict[str, pd.DataFrame]) -> None:
    out = metrics.unit_contribution(data, units=["bv_da_khoa", "ldtbxh", "bhxh", "so_y_te"])
    # The check-up both units reported counts once (100 people, the larger count); An, surveyed by both, is one person.
    assert out.values.tolist() == [["bv_da_khoa", 2, 120, 5_000_000.0, 2], ["ldtbxh", 1, 90, 3_000_000.0, 1],
                                   ["bhxh", 1, 15, 1_400_000.0, 1], ["so_y_te", 0, 0, 0.0, 0],
                                   [metrics.JOINT, -1, -90, 0.0, -1]]


def test_unit_contribution_without_repeats_has_no_adjustment_and_keeps_unlisted_units(
        data: dict[str, pd.DataFrame]) -> None:
    out = metrics.unit_contribution(data, as_of=date(2021, 3, 31), units=["bhxh"])
    assert out["unit"].tolist() == ["bhxh", "bv_da_khoa", "ldtbxh", metrics.JOINT]
    alone = make_data([(make_report("bhxh", "2021-03", activities=[activity("2021-03-02", "tap_huan", 15)]),
                        "2021-04-05")])
    assert metrics.unit_contribution(alone)["unit"].tolist() == ["bhxh"]


@pytest.fixture(scope="module")
def sample_data() -> dict[str, pd.DataFrame]:
    """The generated sample year, as received on the manifest's dates."""
    return make_data(sample_year())


@pytest.mark.parametrize("as_of", [date(2021, 6, 30), date(2021, 12, 31)])
def test_unit_contributions_add_up_to_the_totals_counted_once(sample_data: dict[str, pd.DataFrame],
                                                              as_of: date) -> None:
    out = metrics.unit_contribution(sample_data, as_of)
    adjustment = out.set_index("unit").loc[metrics.JOINT]
    assert adjustment["activities"] < 0 and adjustment["beneficiaries"] < 0  # joint activities, people seen twice
    by_type = metrics.activities_by_month_type(sample_data, as_of)
    shown_elsewhere = {"activities": by_type["activities"].sum(), "people_served": by_type["people_served"].sum(),
                       "resources_value_vnd": metrics.resources_by_unit(sample_data, as_of)["value_vnd"].sum(),
                       "beneficiaries": len(metrics.unique_beneficiaries(sample_data, as_of))}
    assert out[list(shown_elsewhere)].sum().to_dict() == pytest.approx(shown_elsewhere)


def test_quantities_add_up_only_within_one_unit_of_measure(sample_data: dict[str, pd.DataFrame]) -> None:
    by_measure = metrics.resources_by_measure(sample_data).set_index(["item", "unit_of_measure"])
    assert by_measure.loc[("qua", "phần"), "quantity"] == 423 and by_measure.loc[("qua", "hộp"), "quantity"] == 50
    assert by_measure.loc[("sinh_ke", "con"), "quantity"] == 5
    assert by_measure["value_vnd"].sum() == metrics.resources_by_item(sample_data)["value_vnd"].sum()
    for name in ("resources_by_item", "resources_by_donor_type", "resources_by_unit"):
        assert "quantity" not in getattr(metrics, name)(sample_data)  # different things: only the value adds up


def test_units_of_measure_are_matched_whatever_the_spacing_and_case() -> None:
    rows = [resource("2021-05-02", "qua", 10, 1_000_000, unit_of_measure="Phần "),
            resource("2021-05-03", "qua", 5, 500_000, unit_of_measure="phần"),
            resource("2021-05-04", "qua", 2, 300_000, unit_of_measure="hộp"),
            resource("2021-05-05", "qua", 1, 100_000)]
    data = make_data([(make_report("bhxh", "2021-05", resources=rows), "2021-06-05")])
    out = metrics.resources_by_measure(data)
    assert out[["item", "unit_of_measure", "entries", "quantity", "value_vnd"]].values.tolist() == [
        ["qua", "phần", 2, 15.0, 1_500_000.0], ["qua", "hộp", 1, 2.0, 300_000.0], ["qua", "", 1, 1.0, 100_000.0]]


def test_as_of_leaves_out_later_rows(data: dict[str, pd.DataFrame]) -> None:
    day = date(2021, 1, 31)
    assert metrics.activities_by_month_type(data, as_of=day)["month"].unique().tolist() == ["2021-01"]
    assert metrics.resources_by_item(data, as_of=day)["item"].tolist() == ["thuoc", "qua"]
    assert len(metrics.unique_beneficiaries(data, as_of=day)) == 1  # An; Bình was surveyed in March


@pytest.mark.parametrize("name", ["activities_by_month_type", "checkups_by_month", "resources_by_item",
                                  "resources_by_measure", "resources_by_donor_type", "resources_by_unit", "resources_by_month",
                                  "top_donors", "unique_beneficiaries", "beneficiaries_by_district",
                                  "beneficiaries_by_category", "unit_contribution"])
@pytest.mark.parametrize("empty", [{}, "nil"])
def test_every_aggregate_copes_with_no_data(name: str, empty: Any) -> None:
    frames = {} if empty == {} else make_data([(make_report("bhxh", "2021-01"), "2021-02-01")])
    args = ("kham_benh",) if name == "checkups_by_month" else ()  # the one aggregate of a chosen activity type
    out = getattr(metrics, name)(frames, *args)
    assert isinstance(out, pd.DataFrame)
    assert len(out) == 0


@pytest.mark.parametrize("empty", [{}, "nil"])
def test_coverage_copes_with_no_data(empty: Any) -> None:
    frames = {} if empty == {} else make_data([(make_report("bhxh", "2021-01"), "2021-02-01")])
    m = _coverage(frames)
    assert (m.people, m.supported_share, m.bhyt_share, m.has_data) == (0, None, None, False)
    assert m.by_sex.empty and m.by_age["people"].tolist() == [0, 0, 0, 0]
