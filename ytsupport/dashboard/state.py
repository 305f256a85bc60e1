"""The state of a dashboard run: language, the cached store and plan, the page models, the filters.

Caching (docs/architecture.md, "Caches"): the engine and the loaded frames are held by this
module (``_Shared``; the frames keyed by the store's data version, so no copy is made on a hit),
outside Streamlit's caches, which any client can empty; each page's model
(small aggregates from :mod:`ytsupport.dashboard.models`) is ``st.cache_data`` keyed by (database,
data version, filters, language). A page rerun then costs the same at 1k rows and at 1M.
"""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from ..i18n import LANGS, t
from ..figures import Figures, compute
from ..plan import Plan, load_plan
from ..settings import get_settings
from . import models
from .models import Filters

FILTERS_KEY = "_ytsupport_filters"
VIEW_DATA_KEY = "_ytsupport_view_data"  # (URL, data version) the sidebar read in this run

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
# Cached store and plan


class _Shared:
    """A small process-wide cache of values that are costly to rebuild (the engine; the frames,
    seconds to load at a million rows), kept outside Streamlit's caches on purpose: any client
    may send Streamlit's ``clear_cache`` message, which empties ``st.cache_data`` and
    ``st.cache_resource`` for every user. Values are built once per key (concurrent callers wait
    for the first) and the least recently used beyond ``max_entries`` are dropped."""

    def __init__(self, build: Callable[..., Any], max_entries: int) -> None:
        self.build, self.max_entries = build, max_entries
        self._values: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}

    def __call__(self, *key: Any) -> Any:
        with self._lock:
            if key in self._values:
                self._values[key] = self._values.pop(key)  # most recently used last
                return self._values[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = self.build(*key)
            with self._lock:
                self._values[key] = value
                self._building.pop(key, None)
                while len(self._values) > self.max_entries:
                    self._values.pop(next(iter(self._values)))
            return value

    def newest(self, first: Any) -> Any | None:
        """The most recently used value whose key starts with ``first``; None when there is none."""
        with self._lock:
            return next((v for k, v in reversed(self._values.items()) if k[0] == first), None)

    def clear(self) -> None:
        """Forget every value (tests and benchmarks measuring a cold start)."""
        with self._lock:
            self._values.clear()


def _new_engine(url: str):
    from ..store import get_engine

    return get_engine(url)


def _load_frames(url: str, version: int) -> dict[str, pd.DataFrame]:
    """The current data, built once per data version (shared, never copied: treat as read-only),
    with its activities counted once: from the data of the previous version by difference when
    this process holds it (else from the store's columnar copy), ``store.current``.

    Version -1 means there is no database yet: no data.
    """
    from ..plan.activities import count_once
    from ..store.current import current_data

    if version < 0:
        return {}
    return current_data(_engine(url), _frames.newest(url) or None, count_once=count_once, keep_copy=False)


_engine = _Shared(_new_engine, max_entries=4)
_frames = _Shared(_load_frames, max_entries=2)


@st.cache_resource(show_spinner=False, max_entries=8)
def _plan(path: str, mtime: float) -> Plan:
    return load_plan(path)


def store_state() -> tuple[str, int]:
    """(database URL, data version): what every cached aggregate is keyed by.

    A missing embedded database file is not created here (``serve`` builds it from the samples,
    and an empty file would stop that): its version is -1 and the pages show their empty states.
    """
    from ..store import data_version, sqlite_path

    url = get_settings().db_url
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return url, -1
    return url, data_version(_engine(url))


def frames() -> dict[str, pd.DataFrame]:
    """The current data (cached by data version)."""
    return _frames(*store_state())


@st.cache_data(show_spinner=False, max_entries=32)
def _figures(url: str, version: int, plan_file: str, as_of: date, units: tuple[str, ...],
             districts: tuple[str, ...]) -> Figures:
    """The one computation of the figures for a data version, plan, as-of date and filters: every
    page, the presentation and the meeting report read it (``ytsupport.figures``)."""
    data = models.apply_filters(_frames(url, version), units, districts)
    return compute(data, models.restrict_plan(plan(plan_file), units), as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def _report_content(url: str, version: int, plan_file: str, as_of: date):
    from ..report.gather import collect

    chosen = plan(plan_file)
    day = chosen.clip(as_of)
    return collect(_frames(url, version), chosen, day, data_version=version,
                   figures=_figures(url, version, plan_file, day, (), ()))


def report_content(as_of: date):
    """The meeting report's content at ``as_of``, for the plan chosen in the sidebar: from the same
    cached data and figures as the pages (never a second load of the store)."""
    return _report_content(*store_state(), str(selected_plan_file()), as_of)


def plan(path: str | Path) -> Plan:
    """The plan file, loaded once (reloaded when the file changes)."""
    path = Path(path)
    return _plan(str(path), path.stat().st_mtime)


@st.cache_data(show_spinner=False, max_entries=16)
def _default_as_of(url: str, version: int, plan_file: str) -> date:
    return models.default_as_of(_frames(url, version), plan(plan_file))


_MODELS: dict[str, Callable[..., Any]] = {
    "overview": models.overview, "coverage": models.coverage, "visits": models.visits,
    "resources": models.resources, "units": models.units,
}


@st.cache_data(show_spinner=False, max_entries=64)
def _model(page: str, url: str, version: int, plan_file: str, as_of: date, units: tuple[str, ...],
           districts: tuple[str, ...], lang: str) -> Any:
    whole = _frames(url, version)
    data = models.apply_filters(whole, units, districts)
    chosen = models.restrict_plan(plan(plan_file), units)
    if page == "coverage":  # a filtered view's person counts are hidden against the province's
        return models.coverage(data, chosen, as_of, lang, whole=whole if units or districts else None)
    if page == "resources":
        return models.resources(data, chosen, as_of, lang)
    figures = _figures(url, version, plan_file, chosen.clip(as_of), units, districts)
    return _MODELS[page](data, chosen, as_of, lang, figures=figures)


def _page_model(page: str, lang: str) -> Any:
    """The page's model for the current filters (cached by data version, filters and language)."""
    f = filters()
    url, version = view_data()
    return _model(page, url, version, f.plan_file, f.as_of, f.units, f.districts, lang)


def overview_model(lang: str) -> models.Overview:
    return _page_model("overview", lang)


def coverage_model(lang: str) -> models.Coverage:
    return _page_model("coverage", lang)


def visits_model(lang: str) -> models.Visits:
    return _page_model("visits", lang)


def resources_model(lang: str) -> models.Resources:
    return _page_model("resources", lang)


def units_model(lang: str) -> models.Units:
    return _page_model("units", lang)


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
    from ..plan import PlanError

    try:
        return f"{plan(path).number} ({Path(path).stem})"
    except (PlanError, OSError):
        return Path(path).stem


def _choose_plan(lang: str) -> str:
    files = models.plan_files()
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
    from ..geo import short_labels
    from ..plan import PlanError

    st.sidebar.markdown(f"**{t('filters', lang)}**")
    plan_file = _choose_plan(lang)
    try:
        current = plan(plan_file)
    except PlanError as exc:
        st.error(t("plan_error", lang, path=plan_file, error="; ".join(dict.fromkeys(
            f"{p.where}: {p.message(lang)}" for p in exc.problems))))
        st.stop()
    try:
        url, version = store_state()
    except Exception as exc:  # an unreachable PostgreSQL, a locked or damaged file: say so, not a traceback
        st.error(t("db_error", lang, error=type(exc).__name__ + ": " + str(exc).splitlines()[0][:300]))
        st.stop()
    st.session_state[VIEW_DATA_KEY] = (url, version)
    as_of = _choose_as_of(lang, current, _default_as_of(url, version, plan_file))
    units = _choose_many("f_units", "units", [u.code for u in current.units], models.unit_names(current),
                         t("f_units", lang), t("f_all_units", lang))
    districts = _choose_many("f_districts", "districts", list(current.districts), short_labels(lang),
                             t("f_districts", lang), t("f_all_districts", lang))
    if districts:
        st.sidebar.caption(t("district_filter_note", lang))
    chosen = Filters(plan_file=plan_file, as_of=as_of, units=units, districts=districts)
    st.session_state[FILTERS_KEY] = chosen
    return chosen


def view_data() -> tuple[str, int]:
    """(database URL, data version) as the sidebar read them in this run: the page's model and
    every chart are keyed by this one version (one query per run, and a change landing mid-run
    cannot file a chart drawn from the older model under the newer version)."""
    filters()  # draws the sidebar when a page runs without the router
    return st.session_state.get(VIEW_DATA_KEY) or store_state()


def filters() -> Filters:
    """The filters chosen in this run (set by the router's ``sidebar_filters``; drawn here when a
    page runs without the router)."""
    chosen = st.session_state.get(FILTERS_KEY)
    if chosen is None:
        return sidebar_filters(current_language())
    return chosen



def engine():
    """The store's engine (one per database URL and server process)."""
    return _engine(get_settings().db_url)


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


def boundaries() -> tuple[Any, ...]:
    """The district polygons of the configured boundary file; () for the tile map."""
    from ..geo import load_boundaries

    return load_boundaries()


def chosen_as_of(plan_file: str | Path) -> date:
    """The as-of date every page shares: the one chosen in the sidebar this session (for this plan),
    else the default (the last day with data, inside the plan period)."""
    chosen = st.session_state.get(FILTERS_KEY)
    if chosen is not None and chosen.plan_file == str(plan_file):
        return chosen.as_of
    url, version = store_state()
    return _default_as_of(url, version, str(plan_file))


def selected_plan_file() -> Path:
    """The plan chosen in the sidebar this session (the pages, the meeting report and the
    presentation all follow it), else the configured plan (``YTSUPPORT_PLAN``)."""
    chosen = st.session_state.get(FILTERS_KEY)
    if chosen is not None:
        return Path(chosen.plan_file)
    by_stem = {p.stem: p for p in models.plan_files()}  # a shared link (``?plan=``) opened on its own
    return by_stem.get(st.query_params.get("plan") or "", get_settings().plan_file)
