"""A national-scale simulation: 34 provinces x 40 units x 12 months of small reports into PostgreSQL.

    python benchmarks/bench_national.py [--quick] [--writers N]

16,320 checked reports (``Report`` objects built directly, not files: reading is bench_read's
subject) are stored with ``store_report``, one transaction each, as uploads would store them;
``--writers`` stores from N threads at once (each its own connection), as several dashboard
instances behind a load balancer would. Then ``load_current`` and ``status`` are timed over
everything stored. PostgreSQL comes from ``YTSUPPORT_BENCH_PG_URL`` or ``YTSUPPORT_TEST_PG_URL``
(``eval "$(.ci/start_postgres.sh)"``); the run uses a schema of its own, dropped after.
``--quick``: 34 x 4 units x 12 months (1,632 reports).
"""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_status import drop_pg_schema, fresh_pg_engine, pg_url  # noqa: E402
from common import quick_flag, seconds, table, today_fixed  # noqa: E402

from ytsupport.ingest.records import Report, SheetResult  # noqa: E402
from ytsupport.plan import load_plan, status  # noqa: E402
from ytsupport.store.conversion import typed_frame  # noqa: E402
from ytsupport.store.storing import load_current, store_report  # noqa: E402
from ytsupport.store.tables import FRAME_DTYPES  # noqa: E402

PROVINCES, UNITS, MONTHS = 34, 40, 12
ACTIVITIES, PEOPLE, RESOURCES = (2, 9), (0, 6), (0, 3)  # rows per report: uniform in [low, high)
TYPES = ["kham_benh", "tham_tang_qua", "vui_choi", "sinh_hoat_clb", "bhyt", "tap_huan"]
CATEGORIES = ["khuyet_tat", "mo_coi", "gia_neo_don", "ho_ngheo"]


def _frame(kind: str, rows: list[dict[str, Any]], sheet: str) -> pd.DataFrame:
    columns = list(FRAME_DTYPES[kind])
    full = [{"sheet": sheet, "row": 4 + i, **r} for i, r in enumerate(rows)]
    return typed_frame([[r.get(c) for c in columns] for r in full], columns, kind)


PER_MONTH = 20  # distinct random reports per month, reused with their own unit and hash (short set-up)


def make_frames(rng: np.random.Generator, month: int) -> dict[str, pd.DataFrame]:
    """The canonical frames of one unit's small monthly report, as the validator builds them."""
    day = lambda: f"2021-{month:02d}-{int(rng.integers(1, 29)):02d}"  # noqa: E731
    acts = [{"date": day(), "activity_type": TYPES[int(rng.integers(0, len(TYPES)))], "title": "Hoạt động",
             "location": "Trung tâm BTXH" if rng.random() < 0.2 else "Nhà văn hoá", "at_centre": bool(rng.random() < 0.2),
             "district": None, "people_served": int(rng.integers(5, 150)), "volunteers": int(rng.integers(1, 30)),
             "cost_vnd": float(rng.integers(0, 300) * 10_000)} for _ in range(int(rng.integers(*ACTIVITIES)))]
    people = [{"person_id": f"{month}-{i}-{int(rng.integers(0, 10**9))}", "full_name": None,
               "person_key": f"{int(rng.integers(0, 10**12)):032d}", "birth_year": int(rng.integers(1950, 2018)),
               "sex": "nu" if rng.random() < 0.5 else "nam", "categories": CATEGORIES[int(rng.integers(0, 4))],
               "district": None, "surveyed_on": day(), "supported": bool(rng.random() < 0.5),
               "has_bhyt": bool(rng.random() < 0.7)} for i in range(int(rng.integers(*PEOPLE)))]
    gifts = [{"date": day(), "donor": "Công ty A", "donor_type": "doanh_nghiep", "item": "qua", "quantity": 10.0,
              "value_vnd": 2_000_000.0} for _ in range(int(rng.integers(*RESOURCES)))]
    return {"activities": _frame("activities", acts, "HoatDong"),
            "beneficiaries": _frame("beneficiaries", people, "DoiTuong"),
            "resources": _frame("resources", gifts, "NguonLuc")}


