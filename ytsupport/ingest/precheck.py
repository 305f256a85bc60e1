"""A cheap check of an uploaded file before any spreadsheet parser sees it.

Only the standard library runs here, over bounded reads: the file size, the extension and the
magic bytes, and for zip-based formats (.xlsx, .xlsm, .ods) the zip's declared sizes, ratios and
member count and the head of each XML member (DTDs and entities are refused). What passes still
goes to the isolated worker: declared zip sizes can lie, and the parsers have their own failure
modes; this check only refuses the obvious cases early and with a precise reason.

Every problem is a file-level :class:`Issue` (sheet, row and column None) whose ``params`` say
which limit was hit (``limit``, ``value``, ``max``) plus an English ``detail``.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from ..settings import Limits
from .model import Issue

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
ZIP_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".ods"})

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
BIFF_BOF_HIGH = frozenset({b"\x00", b"\x02", b"\x04", b"\x08"})  # BOF record ids 0x0009..0x0809

MB = 1024 * 1024
XML_HEAD_BYTES = 64 * 1024
RATIO_MIN_MEMBER_BYTES = MB
SCAN_CHUNK_BYTES = 4 * MB
ODF_MANIFEST = "META-INF/manifest.xml"

_DTD_MARKERS: tuple[bytes, ...] = (b"<!doctype", b"<!entity")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_BIFF8_GLOBALS_BOF = re.compile(rb"\x09\x08([\x08\x10])\x00\x00\x06\x05\x00")
_XML_MEMBER = re.compile(r"\.(xml|rels)$", re.IGNORECASE)


def precheck(path: Path, limits: Limits) -> list[Issue]:
    """File-level issues that stop ``path`` from being parsed at all; [] when it may be read.

    Never raises for a bad file: an unreadable path is an ``unreadable`` issue.
    """
    try:
        return _precheck(Path(path), limits)
    except OSError as exc:
        return [file_issue("unreadable", reason="cannot_open", detail=f"cannot open the file: {type(exc).__name__}")]


def file_issue(code: str, **params: Any) -> Issue:
    """A file-level error issue (no sheet, row or column)."""
    return Issue(None, None, None, code, "error", params)


def _precheck(path: Path, limits: Limits) -> list[Issue]:
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        size_mb = round(size / MB, 2)
        return [file_issue("too_large", limit="max_file_mb", value=size_mb, max=limits.max_file_mb,
                           size_mb=size_mb, limit_mb=limits.max_file_mb,
                           detail=f"the file is {size_mb} MB, the limit is {limits.max_file_mb} MB")]
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        return [file_issue("unsupported_format", extension=ext or "(none)",
                           detail=f"files ending in {ext or '(no extension)'} are not accepted")]
    if size == 0:
        return [file_issue("unreadable", reason="empty", detail="the file is empty (0 bytes)")]
    with open(path, "rb") as fh:
        head = fh.read(8)
    magic = _magic_issue(path, ext, head)
    if magic is not None:
        return [magic]
    if ext in ZIP_EXTENSIONS:
        return check_zip(path, limits)
    return []


# --------------------------------------------------------------------------- magic bytes

def sniff_kind(head: bytes) -> str:
    """What the first bytes look like: "zip", "ole2", "biff" (a bare Excel 2.x-5.0 stream, which
    calamine cannot read), "html", "text" or "binary"."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head[:1] == b"\x09" and head[1:2] in BIFF_BOF_HIGH and head[3:4] == b"\x00":
        return "biff"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doc", b"<html", b"<?xml", b"<tabl", b"<head", b"<meta")):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def _magic_issue(path: Path, ext: str, head: bytes) -> Issue | None:
    """An issue when the magic bytes do not fit the extension (or say the file is encrypted)."""
    kind = sniff_kind(head)
    if ext == ".csv":  # any text goes, NULs too (UTF-16 without BOM); the reader decodes or refuses it
        return _mismatch(ext, kind) if kind in ("zip", "ole2") else None
    if ext in ZIP_EXTENSIONS:
        if kind == "zip":
            return None
        if kind == "ole2" and ext != ".ods" and ole2_has_encryption_info(path):
            return file_issue("encrypted", detail="the workbook is encrypted with a password")
        return _mismatch(ext, kind)
    if ext == ".xls":
        if kind != "ole2":
            return _mismatch(ext, kind)
        if xls_has_filepass(path) or ole2_has_encryption_info(path):
            return file_issue("encrypted", detail="the workbook is encrypted with a password")
    return None


def _mismatch(ext: str, kind: str) -> Issue:
    looks = {"zip": "a zip (.xlsx/.ods)", "ole2": "an old Office (.xls/.doc) file",
             "biff": "an Excel 2.x-5.0 file, too old to read",
             "html": "a web page (HTML/XML)", "text": "a text file", "binary": "another binary format"}
    return file_issue("unsupported_format", extension=ext, detected=kind,
                      detail=f"the file is named {ext} but its content is {looks[kind]}")


def ole2_has_encryption_info(path: Path) -> bool:
    """True when an OLE2 compound file holds an "EncryptionInfo" stream: an encrypted .xlsx/.xlsm
    (Office stores those inside OLE2). An encrypted .xls (FILEPASS record) is found by the reader.

    The directory entries store stream names in UTF-16LE; the file is scanned in chunks that
    overlap by the marker's length, so a name split across two chunks is still found.
    """
    overlap = len(ENCRYPTION_INFO) - 1
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(SCAN_CHUNK_BYTES):
            if ENCRYPTION_INFO in tail + chunk:
                return True
            tail = chunk[-overlap:]
    return False


