"""A meeting's worth of viewers: the server's CPU per viewer, and twenty viewers opening at once.

Starts the real dashboard (``streamlit run dashboard.py`` with the project's settings, as ``serve``
does, on a store holding the sample year of ``sample_data/``) and a bare Streamlit page (a title
and four ``st.metric``) on free loopback ports, then opens browser tabs with Playwright (headless
Chromium at /usr/bin/chromium; each tab a new context, so a new session):

1. per page (overview, coverage, visits, presentation): N tabs, the server process's CPU seconds
   (utime + stime of ``/proc/<pid>/stat``) before and after, divided by N, after a warm-up session;
   the bare page measured the same way in the same rounds; the ratio of the medians is recorded
   (target: at most 1.3 times the bare page). Twice: new viewers (a browser that never opened the
   page: it fetches Streamlit's ~100 script files from the server) and returning viewers (a
   browser that opened the page before and opens it again in a new tab: a new session, the
   scripts from its cache, as at a monthly meeting);
2. ``--at-once`` tabs (default 20) open the overview at the same moment: p50 and p95 of the time
   until the numbers are drawn (each tab's own clock, from its navigation start), and the server
   CPU per viewer; p95 is recorded (target 3 s; the browsers run on the same machine).

A tab counts as drawn when the page's metrics, charts and cards are on screen (as many as the
warm-up tab showed); CPU is read once the server is idle again. Not part of the test suite.

    python benchmarks/bench_viewers.py [--quick] [--tabs 10] [--rounds 3] [--at-once 20]
                                       [--sweep 10,20,30,40] [--server-cpus 0] [--profile OUT.pstat]

``--server-cpus 0`` pins both servers to CPU 0 (``taskset``), to measure a one-core server;
``--sweep`` opens the overview with each number of simultaneous viewers (for the README's
"Scaling" table) instead of the per-page rounds; ``--profile OUT.pstat`` runs the dashboard under
yappi (``serve_profiled.py``) and prints where ``--tabs`` new sessions per page spend the server's CPU.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from common import ROOT, CACHE_DIR, quick_flag, record, table
from tools.screenshots import served

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
BARE_APP = '''import streamlit as st

st.title("Tiến độ Kế hoạch")
cols = st.columns(4)
for i, col in enumerate(cols):
    col.metric(f"Chỉ số {i + 1}", f"{(i + 1) * 1234:,}", border=True)
'''
SAMPLE_VERSION = 1  # bump when sample_data/ changes (rebuilds the cached store)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Target:
    """A page to open: its URL path and what must be on screen before it counts as drawn."""

    name: str
    path: str
    selector: str | None = None  # an element that must be there besides the metrics and charts


PAGES = [Target("overview", "", ".yt-card"), Target("coverage", "coverage"), Target("visits", "visits"),
         Target("presentation", "present", ".pv-card")]
BARE = Target("bare", "")

# Polls the page until it holds ``metrics`` metric values, ``charts`` drawn plotly charts and the
# selector; keeps the moment (ms since this tab's navigation started) in window.__drawn.
READY_SCRIPT = """(() => {
  window.__drawn = null;
  const want = %s;
  const timer = setInterval(() => {
    const metrics = document.querySelectorAll('[data-testid=stMetricValue]').length;
    const charts = document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length;
    if (metrics >= want.metrics && charts >= want.charts && (!want.selector || document.querySelector(want.selector))) {
      window.__drawn = performance.now();
      clearInterval(timer);
    }
  }, 20);
})();"""


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its children excluded: none of them serves pages)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wait_idle(pid: int, quiet: float = 0.02, step: float = 0.4, limit: float = 60) -> None:
    """Return once the process used less than ``quiet`` CPU seconds during ``step`` seconds."""
    deadline = time.time() + limit
    before = cpu_seconds(pid)
    while time.time() < deadline:
        time.sleep(step)
        now = cpu_seconds(pid)
        if now - before < quiet:
            return
        before = now


def sample_store() -> Path:
    """The data folder holding the sample year's embedded store (built once, then cached)."""
    data_dir = CACHE_DIR / f"viewers-sample-v{SAMPLE_VERSION}"
    if not (data_dir / "ytsupport.sqlite").exists():
        print("  building the sample store from sample_data/ …", flush=True)
        subprocess.run([sys.executable, "-c", "from ytsupport.store.seed import prepare_sample_database as p; p()"],
                       cwd=ROOT, env={**os.environ, "YTSUPPORT_DATA_DIR": str(data_dir), "YTSUPPORT_DB_URL": ""},
                       check=True, stderr=subprocess.DEVNULL)
    return data_dir


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], cpus: str | None,
                     profile: Path | None = None) -> Iterator[tuple[str, int]]:
    """``streamlit run script`` on a free port with the project's settings (run from the project's
    folder, so its .streamlit/config.toml applies); yields (URL, pid of the serving process).
    With ``profile``, the server runs under yappi (``serve_profiled.py``)."""
    port = free_port()
    launcher = ["-m", "streamlit"] if profile is None else [str(Path(__file__).with_name("serve_profiled.py")),
                                                             str(profile)]
    cmd = [sys.executable, *launcher, "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1"]
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]  # taskset execs the server: the pid stays the server's
    with served(cmd, port, env, 60, script.name) as (url, proc):
        yield url, proc.pid


