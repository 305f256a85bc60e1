"""Hostile upload files for the hardening tests, and the helpers that run and measure the app on them.

``CASES``: each :class:`Case` names a file, how to build it in a folder, and what a safe outcome is:
the statuses allowed (``ok`` / ``invalid`` / ``unreadable``) and, when the file must be refused, the
file-level issue expected (its code and its ``reason`` or ``limit``). Builders write with the
standard library only (a hand-made zip writer, zlib, struct): the point is files that no
well-behaved tool writes, among them zip bombs that cost a few milliseconds to build (a deflate
stream of repeated blocks is built once). ``heavy`` marks cases slow to *read*: they run with
``CI=true`` or ``YTSUPPORT_TEST_HEAVY=1``. ``python -m tests.hostile DIR`` writes them all.

Also here: :func:`big_report` (large valid reports, fast), :func:`run_measured` (a command's time
and peak RSS, its reader process included), :class:`PeakSampler` (the peak RSS of live reader
processes) and :func:`fork_cli` (a ``python -m ytsupport`` command forked from the warm test process).
"""
from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    import multiprocessing.process

MB = 1024 * 1024

# --------------------------------------------------------------------------- a hand-made .xlsx

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_OPEN = f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'.encode()
SHEET_CLOSE = b"</worksheet>"


def _content_types(sheets: int, shared_strings: bool) -> bytes:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, sheets + 1))
    if shared_strings:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return XML_DECL + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'{overrides}</Types>').encode()


def _workbook(names: list[str]) -> bytes:
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    return XML_DECL + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'.encode()


def _workbook_rels(sheets: int, shared_strings: bool) -> bytes:
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, sheets + 1))
    if shared_strings:
        rels += f'<Relationship Id="rId{sheets + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    return XML_DECL + f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'.encode()


ROOT_RELS = XML_DECL + (f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
                        f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()


@dataclass(frozen=True)
class Deflated:
    """A zip member's raw deflate stream with the uncompressed size and CRC its headers declare."""

    data: bytes
    size: int
    crc: int


def deflate(content: bytes, level: int = 6) -> Deflated:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(packer.compress(content) + packer.flush(), len(content), zlib.crc32(content))


def repeated(head: bytes, block: bytes, count: int, tail: bytes) -> Deflated:
    """``head + block * count + tail`` deflated without deflating it all: after a full flush the
    compressor starts afresh, so every further copy of ``block`` deflates to the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head + block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return Deflated(first + again * (count - 1) + last, len(head) + len(block) * count + len(tail), crc)


def write_zip(path: Path, members: dict[str, bytes | Deflated]) -> Path:
    """A zip written by hand (deflate, no zip64): members' headers say what ``Deflated`` declares."""
    central, offset = [], 0
    with open(path, "wb") as out:
        for name, content in members.items():
            part = content if isinstance(content, Deflated) else deflate(content)
            encoded = name.encode("utf-8")
            fixed = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, part.crc, len(part.data), part.size)
            out.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(encoded), 0) + encoded + part.data)
            central.append(b"PK\x01\x02" + struct.pack("<H", 20) + fixed
                           + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
            offset += 30 + len(encoded) + len(part.data)
        directory = b"".join(central)
        out.write(directory + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central),
                                                              len(directory), offset, 0))
    return path


def write_xlsx(path: Path, sheets: list[tuple[str, bytes | Deflated]], shared_strings: bytes | Deflated | None = None,
               extra: dict[str, bytes | Deflated] | None = None) -> Path:
    """A minimal .xlsx: ``sheets`` are (name, worksheet XML) pairs; ``extra`` adds or replaces parts."""
    parts: dict[str, bytes | Deflated] = {
        "[Content_Types].xml": _content_types(len(sheets), shared_strings is not None),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": _workbook([name for name, _ in sheets]),
        "xl/_rels/workbook.xml.rels": _workbook_rels(len(sheets), shared_strings is not None),
    }
    for i, (_, xml) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    return write_zip(path, parts)


