"""Screenshots of every dashboard page, for the README: docs/screenshots/NN_<page>.png.

Usage:
    python tools/screenshots.py                     # starts the dashboard itself on a free port
    python tools/screenshots.py --url http://127.0.0.1:8501 --lang en --out /tmp/shots

Without ``--url`` the dashboard is started on the database of ``YTSUPPORT_DB_URL`` (or the
embedded one, built from ``sample_data/`` on first start). Needs the ``playwright`` Python package
and Debian's Chromium (``apt-get install chromium``); Playwright never downloads a browser here.
Images are full pages, downscaled and reduced to a 128-colour palette so they stay small.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ["", "coverage", "visits", "resources", "units", "meeting", "present", "upload"]  # "" is the overview (default page)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, proc: subprocess.Popen, timeout: float, name: str) -> None:
    """Wait until the Streamlit server at ``url`` answers its health check; raise with the end of
    its standard error when the process ``proc`` (started with ``stderr=PIPE``) ends or ``timeout``
    seconds pass first."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{name} did not start: " + proc.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.3)


@contextlib.contextmanager
def served(cmd: list[str], port: int, env: dict[str, str] | None, timeout: float,
           name: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the Streamlit server command ``cmd`` (listening on ``port``) from the project's folder;
    yield (its URL, the process) once it answers; stop it after."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, proc, timeout, name)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def dashboard(env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[str]:
    """Start ``streamlit run dashboard.py`` on a free loopback port; yield its URL; stop it after."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with served(cmd, port, env, timeout, "the dashboard") as (url, _):
        yield url


def settle(page, extra: float = 1.0) -> None:
    """Wait until Streamlit has finished running the page and the charts are drawn."""
    page.wait_for_selector("[data-testid=stApp]", timeout=60000)
    time.sleep(0.5)
    end = time.time() + 60
    while time.time() < end and page.locator("[data-testid=stStatusWidget]").count():
        time.sleep(0.2)
    time.sleep(extra)


def full_height(page, width: int, limit: int = 7000) -> None:
    """Grow the viewport to the page's whole height (measured until it stops changing): Streamlit
    scrolls inside its main container, so a "full page" screenshot would show the first screen only."""
    script = """() => Math.max(document.body.scrollHeight,
        ...Array.from(document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]'))
            .map(e => e.scrollHeight))"""
    previous, height = -1, page.evaluate(script)
    for _ in range(20):
        if height == previous:
            break
        page.set_viewport_size({"width": width, "height": min(limit, int(height) + 40)})
        time.sleep(0.7)
        previous, height = height, page.evaluate(script)
    settle(page, 1.0)


def shrink(path: Path, width: int) -> None:
    """Cut the blank space under the content, downscale to ``width`` pixels and reduce to a
    128-colour palette (a PNG that stays sharp for text and small)."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        pixels = np.asarray(image)
        main = pixels[:, image.width // 4:]  # right of the sidebar, which is grey all the way down
        rows = np.nonzero((main < 245).any(axis=(1, 2)))[0]
        if len(rows):
            image = image.crop((0, 0, image.width, min(image.height, int(rows[-1]) + 40)))
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(url: str, out: Path, lang: str = "vi", width: int = 1440, image_width: int = 1000) -> list[str]:
    """Screenshot every page; returns the pages that show an exception."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    bad = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="en-US" if lang == "en" else "vi-VN")
        for i, path in enumerate(PAGES):
            page.goto(f"{url}/{path}?lang={lang}")
            settle(page)
            name = out / f"{i:02d}_{path or 'overview'}{'_en' if lang == 'en' else ''}.png"
            full_height(page, width)
            page.screenshot(path=str(name))
            page.set_viewport_size({"width": width, "height": 900})
            shrink(name, image_width)
            if page.locator("[data-testid=stException]").count():
                bad.append(path or "overview")
            print(f"{name}  {name.stat().st_size // 1024} KB")
        browser.close()
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running dashboard (default: start one)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--lang", choices=["vi", "en"], default="vi")
    ap.add_argument("--width", type=int, default=1440, help="browser width in CSS pixels")
    ap.add_argument("--image-width", type=int, default=1000, help="width of the saved images")
    a = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        url = a.url or stack.enter_context(dashboard())
        bad = shoot(url.rstrip("/"), a.out, a.lang, a.width, a.image_width)
    if bad:
        print("pages showing an exception: " + ", ".join(bad), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
