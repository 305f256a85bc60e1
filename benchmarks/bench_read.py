"""Read, validate and ingest generated valid reports, against a bare fastexcel read of the same file.

    python benchmarks/bench_read.py [--quick]

Measured side by side in one run (medians of interleaved repeats, so that a busy machine slows
every contender alike):

* in process, with the reader worker already started (what the dashboard does for an upload):
  ``read`` = pre-check + worker read + transfer (``read_isolated``), ``validate`` = read + checks
  (``validate_file``), ``ingest`` = validate + ``store_report`` into a fresh SQLite file;
  against a bare fastexcel read of every sheet to pandas (header row known, nothing checked)
  and pandas + openpyxl (once from 20k rows on: it is slow, about a minute at 500k rows);
* peak memory (growth of the peak RSS during one call) of validate against the bare read, each in
  a fresh process: the checking process's and its reader processes' resident memory added up and
  sampled every millisecond (the machine's real peak; the worker gives its memory back once it
  has sent the rows, and a file of 16 MB or more is read by a fresh reader that replaces the warm
  one), and, as an upper bound, each process's own peak added up;
* whole processes: ``python -m ytsupport validate big.xlsx`` against a ``python -c`` bare read.

Targets (ratios, on 2 cores): validate <= 1.2x the bare read at 100k rows, ingest into SQLite
<= 3x, validate's peak memory <= 1.2x the bare read's at 100k and 500k rows, the command line
<= 3x at 200k rows.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("YTSUPPORT_SECRET", "benchmark-secret")  # no data/secret.key written
# a 500,000-row workbook needs about 1 GB of reader address space, at the edge of the default limit
# (README "Security", item 5): the benchmark measures speed and memory, not where that limit falls
os.environ.setdefault("YTSUPPORT_WORKER_MEMORY_MB", "2048")

from common import (ROOT, Check, interleaved_medians, quick_flag, report_workbook, run_process,  # noqa: E402
                    seconds, split_rows, table)

HEADER_ROW = 2  # the generated sheets: title, blank row, header on Excel row 3
BARE_READ = """
import sys, fastexcel
reader = fastexcel.read_excel(sys.argv[1])
frames = [reader.load_sheet(name, header_row={header} if name != "ThongTin" else 0).to_pandas()
          for name in reader.sheet_names]
"""


def bare_read(path: Path) -> list[Any]:
    """What reading the file costs without checking anything: fastexcel, header row known, to pandas."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    return [reader.load_sheet(name, header_row=HEADER_ROW if name != "ThongTin" else 0).to_pandas()
            for name in reader.sheet_names]


def openpyxl_read(path: Path) -> Any:
    import pandas as pd

    with pd.ExcelFile(path, engine="openpyxl") as book:
        return [pd.read_excel(book, sheet_name=name, header=HEADER_ROW if name != "ThongTin" else 0)
                for name in book.sheet_names]


class Ingest:
    """validate_file + store_report into a fresh SQLite file each time (the engine made beforehand)."""

    def __init__(self, path: Path, runs: int) -> None:
        from ytsupport.store.engine import get_engine

        self.path = path
        self.folder = tempfile.TemporaryDirectory(prefix="ytsupport-bench-")
        self.engines = [get_engine(f"sqlite:///{self.folder.name}/db{i}.sqlite") for i in range(runs)]

    def __call__(self) -> None:
        from ytsupport.ingest.validate import validate_file
        from ytsupport.store.storing import store_report

        report = validate_file(self.path)
        assert report.status == "ok", report.issues[:3]
        store_report(self.engines.pop(), report, received_on=date(2021, 7, 5))

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        self.folder.cleanup()


