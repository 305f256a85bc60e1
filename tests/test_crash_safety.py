"""Crash safety: an ingest killed with SIGKILL at a random moment leaves the whole report or none of it.

Each run ingests a big valid report (20,000 activities, 10,000 beneficiaries, 10,000 resources:
the transaction takes about a second) for a month of its own, and is killed at a random delay;
afterwards every month in the store has either no version or one version with exactly the
expected rows, the audit log and the data version agree, and SQLite passes its integrity check.
At the end, the killed months are ingested again, uncut, into the same database.

The killed ingests are ``python -m ytsupport ingest`` commands forked from this warm process
with the report already checked (``hostile.fork_cli``), so that their time is the store's and
most kills land inside the transaction; with ``CI=true`` (or ``YTSUPPORT_TEST_HEAVY=1``) two more
runs per database kill real ``python -m ytsupport ingest`` processes (reader process included)
around the moment their transaction runs. The random seed is printed (``YTSUPPORT_TEST_SEED`` to replay).
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Engine, func, select, text

from tests import hostile
from tests.hostile import cli_env, heavy_enabled
from ytsupport.ingest.records import Report
from ytsupport.ingest.validate import validate_file
from ytsupport.store import get_engine
from ytsupport.store import tables as s

ROOT = Path(__file__).resolve().parent.parent
ROWS = {"activities": 20_000, "beneficiaries": 10_000, "resources": 10_000}
FORKED_KILLS = 5 if heavy_enabled() else 4
REAL_KILLS = 2 if heavy_enabled() else 0
SEED = int(os.environ.get("YTSUPPORT_TEST_SEED", time.time_ns() % 1_000_000))
FIGURES: list[str] = []


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """One big report per month (1 + kills): {path: Report}. The first is checked; the others, for
    the forked runs, are copies of it for their month (their files are built for the real runs only)."""
    folder = tmp_path_factory.mktemp("big")
    first = hostile.big_report(folder / "bv_da_khoa_2021_01.xlsx", month=1, **ROWS)
    report = validate_file(first)
    assert report.status == "ok" and {k: len(f) for k, f in report.frames.items()} == ROWS
    checked = {str(first): report}
    for month in range(2, 2 + FORKED_KILLS + REAL_KILLS):
        path = folder / f"bv_da_khoa_2021_{month:02d}.xlsx"
        if month >= 2 + FORKED_KILLS:
            hostile.big_report(path, month=month, **ROWS)
        checked[str(path)] = dataclasses.replace(report, path=str(path), file_name=path.name,
                                                 period=f"2021-{month:02d}", sha256=f"{month:064x}")
    return checked


@pytest.fixture(scope="module", autouse=True)
def print_figures() -> Iterator[None]:
    yield
    if FIGURES:
        print(f"\ncrash safety (seed {SEED}):\n  " + "\n  ".join(FIGURES))


def check_store(engine: Engine, dialect: str) -> dict[str, int]:
    """Every stored month whole; returns {period: versions}. Fails on any half-stored trace."""
    rv = s.report_versions
    with engine.connect() as conn:
        versions = conn.execute(select(rv.c.id, rv.c.period, rv.c.version, rv.c.is_current)).all()
        for v in versions:
            counts = {kind: conn.execute(select(func.count()).select_from(s.TABLES[kind])
                                         .where(s.TABLES[kind].c.report_version_id == v.id)).scalar_one()
                      for kind in ROWS}
            assert counts == ROWS, f"{v.period} v{v.version}: {counts}"
            assert v.is_current and v.version == 1
        for kind in ROWS:
            total = conn.execute(select(func.count()).select_from(s.TABLES[kind])).scalar_one()
            assert total == ROWS[kind] * len(versions), kind
        ingests = conn.execute(select(func.count()).select_from(s.audit_log)
                               .where(s.audit_log.c.action == "ingest")).scalar_one()
        assert ingests == len(versions)
        data_version = conn.execute(select(s.meta.c.value).where(s.meta.c.key == s.DATA_VERSION_KEY)).scalar()
        assert int(data_version or 0) == len(versions)
        if dialect == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    periods = [v.period for v in versions]
    assert len(periods) == len(set(periods))
    return {p: 1 for p in periods}


def forked_ingest(db_url: str, path: str, reports: dict[str, Report], out: Path, name: str) -> Any:
    return hostile.fork_cli(["ingest", "--db", db_url, "--received-on", "2021-12-01", "--json", path],
                            out, name, reports)


def test_killed_ingests_store_all_or_nothing(db_url: str, reports: dict[str, Report], tmp_path: Path) -> None:
    dialect = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    paths = list(reports)
    rng = random.Random(f"{SEED}-{dialect}")
    engine = get_engine(db_url)
    try:
        started = time.perf_counter()  # an uncut run: how long a forked ingest takes
        child = forked_ingest(db_url, paths[0], reports, tmp_path, "uncut")
        child.join(60)
        uncut = time.perf_counter() - started
        assert child.exitcode == 0, (tmp_path / "uncut.err").read_text()
        assert json.loads((tmp_path / "uncut.out").read_text())["files"][0]["status"] == "stored"
        check_store(engine, dialect)
        killed = []
        for i, path in enumerate(paths[1:1 + FORKED_KILLS], start=1):
            delay = rng.uniform(0.05, uncut * 1.1)
            child = forked_ingest(db_url, path, reports, tmp_path, f"kill{i}")
            time.sleep(delay)
            os.kill(child.pid, signal.SIGKILL)
            child.join(30)
            stored = check_store(engine, dialect)
            whole = reports[path].period in stored
            began = (tmp_path / f"kill{i}.began").exists()
            where = "after the commit" if whole else ("inside the transaction" if began else "before it")
            FIGURES.append(f"{dialect:<10} forked ingest killed at {delay:5.2f} s of {uncut:4.2f} s, {where}: "
                           f"{'whole report' if whole else 'nothing'} stored")
            if not whole:
                killed.append(path)
        killed += real_kills(db_url, paths[1 + FORKED_KILLS:], engine, dialect, rng, tmp_path)
        if killed:  # the database recovers: the same files go in, uncut
            child = hostile.fork_cli(["ingest", "--db", db_url, "--json", *killed], tmp_path, "again", reports)
            child.join(120)
            assert child.exitcode == 0, (tmp_path / "again.err").read_text()
        assert len(check_store(engine, dialect)) == len(paths[:1 + FORKED_KILLS + REAL_KILLS])
    finally:
        engine.dispose()


def real_kills(db_url: str, paths: list[str], engine: Engine, dialect: str, rng: random.Random,
               tmp_path: Path) -> list[str]:
    """Kill real `python -m ytsupport ingest` processes (and their reader) around their transaction."""
    if not paths:
        return []
    env = cli_env(tmp_path)
    command = [sys.executable, "-m", "ytsupport", "ingest", "--db", db_url, "--received-on", "2021-12-01"]
    checked = hostile.run_measured([sys.executable, "-m", "ytsupport", "validate", paths[0]], env=env, cwd=ROOT)
    assert checked.returncode == 0, checked.stdout[-2000:]
    killed = []
    for path in paths:
        delay = rng.uniform(checked.seconds - 0.3, checked.seconds + 1.5)
        proc = subprocess.Popen([*command, path], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its reader process, nothing else
        proc.wait(30)
        stored = check_store(engine, dialect)
        whole = Path(path).stem[-7:].replace("_", "-") in stored
        FIGURES.append(f"{dialect:<10} `python -m ytsupport ingest` killed at {delay:5.2f} s "
                       f"(validate alone {checked.seconds:4.2f} s): {'whole report' if whole else 'nothing'} stored")
        if not whole:
            killed.append(path)
    return killed
