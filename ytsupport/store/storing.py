"""Storing checked reports: one transaction per report, versions kept in history, audited.

The rules (docs/data-contract.md §5, storing rules): a file byte-identical to the *current* version of its
(unit, month) changes nothing (``unchanged``); identical to an *older* version, that version
becomes current again (``replaced``); otherwise it becomes a new version, the previous current
one is kept in history and no longer counted (``replaced``, or ``stored`` when it is the first).
A nil report (no rows) is stored like any other and counts as received.

Concurrency: the unique constraints (unit, period, version) and "one current version per
(unit, month)" make a lost or duplicated report impossible; a transaction that collides with
another (unique violation, SQLite busy, PostgreSQL serialization failure or deadlock) is retried
from the start with a bounded exponential backoff.
"""
from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Literal, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, Row, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from ..ingest.records import Report
from ..ingest.validate import with_person_keys
from . import tables as s
from .columnar import snapshot
from .engine import write_transaction
from .conversion import frame_columns, typed, typed_frame
from ..settings import get_settings

StoreStatus = Literal["stored", "replaced", "unchanged"]
T = TypeVar("T")

MAX_ATTEMPTS = 10
_RETRY_SQLSTATES = {"40001", "40P01", "23505", "55P03"}
_RETRY_MESSAGES = ("database is locked", "database is busy", "database table is locked",
                   "unique constraint failed")


class StoreError(Exception):
    """A request the store cannot carry out (unknown version, nothing to revert to, bad file)."""


@dataclass(frozen=True)
class StoreResult:
    """What storing one report did."""

    status: StoreStatus
    unit: str
    period: str
    version_id: int
    version: int
    previous_version_id: int | None = None
    rows: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "unit": self.unit, "period": self.period,
                "version_id": self.version_id, "version": self.version,
                "previous_version_id": self.previous_version_id, "rows": dict(self.rows)}


# ---------------------------------------------------------------------------------------------
# Retries


def is_retryable(exc: DBAPIError) -> bool:
    """True for a collision with another transaction: worth running the transaction again."""
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(orig).lower()
    return any(text in message for text in _RETRY_MESSAGES)


