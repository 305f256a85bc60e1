"""The plan as data: loading and checking plan files, counting rules, target statuses, reporting."""
from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings as hsettings, strategies as st

from tests.factories import activity, beneficiary, make_data, make_report, resource
from ytsupport import settings
from ytsupport.plan import (PlanError, count_once, decide_status, load_plan, reporting, reporting_matrix,
                            status)
from ytsupport.store import load_current, store_report

PLAN_FILE = settings.PLANS_DIR / "plan_2021_114.yaml"
SHARED_PLAN = Path(__file__).resolve().parents[2] / "shared" / "plan" / "PLAN.md"
IDS = ["checkup_monthly", "checkup_people", "children_day_gifts", "mid_autumn_gifts", "holiday_gifts",
       "bhyt_disabled_students", "bhyt_centre_residents", "therapy_support", "disability_club", "recreation_monthly",
       "forums_playgrounds", "two_models", "district_coverage", "staff_training", "livelihood_support", "own_models",
       "reporting_completeness", "thematic_reports", "resources_value"]


@pytest.fixture(scope="module")
def plan() -> Any:
    return load_plan(PLAN_FILE)


def _t(result: dict[str, Any], target_id: str) -> dict[str, Any]:
    return next(t for t in result["targets"] if t["id"] == target_id)


def _status(plan: Any, reports: list[tuple[Any, str]], as_of: str) -> dict[str, Any]:
    return status(make_data(reports), plan, date.fromisoformat(as_of))


def _acts(unit: str, period: str, *rows: dict[str, Any], on: str | None = None) -> tuple[Any, str]:
    """A report of activities, received on the 5th of the next month unless ``on`` says otherwise."""
    year, month = (int(x) for x in period.split("-"))
    received = on or (f"{year}-{month + 1:02d}-05" if month < 12 else f"{year + 1}-01-05")
    return make_report(unit, period, activities=list(rows)), received


# ---------------------------------------------------------------------------------------------
# The plan file


def test_plan_file_holds_the_catalogue(plan: Any) -> None:
    assert plan.number == "114-KH/ĐTN"
    assert (plan.start, plan.end, plan.due_days, plan.adjustments) == (date(2021, 1, 1), date(2021, 12, 31), 10, ())
    assert [t.id for t in plan.targets] == IDS
    kinds = {t.id: (t.kind, t.target) for t in plan.targets}
    assert kinds == {
        "checkup_monthly": ("monthly_threshold", 12), "checkup_people": ("sum_people", 1200),
        "children_day_gifts": ("events_in_window", 1), "mid_autumn_gifts": ("events_in_window", 1),
        "bhyt_disabled_students": ("sum_resource_quantity", 2), "disability_club": ("activity_count", 1),
        "recreation_monthly": ("months_with_activity", 12), "two_models": ("composite", 2),
        "district_coverage": ("distinct_count", 9), "staff_training": ("activity_count", 1),
        "reporting_completeness": ("reporting_rate", 1), "resources_value": ("tracked_value", None),
        # tracked lines: the plan names them without a number
        "holiday_gifts": ("activity_count", None), "bhyt_centre_residents": ("sum_people", None),
        "therapy_support": ("sum_people", None), "forums_playgrounds": ("months_with_activity", None),
        "livelihood_support": ("sum_people", None), "own_models": ("units_with_activity", None),
        "thematic_reports": ("reporting_rate", None)}
    assert plan.target("checkup_monthly").params == {"activity_type": "kham_benh", "place": "centre", "threshold": 100}
    assert all(t.label["vi"] and t.label["en"] and t.responsible["vi"] and t.responsible["en"] for t in plan.targets)
    assert [u.code for u in plan.reporting_units][:3] == ["bv_da_khoa", "bhxh", "ldtbxh"]
    assert "doan_khoi" not in [u.code for u in plan.reporting_units] and len(plan.reporting_units) == 12
    assert len(plan.districts) == 9


def test_plan_file_refers_to_reference_data_by_name() -> None:
    raw = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    assert raw["reference"]["units"] == "units_2021.yaml" and raw["reference"]["districts"] == "districts.yaml"


@pytest.mark.skipif(not SHARED_PLAN.is_file(), reason="../shared is not present")
def test_target_ids_match_the_shared_plan(plan: Any) -> None:
    ids = re.findall(r"^\| `([a-z_]+)` \|", SHARED_PLAN.read_text(encoding="utf-8"), flags=re.M)
    assert [i for i in [t.id for t in plan.targets] if i in ids] == ids  # the catalogue's, in order, plus additions


def _raw() -> dict[str, Any]:
    return yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def _load_edited(tmp_path: Path, raw: dict[str, Any]) -> Any:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_plan(path)


def _errors(tmp_path: Path, edit: Any) -> list[str]:
    raw = _raw()
    edit(raw)
    with pytest.raises(PlanError) as info:
        _load_edited(tmp_path, raw)
    for problem in info.value.problems:  # each also said in both languages, with what it names
        assert problem.message("vi") and problem.message("en") and "{" not in problem.message("vi")
    return info.value.errors


