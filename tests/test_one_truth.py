"""One truth for every figure: every output says the same thing, as known on the as-of date.

The sample year is stored with the days its reports were received (most in the first days of the
next month, some late). At 30/6, 25/12 and 31/12/2021 this renders every output — ``status
--json``, the overview, units and coverage page models, the presentation's content and the
meeting report as .xlsx, .docx, .html and .pdf — and checks that each target's actual, expected
and status, each headline figure and each unit × month state agree, that no report counts
before it arrived, and that no district-level person count of 1-4 appears anywhere.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import date
from typing import Any

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from tests.factories import sample_year, store_all
from ytsupport import formatting as fmt
from ytsupport.cli import main
from ytsupport.dashboard import models
from ytsupport.figures import compute
from ytsupport.plan import load_plan
from ytsupport.plan.activities import with_counted
from ytsupport.report import collect, render
from ytsupport.report.labels import state_label, state_mark, status_label
from ytsupport.settings import PLANS_DIR
from ytsupport.states import RECEIVED_STATES
from ytsupport.store import get_engine, load_current

AS_OF = ("2021-06-30", "2021-12-25", "2021-12-31")
PLAN = PLANS_DIR / "plan_2021_114.yaml"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return store_all(f"sqlite:///{tmp_path_factory.mktemp('truth') / 'db.sqlite'}", sample_year())


@pytest.fixture(scope="module")
def data(db: str) -> dict[str, Any]:
    return with_counted(load_current(get_engine(db)))


@pytest.fixture(scope="module")
def plan() -> Any:
    return load_plan(PLAN)


def _status_json(db: str, as_of: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["status", "--db", db, "--as-of", as_of, "--json", "--plan", str(PLAN)]) == 0
    return json.loads(out.getvalue())


def _docx_text(blob: bytes) -> str:
    document = docx.Document(io.BytesIO(blob))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _docx_tables(blob: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(io.BytesIO(blob)).tables]


def _html_text(blob: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", blob.decode("utf-8"))).replace("&amp;", "&")


def _pdf_text(blob: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module", params=AS_OF)
def outputs(request: pytest.FixtureRequest, db: str, data: dict[str, Any], plan: Any) -> dict[str, Any]:
    as_of = date.fromisoformat(request.param)
    figures = compute(data, plan, as_of)
    content = collect(data, plan, as_of, figures=figures)
    return {"as_of": as_of, "json": _status_json(db, request.param), "figures": figures, "content": content,
            "overview": models.overview(data, plan, as_of, "vi", figures=figures),
            "units": models.units(data, plan, as_of, "vi", figures=figures),
            "coverage": models.coverage(data, plan, as_of, "vi"),
            "xlsx": openpyxl.load_workbook(io.BytesIO(render(content, "xlsx", "vi"))),
            "docx": _docx_text(render(content, "docx", "vi")),
            "docx_tables": _docx_tables(render(content, "docx", "vi")),
            "html": _html_text(render(content, "html", "vi")),
            "pdf": _flat(_pdf_text(render(content, "pdf", "vi")))}


def _sheet_rows(workbook: Any, title: str) -> list[dict[str, Any]]:
    sheet = workbook[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_each_target_reads_the_same_everywhere(outputs: dict[str, Any]) -> None:
    cli = {r["id"]: r for r in outputs["json"]["targets"]}
    cards = {r.id: r for r in outputs["overview"].scorecard}
    xlsx = {r["Mã"]: r for r in _sheet_rows(outputs["xlsx"], "Chỉ tiêu")}
    for record in outputs["content"].targets:
        tid, form = record["id"], record["format"]
        assert cli[tid]["status"] == record["status"] == cards[tid].status, tid
        assert cli[tid]["actual"] == pytest.approx(record["actual"], abs=1e-3)  # the JSON rounds to 3 places
        assert record["actual"] == cards[tid].actual, tid
        expected = fmt.target_value(record["expected_by_now"], form, "vi")
        assert fmt.target_value(cli[tid]["expected_by_now"], form, "vi") == expected, tid
        assert cards[tid].expected_text in (None, expected), tid
        assert xlsx[tid]["Đánh giá"] == status_label(record["status"]), tid
        if form == "count" and record["expected_by_now"] is not None:
            assert xlsx[tid]["Tiến độ yêu cầu"] == int(fmt.half_up(record["expected_by_now"])), tid
        # Bảng 1: plan, in the month, cumulative, rate, change since the last snapshot, note (status first)
        row = f"{fmt.target_value(record['target'], form, 'vi', short=True)} {month_value(record, outputs['content'])} "
        row += f"{fmt.target_value(record['actual'], form, 'vi', short=True)} {fmt.percent(record['attainment'], 'vi')} "
        row += status_label(record["status"])
        if record["expected_by_now"] is not None and record["target"] is not None:
            row += f"; tiến độ yêu cầu {expected}"
        for name in ("docx", "html", "pdf"):
            assert _flat(row) in _flat(outputs[name]).replace("\n", " "), (name, tid, row)


def month_value(record: dict[str, Any], content: Any) -> str:
    """The "in the month" cell: the actual now minus at the previous month's end (none for a rate)."""
    if record["format"] == "percent":
        return fmt.target_value(None, "percent", "vi")
    before = content.meta["month"]["actuals"].get(record["id"]) or 0
    return fmt.target_value(record["actual"] - before, record["format"], "vi", short=True)