def xls_has_filepass(path: Path) -> bool:
    """True when the workbook globals' BOF record is followed by FILEPASS (an encrypted .xls,
    including XOR obfuscation, which calamine misreads as a codepage error).

    The first BIFF8 globals BOF (``09 08``, length 8 or 16, version 0x0600, type 0x0005) is
    searched in chunks; FILEPASS (id 0x002F) must be the record right after it. A miss is not
    proof: the reader still reports calamine's password error as ``encrypted``.
    """
    carry = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(SCAN_CHUNK_BYTES):
            data = carry + chunk
            match = _BIFF8_GLOBALS_BOF.search(data)
            if match is not None:
                after = match.start() + 4 + match.group(1)[0]
                data += fh.read(max(0, after + 2 - len(data)))
                return data[after:after + 2] == b"\x2f\x00"
            carry = data[-32:]
    return False


# --------------------------------------------------------------------------- zip containers

def check_zip(path: Path, limits: Limits) -> list[Issue]:
    """Issues for a zip-based workbook: corrupt, too many members, too big unzipped, bomb-like ratio, DTD."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            issue = _zip_size_issue(members, limits) or _xml_members_issue(archive, members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:
        why = f"{type(exc).__name__}: {str(exc)[:120]}"
        return [file_issue("unreadable", reason="corrupt_zip", detail=f"the file is damaged or truncated ({why})")]
    return [issue] if issue else []


def _limit_issue(limit: str, value: float, maximum: float, detail: str, **extra: Any) -> Issue:
    """An ``unreadable`` issue for a zip limit: which one, the value found and the maximum."""
    return file_issue("unreadable", reason="limit", limit=limit, value=value, max=maximum, detail=detail, **extra)


def _zip_size_issue(members: list[zipfile.ZipInfo], limits: Limits) -> Issue | None:
    """The first limit the zip's central directory breaks: member count, total size, ratio."""
    if len(members) > limits.max_zip_members:
        return _limit_issue("max_zip_members", len(members), limits.max_zip_members,
                            f"the archive holds {len(members)} parts, the limit is {limits.max_zip_members}")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_mb * MB:
        total_mb = round(total / MB, 2)
        return _limit_issue("max_unzipped_mb", total_mb, limits.max_unzipped_mb,
                            f"the file unpacks to {total_mb} MB, the limit is {limits.max_unzipped_mb} MB")
    for member in members:
        if member.file_size < RATIO_MIN_MEMBER_BYTES:
            continue  # small parts compress well legitimately and cannot hurt
        ratio = round(member.file_size / max(member.compress_size, 1), 1)
        if ratio > limits.max_compression_ratio:
            return _limit_issue("max_compression_ratio", ratio, limits.max_compression_ratio,
                                f"part {member.filename!r} is compressed {ratio}:1, the limit is "
                                f"{limits.max_compression_ratio}:1 (a zip bomb?)", member=member.filename)
    return None


def _xml_members_issue(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Issue | None:
    """An issue for an encrypted ODF package, or for the first XML part that declares a DTD/entities.

    The ODF manifest goes first: in an encrypted package the other parts are ciphertext.
    """
    xml_parts = [m for m in members if not m.is_dir() and _XML_MEMBER.search(m.filename)]
    for member in sorted(xml_parts, key=lambda m: m.filename != ODF_MANIFEST):
        head = _read_head(archive, member)
        if member.filename == ODF_MANIFEST and b"encryption-data" in head:
            return file_issue("encrypted", detail="the OpenDocument file is encrypted with a password")
        verdict = xml_head_verdict(head, complete=member.file_size <= len(head))
        if verdict is not None:
            why = "contains a DTD/entities" if verdict == "dtd" else "has no root element in its first 64 KB"
            return file_issue("unreadable", reason="dtd", member=member.filename,
                              detail=f"part {member.filename!r} {why}, which is not allowed")
    return None


def _read_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The first XML_HEAD_BYTES of a member, decompressed through a bounded stream read."""
    with archive.open(member) as stream:
        return stream.read(XML_HEAD_BYTES)


def _as_ascii_view(head: bytes) -> bytes:
    """The head re-encoded as UTF-8 when it is UTF-16 (by BOM or NUL pattern), lower-cased."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:64].count(b"\x00") > 8:
        encoding = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16-le"
        head = head.decode(encoding, errors="replace").encode("utf-8", errors="replace")
    return head.lower()


def xml_head_verdict(head: bytes, complete: bool) -> str | None:
    """"dtd" when the head declares a DOCTYPE/ENTITY; "long_prolog" when a 64 KB head holds no
    root element (so a DTD could hide further on); None when the part looks safe.

    ``complete`` says the head is the whole part (a short part cannot hide anything further on).
    """
    view = _as_ascii_view(head)
    if any(marker in view for marker in _DTD_MARKERS):
        return "dtd"
    if not complete and _ROOT_START.search(_strip_prolog_noise(view)) is None:
        return "long_prolog"
    return None


def _strip_prolog_noise(view: bytes) -> bytes:
    """Drop processing instructions and comments so that ``<`` + letter marks a real element."""
    view = re.sub(rb"<\?.*?\?>", b"", view, flags=re.DOTALL)
    return re.sub(rb"<!--.*?-->", b"", view, flags=re.DOTALL)
