"""Backing up and restoring the embedded SQLite database with sqlite3's online backup API.

Both work while the dashboard is running: the backup API copies a consistent snapshot page by
page under SQLite's own locking. (A PostgreSQL store is backed up with ``pg_dump``.)
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update

from ..files import private_dir, private_file
from . import tables as s
from .engine import get_engine, write_transaction
from .storing import StoreError, audit, run_with_retries


def _copy(source: Path, destination: Path) -> None:
    """Copy a consistent snapshot of ``source`` into ``destination`` (a self-contained file, 0600)."""
    private_file(destination)
    with closing(sqlite3.connect(source, timeout=30)) as src, \
            closing(sqlite3.connect(destination, timeout=30)) as dst:
        src.execute("PRAGMA busy_timeout = 30000")
        dst.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)


def backup(db_path: str | Path, out: str | Path) -> Path:
    """Write a consistent copy of the SQLite database ``db_path`` to ``out``; return ``out``.

    The copy is written beside ``out`` first and moved into place, so ``out`` is never half
    written. Raises ``StoreError`` when ``db_path`` does not exist.
    """
    source, target = Path(db_path), Path(out)
    if not source.is_file():
        raise StoreError(f"no database file at {source}")
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        with closing(sqlite3.connect(partial)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _check_backup_file(path: Path) -> int:
    """The schema version of a backup file; ``StoreError`` when it is not one of ours."""
    if not path.is_file():
        raise StoreError(f"no backup file at {path}")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError(f"{path} is damaged (SQLite quick_check failed)")
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (s.SCHEMA_VERSION_KEY,)).fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a ytsupport backup: {exc}") from None
    if row is None or int(row[0]) > s.LATEST_VERSION:
        raise StoreError(f"{path} is not a ytsupport backup this version can restore")
    return int(row[0])


def _data_version_of(path: Path) -> int:
    if not path.is_file():
        return 0
    try:
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (s.DATA_VERSION_KEY,)).fetchone()
    except sqlite3.DatabaseError:
        return 0
    return int(row[0]) if row else 0


def restore(in_path: str | Path, db_path: str | Path, actor: str = "local") -> dict[str, Any]:
    """Replace the SQLite database ``db_path`` with the backup ``in_path``; audited.

    The database being replaced is first saved beside it (``<name>.before-restore-<UTC>``);
    the restored data then gets a data version above both, so caches keyed by it refresh.
    Returns ``{"restored_from", "saved_previous", "data_version"}``.
    """
    source, target = Path(in_path), Path(db_path)
    _check_backup_file(source)
    previous_version = _data_version_of(target)
    saved = None
    if target.is_file():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        saved = backup(target, target.with_name(f"{target.name}.before-restore-{stamp}"))
    private_dir(target.parent)
    _copy(source, target)
    engine = get_engine(f"sqlite:///{target}")
    try:
        new_version = max(previous_version, _data_version_of(target)) + 1
        run_with_retries(lambda: _stamp_restore(engine, new_version, actor, source))
    finally:
        engine.dispose()
    return {"restored_from": str(source), "saved_previous": str(saved) if saved else None,
            "data_version": new_version}


def _stamp_restore(engine: Engine, new_version: int, actor: str, source: Path) -> None:
    with write_transaction(engine) as conn:
        conn.execute(update(s.meta).where(s.meta.c.key == s.DATA_VERSION_KEY).values(value=new_version))
        audit(conn, actor, "restore", {"from": str(source), "data_version": new_version})
