"""A streaming peek at the first rows of an .xlsx/.xlsm sheet, with python-calamine's values.

python-calamine parses a whole sheet before it can give its first rows: at 100k rows that costs
almost a whole bulk read. This module reads only what a peek needs: the sheet list
(``xl/workbook.xml`` and its relationships), the cell styles that make a number a date
(``xl/styles.xml``), the sheet's XML up to the row after the peek window (streamed through zlib
and expat), and the shared strings those rows use (``xl/sharedStrings.xml`` up to the largest
index needed, located by counting ``<si`` tags in C, not by parsing).

The values are exactly those of ``CalamineSheet.to_python``: numbers as floats (dates, times and
durations by the cell's number format, in the 1900 or 1904 system), text with calamine's
trimming and ``_xHHHH_`` escapes, booleans, error cells as "", empty cells as "". What it is not
sure to reproduce raises :class:`Unsupported`, and the caller falls back to python-calamine:
rows out of order, an unknown cell type or child, CDATA, a character reference at the edge of a
text, a date before 1900-01-01 or after 9999, a name with a namespace prefix... The pre-check
has already refused DTDs and entities, so expat expands nothing here.
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator
from xml.etree import ElementTree as ET

CHUNK_BYTES = 64 * 1024
MAX_ROW = 1_048_576
MAX_COL = 16_384
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_REL_IDS = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
            "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")  # transitional, strict
_SHEET_KINDS = {"worksheets": "worksheet", "chartsheets": "chartsheet", "dialogsheets": "dialogsheet"}
_ERROR_CODES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MAYBE_NUMBER = re.compile(r"[0-9]|inf|nan", re.IGNORECASE)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?")
_XML_WHITESPACE = " \t\r\n"
# A whitespace character reference next to a tag: calamine trims the raw text (so keeps it),
# expat hands back the character (so the trimming would drop it).
_WS_CHARREF = rb"&#(?:0*(?:9|10|13|32)|[xX]0*(?:9|[aA]|[dD]|20));"
_EDGE_CHARREF = re.compile(rb">[ \t\r\n]*" + _WS_CHARREF + rb"|" + _WS_CHARREF + rb"[ \t\r\n]*<")
_SI_TAG = re.compile(rb"<si[^ \t\r\n/>]")
_SI_OPEN = re.compile(rb"<si")
_MS_PER_DAY = 86_400_000
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1900_EARLY = dt.datetime(1899, 12, 31)  # serials below 60: before Excel's phantom 1900-02-29
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LAST_SERIAL = 2_958_465  # 9999-12-31 in the 1900 system; later dates do not fit Python's datetime


class Unsupported(Exception):
    """Something the streaming peek does not reproduce exactly: use python-calamine instead."""


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of the workbook: its name, zip member, kind and visibility."""

    name: str
    member: str
    kind: str       # "worksheet", "chartsheet", "dialogsheet"
    visible: bool


@dataclass
class Peek:
    """The kept cells of a sheet's first rows (absolute, 0-based positions).

    ``first_row`` is the first row holding a cell (None for an empty sheet). ``complete`` is
    True when the whole sheet was read: then ``last_row``, ``first_col``, ``last_col`` and
    ``merged`` describe the whole sheet; otherwise only the rows of the window.
    """

    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    first_row: int | None = None
    last_row: int = -1
    first_col: int = MAX_COL
    last_col: int = -1
    complete: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def rows(self, first_col: int, last_col: int, last_row: int, nrows: int) -> list[list[Any]]:
        """The window as python-calamine's ``to_python`` rows of columns ``first_col..last_col``."""
        if self.first_row is None:
            return []
        end = min(self.first_row + nrows, last_row + 1)
        cells = self.cells
        return [[cells.get((r, c), "") for c in range(first_col, last_col + 1)]
                for r in range(self.first_row, end)]


_ERROR = object()  # an error cell: kept in the range, shown as ""