def test_headline_figures_agree(outputs: dict[str, Any]) -> None:
    head, page = outputs["content"].meta["headline"], outputs["overview"].headline
    assert outputs["figures"].headline == head
    assert (page.people_served, page.activities) == (head["people_supported"], head["activities"])
    assert (page.reports_received, page.reports_expected) == (head["reporting"]["received"],
                                                              head["reporting"]["expected"])
    cli = outputs["json"]["reporting"]
    assert (cli["received"], cli["expected"], cli["on_time"]) == (
        head["reporting"]["received"], head["reporting"]["expected"], head["reporting"]["on_time"])
    sentence = f"tổ chức {fmt.count(head['activities'])} hoạt động, hỗ trợ {fmt.count(head['people_supported'])} lượt"
    for name in ("docx", "html", "pdf"):
        assert sentence in _flat(outputs[name]), name


def test_each_report_state_is_the_same_and_known_on_the_date(outputs: dict[str, Any]) -> None:
    as_of = outputs["as_of"]
    cli = {(r["unit"], r["period"]): r for r in outputs["json"]["reporting"]["matrix"]}
    assert cli, "status --json lists the unit × month matrix"
    for (unit, period), record in cli.items():
        if record["state"] in RECEIVED_STATES:
            assert date.fromisoformat(record["received_on"]) <= as_of, (unit, period)
        else:
            assert record["received_on"] is None, (unit, period)
    pairs = {(p["unit"], p["period"]): p["state"] for p in outputs["content"].tables["reporting_pairs"]}
    assert {k: v["state"] for k, v in cli.items()} == pairs
    units = outputs["units"]
    names = models.unit_names(load_plan(PLAN))
    grid = units.matrix_states
    for (unit, period), state in pairs.items():
        assert grid.loc[names[unit], period] == state, (unit, period)
    sheet = {r["Mã"]: r for r in _sheet_rows(outputs["xlsx"], "Báo cáo tháng")}
    for (unit, period), state in pairs.items():
        assert sheet[unit][fmt.month_number(period)] == state_label(state), (unit, period)
    marks = {state_mark(s) for s in set(pairs.values())}
    assert all(mark in outputs["docx"] for mark in marks if mark)


def test_no_district_count_of_one_to_four_appears(outputs: dict[str, Any]) -> None:
    def small(value: Any) -> bool:
        return value is not None and value == value and 1 <= float(value) <= 4

    assert not any(small(r["people"]) for r in outputs["content"].tables["coverage_by_district"])
    page = outputs["coverage"].by_district
    assert not any(small(v) for column in ("surveyed", "supported", "with_bhyt") for v in page[column])
    assert not any(small(r["Số người"]) for r in _sheet_rows(outputs["xlsx"], "Bao phủ theo huyện")
                   if isinstance(r["Số người"], (int, float)))
    [table] = [t for t in outputs["docx_tables"] if t[0][0] == "Huyện, thị xã, thành phố"]
    cells = [row[1] for row in table[1:-1]]
    assert len(cells) == 9 and not any(c in ("1", "2", "3", "4") for c in cells), cells


def test_the_june_reports_received_in_july_are_not_received_at_the_end_of_june(db: str) -> None:
    """At 30/6 the reports for June (and later) that arrived in July are not due, not "early"."""
    states = {r["state"] for r in _status_json(db, "2021-06-30")["reporting"]["matrix"] if r["period"] >= "2021-06"}
    assert "not_due" in states and states <= {"not_due", "early"}, states
    december = {r["state"] for r in _status_json(db, "2021-12-25")["reporting"]["matrix"] if r["period"] == "2021-12"}
    assert december <= {"not_due", "early"}, december
