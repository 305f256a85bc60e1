"""The dashboard pages rendered with Streamlit's AppTest over a small stored year (built with the
factories), asserting what a user sees: the numbers of the plan's status, the language switch,
filters kept in the URL, the empty state, and that no beneficiary's name reaches any page."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import activity, beneficiary, make_report, resource, store_all
from ytsupport import formatting as fmt
from ytsupport import metrics
from ytsupport.plan import load_plan, month_end, status
from ytsupport.store import get_engine, load_current

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/coverage.py", "pages/visits.py", "pages/resources.py", "pages/units.py"]
NAMES = ["Nguyễn Thị Bích Ngọc", "Trần Văn Khải", "Thạch Thị Sa Rương", "Kim Sóc Khenh"]


def _received(period: str, days_late: int = 0) -> date:
    return month_end(period) + timedelta(days=5 + days_late)


def sample_year() -> Iterator[tuple]:
    """A year in which the hospital misses August, the labour branch reports late and skips November,
    the health branch sends nil reports until September, and other units never report."""
    for m in range(1, 13):
        period = f"2021-{m:02d}"
        yield make_report("bv_da_khoa", period, activities=[
            activity(f"{period}-15", "kham_benh", 60 if m == 8 else 110, centre=True)]), _received(period)
        if m != 11:
            acts = [activity(f"{period}-20", "vui_choi", 30, centre=True)] if m <= 5 else []
            acts += [activity("2021-03-08", "thanh_lap_clb", 15)] if m == 3 else []
            people = [beneficiary(NAMES[0], district="cang_long", surveyed_on="2021-05-03", supported=True),
                      beneficiary(NAMES[3], district="cau_ke", birth_year=1950, surveyed_on="2021-05-04",
                                  sex="nu", categories="gia_neo_don")] if m == 5 else []
            yield make_report("ldtbxh", period, activities=acts, beneficiaries=people,
                              kinds=None if acts or people else ["activities"]), _received(period, 10 * (m % 2))
        if m in (3, 6, 9):
            yield make_report("bhxh", period, resources=[resource(f"{period}-10", "the_bhyt", 1, 804_600,
                                                                  donor="Đoàn viên BHXH", recipient="Học sinh",
                                                                  unit_of_measure="thẻ")],
                              beneficiaries=[beneficiary(n, district=d, surveyed_on=f"{period}-11", has_bhyt=True)
                                             for n, d in zip(NAMES[:3], ["cang_long", "tra_cu", "tx_duyen_hai"])]
                              if m == 3 else []), _received(period)
        if m <= 9:
            yield make_report("so_y_te", period, kinds=["activities"]), _received(period, 1)
    yield make_report("doan_khoi", "2021-06", activities=[activity("2021-06-01", "tham_tang_qua", 80, centre=True)],
                      resources=[resource("2021-06-01", "qua", 80, 24_000_000, donor="Công ty Ánh Dương")]), \
        date(2021, 6, 5)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return store_all(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'year.sqlite'}", sample_year())


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("YTSUPPORT_DB_URL", db_url)
    monkeypatch.delenv("YTSUPPORT_BOUNDARY_FILE", raising=False)
    return db_url


def run(page: str = "pages/overview.py", **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()  # after a first run: it resolves the pages that st.navigation registered
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def card_actual(at: AppTest, label: str) -> str:
    """The actual value shown on the scorecard card of the target labelled ``label``."""
    page = "".join(h.value for h in at.html)
    card = page[page.index(label):]
    return re.search(r'<span class="yt-value"><b>([^<]*)</b>', card).group(1)


def chart_text(chart) -> str:
    """A plotly chart's figure as readable JSON (not \\u-escaped)."""
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def everything_shown(at: AppTest) -> str:
    """All text a user can see on the page, charts and tables included."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "html", "code", "info",
                                  "success", "warning") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [chart_text(c) for c in at.get("plotly_chart")]
    return "\n".join(map(str, parts))


def test_overview_shows_the_plan_status(store: str) -> None:
    at = run()
    plan, data = load_plan(), load_current(get_engine(store))
    result = {t["id"]: t for t in status(data, plan, date(2021, 12, 15))["targets"]}
    assert at.title[0].value == "Tiến độ Kế hoạch 114-KH/ĐTN"
    assert at.date_input[0].value == date(2021, 12, 15)  # the last day with data
    checkup = plan.target("checkup_monthly").label["vi"]
    assert card_actual(at, checkup) == f'{result["checkup_monthly"]["actual"]} tháng' == "11 tháng"
    assert metric(at, "Lượt khám tại Trung tâm") == fmt.number(result["checkup_people"]["actual"]) == "1.270"
    assert metric(at, "Nguồn lực vận động") == "26,4 triệu đồng"  # in full in its tooltip: 26.413.800 đồng
    assert metric(at, "Báo cáo đã nhận") == "33 / 132"  # 11 + 10 + 3 + 9 of 12 units × 11 due months
    assert result["reporting_completeness"]["status"] == "behind"


def test_overview_lists_what_needs_attention(store: str) -> None:
    at = run()
    lists = [h.value for h in at.html if h.value.startswith('<ul class="yt-list">')]
    targets, units = lists[0], lists[1]
    assert "▼ Chậm tiến độ: Vui chơi, giải trí hằng tháng" in targets
    assert "Thành lập câu lạc bộ" not in targets  # founded in March
    assert "Báo cáo tháng 11/2021 (hạn 10/12/2021)" in [s.value for s in at.subheader]
    assert "✖ Chưa nộp: Chi đoàn Sở Lao động – Thương binh và Xã hội" in units
    assert "✖ Chưa nộp: Chi đoàn Sở Y tế" in units
    assert "Bệnh viện Đa khoa" not in units


def test_coverage_counts_each_person_once(store: str) -> None:
    at = run("pages/coverage.py")
    assert metric(at, "Đã khảo sát") == "4"  # Nguyễn Thị Bích Ngọc was surveyed by two units
    assert metric(at, "Có thẻ BHYT") == "3"
    assert metric(at, "Huyện có đối tượng") == "4 / 9"
    tiles = next(chart_text(c) for c in at.get("plotly_chart") if "Càng Long<br>" in chart_text(c))
    # one person per district: below the suppression threshold, hidden as "–"; zero is not hidden
    assert "Càng Long<br><b>–</b>" in tiles and "Trà Cú<br><b>–</b>" in tiles and "Tiểu Cần<br><b>0</b>" in tiles
    assert "Càng Long<br><b>1</b>" not in tiles


def test_visits_shows_months_met_and_events(store: str) -> None:
    at = run("pages/visits.py")
    assert metric(at, "Tháng đạt 100 người") == "11 / 12"
    shown = everything_shown(at)
    assert "Thăm, tặng quà thiếu nhi tại Trung tâm nhân Ngày Quốc tế Thiếu nhi 1/6" in shown
    events = at.dataframe[0].value
    assert events.iloc[0]["Ngày"] == "01/06/2021" and events.iloc[0]["Số người được hỗ trợ"] == 80


def test_resources_totals(store: str) -> None:
    at = run("pages/resources.py")
    assert metric(at, "Tổng giá trị") == "26.413.800 đồng"
    assert metric(at, "Thẻ BHYT") == "3 thẻ"
    assert at.dataframe[0].value.iloc[0]["donor"] == "Công ty Ánh Dương"


def test_units_page_matrix_and_reminder(store: str) -> None:
    at = run("pages/units.py")
    matrix = next(h.value for h in at.html if h.value.startswith('<table class="yt-matrix"'))
    assert matrix.count("<tr>") == 13  # header + 12 reporting units
    reminder = at.code[0].value
    assert reminder.startswith("Kính gửi")
    assert "báo cáo tháng 11/2021 (hạn nộp 10/12/2021)" in reminder
    assert "Chi đoàn Sở Lao động – Thương binh và Xã hội" in reminder
    assert "Đoàn cơ sở Bệnh viện Đa khoa tỉnh" not in reminder
    assert "(còn thiếu cả" not in reminder.split("Lao động")[1].split("\n")[0]  # only November is missing
    # 132 expected - 33 received = 99 missing, 11 of them for November (8 units never report)
    assert [w.value for w in at.warning][0].startswith("Còn 88 báo cáo của các tháng trước chưa nộp")
    contribution = next(d.value for d in at.dataframe if "label" in d.value.columns).set_index("label")
    assert contribution.loc["Bệnh viện Đa khoa tỉnh", "people_served"] == 1270


def test_unit_contributions_reconcile_with_the_totals_on_the_same_table(store: str) -> None:
    """Nguyễn Thị Bích Ngọc, surveyed by two units, is credited to each and taken away once on the
    adjustment row; the total row then shows what the other pages show."""
    at = run("pages/units.py")
    table = next(d.value for d in at.dataframe if "label" in d.value.columns).set_index("label")
    units, joint, total = table.iloc[:-2], table.loc["Hoạt động phối hợp, tính một lần"], table.loc["Tổng cộng"]
    assert joint["beneficiaries"] == -1
    columns = ["activities", "people_served", "resources_value_vnd", "beneficiaries"]
    assert (units[columns].sum() + joint[columns]).tolist() == total[columns].tolist()
    coverage = run("pages/coverage.py")
    assert str(int(total["beneficiaries"])) == metric(coverage, "Đã khảo sát") == "4"
    overview = run()
    assert fmt.money_short(total["resources_value_vnd"]) == metric(overview, "Nguồn lực vận động")
    by_type = metrics.activities_by_month_type(load_current(get_engine(store)), date(2021, 12, 15))
    assert (total["activities"], total["people_served"]) == (by_type["activities"].sum(), by_type["people_served"].sum())


def test_language_switch_and_browser_locale(store: str) -> None:
    at = run()
    at.sidebar.radio[0].set_value("en").run()
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == "Progress of Plan 114-KH/ĐTN"
    assert metric(at, "Resources mobilised") == "26.4 million VND"
    at.switch_page("pages/units.py").run()
    assert at.title[0].value == "Units and reporting"  # kept across pages
    english = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    english.context["locale"] = "en-GB"
    english.run()
    assert english.title[0].value == "Progress of Plan 114-KH/ĐTN"


def test_filters_come_from_and_go_to_the_url(store: str) -> None:
    at = run("pages/resources.py", units="doan_khoi,nonsense", as_of="2021-06-30")
    assert at.multiselect[0].value == ["doan_khoi"]
    assert at.date_input[0].value == date(2021, 6, 30)
    assert metric(at, "Tổng giá trị") == "24.000.000 đồng"
    assert "30/06/2021" in at.caption[0].value
    at.multiselect[1].set_value(["cang_long"]).run()
    assert at.query_params["districts"] == "cang_long"
    assert at.query_params["units"] == "doan_khoi"
    at.switch_page("pages/units.py").run()
    assert not [h for h in at.html if h.value.startswith('<table class="yt-matrix"')]
    assert "Không có đơn vị nào phải nộp báo cáo tháng" in at.info[0].value  # the Bloc sends none
    assert at.query_params["as_of"] == "2021-06-30"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_a_beneficiary_name(store: str, page: str) -> None:
    at = run(page)
    shown = everything_shown(at)
    stored = load_current(get_engine(store))["beneficiaries"]
    assert set(stored["full_name"]) == set(NAMES)
    assert not [name for name in NAMES if name in shown]
    assert not [d for d in at.dataframe if {"full_name", "birth_year"} & set(map(str, d.value.columns))]


@pytest.mark.parametrize("created", [True, False], ids=["empty-database", "no-database-file"])
def test_empty_store_says_what_to_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, created: bool) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    if created:
        get_engine(url).dispose()
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    expected = {"pages/overview.py": "Chưa có số liệu", "pages/coverage.py": "DoiTuong",
                "pages/visits.py": "HoatDong", "pages/resources.py": "NguonLuc"}
    for page, text in expected.items():
        at = run(page)
        assert text in at.info[0].value
        if page != "pages/overview.py":
            assert not at.get("plotly_chart")
    at = run("pages/units.py")
    assert metric(at, "Tỷ lệ đã nộp") == "0,0%"
    assert (tmp_path / "empty.sqlite").exists() == created  # the dashboard never creates the database


def test_a_second_plan_file_adds_a_plan_choice_kept_in_the_url(store: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "ytsupport" / "plans" / "plan_2021_114.yaml").read_text(encoding="utf-8")
    second = tmp_path / "plan_2021_copy.yaml"
    second.write_text(text.replace('plan: "114-KH/ĐTN"', 'plan: "115-KH/ĐTN"'), encoding="utf-8")
    monkeypatch.setenv("YTSUPPORT_PLAN", str(second))
    at = run(plan="plan_2021_114")
    assert at.selectbox[0].value == "plan_2021_114" and at.title[0].value == "Tiến độ Kế hoạch 114-KH/ĐTN"
    at.selectbox[0].set_value("plan_2021_copy").run()
    assert at.title[0].value == "Tiến độ Kế hoạch 115-KH/ĐTN"
    assert at.query_params["plan"] == "plan_2021_copy"


def test_excused_months_and_their_reason_are_shown(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "ytsupport" / "plans" / "plan_2021_114.yaml").read_text(encoding="utf-8")
    excused = ('adjustments:\n  - target: checkup_monthly\n    months: ["2021-08"]\n    reason:\n'
               '      vi: "Giãn cách xã hội phòng, chống dịch COVID-19"\n      en: "COVID-19 social distancing"\n')
    adjusted = tmp_path / "plan_2021_covid.yaml"
    adjusted.write_text(text.replace("adjustments: []\n", excused), encoding="utf-8")
    monkeypatch.setenv("YTSUPPORT_PLAN", str(adjusted))
    at = run(plan="plan_2021_covid")
    page = "".join(h.value for h in at.html)
    assert "⊘ Tháng được miễn (T8): Giãn cách xã hội phòng, chống dịch COVID-19" in page
    assert card_actual(at, "Khám bệnh, phát thuốc hằng tháng") == "11 tháng"  # of 11 months counted, all met


def test_a_broken_plan_file_is_reported_not_a_traceback(store: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "plan_broken.yaml"
    broken.write_text("plan: x\ntargets: []\n", encoding="utf-8")
    monkeypatch.setenv("YTSUPPORT_PLAN", str(broken))
    at = run(plan="plan_broken")
    assert "Không đọc được tệp kế hoạch" in at.error[0].value
    assert "targets: Kế hoạch phải có ít nhất một chỉ tiêu." in at.error[0].value  # in the user's language


def test_upload_page_is_registered_without_store_filters(store: str) -> None:
    at = run("pages/upload.py")
    assert at.title[0].value == "Tải lên báo cáo"
    assert [d.label for d in at.date_input] == ["Ngày nhận báo cáo"]  # no as-of filter on a page that reads files


def test_a_change_loads_the_new_data_in_the_background(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a store or revert the next page opened finds the frames already loaded."""
    import threading

    from ytsupport.dashboard import state
    from ytsupport.store import current

    state._frames.clear()
    loads: list[str] = []
    real = current.current_data
    monkeypatch.setattr(current, "current_data", lambda *args, **kw: loads.append("load") or real(*args, **kw))
    state.data_changed()
    for thread in [t for t in threading.enumerate() if t.name == "ytsupport-warm"]:
        thread.join(timeout=60)
    assert loads == ["load"]
    data = state.frames()
    assert loads == ["load"], "the page reused what the background load left"
    # the frames loaded are the store's: every activity row of the sample year (one version each)
    assert len(data["activities"]) == sum(len(report.frames["activities"]) for report, _ in sample_year()
                                          if "activities" in report.frames)


