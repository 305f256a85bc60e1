"""The streaming peek of .xlsx sheets (ytsupport.ingest.peek) gives python-calamine's exact results.

The fast path (:func:`read.read_xlsx_streamed`) is compared with the exact path
(:func:`read.read_excel_calamine`) on the sample year, on workbooks written for the tricky
cases (merged cells, a sheet starting at C3, inline strings, rich text, dates and times in both
date systems, long sheets), and on hand-written XML; where it cannot promise the same result it
must refuse (``Unsupported``), never differ.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import python_calamine as calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from ytsupport.ingest import read
from ytsupport.ingest.records import RawWorkbook
from ytsupport.ingest.peek import Unsupported, XlsxBook, format_kind, number_value
from ytsupport.ingest.rows import fold_fast, fold_texts
from ytsupport.settings import SAMPLE_DIR, Limits
from ytsupport.text import fold

LIMITS = Limits()


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def assert_same_workbook(old: RawWorkbook, new: RawWorkbook) -> None:
    assert [(i.sheet, i.code, i.params) for i in old.issues] == [(i.sheet, i.code, i.params) for i in new.issues]
    assert [s.name for s in old.sheets] == [s.name for s in new.sheets]
    for a, b in zip(old.sheets, new.sheets):
        for attr in ("first_row", "first_col", "merged", "header_rows", "data_first_row", "visible"):
            assert getattr(a, attr) == getattr(b, attr), (a.name, attr)
        assert len(a.top) == len(b.top), a.name
        for i, (ra, rb) in enumerate(zip(a.top, b.top)):
            assert len(ra) == len(rb) and all(same_value(x, y) for x, y in zip(ra, rb)), (a.name, i, ra, rb)
        if a.data is None:
            assert b.data is None
        else:
            pd.testing.assert_frame_equal(a.data, b.data)


def both_paths(path: Path) -> tuple[RawWorkbook, RawWorkbook]:
    """The exact path's result and the fast path's (which must not refuse this file)."""
    old = read.read_excel_calamine(path, read.file_format(path), LIMITS)
    with XlsxBook(str(path)) as book:
        new = read.read_xlsx_streamed(path, read.file_format(path), book, LIMITS)
    return old, new


def calamine_top(path: Path, sheet: str, nrows: int = read.PEEK_ROWS) -> tuple[list[list[Any]], Any]:
    book = calamine.CalamineWorkbook.from_path(str(path))
    cal = book.get_sheet_by_name(sheet)
    return [list(r) for r in cal.to_python(skip_empty_area=True, nrows=nrows)], cal.start


# --------------------------------------------------------------------------- the sample year

SAMPLES = sorted(p for p in list(SAMPLE_DIR.glob("*.xlsx")) + list(SAMPLE_DIR.glob("*/*.xlsx"))
                 if "encrypted" not in p.name and "truncated" not in p.name)


@pytest.mark.parametrize("path", SAMPLES[:: max(1, len(SAMPLES) // 40)], ids=lambda p: p.name)
def test_sample_workbooks_read_the_same_on_both_paths(path: Path) -> None:
    assert_same_workbook(*both_paths(path))


# --------------------------------------------------------------------------- tricky workbooks

def test_merged_cells_start_at_c3_and_long_sheet(tmp_path: Path) -> None:
    """Title merged across C3:F3, header on row 5, 400 data rows (longer than the peek window),
    a cell far to the right and one further left below the window: the range comes from the bulk read."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "HoatDong"
    ws["C3"] = "BÁO CÁO THÁNG 6/2021"
    ws.merge_cells("C3:F3")
    for j, head in enumerate(["STT", "Ngày thực hiện", "Loại hoạt động", "Số người được hỗ trợ"]):
        ws.cell(5, 3 + j, head)
    for i in range(400):
        ws.append([None, None, i + 1, dt.datetime(2021, 6, 1 + i % 28), "Khám bệnh", 10 + i])
    ws["K300"] = "ghi chú xa"
    ws["B350"] = "bên trái"
    ws.merge_cells("C410:D410")
    path = tmp_path / "long.xlsx"
    book.save(path)
    old, new = both_paths(path)
    assert_same_workbook(old, new)
    sheet = new.sheets[0]
    assert (sheet.first_row, sheet.first_col) == (3, 1) and len(sheet.top) == read.PEEK_ROWS
    assert sheet.merged == [(2, 2, 2, 5), (409, 2, 409, 3)] and len(sheet.top[0]) == 10