# --------------------------------------------------------------------------- browsers


@dataclass
class Wanted:
    """What a drawn page shows (learned from the warm-up tab)."""

    metrics: int
    charts: int
    selector: str | None

    def script(self) -> str:
        import json

        return READY_SCRIPT % json.dumps({"metrics": self.metrics, "charts": self.charts, "selector": self.selector})


def new_tab(browser, url: str, wanted: Wanted | None):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    if wanted is not None:
        context.add_init_script(wanted.script())
    tab = context.new_page()
    tab.goto(url, wait_until="commit")
    return context, tab


def warm_up(browser, url: str, target: Target, pid: int) -> Wanted:
    """One session on the page, waited for in full; what it shows is what later tabs must show."""
    context, tab = new_tab(browser, url, None)
    tab.wait_for_selector("[data-testid=stApp]", timeout=60000)
    if target.selector:
        tab.wait_for_selector(target.selector, timeout=60000)
    else:
        tab.wait_for_selector("[data-testid=stMetricValue]", timeout=60000)
    wait_idle(pid)
    time.sleep(1.5)  # plotly draws in the browser after the server is done
    found = Wanted(tab.locator("[data-testid=stMetricValue]").count(),
                   tab.locator("[data-testid=stPlotlyChart] .main-svg").count(), target.selector)
    if tab.locator("[data-testid=stException]").count():
        raise RuntimeError(f"{target.name}: the page shows an exception")
    context.close()
    return found


def open_at_once(browser, url: str, wanted: Wanted, pid: int, n: int) -> tuple[float, list[float]]:
    """``n`` new sessions opening ``url`` together: (server CPU seconds per viewer, seconds until
    each tab had drawn its numbers)."""
    wait_idle(pid)
    before = cpu_seconds(pid)
    opened = [new_tab(browser, url, wanted) for _ in range(n)]
    drawn = []
    for _, tab in opened:
        tab.wait_for_function("window.__drawn !== null", timeout=180000, polling=100)
        drawn.append(tab.evaluate("window.__drawn") / 1000)
    wait_idle(pid)
    used = cpu_seconds(pid) - before
    for context, _ in opened:
        context.close()
    return used / n, drawn


