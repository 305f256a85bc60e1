"""How long ``status`` takes with 1k and with 1M stored activity rows, on SQLite and PostgreSQL.

    python benchmarks/bench_status.py [--quick]

The rows are bulk-loaded directly (a year of reports of the plan's reporting units, the rows
spread over them), then, in one process: ``load_current`` (every current row from the database
into frames), ``plan.status`` over frames already held, and "in process", what ``status`` does
once the store's columnar copy is current (``store/current.py``: the copy read with Arrow and
checked against the store's versions, then the status with the previous year's figures). Target
(issue: "status at 1M rows at most 1 s"): in process, at most 1 s on each store. The PostgreSQL
part runs when ``YTSUPPORT_BENCH_PG_URL`` or ``YTSUPPORT_TEST_PG_URL`` names a database
(``eval "$(.ci/start_postgres.sh)"`` starts one); it works in a schema of its own, dropped after.
``--quick``: 1k and 100k rows.

Then the command itself, ``python -m ytsupport status --json`` in a fresh process with the data
already stored: the first run after the change (it reads the store and writes the columnar copy),
then the usual run, against a bare ``python -c "import ytsupport.cli, …"`` importing the same
modules (the interpreter, pandas, SQLAlchemy and pyarrow: about 1.1 s on the 2-core machine, which
no storage can save). Its figure is recorded against the imports plus 1 s.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved_medians, quick_flag, record, run_process, seconds, table, today_fixed  # noqa: E402

from sqlalchemy import Engine, create_engine, text  # noqa: E402

from ytsupport.figures import status_with_previous  # noqa: E402
from ytsupport.plan import load_plan, status  # noqa: E402
from ytsupport.plan.activities import count_once  # noqa: E402
from ytsupport.store.current import current_data  # noqa: E402
from ytsupport.store import tables as s  # noqa: E402
from ytsupport.store.engine import get_engine, normalise_url  # noqa: E402
from ytsupport.store.storing import RowBatch, load_current  # noqa: E402

ACTIVITY_TYPES = ["kham_benh", "tham_tang_qua", "vui_choi", "sinh_hoat_clb", "bhyt", "tap_huan", "khao_sat"]
DISTRICTS = ["tp_tra_vinh", "cang_long", "cau_ke", "tieu_can", "chau_thanh", "cau_ngang", "tra_cu", "duyen_hai"]


def pg_url() -> str | None:
    return os.environ.get("YTSUPPORT_BENCH_PG_URL") or os.environ.get("YTSUPPORT_TEST_PG_URL")


def fresh_pg_engine(base: str) -> tuple[Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = normalise_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return get_engine(url.render_as_string(hide_password=False)), schema


def drop_pg_schema(base: str, schema: str) -> None:
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def activity_columns(rng: np.random.Generator, n: int, periods: list[str]) -> dict[str, list[Any]]:
    """``n`` activity rows in the canonical columns, dated in their report's month."""
    period_of_row = np.sort(rng.integers(0, len(periods), n))
    months = np.array([int(p[5:]) for p in periods])[period_of_row]
    days = np.minimum(rng.integers(1, 29, n), 28)
    dates = [date(2021, int(m), int(d)) for m, d in zip(months, days)]
    people = rng.integers(5, 200, n)
    return {
        "sheet": ["HoatDong"] * n, "row": (np.arange(n) % 5000 + 4).tolist(), "date": dates,
        "activity_type": [ACTIVITY_TYPES[i] for i in rng.integers(0, len(ACTIVITY_TYPES), n)],
        "title": [f"Hoạt động {i}" for i in range(n)],
        "location": ["Trung tâm Bảo trợ xã hội tỉnh" if c else "Nhà văn hoá xã" for c in rng.random(n) < 0.2],
        "at_centre": (rng.random(n) < 0.2).tolist(), "district": [DISTRICTS[i] for i in rng.integers(0, 8, n)],
        "people_served": people.tolist(), "disabled": (people // 4).tolist(), "orphans": (people // 5).tolist(),
        "elderly": (people // 6).tolist(), "volunteers": rng.integers(1, 40, n).tolist(),
        "cost_vnd": (rng.integers(0, 500, n) * 10_000.0).tolist(), "notes": [None] * n,
    }, period_of_row


def bulk_load(engine: Engine, rows: int, seed: int = 114) -> None:
    """One version per reporting unit and month of 2021, ``rows`` activity rows spread over them."""
    plan = load_plan()
    units = [u.code for u in plan.reporting_units]
    pairs = [(u, m) for u in units for m in plan.months]
    rng = np.random.default_rng(seed)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(s.units.insert(), [{"code": u, "name_vi": u, "counts_for_reporting": True} for u in units])
        conn.execute(s.report_versions.insert(), [
            {"id": i + 1, "unit": u, "period": m, "version": 1, "file_name": f"{u}_{m}.xlsx", "sha256": f"{i:064d}",
             "received_on": date(2021, int(m[5:]), 3), "uploaded_at": now, "uploaded_by": "bench", "is_current": True}
            for i, (u, m) in enumerate(pairs)])
        columns, pair_of_row = activity_columns(rng, rows, [m for _, m in pairs])
        version_ids = (pair_of_row + 1).tolist()
        batch = RowBatch({**columns, "report_version_id": version_ids})
        if conn.dialect.name == "postgresql":
            _copy_all(conn, batch)
        else:
            names = list(batch.columns)
            marks = ", ".join("?" * len(names))
            values = [tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                      for row in zip(*batch.columns.values())]
            conn.exec_driver_sql(f'INSERT INTO activities ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                                 f"VALUES ({marks})", values)


def _copy_all(conn: Any, batch: RowBatch) -> None:
    names = ", ".join(f'"{c}"' for c in batch.columns)
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY activities ({names}) FROM STDIN") as copy:
        for row in zip(*batch.columns.values()):
            copy.write_row(row)
    cursor.close()


def time_status(engine: Engine, repeat: int) -> dict[str, float]:
    """In one process, medians of: ``load_current`` (every current row from the database);
    ``status()`` over frames already held; and "status in process": what ``status`` does once the
    columnar copy is current (``current_data`` reading the copy and checking it against the store,
    then the status with the previous year's figures), without the interpreter and imports."""
    plan = load_plan()
    as_of = today_fixed()
    holder: dict[str, Any] = {}

    def load() -> None:
        holder["data"] = load_current(engine)

    def compute() -> None:
        status(holder["data"], plan, as_of)

    def in_process() -> None:
        status_with_previous(current_data(engine, count_once=count_once), plan, as_of)

    load()
    current_data(engine, count_once=count_once)  # the columnar copy is current (the command wrote it)
    return interleaved_medians({"load_current": load, "status()": compute, "status in process": in_process}, repeat)


def time_command(url: str, data_dir: str, repeat: int) -> dict[str, float]:
    """Wall times of ``status --json`` as a fresh process: the first after a change (no columnar copy
    yet), then the median of the next runs, and of a bare interpreter importing the same modules."""
    argv = [sys.executable, "-m", "ytsupport", "status", "--db", url, "--json", "--as-of", today_fixed().isoformat()]
    env = {"YTSUPPORT_DATA_DIR": data_dir}
    first = run_process(argv, env)
    bare = [sys.executable, "-c", "import ytsupport.cli, ytsupport.commands.data, ytsupport.figures, ytsupport.store.current"]
    medians = interleaved_medians({"command": lambda: run_process(argv, env), "imports": lambda: run_process(bare, env)},
                                  repeat)
    return {"command first": first, "command": medians["command"], "imports": medians["imports"]}


def measure(backend: str, rows: int, repeat: int) -> dict[str, float] | None:
    base = pg_url()
    if backend == "postgresql" and not base:
        return None
    folder = tempfile.TemporaryDirectory(prefix="ytsupport-bench-")
    schema = None
    saved = os.environ.get("YTSUPPORT_DATA_DIR")
    if backend == "sqlite":
        engine = get_engine(f"sqlite:///{folder.name}/status.sqlite")
    else:
        engine, schema = fresh_pg_engine(base)  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        bulk_load(engine, rows)
        loaded = time.perf_counter() - started
        url = engine.url.render_as_string(hide_password=False)
        result = time_command(url, folder.name, repeat)  # first: its first run is the first after the load
        os.environ["YTSUPPORT_DATA_DIR"] = folder.name  # the PostgreSQL copy is there, as for the command
        result.update(time_status(engine, repeat))
        result["bulk load"] = loaded
        return result
    finally:
        if saved is None:
            os.environ.pop("YTSUPPORT_DATA_DIR", None)
        else:
            os.environ["YTSUPPORT_DATA_DIR"] = saved
        engine.dispose()
        if schema:
            drop_pg_schema(base, schema)  # type: ignore[arg-type]
        folder.cleanup()


def main() -> int:
    quick = quick_flag()
    sizes = (1_000, 100_000) if quick else (1_000, 1_000_000)
    print(f"bench_status: status with stored activity rows, {os.cpu_count()} cores"
          f"{' (--quick)' if quick else ''}; PostgreSQL: {'yes' if pg_url() else 'skipped (no URL)'}", flush=True)
    out = []
    for backend in ("sqlite", "postgresql"):
        for rows in sizes:
            result = measure(backend, rows, repeat=5 if rows <= 100_000 else 3)
            if result is None:
                out.append([backend, f"{rows:,}"] + ["-"] * 7)
                continue
            out.append([backend, f"{rows:,}", seconds(result["bulk load"]), seconds(result["load_current"]),
                        seconds(result["status()"]), seconds(result["status in process"]), seconds(result["command first"]),
                        seconds(result["command"]), seconds(result["imports"])])
            print(f"  {backend} {rows:,} rows measured", flush=True)
            if rows >= 1_000_000:
                record(f"status at {rows:,} rows, {backend}, in process (copy read and checked + status)",
                       result["status in process"], 1.0, unit="s", note=f"load_current {result['load_current']:.2f} s")
                record(f"status command at {rows:,} rows, {backend} (fresh process, of which imports)",
                       result["command"], result["imports"] + 1.0, unit="s",
                       note=f"imports alone {result['imports']:.2f} s; first after a change "
                            f"{result['command first']:.2f} s")
    print("\nstatus (median seconds): load_current reads every current row; status() computes the targets;"
          "\nin process: the columnar copy read and checked against the store, then the status;"
          "\nthe command: a fresh process, first after a change (writes the columnar copy), then usual;"
          "\nimports: a bare interpreter importing the command's modules")
    print(table(["store", "activity rows", "bulk load", "load_current", "status()", "in process",
                 "command first", "command", "imports"], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