def test_true_false_below_the_peek_window_and_merged_cells_of_a_long_sheet(tmp_path: Path) -> None:
    """A long sheet's part is inflated once for its TRUE/FALSE cells and its merged ranges: a
    TRUE far below the peek window in a column of 0s and 1s still comes back as "TRUE" (not 1),
    and the merged range after the cells is still found, on both paths alike."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "HoatDong"
    ws.append(["STT", "Ngày thực hiện", "Số người được hỗ trợ", "Đã báo cáo"])
    for i in range(300):
        ws.append([i + 1, dt.datetime(2021, 6, 1 + i % 28), 10 + i, i % 2])
    ws["D250"] = True
    ws.merge_cells("A303:B303")
    path = tmp_path / "long_true.xlsx"
    book.save(path)
    old, new = both_paths(path)
    assert_same_workbook(old, new)
    sheet = new.sheets[0].materialise()
    assert sheet.data[3].iloc[250 - sheet.data_first_row] == "TRUE"
    assert sheet.data[3].iloc[0] == 0
    assert sheet.merged == [(302, 0, 302, 1)]


def test_legacy_text_below_the_peek_window_is_converted_in_every_sheet(tmp_path: Path) -> None:
    """The sheets' legacy-text searches run side by side on the reader's threads: a TCVN3 cell far
    below the peek window is converted in each sheet, text and numbers columns alike, as on the exact path."""
    from tests.legacy_text import to_tcvn3

    book = openpyxl.Workbook()
    for k, title in enumerate(("HoatDong", "DoiTuong")):
        ws = book.active if k == 0 else book.create_sheet()
        ws.title = title
        ws.append(["STT", "Ngày thực hiện", "Loại hoạt động", "Số người được hỗ trợ"])
        for i in range(200):
            ws.append([i + 1, dt.datetime(2021, 6, 1 + i % 28), "Thăm hỏi, tặng quà", 10 + i])
        ws.cell(150 + k, 3, to_tcvn3("Khám bệnh, phát thuốc"))
        ws.cell(160 + k, 4, to_tcvn3("hai mươi người"))
    path = tmp_path / "legacy.xlsx"
    book.save(path)
    old, new = both_paths(path)
    assert_same_workbook(old, new)
    for k, sheet in enumerate(new.sheets):
        assert sheet.legacy is not None and sheet.legacy.converted == 2, sheet.name
        sheet.materialise()
        assert sheet.data[2].iloc[150 + k - sheet.data_first_row] == "Khám bệnh, phát thuốc"
        assert sheet.data[3].iloc[160 + k - sheet.data_first_row] == "hai mươi người"


def test_inline_strings_rich_text_and_dates(tmp_path: Path) -> None:
    """xlsxwriter in constant-memory mode writes inline strings; rich text; date, time, datetime."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "inline.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("Data")
    bold = book.add_format({"bold": True})
    fmts = {f: book.add_format({"num_format": f}) for f in ("dd/mm/yyyy", "hh:mm", "dd/mm/yyyy hh:mm:ss",
                                                            "[h]:mm", '"ngày" 0', "0.00%")}
    ws.write_row(0, 0, ["Name", "  padded  ", "Ngày"])
    ws.write_rich_string(1, 0, "Thạch ", bold, "Thị", " Sa Rết")
    ws.write_datetime(1, 1, dt.datetime(2021, 6, 5), fmts["dd/mm/yyyy"])
    ws.write_datetime(1, 2, dt.datetime(1900, 1, 1, 10, 30), fmts["hh:mm"])
    ws.write_datetime(1, 3, dt.datetime(2021, 6, 5, 10, 30, 15), fmts["dd/mm/yyyy hh:mm:ss"])
    ws.write_number(1, 4, 1.75, fmts["[h]:mm"])
    ws.write_number(1, 5, 44357, fmts['"ngày" 0'])
    ws.write_number(1, 6, 0.5, fmts["0.00%"])
    ws.write_boolean(1, 7, True)
    ws.write_formula(1, 8, "=1+1", None, 2)
    ws.write_string(2, 0, "line\nbreak")
    book.close()
    assert_same_workbook(*both_paths(path))
    with XlsxBook(str(path)) as book_:
        peek = book_.peek(book_.sheets[0], read.PEEK_ROWS)
    top, start = calamine_top(path, "Data")
    assert peek.rows(peek.first_col, peek.last_col, peek.last_row, read.PEEK_ROWS) == top
    assert (peek.first_row, peek.first_col) == start


