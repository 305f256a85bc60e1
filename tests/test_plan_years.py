"""Next year's plan: ``plan new`` copies the 2021 plan to 2022, ``plan check`` accepts it, the
sample year moved to 2022 gives the same figures under the copy as the sample year under the 2021
plan, and ``ingest`` refuses a month outside every plan unless ``--plan`` (or YTSUPPORT_PLAN)
names the plan that holds it."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.factories import run_cli as _run
from tests.factories import sample_year
from tests.workbooks import activity, write_report_workbook
from ytsupport.plan.copying import shift_date
from ytsupport.store import get_engine, history, store_report
from ytsupport.store.tables import DATE_COLUMNS


@pytest.fixture(scope="module")
def plan_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plans") / "p.yaml"
    code, printed, _ = _run("plan", "new", "--from", "plan_2021_114", "--year", "2022", "--out", str(out))
    assert code == 0 and "2022-01-01 – 2022-12-31" in printed
    return out


def test_the_copy_checks_and_keeps_ids_with_dates_moved(plan_2022: Path) -> None:
    code, printed, _ = _run("plan", "check", str(plan_2022))
    assert (code, printed.split(":")[0]) == (0, "OK 114-KH/ĐTN")
    text = plan_2022.read_text(encoding="utf-8")
    assert "from: 2022-05-25" in text and "2021-05-25" not in text and "id: checkup_monthly" in text
    assert "Hai mô hình của Đoàn Khối năm 2022" in text


def test_plan_check_lists_every_problem(tmp_path: Path, plan_2022: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(plan_2022.read_text(encoding="utf-8").replace("kind: sum_people", "kind: sum_peple")
                      .replace("end: 2022-12-31", "end: 2021-12-31"), encoding="utf-8")
    code, _, err = _run("plan", "check", str(broken))
    assert code == 1
    assert "Không có cách tính 'sum_peple'" in err and "period: Thời gian thực hiện cần ngày bắt đầu" in err
    code, _, err = _run("plan", "check", str(broken), "--lang", "en")
    assert code == 1 and "No kind 'sum_peple'. Choose a kind of the list." in err


def _moved(report: Any, years: int) -> Any:
    """The report a year later: every date and the month moved by ``years``."""
    frames = {}
    for kind, frame in report.frames.items():
        column = DATE_COLUMNS[kind]
        moved = frame.copy()
        moved[column] = pd.to_datetime(frame[column]).map(
            lambda d: pd.NaT if pd.isna(d) else pd.Timestamp(shift_date(d.date(), years)))
        frames[kind] = moved.astype({column: frame[column].dtype})
    period = f"{int(report.period[:4]) + years}{report.period[4:]}"
    return dataclasses.replace(report, frames=frames, period=period, sha256=report.sha256[:-4] + "2022")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The sample year in one store, the same year moved to 2022 in another."""
    folder = tmp_path_factory.mktemp("years")
    urls = (f"sqlite:///{folder / 'y2021.sqlite'}", f"sqlite:///{folder / 'y2022.sqlite'}")
    before, after = get_engine(urls[0]), get_engine(urls[1])
    for report, received in sample_year():
        store_report(before, report, received_on=received)
        store_report(after, _moved(report, 1), received_on=shift_date(received, 1))
    return urls


def _status(url: str, plan: str, as_of: str) -> dict[str, Any]:
    code, printed, err = _run("status", "--db", url, "--plan", plan, "--as-of", as_of, "--json")
    assert code == 0, err
    return json.loads(printed)


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    targets = {t["id"]: (t["actual"], t["target"], t["expected_by_now"], t["attainment"], t["status"])
               for t in result["targets"]}
    return {"targets": targets, "reporting": {k: v for k, v in result["reporting"].items() if k != "matrix"}}


