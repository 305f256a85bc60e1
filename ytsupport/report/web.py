"""The report as one standalone, printable HTML file: inline CSS, charts as inline SVG, no outside request.

Every text is HTML-escaped (uploaded text never becomes markup). ``@media print`` lays the page out
on A4 with the administrative margins and keeps tables and figures whole where they fit.
"""
from __future__ import annotations

from html import escape

from . import document as d
from .images import Chart

CSS = """
:root { --ink: #1f2933; --rule: #607d8b; }
* { box-sizing: border-box; }
body { font-family: "Times New Roman", "DejaVu Serif", "Noto Serif", serif; font-size: 13pt; line-height: 1.4;
       color: var(--ink); max-width: 18cm; margin: 1.5cm auto; padding: 0 1cm; background: #fff; }
.head { display: grid; grid-template-columns: 47% 53%; text-align: center; font-size: 12pt; line-height: 1.3; }
.head .issuer, .head .party { font-weight: bold; }
.head .party { text-decoration: underline; }
.head .date { font-style: italic; margin-top: .8em; }
h1 { text-align: center; font-size: 15pt; margin: 1.2em 0 0; }
.subtitle { text-align: center; font-weight: bold; margin: .2em 2em 0; }
.rule { width: 22%; margin: .4em auto .6em; border: 0; border-top: 1px solid #000; }
.note { text-align: center; font-style: italic; }
p { text-align: justify; text-indent: 1cm; margin: .25em 0; }
p.bullet { text-indent: 1cm; }
h2 { font-size: 13pt; margin: .9em 0 .3em; }
h3 { font-size: 13pt; font-style: italic; margin: .6em 0 .2em; text-indent: 1cm; }
figure { margin: .6em 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption, .caption { font-style: italic; text-align: center; font-size: 12pt; margin: .3em 0; text-indent: 0; }
table.grid { border-collapse: collapse; width: 100%; font-family: "DejaVu Sans", Arial, sans-serif;
             font-size: 9pt; margin: .2em 0 .6em; }
table.grid th, table.grid td { border: 1px solid var(--rule); padding: 2px 4px; vertical-align: middle; }
table.grid th { background: #eceff1; }
table.grid thead { display: table-header-group; }
.l { text-align: left; } .c { text-align: center; } .r { text-align: right; }
.legend { font-style: italic; font-size: 10pt; text-indent: 0; }
.fill { border-bottom: 1px dotted #78909c; height: 1.6em; }
.sign { display: grid; grid-template-columns: 50% 50%; margin-top: 1em; break-inside: avoid; page-break-inside: avoid; }
.receivers { font-size: 11pt; line-height: 1.3; }
.receivers b { font-style: italic; }
.signature { text-align: center; font-weight: bold; }
.signature .space { height: 2.5cm; }
@page { size: A4; margin: 2cm 1.5cm 2cm 3cm; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 12.5pt;
         -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table.grid tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, .caption { break-after: avoid; page-break-after: avoid; }
}
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def header(doc: d.Document) -> str:
    left = (f'<div><div>{_e(doc.superior)}</div><div class="issuer">{_e(doc.issuer)}</div>'
            f'<div>***</div><div>{_e(doc.number)}</div></div>')
    right = f'<div><div class="party">{_e(doc.party)}</div><div class="date">{_e(doc.place_date)}</div></div>'
    title = (f'<h1>{_e(doc.title)}</h1><div class="subtitle">{_e(doc.subtitle)}</div><hr class="rule">'
             + (f'<div class="note">{_e(doc.note)}</div>' if doc.note else ""))
    return f'<header><div class="head">{left}{right}</div>{title}</header>'


def table(block: d.Table) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in block.header)
    rows = []
    for r, row in enumerate(block.rows):
        cells = []
        for c, text in enumerate(row):
            fill = block.fills[r][c] if block.fills else None
            style = f' style="background:#{fill}"' if fill else ""
            cells.append(f'<td class="{block.align[c]}"{style}>{_e(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cols = "".join(f'<col style="width:{w * 100:.1f}%">' for w in block.widths)
    legend = f'<p class="legend">{_e(block.legend)}</p>' if block.legend else ""
    return (f'<div class="keep"><p class="caption">{_e(block.caption)}</p><table class="grid"><colgroup>{cols}'
            f'</colgroup><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{legend}</div>')


def block_html(block: d.Block, charts: dict[str, Chart]) -> str:
    if isinstance(block, d.Heading):
        return f"<h2>{_e(block.text)}</h2>" if block.level == 1 else f"<h3>{_e(block.text)}</h3>"
    if isinstance(block, d.Paragraph):
        style = ("font-style:italic;" if block.italic else "") + ("font-weight:bold;" if block.bold else "")
        return f'<p style="{style}">{_e(block.text)}</p>' if style else f"<p>{_e(block.text)}</p>"
    if isinstance(block, d.Bullet):
        return f'<p class="bullet">- {_e(block.text)}</p>'
    if isinstance(block, d.Table):
        return table(block)
    if isinstance(block, d.Figure):
        chart = charts.get(block.key)
        return "" if chart is None else f"<figure>{chart.svg}<figcaption>{_e(block.caption)}</figcaption></figure>"
    if isinstance(block, d.FillLines):
        return '<div class="fill"></div>' * block.count
    raise TypeError(f"unknown block {block!r}")


def signature(doc: d.Document) -> str:
    receivers = "".join(f"<div>{_e(r)}</div>" for r in doc.receivers)
    return (f'<div class="sign"><div class="receivers"><b>{_e(doc.receivers_title)}</b>{receivers}</div>'
            f'<div class="signature"><div>{_e(doc.on_behalf)}</div><div>{_e(doc.role)}</div>'
            f'<div class="space"></div><div>{_e(doc.signer or "." * 40)}</div></div></div>')


def render(doc: d.Document, charts: dict[str, Chart]) -> bytes:
    """The HTML file's bytes (UTF-8)."""
    body = "\n".join(block_html(b, charts) for b in doc.blocks)
    page = (f'<!DOCTYPE html>\n<html lang="{_e(doc.lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(doc.file_title)}</title><style>{CSS}</style></head>"
            f"<body>{header(doc)}<main>{body}</main>{signature(doc)}</body></html>\n")
    return page.encode("utf-8")
