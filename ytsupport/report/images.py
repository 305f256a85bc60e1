"""Chart images for the printed reports, drawn with matplotlib (Agg): no browser, no download.

Each chart is drawn from the report's aggregates (a dozen rows) and returned as PNG bytes (Word,
PDF) and as SVG text (HTML, text kept as text). The figures use ``matplotlib.figure.Figure``
directly, never pyplot, so drawing is safe in the dashboard's threads. DejaVu Sans, which ships
with matplotlib, covers Vietnamese.
"""
from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..i18n import t
from .. import formatting as fmt
from ..states import MONTH_STYLE, OKABE_ITO, STATUS_STYLE, MonthState, TargetStatus
from .labels import pick
from .content import ReportContent

_RC = {"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
       "svg.fonttype": "none", "svg.hashsalt": "ytsupport"}
CHART_DPI = 200
WIDTH_IN = 6.3  # about 16 cm: the text width of an A4 page with administrative margins


@dataclass(frozen=True)
class Chart:
    """One chart: its key, caption, and the same drawing as PNG bytes and as SVG text."""

    key: str
    caption: str
    png: bytes
    svg: str


def _figure(height_in: float) -> Figure:
    """A figure of the report's text width; constrained layout keeps labels inside it at true size."""
    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _export(figure: Figure) -> tuple[bytes, str]:
    FigureCanvasAgg(figure)
    png, svg = io.BytesIO(), io.StringIO()
    figure.savefig(png, format="png", dpi=CHART_DPI, metadata={"Software": None})
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), clean_svg(svg.getvalue())


def clean_svg(svg: str) -> str:
    """SVG text ready to inline in HTML: no XML prolog, DOCTYPE or metadata (which name outside URLs)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    return svg.strip()


def checkups(content: ReportContent, lang: str = "vi") -> Chart | None:
    """People served at the Centre's check-ups per month, bars coloured by whether the threshold was reached."""
    rows, threshold = content.tables.get("checkups_by_month") or [], content.meta.get("threshold")
    if not rows or threshold is None:
        return None
    as_of_month = content.status["as_of"][:7]
    with matplotlib.rc_context(_RC):
        figure = _figure(2.3)
        ax = figure.add_subplot()
        labels = [str(int(r["month"][5:])) for r in rows]
        values = [r["people_served"] or 0 for r in rows]
        colours = [MONTH_STYLE[MonthState.MET if v >= threshold else
                               MonthState.MISSED if r["month"] <= as_of_month else MonthState.PENDING][1]
                   for r, v in zip(rows, values)]
        bars = ax.bar(labels, values, color=colours)
        ax.bar_label(bars, labels=[fmt.count(v, lang) if v else "" for v in values], fontsize=8, padding=2)
        ax.axhline(threshold, color="#c62828", linestyle="--", linewidth=1,
                   label=f"{t('col_threshold', lang)}: {threshold}")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.set_xlabel(t("col_month", lang))
        ax.set_ylabel(t("col_people", lang))
        ax.set_ylim(0, max([threshold, *values]) * 1.3)
        png, svg = _export(figure)
    return Chart("checkups", t("checkups_chart", lang, threshold=threshold), png, svg)


def _short(label: str, width: int = 46) -> str:
    return "\n".join(textwrap.wrap(label, width)[:2])


def attainment(content: ReportContent, lang: str = "vi") -> Chart | None:
    """Each target's attainment (bar, capped at 150 % with the true value written), a line at 100 %
    and a tick at the pace expected by now."""
    targets = [x for x in content.targets if x.get("target")]
    if not targets:
        return None
    with matplotlib.rc_context(_RC):
        figure = _figure(0.36 * len(targets) + 0.7)
        ax = figure.add_subplot()
        names = [_short(pick((x["label"]["vi"], x["label"]["en"]), lang)) for x in targets][::-1]
        shares = [(x["attainment"] or 0) * 100 for x in targets][::-1]
        colours = [STATUS_STYLE[TargetStatus(x["status"])][1] for x in targets][::-1]
        bars = ax.barh(names, [min(s, 150) for s in shares], color=colours, height=0.6)
        ax.bar_label(bars, labels=[fmt.percent(s / 100, lang) for s in shares], fontsize=8, padding=2)
        expected = [min(100 * (x["expected_by_now"] or 0) / x["target"], 150) for x in targets][::-1]
        ax.scatter(expected, names, marker="|", s=180, color="#263238", zorder=3)
        ax.axvline(100, color="#546e7a", linestyle="--", linewidth=1)
        ax.set_xlim(0, max(115, min(max(shares), 150) + 25))
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel(t("col_attainment", lang) + " (%)")
        png, svg = _export(figure)
    return Chart("attainment", t("attainment_chart", lang), png, svg)


def resources(content: ReportContent, lang: str = "vi") -> Chart | None:
    """The value of the resources mobilised by item, in millions of đồng."""
    from ..formatting import code_label

    rows = [r for r in content.tables.get("resources_by_item") or [] if (r.get("value_vnd") or 0) > 0]
    if not rows:
        return None
    with matplotlib.rc_context(_RC):
        figure = _figure(0.3 * len(rows) + 0.7)
        ax = figure.add_subplot()
        names = [code_label("resource_items", r["item"], lang) for r in rows][::-1]
        values = [r["value_vnd"] / 1e6 for r in rows][::-1]
        bars = ax.barh(names, values, color=OKABE_ITO["blue"], height=0.6)
        ax.bar_label(bars, labels=[fmt.fixed(v, lang, 1) for v in values], fontsize=8, padding=2)
        ax.set_xlim(0, max(values) * 1.2)
        ax.set_xlabel(t("million_vnd", lang))
        png, svg = _export(figure)
    return Chart("resources", t("resources_chart", lang), png, svg)


def charts(content: ReportContent, lang: str = "vi") -> dict[str, Chart]:
    """Every chart the report can draw from ``content`` (a chart without data is left out)."""
    drawn = {"attainment": attainment(content, lang), "checkups": checkups(content, lang),
             "resources": resources(content, lang)}
    return {key: chart for key, chart in drawn.items() if chart is not None}
