"""Small-count suppression and the roles' rights."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ytsupport.auth import add_user, authenticate, can, expired, load_users
from ytsupport.privacy import suppress, suppression_mask


def test_counts_one_to_four_are_shown_as_less_than_five() -> None:
    frame = pd.DataFrame({"district": ["a", "b", "c", "d"], "people": [12, 3, 0, 2]})
    shown = suppress(frame, ["people"])
    assert shown["people"].tolist() == [12, "<5", 0, "<5"]


def test_a_single_small_count_gets_a_complementary_suppression() -> None:
    frame = pd.DataFrame({"district": ["a", "b", "c"], "people": [20, 3, 9]})
    assert suppress(frame, ["people"])["people"].tolist() == [20, "<5", "<5"]


def test_groups_are_protected_each_on_its_own() -> None:
    frame = pd.DataFrame({"district": ["a", "a", "b", "b"], "category": ["x", "y", "x", "y"], "people": [2, 30, 40, 50]})
    assert suppress(frame, ["people"], by=["district"])["people"].tolist() == ["<5", "<5", 40, 50]


def test_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SUPPRESS_BELOW", "10")
    assert suppression_mask(pd.Series([9, 10, 11, 9])).tolist() == [True, False, False, True]


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
    from tests.workbooks import make_report, person
    from ytsupport.ingest.validate import validate_file
    from ytsupport.store import get_engine, load_current, store_report

    monkeypatch.setenv("YTSUPPORT_STORE_NAMES", "0")
    engine = get_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    report = validate_file(make_report(tmp_path / "r.xlsx", beneficiaries=[person()]))
    store_report(engine, report, received_on=pd.Timestamp("2021-07-01").date())
    people = load_current(engine)["beneficiaries"]
    assert people["full_name"].isna().all() and people["person_key"].str.len().eq(32).all()
    assert people["birth_year"].tolist() == [2010]
