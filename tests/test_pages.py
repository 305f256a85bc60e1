"""The upload page and the admin pages rendered with AppTest, asserting what a user sees."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.workbooks import activity, person, write_report_workbook
from ytsupport.store import get_engine, history

ROOT = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    get_engine(url).dispose()
    return url


def page(name: str) -> AppTest:
    """The app on ``name``. AppTest runs a page file itself, which the router then wraps without a
    rerun (``app.page_guard``), so button clicks are not lost as in a first run of ``dashboard.py``."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    return at.run().switch_page(f"pages/{name}.py").run()


def results(at: AppTest) -> list[str]:
    return [m.value for m in at.metric if m.label == "Kết quả"]


def test_upload_page_checks_then_stores_only_valid_files(db: str, tmp_path: Path) -> None:
    good = write_report_workbook(tmp_path / "good.xlsx", activities=[activity()]).read_bytes()
    bad = write_report_workbook(tmp_path / "bad.xlsx", activities=[activity(), activity(n=2, day="31/02/2021")],
                                unit="Sở Y tế").read_bytes()
    at = page("upload")
    assert not at.exception
    at.file_uploader[0].set_value([("good.xlsx", good, XLSX), ("bad.xlsx", bad, XLSX)]).run()
    assert results(at) == ["✅ Hợp lệ", "❌ Có lỗi — cần sửa trước khi lưu"]
    issues = next(d.value for d in at.dataframe if "Mã" in d.value.columns)
    found = [tuple(r) for r in issues[["Trang", "Dòng", "Cột", "Mã"]].itertuples(index=False)]
    assert ("HoatDong", 3, "Ngày thực hiện", "invalid_date") in found
    assert history(get_engine(db)) == []
    store = next(b for b in at.button if b.label.startswith("Lưu"))
    assert store.label == "Lưu 1 tệp hợp lệ"
    store.click().run()
    assert not at.exception
    assert [(h["unit"], h["period"], h["version"]) for h in history(get_engine(db))] == [("bv_da_khoa", "2021-06", 1)]


def test_replacing_a_stored_month_needs_confirmation(db: str, tmp_path: Path) -> None:
    first = write_report_workbook(tmp_path / "a.xlsx", activities=[activity()]).read_bytes()
    second = write_report_workbook(tmp_path / "b.xlsx", activities=[activity(people=120)]).read_bytes()
    at = page("upload")
    at.file_uploader[0].set_value(("a.xlsx", first, XLSX)).run()
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    at.file_uploader[0].set_value(("b.xlsx", second, XLSX)).run()
    assert any("đã có báo cáo tháng này" in w.value for w in at.warning)
    store = next(b for b in at.button if b.label.startswith("Lưu"))
    assert store.disabled
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    versions = history(get_engine(db))
    assert [(v["version"], v["is_current"]) for v in versions] == [(1, False), (2, True)]


def test_unit_select_appears_when_the_file_does_not_say(db: str, tmp_path: Path) -> None:
    data = write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], info=False, period=None).read_bytes()
    at = page("upload")
    at.file_uploader[0].set_value(("r.xlsx", data, XLSX)).run()
    assert results(at) == ["❌ Có lỗi — cần sửa trước khi lưu"]
    at.selectbox(key=next(s.key for s in at.selectbox if s.key and s.key.startswith("unit-"))).set_value("bhxh").run()
    at.selectbox(key=next(s.key for s in at.selectbox if s.key and s.key.startswith("period-"))).set_value("2021-06").run()
    assert results(at) == ["✅ Hợp lệ"]


