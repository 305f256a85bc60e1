"""Figure builders and number formats: one visual theme for every chart of the dashboard.

Each builder takes a small aggregate (a dozen rows, never raw report rows) and returns a
``plotly.graph_objects.Figure``; tests assert on the figure's data. Numbers follow the user's
language: Vietnamese "1.234.567" (plotly ``separators=",."``), English "1,234,567" (``".,"``).
Colours come from the Okabe–Ito palette, which stays distinguishable with colour-blindness, and a
status is never told by colour alone: every state has an icon and a word too.

Maps are drawn with plain ``go.Scatter`` (tiles or filled polygons), never with plotly's geo
charts, which fetch a world map from a CDN even with custom GeoJSON: the dashboard runs offline.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from .. import formatting as fmt
from ..geo import Area, tile_positions
from ..states import GREY, LIGHT_GREY, MONTH_STYLE, OKABE_ITO

COLORWAY = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "black")]
INK = "#1F2937"
# Sequential single-hue scale (light to Okabe–Ito blue to navy): ordered by lightness for every viewer.
SEQUENTIAL = [[0.0, "#EAF2F8"], [0.5, "#4A9BD1"], [0.8, "#0072B2"], [1.0, "#0B3C5D"]]
FONT = 'Source Sans, "Source Sans Pro", "Noto Sans", "DejaVu Sans", Arial, sans-serif'


# ---------------------------------------------------------------------------------------------
# Theme
#
# Every figure is built in one ``go.Figure(data=..., layout=...)`` call: plotly's ``update_layout``
# and ``add_shape`` each go through its relayout machinery (about 5 ms a figure), and a named
# template such as "plotly_white" is deep-copied into every figure (about 10 ms). Built at once
# with the empty template, a figure costs well under a millisecond.

_AXIS = {"automargin": True, "gridcolor": "#EBEBEB", "linecolor": "#BDBDBD", "zeroline": False, "showline": False,
         "ticks": ""}


def layout(lang: str = "vi", height: int = 380, title: str | None = None, show_legend: bool = False,
           xaxis: Mapping[str, Any] | None = None, yaxis: Mapping[str, Any] | None = None,
           **extra: Any) -> dict[str, Any]:
    """The shared look as a layout dict: large type for a projector, white background, Okabe–Ito
    colours, the language's number separators; ``extra`` keys replace the defaults (e.g. ``margin``)."""
    base: dict[str, Any] = {
        "template": "none", "colorway": COLORWAY, "separators": ",." if lang != "en" else ".,",
        "paper_bgcolor": "#FFFFFF", "plot_bgcolor": "#FFFFFF",
        "font": {"family": FONT, "size": 16, "color": INK}, "height": height, "showlegend": show_legend,
        "margin": {"l": 10, "r": 20, "t": (44 if title else 16) + (30 if show_legend else 0), "b": 10},
        "hoverlabel": {"font": {"family": FONT, "size": 15}, "bgcolor": "#FFFFFF"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "font": {"size": 15}},
        "xaxis": {**_AXIS, **(xaxis or {})}, "yaxis": {**_AXIS, **(yaxis or {})},
    }
    if title:
        base["title"] = {"text": title, "font": {"size": 19}, "x": 0.005, "xref": "container", "xanchor": "left",
                         "y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 8}}
    base.update(extra)
    return base


PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]}


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (#RRGGBB or rgb(r, g, b))."""
    if fill.startswith("#"):
        r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(v) for v in fill[fill.index("(") + 1:fill.index(")")].split(",")[:3])
    luminance = 0.299 * r + 0.587 * g + 0.114 * b
    return "#FFFFFF" if luminance < 140 else INK


def _scale_colours(values: Sequence[float]) -> list[str]:
    """Colours of the sequential scale for ``values`` (0 is the palest; the largest the darkest)."""
    known = [float(v) for v in values if not pd.isna(v)]
    top = max(known + [0.0])
    if top <= 0:
        return [LIGHT_GREY for _ in values]
    scaled = sample_colorscale(SEQUENTIAL, [0.0 if pd.isna(v) else min(1.0, 0.08 + 0.92 * float(v) / top)
                                            for v in values])
    return [LIGHT_GREY if pd.isna(v) else colour for v, colour in zip(values, scaled)]