def _target_raw(raw: dict[str, Any], target_id: str) -> dict[str, Any]:
    return next(t for t in raw["targets"] if t["id"] == target_id)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda r: _target_raw(r, "checkup_monthly").update(kind="monthy_threshold"), "unknown kind 'monthy_threshold'"),
    (lambda r: _target_raw(r, "checkup_monthly")["params"].pop("threshold"), "missing parameter `threshold`"),
    (lambda r: _target_raw(r, "disability_club")["params"].update(activity_type="thanh_lap"),
     "unknown activity code 'thanh_lap'"),
    (lambda r: _target_raw(r, "checkup_people")["params"].update(place="hospital"), "unknown place 'hospital'"),
    (lambda r: _target_raw(r, "bhyt_disabled_students")["params"].update(item="bhyt"), "unknown resource item 'bhyt'"),
    (lambda r: _target_raw(r, "staff_training")["params"].update(treshold=3), "unknown parameter `treshold`"),
    (lambda r: _target_raw(r, "checkup_people").update(target=0), "`target` must be a positive number"),
    (lambda r: _target_raw(r, "resources_value").update(target=5), "has no target"),
    (lambda r: _target_raw(r, "staff_training").update(label={"vi": "x"}), "`label` needs non-empty `vi` and `en`"),
    (lambda r: r["targets"].append(copy.deepcopy(r["targets"][0])), "duplicate id"),
    (lambda r: _target_raw(r, "two_models")["params"]["models"][1]["when"].update(target="nope"),
     "unknown target 'nope'"),
    (lambda r: _target_raw(r, "children_day_gifts")["params"].update(window={"from": date(2021, 6, 10),
                                                                             "to": date(2021, 5, 25)}),
     "window ends before it starts"),
    (lambda r: r.update(adjustments=[{"target": "disability_club", "months": ["2021-08"],
                                      "reason": {"vi": "a", "en": "b"}}]), "not paced by month"),
    (lambda r: r.update(adjustments=[{"target": "checkup_monthly", "months": ["2022-08"],
                                      "reason": {"vi": "a", "en": "b"}}]), "bad: ['2022-08']"),
    (lambda r: r["reference"].update(units="units_1999.yaml"), "file 'units_1999.yaml' not found"),
    (lambda r: r.update(due_days_after_month_end=-1), "due_days_after_month_end"),
])
def test_plan_errors_are_clear(tmp_path: Path, edit: Any, expected: str) -> None:
    errors = _errors(tmp_path, edit)
    assert any(expected in e for e in errors), errors


def test_plan_errors_name_the_target_and_are_all_listed(tmp_path: Path) -> None:
    def edit(raw: dict[str, Any]) -> None:
        _target_raw(raw, "checkup_monthly")["kind"] = "nope"
        _target_raw(raw, "staff_training")["params"]["activity_type"] = "tap"
    errors = _errors(tmp_path, edit)
    assert len(errors) == 2
    assert errors[0].startswith("target 'checkup_monthly'") and errors[1].startswith("target 'staff_training'")
    assert "staff_training" in str(PlanError("p.yaml", errors))


def test_a_new_target_of_an_existing_kind_is_a_yaml_edit(tmp_path: Path) -> None:
    raw = _raw()
    raw["targets"].append({"id": "club_meetings", "clause": "II.2", "kind": "months_with_activity", "target": 12,
                           "label": {"vi": "Sinh hoạt CLB hằng tháng", "en": "Monthly club meetings"},
                           "responsible": {"vi": "Chi đoàn Sở LĐTBXH", "en": "DOLISA youth branch"},
                           "params": {"activity_type": "sinh_hoat_clb"}})
    plan = _load_edited(tmp_path, raw)
    result = _status(plan, [_acts("ldtbxh", "2021-01", activity("2021-01-09", "sinh_hoat_clb", 8))], "2021-02-28")
    assert {k: _t(result, "club_meetings")[k] for k in ("actual", "target", "expected_by_now", "status")} == {
        "actual": 1, "target": 12, "expected_by_now": 2, "status": "behind"}


def test_next_years_plan_is_a_new_file(tmp_path: Path) -> None:
    raw = _raw()
    raw.update(plan="20-KH/ĐTN", period={"start": date(2022, 1, 1), "end": date(2022, 12, 31)})
    window = _target_raw(raw, "children_day_gifts")["params"]
    window.update(window={"from": date(2022, 5, 25), "to": date(2022, 6, 10)}, expected_from=date(2022, 6, 10))
    plan = _load_edited(tmp_path, raw)
    result = _status(plan, [_acts("doan_khoi", "2022-06", activity("2022-06-01", "tham_tang_qua", 50, centre=True))],
                     "2022-06-30")
    assert result["plan"] == "20-KH/ĐTN" and _t(result, "children_day_gifts")["status"] == "met"
    assert _t(result, "checkup_monthly")["expected_by_now"] == 6


# ---------------------------------------------------------------------------------------------
# Calendar and status order


@pytest.mark.parametrize(("as_of", "months", "fraction"), [
    ("2021-01-01", 0, 1 / 365), ("2021-01-30", 0, 30 / 365), ("2021-01-31", 1, 31 / 365),
    ("2021-06-29", 5, 180 / 365), ("2021-06-30", 6, 181 / 365), ("2021-07-15", 6, 196 / 365),
    ("2021-12-31", 12, 1.0)])
def test_months_elapsed_and_fraction_of_year(plan: Any, as_of: str, months: int, fraction: float) -> None:
    day = date.fromisoformat(as_of)
    assert len(plan.months_elapsed(day)) == months
    assert plan.fraction_elapsed(day) == pytest.approx(fraction, rel=1e-12)


@pytest.mark.parametrize(("as_of", "clipped"), [("2020-11-30", "2021-01-01"), ("2022-03-01", "2021-12-31"),
                                                ("2021-05-05", "2021-05-05")])
def test_as_of_is_clipped_to_the_plan_period(plan: Any, as_of: str, clipped: str) -> None:
    assert _status(plan, [], as_of)["as_of"] == clipped


@pytest.mark.parametrize(("actual", "target", "expected", "result"), [
    (5, None, None, "no_target"), (12, 12, 12, "met"), (13, 12, 3, "met"), (0, 12, 3, "not_started"),
    (0, 1, 0, "upcoming"), (1, 2, 0, "on_track"), (3, 12, 3, "on_track"), (2.5, 12, 2.4, "on_track"),
    (2, 12, 3, "behind"), (None, 1, 0, "upcoming")])
