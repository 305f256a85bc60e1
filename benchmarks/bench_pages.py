"""Page reruns at ~1k, 100k and 1M stored activity rows: the cost should not grow with the data.

Builds two SQLite stores with ``store_report`` from synthetic reports made with
``tests/factories.py`` (one report per unit and month, as the branches send them), then renders
every dashboard page with Streamlit's AppTest: one cold run (loads the frames, computes the
aggregates) and several reruns (cached by data version), and prints the medians and the
large/small ratio. Not part of the test suite.

    python benchmarks/bench_pages.py [--medium 100000] [--large 1000000] [--reruns 7] [--keep DIR]

"cold" is a page's first run on empty caches: it loads the store (``load_current``, and the
activities counted once) and computes that page's aggregates. In the dashboard only the first
page opened after a change pays the load, and after an upload it starts in the background.

Then, on a copy of the medium and the large store, "first page after an upload" and "after a
revert": a new version of one unit's month is stored the way the upload page stores it
(``store_checked``, then ``state.data_changed()``), and the overview page is rendered at once
(the data of the new version is built from the previous one by difference, ``store.current``);
then that version is reverted the way the upload page reverts it, and the page rendered again.
Each is timed from the moment the store has the change to the page drawn, and compared with
the page's rerun time (target: at most 1.5 x rerun + 1 s; at 100k rows at most 1 s).

    python benchmarks/bench_pages.py --changes-only --keep DIR   # only the first pages after a change
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.factories import activity, beneficiary, make_report, resource  # noqa: E402
from ytsupport.plan import load_plan, month_end  # noqa: E402
from common import record  # noqa: E402
from ytsupport.store import backup, get_engine, store_report  # noqa: E402

PAGES = ["pages/overview.py", "pages/coverage.py", "pages/visits.py", "pages/resources.py", "pages/units.py"]
TYPES = ["kham_benh", "tham_tang_qua", "vui_choi", "sinh_hoat_clb", "bhyt", "tri_lieu", "sinh_ke", "tap_huan",
         "khao_sat", "dien_dan", "khac"]
DISTRICTS = ["tp_tra_vinh", "cang_long", "cau_ke", "tieu_can", "chau_thanh", "cau_ngang", "tra_cu", "duyen_hai",
             "tx_duyen_hai"]
ITEMS = ["thuoc", "xe_dap", "qua", "nhu_yeu_pham", "the_bhyt", "tien_mat", "hoc_bong"]


def _rows(rng: random.Random, period: str, n: int, kind: str) -> list[dict]:
    """``n`` rows of ``kind`` dated within ``period``."""
    first, last = date.fromisoformat(period + "-01"), month_end(period)
    days = [(first + timedelta(days=rng.randrange((last - first).days + 1))).isoformat() for _ in range(n)]
    if kind == "activities":
        return [activity(d, rng.choice(TYPES), rng.randrange(1, 130), centre=rng.random() < 0.2,
                         district=rng.choice(DISTRICTS)) for d in days]
    if kind == "beneficiaries":
        return [beneficiary(f"Người {period} {i} {rng.random():.6f}", district=rng.choice(DISTRICTS),
                            birth_year=rng.randrange(1935, 2020), sex=rng.choice(["nam", "nu"]), surveyed_on=d,
                            supported=rng.random() < 0.4, has_bhyt=rng.random() < 0.7) for i, d in enumerate(days)]
    return [resource(d, rng.choice(ITEMS), rng.randrange(1, 50), rng.randrange(1, 200) * 100_000,
                     donor=f"Nhà tài trợ {rng.randrange(400)}") for d in days]


def build_store(path: Path, activities: int, seed: int = 114) -> str:
    """A store with about ``activities`` activity rows (plus a tenth as many people and resources),
    spread over the reporting units' monthly reports."""
    rng, plan = random.Random(seed), load_plan()
    units = [u.code for u in plan.reporting_units]
    reports = [(u, p) for p in plan.months for u in units]
    per_report = max(1, activities // len(reports))
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    for i, (unit, period) in enumerate(reports):
        report = make_report(unit, period, sha256=f"{seed}-{i}",
                             activities=_rows(rng, period, per_report, "activities"),
                             beneficiaries=_rows(rng, period, max(1, per_report // 10), "beneficiaries"),
                             resources=_rows(rng, period, max(1, per_report // 10), "resources"))
        store_report(engine, report, received_on=month_end(period) + timedelta(days=rng.randrange(3, 20)))
    engine.dispose()
    return url


def measure(urls: dict[str, str], reruns: int) -> dict[str, dict[str, tuple[float, float]]]:
    """Per store and page: (cold first run, median rerun) in seconds.

    The stores' reruns are interleaved (small, large, small, …) so that a busy machine slows both
    alike; each cold run starts from empty caches.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ytsupport.dashboard import state

    out: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in urls}
    for page in PAGES:
        apps, colds = {}, {}
        for name, url in urls.items():
            os.environ["YTSUPPORT_DB_URL"] = url
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
            at.run()
            st.cache_data.clear()
            st.cache_resource.clear()
            state._frames.clear()  # the loaded data is kept out of Streamlit's caches
            start = time.perf_counter()
            at.switch_page(page).run()  # cold: loads the frames and computes this page's aggregates
            colds[name] = time.perf_counter() - start
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
            apps[name] = at
        times: dict[str, list[float]] = {name: [] for name in urls}
        for i in range(reruns + 2):  # the first two rounds warm up (caches refilled, one-off imports)
            for name, at in apps.items():
                os.environ["YTSUPPORT_DB_URL"] = urls[name]
                start = time.perf_counter()
                at.run()
                if i >= 2:
                    times[name].append(time.perf_counter() - start)
        for name in urls:
            out[name][page] = (colds[name], statistics.median(times[name]))
    return out


def _changed_report(rng: random.Random, round_: int):
    """A new version of the first reporting unit's June report (about 50 rows, as a unit sends)."""
    unit = load_plan().reporting_units[0].code
    return make_report(unit, "2021-06", sha256=f"bench-change-{round_}-{rng.random()}",
                       activities=_rows(rng, "2021-06", 40, "activities"),
                       beneficiaries=_rows(rng, "2021-06", 5, "beneficiaries"),
                       resources=_rows(rng, "2021-06", 5, "resources"))


def measure_changes(url: str, rounds: int, reruns: int) -> dict[str, float]:
    """On the store at ``url`` (changed: give a copy): the overview page's median rerun, and the
    median first run after an upload and after a revert, in seconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ytsupport.dashboard import state
    from ytsupport.store import history, revert
    from ytsupport.store.compare import store_checked

    os.environ["YTSUPPORT_DB_URL"] = url
    st.cache_data.clear()
    state._frames.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    at.run()
    at.switch_page("pages/overview.py").run()
    for _ in range(2):
        at.run()
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    rng, engine = random.Random(7), state.engine()
    uploads, reverts = [], []
    for i in range(rounds):
        store_checked(engine, [_changed_report(rng, i)], date(2021, 7, 5), "bench")
        start = time.perf_counter()
        state.data_changed()  # what the upload page does after storing: the new data built in the background
        at.run()
        uploads.append(time.perf_counter() - start)
        current = [v for v in history(engine) if v["is_current"] and v["version"] > 1 and v["uploaded_by"] == "bench"]
        revert(engine, current[-1]["id"], actor="bench")
        start = time.perf_counter()
        state.data_changed()
        at.run()
        reverts.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"overview after a change: {at.exception[0].value}")
    return {"rerun": statistics.median(times), "upload": statistics.median(uploads),
            "revert": statistics.median(reverts)}


def report_changes(results: dict[str, dict[str, float]], sizes: dict[str, int]) -> None:
    """Print the first page after a change against the rerun, and record each figure."""
    print(f"\n{'store':<10}{'rerun':>10}{'after upload':>14}{'after revert':>14}{'limit':>9}")
    for name, r in results.items():
        limit = 1.5 * r["rerun"] + 1.0
        rows = f"{sizes[name]:,} rows"
        print(f"{rows:<10}{r['rerun'] * 1000:>8.1f}ms{r['upload']:>13.2f}s{r['revert']:>13.2f}s{limit:>8.2f}s")
        for change, words in (("upload", "an upload"), ("revert", "a revert")):
            record(f"first overview after {words} at {rows} (<= 1.5 x rerun + 1 s)", r[change], limit, unit="s",
                   note=f"rerun {r['rerun'] * 1000:.0f} ms, AppTest, SQLite")
        if sizes[name] <= 100_000:
            record(f"first overview after an upload at {rows}", r["upload"], 1.0, unit="s", note="AppTest, SQLite")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1_000, help="activity rows of the small store")
    ap.add_argument("--medium", type=int, default=100_000, help="activity rows of the medium store")
    ap.add_argument("--large", type=int, default=1_000_000, help="activity rows of the large store")
    ap.add_argument("--reruns", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="build the stores in this folder and keep them")
    ap.add_argument("--rounds", type=int, default=3, help="uploads and reverts measured per store")
    ap.add_argument("--changes-only", action="store_true", help="only the first pages after a change")
    a = ap.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    folder = a.keep or Path(tempfile.mkdtemp(prefix="ytsupport-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, rows in (("small", a.small), ("medium", a.medium), ("large", a.large)):
        path = folder / f"{name}-{rows}.sqlite"
        start = time.perf_counter()
        urls[name] = f"sqlite:///{path}" if path.exists() else build_store(path, rows)
        print(f"{name}: {rows:,} activity rows, store ready in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        changes = {}
        for name in ("medium", "large"):
            copy = folder / f"changed-{name}.sqlite"
            backup(urls[name].removeprefix("sqlite:///"), copy)  # a consistent copy; the kept store stays as built
            try:
                changes[name] = measure_changes(f"sqlite:///{copy}", a.rounds, a.reruns)
            finally:
                for suffix in ("", "-wal", "-shm", ".current.arrow"):
                    Path(f"{copy}{suffix}").unlink(missing_ok=True)
        report_changes(changes, {"medium": a.medium, "large": a.large})
        if a.changes_only:
            return 0
        results = measure(urls, a.reruns)
    finally:
        if not a.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{'page':<12}{'cold 1k':>10}{'cold 100k':>11}{'cold 1M':>10}{'rerun 1k':>11}{'rerun 100k':>12}"
          f"{'rerun 1M':>11}{'1M/1k':>8}")
    ratios = []
    for page in PAGES:
        (cs, rs), (cm, rm), (cl, rl) = (results[n][page] for n in ("small", "medium", "large"))
        ratios.append(rl / rs)
        print(f"{Path(page).stem:<12}{cs:>9.2f}s{cm:>10.2f}s{cl:>9.2f}s{rs * 1000:>9.1f}ms{rm * 1000:>10.1f}ms"
              f"{rl * 1000:>9.1f}ms{rl / rs:>8.2f}")
    worst = max(ratios)
    print(f"\nrerun ratio 1M/1k: median {statistics.median(ratios):.2f}, worst {worst:.2f} "
          f"({'PASS' if worst <= 1.3 else 'FAIL'}: target <= 1.3; 1.00 = flat in data size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
