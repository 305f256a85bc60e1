"""What reading a legacy .xls workbook will cost, predicted from its structure before any parser runs.

An .xls file is an OLE2 compound file (sectors chained by a FAT) holding a BIFF record stream.
The reader (calamine) trusts both layers: it follows sector chains until their end marker, so a
chain that loops back on itself grows a buffer without end (a 25 KB file took 2.2 GB), and it
reserves memory for every cell a sheet's DIMENSIONS record declares before reading any. This
module walks the same structures with the standard library, over the file's bytes only (the
file is already within ``max_file_mb``), and says when the read would go beyond the limits:

* a sector chain that would make the reader hold more bytes than the whole file: ``unreadable``
  (``reason`` ``corrupt_ole``), which only a loop or a lying stream size can do;
* a sheet declaring more than ``max_cells`` cells, or more than ``max_rows_per_sheet`` rows:
  ``too_large``;
* a predicted reader memory (:func:`predicted_mb`) above ``worker_memory_mb``: ``too_large``.

What passes still goes to the limited reader process: a DIMENSIONS record that understates the
cells, or a string table that understates its count, is caught there by the memory limit.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import Limits
from .records import Issue

MB = 1024 * 1024
HEADER_BYTES = 512
ENDOFCHAIN = 0xFFFF_FFFE
RESERVED_IDS = 0xFFFF_FFFA  # ids at or above this mark the end of a chain, not a sector
DIFSECT = 0xFFFF_FFFC
DIRECTORY_ENTRY_BYTES = 128
MINI_SECTOR_BYTES = 64
MINI_STREAM_CUTOFF = 4096
# calamine looks for the BIFF stream under these names, in this order.
WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")

BOF, EOF, FILEPASS, BOUNDSHEET, SST, DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x00FC, 0x0200

# The reader's memory, measured with calamine 0.36 (python-calamine and fastexcel, as in the
# worker): a warm reader process holds about 420 MB of address space; each cell of a sheet's
# declared range costs 40 bytes reserved while the sheet is parsed (one sheet at a time) and about
# 72 bytes once the workbook is open (every sheet at once: calamine's range, then the rows read
# from it); each shared string at least 32 bytes. A sheet declaring A1:IV65536 (16.8 million
# cells) peaked at 1.2 GB resident.
READER_BASE_MB = 420
RESERVE_BYTES_PER_CELL = 40
RANGE_BYTES_PER_CELL = 72
BYTES_PER_STRING = 32


class CorruptOle(Exception):
    """The compound file would make the reader hold more than the file (the message says where)."""


@dataclass
class XlsShape:
    """What the workbook declares: each sheet's (stream position, rows, columns), the string count,
    and whether the records after the globals' FILEPASS are encrypted."""

    sheets: list[tuple[int, int, int]] = field(default_factory=list)
    strings: int = 0
    encrypted: bool = False

    def declared_cells(self) -> list[int]:
        return [rows * cols for _, rows, cols in self.sheets]


def predicted_mb(shape: XlsShape) -> int:
    """The reader's predicted peak memory (MB of address space) for a workbook of this shape."""
    cells = shape.declared_cells()
    total = (max(cells, default=0) * RESERVE_BYTES_PER_CELL + sum(cells) * RANGE_BYTES_PER_CELL
             + shape.strings * BYTES_PER_STRING)
    return READER_BASE_MB + -(-total // MB)


def xls_issue(path: Path, limits: Limits) -> Issue | None:
    """The first limit reading the .xls at ``path`` would break, as a file-level issue; else None.

    Structures the reader itself would refuse (a bad header, a missing stream, a truncated record)
    are left to it: it reports them as ``unreadable`` without running out of memory.
    """
    data = Path(path).read_bytes()
    try:
        stream = workbook_stream(data)
    except CorruptOle as exc:
        return Issue(None, None, None, "unreadable", "error",
                     {"reason": "corrupt_ole", "detail": f"the .xls file is damaged: {exc}"})
    if stream is None:
        return None
    shape = biff_shape(stream)
    if shape.encrypted:
        return Issue(None, None, None, "encrypted", "error", {"detail": "the workbook is encrypted with a password"})
    return shape_issue(shape, limits)


def shape_issue(shape: XlsShape, limits: Limits) -> Issue | None:
    """``too_large`` for the first limit a workbook of this shape breaks: rows, cells, memory."""
    for _, rows, cols in shape.sheets:
        if rows > limits.max_rows_per_sheet:
            return _too_large("max_rows_per_sheet", rows, limits.max_rows_per_sheet,
                              f"a sheet declares {rows:,} rows, the limit is {limits.max_rows_per_sheet:,}")
        if rows * cols > limits.max_cells:
            return _too_large("max_cells", rows * cols, limits.max_cells,
                              f"a sheet declares {rows:,} rows x {cols:,} columns = {rows * cols:,} cells, "
                              f"the limit is {limits.max_cells:,}")
    if shape.strings > limits.max_cells:
        return _too_large("max_cells", shape.strings, limits.max_cells,
                          f"the workbook declares {shape.strings:,} shared strings, the limit is {limits.max_cells:,}")
    need = predicted_mb(shape)
    if need > limits.worker_memory_mb:
        return _too_large("worker_memory_mb", need, limits.worker_memory_mb,
                          f"reading this workbook needs about {need:,} MB of memory, the limit is "
                          f"{limits.worker_memory_mb:,} MB")
    return None


def _too_large(limit: str, value: int, maximum: float, detail: str) -> Issue:
    return Issue(None, None, None, "too_large", "error", {"limit": limit, "value": value, "max": maximum,
                                                          "detail": detail})


# --------------------------------------------------------------------------- the compound file

def _u32s(block: bytes | memoryview) -> list[int]:
    return list(struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4]))


