"""The router's work: running the page ``st.navigation`` chose, and Streamlit's ``pages/`` folder mode.

``dashboard.py`` registers the pages and calls :func:`run_page`; every page file starts with
:func:`page_guard`, so that a page opened directly by its URL still runs inside the router.
"""
from __future__ import annotations

import runpy
import threading
from pathlib import Path
from typing import Any

import streamlit as st

ROUTER = Path(__file__).resolve().parents[2] / "dashboard.py"
DEFAULT_PAGE = "overview"  # the default page's own path; Streamlit serves it at the root (open_default_page_by_name)
_routing = threading.local()  # set while dashboard.py runs the chosen page (Streamlit runs a script in one thread)


# ---------------------------------------------------------------------------------------------
# Routing


def run_page(page: Any) -> None:
    """Run the page chosen by ``st.navigation`` as the router (see ``page_guard``)."""
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False


def open_default_page_by_name(url_path: str) -> None:
    """Let ``/<url_path>`` (e.g. ``/overview``, with any ``?lang=``) open the default page.

    Streamlit serves the default page at the app's root and never under its own ``url_path``, so
    a link naming it would first show the "Page not found" dialog. Called before ``st.navigation``:
    a request naming the default page is turned into a request for the root.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is not None and manager.intended_page_name == url_path:
        manager.set_script_intent("", "")


def leave_pages_folder_mode(pages: list[Any], hidden: bool = False) -> None:
    """Rerun at once when Streamlit runs the app as an old-style ``pages/`` folder app.

    Streamlit does so for the first run of a server process (and for every ``AppTest`` run) until
    ``st.navigation`` has been called once. Widgets drawn in that run get other ids than in every
    later run, so a user's first click (e.g. on the language switch) would be lost. So before any
    widget is drawn: ``st.navigation`` resolves the page the URL asks for and leaves that mode, and
    ``st.rerun`` starts again on that page.
    """
    if pages_folder_mode() and not getattr(_routing, "guarding", False):
        # with logins, hidden: the next run may stop at the login form, before anyone may see the menu
        st.navigation(pages, position="hidden" if hidden else "sidebar")
        st.rerun()


def pages_folder_mode() -> bool:
    """Whether Streamlit runs the app as an old-style ``pages/`` folder app, read from its internal
    ``PagesManager.uses_pages_directory`` (None before the first run, True while in that mode,
    False once ``st.navigation`` has run).

    Raises ``RuntimeError`` when the installed Streamlit no longer has that flag: skipping the
    rerun silently would lose every user's first click, so the app stops with what to do instead.
    ``tests/test_pages.py`` checks the flag's behaviour on the Streamlit pinned in requirements.txt.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager

        flag = PagesManager.uses_pages_directory
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(
            f"Streamlit {st.__version__} has no PagesManager.uses_pages_directory, which "
            "ytsupport.dashboard.app reads to leave the pages/ folder mode: install the Streamlit "
            "version pinned in requirements.txt, or adapt leave_pages_folder_mode to this release."
        ) from exc
    return bool(flag)


def page_guard() -> None:
    """Make sure a page runs inside the router (language, navigation, filters).

    In the old-style ``pages/`` folder mode (see ``leave_pages_folder_mode``) Streamlit runs a page
    file directly when the URL names it (``/coverage`` as a server's first request, or
    ``AppTest.switch_page``). The page then runs the router, which leaves that mode and reruns.
    """
    if getattr(_routing, "active", False):
        return
    _routing.guarding = True  # the router runs this page in this same run: no rerun (a click would be lost)
    try:
        runpy.run_path(str(ROUTER), run_name="__main__")
    finally:
        _routing.guarding = False
    st.stop()
