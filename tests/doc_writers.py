"""Real writers for test documents: a parsed plan rendered as HTML and printed to PDF by headless
Chromium (page headers, footers and page numbers included), or written as DOCX by python-docx
(heading styles, Word tables, 专栏 as one-cell tables)."""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from retrieval.parse import Block, ParsedDocument

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

CSS = """
@page { size: A4; margin: 22mm 20mm 22mm 20mm;
  @top-center { content: "%(header)s"; font-size: 9pt; color: #555; }
  @bottom-center { content: "— " counter(page) " —"; font-size: 10pt; } }
body { font-family: "WenQuanYi Micro Hei", sans-serif; font-size: 12pt; line-height: 1.6; }
p { margin: 0 0 0.5em 0; text-indent: 2em; text-align: justify; }
p.h { text-indent: 0; font-weight: bold; margin-top: 0.6em; }
h1 { font-size: 18pt; text-align: center; }
p.meta { text-indent: 0; }
div.box { border: 1.5px solid #333; padding: 6px 10px; margin: 0.8em 0; }
p.boxtitle { text-indent: 0; text-align: center; font-weight: bold; }
table { border-collapse: collapse; width: 100%%; margin: 0.5em 0; }
tr { break-inside: avoid; }
td, th { border: 1px solid #000; padding: 3px 5px; font-size: 10.5pt; text-indent: 0; vertical-align: top; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _table_html(block: Block) -> str:
    t = block.table
    rows = []
    if t.header:
        rows.append("<tr>" + "".join(f"<th>{_esc(c)}</th>" for c in t.header) + "</tr>")
    width = max([len(t.header)] + [len(r) for r in t.rows])
    for r in t.rows:
        cells = list(r) + [""] * (width - len(r))
        rows.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    caption = ""
    lines = block.text.split("\n")
    if t.title and lines and lines[0] == t.title and not block.column:
        caption = f'<p class="h" style="text-align:center">{_esc(t.title)}</p>'
    return caption + "<table>" + "".join(rows) + "</table>"


def document_html(doc: ParsedDocument) -> str:
    """The parsed plan as a printable page: title, notice header, headings, 专栏 boxes, tables."""
    # the header lines run up to and including the plan's title line (retrieval.parse._title_span)
    header = doc.metadata.get("header_lines") or [doc.entry.title]
    out = [
        f"<h1>{_esc(line)}</h1>" if line == header[-1] else f'<p class="meta">{_esc(line)}</p>'
        for line in header
    ]
    open_box = None
    for block in doc.blocks:
        if open_box is not None and block.column != open_box:
            out.append("</div>")
            open_box = None
        if block.kind == "column":
            out.append(f'<div class="box"><p class="boxtitle">{_esc(block.text)}</p>')
            open_box = block.column
        elif block.kind == "heading":
            out.append(f'<p class="h">{_esc(block.text)}</p>')
        elif block.kind == "table":
            out.append(_table_html(block))
        else:
            out.append(f"<p>{_esc(block.text)}</p>")
    if open_box is not None:
        out.append("</div>")
    style = CSS % {"header": doc.entry.title.replace('"', "'")}
    return f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{style}</style></head><body>{"".join(out)}</body></html>'


def html_to_pdf(page_html: str, target: Path) -> Path:
    """Print an HTML page to PDF with headless Chromium (no network, no default header)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.html"
        source.write_text(page_html, encoding="utf-8")
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return target


def write_pdf(doc: ParsedDocument, target: Path) -> Path:
    return html_to_pdf(document_html(doc), target)


def write_docx(doc: ParsedDocument, target: Path) -> Path:
    """Headings as Heading 1–4 styles (numbers as written), tables as Word tables with a header
    row, each 专栏 as a one-cell table holding its title, paragraphs and tables."""
    import docx

    document = docx.Document()
    document.core_properties.title = doc.entry.title
    header = doc.metadata.get("header_lines") or [doc.entry.title]
    for line in header:
        document.add_paragraph(line, style="Title" if line == header[-1] else None)
    box_cell = None
    box_label = None
    for block in doc.blocks:
        if box_cell is not None and block.column != box_label:
            box_cell = None
        if block.kind == "column":
            box = document.add_table(rows=1, cols=1)
            box.style = "Table Grid"
            box_cell, box_label = box.cell(0, 0), block.column
            box_cell.paragraphs[0].text = block.text
            continue
        where = box_cell if box_cell is not None else document
        if block.kind == "heading":
            level = _heading_level(block)
            document.add_paragraph(block.text, style=f"Heading {level}")
        elif block.kind == "table":
            _add_table(where, block)
        else:
            where.add_paragraph(block.text)
    document.save(target)
    return target


def _heading_level(block: Block) -> int:
    from retrieval import lines as L

    heading = L.parse_heading(block.text)
    return heading.level if heading else 1


def _add_table(where, block: Block) -> None:
    t = block.table
    if t.title and block.text.split("\n")[0] == t.title and not block.column:
        where.add_paragraph(t.title)
    rows = ([t.header] if t.header else []) + t.rows
    width = max(len(r) for r in rows)
    table = where.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j in range(width):
            table.cell(i, j).text = row[j] if j < len(row) else ""
