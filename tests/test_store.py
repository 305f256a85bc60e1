"""The store: one transaction per report, versions, revert, concurrency, backups, migrations.

Every test taking ``engine`` or ``db_url`` runs on SQLite and on PostgreSQL (see conftest.py).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.factories import activity, beneficiary, make_report, resource
from ytsupport.store import (StoreError, audit_entries, backup, data_version, get_engine, history, load_current,
                             restore, revert, store_report, sync_units)
from ytsupport.commands import data as commands
from ytsupport.store import storing as store_ingest
from ytsupport.store import tables as s
from ytsupport.store.engine import ensure_schema, normalise_url, write_transaction

JUNE = date(2021, 7, 5)


def _report(n: int = 1, unit: str = "bv_da_khoa", period: str = "2021-06", **kw: Any):
    """A small report whose content (and so sha256) depends on ``n``."""
    return make_report(unit, period, activities=[activity("2021-06-15", "kham_benh", 100 + n, centre=True),
                                                 activity("2021-06-20", "vui_choi", 10 + n)], **kw)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _versions(engine: Engine, unit: str = "bv_da_khoa", period: str = "2021-06") -> list[dict[str, Any]]:
    return history(engine, unit=unit, period=period)


# ---------------------------------------------------------------------------------------------
# Engine and schema


def test_postgresql_url_uses_psycopg3() -> None:
    assert normalise_url("postgresql://u@h:5432/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.sqlite").drivername == "sqlite"


def test_sqlite_engine_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'db.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()
    assert (tmp_path / "deep" / "folder" / "db.sqlite").is_file()


def test_schema_is_created_on_first_use_with_counters(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= {"units", "report_versions", "activities", "beneficiaries",
                                                      "resources", "audit_log", "meta"}
    with engine.connect() as conn:
        assert s.schema_version(conn) == s.LATEST_VERSION
    assert data_version(engine) == 0
    assert ensure_schema(engine) == s.LATEST_VERSION  # idempotent


def _describe(engine: Engine) -> dict[str, Any]:
    """Tables, columns, keys and indexes as the database reports them."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        out[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]),
                               json.dumps(i.get("dialect_options", {}), sort_keys=True, default=str))
                              for i in insp.get_indexes(table)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
        }
    return out


def test_migrating_from_version_1_gives_the_same_tables(db_url: str) -> None:
    fresh = get_engine(db_url)
    from_scratch = _describe(fresh)
    s.metadata.drop_all(fresh)
    with write_transaction(fresh) as conn:
        s.create_version_1(conn)
        conn.execute(s.units.insert().values(code="bv_da_khoa"))
        for version in (1, 2):  # version 1 allowed two current versions: the migration keeps the last
            conn.execute(s.report_versions.insert().values(
                unit="bv_da_khoa", period="2021-06", version=version, sha256=f"{version}" * 64,
                received_on=JUNE, uploaded_at=pd.Timestamp.now(tz="UTC"), uploaded_by="t", is_current=True))
    assert ensure_schema(fresh) == 1
    assert _describe(fresh) == from_scratch
    assert [(v["version"], v["is_current"]) for v in _versions(fresh)] == [(1, False), (2, True)]
    with fresh.connect() as conn:
        assert s.schema_version(conn) == s.LATEST_VERSION
    fresh.dispose()


def test_database_allows_one_current_version_per_unit_month(engine: Engine) -> None:
    store_report(engine, _report(1), received_on=JUNE)
    store_report(engine, _report(2), received_on=JUNE)
    with pytest.raises(IntegrityError):
        with write_transaction(engine) as conn:
            conn.execute(update(s.report_versions).values(is_current=True))


# ---------------------------------------------------------------------------------------------
# Storing: stored / unchanged / replaced / re-current


def test_first_report_is_stored_with_all_rows(engine: Engine) -> None:
    report = make_report(activities=[activity("2021-06-15", "kham_benh", 120, centre=True, disabled=20, cost_vnd=1.5e6)],
                         beneficiaries=[beneficiary("Nguyễn Văn A"), beneficiary("B", store_names=False)],
                         resources=[resource("2021-06-15", "the_bhyt", 2, 1_400_000)])
    result = store_report(engine, report, received_on=JUNE, uploaded_by="tester")
    assert (result.status, result.version, result.rows) == ("stored", 1,
                                                          {"activities": 1, "beneficiaries": 2, "resources": 1})
    assert data_version(engine) == 1
    [row] = history(engine)
    assert row["uploaded_at"].endswith("+00:00")
    assert (row["unit"], row["period"], row["version"], row["is_current"], row["received_on"],
            row["uploaded_by"], row["sha256"]) == ("bv_da_khoa", "2021-06", 1, True, "2021-07-05", "tester",
                                                   report.sha256)
    assert audit_entries(engine)[0]["action"] == "ingest"


