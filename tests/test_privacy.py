"""Small-count suppression and the roles' rights."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ytsupport.auth import add_user, authenticate, can, expired, load_users
from tests.factories import beneficiary, make_data, make_report
from ytsupport.privacy import hide_count, hide_small, suppression_mask, too_few_to_break_down


def _hidden(values: list[float], **kw: object) -> list[object]:
    frame = hide_small(pd.DataFrame({"people": values}), ["people"], **kw)  # type: ignore[arg-type]
    return ["–" if pd.isna(v) else int(v) for v in frame["people"]]


def test_counts_one_to_four_are_hidden_and_zero_is_not() -> None:
    assert _hidden([12, 3, 0, 2, 30]) == [12, "–", 0, "–", 30]


def test_a_single_small_count_gets_a_complementary_suppression() -> None:
    assert _hidden([20, 3, 9]) == [20, "–", "–"]


def test_a_count_whose_complement_is_small_is_hidden() -> None:
    """With 40 people in the province, a district of 37 is hidden: 40 − 37 = 3 would reveal the rest."""
    assert _hidden([37, 3]) == ["–", "–"]
    assert _hidden([37], totals={"people": 40}) == ["–"]
    assert _hidden([35], totals={"people": 40}) == [35]


def test_counts_of_a_filtered_view_are_hidden_against_the_province_row_by_row() -> None:
    province = pd.Series([40, 12])
    assert _hidden([38, 6], totals={"people": province}) == ["–", "–"]  # 40 − 38 = 2; then its complement
    assert _hidden([20, 6], totals={"people": province}) == [20, 6]


def test_one_count_and_the_breakdown_rule() -> None:
    assert hide_count(4) is None and hide_count(5) == 5 and hide_count(0) == 0
    assert hide_count(36, total=40) is None and hide_count(35, total=40) == 35
    assert too_few_to_break_down(4) and not too_few_to_break_down(5) and not too_few_to_break_down(0)


def test_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SUPPRESS_BELOW", "10")
    assert suppression_mask(pd.Series([9, 12, 11, 60])).tolist() == [True, False, True, False]  # 9, then the next smallest


def test_roles_rights() -> None:
    assert can("viewer", "view") and not can("viewer", "upload")
    assert can("editor", "upload") and can("editor", "revert") and not can("editor", "personal_data")
    assert can("admin", "personal_data") and can("admin", "audit")
    assert not can(None, "view") and not can("guest", "view")


def test_users_file_keeps_only_hashes_and_checks_passwords(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    add_user(path, "vanphong", "mật-khẩu-đủ-dài", "editor", "Văn phòng")
    assert "mật-khẩu" not in path.read_text(encoding="utf-8")
    assert load_users(path)["vanphong"]["password_hash"].startswith("$argon2")
    user = authenticate(path, "vanphong", "mật-khẩu-đủ-dài")
    assert user is not None and user.role == "editor"
    assert authenticate(path, "vanphong", "sai") is None
    assert authenticate(path, "khongco", "mật-khẩu-đủ-dài") is None


def test_sessions_expire_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SESSION_TIMEOUT_MIN", "30")
    assert not expired(1000.0, now=1000.0 + 29 * 60)
    assert expired(1000.0, now=1000.0 + 31 * 60)
    assert expired(None)


def test_names_can_be_left_out_of_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.workbooks import person, write_report_workbook
    from ytsupport.ingest.validate import validate_file
    from ytsupport.store import get_engine, load_current, store_report

    monkeypatch.setenv("YTSUPPORT_STORE_NAMES", "0")
    engine = get_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    report = validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=[person()]))
    store_report(engine, report, received_on=pd.Timestamp("2021-07-01").date())
    people = load_current(engine)["beneficiaries"]
    assert people["full_name"].isna().all() and people["person_key"].str.len().eq(32).all()
    assert people["birth_year"].tolist() == [2010]


def _coverage_data() -> tuple[dict[str, pd.DataFrame], Any]:
    """Four people in Duyên Hải (one supported), thirty in Càng Long, as of 30/6/2021."""
    from ytsupport.plan import load_plan
    from ytsupport.settings import PLANS_DIR

    people = [beneficiary(f"DH {i}", district="duyen_hai", sex=("nam", "nu")[i % 2], supported=i == 0,
                          birth_year=2005 + i % 3) for i in range(4)]
    people += [beneficiary(f"CL {i}", district="cang_long", sex=("nam", "nu")[i % 2]) for i in range(30)]
    return make_data([(make_report("bv_da_khoa", "2021-03", beneficiaries=people), "2021-04-05")]), \
        load_plan(PLANS_DIR / "plan_2021_114.yaml")


def test_a_filtered_view_cannot_show_or_let_one_subtract_a_small_district() -> None:
    """/coverage?districts=duyen_hai showed 4 surveyed, 1 supported, sex 2/2; leaving Duyên Hải out
    and subtracting from the province total gave the same 4 back. Neither works now."""
    from datetime import date

    from ytsupport.dashboard.models import apply_filters, coverage

    data, plan = _coverage_data()
    as_of = date(2021, 6, 30)
    province = coverage(data, plan, as_of)
    assert (province.people, province.supported) == (34, 1)  # province totals are never hidden
    assert province.by_district.set_index("district")["surveyed"].isna()["duyen_hai"]
    alone = coverage(apply_filters(data, districts=["duyen_hai"]), plan, as_of, whole=data)
    assert (alone.people, alone.supported, alone.breakdown) == (None, None, False)
    others = [d for d in plan.districts if d != "duyen_hai"]
    rest = coverage(apply_filters(data, districts=others), plan, as_of, whole=data)
    assert rest.people is None, "34 − 30 = 4 would reveal Duyên Hải"
    assert rest.by_sex["people"].isna().all() and rest.by_district["surveyed"].isna().sum() >= 1
