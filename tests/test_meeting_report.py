"""The report the Standing Committee signs: month and cumulative, change since the last meeting,
reasons, drafted assessment and next steps, unit emulation, in the Youth Union's document form.

Over the sample year with its received dates and two snapshots (end of June, end of July).
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import yaml
from pypdf import PdfReader
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.factories import sample_year, store_all
from ytsupport import formatting as fmt
from ytsupport.plan import load_plan
from ytsupport.plan.activities import with_counted
from ytsupport.report import collect
from ytsupport.report.export import report_bytes
from ytsupport.report.remarks import load_texts, scope_of, text_history
from ytsupport.report.snapshots import create_snapshot, list_snapshots
from ytsupport.settings import PLANS_DIR
from ytsupport.store import get_engine, load_current
from ytsupport.store import tables as s

ROOT = Path(__file__).resolve().parent.parent
PLAN = PLANS_DIR / "plan_2021_114.yaml"
JULY = date(2021, 7, 31)
COVID = "Giãn cách xã hội do dịch COVID-19"
COLUMNS = ["Nội dung chỉ tiêu", "Đơn vị chủ trì", "Kế hoạch", "Trong tháng", "Lũy kế", "Tỷ lệ", "So với kỳ trước",
           "Ghi chú"]
SECTIONS = ["I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG TỚI",
            "IV. ĐỀ XUẤT, KIẾN NGHỊ"]


def _store(url: str) -> None:
    engine = get_engine(store_all(url, sample_year()))
    plan = load_plan(PLAN)
    data = with_counted(load_current(engine))
    for name, day in (("Giao ban tháng 6", date(2021, 6, 30)), ("Giao ban tháng 7", JULY)):
        create_snapshot(engine, name, content=collect(data, plan, day, data_version=1), created_by="vanphong")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('meeting') / 'db.sqlite'}"
    _store(url)
    return url


def _docx(blob: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(blob))


def _docx_text(blob: bytes) -> str:
    document = _docx(blob)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def _pdf_text(blob: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages).split())


def _html_text(blob: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", blob.decode("utf-8")).replace("&amp;", "&").replace("&quot;", '"')
    return " ".join(text.split())


@pytest.fixture(scope="module")
def july(db: str) -> dict[str, Any]:
    """The report of the July snapshot, compared by default with the June one, in every format."""
    engine = get_engine(db)
    blobs = {kind: report_bytes(engine, kind, snapshot="Giao ban tháng 7", issued_on=date(2021, 8, 5))
             for kind in ("docx", "pdf", "html", "xlsx")}
    return {"blobs": blobs, "docx": _docx_text(blobs["docx"]), "pdf": _pdf_text(blobs["pdf"]),
            "html": _html_text(blobs["html"]), "xlsx": openpyxl.load_workbook(io.BytesIO(blobs["xlsx"]))}


def _status(db: str, day: date) -> dict[str, dict[str, Any]]:
    data = with_counted(load_current(get_engine(db)))
    return {r["id"]: r for r in collect(data, load_plan(PLAN), day).targets}


def test_bang_1_shows_month_cumulative_and_change_since_june_for_every_target(db: str, july: dict[str, Any]) -> None:
    # the June snapshot is at 30/6, the end of the month before July: both comparisons start there
    june, now = _status(db, date(2021, 6, 30)), _status(db, JULY)
    end_june = june
    table = _docx(july["blobs"]["docx"]).tables[1]
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    rows = {row.cells[0].text.split(". ", 1)[1]: [c.text for c in row.cells] for row in table.rows[1:]}
    assert len(rows) == len(now) == len(load_plan(PLAN).targets)
    moved = 0
    for tid, record in now.items():
        form = record["format"]
        row = rows[record["label"]["vi"]]
        assert row[4] == fmt.target_value(record["actual"], form, "vi", short=True), tid
        if form != "percent":  # July's result: cumulative at 31/7 minus at 30/6
            assert row[3] == fmt.target_value(record["actual"] - (end_june[tid]["actual"] or 0), form, "vi",
                                              short=True), tid
        delta = record["actual"] - june[tid]["actual"]
        if delta:
            moved += 1
            assert row[6] == ("▲ " if delta > 0 else "▼ ") + fmt.target_value(abs(delta), form, "vi", short=True), tid
        else:
            assert row[6] == "= " + fmt.target_value(0, form, "vi", short=True), tid
    assert moved >= 5, "July moved most targets"
    assert "so với số liệu chốt “Giao ban tháng 6” ngày 30/06/2021" in july["docx"]
    sheet = july["xlsx"]["Chỉ tiêu"]
    header = [c.value for c in sheet[1]]
    by_id = {r[header.index("Mã")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for tid, record in now.items():
        assert by_id[tid][header.index("So với kỳ trước")] == pytest.approx(record["actual"] - june[tid]["actual"])
    for name in ("pdf", "html"):
        assert "So với kỳ trước" in july[name] and "▲" in july[name], name


def test_the_july_report_names_the_units_missing_reports_and_has_four_drafted_sections(
        db: str, july: dict[str, Any]) -> None:
    data = with_counted(load_current(get_engine(db)))
    content = collect(data, load_plan(PLAN), JULY)
    missing = {p["unit"] for p in content.tables["reporting_pairs"] if p["state"] == "missing"}
    assert missing, "the sample year has units behind with their reports at the end of July"
    for name in ("docx", "pdf", "html"):
        text = july[name]
        positions = [text.find(s) for s in SECTIONS]
        assert all(p >= 0 for p in positions) and positions == sorted(positions), (name, positions)
        for unit in missing:
            assert content.unit_name(unit) in text, (name, unit)
        assessment = text[positions[1]:positions[2]]
        assert "1. Ưu điểm" in assessment and "2. Hạn chế" in assessment and "3. Nguyên nhân" in assessment
        steps = text[positions[2]:positions[3]]
        assert "Đôn đốc các đơn vị nộp báo cáo còn thiếu" in steps, name
        assert "cần bình quân" in steps and "Chuẩn bị" in steps, name  # catch-up pace; Trung thu opens in September
    texts = {r[0]: r[1] for r in july["xlsx"]["ĐÁNH GIÁ CHUNG"].iter_rows(min_row=2, values_only=True)}
    assert texts["ĐÁNH GIÁ CHUNG"].startswith("1. Ưu điểm") and texts["PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG TỚI"]


@pytest.mark.parametrize("day", ["2021-08-31", "2021-09-30"])
def test_augusts_covid_note_stands_against_the_checkup_target(db: str, day: str) -> None:
    engine = get_engine(db)
    blob = report_bytes(engine, "docx", as_of=date.fromisoformat(day))
    table = _docx(blob).tables[1]
    [row] = [r for r in table.rows[1:] if r.cells[0].text.startswith("1. Khám bệnh, phát thuốc hằng tháng")]
    assert COVID in row.cells[7].text and "tháng 8/2021" in row.cells[7].text
    other = [r.cells[7].text for r in table.rows[1:] if "Trung thu" in r.cells[0].text]
    assert other and COVID not in other[0]
    assert "3. Nguyên nhân" in _docx_text(blob) and COVID in _pdf_text(report_bytes(engine, "pdf", as_of=date.fromisoformat(day)))
    june = _docx(report_bytes(engine, "docx", as_of=date(2021, 6, 30))).tables[1]
    assert not any(COVID in r.cells[7].text for r in june.rows[1:]), "no note before August"


def test_the_emulation_scores_follow_the_plan_files_weights(july: dict[str, Any]) -> None:
    """Recompute each unit's score from its criterion values (the workbook's, unrounded) and the
    weights read from the plan file; the .docx prints the same scores and ranking."""
    block = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["emulation"]
    weights = {c["label"]["vi"]: c["weight"] for c in block["criteria"]}
    sheet = july["xlsx"]["Thi đua giữa các cơ sở Đoàn"]
    header = [c.value for c in sheet[1]]
    assert header[2:-1] == [f"{name} ({w})" for name, w in weights.items()]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 13))
    for row in rows:
        values = [(w, v) for w, v in zip(weights.values(), row[2:-1]) if v is not None]
        assert all(0 <= v <= 1 for _, v in values), row
        assert row[-1] == pytest.approx(100 * sum(w * v for w, v in values) / sum(w for w, _ in values)), row[1]
    assert [r[-1] for r in rows] == sorted((r[-1] for r in rows), reverse=True)
    [table] = [t for t in _docx(july["blobs"]["docx"]).tables if t.rows[0].cells[0].text == "Hạng"]
    printed = [(c.cells[1].text, c.cells[-1].text) for c in table.rows[1:]]
    assert printed == [(r[1], fmt.number(r[-1], "vi", 1)) for r in rows]
    tasks = {r[1]: r[2 + list(weights).index("Nhiệm vụ được giao (Mục III.2)")] for r in rows}
    pilots = {"Đoàn cơ sở Bệnh viện Đa khoa tỉnh", "Chi đoàn Bảo hiểm Xã hội tỉnh",
              "Chi đoàn Sở Lao động – Thương binh và Xã hội"}
    assert {name for name, v in tasks.items() if v is not None} == pilots  # III.2's pilot units only


def test_the_docx_has_the_document_form(july: dict[str, Any]) -> None:
    document = _docx(july["blobs"]["docx"])
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == ["TỈNH ĐOÀN TRÀ VINH", "BCH ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
                                                 "***", "Số: …-BC/ĐTN"]
    assert right.paragraphs[0].text == "ĐOÀN TNCS HỒ CHÍ MINH"
    assert right.paragraphs[-1].text == "Trà Vinh, ngày 05 tháng 8 năm 2021"
    assert all(run.italic for run in right.paragraphs[-1].runs)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[paragraphs.index("BÁO CÁO") + 1].startswith("Kết quả thực hiện Kế hoạch số 114-KH/ĐTN")
    headings = [p for p in paragraphs if re.match(r"^(I|II|III|IV)\. ", p)]
    assert headings == SECTIONS
    signature = document.tables[-1].rows[0].cells
    assert signature[0].paragraphs[0].text == "Nơi nhận:"
    assert "TM. BAN THƯỜNG VỤ" in signature[1].text and "PHÓ BÍ THƯ" in signature[1].text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    top, left, right = (round(m.mm) for m in (section.top_margin, section.left_margin, section.right_margin))
    assert 20 <= top <= 25 and 30 <= left <= 35 and 15 <= right <= 20
    assert document.styles["Normal"].font.name == "Times New Roman" and document.styles["Normal"].font.size.pt in (13, 14)


def test_the_pdf_pages_render_as_a4_images(july: dict[str, Any], tmp_path: Path) -> None:
    """The first two pages drawn by poppler: A4 portrait, with ink (docs/report-page-*.png are these)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")  # CI installs it (.ci/run)
    from PIL import Image

    (tmp_path / "r.pdf").write_bytes(july["blobs"]["pdf"])
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(tmp_path / "r.pdf"), str(tmp_path / "p")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    for png in pages:
        image = Image.open(png).convert("L")
        assert image.height / image.width == pytest.approx(297 / 210, abs=0.01)
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert 0.01 < dark < 0.5, (png.name, dark)
        left = sum(1 for x in range(image.width // 10) for y in range(image.height) if image.getpixel((x, y)) < 128)
        assert left == 0, "the left margin (30 mm) is blank"


# ---------------------------------------------------------------------------------------------
# the meeting page


@pytest.fixture()
def page_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    _store(url)
    monkeypatch.setenv("YTSUPPORT_DB_URL", url)
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    return url


def test_the_meeting_page_edits_a_comment_and_the_next_steps_that_the_docx_prints(page_db: str) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at = at.run().switch_page("pages/meeting.py").run()
    assert not at.exception
    engine = get_engine(page_db)
    ids = {snap.name: snap.id for snap in list_snapshots(engine)}
    at.radio(key="report_source").set_value(ids["Giao ban tháng 7"]).run()
    assert not at.exception
    scope = scope_of(JULY, ids["Giao ban tháng 7"])
    steps = at.text_area(key=f"draft_{scope}_next_steps")
    assert "Đôn đốc các đơn vị nộp báo cáo còn thiếu" in steps.value  # the draft, from the data
    comment = "Đề nghị Đoàn cơ sở Bệnh viện Đa khoa tỉnh bố trí thêm một đợt khám trong tháng 8."
    at.text_area(key=f"comment_{scope}_checkup_monthly").input(comment)
    steps.input(steps.value + "\n- Tổ chức sơ kết 6 tháng mô hình “Khám bệnh hằng tháng”.")
    next(b for b in at.button if b.label == "Lưu nhận xét và dự thảo").click().run()
    assert not at.exception
    assert "Đã lưu 2 nội dung." in [m.value for m in at.success]
    assert load_texts(engine, scope)["comment:checkup_monthly"] == comment
    blob = report_bytes(engine, "docx", snapshot=f"#{ids['Giao ban tháng 7']}")
    text = _docx_text(blob)
    assert f"Nhận xét của Văn phòng: {comment}" in text
    assert "Tổ chức sơ kết 6 tháng mô hình “Khám bệnh hằng tháng”." in text
    assert "Đôn đốc các đơn vị nộp báo cáo còn thiếu" in text  # the rest of the draft, as it was
    with engine.connect() as conn:
        audits = [json.loads(r.details) for r in conn.execute(select(s.audit_log).where(
            s.audit_log.c.action == "meeting_text"))]
    assert {"scope": scope, "key": "comment:checkup_monthly", "text": comment}.items() <= \
        next(a for a in audits if a["key"] == "comment:checkup_monthly").items()
    assert [h["author"] for h in text_history(engine, scope, "comment:checkup_monthly")] == ["local"]
    # the report of the figures now at 31/7 keeps its own texts: the snapshot's comment is not there
    assert comment not in _docx_text(report_bytes(engine, "docx", as_of=JULY))


def test_the_presentation_shows_the_change_since_june_then_next_months_tasks(page_db: str) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["as_of"] = "2021-07-31"
    at = at.run().switch_page("pages/present.py").run()
    assert not at.exception
    first = " ".join(h.proto.body for h in at.get("html"))
    assert "so với kỳ trước" in first and "▲" in first and "Trong tháng:" in first
    assert "Đơn vị còn thiếu báo cáo" not in first
    at.button(key="present_2").click().run()
    assert not at.exception
    second = " ".join(h.proto.body for h in at.get("html"))
    assert "PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG TỚI" in second and "Đơn vị còn thiếu báo cáo" in second
    data = with_counted(load_current(get_engine(page_db)))
    content = collect(data, load_plan(PLAN), JULY)
    for unit in {p["unit"] for p in content.tables["reporting_pairs"] if p["state"] == "missing"}:
        assert content.unit_name(unit) in second, unit
    assert "cần bình quân" in second


def test_the_units_page_ranks_the_units_with_the_breakdown(page_db: str) -> None:
    from ytsupport.dashboard import models

    data = with_counted(load_current(get_engine(page_db)))
    plan = load_plan(PLAN)
    table = models.units(data, plan, JULY, "vi").emulation
    weights = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["emulation"]["criteria"]
    assert list(table.columns) == ["Hạng", "Đơn vị", *[f"{c['label']['vi']} ({c['weight']})" for c in weights], "Điểm"]
    assert list(table["Hạng"]) == list(range(1, 13)) and table["Điểm"].is_monotonic_decreasing
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["as_of"] = "2021-07-31"
    at = at.run().switch_page("pages/units.py").run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Điểm" in d.value.columns)
    assert len(shown) == 12 and "Báo cáo đầy đủ (25)" in shown.columns


def test_the_headline_figures_show_their_change_since_june(db: str, july: dict[str, Any]) -> None:
    data = with_counted(load_current(get_engine(db)))
    plan = load_plan(PLAN)
    june, now = (collect(data, plan, day).meta["headline"] for day in (date(2021, 6, 30), JULY))
    gained = now["activities"] - june["activities"]
    assert gained > 0
    sentence = "So với số liệu chốt “Giao ban tháng 6” (ngày 30/06/2021): chỉ tiêu đạt "
    for name in ("docx", "pdf", "html"):
        assert sentence in july[name], name
        assert f"hoạt động ▲ {fmt.count(gained)}" in july[name], name


def test_a_wrong_emulation_block_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    from ytsupport.plan import PlanError

    raw = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    raw["emulation"]["criteria"][0]["id"] = "popularity"
    raw["emulation"]["criteria"][1]["weight"] = -1
    raw["emulation"]["tasks"]["no_such_unit"] = ["checkup_monthly"]
    raw["emulation"]["tasks"]["bhxh"] = ["no_such_target"]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    errors = "\n".join(info.value.errors)
    assert "emulation criterion 1: `id` must be one of completeness" in errors
    assert "emulation criterion 2 (timeliness): `weight` must be a number >= 0" in errors
    assert "unknown unit 'no_such_unit'" in errors and "unknown target(s) no_such_target" in errors
    del raw["emulation"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_plan(path).emulation.criteria == ()  # a plan without the block has no scorecard
