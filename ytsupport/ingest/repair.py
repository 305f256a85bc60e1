"""Old .xls files whose sizes are slightly off, read anyway (with a ``repaired_file`` warning).

An .xls is a compound file (OLE2): sectors, and a directory whose entries give each stream's
first sector and size. Files saved by old or third-party programs, or cut short in a copy,
sometimes declare a workbook stream a few bytes shorter than its records, or end before their
last sector: calamine then stops (or panics) on the last record. Such a file is read again from
a repaired copy: the file padded to whole sectors and the workbook stream's size rounded up to
its sectors (the records end with their own EOF record, so what follows is ignored).

Layout facts from [MS-CFB] (Compound File Binary File Format): sector size ``2 ** uint16`` at
header offset 30, mini-stream cutoff ``uint32`` at 56 (4096), 128-byte directory entries with a
UTF-16 name (64 bytes), its length in bytes with the NUL at 64, the stream size ``uint32`` at 120.
"""
from __future__ import annotations

import struct
import tempfile
from pathlib import Path
from typing import Callable

from .records import Issue, RawWorkbook

_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_MINI_SECTOR = 64
_STREAMS = ("Workbook", "Book")  # BIFF8 and BIFF5 names of the workbook stream


def repaired_xls(data: bytes) -> bytes | None:
    """``data`` with its sizes made whole (see the module docstring); None when nothing changes."""
    if not data.startswith(_SIGNATURE) or len(data) < 512:
        return None
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    if sector not in (512, 4096):
        return None
    cutoff = struct.unpack_from("<I", data, 56)[0]
    fixed = bytearray(data)
    if len(fixed) % sector:
        fixed += b"\0" * (sector - len(fixed) % sector)
    for name in _STREAMS:
        entry = _directory_entry(bytes(fixed), name)
        if entry is not None:
            size = struct.unpack_from("<I", fixed, entry + 120)[0]
            unit = _MINI_SECTOR if size < cutoff else sector
            struct.pack_into("<I", fixed, entry + 120, -(-size // unit) * unit)
            break
    return bytes(fixed) if bytes(fixed) != data else None


def _directory_entry(data: bytes, name: str) -> int | None:
    """The offset of the directory entry named ``name`` (entries are 128-byte aligned)."""
    encoded = name.encode("utf-16-le")
    start = data.find(encoded)
    while start >= 0:
        if start % 128 == 0 and struct.unpack_from("<H", data, start + 64)[0] == len(encoded) + 2:
            return start
        start = data.find(encoded, start + 1)
    return None


def read_with_repair(path: Path, read: Callable[[Path], RawWorkbook]) -> RawWorkbook:
    """``read(path)``; for an .xls it cannot read, ``read`` of a repaired copy with a warning first."""
    result = read(path)
    if path.suffix.lower() != ".xls" or not any(i.code == "unreadable" for i in result.issues):
        return result
    fixed = repaired_xls(path.read_bytes())
    if fixed is None:
        return result
    with tempfile.TemporaryDirectory(prefix="ytsupport-repair-") as tmp:
        copy = Path(tmp) / path.name
        copy.write_bytes(fixed)
        second = read(copy)
    if any(i.code == "unreadable" for i in second.issues):
        return result
    second.path = str(path)
    second.issues.insert(0, Issue(None, None, None, "repaired_file", "warning", {}))
    return second