def test_1904_date_system(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = book.active
    ws["A1"], ws["B1"] = dt.datetime(2021, 6, 5), dt.datetime(2021, 6, 5, 12, 0)
    ws["C1"] = 3.0
    path = tmp_path / "mac.xlsx"
    book.save(path)
    assert_same_workbook(*both_paths(path))
    with XlsxBook(str(path)) as book_:
        assert book_.is_1904
        peek = book_.peek(book_.sheets[0], 5)
    assert peek.rows(0, 2, 0, 5) == calamine_top(path, "Sheet")[0]


# --------------------------------------------------------------------------- hand-written XML

CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
ROOT_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr {pr}/>'
      '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
           'Target="worksheets/sheet1.xml"/></Relationships>')
STYLES = ('<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/>'
          '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
          '<xf numFmtId="22"/></cellXfs></styleSheet>')
SST = ('<si><t>plain</t></si><si><r><t>rich</t></r><r><t xml:space="preserve"> run</t></r></si>'
       '<si><t>ph</t><rPh sb="0" eb="1"><t>PHON</t></rPh></si><si/><si><t>a_x000D_b</t></si><si><t>  trimmed  </t></si>'
       '<si><t xml:space="preserve">  kept  </t></si><si><t>&#272;&#417;n v&#7883;</t></si>')


def xml_workbook(path: Path, rows: str, pr: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WB.format(pr=pr))
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                                           f'spreadsheetml/2006/main">{SST}</sst>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxml'
                                               f'formats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>'
                                               '<mergeCells count="1"><mergeCell ref="B2:C2"/></mergeCells></worksheet>')
    return path


def shared(i: int, ref: str) -> str:
    return f'<c r="{ref}" t="s"><v>{i}</v></c>'


XML_CASES = {
    "shared strings": '<row r="2">' + "".join(shared(i, f"{chr(66 + i)}2") for i in range(8)) + "</row>",
    "kept and dropped cells": ('<row r="3"><c r="C3"/><c r="D3" t="s"><v>3</v></c><c r="E3"><v></v></c>'
                               '<c r="F3" t="str"><v/></c><c r="G3" t="inlineStr"><is><t> x </t></is></c>'
                               '<c r="H3" t="e"><v>#N/A</v></c><c r="I3"><f>1+1</f></c></row>'),
    "numbers, booleans, text": ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2.5E3</v></c><c r="C1" t="b">'
                                '<v>0</v></c><c r="D1" t="b"><v>1</v></c><c r="E1" t="str"><v> z &amp; _x0041_</v></c>'
                                '<c r="F1"><v>abc</v></c></row>'),
    "dates": ('<row r="1"><c r="A1" s="1"><v>44357</v></c><c r="B1" s="2"><v>44357.25</v></c><c r="C1" s="3">'
              '<v>1.5</v></c><c r="D1" s="4"><v>0.75</v></c><c r="E1" s="99"><v>7</v></c><c r="F1" s="1"><v>59</v>'
              '</c><c r="G1" s="1"><v>61</v></c><c r="H1" t="d"><v>2021-06-05</v></c>'
              '<c r="I1" t="d"><v>2021-06-05T10:30:00</v></c></row>'),
    "rows and cells without r": '<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="s"><v>0</v></c></row>',
}


