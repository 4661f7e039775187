"""Plan text + manifest entry → a parsed document: cleaned text, header metadata and blocks that
know their section path (三、… > （二）…), their 专栏 and their tables.

The parse is pure: `parse_document(text, entry)` reads no files. Steps:
1. split off the notice header (通知, 文号, 抄送, 印发) into metadata;
2. read lines into items: headings, 专栏 titles, annex markers, tables (tab-separated or one cell
   per line), paragraphs;
3. repair: rejoin paragraphs cut by page breaks or hard wraps, 'and' → 和;
4. walk the items keeping the heading stack and the open 专栏, producing blocks with offsets into
   the cleaned text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval import lines as L
from retrieval.models import ManifestEntry, Table
from retrieval.readers.base import COLUMN_END, table_index

_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,6}〔\d{4}〕\d+号")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_NUMBERED = re.compile(r"^\d{1,2}\s*[.．、]")


@dataclass
class Block:
    """A piece of the cleaned text: a heading, a 专栏 title, a paragraph or a table."""

    kind: str  # heading | column | paragraph | table
    text: str
    section_path: tuple[str, ...] = ()
    column: str | None = None
    table: Table | None = None
    truncated: bool = False
    in_annex: bool = False
    start: int = 0
    end: int = 0

    @property
    def is_body(self) -> bool:
        return self.kind in ("paragraph", "table")


@dataclass
class ColumnBox:
    """A boxed 专栏 panel with its extent and the section it sits in."""

    label: str
    number: int | None
    title: str
    section_path: tuple[str, ...]
    parts: list[str] = field(default_factory=list)
    tables: int = 0
    start: int = 0
    end: int = 0


@dataclass
class ParsedDocument:
    entry: ManifestEntry
    text: str
    metadata: dict
    blocks: list[Block]
    columns: list[ColumnBox]
    warnings: list[str] = field(default_factory=list)

    @property
    def headings(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "heading"]

    @property
    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]


# ---------------------------------------------------------------- header


def _title_span(lines: list[str], entry: ManifestEntry) -> int:
    """Index of the first body line: after the plan's own title line(s), or 0 if none is found."""
    key = L.nfkc_key(entry.title)
    limit = len(lines)
    for i, line in enumerate(lines):
        if (h := L.parse_heading(line)) and h.level <= 1 and not h.lead:
            limit = i
            break
    for i in range(limit):
        line_key = L.nfkc_key(lines[i])
        if len(line_key) < 6 or not key.startswith(line_key):
            continue
        end = i + 1
        if line_key != key:  # the title continues on the next non-empty line: '（2021-2025年）'
            nxt = next((j for j in range(i + 1, limit) if lines[j].strip()), None)
            if nxt is not None and L.nfkc_key(lines[i] + lines[nxt]) == key:
                end = nxt + 1
        author = entry.author and L.nfkc_key(entry.author)
        nxt = next((j for j in range(end, limit) if lines[j].strip()), None)
        if author and nxt is not None and L.nfkc_key(lines[nxt]) == author:
            end = nxt + 1
        return end
    return 0


def header_metadata(header: list[str]) -> dict:
    """The notice header as fields: 通知 title, 文号, addressees, dates, 抄送, 印发."""
    meta: dict = {}
    lines = [h.strip() for h in header if h.strip()]
    for line in lines:
        if "通知" in line and "notice_title" not in meta:
            meta["notice_title"] = L.squeeze_cjk_spaces(line)  # '江苏省 “十四五”' → '江苏省“十四五”'
        elif (m := _DOC_NUMBER.search(line)) and "doc_number" not in meta:
            meta["doc_number"] = m.group(0)
        elif line.startswith("抄送"):
            meta["cc"] = line.split("：", 1)[-1].split(":", 1)[-1].rstrip("。")
        elif "印发" in line and _DATE.search(line):
            meta["printed"] = line
        elif line.endswith(("：", ":")) and "addressees" not in meta:
            meta["addressees"] = line.rstrip("：:")
        elif _DATE.fullmatch(line):
            meta.setdefault("dates", []).append(line)
        elif line.startswith(("（此件", "(此件")):
            meta["publicity"] = line.strip("（）()")
    if lines:
        meta["header_lines"] = lines
    return meta


# ---------------------------------------------------------------- items