def in_process(rows: int, repeat: int, with_openpyxl: bool) -> dict[str, float]:
    from ytsupport.ingest.validate import validate_file
    from ytsupport.ingest.worker import read_isolated

    path = report_workbook(rows)
    report = validate_file(path)  # warms the worker and checks the generated file is valid
    assert report.status == "ok" and sum(s.rows_valid for s in report.sheets) == rows, report.issues[:3]
    ingest = Ingest(path, repeat)
    fns: dict[str, Callable[[], Any]] = {
        "bare": lambda: bare_read(path), "read": lambda: read_isolated(path),
        "validate": lambda: validate_file(path), "ingest": ingest}
    try:
        times = interleaved_medians(fns, repeat)
    finally:
        ingest.close()
    if with_openpyxl:
        times["openpyxl"] = interleaved_medians({"openpyxl": lambda: openpyxl_read(path)},
                                                1 if rows > 20_000 else repeat)["openpyxl"]
    return times


# --------------------------------------------------------------------------- memory (fresh processes)

MEMORY_BARE = """
import json, os, sys
sys.path.insert(0, {bench!r})
from common import reset_peak, rss_kib
import fastexcel, pandas, pyarrow
pid = os.getpid()
reset_peak(pid); before = rss_kib(pid)
reader = fastexcel.read_excel(sys.argv[1])
frames = [reader.load_sheet(name, header_row={header} if name != "ThongTin" else 0).to_pandas()
          for name in reader.sheet_names]
print(json.dumps({{"bare": rss_kib(pid, "VmHWM") - before}}))
"""

MEMORY_VALIDATE = """
import json, os, sys, threading, time
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
from common import report_workbook, reset_peak, rss_kib
from ytsupport.ingest.validate import validate_file
def children(pid):  # the reader processes (and multiprocessing's resource tracker, idle)
    kids = []
    for task in os.listdir(f"/proc/{{pid}}/task"):
        try:
            with open(f"/proc/{{pid}}/task/{{task}}/children") as fh:
                kids += [int(k) for k in fh.read().split()]
        except OSError:
            pass
    return kids
def kib(pid, field="VmRSS"):  # 0 for a process gone (a warm reader stopped for a fresh one)
    try:
        return rss_kib(pid, field)
    except (OSError, ValueError):
        return 0
def main():
    validate_file(report_workbook(10_000))  # starts and warms the worker
    me = os.getpid()
    before = {{pid: kib(pid) for pid in [me] + children(me)}}
    for pid in before:
        reset_peak(pid)
    base, together, seen, done = sum(before.values()), [0], set(before), threading.Event()
    def sample():  # the processes' resident memory added up, every millisecond
        while not done.is_set():
            pids = [me] + children(me)
            seen.update(pids)
            together[0] = max(together[0], sum(kib(pid) for pid in pids) - base)
            time.sleep(0.001)
    sampler = threading.Thread(target=sample)
    sampler.start()
    report = validate_file(sys.argv[1])
    done.set(); sampler.join()
    assert report.status == "ok", [i.message("en") for i in report.issues[:3]]
    worker = sum(max(0, kib(pid, "VmHWM") - before.get(pid, 0)) for pid in seen if pid != me)
    print(json.dumps({{"checker": kib(me, "VmHWM") - before[me], "worker": worker, "together": together[0]}}))
if __name__ == "__main__":
    main()
"""


