"""Logins held by the server, each bound to the browser connection that logged in.

Streamlit identifies a session by an id that travels in the clear: it is in every upload URL, and
a client that opens ``/_stcore/stream`` with that id as the third WebSocket subprotocol entry is
attached to the session. So a login must not be a flag in the session's state alone. Here the
server process keeps, per session id, the user, the connection (WebSocket) the login was made on
and the last activity. Every run of the app, every data download (in its own thread, outside a
script run) and every upload request asks :meth:`Logins.check`: logged in, not expired, same
connection, and the role holds the right. A session re-attached from another connection, by an
attacker or by a dropped and reopened connection, is logged out (README, "Bảo mật / Security").

Streamlit also answers some requests without running the app: upload URLs and file uploads, and
``clear_cache``. :func:`install_guards` refuses uploads to sessions not logged in with the upload
right; the shared data is kept outside Streamlit's caches (``state.py``), so a ``clear_cache``
from any client drops only cheap aggregates.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Literal

from ..auth import User, can, expired, session_timeout_s

_LOG = logging.getLogger(__name__)

Verdict = Literal["ok", "none", "expired", "moved", "forbidden"]
"""ok; none: nobody logged in; expired: idle past the timeout; moved: the session is now on
another connection than the one that logged in; forbidden: logged in, the role lacks the right."""


@dataclass
class Login:
    user: User
    connection: str | None
    """Token of the connection that logged in (None where no server runs, as under AppTest)."""
    seen: float
    """Last activity (epoch seconds)."""


class Logins:
    """The process's logins by session id (Streamlit serves every session from one process)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._by_session: dict[str, Login] = {}
        self._lock = threading.Lock()

    def start(self, session_id: str, user: User, connection: str | None) -> None:
        """Record a login on ``connection``; forget logins idle for twice the timeout (those idle
        less stay, so that their own session still sees, and audits, that they expired)."""
        now = self.clock()
        with self._lock:
            for key in [k for k, v in self._by_session.items() if expired(v.seen + session_timeout_s(), now)]:
                del self._by_session[key]
            self._by_session[session_id] = Login(user, connection, now)

    def end(self, session_id: str) -> Login | None:
        with self._lock:
            return self._by_session.pop(session_id, None)

    def touch(self, session_id: str) -> None:
        with self._lock:
            login = self._by_session.get(session_id)
            if login is not None:
                login.seen = self.clock()

    def check(self, session_id: str, connection: str | None, right: str = "view") -> tuple[Verdict, Login | None]:
        """Whether ``session_id``, now on ``connection``, may use ``right`` (nothing changes)."""
        with self._lock:
            login = self._by_session.get(session_id)
        if login is None:
            return "none", None
        if expired(login.seen, self.clock()):
            return "expired", login
        if login.connection != connection:
            return "moved", login
        if not can(login.user.role, right):
            return "forbidden", login
        return "ok", login


LOGINS = Logins()

# --------------------------------------------------------------------------- which connection

_tokens: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()
_tokens_lock = threading.Lock()


def _runtime() -> Any | None:
    """Streamlit's server runtime; None without a server (AppTest runs pages under a stand-in)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return runtime if type(runtime) is Runtime else None


def connection_of(session_id: str) -> str | None:
    """A token naming the connection ``session_id`` is attached to now.

    Without a running server (AppTest) None; a session without a connection gets a token that
    matches nothing. Tokens are random and held by the connection object, so a new connection
    never gets an old one's token (unlike ``id()``, which may be reused).
    """
    runtime = _runtime()
    if runtime is None:
        return None
    client = runtime.get_client(session_id)
    if client is None:
        return "gone-" + secrets.token_hex(8)
    with _tokens_lock:
        token = _tokens.get(client)
        if token is None:
            token = _tokens[client] = secrets.token_hex(16)
        return token


def current_session_id() -> str:
    """The id of the session this script run belongs to.

    Without a server (AppTest, which gives each run another id) a key kept in the session's state.
    """
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if _runtime() is not None and ctx is not None:
        return ctx.session_id
    return st.session_state.setdefault("_ytsupport_session_key", "local-" + secrets.token_hex(8))


def oidc_configured() -> bool:
    """True when Streamlit's secrets configure OIDC logins (``[auth]``, used by ``st.login``)."""
    import streamlit as st

    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def logins_configured() -> bool:
    """True when a users file or OIDC secrets are configured (otherwise: local single-user mode)."""
    from ..auth import users_file

    return users_file() is not None or oidc_configured()


