"""The dashboard in real headless Chromium (Debian's, driven by Playwright; no browser download):
every page opens without an exception, the language switch and navigation work, and the browser
never asks for anything beyond the local server (the dashboard must work offline)."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.test_dashboard import sample_year
from tools.screenshots import dashboard
from ytsupport.store import get_engine, store_report

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TITLES = {"": "Tiến độ Kế hoạch 114-KH/ĐTN", "coverage": "Bao phủ đối tượng", "visits": "Khám bệnh, thăm hỏi và vui chơi",
          "resources": "Nguồn lực vận động", "units": "Đơn vị và tình hình báo cáo", "meeting": "Họp giao ban: chốt số liệu và báo cáo",
          "present": None, "upload": "Tải lên báo cáo", "people": "Đối tượng", "audit": "Nhật ký"}


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api():
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, playwright_api) -> Iterator[str]:
    """The dashboard on a free loopback port over a stored year, stopped after the module."""
    yield from _serve(tmp_path_factory.mktemp("e2e") / "year.sqlite", {})


@pytest.fixture(scope="module")
def server_with_logins(tmp_path_factory: pytest.TempPathFactory, playwright_api) -> Iterator[str]:
    """The same, with a users file configured: everyone must log in."""
    from ytsupport.auth import add_user

    folder = tmp_path_factory.mktemp("e2e-login")
    add_user(folder / "users.yaml", "xem", "mat-khau-xem", "viewer", "Người xem")
    yield from _serve(folder / "year.sqlite", {"YTSUPPORT_USERS_FILE": str(folder / "users.yaml")})


def _serve(db: Path, extra_env: dict[str, str]) -> Iterator[str]:
    engine = get_engine(f"sqlite:///{db}")
    for report, received in sample_year():
        store_report(engine, report, received_on=received)
    engine.dispose()
    # an empty value leaves a setting unset (no boundary file; local mode unless a users file is given)
    env = {"YTSUPPORT_DB_URL": f"sqlite:///{db}", "YTSUPPORT_BOUNDARY_FILE": "", "YTSUPPORT_USERS_FILE": "", **extra_env}
    with dashboard(env, timeout=45) as url:
        yield url


@pytest.fixture(scope="module")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    """A fresh page whose requests to any host but the local server fail; ``page.outside`` lists them."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    outside: list[str] = []

    def only_local(route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.outside = outside
    yield tab
    context.close()


def settle(page, title: str | None = None) -> None:
    """Wait for Streamlit to finish the run (and for the page's title when given)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=30000)
    if title:
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=30000)
    time.sleep(0.3)
    deadline = time.time() + 30
    while time.time() < deadline and page.locator("[data-testid=stStatusWidget]").count():
        time.sleep(0.2)


def test_deep_link_first_then_every_page_by_navigation(server: str, page) -> None:
    # The first request of a fresh server names a page: the router must still run (see app.page_guard).
    page.goto(f"{server}/coverage")
    settle(page, TITLES["coverage"])
    assert page.locator("[data-testid=stSidebarNav]").count() == 1
    assert page.get_by_text("Bộ lọc", exact=True).count() == 1
    page.goto(server)
    settle(page, TITLES[""])
    for path, title in TITLES.items():
        page.locator(f"[data-testid=stSidebarNavLink][href$='/{path}']").first.click()
        settle(page, title)
        assert page.locator("[data-testid=stException]").count() == 0, path
        if path in ("coverage", "visits", "resources", "units"):
            page.locator("[data-testid=stPlotlyChart] .main-svg, table.yt-matrix").first.wait_for(timeout=20000)
    assert page.outside == []


def test_a_link_naming_the_overview_opens_it_without_page_not_found(server: str, page) -> None:
    # Streamlit serves the default page at the root only; /overview used to show "Page not found" first.
    for path, title in (("overview", TITLES[""]), ("overview?lang=en", "Progress of Plan 114-KH/ĐTN"),
                        ("overview?lang=vi&as_of=2021-06-30", TITLES[""])):
        page.goto(f"{server}/{path}")
        settle(page, title)
        page.locator("[data-testid=stMetricValue]").first.wait_for(timeout=20000)
        assert page.get_by_text("Page not found").count() == 0, path
        assert page.locator("[role=dialog]").count() == 0, path


def test_language_switch_and_filters_in_the_url(server: str, page) -> None:
    page.goto(f"{server}/resources?units=doan_khoi&as_of=2021-06-30")
    settle(page, TITLES["resources"])
    page.get_by_text("24.000.000 đồng", exact=True).first.wait_for(timeout=20000)
    page.get_by_text("English", exact=True).click()
    settle(page, "Resources mobilised")
    page.get_by_text("24,000,000 VND", exact=True).first.wait_for(timeout=20000)
    assert "lang=en" in page.url and "units=doan_khoi" in page.url and "as_of=2021-06-30" in page.url
    page.locator("[data-testid=stSidebarNavLink][href$='/units']").first.click()
    settle(page, "Units and reporting")
    assert "lang=en" in page.url and "units=doan_khoi" in page.url  # kept across pages
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.outside == []


def _people_served(page) -> int:
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Lượt người được hỗ trợ").first
    value = metric.locator("[data-testid=stMetricValue]").inner_text()
    return int("".join(ch for ch in value if ch.isdigit()))


def test_upload_confirm_and_see_it_counted_on_the_overview(server: str, page, tmp_path: Path) -> None:
    from tests.workbooks import activity, write_report_workbook

    report = write_report_workbook(tmp_path / "BC thang 3-2021 - Doan Khoi.xlsx", unit="Đoàn Khối", period="3/2021",
                                   activities=[activity(day="17/03/2021", kind="Khám bệnh", people=777, disabled=0, orphans=0,
                                                        elderly=0, place="Nhà văn hóa xã Long Đức", district="Càng Long")])
    page.goto(f"{server}/?as_of=2021-12-31")
    settle(page, TITLES[""])
    before = _people_served(page)
    page.locator("[data-testid=stSidebarNavLink][href$='/upload']").first.click()
    settle(page, TITLES["upload"])
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(report))
    page.get_by_text("✅ Hợp lệ").first.wait_for(timeout=30000)
    page.get_by_role("button", name="Lưu 1 tệp hợp lệ").click()
    page.get_by_text("Đã lưu xong").first.wait_for(timeout=30000)
    page.locator("[data-testid=stSidebarNavLink][href$='/overview'], [data-testid=stSidebarNavLink]").first.click()
    settle(page, TITLES[""])
    assert _people_served(page) == before + 777
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.outside == []


def test_login_is_enforced_when_configured(server_with_logins: str, page) -> None:
    for path in ("", "coverage", "upload", "people"):
        page.goto(f"{server_with_logins}/{path}")
        page.get_by_role("button", name="Đăng nhập").wait_for(timeout=30000)
        assert page.locator("[data-testid=stSidebarNavLink]").count() == 0, path
        assert page.locator("[data-testid=stMetric]").count() == 0, path
    page.get_by_label("Tên đăng nhập").fill("xem")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.").wait_for(timeout=30000)
    page.get_by_label("Mật khẩu").fill("mat-khau-xem")
    page.get_by_role("button", name="Đăng nhập").click()
    settle(page, TITLES[""])
    links = [page.locator("[data-testid=stSidebarNavLink]").nth(i).get_attribute("href")
             for i in range(page.locator("[data-testid=stSidebarNavLink]").count())]
    assert not [h for h in links if h.rstrip("/").endswith(("/upload", "/people", "/audit"))]  # a viewer's pages only
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.outside == []


# --------------------------------------------------------------------------- user text is never markup

LINKS = "![s](http://attacker.invalid/s.png) [Đăng nhập lại](http://attacker.invalid/phish)"
PAYLOADS = [LINKS, '<img src="http://attacker.invalid/h.png"> **đậm** :material/home: www.attacker.invalid']


@pytest.fixture(scope="module")
def server_with_payloads(tmp_path_factory: pytest.TempPathFactory, playwright_api) -> Iterator[str]:
    """A stored year plus user text carrying markdown and HTML everywhere it can travel: snapshot
    names, a donor, an in-kind unit of measure, a unit's note and an event's place (as typed in a
    report)."""
    from datetime import date

    from tests.factories import activity, make_report, resource
    from ytsupport.report.snapshots import create_snapshot

    db = tmp_path_factory.mktemp("e2e-text") / "year.sqlite"
    engine = get_engine(f"sqlite:///{db}")
    for report, received in sample_year():
        store_report(engine, report, received_on=received)
    for n, text in enumerate(PAYLOADS):
        store_report(engine, make_report("bhxh", f"2021-0{7 + n}", activities=[
            activity("2021-06-01", "tham_tang_qua", 20, location=text)], resources=[
            resource(f"2021-0{7 + n}-02", "qua", 5, 1_000_000, donor=text, unit_of_measure=text, notes=text)]),
            received_on=date(2021, 8 + n, 1))
        create_snapshot(engine, text, as_of=date(2021, 6, 30))
    engine.dispose()
    env = {"YTSUPPORT_DB_URL": f"sqlite:///{db}", "YTSUPPORT_BOUNDARY_FILE": "", "YTSUPPORT_USERS_FILE": ""}
    with dashboard(env, timeout=45) as url:
        yield url


def _no_markup_from_user_text(page) -> None:
    found = page.locator("img[src*='attacker.invalid'], a[href*='attacker.invalid'], [data-testid=stException]")
    assert found.count() == 0, [found.nth(i).evaluate("e => e.parentElement.outerHTML")[:300] for i in range(found.count())]
    assert page.outside == []


def test_user_text_is_shown_as_typed_never_as_markup(server_with_payloads: str, page) -> None:
    """The attack: a snapshot name, an uploaded file's name and text typed into a report carrying
    markdown images and links (and HTML). Every page shows them as plain text: no outside image
    is loaded, no link is made."""
    url = server_with_payloads
    page.goto(f"{url}/meeting")
    settle(page, TITLES["meeting"])
    page.locator("[data-testid=stRadio]").get_by_text("[Đăng nhập lại](http:", exact=False).first.wait_for(timeout=20000)
    _no_markup_from_user_text(page)
    page.get_by_label("Tên lần chốt số liệu").fill(PAYLOADS[1] + " " + LINKS)  # taken here, then refused as taken
    for _ in range(2):
        page.get_by_role("button", name="Chốt số liệu cho cuộc họp").click()
        settle(page)
        _no_markup_from_user_text(page)
    page.locator("[data-testid=stAlert]").get_by_text("Đã có lần chốt số liệu tên", exact=False).wait_for(timeout=20000)
    for path in ("resources", "visits", "people", "audit", "coverage", "units", "", "present"):
        page.goto(f"{url}/{path}?as_of=2021-12-31")
        settle(page, TITLES[path])
        _no_markup_from_user_text(page)
    page.goto(f"{url}/upload")
    settle(page, TITLES["upload"])
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": f"{text}.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": b"not a workbook"} for text in PAYLOADS])
    page.get_by_role("heading").get_by_text("![s](http:", exact=False).first.wait_for(timeout=30000)
    settle(page)
    _no_markup_from_user_text(page)
