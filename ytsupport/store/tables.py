"""The store's tables (SQLAlchemy 2 Core), the canonical frame columns, and the migrations.

The same tables serve SQLite (embedded file) and PostgreSQL. The schema is created on first use
and versioned in ``meta`` (key ``schema_version``); each entry of ``MIGRATIONS`` upgrades a
database by one version, inside the caller's transaction. A fresh database is created from the
current metadata directly; ``tests/test_store.py`` checks that migrating from version 1 gives
the same tables.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (Boolean, Column, Connection, Date, DateTime, Float, ForeignKey, Index, Integer,
                        MetaData, String, Table, Text, UniqueConstraint, func, inspect, select, update)

SCHEMA_VERSION_KEY = "schema_version"
DATA_VERSION_KEY = "data_version"

# Canonical columns of each report frame and their pandas dtypes (as built by the validator and
# returned by ``load_current``). ``sheet`` and ``row`` locate a row in the file it came from.
FRAME_DTYPES: dict[str, dict[str, str]] = {
    "activities": {
        "sheet": "object", "row": "Int64", "date": "datetime64[ns]", "activity_type": "object",
        "title": "object", "location": "object", "at_centre": "bool", "district": "object",
        "people_served": "Int64", "disabled": "Int64", "orphans": "Int64", "elderly": "Int64",
        "volunteers": "Int64", "cost_vnd": "Float64", "notes": "object",
    },
    "beneficiaries": {
        "sheet": "object", "row": "Int64", "person_id": "object", "person_key": "object",
        "full_name": "object", "birth_year": "Int64", "sex": "object", "categories": "object",
        "district": "object", "commune": "object", "needs": "object", "surveyed_on": "datetime64[ns]",
        "supported": "bool", "has_bhyt": "bool",
    },
    "resources": {
        "sheet": "object", "row": "Int64", "date": "datetime64[ns]", "donor": "object",
        "donor_type": "object", "item": "object", "description": "object", "quantity": "float64",
        "unit_of_measure": "object", "value_vnd": "Float64", "recipient": "object", "notes": "object",
    },
}
ROW_KINDS: tuple[str, ...] = tuple(FRAME_DTYPES)
# The date that places a row of each kind in time (what an as-of date cuts on).
DATE_COLUMNS: dict[str, str] = {"activities": "date", "beneficiaries": "surveyed_on", "resources": "date"}


def _row_tables(md: MetaData) -> dict[str, Table]:
    """The three tables of report rows; each row references the report version it came from."""
    def version_fk() -> Column:
        return Column("report_version_id", Integer, ForeignKey("report_versions.id", ondelete="CASCADE"),
                      nullable=False, index=True)

    activities = Table(
        "activities", md,
        Column("id", Integer, primary_key=True), version_fk(),
        Column("sheet", Text), Column("row", Integer),
        Column("date", Date, nullable=False), Column("activity_type", String(40), nullable=False),
        Column("title", Text), Column("location", Text),
        Column("at_centre", Boolean, nullable=False, default=False), Column("district", String(40)),
        Column("people_served", Integer, nullable=False), Column("disabled", Integer),
        Column("orphans", Integer), Column("elderly", Integer), Column("volunteers", Integer),
        Column("cost_vnd", Float), Column("notes", Text),
    )
    beneficiaries = Table(
        "beneficiaries", md,
        Column("id", Integer, primary_key=True), version_fk(),
        Column("sheet", Text), Column("row", Integer),
        Column("person_id", Text), Column("person_key", String(128), nullable=False, index=True),
        Column("full_name", Text), Column("birth_year", Integer), Column("sex", String(8)),
        Column("categories", Text), Column("district", String(40)), Column("commune", Text),
        Column("needs", Text), Column("surveyed_on", Date),
        Column("supported", Boolean, nullable=False, default=False),
        Column("has_bhyt", Boolean, nullable=False, default=False),
    )
    resources = Table(
        "resources", md,
        Column("id", Integer, primary_key=True), version_fk(),
        Column("sheet", Text), Column("row", Integer),
        Column("date", Date, nullable=False), Column("donor", Text), Column("donor_type", String(40)),
        Column("item", String(40), nullable=False), Column("description", Text),
        Column("quantity", Float, nullable=False), Column("unit_of_measure", Text),
        Column("value_vnd", Float), Column("recipient", Text), Column("notes", Text),
    )
    return {"activities": activities, "beneficiaries": beneficiaries, "resources": resources}


def _version_1_tables(md: MetaData) -> dict[str, Table]:
    """The tables as first shipped (schema version 1)."""
    units = Table(
        "units", md,
        Column("code", String(64), primary_key=True),
        Column("name_vi", Text), Column("counts_for_reporting", Boolean),
    )
    meta = Table(
        "meta", md,
        Column("key", String(64), primary_key=True), Column("value", Integer, nullable=False),
    )
    report_versions = Table(
        "report_versions", md,
        Column("id", Integer, primary_key=True),
        Column("unit", String(64), ForeignKey("units.code"), nullable=False),
        Column("period", String(7), nullable=False),
        Column("version", Integer, nullable=False),
        Column("file_name", Text), Column("sha256", String(64), nullable=False),
        Column("received_on", Date, nullable=False),
        Column("uploaded_at", DateTime(timezone=True), nullable=False),
        Column("uploaded_by", Text, nullable=False),
        Column("is_current", Boolean, nullable=False),
        UniqueConstraint("unit", "period", "version", name="uq_report_versions_unit_period_version"),
    )
    return {"units": units, "meta": meta, "report_versions": report_versions, **_row_tables(md)}


def _version_2_additions(md: MetaData, tables: dict[str, Table]) -> tuple[Table, Index]:
    """Version 2: the audit log, and at most one current version per (unit, month)."""
    audit_log = Table(
        "audit_log", md,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor", Text, nullable=False), Column("action", String(40), nullable=False),
        Column("details", Text),
    )
    rv = tables["report_versions"]
    one_current = Index("uq_report_versions_one_current", rv.c.unit, rv.c.period, unique=True,
                        sqlite_where=rv.c.is_current, postgresql_where=rv.c.is_current)
    return audit_log, one_current


def _version_3_additions(md: MetaData) -> Table:
    """Version 3: meeting snapshots (the status and key aggregates frozen under a name)."""
    return Table(
        "snapshots", md,
        Column("id", Integer, primary_key=True),
        Column("name", String(200), nullable=False),
        Column("as_of", Date, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", Text, nullable=False),
        Column("plan", String(64), nullable=False),
        Column("data_version", Integer, nullable=False),
        Column("status_json", Text, nullable=False),
        Column("aggregates_json", Text, nullable=False),
        UniqueConstraint("name", name="uq_snapshots_name"),
    )


def _version_4_additions(md: MetaData) -> Table:
    """Version 4: plans made and edited in the app, every saved version kept (the YAML text)."""
    return Table(
        "plan_versions", md,
        Column("id", Integer, primary_key=True),
        Column("plan_id", String(64), nullable=False),
        Column("version", Integer, nullable=False),
        Column("yaml", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", Text, nullable=False),
        Column("note", Text),
        UniqueConstraint("plan_id", "version", name="uq_plan_versions"),
    )


def _version_5_additions(md: MetaData) -> Table:
    """Version 5: the meeting report's edited texts (office comments per target, the drafted
    assessment, next steps and proposals), append-only: every save is a new row, the latest wins."""
    return Table(
        "meeting_texts", md,
        Column("id", Integer, primary_key=True),
        Column("scope", String(80), nullable=False),  # "as_of:YYYY-MM-DD" or "snapshot:<id>"
        Column("key", String(120), nullable=False),  # "comment:<target id>", "assessment", ...
        Column("text", Text, nullable=False),
        Column("author", Text, nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Index("ix_meeting_texts_scope", "scope", "key"),
    )


def _current_metadata() -> tuple[MetaData, dict[str, Table], Index]:
    md = MetaData()
    tables = _version_1_tables(md)
    audit_log, one_current = _version_2_additions(md, tables)
    tables["audit_log"] = audit_log
    tables["snapshots"] = _version_3_additions(md)
    tables["plan_versions"] = _version_4_additions(md)
    tables["meeting_texts"] = _version_5_additions(md)
    return md, tables, one_current


metadata, TABLES, ONE_CURRENT_INDEX = _current_metadata()
units: Table = TABLES["units"]
meta: Table = TABLES["meta"]
report_versions: Table = TABLES["report_versions"]
activities: Table = TABLES["activities"]
beneficiaries: Table = TABLES["beneficiaries"]
resources: Table = TABLES["resources"]
audit_log: Table = TABLES["audit_log"]
snapshots: Table = TABLES["snapshots"]
plan_versions: Table = TABLES["plan_versions"]
meeting_texts: Table = TABLES["meeting_texts"]


# ---------------------------------------------------------------------------------------------
# Migrations


@dataclass(frozen=True)
class Migration:
    """Upgrades a database from ``version - 1`` to ``version`` inside the given transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def create_version_1(conn: Connection) -> None:
    """Create the version-1 tables (the first migration; also used by the migration test)."""
    md = MetaData()
    _version_1_tables(md)
    md.create_all(conn)
    conn.execute(meta.insert(), [{"key": SCHEMA_VERSION_KEY, "value": 1}, {"key": DATA_VERSION_KEY, "value": 0}])


