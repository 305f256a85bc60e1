"""Shared Streamlit widgets and cache wrappers. The only module of the package that imports streamlit.

Caching (DESIGN.md "Figures from aggregates"): the engine and the loaded frames are
``st.cache_resource`` (the frames keyed by the store's data version, so no copy is made on a
hit); each page's model (small aggregates from ``ytsupport.views``) is ``st.cache_data`` keyed
by (database, data version, filters, language). A page rerun then costs the same at 1k rows and
at 1M.
"""
from __future__ import annotations

import html
import runpy
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from . import charts, views
from .i18n import LANGS, t
from .plan import Plan, load_plan
from .settings import get_settings
from .views import Filters

FILTERS_KEY = "_ytsupport_filters"
ROUTER = Path(__file__).resolve().parent.parent / "dashboard.py"
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


def leave_pages_folder_mode(pages: list[Any], hidden: bool = False) -> None:
    """Rerun at once when Streamlit runs the app as an old-style ``pages/`` folder app.

    Streamlit does so for the first run of a server process (and for every ``AppTest`` run) until
    ``st.navigation`` has been called once. Widgets drawn in that run get other ids than in every
    later run, so a user's first click (e.g. on the language switch) would be lost. So before any
    widget is drawn: ``st.navigation`` resolves the page the URL asks for and leaves that mode, and
    ``st.rerun`` starts again on that page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False) and not getattr(_routing, "guarding", False):
        # with logins, hidden: the next run may stop at the login form, before anyone may see the menu
        st.navigation(pages, position="hidden" if hidden else "sidebar")
        st.rerun()


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


# ---------------------------------------------------------------------------------------------
# Language


def current_language() -> str:
    """The language of this run: the sidebar switch's value, else ?lang= in the URL, else the
    browser's locale (English for en-*), else Vietnamese."""
    for value in (st.session_state.get("lang_switch"), st.query_params.get("lang")):
        if value in LANGS:
            return value
    locale = (getattr(st.context, "locale", None) or "vi").lower()
    return "en" if locale.startswith("en") else "vi"


def language() -> str:
    """The sidebar's language switch (initially ``current_language()``), kept in the URL as ?lang=.

    The choice is written back to the URL on every run (page navigation clears query parameters).
    """
    current = current_language()
    choice = st.sidebar.radio(t("language", current), LANGS, index=LANGS.index(current), horizontal=True,
                              format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code], key="lang_switch")
    if st.query_params.get("lang") != choice:
        st.query_params["lang"] = choice
    return choice


# ---------------------------------------------------------------------------------------------
# The check page


def check_uploaded(name: str, data: bytes, unit: str | None, period: str | None):
    """Validate an uploaded file with the same function as the command line (in the worker process)."""
    from .ingest.validate import validate_file

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ytsupport-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return validate_file(path, unit=unit, period=period, file_name=name)


def issues_frame(report, lang: str, severities: list[str] | None = None) -> pd.DataFrame:
    """The issues of a report as a table for display (no personal data: issues cite rows, not names),
    only those of ``severities`` ("error", "warning", "info") when given."""
    return pd.DataFrame([{
        t("severity", lang): t(f"sev_{i.severity}", lang), t("sheet", lang): i.sheet or "",
        t("row", lang): i.row, t("column", lang): i.column or "", t("message", lang): i.message(lang),
        t("code", lang): i.code} for i in report.issues if severities is None or i.severity in severities])


# ---------------------------------------------------------------------------------------------
# Cached store and plan


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    from .store import get_engine

    return get_engine(url)


@st.cache_resource(show_spinner=False, max_entries=2)
def _frames(url: str, version: int) -> dict[str, pd.DataFrame]:
    """The current data, loaded once per data version (shared, never copied: treat as read-only).

    Version -1 means there is no database yet: no data.
    """
    from .plan.activities import with_counted
    from .store import load_current

    return {} if version < 0 else with_counted(load_current(_engine(url)))


@st.cache_resource(show_spinner=False, max_entries=8)
def _plan(path: str, mtime: float) -> Plan:
    return load_plan(path)


