"""The pre-check and the isolated reader process (ytsupport.ingest.precheck, ytsupport.ingest.worker).

Crafted files that abort calamine, hang, or blow up memory must come back as ``unreadable``
results while this (the server's) process survives, and the worker must serve the next file.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import pandas as pd
import pytest

from ytsupport.ingest import read, worker
from ytsupport.ingest.records import RawWorkbook
from ytsupport.ingest.precheck import OLE2_MAGIC, precheck, xml_head_verdict
from ytsupport.settings import Limits

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "public"
LIMITS = Limits()
MB = 1024 * 1024


# --------------------------------------------------------------------------- targets run in the child
# Module-level so that the spawned child can import them by name.

def stand_in_header(top: list[list[Any]]) -> tuple[int, ...]:
    """Stand-in for locate.find_header_rows: the first row whose first cell is "Name"."""
    return next(((i,) for i, row in enumerate(top) if row and row[0] == "Name"), ())


def read_with_stand_in(path: Path, limits: Limits) -> RawWorkbook:
    """read_workbook with the stand-in header finder; files named slow* sleep, abort* abort, hog* eat memory."""
    if path.name.startswith("slow"):
        time.sleep(60)
    if path.name.startswith("abort"):
        os.abort()
    if path.name.startswith("hog"):  # MemoryError long before 640 GB; it escapes and ends the child
        _ = [bytearray(64 * MB) for _ in range(10_000)]
    original, read.find_header_rows = read.find_header_rows, stand_in_header
    try:
        return read.read_workbook(path, limits)
    finally:  # also called in the test process: leave the real header finder there
        read.find_header_rows = original


# --------------------------------------------------------------------------- file factories

def small_xlsx(path: Path, rows: int = 5) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["Title"])
    book.active.append(["Name", "Amount", "Day"])
    for i in range(rows):
        book.active.append([f"n{i}", i * 1.5, pd.Timestamp(2021, 6, 1 + i % 28).to_pydatetime()])
    book.save(path)
    return path


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '</Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                 '</Relationships>')
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
SHEET_OPEN = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def hand_made_xlsx(path: Path, sheet_xml: str | None = None, sheet_chunks: Iterator[bytes] | None = None) -> Path:
    """A minimal xlsx built with zipfile; the sheet part is ``sheet_xml`` or streamed from ``sheet_chunks``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if sheet_chunks is None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml or "")
        else:
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                for chunk in sheet_chunks:
                    part.write(chunk)
    return path


def far_cell_xlsx(path: Path, with_a1: bool) -> Path:
    """One cell at XFD1048576 (the last cell of a sheet), optionally another at A1."""
    a1 = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' if with_a1 else ""
    ref = "A1:XFD1048576" if with_a1 else "XFD1048576"
    return hand_made_xlsx(path, f'{SHEET_HEAD}{SHEET_OPEN}<dimension ref="{ref}"/><sheetData>{a1}'
                                f'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')


def issue_of(result: RawWorkbook) -> tuple[str, str | None]:
    """The first file-level issue's code and reason."""
    issue = next(i for i in result.issues if i.sheet is None)
    return issue.code, issue.params.get("reason")


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def reader() -> Iterator[worker.ReaderWorker]:
    """One worker reused by the tests of this module (as the server reuses one)."""
    instance = worker.ReaderWorker(target=read_with_stand_in)
    yield instance
    instance.close()


# --------------------------------------------------------------------------- pre-check

def test_precheck_passes_a_normal_workbook(tmp_path: Path) -> None:
    assert precheck(small_xlsx(tmp_path / "ok.xlsx"), LIMITS) == []


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    issues = precheck(tmp_path / "empty.xlsx", LIMITS)
    assert [(i.code, i.params["reason"], i.sheet, i.row) for i in issues] == [("unreadable", "empty", None, None)]


def test_text_renamed_as_xlsx(tmp_path: Path) -> None:
    (tmp_path / "notes.xlsx").write_text("just some notes\n", encoding="utf-8")
    [issue] = precheck(tmp_path / "notes.xlsx", LIMITS)
    assert issue.code == "unsupported_format" and issue.params["detected"] == "text"