def peak_memory(rows: int) -> dict[str, float]:
    """Peak RSS growth in MB: the bare read; validate's checking process and worker, each at its
    own peak and (``together``) their resident memory added up, sampled every millisecond."""
    path = str(report_workbook(rows))
    bench = str(Path(__file__).resolve().parent)
    out: dict[str, float] = {}
    bare_script = MEMORY_BARE.format(bench=bench, header=HEADER_ROW)
    for script in (bare_script, MEMORY_VALIDATE.format(bench=bench, root=str(ROOT))):
        done = subprocess.run([sys.executable, "-c", script, path], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        out.update({k: v / 1024 for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()})
    out["validate"] = out["checker"] + out["worker"]
    return out


# --------------------------------------------------------------------------- whole processes

def command_line(rows: int, repeat: int) -> dict[str, float]:
    path = str(report_workbook(rows))
    python = sys.executable
    env = {"PYTHONPATH": str(ROOT)}
    fns = {"bare process": lambda: run_process([python, "-c", BARE_READ.format(header=HEADER_ROW), path], env),
           "validate command": lambda: run_process([python, "-m", "ytsupport", "validate", path], env)}
    return interleaved_medians(fns, repeat)


# --------------------------------------------------------------------------- report

def main() -> int:
    quick = quick_flag()
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 500_000)
    repeats = {10_000: 5 if quick else 7, 100_000: 3 if quick else 5, 500_000: 3}
    cli_rows = 100_000 if quick else 200_000
    print(f"bench_read: generated valid reports (rows = activities + beneficiaries, half each), "
          f"{os.cpu_count()} cores{' (--quick)' if quick else ''}", flush=True)
    results: dict[int, dict[str, float]] = {}
    for rows in sizes:
        results[rows] = in_process(rows, repeats[rows], with_openpyxl=True)
        print(f"  {rows:,} rows measured", flush=True)
    memory = {rows: peak_memory(rows) for rows in sizes if rows >= 100_000}
    cli = command_line(cli_rows, 3)
    print_report(results, memory, cli, cli_rows)
    return 0


def print_report(results: dict[int, dict[str, float]], memory: dict[int, dict[str, float]],
                 cli: dict[str, float], cli_rows: int) -> None:
    print("\nIn process, warm worker (median seconds; x = ratio to the bare fastexcel read)")
    rows_out = []
    for rows, t in results.items():
        act, ben = split_rows(rows)
        bare = t["bare"]
        rows_out.append([f"{rows:,}", seconds(bare), *[f"{seconds(t[k])} ({t[k] / bare:.2f}x)"
                                                        for k in ("read", "validate", "ingest")],
                         f"{seconds(t['openpyxl'])} ({t['openpyxl'] / bare:.1f}x)" if "openpyxl" in t else "-"])
    print(table(["rows", "bare fastexcel", "read (worker)", "validate", "ingest SQLite", "pandas+openpyxl"],
                rows_out))
    if memory:
        print("\nPeak memory growth (MB, fresh processes). validate runs in two processes: 'together' is the"
              "\npeak of their resident memory added up (sampled every ms); 'sum of peaks' adds each one's own"
              "\npeak, which never coexist (an upper bound)")
        print(table(["rows", "bare read", "checker", "worker", "validate: together", "ratio",
                     "sum of peaks", "ratio"],
                    [[f"{r:,}", f"{m['bare']:.0f}", f"{m['checker']:.0f}", f"{m['worker']:.0f}",
                      f"{m['together']:.0f}", f"{m['together'] / m['bare']:.2f}x",
                      f"{m['validate']:.0f}", f"{m['validate'] / m['bare']:.2f}x"] for r, m in memory.items()]))
    print(f"\nWhole processes at {cli_rows:,} rows (median seconds, start-up included)")
    print(table(["bare read (python -c)", "python -m ytsupport validate", "ratio"],
                [[seconds(cli["bare process"]), seconds(cli["validate command"]),
                  f"{cli['validate command'] / cli['bare process']:.2f}x"]]))
    checks = []
    at = 100_000
    if at in results:
        t = results[at]
        checks += [Check(f"validate vs bare read, in process, {at:,} rows", t["validate"] / t["bare"], 1.2),
                   Check(f"ingest (SQLite) vs bare read, in process, {at:,} rows", t["ingest"] / t["bare"], 3.0)]
    for rows in memory:
        checks.append(Check(f"validate peak memory (processes together) vs bare read, {rows:,} rows",
                            memory[rows]["together"] / memory[rows]["bare"], 1.2))
    checks.append(Check(f"validate command vs bare read process, {cli_rows:,} rows",
                        cli["validate command"] / cli["bare process"], 3.0))
    print("\nTargets")
    for check in checks:
        check.report()


if __name__ == "__main__":
    sys.exit(main())
