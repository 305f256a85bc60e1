"""Attacks on a served dashboard with logins (README, "Bảo mật / Security", findings 1, 2, 3, 5, 6
and 8), each replayed over Streamlit's own WebSocket protocol or plain HTTP as an attacker would,
without a browser, and each now failing to get in."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.stream_client import StreamClient, click, log_in, text_value
from ytsupport.store import audit_entries, get_engine, store_report

PASSWORDS = {"quantri": "mat-khau-quan-tri", "vanphong": "mat-khau-van-phong", "xem": "mat-khau-nguoi-xem"}
ROLES = {"quantri": "admin", "vanphong": "editor", "xem": "viewer"}
LINK_S = 4.0


@dataclass
class Server:
    url: str
    db: str

    def actions(self) -> list[str]:
        engine = get_engine(self.db)
        try:
            return [e["action"] for e in audit_entries(engine, limit=10_000)][::-1]  # oldest first
        finally:
            engine.dispose()

    def entries(self, action: str) -> list[dict]:
        engine = get_engine(self.db)
        try:
            return [e for e in audit_entries(engine, limit=10_000) if e["action"] == action]
        finally:
            engine.dispose()


def _serve(folder: Path, **env: str) -> Iterator[Server]:
    from tests.test_dashboard import sample_year
    from tools.screenshots import dashboard
    from ytsupport.auth import add_user

    for name, password in PASSWORDS.items():
        add_user(folder / "users.yaml", name, password, ROLES[name])  # type: ignore[arg-type]
    db = f"sqlite:///{folder / 'year.sqlite'}"
    engine = get_engine(db)
    for report, received in sample_year():
        store_report(engine, report, received_on=received)
    engine.dispose()
    settings = {"YTSUPPORT_DB_URL": db, "YTSUPPORT_BOUNDARY_FILE": "", "YTSUPPORT_USERS_FILE": str(folder / "users.yaml"),
                "YTSUPPORT_DOWNLOAD_LINK_S": str(LINK_S), **env}
    with dashboard(settings, timeout=60) as url:
        yield Server(url, db)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _serve(tmp_path_factory.mktemp("served"))


@pytest.fixture(scope="module")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Sessions expire after 6 s idle."""
    yield from _serve(tmp_path_factory.mktemp("short"), YTSUPPORT_SESSION_TIMEOUT_MIN="0.1")


def admin_on_people(server: Server) -> tuple[StreamClient, object]:
    """An admin logged in (over the WebSocket, as the browser does) on the beneficiary page."""
    client = StreamClient(server.url)
    run = log_in(client, "quantri", PASSWORDS["quantri"], "people")
    assert run.of("dataframe") and "Đối tượng" in run.texts, run.texts
    return client, run.of("download_button")[0].proto


def is_login_form(run) -> bool:
    labels = [e.text for e in run.of("text_input")]
    return labels == ["Tên đăng nhập", "Mật khẩu"] and not run.of("dataframe") and not run.of("download_button")


# --------------------------------------------------------------------------- 1. session takeover


def test_replaying_a_session_id_from_another_connection_shows_only_the_login_form(server: Server) -> None:
    """The attack: a connection without any cookie naming a logged-in admin's session id in the
    WebSocket subprotocol (``streamlit, x, <id>``). It is attached to the session, but the login
    belongs to the admin's connection: its download request is refused, its run shows the login
    form and nothing else, and the session's login is ended and audited."""
    admin, export = admin_on_people(server)
    with StreamClient(server.url, session_id=admin.session_id) as attacker:
        refused = attacker.deferred_file(export.deferred_file_id)  # before any run of its own
        assert refused.error_msg and not refused.deferred_file.url
        assert attacker.upload_urls(["x.xlsx"]) == []
        run = attacker.rerun("people")
        assert attacker.session_id == admin.session_id  # Streamlit did attach it
        assert is_login_form(run), run.texts
        assert "Thạch" not in run.texts and "Đối tượng" not in [e.text for e in run.of("heading")]
    assert "session_moved" in server.actions()
    assert "export_people" not in server.actions()
    admin.close()


# --------------------------------------------------------------------------- 2. stale sessions


def test_an_expired_session_cannot_export(short_server: Server) -> None:
    """The attack: the page was drawn, the session timeout passes, then "Export" is clicked.
    The download checks the login when it runs: refused, nothing exported; the next run shows
    the login form with the expiry notice."""
    admin, export = admin_on_people(short_server)
    time.sleep(7)
    refused = admin.deferred_file(export.deferred_file_id)
    assert refused.error_msg and not refused.deferred_file.url
    assert "export_people" not in short_server.actions()
    run = admin.rerun("people")
    assert is_login_form(run) and "hết hạn" in run.texts
    assert "session_expired" in short_server.actions()
    admin.close()


# --------------------------------------------------------------------------- 3. audit, 8. links


def test_an_export_is_audited_where_it_is_made_and_its_link_dies(server: Server) -> None:
    """The attack of finding 3: asking for the export's file over the WebSocket without any run
    of the button's callback. The file is audited when it is made (``export_people``). Finding 8:
    its ``/media`` link, fetched without any cookie, works only briefly."""
    admin, export = admin_on_people(server)
    made = admin.deferred_file(export.deferred_file_id)
    assert made.deferred_file.url and not made.error_msg
    exports = server.entries("export_people")
    assert len(exports) == 1 and exports[0]["actor"] == "quantri" and exports[0]["details"]["rows"] == 5
    link = server.url + made.deferred_file.url
    assert requests.get(link, timeout=10).status_code == 200  # the browser fetches it at once
    time.sleep(LINK_S + 1.5)
    assert requests.get(link, timeout=10).status_code == 404
    admin.close()