class _Compound:
    """The compound file's sectors and FAT, read as calamine reads them (``cfb.rs``)."""

    def __init__(self, data: bytes) -> None:
        if len(data) < HEADER_BYTES:
            raise ValueError("shorter than an OLE2 header")
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12) or struct.unpack_from("<H", data, 32)[0] != 6:
            raise ValueError("not a sector size the reader accepts")
        self.data = memoryview(data)
        self.size = 1 << shift
        self.limit = len(data)  # no chain may make the reader hold more bytes than the file
        self.max_id = len(data) // self.size
        (self.fat_sectors, self.dir_start, _, _, self.mini_fat_start, self.mini_fat_sectors,
         difat_start, _) = struct.unpack_from("<8I", data, 44)
        self.fat = self._load_fat(_u32s(self.data[76:HEADER_BYTES]), difat_start)

    def sector(self, sector_id: int) -> memoryview | None:
        """Sector ``sector_id`` (possibly short at the end of the file); None past the file's end."""
        if sector_id > self.max_id:
            return None
        start = (sector_id + 1) * self.size
        return self.data[start:start + self.size] if start < len(self.data) else None

    def _load_fat(self, difat: list[int], sector_id: int) -> list[int]:
        """The FAT: the header's sector ids, then the DIFAT chain's (each sector ends with the next id)."""
        held = 0
        while sector_id < RESERVED_IDS:
            block = self.sector(sector_id)
            if block is None:
                break
            held += len(block)
            if held > self.limit:
                raise CorruptOle("its sector allocation (DIFAT) chain loops")
            ids = _u32s(block)
            difat.extend(ids[:-1])
            sector_id = ids[-1] if ids else ENDOFCHAIN
        fat: list[int] = []
        for fat_id in (i for i in difat if i < DIFSECT):
            block = self.sector(fat_id)
            if block is None:
                break
            fat.extend(_u32s(block))
        return fat

    def chain(self, start: int, length: int | None, what: str) -> bytes:
        """The bytes of the chain from ``start``: up to ``length`` (None: to the end marker).

        ``CorruptOle`` when the reader would hold more than the whole file; where the reader
        would stop on an error instead (a sector past the end, an id outside the FAT), the bytes
        so far are returned.
        """
        parts, held, sector_id = [], 0, start
        while sector_id != ENDOFCHAIN:
            block = self.sector(sector_id)
            if block is None:
                break
            take = block if length is None else block[: max(0, length - held)]
            parts.append(take)
            held += len(take)
            if held > self.limit:
                raise CorruptOle(f"the chain of its {what} loops")
            if (length is not None and held >= length) or sector_id >= len(self.fat):
                break
            sector_id = self.fat[sector_id]
        return b"".join(parts)


def _directory_entries(raw: bytes, sector_size: int) -> list[tuple[str, int, int]]:
    """(name, start, length) of each 128-byte directory entry (a v3 file's length is 32-bit)."""
    entries = []
    for offset in range(0, len(raw) - DIRECTORY_ENTRY_BYTES + 1, DIRECTORY_ENTRY_BYTES):
        entry = raw[offset:offset + DIRECTORY_ENTRY_BYTES]
        name = entry[:64].decode("utf-16-le", errors="ignore").split("\x00", 1)[0]
        start = struct.unpack_from("<I", entry, 116)[0]
        length = struct.unpack_from("<I" if sector_size == 512 else "<Q", entry, 120)[0]
        entries.append((name, start, length))
    return entries