def _migrate_to_2(conn: Connection) -> None:
    """Add the audit log and the one-current index (demoting duplicate current versions first)."""
    audit_log.create(conn, checkfirst=True)
    rv = report_versions
    keep = (select(func.max(rv.c.id)).where(rv.c.is_current).group_by(rv.c.unit, rv.c.period))
    conn.execute(update(rv).where(rv.c.is_current, rv.c.id.not_in(keep)).values(is_current=False))
    ONE_CURRENT_INDEX.create(conn, checkfirst=True)


def _migrate_to_3(conn: Connection) -> None:
    """Add the snapshots table."""
    snapshots.create(conn, checkfirst=True)


def _migrate_to_4(conn: Connection) -> None:
    """Add the plan versions table."""
    plan_versions.create(conn, checkfirst=True)


def _migrate_to_5(conn: Connection) -> None:
    """Add the meeting texts table."""
    meeting_texts.create(conn, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "report versions, rows, units, meta", create_version_1),
    Migration(2, "audit log; at most one current version per (unit, month)", _migrate_to_2),
    Migration(3, "meeting snapshots", _migrate_to_3),
    Migration(4, "plan versions", _migrate_to_4),
    Migration(5, "meeting texts (office comments, edited drafts)", _migrate_to_5),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 when it has no tables yet)."""
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(meta.c.value).where(meta.c.key == SCHEMA_VERSION_KEY)).scalar()
    return int(value or 0)


def create_or_migrate(conn: Connection) -> int:
    """Bring the database up to ``LATEST_VERSION`` in the caller's transaction; return the old version."""
    current = schema_version(conn)
    if current == 0:
        metadata.create_all(conn)
        conn.execute(meta.insert(), [{"key": SCHEMA_VERSION_KEY, "value": LATEST_VERSION},
                                     {"key": DATA_VERSION_KEY, "value": 0}])
        return 0
    if current > LATEST_VERSION:
        raise RuntimeError(f"the database has schema version {current}, newer than this program "
                           f"({LATEST_VERSION}): upgrade ytsupport")
    for migration in MIGRATIONS:
        if migration.version > current:
            migration.apply(conn)
    if current < LATEST_VERSION:
        conn.execute(update(meta).where(meta.c.key == SCHEMA_VERSION_KEY).values(value=LATEST_VERSION))
    return current