def test_status_order(actual: Any, target: Any, expected: Any, result: str) -> None:
    """Before anything is expected and with nothing done a target has not come due ("Chưa đến
    thời điểm"), never "on track" with nothing expected."""
    assert decide_status(actual, target, expected) == result


@pytest.mark.parametrize(("actual", "target", "expected", "result"), [
    (11, 12, 12, "not_met"), (0, 1, 1, "not_met"), (12, 12, 12, "met"), (5, None, None, "no_target")])
def test_after_the_plan_period_a_target_not_reached_is_not_met(actual: Any, target: Any, expected: Any,
                                                                result: str) -> None:
    assert decide_status(actual, target, expected, plan_over=True) == result


def test_at_the_plan_end_behind_targets_read_not_met(plan: Any) -> None:
    """At 31/12 the check-up target that missed August is "Không đạt", not "Chậm tiến độ"."""
    reports = [_acts("bv_da_khoa", "2021-01", activity("2021-01-15", "kham_benh", 100, location="Trung tâm BTXH"))]
    at_end = _status(plan, reports, "2021-12-31")
    assert _t(at_end, "checkup_monthly")["status"] == "not_met"
    assert _t(at_end, "children_day_gifts")["status"] == "not_met"
    assert _t(_status(plan, reports, "2021-03-31"), "children_day_gifts")["status"] == "upcoming"


# ---------------------------------------------------------------------------------------------
# Counting an activity once


def test_an_activity_reported_by_two_units_counts_once_with_the_largest_count(plan: Any) -> None:
    reports = [_acts("bv_da_khoa", "2021-04", activity("2021-04-15", "kham_benh", 120, location="Trung tâm BTXH tỉnh",
                                                       centre=True)),
               _acts("ldtbxh", "2021-04", activity("2021-04-15", "kham_benh", 110, location="TT Bảo trợ xã hội",
                                                   centre=True))]
    result = _status(plan, reports, "2021-04-30")
    assert _t(result, "checkup_people")["actual"] == 120
    assert _t(result, "checkup_monthly")["months_met"] == ["2021-04"]


def test_a_cumulative_report_repeating_an_earlier_month_counts_once(plan: Any) -> None:
    march = activity("2021-03-20", "tap_huan", 30, location="Hội trường Sở LĐTBXH")
    reports = [_acts("ldtbxh", "2021-03", march),
               _acts("ldtbxh", "2021-04", march | {"location": "hội trường sở LĐTBXH", "people_served": 35})]
    assert _t(_status(plan, reports, "2021-04-30"), "staff_training")["actual"] == 1


def test_rows_within_one_report_are_never_merged(plan: Any) -> None:
    session = activity("2021-03-20", "tap_huan", 30, location="Hội trường")
    assert _t(_status(plan, [_acts("ldtbxh", "2021-03", session, session)], "2021-04-30"),
              "staff_training")["actual"] == 2


def test_different_places_or_dates_are_different_activities(plan: Any) -> None:
    reports = [_acts("bv_da_khoa", "2021-03", activity("2021-03-20", "tap_huan", 30, location="Hội trường A")),
               _acts("ldtbxh", "2021-03", activity("2021-03-20", "tap_huan", 30, location="Hội trường B"),
                     activity("2021-03-21", "tap_huan", 30, location="Hội trường A"))]
    assert _t(_status(plan, reports, "2021-04-30"), "staff_training")["actual"] == 3


def test_two_sessions_repeated_by_another_report_pair_up_largest_with_largest() -> None:
    two_sessions = make_report("bv_da_khoa", "2021-05", activities=[
        activity("2021-05-10", "kham_benh", 60, centre=True), activity("2021-05-10", "kham_benh", 40, centre=True)])
    repeated = make_report("ldtbxh", "2021-05", activities=[
        activity("2021-05-10", "kham_benh", 70, location="TTBTXH", centre=True)])
    data = make_data([(two_sessions, "2021-06-01"), (repeated, "2021-06-01")])
    once = count_once(data["activities"])
    assert sorted(once["people_served"].tolist()) == [40, 70]
    assert sorted(once["times_reported"].tolist()) == [1, 2]


_PLACES = [("Trung tâm BTXH", True), ("TT Bảo trợ xã hội tỉnh", True), ("Xã An", False), ("xã  AN", False)]
_ROW = st.tuples(st.sampled_from(["2021-03-01", "2021-03-02"]), st.sampled_from(["kham_benh", "vui_choi"]),
                 st.sampled_from(range(len(_PLACES))), st.integers(0, 150))


def _march_activities(reports: list[list[Any]]) -> pd.DataFrame:
    """One March report per list of (day, type, place index, people) rows, from units u0, u1..."""
    made = [(make_report(f"u{i}", "2021-03", activities=[
        activity(day, kind, people, location=_PLACES[p][0], centre=_PLACES[p][1]) for day, kind, p, people in rows]),
        "2021-04-01") for i, rows in enumerate(reports)]
    return make_data(made)["activities"]


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_ROW, max_size=5), min_size=1, max_size=4))
def test_count_once_keeps_the_most_rows_any_report_has_per_activity(reports: list[list[Any]]) -> None:
    once = count_once(_march_activities(reports))

    def key(day: str, kind: str, p: int) -> tuple[str, str, str]:
        return day, kind, "centre" if _PLACES[p][1] else "xa an"

    per_report = [pd.Series([key(d, k, p) for d, k, p, _ in rows], dtype=object).value_counts() for rows in reports]
    expected = pd.concat(per_report, axis=1).max(axis=1).sum() if any(len(r) for r in reports) else 0
    assert len(once) == expected
    all_people = sum(people for rows in reports for *_, people in rows)
    assert once["people_served"].sum() <= all_people
    if len(reports) == 1:
        assert len(once) == len(reports[0])  # rows within one report are never merged