@pytest.mark.parametrize("case", sorted(XML_CASES))
@pytest.mark.parametrize("pr", ["", 'date1904="1"'])
def test_hand_written_xml_peeks_like_calamine(tmp_path: Path, case: str, pr: str) -> None:
    path = xml_workbook(tmp_path / "x.xlsx", XML_CASES[case], pr)
    top, start = calamine_top(path, "S")
    with XlsxBook(str(path)) as book:
        peek = book.peek(book.sheets[0], read.PEEK_ROWS)
    assert peek.complete and (peek.first_row, peek.first_col) == start
    got = peek.rows(peek.first_col, peek.last_col, peek.last_row, read.PEEK_ROWS)
    assert len(got) == len(top) and all(all(same_value(a, b) for a, b in zip(r, s)) for r, s in zip(got, top))
    assert peek.merged == [(1, 1, 1, 2)]
    assert_same_workbook(*both_paths(path))


@pytest.mark.parametrize("rows", [
    '<row r="5"><c r="A5"><v>5</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>',  # rows out of order
    '<row r="1"><c r="A1" t="zz"><v>1</v></c></row>',                                 # unknown type
    '<row r="1"><c r="A1"><v>1</v><extLst/></c></row>',                               # unknown child
    '<row r="1"><c r="A1" t="e"><v>#SPILL!</v></c></row>',                            # error calamine refuses
    '<row r="1"><c r="A1" s="1"><v>-3</v></c></row>',                                 # a negative date
    '<row r="1"><c r="A1" t="inlineStr"><is><t>&#32;edge</t></is></c></row>',         # char ref at an edge
])
def test_what_the_peek_cannot_promise_is_refused(tmp_path: Path, rows: str) -> None:
    path = xml_workbook(tmp_path / "odd.xlsx", rows)
    with pytest.raises(Unsupported), XlsxBook(str(path)) as book:
        book.peek(book.sheets[0], read.PEEK_ROWS)
    assert read.read_workbook(path, LIMITS).file_format == "xlsx"  # falls back, never raises


def test_a_workbook_the_fast_path_refuses_reads_the_exact_way(tmp_path: Path) -> None:
    path = xml_workbook(tmp_path / "odd.xlsx", '<row r="1"><c r="A1" s="1"><v>-3</v></c></row>')
    assert_same_workbook(read.read_excel_calamine(path, "xlsx", LIMITS), read.read_workbook(path, LIMITS))


# --------------------------------------------------------------------------- units

@pytest.mark.parametrize("code, kind", [
    ("dd/mm/yyyy", "date"), ("DD/MM/YY", "date"), ("H:MM:SS;@", "date"), ("[h]:mm:ss", "duration"),
    ("[mm]", "duration"), ('"ngày" 0', ""), ("[Red]0.00", ""), ("#,##0\\ [$\\u20bd-46D]", ""), ("0.00E+00", ""),
    ('"$"#,##0_);[Red]("$"#,##0)', ""), ("ha/p\\\\m", "date"), ("\\Y000000", ""), ("[>=100][Magenta].00", ""),
])
def test_number_format_kinds(code: str, kind: str) -> None:
    assert format_kind(code) == kind


def test_random_date_serials_match_calamine(tmp_path: Path) -> None:
    rng = random.Random(7)
    serials = [rng.uniform(61, 80_000) for _ in range(150)] + [rng.uniform(1, 60) for _ in range(20)] + \
              [rng.random() for _ in range(20)] + [float(rng.randint(61, 80_000)) for _ in range(20)]
    rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" s="{1 + i % 4}"><v>{v!r}</v></c></row>'
                   for i, v in enumerate(serials))
    for pr in ("", 'date1904="1"'):
        path = xml_workbook(tmp_path / f"serials{len(pr)}.xlsx", rows, pr)
        top, _ = calamine_top(path, "S", nrows=len(serials))
        with XlsxBook(str(path)) as book:
            peek = book.peek(book.sheets[0], len(serials))
        got = peek.rows(0, 0, peek.last_row, len(serials))
        assert [r[0] for r in got] == [r[0] for r in top]


def test_number_value_keeps_plain_numbers() -> None:
    assert number_value(3.5, "", False) == 3.5
    assert number_value(0.5, "date", False) == dt.time(12, 0)
    assert number_value(1.5, "duration", False) == dt.timedelta(days=1, hours=12)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_fast_fold_is_fold(text: str) -> None:
    assert fold_fast(text) == fold(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="aAzZ09 _-.,/\tĐđăẠệ()", max_size=20), max_size=20))
def test_fold_texts_is_fold(texts: list[str]) -> None:
    assert fold_texts(texts) == [fold(t) for t in texts]