def allowed(session_id: str, right: str) -> User | None:
    """The user of ``session_id`` when it may use ``right`` now (any thread); None otherwise.

    In local single-user mode everyone is the local admin.
    """
    from ..auth import LOCAL_USER

    if not logins_configured():
        return User(LOCAL_USER, LOCAL_USER, "admin") if can("admin", right) else None
    verdict, login = LOGINS.check(session_id, connection_of(session_id), right)
    return login.user if verdict == "ok" and login is not None else None


# --------------------------------------------------------------------------- downloads

class NotAllowed(PermissionError):
    """A download asked for by a session that may not have it (Streamlit then sends no file)."""


AuditFn = Callable[[str, str, dict], None]


def guarded(right: str, produce: Callable[[], bytes], audit: AuditFn | None = None,
            action: str | None = None, details: dict | None = None) -> Callable[[], bytes]:
    """A download callable (``st.download_button(data=...)``) that checks, when it runs, that the
    session that drew the button is still logged in on the same connection, not expired and
    allowed ``right``; then makes the file, audits ``action`` (when given) as that user, and has
    the file's link removed after ``YTSUPPORT_DOWNLOAD_LINK_S`` seconds.

    Streamlit runs the callable in a thread of its own when the browser asks for the file, which
    may be long after the page was drawn: this is the moment that counts.
    """
    session_id = current_session_id()

    def run() -> bytes:
        user = allowed(session_id, right)
        if user is None:
            if audit is not None:
                login = LOGINS.check(session_id, None)[1]
                audit(login.user.username if login else "?", "download_refused", {"action": action or right})
            raise NotAllowed(f"{action or right}: not allowed for this session now")
        data = produce()
        if audit is not None and action is not None:
            audit(user.username, action, {**(details or {}), "bytes": len(data)})
        expire_links_later()
        return data

    return run


def expire_links_later(delay_s: float | None = None) -> None:
    """Remove the links of files made for downloads once ``delay_s`` (default: the setting) has passed.

    Streamlit keeps a generated file at ``/media/<id>`` until two clean-ups (after script runs)
    have seen it unused, which may be never when the browser is closed. Its clean-up marks unused
    files first and deletes marked ones next; running it at half the delay and at the delay
    removes a file made now within the delay, and gives one made just before at least half of it.
    """
    from ..settings import get_settings

    runtime = _runtime()
    if runtime is None:
        return
    delay = get_settings().download_link_s if delay_s is None else delay_s
    for at in (delay / 2, delay):
        timer = threading.Timer(at, _remove_unused_files, args=(runtime,))
        timer.daemon = True
        timer.start()


def _remove_unused_files(runtime: Any) -> None:
    try:
        runtime.media_file_mgr.remove_orphaned_files()
    except Exception:  # noqa: BLE001 - a clean-up; the next one retries
        _LOG.exception("removing unused download files failed")


def remove_links_now() -> None:
    """At logout: remove the links of every file no open page shows (two passes, see above)."""
    runtime = _runtime()
    if runtime is not None:
        _remove_unused_files(runtime)
        _remove_unused_files(runtime)


# --------------------------------------------------------------------------- uploads

_guard_lock = threading.Lock()


def install_guards() -> None:
    """Refuse upload URLs and file uploads to sessions not logged in with the upload right.

    Streamlit hands out upload URLs to any session that asks over its WebSocket and stores any
    file PUT to a live session's URL, login or not. Its upload route asks
    ``Runtime.is_active_session`` before reading the body: answering False for a session that may
    not upload refuses the request (400) before a byte is stored. Installed once per process.
    """
    runtime = _runtime()
    if runtime is None:
        return
    with _guard_lock:
        if getattr(runtime, "_ytsupport_guarded", False):
            return
        is_active = runtime.is_active_session
        manager = runtime.uploaded_file_mgr
        upload_urls = manager.get_upload_urls

        def is_active_session(session_id: str) -> bool:
            return is_active(session_id) and allowed(session_id, "upload") is not None

        def get_upload_urls(session_id: str, file_names: Any) -> list:
            if allowed(session_id, "upload") is None:
                _LOG.warning("refused upload URLs to a session without the upload right")
                return []
            return upload_urls(session_id, file_names)

        runtime.is_active_session = is_active_session
        manager.get_upload_urls = get_upload_urls
        runtime._ytsupport_guarded = True
