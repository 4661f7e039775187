"""PDF files, with pdfplumber (MIT; PyMuPDF's AGPL does not fit).

Per page: ruled tables are read as tables (pdfplumber's finder; a one-cell frame is a 专栏 box, whose
lines flow as text); the other lines are text. Lines repeated in the top or bottom margin of many
pages (running headers, footers) and page numbers ('— 3 —', '-3-', '第3页', '3/12') are dropped.
A line that runs to its column's right edge was wrapped there: it is rejoined with the next line
unless that one starts a new paragraph (indented, or after a gap). The same holds across a page
break, and a table that continues on the next page is one table.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from retrieval import lines as L
from retrieval.readers.base import COLUMN_END, DocumentFormat, ReadResult, UnreadableDocument

log = logging.getLogger("planqa.readers")

MARGIN_SHARE = 0.09  # the top and bottom 9% of a page hold running headers and footers
REPEATED_SHARE = 0.4  # a margin line on at least this share of pages (and 2) is a running header
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—－~·\s]*\d{1,4}[-–—－~·\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.I,
)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    right: float  # the right edge of the column the line sits in (page body or a 专栏 frame)
    left: float
    frame: tuple | None = None  # (page, n) of the closed box the line sits in


@dataclass
class _Table:
    rows: list[list[str]]
    top: float
    frame: tuple | None = None


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _margin_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _cell(text: str | None) -> str:
    if not text:
        return ""
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    out = ""
    for part in parts:
        out = L.join_broken(out, part) if out else part
    return L.clean_cell(out)


def _open(path: Path):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        from pypdf import PdfReader

        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(f"{path.name}: PDF 有打开密码（已加密）；请去掉密码后再添加")
    except UnreadableDocument:
        raise
    except Exception:  # pypdf is only a first look; pdfplumber decides below
        pass
    try:
        return pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableDocument(f"{path.name}: PDF 有打开密码（已加密）；请去掉密码后再添加") from None
    except Exception as exc:
        raise UnreadableDocument(
            f"{path.name}: PDF 文件已损坏（{type(exc).__name__}）；请重新导出后再添加"
        ) from None


def _inside(box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _page_items(page, body_right: float, page_no: int = 0) -> tuple[list, int]:
    tables, frames = [], []
    for table in page.find_tables():
        cells = [c for row in table.rows for c in row.cells]
        if len(table.rows) == 1 and len(cells) == 1:
            frames.append(table.bbox)  # a one-cell frame: a 专栏 box, read as text
            continue
        rows = [[_cell(c) for c in row] for row in table.extract()]
        rows = [r for r in rows if any(r)]
        if rows:
            tables.append((table.bbox, _Table(rows, table.bbox[1])))
    for bbox, table in tables:
        cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        table.frame = next(((page_no, n) for n, f in enumerate(frames) if _inside(f, cx, cy)), None)
    items: list = [t for _, t in tables]
    chars = len(page.chars)
    for line in page.extract_text_lines(strip=True, return_chars=False):
        cx, cy = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b, _ in tables):
            continue
        n = next((n for n, f in enumerate(frames) if _inside(f, cx, cy)), None)
        right = frames[n][2] if n is not None else body_right
        left = frames[n][0] if n is not None else 0.0
        frame = (page_no, n) if n is not None else None
        items.append(
            _Line(line["text"], line["x0"], line["x1"], line["top"], line["bottom"], right, left, frame)
        )
    items.sort(key=lambda item: item.top)
    return items, chars


def _strip_margins(pages: list[list], heights: list[float]) -> None:
    """Drop running headers/footers and page numbers from the margins, in place."""

    def in_margin(item, height):
        return isinstance(item, _Line) and (
            item.bottom < height * MARGIN_SHARE or item.top > height * (1 - MARGIN_SHARE)
        )

    seen = Counter()
    for items, height in zip(pages, heights, strict=True):
        seen.update({_margin_key(i.text) for i in items if in_margin(i, height)})
    repeated = {k for k, n in seen.items() if n >= 2 and n >= REPEATED_SHARE * len(pages)}
    for p, (items, height) in enumerate(zip(pages, heights, strict=True)):
        pages[p] = [
            i
            for i in items
            if not (in_margin(i, height) and (is_page_number(i.text) or _margin_key(i.text) in repeated))
        ]


def _starts_paragraph(prev: _Line, line: _Line, char: float, same_page: bool) -> bool:
    if prev.x1 < prev.right - 2.2 * char:
        return True  # the line above stopped short of the edge: its paragraph ended there
    if line.x0 > min(prev.x0, line.x0) + 1.2 * char and line.x0 > prev.x0 + 1.2 * char:
        return True  # indented first line
    if same_page and line.top - prev.bottom > 0.75 * (line.bottom - line.top):
        return True  # a gap: paragraph spacing
    if L.ends_paragraph(prev.text) and (L.parse_heading(line.text) or L.parse_column_title(line.text)):
        return True
    if L.parse_annex_marker(line.text) is not None:
        return True
    return L.parse_column_title(line.text) is not None or L.parse_column_title(prev.text) is not None


def read_pdf_file(path: Path) -> ReadResult:
    result = ReadResult("", format=DocumentFormat.PDF)
    with _open(path) as pdf:
        try:
            pages_raw = list(pdf.pages)
        except Exception as exc:
            raise UnreadableDocument(
                f"{path.name}: PDF 文件已损坏（{type(exc).__name__}）；请重新导出后再添加"
            ) from None
        if not pages_raw:
            raise UnreadableDocument(f"{path.name}: PDF 没有页面；请检查文件")
        title = (pdf.metadata or {}).get("Title")
        if isinstance(title, str) and re.search(r"[\u4e00-\u9fff]", title):
            result.hints["title"] = title.strip()
        body_right = 0.0
        pages, heights, blank = [], [], 0
        try:
            for page in pages_raw:
                body_right = max(body_right, max((c["x1"] for c in page.chars), default=0.0))
            for page_no, page in enumerate(pages_raw):
                items, chars = _page_items(page, body_right, page_no)
                blank += chars == 0
                pages.append(items)
                heights.append(float(page.height))
                page.flush_cache()
        except UnreadableDocument:
            raise
        except Exception as exc:
            raise UnreadableDocument(
                f"{path.name}: PDF 文件已损坏（{type(exc).__name__}）；请重新导出后再添加"
            ) from None
    if blank == len(pages):
        raise UnreadableDocument(
            f"{path.name}: PDF 没有文字层，像是扫描件；请先做文字识别（OCR，如 ocrmypdf -l chi_sim）再添加"
        )
    if blank:
        result.warnings.append(
            f"looks scanned: {blank} of {len(pages)} pages have no text layer (they need OCR)"
        )
    _strip_margins(pages, heights)
    result.text = _flow(pages, result)
    return result


def _flow(pages: list[list], result: ReadResult) -> str:
    """Lay the pages' lines and tables out as plan text, rejoining wrapped lines and split tables."""
    heights = [ln.bottom - ln.top for items in pages for ln in items if isinstance(ln, _Line)]
    char = sorted(heights)[len(heights) // 2] if heights else 12.0
    out: list[str] = []
    prev: _Line | None = None
    prev_page = -1
    last_table: list[list[str]] | None = None
    box: tuple | None = None  # the closed frame holding the open 专栏, if one is open
    for p, items in enumerate(pages):
        for item in items:
            if box is not None and item.frame != box:
                out.append(COLUMN_END)  # the frame around the 专栏 closed
                box, prev = None, None
            if isinstance(item, _Line) and item.frame is not None and L.parse_column_title(item.text):
                box = item.frame
            if isinstance(item, _Table):
                rows = item.rows
                if last_table is not None and p != prev_page and len(rows[0]) == len(last_table[0]):
                    last_table.extend(r for r in rows if r != last_table[0])  # continued on this page
                else:
                    out.append(result.add_table(rows))
                    last_table = rows
                prev, prev_page = None, p
                continue
            if prev is not None and not _starts_paragraph(prev, item, char, same_page=p == prev_page):
                out[-1] = L.join_broken(out[-1], item.text)
            else:
                out.append(item.text)
            prev, prev_page, last_table = item, p, None
    if box is not None:
        out.append(COLUMN_END)
    return "\n".join(out)