def _mini_chain(ministream: bytes, mini_fat: list[int], start: int, length: int) -> bytes:
    """A small stream (under 4096 bytes) from the mini stream; bounded by ``length`` as in the reader."""
    parts, held, sector_id = [], 0, start
    while sector_id != ENDOFCHAIN and held < length:
        offset = sector_id * MINI_SECTOR_BYTES
        if offset >= len(ministream):
            break
        take = ministream[offset:offset + MINI_SECTOR_BYTES][: length - held]
        parts.append(take)
        held += len(take)
        if sector_id >= len(mini_fat):
            break
        sector_id = mini_fat[sector_id]
    return b"".join(parts)


def workbook_stream(data: bytes) -> bytes | None:
    """The BIFF stream of an .xls file's bytes, read as the reader would; None when the reader would
    fail on its own (bad header, no workbook stream). ``CorruptOle`` when a chain would exhaust it."""
    try:
        cfb = _Compound(data)
    except (ValueError, struct.error):
        return None
    entries = _directory_entries(cfb.chain(cfb.dir_start, None, "directory"), cfb.size)
    if not entries:
        return None
    ministream, mini_fat = b"", []
    if cfb.mini_fat_sectors > 0:
        _, root_start, root_length = entries[0]
        ministream = cfb.chain(root_start, root_length, "mini stream")
        mini_fat = _u32s(cfb.chain(cfb.mini_fat_start, cfb.mini_fat_sectors * cfb.size, "mini sector table"))
    for wanted in WORKBOOK_STREAMS:
        found = next((e for e in entries if e[0] == wanted), None)
        if found is None:
            continue
        _, start, length = found
        if length < MINI_STREAM_CUTOFF:
            return _mini_chain(ministream, mini_fat, start, length)
        return cfb.chain(start, length, "workbook stream")
    return None


# --------------------------------------------------------------------------- the BIFF records

def _records(stream: bytes, pos: int):
    """(record id, data offset, data length) from ``pos`` while whole records remain."""
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            return
        yield kind, pos + 4, length
        pos += 4 + length


def biff_shape(stream: bytes) -> XlsShape:
    """The sheets' declared sizes (DIMENSIONS, as calamine reads them) and the string count (SST).

    After a FILEPASS record the records are ciphertext: the shape is then only ``encrypted``.
    """
    shape, positions = XlsShape(), []
    for kind, at, length in _records(stream, 0):
        if kind == FILEPASS and length >= 2 and struct.unpack_from("<H", stream, at)[0] != 0:
            return XlsShape(encrypted=True)
        if kind == BOUNDSHEET and length >= 4:
            positions.append(struct.unpack_from("<I", stream, at)[0])
        elif kind == SST and length >= 8:
            shape.strings = max(shape.strings, struct.unpack_from("<I", stream, at + 4)[0])
        elif kind == EOF:
            break
    for position in positions:
        rows, cols = _declared_range(stream, position)
        shape.sheets.append((position, rows, cols))
    return shape


def _declared_range(stream: bytes, pos: int) -> tuple[int, int]:
    """The largest (rows, columns) a sheet's DIMENSIONS records declare, outside nested substreams
    (embedded charts) and with calamine's arithmetic: 32-bit row numbers that may wrap around."""
    rows = cols = depth = 0
    seen_bof = False
    for kind, at, length in _records(stream, pos):
        if kind == BOF:
            depth += 1 if seen_bof else 0
            seen_bof = True
        elif kind == EOF:
            if depth == 0:
                break
            depth -= 1
        elif kind == DIMENSIONS and depth == 0 and length in (10, 14):
            declared = _dimensions(stream[at:at + length])
            if declared[0] * declared[1] > rows * cols:
                rows, cols = declared
    return rows, cols


def _dimensions(record: bytes) -> tuple[int, int]:
    """(rows, columns) of one DIMENSIONS record (BIFF8: 32-bit rows; BIFF5: 16-bit), as calamine
    computes its reservation: ``last - first`` with 32-bit wrap-around; a first column past 255 or
    after the last counts from 0; an empty range (last row or column 0) is one cell."""
    if len(record) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", record)
    else:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return 1, 1
    return (last_row - 1 - first_row) % 2**32 + 1, (last_col - 1 - first_col) % 2**32 + 1