def _count_once_by_groups(activities: pd.DataFrame) -> pd.DataFrame:
    """The counting rule spelled with pandas group-bys: the reference count_once must match."""
    from ytsupport.plan.activities import place_keys

    work = activities.assign(_day=pd.to_datetime(activities["date"]).dt.normalize(), _place=place_keys(activities),
                             _report=activities["report_version_id"].astype(str),
                             _people=activities["people_served"].astype("Float64").fillna(-1))
    work = work.sort_values("_people", ascending=False, kind="stable")
    same = ["_day", "activity_type", "_place"]
    work["_slot"] = work.groupby([*same, "_report"], dropna=False).cumcount()
    times = work.groupby([*same, "_slot"], dropna=False)["_report"].transform("size")
    kept = work.assign(times_reported=times.astype("int64")).drop_duplicates([*same, "_slot"], keep="first")
    kept = kept.sort_values(["_day", "activity_type"], kind="stable")
    return kept.drop(columns=["_day", "_place", "_report", "_people", "_slot"]).reset_index(drop=True)


_ANY_ROW = st.tuples(st.sampled_from(["2021-03-01", "2021-03-02", "2021-03-03"]),
                     st.sampled_from(["kham_benh", "vui_choi", "bhyt"]), st.sampled_from(range(len(_PLACES))),
                     st.one_of(st.none(), st.integers(0, 4)))


@hsettings(max_examples=80, deadline=None)
@given(st.lists(st.lists(_ANY_ROW, max_size=6), min_size=1, max_size=5))
def test_count_once_matches_the_rule_written_as_group_bys(reports: list[list[Any]]) -> None:
    """Ties in people served, missing counts, repeated sessions: row for row the same kept activities."""
    data = _march_activities(reports)
    data = data.assign(report_version_id=pd.factorize(data["unit"])[0])
    if len(data) == 0:
        return
    pd.testing.assert_frame_equal(count_once(data), _count_once_by_groups(data))


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_ANY_ROW, max_size=6), min_size=1, max_size=5),
       st.sampled_from([None, date(2021, 3, 2)]), st.sampled_from([None, date(2021, 3, 1), date(2021, 3, 2)]))
def test_counting_once_then_choosing_dates_is_choosing_then_counting(reports: list[list[Any]], start: Any,
                                                                    end: Any) -> None:
    """What lets every page share one count per data version, whatever the as-of date."""
    from ytsupport.plan.activities import counted, with_counted
    from ytsupport.plan.status import dated_within

    data = {"activities": _march_activities(reports)}
    chosen = dated_within(data["activities"], "date", start or date(2021, 1, 1), end or date(2021, 12, 31))
    expected = count_once(chosen.reset_index(drop=True))
    pd.testing.assert_frame_equal(counted(with_counted(data), start, end), expected)
    pd.testing.assert_frame_equal(counted(data, start, end), expected)


def test_filters_count_the_chosen_units_again() -> None:
    """Merged across two units, an activity counts for each unit alone when filtered to it."""
    from ytsupport.plan.activities import COUNTED, with_counted
    from ytsupport.dashboard.models import apply_filters

    data = with_counted({"activities": _march_activities([[("2021-03-01", "kham_benh", 0, 50)],
                                                          [("2021-03-01", "kham_benh", 1, 80)]])})
    assert data[COUNTED]["times_reported"].tolist() == [2]
    one = apply_filters(data, units=["u0"])
    assert one[COUNTED]["people_served"].tolist() == [50] and one[COUNTED]["times_reported"].tolist() == [1]


# ---------------------------------------------------------------------------------------------
# Each target on a small hand-made year


def _year() -> list[tuple[Any, str]]:
    """Jan-Jun 2021 of a few units: check-ups, gifts, recreation, a club, cards, surveys."""
    centre = {"centre": True}
    return [
        _acts("bv_da_khoa", "2021-01", activity("2021-01-15", "kham_benh", 100, **centre),
              activity("2021-01-20", "vui_choi", 25, **centre), on="2021-02-10"),
        _acts("bv_da_khoa", "2021-02", activity("2021-02-10", "kham_benh", 60, **centre),
              activity("2021-02-20", "kham_benh", 50, **centre), activity("2021-02-21", "vui_choi", 20, **centre),
              on="2021-03-11"),
        _acts("bv_da_khoa", "2021-03", activity("2021-03-15", "kham_benh", 90, **centre),
              activity("2021-03-16", "vui_choi", 15, **centre)),
        _acts("bv_da_khoa", "2021-04", activity("2021-04-15", "kham_benh", 120, **centre),
              activity("2021-04-16", "vui_choi", 15, **centre)),
        _acts("ldtbxh", "2021-04", activity("2021-04-15", "kham_benh", 110, location="TT BTXH", **centre),
              activity("2021-04-20", "thanh_lap_clb", 18, location="Sở LĐTBXH")),
        _acts("bv_da_khoa", "2021-05", activity("2021-05-14", "kham_benh", 100, **centre),
              activity("2021-05-15", "vui_choi", 15, **centre)),
        _acts("doan_khoi", "2021-06", activity("2021-06-01", "tham_tang_qua", 60, **centre)),
        _acts("bv_da_khoa", "2021-06", activity("2021-06-30", "kham_benh", 100, **centre)),
        (make_report("bhxh", "2021-03", resources=[resource("2021-03-10", "the_bhyt", 2, 1_400_000,
                                                            donor="Chi đoàn BHXH", donor_type="co_quan",
                                                            recipient="Học sinh khuyết tật")],
                     beneficiaries=[beneficiary("A", district="cang_long", surveyed_on="2021-03-02"),
                                    beneficiary("B", district="tra_cu", surveyed_on="2021-03-03"),
                                    beneficiary("C", district="cau_ke", surveyed_on="2021-07-03")]), "2021-04-09"),
        (make_report("so_y_te", "2021-01"), "2021-02-11"),  # a nil report, one day late
    ]


