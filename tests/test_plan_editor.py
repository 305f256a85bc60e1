"""The "Kế hoạch" page: copy the 2021 plan to 2022, change a target's value and the window of a
dated target, see the message at the field for a window ending before it starts, preview the
status on the current data, save: the new version is listed, stored, audited, and offered by the
plan select. Also the stored versions from the command line: import, list, export."""
from __future__ import annotations

import contextlib
import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from ytsupport.cli import main
from ytsupport.dashboard import models
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

    at.selectbox(key="pe_target").set_value("checkup_people").run()
    at.text_input(key="pe_value_checkup_people").set_value("1300").run()
    at.text_input(key="pe_value_checkup_people").set_value("nhiều").run()
    assert "'nhiều' không phải là một số dương. Hãy nhập một số như 12, hoặc để trống." in _errors(at)
    assert _button(at, "plans_save").disabled
    at.text_input(key="pe_value_checkup_people").set_value("1300").run()

    at.selectbox(key="pe_target").set_value("children_day_gifts").run()
    assert at.date_input(key="pe_from_children_day_gifts").value == date(2022, 5, 25)
    at.date_input(key="pe_to_children_day_gifts").set_value(date(2022, 5, 1)).run()
    assert "Ngày cuối của khoảng thời gian phải sau ngày đầu. Hãy sửa lại ngày." in _errors(at)
    assert _button(at, "plans_save").disabled and _button(at, "plans_preview").disabled
    at.date_input(key="pe_to_children_day_gifts").set_value(date(2022, 6, 5)).run()
    at.date_input(key="pe_end").set_value(date(2021, 12, 31)).run()
    assert "Ngày kết thúc phải sau ngày bắt đầu. Hãy sửa lại ngày." in _errors(at)
    at.date_input(key="pe_end").set_value(date(2022, 12, 31)).run()
    assert _errors(at) == []

    _button(at, "plans_preview").click().run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.dataframe[0].value
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


def test_a_role_taken_twice_is_refused_before_saving(store: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run().switch_page("pages/plans.py").run()
    at.selectbox(key="plans_source").set_value("plan_2021_114")
    _button(at, "plans_edit").click().run()
    assert at.text_input(key="pe_id").value == "plan_2021_114"
    at.selectbox(key="pe_target").set_value("recreation_monthly").run()
    at.multiselect(key="pe_roles_recreation_monthly").set_value(["checkup_chart"]).run()
    assert any("role checkup_chart: at most one target" in e for e in _errors(at))
    assert any("needs kind monthly_threshold" in e for e in _errors(at))
    assert _button(at, "plans_save").disabled
    at.multiselect(key="pe_roles_recreation_monthly").set_value([]).run()
    assert _errors(at) == [] and not _button(at, "plans_save").disabled
