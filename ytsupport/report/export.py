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


def report_bytes(engine: Engine, fmt: str, *, as_of: date | None = None, snapshot: str | None = None,
                 lang: str = "vi", actor: str = "local", settings: ReportSettings | None = None,
                 issued_on: date | None = None, file_name: str | None = None,
                 content: ReportContent | None = None) -> bytes:
    """A report of the figures now (``content`` when the caller has them, e.g. the dashboard's
    cached ones; else read from the store) or of the snapshot named ``snapshot``, audited as an export."""
    from .gather import current_content
    from .snapshots import SnapshotError, get_snapshot
    from ..store.auditing import audit

    if snapshot is not None:
        try:
            content = get_snapshot(engine, snapshot).content
        except SnapshotError as exc:
            raise ReportError(str(exc)) from exc
    elif content is None:
        content = current_content(engine, as_of, settings=settings)
    data = render(content, fmt, lang, settings=settings, issued_on=issued_on)
    audit(engine, actor, "export", {"format": fmt, "as_of": content.status["as_of"], "snapshot": snapshot,
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
