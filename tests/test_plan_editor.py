"""The "Kế hoạch" page: copy the 2021 plan to 2022, change a target's value and the window of a
dated target, see the message at the field for a window ending before it starts, preview the
status on the current data, save: the new version is listed, stored, audited, and offered by the
plan select. A target's kind and counting rule change the preview; targets are added and removed
(not while something refers to them); the reporting units are edited (a unit joining mid-year, a
renamed one keeping its old name as an alias) and saved inline in the plan; a wrong weight or a
role given twice shows its Vietnamese message beside its field and saving waits. Also the stored
versions from the command line: import, list, export, and ``plan check`` in Vietnamese."""
from __future__ import annotations

import contextlib
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from ytsupport.cli import main
from ytsupport.dashboard import models
from ytsupport.plan import load_plan
from ytsupport.plan.copying import read_raw
from ytsupport.plan.editing import choices, inline_units, set_kind
from ytsupport.plan.kinds import KINDS
from ytsupport.plan.load import plan_problems
from ytsupport.plan.stored import version_text, versions
from ytsupport.settings import PLANS_DIR, PROJECT_ROOT
from ytsupport.store import audit_entries, get_engine


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    monkeypatch.delenv("YTSUPPORT_PLAN", raising=False)
    get_engine(url).dispose()
    return url


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_the_plan_editor_copies_edits_checks_previews_and_saves(store: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run().switch_page("pages/plans.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="plans_source").set_value("plan_2021_114")
    at.number_input(key="plans_year").set_value(2022)
    _button(at, "plans_copy").click().run()
    assert at.text_input(key="pe_id").value == "plan_2022_114"
    assert at.date_input(key="pe_start").value == date(2022, 1, 1)
    at.text_input(key="pe_number").set_value("").run()
    assert _errors_at(at.tabs[0], "pe_number") == ["Thiếu số hiệu kế hoạch (ví dụ 114-KH/ĐTN)."]
    at.text_input(key="pe_number").set_value("25-KH/ĐTN").run()

    at.selectbox(key="pe_target").set_value("checkup_people").run()
    at.text_input(key="pe_value_checkup_people").set_value("1300").run()
    at.text_input(key="pe_value_checkup_people").set_value("nhiều").run()
    assert "'nhiều' không phải là một số dương. Hãy nhập một số như 12, hoặc để trống." in _errors(at)
    assert _button(at, "plans_save").disabled
    at.text_input(key="pe_value_checkup_people").set_value("1300").run()

    at.selectbox(key="pe_target").set_value("children_day_gifts").run()
    assert at.date_input(key="pe_p_window_children_day_gifts_from").value == date(2022, 5, 25)
    at.date_input(key="pe_p_window_children_day_gifts_to").set_value(date(2022, 5, 1)).run()
    assert "Ngày cuối của khoảng thời gian phải sau ngày đầu. Hãy sửa lại ngày." in _errors(at)
    assert _button(at, "plans_save").disabled and _button(at, "plans_preview").disabled
    at.date_input(key="pe_p_window_children_day_gifts_to").set_value(date(2022, 6, 5)).run()
    at.date_input(key="pe_end").set_value(date(2021, 12, 31)).run()
    assert "Ngày kết thúc phải sau ngày bắt đầu. Hãy sửa lại ngày." in _errors(at)
    at.date_input(key="pe_end").set_value(date(2022, 12, 31)).run()
    assert _errors(at) == []

    _button(at, "plans_preview").click().run()
    assert not at.exception, [e.value for e in at.exception]
    preview = next(d.value for d in at.dataframe if "Nội dung chỉ tiêu" in d.value.columns)
    assert len(preview) == 19 and "Lượt người được khám bệnh, phát thuốc tại Trung tâm" in set(preview.iloc[:, 0])
    assert "1.300" in set(preview.iloc[:, 2])

    _button(at, "plans_save").click().run()
    assert any("Đã lưu kế hoạch plan_2022_114, phiên bản 1." in s.value for s in at.success)
    listed = at.dataframe[-1].value
    assert listed.iloc[0, :2].tolist() == ["plan_2022_114", 1]

    engine = get_engine(store)
    assert [(v["plan_id"], v["version"]) for v in versions(engine)] == [("plan_2022_114", 1)]
    saved = yaml.safe_load(version_text(engine, "plan_2022_114"))
    by_id = {t["id"]: t for t in saved["targets"]}
    assert by_id["checkup_people"]["target"] == 1300
    assert by_id["children_day_gifts"]["params"]["window"] == {"from": date(2022, 5, 25), "to": date(2022, 6, 5)}
    assert saved["period"] == {"start": date(2022, 1, 1), "end": date(2022, 12, 31)}
    assert saved["plan"] == "25-KH/ĐTN"
    entry = next(e for e in audit_entries(engine, 10) if e["action"] == "plan_save")
    assert entry["details"]["plan_id"] == "plan_2022_114" and entry["details"]["version"] == 1
    assert entry["actor"] == versions(engine)[0]["created_by"]  # who saved it, in the version and the log
    assert "plan_2022_114" in [p.stem for p in models.plan_files()]  # the dashboard's plan select offers it


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_plan_import_list_and_export(store: str, tmp_path: Path) -> None:
    source = PLANS_DIR / "plan_2021_114.yaml"
    assert _run("plan", "import", str(source), "--db", store)[:2] == (0, "plan_2021_114 v1\n")
    assert _run("plan", "import", str(source), "--db", store)[:2] == (0, "plan_2021_114 v2\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text(source.read_text(encoding="utf-8").replace("kind: sum_people", "kind: sum_peple"),
                      encoding="utf-8")
    code, _, err = _run("plan", "import", str(broken), "--id", "plan_2021_114", "--db", store)
    assert code == 1 and "unknown kind 'sum_peple'" in err
    code, printed, _ = _run("plan", "list", "--db", store)
    assert code == 0 and "plan_2021_114            v2" in printed and "v3" not in printed
    out = tmp_path / "out.yaml"
    assert _run("plan", "export", "plan_2021_114", "--version", "1", "--out", str(out), "--db", store)[0] == 0
    assert out.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert _run("plan", "export", "plan_1999", "--out", str(out), "--db", store)[0] == 1
    assert [e["action"] for e in audit_entries(get_engine(store), 10)].count("plan_save") == 2


def _flat(node: Any) -> list[Any]:
    """The elements of a block (a tab, the page) in the order they are drawn."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [e for i in sorted(children) for e in _flat(children[i])]


def _errors_at(block: Any, key: str) -> list[str]:
    """The error messages drawn right after the widget ``key`` (its field's messages)."""
    elements = _flat(block)
    start = next(i for i, e in enumerate(elements) if getattr(e, "key", None) == key)
    found = []
    for element in elements[start + 1:]:
        if element.type == "error":
            found.append(element.value)
        elif element.type != "empty":
            break
    return found


def _editor(source: str = "plan_2021_114", year: int | None = 2022) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run().switch_page("pages/plans.py").run()
    at.selectbox(key="plans_source").set_value(source)
    if year is None:
        _button(at, "plans_edit").click().run()
    else:
        at.number_input(key="plans_year").set_value(year)
        _button(at, "plans_copy").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


ROLE_TWICE = ("Vai trò 'Biểu đồ khám bệnh hằng tháng' chỉ được giao cho một chỉ tiêu; đang giao cho: "
              "checkup_monthly, recreation_monthly. Hãy bỏ bớt.")


def test_a_role_taken_twice_and_a_wrong_weight_show_beside_their_fields(store: str) -> None:
    at = _editor(year=None)
    assert at.text_input(key="pe_id").value == "plan_2021_114"
    at.selectbox(key="pe_target").set_value("recreation_monthly").run()
    at.multiselect(key="pe_roles_recreation_monthly").set_value(["checkup_chart"]).run()
    targets_tab = at.tabs[1]
    assert _errors_at(targets_tab, "pe_roles_recreation_monthly") == [
        ROLE_TWICE, "Vai trò 'Biểu đồ khám bệnh hằng tháng' chỉ dành cho chỉ tiêu có cách tính “Số tháng đạt mức "
                    "số người”."]
    assert f"checkup_monthly: {ROLE_TWICE}" in [e.value for e in targets_tab.error]  # the other target, named
    assert _button(at, "plans_save").disabled and _button(at, "plans_preview").disabled
    assert any("Kế hoạch còn lỗi (xem: Chỉ tiêu)" in w.value for w in at.warning)

    at.number_input(key="pe_w_timeliness").set_value(-5).run()
    assert _errors_at(at.tabs[3], "pe_w_timeliness") == ["Trọng số phải là một số từ 0 trở lên (đang là -5)."]
    assert _errors_at(at.tabs[3], "pe_w_completeness") == []
    assert any("Kế hoạch còn lỗi (xem: Chỉ tiêu, Thi đua)" in w.value for w in at.warning)
    at.multiselect(key="pe_roles_recreation_monthly").set_value([]).run()
    for criterion in ("completeness", "timeliness", "tasks", "activities", "people", "resources"):
        at.number_input(key=f"pe_w_{criterion}").set_value(0)
    at.run()
    assert [e.value for e in at.tabs[3].error] == [
        "Các trọng số không được đều bằng 0: hãy cho ít nhất một tiêu chí trọng số lớn hơn 0."]
    assert _button(at, "plans_save").disabled
    at.number_input(key="pe_w_tasks").set_value(40).run()
    assert _errors(at) == [] and not _button(at, "plans_save").disabled
    _button(at, "plans_save").click().run()
    saved = yaml.safe_load(version_text(get_engine(store), "plan_2021_114"))
    assert [(c["id"], c["weight"]) for c in saved["emulation"]["criteria"] if c["weight"]] == [("tasks", 40)]


def test_plan_check_prints_a_role_given_twice_in_vietnamese(tmp_path: Path) -> None:
    raw = yaml.safe_load((PLANS_DIR / "plan_2021_114.yaml").read_text(encoding="utf-8"))
    next(t for t in raw["targets"] if t["id"] == "recreation_monthly")["roles"] = ["checkup_chart"]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, _, err = _run("plan", "check", str(path))
    assert code == 1
    assert f"targets.recreation_monthly.roles: {ROLE_TWICE}" in err.splitlines()[2].strip("- ")  or \
        f"targets.recreation_monthly.roles: {ROLE_TWICE}" in err
    assert "role checkup_chart" not in err  # no English in the default language
    code, _, err = _run("plan", "check", str(path), "--lang", "en")
    assert code == 1 and "The role 'monthly check-up chart' goes to one target only" in err


def _store_samples(url: str, *names: str) -> None:
    from ytsupport.ingest.validate import validate_file
    from ytsupport.store import store_report

    engine = get_engine(url)
    for name in names:
        report = validate_file(PROJECT_ROOT / "sample_data" / name)
        assert report.status == "ok", name
        store_report(engine, report, received_on=date(2021, 5, 1), uploaded_by="test")


def _preview_row(at: AppTest, label: str) -> list[str]:
    _button(at, "plans_preview").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Nội dung chỉ tiêu" in d.value.columns)
    return table[table.iloc[:, 0] == label].iloc[0, 1:3].tolist()


def test_a_targets_counting_rule_and_kind_change_the_preview(store: str) -> None:
    # recreation (vui_choi) in January at the Centre, in March at another place
    _store_samples(store, "2021-01_ldtbxh.xlsx", "2021-03_so_vhttdl.xlsx")
    at = _editor(year=None)
    at.selectbox(key="pe_target").set_value("recreation_monthly").run()
    label = at.text_input(key="pe_label_vi_recreation_monthly").value
    assert at.selectbox(key="pe_p_place_recreation_monthly").value == "centre"
    assert _preview_row(at, label) == ["1", "12"]  # one month with recreation at the Centre
    at.selectbox(key="pe_p_place_recreation_monthly").set_value("").run()  # anywhere
    assert _preview_row(at, label) == ["2", "12"]

    at.selectbox(key="pe_kind_recreation_monthly").set_value("monthly_threshold").run()
    assert "Đã đổi cách tính sang “Số tháng đạt mức số người”: các tham số đã trở về mặc định, hãy kiểm tra lại." \
        in [i.value for i in at.info]
    assert at.selectbox(key="pe_p_activity_type_recreation_monthly").value == "kham_benh"  # the first type
    assert at.selectbox(key="pe_p_place_recreation_monthly").value == ""
    at.selectbox(key="pe_p_activity_type_recreation_monthly").set_value("vui_choi")
    at.number_input(key="pe_p_threshold_recreation_monthly").set_value(100000).run()
    assert _preview_row(at, label) == ["0", "12"]  # no month with that many people at recreation


def test_targets_are_added_and_removed_unless_referred_to(store: str) -> None:
    at = _editor()
    at.text_input(key="pe_new_id").set_value("Tap huan")
    at.selectbox(key="pe_new_kind").set_value("activity_count")
    next(b for b in at.button if b.label == "Thêm chỉ tiêu").click().run()
    assert "Mã 'Tap huan' không hợp lệ: chỉ gồm chữ thường không dấu, chữ số và dấu _, bắt đầu bằng chữ." \
        in _errors(at)
    at.text_input(key="pe_new_id").set_value("checkup_people")
    next(b for b in at.button if b.label == "Thêm chỉ tiêu").click().run()
    assert "Mã 'checkup_people' đã có chỉ tiêu khác dùng. Hãy chọn mã khác." in _errors(at)
    at.text_input(key="pe_new_id").set_value("tap_huan_2022")
    next(b for b in at.button if b.label == "Thêm chỉ tiêu").click().run()
    assert at.selectbox(key="pe_target").value == "tap_huan_2022"
    assert at.selectbox(key="pe_p_activity_type_tap_huan_2022").value == "kham_benh"
    # its texts are to be filled in before the plan can be saved
    assert _button(at, "plans_save").disabled
    at.text_input(key="pe_clause_tap_huan_2022").set_value("II.2")
    for field in ("label", "responsible"):
        for code in ("vi", "en"):
            at.text_input(key=f"pe_{field}_{code}_tap_huan_2022").set_value(f"{field} {code}")
    at.selectbox(key="pe_p_activity_type_tap_huan_2022").set_value("tap_huan").run()
    assert _errors(at) == [] and not _button(at, "plans_save").disabled

    at.selectbox(key="pe_target").set_value("checkup_monthly").run()
    _button(at, "pe_remove_target").click().run()
    assert ("Không xoá được chỉ tiêu 'checkup_monthly' vì còn được dùng ở: nhiệm vụ thi đua của đơn vị bv_da_khoa; "
            "vai trò checkup_chart. Hãy bỏ các chỗ đó trước.") in _errors(at)
    at.selectbox(key="pe_target").set_value("tap_huan_2022").run()
    _button(at, "pe_remove_target").click().run()
    assert "tap_huan_2022" not in at.selectbox(key="pe_target").options
    assert "checkup_monthly — " + "Khám bệnh, phát thuốc hằng tháng cho 100 người tại Trung tâm Bảo trợ xã hội" \
        in at.selectbox(key="pe_target").options


def test_units_are_edited_and_saved_inline_with_the_plan(store: str, tmp_path: Path) -> None:
    at = _editor()
    assert "Chi đoàn Sở Y tế" in set(at.tabs[2].dataframe[0].value["Tên đơn vị"])
    at.text_input(key="pe_nu_code").set_value("so_tu_phap")
    at.text_input(key="pe_nu_name").set_value("Chi đoàn Sở Tư pháp")
    at.date_input(key="pe_nu_from").set_value(date(2022, 7, 1))
    next(b for b in at.button if b.label == "Thêm đơn vị").click().run()
    assert at.selectbox(key="pe_unit").value == "so_tu_phap"
    assert at.date_input(key="pe_u_from_so_tu_phap").value == date(2022, 7, 1)

    at.selectbox(key="pe_unit").set_value("so_y_te").run()
    at.text_input(key="pe_u_name_so_y_te").set_value("Chi đoàn Sở Y tế tỉnh Trà Vinh").run()
    assert at.text_area(key="pe_u_aliases_so_y_te").value.splitlines()[-1] == "Chi đoàn Sở Y tế"
    at.date_input(key="pe_u_from_so_y_te").set_value(date(2022, 6, 1))
    at.date_input(key="pe_u_to_so_y_te").set_value(date(2022, 3, 1)).run()
    assert _errors_at(at.tabs[2], "pe_u_to_so_y_te") == [
        "Đơn vị 'so_y_te': ngày kết thúc 01/03/2022 trước ngày bắt đầu 01/06/2022. Hãy sửa lại ngày."]
    assert _button(at, "plans_save").disabled
    at.date_input(key="pe_u_to_so_y_te").set_value(None)
    at.date_input(key="pe_u_from_so_y_te").set_value(None).run()
    assert _errors(at) == []
    at.selectbox(key="pe_unit").set_value("cap_thoat_nuoc").run()  # merged into another: needs the day it ended
    at.selectbox(key="pe_u_merged_cap_thoat_nuoc").set_value("so_y_te").run()
    assert _errors_at(at.tabs[2], "pe_u_to_cap_thoat_nuoc") == [
        "Đơn vị 'cap_thoat_nuoc' đã sáp nhập: hãy ghi ngày kết thúc (ngày sáp nhập)."]
    at.date_input(key="pe_u_to_cap_thoat_nuoc").set_value(date(2022, 9, 30)).run()
    assert _errors(at) == []
    _button(at, "plans_save").click().run()
    assert any("Đã lưu kế hoạch plan_2022_114, phiên bản 1." in s.value for s in at.success)

    out = tmp_path / "exported.yaml"
    assert _run("plan", "export", "plan_2022_114", "--out", str(out), "--db", store)[0] == 0
    saved = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "units" not in saved["reference"]
    units = {u["code"]: u for u in saved["units"]}
    assert units["so_tu_phap"] == {"code": "so_tu_phap", "name_vi": "Chi đoàn Sở Tư pháp", "aliases": [],
                                   "pilot": False, "counts_for_reporting": True, "valid_from": date(2022, 7, 1)}
    assert units["so_y_te"]["name_vi"] == "Chi đoàn Sở Y tế tỉnh Trà Vinh"
    assert units["so_y_te"]["aliases"][-1] == "Chi đoàn Sở Y tế" and "Sở Y tế" in units["so_y_te"]["aliases"]
    assert "valid_from" not in units["so_y_te"]
    assert (units["cap_thoat_nuoc"]["merged_into"], units["cap_thoat_nuoc"]["valid_to"]) == ("so_y_te",
                                                                                            date(2022, 9, 30))
    plan = load_plan(out)  # the exported file is a plan file that carries its units
    by_code = {u.code: u for u in plan.units}
    assert by_code["so_tu_phap"].valid_from == date(2022, 7, 1)
    assert by_code["so_y_te"].name_vi == "Chi đoàn Sở Y tế tỉnh Trà Vinh"
    assert len(plan.units) == len(load_plan(PLANS_DIR / "plan_2021_114.yaml").units) + 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_target_switched_to_any_kind_starts_valid(kind: str) -> None:
    raw = read_raw(PLANS_DIR / "plan_2021_114.yaml")
    target = next(t for t in raw["targets"] if t["id"] == "staff_training")
    set_kind(target, kind, raw, choices(raw))
    assert set(target["params"]) == set(KINDS[kind].required)
    plan, problems = plan_problems(raw, PLANS_DIR / "plan_2021_114.yaml")
    assert problems == [] and plan is not None and plan.target("staff_training").kind == kind


def test_a_plan_with_its_units_inline_uses_them_and_checks_them(tmp_path: Path) -> None:
    raw = read_raw(PLANS_DIR / "plan_2021_114.yaml")
    units = inline_units(raw)
    assert "units" not in raw["reference"] and units[0]["code"] == "doan_khoi"
    units.append({"code": "so_moi", "name_vi": "Chi đoàn Sở Mới", "valid_from": date(2021, 7, 1)})
    plan, problems = plan_problems(raw, PLANS_DIR / "plan_2021_114.yaml")
    assert problems == [] and plan is not None and plan.units[-1].valid_from == date(2021, 7, 1)
    units[-1]["valid_to"] = date(2021, 3, 1)
    units[0]["merged_into"] = "khong_co"
    _, problems = plan_problems(raw, PLANS_DIR / "plan_2021_114.yaml")
    assert {(p.where, p.code) for p in problems} == {("units.so_moi.valid_to", "unit_dates"),
                                                      ("units.doan_khoi.merged_into", "unit_merge_unknown"),
                                                      ("units.doan_khoi.valid_to", "unit_merge_end")}
    assert next(p for p in problems if p.code == "unit_merge_unknown").message() == (
        "Đơn vị 'doan_khoi' được sáp nhập vào 'khong_co', không phải một đơn vị khác của danh sách.")


def test_excused_months_are_added_with_their_reason_and_removed(store: str) -> None:
    at = _editor()
    adjust = next(b for b in at.button if b.label == "Thêm tháng được miễn")
    at.selectbox(key="pe_adj_target").set_value("checkup_monthly")
    adjust.click().run()
    assert "Hãy chọn ít nhất một tháng và ghi lý do." in _errors(at)
    at.multiselect(key="pe_adj_months").set_value(["2022-08", "2022-09"])
    at.text_input(key="pe_adj_vi").set_value("Giãn cách xã hội")
    next(b for b in at.button if b.label == "Thêm tháng được miễn").click().run()
    assert at.session_state["plan_draft"]["adjustments"] == [
        {"target": "checkup_monthly", "months": ["2022-08", "2022-09"],
         "reason": {"vi": "Giãn cách xã hội", "en": "Giãn cách xã hội"}}]
    assert at.tabs[4].dataframe[0].value.iloc[0].tolist() == ["checkup_monthly", "2022-08, 2022-09",
                                                              "Giãn cách xã hội"]
    _button(at, "pe_adj_remove").click().run()
    assert at.session_state["plan_draft"]["adjustments"] == [] and not at.tabs[4].dataframe
