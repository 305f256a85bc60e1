"""``streamlit run`` under yappi (every thread, CPU clock), for ``bench_viewers.py --profile``.

    python benchmarks/serve_profiled.py OUT.pstat streamlit-run-arguments…

Profiling starts when ``OUT.pstat.start`` appears (after the warm-up session) and the stats are
written to ``OUT.pstat`` when ``OUT.pstat.stop`` appears. Not part of the test suite.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path


def _control(out: Path) -> None:
    import yappi

    start, stop = Path(f"{out}.start"), Path(f"{out}.stop")
    while not start.exists():
        time.sleep(0.1)
    yappi.clear_stats()
    yappi.start()
    while not stop.exists():
        time.sleep(0.1)
    yappi.stop()
    yappi.get_func_stats().save(str(out), type="pstat")
    Path(f"{out}.done").touch()


def main() -> None:
    import yappi

    yappi.set_clock_type("cpu")
    out = Path(sys.argv[1])
    threading.Thread(target=_control, args=(out,), daemon=True).start()
    sys.argv = ["streamlit", *sys.argv[2:]]
    from streamlit.web.cli import main as streamlit_main

    streamlit_main()


if __name__ == "__main__":
    main()