def store_state() -> tuple[str, int]:
    """(database URL, data version): what every cached aggregate is keyed by.

    A missing embedded database file is not created here (``serve`` builds it from the samples,
    and an empty file would stop that): its version is -1 and the pages show their empty states.
    """
    from .store import data_version, sqlite_path

    url = get_settings().db_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return url, -1
    return url, data_version(_engine(url))


def frames() -> dict[str, pd.DataFrame]:
    """The current data (cached by data version)."""
    return _frames(*store_state())


@st.cache_data(show_spinner=False, max_entries=16)
def _report_content(url: str, version: int, as_of: date):
    from .report.export import current_content

    return current_content(_engine(url), as_of)


def report_content(as_of: date):
    """The meeting report's content at ``as_of`` (cached by data version)."""
    return _report_content(*store_state(), as_of)


def plan(path: str | Path) -> Plan:
    """The plan file, loaded once (reloaded when the file changes)."""
    path = Path(path)
    return _plan(str(path), path.stat().st_mtime)


@st.cache_data(show_spinner=False, max_entries=16)
def _default_as_of(url: str, version: int, plan_file: str) -> date:
    return views.default_as_of(_frames(url, version), plan(plan_file))


_MODELS: dict[str, Callable[..., dict[str, Any]]] = {
    "overview": views.overview, "coverage": views.coverage, "visits": views.visits,
    "resources": views.resources, "units": views.units,
}


@st.cache_data(show_spinner=False, max_entries=64)
def _model(page: str, url: str, version: int, plan_file: str, as_of: date, units: tuple[str, ...],
           districts: tuple[str, ...], lang: str) -> dict[str, Any]:
    data = views.apply_filters(_frames(url, version), units, districts)
    return _MODELS[page](data, views.restrict_plan(plan(plan_file), units), as_of, lang)


def model(page: str, lang: str) -> dict[str, Any]:
    """The page's model for the current filters (cached by data version, filters and language)."""
    f = filters()
    url, version = store_state()
    return _model(page, url, version, f.plan_file, f.as_of, f.units, f.districts, lang)


# ---------------------------------------------------------------------------------------------
# Sidebar filters, kept in the URL


def _csv(value: str | None, allowed: list[str]) -> list[str]:
    return [v for v in (value or "").split(",") if v in allowed]


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _plan_label(path: str) -> str:
    """"114-KH/ĐTN (plan_2021_114)"; the file name alone for a plan file that cannot be loaded."""
    from .plan import PlanError

    try:
        return f"{plan(path).number} ({Path(path).stem})"
    except (PlanError, OSError):
        return Path(path).stem


def _choose_plan(lang: str) -> str:
    files = views.plan_files()
    by_stem = {p.stem: str(p) for p in files}
    if len(files) < 2:
        return str(files[0])
    if "f_plan" not in st.session_state:
        st.session_state["f_plan"] = st.query_params.get("plan") if st.query_params.get("plan") in by_stem else files[0].stem
    stem = st.sidebar.selectbox(t("f_plan", lang), list(by_stem), key="f_plan", persist_state="session",
                                format_func=lambda s: _plan_label(by_stem[s]))
    st.query_params["plan"] = stem
    return by_stem[stem]


def _choose_as_of(lang: str, current_plan: Plan, default: date) -> date:
    previous_default = st.session_state.get("_as_of_default")
    value = st.session_state.get("f_as_of")
    if value is None:
        value = _iso(st.query_params.get("as_of")) or default
    elif value == previous_default:
        value = default  # the user kept the default: follow it when new data arrives
    st.session_state["f_as_of"] = current_plan.clip(value)
    st.session_state["_as_of_default"] = default
    chosen = st.sidebar.date_input(t("f_as_of", lang), key="f_as_of", min_value=current_plan.start,
                                   max_value=current_plan.end, format="DD/MM/YYYY", help=t("f_as_of_help", lang),
                                   persist_state="session")
    st.query_params["as_of"] = chosen.isoformat()
    return chosen