# --------------------------------------------------------------------------- the workbook

class XlsxBook:
    """An .xlsx/.xlsm file opened for peeking (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path)
        try:
            self._members = {info.filename for info in self._zip.infolist()}
            if len({m.lower() for m in self._members}) != len(self._members):
                raise Unsupported("two members whose names differ only by case")
            self.sheets, self.is_1904 = self._read_workbook()
            self._formats = self._read_styles()
            self._strings = _SharedStrings(self._zip, self._member_nocase("xl/sharedStrings.xml"))
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._strings.close()
        self._zip.close()

    def __enter__(self) -> "XlsxBook":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    # ----------------------------------------------------------- parts

    def _member_nocase(self, name: str) -> str | None:
        found = [m for m in self._members if m.lower() == name.lower()]
        if len(found) > 1:
            raise Unsupported(f"several members named {name!r}")
        return found[0] if found else None

    def _unprefixed(self, member: str, start_tag: bytes) -> bool:
        head = self._zip.read(member)[:4096]
        return any(start_tag + end in head for end in (b" ", b">", b"\r", b"\n", b"\t"))

    def _xml(self, member: str) -> ET.Element:
        if member not in self._members:
            raise Unsupported(f"no {member}")
        data = self._zip.read(member)
        if b"<![CDATA[" in data or b"<!DOCTYPE" in data.upper():
            raise Unsupported(f"CDATA or DTD in {member}")
        return ET.fromstring(data)

    def _read_workbook(self) -> tuple[list[SheetEntry], bool]:
        self._xml("[Content_Types].xml")  # calamine reads both: a broken one fails the file there
        package = [rel.get("Target") for rel in self._xml("_rels/.rels") if _local(rel.tag) == "Relationship"
                   and (rel.get("Type") or "").endswith("/officeDocument")]
        if package not in (["xl/workbook.xml"], ["/xl/workbook.xml"]):
            raise Unsupported(f"the package points to {package!r}")
        targets = {rel.get("Id"): rel.get("Target") or ""
                   for rel in self._xml("xl/_rels/workbook.xml.rels") if _local(rel.tag) == "Relationship"}
        root = self._xml("xl/workbook.xml")
        namespace = root.tag.rpartition("}")[0] + "}"
        if _local(root.tag) != "workbook" or not self._unprefixed("xl/workbook.xml", b"<workbook"):
            raise Unsupported("not a workbook in the default namespace")
        is_1904 = False
        sheets: list[SheetEntry] = []
        for elem in root.iter():  # extension elements (x15:workbookPr...) are not calamine's
            if elem.tag == namespace + "workbookPr":
                is_1904 = elem.get("date1904") in ("1", "true")
            elif elem.tag == namespace + "sheet":
                sheets.append(self._sheet_entry(elem, targets))
        if not sheets:
            raise Unsupported("no sheets listed")
        return sheets, is_1904

    def _sheet_entry(self, elem: ET.Element, targets: dict[str | None, str]) -> SheetEntry:
        state = elem.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            raise Unsupported(f"sheet state {state!r}")
        rel_ids = [v for k, v in elem.attrib.items() if k in _REL_IDS]
        if len(rel_ids) != 1 or rel_ids[0] not in targets:
            raise Unsupported("sheet without a relationship")
        target = targets[rel_ids[0]]
        if ".." in target or "\\" in target or "://" in target:
            raise Unsupported(f"sheet target {target!r}")
        member = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
        kind = _SHEET_KINDS.get(member.split("/")[1] if member.count("/") >= 2 else "")
        if kind is None or member not in self._members:
            raise Unsupported(f"sheet part {member!r}")
        return SheetEntry(elem.get("name", ""), member, kind, state == "visible")

    def _read_styles(self) -> list[str]:
        """The number-format kind ("date", "duration" or "") of each cell style (``cellXfs``)."""
        member = self._member_nocase("xl/styles.xml")
        if member is None:
            return []
        root = self._xml(member)
        namespace = root.tag.rpartition("}")[0] + "}"
        custom: dict[str, str] = {}
        formats: list[str] = []
        for elem in root.iter():
            if elem.tag == namespace + "numFmt" and elem.get("formatCode"):
                custom[elem.get("numFmtId", "")] = elem.get("formatCode", "")
            elif elem.tag == namespace + "cellXfs":
                for xf in elem:
                    if xf.tag == namespace + "xf":
                        fmt_id = xf.get("numFmtId")
                        formats.append("" if fmt_id is None else
                                       format_kind(custom[fmt_id]) if fmt_id in custom else builtin_kind(fmt_id))
        return formats

    # ----------------------------------------------------------- sheets

    def peek(self, sheet: SheetEntry, nrows: int) -> Peek:
        """The first ``nrows`` rows of the sheet's range (the whole sheet when it is that short)."""
        reader = _SheetReader(self, nrows)
        carry = b""
        with self._zip.open(sheet.member) as stream:
            for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
                window = carry + chunk
                if b"<![CDATA[" in window or _EDGE_CHARREF.search(window):
                    raise Unsupported("CDATA or a character reference at a text edge")
                carry = chunk[-32:]
                if reader.feed(chunk):
                    return reader.result
        raise Unsupported("the sheet's XML ends early")

    def shared_string(self, index: int) -> str:
        return self._strings.get(index)

    def style_kind(self, style: str | None) -> str:
        if style is None:
            return ""
        index = int(style) if style.isdigit() else 0
        return self._formats[index] if index < len(self._formats) else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# --------------------------------------------------------------------------- one sheet's rows

