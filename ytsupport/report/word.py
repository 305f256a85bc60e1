"""The report as a Word document (python-docx), editable: real paragraphs, tables and pictures.

Times New Roman 13 pt on A4 with administrative margins; page numbers (a PAGE field) at the top
centre from page 2 on; the header block and the signature block are borderless tables.
"""
from __future__ import annotations

import io

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from . import document as d
from .images import WIDTH_IN, Chart

FONT = "Times New Roman"
TEXT_WIDTH_CM = 21.0 - 3.0 - 1.5
_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT,
          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT}


def _setup(document: object) -> None:
    """A4 portrait, margins 2/2/3/1.5 cm, Times New Roman 13 pt (also for Vietnamese/complex scripts)."""
    section = document.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name, style.font.size = FONT, Pt(13)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)
    style.paragraph_format.space_after = Pt(4)
    style.paragraph_format.line_spacing = 1.15
    _page_numbers(section)


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """A Word field (e.g. PAGE) in ``paragraph``."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page_numbers(section: object) -> None:
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    paragraph = section.header.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE")


def _text(paragraph: DocxParagraph, text: str, *, bold: bool = False, italic: bool = False,
          size: float | None = None, underline: bool = False) -> DocxParagraph:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    return paragraph


def _para(container: object, text: str = "", *, align: str = "justify", indent: bool = False,
          space_after: float = 4, **run: object) -> DocxParagraph:
    paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(space_after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    if text:
        _text(paragraph, text, **run)  # type: ignore[arg-type]
    return paragraph


def _cell_text(cell: _Cell, text: str, *, align: str = "center", **run: object) -> DocxParagraph:
    paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    return _text(paragraph, text, **run)  # type: ignore[arg-type]


_AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _no_borders(table: DocxTable) -> None:
    """No borders at all (the header and signature blocks); inserted where the schema orders it."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties = table._tbl.tblPr
    later = [child for child in properties if child.tag in {qn(tag) for tag in _AFTER_TBL_BORDERS}]
    if later:
        later[0].addprevious(borders)
    else:
        properties.append(borders)


def header(document: object, doc: d.Document) -> None:
    """Issuing body at left, party name with place and date at right."""
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _no_borders(table)
    _widths(table, [0.47, 0.53])
    left, right = table.rows[0].cells
    _cell_text(left, doc.superior, size=12)
    _cell_text(left, doc.issuer, bold=True, size=12)
    _cell_text(left, "***", size=12)
    _cell_text(left, doc.number, size=12)
    _cell_text(right, doc.party, bold=True, underline=True, size=12)
    _cell_text(right, "")
    _cell_text(right, doc.place_date, italic=True, size=12)


def title(document: object, doc: d.Document) -> None:
    _para(document, doc.title, align="center", bold=True, size=15, space_after=0).paragraph_format.space_before = Pt(12)
    _para(document, doc.subtitle, align="center", bold=True, size=13, space_after=0)
    _para(document, "-----", align="center", space_after=2)
    if doc.note:
        _para(document, doc.note, align="center", italic=True, size=12)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: object) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)  # type: ignore[attr-defined]


def _widths(grid: DocxTable, shares: list[float]) -> None:
    """Fixed column widths (grid columns and every cell: Word and LibreOffice each read one of them)."""
    grid.autofit = False
    for c, share in enumerate(shares):
        width = Cm(TEXT_WIDTH_CM * share)
        grid.columns[c].width = width
        for row in grid.rows:
            row.cells[c].width = width


def table(document: object, block: d.Table) -> None:
    """Caption, a gridded table with a repeated header row and tinted cells, then the legend."""
    _para(document, block.caption, align="center", italic=True, size=12, space_after=2)
    grid = document.add_table(rows=1 + len(block.rows), cols=len(block.header))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = 10 if block.small else 12
    for c, text in enumerate(block.header):
        _cell_text(grid.rows[0].cells[c], text, bold=True, size=size)
        _shade(grid.rows[0].cells[c], "ECEFF1")
    _repeat_header(grid.rows[0])
    for r, row in enumerate(block.rows, start=1):
        cells = grid.rows[r].cells
        for c, text in enumerate(row):
            _cell_text(cells[c], text, align=block.align[c], size=size)
            fill = block.fills[r - 1][c] if block.fills else None
            if fill:
                _shade(cells[c], fill)
    _widths(grid, block.widths)
    if block.legend:
        _para(document, block.legend, align="left", italic=True, size=10)
    else:
        _para(document, "", space_after=2)


def figure(document: object, block: d.Figure, charts: dict[str, Chart]) -> None:
    chart = charts.get(block.key)
    if chart is None:
        return
    paragraph = _para(document, align="center", space_after=0)
    paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Cm(min(WIDTH_IN * 2.54, TEXT_WIDTH_CM)))
    _para(document, block.caption, align="center", italic=True, size=12)


def blocks(document: object, doc: d.Document, charts: dict[str, Chart]) -> None:
    for block in doc.blocks:
        if isinstance(block, d.Heading):
            _para(document, block.text, align="left", indent=block.level > 1, bold=True,
                  italic=block.level > 1).paragraph_format.keep_with_next = True
        elif isinstance(block, d.Paragraph):
            _para(document, block.text, align=block.align, indent=block.align == "justify", bold=block.bold,
                  italic=block.italic)
        elif isinstance(block, d.Bullet):
            _para(document, f"- {block.text}", indent=True)
        elif isinstance(block, d.Table):
            table(document, block)
        elif isinstance(block, d.Figure):
            figure(document, block, charts)
        elif isinstance(block, d.FillLines):
            for _ in range(block.count):
                _para(document, "." * 160, align="left", size=11)


def signature(document: object, doc: d.Document) -> None:
    """"Nơi nhận" at left, "TM. BAN THƯỜNG VỤ / BÍ THƯ" and the signer at right."""
    grid = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    _no_borders(grid)
    _widths(grid, [0.5, 0.5])
    left, right = grid.rows[0].cells
    _cell_text(left, doc.receivers_title, align="l", bold=True, italic=True, size=12)
    for line in doc.receivers:
        _cell_text(left, line, align="l", size=11)
    _cell_text(right, doc.on_behalf, bold=True)
    _cell_text(right, doc.role, bold=True)
    for _ in range(4):
        _cell_text(right, "")
    _cell_text(right, doc.signer or "." * 40, bold=True)


def render(doc: d.Document, charts: dict[str, Chart]) -> bytes:
    """The .docx file's bytes."""
    document = new_document()
    _setup(document)
    document.core_properties.title = doc.file_title
    document.core_properties.author = doc.issuer
    document.core_properties.subject = doc.subtitle
    document.core_properties.language = doc.lang
    header(document, doc)
    title(document, doc)
    blocks(document, doc, charts)
    signature(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