def _choose_many(key: str, param: str, options: list[str], labels: dict[str, str], label: str,
                 placeholder: str) -> tuple[str, ...]:
    if key not in st.session_state:
        st.session_state[key] = _csv(st.query_params.get(param), options)
    st.session_state[key] = [v for v in st.session_state[key] if v in options]
    chosen = st.sidebar.multiselect(label, options, key=key, format_func=lambda c: labels.get(c, c),
                                    placeholder=placeholder, persist_state="session")
    if chosen:
        st.query_params[param] = ",".join(chosen)
    elif param in st.query_params:
        del st.query_params[param]
    return tuple(chosen)


def sidebar_filters(lang: str) -> Filters:
    """Plan (when there are several), as-of date, units and districts: in the sidebar and the URL."""
    from .geo import short_labels
    from .plan import PlanError

    st.sidebar.markdown(f"**{t('filters', lang)}**")
    plan_file = _choose_plan(lang)
    try:
        current = plan(plan_file)
    except PlanError as exc:
        st.error(t("plan_error", lang, path=plan_file, error="; ".join(exc.errors)))
        st.stop()
    try:
        url, version = store_state()
    except Exception as exc:  # an unreachable PostgreSQL, a locked or damaged file: say so, not a traceback
        st.error(t("db_error", lang, error=type(exc).__name__ + ": " + str(exc).splitlines()[0][:300]))
        st.stop()
    as_of = _choose_as_of(lang, current, _default_as_of(url, version, plan_file))
    units = _choose_many("f_units", "units", [u.code for u in current.units], views.unit_names(current),
                         t("f_units", lang), t("f_all_units", lang))
    districts = _choose_many("f_districts", "districts", list(current.districts), short_labels(lang),
                             t("f_districts", lang), t("f_all_districts", lang))
    if districts:
        st.sidebar.caption(t("district_filter_note", lang))
    chosen = Filters(plan_file=plan_file, as_of=as_of, units=units, districts=districts)
    st.session_state[FILTERS_KEY] = chosen
    return chosen


def filters() -> Filters:
    """The filters chosen in this run (set by the router's ``sidebar_filters``; drawn here when a
    page runs without the router)."""
    chosen = st.session_state.get(FILTERS_KEY)
    if chosen is None:
        return sidebar_filters(current_language())
    return chosen


# ---------------------------------------------------------------------------------------------
# Shared widgets

_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.1rem; font-weight: 600; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
.yt-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(470px, 1fr)); gap: 0.8rem; }
.yt-card { border: 1px solid rgba(128,128,128,0.35); border-left: 8px solid var(--yt-c); border-radius: 0.5rem;
           padding: 0.7rem 0.9rem; line-height: 1.35; }
.yt-head { display: flex; flex-wrap: wrap; gap: 0.3rem 0.6rem; align-items: flex-start; justify-content: space-between; }
.yt-head .yt-label { flex: 1 1 14rem; }
.yt-label { font-size: 1.2rem; font-weight: 600; }
.yt-badge { white-space: nowrap; color: #000; background: var(--yt-c); border-radius: 1rem; padding: 0.1rem 0.7rem;
            font-weight: 700; font-size: 1.0rem; }
