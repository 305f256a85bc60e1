"""Meeting reports: each format's content, inert spreadsheet text, standalone HTML, the command."""
from __future__ import annotations

import argparse
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.factories import activity, beneficiary, make_data, make_report, resource
from ytsupport.plan import load_plan, status
from ytsupport.report import ReportContent, collect, inert, render, report_bytes
from ytsupport.commands.reports import register
from ytsupport.report.document import STATUS_FILLS
from ytsupport.report.labels import status_label
from ytsupport.report.safe import is_inert
from ytsupport.settings import get_settings
from ytsupport.store import audit_entries, get_engine, load_current, store_report

AS_OF = date(2021, 3, 31)
PAYLOADS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "@SUM(1,1)", "+1+1", "-1+1",
            "\tTab donor", "\rCR donor"]


def _reports() -> list[tuple[Any, date]]:
    donors = [resource("2021-01-10", "thuoc", 10, 1_000_000, donor=p, notes=p, description=p) for p in PAYLOADS]
    return [
        (make_report("bv_da_khoa", "2021-01", activities=[
            activity("2021-01-15", people=120, centre=True, title=PAYLOADS[1], notes=PAYLOADS[2])],
            resources=donors), date(2021, 2, 5)),
        (make_report("bhxh", "2021-01", resources=[resource("2021-01-20", "the_bhyt", 2, 1_200_000)],
                     beneficiaries=[beneficiary("Nguyễn Văn A", district="cau_ke")]), date(2021, 2, 15)),
        (make_report("bv_da_khoa", "2021-02", activities=[activity("2021-02-12", people=80, centre=True)]),
         date(2021, 3, 1)),
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A SQLite store holding three small reports (payloads in donor names, notes and titles)."""
    engine = get_engine(f"sqlite:///{tmp_path_factory.mktemp('report') / 'db.sqlite'}")
    for report, received in _reports():
        store_report(engine, report, received_on=received)
    return engine


@pytest.fixture(scope="module")
def plan() -> Any:
    return load_plan(get_settings().plan_file)


@pytest.fixture(scope="module")
def content(store: Engine, plan: Any) -> ReportContent:
    return collect(load_current(store), plan, AS_OF, data_version=3)


@pytest.fixture(scope="module")
def expected(store: Engine, plan: Any) -> dict[str, Any]:
    return status(load_current(store), plan, AS_OF)


# ---------------------------------------------------------------------------------------------
# inert


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_are_prefixed_with_a_quote(payload: str) -> None:
    assert inert(payload) == "'" + payload
    assert is_inert(inert(payload))


@pytest.mark.parametrize("value", ["Công ty A", "", "1+1", "a=b", 12, 1.5, None, date(2021, 1, 1)])
def test_harmless_values_are_unchanged(value: Any) -> None:
    assert inert(value) == value


# ---------------------------------------------------------------------------------------------
# xlsx


@pytest.fixture(scope="module")
def workbook(content: ReportContent) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render(content, "xlsx")))


def _rows(sheet: Any) -> list[dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def test_xlsx_targets_sheet_equals_status(workbook: openpyxl.Workbook, expected: dict[str, Any]) -> None:
    rows = _rows(workbook["Chỉ tiêu"])
    assert [r["Mã"] for r in rows] == [t["id"] for t in expected["targets"]]
    for row, target in zip(rows, expected["targets"]):
        assert row["Kết quả"] == pytest.approx(target["actual"])
        assert row["Chỉ tiêu"] == (None if target["target"] is None else pytest.approx(target["target"]))
        assert row["Tỷ lệ đạt"] == (None if target["attainment"] is None else pytest.approx(target["attainment"]))
        assert row["Đánh giá"] == status_label(target["status"])
        assert row["Điều khoản"] == target["clause"]


def test_xlsx_has_frozen_headers_number_formats_and_status_colours(workbook: openpyxl.Workbook) -> None:
    targets = workbook["Chỉ tiêu"]
    assert targets.freeze_panes == "A2"
    assert targets["I2"].number_format == "0.0%"
    # each status word in the status column gets its colour (the same pale colours as the Word report)
    rules = {(str(cf.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:])
             for cf in targets.conditional_formatting for rule in cf.rules}
    assert rules == {(f"J2:J{targets.max_row}", f'"{status_label(s)}"', fill) for s, fill in STATUS_FILLS.items()}
    detail = workbook["Nguồn lực chi tiết"]
    assert detail.freeze_panes == "A2"
    assert detail["A2"].is_date and detail["A2"].number_format == "dd/mm/yyyy"
    assert detail["I2"].value == 1_000_000 and detail["I2"].number_format == "#,##0"
    assert workbook["Hoạt động theo tháng"]["A2"].is_date
    assert {"Báo cáo tháng", "Nguồn lực theo loại", "Nguồn lực theo đơn vị", "Bao phủ theo huyện",
            "Bao phủ theo nhóm đối tượng"} <= set(workbook.sheetnames)


def test_xlsx_never_holds_a_formula_and_payloads_read_back_inert(workbook: openpyxl.Workbook) -> None:
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert is_inert(cell.value), (sheet.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    for payload in PAYLOADS:
        assert "'" + payload in texts  # donor names and notes, written as text


def test_xlsx_reporting_sheet_lists_units_by_month(workbook: openpyxl.Workbook) -> None:
    rows = {r["Mã"]: r for r in _rows(workbook["Báo cáo tháng"])}
    assert rows["bv_da_khoa"]["1/2021"] == "Đúng hạn"
    assert rows["bhxh"]["1/2021"] == "Trễ hạn"
    assert rows["bhxh"]["2/2021"] == "Chưa nộp"
    assert rows["bv_da_khoa"]["4/2021"] == "Chưa đến hạn"


# ---------------------------------------------------------------------------------------------
# pdf


@pytest.fixture(scope="module")
def pdf(content: ReportContent) -> PdfReader:
    return PdfReader(io.BytesIO(render(content, "pdf", issued_on=date(2021, 4, 5))))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_text_is_real_vietnamese_text(pdf: PdfReader, expected: dict[str, Any]) -> None:
    text = _flat(" ".join(page.extract_text() for page in pdf.pages))
    for line in ("ĐOÀN TNCS HỒ CHÍ MINH", "TỈNH ĐOÀN TRÀ VINH", "Số: …-BC/ĐTN", "Trà Vinh, ngày 05 tháng 4 năm 2021",
                 "BÁO CÁO", "Kết quả thực hiện Kế hoạch số 114-KH/ĐTN", "tính đến ngày 31/03/2021",
                 "I. KẾT QUẢ THỰC HIỆN", "II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THÁNG TỚI",
                 "IV. ĐỀ XUẤT, KIẾN NGHỊ", "Nơi nhận:", "TM. BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"):
        assert line in text
    # under "TỈNH ĐOÀN TRÀ VINH" the issuer does not repeat the province's name
    assert "BCH ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH ***" in text
    for target in expected["targets"]:
        first_words = " ".join(target["label"]["vi"].split()[:4])
        assert first_words in text, first_words


def test_pdf_is_a4_with_embedded_fonts_and_page_numbers(pdf: PdfReader) -> None:
    assert len(pdf.pages) >= 2
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
            assert "/FontFile2" in descriptor["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert pdf.pages[1].extract_text().split()[0] == "2"


# ---------------------------------------------------------------------------------------------
# docx


def test_docx_has_the_header_lines_targets_and_signature(content: ReportContent, expected: dict[str, Any],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTSUPPORT_SIGNER", "Nguyễn Trọng Nhân")
    document = docx.Document(io.BytesIO(render(content, "docx")))
    head = document.tables[0].rows[0].cells
    assert [p.text for p in head[0].paragraphs] == [
        "TỈNH ĐOÀN TRÀ VINH", "BCH ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH", "***", "Số: …-BC/ĐTN"]
    assert head[1].paragraphs[0].text == "ĐOÀN TNCS HỒ CHÍ MINH"
    assert head[1].paragraphs[-1].text.startswith("Trà Vinh, ngày ")
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert any(p.startswith("Kết quả thực hiện Kế hoạch số 114-KH/ĐTN") for p in paragraphs)
    targets = document.tables[1]
    rows = [[c.text for c in row.cells] for row in targets.rows[1:]]
    assert len(rows) == len(expected["targets"])
    for row, target in zip(rows, expected["targets"]):
        assert row[0].endswith(target["label"]["vi"])
        assert row[7].startswith(status_label(target["status"]))
    signature = document.tables[-1].rows[0].cells[1].text
    assert "TM. BAN THƯỜNG VỤ" in signature and "BÍ THƯ" in signature and "Nguyễn Trọng Nhân" in signature


# ---------------------------------------------------------------------------------------------
# html


def test_html_is_one_standalone_printable_file(content: ReportContent, expected: dict[str, Any]) -> None:
    page = render(content, "html").decode("utf-8")
    outside = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    assert outside == []
    assert "<link" not in page.lower() and "<script" not in page.lower() and "@import" not in page
    assert "@media print" in page and "<svg" in page
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in page
    for target in expected["targets"]:
        assert target["label"]["vi"] in page


def test_text_never_becomes_markup(content: ReportContent) -> None:
    units = {**content.meta["units"], "bhxh": "<img src=x onerror=alert(1)> & <b>"}  # bhxh misses February
    marked = ReportContent(content.status, content.tables, {**content.meta, "units": units})
    page = render(marked, "html").decode("utf-8")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;" in page
    text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render(marked, "pdf"))).pages))
    assert "<img src=x onerror=alert(1)> & <b>" in text


# ---------------------------------------------------------------------------------------------
# exports and the command


def test_export_is_audited(store: Engine) -> None:
    report_bytes(store, "xlsx", as_of=AS_OF, actor="tester", file_name="r.xlsx")
    entry = audit_entries(store, 1)[0]
    assert (entry["actor"], entry["action"]) == ("tester", "export")
    assert entry["details"]["format"] == "xlsx" and entry["details"]["as_of"] == "2021-03-31"


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_report_command_writes_the_format_of_the_extension(store: Engine, tmp_path: Path) -> None:
    url = str(store.url)
    for suffix, magic in ((".xlsx", b"PK"), (".pdf", b"%PDF"), (".html", b"<!DOCTYPE html>")):
        out = tmp_path / f"bao-cao{suffix}"
        assert _cli(["report", "--out", str(out), "--db", url, "--as-of", "2021-03-31"]) == 0
        assert out.read_bytes().startswith(magic)


def test_report_command_fails_with_a_message(store: Engine, tmp_path: Path, capsys: Any) -> None:
    url = str(store.url)
    assert _cli(["report", "--out", str(tmp_path / "r.txt"), "--db", url]) == 1
    assert "unknown report format" in capsys.readouterr().err
    assert _cli(["report", "--out", str(tmp_path / "r.pdf"), "--db", url, "--snapshot", "không có"]) == 1
    assert "no snapshot named" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_english_report_uses_english_labels(content: ReportContent) -> None:
    page = render(content, "html", "en").decode("utf-8")
    assert "I. RESULTS" in page and "II. OVERALL ASSESSMENT" in page and "Monthly check-ups and medicine" in page


# ---------------------------------------------------------------------------------------------
# quantities only within one unit of measure


@pytest.fixture(scope="module")
def gifts(plan: Any) -> ReportContent:
    """Gift packs and boxes of gifts, and livestock, mobilised by two units."""
    rows = [resource("2021-05-02", "qua", 40, 8_000_000, unit_of_measure="phần"),
            resource("2021-05-03", "qua", 50, 4_500_000, unit_of_measure="hộp"),
            resource("2021-05-04", "sinh_ke", 5, 60_000_000, unit_of_measure="con", donor_type="ca_nhan")]
    data = make_data([(make_report("nhcsxh", "2021-05", resources=rows[1:]), date(2021, 6, 5)),
                      (make_report("dien_luc", "2021-05", resources=rows[:1]), date(2021, 6, 6))])
    return collect(data, plan, date(2021, 6, 30))


def test_xlsx_adds_quantities_only_within_one_unit_of_measure(gifts: ReportContent) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(gifts, "xlsx")))
    by_item = [(r["Mã"], r["Đơn vị tính"], r["Số lượng"], r["Giá trị (đồng)"]) for r in _rows(book["Nguồn lực theo loại"])]
    assert by_item == [("sinh_ke", "con", 5, 60_000_000), ("qua", "phần", 40, 8_000_000),
                       ("qua", "hộp", 50, 4_500_000)]
    for sheet in ("Nguồn lực theo đơn vị", "Nguồn lực theo loại nhà tài trợ", "Nguồn lực theo nhà tài trợ"):
        rows = _rows(book[sheet])
        assert "Số lượng" not in rows[0]  # 5 cows and 50 boxes make no 55 of anything
        assert sum(r["Giá trị (đồng)"] for r in rows) == 72_500_000  # the value in đồng is what adds up


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_document_lists_quantities_with_their_unit_of_measure(gifts: ReportContent, kind: str) -> None:
    if kind == "docx":
        document = docx.Document(io.BytesIO(render(gifts, "docx")))
        table = next(t for t in document.tables if t.rows[0].cells[0].text == "Loại hỗ trợ")
        rows = [[c.text for c in row.cells] for row in table.rows]
    else:
        page = render(gifts, "html").decode("utf-8")
        table = page[page.index("Nguồn lực vận động theo loại hỗ trợ"):]
        table = table[:table.index("</table>")]
        rows = [[re.sub("<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
                for tr in re.findall(r"<tr.*?</tr>", table, re.S)]
    assert rows[0] == ["Loại hỗ trợ", "Số lượt", "Số lượng", "Đơn vị tính", "Giá trị (đồng)"]
    assert [r[2:4] for r in rows[1:]] == [["5", "con"], ["40", "phần"], ["50", "hộp"]]


def test_a_snapshot_from_before_shows_no_quantity_added_across_measures(gifts: ReportContent) -> None:
    tables = {k: v for k, v in gifts.tables.items() if k != "resources_by_measure"}
    tables["resources_by_item"] = [{**r, "quantity": 95.0} for r in tables["resources_by_item"]]  # the old sum
    old = ReportContent(gifts.status, tables, gifts.meta)
    rows = _rows(openpyxl.load_workbook(io.BytesIO(render(old, "xlsx")))["Nguồn lực theo loại"])
    assert [(r["Mã"], r["Số lượng"], r["Giá trị (đồng)"]) for r in rows] == [
        ("sinh_ke", None, 60_000_000), ("qua", None, 12_500_000)]


def test_xlsx_unit_contributions_add_up_to_the_totals_counted_once(plan: Any) -> None:
    """A check-up reported by both the hospital and the labour branch is credited to each and
    taken away once on the adjustment row, so the columns add up to the report's own totals."""
    checkup = activity("2021-01-15", people=100, centre=True)
    data = make_data([(make_report("bv_da_khoa", "2021-01", activities=[checkup]), date(2021, 2, 5)),
                      (make_report("ldtbxh", "2021-01", activities=[{**checkup, "people_served": 90}]),
                       date(2021, 2, 6))])
    joint = collect(data, plan, date(2021, 3, 31))
    rows = _rows(openpyxl.load_workbook(io.BytesIO(render(joint, "xlsx")))["Đóng góp của đơn vị"])
    by_name = {r["Đơn vị"]: r for r in rows}
    assert by_name["Hoạt động phối hợp, tính một lần"]["Số hoạt động"] == -1
    assert by_name["Hoạt động phối hợp, tính một lần"]["Số người được hỗ trợ"] == -90
    total = by_name["Tổng cộng"]
    assert sum(r["Số hoạt động"] for r in rows[:-1]) == total["Số hoạt động"] == joint.meta["headline"]["activities"] == 1
    assert (sum(r["Số người được hỗ trợ"] for r in rows[:-1]) == total["Số người được hỗ trợ"]
            == joint.meta["headline"]["people_served"] == 100)


def test_a_target_line_reads_as_words_not_as_a_date() -> None:
    """"7/2 (350%)" read like a date: the report writes "7 thẻ / chỉ tiêu 2 (350,0%)", with the
    clause as the plan writes it."""
    plan = load_plan(get_settings().plan_file)
    reports = [(make_report("bhxh", "2021-05", resources=[resource("2021-05-10", "the_bhyt", 7, 0, recipient="Học sinh khuyết tật")]),
                date(2021, 6, 5))]
    content = collect(make_data(reports), plan, date(2021, 6, 30))
    html = render(content, "html", "vi").decode("utf-8")
    assert "7 thẻ / chỉ tiêu 2 (350,0%)" in html
    assert "(Mục III.2)" in html and "7/2" not in html
    english = render(content, "html", "en").decode("utf-8")
    assert "7 cards / target 2 (350.0%)" in english
