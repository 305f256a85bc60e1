"""Pages rendered with Streamlit's AppTest over real files, asserting what a user sees."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.workbooks import activity, make_report

ROOT = Path(__file__).resolve().parent.parent


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    return at.run().switch_page("pages/check_files.py").run()


def test_check_page_shows_empty_state_in_vietnamese() -> None:
    at = app()
    assert not at.exception
    assert at.title[0].value == "Kiểm tra tệp báo cáo"
    assert "Chưa có tệp nào" in at.info[0].value


def test_check_page_reports_valid_and_invalid_files(tmp_path: Path) -> None:
    good = make_report(tmp_path / "good.xlsx", activities=[activity()]).read_bytes()
    bad = make_report(tmp_path / "bad.xlsx", activities=[activity(), activity(n=2, day="31/02/2021")]).read_bytes()
    at = app()
    at.file_uploader[0].set_value([("good.xlsx", good, "application/octet-stream"),
                                   ("bad.xlsx", bad, "application/octet-stream")]).run()
    assert not at.exception
    statuses = [m.value for m in at.metric if m.label == "Kết quả"]
    assert statuses == ["✅ Hợp lệ", "❌ Có lỗi — cần sửa trước khi lưu"]
    issues = at.dataframe[-1].value
    row = issues[issues["Mã"] == "invalid_date"].iloc[0]
    assert (row["Trang"], row["Dòng"], row["Cột"]) == ("HoatDong", 3, "Ngày thực hiện")


def test_language_switch_to_english_is_kept_in_the_url() -> None:
    at = app()
    at.sidebar.radio[0].set_value("en").run()
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == "Check report files"


def test_unit_override_silences_missing_unit(tmp_path: Path) -> None:
    data = make_report(tmp_path / "r.xlsx", activities=[activity()], info=False).read_bytes()
    at = app()
    at.selectbox[0].set_value("bhxh")
    at.selectbox[1].set_value("2021-06")
    at.file_uploader[0].set_value(("r.xlsx", data, "application/octet-stream")).run()
    assert [m.value for m in at.metric if m.label == "Kết quả"] == ["✅ Hợp lệ"]
