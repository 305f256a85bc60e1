"""The meeting report as a Youth Union document: header, title, sections, tables, figures, signature.

``build(content, lang)`` turns a ``ReportContent`` into a ``Document``, a list of plain blocks that
the Word, PDF and HTML writers render the same way. The layout follows the Youth Union's form for
documents: issuing body at top left under its superior, "ĐOÀN TNCS HỒ CHÍ MINH" at top right
with place and date, the title centred, numbered sections, "Nơi nhận" and the signature block.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

from ..i18n import t
from .. import formatting as fmt
from ..privacy import threshold
from ..states import STATE_STYLE, STATUS_STYLE, ReportState, TargetStatus, pale
from ..plan.definition import OWN_SECTIONS, SECTION_SHOWS
from .labels import RECEIVERS, pick, state_mark, status_label
from . import briefing
from .content import ReportContent, ReportSettings

# Light fills (hex RGB) for status and reporting-state cells: the dashboard's colours, paled for print.
STATUS_FILLS = {status: pale(colour)[1:] for status, (_, colour) in STATUS_STYLE.items()}
STATE_FILLS = {state: None if state == ReportState.NOT_DUE else pale(colour)[1:]
               for state, (_, colour) in STATE_STYLE.items()}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. …" (upper case, bold); 2: "1. …" (bold)


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False
    bold: bool = False
    align: str = "justify"  # justify | center | left


@dataclass(frozen=True)
class Bullet:
    text: str


@dataclass(frozen=True)
class Table:
    """A table: header texts, rows of cell texts, relative column widths, alignment per column
    (``l``/``c``/``r``), optional fills per cell (hex RGB or None), caption above, legend below."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    align: str
    fills: list[list[str | None]] | None = None
    legend: str = ""
    small: bool = False


@dataclass(frozen=True)
class Figure:
    key: str  # a key of ``images.charts``
    caption: str


@dataclass(frozen=True)
class FillLines:
    count: int = 4


Block = Union[Heading, Paragraph, Bullet, Table, Figure, FillLines]


@dataclass(frozen=True)
class Document:
    """Everything a writer needs; texts are final (formatted, in the report's language)."""

    lang: str
    superior: str
    issuer: str
    number: str
    party: str
    place_date: str
    title: str
    subtitle: str
    note: str
    blocks: list[Block] = field(default_factory=list)
    receivers_title: str = ""
    receivers: list[str] = field(default_factory=list)
    on_behalf: str = ""
    role: str = ""
    signer: str = ""
    file_title: str = ""


# ---------------------------------------------------------------------------------------------


def _label(record: dict[str, Any], lang: str) -> str:
    label = record.get("label") or {}
    return pick((label.get("vi", record["id"]), label.get("en", label.get("vi", record["id"]))), lang)


def topic(content: ReportContent, lang: str) -> str:
    """The plan's subject as it follows "Kế hoạch số … về": its title without "Kế hoạch"."""
    title = pick((content.meta["plan_title"].get("vi", ""), content.meta["plan_title"].get("en", "")), lang)
    for prefix in ("Kế hoạch ", "Plan for ", "Plan "):
        if title.startswith(prefix):
            title = title[len(prefix):]
    return title[:1].lower() + title[1:] if lang == "vi" else title


def target_note(record: dict[str, Any], lang: str, content: ReportContent | None = None) -> str:
    """The note column of a target: its status and the pace expected by now, whether the
    Standing Committee set it from the plan, excused months and the units' notes (the reasons), and
    the office's comment; parts separated by semicolons (a part may hold commas)."""
    form = record.get("format", "count")
    notes = [status_label(record["status"], lang)]
    if record.get("expected_by_now") is not None and record["target"] is not None:
        notes.append(f"{t('col_expected', lang).lower()} {fmt.target_value(record['expected_by_now'], form, lang)}")
    if record.get("interpretation"):
        notes.append(t("report_interpretation", lang))
    if content is None:
        excused = record.get("excused")
        if excused:
            notes.append(t("excused", lang, months=fmt.month_list(excused["months"]),
                           reason=excused["reason"].get(lang) or excused["reason"].get("vi", "")))
    else:
        notes.extend(briefing.reason_texts(record, content, lang))
        remark = briefing.comment(record, content)
        if remark:
            notes.append(t("office_comment", lang, text=remark))
    return "; ".join(notes)