class _SheetReader:
    """Feeds the sheet's XML to expat and keeps the cells of the window (calamine's rules)."""

    def __init__(self, book: XlsxBook, nrows: int) -> None:
        self.book = book
        self.nrows = nrows
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.result = Peek()
        self.row_index = 0
        self.col_index = 0
        self.last_row_start = -1
        self.in_data = False
        self.data_done = False

    def feed(self, chunk: bytes) -> bool:
        """Parse a chunk; True once the peek is known (window full, or the document's end)."""
        self.parser.feed(chunk)
        for event, elem in self.parser.read_events():
            if self._event(event, elem):
                return True
        return False

    def _event(self, event: str, elem: ET.Element) -> bool:
        name = _local(elem.tag)
        if event == "start":
            if name == "sheetData":
                self.in_data = True
            elif name == "row" and self.in_data:
                return self._row_start(elem)
            return False
        if name == "c" and self.in_data:
            self._cell(elem)
        elif name == "row" and self.in_data:
            self.row_index += 1
            self.col_index = 0
            elem.clear()
        elif name == "sheetData":
            self.in_data, self.data_done = False, True
            self.result.complete = True
        elif name == "mergeCell" and self.data_done:
            ref = elem.get("ref")
            if ref is None:
                raise Unsupported("mergeCell without ref")
            self.result.merged.append(parse_range(ref))
        elif name == "worksheet":
            if not self.data_done:
                raise Unsupported("no sheetData")
            return True
        return False

    def _row_start(self, elem: ET.Element) -> bool:
        ref = elem.get("r")
        if ref is not None:
            if not ref.isdigit() or not 1 <= int(ref) <= MAX_ROW:
                raise Unsupported(f"row number {ref!r}")
            self.row_index = int(ref) - 1
        if self.row_index <= self.last_row_start:
            raise Unsupported("rows out of order")
        self.last_row_start = self.row_index
        first = self.result.first_row
        return first is not None and self.row_index >= first + self.nrows

    def _cell(self, elem: ET.Element) -> None:
        ref = elem.get("r")
        if ref is not None:
            row, col = parse_cell_ref(ref)
            if row != self.row_index:
                raise Unsupported("cell outside its row")
            self.col_index = col
        row, col = self.row_index, self.col_index
        self.col_index += 1
        value = cell_value(self.book, elem)
        elem.clear()
        if value is None:
            return
        peek = self.result
        if peek.first_row is None:
            peek.first_row = row
        peek.cells[(row, col)] = "" if value is _ERROR else value
        peek.last_row = max(peek.last_row, row)
        peek.first_col = min(peek.first_col, col)
        peek.last_col = max(peek.last_col, col)


