"""Who uses the dashboard: the login form or OIDC, roles and rights, the audit log."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from ..auth import can as can  # the router shows pages by right
from ..i18n import t
from . import sessions
from .state import engine


def current_user():
    """The logged-in user (held by the server, see ``sessions``); in local single-user mode (no
    users file, no OIDC) the local admin. Nobody (a viewer without rights) when no login holds."""
    from ..auth import LOCAL_USER, User

    if not sessions.logins_configured():
        return User(LOCAL_USER, LOCAL_USER, "admin")
    login = sessions.LOGINS.check(sessions.current_session_id(), None)[1]
    return login.user if login is not None else User("?", "?", "viewer")


def current_actor() -> str:
    return current_user().username


def _oidc_configured() -> bool:
    return sessions.oidc_configured()


def _oidc_user(lang: str, pages: list[Any]):
    """The user signed in through ``st.login`` (OIDC); the role comes from the users file by e-mail.

    Streamlit reads ``st.user`` from the signed identity cookie sent with this connection, so a
    connection without that cookie is not signed in, whatever session id it names.
    """
    from ..auth import User, load_users, users_file

    if not st.user.is_logged_in:
        st.navigation(pages, position="hidden")
        st.title(t("app_title", lang))
        st.button(t("login_oidc", lang), on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    path = users_file()
    entry = load_users(path).get(email, {}) if path else {}
    return User(email, str(st.user.get("name") or email), entry.get("role", "viewer"))


def _login_form(lang: str, path: Path, pages: list[Any], session_id: str, connection: str | None):
    """The login form (users file with argon2 hashes); stops the run until someone logs in.

    The menu is hidden meanwhile (``pages`` are registered hidden, so any page's URL still resolves).
    A login is bound to this session's current connection (``sessions``).
    """
    from ..auth import attempt_login

    st.navigation(pages, position="hidden")
    st.title(t("app_title", lang))
    st.caption(t("app_subtitle", lang))
    with st.form("login"):
        username = st.text_input(t("login_user", lang))
        password = st.text_input(t("login_password", lang), type="password")
        submitted = st.form_submit_button(t("login_button", lang), type="primary")
    if submitted:
        from ..store import audit as store_audit

        result = attempt_login(path, username, password, st.context.ip_address,
                               lambda actor, action, details: store_audit(engine(), actor, action, details))
        if result.user is not None:
            sessions.LOGINS.start(session_id, result.user, connection)
            st.rerun()
        if result.retry_after_s > 0:
            st.error(t("login_throttled", lang, s=int(result.retry_after_s + 0.999)))
        else:
            st.error(t("login_failed", lang))
    st.stop()


def logins_configured() -> bool:
    """True when a users file or OIDC secrets are configured (otherwise: local single-user mode)."""
    return sessions.logins_configured()


def _end_login(session_id: str, action: str, details: dict[str, Any] | None = None) -> None:
    """Forget the session's login, audit why (``logout``, ``session_expired``, ``session_moved``)
    and remove the links of files made for downloads."""
    ended = sessions.LOGINS.end(session_id)
    if ended is not None:
        from ..store import audit as store_audit

        store_audit(engine(), ended.user.username, action,
                    {"address": st.context.ip_address, **(details or {})})
    sessions.remove_links_now()


def login_gate(lang: str, pages: list[Any]):
    """Who is using the app. With a users file (or OIDC secrets) nobody passes without logging in:
    the login must be on this session's current connection and not idle past the timeout, checked
    on every run; without, local single-user mode."""
    from ..auth import users_file

    sessions.install_guards()
    path = users_file()
    session_id = sessions.current_session_id()
    connection = sessions.connection_of(session_id)
    if _oidc_configured():
        user = _oidc_user(lang, pages)
        verdict, login = sessions.LOGINS.check(session_id, connection)
        if verdict != "ok" or login is None or login.user != user:
            sessions.LOGINS.start(session_id, user, connection)
    elif path is not None:
        verdict, _ = sessions.LOGINS.check(session_id, connection)
        if verdict == "expired":
            _end_login(session_id, "session_expired")
            st.warning(t("login_expired", lang))
        elif verdict == "moved":  # the session id was replayed from another connection (or the old one dropped)
            _end_login(session_id, "session_moved")
            st.warning(t("login_moved", lang))
        if verdict not in ("ok", "forbidden"):
            _login_form(lang, path, pages, session_id, connection)
    sessions.LOGINS.touch(session_id)
    user = current_user()
    if path is None and not _oidc_configured():
        st.sidebar.warning(t("local_mode", lang))
        from ..auth import insecure_local_network

        if insecure_local_network():
            st.error(t("insecure_local_network", lang))
    else:
        from .widgets import plain

        st.sidebar.caption(t("logged_in_as", lang, name=plain(user.name), role=t(f"role_{user.role}", lang)))
        if st.sidebar.button(t("logout", lang)):
            _end_login(session_id, "logout")
            if _oidc_configured():
                st.logout()
            st.rerun()
    return user


def allowed_now(right: str) -> bool:
    """True when this session may use ``right`` at this moment: logged in on this connection, not
    expired, the role holds it. For actions that run outside the app's full run (a dialog's or a
    fragment's rerun) or long after the page was drawn."""
    session_id = sessions.current_session_id()
    return sessions.allowed(session_id, right) is not None


def require(right: str, lang: str, message: str = "not_allowed") -> None:
    """Stop the page (or the dialog) unless this session may use ``right`` now (see ``allowed_now``),
    saying ``message`` (``not_allowed_action`` where an action, not a page, is refused)."""
    if not allowed_now(right):
        st.error(t(message, lang))
        st.stop()


def audit(action: str, details: dict[str, Any] | None = None) -> None:
    """Append to the audit log as the current user."""
    from ..store import audit as store_audit

    store_audit(engine(), current_actor(), action, details or {})


PAGE_KEY, ENTERED_KEY = "_ytsupport_page", "_ytsupport_entered"


def note_page(url_path: str) -> None:
    """Called by the router before a page runs: remembers whether this run enters the page."""
    st.session_state[ENTERED_KEY] = st.session_state.get(PAGE_KEY) != url_path
    st.session_state[PAGE_KEY] = url_path


def audit_visit(action: str) -> None:
    """Audit ``action`` when this run opens the page (not at each rerun while on it)."""
    if st.session_state.get(ENTERED_KEY, True):
        audit(action)
        st.session_state[ENTERED_KEY] = False


def download(right: str, produce: Callable[[], bytes], action: str | None = None,
             details: dict[str, Any] | None = None) -> Callable[[], bytes]:
    """The callable for ``st.download_button(data=...)``: checks the login, role and expiry when
    the browser asks for the file, makes it, audits ``action`` (``sessions.guarded``)."""
    from ..store import audit as store_audit

    return sessions.guarded(right, produce, lambda actor, act, info: store_audit(engine(), actor, act, info),
                            action, details)


def audit_frame(entries: list[dict[str, Any]], lang: str, actions: list[str] | None = None) -> pd.DataFrame:
    """The audit log as a table: when, who, what, details (only ``actions`` when given)."""
    return pd.DataFrame([{t("audit_at", lang): e["at"], t("audit_actor", lang): e["actor"],
                          t("audit_action", lang): e["action"],
                          t("audit_details", lang): ", ".join(f"{k}={v}" for k, v in (e["details"] or {}).items())}
                         for e in entries if actions is None or e["action"] in actions])


def audit_log(limit: int = 2000) -> list[dict[str, Any]]:
    """The newest entries of the audit log (for the admins' page)."""
    from ..store import audit_entries

    return audit_entries(engine(), limit=limit)


def people_table(query: str, lang: str) -> pd.DataFrame:
    """The beneficiary list with personal data, filtered by ``query`` (callers check the right first)."""
    from .. import people
    from .state import frames

    return people.people_table(frames()["beneficiaries"], query, lang)


def people_export(query: str, lang: str) -> bytes:
    """The beneficiary list as an .xlsx workbook (made only inside ``download``'s checked callable)."""
    from .. import people

    return people.people_xlsx(people_table(query, lang))