def targets_table(content: ReportContent, lang: str, number: int) -> Table:
    """Table 1: per target its lead unit, plan value, result in the month, cumulative, rate, change
    since the compared snapshot (with an arrow) and the note (status, pace, reasons, comment)."""
    header = [t(k, lang) for k in ("col_content", "col_lead", "col_plan", "col_in_month", "col_cumulative",
                                    "col_rate", "col_since", "col_note")]
    rows, fills = [], []
    for i, record in enumerate(content.targets, start=1):
        form = record.get("format", "count")
        lead = record.get("responsible") or {}
        rows.append([f"{i}. {_label(record, lang)}", pick((lead.get("vi", ""), lead.get("en", lead.get("vi", ""))), lang),
                     fmt.target_value(record["target"], form, lang, short=True),
                     fmt.target_value(briefing.in_month(record, content), form, lang, short=True),
                     fmt.target_value(record["actual"], form, lang, short=True), fmt.percent(record["attainment"], lang),
                     briefing.arrow(briefing.change(record, content), form, lang),
                     target_note(record, lang, content)])
        fills.append([None] * 5 + [STATUS_FILLS.get(record["status"])] + [None] * 2)
    month = fmt.month(content.meta.get("month", {}).get("period") or content.status["as_of"][:7], lang,
                      in_sentence=True)
    since = content.meta.get("since")
    legend = (t("since_legend", lang, name=since["name"], day=fmt.day(since["as_of"]), month=month) if since
              else t("since_none_legend", lang, month=month))
    return Table(t("targets_table", lang), header, rows, [0.19, 0.14, 0.09, 0.09, 0.09, 0.09, 0.09, 0.22],
                 "llrrrrrl", fills, legend=legend, small=True)


def _other_statuses(by_status: dict[str, int], lang: str) -> str:
    """"; 2 chỉ tiêu chậm tiến độ; 1 chỉ tiêu không đạt": the statuses besides met that occur."""
    order = (TargetStatus.ON_TRACK, TargetStatus.BEHIND, TargetStatus.NOT_STARTED, TargetStatus.UPCOMING,
             TargetStatus.NOT_MET)
    parts = [t("overall_status_part", lang, n=by_status.get(str(s), 0), status=status_label(s, lang).lower())
             for s in order if by_status.get(str(s), 0)]
    return "".join("; " + p for p in parts)


def _overall(content: ReportContent, lang: str) -> list[Block]:
    head = content.meta["headline"]
    by = head["by_status"]
    day = fmt.day(content.as_of)
    return [Heading(t("sec_overall", lang), 2),
            Paragraph(t("overall_counts", lang, day=day, met=head["targets_met"], total=head["targets_total"],
                        others=_other_statuses(by, lang))),
            Paragraph(t("overall_activity", lang, activities=fmt.count(head["activities"], lang),
                        people=fmt.count(head["people_supported"], lang),
                        value=fmt.money(head["resources_value_vnd"], lang),
                        surveyed=fmt.count(head["people_surveyed"], lang),
                        districts=f"{head['districts_covered']}/{head['districts_total']}")),
            *_headline_since(content, lang), targets_table(content, lang, 1),
            Figure("attainment", t("attainment_chart", lang))]


def _headline_since(content: ReportContent, lang: str) -> list[Block]:
    """The headline figures' change since the compared snapshot, as one sentence (none without one)."""
    since = content.meta.get("since") or {}
    then, head = since.get("headline"), content.meta["headline"]
    if not then:
        return []
    def moved(key: str, form: str) -> str:
        return briefing.arrow(head[key] - (then.get(key) or 0), form, lang)
    received = head["reporting"]["received"] - ((then.get("reporting") or {}).get("received") or 0)
    return [Paragraph(t("overall_since", lang, name=since["name"], day=fmt.day(since["as_of"]),
                        met=moved("targets_met", "count"), activities=moved("activities", "count"),
                        people=moved("people_supported", "count"), value=moved("resources_value_vnd", "vnd"),
                        reports=briefing.arrow(received, "count", lang)))]