@pytest.mark.parametrize(("then", "now"), [("2021-06-30", "2022-06-30"), ("2021-12-31", "2022-12-31")])
def test_the_year_moved_gives_the_same_figures(stores: tuple[str, str], plan_2022: Path, then: str, now: str) -> None:
    before = _status(stores[0], "plan_2021_114", then)
    after = _status(stores[1], str(plan_2022), now)
    assert after["as_of"] == now and after["plan"] == before["plan"]
    assert _figures(after) == _figures(before)
    assert sum(t["actual"] or 0 for t in after["targets"] if t["format"] == "count") > 100  # a year of data


def test_ingest_refuses_a_month_outside_every_plan(tmp_path: Path, plan_2022: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YTSUPPORT_PLAN", raising=False)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    workbook = write_report_workbook(tmp_path / "r.xlsx", activities=[activity(day=date(2022, 6, 5))], period="6/2022")
    code, printed, _ = _run("ingest", str(workbook), "--db", url, "--received-on", "2022-07-05", "--json")
    files = json.loads(printed)["files"]
    assert code == 1 and files[0]["status"] == "invalid"
    message = next(i["message"] for i in files[0]["issues"] if i["code"] == "period_outside_plans")
    assert "06/2022" in message and "114-KH/ĐTN: 01/01/2021 – 31/12/2021" in message
    assert history(get_engine(url)) == []

    code, printed, _ = _run("ingest", str(workbook), "--db", url, "--received-on", "2022-07-05", "--json",
                            "--plan", str(plan_2022))
    assert code == 0 and json.loads(printed)["files"][0]["status"] in ("stored", "ok")
    monkeypatch.setenv("YTSUPPORT_PLAN", str(plan_2022))  # the setting names the plan as --plan does
    other = write_report_workbook(tmp_path / "s.xlsx", activities=[activity(day=date(2022, 7, 5))], period="7/2022")
    assert _run("ingest", str(other), "--db", url, "--received-on", "2022-08-05")[0] == 0
    assert sorted(h["period"] for h in history(get_engine(url))) == ["2022-06", "2022-07"]


def test_status_takes_a_plan_id_and_names_the_plans_when_unknown(stores: tuple[str, str]) -> None:
    assert _status(stores[0], "plan_2021_114", "2021-06-30")["plan"] == "114-KH/ĐTN"
    code, _, err = _run("status", "--db", stores[0], "--plan", "plan_2099", "--json")
    assert code == 1 and "plan_2021_114" in err


def test_the_plan_setting_takes_a_plan_id(stores: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_PLAN", "plan_2021_114")
    code, printed, err = _run("status", "--db", stores[0], "--as-of", "2021-06-30", "--json")
    assert code == 0, err
    assert json.loads(printed)["plan"] == "114-KH/ĐTN"


def test_year_over_year_shows_the_same_period_of_the_previous_plan(plan_2022: Path, tmp_path: Path) -> None:
    """With the 2021 plan ending the day before the 2022 copy starts, each 2022 target carries its
    2021 value to the same day; a renamed target finds its predecessor through ``previous``."""
    from tests.factories import make_data
    from ytsupport.dashboard import models
    from ytsupport.figures import compute
    from ytsupport.plan import load_plan
    from ytsupport.report import collect, render
    from ytsupport.settings import PLANS_DIR

    year = list(sample_year())
    data = make_data(year + [(_moved(r, 1), shift_date(d, 1)) for r, d in year])
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(plan_2022.read_text(encoding="utf-8").replace(
        "id: staff_training\n", "id: training_2022\n  previous: staff_training\n"), encoding="utf-8")
    plan = load_plan(renamed)
    then = {t["id"]: t["actual"] for t in compute(data, load_plan(PLANS_DIR / "plan_2021_114.yaml"),
                                                  "2021-06-30").status["targets"]}
    assert all("previous_actual" not in t for t in compute(data, load_plan(PLANS_DIR / "plan_2021_114.yaml"),
                                                          "2021-06-30").status["targets"])  # no 2020 plan
    now = compute(data, plan, "2022-06-30").status["targets"]
    by_id = {t["id"]: t for t in now}
    assert by_id["training_2022"]["previous_actual"] == then["staff_training"]
    assert {t["id"]: t["previous_actual"] for t in now if t["id"] != "training_2022"} == \
        {i: v for i, v in then.items() if i != "staff_training"}
    assert {t["previous_as_of"] for t in now} == {"2021-06-30"}
    assert by_id["checkup_people"]["actual"] == by_id["checkup_people"]["previous_actual"]  # the same year, moved

    html = render(collect(data, plan, date(2022, 6, 30)), "html", "vi").decode("utf-8")
    assert "Cùng kỳ năm trước" in html and "(Cùng kỳ năm trước, đến 30/06/2021: 657 lượt người.)" in html
    rows = models.overview(data, plan, date(2022, 6, 30), "vi").scorecard
    assert next(r for r in rows if r.id == "checkup_people").previous_text == \
        "(Cùng kỳ năm trước, đến 30/06/2021: 657 lượt người.)"


def test_units_change_between_years(tmp_path: Path, plan_2022: Path) -> None:
    """A 2022 units list where one unit left at the end of 2021 (merged into another) and one
    joined in 2022: the 2022 plan expects reports of the units that exist in 2022; the 2021 plan,
    with its own list, is unchanged; a merge into an unknown unit or a period ending before it
    starts is refused by name."""
    from ytsupport.plan import PlanError, load_plan
    from ytsupport.settings import PLANS_DIR, REFERENCE_DIR

    units = yaml.safe_load((REFERENCE_DIR / "units_2021.yaml").read_text(encoding="utf-8"))
    left = next(u for u in units["units"] if u["code"] == "so_tai_chinh")
    left.update(valid_to=date(2021, 12, 31), merged_into="vp_ubnd")
    units["units"].append({"code": "dtn_moi", "name_vi": "Chi đoàn mới", "valid_from": date(2022, 3, 1),
                           "aliases": ["Chi đoàn Mới"], "counts_for_reporting": True})
    (tmp_path / "units_2022.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    raw = yaml.safe_load(plan_2022.read_text(encoding="utf-8"))
    raw["reference"]["units"] = "units_2022.yaml"
    path = tmp_path / "plan_2022.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    codes = [u.code for u in load_plan(path).reporting_units]
    assert "so_tai_chinh" not in codes and "dtn_moi" in codes and len(codes) == 12
    assert len(load_plan(PLANS_DIR / "plan_2021_114.yaml").reporting_units) == 12  # the 2021 list as it was

    left["merged_into"] = "khong_co"
    units["units"][-1]["valid_to"] = date(2022, 1, 1)
    (tmp_path / "units_2022.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert any("merged_into 'khong_co'" in e for e in info.value.errors)
    assert any("unit 'dtn_moi': valid_to 2022-01-01 is before valid_from 2022-03-01" in e for e in info.value.errors)


def test_reports_of_every_years_units_are_recognised(tmp_path: Path) -> None:
    """The reference folder's units files of all years make one list: a unit of 2022 is known, and
    a unit renamed in 2022 is still found by its 2021 name."""
    import shutil

    from ytsupport.settings import REFERENCE_DIR
    from ytsupport.vocab import load_reference

    for path in REFERENCE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    units = yaml.safe_load((REFERENCE_DIR / "units_2021.yaml").read_text(encoding="utf-8"))
    renamed = next(u for u in units["units"] if u["code"] == "so_gddt")
    old_name, renamed["name_vi"] = renamed["name_vi"], "Chi đoàn Sở Giáo dục (tên mới 2022)"
    units["units"].append({"code": "dtn_moi", "name_vi": "Chi đoàn Trung tâm Dịch vụ việc làm",
                           "valid_from": date(2022, 3, 1), "aliases": ["Chi đoàn TT DVVL"]})
    (tmp_path / "units_2022.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    registry = load_reference(tmp_path).units
    assert registry.match_name("Chi đoàn TT DVVL") == "dtn_moi"
    assert registry.match_name(old_name) == registry.match_name("Chi đoàn Sở Giáo dục (tên mới 2022)") == "so_gddt"
    assert registry.get("so_gddt").name_vi == "Chi đoàn Sở Giáo dục (tên mới 2022)"