def parse_cell_ref(ref: str) -> tuple[int, int]:
    """``"C3"`` -> ``(2, 2)`` (0-based row, column); letters in either case."""
    match = _CELL_REF.fullmatch(ref)
    if match is None:
        raise Unsupported(f"cell reference {ref!r}")
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    row = int(match.group(2))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise Unsupported(f"cell reference {ref!r}")
    return row - 1, col - 1


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"C3:E3"`` -> ``(2, 2, 2, 4)``; a single cell is a range of one."""
    first, _, last = ref.partition(":")
    (r0, c0), (r1, c1) = parse_cell_ref(first), parse_cell_ref(last or first)
    return r0, c0, r1, c1


# --------------------------------------------------------------------------- cell values

def cell_value(book: XlsxBook, cell: ET.Element) -> Any:
    """The python-calamine value of a ``<c>`` element; None for a cell calamine does not keep."""
    kind = cell.get("t")
    value: Any = None
    for child in cell:
        name = _local(child.tag)
        if name == "is":
            value = inline_text(child)
        elif name == "v":
            value = _v_value(book, child.text or "", kind, cell.get("s"))
        elif name == "f":
            value = None
        else:
            raise Unsupported(f"cell child {name!r}")
    return value


def _v_value(book: XlsxBook, text: str, kind: str | None, style: str | None) -> Any:
    if kind == "inlineStr":
        return None
    if kind in (None, "n", "s", "b", "e") and text == "":
        return None
    if kind == "s":
        if not text.isdigit():
            raise Unsupported(f"shared string index {text!r}")
        return book.shared_string(int(text))
    if kind == "b":
        return text != "0"
    if kind == "e":
        if text not in _ERROR_CODES:
            raise Unsupported(f"error value {text!r}")
        return _ERROR
    if kind == "str":
        return unescape(text)
    if kind == "d":
        return iso_value(text)
    if kind not in (None, "n"):
        raise Unsupported(f"cell type {kind!r}")
    if _NUMBER.fullmatch(text):
        return number_value(float(text), book.style_kind(style), book.is_1904)
    if kind is None and not _MAYBE_NUMBER.search(text):
        return text
    raise Unsupported(f"number {text!r}")


def unescape(text: str) -> str:
    """Replace ``_xHHHH_`` escapes (how OOXML writes control characters) by their character."""
    if "_x" not in text:
        return text

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        if 0xD800 <= code <= 0xDFFF:
            raise Unsupported("escaped surrogate")
        return chr(code)

    return _ESCAPE.sub(char, text)


def _t_text(elem: ET.Element) -> str:
    text = elem.text or ""
    if elem.get(_XML_SPACE) != "preserve":
        text = text.strip(_XML_WHITESPACE)
    return unescape(text)


def inline_text(elem: ET.Element) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>`` and rich-text runs, phonetic runs left out."""
    parts: list[str] = []
    for child in elem:
        name = _local(child.tag)
        if name == "t":
            parts.append(_t_text(child))
        elif name == "r":
            parts.extend(_t_text(t) for t in child if _local(t.tag) == "t")
        elif name not in ("rPh", "phoneticPr"):
            raise Unsupported(f"string child {name!r}")
    return "".join(parts)


