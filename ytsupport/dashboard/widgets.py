"""Shared widgets: the CSS, page header, charts, target cards, legends, lists and the reporting grid."""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from .. import formatting as fmt
from ..i18n import t
from ..states import MONTH_STYLE, STATE_STYLE
from ..states import STATUS_STYLE as STATUS_STYLE  # the pages draw legends with these
from ..states import ReportState as ReportState
from . import charts
from .models import MonthCell, ScorecardRow
from .state import current_language, filters, plan, view_data

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


def header(title: str, lang: str, m: Any) -> None:
    """The page title and what the numbers cover (plan, as-of date, units, districts)."""
    f = filters()
    st.title(title)
    units = t("n_units", lang, n=len(f.units)) if f.units else t("f_all_units", lang)
    districts = t("n_districts", lang, n=len(f.districts)) if f.districts else t("f_all_districts", lang)
    st.caption(t("view_caption", lang, plan=plan(f.plan_file).number, as_of=fmt.day(m.as_of, lang),
                 units=units.lower() if f.units else units, districts=districts))


def chart(fig: Any, key: str | None = None) -> None:
    """A plotly figure with the project's theme kept (not Streamlit's) and a small toolbar."""
    st.plotly_chart(fig, theme=None, config=charts.PLOTLY_CONFIG, width="stretch", key=key)


def shared_chart(name: str, build: Callable[[], Any], key: str | None = None) -> None:
    """``chart(build())``, the figure built once per data version, filters, language and ``name``
    and then shared read-only by every session showing the same view: twenty viewers of a page
    cost one build of each figure (about 10 ms each), not twenty.

    ``name`` names the page and the chart and everything else ``build`` depends on beyond the
    page's model (e.g. the map's chosen measure): two figures that may differ need two names.
    """
    f = filters()
    url, version = view_data()
    chart(_shared_figure(name, url, version, f.plan_file, f.as_of, f.units, f.districts, current_language(), build),
          key=key)


@st.cache_resource(show_spinner=False, max_entries=512)
def _shared_figure(name: str, url: str, version: int, plan_file: str, as_of: Any, units: tuple[str, ...],
                   districts: tuple[str, ...], lang: str, _build: Callable[[], Any]) -> Any:
    # st.cache_resource returns the one object (st.cache_data would unpickle a copy per call);
    # st.plotly_chart only reads the figure. Emptied by Streamlit's clear_cache: then rebuilt.
    return _build()


def _e(text: Any) -> str:
    return html.escape(str(text))


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:&=\"'/@%^")
_WORD_JOINER = "\u2060"  # invisible; breaks a bare URL's or e-mail's pattern
_AUTOLINKS = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")


def plain(text: Any) -> str:
    """``text`` (a file, sheet, snapshot or donor name, a unit's note: anything a user typed or
    named) made safe for Streamlit's markdown labels: every markdown character backslash-escaped,
    line breaks folded, so it shows as typed and never as a link, an image, a heading, an icon
    (``:material/…:``), a colour or a formula. Bare URLs and e-mail addresses are turned into
    links after escapes are read, so an invisible word joiner breaks their patterns (``http://``,
    ``www.``, ``@``). Use it wherever user text meets a markdown label (titles, messages,
    captions, radio options, metric values)."""
    folded = _AUTOLINKS.sub(_WORD_JOINER, " ".join(str(text).split()))
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in folded)


def _months_html(months: Sequence[MonthCell], lang: str) -> str:
    chips = []
    for m in months:
        icon, colour = MONTH_STYLE[m.state]
        title = f"{fmt.month(m.month, lang)}: {t(f'month_{m.state}', lang)}"
        chips.append(f'<span class="yt-m" style="background:{colour}" title="{_e(title)}">'
                     f'{icon} {_e(fmt.month(m.month, lang, short=True))}</span>')
    return f'<div class="yt-months">{"".join(chips)}</div>'


def card_html(row: ScorecardRow, lang: str) -> str:
    """One target as a card: status (icon + word + colour), label, clause, responsible, numbers,
    the attainment bar with the expected-by-now marker, months, models and excused months."""
    meta = f"{t('clause', lang, clause=_e(row.clause))} · {_e(row.responsible)}"
    if row.interpretation:
        meta += f" · <i>{t('interpretation', lang)}</i>"
    value = f"<b>{_e(row.actual_text)}</b>"
    value += f" <small>/ {_e(row.target_text)}</small>" if row.target_text else ""
    expected = (f"{t('expected_by_now', lang)}: {_e(row.expected_text)}" if row.expected_text
                else t("no_target_set", lang))
    parts = [f'<div class="yt-card" style="--yt-c:{row.colour}">',
             f'<div class="yt-head"><span class="yt-label">{_e(row.label)}</span>'
             f'<span class="yt-badge">{row.icon} {_e(row.status_word)}</span></div>',
             f'<div class="yt-meta">{meta}</div>',
             f'<div class="yt-nums"><span class="yt-value">{value}</span><span class="yt-expected">{expected}</span></div>']
    if row.bar is not None:
        marker = "" if row.marker is None else (
            f'<div class="yt-marker" style="left:calc({row.marker * 100:.1f}% - 1px)" '
            f'title="{_e(t("expected_by_now", lang))}"></div>')
        parts.append(f'<div class="yt-bar"><div class="yt-fill" style="width:{row.bar * 100:.1f}%"></div>{marker}</div>')
    if row.months:
        parts.append(_months_html(row.months, lang))
    if row.models:
        models = " · ".join(f'{"✔" if m.started else "✖"} {_e(m.label)}' for m in row.models)
        parts.append(f'<div class="yt-note">{models}</div>')
    if row.excused_text:
        parts.append(f'<div class="yt-note">⊘ {_e(row.excused_text)}</div>')
    if row.previous_text:
        parts.append(f'<div class="yt-note">↺ {_e(row.previous_text)}</div>')
    parts.append("</div>")
    return "".join(parts)


def scorecard(rows: Sequence[ScorecardRow], lang: str) -> None:
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
            + "".join(f"<th>{_e(fmt.month(m, lang, short=True))}</th>" for m in states.columns)
            + "".join(f'<th class="yt-count">{_e(c)}</th>' for c in counts) + "</tr>")
    rows = []
    for unit, row in states.iterrows():
        cells = []
        for state in row:
            icon, colour = STATE_STYLE.get(state, ("", "transparent"))
            word = t(f"state_{state}", lang) if state in STATE_STYLE else ""
            cells.append(f'<td style="background:{colour}" title="{_e(word)}">{icon}<br>{_e(word)}</td>')
        totals = "".join(f'<td class="yt-count">{_e(table.loc[unit, c])}</td>' for c in counts)
        rows.append(f'<tr><td class="yt-unit">{_e(unit)}</td>{"".join(cells)}{totals}</tr>')
    st.html(f'<table class="yt-matrix">{head}{"".join(rows)}</table>')