def test_unsupported_extension(tmp_path: Path) -> None:
    (tmp_path / "report.xlsb").write_bytes(b"PK\x03\x04rest")
    [issue] = precheck(tmp_path / "report.xlsb", LIMITS)
    assert issue.code == "unsupported_format" and issue.params["extension"] == ".xlsb"


def test_xlsx_renamed_as_xls_and_html_as_xls(tmp_path: Path) -> None:
    small_xlsx(tmp_path / "real.xlsx").rename(tmp_path / "renamed.xls")
    assert precheck(tmp_path / "renamed.xls", LIMITS)[0].params["detected"] == "zip"
    (tmp_path / "export.xls").write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    assert precheck(tmp_path / "export.xls", LIMITS)[0].params["detected"] == "html"


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * (MB // 2))
    [issue] = precheck(path, Limits(max_file_mb=1))
    assert issue.code == "too_large"
    assert issue.params["limit"] == "max_file_mb" and issue.params["limit_mb"] == 1 and issue.params["size_mb"] > 1


def test_encrypted_ooxml_is_an_ole2_file_with_encryption_info(tmp_path: Path) -> None:
    directory_entry = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE2_MAGIC + b"\x00" * 5000 + directory_entry + b"\x00" * 3000)
    [issue] = precheck(path, LIMITS)
    assert issue.code == "encrypted"
    plain_ole2 = tmp_path / "word.xlsx"
    plain_ole2.write_bytes(OLE2_MAGIC + b"\x00" * 8000)
    assert precheck(plain_ole2, LIMITS)[0].code == "unsupported_format"


@pytest.mark.parametrize("name", [
    "ExcelDataReader/src/TestData/agile_AES128_SHA1_CBC_pwd_password.xlsx",
    "ExcelDataReader/src/TestData/standard_AES128_SHA1_ECB_pwd_password.xlsx",
    "calamine/tests/pass_protected.ods",
])
def test_real_encrypted_files(name: str) -> None:
    if not (CORPUS / name).exists():
        pytest.skip("corpus not present")
    assert [i.code for i in precheck(CORPUS / name, LIMITS)] == ["encrypted"]


def test_corrupt_zip(tmp_path: Path) -> None:
    data = small_xlsx(tmp_path / "ok.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    [issue] = precheck(tmp_path / "cut.xlsx", LIMITS)
    assert issue.code == "unreadable" and issue.params["reason"] == "corrupt_zip"


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    """200 MB of spaces compress to ~200 KB: refused before any parser runs."""
    chunks = (b" " * MB for _ in range(200))
    path = hand_made_xlsx(tmp_path / "bomb.xlsx", sheet_chunks=chunks)
    assert path.stat().st_size < 2 * MB
    [issue] = precheck(path, LIMITS)
    assert issue.code == "unreadable" and issue.params["limit"] == "max_compression_ratio"
    assert issue.params["value"] > issue.params["max"] == LIMITS.max_compression_ratio
    result = worker.read_isolated(path, LIMITS)
    assert issue_of(result) == ("unreadable", "limit") and result.sheets == []


def test_unzipped_size_and_member_count_limits(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "ok.xlsx")
    assert precheck(path, Limits(max_unzipped_mb=0.001))[0].params["limit"] == "max_unzipped_mb"
    assert precheck(path, Limits(max_zip_members=3))[0].params["limit"] == "max_zip_members"


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE lolz [<!ENTITY lol "lol">]>',
    '<!ENTITY x SYSTEM "file:///etc/passwd">',
])
def test_dtd_in_sheet_xml_is_refused(tmp_path: Path, declaration: str) -> None:
    sheet = f'{SHEET_HEAD}{declaration}{SHEET_OPEN}<sheetData/></worksheet>'
    [issue] = precheck(hand_made_xlsx(tmp_path / "dtd.xlsx", sheet), LIMITS)
    assert issue.code == "unreadable" and issue.params["reason"] == "dtd"
    assert issue.params["member"] == "xl/worksheets/sheet1.xml"


def test_dtd_hidden_in_utf16_or_after_a_long_prolog() -> None:
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>').encode("utf-16")
    assert xml_head_verdict(utf16, complete=True) == "dtd"
    padded = b'<?xml version="1.0"?><!--' + b" " * 70_000
    assert xml_head_verdict(padded[: 64 * 1024], complete=False) == "long_prolog"
    assert xml_head_verdict(b"<?xml version='1.0'?><worksheet>" + b" " * 70_000, complete=False) is None