EXPECTED_JUNE_30 = {  # id: (actual, target, expected_by_now, status)
    "checkup_monthly": (5, 12, 6, "behind"),
    "checkup_people": (620, 1200, 600, "on_track"),
    "children_day_gifts": (1, 1, 1, "met"),
    "mid_autumn_gifts": (0, 1, 0, "upcoming"),
    "bhyt_disabled_students": (2, 2, 2 * 181 / 365, "met"),
    "disability_club": (1, 1, 181 / 365, "met"),
    "recreation_monthly": (5, 12, 6, "behind"),
    "two_models": (2, 2, 2, "met"),
    "district_coverage": (2, 9, 9 * 181 / 365, "behind"),
    "staff_training": (0, 1, 181 / 365, "not_started"),
    "reporting_completeness": (8 / 60, 1, 1, "behind"),
    "resources_value": (1_400_000, None, None, "no_target"),
    "holiday_gifts": (0, None, None, "no_target"),  # the 1 June visit has its own target
    "bhyt_centre_residents": (0, None, None, "no_target"),
    "therapy_support": (0, None, None, "no_target"),
    "forums_playgrounds": (0, None, None, "no_target"),
    "livelihood_support": (0, None, None, "no_target"),
    "own_models": (0, None, None, "no_target"),
    "thematic_reports": (7 / 15, None, None, "no_target"),  # pilot units, Jan-May due: 5 + 1 + 1 received
}


def test_every_target_on_a_hand_made_half_year(plan: Any) -> None:
    result = _status(plan, _year(), "2021-06-30")
    got = {t["id"]: (t["actual"], t["target"], t["expected_by_now"], t["status"]) for t in result["targets"]}
    assert got.keys() == EXPECTED_JUNE_30.keys()
    for target_id, expected in EXPECTED_JUNE_30.items():
        assert got[target_id][3] == expected[3], target_id
        assert got[target_id][:3] == pytest.approx(expected[:3]), target_id
    assert _t(result, "checkup_monthly")["months_met"] == ["2021-01", "2021-02", "2021-04", "2021-05", "2021-06"]
    assert _t(result, "checkup_monthly")["attainment"] == pytest.approx(5 / 12)
    assert _t(result, "resources_value")["attainment"] is None
    rates = {k: v for k, v in result["reporting"].items() if k != "matrix"}
    assert rates == {"expected": 60, "received": 8, "on_time": 6,
                     "completeness": pytest.approx(8 / 60), "timeliness": pytest.approx(6 / 60)}
    assert len(result["reporting"]["matrix"]) == 12 * 12


def test_the_same_half_year_a_day_earlier(plan: Any) -> None:
    result = _status(plan, _year(), "2021-06-29")
    assert _t(result, "checkup_monthly")[("actual")] == 4  # the June check-up is dated 30 June
    assert _t(result, "checkup_monthly")["expected_by_now"] == 5
    assert _t(result, "checkup_people")["actual"] == 520 and _t(result, "checkup_people")["status"] == "on_track"


def test_status_json_has_the_contract_shape(plan: Any) -> None:
    result = _status(plan, _year(), "2021-06-30")
    assert list(result) == ["plan", "as_of", "targets", "reporting"]
    assert (result["plan"], result["as_of"]) == ("114-KH/ĐTN", "2021-06-30")
    for target in result["targets"]:
        assert {"id", "actual", "target", "expected_by_now", "attainment", "status"} <= set(target)
        assert {"label", "clause", "responsible"} <= set(target)
    assert list(result["reporting"]) == ["expected", "received", "on_time", "completeness", "timeliness", "matrix"]
    json.dumps(result, ensure_ascii=False)  # plain JSON values only


def test_data_after_as_of_does_not_count(plan: Any) -> None:
    result = _status(plan, _year(), "2021-03-31")
    assert _t(result, "district_coverage")["actual"] == 2  # the survey of 3 July is later
    assert _t(result, "disability_club")["actual"] == 0
    assert _t(result, "resources_value")["actual"] == 1_400_000
    assert _t(result, "bhyt_disabled_students")["status"] == "met"


def test_two_models_steps(plan: Any) -> None:
    jan = [_acts("bv_da_khoa", "2021-01", activity("2021-01-15", "kham_benh", 40, centre=True))]
    assert [_t(_status(plan, jan, d), "two_models")["expected_by_now"] for d in
            ("2021-01-30", "2021-01-31", "2021-06-09", "2021-06-10")] == [0, 1, 1, 2]
    assert _t(_status(plan, jan, "2021-01-30"), "two_models")["status"] == "on_track"
    record = _t(_status(plan, jan, "2021-06-10"), "two_models")
    assert (record["actual"], record["status"]) == (1, "behind")
    assert [m["started"] for m in record["models"]] == [True, False]
    assert _t(_status(plan, [], "2021-02-01"), "two_models")["status"] == "not_started"


@pytest.mark.parametrize(("day", "counts"), [("2021-05-24", 0), ("2021-05-25", 1), ("2021-06-01", 1),
                                             ("2021-06-10", 1), ("2021-06-11", 0)])