def test_a_district_filter_cannot_show_or_subtract_a_small_count(store: str) -> None:
    """/coverage?districts=cang_long (one person surveyed there) shows no count and no breakdown;
    leaving Càng Long out and subtracting from the province total gives nothing back either."""
    alone = run("pages/coverage.py", districts="cang_long")
    assert metric(alone, "Đã khảo sát") == "–"
    assert not alone.get("plotly_chart"), "no breakdown for fewer than 5 people"
    assert any("dưới 5 người" in i.value for i in alone.info)
    province = run("pages/coverage.py")
    assert metric(province, "Đã khảo sát") == "4"  # the province total is never hidden
    others = ",".join(d for d in ("cau_ke", "tra_cu", "tx_duyen_hai", "cau_ngang", "chau_thanh", "tieu_can",
                                  "tp_tra_vinh", "duyen_hai"))
    rest = run("pages/coverage.py", districts=others)
    assert metric(rest, "Đã khảo sát") == "–"  # 4 − 3 would otherwise give Càng Long back


def test_charts_shared_by_viewers_follow_each_viewers_language_filters_and_measure(store: str) -> None:
    # Figures are built once per view and shared by every session showing it (widgets.shared_chart):
    # a second viewer must still get the figures of their own language, filters and map measure.
    def charts(at: AppTest) -> list[str]:
        return [chart_text(c) for c in at.get("plotly_chart")]

    first, second = run("pages/coverage.py"), run("pages/coverage.py")
    assert charts(first) == charts(second)
    english = run("pages/coverage.py", lang="en")
    assert "By district" in " ".join(charts(english)) and "By district" not in " ".join(charts(first))
    assert "Theo huyện" in " ".join(charts(first))
    filtered = run("pages/coverage.py", as_of="2021-03-31")
    assert metric(filtered, "Đã khảo sát") == "3"
    assert charts(filtered) != charts(first)
    supported = run("pages/coverage.py")
    supported.segmented_control(key="map_measure").set_value("supported").run()
    assert charts(supported)[0] != charts(first)[0]  # the map of the chosen measure
    assert charts(supported)[1:] == charts(first)[1:]
    assert charts(run("pages/visits.py", lang="en")) != charts(run("pages/visits.py"))