@dataclass
class _Item:
    kind: str  # heading | column | column_end | annex | table_title | table | paragraph
    text: str
    heading: L.Heading | None = None
    column: L.ColumnTitle | None = None
    table: Table | None = None


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


def _read_tab_table(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """Consecutive tab-separated rows (blank lines between them allowed)."""
    rows: list[list[str]] = []
    while True:
        j = _next_nonblank(lines, i)
        if j is None:
            return rows, len(lines)
        cells = L.split_tab_row(lines[j])
        if cells is None:
            return rows, i
        rows.append(cells)
        i = j + 1


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and L.split_tab_row(line) is None and bool(line.strip())


def _read_cell_table(lines: list[str], i: int) -> tuple[list[list[str]], int] | None:
    """A table laid out one cell per line (each cell led by a tab), rows split by blank lines.

    Lines without a tab continue the cell above ('“十三五”' + '实绩'). The header row fixes the
    column count; a row is complete when it has that many cells.
    """
    start = _next_nonblank(lines, i)
    if start is None or not _is_cell_line(lines[start]):
        return None
    header: list[str] = []
    j = start
    while j < len(lines) and lines[j].strip():
        if _is_cell_line(lines[j]):
            header.append(L.clean_cell(lines[j]))
        elif header:
            header[-1] += L.clean_cell(lines[j])
        j += 1
    if len(header) < 2:
        return None
    rows, row = [header], []
    while True:
        k = _next_nonblank(lines, j)
        if k is None:
            break
        line = lines[k]
        if _is_cell_line(line):
            if len(row) == len(header):
                rows.append(row)
                row = []
            row.append(L.clean_cell(line))
        elif row and len(row) < len(header) and len(line.strip()) <= 12:
            row[-1] += L.clean_cell(line)
        else:
            break
        j = k + 1
    if row:
        rows.append(row + [""] * (len(header) - len(row)))
    return (rows, j) if len(rows) >= 2 else None


def read_items(lines: list[str], tables: Sequence[list[list[str]]] = ()) -> list[_Item]:
    """Classify the body lines into items, reading tables whole. A reader's table marker line
    (`retrieval.readers.table_marker`) stands for `tables[n]`, rows already split into cells."""
    items: list[_Item] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        text = raw.strip()
        if not text:
            i += 1
            continue
        if text == COLUMN_END:
            items.append(_Item("column_end", ""))
            i += 1
            continue
        if (n := table_index(text)) is not None:
            if n < len(tables) and tables[n]:
                items.append(_Item("table", "", table=_table_from_rows(_square(tables[n]))))
            i += 1
            continue
        if column := L.parse_column_title(text):
            items.append(_Item("column", column.label, column=column))
            i += 1
            if found := _read_cell_table(lines, i):
                rows, i = found
                items.append(
                    _Item("table", "", table=Table(title=column.title, header=rows[0], rows=rows[1:]))
                )
            continue
        if (number := L.parse_annex_marker(text)) is not None:
            if inline := L.annex_inline_title(text):
                items.append(_Item("annex", f"附件{number} {inline}"))
                i += 1
                continue
            j = _next_nonblank(lines, i + 1)
            title = L.squeeze_cjk_spaces(lines[j].strip()) if j is not None else ""
            items.append(_Item("annex", f"附件{number} {title}".strip()))
            i = (j + 1) if j is not None else i + 1
            continue
        if L.parse_table_title(text):
            items.append(_Item("table_title", text))
            i += 1
            continue
        if L.split_tab_row(raw) is not None:
            rows, i = _read_tab_table(lines, i)
            items.append(_Item("table", "", table=_table_from_rows(rows)))
            continue
        if L.is_annex_list(text):
            parts = [text]
            i += 1
            while (j := _next_nonblank(lines, i)) is not None and _NUMBERED.match(lines[j].strip()):
                parts.append(lines[j].strip())
                i = j + 1
            items.append(_Item("paragraph", " ".join(parts)))
            continue
        if heading := L.parse_heading(text):
            items.append(_Item("heading", text, heading=heading))
            i += 1
            continue
        items.append(_Item("paragraph", text))
        i += 1
    return items


def _square(rows: list[list[str]]) -> list[list[str]]:
    """Cells cleaned, empty rows dropped, every row as wide as the widest (merged cells leave blanks)."""
    rows = [[L.clean_cell(c or "") for c in row] for row in rows]
    rows = [r for r in rows if any(r)]
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _table_from_rows(rows: list[list[str]]) -> Table:
    """First row is the header unless it is itself a numbered item; repeated headers are dropped."""
    if not rows:
        return Table()
    if _NUMBERED.match(rows[0][0]):
        return Table(header=[], rows=_numbered_list_rows(rows))
    header = rows[0]
    return Table(header=header, rows=[r for r in rows[1:] if r != header])


def _numbered_list_rows(rows: list[list[str]]) -> list[list[str]]:
    """A numbered list laid out in columns ('1. 量子信息前沿\\t8. 制氢……') read column by column,
    one item a row, when that gives the items in order 1..N; other rows are kept as they are."""
    if not all(re.match(r"\d{1,2}\s*[.．、](?!\d)", cell) for row in rows for cell in row):
        return rows  # not a list ('2.8' is a decimal, not item 2)
    items = [row[col] for col in range(max(len(r) for r in rows)) for row in rows if col < len(row)]
    numbers = [int(re.match(r"\d+", item).group(0)) for item in items]
    return [[item] for item in items] if numbers == list(range(1, len(items) + 1)) else rows


def repair_items(items: list[_Item], rejoin: bool = True) -> list[_Item]:
    """Rejoin paragraphs cut by page breaks or hard wraps; replace stray 'and' with 和."""
    out: list[_Item] = []
    for item in items:
        if item.kind in ("paragraph", "heading"):
            item.text = L.fix_stray_and(item.text)
        prev = out[-1] if out else None
        joinable_prev = prev is not None and (
            prev.kind == "paragraph" or (prev.kind == "heading" and prev.heading and prev.heading.lead)
        )
        if rejoin and item.kind == "paragraph" and joinable_prev and not L.ends_paragraph(prev.text):
            prev.text = L.join_broken(prev.text, item.text)
            continue
        out.append(item)
    return out


def _lead_sentence_headings(items: list[_Item]) -> list[_Item]:
    """For texts with no numbered headings (a signed article): each paragraph that opens with a short
    topic sentence becomes a section titled by that sentence."""
    out = []
    for item in items:
        if item.kind == "paragraph" and len(item.text) >= 80:
            match = re.match(r"^([^。]{4,30})。", item.text)
            if match:
                item = _Item("heading", item.text, heading=L.Heading(1, "", match.group(1), lead=True))
        out.append(item)
    return out


# ---------------------------------------------------------------- blocks


class _Walker:
    """Walks repaired items, tracking the heading stack and the open 专栏."""

    def __init__(self, entry: ManifestEntry):
        self.entry = entry
        self.path: list[tuple[int, str, bool]] = []  # (level, label, is a lead-phrase item)
        self.column: ColumnBox | None = None
        self.column_items = 0  # last numbered item seen inside the open 专栏
        self.column_has_content = False
        self.in_annex = False
        self.pending_title: str | None = None
        self.blocks: list[Block] = []
        self.columns: list[ColumnBox] = []

    @property
    def section_path(self) -> tuple[str, ...]:
        return tuple(label for _, label, _ in self.path)

    def emit(self, kind: str, text: str, table: Table | None = None) -> Block:
        in_column = self.column is not None and kind != "heading"
        truncated = (
            self.entry.kind == "outline"
            and kind == "paragraph"
            and len(text) >= 45
            and not L.ends_paragraph(text)
        )
        path = self.column.section_path if in_column else self.section_path
        block = Block(
            kind, text, path, self.column.label if in_column else None, table, truncated, self.in_annex
        )
        self.blocks.append(block)
        if in_column and kind != "column":
            self.column_has_content = True
        return block

    def close_column(self) -> None:
        self.column = None

    def is_column_item(self, heading: L.Heading) -> bool:
        if self.column is None or heading.level != 3 or not heading.number.isdigit():
            return False
        number = int(heading.number)
        if self.column_items == 0:
            return number == 1 and not self.column_has_content
        return number == self.column_items + 1

    def heading(self, item: _Item) -> None:
        h = item.heading
        if self.is_column_item(h):
            self.column_items = int(h.number)
            self.emit("paragraph", item.text)
            return
        self.close_column()
        self.flush_title()
        if h.level <= 1 and self.in_annex:
            self.in_annex = False
        while self.path and self.path[-1][0] >= h.level:
            self.path.pop()
        self.path.append((h.level, h.label if h.number else h.title, h.lead))
        self.emit("paragraph" if h.lead else "heading", item.text)

    def open_column(self, item: _Item) -> None:
        self.close_column()
        self.flush_title()
        c = item.column
        titles = [label for _, label, _ in self.path]
        # a box after a lead-phrase item ('4. 探索建设工程技术创新平台。强化……') belongs to the
        # enclosing section, not to that item: the item is a paragraph that happens to precede it
        keep = len(self.path)
        while keep and self.path[keep - 1][2]:
            keep -= 1
        path = tuple(titles[:keep])
        # '创新布局专栏1：海工船舶' closes the item '1. 海工船舶', not its last sub-item
        for depth in range(len(self.path) - 1, -1, -1):
            if self.path[depth][1].endswith(c.title) and c.title:
                path = tuple(titles[: depth + 1])
                break
        self.column = ColumnBox(c.label, c.number, c.title, path)
        self.columns.append(self.column)
        self.column_items = 0
        self.column_has_content = False
        self.emit("column", item.text)

    def annex(self, item: _Item) -> None:
        self.close_column()
        self.flush_title()
        self.path = [(1, item.text, False)]
        self.in_annex = True
        self.emit("heading", item.text)

    def table(self, item: _Item) -> None:
        table = item.table
        title_line = self.pending_title
        self.pending_title = None
        if title_line:
            table.title = title_line
        elif table.title is None:
            table.title = self.column.title if self.column else (self.path[-1][1] if self.in_annex else None)
        rows = [table.header, *table.rows] if table.header else table.rows
        body = "\n".join("\t".join(r) for r in rows)
        self.emit("table", f"{title_line}\n{body}" if title_line else body, table)
        if self.column:
            self.column.tables += 1

    def flush_title(self) -> None:
        if self.pending_title:  # a 表N line with no table after it: keep it as text
            self.emit("paragraph", self.pending_title)
            self.pending_title = None

    def paragraph(self, item: _Item) -> None:
        self.flush_title()
        if self.column is not None and (part := L.column_part(item.text)):
            self.column.parts.append(part)
        self.emit("paragraph", item.text)


def parse_document(text: str, entry: ManifestEntry, tables: Sequence[list[list[str]]] = ()) -> ParsedDocument:
    """Parse one plan text (with the tables a reader found, see `retrieval.readers`). Never raises
    on odd input: an empty or structureless text gives a document with few or no blocks, and
    `warnings` says so."""
    raw_lines = [
        L.clean_line(line).rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    start = _title_span(raw_lines, entry)
    metadata = header_metadata(raw_lines[:start])
    items = repair_items(read_items(raw_lines[start:], tables), rejoin=entry.kind != "outline")
    warnings = []
    if not any(i.kind in ("heading", "annex") for i in items):
        items = _lead_sentence_headings(items)
        warnings.append("no numbered headings: sections follow paragraph lead sentences")
    walker = _Walker(entry)
    for item in items:
        if item.kind == "heading":
            walker.heading(item)
        elif item.kind == "column":
            walker.open_column(item)
        elif item.kind == "annex":
            walker.annex(item)
        elif item.kind == "column_end":
            walker.flush_title()
            walker.close_column()
        elif item.kind == "table_title":
            walker.flush_title()
            walker.pending_title = item.text
        elif item.kind == "table":
            walker.table(item)
        else:
            walker.paragraph(item)
    walker.flush_title()
    cleaned = _assign_offsets(walker.blocks)
    _column_extents(walker.columns, walker.blocks)
    if not any(b.is_body for b in walker.blocks):
        warnings.append("no body text")
    return ParsedDocument(entry, cleaned, metadata, walker.blocks, walker.columns, warnings)


def _assign_offsets(blocks: list[Block]) -> str:
    """Lay the blocks out one per line and record each block's character span."""
    parts, pos = [], 0
    for block in blocks:
        block.start, block.end = pos, pos + len(block.text)
        parts.append(block.text)
        pos = block.end + 1
    return "\n".join(parts)


def _column_extents(columns: list[ColumnBox], blocks: list[Block]) -> None:
    for column in columns:
        inside = [b for b in blocks if b.column == column.label and b.section_path == column.section_path]
        if inside:
            column.start, column.end = inside[0].start, inside[-1].end