def test_childrens_day_window_includes_both_ends(plan: Any, day: str, counts: int) -> None:
    reports = [_acts("doan_khoi", day[:7], activity(day, "tham_tang_qua", 40, centre=True))]
    assert _t(_status(plan, reports, "2021-12-31"), "children_day_gifts")["actual"] == counts


def test_childrens_day_gifts_must_be_at_the_centre(plan: Any) -> None:
    reports = [_acts("doan_khoi", "2021-06", activity("2021-06-01", "tham_tang_qua", 40, location="Trường Tiểu học"))]
    assert _t(_status(plan, reports, "2021-12-31"), "children_day_gifts")["actual"] == 0


@pytest.mark.parametrize(("as_of", "expected", "state"), [("2021-06-09", 0, "upcoming"),
                                                          ("2021-06-10", 1, "not_started")])
def test_childrens_day_expected_from_the_window_end(plan: Any, as_of: str, expected: int, state: str) -> None:
    record = _t(_status(plan, [], as_of), "children_day_gifts")
    assert (record["expected_by_now"], record["status"]) == (expected, state)


@pytest.mark.parametrize(("day", "counts"), [("2021-09-06", 0), ("2021-09-07", 1), ("2021-09-21", 1),
                                             ("2021-09-30", 1), ("2021-10-01", 0)])
def test_mid_autumn_window_includes_both_ends_anywhere(plan: Any, day: str, counts: int) -> None:
    reports = [_acts("so_gddt", day[:7], activity(day, "tham_tang_qua", 40, location="Xã Long Đức"))]
    assert _t(_status(plan, reports, "2021-12-31"), "mid_autumn_gifts")["actual"] == counts


def test_mid_autumn_expected_from_30_september(plan: Any) -> None:
    assert _t(_status(plan, [], "2021-09-29"), "mid_autumn_gifts")["expected_by_now"] == 0
    assert _t(_status(plan, [], "2021-09-30"), "mid_autumn_gifts")["status"] == "not_started"


def test_checkup_month_needs_100_people_at_the_centre(plan: Any) -> None:
    reports = [_acts("bv_da_khoa", "2021-01", activity("2021-01-10", "kham_benh", 99, centre=True)),
               _acts("bv_da_khoa", "2021-02", activity("2021-02-10", "kham_benh", 200, location="Trạm y tế xã")),
               _acts("bv_da_khoa", "2021-03", activity("2021-03-10", "kham_benh", 50, centre=True),
                     activity("2021-03-25", "kham_benh", 50, centre=True))]
    record = _t(_status(plan, reports, "2021-03-31"), "checkup_monthly")
    assert (record["actual"], record["months_met"]) == (1, ["2021-03"])
    assert _t(_status(plan, reports, "2021-03-31"), "checkup_people")["actual"] == 199


def test_full_year_met(plan: Any) -> None:
    reports = [_acts("bv_da_khoa", f"2021-{m:02d}", activity(f"2021-{m:02d}-28", "kham_benh", 100, centre=True),
                     activity(f"2021-{m:02d}-27", "vui_choi", 10, centre=True)) for m in range(1, 13)]
    result = _status(plan, reports, "2021-12-31")
    for target_id in ("checkup_monthly", "checkup_people", "recreation_monthly"):
        assert _t(result, target_id)["status"] == "met"
        assert _t(result, target_id)["attainment"] == 1


def test_resources_value_sums_value_and_bhyt_counts_the_students_cards(plan: Any) -> None:
    """III.2: "hỗ trợ bảo hiểm y tế miễn phí cho ít nhất 02 học sinh khuyết tật": a card given to
    someone else (a resident of the Centre) is mobilised, but is not a student's card."""
    report = make_report("bhxh", "2021-05", resources=[
        resource("2021-05-02", "the_bhyt", 1, 700_000, recipient="Học sinh khuyết tật"),
        resource("2021-05-03", "qua", 30, 3_000_000),
        resource("2021-05-09", "the_bhyt", 1, 700_000, description="Thẻ BHYT cho HỌC SINH trường chuyên biệt"),
        resource("2021-05-10", "the_bhyt", 3, 2_100_000, recipient="Người già neo đơn tại Trung tâm")])
    result = _status(plan, [(report, "2021-06-01")], "2021-05-31")
    assert _t(result, "bhyt_disabled_students")["actual"] == 2 and _t(result, "resources_value")["actual"] == 6_500_000


def test_recreation_counts_only_the_centres_children(plan: Any) -> None:
    """III.2: recreation "cho các đối tượng thuộc đơn vị mình quản lý" (the Centre's): a sports day
    elsewhere is not a month of the Centre's recreation."""
    reports = [_acts("ldtbxh", "2021-03", activity("2021-03-10", "vui_choi", 40, location="Nhà Thi đấu tỉnh")),
               _acts("ldtbxh", "2021-04", activity("2021-04-10", "vui_choi", 40, centre=True))]
    recreation = _t(_status(plan, reports, "2021-04-30"), "recreation_monthly")
    assert (recreation["actual"], recreation["months_met"]) == (1, ["2021-04"])


def test_holiday_gifts_leave_out_children_day_and_mid_autumn(plan: Any) -> None:
    """II.1.2: gifts "nhân dịp các ngày lễ lớn" besides 1/6 and Trung thu, which have their own targets."""
    gifts = [activity(day, "tham_tang_qua", 20, location=f"Xã {i}")
             for i, day in enumerate(["2021-02-05", "2021-06-01", "2021-09-20", "2021-07-27"])]
    result = _status(plan, [_acts("so_y_te", "2021-09", *gifts)], "2021-12-31")
    holidays = _t(result, "holiday_gifts")
    assert (holidays["actual"], holidays["target"], holidays["status"]) == (2, None, "no_target")
    assert _t(result, "mid_autumn_gifts")["actual"] == 1