def run_with_retries(transaction: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    """Run ``transaction`` (which opens and commits its own transaction), retrying collisions."""
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except DBAPIError as exc:
            if attempt >= attempts or not is_retryable(exc):
                raise
            time.sleep(min(1.0, 0.01 * 2 ** attempt) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# Small shared statements


def _now() -> datetime:
    return datetime.now(timezone.utc)


def bump_data_version(conn: Connection) -> None:
    """Count one more change of the stored data (caches keyed by it are then refreshed)."""
    conn.execute(update(s.meta).where(s.meta.c.key == s.DATA_VERSION_KEY).values(value=s.meta.c.value + 1))


def audit(conn: Connection, actor: str, action: str, details: dict[str, Any]) -> None:
    """Append one record to the audit log."""
    conn.execute(insert(s.audit_log).values(at=_now(), actor=actor, action=action,
                                            details=json.dumps(details, ensure_ascii=False, default=str)))


def _insert_ignore(conn: Connection, table: Any, values: dict[str, Any]) -> None:
    """Insert a row unless one with the same primary key exists (no error, no race)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def ensure_unit(conn: Connection, code: str, name_vi: str | None = None,
                counts_for_reporting: bool | None = None) -> None:
    """Make sure the unit exists (reports of a unit not yet listed are accepted and listed)."""
    _insert_ignore(conn, s.units, {"code": code, "name_vi": name_vi,
                                   "counts_for_reporting": counts_for_reporting})


def sync_units(engine: Engine, units: list[dict[str, Any]]) -> None:
    """Add or update units (dicts with ``code`` and optionally ``name_vi``, ``counts_for_reporting``)."""
    def transaction() -> None:
        with write_transaction(engine) as conn:
            for unit in units:
                ensure_unit(conn, unit["code"])
                conn.execute(update(s.units).where(s.units.c.code == unit["code"]).values(
                    name_vi=unit.get("name_vi"), counts_for_reporting=unit.get("counts_for_reporting")))
    run_with_retries(transaction)


def data_version(engine: Engine) -> int:
    """A counter bumped by every change of the stored data (ingest, revert, restore)."""
    with engine.connect() as conn:
        value = conn.execute(select(s.meta.c.value).where(s.meta.c.key == s.DATA_VERSION_KEY)).scalar()
    return int(value or 0)


# ---------------------------------------------------------------------------------------------
# Storing a report


def _check_storable(report: Report) -> None:
    """Refuse what must never be stored: a report that is not ``ok``, or without unit or month."""
    if report.status != "ok":
        raise ValueError(f"only a report with status 'ok' can be stored (got {report.status!r})")
    if not report.unit or not report.period:
        raise ValueError("a report needs a unit and a period to be stored")
    try:
        datetime.strptime(report.period, "%Y-%m")
    except ValueError:
        raise ValueError(f"period must be 'YYYY-MM' (got {report.period!r})") from None
    if not report.sha256:
        raise ValueError("a report needs the sha256 of its file")


def _versions_of(conn: Connection, unit: str, period: str) -> list[Row[Any]]:
    rv = s.report_versions
    return list(conn.execute(select(rv.c.id, rv.c.version, rv.c.sha256, rv.c.is_current)
                             .where(rv.c.unit == unit, rv.c.period == period).order_by(rv.c.version)))


def _demote_current(conn: Connection, unit: str, period: str) -> None:
    rv = s.report_versions
    conn.execute(update(rv).where(rv.c.unit == unit, rv.c.period == period, rv.c.is_current)
                 .values(is_current=False))


def _make_current(conn: Connection, version_id: int, unit: str, period: str) -> None:
    """Demote the current version of (unit, period), then promote ``version_id``."""
    _demote_current(conn, unit, period)
    rv = s.report_versions
    conn.execute(update(rv).where(rv.c.id == version_id).values(is_current=True))


COPY_MIN_ROWS = 500  # from this many rows, PostgreSQL gets them by COPY (several times faster)


@dataclass(frozen=True)
class RowBatch:
    """The rows of one kind, as column lists of plain Python values (``frames.frame_columns``)."""

    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def rows(self, version_id: int) -> list[tuple[Any, ...]]:
        """One tuple per row, the report version id last."""
        return list(zip(*self.columns.values(), itertools.repeat(version_id, len(self))))


def _copy_rows(conn: Connection, table: Any, batch: RowBatch, version_id: int) -> None:
    """Stream rows into a PostgreSQL table with COPY, inside the caller's transaction."""
    quoted = ", ".join(f'"{c}"' for c in [*batch.columns, "report_version_id"])
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in batch.rows(version_id):
                copy.write_row(row)
    except dbapi.Error as exc:  # the same exception classes as the executemany path
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _executemany_rows(conn: Connection, table: Any, batch: RowBatch, version_id: int) -> None:
    """One executemany of positional rows, past SQLAlchemy's per-row parameter processing.

    The values are already what SQLAlchemy's types would bind (``frame_columns``: SQLite DATEs as
    ``YYYY-MM-DD`` text, booleans and numbers as Python values), so the stored rows are the same.
    """
    mark = _PLACEHOLDERS.get(conn.dialect.paramstyle)
    if mark is None:  # another driver: the portable way
        conn.execute(insert(table), [dict(zip([*batch.columns, "report_version_id"], row))
                                     for row in batch.rows(version_id)])
        return
    names = [*batch.columns, "report_version_id"]
    statement = (f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in names)}) '
                 f'VALUES ({", ".join([mark] * len(names))})')
    conn.exec_driver_sql(statement, batch.rows(version_id))


def _insert_rows(conn: Connection, version_id: int, records: dict[str, RowBatch]) -> None:
    """Bulk-insert the rows of every kind, tagged with their report version.

    One executemany per table (inside the caller's transaction); COPY for large reports on PostgreSQL.
    """
    for kind, batch in records.items():
        if not len(batch):
            continue
        if conn.dialect.name == "postgresql" and len(batch) >= COPY_MIN_ROWS:
            _copy_rows(conn, s.TABLES[kind], batch, version_id)
        else:
            _executemany_rows(conn, s.TABLES[kind], batch, version_id)


def _insert_version(conn: Connection, report: Report, version: int, received_on: date,
                    uploaded_by: str) -> int:
    rv = s.report_versions
    result = conn.execute(insert(rv).values(
        unit=report.unit, period=report.period, version=version, file_name=report.file_name,
        sha256=report.sha256, received_on=received_on, uploaded_at=_now(), uploaded_by=uploaded_by,
        is_current=True).returning(rv.c.id))
    return int(result.scalar_one())


def _store_new_version(conn: Connection, report: Report, versions: list[Row[Any]],
                       records: dict[str, RowBatch], received_on: date,
                       uploaded_by: str) -> StoreResult:
    current = next((v for v in versions if v.is_current), None)
    version = max((v.version for v in versions), default=0) + 1
    ensure_unit(conn, report.unit or "")
    _demote_current(conn, report.unit or "", report.period or "")
    version_id = _insert_version(conn, report, version, received_on, uploaded_by)
    _insert_rows(conn, version_id, records)
    result = StoreResult("replaced" if current else "stored", report.unit or "", report.period or "",
                         version_id, version, current.id if current else None,
                         {kind: len(rows) for kind, rows in records.items()})
    audit(conn, uploaded_by, "ingest", {**result.to_json(), "file_name": report.file_name,
                                        "sha256": report.sha256, "received_on": received_on.isoformat()})
    bump_data_version(conn)
    return result