def test_opening_searching_and_logging_out_are_audited(server: Server) -> None:
    admin, _ = admin_on_people(server)
    search = admin.rerun("people")
    field_id = search.widget("text_input", "Tìm theo tên, huyện, xã, nhóm đối tượng hoặc đơn vị").id
    admin.rerun("people", [text_value(field_id, "Trà Cú")])
    admin.rerun("audit")
    logout = admin.rerun("audit").widget("button", "Đăng xuất").id
    assert is_login_form(admin.rerun("audit", [click(logout)]))
    actions = server.actions()
    assert {"people_opened", "people_search", "audit_opened", "logout"} <= set(actions)
    assert server.entries("people_search")[0]["details"]["query"] == "Trà Cú"
    admin.close()


def test_logging_out_removes_the_download_links(server: Server) -> None:
    admin, export = admin_on_people(server)
    link = server.url + admin.deferred_file(export.deferred_file_id).deferred_file.url
    logout = admin.rerun("people").widget("button", "Đăng xuất").id
    admin.rerun("people", [click(logout)])
    assert requests.get(link, timeout=10).status_code == 404
    admin.close()


# --------------------------------------------------------------------------- 5. viewers do not write


def test_a_viewer_cannot_take_a_snapshot_even_by_forging_the_click(server: Server) -> None:
    from ytsupport.report.snapshots import list_snapshots

    with StreamClient(server.url) as editor:
        form = log_in(editor, "vanphong", PASSWORDS["vanphong"], "meeting")
        button = form.widget("button", "Chốt số liệu cho cuộc họp").id
    with StreamClient(server.url) as viewer:
        page = log_in(viewer, "xem", PASSWORDS["xem"], "meeting")
        assert not [e for e in page.of("button") if e.text == "Chốt số liệu cho cuộc họp"]
        assert "Tài khoản xem không chốt được" in page.texts
        viewer.rerun("meeting", [click(button)])  # the editor's button id, sent anyway
    engine = get_engine(server.db)
    assert list_snapshots(engine) == []
    engine.dispose()


# --------------------------------------------------------------------------- 6. anonymous load


def _put(server: Server, upload_url: str, size: int) -> int:
    """PUT a file of ``size`` bytes to an upload URL, with an XSRF cookie of our own, as a browser would."""
    http = requests.Session()
    http.get(server.url + "/_stcore/health", timeout=10)  # sets the XSRF cookie
    token = http.cookies.get("_streamlit_xsrf", "")
    reply = http.put(server.url + upload_url, files={"file": ("big.xlsx", b"0" * size)},
                     headers={"X-Xsrftoken": token}, timeout=60)
    return reply.status_code


def test_anonymous_and_viewer_connections_cannot_upload(server: Server) -> None:
    """The attack: without logging in (or as a viewer), ask for upload URLs and PUT files. No
    uploader is drawn, no URL is given, and a PUT to a made-up URL of the session is refused
    before its body is read; an editor's upload still works."""
    with StreamClient(server.url) as anonymous:
        run = anonymous.rerun("upload")
        assert is_login_form(run) and not run.of("file_uploader")
        assert anonymous.upload_urls(["a.xlsx"]) == []
        assert _put(server, f"/_stcore/upload_file/{anonymous.session_id}/made-up-id", 1_000_000) == 400
    with StreamClient(server.url) as viewer:
        log_in(viewer, "xem", PASSWORDS["xem"], "upload")
        assert viewer.upload_urls(["a.xlsx"]) == []
        assert _put(server, f"/_stcore/upload_file/{viewer.session_id}/made-up-id", 1000) == 400
    with StreamClient(server.url) as editor:
        run = log_in(editor, "vanphong", PASSWORDS["vanphong"], "upload")
        assert run.of("file_uploader")
        urls = editor.upload_urls(["a.xlsx"])
        assert len(urls) == 1 and _put(server, urls[0].upload_url, 1000) == 204


def test_a_clients_cache_clear_keeps_the_shared_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's ``clear_cache`` message (any client may send it) empties ``st.cache_data`` and
    ``st.cache_resource`` for everyone: the loaded data is kept out of both, so the next page does
    not reload it (seconds at a million rows)."""
    from types import SimpleNamespace

    from streamlit.runtime.app_session import AppSession

    from datetime import date

    from tests.factories import activity, make_report
    from ytsupport.dashboard import state
    from ytsupport.store import current

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("YTSUPPORT_DB_URL", db)
    store_report(get_engine(db), make_report(activities=[activity("2021-06-15")]), received_on=date(2021, 7, 5))
    loads: list[str] = []
    real = current.current_data
    monkeypatch.setattr(current, "current_data", lambda *args, **kw: loads.append("load") or real(*args, **kw))
    first = state.frames()
    AppSession._handle_clear_cache_request(SimpleNamespace(_session_state={}))  # the message's own handler
    assert state.frames() is first and loads == ["load"]
