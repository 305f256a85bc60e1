"""Units that change within a plan year, and a plan's own period everywhere.

A 2022 plan (``plan new`` of the 2021 plan) with its own units file beside it: one unit joins on
1/7/2022, one leaves on 30/9/2022, one is renamed (its old name kept as an alias), one is merged
into another on 30/6/2022, and a name is reused by a unit that ended in 2021 and one that starts in
2022. Reporting expects a unit only in the months it exists; reports are recognised by the plan's
own units, by the unit that exists in the report's month; the dashboard shows 2022's months.
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.factories import activity, make_data, make_report
from tests.factories import run_cli as _run
from tests.workbooks import activity as activity_row
from tests.workbooks import write_report_workbook
from ytsupport.plan import load_plan, status
from ytsupport.plan.catalogue import recognised_units
from ytsupport.settings import PLANS_DIR, REFERENCE_DIR
from ytsupport.store import get_engine, history, store_report

ROOT = Path(__file__).resolve().parent.parent
RENAMED = "Chi đoàn Ngân hàng Chính sách xã hội tỉnh Trà Vinh"
OLD_NAME = "Chi đoàn Ngân hàng Chính sách xã hội chi nhánh tỉnh"
JOINING = "Chi đoàn Trung tâm Kiểm soát bệnh tật tỉnh"
REUSED = "Chi đoàn Ban Quản lý dự án tỉnh"
MONTHS_2022 = [f"2022-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2022 plan made by ``plan new``, naming ``units_2022.yaml`` written beside it."""
    folder = tmp_path_factory.mktemp("plan2022")
    path = folder / "plan_2022.yaml"
    code, _, err = _run("plan", "new", "--from", "plan_2021_114", "--year", "2022", "--out", str(path))
    assert code == 0, err
    units = yaml.safe_load((REFERENCE_DIR / "units_2021.yaml").read_text(encoding="utf-8"))
    by_code = {u["code"]: u for u in units["units"]}
    by_code["agribank"]["valid_to"] = date(2022, 9, 30)
    by_code["so_tai_chinh"].update(valid_to=date(2022, 6, 30), merged_into="vp_ubnd")
    by_code["nhcsxh"].update(name_vi=RENAMED, aliases=[*by_code["nhcsxh"]["aliases"], OLD_NAME])
    units["units"] += [
        {"code": "tt_cdc", "name_vi": JOINING, "aliases": ["CDC tỉnh"], "valid_from": date(2022, 7, 1)},
        {"code": "ban_qlda", "name_vi": REUSED, "valid_to": date(2021, 12, 31), "counts_for_reporting": False},
        {"code": "ban_qlda_moi", "name_vi": "Chi đoàn Ban Quản lý các dự án đầu tư", "aliases": [REUSED],
         "valid_from": date(2022, 1, 1), "counts_for_reporting": False},
    ]
    (folder / "units_2022.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["reference"]["units"] = "units_2022.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# Months (1-12 of 2022) each unit sends its report for, written out by hand from the changes above.
SENT = {"tt_cdc": range(7, 12), "agribank": range(1, 11),  # agribank also sends October, after it left
        "so_tai_chinh": range(1, 12),  # after the merge (July-November) for vp_ubnd
        "vp_ubnd": range(1, 7)}


def _reports(plan_units: list[str]) -> pd.DataFrame:
    """Every report received on the 5th of the next month (on time), January to November."""
    rows = []
    for unit in plan_units:
        for m in SENT.get(unit, range(1, 12)):
            on = pd.Timestamp(date(2022, m + 1, 5))
            rows.append({"unit": unit, "period": f"2022-{m:02d}", "received_on": on, "first_received_on": on})
    return pd.DataFrame(rows)


def test_a_unit_is_expected_only_in_the_months_it_exists(plan_path: Path) -> None:
    plan = load_plan(plan_path)
    codes = [u.code for u in plan.reporting_units]
    assert len(codes) == 13 and "tt_cdc" in codes and "ban_qlda" not in codes
    result = status({"reports": _reports(codes)}, plan, "2022-12-31")["reporting"]
    # 10 unchanged units x 11 due months + agribank Jan-Sep + so_tai_chinh Jan-Jun + tt_cdc Jul-Nov
    assert result["expected"] == 10 * 11 + 9 + 6 + 5 == 130
    assert result["received"] == 130 and result["completeness"] == 1.0 and result["timeliness"] == 1.0
    states = {(r["unit"], r["period"]): r for r in result["matrix"]}
    assert [states[("tt_cdc", m)]["state"] for m in MONTHS_2022] == ["not_expected"] * 6 + ["on_time"] * 5 + ["not_due"]
    assert [states[("agribank", m)]["state"] for m in MONTHS_2022[8:]] == ["on_time"] + ["not_expected"] * 3
    assert [states[("so_tai_chinh", m)]["state"] for m in MONTHS_2022[5:7]] == ["on_time", "not_expected"]
    # the merged unit's July report counts for the unit it merged into
    assert states[("vp_ubnd", "2022-07")]["state"] == "on_time"
    assert states[("vp_ubnd", "2022-07")]["received_on"] == "2022-08-05"

    without_merged = _reports([c for c in codes if c != "so_tai_chinh"])
    missing = status({"reports": without_merged}, plan, "2022-12-31")["reporting"]
    assert missing["received"] == 130 - 6 - 5  # its own six months and vp_ubnd's July-November
    assert {r["unit"] for r in missing["matrix"] if r["state"] == "missing"} == {"so_tai_chinh", "vp_ubnd"}


def test_the_2021_plan_keeps_its_list(plan_path: Path) -> None:
    plan = load_plan(PLANS_DIR / "plan_2021_114.yaml")
    result = status({"reports": pd.DataFrame(columns=["unit", "period", "received_on"])}, plan, "2021-12-31")
    assert result["reporting"]["expected"] == 12 * 11
    assert {r["state"] for r in result["reporting"]["matrix"]} == {"missing", "not_due"}


def test_units_are_recognised_by_the_plans_own_names_and_the_month(plan_path: Path) -> None:
    units = recognised_units([load_plan(PLANS_DIR / "plan_2021_114.yaml"), load_plan(plan_path)])
    assert units.match_name(RENAMED, "2022-03") == "nhcsxh" and units.match_name(OLD_NAME, "2022-03") == "nhcsxh"
    assert units.name("nhcsxh") == RENAMED  # the newest plan's name
    assert units.match_name("CDC tỉnh", "2022-08") == "tt_cdc"
    assert units.match_name(REUSED, "2021-05") == "ban_qlda" and units.match_name(REUSED, "2022-05") == "ban_qlda_moi"
    assert units.find_in_text(f"ĐOÀN KHỐI - {REUSED.upper()}", "2022-05") == "ban_qlda_moi"
    assert units.match_name("Sở Tài chính", "2022-06") == "so_tai_chinh"
    assert units.match_name("Sở Tài chính", "2022-07") == "vp_ubnd"  # after the merge


def test_ingest_recognises_the_plans_own_units(plan_path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YTSUPPORT_PLAN", raising=False)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    files = [write_report_workbook(tmp_path / f"r{i}.xlsx", activities=[activity_row(day=date(2022, m, 5))],
                                   unit=name, period=f"{m}/2022")
             for i, (name, m) in enumerate([(RENAMED, 3), (OLD_NAME, 4), (JOINING, 8), ("Sở Tài chính", 8)])]
    code, printed, _ = _run("ingest", str(files[2]), "--db", url, "--received-on", "2022-09-05", "--json")
    refused = json.loads(printed)["files"][0]
    assert code == 1 and "unknown_unit" in {i["code"] for i in refused["issues"]}  # without the plan: unknown

    code, printed, err = _run("ingest", *map(str, files), "--db", url, "--received-on", "2022-09-05", "--json",
                              "--plan", str(plan_path))
    assert code == 0, printed + err
    stored = json.loads(printed)["files"]
    note = next(i["message"] for i in stored[3]["issues"] if i["code"] == "unit_merged")
    assert note == ("Đơn vị “Chi đoàn Sở Tài chính” đã sáp nhập vào “Chi đoàn Văn phòng UBND tỉnh” (đến ngày "
                    "30/06/2022): báo cáo này được tính cho “Chi đoàn Văn phòng UBND tỉnh”.")
    assert not any(i["code"] == "unit_merged" for f in stored[:3] for i in f["issues"])
    assert [(f["unit"], f["period"]) for f in stored] == [
        ("nhcsxh", "2022-03"), ("nhcsxh", "2022-04"), ("tt_cdc", "2022-08"), ("vp_ubnd", "2022-08")]
    assert len(history(get_engine(url))) == 4