@pytest.mark.parametrize("arrow_driver", [True, False], ids=["as-configured", "no-arrow-driver"])
def test_load_current_gives_back_the_canonical_frames(engine: Engine, arrow_driver: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same frames whichever way the columns come (on PostgreSQL: ADBC, or psycopg without it)."""
    if not arrow_driver:
        from ytsupport.store import columnar

        monkeypatch.setattr(columnar, "_adbc_connection", lambda engine: None)
    report = make_report(activities=[activity("2021-06-15", "kham_benh", 120, centre=True, disabled=20, cost_vnd=1.5e6),
                                     activity("2021-06-16", "vui_choi", 5)],
                         beneficiaries=[beneficiary("Nguyễn Văn A", has_bhyt=True), beneficiary("B", store_names=False)],
                         resources=[resource("2021-06-15", "the_bhyt", 2, 1_400_000, donor_type=None)])
    store_report(engine, report, received_on=JUNE)
    data = load_current(engine)
    for kind in s.ROW_KINDS:
        got = data[kind]
        assert list(got.columns) == [*s.FRAME_DTYPES[kind], "report_version_id", "unit", "period"]
        assert {c: str(t) for c, t in got[list(s.FRAME_DTYPES[kind])].dtypes.items()} == s.FRAME_DTYPES[kind]
        pd.testing.assert_frame_equal(got[list(s.FRAME_DTYPES[kind])], report.frames[kind], check_dtype=True)
        assert set(got["unit"]) == {"bv_da_khoa"} and set(got["period"]) == {"2021-06"}
    reports = data["reports"]
    assert reports[["unit", "period", "version", "is_current"]].values.tolist() == [["bv_da_khoa", "2021-06", 1, True]]
    assert reports["first_received_on"].tolist() == [pd.Timestamp(JUNE)]


def test_same_file_as_current_is_unchanged(engine: Engine) -> None:
    first = store_report(engine, _report(1), received_on=JUNE)
    again = store_report(engine, _report(1), received_on=date(2021, 7, 20))
    assert again.status == "unchanged" and again.version_id == first.version_id
    assert len(_versions(engine)) == 1 and data_version(engine) == 1
    assert _count(engine, s.activities) == 2 and len(audit_entries(engine)) == 1


def test_new_file_replaces_current_and_keeps_history(engine: Engine) -> None:
    store_report(engine, _report(1), received_on=JUNE)
    second = store_report(engine, _report(2), received_on=date(2021, 7, 20))
    assert (second.status, second.version) == ("replaced", 2)
    assert [(v["version"], v["is_current"]) for v in _versions(engine)] == [(1, False), (2, True)]
    data = load_current(engine)
    assert data["activities"]["people_served"].tolist() == [102, 12]  # only the current version counts
    reports = data["reports"]
    assert reports["first_received_on"].tolist() == [pd.Timestamp(JUNE)] * 2
    assert _count(engine, s.activities) == 4  # history kept


def test_file_identical_to_an_older_version_becomes_current_again(engine: Engine) -> None:
    one = store_report(engine, _report(1), received_on=JUNE)
    store_report(engine, _report(2), received_on=JUNE)
    again = store_report(engine, _report(1), received_on=JUNE)
    assert (again.status, again.version_id, again.version) == ("replaced", one.version_id, 1)
    assert [(v["version"], v["is_current"]) for v in _versions(engine)] == [(1, True), (2, False)]
    assert load_current(engine)["activities"]["people_served"].tolist() == [101, 11]
    assert data_version(engine) == 3 and _count(engine, s.activities) == 4


def test_nil_report_is_stored_and_counts_as_received(engine: Engine) -> None:
    result = store_report(engine, make_report("bhxh", "2021-05"), received_on=date(2021, 6, 3))
    assert result.status == "stored" and result.rows == {"activities": 0, "beneficiaries": 0, "resources": 0}
    reports = load_current(engine)["reports"]
    assert reports[["unit", "period", "is_current"]].values.tolist() == [["bhxh", "2021-05", True]]


def test_report_without_frames_at_all_is_a_nil_report(engine: Engine) -> None:
    report = make_report("bhxh", "2021-05", kinds=[])
    assert store_report(engine, report, received_on=JUNE).status == "stored"


def test_unknown_unit_is_listed_on_first_report(engine: Engine) -> None:
    store_report(engine, _report(1, unit="new_branch"), received_on=JUNE)
    sync_units(engine, [{"code": "bhxh", "name_vi": "Chi đoàn BHXH tỉnh", "counts_for_reporting": True},
                        {"code": "new_branch", "name_vi": "Chi đoàn mới"}])
    with engine.connect() as conn:
        assert conn.execute(select(s.units.c.code, s.units.c.name_vi).order_by(s.units.c.code)).all() == [
            ("bhxh", "Chi đoàn BHXH tỉnh"), ("new_branch", "Chi đoàn mới")]


@pytest.mark.parametrize("status", ["invalid", "unreadable"])
def test_report_that_is_not_ok_is_never_stored(engine: Engine, status: str) -> None:
    with pytest.raises(ValueError, match="status 'ok'"):
        store_report(engine, _report(1, status=status), received_on=JUNE)
    assert _count(engine, s.report_versions) == 0


def _assert_nothing_stored(engine: Engine) -> None:
    for table in (s.report_versions, s.activities, s.beneficiaries, s.resources, s.audit_log, s.units):
        assert _count(engine, table) == 0, table.name
    assert data_version(engine) == 0


def test_a_failing_row_leaves_nothing(engine: Engine) -> None:
    good = [activity("2021-06-15", "kham_benh", 100, centre=True)] * 3
    bad_resource = resource("2021-06-15", "qua", 1, 0) | {"item": None}  # violates NOT NULL, last table stored
    report = make_report(activities=good, beneficiaries=[beneficiary("A")], resources=[resource("2021-06-01"), bad_resource])
    with pytest.raises(IntegrityError):
        store_report(engine, report, received_on=JUNE)
    _assert_nothing_stored(engine)


def test_a_large_report_is_stored_whole(engine: Engine) -> None:
    rows = [activity(f"2021-06-{i % 28 + 1:02d}", "vui_choi", i, location=f"Xã {i}", cost_vnd=None if i % 2 else 1e5)
            for i in range(store_ingest.COPY_MIN_ROWS + 100)]
    report = make_report(activities=rows, beneficiaries=[beneficiary(f"P{i}") for i in range(600)])
    store_report(engine, report, received_on=JUNE)
    data = load_current(engine)
    for kind in ("activities", "beneficiaries"):
        pd.testing.assert_frame_equal(data[kind][list(s.FRAME_DTYPES[kind])], report.frames[kind])


def test_a_failing_row_in_a_large_report_leaves_nothing(engine: Engine) -> None:
    rows = [activity("2021-06-15", "vui_choi", 5)] * store_ingest.COPY_MIN_ROWS + [activity("2021-06-15") | {"date": None}]
    with pytest.raises(IntegrityError):
        store_report(engine, make_report(activities=rows), received_on=JUNE)
    _assert_nothing_stored(engine)


def test_an_exception_mid_store_leaves_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = store_ingest._insert_rows

    def insert_then_fail(conn: Any, version_id: int, records: Any) -> None:
        real(conn, version_id, records)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_ingest, "_insert_rows", insert_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        store_report(engine, _report(1), received_on=JUNE)
    _assert_nothing_stored(engine)


def test_a_replacement_that_fails_keeps_the_previous_version_current(engine: Engine) -> None:
    store_report(engine, _report(1), received_on=JUNE)
    broken = make_report(activities=[activity("2021-06-15") | {"people_served": None}])
    with pytest.raises(IntegrityError):
        store_report(engine, broken, received_on=JUNE)
    assert [(v["version"], v["is_current"]) for v in _versions(engine)] == [(1, True)]


def test_value_that_does_not_fit_its_column_is_refused_before_writing(engine: Engine) -> None:
    report = _report(1)
    report.frames["activities"]["people_served"] = pd.Series(["many", "few"], dtype=object)
    with pytest.raises(ValueError):
        store_report(engine, report, received_on=JUNE)
    _assert_nothing_stored(engine)


# ---------------------------------------------------------------------------------------------
# History and revert


def test_history_filters_by_unit_and_period(engine: Engine) -> None:
    store_report(engine, _report(1), received_on=JUNE)
    store_report(engine, _report(2, period="2021-07"), received_on=JUNE)
    store_report(engine, _report(3, unit="bhxh"), received_on=JUNE)
    assert len(history(engine)) == 3
    assert [(h["unit"], h["period"]) for h in history(engine, unit="bv_da_khoa")] == [
        ("bv_da_khoa", "2021-06"), ("bv_da_khoa", "2021-07")]
    assert [h["unit"] for h in history(engine, period="2021-06")] == ["bhxh", "bv_da_khoa"]
    assert history(engine, unit="bhxh")[0]["rows"] == {"activities": 2, "beneficiaries": 0, "resources": 0}


def test_revert_makes_the_previous_version_current_and_is_audited(engine: Engine) -> None:
    one = store_report(engine, _report(1), received_on=JUNE)
    two = store_report(engine, _report(2), received_on=JUNE)
    before = data_version(engine)
    result = revert(engine, two.version_id, actor="admin")
    assert (result["current_version_id"], result["current_version"], result["reverted_version"]) == (
        one.version_id, 1, 2)
    assert [(v["version"], v["is_current"]) for v in _versions(engine)] == [(1, True), (2, False)]
    assert load_current(engine)["activities"]["people_served"].tolist() == [101, 11]
    assert data_version(engine) == before + 1
    entry = audit_entries(engine)[0]
    assert (entry["action"], entry["actor"], entry["details"]["current_version_id"]) == (
        "revert", "admin", one.version_id)


def test_revert_of_a_first_version_or_unknown_id_fails_cleanly(engine: Engine) -> None:
    one = store_report(engine, _report(1), received_on=JUNE)
    with pytest.raises(StoreError, match="no previous version"):
        revert(engine, one.version_id, actor="admin")
    with pytest.raises(StoreError, match="no stored report version"):
        revert(engine, 9999, actor="admin")
    assert _versions(engine)[0]["is_current"] is True


def test_reports_stored_in_order_leave_the_last_one_current(engine: Engine) -> None:
    statuses = [store_report(engine, _report(n), received_on=JUNE).status for n in (1, 2, 3)]
    assert statuses == ["stored", "replaced", "replaced"]
    assert [v["is_current"] for v in _versions(engine)] == [False, False, True]


# ---------------------------------------------------------------------------------------------
# Concurrency: processes storing at once never lose or duplicate a report


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def test_collisions_are_retried_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_ingest.time, "sleep", lambda _s: None)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
        if len(calls) == 2:
            raise OperationalError("UPDATE", {}, _PgError("40001"))  # serialization failure
        if len(calls) == 3:
            raise IntegrityError("INSERT", {}, _PgError("23505"))  # unique violation: someone was first
        return "done"

    assert store_ingest.run_with_retries(flaky) == "done" and len(calls) == 4

    def always_locked() -> None:
        calls.append(1)
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

    calls.clear()
    with pytest.raises(OperationalError):
        store_ingest.run_with_retries(always_locked)
    assert len(calls) == store_ingest.MAX_ATTEMPTS


def test_other_database_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_ingest.time, "sleep", lambda _s: None)
    calls: list[int] = []

    def not_null() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, _PgError("23502"))

    with pytest.raises(IntegrityError):
        store_ingest.run_with_retries(not_null)
    assert len(calls) == 1


def _ingest_worker(url: str, reports: list[Any], barrier: Any, results: Any) -> None:
    engine = get_engine(url)
    barrier.wait()
    try:
        results.put([store_report(engine, r, received_on=JUNE).status for r in reports])
    except Exception as exc:  # reported to the parent, which fails the test
        results.put([f"error: {exc!r}"])
    finally:
        engine.dispose()


def _run_parallel(url: str, work: list[list[Any]]) -> list[str]:
    """Each list of reports stored by its own process, all starting together; their statuses."""
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(work)), ctx.Queue()
    procs = [ctx.Process(target=_ingest_worker, args=(url, reports, barrier, results)) for reports in work]
    for p in procs:
        p.start()
    statuses = [status for _ in procs for status in results.get(timeout=60)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert not [st for st in statuses if st.startswith("error")], statuses
    return statuses


def test_parallel_ingest_of_the_same_report_stores_it_once(engine: Engine, db_url: str) -> None:
    engine.dispose()  # no pooled connection is shared with the forked children
    statuses = _run_parallel(db_url, [[_report(1)] for _ in range(6)])
    assert sorted(statuses) == ["stored"] + ["unchanged"] * 5
    assert [(v["version"], v["is_current"]) for v in _versions(engine)] == [(1, True)]
    assert _count(engine, s.activities) == 2 and data_version(engine) == 1


def test_parallel_ingest_of_distinct_reports_loses_and_duplicates_nothing(engine: Engine, db_url: str) -> None:
    units = ["bhxh", "ldtbxh", "so_y_te", "so_gddt", "dien_luc", "agribank"]
    work = [[_report(10 + i), _report(20 + i, unit=unit)] for i, unit in enumerate(units)]
    engine.dispose()
    statuses = _run_parallel(db_url, work)
    assert sorted(statuses) == sorted(["stored"] * 7 + ["replaced"] * 5)
    shared = _versions(engine)
    assert [v["version"] for v in shared] == [1, 2, 3, 4, 5, 6]
    assert sorted(v["sha256"] for v in shared) == sorted(_report(10 + i).sha256 for i in range(6))
    assert sum(v["is_current"] for v in shared) == 1
    for i, unit in enumerate(units):
        [own] = history(engine, unit=unit)
        assert own["sha256"] == _report(20 + i, unit=unit).sha256 and own["is_current"]
    assert _count(engine, s.activities) == 2 * 12
    current = load_current(engine)
    assert len(current["activities"]) == 2 * 7 and len(current["reports"]) == 12
    assert data_version(engine) == 12


def test_processes_starting_on_a_new_database_create_the_schema_once(db_url: str) -> None:
    units = ["bv_da_khoa", "bhxh", "ldtbxh", "so_y_te", "so_gddt"]
    assert sorted(_run_parallel(db_url, [[_report(i, unit=u)] for i, u in enumerate(units)])) == ["stored"] * 5
    engine = get_engine(db_url)
    assert sorted(h["unit"] for h in history(engine)) == sorted(units)
    with engine.connect() as conn:
        assert conn.execute(select(s.meta.c.key, s.meta.c.value).order_by(s.meta.c.key)).all() == [
            ("data_version", 5), ("schema_version", s.LATEST_VERSION)]
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# Backup and restore (the embedded SQLite file)


def test_backup_and_restore_bring_back_the_data(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite"
    engine = get_engine(f"sqlite:///{db}")
    store_report(engine, _report(1), received_on=JUNE)
    copy = backup(db, tmp_path / "copies" / "backup.sqlite")
    assert copy.is_file() and not Path(f"{copy}-wal").exists()
    store_report(engine, _report(2), received_on=JUNE)
    store_report(engine, _report(3, unit="bhxh"), received_on=JUNE)
    before = data_version(engine)
    result = restore(copy, db)
    assert result["data_version"] > before and data_version(engine) == result["data_version"]
    assert Path(result["saved_previous"]).is_file()
    assert [(h["unit"], h["version"]) for h in history(engine)] == [("bv_da_khoa", 1)]
    assert load_current(engine)["activities"]["people_served"].tolist() == [101, 11]
    assert audit_entries(engine)[0]["action"] == "restore"
    engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite"
    engine = get_engine(f"sqlite:///{db}")
    store_report(engine, _report(1), received_on=JUNE)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (a)")
    for bad in (junk, other, tmp_path / "missing.sqlite"):
        with pytest.raises(StoreError):
            restore(bad, db)
    assert len(history(engine)) == 1
    engine.dispose()


def test_restore_of_a_version_1_backup_migrates_it(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    engine = get_engine(f"sqlite:///{old}", create_schema=False)
    with write_transaction(engine) as conn:
        s.create_version_1(conn)
    engine.dispose()
    db = tmp_path / "live.sqlite"
    restore(old, db)
    engine = get_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert s.schema_version(conn) == s.LATEST_VERSION
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# Command line


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a subcommand; ``validate_file`` is replaced by a table of prepared reports by path."""
    prepared: dict[str, Any] = {}
    fake = types.ModuleType("ytsupport.ingest.validate")

    def validate_file(path: str, unit: str | None = None, period: str | None = None, lang: str = "vi",
                      plan_file: Any = None, units: Any = None) -> Any:
        return prepared[path]

    fake.validate_file = validate_file  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ytsupport.ingest.validate", fake)
    parser = argparse.ArgumentParser(prog="ytsupport")
    commands.register(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        return args.func(args)

    run.prepared = prepared  # type: ignore[attr-defined]
    return run


def test_cli_ingest_stores_in_argument_order_and_reports_json(cli: Any, db_url: str, capsys: Any) -> None:
    cli.prepared.update({"a.xlsx": _report(1), "b.xlsx": _report(2), "c.xlsx": _report(1)})
    code = cli("ingest", "a.xlsx", "b.xlsx", "c.xlsx", "--db", db_url, "--received-on", "2021-07-05", "--json")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [f["status"] for f in out["files"]] == ["stored", "replaced", "replaced"]
    assert out["files"][0]["unit"] == "bv_da_khoa" and out["files"][0]["sheets"][0]["kind"] == "activities"
    engine = get_engine(db_url)
    assert [(v["version"], v["is_current"], v["received_on"]) for v in _versions(engine)] == [
        (1, True, "2021-07-05"), (2, False, "2021-07-05")]
    engine.dispose()


@pytest.mark.parametrize(("statuses", "code"), [(["ok", "invalid"], 1), (["invalid", "unreadable", "ok"], 2),
                                                (["ok"], 0)])
def test_cli_ingest_exit_codes(cli: Any, db_url: str, statuses: list[str], code: int, capsys: Any) -> None:
    paths = [f"f{i}.xlsx" for i in range(len(statuses))]
    for i, (path, st) in enumerate(zip(paths, statuses)):
        cli.prepared[path] = _report(i, unit=f"unit{i}", status=st)
    assert cli("ingest", *paths, "--db", db_url) == code
    printed = capsys.readouterr().out
    assert all(p in printed for p in paths)
    engine = get_engine(db_url)
    assert len(history(engine)) == statuses.count("ok")  # invalid and unreadable files store nothing
    engine.dispose()


def test_cli_status_history_and_revert(cli: Any, db_url: str, capsys: Any) -> None:
    cli.prepared.update({"a.xlsx": _report(1), "b.xlsx": _report(2)})
    cli("ingest", "a.xlsx", "b.xlsx", "--db", db_url, "--received-on", "2021-07-05")
    capsys.readouterr()
    assert cli("status", "--db", db_url, "--as-of", "2021-07-31", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["plan"] == "114-KH/ĐTN" and result["as_of"] == "2021-07-31"
    assert len(result["targets"]) == 19 and result["reporting"]["received"] == 1
    assert cli("status", "--db", db_url, "--as-of", "2021-07-31") == 0
    assert "checkup_monthly" in capsys.readouterr().out
    assert cli("history", "--db", db_url, "--json") == 0
    versions = json.loads(capsys.readouterr().out)["versions"]
    assert [v["is_current"] for v in versions] == [False, True]
    assert cli("revert", str(versions[1]["id"]), "--db", db_url) == 0
    capsys.readouterr()
    assert cli("revert", str(versions[0]["id"]), "--db", db_url) == 1
    assert "no previous version" in capsys.readouterr().err
    assert cli("history", "--db", db_url) == 0
    assert "bv_da_khoa" in capsys.readouterr().out


def test_cli_status_with_a_broken_plan_fails_with_a_message(cli: Any, db_url: str, tmp_path: Path,
                                                            capsys: Any) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: X\ntargets: []\n", encoding="utf-8")
    assert cli("status", "--db", db_url, "--plan", str(plan)) == 1
    assert "targets" in capsys.readouterr().err


def test_cli_backup_and_restore(cli: Any, tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    cli.prepared.update({"a.xlsx": _report(1), "b.xlsx": _report(2)})
    cli("ingest", "a.xlsx", "--db", url)
    assert cli("backup", str(tmp_path / "b.sqlite"), "--db", url) == 0
    cli("ingest", "b.xlsx", "--db", url)
    assert cli("restore", str(tmp_path / "b.sqlite"), "--db", url) == 0
    engine = get_engine(url)
    assert len(history(engine)) == 1
    engine.dispose()
    assert cli("restore", str(tmp_path / "nothing.sqlite"), "--db", url) == 1
    assert cli("backup", str(tmp_path / "x.sqlite"), "--db", "postgresql://u@localhost/db") == 1
    assert "pg_dump" in capsys.readouterr().err


def test_cli_rejects_malformed_arguments(cli: Any) -> None:
    for argv in (["ingest", "a.xlsx", "--period", "6/2021"], ["status", "--as-of", "30/06/2021"],
                 ["revert", "abc"]):
        with pytest.raises(SystemExit):
            cli(*argv)


def test_pg_sessions_see_their_own_schema(db_url: str) -> None:
    """The fixture's isolation works: a fresh database has no reports."""
    engine = get_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 0
    engine.dispose()
