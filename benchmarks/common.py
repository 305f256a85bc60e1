"""Shared helpers of the benchmarks: generated report workbooks, timing, memory, tables.

Not part of the test suite. The benchmarks print measured figures and ratios; the ratios are
what count (absolute times depend on the machine: these were tuned on 2 cores).

Generated workbooks are valid reports of one unit for June 2021 (``ThongTin``, ``HoatDong``,
``DoiTuong``), written with xlsxwriter (shared strings, real date cells, as Excel writes them)
and cached in ``$YTSUPPORT_BENCH_DIR`` (default: ``<tmp>/ytsupport-bench``).
"""
from __future__ import annotations

import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Processes are measured as installed: Python keeps compiled modules (.pyc). An environment that
# turns that off (PYTHONDONTWRITEBYTECODE) would make every started process compile the project's
# modules again (about 0.3 s), which no user pays.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ytsupport"), str(ROOT / "tools")], check=False,
               stdout=subprocess.DEVNULL)

CACHE_DIR = Path(os.environ.get("YTSUPPORT_BENCH_DIR", Path(tempfile.gettempdir()) / "ytsupport-bench"))
GENERATOR_VERSION = 1  # bump when the generated content changes (invalidates the cache)

from tests.workbooks import ACTIVITY_HEADERS, BENEFICIARY_HEADERS  # noqa: E402  (the same headers as the tests)

UNIT_NAME = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh"
PERIOD_LABEL = "6/2021"
ACTIVITY_TYPES = ["Khám bệnh, phát thuốc", "Thăm hỏi, tặng quà", "Vui chơi, giải trí", "Sinh hoạt câu lạc bộ",
                  "Hỗ trợ thẻ BHYT", "Tập huấn", "Khảo sát, rà soát"]
PLACES = ["Trung tâm Bảo trợ xã hội tỉnh", "Nhà văn hoá xã Phước Hưng", "Trường Tiểu học Long Đức",
          "Trạm Y tế xã Hàm Giang", "Hội trường UBND huyện Cầu Ngang", None]
DISTRICTS = ["TP Trà Vinh", "Càng Long", "Cầu Kè", "Tiểu Cần", "Châu Thành", "Cầu Ngang", "Trà Cú",
             "Huyện Duyên Hải", "Thị xã Duyên Hải"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Thạch", "Kim", "Sơn", "Danh", "Lâm"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Kim", "Hoàng", "Thị Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hoa", "Hương", "Lan", "Linh", "Mai", "Sa Rết", "Sô Phal"]
CATEGORIES = ["Người khuyết tật", "Trẻ em mồ côi", "Người cao tuổi neo đơn", "Trẻ em có hoàn cảnh đặc biệt",
              "Hộ nghèo, cận nghèo", "Người khuyết tật; Hộ nghèo, cận nghèo"]
COMMUNES = ["Xã Phước Hưng", "Xã Long Đức", "Phường 7", "Xã Hàm Giang", "Thị trấn Cầu Kè", "Xã Đôn Xuân"]
NEEDS = ["Xe lăn", "Khám, cấp thuốc định kỳ", "Học bổng", "Thẻ BHYT", "Học nghề", None]


# --------------------------------------------------------------------------- workbooks

def split_rows(rows: int) -> tuple[int, int]:
    """A report of ``rows`` data rows: half activities, half beneficiaries."""
    return rows - rows // 2, rows // 2


