"""Plain text and Markdown files."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from retrieval import lines as L
from retrieval.readers.base import DocumentFormat, HeadingNumberer, ReadResult, UnreadableDocument

log = logging.getLogger("planqa.readers")

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_MD_INLINE = re.compile(r"(\*\*|__|`)")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def decode(data: bytes, name: str) -> str:
    """UTF-8 (BOM allowed), UTF-16 with a BOM, else GB18030/GBK with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            f"{name}: 不是 UTF-8 或 GBK 编码的文本；请用 `iconv -t UTF-8` 转换"
        ) from None
    log.warning("%s: decoded as GB18030; consider converting it to UTF-8", name)
    return text


def read_text_file(path: Path) -> ReadResult:
    return ReadResult(decode(path.read_bytes(), path.name), format=DocumentFormat.TEXT)


def is_numbered_heading(text: str) -> bool:
    """A heading that carries its own numbering (一、 / 第一章 / 附件1 / 表1): kept as written."""
    return any(f(text) is not None for f in (L.parse_heading, L.parse_annex_marker, L.parse_table_title))


def _md_row(line: str) -> list[str]:
    return [L.clean_cell(cell) for cell in line.strip().strip("|").split("|")]


def markdown_to_plan_text(source: str) -> ReadResult:
    """`#` headings → numbered plan headings; a lone top heading is the title; `|` tables → tables;
    emphasis and list bullets dropped; `>` quotes kept as lines (a quoted 专栏 stays a 专栏)."""
    result = ReadResult("", format=DocumentFormat.MARKDOWN)
    lines = source.replace("\r\n", "\n").split("\n")
    depths = [len(m.group(1)) for line in lines if (m := _MD_HEADING.match(line))]
    top = min(depths, default=1)
    title_depth = top if depths.count(top) == 1 and len(set(depths)) > 1 else None
    levels = sorted({d for d in depths if d != title_depth})
    numberer, out, i = HeadingNumberer(), [], 0
    while i < len(lines):
        line = lines[i]
        if (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and _MD_TABLE_RULE.match(lines[i + 1].strip())
        ):
            rows = [_md_row(line)]
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_md_row(lines[i]))
                i += 1
            out.append(result.add_table(rows))
            continue
        if match := _MD_HEADING.match(line):
            depth, text = len(match.group(1)), _MD_INLINE.sub("", match.group(2))
            if depth == title_depth:
                result.hints.setdefault("title", text)
                out.append(text)
            elif L.parse_column_title(text):
                out.append(text)  # '### 专栏3 …' is a box, not a section
            else:
                out.append(numberer.heading(levels.index(depth) + 1, text, is_numbered_heading(text)))
            i += 1
            continue
        line = _MD_INLINE.sub("", line.lstrip("> ").rstrip() if line.startswith(">") else line)
        out.append(
            _MD_LIST.sub("", line) if _MD_LIST.match(line) and not is_numbered_heading(line.strip()) else line
        )
        i += 1
    result.text = "\n".join(out)
    return result


def read_markdown_file(path: Path) -> ReadResult:
    return markdown_to_plan_text(decode(path.read_bytes(), path.name))