def _store_once(engine: Engine, report: Report, records: dict[str, RowBatch],
                received_on: date, uploaded_by: str) -> StoreResult:
    unit, period = report.unit or "", report.period or ""
    with write_transaction(engine) as conn:
        versions = _versions_of(conn, unit, period)
        current = next((v for v in versions if v.is_current), None)
        if current is not None and current.sha256 == report.sha256:
            return StoreResult("unchanged", unit, period, current.id, current.version)
        older = [v for v in versions if v.sha256 == report.sha256]
        if older:
            again = older[-1]
            _make_current(conn, again.id, unit, period)
            result = StoreResult("replaced", unit, period, again.id, again.version,
                                 current.id if current else None)
            audit(conn, uploaded_by, "recurrent", {**result.to_json(), "sha256": report.sha256})
            bump_data_version(conn)
            return result
        return _store_new_version(conn, report, versions, records, received_on, uploaded_by)


def store_names() -> bool:
    """Whether beneficiaries' names are stored (``YTSUPPORT_STORE_NAMES=0``: only the pseudonymous key)."""
    return get_settings().store_names


def store_report(engine: Engine, report: Report, *, received_on: date,
                 uploaded_by: str = "local") -> StoreResult:
    """Store one checked report in one transaction: all of its rows or nothing.

    ``received_on`` is the day the report reached the Bloc (it decides timeliness).
    Raises ``ValueError`` for a report that must not be stored (status other than ``ok``, no
    unit or month) or whose rows do not fit their columns; database errors other than
    collisions with concurrent writers propagate after the transaction is rolled back.
    """
    _check_storable(report)
    as_text = engine.dialect.name == "sqlite"  # how SQLAlchemy's DATE binds there
    frames = {**report.frames}
    if frames.get("beneficiaries") is not None:
        frames["beneficiaries"] = with_person_keys(frames["beneficiaries"])
    records = {kind: RowBatch(frame_columns(frames.get(kind), kind, dates_as_text=as_text)) for kind in s.ROW_KINDS}
    people = records.get("beneficiaries")
    if people is not None and not store_names() and "full_name" in people.columns:
        people.columns["full_name"] = [None] * len(people)
    return run_with_retries(lambda: _store_once(engine, report, records, received_on, uploaded_by))


# ---------------------------------------------------------------------------------------------
# History and revert


def _row_count(table: Any) -> Any:
    return (select(func.count()).select_from(table)
            .where(table.c.report_version_id == s.report_versions.c.id).scalar_subquery())


def _history_row(row: Any) -> dict[str, Any]:
    record = dict(row._mapping)
    record["received_on"] = record["received_on"].isoformat() if record["received_on"] else None
    uploaded = record["uploaded_at"]
    if isinstance(uploaded, datetime):  # SQLite keeps no time zone: the value was written in UTC
        uploaded = (uploaded if uploaded.tzinfo else uploaded.replace(tzinfo=timezone.utc)).isoformat()
    record["uploaded_at"] = uploaded
    record["is_current"] = bool(record["is_current"])
    record["rows"] = {kind: int(record.pop(kind)) for kind in s.ROW_KINDS}
    return record


def history(engine: Engine, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
    """Stored report versions (all of them, current or not), by unit, month and version.

    Each dict: id, unit, period, version, file_name, sha256, received_on (ISO date), uploaded_at
    (ISO timestamp), uploaded_by, is_current, rows ({kind: count}).
    """
    rv = s.report_versions
    query = select(rv.c.id, rv.c.unit, rv.c.period, rv.c.version, rv.c.file_name, rv.c.sha256,
                   rv.c.received_on, rv.c.uploaded_at, rv.c.uploaded_by, rv.c.is_current,
                   *[_row_count(s.TABLES[kind]).label(kind) for kind in s.ROW_KINDS])
    if unit:
        query = query.where(rv.c.unit == unit)
    if period:
        query = query.where(rv.c.period == period)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(rv.c.unit, rv.c.period, rv.c.version)).all()
    return [_history_row(row) for row in rows]