def test_people_page_is_for_admins_only(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from ytsupport.auth import add_user
    from ytsupport.ingest.validate import validate_file
    from ytsupport.store import store_report

    store_report(get_engine(db), validate_file(write_report_workbook(tmp_path / "p.xlsx", beneficiaries=[person()])),
                 received_on=date(2021, 7, 1))
    at = page("people")  # local single-user mode: the local admin
    assert "Thạch Thị Sa Rết" in at.dataframe[0].value["Họ và tên"].tolist()
    users = tmp_path / "users.yaml"
    add_user(users, "xem", "mat-khau-xem", "viewer")
    monkeypatch.setenv("YTSUPPORT_USERS_FILE", str(users))
    at = page("overview")
    assert at.text_input and not at.metric  # the login form, nothing else
    at.text_input[0].input("xem")
    at.text_input[1].input("mat-khau-xem")
    at.button[0].click().run()
    names = " ".join(str(e.value) for e in at.markdown) + " ".join(str(d.value) for d in at.dataframe)
    assert "Thạch Thị Sa Rết" not in names
    assert at.title[0].value == "Tiến độ Kế hoạch 114-KH/ĐTN"  # logged in, on the overview
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/people.py")  # not registered for a viewer
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")


def test_storing_the_same_file_again_changes_nothing(db: str, tmp_path: Path) -> None:
    data = write_report_workbook(tmp_path / "a.xlsx", activities=[activity()]).read_bytes()
    at = page("upload")
    at.file_uploader[0].set_value(("a.xlsx", data, XLSX)).run()
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    at.file_uploader[0].set_value(("a (1).xlsx", data, XLSX)).run()
    assert any("giống hệt bản đang lưu" in i.value for i in at.info)
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    shown = next(d.value for d in at.dataframe if "Tệp" in d.value.columns and "Kết quả" in d.value.columns)
    assert shown["Kết quả"].tolist() == ["➖ Không đổi"]
    assert len(history(get_engine(db))) == 1


def test_an_editor_may_upload_but_not_see_personal_data(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ytsupport.auth import add_user

    users = tmp_path / "users.yaml"
    add_user(users, "vanphong", "mat-khau-vp", "editor")
    monkeypatch.setenv("YTSUPPORT_USERS_FILE", str(users))
    at = page("overview")
    at.text_input[0].input("vanphong")
    at.text_input[1].input("mat-khau-vp")
    at.button[0].click().run()
    assert not at.exception
    at.switch_page("pages/upload.py").run()
    assert at.title[0].value == "Tải lên báo cáo"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/people.py")  # not registered for an editor


def test_audit_page_lists_uploads_for_admins(db: str, tmp_path: Path) -> None:
    data = write_report_workbook(tmp_path / "a.xlsx", activities=[activity()]).read_bytes()
    at = page("upload")
    at.file_uploader[0].set_value(("a.xlsx", data, XLSX)).run()
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    at.switch_page("pages/audit.py").run()
    assert at.title[0].value == "Nhật ký"
    log = at.dataframe[0].value
    row = log[log["Thao tác"] == "ingest"].iloc[0]
    assert row["Người thực hiện"] == "local" and "bv_da_khoa" in row["Chi tiết"]


def test_meeting_page_lists_snapshots_and_compares(db: str, tmp_path: Path) -> None:
    from datetime import date

    from ytsupport.ingest.validate import validate_file
    from ytsupport.report.snapshots import create_snapshot
    from ytsupport.store import store_report

    engine = get_engine(db)
    store_report(engine, validate_file(write_report_workbook(tmp_path / "a.xlsx", activities=[activity()])),
                 received_on=date(2021, 7, 5))
    create_snapshot(engine, "Họp tháng 7", as_of=date(2021, 6, 30))
    at = page("meeting")
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert any("Họp tháng 7" in str(t.values) for t in tables)


# --------------------------------------------------------------------------- Streamlit's pages/ folder mode
# app.leave_pages_folder_mode reads Streamlit's internal PagesManager.uses_pages_directory. These
# tests fail loudly when a Streamlit release changes what the router relies on.


def test_the_installed_streamlit_is_a_pinned_release() -> None:
    import streamlit
    from packaging.requirements import Requirement
    from packaging.version import Version

    line = next(r for r in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
                if r.startswith("streamlit"))
    pinned = Requirement(line.split("#")[0].strip())
    assert Version(streamlit.__version__) in pinned.specifier, (
        f"Streamlit {streamlit.__version__} is installed, requirements.txt pins {pinned.specifier}: "
        "check app.leave_pages_folder_mode against this release, then move the pin")


def test_streamlit_sets_the_pages_folder_flag_from_the_folder(tmp_path: Path) -> None:
    """Unset, the flag is set by the first PagesManager: True when a pages/ folder sits beside the
    main script (the mode the router leaves), False without one."""
    from streamlit.runtime.pages_manager import PagesManager

    from ytsupport.dashboard import app

    saved = PagesManager.uses_pages_directory
    try:
        for with_folder in (True, False):
            main = tmp_path / str(with_folder) / "dashboard.py"
            main.parent.mkdir()
            main.write_text("", encoding="utf-8")
            if with_folder:
                (main.parent / "pages").mkdir()
            PagesManager.uses_pages_directory = None
            PagesManager(str(main))
            assert PagesManager.uses_pages_directory is with_folder
            assert app.pages_folder_mode() is with_folder
    finally:
        PagesManager.uses_pages_directory = saved


def test_the_router_leaves_the_pages_folder_mode_before_drawing(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first run finds the mode on (pages/ beside dashboard.py), st.navigation turns it off and
    st.rerun starts again; the rerun finds it off and draws the page."""
    from ytsupport.dashboard import app

    seen: list[tuple[bool, str | None, bool]] = []
    leave = app.leave_pages_folder_mode

    def watched(pages: list, hidden: bool = False) -> None:
        before = app.pages_folder_mode()
        try:
            leave(pages, hidden)
        except BaseException as exc:  # st.rerun raises to stop the run
            seen.append((before, type(exc).__name__, app.pages_folder_mode()))
            raise
        seen.append((before, None, app.pages_folder_mode()))

    monkeypatch.setattr(app, "leave_pages_folder_mode", watched)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert seen == [(True, "RerunException", False), (False, None, False)]
    assert at.title[0].value == "Tiến độ Kế hoạch 114-KH/ĐTN"  # the overview, drawn once


def test_a_streamlit_without_the_flag_stops_the_router_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.runtime.pages_manager import PagesManager

    from ytsupport.dashboard import app

    monkeypatch.delattr(PagesManager, "uses_pages_directory")
    with pytest.raises(RuntimeError, match=r"uses_pages_directory.*requirements\.txt"):
        app.leave_pages_folder_mode([])
