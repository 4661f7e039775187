"""Parsed document → section-sized chunks.

One chunk per smallest section (and per 专栏, and per table); a unit over the token budget is split
on paragraph, then sentence boundaries, never inside a table row. Every chunk's text is an exact
slice of the cleaned document text, so the chunks together reproduce the body without loss or overlap.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from retrieval.models import Chunk, Table
from retrieval.parse import Block, ParsedDocument
from retrieval.tokens import count_tokens

DEFAULT_TOKENS = 350
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


def chunk_id(doc_id: str, section: str, column: str | None, ordinal: int, text: str) -> str:
    """Stable: depends only on the document, the chunk's place in its section and its content."""
    digest = hashlib.sha1(f"{section}|{column or ''}|{ordinal}|{text}".encode()).hexdigest()[:12]
    return f"{doc_id}:{digest}"


def _units(blocks: Iterable[Block]) -> list[list[Block]]:
    """Group consecutive body blocks sharing a section and 专栏; each table is a unit of its own."""
    units: list[list[Block]] = []
    for block in blocks:
        if not block.is_body:
            units.append([])  # a heading or 专栏 title ends the running unit
            continue
        same = units and units[-1] and units[-1][-1].section_path == block.section_path
        same = (
            same
            and units[-1][-1].column == block.column
            and units[-1][-1].kind != "table"
            and block.kind != "table"
        )
        if same:
            units[-1].append(block)
        else:
            units.append([block])
    return [u for u in units if u]


def _spans_of_text(block: Block) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, as absolute offsets."""
    spans, pos = [], block.start
    for sentence in _SENTENCE_END.split(block.text):
        if sentence:
            spans.append((pos, pos + len(sentence)))
            pos += len(sentence)
    return spans


def _spans_of_table(block: Block) -> list[tuple[int, int]]:
    """Row spans of a table block; the title line and header row travel with the first data row."""
    lines, spans, pos = block.text.split("\n"), [], block.start
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    table = block.table or Table()
    lead = int(bool(table.title) and lines[0] == table.title) + int(bool(table.header))
    lead = min(lead + 1, len(spans))
    return [(spans[0][0], spans[lead - 1][1]), *spans[lead:]]


def _pack(
    spans: list[tuple[int, int]], text: str, budget: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Greedy packing of consecutive spans into pieces of at most `budget` tokens (a single span
    over the budget stays whole)."""
    pieces: list[tuple[int, int]] = []
    start = end = None
    for s, e in spans:
        if start is None:
            start, end = s, e
        elif count(text[start:e]) <= budget:
            end = e
        else:
            pieces.append((start, end))
            start, end = s, e
    if start is not None:
        pieces.append((start, end))
    return pieces


def _rows_in(table: Table, piece_text: str) -> Table:
    lines = set(piece_text.split("\n"))
    rows = [r for r in table.rows if "\t".join(r) in lines]
    return Table(title=table.title, header=table.header, rows=rows)


def chunk_document(
    doc: ParsedDocument, budget: int = DEFAULT_TOKENS, count: Callable[[str], int] = count_tokens
) -> list[Chunk]:
    entry, text = doc.entry, doc.text
    chunks: list[Chunk] = []
    ordinals: dict[tuple, int] = defaultdict(int)
    for unit in _units(doc.blocks):
        first = unit[0]
        if first.kind == "table":
            spans = _spans_of_table(first)
        else:
            # whole paragraphs where they fit (a 专栏 item stays in one piece), sentences otherwise
            spans = [
                span
                for block in unit
                for span in (
                    [(block.start, block.end)] if count(block.text) <= budget else _spans_of_text(block)
                )
            ]
        pieces = (
            [(unit[0].start, unit[-1].end)]
            if count(text[unit[0].start : unit[-1].end]) <= budget
            else _pack(spans, text, budget, count)
        )
        if first.kind == "table":
            kind = "table"
        elif first.column:
            kind = "column"
        elif first.in_annex:
            kind = "annex"
        else:
            kind = "text"
        section = " > ".join(first.section_path)
        for start, end in pieces:
            piece = text[start:end]
            key = (section, first.column)
            ordinal = ordinals[key]
            ordinals[key] += 1
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(entry.doc_id, section, first.column, ordinal, piece),
                    doc_id=entry.doc_id,
                    doc_title=entry.title,
                    section_path=list(first.section_path),
                    section=section,
                    column=first.column,
                    kind=kind,
                    text=piece,
                    char_start=start,
                    char_end=end,
                    ordinal=ordinal,
                    level=entry.level,
                    region=entry.region,
                    table=_rows_in(first.table, piece) if first.table else None,
                    truncated=any(b.truncated for b in unit if b.start < end and b.end > start),
                )
            )
    return chunks
