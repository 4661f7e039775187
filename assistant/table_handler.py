"""The table handler of the offline answerer: a question that asks a table for a ranking, a filter,
a row by position, a column of a named row, or a follow-up about a row ('它的责任单位') is answered
from the whole table as data (`assistant.tables`), the result stated first and every chosen row
cited from the chunk that holds its line.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.draft import Segment
from assistant.table_chunks import WholeTable, whole_tables
from assistant.tables import OpKind, TableAnswer, TableQuestion, answer_table, detect_table_operation, fold
from retrieval.catalog import Catalog
from retrieval.models import Chunk

# operations the passage-level table matching cannot do: they need the table as data
DATA_OPERATIONS = (OpKind.SUPERLATIVE, OpKind.FILTER, OpKind.POSITION)
MAX_ROWS_SHOWN = 6  # rows quoted under a statement (a filter may match many)
# a question that names a table by its number asks that table even for a plain lookup
NAMED_TABLE = re.compile(r"(?:表|附件|附表)\s*[0-9一二三四五六七八九十]+")
ROW_NAME_CHARS = 4  # a run this long shared with a row's label names the row ('林洋能源' in
# 江苏林洋能源股份有限公司); shorter runs are places and common words
ROW_NAME_MAX_ROWS = 3  # a run held by more rows than this names a kind of row ('重点实验室'), not one
# words that point a question at a table or a list of rows: a filter or a position is asked of a
# table only when the question names one or retrieval ranks a table first ('我们是南通的企业' and
# '第十个的叫法' are not table questions)
TABLE_NAMING = re.compile(r"表|清单|名单|附件|任务|布局|指标|牵头|责任单位|哪个市|哪些市|哪几个市|城市")


@dataclass(frozen=True)
class TableResult:
    answer: TableAnswer
    table: WholeTable
    segments: list[Segment]


def _synonyms():
    from retrieval.thesaurus import synonyms

    return synonyms


class TableHandler:
    """Whole tables of a catalog, each built once; answers questions that need a table as data.

    `row_names`: the catalog's `table_only_names`, as a build stores them (`save_table_names`);
    counted here when not given."""

    def __init__(self, catalog: Catalog, row_names: RowNames | None = None):
        self.tables = whole_tables(catalog.chunks)
        self._by_chunk = {c.chunk_id: t for t in self.tables for c in t.chunks}
        if row_names is None:
            row_names = table_only_names(catalog.chunks, self.tables)
        position = {t.chunks[0].chunk_id: i for i, t in enumerate(self.tables)}
        self._row_names = {
            key: {(position[cid], row) for cid, row in holders if cid in position}
            for key, holders in row_names.items()
        }

    def named_rows(self, text: str) -> list[WholeTable]:
        """The tables whose rows the question names by a run of their label cells that only tables
        hold ('林洋能源对应的是什么项目', '江苏科技大学海洋装备研究院归哪个市'), most named first."""
        key = fold(text)
        hits: dict[int, int] = {}
        for i in range(len(key) - ROW_NAME_CHARS + 1):
            holders = self._row_names.get(key[i : i + ROW_NAME_CHARS])
            if holders and len(holders) <= ROW_NAME_MAX_ROWS:
                for t, _ in holders:
                    hits[t] = hits.get(t, 0) + 1
        return [self.tables[t] for t in sorted(hits, key=lambda t: -hits[t])]

    def table_of(self, chunk: Chunk) -> WholeTable | None:
        return self._by_chunk.get(chunk.chunk_id)

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def operation(text: str):
        return detect_table_operation(text)

    def wants_table(self, text: str, top_is_table: bool = False) -> bool:
        """Whether the question asks what only a table as data can answer: a ranking, a filter or a
        position, or a cell of a row or table the question names."""
        op = self.operation(text)
        if op.kind is OpKind.SUPERLATIVE:
            return True
        if op.kind is OpKind.LOOKUP:
            return NAMED_TABLE.search(text) is not None or bool(self.named_rows(text))
        return op.kind in DATA_OPERATIONS and (top_is_table or TABLE_NAMING.search(text) is not None)

    def candidates(self, text: str, ranked: Sequence[Chunk]) -> list[Chunk]:
        """The tables to try, in order: those whose rows the question names, then the ranked ones."""
        named = [t.chunks[0] for t in self.named_rows(text)]
        return named + [c for c in ranked if c.kind == "table"]

    def answer(
        self,
        text: str,
        terms: Sequence[str],
        candidates: Sequence[Chunk],
        previous_rows: tuple[int, ...] = (),
    ) -> TableResult | None:
        """The first candidate table (in ranking order) that answers; None when none does."""
        seen: set[int] = set()
        question = TableQuestion.parse(text, terms=tuple(terms), previous_rows=previous_rows)
        for chunk in candidates:
            table = self.table_of(chunk)
            if table is None or id(table) in seen:
                continue
            seen.add(id(table))
            try:
                found = answer_table(table.table, question, _synonyms())
            except (ValueError, IndexError, KeyError):  # a malformed table answers nothing
                found = None
            if found is None or not found.rows:
                continue
            return TableResult(found, table, self.segments(found, table))
        return None

    @staticmethod
    def segments(found: TableAnswer, table: WholeTable) -> list[Segment]:
        """The statement first, then each chosen row quoted from the chunk that holds it."""
        out: list[Segment] = []
        header = table.table.header
        for k, (row, line) in enumerate(zip(found.rows, found.lines, strict=True)):
            if k >= MAX_ROWS_SHOWN:
                break
            chunk = table.chunk_for(row)
            pos = chunk.text.find(line)
            if pos < 0:
                continue
            cells = table.table.rows[row]
            display = (
                "，".join(
                    f"{h}：{c}" if h and h != c else c
                    for h, c in zip(header, cells, strict=False)
                    if c and h != "序号"
                )
                if header and len(header) == len(cells)
                else "｜".join(c for c in cells if c)
            )
            title = table.table.title or chunk.column or ""
            lead = f"{found.statement}。\n《{chunk.doc_title}》{title}：" if not out else ""
            out.append(Segment(chunk, pos, pos + len(line), lead=lead, display=display))
        return out


# run of a row's label → (first chunk id of its table, row), for the runs only tables hold
RowNames = dict[str, list[tuple[str, int]]]
# the file a build stores them in; the name changes with the rules that make them
ROW_NAMES_FILE = f"table-names-{ROW_NAME_CHARS}.json"


def table_only_names(chunks: Sequence[Chunk], tables: Sequence[WholeTable] | None = None) -> RowNames:
    """The runs of ROW_NAME_CHARS characters of table rows' labels that no running text holds.

    A name the running text also uses (an indicator, a programme) is answered from the text; a
    name only a table holds (a company, a project) can only be answered by its table."""
    tables = whole_tables(chunks) if tables is None else tables
    index = _row_name_index(tables)
    for chunk in chunks:
        if chunk.kind != "table":
            text = fold(chunk.text)
            for k in range(len(text) - ROW_NAME_CHARS + 1):
                index.pop(text[k : k + ROW_NAME_CHARS], None)
    return {
        key: sorted((tables[t].chunks[0].chunk_id, row) for t, row in held) for key, held in index.items()
    }


def save_table_names(build_dir: Path, chunks: Sequence[Chunk]) -> None:
    """Store a build's `table_only_names` (called by ingest before the build is marked ready)."""
    from retrieval.builds import write_json

    write_json(build_dir / ROW_NAMES_FILE, table_only_names(Catalog(chunks).chunks))


def load_table_names(build_dir: Path) -> RowNames | None:
    """A build's stored `table_only_names`, or None (none stored, unreadable, other rules)."""
    try:
        data = json.loads((Path(build_dir) / ROW_NAMES_FILE).read_bytes())
        return {str(k): [(str(c), int(r)) for c, r in v] for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _row_name_index(tables: Sequence[WholeTable]) -> dict[str, set[tuple[int, int]]]:
    """Each run of ROW_NAME_CHARS characters of a row's label cells → the (table, row) holding it."""
    from assistant.table_shape import TableShape

    index: dict[str, set[tuple[int, int]]] = {}
    for t, whole in enumerate(tables):
        shape = TableShape(whole.table)
        for i in shape.data_rows:
            row = whole.table.rows[i]
            for j in shape.label_columns():
                key = fold(row[j]) if j < len(row) else ""
                for k in range(len(key) - ROW_NAME_CHARS + 1):
                    index.setdefault(key[k : k + ROW_NAME_CHARS], set()).add((t, i))
    return index


__all__ = [
    "DATA_OPERATIONS",
    "TableHandler",
    "TableResult",
    "load_table_names",
    "save_table_names",
    "table_only_names",
]