def target_lines(record: dict[str, Any], lang: str, content: ReportContent | None = None) -> list[Block]:
    """One target as a bullet (plus its months achieved, its models, its reasons and the office's comment)."""
    form = record.get("format", "count")
    if record["target"] is None:
        text = t("target_line_no_target", lang, label=_label(record, lang),
                 actual=fmt.target_value(record["actual"], form, lang))
    else:
        text = t("target_line", lang, label=_label(record, lang),
                 actual=fmt.measured(record["actual"], form, record.get("measure"), lang),
                 target=fmt.target_value(record["target"], form, lang),
                 attainment=fmt.percent(record["attainment"], lang),
                 status=status_label(record["status"], lang).lower())
    extras = []
    if record.get("months_met") is not None and record["target"] is not None:
        extras.append(t("report_months_met", lang, months=fmt.month_list(record["months_met"]) or "-"))
    for model in record.get("models") or []:
        state = t("model_started" if model.get("started") else "model_not_started", lang)
        extras.append(f"{pick((model['label'].get('vi', ''), model['label'].get('en', '')), lang)}: {state}.")
    if "previous_actual" in record:
        extras.append(t("report_previous", lang, value=fmt.measured(record["previous_actual"], form,
                                                                     record.get("measure"), lang),
                        day=fmt.day(record["previous_as_of"])))
    reasons = briefing.reason_texts(record, content, lang) if content is not None else []
    if record.get("interpretation"):
        reasons.insert(0, t("report_interpretation", lang))
    if reasons:
        note = "; ".join(reasons)
        extras.append(f"({note[:1].upper()}{note[1:]}.)")
    remark = briefing.comment(record, content) if content is not None else ""
    if remark:
        extras.append(t("office_comment", lang, text=remark))
    return [Bullet(" ".join([text, *extras]))]


def _coverage_table(content: ReportContent, lang: str, number: int) -> Table:
    """People surveyed by district (each person once), with a total row."""
    records = content.tables.get("coverage_by_district") or []
    rows = [[fmt.code_label("districts", r["district"], lang), fmt.count(r["people"], lang)] for r in records]
    rows.append([t("total", lang), fmt.count(content.meta["headline"]["people_surveyed"], lang)])
    header = [t("col_district", lang), t("col_people", lang)]
    return Table(t("coverage_table", lang, n=number), header, rows, [0.7, 0.3], "lr", small=True,
                 legend=t("suppressed_note", lang, n=threshold()))


def _area_groups(content: ReportContent, lang: str) -> list[tuple[str, list[dict[str, Any]], list[str]]]:
    """(title, target records, what else it shows) per programme area, as the plan's ``sections``
    declare them; then "other targets": those with no (known) section, and the chart or table no
    area shows. Targets of the report's own sections (reporting, resources) are left to them."""
    sections = content.meta.get("sections") or []
    known = {s["id"] for s in sections}
    groups = [(pick((s["label"].get("vi", s["id"]), s["label"].get("en", s["label"].get("vi", s["id"]))), lang),
               [r for r in content.targets if r.get("section") == s["id"]], list(s.get("show") or []))
              for s in sections]
    shown = {item for s in sections for item in s.get("show") or []}
    rest = [r for r in content.targets if r.get("section") not in known and r.get("section") not in OWN_SECTIONS]
    groups.append((t("area_other", lang), rest, [item for item in SECTION_SHOWS if item not in shown]))
    return [g for g in groups if g[1]] + [g for g in groups if not g[1] and g[2]]


def _areas(content: ReportContent, lang: str, counter: list[int]) -> list[Block]:
    blocks: list[Block] = []
    for title, records, show in _area_groups(content, lang):
        blocks.append(Heading(title, 2))
        for record in records:
            blocks.extend(target_lines(record, lang, content))
        if "checkups_chart" in show and content.meta.get("threshold") is not None:
            blocks.append(Figure("checkups", t("checkups_chart", lang, threshold=content.meta["threshold"])))
        if "coverage_table" in show:
            counter[0] += 1
            blocks.append(_coverage_table(content, lang, counter[0]))
    return blocks


def reporting_grid(content: ReportContent, lang: str, number: int) -> Table:
    """Units × months, one letter per report state, cells tinted by state."""
    months = content.meta["months"]
    states = {(p["unit"], p["period"]): p["state"] for p in content.tables.get("reporting_pairs") or []}
    rows, fills = [], []
    for unit in content.meta["reporting_units"]:
        cells = [states.get((unit, m), ReportState.NOT_DUE) for m in months]
        rows.append([content.unit_name(unit), *[state_mark(s, lang) for s in cells]])
        fills.append([None, *[STATE_FILLS.get(s) for s in cells]])
    header = [t("col_unit", lang), *[str(int(m[5:])) for m in months]]
    unit_share = 0.34
    widths = [unit_share, *[(1 - unit_share) / max(len(months), 1)] * len(months)]
    return Table(t("reporting_table", lang, n=number), header, rows, widths, "l" + "c" * len(months), fills,
                 legend=t("reporting_legend", lang), small=True)


