"""Concurrent ingests: 20 at once into SQLite and PostgreSQL, none lost, none doubled, none refused.

* 20 distinct reports of one unit-month at once: versions 1..20 without a gap, exactly one current
  (the last one stored), every command exiting 0;
* the same report 20 times at once: 1 ``stored`` and 19 ``unchanged``, one version;
* never a "database is locked" (or any traceback) reaching the user.

Each ingest is ``python -m ytsupport ingest`` forked from this warm process (``hostile.fork_cli``,
the file read in the child: interpreter and reader start-up would otherwise be nearly all the
time, ~2.5 s of CPU per ingest); with ``CI=true`` (or ``YTSUPPORT_TEST_HEAVY=1``) 10 real
``python -m ytsupport ingest`` processes, reader processes and all, also run at once on SQLite.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from tests import hostile
from tests.hostile import HEAVY_REASON, cli_env, heavy_enabled, run_measured
from ytsupport.ingest.validate import validate_raw
from ytsupport.ingest.worker import read_in_process
from ytsupport.store import get_engine, history
from ytsupport.store import tables as s

ROOT = Path(__file__).resolve().parent.parent
N = 20
REAL_N = 10
SIZES = {"activities": 30, "beneficiaries": 10, "resources": 10}
FIGURES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Load what every ingest loads once (reference data, header tables) before forking."""
    path = hostile.big_report(tmp_path_factory.mktemp("warm") / "bv_da_khoa_2021_06.xlsx", **SIZES)
    assert validate_raw(read_in_process(path), path).status == "ok"


@pytest.fixture(scope="module", autouse=True)
def print_figures() -> Iterator[None]:
    yield
    if FIGURES:
        print("\nconcurrency:\n  " + "\n  ".join(FIGURES))


def distinct_reports(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [hostile.big_report(folder / f"bv_da_khoa_2021_06_{i:02d}.xlsx", variant=i, **SIZES) for i in range(1, N + 1)]


def same_report(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    first = hostile.big_report(folder / "bv_da_khoa_2021_06_00.xlsx", **SIZES)
    copies = [first]
    for i in range(1, N):
        copies.append(Path(shutil.copyfile(first, folder / f"bv_da_khoa_2021_06_{i:02d}.xlsx")))
    return copies


def forked_ingests(db_url: str, paths: list[Path], out: Path) -> tuple[list[int], list[dict], str, float]:
    """Start one forked ingest per path at once; (exit codes, JSON records, all output, seconds)."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    children = [hostile.fork_cli(["ingest", "--db", db_url, "--received-on", "2021-07-05", "--json", str(p)],
                                 out, f"i{i:02d}") for i, p in enumerate(paths)]
    for child in children:
        child.join(120)
    seconds = time.perf_counter() - started
    texts = [(out / f"i{i:02d}.out").read_text() + (out / f"i{i:02d}.err").read_text() for i in range(len(paths))]
    records = [json.loads((out / f"i{i:02d}.out").read_text())["files"][0] for i in range(len(paths))
               if (out / f"i{i:02d}.out").stat().st_size]
    return [c.exitcode for c in children], records, "\n".join(texts), seconds


def check_output(codes: list[int], records: list[dict], output: str, n: int = N) -> None:
    assert codes == [0] * n, (codes, output[-3000:])
    assert len(records) == n
    lowered = output.lower()
    assert "database is locked" not in lowered and "traceback" not in lowered and "error:" not in lowered


def backend(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


def versions(db_url: str) -> list[dict]:
    engine = get_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = {kind: conn.execute(select(func.count()).select_from(s.TABLES[kind])).scalar_one()
                    for kind in SIZES}
        found = history(engine)
    finally:
        engine.dispose()
    current = [v for v in found if v["is_current"]]
    assert len(current) == 1
    assert rows == {kind: n * len(found) for kind, n in SIZES.items()}  # no row lost or doubled
    return found


def test_twenty_distinct_reports_at_once(db_url: str, tmp_path: Path) -> None:
    codes, records, output, seconds = forked_ingests(db_url, distinct_reports(tmp_path / "files"), tmp_path / "out")
    check_output(codes, records, output)
    assert sorted(r["status"] for r in records) == ["replaced"] * (N - 1) + ["stored"]
    found = versions(db_url)
    assert sorted(v["version"] for v in found) == list(range(1, N + 1))
    assert [v["version"] for v in found if v["is_current"]] == [N]
    assert len({v["sha256"] for v in found}) == N
    FIGURES.append(f"{backend(db_url):<10} 20 distinct reports, 20 forked ingests at once: {seconds:5.2f} s")


def test_the_same_report_twenty_times_at_once(db_url: str, tmp_path: Path) -> None:
    codes, records, output, seconds = forked_ingests(db_url, same_report(tmp_path / "files"), tmp_path / "out")
    check_output(codes, records, output)
    assert sorted(r["status"] for r in records) == ["stored"] + ["unchanged"] * (N - 1)
    found = versions(db_url)
    assert [v["version"] for v in found] == [1]
    FIGURES.append(f"{backend(db_url):<10} the same report, 20 forked ingests at once: {seconds:5.2f} s")


@pytest.mark.skipif(not heavy_enabled(), reason=HEAVY_REASON)
def test_real_ingest_commands_at_once_on_sqlite(tmp_path: Path) -> None:
    """The real thing: 10 `python -m ytsupport ingest` processes, each with its reader process, on
    SQLite (where "database is locked" would come from)."""
    db_url = f"sqlite:///{tmp_path / 'db' / 'ytsupport.sqlite'}"
    paths = distinct_reports(tmp_path / "files")[:REAL_N]
    env = cli_env(tmp_path)
    command = [sys.executable, "-m", "ytsupport", "ingest", "--db", db_url, "--received-on", "2021-07-05", "--json"]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=REAL_N) as executor:
        runs = list(executor.map(lambda p: run_measured([*command, str(p)], env=env, timeout=300, cwd=ROOT), paths))
    seconds = time.perf_counter() - started
    output = "\n".join(r.stdout + r.stderr for r in runs)
    records = [json.loads(r.stdout)["files"][0] for r in runs if r.stdout.strip()]
    check_output([r.returncode for r in runs], records, output, REAL_N)
    found = versions(db_url)
    assert sorted(v["version"] for v in found) == list(range(1, REAL_N + 1))
    FIGURES.append(f"sqlite     {REAL_N} real `python -m ytsupport ingest` at once: {seconds:5.2f} s "
                   f"(slowest {max(r.seconds for r in runs):.2f} s, peak RSS {max(r.max_rss_mb for r in runs):.0f} MB)")