def iso_value(text: str) -> Any:
    """A ``t="d"`` cell: ``YYYY-MM-DD`` as a date, ``YYYY-MM-DDTHH:MM:SS[.f]`` as a datetime."""
    try:
        if m := _ISO_DATE.fullmatch(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_DATETIME.fullmatch(text):
            micro = int((m[7] or "0").ljust(6, "0"))
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]), micro)
    except ValueError:
        pass
    raise Unsupported(f"ISO date {text!r}")


def _round_half_away(x: float) -> int:
    """Rust's ``f64::round``: halves away from zero (Python's round() goes to even)."""
    whole = math.floor(abs(x))
    rounded = whole + 1 if abs(x) - whole >= 0.5 else whole
    return int(rounded if x >= 0 else -rounded)


def number_value(value: float, kind: str, is_1904: bool) -> Any:
    """A number as python-calamine shows it: float, or by the format a date, time, datetime or timedelta."""
    if not kind:
        return value
    if not math.isfinite(value):
        raise Unsupported("a date format on a non-finite number")
    millis = _round_half_away(value * _MS_PER_DAY)
    if kind == "duration":
        return dt.timedelta(milliseconds=millis)
    if 0 <= value < 1:
        if millis >= _MS_PER_DAY:
            raise Unsupported("a time of 24:00")
        return (dt.datetime.min + dt.timedelta(milliseconds=millis)).time()
    if value < 0 or value > _LAST_SERIAL:
        raise Unsupported(f"date serial {value!r}")
    epoch = _EPOCH_1904 if is_1904 else _EPOCH_1900_EARLY if value < 60 else _EPOCH_1900
    stamp = epoch + dt.timedelta(milliseconds=millis)
    return stamp.date() if value == math.floor(value) else stamp


def builtin_kind(fmt_id: str) -> str:
    """The kind of a built-in number format id (as text, the way calamine compares it)."""
    if fmt_id in ("14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"):
        return "date"
    return "duration" if fmt_id == "46" else ""


def format_kind(code: str) -> str:
    """"date", "duration" or "" for a custom number format (calamine's reading of it).

    A date or time token (d, m, y, h, s, AM/PM) outside quotes, escapes and brackets makes a
    date; ``[h]``, ``[mm]``, ``[ss]`` make a duration; only the first section counts.
    """
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif is_quote:
            if ch == '"':
                is_quote = False
        elif ch == '"':
            is_quote = True
        elif ch == ";":
            return ""
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and hms:
            return "duration"
        elif ch == "]":
            brackets = max(0, brackets - 1)
        elif ch in "aA" and not ap and brackets == 0:
            ap = True
        elif ch in "pmPM/" and ap and brackets == 0:
            return "date"
        elif ch in "dmhysDMHYS" and not ap and brackets == 0:
            return "date"
        elif not (hms and ch.lower() == prev.lower()):
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return ""


# --------------------------------------------------------------------------- shared strings