def _reporting(content: ReportContent, lang: str, counter: list[int]) -> list[Block]:
    rep = content.meta["headline"]["reporting"]
    blocks: list[Block] = [Heading(t("sec_reporting", lang), 2), Paragraph(t(
        "reporting_text", lang, day=fmt.day(content.as_of), received=rep["received"], expected=rep["expected"],
        completeness=fmt.percent(rep["completeness"], lang), on_time=rep["on_time"],
        timeliness=fmt.percent(rep["timeliness"], lang)))]
    missing = briefing.missing_by_unit(content)
    if missing:
        units = "; ".join(f"{content.unit_name(u)} ({t('month_short', lang, months=fmt.month_list(ms))})"
                          for u, ms in missing.items())
        blocks.append(Paragraph(t("reporting_missing", lang, units=units)))
    elif rep["expected"]:
        blocks.append(Paragraph(t("reporting_all_in", lang)))
    counter[0] += 1
    blocks.append(reporting_grid(content, lang, counter[0]))
    return blocks


def _resources(content: ReportContent, lang: str, counter: list[int]) -> list[Block]:
    head = content.meta["headline"]
    blocks: list[Block] = [Heading(t("sec_resources", lang), 2)]
    if not head["resources_entries"]:
        return [*blocks, Paragraph(t("resources_none", lang))]
    blocks.append(Paragraph(t("resources_text", lang, value=fmt.money(head["resources_value_vnd"], lang),
                              entries=fmt.count(head["resources_entries"], lang))))
    blocks.append(Figure("resources", t("resources_chart", lang)))
    counter[0] += 1
    # One row per item and unit of measure: a quantity adds up only with quantities of the same measure.
    by_item = [[fmt.code_label("resource_items", r["item"], lang), fmt.count(r["entries"], lang),
                fmt.count(r["quantity"], lang) if r["quantity"] is not None else "",
                r["unit_of_measure"] or "", fmt.number(r["value_vnd"], lang)]
               for r in content.resource_measures()]
    blocks.append(Table(t("resources_table", lang, n=counter[0]),
                        [t(k, lang) for k in ("col_item", "col_entries", "col_quantity", "col_uom", "col_value")],
                        by_item, [0.34, 0.12, 0.14, 0.14, 0.26], "lrrlr", small=True))
    counter[0] += 1
    by_unit = [[content.unit_name(r["unit"]), fmt.count(r["entries"], lang), fmt.number(r["value_vnd"], lang)]
               for r in content.tables.get("resources_by_unit") or [] if r["value_vnd"]]
    blocks.append(Table(t("resources_unit_table", lang, n=counter[0]),
                        [t(k, lang) for k in ("col_unit", "col_entries", "col_value")],
                        by_unit, [0.57, 0.15, 0.28], "lrr", small=True))
    return blocks


def emulation_table(content: ReportContent, lang: str, number: int) -> Table | None:
    """The units' emulation scores, ranked, with each criterion's value (0-1, "–" when it does not
    apply); None when the plan declares no criteria."""
    criteria = content.meta.get("emulation_criteria") or []
    rows_in = content.tables.get("emulation") or []
    if not criteria or not rows_in:
        return None
    header = [t("col_rank", lang), t("col_unit", lang),
              *[f"{pick((c['label']['vi'], c['label'].get('en', c['label']['vi'])), lang)} ({fmt.number(c['weight'], lang)})"
                for c in criteria], t("col_score", lang)]
    rows = []
    for row in rows_in:
        values = [fmt.number(row[f"value_{c['id']}"], lang, 2) if row.get(f"value_{c['id']}") is not None else "–"
                  for c in criteria]
        score = fmt.number(row["score"], lang, 1) if row["score"] is not None else "–"
        rows.append([str(row["rank"]), content.unit_name(row["unit"]), *values, score])
    share = 0.5 / len(criteria)
    return Table(t("emulation_table", lang, n=number), header, rows, [0.06, 0.34, *[share] * len(criteria), 0.10],
                 "cl" + "r" * (len(criteria) + 1), legend=t("emulation_legend", lang), small=True)


