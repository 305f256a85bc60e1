"""The report as an A4 PDF (reportlab): real text in embedded DejaVu fonts, page numbers, tables, charts.

DejaVu Serif and Sans ship with matplotlib and cover Vietnamese; they are embedded (subset) in the
file, so the PDF reads the same on any machine. Page numbers sit at the top centre from page 2 on,
as in Vietnamese administrative documents.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (Flowable, HRFlowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from . import document as d
from .images import CHART_DPI, Chart

MARGINS = {"left": 30 * mm, "right": 15 * mm, "top": 20 * mm, "bottom": 20 * mm}
TEXT_WIDTH = A4[0] - MARGINS["left"] - MARGINS["right"]
SERIF, SANS = "YtSerif", "YtSans"
_FONT_FILES = {
    SERIF: ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    SANS: ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
}
# Table cells default to Helvetica (never embedded): every table names the embedded font instead.
_CELL_FONT = ("FONTNAME", (0, 0), (-1, -1), SANS)
_ALIGN = {"l": TA_LEFT, "c": TA_CENTER, "r": TA_RIGHT}


def font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the DejaVu families (regular, bold, italic, bold italic) with reportlab, once."""
    for family, files in _FONT_FILES.items():
        names = [family, f"{family}-Bold", f"{family}-Italic", f"{family}-BoldItalic"]
        for name, file in zip(names, files):
            pdfmetrics.registerFont(TTFont(name, str(font_dir() / file)))
        pdfmetrics.registerFontFamily(family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])


def _style(name: str, **kw: object) -> ParagraphStyle:
    base = {"fontName": SERIF, "fontSize": 11.5, "leading": 15, "alignment": TA_JUSTIFY}
    return ParagraphStyle(name, **{**base, **kw})  # type: ignore[arg-type]


STYLES = {
    "body": _style("body", firstLineIndent=10 * mm, spaceAfter=4),
    "bullet": _style("bullet", firstLineIndent=10 * mm, spaceAfter=3),
    "h1": _style("h1", fontName=f"{SERIF}-Bold", spaceBefore=8, spaceAfter=4, alignment=TA_LEFT, keepWithNext=1),
    "h2": _style("h2", fontName=f"{SERIF}-BoldItalic", spaceBefore=4, spaceAfter=3, alignment=TA_LEFT,
                 keepWithNext=1, firstLineIndent=10 * mm),
    "head": _style("head", fontSize=10.5, leading=13, alignment=TA_CENTER),
    "head_bold": _style("head_bold", fontName=f"{SERIF}-Bold", fontSize=10.5, leading=13, alignment=TA_CENTER),
    "date": _style("date", fontName=f"{SERIF}-Italic", fontSize=11, leading=14, alignment=TA_CENTER),
    "title": _style("title", fontName=f"{SERIF}-Bold", fontSize=15, leading=19, alignment=TA_CENTER,
                    spaceBefore=12),
    "subtitle": _style("subtitle", fontName=f"{SERIF}-Bold", fontSize=12, leading=15, alignment=TA_CENTER),
    "note": _style("note", fontName=f"{SERIF}-Italic", fontSize=10.5, leading=13, alignment=TA_CENTER),
    "caption": _style("caption", fontName=f"{SERIF}-Italic", fontSize=10, leading=12.5, alignment=TA_CENTER,
                      spaceBefore=4, spaceAfter=3, keepWithNext=1),
    "legend": _style("legend", fontName=f"{SERIF}-Italic", fontSize=9, leading=11, alignment=TA_LEFT, spaceBefore=2),
    "cell": _style("cell", fontName=SANS, fontSize=8.5, leading=10.5, alignment=TA_LEFT),
    "cell_head": _style("cell_head", fontName=f"{SANS}-Bold", fontSize=8.5, leading=10.5, alignment=TA_CENTER),
    "receivers_head": _style("receivers_head", fontName=f"{SERIF}-BoldItalic", fontSize=10.5, leading=13,
                             alignment=TA_LEFT),
    "receivers": _style("receivers", fontSize=9.5, leading=12, alignment=TA_LEFT),
    "sign": _style("sign", fontName=f"{SERIF}-Bold", fontSize=11.5, leading=15, alignment=TA_CENTER),
}


def _p(text: str, style: str, **kw: object) -> Paragraph:
    """A paragraph of plain text (escaped: uploaded text never becomes markup)."""
    if kw:
        variant = ParagraphStyle(f"{style}-x", parent=STYLES[style], **kw)  # type: ignore[arg-type]
        return Paragraph(escape(text), variant)
    return Paragraph(escape(text), STYLES[style])


def header(doc: d.Document) -> Flowable:
    """The two-column head: issuing body (left), party name with place and date (right)."""
    left = [_p(doc.superior, "head"), _p(doc.issuer, "head_bold"), _p("***", "head"), _p(doc.number, "head")]
    right = [Paragraph(f"<u>{escape(doc.party)}</u>", STYLES["head_bold"]), Spacer(1, 10), _p(doc.place_date, "date")]
    table = Table([[left, right]], colWidths=[TEXT_WIDTH * 0.47, TEXT_WIDTH * 0.53])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), _CELL_FONT]))
    return table


