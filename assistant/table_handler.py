"""The table handler of the offline answerer: a question that asks a table for a ranking, a filter,
a row by position, a column of a named row, or a follow-up about a row ('它的责任单位') is answered
from the whole table as data (`assistant.tables`), the result stated first and every chosen row
cited from the chunk that holds its line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.draft import Segment
from assistant.table_chunks import WholeTable, whole_tables
from assistant.tables import OpKind, TableAnswer, TableQuestion, answer_table, detect_table_operation
from retrieval.catalog import Catalog
from retrieval.models import Chunk

# operations the passage-level table matching cannot do: they need the table as data
DATA_OPERATIONS = (OpKind.SUPERLATIVE, OpKind.FILTER, OpKind.POSITION)
MAX_ROWS_SHOWN = 6  # rows quoted under a statement (a filter may match many)
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
    """Whole tables of a catalog, each built once; answers questions that need a table as data."""

    def __init__(self, catalog: Catalog):
        self.tables = whole_tables(catalog.chunks)
        self._by_chunk = {c.chunk_id: t for t in self.tables for c in t.chunks}

    def table_of(self, chunk: Chunk) -> WholeTable | None:
        return self._by_chunk.get(chunk.chunk_id)

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def operation(text: str):
        return detect_table_operation(text)

    def wants_table(self, text: str, top_is_table: bool = False) -> bool:
        """Whether the question asks what only a table as data can answer."""
        op = self.operation(text)
        if op.kind is OpKind.SUPERLATIVE:
            return True
        return op.kind in DATA_OPERATIONS and (top_is_table or TABLE_NAMING.search(text) is not None)

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


__all__ = ["DATA_OPERATIONS", "TableHandler", "TableResult"]