def make_pool(seed: int = 114) -> dict[int, list[dict[str, pd.DataFrame]]]:
    rng = np.random.default_rng(seed)
    return {m: [make_frames(rng, m) for _ in range(PER_MONTH)] for m in range(1, MONTHS + 1)}


def make_report(pool: dict[int, list[dict[str, pd.DataFrame]]], province: int, unit: int, month: int) -> Report:
    """A checked report of one unit and month (its rows from the pool, dated in that month)."""
    code = f"p{province:02d}_u{unit:02d}"
    period = f"2021-{month:02d}"
    frames = pool[month][(province * UNITS + unit) % PER_MONTH]
    sheets = [SheetResult(n, k, len(f), len(f)) for k, f, n in  # type: ignore[arg-type]
              zip(frames, frames.values(), ("HoatDong", "DoiTuong", "NguonLuc"))]
    return Report(f"/uploads/{code}_{period}.xlsx", f"{code}_{period}.xlsx", f"{code}{period}".ljust(64, "0"),
                  code, period, sheets=sheets, frames=frames, status="ok")


def ingest_all(engine: Any, units: int, writers: int) -> tuple[float, list[float], int, int]:
    """Store every report; returns (wall seconds, per-report seconds, reports, rows)."""
    jobs = [(p, u, m) for m in range(1, MONTHS + 1) for p in range(1, PROVINCES + 1) for u in range(1, units + 1)]
    durations: list[float] = []
    counts = {"reports": 0, "rows": 0}
    lock = threading.Lock()

    frames = make_pool()

    def store(chunk: list[tuple[int, int, int]], seed: int) -> None:
        for p, u, m in chunk:
            report = make_report(frames, p, u, m)
            started = time.perf_counter()
            result = store_report(engine, report, received_on=date(2021, m, 5 if m < 12 else 20))
            elapsed = time.perf_counter() - started
            with lock:
                durations.append(elapsed)
                counts["reports"] += 1
                counts["rows"] += sum(result.rows.values())

    chunks = [jobs[i::writers] for i in range(writers)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=writers) as pool:
        for future in [pool.submit(store, chunk, 7 + i) for i, chunk in enumerate(chunks)]:
            future.result()
    return time.perf_counter() - started, durations, counts["reports"], counts["rows"]


def main() -> int:
    quick = quick_flag()
    writers = int(sys.argv[sys.argv.index("--writers") + 1]) if "--writers" in sys.argv else 1
    units = 4 if quick else UNITS
    base = pg_url()
    print(f"bench_national: {PROVINCES} provinces x {units} units x {MONTHS} months, {writers} writer(s), "
          f"{os.cpu_count()} cores{' (--quick)' if quick else ''}", flush=True)
    if not base:
        print("  skipped: set YTSUPPORT_BENCH_PG_URL or YTSUPPORT_TEST_PG_URL (eval \"$(.ci/start_postgres.sh)\")")
        return 0
    engine, schema = fresh_pg_engine(base)
    try:
        wall, durations, reports, rows = ingest_all(engine, units, writers)
        plan = load_plan()
        load_times, status_times = [], []
        for _ in range(3):
            started = time.perf_counter()
            data = load_current(engine)
            load_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            status(data, plan, today_fixed())
            status_times.append(time.perf_counter() - started)
        stored = {k: len(data[k]) for k in ("activities", "beneficiaries", "resources")}
    finally:
        engine.dispose()
        drop_pg_schema(base, schema)
    durations.sort()
    print(table(["reports", "rows", "ingest time", "reports/s", "rows/s", "per report: median", "p95"],
                [[f"{reports:,}", f"{rows:,}", seconds(wall), f"{reports / wall:,.0f}", f"{rows / wall:,.0f}",
                  seconds(statistics.median(durations)), seconds(durations[int(0.95 * (len(durations) - 1))])]]))
    print(f"\nafter: {', '.join(f'{v:,} {k}' for k, v in stored.items())} current rows; "
          f"load_current {seconds(statistics.median(load_times))}, status() {seconds(statistics.median(status_times))} "
          f"(medians of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