def _emulation(content: ReportContent, lang: str, counter: list[int]) -> list[Block]:
    criteria = content.meta.get("emulation_criteria") or []
    made = emulation_table(content, lang, counter[0] + 1)
    if made is None:
        return []
    counter[0] += 1
    names = "; ".join(f"{pick((c['label']['vi'], c['label'].get('en', c['label']['vi'])), lang)} "
                      f"({fmt.number(c['weight'], lang)})" for c in criteria)
    return [Heading(t("sec_emulation", lang), 2), Paragraph(t("emulation_text", lang, criteria=names)), made]


def text_blocks(text: str) -> list[Block]:
    """An edited section as blocks: "- …" lines become bullets, "1. …" lines bold sub-headings,
    other lines paragraphs; blank lines are skipped."""
    out: list[Block] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(("- ", "+ ", "• ")):
            out.append(Bullet(line[2:].strip()))
        elif line[:1].isdigit() and ". " in line[:4]:
            out.append(Paragraph(line, bold=True))
        else:
            out.append(Paragraph(line))
    return out


def _drafted(content: ReportContent, lang: str) -> list[Block]:
    """Sections II-IV: the assessment, next steps and proposals as edited (or drafted)."""
    texts = briefing.sections(content, lang)
    blocks: list[Block] = []
    for key, heading in (("assessment", "sec_assessment"), ("next_steps", "sec_next_steps"),
                         ("proposals", "sec_proposals")):
        blocks.append(Heading(t(heading, lang)))
        body = text_blocks(texts[key])
        blocks.extend(body or [Paragraph(t("proposals_hint", lang), italic=True), FillLines(4)])
    return blocks


def _numbered(blocks: list[Block], lang: str, chart_keys: Collection[str] | None) -> list[Block]:
    """Level-1 headings numbered I, II, III…, level-2 ones 1, 2… within each; figures numbered 1, 2…,
    those without a chart dropped."""
    out: list[Block] = []
    sections = subsections = figures = 0
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            out.append(Heading(f"{ROMAN[sections]}. {block.text}", 1))
            sections, subsections = sections + 1, 0
        elif isinstance(block, Heading):
            subsections += 1
            out.append(Heading(f"{subsections}. {block.text}", 2))
        elif isinstance(block, Figure):
            if chart_keys is None or block.key in chart_keys:
                figures += 1
                out.append(Figure(block.key, t("figure_caption", lang, n=figures, caption=block.caption)))
        else:
            out.append(block)
    return out


def build(content: ReportContent, lang: str = "vi", *, settings: ReportSettings | None = None,
          issued_on: date | None = None, chart_keys: Collection[str] | None = None) -> Document:
    """The report document for ``content`` in ``lang``, issued on ``issued_on`` (default: today).

    ``chart_keys``: the charts that could be drawn (figures of other charts are left out; None: all).
    """
    settings = settings or ReportSettings()
    day = fmt.day(content.as_of)
    plan = content.meta["plan"]
    counter = [1]
    blocks: list[Block] = [Paragraph(t("intro", lang, plan=plan, topic=topic(content, lang), day=day)),
                           Heading(t("sec_results", lang))]
    blocks += _overall(content, lang) + _areas(content, lang, counter) + _reporting(content, lang, counter)
    blocks += _resources(content, lang, counter) + _emulation(content, lang, counter) + _drafted(content, lang)
    blocks.append(Paragraph(t("closing", lang, plan=plan, day=day)))
    snap = content.snapshot
    note = t("snapshot_note", lang, created=fmt.stamp(snap["created_at"]), name=snap["name"]) if snap else ""
    return Document(
        lang=lang, superior=settings.superior, issuer=settings.issuer, number=f"Số: {settings.number}",
        party=t("party", lang), place_date=fmt.issue_date(issued_on or fmt.today(), settings.place),
        title=t("report_word", lang),
        subtitle=t("report_subtitle", lang, plan=plan, topic=topic(content, lang), day=day,
                   month=fmt.month_number(content.status["as_of"][:7])),
        note=note, blocks=_numbered(blocks, lang, chart_keys), receivers_title=t("receivers", lang),
        receivers=[pick(r, lang) for r in RECEIVERS],
        on_behalf=t("on_behalf", lang), role=settings.signer_role, signer=settings.signer,
        file_title=f"{t('report_word', lang)} {plan} – {day}")
