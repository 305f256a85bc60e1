"""A cheap check of an uploaded file before any spreadsheet parser sees it.

Only the standard library runs here, over bounded reads: the file size, the extension and the
magic bytes, and for zip-based formats (.xlsx, .xlsm, .ods) the zip's declared sizes, ratios (per
part and over the whole archive) and member count, then the head of each XML member, whatever its
name: DTDs and entities are refused, and so are a worksheet whose ``<dimension ref>`` declares more
than ``max_cells`` cells and a shared-strings table that declares more strings than that. For
.xls (OLE2) files, ``xls.py`` follows the sector chains and reads the sheets' declared ranges and
the string table's declared count, and predicts the reader's memory from them. What passes still
goes to the isolated worker: declared sizes can lie (a sheet without a dimension, a zip header
understating a part), and the parsers have their own failure modes; this check only refuses the
obvious cases early and with a precise reason.

Every problem is a file-level :class:`Issue` (sheet, row and column None) whose ``params`` say
which limit was hit (``limit``, ``value``, ``max``) or why (``reason``), plus an English ``detail``.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..settings import Limits
from .records import Issue
from .xls import xls_issue

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
ZIP_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".ods"})

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
BIFF_BOF_HIGH = frozenset({b"\x00", b"\x02", b"\x04", b"\x08"})  # BOF record ids 0x0009..0x0809

# Other formats a user may upload under a spreadsheet's name, by their first bytes.
OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image"), (b"\xff\xd8\xff", "image"), (b"GIF87a", "image"), (b"GIF89a", "image"),
    (b"%PDF-", "pdf"), (b"Rar!\x1a\x07", "archive"), (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"\x1f\x8b", "archive"),
)

MB = 1024 * 1024
MAGIC_HEAD_BYTES = 512
XML_HEAD_BYTES = 64 * 1024
RATIO_MIN_MEMBER_BYTES = MB
SCAN_CHUNK_BYTES = 4 * MB
ODF_MANIFEST = "META-INF/manifest.xml"

_DTD_MARKERS: tuple[bytes, ...] = (b"<!doctype", b"<!entity")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_BIFF8_GLOBALS_BOF = re.compile(rb"\x09\x08([\x08\x10])\x00\x00\x06\x05\x00")
_XML_MEMBER = re.compile(r"\.(xml|rels)$", re.IGNORECASE)
_SHEET_DATA = re.compile(rb"<(?:[a-z_][\w.-]*:)?sheetdata[\s/>]")
_DIMENSION = re.compile(rb"<(?:[a-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL_REF = re.compile(r"^\$?([a-z]{1,4})\$?([0-9]{1,12})$")
_SST_ROOT = re.compile(rb"<(?:[a-z_][\w.-]*:)?sst\b([^>]*)>")
_SST_COUNTS = re.compile(rb"\b(count|uniquecount)\s*=\s*[\"']\s*([0-9]{1,20})\s*[\"']")


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
        return [file_issue("unsupported_format", reason="extension", extension=ext or "(none)",
                           detail=f"files ending in {ext or '(no extension)'} are not accepted")]
    if size == 0:
        return [file_issue("unreadable", reason="empty", detail="the file is empty (0 bytes)")]
    with open(path, "rb") as fh:
        head = fh.read(MAGIC_HEAD_BYTES)
    magic = _magic_issue(path, ext, head)
    if magic is not None:
        return [magic]
    if ext in ZIP_EXTENSIONS:
        return check_zip(path, limits)
    if ext == ".xls":
        issue = xls_issue(path, limits)
        return [issue] if issue else []
    return []


# --------------------------------------------------------------------------- magic bytes

def sniff_kind(head: bytes) -> str:
    """What the first bytes look like: "zip", "ole2", "biff" (a bare Excel 2.x-5.0 stream, which
    calamine cannot read), "image", "pdf", "archive" (gzip, rar, 7z), "html", "text" or "binary"."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    for magic, kind in OTHER_MAGIC:
        if head.startswith(magic):
            return kind
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
        return _mismatch(ext, kind) if kind in ("zip", "ole2", "image", "pdf", "archive") else None
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
             "biff": "an Excel 2.x-5.0 file, too old to read", "image": "an image", "pdf": "a PDF document",
             "archive": "a compressed archive (gzip/rar/7z)",
             "html": "a web page (HTML/XML)", "text": "a text file", "binary": "another binary format"}
    return file_issue("unsupported_format", reason="content", extension=ext, detected=kind,
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
    """Issues for a zip-based workbook: corrupt, too many members, too big unzipped, bomb-like
    ratio, an XML part with a DTD, a sheet or string table declaring too many cells."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            issue = _zip_size_issue(members, limits) or _members_issue(archive, members, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError,
            RuntimeError, OSError, zlib.error) as exc:
        why = f"{type(exc).__name__}: {str(exc)[:120]}"
        return [file_issue("unreadable", reason="corrupt_zip", detail=f"the file is damaged or truncated ({why})")]
    return [issue] if issue else []


def _limit_issue(limit: str, value: float, maximum: float, detail: str, **extra: Any) -> Issue:
    """An ``unreadable`` issue for a zip limit: which one, the value found and the maximum."""
    return file_issue("unreadable", reason="limit", limit=limit, value=value, max=maximum, detail=detail, **extra)


def _zip_size_issue(members: list[zipfile.ZipInfo], limits: Limits) -> Issue | None:
    """The first limit the zip's central directory breaks: member count, total size, ratio (of each
    big part, then of the whole archive: many small parts can make a bomb too)."""
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
            continue  # small parts compress well legitimately and cannot hurt on their own
        ratio = round(member.file_size / max(member.compress_size, 1), 1)
        if ratio > limits.max_compression_ratio:
            return _limit_issue("max_compression_ratio", ratio, limits.max_compression_ratio,
                                f"part {member.filename!r} is compressed {ratio}:1, the limit is "
                                f"{limits.max_compression_ratio}:1 (a zip bomb?)", member=member.filename)
    packed = sum(m.compress_size for m in members)
    ratio = round(total / max(packed, 1), 1)
    if total >= RATIO_MIN_MEMBER_BYTES and ratio > limits.max_compression_ratio:
        return _limit_issue("max_compression_ratio", ratio, limits.max_compression_ratio,
                            f"the archive's {len(members)} parts are compressed {ratio}:1 together, the limit is "
                            f"{limits.max_compression_ratio}:1 (a zip bomb?)")
    return None


def _members_issue(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> Issue | None:
    """An issue for an encrypted ODF package, or for the first XML part (whatever its name: a
    relationship may point anywhere) that declares a DTD/entities or too many cells or strings.

    The ODF manifest goes first: in an encrypted package the other parts are ciphertext.
    """
    files = [m for m in members if not m.is_dir()]
    for member in sorted(files, key=lambda m: m.filename != ODF_MANIFEST):
        try:
            head = _read_head(archive, member)
        except NotImplementedError:  # a compression method zipfile lacks: fatal for XML parts only
            if _XML_MEMBER.search(member.filename):
                raise
            continue
        if member.filename == ODF_MANIFEST and b"encryption-data" in head:
            return file_issue("encrypted", detail="the OpenDocument file is encrypted with a password")
        if not looks_like_xml(head):
            continue
        issue = xml_part_issue(member.filename, head, member.file_size <= len(head), limits)
        if issue is not None:
            return issue
    return None


def xml_part_issue(name: str, head: bytes, complete: bool, limits: Limits) -> Issue | None:
    """The issue for one XML part, judged from its head: DTD, long prolog, declared size."""
    verdict = xml_head_verdict(head, complete=complete)
    if verdict is not None:
        why = "contains a DTD/entities" if verdict == "dtd" else "has no root element in its first 64 KB"
        return file_issue("unreadable", reason="dtd", member=name,
                          detail=f"part {name!r} {why}, which is not allowed")
    view = _as_ascii_view(head)
    return _dimension_issue(name, view, limits) or _shared_strings_issue(name, view, limits)


def looks_like_xml(head: bytes) -> bool:
    """True when a part's first bytes are XML (or UTF-16 text, which only XML would be here)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def declared_cells(ref: str) -> tuple[int, int] | None:
    """(rows, columns) of the bounding box of a ``<dimension ref>`` ("A1:XFD1048576", "B2",
    "A1:C3 E5:F9"); None when it does not parse (the reader then meets the real cells)."""
    corners = []
    for part in ref.replace(" ", ":").split(":"):
        if not part:
            continue
        match = _CELL_REF.match(part.lower())
        if match is None:
            return None
        col = 0
        for letter in match.group(1):
            col = col * 26 + ord(letter) - 96
        corners.append((int(match.group(2)), col))
    if not corners:
        return None
    rows = [r for r, _ in corners]
    cols = [c for _, c in corners]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


