"""Word files (.docx), with python-docx.

Heading styles (Heading N / 标题 N, or an outline level) become numbered plan headings — their own
numbering kept when the text carries it, written out (一、/（一）/1./（1）) when Word numbers them
itself or not at all. Word
tables become tables (a merged header row is combined with the row under it); a one-cell table or a
text box whose first line is a 专栏 title is that 专栏: its paragraphs and tables follow the title.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from retrieval import lines as L
from retrieval.readers.base import COLUMN_END, DocumentFormat, HeadingNumberer, ReadResult, UnreadableDocument

# A .docx of a plan is text and a few images: unpacking to more than this, or more than RATIO times
# its size, is a zip bomb, refused before any XML is parsed.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 150
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise UnreadableDocument(f"{path.name}: DOCX 文件已损坏；请在 Word 中另存后再添加") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 20 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        raise UnreadableDocument(
            f"{path.name}: DOCX 解压后 {unpacked / 1048576:.0f} MB，远大于文件本身（疑似压缩炸弹）；已拒绝，请检查文件来源"
        )


def heading_depth(paragraph) -> int | None:
    """The heading level a paragraph's style or outline level gives it, or None for body text."""
    style = paragraph.style
    while style is not None:
        if match := _HEADING_STYLE.match(style.name or ""):
            return int(match.group(1))
        style = style.base_style
    ppr = paragraph._p.pPr
    level = ppr.find(f"{W}outlineLvl") if ppr is not None else None
    if level is not None and (value := level.get(f"{W}val", "")).isdigit() and int(value) < 9:
        return int(value) + 1
    return None


def _is_title(paragraph) -> bool:
    return (paragraph.style.name or "").lower() in ("title", "标题")


def merge_header_rows(rows: list[list[str]], merged_first: bool) -> list[list[str]]:
    """A header whose first row spans columns ('2025年' over '目标 | 实际') → one header row of
    combined names ('2025年目标', '2025年实际'); other tables unchanged."""
    if not merged_first or len(rows) < 3:
        return rows
    top, sub = rows[0], rows[1]
    header, above = [], ""
    for i, cell in enumerate(top):
        above = cell or above
        below = sub[i] if i < len(sub) else ""
        header.append(above + below if below and below != above else above)
    return [header, *rows[2:]]


def _table_rows(table) -> tuple[list[list[str]], bool]:
    rows, merged_first, above = [], False, []
    for r, row in enumerate(table.rows):
        cells, seen = [], set()
        for c, cell in enumerate(row.cells):
            key = id(cell._tc)
            repeat = key in seen or (c < len(above) and above[c] is cell._tc)
            if key in seen and r == 0:
                merged_first = True
            seen.add(key)
            cells.append(
                ""
                if repeat
                else L.clean_cell(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
            )
        above = [cell._tc for cell in row.cells]
        rows.append(cells)
    return rows, merged_first


class _DocxWalker:
    def __init__(self, document, result: ReadResult):
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        self.Paragraph, self.Table = Paragraph, Table
        self.document, self.result = document, result
        self.out: list[str] = []
        self.numberer = HeadingNumberer()
        self.top_depth = 1

    def blocks(self, parent, container) -> None:
        for child in parent.iterchildren():
            if child.tag == f"{W}p":
                self.paragraph(self.Paragraph(child, container))
            elif child.tag == f"{W}tbl":
                self.table(self.Table(child, container))
            elif child.tag == f"{W}sdt" and (content := child.find(f"{W}sdtContent")) is not None:
                self.blocks(content, container)

    def paragraph(self, paragraph) -> None:
        for box in _text_boxes(paragraph._p):
            start = len(self.out)
            self.blocks(box, paragraph._parent)
            if start < len(self.out) and L.parse_column_title(self.out[start]):
                self.out.append(COLUMN_END)
        text = L.clean_line(paragraph.text)
        if not text:
            return
        depth = None if L.parse_column_title(text) else heading_depth(paragraph)
        if _is_title(paragraph):
            self.result.hints.setdefault("title", text)
        elif depth is not None:  # numbered as written, or (Word's own numbering, or none) numbered here
            numbered = any(
                f(text) is not None for f in (L.parse_heading, L.parse_annex_marker, L.parse_table_title)
            )
            text = self.numberer.heading(depth - self.top_depth + 1, text, numbered)
        self.out.append(text)

    def table(self, table) -> None:
        rows = table.rows
        if len(rows) == 1 and len(rows[0].cells) == 1:
            start = len(self.out)
            self.blocks(rows[0].cells[0]._tc, rows[0].cells[0])  # a one-cell frame: its content flows
            if start < len(self.out) and L.parse_column_title(self.out[start]):
                self.out.append(COLUMN_END)  # and the 专栏 ends with the frame
            return
        cells, merged_first = _table_rows(table)
        cells = merge_header_rows(cells, merged_first)
        if any(any(row) for row in cells):
            self.out.append(self.result.add_table(cells))


def _text_boxes(p_element) -> list:
    """The text boxes anchored in a paragraph (once each: Word stores a fallback copy)."""
    boxes, seen = [], set()
    for box in p_element.iter(f"{W}txbxContent"):
        key = "".join(box.itertext())
        if key not in seen:
            seen.add(key)
            boxes.append(box)
    return boxes


def read_docx_file(path: Path) -> ReadResult:
    check_archive(path)
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise UnreadableDocument(
            f"{path.name}: DOCX 文件已损坏（{type(exc).__name__}）；请在 Word 中另存后再添加"
        ) from None
    result = ReadResult("", format=DocumentFormat.DOCX)
    props = document.core_properties
    if props.title and re.search(r"[\u4e00-\u9fff]", props.title):
        result.hints["title"] = props.title.strip()
    walker = _DocxWalker(document, result)
    depths = [d for p in document.paragraphs if (d := heading_depth(p)) is not None and not _is_title(p)]
    walker.top_depth = min(depths, default=1)
    walker.blocks(document.element.body, document)
    result.text = "\n".join(walker.out)
    return result