def _rect(x0: float, x1: float, y0: float, y1: float, fill: str, width: float = 1) -> dict[str, Any]:
    return {"type": "rect", "x0": x0, "x1": x1, "y0": y0, "y1": y1, "fillcolor": fill,
            "line": {"color": "#FFFFFF", "width": width}, "layer": "below"}


# ---------------------------------------------------------------------------------------------
# Bars

_NO_VALUE_AXIS = {"showticklabels": False, "showgrid": False}


def hbar(frame: pd.DataFrame, label: str, value: str, lang: str = "vi", *, money: bool = False,
         colour: str = OKABE_ITO["blue"], title: str | None = None, value_name: str = "",
         sort: bool = True) -> go.Figure:
    """Horizontal bars, each labelled with its value (money in short form): largest on top, or in
    the frame's order from the top with ``sort=False`` (e.g. age bands).

    ``frame`` has one row per bar: ``label`` (text) and ``value`` (number).
    """
    data = frame.sort_values(value, ascending=True, kind="stable") if sort else frame.iloc[::-1]
    values = data[value].astype(float).tolist()
    texts = [fmt.money_compact(v, lang) if money else fmt.number(v, lang) for v in values]
    custom = [fmt.money(v, lang) if money else fmt.number(v, lang) for v in values]
    bar = go.Bar(x=values, y=data[label].tolist(), orientation="h", marker_color=colour, text=texts,
                 textposition="outside", cliponaxis=False, customdata=custom, name=value_name,
                 hovertemplate="%{y}: %{customdata}<extra></extra>")
    top = max(values) if values else 0
    return go.Figure(data=[bar], layout=layout(
        lang, max(180, 70 + 38 * len(values)), title, bargap=0.3,
        xaxis={**_NO_VALUE_AXIS, "range": [0, (top or 1) * 1.25]}, yaxis={"showgrid": False},
        margin={"l": 10, "r": 90, "t": 50 if title else 16, "b": 10}))


def grouped_hbar(frame: pd.DataFrame, label: str, series: Sequence[tuple[str, str]], lang: str = "vi",
                 title: str | None = None) -> go.Figure:
    """Horizontal bars of several measures per label (``series``: (column, legend name)), in frame order
    from the top, each bar labelled with its value; the first series is the top bar of each group."""
    labels = frame[label].tolist()[::-1]
    bars = []
    for i, (column, name) in reversed(list(enumerate(series))):  # horizontal groups stack upwards
        values = frame[column].astype(float).tolist()[::-1]
        bars.append(go.Bar(x=values, y=labels, orientation="h", name=name, marker_color=COLORWAY[i],
                           text=[fmt.number(v, lang) for v in values], textposition="outside", cliponaxis=False,
                           hovertemplate=f"{name}: %{{x:,.0f}}<extra>%{{y}}</extra>"))
    top = max([float(frame[c].max()) for c, _ in series if len(frame)] + [1.0])
    return go.Figure(data=bars, layout=layout(
        lang, max(220, 90 + 30 * len(labels) * len(series)), title, show_legend=True, barmode="group", bargap=0.25,
        xaxis={**_NO_VALUE_AXIS, "range": [0, top * 1.2]}, yaxis={"showgrid": False},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                "font": {"size": 15}, "traceorder": "reversed"}))


