"""The one table of ``make bench``: every figure the benchmarks recorded, its target and PASS/FAIL.

Each benchmark adds its figures with ``common.record``; ``make bench`` empties the results file,
runs every ``bench_*.py`` and then this script. ``--reset`` empties the file.
"""
from __future__ import annotations

import json
import os
import platform
import sys

from common import RESULTS, table


def _value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:.2f}x"


def main(argv: list[str]) -> int:
    if "--reset" in argv:
        RESULTS.unlink(missing_ok=True)
        return 0
    if not RESULTS.exists():
        print("no benchmark results yet: run `make bench`")
        return 1
    rows = [json.loads(line) for line in RESULTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = [[r["figure"], _value(r["measured"], r["unit"]), ("≥ " if r["higher_is_better"] else "≤ ")
            + _value(r["target"], r["unit"]), "PASS" if r["passed"] else "FAIL", r["note"]] for r in rows]
    print(f"\nmake bench: {len(rows)} figures on {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    print(table(["figure", "measured", "target", "result", "note"], out))
    failed = sum(not r["passed"] for r in rows)
    print(f"\n{len(rows) - failed} PASS, {failed} FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