class _SharedStrings:
    """``sharedStrings.xml`` read only as far as the largest index asked for.

    The inflated bytes are kept in regions of one read each; ``<si`` tags are counted per region
    in C, so finding string ``i`` lists the tag offsets of one region only, and only the strings
    asked for are parsed.
    """

    def __init__(self, archive: zipfile.ZipFile, member: str | None) -> None:
        self._stream = archive.open(member) if member is not None else None
        self._data = bytearray()
        self._scanned = 0                                  # where the next region's count starts
        self._count = 0                                    # tags counted so far
        self._regions: list[tuple[int, int, int]] = []     # (start, end, tags before it)
        self._offsets: dict[int, list[int]] = {}           # region -> offsets of its tags
        self._cache: dict[int, str] = {}

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def get(self, index: int) -> str:
        if index not in self._cache:
            self._cache[index] = self._parse(index)
        return self._cache[index]

    def _more(self) -> bool:
        chunk = self._stream.read(4 * CHUNK_BYTES) if self._stream is not None else b""
        if not chunk:
            return False
        if not self._data and b"<sst" not in chunk[:4096]:
            raise Unsupported("sharedStrings.xml without a plain <sst> root")
        self._data += chunk
        start, end = self._scanned, len(self._data)
        if b"<![CDATA[" in self._data[max(0, start - 16):] or b"<!--" in self._data[max(0, start - 8):]:
            raise Unsupported("CDATA or comments in sharedStrings.xml")
        if _SI_TAG.search(self._data, max(0, start - 3), end):
            raise Unsupported("an element named like <si...>")
        self._regions.append((start, end, self._count))
        self._count += self._data.count(b"<si", start, end)  # tags wholly inside [start, end)
        self._scanned = max(start, end - 2)                  # a tag cut at the end: next region
        return True

    def _offset(self, index: int) -> int:
        while self._count <= index:
            if not self._more():
                raise Unsupported(f"shared string {index} not found")
        region = bisect.bisect_right([before for _, _, before in self._regions], index) - 1
        offsets = self._offsets.get(region)
        if offsets is None:
            start, end, _ = self._regions[region]
            offsets = self._offsets[region] = [m.start() for m in _SI_OPEN.finditer(self._data, start, end)]
        return offsets[index - self._regions[region][2]]

    def _parse(self, index: int) -> str:
        start = self._offset(index)
        end = self._data.find(b">", start)
        while end < 0 and self._more():
            end = self._data.find(b">", start)
        if end < 0:
            raise Unsupported("truncated sharedStrings.xml")
        if self._data[end - 1:end] == b"/":
            return ""
        close = self._data.find(b"</si>", end)
        while close < 0 and self._more():
            close = self._data.find(b"</si>", end)
        if close < 0:
            raise Unsupported("truncated sharedStrings.xml")
        fragment = bytes(self._data[start:close + 5])
        if _EDGE_CHARREF.search(fragment):
            raise Unsupported("a character reference at a text edge")
        try:
            return inline_text(ET.fromstring(fragment))
        except ET.ParseError as exc:
            raise Unsupported(f"shared string {index}: {exc}") from exc


# --------------------------------------------------------------------------- merged cells

def scan_part(path: str, member: str, needle: bytes) -> tuple[bool, bytes | None]:
    """One inflate of a sheet's part (in C, without parsing): whether ``needle`` occurs in it, and
    its XML after ``</sheetData>`` (None when there is no such tag; see :func:`merged_in_tail`)."""
    marker = b"</sheetData>"
    keep = max(len(marker), len(needle))
    found = False
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        carry = b""
        for chunk in iter(lambda: stream.read(16 * CHUNK_BYTES), b""):
            window = carry + chunk
            found = found or needle in window
            at = window.find(marker)
            if at >= 0:
                tail = window[at + len(marker):] + stream.read()
                return found or needle in tail, tail
            carry = window[-keep:]
    return found, None


_MERGE_CELL = re.compile(rb"<([A-Za-z0-9_]+:)?mergeCell\b([^>]*)>")
_REF_ATTR = re.compile(rb"""\bref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def merged_in_tail(tail: bytes) -> list[tuple[int, int, int, int]]:
    """The ``<mergeCell ref>`` ranges found after the sheet's cells, in file order."""
    if b"<![CDATA[" in tail or b"<!--" in tail:
        raise Unsupported("CDATA or comments after the cells")
    ranges = []
    for match in _MERGE_CELL.finditer(tail):
        if match.group(1):
            raise Unsupported("prefixed mergeCell")
        ref = _REF_ATTR.search(match.group(2))
        if ref is None:
            raise Unsupported("mergeCell without ref")
        ranges.append(parse_range((ref.group(1) or ref.group(2) or b"").decode("ascii", "replace")))
    return ranges


def iter_worksheets(book: XlsxBook) -> Iterator[SheetEntry]:
    """The worksheets, in workbook order (chart and dialog sheets hold no cells)."""
    return (s for s in book.sheets if s.kind == "worksheet")