def test_tracked_lines_have_no_target_and_stay_out_of_targets_met(plan: Any) -> None:
    from ytsupport.figures import compute

    reports = [_acts("so_y_te", "2021-03", activity("2021-03-05", "tri_lieu", 6), activity("2021-03-06", "sinh_ke", 4),
                     activity("2021-03-07", "dien_dan", 30), activity("2021-03-08", "bhyt", 12, centre=True)),
               _acts("agribank", "2021-04", activity("2021-04-05", "dien_dan", 25)),
               _acts("bv_da_khoa", "2021-04", activity("2021-04-05", "tri_lieu", 3))]
    figures = compute(make_data(reports), plan, "2021-06-30")
    got = {t["id"]: (t["actual"], t["status"]) for t in figures.status["targets"]}
    assert got["therapy_support"] == (9, "no_target") and got["livelihood_support"] == (4, "no_target")
    assert got["forums_playgrounds"] == (2, "no_target") and got["bhyt_centre_residents"] == (12, "no_target")
    # the other (non-pilot) units with a support activity of their own: so_y_te and agribank, not bv_da_khoa
    own = next(t for t in figures.status["targets"] if t["id"] == "own_models")
    assert (own["actual"], own["units_met"], own["units_total"]) == (2, ["so_y_te", "agribank"], 9)
    assert figures.headline["targets_total"] == sum(t.target is not None for t in plan.targets) == 11


def test_every_target_quotes_the_sentence_of_the_plan_it_comes_from(plan: Any) -> None:
    """The plan text ships in docs/; each quote (parts joined by " — ") is a passage of it."""
    text = re.sub(r"\s+", " ", (settings.PROJECT_ROOT / "docs" / "ke-hoach-114-KH-DTN-2021.vi.txt")
                  .read_text(encoding="utf-8").replace("*", ""))
    for target in plan.targets:
        assert target.quote, target.id
        for part in target.quote.split(" — "):
            assert part in text, (target.id, part)


def test_district_coverage_counts_each_district_once(plan: Any) -> None:
    people = [beneficiary(f"P{i}", district=d) for i, d in enumerate(["cang_long", "cang_long", "tra_cu"])]
    reports = [(make_report("bhxh", "2021-03", beneficiaries=people), "2021-04-01"),
               (make_report("so_y_te", "2021-03", beneficiaries=[beneficiary("P0", district="cang_long")]),
                "2021-04-01")]
    assert _t(_status(plan, reports, "2021-12-31"), "district_coverage")["actual"] == 2


# ---------------------------------------------------------------------------------------------
# Adjustments


def test_excused_months_leave_the_target_and_expected_of_monthly_targets(tmp_path: Path) -> None:
    raw = _raw()
    reason = {"vi": "Giãn cách xã hội phòng, chống dịch COVID-19", "en": "COVID-19 social distancing"}
    raw["adjustments"] = [{"target": "checkup_monthly", "months": ["2021-08", "2021-09"], "reason": reason},
                          {"target": "checkup_people", "months": ["2021-08", "2021-09"], "reason": reason}]
    plan = _load_edited(tmp_path, raw)
    reports = [_acts("bv_da_khoa", f"2021-{m:02d}", activity(f"2021-{m:02d}-15", "kham_benh", 100, centre=True))
               for m in range(1, 8)]
    result = _status(plan, reports, "2021-09-30")
    monthly = _t(result, "checkup_monthly")
    assert (monthly["actual"], monthly["target"], monthly["expected_by_now"], monthly["status"]) == (
        7, 10, 7, "on_track")
    assert monthly["excused"] == {"months": ["2021-08", "2021-09"], "reason": reason}
    people = _t(result, "checkup_people")
    assert (people["target"], people["expected_by_now"], people["status"]) == (1000, 700, "on_track")
    assert _t(result, "recreation_monthly")["excused"] is None
    assert _t(status(make_data(reports), load_plan(PLAN_FILE), date(2021, 9, 30)),
              "checkup_monthly")["status"] == "behind"  # without the adjustment


# ---------------------------------------------------------------------------------------------
# Reporting


def test_reporting_counts_due_months_of_reporting_units(plan: Any) -> None:
    reports = [(make_report("bv_da_khoa", "2021-01"), "2021-02-10"),   # on the due date: on time
               (make_report("bhxh", "2021-01"), "2021-02-11"),         # a day late
               (make_report("doan_khoi", "2021-01"), "2021-02-01"),    # the Bloc is never expected
               (make_report("ldtbxh", "2021-02"), "2021-02-28")]       # February is not due yet
    data = make_data(reports)
    def rates(day: date) -> dict[str, Any]:
        return {k: v for k, v in reporting(data, plan, day).items() if k != "matrix"}

    assert rates(date(2021, 2, 9)) == {"expected": 0, "received": 0, "on_time": 0,
                                       "completeness": None, "timeliness": None}
    assert rates(date(2021, 2, 10)) == {"expected": 12, "received": 1, "on_time": 1,
                                        "completeness": 1 / 12, "timeliness": 1 / 12}  # bhxh's came a day later
    assert rates(date(2021, 2, 11)) == {"expected": 12, "received": 2, "on_time": 1,
                                        "completeness": 2 / 12, "timeliness": 1 / 12}


def test_reporting_completeness_is_null_while_nothing_is_due(plan: Any) -> None:
    record = _t(_status(plan, [], "2021-02-09"), "reporting_completeness")
    assert (record["actual"], record["expected_by_now"], record["attainment"], record["status"]) == (
        None, 0, None, "upcoming")