.yt-meta { font-size: 0.92rem; opacity: 0.8; margin-top: 0.15rem; }
.yt-nums { display: flex; align-items: baseline; gap: 0.8rem; margin-top: 0.35rem; flex-wrap: wrap; }
.yt-value { font-size: 1.7rem; font-weight: 700; }
.yt-value small { font-size: 1.1rem; font-weight: 400; }
.yt-expected { font-size: 0.95rem; opacity: 0.85; }
.yt-bar { position: relative; height: 0.8rem; background: rgba(128,128,128,0.18); border-radius: 0.4rem; margin-top: 0.35rem; }
.yt-fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--yt-c); border-radius: 0.4rem; }
.yt-marker { position: absolute; top: -0.3rem; bottom: -0.3rem; width: 3px; background: #1F2937; }
.yt-months { display: grid; grid-auto-flow: column; grid-auto-columns: 1fr; gap: 2px; margin-top: 0.45rem; }
.yt-m { font-size: 0.78rem; padding: 0.05rem 0; border-radius: 0.25rem; color: #000; text-align: center; white-space: nowrap; overflow: hidden; }
.yt-matrix { border-collapse: separate; border-spacing: 2px; width: 100%; font-size: 0.9rem; table-layout: fixed; }
.yt-matrix th { font-weight: 600; text-align: center; padding: 0.2rem; }
.yt-matrix th.yt-unit, .yt-matrix td.yt-unit { text-align: left; width: 15rem; font-weight: 500; }
.yt-matrix td { text-align: center; padding: 0.15rem 0.1rem; border-radius: 0.25rem; line-height: 1.15; color: #000; }
.yt-matrix td.yt-count { width: 4.5rem; font-weight: 600; }
.yt-matrix td.yt-count, .yt-matrix td.yt-unit { color: inherit; }
.yt-note { font-size: 0.9rem; margin-top: 0.3rem; }
.yt-legend { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; font-size: 1rem; margin: 0.2rem 0 0.6rem 0; }
.yt-chip { border-radius: 0.3rem; padding: 0.05rem 0.5rem; color: #000; }
.yt-list { font-size: 1.1rem; margin: 0.2rem 0 0.4rem 0; padding-left: 1.2rem; }
</style>
"""


def style() -> None:
    """The dashboard's CSS: larger numbers for a projector, the scorecard's cards and legends."""
    st.html(_CSS)


def header(title: str, lang: str, m: dict[str, Any]) -> None:
    """The page title and what the numbers cover (plan, as-of date, units, districts)."""
    f = filters()
    st.title(title)
    units = t("n_units", lang, n=len(f.units)) if f.units else t("f_all_units", lang)
    districts = t("n_districts", lang, n=len(f.districts)) if f.districts else t("f_all_districts", lang)
    st.caption(t("view_caption", lang, plan=plan(f.plan_file).number, as_of=charts.fmt_date(m["as_of"], lang),
                 units=units.lower() if f.units else units, districts=districts))


def chart(fig: Any, key: str | None = None) -> None:
    """A plotly figure with the project's theme kept (not Streamlit's) and a small toolbar."""
    st.plotly_chart(fig, theme=None, config=charts.PLOTLY_CONFIG, width="stretch", key=key)


def _e(text: Any) -> str:
    return html.escape(str(text))


def _months_html(months: list[dict[str, str]], lang: str) -> str:
    chips = []
    for m in months:
        icon, colour = charts.MONTH_STYLE[m["state"]]
        title = f"{charts.fmt_month(m['month'], lang)}: {t('month_' + m['state'], lang)}"
        chips.append(f'<span class="yt-m" style="background:{colour}" title="{_e(title)}">'
                     f'{icon} {_e(charts.fmt_month(m["month"], lang, short=True))}</span>')
    return f'<div class="yt-months">{"".join(chips)}</div>'


def card_html(row: dict[str, Any], lang: str) -> str:
    """One target as a card: status (icon + word + colour), label, clause, responsible, numbers,
    the attainment bar with the expected-by-now marker, months, models and excused months."""
    meta = f"{t('clause', lang, clause=_e(row['clause']))} · {_e(row['responsible'])}"
    if row["interpretation"]:
        meta += f" · <i>{t('interpretation', lang)}</i>"
    value = f"<b>{_e(row['actual_text'])}</b>"
    value += f" <small>/ {_e(row['target_text'])}</small>" if row["target_text"] else ""
    expected = (f"{t('expected_by_now', lang)}: {_e(row['expected_text'])}" if row["expected_text"]
                else t("no_target_set", lang))
    parts = [f'<div class="yt-card" style="--yt-c:{row["colour"]}">',
             f'<div class="yt-head"><span class="yt-label">{_e(row["label"])}</span>'
             f'<span class="yt-badge">{row["icon"]} {_e(row["status_word"])}</span></div>',
             f'<div class="yt-meta">{meta}</div>',
             f'<div class="yt-nums"><span class="yt-value">{value}</span><span class="yt-expected">{expected}</span></div>']
    if row["bar"] is not None:
        marker = "" if row["marker"] is None else (
            f'<div class="yt-marker" style="left:calc({row["marker"] * 100:.1f}% - 1px)" '
            f'title="{_e(t("expected_by_now", lang))}"></div>')
        parts.append(f'<div class="yt-bar"><div class="yt-fill" style="width:{row["bar"] * 100:.1f}%"></div>{marker}</div>')
    if row["months"]:
        parts.append(_months_html(row["months"], lang))
    if row["models"]:
        models = " · ".join(f'{"✔" if m["started"] else "✖"} {_e(m["label"])}' for m in row["models"])
        parts.append(f'<div class="yt-note">{models}</div>')
    if row["excused_text"]:
        parts.append(f'<div class="yt-note">⊘ {_e(row["excused_text"])}</div>')
    parts.append("</div>")
    return "".join(parts)


def scorecard(rows: list[dict[str, Any]], lang: str) -> None:
    """Every target as a card, in the plan's order."""
    st.html('<div class="yt-grid">' + "".join(card_html(r, lang) for r in rows) + "</div>")


def legend(styles: dict[str, tuple[str, str]], prefix: str, lang: str) -> None:
    """A legend of states: colour chip, icon and word for each."""
    chips = "".join(f'<span class="yt-chip" style="background:{colour}">{icon} {_e(t(prefix + state, lang))}</span>'
                    for state, (icon, colour) in styles.items())
    st.html(f'<div class="yt-legend">{chips}</div>')


def bullet_list(items: list[str]) -> None:
    """A plain list in large type."""
    st.html('<ul class="yt-list">' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>")


def matrix_table(states: pd.DataFrame, table: pd.DataFrame, lang: str) -> None:
    """The unit × month table: each cell coloured by its state, with the state's icon and word
    (never colour alone), then the received and on-time counts of each unit."""
    counts = list(table.columns[len(states.columns):])
    head = (f'<tr><th class="yt-unit">{_e(states.index.name or "")}</th>'
            + "".join(f"<th>{_e(charts.fmt_month(m, lang, short=True))}</th>" for m in states.columns)
            + "".join(f'<th class="yt-count">{_e(c)}</th>' for c in counts) + "</tr>")
    rows = []
    for unit, row in states.iterrows():
        cells = []
        for state in row:
            icon, colour = charts.STATE_STYLE.get(state, ("", "transparent"))
            word = t(f"state_{state}", lang) if state in charts.STATE_STYLE else ""
            cells.append(f'<td style="background:{colour}" title="{_e(word)}">{icon}<br>{_e(word)}</td>')
        totals = "".join(f'<td class="yt-count">{_e(table.loc[unit, c])}</td>' for c in counts)
        rows.append(f'<tr><td class="yt-unit">{_e(unit)}</td>{"".join(cells)}{totals}</tr>')
    st.html(f'<table class="yt-matrix">{head}{"".join(rows)}</table>')


# ---------------------------------------------------------------------------------------------
# Users, rights and the audit log

USER_KEY, SEEN_KEY = "_ytsupport_user", "_ytsupport_seen"


def engine():
    """The store's engine (one per database URL and server process)."""
    return _engine(get_settings().db_url)


def current_user():
    """The logged-in user; in local single-user mode (no users file, no OIDC) the local admin."""
    from .auth import LOCAL_USER, User

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
    from .auth import User, load_users, users_file

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
    from .auth import attempt_login

    st.navigation(pages, position="hidden")
    st.title(t("app_title", lang))
    st.caption(t("app_subtitle", lang))
    with st.form("login"):
        username = st.text_input(t("login_user", lang))
        password = st.text_input(t("login_password", lang), type="password")
        submitted = st.form_submit_button(t("login_button", lang), type="primary")
    if submitted:
        from .store import audit as store_audit

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
    from .auth import users_file

    return users_file() is not None or _oidc_configured()


def login_gate(lang: str, pages: list[Any]):
    """Who is using the app. With a users file (or OIDC secrets) nobody passes without logging in,
    and a session idle longer than the timeout logs in again; without, local single-user mode."""
    import time

    from .auth import expired, users_file

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
        from .auth import insecure_local_network

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
    from .auth import can

    if not can(current_user().role, right):
        st.error(t("not_allowed", lang))
        st.stop()


def audit(action: str, details: dict[str, Any] | None = None) -> None:
    """Append to the audit log as the current user."""
    from .store import audit as store_audit

    store_audit(engine(), current_actor(), action, details or {})


def audit_frame(entries: list[dict[str, Any]], lang: str, actions: list[str] | None = None) -> pd.DataFrame:
    """The audit log as a table: when, who, what, details (only ``actions`` when given)."""
    return pd.DataFrame([{t("audit_at", lang): e["at"], t("audit_actor", lang): e["actor"],
                          t("audit_action", lang): e["action"],
                          t("audit_details", lang): ", ".join(f"{k}={v}" for k, v in (e["details"] or {}).items())}
                         for e in entries if actions is None or e["action"] in actions])


# ---------------------------------------------------------------------------------------------
# The upload page


def data_changed() -> None:
    """After a store or revert: cached aggregates are keyed by data version; drop them at once,
    and load the new version's frames in the background, so that the next page opened does not
    wait for them (seconds with a million stored rows)."""
    st.cache_data.clear()
    threading.Thread(target=_warm, args=store_state(), name="ytsupport-warm", daemon=True).start()


def _warm(url: str, version: int) -> None:
    try:
        _frames(url, version)
    except Exception:  # noqa: BLE001 - only a head start: the page that needs the frames loads them itself
        pass


def max_upload_mb() -> int:
    return int(get_settings().limits.max_file_mb)


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    """The blank report template (the ``template`` command's workbook)."""
    from .template import write_template

    with tempfile.TemporaryDirectory(prefix="ytsupport-tpl-") as tmp:
        return write_template(Path(tmp) / "mau.xlsx").read_bytes()


def checked(file_id: str, name: str, data: bytes, unit: str | None, period: str | None):
    """The checked report of an uploaded file, kept per (file, unit, month) for the session."""
    cache = st.session_state.setdefault("_checked", {})
    key = (file_id, unit, period)
    if key not in cache:
        cache[key] = check_uploaded(name, data, unit, period)
    return cache[key]


def cached_marked_copy(file_id: str, name: str, data: bytes, report, lang: str) -> tuple[str, bytes]:
    """The marked-up copy of an uploaded file, made once per file, language and reading."""
    from .markup import marked_copy_of_upload

    cache = st.session_state.setdefault("_marked", {})
    key = (file_id, report.unit, report.period, lang)
    if key not in cache:
        cache[key] = marked_copy_of_upload(name, data, report, lang)
    return cache[key]


def sheets_frame(report, lang: str) -> pd.DataFrame:
    return pd.DataFrame([{t("sheet", lang): s.name, t("kind", lang): t(f"kind_{s.kind}", lang),
                          t("rows_read", lang): s.rows_read, t("rows_valid", lang): s.rows_valid}
                         for s in report.sheets])


def comparison_frame(comparison, lang: str) -> pd.DataFrame:
    """Rows added / removed per sheet and the totals before -> after, for the dry run."""
    rows = [{t("cmp_what", lang): t(f"kind_{r['kind']}", lang) + " — " + t("cmp_rows", lang),
             t("cmp_before", lang): r["before"], t("cmp_after", lang): r["after"],
             t("cmp_change", lang): f"+{r['added']} / −{r['removed']}"} for r in comparison.rows if r["before"] or r["after"]]
    rows += [{t("cmp_what", lang): t(f"cmp_{x['measure']}", lang), t("cmp_before", lang): charts.fmt_number(x["before"], lang),
              t("cmp_after", lang): charts.fmt_number(x["after"], lang), t("cmp_change", lang): ""}
             for x in comparison.totals if x["before"] or x["after"]]
    return pd.DataFrame(rows)


def results_frame(results: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{t("file", lang): r["file"], t("status", lang): t(f"result_{r['status']}", lang),
                          t("unit", lang): r.get("unit") or "?", t("period", lang): r.get("period") or "?"}
                         for r in results])


def history_frame(versions: list[dict[str, Any]], lang: str, units: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{t("unit", lang): units.get(v["unit"], v["unit"]), t("period", lang): v["period"],
                          t("version", lang): v["version"], t("file", lang): v["file_name"],
                          t("received_on", lang): v["received_on"], t("uploaded_by", lang): v["uploaded_by"],
                          t("current", lang): "✓" if v["is_current"] else ""} for v in versions])