# --------------------------------------------------------------------------- the worker

def test_worker_reads_and_returns_the_frame(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "ok.xlsx", rows=2000)
    result = reader.read(path, LIMITS)
    assert result.issues == []
    [sheet] = result.sheets
    assert sheet.header_rows == (1,) and sheet.data_first_row == 3
    local = read_with_stand_in(path, LIMITS).sheets[0].data
    pd.testing.assert_frame_equal(sheet.data, local)


def test_far_single_cell_reads_without_harm(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    """One cell at XFD1048576: calamine's range is that one cell, so it reads (at the right address)."""
    result = reader.read(far_cell_xlsx(tmp_path / "far.xlsx", with_a1=False), LIMITS)
    [sheet] = result.sheets
    assert (sheet.first_row, sheet.first_col, sheet.top) == (1_048_576, 16_383, [[1.0]])


def test_calamine_abort_is_contained(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    """A1 plus XFD1048576 (1.6 KB): calamine allocates the whole 17-billion-cell grid and aborts the
    process. The worker dies, this process survives, the caller gets ``unreadable``, and the next read works."""
    path = far_cell_xlsx(tmp_path / "crash.xlsx", with_a1=True)
    assert path.stat().st_size < 2000
    assert [i.params["limit"] for i in precheck(path, LIMITS)] == ["max_cells"]  # its <dimension>; the reader below is not told
    pid, restarts = reader.pid, reader.restarts
    result = reader.read(path, LIMITS)
    code, reason = issue_of(result)
    assert code == "unreadable" and reason in ("crashed", "out_of_memory")
    assert result.issues[0].params["exitcode"] != 0
    assert reader.restarts == restarts + 1
    again = reader.read(small_xlsx(tmp_path / "next.xlsx"), LIMITS)
    assert again.issues == [] and again.sheets[0].data is not None
    assert reader.pid != pid


def test_abort_in_child_is_crashed(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    result = reader.read(small_xlsx(tmp_path / "abort.xlsx"), LIMITS)
    assert issue_of(result) == ("unreadable", "crashed")
    assert "signal 6" in result.issues[0].params["detail"]


def test_timeout_kills_and_the_next_read_works(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    limits = Limits(worker_timeout_s=1.0)
    started = time.perf_counter()
    result = reader.read(small_xlsx(tmp_path / "slow.xlsx"), limits)
    assert time.perf_counter() - started < 10
    assert issue_of(result) == ("unreadable", "timed_out")
    assert result.issues[0].params["limit"] == "worker_timeout_s"
    again = reader.read(small_xlsx(tmp_path / "quick.xlsx"), limits)
    assert again.issues == [] and len(again.sheets) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_memory_limit_is_out_of_memory(reader: worker.ReaderWorker, tmp_path: Path) -> None:
    limits = Limits(worker_memory_mb=1024)
    result = reader.read(small_xlsx(tmp_path / "hog.xlsx"), limits)
    assert issue_of(result) == ("unreadable", "out_of_memory")
    assert result.issues[0].params["max"] == 1024
    again = reader.read(small_xlsx(tmp_path / "after.xlsx"), LIMITS)
    assert again.issues == []


def test_close_then_read_restarts(tmp_path: Path) -> None:
    instance = worker.ReaderWorker(target=read_with_stand_in)
    try:
        assert instance.read(small_xlsx(tmp_path / "a.xlsx"), LIMITS).issues == []
        instance.close()
        assert instance.pid is None
        assert instance.read(small_xlsx(tmp_path / "b.xlsx"), LIMITS).issues == []
    finally:
        instance.close()


# --------------------------------------------------------------------------- module-level API

def test_read_isolated_runs_precheck_first(tmp_path: Path) -> None:
    (tmp_path / "empty.ods").write_bytes(b"")
    result = worker.read_isolated(tmp_path / "empty.ods")
    assert issue_of(result) == ("unreadable", "empty") and result.file_format == "ods"


def test_read_isolated_from_many_threads(tmp_path: Path) -> None:
    """The Streamlit server calls from several threads: the shared worker serves them one by one."""
    paths = [small_xlsx(tmp_path / f"t{i}.xlsx") for i in range(6)]
    results: list[RawWorkbook] = []

    def call(path: Path) -> None:
        results.append(worker.read_isolated(path, LIMITS))

    threads = [threading.Thread(target=call, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 6
    assert all(r.issues == [] and [s.name for s in r.sheets] == ["Data"] for r in results)
    assert worker.shared_worker() is worker.shared_worker()


def test_read_in_process_matches_isolated(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    local, isolated = worker.read_in_process(path, LIMITS), worker.read_isolated(path, LIMITS)
    assert [s.top for s in local.sheets] == [s.top for s in isolated.sheets] == [[["a", "b"], ["1", "2"]]]


def test_result_pickles_with_out_of_band_buffers() -> None:
    frame = pd.DataFrame({0: range(100_000), 1: [1.5] * 100_000, 2: ["x"] * 100_000})
    book = RawWorkbook("p", "xlsx", sheets=[read.RawSheet(name="s", top=[], data=frame)])

    class Pipe:
        def __init__(self) -> None:
            self.messages: list[Any] = []

        def send(self, obj: Any) -> None:
            self.messages.append(obj)

        def send_bytes(self, data: Any) -> None:
            self.messages.append(bytes(data))

        def recv(self) -> Any:
            return self.messages.pop(0)

        recv_bytes = recv

    pipe = Pipe()
    worker._send(pipe, book)  # type: ignore[arg-type]
    assert pipe.messages[0] >= 2, "numeric columns travel out of band"
    assert len(pipe.messages[1]) < 2 * MB
    back = worker._receive(pipe)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(back.sheets[0].data, frame)


def test_xls_with_filepass_is_encrypted(tmp_path: Path) -> None:
    globals_bof = b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\x00" * 12
    filepass = b"\x2f\x00\x06\x00" + b"\x00" * 6
    (tmp_path / "locked.xls").write_bytes(OLE2_MAGIC + b"\x00" * 1000 + globals_bof + filepass)
    assert [i.code for i in precheck(tmp_path / "locked.xls", LIMITS)] == ["encrypted"]
    (tmp_path / "open.xls").write_bytes(OLE2_MAGIC + b"\x00" * 1000 + globals_bof + b"\xe1\x00\x02\x00")
    assert precheck(tmp_path / "open.xls", LIMITS) == []
    xor = CORPUS / "poi" / "test-data" / "spreadsheet" / "xor-encryption-abc.xls"
    if xor.exists():  # XOR obfuscation: calamine alone reports a codepage error
        assert [i.code for i in precheck(xor, LIMITS)] == ["encrypted"]


def test_csv_names_only_refuse_office_containers(tmp_path: Path) -> None:
    (tmp_path / "u16.csv").write_bytes("\ta,b\n1,2\n".encode("utf-16-le"))
    assert precheck(tmp_path / "u16.csv", LIMITS) == []
    small_xlsx(tmp_path / "x.xlsx").rename(tmp_path / "x.csv")
    assert precheck(tmp_path / "x.csv", LIMITS)[0].params["detected"] == "zip"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    [issue] = precheck(tmp_path / "gone.xlsx", LIMITS)
    assert issue.code == "unreadable" and issue.params["reason"] == "cannot_open"


def test_default_worker_sends_arrow_rows_that_materialise_like_a_local_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "HoatDong"
    book.active.append(["STT", "Ngày thực hiện", "Loại hoạt động", "Số người được hỗ trợ", "Ghi chú"])
    for i in range(500):
        book.active.append([i + 1, pd.Timestamp(2021, 7, 1 + i % 28).to_pydatetime(), "Khám bệnh", i, f"ghi chú {i}"])
    path = tmp_path / "arrow.xlsx"
    book.save(path)
    pool = worker.ReaderPool(1)
    try:
        result = pool.read(path, LIMITS)
    finally:
        pool.close()
    [sheet] = result.sheets
    assert sheet.data is None and sheet.pending is not None and len(sheet.pending) == 500
    local = read.read_workbook(path, LIMITS).sheets[0].data
    pd.testing.assert_frame_equal(sheet.materialise().data, local)
    assert worker.read_isolated(path, LIMITS).sheets[0].data is not None, "read_isolated materialises"