def steps(frame: pd.DataFrame, lang: str = "vi", title: str | None = None) -> go.Figure:
    """Surveyed → supported → holding a BHYT card: one bar per step (``label``, ``people``,
    ``share`` of the surveyed), labelled "80 (67%)"."""
    values = frame["people"].astype(float).tolist()[::-1]
    shares = frame["share"].tolist()[::-1]
    texts = [fmt.number(v, lang) + ("" if s is None or pd.isna(s) else f" ({fmt.percent(s, lang)})")
             for v, s in zip(values, shares)]
    colours = [OKABE_ITO[c] for c in ("purple", "green", "blue")][: len(values)][::-1]
    bar = go.Bar(x=values, y=frame["label"].tolist()[::-1], orientation="h", marker_color=colours, text=texts,
                 textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,.0f}<extra></extra>")
    return go.Figure(data=[bar], layout=layout(lang, 80 + 50 * len(values), title, bargap=0.3,
                                               xaxis={**_NO_VALUE_AXIS, "range": [0, max(values + [1]) * 1.35]},
                                               yaxis={"showgrid": False}))


# ---------------------------------------------------------------------------------------------
# Months


def checkups_by_month(monthly: pd.DataFrame, threshold: float, lang: str = "vi", *,
                      excused: Sequence[str] = (), elapsed: Sequence[str] | None = None,
                      names: Mapping[str, str] | None = None, title: str | None = None) -> go.Figure:
    """People served at the Centre's check-ups per month against the plan's line (e.g. 100).

    ``monthly``: month, people_served (one row per plan month). A month that reached the line is
    green with ✔, an elapsed month below it vermillion with ✖, an excused month grey with ⊘, a month
    not over yet light grey with ·; the bar's label says the number and the icon, so colour is never
    the only cue. ``names`` labels the legend (keys: met, missed, excused, pending, line).
    """
    names = {"met": "met", "missed": "missed", "excused": "excused", "pending": "pending", "line": "line",
             **(names or {})}
    months = monthly["month"].tolist()
    people = monthly["people_served"].astype(float).tolist()
    elapsed_set = set(months if elapsed is None else elapsed)
    states = ["excused" if m in excused else "met" if p >= threshold else "missed" if m in elapsed_set
              else "pending" for m, p in zip(months, people)]
    bars = []
    for state in ("met", "missed", "excused", "pending"):
        idx = [i for i, s in enumerate(states) if s == state]
        if not idx:
            continue
        icon, colour = MONTH_STYLE[state]
        bars.append(go.Bar(
            x=[fmt.month(months[i], lang, short=True) for i in idx], y=[people[i] for i in idx],
            name=f"{icon} {names[state]}", marker_color=GREY if state == "pending" else colour,
            customdata=[months[i] for i in idx], text=[f"{fmt.number(people[i], lang)} {icon}" for i in idx],
            textposition="outside", cliponaxis=False, hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"))
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": threshold, "y1": threshold,
            "line": {"color": INK, "width": 2, "dash": "dash"}}
    note = {"x": 1.0, "xref": "paper", "xanchor": "left", "y": threshold, "yref": "y", "showarrow": False,
            "text": f"{names['line']}<br><b>{fmt.number(threshold, lang)}</b>", "align": "left", "font": {"size": 15}}
    order = [fmt.month(m, lang, short=True) for m in months]
    return go.Figure(data=bars, layout=layout(
        lang, 400, title, show_legend=len(bars) > 1, barmode="overlay", bargap=0.25, shapes=[line], annotations=[note],
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": order, "showgrid": False},
        yaxis={"range": [0, max(people + [threshold]) * 1.25]},
        margin={"l": 10, "r": 90, "t": 80 if title else 40, "b": 10}))


def month_strip(months: pd.DataFrame, lang: str = "vi", names: Mapping[str, str] | None = None,
                title: str | None = None) -> go.Figure:
    """One square per month of a monthly target, with icon and month: met ✔, missed ✖, excused ⊘,
    not over yet ·. ``months``: month, state."""
    names = {**{s: s for s in MONTH_STYLE}, **(names or {})}
    pairs = list(zip(months["month"], months["state"]))
    shapes = [_rect(i + 0.06, i + 0.94, 0.06, 0.94, MONTH_STYLE[state][1]) for i, (_, state) in enumerate(pairs)]
    text = go.Scatter(
        x=[i + 0.5 for i in range(len(pairs))], y=[0.5] * len(pairs), mode="text",
        textfont={"size": 18, "color": [_text_colour(MONTH_STYLE[s][1]) for _, s in pairs]},
        text=[f"{MONTH_STYLE[s][0]}<br>{fmt.month(m, lang, short=True)}" for m, s in pairs],
        customdata=[[fmt.month(m, lang), names[s]] for m, s in pairs],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>")
    return go.Figure(data=[text], layout=layout(
        lang, 84 if title is None else 120, title, shapes=shapes,
        xaxis={"visible": False, "range": [0, max(len(pairs), 1)], "fixedrange": True},
        yaxis={"visible": False, "range": [0, 1], "fixedrange": True},
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0}))


def activity_heatmap(matrix: pd.DataFrame, lang: str = "vi", title: str | None = None) -> go.Figure:
    """Activities per month × activity type: ``matrix`` has one row per type (index: label) and one
    column per month ("YYYY-MM"); every cell shows its count (blank for none)."""
    z = matrix.to_numpy(dtype=float)
    heat = go.Heatmap(
        z=z, x=[fmt.month(m, lang, short=True) for m in matrix.columns], y=list(matrix.index),
        text=[["" if v == 0 else fmt.number(v, lang) for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 15}, colorscale=[[0, "#FFFFFF"], [0.001, SEQUENTIAL[0][1]], *SEQUENTIAL[1:]],
        xgap=2, ygap=2, colorbar={"thickness": 12, "outlinewidth": 0},
        hovertemplate="%{y} · %{x}: %{z:,.0f}<extra></extra>")
    return go.Figure(data=[heat], layout=layout(
        lang, max(220, 80 + 34 * len(matrix.index)), title,
        xaxis={"side": "top", "showgrid": False, "type": "category"},
        yaxis={"autorange": "reversed", "showgrid": False}))


def cumulative_by_month(frame: pd.DataFrame, lang: str = "vi", names: Mapping[str, str] | None = None,
                        title: str | None = None) -> go.Figure:
    """Value mobilised per month (bars) and cumulated (line), plotted in millions of đồng.

    ``frame``: month, value_vnd, cumulative_value_vnd (one row per month shown); hover shows đồng."""
    names = {"monthly": "monthly", "cumulative": "cumulative", "axis": "triệu đồng", **(names or {})}
    x = [fmt.month(m, lang, short=True) for m in frame["month"]]
    monthly = frame["value_vnd"].astype(float).tolist()
    total = frame["cumulative_value_vnd"].astype(float).tolist()
    bars = go.Bar(x=x, y=[v / 1e6 for v in monthly], name=names["monthly"], marker_color=OKABE_ITO["sky"],
                  customdata=[fmt.money(v, lang) for v in monthly], hovertemplate="%{x}: %{customdata}<extra></extra>")
    line = go.Scatter(x=x, y=[v / 1e6 for v in total], name=names["cumulative"], mode="lines+markers+text",
                      line={"color": OKABE_ITO["blue"], "width": 3}, marker={"size": 8},
                      text=[fmt.money_compact(v, lang) if i == len(total) - 1 else "" for i, v in enumerate(total)],
                      textposition="top left", customdata=[fmt.money(v, lang) for v in total],
                      hovertemplate="%{x}: %{customdata}<extra></extra>")
    return go.Figure(data=[bars, line], layout=layout(
        lang, 400, title, show_legend=True, xaxis={"type": "category", "showgrid": False},
        yaxis={"title": {"text": names["axis"], "font": {"size": 14}}, "tickformat": ",.0f",
               "range": [0, max(total + [1]) / 1e6 * 1.2]}))


# ---------------------------------------------------------------------------------------------
# Districts


def district_map(frame: pd.DataFrame, value: str, lang: str = "vi", *, areas: Sequence[Area] | None = None,
                 title: str | None = None, sum_note: str = "") -> go.Figure:
    """Districts coloured by ``value``, each labelled with its name and number.

    ``frame``: district (code), label, ``value``. Without ``areas`` the districts are tiles laid out
    like the province (``geo.TILE_LAYOUT``); with ``areas`` (from a boundary file) they are the real
    polygons. An area covering two districts (the old Duyên Hải) shows their sum, its label marked
    with * and ``sum_note`` under the map.
    """
    if areas:
        return _polygon_map(frame, value, lang, areas, title, sum_note)
    return _tile_map(frame, value, lang, title)


def _tile_map(frame: pd.DataFrame, value: str, lang: str, title: str | None) -> go.Figure:
    codes = frame["district"].tolist()
    values = frame[value].astype(float).tolist()
    positions = tile_positions(codes)
    colours = _scale_colours(values)
    shapes = [_rect(positions[c][0] + 0.04, positions[c][0] + 0.96, -positions[c][1] - 0.96,
                    -positions[c][1] - 0.04, fill, width=2) for c, fill in zip(codes, colours)]
    labels = go.Scatter(
        x=[positions[c][0] + 0.5 for c in codes], y=[-positions[c][1] - 0.5 for c in codes], mode="text",
        text=[f"{lab}<br><b>{fmt.number(v, lang)}</b>" for lab, v in zip(frame["label"], values)],
        textfont={"size": 16, "color": [_text_colour(c) for c in colours]},
        customdata=list(zip(frame["label"], [fmt.number(v, lang) for v in values])),
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>")
    width = max([p[0] for p in positions.values()] + [0]) + 1
    height = max([p[1] for p in positions.values()] + [0]) + 1
    return go.Figure(data=[labels], layout=layout(
        lang, 110 * height + 60, title, shapes=shapes, margin={"l": 0, "r": 0, "t": 40, "b": 0},
        xaxis={"visible": False, "range": [-0.05, width + 0.05], "fixedrange": True},
        yaxis={"visible": False, "range": [-height - 0.05, 0.05], "fixedrange": True, "scaleanchor": "x",
               "scaleratio": 1}))


def _polygon_map(frame: pd.DataFrame, value: str, lang: str, areas: Sequence[Area], title: str | None,
                 sum_note: str) -> go.Figure:
    by_code = dict(zip(frame["district"], frame[value].astype(float)))
    labels = dict(zip(frame["district"], frame["label"]))
    shown = [a for a in areas if any(c in by_code for c in a.codes)]
    totals = [sum(by_code.get(c, 0.0) for c in a.codes) for a in shown]
    colours = _scale_colours(totals)
    traces = [go.Scatter(x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines", fill="toself",
                         fillcolor=fill, line={"color": "#FFFFFF", "width": 1.5}, hoverinfo="skip")
              for area, fill in zip(shown, colours) for ring in area.rings]
    names = [labels.get(a.codes[0], a.codes[0]) if len(a.codes) == 1
             else (a.name or " + ".join(labels.get(c, c) for c in a.codes)) + "*" for a in shown]
    traces.append(go.Scatter(
        x=[a.centre[0] for a in shown], y=[a.centre[1] for a in shown], mode="text",
        text=[f"{n}<br><b>{fmt.number(v, lang)}</b>" for n, v in zip(names, totals)],
        textfont={"size": 14, "color": [_text_colour(c) for c in colours]},
        customdata=list(zip(names, [fmt.number(v, lang) for v in totals])),
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>"))
    notes = ([{"text": f"* {sum_note}", "showarrow": False, "x": 0, "y": -0.02, "xref": "paper", "yref": "paper",
               "xanchor": "left", "yanchor": "top", "font": {"size": 13, "color": GREY}}]
             if sum_note and any(len(a.codes) > 1 for a in shown) else [])
    # A degree of longitude is cos(latitude) of a degree of latitude: about 0.985 at Trà Vinh.
    return go.Figure(data=traces, layout=layout(
        lang, 520, title, annotations=notes, margin={"l": 0, "r": 0, "t": 40, "b": 30},
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True, "scaleanchor": "x", "scaleratio": 1.0 / 0.985}))
