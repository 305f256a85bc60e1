"""Producing a meeting report file: gather (now, or a snapshot's frozen figures), render, audit.

The format comes from the file extension: ``.xlsx``, ``.docx``, ``.pdf`` or ``.html``.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .content import ReportContent, ReportSettings

FORMATS: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
}


class ReportError(Exception):
    """A report that cannot be made (unknown format, unknown snapshot, unreadable plan or database)."""


def format_of(path: str | Path) -> str:
    """The report format of a file name, from its extension (``.htm`` counts as HTML)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix not in FORMATS:
        raise ReportError(f"unknown report format {Path(path).suffix or '(none)'!r}: "
                          f"use one of {', '.join('.' + f for f in FORMATS)}")
    return suffix


def render(content: ReportContent, fmt: str, lang: str = "vi", *, settings: ReportSettings | None = None,
           issued_on: date | None = None) -> bytes:
    """The report file's bytes in ``fmt`` (xlsx, docx, pdf, html)."""
    if fmt == "xlsx":
        from . import excel

        return excel.render(content, lang)
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}")
    from . import pdf, web, word
    from .document import build
    from .images import charts

    drawn = charts(content, lang)
    doc = build(content, lang, settings=settings, issued_on=issued_on, chart_keys=drawn)
    writer = {"docx": word.render, "pdf": pdf.render, "html": web.render}[fmt]
    return writer(doc, drawn)


LATEST = "latest"  # compare with the latest snapshot taken for an earlier as-of date


def baseline(engine: Engine, as_of: date, since: str | int | None = LATEST,
             exclude: int | None = None) -> tuple[ReportContent | None, str | None]:
    """The snapshot a report at ``as_of`` is compared with, and its name: the one named ``since``,
    or (``LATEST``) the snapshot with the latest as-of date before ``as_of`` (the newest taken
    among equals), or none (``since=None``). Raises ``ReportError`` for an unknown snapshot."""
    from .snapshots import SnapshotError, get_snapshot, list_snapshots

    if since is None:
        return None, None
    if since != LATEST:
        try:
            snap = get_snapshot(engine, since)
        except SnapshotError as exc:
            raise ReportError(str(exc)) from exc
        return snap.content, snap.name
    earlier = [s for s in list_snapshots(engine) if s.as_of < as_of and s.id != exclude]
    if not earlier:
        return None, None
    chosen = max(earlier, key=lambda s: (s.as_of, s.created_at, s.id))
    return get_snapshot(engine, chosen.id).content, chosen.name


def prepared(engine: Engine, content: ReportContent, *, snapshot_id: int | None = None,
             since: str | int | None = LATEST) -> ReportContent:
    """``content`` with what the meeting adds: the compared snapshot and the office's saved texts
    (of the snapshot ``snapshot_id`` when the report is one, else of the as-of date)."""
    from .briefing import with_baseline, with_texts
    from .remarks import load_texts, scope_of

    then, name = baseline(engine, content.as_of, since, exclude=snapshot_id)
    texts = load_texts(engine, scope_of(content.as_of, snapshot_id))
    return with_texts(with_baseline(content, then, name), texts)


def report_bytes(engine: Engine, fmt: str, *, as_of: date | None = None, snapshot: str | None = None,
                 lang: str = "vi", actor: str = "local", settings: ReportSettings | None = None,
                 issued_on: date | None = None, file_name: str | None = None,
                 content: ReportContent | None = None, since: str | int | None = LATEST) -> bytes:
    """A report of the figures now (``content`` when the caller has them, e.g. the dashboard's
    cached ones; else read from the store) or of the snapshot named ``snapshot``, compared with the
    snapshot ``since`` (default: the latest one before its as-of date) and with the office's saved
    comments and edited drafts; audited as an export."""
    from .gather import current_content
    from .snapshots import SnapshotError, get_snapshot
    from ..store.auditing import audit

    snapshot_id = None
    if snapshot is not None:
        try:
            snap = get_snapshot(engine, snapshot)
        except SnapshotError as exc:
            raise ReportError(str(exc)) from exc
        content, snapshot_id = snap.content, snap.id
    elif content is None:
        content = current_content(engine, as_of, settings=settings)
    assert content is not None
    content = prepared(engine, content, snapshot_id=snapshot_id, since=since)
    data = render(content, fmt, lang, settings=settings, issued_on=issued_on)
    audit(engine, actor, "export", {"format": fmt, "as_of": content.status["as_of"], "snapshot": snapshot,
                                    "since": (content.meta.get("since") or {}).get("name"),
                                    "lang": lang, "file_name": file_name, "bytes": len(data),
                                    "data_version": content.meta.get("data_version")})
    return data


def write_report(engine: Engine, out: str | Path, **options: Any) -> Path:
    """Write the report to ``out`` (format from its extension), atomically; see ``report_bytes``."""
    path = Path(out)
    fmt = format_of(path)
    data = report_bytes(engine, fmt, file_name=path.name, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