def sheet_xml(rows: str = "", dimension: str | None = None, before: str = "") -> bytes:
    """A worksheet part: optional ``<dimension ref>``, then ``before``, then ``<sheetData>rows</sheetData>``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return XML_DECL + SHEET_OPEN + f"{dim}{before}<sheetData>{rows}</sheetData>".encode() + SHEET_CLOSE


def inline_row(r: int, values: list[str | float]) -> str:
    """One ``<row>`` of inline-string or number cells from column A."""
    cells = []
    for j, value in enumerate(values):
        ref = f"{column_letters(j)}{r}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, 16383 -> XFD."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------- builders

EMPTY_TAIL = b"<sheetData/>" + SHEET_CLOSE


def zip_bomb_ratio(path: Path) -> Path:
    """300 MB of blanks inside a worksheet, ~300 KB zipped: a compression ratio near 1000:1."""
    bomb = repeated(XML_DECL + SHEET_OPEN, b" " * MB, 300, EMPTY_TAIL)
    return write_xlsx(path, [("Sheet1", bomb)])


def zip_bomb_unzipped(path: Path) -> Path:
    """Two parts of 550 MB each (1.1 GB in all, 1.1 MB zipped): over ``max_unzipped_mb``."""
    bomb = repeated(XML_DECL + SHEET_OPEN, b" " * MB, 550, EMPTY_TAIL)
    return write_xlsx(path, [("S1", bomb), ("S2", bomb)])


def zip_bomb_split(path: Path) -> Path:
    """The cell-count bomb that dodges the ratio check of big parts: 600 sheets of just under 1 MB
    each (62,000 number cells apiece, 37 million in all), the archive 2 MB, ~300:1 overall."""
    row = b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"
    xml = XML_DECL + SHEET_OPEN + b"<sheetData>" + row * 62 + b"</sheetData>" + SHEET_CLOSE
    assert len(xml) < MB
    part = deflate(xml, 9)
    return write_xlsx(path, [(f"S{i}", part) for i in range(600)])


def many_wide_sheets(path: Path, sheets: int = 600) -> Path:
    """The same bomb made dense enough to pass every ratio check (~75:1): 600 sheets of 62 rows x
    1,000 numbers, 37 million cells in an 8 MB file. Each sheet alone is within the limits; only the
    reader's time limit stops the whole (see the README's Security section)."""
    rng = random.Random(11)
    rows = []
    for _ in range(62):
        cells = [f"<c><v>{rng.randrange(10_000)}</v></c>" if j % 25 == 0 else "<c><v>1</v></c>" for j in range(1000)]
        rows.append("<row>" + "".join(cells) + "</row>")
    xml = XML_DECL + SHEET_OPEN + b"<sheetData>" + "".join(rows).encode() + b"</sheetData>" + SHEET_CLOSE
    part = deflate(xml, 6)
    return write_xlsx(path, [(f"S{i}", part) for i in range(sheets)])


def zip_bomb_lying(path: Path) -> Path:
    """A worksheet whose zip headers declare 200 KB (and that CRC) while its deflate stream inflates
    to 400 MB: more than the 64 KB the pre-check reads, so only the parser meets the lie."""
    bomb = repeated(XML_DECL + SHEET_OPEN, b" " * MB, 400, EMPTY_TAIL)
    honest = XML_DECL + SHEET_OPEN + b" " * (200 * 1024 - len(XML_DECL + SHEET_OPEN) - len(EMPTY_TAIL)) + EMPTY_TAIL
    lie = Deflated(bomb.data, len(honest), zlib.crc32(honest))
    return write_xlsx(path, [("Sheet1", lie)])


def declared_cells(path: Path) -> Path:
    """Two real cells, but a ``<dimension ref="A1:AE1048576">``: 32.5 million cells declared."""
    return write_xlsx(path, [("Sheet1", sheet_xml(inline_row(1, ["x", 1]), dimension="A1:AE1048576"))])


def far_cell(path: Path) -> Path:
    """A1 and XFD1048576 with the honest dimension A1:XFD1048576 (17 billion cells declared)."""
    rows = inline_row(1, ["x"]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(path, [("Sheet1", sheet_xml(rows, dimension="A1:XFD1048576"))])


def far_cell_undeclared(path: Path) -> Path:
    """The same two cells without a ``<dimension>``: only the worker's limits stand in the way
    (calamine allocates the whole grid and aborts: docs/architecture.md, "The reader process")."""
    rows = inline_row(1, ["x"]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(path, [("Sheet1", sheet_xml(rows))])


def many_rows(path: Path) -> Path:
    """1,048,576 rows of one number each (46 MB of XML, ~5 MB zipped): over ``max_rows_per_sheet``."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r % 997}</v></c></row>' for r in range(1, 1_048_577))
    return write_xlsx(path, [("Sheet1", deflate(sheet_xml(rows), 1))])


