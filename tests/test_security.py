"""Deployment security (README, "Bảo mật / Security"), each test replaying an attack that must fail:
another local user reading the store's files, guessing passwords, serving the open local mode to
the network, and the reverse proxy configuration shipped in ``deploy/``."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.factories import activity, make_report
from ytsupport.store import backup, get_engine, restore, store_report

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- files for the owner only

@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which a plain new file is readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def others_can_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def test_store_backups_and_secrets_are_for_the_owner_only(tmp_path: Path, open_umask: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A local user who is not the service cannot read the store (names inside), its WAL, its
    backups, the secret or the users file: all 0600, the data folder 0700."""
    from ytsupport.auth import add_user
    from ytsupport.settings import installation_secret

    data = tmp_path / "srv" / "data"
    db = data / "ytsupport.sqlite"
    engine = get_engine(f"sqlite:///{db}")
    store_report(engine, make_report(activities=[activity("2021-06-15")]), received_on=date(2021, 7, 5))
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    assert [others_can_read(f) for f in (db, wal, shm)] == [False] * 3  # open: the WAL holds the last rows
    saved = backup(db, tmp_path / "backups" / "daily.sqlite")
    engine.dispose()
    result = restore(saved, db)
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(data))
    monkeypatch.delenv("YTSUPPORT_SECRET", raising=False)
    installation_secret()
    add_user(data / "users.yaml", "vanphong", "mat-khau-du-dai", "editor")
    files = [db, saved, Path(result["saved_previous"]), data / "secret.key", data / "users.yaml"]
    assert [f.name for f in files if others_can_read(f)] == []
    assert [oct(f.stat().st_mode & 0o777) for f in files] == ["0o600"] * len(files)
    for folder in (data, data.parent, tmp_path / "backups"):
        assert oct(folder.stat().st_mode & 0o777) == "0o700", folder


def test_a_store_left_readable_by_an_older_version_is_tightened(tmp_path: Path, open_umask: None) -> None:
    db = tmp_path / "ytsupport.sqlite"
    get_engine(f"sqlite:///{db}").dispose()
    os.chmod(db, 0o644)
    get_engine(f"sqlite:///{db}").dispose()
    assert not others_can_read(db)


# --------------------------------------------------------------------------- the open local mode stays local