def test_the_units_page_shows_the_plans_months(plan_path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = get_engine(url)
    for unit, period, people in [("bv_da_khoa", "2021-03", 110), ("bv_da_khoa", "2022-03", 120),
                                 ("tt_cdc", "2022-07", 10), ("so_tai_chinh", "2022-08", 10)]:
        report = make_report(unit, period, activities=[activity(f"{period}-15", "kham_benh", people, centre=True)])
        store_report(engine, report, received_on=date(int(period[:4]), int(period[5:]), 28) + timedelta(days=7))
    engine.dispose()
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    monkeypatch.setenv("YTSUPPORT_PLAN", str(plan_path))
    monkeypatch.delenv("YTSUPPORT_BOUNDARY_FILE", raising=False)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/units.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.date_input(key="f_as_of").value == date(2022, 8, 15)  # the last day with data, in the plan
    matrix = next(h.value for h in at.html if h.value.startswith('<table class="yt-matrix"'))
    header = re.findall(r"<th>([^<]*)</th>", matrix)
    assert header == [f"T{m}" for m in range(1, 13)]
    row = next(r for r in matrix.split("<tr>") if JOINING in r or "Kiểm soát bệnh tật" in r)
    cells = re.findall(r'title="([^"]*)"', row)
    assert cells[:6] == ["Không yêu cầu"] * 6 and cells[6] == "Đúng hạn"
    at.date_input(key="f_as_of").set_value(date(2022, 12, 31)).run()
    matrix = next(h.value for h in at.html if h.value.startswith('<table class="yt-matrix"'))
    vp = next(r for r in matrix.split("<tr>") if "Văn phòng UBND" in r)
    assert re.findall(r'title="([^"]*)"', vp)[7] == "Đúng hạn"  # August, sent under the merged unit's name
    legend = next(h.value for h in at.html if h.value.startswith('<div class="yt-legend">'))
    assert "– Không yêu cầu" in legend

    at.switch_page("pages/visits.py").run()
    assert not at.exception, [e.value for e in at.exception]
    chart = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")], ensure_ascii=False)
    assert '"2022-03"' in chart and '"2021-03"' not in chart


def test_models_and_report_read_only_the_plans_period(plan_path: Path) -> None:
    from ytsupport.dashboard import models
    from ytsupport.report import collect

    plan = load_plan(plan_path)
    data = make_data([(make_report("bv_da_khoa", "2021-03", activities=[activity("2021-03-15", "kham_benh", 110,
                                                                                 centre=True)]), "2021-04-05"),
                      (make_report("bv_da_khoa", "2022-03", activities=[activity("2022-03-15", "kham_benh", 120,
                                                                                 centre=True)]), "2022-04-05")])
    visits = models.visits(data, plan, date(2022, 12, 31))
    assert visits.checkups["month"].tolist() == MONTHS_2022
    assert visits.checkups["people_served"].sum() == 120  # 2021's 110 are not the 2022 plan's
    assert list(visits.matrix.columns) == MONTHS_2022 and int(visits.matrix.to_numpy().sum()) == 1
    units = models.units(data, plan, date(2022, 12, 31))
    assert list(units.matrix_states.columns) == MONTHS_2022
    content = collect(data, plan, date(2022, 12, 31))
    assert content.meta["months"] == MONTHS_2022
    assert {r["month"] for r in content.tables["activities_by_month_type"]} == {"2022-03"}
    assert {r["period"] for r in content.tables["reporting_pairs"]} == set(MONTHS_2022)


def test_one_name_for_two_units_at_the_same_time_is_refused(plan_path: Path, tmp_path: Path) -> None:
    from ytsupport.plan import PlanError

    units = yaml.safe_load((plan_path.parent / "units_2022.yaml").read_text(encoding="utf-8"))
    next(u for u in units["units"] if u["code"] == "ban_qlda")["valid_to"] = date(2022, 1, 31)  # overlaps January
    (tmp_path / "units_2022.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    copy = tmp_path / "plan.yaml"
    copy.write_text(plan_path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(copy)
    assert any("ban_qlda_moi" in e and "ban_qlda'" in e for e in info.value.errors), info.value.errors


def test_the_meeting_page_follows_the_plan_chosen_in_the_sidebar(plan_path: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = get_engine(url)
    for period in ("2021-03", "2022-03"):
        report = make_report("bv_da_khoa", period, activities=[activity(f"{period}-15", "kham_benh", 110, centre=True)])
        store_report(engine, report, received_on=date(int(period[:4]), 4, 5))
    engine.dispose()
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    monkeypatch.setenv("YTSUPPORT_PLAN", str(plan_path))  # the configured plan is 2022's
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/units.py").run()
    at.selectbox(key="f_plan").set_value("plan_2021_114").run()
    assert at.date_input(key="f_as_of").value == date(2021, 12, 31)
    at.switch_page("pages/meeting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.date_input(key="meeting_as_of").value == date(2021, 12, 31)  # 2021's, not the configured 2022


def test_the_upload_page_recognises_a_stored_plans_own_units(plan_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The 2022 plan saved in the app (not the configured plan) and chosen in the sidebar: a report
    of its joining unit is recognised, and its 2022 dates are inside the plan."""
    stored = tmp_path / "data" / "plans"
    stored.mkdir(parents=True)
    for name in ("plan_2022.yaml", "units_2022.yaml"):
        (stored / name).write_bytes((plan_path.parent / name).read_bytes())
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YTSUPPORT_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.delenv("YTSUPPORT_PLAN", raising=False)
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    data = write_report_workbook(tmp_path / "cdc.xlsx", activities=[activity_row(day=date(2022, 8, 5))],
                                 unit=JOINING, period="8/2022").read_bytes()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/units.py").run()
    at.selectbox(key="f_plan").set_value("plan_2022").run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value(("cdc.xlsx", data, "application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric if m.label == "Kết quả"] == ["✅ Hợp lệ"]
    assert [m.value for m in at.metric if m.label == "Đơn vị"] == [JOINING]
