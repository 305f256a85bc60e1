"""Who uses the dashboard: the login form or OIDC, roles and rights, the audit log."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ..auth import can as can  # the router shows pages by right
from ..i18n import t
from .state import engine

USER_KEY, SEEN_KEY = "_ytsupport_user", "_ytsupport_seen"


def current_user():
    """The logged-in user; in local single-user mode (no users file, no OIDC) the local admin."""
    from ..auth import LOCAL_USER, User

    user = st.session_state.get(USER_KEY)
    return user if user is not None else User(LOCAL_USER, LOCAL_USER, "admin")


def current_actor() -> str:
    return current_user().username


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user(lang: str, pages: list[Any]):
    """The user signed in through ``st.login`` (OIDC); the role comes from the users file by e-mail."""
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


def _login_form(lang: str, path: Path, pages: list[Any]):
    """The login form (users file with argon2 hashes); stops the run until someone logs in.

    The menu is hidden meanwhile (``pages`` are registered hidden, so any page's URL still resolves).
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
            import time

            st.session_state[USER_KEY], st.session_state[SEEN_KEY] = result.user, time.time()
            st.rerun()
        if result.retry_after_s > 0:
            st.error(t("login_throttled", lang, s=int(result.retry_after_s + 0.999)))
        else:
            st.error(t("login_failed", lang))
    st.stop()


def logins_configured() -> bool:
    """True when a users file or OIDC secrets are configured (otherwise: local single-user mode)."""
    from ..auth import users_file

    return users_file() is not None or _oidc_configured()


def login_gate(lang: str, pages: list[Any]):
    """Who is using the app. With a users file (or OIDC secrets) nobody passes without logging in,
    and a session idle longer than the timeout logs in again; without, local single-user mode."""
    import time

    from ..auth import expired, users_file

    path = users_file()
    if _oidc_configured():
        st.session_state[USER_KEY] = _oidc_user(lang, pages)
    elif path is not None:
        if st.session_state.get(USER_KEY) and expired(st.session_state.get(SEEN_KEY)):
            st.session_state.pop(USER_KEY, None)
            st.warning(t("login_expired", lang))
        if not st.session_state.get(USER_KEY):
            _login_form(lang, path, pages)
    st.session_state[SEEN_KEY] = time.time()
    user = current_user()
    if path is None and not _oidc_configured():
        st.sidebar.warning(t("local_mode", lang))
        from ..auth import insecure_local_network

        if insecure_local_network():
            st.error(t("insecure_local_network", lang))
    else:
        st.sidebar.caption(t("logged_in_as", lang, name=user.name, role=t(f"role_{user.role}", lang)))
        if st.sidebar.button(t("logout", lang)):
            st.session_state.pop(USER_KEY, None)
            if _oidc_configured():
                st.logout()
            st.rerun()
    return user


def require(right: str, lang: str) -> None:
    """Stop the page unless the current user holds ``right``."""
    if not can(current_user().role, right):
        st.error(t("not_allowed", lang))
        st.stop()


def audit(action: str, details: dict[str, Any] | None = None) -> None:
    """Append to the audit log as the current user."""
    from ..store import audit as store_audit

    store_audit(engine(), current_actor(), action, details or {})


def audit_frame(entries: list[dict[str, Any]], lang: str, actions: list[str] | None = None) -> pd.DataFrame:
    """The audit log as a table: when, who, what, details (only ``actions`` when given)."""
    return pd.DataFrame([{t("audit_at", lang): e["at"], t("audit_actor", lang): e["actor"],
                          t("audit_action", lang): e["action"],
                          t("audit_details", lang): ", ".join(f"{k}={v}" for k, v in (e["details"] or {}).items())}
                         for e in entries if actions is None or e["action"] in actions])