@pytest.fixture
def serve_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[list[str], dict]]:
    """``serve`` without starting Streamlit or building the sample store; no logins configured."""
    import subprocess

    from ytsupport.store import seed

    calls: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    monkeypatch.setattr(seed, "prepare_sample_database", lambda *a, **k: None)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)  # no ~/.streamlit/secrets.toml
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    monkeypatch.delenv("YTSUPPORT_ADDRESS", raising=False)
    return calls


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.168.1.10", "ytsupport.local"])
def test_without_logins_serving_the_network_is_refused(address: str, serve_calls: list,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from ytsupport.cli import main

    assert main(["serve", "--address", address]) == 1
    err = capsys.readouterr().err
    assert "chưa cấu hình đăng nhập" in err and "no logins are configured" in err and "user add" in err
    assert serve_calls == []  # nothing listens


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"])
def test_without_logins_loopback_is_served(address: str, serve_calls: list) -> None:
    from ytsupport.auth import INSECURE_NETWORK_ENV
    from ytsupport.cli import main

    assert main(["serve", "--address", address]) == 0
    [(cmd, kw)] = serve_calls
    assert cmd[cmd.index("--server.address") + 1] == address and INSECURE_NETWORK_ENV not in kw["env"]


def test_the_network_is_served_with_logins_or_with_the_explicit_flag(serve_calls: list, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from ytsupport.auth import INSECURE_NETWORK_ENV
    from ytsupport.cli import main

    monkeypatch.setenv("YTSUPPORT_ADDRESS", "0.0.0.0")
    assert main(["serve", "--insecure-local-network"]) == 0
    assert serve_calls[-1][1]["env"][INSECURE_NETWORK_ENV] == "1"  # the dashboard shows the banner
    assert "Warning: the dashboard is open to the network without logins" in capsys.readouterr().err
    monkeypatch.setenv("YTSUPPORT_USERS_FILE", str(tmp_path / "users.yaml"))
    assert main(["serve"]) == 0
    assert INSECURE_NETWORK_ENV not in serve_calls[-1][1]["env"]


def test_oidc_secrets_count_as_logins(tmp_path: Path) -> None:
    from ytsupport.auth import oidc_configured

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\n', encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[auth", encoding="utf-8")
    assert oidc_configured([tmp_path / "missing.toml", broken, secrets])
    assert not oidc_configured([tmp_path / "missing.toml", broken])


def test_the_dashboard_shows_the_insecure_banner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from ytsupport.auth import INSECURE_NETWORK_ENV

    monkeypatch.setenv("YTSUPPORT_DB_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.delenv("YTSUPPORT_USERS_FILE", raising=False)
    shown = []
    for flag in ("", "1"):
        monkeypatch.setenv(INSECURE_NETWORK_ENV, flag)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
        shown.append(" ".join(e.value for e in at.error))
    assert "insecure-local-network" not in shown[0]
    assert "insecure-local-network" in shown[1] and "dữ liệu cá nhân" in shown[1]


# --------------------------------------------------------------------------- password guessing

PASSWORD = "mật-khẩu-đủ-dài"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ytsupport.auth import add_user

    path = tmp_path_factory.mktemp("users") / "users.yaml"
    add_user(path, "vanphong", PASSWORD, "admin")
    return path


def test_guessing_a_password_is_locked_out_and_audited(users: Path) -> None:
    """The attack: 24 wrong passwords, then the right one. Now the name is locked after five
    failures, every attempt is audited, and the right password waits out the lock."""
    from ytsupport.auth import LoginThrottle, attempt_login

    clock, log = Clock(), []
    throttle = LoginThrottle(clock=clock)
    audit = lambda actor, action, details: log.append((actor, action, details))  # noqa: E731
    results = [attempt_login(users, "vanphong", f"doan-{n}", "203.0.113.5", audit, throttle) for n in range(24)]
    right = attempt_login(users, "vanphong", PASSWORD, "203.0.113.5", audit, throttle)
    assert right.user is None and right.retry_after_s > 0
    assert [r.retry_after_s > 0 for r in results] == [False] * 4 + [True] * 20
    actions = [action for _, action, _ in log]
    assert actions == ["login_failed"] * 5 + ["login_throttled"] * 20
    assert {actor for actor, _, _ in log} == {"vanphong"} and log[0][2]["address"] == "203.0.113.5"
    clock.now += right.retry_after_s + 1
    assert attempt_login(users, "vanphong", PASSWORD, "203.0.113.5", audit, throttle).user is not None
    assert log[-1][1] == "login"
    assert throttle.wait_s("vanphong", None) == 0  # a success clears the name


def test_the_lock_doubles_up_to_fifteen_minutes() -> None:
    from ytsupport.auth import LoginThrottle

    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    waits = []
    for _ in range(12):
        throttle.failed("Vanphong ", None)
        waits.append(throttle.wait_s("vanphong", None))
    assert waits == [0.0] * 4 + [30.0, 60.0, 120.0, 240.0, 480.0, 900.0, 900.0, 900.0]
    clock.now += 3601
    assert throttle.wait_s("vanphong", None) == 0  # forgotten after an hour without failures


def test_one_address_guessing_many_names_is_locked_too() -> None:
    from ytsupport.auth import LoginThrottle

    throttle = LoginThrottle(clock=Clock())
    for n in range(20):
        throttle.failed(f"user{n}", "198.51.100.7")
    assert throttle.wait_s("someone_else", "198.51.100.7") > 0
    assert throttle.wait_s("someone_else", "198.51.100.8") == 0


def test_unknown_names_and_wrong_passwords_are_answered_alike(users: Path) -> None:
    """No way to tell an account exists: same audit, same lock, and the same time (argon2 either way)."""
    import time

    from ytsupport.auth import LoginThrottle, attempt_login, authenticate

    outcomes = {}
    for name in ("vanphong", "khongco"):
        throttle, log = LoginThrottle(clock=Clock()), []
        audit = lambda actor, action, details: log.append(action)  # noqa: E731
        results = [attempt_login(users, name, "sai-mat-khau", None, audit, throttle) for _ in range(7)]
        outcomes[name] = ([r.user for r in results], [r.retry_after_s for r in results], log)
    assert outcomes["vanphong"] == outcomes["khongco"]

    def fastest(name: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            authenticate(users, name, "sai-mat-khau")
            times.append(time.perf_counter() - started)
        return min(times)

    known, unknown = fastest("vanphong"), fastest("khongco")
    assert 0.5 < known / unknown < 2.0, (known, unknown)


def test_failed_logins_in_the_dashboard_are_audited_and_locked(users: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from ytsupport import auth
    from ytsupport.store import audit_entries

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("YTSUPPORT_DB_URL", db)
    monkeypatch.setenv("YTSUPPORT_USERS_FILE", str(users))
    monkeypatch.setattr(auth.THROTTLE, "_failures", {})
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    for _ in range(6):
        at.text_input[0].input("vanphong")
        at.text_input[1].input("sai-mat-khau")
        at.button[0].click().run()
    assert "Hãy thử lại sau" in at.error[0].value and not at.metric
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Hãy thử lại sau" in at.error[0].value and not at.metric  # still locked
    engine = get_engine(db)
    actions = [e["action"] for e in audit_entries(engine)]
    engine.dispose()
    assert actions.count("login_failed") == 5 and actions.count("login_throttled") == 2


# --------------------------------------------------------------------------- the reverse proxy shipped in deploy/

NGINX_CONF = ROOT / "deploy" / "nginx" / "ytsupport.conf"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx/ytsupport.conf no longer has exactly one {old!r}"
    return text.replace(old, new)


def _nginx() -> str:
    import shutil

    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is not installed (Debian: apt-get install nginx openssl; .ci/run does)")
    return found


@dataclass
class Proxy:
    folder: Path
    main: Path


def _proxy_folder(tmp_path: Path, ports: dict[str, int] | None = None) -> Proxy:
    """The shipped config in a runnable nginx.conf: a throw-away certificate, and with ``ports``
    loopback ports instead of 80/443 and the stub upstream instead of :8501."""
    import subprocess

    folder = tmp_path / "nginx"
    for sub in ("", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(folder / "test.key"), "-out", str(folder / "test.crt")],
                   check=True, capture_output=True, timeout=60)
    conf = NGINX_CONF.read_text(encoding="utf-8")
    conf = _replace_once(conf, "/etc/ssl/certs/ytsupport.crt", str(folder / "test.crt"))
    conf = _replace_once(conf, "/etc/ssl/private/ytsupport.key", str(folder / "test.key"))
    conf = _replace_once(conf, "/var/lib/nginx/ytsupport-static", str(folder / "static-cache"))
    if ports:
        conf = _replace_once(conf, "listen 80;", f"listen 127.0.0.1:{ports['http']};")
        conf = _replace_once(conf, "listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;")
        conf = _replace_once(conf, "    listen [::]:80;\n", "")
        conf = _replace_once(conf, "    listen [::]:443 ssl;\n", "")
        conf = _replace_once(conf, "server 127.0.0.1:8501;", f"server 127.0.0.1:{ports['upstream']};")
    (folder / "ytsupport.conf").write_text(conf, encoding="utf-8")
    tmp = folder / "tmp"
    temp_paths = "".join(f"    {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                               "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(("user root;\n" if os.geteuid() == 0 else "") +
                    f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
                    "events { worker_connections 64; }\n"
                    f"http {{\n    access_log off;\n{temp_paths}    include {folder / 'ytsupport.conf'};\n}}\n",
                    encoding="utf-8")
    return Proxy(folder, main)


def test_the_shipped_nginx_config_parses(tmp_path: Path) -> None:
    import subprocess

    nginx = _nginx()
    proxy = _proxy_folder(tmp_path)
    done = subprocess.run([nginx, "-t", "-c", str(proxy.main), "-e", str(proxy.folder / "error.log")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "syntax is ok" in done.stderr, done.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def running_proxy(tmp_path: Path) -> Iterator[tuple[dict[str, int], list[tuple[str, str, dict]]]]:
    """nginx with the shipped config in front of a stub dashboard that records what reaches it."""
    import subprocess
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    nginx = _nginx()
    seen: list[tuple[str, str, dict]] = []

    class Stub(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            body = b"dashboard"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {"http": _free_port(), "https": _free_port(), "upstream": upstream.server_address[1]}
    proxy = _proxy_folder(tmp_path, ports)
    process = subprocess.Popen([nginx, "-c", str(proxy.main), "-e", str(proxy.folder / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                _request(ports, "GET", "/ready")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.1)
        yield ports, seen
    finally:
        process.terminate()
        process.wait(timeout=20)
        upstream.shutdown()


def _request(ports: dict[str, int], method: str, path: str, headers: dict[str, str] | None = None,
             body: bytes | None = None, tls: bool = True):
    """One request through the proxy; returns (status, headers)."""
    import http.client
    import ssl

    if tls:
        conn = http.client.HTTPSConnection("127.0.0.1", ports["https"], timeout=20,
                                           context=ssl._create_unverified_context())  # the throw-away certificate
    else:
        conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=20)
    try:
        conn.putrequest(method, path)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders(body)
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def test_the_proxy_refuses_framing_metrics_and_oversized_uploads(running_proxy) -> None:
    """Attacks of the review, replayed through nginx with the shipped config: the page in a frame
    of another origin, reading /_stcore/metrics, plain HTTP, a 60 MB upload, an upload flood."""
    ports, seen = running_proxy
    status, headers = _request(ports, "GET", "/")
    assert status == 200
    assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "img-src 'self' data: blob:;" in headers["content-security-policy"]  # no outside image
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "nginx/" not in headers.get("server", "")
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore/metrics?format=proto"):
        assert _request(ports, "GET", path)[0] == 404
    assert not any(p.startswith("/_stcore/metrics") for _, p, _ in seen)
    status, headers = _request(ports, "GET", "/people", tls=False)
    assert status == 301 and headers["location"].startswith("https://")
    _request(ports, "GET", "/_stcore/stream", {"Upgrade": "websocket", "Connection": "Upgrade"})
    _, _, forwarded = next(s for s in seen if s[1] == "/_stcore/stream")
    assert forwarded["upgrade"] == "websocket" and forwarded["connection"].lower() == "upgrade"
    too_big = _request(ports, "PUT", "/_stcore/upload_file/s/f", {"Content-Length": str(60 * 1024 * 1024)})
    assert too_big[0] == 413
    statuses = [_request(ports, "PUT", f"/_stcore/upload_file/s/{n}", body=b"x")[0] for n in range(15)]
    assert statuses[:11] == [200] * 11 and 429 in statuses