def huge_shared_strings(path: Path) -> Path:
    """A shared-strings table of 1.5 million distinct strings (one referenced), ~12 MB zipped."""
    strings = "".join(f"<si><t>s{i:09x}</t></si>" for i in range(1_500_000))
    sst = XML_DECL + f'<sst xmlns="{MAIN_NS}" count="1500000" uniqueCount="1500000">{strings}</sst>'.encode()
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', dimension="A1")
    return write_xlsx(path, [("Sheet1", sheet)], shared_strings=deflate(sst, 1))


def shared_strings_count_lie(path: Path) -> Path:
    """A shared-strings table that declares four billion strings and holds two."""
    sst = XML_DECL + (f'<sst xmlns="{MAIN_NS}" count="4294967295" uniqueCount="4294967295">'
                      '<si><t>a</t></si><si><t>b</t></si></sst>').encode()
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>1</v></c></row>', dimension="A1")
    return write_xlsx(path, [("Sheet1", sheet)], shared_strings=sst)


BILLION_LAUGHS = (
    '<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n")


def billion_laughs(path: Path) -> Path:
    """Entity expansion in sharedStrings.xml: ``&lol9;`` is 10^9 "lol"s."""
    sst = XML_DECL + BILLION_LAUGHS.encode() + (
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', dimension="A1")
    return write_xlsx(path, [("Sheet1", sheet)], shared_strings=sst)


def xxe(path: Path) -> Path:
    """An external entity to /etc/passwd in sharedStrings.xml (XXE)."""
    sst = XML_DECL + (
        '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>').encode()
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', dimension="A1")
    return write_xlsx(path, [("Sheet1", sheet)], shared_strings=sst)


def xxe_after_long_prolog(path: Path) -> Path:
    """The same external entity, hidden in workbook.xml behind 80 KB of comment."""
    workbook = (XML_DECL + b"<!--" + b" " * 80_000 + b"-->"
                + b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
                  f'<sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode())
    return write_xlsx(path, [("Sheet1", sheet_xml(inline_row(1, ["x"])))], extra={"xl/workbook.xml": workbook})


def xxe_odd_part_name(path: Path) -> Path:
    """The external entity in a worksheet part named ``data.bin``: the workbook's relationship points
    to it, so a check that only looks at ``*.xml`` parts would miss it."""
    rels = XML_DECL + (f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" '
                       'Target="worksheets/data.bin"/></Relationships>').encode()
    sheet = XML_DECL + b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + SHEET_OPEN + (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>') + SHEET_CLOSE
    return write_xlsx(path, [("Sheet1", sheet_xml())],
                      extra={"xl/_rels/workbook.xml.rels": rels, "xl/worksheets/data.bin": sheet})


def deep_nesting(path: Path) -> Path:
    """A worksheet holding 100,000 nested unknown elements (700 KB: under the 1 MB ratio check)."""
    depth = 100_000
    nest = "<x>" * depth + "</x>" * depth
    return write_xlsx(path, [("Sheet1", sheet_xml(inline_row(1, ["x"]), before=nest))])


ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (XML_DECL + b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                b'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="'
                + ODS_MIME + b'"/><manifest:file-entry manifest:full-path="content.xml" '
                b'manifest:media-type="text/xml"/></manifest:manifest>')


def write_ods(path: Path, table: str) -> Path:
    """A minimal .ods whose only sheet is ``table`` (the body of ``<table:table name="Sheet1">``)."""
    content = XML_DECL + (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{table}</table:table>'
        '</office:spreadsheet></office:body></office:document-content>').encode()
    return write_zip(path, {"mimetype": ODS_MIME, "META-INF/manifest.xml": ODS_MANIFEST, "content.xml": content})


def ods_repeat_bomb(path: Path) -> Path:
    """One OpenDocument cell repeated 16,384 times across, its row 1,048,576 times down: 17 billion
    cells from a 1 KB file (ODS has no dimension to check: only the reader meets it)."""
    row = ('<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
           'table:number-columns-repeated="16384" office:value-type="float" office:value="1">'
           '<text:p>1</text:p></table:table-cell></table:table-row>')
    return write_ods(path, row)


def truncated_zip(path: Path) -> Path:
    """The first half of a valid report."""
    from tests.workbooks import activity, write_report_workbook

    full = write_report_workbook(path.with_name("whole.xlsx"), activities=[activity()])
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    full.unlink()
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def csv_named_xlsx(path: Path) -> Path:
    path.write_text("Ngày thực hiện,Loại hoạt động,Số người được hỗ trợ\n05/06/2021,Khám bệnh,10\n", encoding="utf-8")
    return path


def xlsx_named_xls(path: Path) -> Path:
    from tests.workbooks import activity, write_report_workbook

    return write_report_workbook(path.with_suffix(".xlsx"), activities=[activity()]).rename(path)


# --------------------------------------------------------------------------- hostile .xls (OLE2 + BIFF8)

def plain_xls(path: Path, cells: Iterable[tuple[int, int, str]] = ((0, 0, "Ngày thực hiện"),)) -> Path:
    """A small valid .xls (xlwt: one sheet "S", 512-byte sectors, the workbook stream in the FAT)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("S")
    for row, col, value in cells:
        sheet.write(row, col, value)
    book.save(str(path))
    return path


def _ole_fat(data: bytes | bytearray) -> tuple[list[int], list[int]]:
    """(offsets of the FAT's entries, their values) of a compound file whose FAT fits the header's DIFAT."""
    count = struct.unpack_from("<I", data, 44)[0]
    sectors = struct.unpack_from(f"<{count}I", data, 76)
    offsets = [(s + 1) * 512 + 4 * i for s in sectors for i in range(128)]
    return offsets, [struct.unpack_from("<I", data, o)[0] for o in offsets]


def _ole_entry(data: bytes | bytearray, name: str) -> int:
    """The file offset of the directory entry called ``name`` (in the first directory sector)."""
    start = (struct.unpack_from("<I", data, 48)[0] + 1) * 512
    return data.index(name.encode("utf-16-le") + b"\x00\x00", start)


def xls_directory_loop(path: Path) -> Path:
    """The directory's sector chain points back at itself (the 25 KB file that took 2.2 GB)."""
    data = bytearray(plain_xls(path).read_bytes())
    offsets, _ = _ole_fat(data)
    directory = struct.unpack_from("<I", data, 48)[0]
    struct.pack_into("<I", data, offsets[directory], directory)
    path.write_bytes(bytes(data))
    return path


def xls_stream_loop(path: Path) -> Path:
    """The workbook stream claims 4 GB and its last sector chains back to its first."""
    data = bytearray(plain_xls(path, [(r, 0, f"dòng {r}") for r in range(400)]).read_bytes())
    offsets, fat = _ole_fat(data)
    entry = _ole_entry(data, "Workbook")
    sector = first = struct.unpack_from("<I", data, entry + 116)[0]
    while fat[sector] < 0xFFFFFFFA:
        sector = fat[sector]
    struct.pack_into("<I", data, offsets[sector], first)
    struct.pack_into("<I", data, entry + 120, 0xFFFF_FF00)
    path.write_bytes(bytes(data))
    return path


def _xls_dimensions(path: Path, first_row: int, last_row: int, first_col: int, last_col: int) -> Path:
    """A plain .xls whose sheet's DIMENSIONS record declares this range instead (BIFF8: 32-bit rows)."""
    data = bytearray(plain_xls(path).read_bytes())
    at = data.index(b"\x00\x02\x0e\x00")  # record 0x0200, 14 bytes
    struct.pack_into("<IIHH", data, at + 4, first_row, last_row, first_col, last_col)
    path.write_bytes(bytes(data))
    return path


def xls_declared_cells(path: Path) -> Path:
    """A one-cell sheet declaring A1:IV65536: the reader reserves 40 bytes for each declared cell."""
    return _xls_dimensions(path, 0, 65536, 0, 256)


def xls_wrapped_rows(path: Path) -> Path:
    """A first row after the last: the reader's 32-bit subtraction wraps to 4 billion rows."""
    return _xls_dimensions(path, 5, 1, 0, 1)


def xls_far_cell(path: Path) -> Path:
    """A1 and IV65536, honestly declared: a 16.8-million-cell sheet (1.2 GB resident when read)."""
    return plain_xls(path, [(0, 0, "a"), (65535, 255, "z")])


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def png_named_ods(path: Path) -> Path:
    path.write_bytes(PNG_1x1)
    return path


def encrypted_ooxml(path: Path) -> Path:
    """An OLE2 compound file holding EncryptionInfo and EncryptedPackage streams: how Office saves a
    password-protected .xlsx (a real, if minimal, compound file: header, FAT, directory, streams)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"/>')
    package = struct.pack("<Q", 4096) + random.Random(3).randbytes(4096)
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) with ``streams`` in the root storage, each padded
    to at least 4096 bytes so that none lives in the mini stream."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    padded = {n: d + b"\x00" * (max(4096, -(-len(d) // 512) * 512) - len(d)) for n, d in streams.items()}
    fat = [fat_sect, end]  # sector 0: the FAT itself; sector 1: the directory
    starts, sectors = {}, []
    for name, data in padded.items():
        starts[name] = len(fat)
        count = len(data) // 512
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
        sectors.append(data)
    assert len(fat) <= 128
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))
    names = list(streams)
    entries = [_dir_entry("Root Entry", 5, child=1, start=end, size=0)]
    for i, name in enumerate(names):
        entries.append(_dir_entry(name, 2, right=i + 2 if i + 1 < len(names) else free,
                                  start=starts[name], size=len(streams[name])))
    directory = b"".join(entries)
    directory += b"\x00" * (512 - len(directory) % 512) if len(directory) % 512 else b""
    assert len(directory) == 512
    header = struct.pack("<8s16sHHHHHH6sIIIIIIIII", bytes.fromhex("d0cf11e0a1b11ae1"), b"\x00" * 16,
                         0x3E, 3, 0xFFFE, 9, 6, 0, b"\x00" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    return header + fat_sector + directory + b"".join(sectors)


def _dir_entry(name: str, kind: int, *, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF,
               start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, 0xFFFFFFFF, right, child,
                       b"\x00" * 16, 0, 0, 0, start, size)


def mixed_encoding_csv(path: Path) -> Path:
    """A report CSV whose first half is UTF-8 and second half Windows-1258 (two files pasted together)."""
    head = "Ngày thực hiện,Loại hoạt động,Nội dung hoạt động,Số người được hỗ trợ\n"
    rows = [f"{d:02d}/06/2021,Khám bệnh,Khám bệnh miễn phí ở xã Phước Hưng,{10 + d}\n" for d in range(1, 21)]
    path.write_bytes((head + "".join(rows[:10])).encode("utf-8") + cp1258("".join(rows[10:])))
    return path


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # the combining marks Windows-1258 has


def cp1258_form(text: str) -> str:
    """Text as Windows-1258 stores Vietnamese: base letter (â, ơ, ư... precomposed) + combining tone mark."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS)) + tones)
    return "".join(out)


def cp1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it: letters with their vowel marks, tones combining."""
    return cp1258_form(text).encode("cp1258")


def nul_flood_csv(path: Path) -> Path:
    """A CSV header, then 8 MB of NUL bytes, then a row."""
    path.write_bytes("Ngày thực hiện,Loại hoạt động,Số người được hỗ trợ\n".encode() + b"\x00" * (8 * MB)
                     + b"\n05/06/2021,Kham benh,1\n")
    return path


def two_million_rows_csv(path: Path) -> Path:
    """A one-column CSV of 2,000,000 rows (4 MB): over ``max_rows_per_sheet``."""
    path.write_bytes(b"x\n" + b"1\n" * 2_000_000)
    return path


def macro_and_formulas(path: Path, url: str = "http://127.0.0.1:9/x") -> Path:
    """An .xlsm with a VBA project part and formula cells whose cached values are plain text; one
    formula (``WEBSERVICE``/``cmd``) has no cached value at all. Reading must give the cached values
    and run nothing."""
    rows = (f'<row r="1"><c r="A1" t="str"><f>WEBSERVICE("{url}")</f><v>cached</v></c>'
            '<c r="B1"><f>1+1</f><v>2</v></c>'
            "<c r=\"C1\"><f>cmd|' /C calc'!A0</f></c></row>")
    vba = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub Auto_Open()\r\nShell \"calc\"\r\nEnd Sub" * 10}
    return write_xlsx(path, [("Sheet1", sheet_xml(rows, dimension="A1:C1"))], extra=vba)


# --------------------------------------------------------------------------- the catalogue

@dataclass(frozen=True)
class Case:
    """One hostile file: how to build it and what a safe outcome is.

    ``expect``: the statuses allowed. ``issue``: the file-level issue the refusal must carry, as
    (code, reason or limit); None when any clear message will do. ``heavy``: slow to read.
    """

    name: str
    file_name: str
    build: Callable[[Path], Path]
    expect: frozenset[str] = frozenset({"unreadable"})
    issue: tuple[str, str] | None = None
    heavy: bool = False
    note: str = ""


UNREADABLE = frozenset({"unreadable"})
ANY = frozenset({"ok", "invalid", "unreadable"})

CASES: tuple[Case, ...] = (
    Case("zip_bomb_ratio", "bomb_ratio.xlsx", zip_bomb_ratio, issue=("unreadable", "max_compression_ratio")),
    Case("zip_bomb_unzipped", "bomb_unzipped.xlsx", zip_bomb_unzipped, issue=("unreadable", "max_unzipped_mb")),
    Case("zip_bomb_split_cells", "bomb_split.xlsx", zip_bomb_split, issue=("unreadable", "max_compression_ratio")),
    Case("many_wide_sheets", "wide_sheets.xlsx", many_wide_sheets, expect=UNREADABLE, heavy=True,
         note="within every size limit; stopped by the reader's time limit"),
    Case("zip_bomb_lying_size", "bomb_lying.xlsx", zip_bomb_lying, expect=UNREADABLE),
    Case("declared_cells", "declared_cells.xlsx", declared_cells, issue=("too_large", "max_cells")),
    Case("far_cell", "far_cell.xlsx", far_cell, issue=("too_large", "max_cells")),
    Case("far_cell_undeclared", "far_cell_nodim.xlsx", far_cell_undeclared, expect=UNREADABLE),
    Case("many_rows", "many_rows.xlsx", many_rows, issue=("too_large", "max_rows_per_sheet"), heavy=True),
    Case("huge_shared_strings", "huge_sst.xlsx", huge_shared_strings, expect=frozenset({"invalid"}), heavy=True),
    Case("shared_strings_count_lie", "sst_lie.xlsx", shared_strings_count_lie, expect=ANY),
    Case("billion_laughs", "laughs.xlsx", billion_laughs, issue=("unreadable", "dtd")),
    Case("xxe", "xxe.xlsx", xxe, issue=("unreadable", "dtd")),
    Case("xxe_long_prolog", "xxe_prolog.xlsx", xxe_after_long_prolog, issue=("unreadable", "dtd")),
    Case("xxe_odd_part_name", "xxe_bin.xlsx", xxe_odd_part_name, issue=("unreadable", "dtd")),
    Case("ods_repeat_bomb", "repeat.ods", ods_repeat_bomb, expect=UNREADABLE),
    Case("deep_nesting", "deep.xlsx", deep_nesting, expect=frozenset({"invalid", "unreadable"})),
    Case("truncated_zip", "truncated.xlsx", truncated_zip, issue=("unreadable", "corrupt_zip")),
    Case("empty_file", "empty.xlsx", empty_file, issue=("unreadable", "empty")),
    Case("csv_named_xlsx", "csv_named.xlsx", csv_named_xlsx, issue=("unsupported_format", "content")),
    Case("xlsx_named_xls", "xlsx_named.xls", xlsx_named_xls, issue=("unsupported_format", "content")),
    Case("png_named_ods", "picture.ods", png_named_ods, issue=("unsupported_format", "content")),
    Case("encrypted_ooxml", "locked.xlsx", encrypted_ooxml, issue=("encrypted", "")),
    Case("mixed_encoding_csv", "mixed.csv", mixed_encoding_csv, expect=frozenset({"invalid", "unreadable"})),
    Case("nul_flood_csv", "nuls.csv", nul_flood_csv, expect=frozenset({"invalid", "unreadable"})),
    Case("two_million_rows_csv", "rows_2m.csv", two_million_rows_csv, issue=("too_large", "max_rows_per_sheet"),
         heavy=True),
    Case("macro_and_formulas", "macro.xlsm", macro_and_formulas, expect=frozenset({"invalid"})),
    Case("xls_directory_loop", "dir_loop.xls", xls_directory_loop, issue=("unreadable", "corrupt_ole")),
    Case("xls_stream_loop", "stream_loop.xls", xls_stream_loop, issue=("unreadable", "corrupt_ole")),
    Case("xls_declared_cells", "declared_cells.xls", xls_declared_cells, issue=("too_large", "worker_memory_mb")),
    Case("xls_wrapped_rows", "wrapped_rows.xls", xls_wrapped_rows, issue=("too_large", "max_rows_per_sheet")),
    Case("xls_far_cell", "far_cell.xls", xls_far_cell, issue=("too_large", "worker_memory_mb")),
)
BY_NAME = {case.name: case for case in CASES}


def build(case: Case, folder: Path) -> Path:
    """Build ``case``'s file in ``folder`` (created) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    return case.build(folder / case.file_name)


def build_all(folder: Path, cases: Iterable[Case] = CASES) -> dict[str, Path]:
    """Build every case in ``folder``; returns {case name: path}."""
    return {case.name: build(case, folder) for case in cases}


# --------------------------------------------------------------------------- big valid reports

def big_report(path: Path, *, activities: int = 20_000, beneficiaries: int = 10_000, resources: int = 10_000,
               unit: str = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh", month: int = 6, variant: int = 0) -> Path:
    """A valid monthly report with many rows, written fast (inline strings, no openpyxl); ``variant``
    changes one value so that reports of the same size differ (and so does their sha256)."""
    def day(n: int) -> str:
        return f"{1 + n % 28:02d}/{month:02d}/2021"

    info = inline_row(1, ["Đơn vị", unit]) + inline_row(2, ["Tháng báo cáo", f"{month}/2021"])
    sheets = [("ThongTin", sheet_xml(info))]
    if activities:
        rows = [inline_row(1, ["STT", "Ngày thực hiện", "Loại hoạt động", "Nội dung hoạt động", "Địa điểm",
                               "Huyện/Thị xã/Thành phố", "Số người được hỗ trợ", "Kinh phí (đồng)"])]
        rows += [inline_row(n + 1, [n, day(n), "Khám bệnh, phát thuốc", f"Khám bệnh đợt {n}", "Trung tâm BTXH",
                                    "TP Trà Vinh", 10 + n % 90 + (variant if n == 1 else 0), 5_000_000])
                 for n in range(1, activities + 1)]
        sheets.append(("HoatDong", sheet_xml("".join(rows))))
    if beneficiaries:
        rows = [inline_row(1, ["STT", "Mã đối tượng", "Họ và tên", "Năm sinh", "Nhóm đối tượng",
                               "Huyện/Thị xã/Thành phố", "Ngày khảo sát"])]
        rows += [inline_row(n + 1, [n, f"DT{variant}-{n}", f"Người thứ {n}", 1940 + n % 80, "Trẻ em mồ côi",
                                    "Huyện Trà Cú", day(n)]) for n in range(1, beneficiaries + 1)]
        sheets.append(("DoiTuong", sheet_xml("".join(rows))))
    if resources:
        rows = [inline_row(1, ["STT", "Ngày tiếp nhận", "Nhà tài trợ", "Loại hỗ trợ", "Số lượng",
                               "Giá trị quy đổi (đồng)"])]
        rows += [inline_row(n + 1, [n, day(n), f"Công ty {n}", "Thuốc", 1 + n % 50, 1_500_000])
                 for n in range(1, resources + 1)]
        sheets.append(("NguonLuc", sheet_xml("".join(rows))))
    return write_xlsx(path, [(name, deflate(xml, 1)) for name, xml in sheets])


# --------------------------------------------------------------------------- measuring processes

ROOT = Path(__file__).resolve().parent.parent


HEAVY_REASON = "heavy: runs with CI=true or YTSUPPORT_TEST_HEAVY=1"


def heavy_enabled() -> bool:
    """Whether the slow cases run: with ``CI=true`` or ``YTSUPPORT_TEST_HEAVY=1``."""
    return os.environ.get("CI", "").strip().lower() == "true" or os.environ.get("YTSUPPORT_TEST_HEAVY") == "1"


def cli_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a `python -m ytsupport` run in tests: this one without YTSUPPORT_* settings,
    a data folder (secret, default database) under ``folder``, the project importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YTSUPPORT_")}
    env.update(YTSUPPORT_DATA_DIR=str(folder / "data"), YTSUPPORT_SECRET="ytsupport-tests", PYTHONPATH=str(ROOT),
               **extra)
    return env


@dataclass
class Measured:
    """A finished command: exit code, output, wall time, and the peak RSS of it and its children."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float
    timed_out: bool = False


# Runs the command given after the report file and writes the peak RSS of its process tree there:
# started from this small interpreter, the command's peak is its own (a process forked from the big
# test process would start with the test's resident set counted in its peak).
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n")


def run_measured(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120.0,
                 cwd: Path | None = None) -> Measured:
    """Run ``args`` and measure it: wall time, and the peak RSS of the command and of the children
    it waited for (the CLI joins its reader process at exit, so the reader's peak is in it; the
    reader is forked from the CLI, so the figure is an upper bound of the reader's own peak)."""
    with tempfile.TemporaryDirectory(prefix="ytsupport-measure-") as tmp:
        rss_file = Path(tmp) / "rss"
        with open(Path(tmp) / "out", "w+b") as out, open(Path(tmp) / "err", "w+b") as err:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", _RSS_WRAPPER, str(rss_file), *args], stdout=out,
                                    stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
            timed_out = False
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)  # the wrapper's own process group: the command and its reader
                proc.wait()
                timed_out = True
            seconds = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            rss_kb = int(rss_file.read_text() or 0) if rss_file.exists() else 0
            return Measured(proc.returncode, out.read().decode("utf-8", "replace"),
                            err.read().decode("utf-8", "replace"), seconds, rss_kb / 1024, timed_out)


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set (VmHWM) of a live process, in MB; None when it is gone (Linux only)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def reset_peak_rss(pid: int) -> None:
    """Start VmHWM afresh (``echo 5 > /proc/PID/clear_refs``, Linux >= 4.0); silently skipped elsewhere."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


class PeakSampler:
    """Samples the peak RSS of a changing set of processes (``pids()``) every 10 ms while in use.

    A reader that dies is seen up to its last sample: the kernel keeps no peak of a process that
    nobody has waited for yet, and a crash by one huge allocation never becomes resident anyway.
    """

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.01) -> None:
        self._pids, self._interval = pids, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_mb = 0.0

    def __enter__(self) -> "PeakSampler":
        for pid in self._pids():
            reset_peak_rss(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self) -> None:
        for pid in self._pids():
            self.peak_mb = max(self.peak_mb, peak_rss_mb(pid) or 0.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)


def fork_cli(args: list[str], out_dir: Path, name: str,
             reports: dict[str, Any] | None = None) -> "multiprocessing.process.BaseProcess":
    """Start ``python -m ytsupport ARGS`` as a forked child of this (already warm) process.

    The child writes its stdout/stderr to ``out_dir/name.out`` / ``.err`` and exits with the
    command's exit code; it touches ``out_dir/name.began`` when a store transaction starts inserting
    a new version (so a test can tell where a kill landed). It skips the interpreter start and the reader process: files are read
    in the child itself, or, when ``reports`` maps a path to its checked ``Report``, not read at
    all, so the child's time goes to storing. Returns the started ``multiprocessing`` process.
    """
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(
        target=_cli_child, args=(args, out_dir / f"{name}.out", out_dir / f"{name}.err", reports), daemon=False)
    process.start()
    return process


def _cli_child(args: list[str], out: Path, err: Path, reports: dict[str, Any] | None) -> None:
    import traceback

    for fd, target in ((1, out), (2, err)):
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    # pytest's capture replaces sys.stdout/sys.stderr by its own objects: write to the real fds again
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    from ytsupport.ingest import validate
    from ytsupport.ingest import worker
    from ytsupport.store import storing as store_ingest

    worker.read_isolated = worker.read_in_process  # type: ignore[assignment]
    insert_version = store_ingest._insert_version

    def marked_insert_version(*a: Any, **kw: Any) -> int:
        out.with_suffix(".began").touch()
        return insert_version(*a, **kw)

    store_ingest._insert_version = marked_insert_version  # type: ignore[assignment]
    if reports is not None:
        validate.validate_file = lambda path, **_: reports[str(path)]  # type: ignore[assignment]
    code = 99
    try:
        from ytsupport.cli import main

        code = main(args)
    except BaseException:  # noqa: BLE001 - reported through the exit code and stderr
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":  # python -m tests.hostile OUTDIR
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_files")
    for name, built in build_all(out).items():
        print(f"{built.stat().st_size:>12,}  {name:<28} {built}")