def _activity_row(rng: random.Random, n: int) -> list[Any]:
    people = rng.randint(5, 200)
    disabled = rng.randint(0, people // 3)
    orphans = rng.randint(0, people // 3)
    elderly = rng.randint(0, people // 3)
    day = datetime(2021, 6, rng.randint(1, 30))
    title = f"Hoạt động hỗ trợ số {n} tại {rng.choice(COMMUNES)}"
    notes = "Phối hợp Hội Chữ thập đỏ" if n % 17 == 0 else None
    return [n, day, rng.choice(ACTIVITY_TYPES), title, rng.choice(PLACES), rng.choice(DISTRICTS),
            people, disabled, orphans, elderly, rng.randint(1, 40), rng.randint(0, 500) * 10_000, notes]


def _person_row(rng: random.Random, n: int) -> list[Any]:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return [n, f"TV-{n:07d}", name, rng.randint(1950, 2018), rng.choice(("Nam", "Nữ")), rng.choice(CATEGORIES),
            rng.choice(DISTRICTS), rng.choice(COMMUNES), rng.choice(NEEDS), datetime(2021, 6, rng.randint(1, 30)),
            rng.choice(("Có", "Không")), rng.choice(("x", None))]


def write_report(path: Path, rows: int, seed: int = 114) -> Path:
    """Write a valid report of ``rows`` data rows (see ``split_rows``) with xlsxwriter."""
    import xlsxwriter

    rng = random.Random(seed)
    n_act, n_ben = split_rows(rows)
    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp))
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    info = book.add_worksheet("ThongTin")
    info.write_row(0, 0, ["Đơn vị", UNIT_NAME])
    info.write_row(1, 0, ["Tháng báo cáo", PERIOD_LABEL])
    for name, headers, count, make in (("HoatDong", ACTIVITY_HEADERS, n_act, _activity_row),
                                       ("DoiTuong", BENEFICIARY_HEADERS, n_ben, _person_row)):
        ws = book.add_worksheet(name)
        ws.write(0, 0, f"BÁO CÁO THÁNG {PERIOD_LABEL}")
        ws.write_row(2, 0, headers)
        for i in range(count):
            row = make(rng, i + 1)
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(3 + i, j, value, date_fmt)
                else:
                    ws.write(3 + i, j, value)
    book.close()
    tmp.replace(path)
    return path


def report_workbook(rows: int) -> Path:
    """The cached generated workbook of ``rows`` data rows (generated on first use)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"report_{rows}_v{GENERATOR_VERSION}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        write_report(path, rows)
        print(f"  (generated {path.name}: {path.stat().st_size / 1e6:.1f} MB in "
              f"{time.perf_counter() - started:.1f} s)", flush=True)
    return path


# --------------------------------------------------------------------------- timing

def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 0) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs (after ``warmup`` runs)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved_medians(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median time of each function, the runs interleaved (a, b, c, a, b, c...) so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(t) for name, t in times.items()}


def run_process(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a whole process (start-up included); raises if it fails unexpectedly."""
    started = time.perf_counter()
    done = subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})}, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv[:4]} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return elapsed


# --------------------------------------------------------------------------- memory (Linux)

def reset_peak(pid: int) -> bool:
    """Reset the peak RSS (VmHWM) of a process; False where the kernel does not allow it."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# --------------------------------------------------------------------------- output

@dataclass
class Check:
    """One target: a measured ratio against its limit."""

    name: str
    ratio: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.ratio <= self.limit

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"  {verdict}  {self.name:<58} {self.ratio:6.2f}x  (target <= {self.limit:g}x)"

    def report(self) -> None:
        """Print the line and add the figure to the table of ``make bench``."""
        print(self.line())
        record(self.name, self.ratio, self.limit)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def seconds(value: float | None) -> str:
    return "-" if value is None else (f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s")


def quick_flag(argv: Sequence[str] | None = None) -> bool:
    """True when ``--quick`` was given (smaller sizes, fewer repeats)."""
    return "--quick" in (argv if argv is not None else sys.argv[1:])


def today_fixed() -> date:
    """The as-of date of the status benchmarks (the plan's last day: every month due)."""
    return date(2021, 12, 31)


# --------------------------------------------------------------------------- the one table of `make bench`

RESULTS = Path(os.environ.get("YTSUPPORT_BENCH_RESULTS", CACHE_DIR / "results.jsonl"))


def record(figure: str, measured: float, target: float, *, unit: str = "x", note: str = "",
           higher_is_better: bool = False) -> bool:
    """Add one measured figure and its target to the table ``make bench`` prints at the end
    (``benchmarks/summary.py``); True when the target is met.

    ``unit`` is ``"x"`` for a ratio or ``"s"`` for seconds; a figure passes when it is at most its
    target (at least, with ``higher_is_better``).
    """
    import json

    passed = measured >= target if higher_is_better else measured <= target
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"figure": figure, "measured": measured, "target": target, "unit": unit,
                              "note": note, "higher_is_better": higher_is_better, "passed": passed,
                              "bench": Path(sys.argv[0]).stem}, ensure_ascii=False) + "\n")
    return passed