def title(doc: d.Document) -> list[Flowable]:
    parts: list[Flowable] = [_p(doc.title, "title"), _p(doc.subtitle, "subtitle"),
                             HRFlowable(width="22%", thickness=0.8, color=colors.black, spaceBefore=5, spaceAfter=4)]
    if doc.note:
        parts.append(_p(doc.note, "note"))
    return [*parts, Spacer(1, 6)]


def table(block: d.Table) -> Flowable:
    """A table with a repeated header row, wrapped cells, and cell fills."""
    widths = [TEXT_WIDTH * w for w in block.widths]
    head = [_p(h, "cell_head") for h in block.header]
    body = [[_p(text, "cell", alignment=_ALIGN[block.align[i]]) for i, text in enumerate(row)] for row in block.rows]
    grid = Table([head, *body], colWidths=widths, repeatRows=1)
    commands = [_CELL_FONT, ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#607d8b")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    for r, row in enumerate(block.fills or [], start=1):
        for c, fill in enumerate(row):
            if fill:
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(f"#{fill}")))
    grid.setStyle(TableStyle(commands))
    short = len(block.rows) <= 10
    # a long table starts right under the text before it and breaks across pages (its header row
    # repeats): its caption is not kept with it, which would move the whole table to a new page
    parts: list[Flowable] = [_p(block.caption, "caption", **({} if short else {"keepWithNext": 0})), grid]
    if block.legend:
        parts.append(_p(block.legend, "legend"))
    return KeepTogether(parts) if short else _Group(parts)


class _Group(list):  # a long table: caption, table and legend flow on their own
    pass


def figure(block: d.Figure, charts: dict[str, Chart]) -> Flowable | None:
    chart = charts.get(block.key)
    if chart is None:
        return None
    image = Image(io.BytesIO(chart.png))
    natural = image.imageWidth / CHART_DPI * 72  # the size the chart was drawn for
    width = min(natural, TEXT_WIDTH * 0.95)
    image.drawWidth, image.drawHeight = width, image.imageHeight * width / image.imageWidth
    return KeepTogether([image, _p(block.caption, "caption", keepWithNext=0)])


def block_flowables(block: d.Block, charts: dict[str, Chart]) -> list[Flowable]:
    if isinstance(block, d.Heading):
        return [_p(block.text, "h1" if block.level == 1 else "h2")]
    if isinstance(block, d.Paragraph):
        font = f"{SERIF}-{'Bold' if block.bold else ''}{'Italic' if block.italic else ''}".rstrip("-")
        align = {"center": TA_CENTER, "left": TA_LEFT}.get(block.align, TA_JUSTIFY)
        return [_p(block.text, "body", fontName=font, alignment=align)]
    if isinstance(block, d.Bullet):
        return [_p(f"- {block.text}", "bullet")]
    if isinstance(block, d.Table):
        made = table(block)
        return list(made) if isinstance(made, _Group) else [made]
    if isinstance(block, d.Figure):
        made_figure = figure(block, charts)
        return [made_figure] if made_figure is not None else []
    if isinstance(block, d.FillLines):
        return [HRFlowable(width="100%", thickness=0.6, color=colors.HexColor("#78909c"), dash=(1, 2),
                           spaceBefore=16, spaceAfter=0) for _ in range(block.count)]
    raise TypeError(f"unknown block {block!r}")


def signature(doc: d.Document) -> Flowable:
    """"Nơi nhận" (left) and the signature block (right), kept together."""
    left = [_p(doc.receivers_title, "receivers_head"),
            *[_p(r, "receivers") for r in doc.receivers]]
    right = [_p(doc.on_behalf, "sign"), _p(doc.role, "sign"), Spacer(1, 24 * mm),
             _p(doc.signer or "." * 40, "sign")]
    grid = Table([[left, right]], colWidths=[TEXT_WIDTH * 0.5, TEXT_WIDTH * 0.5])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0), _CELL_FONT]))
    return KeepTogether([Spacer(1, 8), grid])


def _page_number(canvas: object, document: object) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont(SERIF, 10)  # type: ignore[attr-defined]
    canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(document.page))  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def render(doc: d.Document, charts: dict[str, Chart]) -> bytes:
    """The PDF file's bytes."""
    register_fonts()
    out = io.BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGINS["left"], rightMargin=MARGINS["right"],
                                 topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"], title=doc.file_title,
                                 author=doc.issuer, subject=doc.subtitle, creator="ytsupport", lang=doc.lang,
                                 initialFontName=SERIF)
    story: list[Flowable] = [header(doc), *title(doc)]
    for block in doc.blocks:
        story.extend(block_flowables(block, charts))
    story.append(signature(doc))
    template.build(story, onLaterPages=_page_number)
    return out.getvalue()