def _revert_once(engine: Engine, version_id: int, actor: str) -> dict[str, Any]:
    rv = s.report_versions
    with write_transaction(engine) as conn:
        target = conn.execute(select(rv).where(rv.c.id == version_id)).first()
        if target is None:
            raise StoreError(f"no stored report version has id {version_id}")
        previous = conn.execute(select(rv).where(rv.c.unit == target.unit, rv.c.period == target.period,
                                                 rv.c.version < target.version)
                                .order_by(rv.c.version.desc()).limit(1)).first()
        if previous is None:
            raise StoreError(f"version {target.version} of {target.unit} {target.period} is the first: "
                             "there is no previous version to make current")
        _make_current(conn, previous.id, target.unit, target.period)
        result = {"unit": target.unit, "period": target.period, "reverted_version_id": target.id,
                  "reverted_version": target.version, "current_version_id": previous.id,
                  "current_version": previous.version}
        audit(conn, actor, "revert", result)
        bump_data_version(conn)
        return result


def revert(engine: Engine, version_id: int, actor: str = "local") -> dict[str, Any]:
    """Make the version before ``version_id`` (same unit and month) the current one; audited.

    Returns unit, period, reverted_version_id/-version and current_version_id/-version.
    Raises ``StoreError`` for an unknown id or a first version.
    """
    return run_with_retries(lambda: _revert_once(engine, version_id, actor))


def audit_entries(engine: Engine, limit: int = 100) -> list[dict[str, Any]]:
    """The latest audit records, newest first (details decoded from JSON)."""
    al = s.audit_log
    with engine.connect() as conn:
        rows = conn.execute(select(al).order_by(al.c.id.desc()).limit(limit)).all()
    return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
             "details": json.loads(r.details) if r.details else None} for r in rows]


# ---------------------------------------------------------------------------------------------
# Loading the current data


def _reports_query() -> Any:
    rv = s.report_versions
    return (select(rv.c.id.label("report_version_id"), rv.c.unit, rv.c.period, rv.c.version, rv.c.file_name,
                   rv.c.received_on, rv.c.is_current).order_by(rv.c.unit, rv.c.period, rv.c.version))


def _reports_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = typed(frame, extra={"report_version_id": "int64", "version": "int64",
                                "received_on": "datetime64[ns]", "is_current": "bool"})
    first = frame[frame["version"] == 1].set_index(["unit", "period"])["received_on"]
    keys = pd.MultiIndex.from_frame(frame[["unit", "period"]])
    frame["first_received_on"] = first.reindex(keys).to_numpy(dtype="datetime64[ns]")
    return frame


def _current_query(kind: str, *conditions: Any) -> Any:
    table, rv = s.TABLES[kind], s.report_versions
    columns = list(s.FRAME_DTYPES[kind])
    return (select(*[table.c[name] for name in columns], table.c.report_version_id, rv.c.unit, rv.c.period)
            .join_from(table, rv, table.c.report_version_id == rv.c.id)
            .where(rv.c.is_current, *conditions).order_by(rv.c.unit, rv.c.period, table.c.id))


def _current_rows(conn: Connection, kind: str, *conditions: Any) -> pd.DataFrame:
    rows = conn.execute(_current_query(kind, *conditions)).all()
    return typed_frame(rows, [*s.FRAME_DTYPES[kind], "report_version_id", "unit", "period"], kind,
                       extra={"report_version_id": "int64"})


def load_current(engine: Engine) -> dict[str, pd.DataFrame]:
    """The rows of every current report version, plus the list of all stored versions.

    Keys ``activities``, ``beneficiaries``, ``resources``: canonical columns plus
    ``report_version_id``, ``unit`` and ``period``. Key ``reports``: one row per stored version
    (report_version_id, unit, period, version, file_name, received_on, first_received_on (the
    received_on of version 1 of that unit-month), is_current). Read in one snapshot, as columns
    (``columnar``): a million rows load in seconds.
    """
    with snapshot(engine) as reader:
        data = {kind: typed(reader.frame(_current_query(kind)), kind, extra={"report_version_id": "int64"})
                for kind in s.ROW_KINDS}
        data["reports"] = _reports_frame(reader.frame(_reports_query()))
    return data


def current_report(engine: Engine, unit: str, period: str) -> dict[str, Any] | None:
    """The stored current version of one (unit, month): its id, version, sha256 and rows; None if none."""
    rv = s.report_versions
    with engine.connect() as conn:
        head = conn.execute(select(rv.c.id, rv.c.version, rv.c.sha256, rv.c.file_name)
                            .where(rv.c.unit == unit, rv.c.period == period, rv.c.is_current)).first()
        if head is None:
            return None
        frames = {kind: _current_rows(conn, kind, rv.c.unit == unit, rv.c.period == period) for kind in s.ROW_KINDS}
    return {"version_id": head.id, "version": head.version, "sha256": head.sha256, "file_name": head.file_name,
            "frames": frames}
