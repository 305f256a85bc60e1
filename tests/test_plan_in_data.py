"""The plan is data: no plan's target ids in code, and a plan with other ids, units, sections and
kinds (tests/plans/plan_other_2023.yaml, no check-up chart) renders every page, the presentation
and the meeting report in its four formats with all its targets and sections."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from tests.factories import activity, beneficiary, make_report, resource
from ytsupport.plan import load_plan
from ytsupport.report import collect, render
from ytsupport.settings import PLANS_DIR, PROJECT_ROOT
from ytsupport.store import get_engine, load_current, store_report

OTHER = PROJECT_ROOT / "tests" / "plans" / "plan_other_2023.yaml"
PLAN_FILES = sorted(PLANS_DIR.glob("*.yaml")) + sorted((PROJECT_ROOT / "tests" / "plans").glob("plan_*.yaml"))
CODE = [*sorted((PROJECT_ROOT / "ytsupport").rglob("*.py")), *sorted((PROJECT_ROOT / "pages").glob("*.py")),
        PROJECT_ROOT / "dashboard.py"]


def _plan_ids(path: Path) -> set[str]:
    """The target ids and composite model ids of a plan file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = {t["id"] for t in raw["targets"]}
    return ids | {m["id"] for t in raw["targets"] for m in (t.get("params") or {}).get("models") or []}


def test_no_plan_id_appears_in_code() -> None:
    ids = set().union(*(_plan_ids(p) for p in PLAN_FILES))
    assert {"checkup_people", "two_models", "t_sinh_ke"} <= ids  # both plans are read
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ids))) + r")\b")
    found = [f"{path.relative_to(PROJECT_ROOT)}:{n}: {m.group(1)}" for path in CODE
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for m in [pattern.search(line)] if m]
    assert found == []


@pytest.fixture(scope="module")
def other_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with a few 2023 reports of the test plan's units."""
    url = f"sqlite:///{tmp_path_factory.mktemp('other') / 'db.sqlite'}"
    engine = get_engine(url)
    people = [beneficiary(n, district=d, surveyed_on="2023-02-03") for n, d in
              [("A", "cang_long"), ("B", "tra_cu"), ("C", "cau_ke"), ("D", "cau_ke"), ("E", "tra_cu"),
               ("F", "cang_long")]]
    reports = [
        (make_report("truong_a", "2023-01", activities=[activity("2023-01-20", "tham_tang_qua", 40, location="Xã C"),
                                                        activity("2023-01-25", "vui_choi", 30, location="Trường A")]),
         date(2023, 2, 3)),
        (make_report("cong_ty_b", "2023-02", activities=[activity("2023-02-10", "sinh_ke", 12, location="Xã C")],
                      beneficiaries=people,
                      resources=[resource("2023-02-11", "sinh_ke", 6, 30_000_000, recipient="Thanh niên xã C")]),
         date(2023, 3, 4)),
        (make_report("xa_c", "2023-03"), date(2023, 4, 20)),
    ]
    for report, received in reports:
        store_report(engine, report, received_on=received)
    engine.dispose()
    return url


def _texts(blob: bytes, form: str) -> str:
    if form == "docx":
        document = docx.Document(io.BytesIO(blob))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for row in t.rows for c in row.cells])
    elif form == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages)
    elif form == "html":
        text = re.sub(r"<[^>]+>", " ", blob.decode("utf-8")).replace("&amp;", "&")
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(blob))
        text = "\n".join(str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("form", ["html", "docx", "pdf", "xlsx"])
def test_the_report_of_another_plan_has_every_target_and_section(other_db: str, form: str) -> None:
    plan = load_plan(OTHER)
    content = collect(load_current(get_engine(other_db)), plan, date(2023, 6, 30))
    text = _texts(render(content, form, "vi"), form)
    for target in plan.targets:
        assert target.label["vi"] in text, (form, target.id)
    assert "7-KH/TN" in text
    if form != "xlsx":  # the document's sections, as the plan declares them
        for title in ("Đời sống, sinh kế", "Đời sống tinh thần", "Các chỉ tiêu khác"):
            assert title in text, (form, title)
        assert "Khám" not in text and "Trung tâm" not in text  # no check-up chart: the plan has none
    for unit in ("Đoàn trường A", "Đoàn Công ty B", "Đoàn xã C"):
        assert unit in text, (form, unit)


def test_the_other_plans_figures(other_db: str) -> None:
    plan = load_plan(OTHER)
    content = collect(load_current(get_engine(other_db)), plan, date(2023, 6, 30))
    got = {r["id"]: (r["actual"], r["status"]) for r in content.targets}
    assert got["t_sinh_ke"] == (12, "behind") and got["t_tet"] == (1, "behind")
    assert got["t_xa_phu"] == (3, "met") and got["t_mo_hinh"] == (1, "met")
    assert got["t_don_vi"] == (2, "no_target")  # truong_a (gifts, recreation) and cong_ty_b (livelihood)
    assert content.meta["headline"]["threshold_people"] is None


PAGES = ["overview", "visits", "units", "coverage", "resources", "present", "meeting", "upload", "people", "audit",
         "plans"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_another_plan(other_db: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_DB_URL", other_db)
    monkeypatch.setenv("YTSUPPORT_PLAN", str(OTHER))
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["as_of"] = "2023-06-30"
    at.run().switch_page(f"pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join([*(e.value for e in [*at.html, *at.markdown, *at.caption, *at.subheader, *at.header]),
                      *(f"{m.label} {m.value}" for m in at.metric),
                      *(d.value.to_string() for d in at.dataframe)])
    if name in ("overview", "present"):
        assert "Người được hỗ trợ sinh kế" in shown  # a target of this plan, by its label
    if name == "present":
        assert "Lượt khám" not in shown
