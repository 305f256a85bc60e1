"""The store: SQLAlchemy 2 Core tables, one transaction per report, history, audit, backups.

SQLite (embedded file) by default, PostgreSQL by URL; the same code path for both.
"""
from .auditing import audit
from .backup import backup, restore
from .engine import ensure_schema, get_engine, normalise_url, sqlite_path
from .storing import (StoreError, StoreResult, audit_entries, current_report, data_version, history, load_current,
                     revert, store_report, sync_units)

__all__ = ["StoreError", "StoreResult", "audit", "audit_entries", "current_report", "backup", "data_version", "ensure_schema",
           "get_engine", "history", "load_current", "normalise_url", "restore", "revert",
           "sqlite_path", "store_report", "sync_units"]