def test_timeliness_uses_the_first_version(plan: Any) -> None:
    first = (make_report("bv_da_khoa", "2021-01", activities=[activity("2021-01-10", "vui_choi", 5)]), "2021-02-05")
    second = (make_report("bv_da_khoa", "2021-01", activities=[activity("2021-01-10", "vui_choi", 6)]), "2021-03-01")
    data = make_data([first, second])
    assert reporting(data, plan, date(2021, 3, 31))["on_time"] == 1
    late_first = make_data([(first[0], "2021-02-20"), (second[0], "2021-02-21")])
    assert reporting(late_first, plan, date(2021, 3, 31))["on_time"] == 0


def test_reporting_matrix_states(plan: Any) -> None:
    data = make_data([(make_report("bv_da_khoa", "2021-01"), "2021-02-05"),
                      (make_report("bv_da_khoa", "2021-02"), "2021-03-20"),
                      (make_report("bv_da_khoa", "2021-03"), "2021-04-01")])
    matrix = reporting_matrix(data, plan, date(2021, 4, 5))
    assert matrix.shape == (12, 12) and matrix.index.name == "unit"
    assert list(matrix.columns) == plan.months and list(matrix.index) == [u.code for u in plan.reporting_units]
    assert matrix.loc["bv_da_khoa", ["2021-01", "2021-02", "2021-03", "2021-04"]].tolist() == [
        "on_time", "late", "on_time", "not_due"]
    assert matrix.loc["bhxh", ["2021-01", "2021-02", "2021-03"]].tolist() == ["missing", "missing", "not_due"]


@pytest.mark.parametrize(("as_of", "states"), [
    ("2021-06-29", ["missing", "not_due", "not_due"]),   # nothing of June's, July's or May's had arrived yet
    ("2021-06-30", ["missing", "early", "not_due"]),     # June's arrived on 30/6, before the month ended
    ("2021-07-20", ["late", "early", "not_due"]),        # May's came on 1/7, after its due date 10/6
    ("2022-01-31", ["late", "early", "on_time"])])       # July's came on 5/8
def test_a_report_counts_only_once_received_as_of_the_date(plan: Any, as_of: str, states: list[str]) -> None:
    """A report received after the as-of date is not shown as received (nor early) at that date."""
    data = make_data([(make_report("bv_da_khoa", "2021-05"), "2021-07-01"),
                      (make_report("bv_da_khoa", "2021-06"), "2021-06-30"),
                      (make_report("bv_da_khoa", "2021-07"), "2021-08-05")])
    matrix = reporting_matrix(data, plan, date.fromisoformat(as_of))
    assert matrix.loc["bv_da_khoa", ["2021-05", "2021-06", "2021-07"]].tolist() == states
    records = {(r["unit"], r["period"]): r for r in reporting(data, plan, date.fromisoformat(as_of))["matrix"]}
    assert [records[("bv_da_khoa", m)]["state"] for m in ("2021-05", "2021-06", "2021-07")] == states
    assert records[("bv_da_khoa", "2021-07")]["due_on"] == "2021-08-10"
    received = records[("bv_da_khoa", "2021-06")]["received_on"]
    assert received == (None if as_of < "2021-06-30" else "2021-06-30")


def test_status_is_the_same_from_the_store(engine: Any, plan: Any) -> None:
    received = _year()
    for report, on in received:
        store_report(engine, report, received_on=date.fromisoformat(on))
    from_store = status(load_current(engine), plan, date(2021, 6, 30))
    assert from_store == status(make_data(received), plan, date(2021, 6, 30))
    assert reporting_matrix(load_current(engine), plan, date(2021, 6, 30)).equals(
        reporting_matrix(make_data(received), plan, date(2021, 6, 30)))


def test_status_of_an_empty_store(plan: Any) -> None:
    result = status({}, plan, date(2021, 12, 31))
    assert [t["status"] for t in result["targets"]] == [
        "no_target" if t.target is None else "not_met" for t in plan.targets]
    assert sum(t["status"] == "not_met" for t in result["targets"]) == 11
    assert result["reporting"]["expected"] == 11 * 12
    assert [(t["actual"], t["attainment"]) for t in result["targets"]] == [
        (0, None if t.target is None else 0.0) for t in plan.targets]


def test_people_supported_leave_out_training_and_surveys(plan: Any) -> None:
    """"Lượt người được hỗ trợ" adds the plan's support activities only: the 30 staff trained and the
    12 people surveyed in the field are not people supported."""
    from ytsupport.figures import compute

    assert "tap_huan" not in plan.support_activity_types and "khao_sat" not in plan.support_activity_types
    assert "kham_benh" in plan.support_activity_types
    reports = [_acts("bv_da_khoa", "2021-03", activity("2021-03-10", "kham_benh", 100, location="Trung tâm BTXH"),
                     activity("2021-03-12", "tap_huan", 30), activity("2021-03-15", "khao_sat", 12))]
    head = compute(make_data(reports), plan, date(2021, 3, 31)).headline
    assert (head["people_supported"], head["people_served"], head["activities"]) == (100, 142, 3)


def test_which_activities_are_support_is_read_from_the_plan_file(tmp_path: Path) -> None:
    text = PLAN_FILE.read_text(encoding="utf-8")
    assert "support_activity_types:" in text
    wider = tmp_path / "p.yaml"
    wider.write_text(text.replace("support_activity_types: [kham_benh,", "support_activity_types: [tap_huan, kham_benh,"),
                     encoding="utf-8")
    assert "tap_huan" in load_plan(wider).support_activity_types
    wrong = tmp_path / "q.yaml"
    wrong.write_text(text.replace("support_activity_types: [kham_benh,", "support_activity_types: [nhay_mua, kham_benh,"),
                     encoding="utf-8")
    with pytest.raises(PlanError, match="nhay_mua"):
        load_plan(wrong)