def open_returning(browser, url: str, wanted: Wanted, pid: int, n: int) -> float:
    """``n`` returning viewers: each browser has opened the page before (its cache holds
    Streamlit's content-hashed scripts, served "immutable" for a year), then opens it again in a
    new tab: a new session. Server CPU seconds per viewer of those new sessions."""
    contexts = []
    for _ in range(n):
        context, tab = new_tab(browser, url, wanted)
        tab.wait_for_function("window.__drawn !== null", timeout=180000, polling=100)
        tab.close()
        contexts.append(context)
    wait_idle(pid)
    before = cpu_seconds(pid)
    tabs = []
    for context in contexts:
        tab = context.new_page()
        tab.goto(url, wait_until="commit")
        tabs.append(tab)
    for tab in tabs:
        tab.wait_for_function("window.__drawn !== null", timeout=180000, polling=100)
    wait_idle(pid)
    used = cpu_seconds(pid) - before
    for context in contexts:
        context.close()
    return used / n


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, round(p / 100 * len(ranked) + 0.5) - 1))]


# --------------------------------------------------------------------------- the measurements


def per_page(browser, dash: tuple[str, int], bare: tuple[str, int], tabs: int, rounds: int) -> None:
    bare_wanted = warm_up(browser, bare[0], BARE, bare[1])
    wanted = {p.name: warm_up(browser, f"{dash[0]}/{p.path}", p, dash[1]) for p in PAGES}
    rows = []
    for page in PAGES:
        url = f"{dash[0]}/{page.path}"
        ours, theirs, ours_back, theirs_back = [], [], [], []
        for _ in range(rounds):  # interleaved, so that the other load on the machine hits both alike
            ours.append(open_at_once(browser, url, wanted[page.name], dash[1], tabs)[0])
            theirs.append(open_at_once(browser, bare[0], bare_wanted, bare[1], tabs)[0])
            ours_back.append(open_returning(browser, url, wanted[page.name], dash[1], tabs))
            theirs_back.append(open_returning(browser, bare[0], bare_wanted, bare[1], tabs))
        cpu, base = statistics.median(ours), statistics.median(theirs)
        back, base_back = statistics.median(ours_back), statistics.median(theirs_back)
        rows.append([page.name, f"{cpu:.3f}", f"{base:.3f}", f"{cpu / base:.2f}x",
                     " ".join(f"{a / b:.2f}" for a, b in zip(ours, theirs)), f"{back:.3f}", f"{base_back:.3f}",
                     f"{back / base_back:.2f}x"])
        record(f"viewers: {page.name}, server CPU per new viewer vs a bare page", cpu / base, 1.3,
               note=f"{cpu:.3f} vs {base:.3f} CPU s/viewer, {tabs} tabs x {rounds}")
        record(f"viewers: {page.name}, returning viewer (browser cache warm) vs a bare page", back / base_back, 1.3,
               note=f"{back:.3f} vs {base_back:.3f} CPU s/viewer")
    print(f"\nServer CPU per viewer ({tabs} new sessions per round, median of {rounds} rounds); new: a browser "
          f"that never opened the dashboard; returning: one whose cache holds Streamlit's scripts:")
    print(table(["page", "new: CPU s/viewer", "bare", "ratio", "ratio per round", "returning: CPU s/viewer", "bare",
                 "ratio"], rows))


def at_once(browser, dash: tuple[str, int], bare: tuple[str, int], counts: list[int], record_it: bool) -> None:
    overview = PAGES[0]
    wanted = warm_up(browser, dash[0], overview, dash[1])
    bare_wanted = warm_up(browser, bare[0], BARE, bare[1])
    rows = []
    for n in counts:
        cpu, drawn = open_at_once(browser, dash[0], wanted, dash[1], n)
        base, bare_drawn = open_at_once(browser, bare[0], bare_wanted, bare[1], n)
        p50, p95 = statistics.median(drawn), percentile(drawn, 95)
        rows.append([n, f"{p50:.2f} s", f"{p95:.2f} s", f"{percentile(bare_drawn, 95):.2f} s", f"{cpu:.3f}",
                     f"{base:.3f}", f"{cpu / base:.2f}x"])
        if record_it:
            record(f"viewers: {n} open the overview at once, p95 until drawn", p95, 3.0, unit="s",
                   note=f"p50 {p50:.2f} s; browsers on the same machine")
            record(f"viewers: {n} at once, server CPU per viewer vs a bare page", cpu / base, 1.3,
                   note=f"{cpu:.3f} vs {base:.3f} CPU s/viewer")
    print("\nViewers opening the overview at the same moment (time until the numbers are drawn):")
    print(table(["viewers", "p50", "p95", "bare p95", "CPU s/viewer", "bare s/viewer", "ratio"], rows))