def _dimension_issue(name: str, view: bytes, limits: Limits) -> Issue | None:
    """``too_large`` when a worksheet declares more than ``max_cells`` cells in its ``<dimension>``.

    A sheet holding A1 and one far cell (XFD1048576) honestly declares 17 billion cells and is
    refused here; calamine would allocate the whole grid and abort.
    """
    end = _SHEET_DATA.search(view)
    match = _DIMENSION.search(view, 0, end.start() if end else len(view))
    size = declared_cells(match.group(1).decode("ascii", "replace")) if match else None
    if size is None or size[0] * size[1] <= limits.max_cells:
        return None
    rows, cols = size
    ref = match.group(1).decode("ascii", "replace").upper()
    return file_issue("too_large", limit="max_cells", value=rows * cols, max=limits.max_cells, member=name,
                      declared=ref, detail=f"part {name!r} declares the range {ref}: {rows:,} rows x {cols:,} "
                                           f"columns = {rows * cols:,} cells, the limit is {limits.max_cells:,}")


def _shared_strings_issue(name: str, view: bytes, limits: Limits) -> Issue | None:
    """``too_large`` when a shared-strings table declares more strings than ``max_cells``
    (calamine reserves memory for the declared count before reading any)."""
    root = _SST_ROOT.search(view)
    if root is None or _ROOT_START.search(_strip_prolog_noise(view[:root.start()])) is not None:
        return None  # no string table, or not the root element
    counts = [int(n) for _, n in _SST_COUNTS.findall(root.group(1))]
    declared = max(counts, default=0)
    if declared <= limits.max_cells:
        return None
    return file_issue("too_large", limit="max_cells", value=declared, max=limits.max_cells, member=name,
                      detail=f"part {name!r} declares {declared:,} shared strings, the limit is "
                             f"{limits.max_cells:,}")


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