def profile_sessions(browser, url: str, pid: int, out: Path, tabs: int) -> None:
    """Profile ``tabs`` new sessions on each page (after a warm-up) and print where the time goes."""
    import pstats

    wanted = {p.name: warm_up(browser, f"{url}/{p.path}", p, pid) for p in PAGES}
    Path(f"{out}.start").touch()
    time.sleep(0.5)
    for page in PAGES:
        open_at_once(browser, f"{url}/{page.path}", wanted[page.name], pid, tabs)
    Path(f"{out}.stop").touch()
    while not Path(f"{out}.done").exists():
        time.sleep(0.2)
    stats = pstats.Stats(str(out))
    print(f"\nProfile of {tabs} sessions on each of {len(PAGES)} pages (yappi, CPU clock, all threads): {out}")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer tabs and rounds")
    parser.add_argument("--tabs", type=int, help="new sessions per page and round (default 10; quick 4)")
    parser.add_argument("--rounds", type=int, help="rounds per page (default 3; quick 1)")
    parser.add_argument("--at-once", type=int, help="viewers opening the overview together (default 20; quick 8)")
    parser.add_argument("--sweep", help="comma-separated numbers of simultaneous viewers, instead of the per-page rounds")
    parser.add_argument("--profile", type=Path, help="profile the dashboard's sessions into this .pstat file instead")
    parser.add_argument("--server-cpus", help="pin both servers to these CPUs (taskset -c), e.g. 0")
    args = parser.parse_args(argv)
    quick = args.quick or quick_flag(argv)
    if not Path(CHROMIUM).exists():
        print(f"bench_viewers: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    if args.server_cpus and shutil.which("taskset") is None:
        print("bench_viewers: taskset is missing (apt-get install util-linux)", file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("bench_viewers: the playwright package is missing (pip install -r requirements-dev.txt)", file=sys.stderr)
        return 2
    tabs = args.tabs or (4 if quick else 10)
    rounds = args.rounds or (1 if quick else 3)
    data_dir = sample_store()
    env = {"YTSUPPORT_DATA_DIR": str(data_dir), "YTSUPPORT_DB_URL": "", "YTSUPPORT_USERS_FILE": "",
           "YTSUPPORT_BOUNDARY_FILE": ""}
    print(f"bench_viewers: {os.cpu_count()} cores; servers on CPUs {args.server_cpus or 'all'}; "
          f"the sample year of sample_data/", flush=True)
    with tempfile.TemporaryDirectory(prefix="ytsupport-bare-") as tmp:
        bare_app = Path(tmp) / "bare.py"
        bare_app.write_text(BARE_APP, encoding="utf-8")
        if args.profile:
            for signal in ("start", "stop", "done"):  # a previous run's would start and stop it at once
                Path(f"{args.profile.resolve()}.{signal}").unlink(missing_ok=True)
            with streamlit_server(ROOT / "dashboard.py", env, args.server_cpus, args.profile.resolve()) as dash, \
                    sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                profile_sessions(browser, *dash, args.profile.resolve(), tabs)
                browser.close()
            return 0
        with streamlit_server(ROOT / "dashboard.py", env, args.server_cpus) as dash, \
                streamlit_server(bare_app, {}, args.server_cpus) as bare, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                if args.sweep:
                    at_once(browser, dash, bare, [int(n) for n in args.sweep.split(",")], record_it=False)
                else:
                    per_page(browser, dash, bare, tabs, rounds)
                    at_once(browser, dash, bare, [args.at_once or (8 if quick else 20)], record_it=True)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
